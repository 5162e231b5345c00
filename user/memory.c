// SPDX-License-Identifier: GPL-2.0
/*
 * Guest RAM: one host mapping from the chosen backend (ssihv:
 * memory_ssihv.c).
 *
 * The guest sees it as two ranges, [0, min(size, 3G)) and, for the rest,
 * [4G, ...): the 3G-4G hole is for MMIO, as on a PC.  kvm.c registers one
 * memslot per range; gpa_to_hva() is the only translation the devices and
 * the loader use.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "vmm.h"

#ifndef MFD_HUGETLB
#define MFD_HUGETLB	0x0004U
#endif

uint64_t ram_below_4g(uint64_t ram_size)
{
	return ram_size < MMIO_HOLE_GPA ? ram_size : MMIO_HOLE_GPA;
}

void *gpa_to_hva(struct vmm *vmm, uint64_t gpa, uint64_t len)
{
	uint64_t low = ram_below_4g(vmm->ram_size);
	uint64_t offset;

	if (gpa + len < gpa)
		return NULL;
	if (gpa + len <= low) {
		offset = gpa;
	} else if (gpa >= HIGH_RAM_GPA &&
		   gpa + len <= HIGH_RAM_GPA + (vmm->ram_size - low)) {
		offset = gpa - HIGH_RAM_GPA + low;
	} else {
		return NULL;
	}
	return (char *)vmm->ram + offset;
}

/* hugetlbfs reserves the whole mapping up front, or populating fails. */
static void hugetlb_short(struct vmm *vmm)
{
	fprintf(stderr,
		"ssi-vmm: not enough huge pages for %llu MiB of guest memory (see /proc/sys/vm/nr_hugepages)\n",
		(unsigned long long)(vmm->ram_size >> 20));
}

static void *map_shared_fd(struct vmm *vmm, int fd, const char *what)
{
	void *ram;

	if (ftruncate(fd, vmm->ram_size) < 0) {
		fprintf(stderr, "ssi-vmm: cannot size %s guest memory: %s\n",
			what, strerror(errno));
		return MAP_FAILED;
	}
	ram = mmap(NULL, vmm->ram_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		   fd, 0);
	if (ram == MAP_FAILED && errno == ENOMEM &&
	    vmm->cfg.mem_backend == MEM_BACKEND_HUGETLB)
		hugetlb_short(vmm);
	else if (ram == MAP_FAILED)
		fprintf(stderr, "ssi-vmm: cannot map %s guest memory: %s\n",
			what, strerror(errno));
	return ram;
}

static void *alloc_memfd(struct vmm *vmm, unsigned int flags,
			 const char *what)
{
	void *ram;

	vmm->ram_fd = memfd_create("ssi-vmm-ram", MFD_CLOEXEC | flags);
	if (vmm->ram_fd < 0) {
		fprintf(stderr, "ssi-vmm: memfd_create for %s memory: %s\n",
			what, strerror(errno));
		return MAP_FAILED;
	}
	ram = map_shared_fd(vmm, vmm->ram_fd, what);
	if (ram != MAP_FAILED && (flags & MFD_HUGETLB)) {
		vmm->ram = ram;
		if (placement_bind_ram(vmm) < 0) {
			munmap(ram, vmm->ram_size);
			return MAP_FAILED;
		}
		/*
		 * hugetlbfs only reserves at mmap time; fault everything in now
		 * so a short pool is one clear error here, not a SIGBUS in a
		 * vCPU thread later.
		 */
		if (madvise(ram, vmm->ram_size, MADV_POPULATE_WRITE) < 0) {
			hugetlb_short(vmm);
			munmap(ram, vmm->ram_size);
			return MAP_FAILED;
		}
	}
	return ram;
}

int guest_ram_alloc(struct vmm *vmm)
{
	void *ram = MAP_FAILED;

	vmm->ram_size = vmm->cfg.ram_size;
	vmm->ram_fd = -1;
	switch (vmm->cfg.mem_backend) {
	case MEM_BACKEND_ANON:
		ram = mmap(NULL, vmm->ram_size, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (ram == MAP_FAILED)
			fprintf(stderr, "ssi-vmm: cannot map guest memory: %s\n",
				strerror(errno));
		break;
	case MEM_BACKEND_MEMFD:
		ram = alloc_memfd(vmm, 0, "memfd");
		break;
	case MEM_BACKEND_HUGETLB:
		if (vmm->ram_size % SZ_2M) {
			fprintf(stderr,
				"ssi-vmm: hugetlb memory must be a multiple of 2M\n");
			return -1;
		}
		ram = alloc_memfd(vmm, MFD_HUGETLB, "hugetlb");
		break;
	case MEM_BACKEND_SSIHV:
		ram = ssihv_ram_map(vmm);
		break;
	}
	if (ram == MAP_FAILED)
		return -1;
	vmm->ram = ram;
	/* Transparent huge pages make the guest's page walks cheaper. */
	if (vmm->cfg.mem_backend == MEM_BACKEND_ANON)
		madvise(ram, vmm->ram_size, MADV_HUGEPAGE);
	/*
	 * Hugetlb memory was bound before it was populated; the ssihv module
	 * places pages itself, on each range's numa_node.
	 */
	if (vmm->cfg.mem_backend != MEM_BACKEND_HUGETLB &&
	    vmm->cfg.mem_backend != MEM_BACKEND_SSIHV &&
	    placement_bind_ram(vmm) < 0) {
		munmap(ram, vmm->ram_size);
		return -1;
	}
	return 0;
}
