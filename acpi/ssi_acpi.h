/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ssi_acpi.h - topology description and ACPI table encoder of SSI-HV.
 *
 * A topology (nodes with their vCPUs, guest memory ranges, host binding,
 * SLIT distances and HMAT latencies/bandwidths) is parsed from an INI file
 * into struct ssi_topo, a plain struct that ssi-vmm reads directly.  The
 * table builders turn it into byte-exact ACPI tables; ssi_acpi_build_all()
 * lays out a complete set (RSDP -> XSDT -> FADT/MADT/SRAT/SLIT/HMAT,
 * FADT -> FACS/DSDT) at guest-physical addresses chosen by the caller.
 *
 * The file format is documented in Documentation/acpi.rst.
 */
#ifndef SSI_ACPI_H
#define SSI_ACPI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ACPI SLIT has one byte per entry; 10 means "local". */
#define SSI_DISTANCE_LOCAL	10
/* The limit; also the size of the fixed matrices below. */
#define SSI_MAX_NODES		256
/* Ranges one node may list (memory= and hotplug_memory= together). */
#define SSI_MAX_RANGES		16
/* DSDT processor devices are named C000..CFFF, so ids stop at 4095. */
#define SSI_MAX_VCPU_ID		4095
#define SSI_MAX_HOST_CPUS	4096

/* Matches QEMU's PIIX4 PM block so the same numbers work everywhere. */
#define SSI_ACPI_DEFAULT_PM_BASE	0x600
#define SSI_ACPI_DEFAULT_SCI_IRQ	9
/*
 * SLP_TYP the DSDT's \_S5 announces; the VMM powers off on SLP_EN|this.
 * 0 is also what QEMU's PIIX4/ICH9 PM treats as soft-off, so the same
 * tables power off a QEMU machine.
 */
#define SSI_ACPI_S5_SLP_TYP		0
#define SSI_ACPI_PM1_CNT_SLP_EN		(1u << 13)
#define SSI_ACPI_PM1_CNT_SCI_EN		(1u << 0)

struct ssi_mem_range {
	uint64_t base;
	uint64_t size;
	int hotplug;		/* SRAT hot-pluggable flag */
	int line;		/* line it came from, 0 if defaulted */
};

struct ssi_node {
	/* vCPU ids, ascending; the APIC id and ACPI UID equal the vCPU id. */
	unsigned int nr_vcpus;
	uint32_t *vcpus;
	unsigned int nr_ranges;
	struct ssi_mem_range ranges[SSI_MAX_RANGES];
	/* Host binding: which cluster host, which host CPUs/NUMA node. */
	char host[64];		/* "" when not given */
	unsigned int nr_host_cpus;
	uint32_t *host_cpus;
	int host_node;		/* -1 when not bound */
	/*
	 * Cluster node (ssihv.ko node_id) that is home to this node's
	 * memory; -1: the host that runs the VMM.
	 */
	int home;
	/*
	 * Proximity domain of the CPUs closest to this node's memory: the
	 * node itself when it has vCPUs, else the nearest node that has.
	 * HMAT's memory attributes carry it; Linux uses it for access0.
	 */
	unsigned int initiator;
	int line;		/* line of the [nodeN] header, 0 if defaulted */
	int cpus_line;		/* line of cpus=, 0 if defaulted */
};

struct ssi_acpi_opts {
	char oem_id[7];		/* 6 chars, space padded */
	char oem_table_id[9];	/* 8 chars, space padded */
	uint16_t pm_base;	/* PM1a_EVT; PM1a_CNT +4; PM_TMR +8 */
	uint8_t sci_irq;
	uint8_t ioapic_id;
	uint32_t ioapic_addr;
	uint32_t lapic_addr;
	int force_x2apic;	/* x2APIC entries even for ids < 255 */
	int serial;		/* describe COM1 (0x3f8, IRQ 4) in the DSDT */
	/*
	 * PCI host bridge (PNP0A03) for bus 0 behind ports 0xcf8/0xcfc, with
	 * this 32-bit window for memory BARs.  INTx is not routed (no _PRT):
	 * devices use MSI or MSI-X.
	 */
	int pci;
	uint32_t pci_mmio_base;
	uint32_t pci_mmio_size;
};

struct ssi_topo {
	unsigned int nr_nodes;
	struct ssi_node nodes[SSI_MAX_NODES];
	/* SLIT, row = from, column = to. */
	uint8_t distance[SSI_MAX_NODES][SSI_MAX_NODES];
	/* HMAT, row = initiator node, column = target node. ns and MB/s. */
	uint32_t read_latency[SSI_MAX_NODES][SSI_MAX_NODES];
	uint32_t write_latency[SSI_MAX_NODES][SSI_MAX_NODES];
	uint32_t read_bandwidth[SSI_MAX_NODES][SSI_MAX_NODES];
	uint32_t write_bandwidth[SSI_MAX_NODES][SSI_MAX_NODES];
	/* Reverse map filled by the parser: node of each vCPU id, or -1. */
	int16_t vcpu_node[SSI_MAX_VCPU_ID + 1];
	struct ssi_acpi_opts acpi;
};

/*
 * Parse a topology.  On failure returns NULL and writes one message of the
 * form "NAME:LINE: what is wrong" (or "NAME: ..." for whole-file problems)
 * to err.  NAME is the path, or the name given for a string.
 */
struct ssi_topo *ssi_topo_parse_file(const char *path, char *err,
				     size_t errlen);
struct ssi_topo *ssi_topo_parse_string(const char *text, const char *name,
				       char *err, size_t errlen);
void ssi_topo_free(struct ssi_topo *topo);

/* Node that owns a vCPU, or -1. */
int ssi_topo_vcpu_node(const struct ssi_topo *topo, uint32_t vcpu);
/*
 * Node whose memory (boot or hot-pluggable) holds a guest-physical
 * address, i.e. its home node; -1 if no range does.
 */
int ssi_topo_addr_node(const struct ssi_topo *topo, uint64_t gpa);
/* Total vCPUs, and bytes of boot memory (hotplug ranges excluded). */
unsigned int ssi_topo_nr_vcpus(const struct ssi_topo *topo);
uint64_t ssi_topo_mem_size(const struct ssi_topo *topo, int node);

/* Readable summary (ssi-acpi --dump); machine=1 gives key=value lines. */
void ssi_topo_dump(const struct ssi_topo *topo, FILE *out, int machine);

/* A growable byte buffer; failed sticks once an allocation fails. */
struct ssi_blob {
	uint8_t *data;
	size_t len;
	size_t cap;
	int failed;
};

void ssi_blob_free(struct ssi_blob *b);

/*
 * Individual builders.  Each appends one complete table, with length and
 * checksum final, to an empty blob and returns 0 or -ENOMEM/-EINVAL.
 */
int ssi_acpi_build_srat(const struct ssi_topo *t, struct ssi_blob *out);
int ssi_acpi_build_slit(const struct ssi_topo *t, struct ssi_blob *out);
int ssi_acpi_build_hmat(const struct ssi_topo *t, struct ssi_blob *out);
int ssi_acpi_build_madt(const struct ssi_topo *t, struct ssi_blob *out);
int ssi_acpi_build_dsdt(const struct ssi_topo *t, struct ssi_blob *out);
int ssi_acpi_build_facs(struct ssi_blob *out);
int ssi_acpi_build_fadt(const struct ssi_topo *t, uint64_t facs_addr,
			uint64_t dsdt_addr, struct ssi_blob *out);
int ssi_acpi_build_xsdt(const struct ssi_topo *t, const uint64_t *addrs,
			unsigned int nr, struct ssi_blob *out);
int ssi_acpi_build_rsdp(const struct ssi_topo *t, uint64_t xsdt_addr,
			struct ssi_blob *out);

enum ssi_acpi_table_id {
	SSI_ACPI_RSDP,
	SSI_ACPI_XSDT,
	SSI_ACPI_FADT,
	SSI_ACPI_FACS,
	SSI_ACPI_DSDT,
	SSI_ACPI_MADT,
	SSI_ACPI_SRAT,
	SSI_ACPI_SLIT,
	SSI_ACPI_HMAT,
	SSI_ACPI_NR_TABLES
};

struct ssi_acpi_table {
	const char *file;	/* file name ssi-acpi writes, e.g. "srat.dat" */
	uint64_t addr;		/* guest-physical address in the layout */
	struct ssi_blob blob;
};

struct ssi_acpi_tables {
	struct ssi_acpi_table t[SSI_ACPI_NR_TABLES];
	uint64_t end;		/* first byte after the last table */
};

/*
 * Build every table.  The RSDP goes at rsdp_addr (the VMM puts it where
 * the guest finds it: the BIOS area 0xe0000-0xfffff or boot_params); the
 * rest follow each other from tables_addr.  Free with ssi_acpi_tables_free.
 * Returns -EINVAL if the RSDP would overlap the other tables.
 */
int ssi_acpi_build_all(const struct ssi_topo *t, uint64_t rsdp_addr,
		       uint64_t tables_addr, struct ssi_acpi_tables *out);
void ssi_acpi_tables_free(struct ssi_acpi_tables *tables);

/* 8-bit sum of a buffer; an ACPI table is valid when it is 0. */
uint8_t ssi_acpi_sum(const void *data, size_t len);

#endif /* SSI_ACPI_H */
