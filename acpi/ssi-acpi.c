// SPDX-License-Identifier: GPL-2.0
/*
 * ssi-acpi - turn a topology file into ACPI table files, or print what the
 * file describes.  The files work with qemu-system-x86_64 -acpitable
 * file=... (see Documentation/acpi.rst).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ssi_acpi.h"

/* The BIOS area where an OS searches for the RSDP (ACPI 6.3 5.2.5.1). */
#define DEFAULT_RSDP_ADDR	0xe0000ull
#define DEFAULT_TABLES_ADDR	0xe0040ull

static void print_help(FILE *out)
{
	static const char help[] =
"usage: ssi-acpi --topology FILE [--out DIR] [--dump] [--machine]\n"
"                [--layout] [--image FILE] [--rsdp-addr ADDR]\n"
"                [--tables-addr ADDR]\n"
"\n"
"Encode the ACPI tables (RSDP, XSDT, FADT, FACS, DSDT, MADT, SRAT, SLIT,\n"
"HMAT) that describe the NUMA topology in FILE.\n"
"\n"
"  -t, --topology FILE    topology description (INI, see acpi.rst)\n"
"  -o, --out DIR          write rsdp.dat xsdt.dat facp.dat facs.dat\n"
"                         dsdt.aml apic.dat srat.dat slit.dat hmat.dat\n"
"  -d, --dump             print a readable summary of the topology\n"
"  -m, --machine          with --dump: one key=value per line\n"
"  -l, --layout           with --out: print each file's guest-physical\n"
"                         address and length (\"FILE ADDR LEN\")\n"
"  -i, --image FILE       write all tables as one memory image from the\n"
"                         lower of --rsdp-addr and --tables-addr, for a\n"
"                         loader (e.g. QEMU -device loader) and\n"
"                         acpi_rsdp= on the kernel command line\n"
"      --rsdp-addr ADDR   guest-physical address of the RSDP\n"
"                         (default 0xe0000)\n"
"      --tables-addr ADDR where the other tables start (default 0xe0040)\n"
"  -h, --help             this text\n"
"\n"
"For QEMU (without -numa), pass only the NUMA tables:\n"
"  qemu-system-x86_64 -acpitable file=DIR/srat.dat \\\n"
"    -acpitable file=DIR/slit.dat -acpitable file=DIR/hmat.dat ...\n";

	fputs(help, out);
}

static int write_file(const char *dir, const char *name,
		      const struct ssi_blob *b)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f) {
		fprintf(stderr, "ssi-acpi: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fwrite(b->data, 1, b->len, f) != b->len || fclose(f)) {
		fprintf(stderr, "ssi-acpi: %s: write failed\n", path);
		return -1;
	}
	return 0;
}

/*
 * One file holding every table at its offset from the lowest address, as
 * guest memory would hold them; gaps are zero.
 */
static int write_image(const struct ssi_acpi_tables *tables,
		       const char *path)
{
	uint64_t lo = UINT64_MAX, hi = 0;
	struct ssi_blob img = { 0 };
	unsigned int i;
	FILE *f;
	int ret = 0;

	for (i = 0; i < SSI_ACPI_NR_TABLES; i++) {
		const struct ssi_acpi_table *t = &tables->t[i];

		if (t->addr < lo)
			lo = t->addr;
		if (t->addr + t->blob.len > hi)
			hi = t->addr + t->blob.len;
	}
	if (hi - lo > (64u << 20)) {
		fprintf(stderr,
			"ssi-acpi: --image: the tables span %llu bytes; put the RSDP next to them\n",
			(unsigned long long)(hi - lo));
		return -1;
	}
	img.data = calloc(1, hi - lo);
	if (!img.data) {
		fprintf(stderr, "ssi-acpi: --image: out of memory\n");
		return -1;
	}
	img.len = hi - lo;
	for (i = 0; i < SSI_ACPI_NR_TABLES; i++)
		memcpy(img.data + (tables->t[i].addr - lo),
		       tables->t[i].blob.data, tables->t[i].blob.len);
	f = fopen(path, "wb");
	if (!f || fwrite(img.data, 1, img.len, f) != img.len) {
		fprintf(stderr, "ssi-acpi: %s: %s\n", path, strerror(errno));
		ret = -1;
	}
	if (f && fclose(f))
		ret = -1;
	free(img.data);
	return ret;
}

static int write_tables(const struct ssi_topo *t, const char *dir,
			const char *image, uint64_t rsdp_addr,
			uint64_t tables_addr, int layout)
{
	struct ssi_acpi_tables tables;
	unsigned int i;
	int ret;

	ret = ssi_acpi_build_all(t, rsdp_addr, tables_addr, &tables);
	if (ret == -EINVAL) {
		fprintf(stderr,
			"ssi-acpi: the RSDP at 0x%llx overlaps the tables from 0x%llx\n",
			(unsigned long long)rsdp_addr,
			(unsigned long long)tables_addr);
		return -1;
	}
	if (ret) {
		fprintf(stderr, "ssi-acpi: building tables failed: %s\n",
			strerror(-ret));
		return -1;
	}
	if (image && write_image(&tables, image))
		ret = -1;
	if (!dir)
		goto out;
	if (mkdir(dir, 0755) && errno != EEXIST) {
		fprintf(stderr, "ssi-acpi: %s: %s\n", dir, strerror(errno));
		ret = -1;
	}
	for (i = 0; !ret && i < SSI_ACPI_NR_TABLES; i++) {
		ret = write_file(dir, tables.t[i].file, &tables.t[i].blob);
		if (layout)
			printf("%s 0x%llx %zu\n", tables.t[i].file,
			       (unsigned long long)tables.t[i].addr,
			       tables.t[i].blob.len);
	}
out:
	ssi_acpi_tables_free(&tables);
	return ret;
}

static int parse_addr(const char *s, uint64_t *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 0);
	return errno || !*s || *end ? -1 : 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "topology", required_argument, NULL, 't' },
		{ "out", required_argument, NULL, 'o' },
		{ "dump", no_argument, NULL, 'd' },
		{ "machine", no_argument, NULL, 'm' },
		{ "layout", no_argument, NULL, 'l' },
		{ "image", required_argument, NULL, 'i' },
		{ "rsdp-addr", required_argument, NULL, 'R' },
		{ "tables-addr", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t rsdp_addr = DEFAULT_RSDP_ADDR;
	uint64_t tables_addr = DEFAULT_TABLES_ADDR;
	const char *topo_path = NULL, *out_dir = NULL, *image = NULL;
	int dump = 0, machine = 0, layout = 0, opt, ret = 0;
	struct ssi_topo *t;
	char err[512];

	while ((opt = getopt_long(argc, argv, "t:o:dmli:h", opts, NULL)) != -1) {
		switch (opt) {
		case 't':
			topo_path = optarg;
			break;
		case 'o':
			out_dir = optarg;
			break;
		case 'd':
			dump = 1;
			break;
		case 'm':
			machine = 1;
			break;
		case 'l':
			layout = 1;
			break;
		case 'i':
			image = optarg;
			break;
		case 'R':
		case 'T':
			if (parse_addr(optarg, opt == 'R' ? &rsdp_addr :
				       &tables_addr)) {
				fprintf(stderr, "ssi-acpi: bad address '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'h':
			print_help(stdout);
			return 0;
		default:
			print_help(stderr);
			return 2;
		}
	}
	if (optind < argc || !topo_path || (!out_dir && !image && !dump)) {
		print_help(stderr);
		return 2;
	}

	t = ssi_topo_parse_file(topo_path, err, sizeof(err));
	if (!t) {
		fprintf(stderr, "ssi-acpi: %s\n", err);
		return 1;
	}
	if (dump)
		ssi_topo_dump(t, stdout, machine);
	if ((out_dir || image) &&
	    write_tables(t, out_dir, image, rsdp_addr, tables_addr, layout))
		ret = 1;
	ssi_topo_free(t);
	return ret;
}
