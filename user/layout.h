/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest-physical memory map of an ssi-vmm guest.
 *
 * Low memory holds the boot structures the BSP needs to enter the kernel's
 * 64-bit entry point; the ISA hole (640K-1M) is reserved as on a PC so the
 * kernel finds ACPI's RSDP where it searches for it; the 32-bit hole below
 * 4G is left for MMIO (IOAPIC, LAPIC, KVM's TSS, devices).
 */
#ifndef SSI_VMM_LAYOUT_H
#define SSI_VMM_LAYOUT_H

#define GDT_GPA			0x00000500ULL
#define BOOT_PARAMS_GPA		0x00007000ULL
#define PML4_GPA		0x00009000ULL
#define PDPT_GPA		0x0000a000ULL
#define PD_GPA			0x0000b000ULL	/* 4 pages: 0-4G in 2M pages */
#define CMDLINE_GPA		0x00020000ULL
#define CMDLINE_MAX		0x00010000ULL

#define EBDA_GPA		0x0009fc00ULL	/* reserved up to 1M */
#define BIOS_AREA_GPA		0x000e0000ULL	/* ACPI tables, RSDP */
#define BIOS_AREA_END		0x00100000ULL
#define HIGH_MEMORY_GPA		0x00100000ULL

#define KERNEL_LOAD_GPA		0x01000000ULL	/* 16M, the usual pref_address */

#define MMIO_HOLE_GPA		0xc0000000ULL	/* 3G-4G: no RAM */
#define VIRTIO_MMIO_GPA		0xd0000000ULL
#define IOAPIC_GPA		0xfec00000ULL
#define LAPIC_GPA		0xfee00000ULL
#define KVM_IDENTITY_MAP_GPA	0xfeffc000ULL	/* one page */
#define KVM_TSS_GPA		0xfeffd000ULL	/* three pages */
#define HIGH_RAM_GPA		0x100000000ULL

#endif /* SSI_VMM_LAYOUT_H */
