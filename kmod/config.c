// SPDX-License-Identifier: GPL-2.0
/*
 * Module-wide settings.  They are read on hot paths without locks, so each
 * one is a single atomic word.
 */
#include <linux/atomic.h>
#include <linux/errno.h>
#include <linux/mm.h>

#include "ssihv.h"

static atomic64_t max_vm_memory;

void ssihv_config_init(void)
{
	/*
	 * Default: one VM may make resident at most as much memory as this
	 * host has.  The administrator can lower (or raise) it at run time.
	 */
	u64 ram = (u64)totalram_pages() << PAGE_SHIFT;

	atomic64_set(&max_vm_memory, clamp_t(u64, ram & PAGE_MASK,
					     SSIHV_VM_MEMORY_MIN,
					     SSIHV_VM_MEMORY_MAX));
}

u64 ssihv_config_max_vm_memory(void)
{
	return atomic64_read(&max_vm_memory);
}

int ssihv_config_set_max_vm_memory(u64 bytes)
{
	if (bytes < SSIHV_VM_MEMORY_MIN || bytes > SSIHV_VM_MEMORY_MAX ||
	    !PAGE_ALIGNED(bytes))
		return -EINVAL;
	atomic64_set(&max_vm_memory, bytes);
	return 0;
}
