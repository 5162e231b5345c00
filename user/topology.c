// SPDX-License-Identifier: GPL-2.0
/*
 * --topology: the guest's NUMA layout from an INI file (acpi/ library's
 * parser), checked against what this VMM builds.
 *
 * The file is the authority for vCPUs and memory; --cpus and --memory may
 * be omitted and are then taken from it, or given and must agree.  vCPU
 * ids must be 0..N-1 (they are KVM vCPU ids and APIC ids), and boot
 * memory ranges must tile exactly the RAM that memory.c maps: [0, 3G)
 * then [4G, ...).  Hot-pluggable ranges are described to the guest but
 * not backed.
 */
#include <stdio.h>
#include <stdlib.h>

#include "ssi_acpi.h"
#include "vmm.h"

static int check_vcpus(struct vmm *vmm, const struct ssi_topo *topo)
{
	unsigned int nr = ssi_topo_nr_vcpus(topo), id;

	if (!nr || nr > MAX_VCPUS) {
		fprintf(stderr, "ssi-vmm: topology %s has %u vCPUs; 1 to %d are supported\n",
			vmm->cfg.topology_path, nr, MAX_VCPUS);
		return -1;
	}
	if (vmm->cfg.nr_cpus_given && nr != vmm->cfg.nr_cpus) {
		fprintf(stderr, "ssi-vmm: topology mismatch: %s has %u vCPUs, --cpus says %u\n",
			vmm->cfg.topology_path, nr, vmm->cfg.nr_cpus);
		return -1;
	}
	for (id = 0; id < nr; id++) {
		if (ssi_topo_vcpu_node(topo, id) < 0) {
			fprintf(stderr, "ssi-vmm: topology %s: vCPU ids must be 0-%u, %u is in no node\n",
				vmm->cfg.topology_path, nr - 1, id);
			return -1;
		}
	}
	vmm->cfg.nr_cpus = nr;
	return 0;
}

/* The RAM layout memory.c builds for ram_size, as guest ranges. */
static int range_in_ram(uint64_t ram_size, uint64_t base, uint64_t size)
{
	uint64_t low = ram_below_4g(ram_size);

	if (base + size <= low)
		return 1;
	return base >= HIGH_RAM_GPA &&
	       base + size <= HIGH_RAM_GPA + (ram_size - low);
}

static int check_memory(struct vmm *vmm, const struct ssi_topo *topo)
{
	uint64_t total = ssi_topo_mem_size(topo, -1);
	unsigned int n, i;

	if (vmm->cfg.ram_size_given && total != vmm->cfg.ram_size) {
		fprintf(stderr, "ssi-vmm: topology mismatch: %s has %llu MiB of memory, --memory says %llu MiB\n",
			vmm->cfg.topology_path,
			(unsigned long long)(total >> 20),
			(unsigned long long)(vmm->cfg.ram_size >> 20));
		return -1;
	}
	/*
	 * The parser rejects overlaps, so ranges that all lie inside the RAM
	 * layout and add up to its size cover it exactly.
	 */
	for (n = 0; n < topo->nr_nodes; n++) {
		const struct ssi_node *node = &topo->nodes[n];

		for (i = 0; i < node->nr_ranges; i++) {
			const struct ssi_mem_range *r = &node->ranges[i];

			if (r->hotplug || range_in_ram(total, r->base, r->size))
				continue;
			fprintf(stderr, "ssi-vmm: topology %s: node%u memory 0x%llx-0x%llx is not where ssi-vmm puts RAM ([0, 3G) then from 4G)\n",
				vmm->cfg.topology_path, n,
				(unsigned long long)r->base,
				(unsigned long long)(r->base + r->size - 1));
			return -1;
		}
	}
	vmm->cfg.ram_size = total;
	return 0;
}

int topology_load(struct vmm *vmm)
{
	struct ssi_topo *topo;
	char err[512];

	if (!vmm->cfg.topology_path)
		return 0;
	topo = ssi_topo_parse_file(vmm->cfg.topology_path, err, sizeof(err));
	if (!topo) {
		fprintf(stderr, "ssi-vmm: %s\n", err);
		return -1;
	}
	if (check_vcpus(vmm, topo) < 0 || check_memory(vmm, topo) < 0) {
		ssi_topo_free(topo);
		return -1;
	}
	vmm->topo = topo;
	return 0;
}
