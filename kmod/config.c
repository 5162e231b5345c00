// SPDX-License-Identifier: GPL-2.0
/*
 * Module-wide settings.  They are read on hot paths without locks, so each
 * one is a single atomic word.
 */
#include <linux/atomic.h>
#include <linux/errno.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <uapi/linux/ssihv.h>

#include "ssihv.h"

static atomic64_t max_vm_memory;

/*
 * This host's node id in the cluster.  Frames of ranges homed on another
 * node are remote.  Until the transport manages membership it is a load
 * time parameter.
 */
static unsigned int node_id;
module_param(node_id, uint, 0444);
MODULE_PARM_DESC(node_id, "this host's cluster node id (0-255)");

unsigned int ssihv_config_node_id(void)
{
	return node_id;
}

int ssihv_config_check(void)
{
	if (node_id >= SSIHV_MAX_NODES) {
		pr_err("ssihv: node_id %u is out of range (0-%u)\n", node_id,
		       SSIHV_MAX_NODES - 1);
		return -EINVAL;
	}
	return 0;
}

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
