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
/* Placement of frames between nodes (enum ssihv_placement and its knobs). */
static atomic_t placement = ATOMIC_INIT(SSIHV_PLACEMENT_HEAT);
static atomic_t placement_heat = ATOMIC_INIT(SSIHV_PLACEMENT_HEAT_DEFAULT);
static atomic_t placement_rate = ATOMIC_INIT(SSIHV_PLACEMENT_RATE_DEFAULT);

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

unsigned int ssihv_config_placement(void)
{
	return atomic_read(&placement);
}

unsigned int ssihv_config_placement_heat(void)
{
	return atomic_read(&placement_heat);
}

unsigned int ssihv_config_placement_rate(void)
{
	return atomic_read(&placement_rate);
}

/* The netlink policy checked the ranges; these are for other callers. */
int ssihv_config_set_placement(u32 policy)
{
	if (policy >= __SSIHV_PLACEMENT_MAX)
		return -EINVAL;
	atomic_set(&placement, policy);
	return 0;
}

int ssihv_config_set_placement_heat(u32 heat)
{
	if (!heat || heat > U16_MAX)
		return -EINVAL;
	atomic_set(&placement_heat, heat);
	return 0;
}

int ssihv_config_set_placement_rate(u32 rate)
{
	if (!rate || rate > SSIHV_PLACEMENT_RATE_MAX)
		return -EINVAL;
	atomic_set(&placement_rate, rate);
	return 0;
}
