// SPDX-License-Identifier: GPL-2.0
/*
 * acpi_test_tables.c - encode tables for 1, 2, 4 and 64-node topologies
 * and read every field back: header, length, checksum, and the per-node
 * contents of SRAT, SLIT, HMAT, MADT, DSDT, FADT, XSDT and RSDP.
 */
#include "acpi_test_util.h"
#include "table.h"

struct fixture {
	unsigned int nodes, cpus, mib;
	struct ssi_topo *t;
};

/* The fixture the next group of sized tests runs on. */
static struct fixture *current;

static int setup(void **state)
{
	struct fixture *f = current;
	char *text = make_topology(f->nodes, f->cpus, f->mib);

	f->t = parse_ok(text);
	free(text);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	ssi_topo_free(f->t);
	f->t = NULL;
	return 0;
}

static void test_srat(void **state)
{
	struct fixture *f = *state;
	const struct ssi_topo *t = f->t;
	struct ssi_blob b = { 0 };
	unsigned int n, i, off = 48;

	assert_int_equal(ssi_acpi_build_srat(t, &b), 0);
	check_header(&b, "SRAT", 3);
	assert_int_equal(rd32(&b, 36), 1);
	for (n = 0; n < f->nodes; n++) {
		for (i = 0; i < f->cpus; i++) {
			uint32_t apic = n * f->cpus + i;

			if (apic < 255) {
				assert_int_equal(rd8(&b, off), 0);
				assert_int_equal(rd8(&b, off + 1), 16);
				assert_int_equal(rd8(&b, off + 2) |
						 rd8(&b, off + 9) << 8, n);
				assert_int_equal(rd8(&b, off + 3), apic);
				assert_int_equal(rd32(&b, off + 4), 1);
				off += 16;
			} else {
				assert_int_equal(rd8(&b, off), 2);
				assert_int_equal(rd8(&b, off + 1), 24);
				assert_int_equal(rd32(&b, off + 4), n);
				assert_int_equal(rd32(&b, off + 8), apic);
				assert_int_equal(rd32(&b, off + 12), 1);
				off += 24;
			}
		}
	}
	for (n = 0; n < f->nodes; n++) {
		uint64_t base = (uint64_t)n * f->mib << 20;

		/* The generated layouts stay below the 3G hole. */
		assert_int_equal(rd8(&b, off), 1);
		assert_int_equal(rd8(&b, off + 1), 40);
		assert_int_equal(rd32(&b, off + 2), n);
		assert_int_equal(rd64(&b, off + 8), base);
		assert_int_equal(rd64(&b, off + 16), (uint64_t)f->mib << 20);
		assert_int_equal(rd32(&b, off + 28), 1);	/* enabled */
		off += 40;
	}
	assert_int_equal(off, b.len);
	ssi_blob_free(&b);
}

static void test_slit(void **state)
{
	struct fixture *f = *state;
	struct ssi_blob b = { 0 };
	unsigned int i, j, d;

	assert_int_equal(ssi_acpi_build_slit(f->t, &b), 0);
	check_header(&b, "SLIT", 1);
	assert_int_equal(rd64(&b, 36), f->nodes);
	assert_int_equal(b.len, 44 + f->nodes * f->nodes);
	for (i = 0; i < f->nodes; i++)
		for (j = 0; j < f->nodes; j++) {
			d = i > j ? i - j : j - i;
			assert_int_equal(rd8(&b, 44 + i * f->nodes + j),
					 d ? 20 + d : 10);
		}
	ssi_blob_free(&b);
}

static void test_hmat(void **state)
{
	struct fixture *f = *state;
	struct ssi_blob b = { 0 };
	static const uint8_t types[] = { 1, 2, 4, 5 };
	unsigned int n, m, i, j, off = 40, len;

	assert_int_equal(ssi_acpi_build_hmat(f->t, &b), 0);
	check_header(&b, "HMAT", 2);
	for (n = 0; n < f->nodes; n++) {
		assert_int_equal(rd16(&b, off), 0);
		assert_int_equal(rd32(&b, off + 4), 40);
		assert_int_equal(rd16(&b, off + 8), 1);	/* initiator valid */
		assert_int_equal(rd32(&b, off + 12), n);	/* initiator */
		assert_int_equal(rd32(&b, off + 16), n);	/* memory */
		off += 40;
	}
	for (m = 0; m < 4; m++) {
		unsigned int nn = f->nodes, e;
		uint64_t base;

		assert_int_equal(rd16(&b, off), 1);
		len = rd32(&b, off + 4);
		assert_int_equal(len % 4, 0);
		assert_int_equal(len, (32 + 8 * nn + 2 * nn * nn + 3) & ~3u);
		assert_int_equal(rd8(&b, off + 8), 0);		/* memory */
		assert_int_equal(rd8(&b, off + 9), types[m]);
		assert_int_equal(rd32(&b, off + 12), nn);
		assert_int_equal(rd32(&b, off + 16), nn);
		base = rd64(&b, off + 24);
		/* ps for latency, MB/s for bandwidth, all values small. */
		assert_int_equal(base, m < 2 ? 1000 : 1);
		for (i = 0; i < nn; i++) {
			assert_int_equal(rd32(&b, off + 32 + 4 * i), i);
			assert_int_equal(rd32(&b, off + 32 + 4 * (nn + i)), i);
		}
		e = off + 32 + 8 * nn;
		for (i = 0; i < nn; i++)
			for (j = 0; j < nn; j++)
				assert_int_equal(rd16(&b, e + 2 * (i * nn + j)),
						 100 * (m + 1) + 7 * i + 3 * j +
						 1);
		off += len;
	}
	assert_int_equal(off, b.len);
	ssi_blob_free(&b);
}

static void test_madt(void **state)
{
	struct fixture *f = *state;
	struct ssi_blob b = { 0 };
	unsigned int nv = f->nodes * f->cpus, id, off = 44;
	int x2 = 0, x1 = 0;

	assert_int_equal(ssi_acpi_build_madt(f->t, &b), 0);
	check_header(&b, "APIC", 5);
	assert_int_equal(rd32(&b, 36), 0xfee00000);
	assert_int_equal(rd32(&b, 40), 1);	/* PCAT_COMPAT */
	for (id = 0; id < nv; id++) {
		if (id < 255) {
			assert_int_equal(rd8(&b, off), 0);
			assert_int_equal(rd8(&b, off + 1), 8);
			assert_int_equal(rd8(&b, off + 2), id);
			assert_int_equal(rd8(&b, off + 3), id);
			assert_int_equal(rd32(&b, off + 4), 1);
			off += 8;
			x1 = 1;
		} else {
			assert_int_equal(rd8(&b, off), 9);
			assert_int_equal(rd8(&b, off + 1), 16);
			assert_int_equal(rd32(&b, off + 4), id);
			assert_int_equal(rd32(&b, off + 8), 1);
			assert_int_equal(rd32(&b, off + 12), id);
			off += 16;
			x2 = 1;
		}
	}
	/* IOAPIC */
	assert_int_equal(rd8(&b, off), 1);
	assert_int_equal(rd8(&b, off + 1), 12);
	assert_int_equal(rd32(&b, off + 4), 0xfec00000);
	assert_int_equal(rd32(&b, off + 8), 0);
	off += 12;
	/* IRQ0 -> GSI2, SCI level/high */
	assert_int_equal(rd8(&b, off), 2);
	assert_int_equal(rd8(&b, off + 3), 0);
	assert_int_equal(rd32(&b, off + 4), 2);
	off += 10;
	assert_int_equal(rd8(&b, off), 2);
	assert_int_equal(rd8(&b, off + 3), 9);
	assert_int_equal(rd32(&b, off + 4), 9);
	assert_int_equal(rd16(&b, off + 8), 0xd);
	off += 10;
	if (x1) {
		assert_int_equal(rd8(&b, off), 4);
		off += 6;
	}
	if (x2) {
		assert_int_equal(rd8(&b, off), 10);
		off += 12;
	}
	assert_int_equal(off, b.len);
	ssi_blob_free(&b);
}

/* Count occurrences of a byte string in a table. */
static unsigned int count(const struct ssi_blob *b, const void *pat,
			  size_t n)
{
	unsigned int c = 0;
	size_t i;

	for (i = 0; i + n <= b->len; i++)
		if (!memcmp(b->data + i, pat, n))
			c++;
	return c;
}

static void test_dsdt(void **state)
{
	struct fixture *f = *state;
	struct ssi_blob b = { 0 };
	char name[16];
	unsigned int id;

	assert_int_equal(ssi_acpi_build_dsdt(f->t, &b), 0);
	check_header(&b, "DSDT", 2);
	assert_int_equal(count(&b, "ACPI0007", 9), f->nodes * f->cpus);
	for (id = 0; id < f->nodes * f->cpus; id++) {
		/* DeviceOp, then PkgLength of 1..3 bytes, then the name. */
		snprintf(name, sizeof(name), "C%03X", id);
		assert_int_equal(count(&b, name, 4), 1);
	}
	/* NameOp _S5_ PackageOp PkgLength(6) 4 elements, SLP_TYP twice */
	assert_int_equal(count(&b, "\x08_S5_\x12\x06\x04", 8), 1);
	assert_int_equal(SSI_ACPI_S5_SLP_TYP, 0);	/* ZeroOp below */
	assert_int_equal(count(&b, "\x08_S5_\x12\x06\x04\x00\x00\x00\x00",
			       12), 1);
	/* PCI host bridge: DeviceOp ... "PCI0", _HID EisaId("PNP0A03") */
	assert_int_equal(count(&b, "PCI0\x08_HID\x0c\x41\xd0\x0a\x03", 13),
			 1);
	ssi_blob_free(&b);
}

static void test_all(void **state)
{
	struct fixture *f = *state;
	struct ssi_acpi_tables tabs;
	const struct ssi_blob *rsdp, *xsdt, *fadt, *facs;
	uint64_t end = 0;
	unsigned int i;

	assert_int_equal(ssi_acpi_build_all(f->t, 0xe0000, 0x100000, &tabs),
			 0);
	rsdp = &tabs.t[SSI_ACPI_RSDP].blob;
	xsdt = &tabs.t[SSI_ACPI_XSDT].blob;
	fadt = &tabs.t[SSI_ACPI_FADT].blob;
	facs = &tabs.t[SSI_ACPI_FACS].blob;

	assert_int_equal(rsdp->len, 36);
	assert_memory_equal(rsdp->data, "RSD PTR ", 8);
	assert_int_equal(ssi_acpi_sum(rsdp->data, 20), 0);
	assert_int_equal(ssi_acpi_sum(rsdp->data, 36), 0);
	assert_int_equal(rd8(rsdp, 15), 2);
	assert_int_equal(rd32(rsdp, 20), 36);
	assert_int_equal(rd64(rsdp, 24), tabs.t[SSI_ACPI_XSDT].addr);
	assert_int_equal(tabs.t[SSI_ACPI_RSDP].addr, 0xe0000);

	check_header(xsdt, "XSDT", 1);
	assert_int_equal(xsdt->len, 36 + 5 * 8);
	assert_int_equal(rd64(xsdt, 36), tabs.t[SSI_ACPI_FADT].addr);
	assert_int_equal(rd64(xsdt, 44), tabs.t[SSI_ACPI_MADT].addr);
	assert_int_equal(rd64(xsdt, 52), tabs.t[SSI_ACPI_SRAT].addr);
	assert_int_equal(rd64(xsdt, 60), tabs.t[SSI_ACPI_SLIT].addr);
	assert_int_equal(rd64(xsdt, 68), tabs.t[SSI_ACPI_HMAT].addr);

	check_header(fadt, "FACP", 6);
	assert_int_equal(fadt->len, 276);
	assert_int_equal(rd32(fadt, 36), tabs.t[SSI_ACPI_FACS].addr);
	assert_int_equal(rd32(fadt, 40), tabs.t[SSI_ACPI_DSDT].addr);
	assert_int_equal(rd64(fadt, 140), tabs.t[SSI_ACPI_DSDT].addr);
	assert_int_equal(rd16(fadt, 46), 9);		/* SCI */
	assert_int_equal(rd32(fadt, 56), 0x600);	/* PM1a_EVT */
	assert_int_equal(rd32(fadt, 64), 0x604);	/* PM1a_CNT */
	assert_int_equal(rd32(fadt, 76), 0x608);	/* PM_TMR */
	assert_int_equal(rd8(fadt, 89), 2);		/* PM1_CNT_LEN */
	assert_int_equal(rd32(fadt, 112) & (1u << 20), 0);	/* not HW-red. */
	assert_int_equal(rd64(fadt, 176), 0x604);	/* X_PM1a_CNT */
	assert_int_equal(rd8(fadt, 131), 3);		/* minor revision */

	assert_int_equal(facs->len, 64);
	assert_memory_equal(facs->data, "FACS", 4);
	assert_int_equal(rd32(facs, 4), 64);
	assert_int_equal(tabs.t[SSI_ACPI_FACS].addr % 64, 0);

	/* No two tables overlap and all lie in [tables_addr, end). */
	for (i = 0; i < SSI_ACPI_NR_TABLES; i++) {
		const struct ssi_acpi_table *a = &tabs.t[i];
		unsigned int j;

		if (i == SSI_ACPI_RSDP)
			continue;
		assert_true(a->addr >= 0x100000);
		assert_true(a->addr + a->blob.len <= tabs.end);
		if (a->addr + a->blob.len > end)
			end = a->addr + a->blob.len;
		for (j = 0; j < SSI_ACPI_NR_TABLES; j++) {
			const struct ssi_acpi_table *o = &tabs.t[j];

			if (j == i || j == SSI_ACPI_RSDP)
				continue;
			assert_true(a->addr + a->blob.len <= o->addr ||
				    o->addr + o->blob.len <= a->addr);
		}
	}
	assert_int_equal(end, tabs.end);
	ssi_acpi_tables_free(&tabs);
}

/* Hot-pluggable ranges carry the SRAT flag; boot ranges do not. */
static void test_srat_hotplug(void **state)
{
	struct ssi_topo *t = parse_ok("[node0]\nmemory = 1G@0\n"
				      "hotplug_memory = 2G@8G\n");
	struct ssi_blob b = { 0 };
	unsigned int off = 48 + 16;

	assert_int_equal(ssi_acpi_build_srat(t, &b), 0);
	check_header(&b, "SRAT", 3);
	assert_int_equal(rd64(&b, off + 8), 0);
	assert_int_equal(rd32(&b, off + 28), 1);
	off += 40;
	assert_int_equal(rd64(&b, off + 8), 8ull << 30);
	assert_int_equal(rd64(&b, off + 16), 2ull << 30);
	assert_int_equal(rd32(&b, off + 28), 3);	/* enabled|hotplug */
	assert_int_equal(off + 40, b.len);
	assert_int_equal(ssi_topo_mem_size(t, 0), 1ull << 30);
	ssi_blob_free(&b);
	ssi_topo_free(t);
}

/*
 * Values beyond 16 bits get a larger base unit; latency is rounded up and
 * bandwidth down, so the table never promises more than configured.
 */
static void test_hmat_base_unit(void **state)
{
	struct ssi_topo *t = parse_ok("[topology]\nnodes = 2\n"
				      "remote_latency = 200001\n"
				      "local_bandwidth = 100001\n");
	struct ssi_blob b = { 0 };
	/* header, 2 memory attribute structures, then 4 localities */
	unsigned int off = 40 + 2 * 40, entries;

	assert_int_equal(ssi_acpi_build_hmat(t, &b), 0);
	check_header(&b, "HMAT", 2);
	/* read latency: max 200001 ns -> divisor 4, base 4000 ps */
	assert_int_equal(rd8(&b, off + 9), 1);
	assert_int_equal(rd64(&b, off + 24), 4000);
	entries = off + 32 + 2 * 4 + 2 * 4;
	assert_int_equal(rd16(&b, entries), 25);	/* 100 ns / 4 */
	assert_int_equal(rd16(&b, entries + 2), 50001);	/* 200001 / 4, up */
	/* skip read and write latency: both have the same length */
	off += 2 * rd32(&b, off + 4);
	/* read bandwidth: max 100001 MB/s -> divisor 2 */
	assert_int_equal(rd8(&b, off + 9), 4);
	assert_int_equal(rd64(&b, off + 24), 2);
	entries = off + 32 + 2 * 4 + 2 * 4;
	assert_int_equal(rd16(&b, entries), 50000);	/* 100001 / 2, down */
	assert_int_equal(rd16(&b, entries + 2), 2500);	/* 5000 / 2 */
	ssi_blob_free(&b);
	ssi_topo_free(t);
}

/* A memory-only node's HMAT initiator is its nearest CPU node. */
static void test_hmat_memory_only_node(void **state)
{
	static const char text[] =
		"[topology]\nnodes = 3\n"
		"[node2]\ncpus = none\nmemory = 256M\n"
		"[distance]\n0 = 10 20 30\n1 = 20 10 15\n2 = 30 15 10\n";
	struct ssi_topo *t = parse_ok(text);
	struct ssi_blob b = { 0 };

	assert_int_equal(t->nodes[2].nr_vcpus, 0);
	assert_int_equal(t->nodes[2].initiator, 1);
	assert_int_equal(ssi_acpi_build_hmat(t, &b), 0);
	check_header(&b, "HMAT", 2);
	/* third memory attribute structure: initiator 1, memory 2 */
	assert_int_equal(rd32(&b, 40 + 80 + 12), 1);
	assert_int_equal(rd32(&b, 40 + 80 + 16), 2);
	/* locality: 2 initiators x 3 targets */
	assert_int_equal(rd32(&b, 160 + 12), 2);
	assert_int_equal(rd32(&b, 160 + 16), 3);
	ssi_blob_free(&b);
	ssi_topo_free(t);
}

/* The RSDP may sit before or after the tables, never on them. */
static void test_rsdp_overlap(void **state)
{
	struct ssi_topo *t = parse_ok("");
	struct ssi_acpi_tables tabs;

	assert_int_equal(ssi_acpi_build_all(t, 0x1000, 0x1010, &tabs),
			 -EINVAL);
	assert_int_equal(ssi_acpi_build_all(t, 0x1100, 0x1000, &tabs),
			 -EINVAL);
	assert_int_equal(ssi_acpi_build_all(t, 0xfdc, 0x1000, &tabs), 0);
	assert_int_equal(tabs.t[SSI_ACPI_DSDT].addr, 0x1000);
	ssi_acpi_tables_free(&tabs);
	assert_int_equal(ssi_acpi_build_all(t, 0x100000, 0x1000, &tabs), 0);
	ssi_acpi_tables_free(&tabs);
	ssi_topo_free(t);
}

/* x2apic = yes forces x2APIC structures even for small ids. */
static void test_force_x2apic(void **state)
{
	struct ssi_topo *t = parse_ok("[acpi]\nx2apic = yes\n");
	struct ssi_blob b = { 0 };

	assert_int_equal(ssi_acpi_build_madt(t, &b), 0);
	check_header(&b, "APIC", 5);
	assert_int_equal(rd8(&b, 44), 9);
	ssi_blob_free(&b);
	assert_int_equal(ssi_acpi_build_srat(t, &b), 0);
	assert_int_equal(rd8(&b, 48), 2);
	ssi_blob_free(&b);
	ssi_topo_free(t);
}

int main(void)
{
	static struct fixture sizes[] = {
		{ 1, 1, 512, NULL },
		{ 2, 2, 512, NULL },
		{ 4, 3, 256, NULL },
		/* 64 x 4 = 256 vCPUs: ids 255.. need x2APIC entries. */
		{ 64, 4, 32, NULL },
	};
	const struct CMUnitTest sized[] = {
		cmocka_unit_test(test_srat),
		cmocka_unit_test(test_slit),
		cmocka_unit_test(test_hmat),
		cmocka_unit_test(test_madt),
		cmocka_unit_test(test_dsdt),
		cmocka_unit_test(test_all),
	};
	const struct CMUnitTest special[] = {
		cmocka_unit_test(test_srat_hotplug),
		cmocka_unit_test(test_hmat_base_unit),
		cmocka_unit_test(test_hmat_memory_only_node),
		cmocka_unit_test(test_force_x2apic),
		cmocka_unit_test(test_rsdp_overlap),
	};
	char name[64];
	unsigned int i;
	int failed = 0;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		current = &sizes[i];
		snprintf(name, sizeof(name), "%u node(s) x %u vCPU(s)",
			 sizes[i].nodes, sizes[i].cpus);
		failed += cmocka_run_group_tests_name(name, sized, setup,
						      teardown);
	}
	failed += cmocka_run_group_tests_name("special cases", special, NULL,
					      NULL);
	return failed ? 1 : 0;
}
