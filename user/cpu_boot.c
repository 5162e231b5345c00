// SPDX-License-Identifier: GPL-2.0
/*
 * BSP state for the kernel's 64-bit entry point (boot.rst, "64-bit BOOT
 * PROTOCOL"): long mode with paging, an identity map covering the kernel,
 * boot_params and the command line, a GDT whose __BOOT_CS (0x10) is 64-bit
 * code and __BOOT_DS (0x18) is flat data, interrupts off, RSI = boot_params.
 *
 * The identity map covers all of the low 4G with 2M pages, which is more
 * than the protocol asks for and keeps the decompressor's relocation
 * anywhere below 4G inside it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/kvm.h>

#include "vmm.h"

#define PTE_PRESENT	(1ULL << 0)
#define PTE_WRITE	(1ULL << 1)
#define PTE_HUGE	(1ULL << 7)

#define CR0_PE		(1ULL << 0)
#define CR0_MP		(1ULL << 1)
#define CR0_ET		(1ULL << 4)
#define CR0_NE		(1ULL << 5)
#define CR0_PG		(1ULL << 31)
#define CR4_PAE		(1ULL << 5)
#define EFER_LME	(1ULL << 8)
#define EFER_LMA	(1ULL << 10)

#define BOOT_CS		0x10
#define BOOT_DS		0x18
#define GDT_ENTRIES	4

/* Flat descriptors: base 0, limit 4G, granularity 4K. */
#define GDT_CODE64	0x00af9b000000ffffULL	/* P, DPL0, S, exec/read, L */
#define GDT_DATA	0x00cf93000000ffffULL	/* P, DPL0, S, read/write, D/B */

static int build_page_tables(struct vmm *vmm)
{
	uint64_t *pml4 = gpa_to_hva(vmm, PML4_GPA, 4096);
	uint64_t *pdpt = gpa_to_hva(vmm, PDPT_GPA, 4096);
	uint64_t *pd = gpa_to_hva(vmm, PD_GPA, 4 * 4096);
	unsigned int i;

	if (!pml4 || !pdpt || !pd)
		return -1;
	memset(pml4, 0, 4096);
	memset(pdpt, 0, 4096);
	pml4[0] = PDPT_GPA | PTE_PRESENT | PTE_WRITE;
	for (i = 0; i < 4; i++)
		pdpt[i] = (PD_GPA + i * 4096) | PTE_PRESENT | PTE_WRITE;
	for (i = 0; i < 4 * 512; i++)
		pd[i] = (uint64_t)i * SZ_2M | PTE_PRESENT | PTE_WRITE |
			PTE_HUGE;
	return 0;
}

static void seg_from_gdt(struct kvm_segment *seg, uint16_t selector,
			 uint64_t desc)
{
	memset(seg, 0, sizeof(*seg));
	seg->selector = selector;
	seg->base = 0;
	seg->limit = 0xffffffff;
	seg->type = (desc >> 40) & 0xf;
	seg->s = (desc >> 44) & 1;
	seg->dpl = (desc >> 45) & 3;
	seg->present = (desc >> 47) & 1;
	seg->avl = (desc >> 52) & 1;
	seg->l = (desc >> 53) & 1;
	seg->db = (desc >> 54) & 1;
	seg->g = (desc >> 55) & 1;
}

int vcpu_setup_long_mode(struct vcpu *vcpu)
{
	struct vmm *vmm = vcpu->vmm;
	uint64_t *gdt = gpa_to_hva(vmm, GDT_GPA, GDT_ENTRIES * 8);
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct kvm_segment data;

	if (!gdt || build_page_tables(vmm) < 0)
		return -1;
	memset(gdt, 0, GDT_ENTRIES * 8);
	gdt[BOOT_CS / 8] = GDT_CODE64;
	gdt[BOOT_DS / 8] = GDT_DATA;

	if (ioctl(vcpu->fd, KVM_GET_SREGS, &sregs) < 0)
		goto fail;
	seg_from_gdt(&sregs.cs, BOOT_CS, GDT_CODE64);
	seg_from_gdt(&data, BOOT_DS, GDT_DATA);
	sregs.ds = data;
	sregs.es = data;
	sregs.fs = data;
	sregs.gs = data;
	sregs.ss = data;
	sregs.gdt.base = GDT_GPA;
	sregs.gdt.limit = GDT_ENTRIES * 8 - 1;
	sregs.cr3 = PML4_GPA;
	sregs.cr4 = CR4_PAE;
	sregs.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_PG;
	sregs.efer = EFER_LME | EFER_LMA;
	if (ioctl(vcpu->fd, KVM_SET_SREGS, &sregs) < 0)
		goto fail;

	memset(&regs, 0, sizeof(regs));
	regs.rflags = 0x2;		/* bit 1 is reserved-one; IF clear */
	regs.rip = vmm->kernel_entry;
	regs.rsi = vmm->boot_params_gpa;
	if (ioctl(vcpu->fd, KVM_SET_REGS, &regs) < 0)
		goto fail;
	return 0;
fail:
	fprintf(stderr, "ssi-vmm: cannot set up the boot CPU: %s\n",
		strerror(errno));
	return -1;
}
