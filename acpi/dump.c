// SPDX-License-Identifier: GPL-2.0
/*
 * dump.c - topology accessors and the text summary of ssi-acpi --dump.
 *
 * The "machine" form (key=value, one per line) is what the iasl check
 * compares the disassembled tables against.
 */
#include <inttypes.h>

#include "ssi_acpi.h"
#include "value.h"

int ssi_topo_vcpu_node(const struct ssi_topo *topo, uint32_t vcpu)
{
	if (vcpu > SSI_MAX_VCPU_ID)
		return -1;
	return topo->vcpu_node[vcpu];
}

int ssi_topo_addr_node(const struct ssi_topo *topo, uint64_t gpa)
{
	unsigned int n, i;

	for (n = 0; n < topo->nr_nodes; n++) {
		for (i = 0; i < topo->nodes[n].nr_ranges; i++) {
			const struct ssi_mem_range *r = &topo->nodes[n].ranges[i];

			if (gpa >= r->base && gpa - r->base < r->size)
				return (int)n;
		}
	}
	return -1;
}

unsigned int ssi_topo_nr_vcpus(const struct ssi_topo *topo)
{
	unsigned int n, nr = 0;

	for (n = 0; n < topo->nr_nodes; n++)
		nr += topo->nodes[n].nr_vcpus;
	return nr;
}

uint64_t ssi_topo_mem_size(const struct ssi_topo *topo, int node)
{
	unsigned int n, i;
	uint64_t sum = 0;

	for (n = 0; n < topo->nr_nodes; n++) {
		if (node >= 0 && n != (unsigned int)node)
			continue;
		for (i = 0; i < topo->nodes[n].nr_ranges; i++)
			if (!topo->nodes[n].ranges[i].hotplug)
				sum += topo->nodes[n].ranges[i].size;
	}
	return sum;
}

/* "0-3,8": compress an ascending id list into ranges. */
static void print_ids(FILE *out, const uint32_t *ids, unsigned int nr)
{
	unsigned int i = 0, j;

	if (!nr)
		fputs("none", out);
	while (i < nr) {
		for (j = i; j + 1 < nr && ids[j + 1] == ids[j] + 1; j++)
			;
		fprintf(out, "%s%" PRIu32, i ? "," : "", ids[i]);
		if (j > i)
			fprintf(out, "-%" PRIu32, ids[j]);
		i = j + 1;
	}
}

static void print_matrix_row(FILE *out, const char *name,
			     const uint32_t (*m)[SSI_MAX_NODES],
			     unsigned int row, unsigned int n)
{
	unsigned int j;

	fprintf(out, "%s.%u=", name, row);
	for (j = 0; j < n; j++)
		fprintf(out, "%s%" PRIu32, j ? " " : "", m[row][j]);
	fputc('\n', out);
}

static void dump_machine(const struct ssi_topo *t, FILE *out)
{
	unsigned int n, i;

	fprintf(out, "nodes=%u\n", t->nr_nodes);
	for (n = 0; n < t->nr_nodes; n++) {
		const struct ssi_node *node = &t->nodes[n];

		fprintf(out, "node%u.vcpus=", n);
		for (i = 0; i < node->nr_vcpus; i++)
			fprintf(out, "%s%" PRIu32, i ? "," : "",
				node->vcpus[i]);
		fprintf(out, "\nnode%u.memory=", n);
		for (i = 0; i < node->nr_ranges; i++)
			fprintf(out, "%s0x%" PRIx64 ":0x%" PRIx64 ":%d",
				i ? "," : "", node->ranges[i].base,
				node->ranges[i].size, node->ranges[i].hotplug);
		fprintf(out, "\nnode%u.initiator=%u\n", n, node->initiator);
		fprintf(out, "node%u.host=%s\n", n, node->host);
		fprintf(out, "node%u.host_node=%d\n", n, node->host_node);
	}
	for (n = 0; n < t->nr_nodes; n++) {
		unsigned int j;

		fprintf(out, "distance.%u=", n);
		for (j = 0; j < t->nr_nodes; j++)
			fprintf(out, "%s%u", j ? " " : "", t->distance[n][j]);
		fputc('\n', out);
	}
	for (n = 0; n < t->nr_nodes; n++) {
		if (!t->nodes[n].nr_vcpus)
			continue;
		print_matrix_row(out, "read_latency", t->read_latency, n,
				 t->nr_nodes);
		print_matrix_row(out, "write_latency", t->write_latency, n,
				 t->nr_nodes);
		print_matrix_row(out, "read_bandwidth", t->read_bandwidth, n,
				 t->nr_nodes);
		print_matrix_row(out, "write_bandwidth", t->write_bandwidth,
				 n, t->nr_nodes);
	}
	fprintf(out, "acpi.oem_id=%s\nacpi.oem_table_id=%s\n",
		t->acpi.oem_id, t->acpi.oem_table_id);
	fprintf(out, "acpi.pm_base=0x%x\nacpi.sci_irq=%u\n",
		t->acpi.pm_base, t->acpi.sci_irq);
	fprintf(out, "acpi.ioapic_id=%u\nacpi.ioapic_addr=0x%x\n",
		t->acpi.ioapic_id, t->acpi.ioapic_addr);
	fprintf(out, "acpi.lapic_addr=0x%x\nacpi.x2apic=%d\nacpi.serial=%d\n",
		t->acpi.lapic_addr, t->acpi.force_x2apic, t->acpi.serial);
	fprintf(out, "acpi.s5_slp_typ=%d\n", SSI_ACPI_S5_SLP_TYP);
	fprintf(out, "acpi.pci=%d\nacpi.pci_mmio_base=0x%x\n",
		t->acpi.pci, t->acpi.pci_mmio_base);
	fprintf(out, "acpi.pci_mmio_size=0x%x\n", t->acpi.pci_mmio_size);
}

static void dump_human(const struct ssi_topo *t, FILE *out)
{
	char s1[32], s2[32];
	unsigned int n, i, j;

	fprintf(out, "%u node%s, %u vCPUs, %s of memory\n", t->nr_nodes,
		t->nr_nodes == 1 ? "" : "s", ssi_topo_nr_vcpus(t),
		value_size_str(ssi_topo_mem_size(t, -1), s1, sizeof(s1)));
	for (n = 0; n < t->nr_nodes; n++) {
		const struct ssi_node *node = &t->nodes[n];

		fprintf(out, "node%u: vCPUs ", n);
		print_ids(out, node->vcpus, node->nr_vcpus);
		fputc('\n', out);
		for (i = 0; i < node->nr_ranges; i++) {
			const struct ssi_mem_range *r = &node->ranges[i];

			fprintf(out, "  memory 0x%016" PRIx64 "-0x%016" PRIx64
				" %s%s\n", r->base, r->base + r->size - 1,
				value_size_str(r->size, s2, sizeof(s2)),
				r->hotplug ? " hot-pluggable" : "");
		}
		if (!node->nr_vcpus)
			fprintf(out, "  initiator: node%u\n", node->initiator);
		if (node->host[0])
			fprintf(out, "  host %s\n", node->host);
		if (node->host_node >= 0)
			fprintf(out, "  host NUMA node %d\n", node->host_node);
		if (node->home >= 0)
			fprintf(out, "  memory homed on cluster node %d\n",
				node->home);
		if (node->nr_host_cpus) {
			fputs("  host CPUs ", out);
			print_ids(out, node->host_cpus, node->nr_host_cpus);
			fputc('\n', out);
		}
	}
	/*
	 * Linux numbers nodes as their proximity domains first appear in
	 * the SRAT's processor entries, then memory entries: a memory-only
	 * node gets a Linux number after every node with vCPUs.
	 */
	for (n = 0; n < t->nr_nodes; n++) {
		if (t->nodes[n].nr_vcpus)
			continue;
		for (j = n + 1; j < t->nr_nodes; j++)
			if (t->nodes[j].nr_vcpus)
				break;
		if (j < t->nr_nodes) {
			fprintf(out,
				"note: node%u has no vCPUs but node%u has: Linux will number it after every node with vCPUs\n",
				n, j);
		}
	}
	fputs("distances (SLIT):\n     ", out);
	for (j = 0; j < t->nr_nodes; j++)
		fprintf(out, " %4u", j);
	fputc('\n', out);
	for (i = 0; i < t->nr_nodes; i++) {
		fprintf(out, "  %3u", i);
		for (j = 0; j < t->nr_nodes; j++)
			fprintf(out, " %4u", t->distance[i][j]);
		fputc('\n', out);
	}
	fputs("HMAT initiator -> target: read/write latency (ns), read/write bandwidth (MB/s):\n",
	      out);
	for (i = 0; i < t->nr_nodes; i++) {
		if (!t->nodes[i].nr_vcpus)
			continue;
		for (j = 0; j < t->nr_nodes; j++) {
			if (!t->nodes[j].nr_ranges)
				continue;
			fprintf(out,
				"  node%u -> node%u: %" PRIu32 "/%" PRIu32
				" ns, %" PRIu32 "/%" PRIu32 " MB/s\n", i, j,
				t->read_latency[i][j], t->write_latency[i][j],
				t->read_bandwidth[i][j],
				t->write_bandwidth[i][j]);
		}
	}
}

void ssi_topo_dump(const struct ssi_topo *topo, FILE *out, int machine)
{
	if (machine)
		dump_machine(topo, out);
	else
		dump_human(topo, out);
}
