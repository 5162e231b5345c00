// SPDX-License-Identifier: GPL-2.0
/*
 * ssi-vmm's command line.  Every rejected option gets one line that names
 * it and says what is wrong.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "parse.h"

#define DEFAULT_RAM_SIZE	(256 * SZ_1M)
#define MAX_RAM_SIZE		(1024 * SZ_1G)

enum {
	OPT_KERNEL = 'k',
	OPT_INITRD = 'i',
	OPT_CMDLINE = 'c',
	OPT_HELP = 'h',
	OPT_CPUS = 256,
	OPT_MEMORY,
	OPT_MEMORY_BACKEND,
	OPT_TOPOLOGY,
	OPT_ON_REBOOT,
	OPT_NO_PIN,
	OPT_DISK,
	OPT_VM_ID,
	OPT_MEMORY_ONLY,
};

static const struct option long_options[] = {
	{ "kernel", required_argument, NULL, OPT_KERNEL },
	{ "initrd", required_argument, NULL, OPT_INITRD },
	{ "cmdline", required_argument, NULL, OPT_CMDLINE },
	{ "cpus", required_argument, NULL, OPT_CPUS },
	{ "memory", required_argument, NULL, OPT_MEMORY },
	{ "memory-backend", required_argument, NULL, OPT_MEMORY_BACKEND },
	{ "topology", required_argument, NULL, OPT_TOPOLOGY },
	{ "on-reboot", required_argument, NULL, OPT_ON_REBOOT },
	{ "no-pin", no_argument, NULL, OPT_NO_PIN },
	{ "disk", required_argument, NULL, OPT_DISK },
	{ "vm-id", required_argument, NULL, OPT_VM_ID },
	{ "memory-only", no_argument, NULL, OPT_MEMORY_ONLY },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

void options_usage(FILE *out)
{
	fputs("Usage: ssi-vmm --kernel BZIMAGE [options]\n"
	      "       ssi-vmm --memory-only --memory-backend ssihv --vm-id ID [options]\n"
	      "Boot a Linux bzImage in a KVM virtual machine; the guest's\n"
	      "serial console (ttyS0) is this terminal.  Ctrl-A x quits.\n"
	      "\n"
	      "  -k, --kernel FILE         x86-64 bzImage to boot (required)\n"
	      "  -i, --initrd FILE         initial ramdisk\n"
	      "  -c, --cmdline STR         kernel command line (default \"console=ttyS0\")\n"
	      "      --cpus N              number of vCPUs (default 1)\n"
	      "      --memory SIZE         guest RAM, e.g. 512M or 2G (default 256M)\n"
	      "      --memory-backend B    anon (default), memfd, hugetlb or ssihv\n"
	      "                            (ssihv: guest RAM from /dev/ssihv, needs\n"
	      "                            'modprobe ssihv'; pages go to each topology\n"
	      "                            node's host_node)\n"
	      "      --vm-id ID            ssihv backend: the VM id to create (decimal or\n"
	      "                            0x-hex; default: from the pid and the time,\n"
	      "                            printed at start; see 'ssihvctl vm show')\n"
	      "      --memory-only         ssihv backend, on the other hosts of a VM: be\n"
	      "                            home to the guest memory the topology places\n"
	      "                            here ('home = N') and serve it to the host\n"
	      "                            running the guest, until SIGINT or SIGTERM\n"
	      "                            (same --topology and --vm-id; no --kernel)\n"
	      "      --topology FILE       guest NUMA nodes, distances, HMAT values and\n"
	      "                            host placement (INI, Documentation/acpi.rst);\n"
	      "                            gives --cpus and --memory when they are omitted\n"
	      "      --disk IMG[,ro]       virtio-blk disk (virtio-pci), up to 8\n"
	      "      --on-reboot ACTION    exit (default) or reboot when the guest reboots\n"
	      "      --no-pin              do not pin vCPU threads or bind guest memory\n"
	      "  -h, --help                show this help\n"
	      "\n"
	      "Exit status: 0 when the guest powers off or reboots (with\n"
	      "--on-reboot exit) or on Ctrl-A x; 1 when the VM cannot be set up\n"
	      "or fails; 2 for a bad command line.\n", out);
}

static int parse_cpus(const char *s, unsigned int *cpus)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v < 1 || v > MAX_VCPUS)
		return -1;
	*cpus = v;
	return 0;
}

static int parse_backend(const char *s, enum mem_backend *backend)
{
	static const char *const names[] = {
		[MEM_BACKEND_ANON] = "anon",
		[MEM_BACKEND_MEMFD] = "memfd",
		[MEM_BACKEND_HUGETLB] = "hugetlb",
		[MEM_BACKEND_SSIHV] = "ssihv",
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		if (!strcmp(s, names[i])) {
			*backend = i;
			return 0;
		}
	}
	return -1;
}

enum options_result options_parse(int argc, char **argv,
				  struct vmm_config *cfg, FILE *err)
{
	int opt;

	memset(cfg, 0, sizeof(*cfg));
	cfg->nr_cpus = 1;
	cfg->ram_size = DEFAULT_RAM_SIZE;
	cfg->mem_backend = MEM_BACKEND_ANON;
	cfg->on_reboot = ON_REBOOT_EXIT;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":k:i:c:h", long_options,
				  NULL)) != -1) {
		switch (opt) {
		case OPT_KERNEL:
			cfg->kernel_path = optarg;
			break;
		case OPT_INITRD:
			cfg->initrd_path = optarg;
			break;
		case OPT_CMDLINE:
			cfg->cmdline = optarg;
			break;
		case OPT_CPUS:
			cfg->nr_cpus_given = true;
			if (parse_cpus(optarg, &cfg->nr_cpus) < 0) {
				fprintf(err, "ssi-vmm: --cpus '%s': expected 1 to %d\n",
					optarg, MAX_VCPUS);
				return OPTIONS_ERROR;
			}
			break;
		case OPT_MEMORY:
			cfg->ram_size_given = true;
			if (parse_size(optarg, &cfg->ram_size) != PARSE_OK ||
			    cfg->ram_size > MAX_RAM_SIZE ||
			    cfg->ram_size % 4096) {
				fprintf(err, "ssi-vmm: --memory '%s': expected a page-aligned size up to 1T, like 512M or 2G\n",
					optarg);
				return OPTIONS_ERROR;
			}
			break;
		case OPT_MEMORY_BACKEND:
			if (parse_backend(optarg, &cfg->mem_backend) < 0) {
				fprintf(err, "ssi-vmm: --memory-backend '%s': expected anon, memfd, hugetlb or ssihv\n",
					optarg);
				return OPTIONS_ERROR;
			}
			break;
		case OPT_TOPOLOGY:
			cfg->topology_path = optarg;
			break;
		case OPT_ON_REBOOT:
			if (!strcmp(optarg, "exit")) {
				cfg->on_reboot = ON_REBOOT_EXIT;
			} else if (!strcmp(optarg, "reboot")) {
				cfg->on_reboot = ON_REBOOT_RESTART;
			} else {
				fprintf(err, "ssi-vmm: --on-reboot '%s': expected exit or reboot\n",
					optarg);
				return OPTIONS_ERROR;
			}
			break;
		case OPT_NO_PIN:
			cfg->no_pin = true;
			break;
		case OPT_DISK:
			if (cfg->nr_disks == MAX_DISKS) {
				fprintf(err, "ssi-vmm: --disk: at most %d disks\n",
					MAX_DISKS);
				return OPTIONS_ERROR;
			}
			cfg->disks[cfg->nr_disks++] = optarg;
			break;
		case OPT_VM_ID:
			if (parse_u64(optarg, &cfg->vm_id) != PARSE_OK) {
				fprintf(err, "ssi-vmm: --vm-id '%s': expected a decimal or 0x-hex number below 2^64\n",
					optarg);
				return OPTIONS_ERROR;
			}
			cfg->vm_id_given = true;
			break;
		case OPT_MEMORY_ONLY:
			cfg->memory_only = true;
			break;
		case OPT_HELP:
			options_usage(stdout);
			return OPTIONS_HELP;
		case ':':
			fprintf(err, "ssi-vmm: option '%s' needs an argument\n",
				argv[optind - 1]);
			return OPTIONS_ERROR;
		default:
			fprintf(err, "ssi-vmm: unknown option '%s' (see --help)\n",
				argv[optind - 1]);
			return OPTIONS_ERROR;
		}
	}
	if (optind < argc) {
		fprintf(err, "ssi-vmm: unexpected argument '%s' (see --help)\n",
			argv[optind]);
		return OPTIONS_ERROR;
	}
	if (cfg->memory_only) {
		if (cfg->mem_backend != MEM_BACKEND_SSIHV || !cfg->vm_id_given) {
			fprintf(err, "ssi-vmm: --memory-only needs --memory-backend ssihv and the guest's --vm-id\n");
			return OPTIONS_ERROR;
		}
		if (cfg->kernel_path || cfg->initrd_path || cfg->nr_disks) {
			fprintf(err, "ssi-vmm: --memory-only runs no guest: no --kernel, --initrd or --disk\n");
			return OPTIONS_ERROR;
		}
		return OPTIONS_OK;
	}
	if (!cfg->kernel_path) {
		fprintf(err, "ssi-vmm: --kernel is required (see --help)\n");
		return OPTIONS_ERROR;
	}
	return OPTIONS_OK;
}
