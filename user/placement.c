// SPDX-License-Identifier: GPL-2.0
/*
 * Host placement: which host CPUs run each vCPU thread and which host NUMA
 * node backs each guest node's memory.
 *
 * With a topology, a guest node's vCPUs run on its host_cpus (or, if only
 * host_node is given, on that host node's CPUs) and its memory is bound
 * to host_node with mbind().  Without one, vCPU i is pinned to the i-th
 * CPU ssi-vmm may use, round robin, so that vCPUs do not migrate.  Every
 * host CPU and node named is checked before the VM starts, so a bad value
 * is one error line, not a half-placed VM.  --no-pin turns all of it off.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <numa.h>
#include <numaif.h>

#include "ssi_acpi.h"
#include "vmm.h"

#define HOST_NODE_BITS	1024	/* mbind() node mask size we pass */

static int check_host_node(struct vmm *vmm, unsigned int n, int host_node)
{
	if (numa_available() < 0) {
		fprintf(stderr, "ssi-vmm: topology binds node%u to host node %d, but this host has no NUMA support\n",
			n, host_node);
		return -1;
	}
	if (host_node > numa_max_node() || host_node >= HOST_NODE_BITS ||
	    !numa_bitmask_isbitset(numa_all_nodes_ptr, host_node)) {
		fprintf(stderr, "ssi-vmm: topology binds node%u to host node %d, which does not exist here (nodes 0-%d)\n",
			n, host_node, numa_max_node());
		return -1;
	}
	return 0;
}

static int bind_range(struct vmm *vmm, unsigned int n, int host_node,
		      const struct ssi_mem_range *r)
{
	unsigned long mask[HOST_NODE_BITS / 64] = { 0 };
	void *hva = gpa_to_hva(vmm, r->base, r->size);

	mask[host_node / 64] |= 1UL << (host_node % 64);
	if (mbind(hva, r->size, MPOL_BIND, mask, HOST_NODE_BITS,
		  MPOL_MF_STRICT | MPOL_MF_MOVE) < 0) {
		fprintf(stderr, "ssi-vmm: cannot bind node%u memory to host node %d: %s\n",
			n, host_node, strerror(errno));
		return -1;
	}
	return 0;
}

/* Called after guest RAM is mapped and before anything touches it. */
int placement_bind_ram(struct vmm *vmm)
{
	const struct ssi_topo *topo = vmm->topo;
	unsigned int n, i;

	if (vmm->cfg.no_pin || !topo)
		return 0;
	for (n = 0; n < topo->nr_nodes; n++) {
		const struct ssi_node *node = &topo->nodes[n];

		if (node->host_node < 0)
			continue;
		if (check_host_node(vmm, n, node->host_node) < 0)
			return -1;
		for (i = 0; i < node->nr_ranges; i++) {
			if (node->ranges[i].hotplug)
				continue;
			if (bind_range(vmm, n, node->host_node,
				       &node->ranges[i]) < 0)
				return -1;
		}
	}
	return 0;
}

int placement_check_host_node(unsigned int n, int host_node)
{
	return check_host_node(NULL, n, host_node);
}

static int node_cpus(struct vmm *vmm, unsigned int n, const cpu_set_t *usable,
		     cpu_set_t *set)
{
	const struct ssi_node *node = &vmm->topo->nodes[n];
	struct bitmask *cpus;
	unsigned int i;

	CPU_ZERO(set);
	for (i = 0; i < node->nr_host_cpus; i++) {
		uint32_t cpu = node->host_cpus[i];

		if (cpu >= CPU_SETSIZE || !CPU_ISSET(cpu, usable)) {
			fprintf(stderr, "ssi-vmm: topology node%u: host CPU %u is not available to ssi-vmm\n",
				n, cpu);
			return -1;
		}
		CPU_SET(cpu, set);
	}
	if (node->nr_host_cpus || node->host_node < 0)
		return 0;

	if (check_host_node(vmm, n, node->host_node) < 0)
		return -1;
	cpus = numa_allocate_cpumask();
	if (!cpus || numa_node_to_cpus(node->host_node, cpus) < 0) {
		fprintf(stderr, "ssi-vmm: cannot list the CPUs of host node %d\n",
			node->host_node);
		return -1;
	}
	for (i = 0; i < cpus->size && i < CPU_SETSIZE; i++) {
		if (numa_bitmask_isbitset(cpus, i) && CPU_ISSET(i, usable))
			CPU_SET(i, set);
	}
	numa_free_cpumask(cpus);
	if (!CPU_COUNT(set)) {
		fprintf(stderr, "ssi-vmm: topology node%u: host node %d has no CPU available to ssi-vmm\n",
			n, node->host_node);
		return -1;
	}
	return 0;
}

/* Decides every vCPU's host CPUs before any vCPU runs. */
int placement_plan_vcpus(struct vmm *vmm)
{
	unsigned int i, next = 0, nr_usable;
	cpu_set_t usable;

	if (vmm->cfg.no_pin)
		return 0;
	if (sched_getaffinity(0, sizeof(usable), &usable) < 0) {
		fprintf(stderr, "ssi-vmm: sched_getaffinity: %s\n",
			strerror(errno));
		return -1;
	}
	nr_usable = CPU_COUNT(&usable);
	for (i = 0; i < vmm->cfg.nr_cpus; i++) {
		struct vcpu *vcpu = &vmm->vcpus[i];
		int n = vmm->topo ? ssi_topo_vcpu_node(vmm->topo, i) : -1;

		if (n >= 0 && (vmm->topo->nodes[n].nr_host_cpus ||
			       vmm->topo->nodes[n].host_node >= 0)) {
			if (node_cpus(vmm, n, &usable, &vcpu->affinity) < 0)
				return -1;
			vcpu->pinned = true;
			continue;
		}
		/* Round robin over the CPUs we may use. */
		while (!CPU_ISSET(next % CPU_SETSIZE, &usable))
			next++;
		CPU_ZERO(&vcpu->affinity);
		CPU_SET(next % CPU_SETSIZE, &vcpu->affinity);
		vcpu->pinned = true;
		next++;
		if (next >= CPU_SETSIZE || (i + 1) % nr_usable == 0)
			next = 0;
	}
	return 0;
}

void placement_pin_vcpu(struct vcpu *vcpu)
{
	int err;

	if (!vcpu->pinned)
		return;
	err = pthread_setaffinity_np(pthread_self(), sizeof(vcpu->affinity),
				     &vcpu->affinity);
	if (err)
		fprintf(stderr, "ssi-vmm: vCPU %u: cannot pin: %s\n",
			vcpu->id, strerror(err));
}
