// SPDX-License-Identifier: GPL-2.0
/*
 * ACPI for the guest, from the acpi/ library: the topology (the file given
 * with --topology, or one node holding every vCPU and all of RAM), the
 * tables built from it, and where they go.
 *
 * The RSDP goes at the start of the BIOS area, where a PC BIOS would put
 * it and where Linux searches when boot_params does not say; we also set
 * boot_params.acpi_rsdp_addr so the search is not needed.  The other
 * tables follow it in the same reserved area.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <asm/bootparam.h>

#include "ssi_acpi.h"
#include "vmm.h"

#define RSDP_GPA		BIOS_AREA_GPA
#define ACPI_TABLES_GPA		(BIOS_AREA_GPA + 0x100)

static struct ssi_topo *default_topology(struct vmm *vmm)
{
	char text[256], err[256];
	struct ssi_topo *topo;

	snprintf(text, sizeof(text),
		 "[topology]\nnodes = 1\ncpus_per_node = %u\nmemory_per_node = %llu\nlow_memory_top = %llu\n",
		 vmm->cfg.nr_cpus, (unsigned long long)vmm->ram_size,
		 (unsigned long long)MMIO_HOLE_GPA);
	topo = ssi_topo_parse_string(text, "default topology", err,
				     sizeof(err));
	if (!topo)
		fprintf(stderr, "ssi-vmm: %s\n", err);
	return topo;
}

int acpi_setup(struct vmm *vmm)
{
	struct ssi_acpi_tables tables;
	struct boot_params *bp;
	unsigned int i;

	if (!vmm->topo) {
		vmm->topo = default_topology(vmm);
		if (!vmm->topo)
			return -1;
	}
	if (ssi_acpi_build_all(vmm->topo, RSDP_GPA, ACPI_TABLES_GPA,
			       &tables) < 0) {
		fprintf(stderr, "ssi-vmm: cannot build the ACPI tables\n");
		return -1;
	}
	if (tables.end > BIOS_AREA_END) {
		fprintf(stderr,
			"ssi-vmm: ACPI tables need %llu bytes, more than the BIOS area holds\n",
			(unsigned long long)(tables.end - BIOS_AREA_GPA));
		ssi_acpi_tables_free(&tables);
		return -1;
	}
	for (i = 0; i < SSI_ACPI_NR_TABLES; i++) {
		struct ssi_acpi_table *t = &tables.t[i];

		if (!t->blob.len)
			continue;
		memcpy(gpa_to_hva(vmm, t->addr, t->blob.len), t->blob.data,
		       t->blob.len);
	}
	bp = gpa_to_hva(vmm, BOOT_PARAMS_GPA, sizeof(*bp));
	bp->acpi_rsdp_addr = RSDP_GPA;
	vmm->acpi_pm_base = vmm->topo->acpi.pm_base;
	ssi_acpi_tables_free(&tables);
	return 0;
}
