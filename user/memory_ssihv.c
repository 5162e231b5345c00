// SPDX-License-Identifier: GPL-2.0
/*
 * Guest RAM from ssihv.ko (--memory-backend ssihv).
 *
 * The fd of /dev/ssihv is attached to a VM instance with the guest's
 * memory map: one struct ssihv_mem_range per RAM range, i.e. per
 * topology memory range (each lies below or above the 3G-4G hole) or,
 * without a topology, [0, low) and [4G, ...).  Each range is then mapped
 * MAP_SHARED at mmap offset = its guest-physical address
 * (Documentation/memory.rst), one mapping per range, placed inside one
 * reserved stretch of address space so that guest RAM is still the single
 * host mapping that gpa_to_hva() and kvm.c expect.  The module allocates
 * every page on the range's numa_node, so there is no mbind() here.
 *
 * Each range names its home: the topology node's "home = N" (a cluster
 * node id), else this host's node id (the module's node_id parameter).
 * Every host of the VM must attach the same map, so once one node names
 * its home all must.  Frames homed elsewhere are fetched over RDMA on
 * first touch; that host holds the same VM id with the same map
 * (ssi-vmm --memory-only there).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/ssihv.h>

#include "ssi_acpi.h"
#include "vmm.h"

#define SSIHV_DEV	"/dev/ssihv"
#define SSIHV_NODE_ID	"/sys/module/ssihv/parameters/node_id"
#define GUEST_PAGE	4096ULL

struct ssihv_map {
	struct ssihv_mem_range r[SSIHV_MAX_RANGES];
	unsigned int nr;
};

/* This host's cluster node id; 0 before the module is loaded. */
static unsigned int local_node_id(void)
{
	unsigned int id = 0;
	FILE *f = fopen(SSIHV_NODE_ID, "r");

	if (f) {
		if (fscanf(f, "%u", &id) != 1)
			id = 0;
		fclose(f);
	}
	return id;
}

static int add_range(struct ssihv_map *map, uint64_t gpa, uint64_t size,
		     unsigned int home, int numa_node)
{
	struct ssihv_mem_range *r;

	if (map->nr == SSIHV_MAX_RANGES) {
		fprintf(stderr, "ssi-vmm: --memory-backend ssihv: more than %d memory ranges\n",
			SSIHV_MAX_RANGES);
		return -1;
	}
	r = &map->r[map->nr++];
	memset(r, 0, sizeof(*r));
	r->gpa = gpa;
	r->size = size;
	r->home_node = home;
	r->numa_node = numa_node;
	return 0;
}

/*
 * The memory map: topology.c checked that the boot ranges tile the RAM
 * layout exactly, so they are the ranges; host_node < 0 (or --no-pin)
 * leaves the choice to the module.
 */
/* With one home named, all must be: other hosts could not agree. */
static int check_homes(const struct ssi_topo *topo)
{
	unsigned int n, named = 0;

	for (n = 0; n < topo->nr_nodes; n++)
		named += topo->nodes[n].home >= 0;
	for (n = 0; named && n < topo->nr_nodes; n++) {
		if (topo->nodes[n].home < 0) {
			fprintf(stderr, "ssi-vmm: --memory-backend ssihv: node%u names no 'home' while others do; every host of the VM needs the same map\n",
				n);
			return -1;
		}
	}
	return 0;
}

static int build_map(struct vmm *vmm, struct ssihv_map *map)
{
	const struct ssi_topo *topo = vmm->topo;
	uint64_t low = ram_below_4g(vmm->ram_size);
	unsigned int here = local_node_id();
	unsigned int n, i;

	map->nr = 0;
	if (!topo) {
		if (add_range(map, 0, low, here, SSIHV_NUMA_ANY) < 0)
			return -1;
		if (vmm->ram_size > low &&
		    add_range(map, HIGH_RAM_GPA, vmm->ram_size - low, here,
			      SSIHV_NUMA_ANY) < 0)
			return -1;
		return 0;
	}
	if (check_homes(topo) < 0)
		return -1;
	for (n = 0; n < topo->nr_nodes; n++) {
		const struct ssi_node *node = &topo->nodes[n];
		unsigned int home = node->home >= 0 ? (unsigned int)node->home
						    : here;
		int numa = SSIHV_NUMA_ANY;

		if (node->host_node >= 0 && !vmm->cfg.no_pin) {
			if (placement_check_host_node(n, node->host_node) < 0)
				return -1;
			numa = node->host_node;
		}
		for (i = 0; i < node->nr_ranges; i++) {
			const struct ssi_mem_range *r = &node->ranges[i];

			if (r->hotplug)
				continue;
			if (r->base % GUEST_PAGE || r->size % GUEST_PAGE) {
				fprintf(stderr, "ssi-vmm: --memory-backend ssihv: node%u memory 0x%llx+0x%llx is not page aligned\n",
					n, (unsigned long long)r->base,
					(unsigned long long)r->size);
				return -1;
			}
			if (add_range(map, r->base, r->size, home, numa) < 0)
				return -1;
		}
	}
	return 0;
}

static const char *attach_error(int err)
{
	switch (err) {
	case EEXIST:
		return "a VM with this id exists already (choose another --vm-id)";
	case ENOSPC:
		return "the module's VM limit is reached";
	case EINVAL:
		return "the module refused the memory map or the limit (see dmesg, max-vm-memory)";
	default:
		return "";
	}
}

static int ssihv_open(void)
{
	int fd = open(SSIHV_DEV, O_RDWR | O_CLOEXEC);

	if (fd >= 0)
		return fd;
	if (errno == ENOENT || errno == ENXIO || errno == ENODEV)
		fprintf(stderr, "ssi-vmm: --memory-backend ssihv: " SSIHV_DEV " not found; load the module with 'modprobe ssihv'\n");
	else
		fprintf(stderr, "ssi-vmm: --memory-backend ssihv: cannot open " SSIHV_DEV ": %s\n",
			strerror(errno));
	return -1;
}

static int ssihv_attach(struct vmm *vmm, int fd, struct ssihv_map *map)
{
	struct ssihv_attach attach = {
		.vm_id = vmm->cfg.vm_id,
		.ranges = (uint64_t)(uintptr_t)map->r,
		.nr_ranges = map->nr,
		.flags = SSIHV_ATTACH_CREATE | SSIHV_ATTACH_EXCL,
	};
	const char *why;

	if (ioctl(fd, SSIHV_IOC_ATTACH, &attach) == 0)
		return 0;
	why = attach_error(errno);
	fprintf(stderr, "ssi-vmm: --memory-backend ssihv: attaching VM id %llu failed: %s (%s)%s%s\n",
		(unsigned long long)vmm->cfg.vm_id, strerror(errno),
		strerrorname_np(errno) ? strerrorname_np(errno) : "?",
		*why ? ": " : "", why);
	return -1;
}

/* Host address of guest-physical @gpa inside the single RAM mapping. */
static uint64_t ram_offset(struct vmm *vmm, uint64_t gpa)
{
	uint64_t low = ram_below_4g(vmm->ram_size);

	return gpa < low ? gpa : gpa - HIGH_RAM_GPA + low;
}

void *ssihv_ram_map(struct vmm *vmm)
{
	struct ssihv_map map;
	char *ram;
	unsigned int i;
	int fd;

	if (!vmm->cfg.vm_id_given)
		vmm->cfg.vm_id = ((uint64_t)time(NULL) << 22) |
				 ((uint64_t)getpid() & 0x3fffff);
	if (build_map(vmm, &map) < 0)
		return MAP_FAILED;
	fd = ssihv_open();
	if (fd < 0)
		return MAP_FAILED;
	if (ssihv_attach(vmm, fd, &map) < 0)
		goto err_close;

	/* Reserve the address space, then map each range into it. */
	ram = mmap(NULL, vmm->ram_size, PROT_NONE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (ram == MAP_FAILED) {
		fprintf(stderr, "ssi-vmm: cannot reserve %llu MiB of address space for guest memory: %s\n",
			(unsigned long long)(vmm->ram_size >> 20),
			strerror(errno));
		goto err_close;
	}
	for (i = 0; i < map.nr; i++) {
		const struct ssihv_mem_range *r = &map.r[i];
		void *want = ram + ram_offset(vmm, r->gpa);

		if (mmap(want, r->size, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_FIXED, fd, r->gpa) == MAP_FAILED) {
			fprintf(stderr, "ssi-vmm: --memory-backend ssihv: mmap of guest memory 0x%llx-0x%llx: %s\n",
				(unsigned long long)r->gpa,
				(unsigned long long)(r->gpa + r->size - 1),
				strerror(errno));
			munmap(ram, vmm->ram_size);
			goto err_close;
		}
	}
	vmm->ram_fd = fd;
	fprintf(stderr, "ssi-vmm: guest memory from " SSIHV_DEV ", VM id %llu (%u range%s, %llu MiB)\n",
		(unsigned long long)vmm->cfg.vm_id, map.nr, map.nr > 1 ? "s" : "",
		(unsigned long long)(vmm->ram_size >> 20));
	return ram;

err_close:
	close(fd);
	return MAP_FAILED;
}
