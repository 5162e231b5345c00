// SPDX-License-Identifier: GPL-2.0
/*
 * fadt.c - Fixed ACPI Description Table, revision 6 (ACPI 6.3 5.2.9), and
 * the FACS it points to.
 *
 * Not hardware-reduced: a PM1a event/control block and a PM timer at
 * pm_base (the same ports as QEMU's PIIX4, 0x600 by default) give the guest
 * the classic S5 path: it writes SLP_TYP=\_S5 | SLP_EN to PM1a_CNT and the
 * VMM powers off.  SMI_CMD is 0, which tells the OS the machine is always
 * in ACPI mode, so the VMM must read back SCI_EN set in PM1a_CNT.
 */
#include <errno.h>

#include "table.h"

#define FADT_REVISION		6
#define FADT_MINOR_REVISION	3
#define FADT_LEN		276
#define FACS_LEN		64
#define FACS_VERSION		2

#define PM1_EVT_LEN		4
#define PM1_CNT_LEN		2
#define PM_TMR_LEN		4
#define PM1_CNT_OFF		4
#define PM_TMR_OFF		8

/* FADT flags (ACPI 6.3 table 5-34). */
#define FADT_WBINVD		(1u << 0)
#define FADT_PROC_C1		(1u << 2)
#define FADT_PWR_BUTTON		(1u << 4)	/* 1: no fixed power button */
#define FADT_SLP_BUTTON		(1u << 5)	/* 1: no fixed sleep button */
#define FADT_RESET_REG_SUP	(1u << 10)
/* IA-PC boot architecture flags. */
#define FADT_BOOT_NO_VGA	(1u << 2)
#define FADT_PROFILE_SERVER	4

/* The PC "reset control register"; writing 6 does a hard reset. */
#define RESET_PORT		0xcf9
#define RESET_VALUE		0x06
#define CMOS_CENTURY_INDEX	0x32
#define GAS_ACCESS_BYTE		1
#define GAS_ACCESS_WORD		2
#define GAS_ACCESS_DWORD	3

/* A 32-bit field may only repeat an address that fits in 32 bits. */
static uint32_t addr32(uint64_t addr)
{
	return addr > UINT32_MAX ? 0 : (uint32_t)addr;
}

int ssi_acpi_build_fadt(const struct ssi_topo *t, uint64_t facs_addr,
			uint64_t dsdt_addr, struct ssi_blob *out)
{
	uint16_t pm = t->acpi.pm_base;

	acpi_table_begin(out, "FACP", FADT_REVISION, &t->acpi);
	blob_put_u32(out, addr32(facs_addr));
	blob_put_u32(out, addr32(dsdt_addr));
	blob_put_u8(out, 0);			/* reserved (int model) */
	blob_put_u8(out, FADT_PROFILE_SERVER);
	blob_put_u16(out, t->acpi.sci_irq);
	blob_put_u32(out, 0);			/* SMI_CMD: always ACPI */
	blob_put_u8(out, 0);			/* ACPI_ENABLE */
	blob_put_u8(out, 0);			/* ACPI_DISABLE */
	blob_put_u8(out, 0);			/* S4BIOS_REQ */
	blob_put_u8(out, 0);			/* PSTATE_CNT */
	blob_put_u32(out, pm);			/* PM1a_EVT_BLK */
	blob_put_u32(out, 0);			/* PM1b_EVT_BLK */
	blob_put_u32(out, pm + PM1_CNT_OFF);	/* PM1a_CNT_BLK */
	blob_put_u32(out, 0);			/* PM1b_CNT_BLK */
	blob_put_u32(out, 0);			/* PM2_CNT_BLK */
	blob_put_u32(out, pm + PM_TMR_OFF);	/* PM_TMR_BLK */
	blob_put_u32(out, 0);			/* GPE0_BLK */
	blob_put_u32(out, 0);			/* GPE1_BLK */
	blob_put_u8(out, PM1_EVT_LEN);
	blob_put_u8(out, PM1_CNT_LEN);
	blob_put_u8(out, 0);			/* PM2_CNT_LEN */
	blob_put_u8(out, PM_TMR_LEN);
	blob_put_u8(out, 0);			/* GPE0_BLK_LEN */
	blob_put_u8(out, 0);			/* GPE1_BLK_LEN */
	blob_put_u8(out, 0);			/* GPE1_BASE */
	blob_put_u8(out, 0);			/* CST_CNT */
	/* > 100 and > 1000 us: C2 and C3 not supported. */
	blob_put_u16(out, 101);			/* P_LVL2_LAT */
	blob_put_u16(out, 1001);		/* P_LVL3_LAT */
	blob_put_u16(out, 0);			/* FLUSH_SIZE */
	blob_put_u16(out, 0);			/* FLUSH_STRIDE */
	blob_put_u8(out, 0);			/* DUTY_OFFSET */
	blob_put_u8(out, 0);			/* DUTY_WIDTH */
	blob_put_u8(out, 0);			/* DAY_ALRM */
	blob_put_u8(out, 0);			/* MON_ALRM */
	blob_put_u8(out, CMOS_CENTURY_INDEX);
	blob_put_u16(out, FADT_BOOT_NO_VGA);	/* IAPC_BOOT_ARCH */
	blob_put_u8(out, 0);
	blob_put_u32(out, FADT_WBINVD | FADT_PROC_C1 | FADT_PWR_BUTTON |
		     FADT_SLP_BUTTON | FADT_RESET_REG_SUP);
	blob_put_gas(out, ACPI_GAS_SYSTEM_IO, 8, GAS_ACCESS_BYTE, RESET_PORT);
	blob_put_u8(out, RESET_VALUE);
	blob_put_u16(out, 0);			/* ARM_BOOT_ARCH */
	blob_put_u8(out, FADT_MINOR_REVISION);
	blob_put_u64(out, addr32(facs_addr) ? 0 : facs_addr);	/* X_FACS */
	blob_put_u64(out, dsdt_addr);		/* X_DSDT */
	blob_put_gas(out, ACPI_GAS_SYSTEM_IO, PM1_EVT_LEN * 8,
		     GAS_ACCESS_DWORD, pm);
	blob_put_zeros(out, 12);		/* X_PM1b_EVT_BLK */
	blob_put_gas(out, ACPI_GAS_SYSTEM_IO, PM1_CNT_LEN * 8,
		     GAS_ACCESS_WORD, pm + PM1_CNT_OFF);
	blob_put_zeros(out, 12);		/* X_PM1b_CNT_BLK */
	blob_put_zeros(out, 12);		/* X_PM2_CNT_BLK */
	blob_put_gas(out, ACPI_GAS_SYSTEM_IO, PM_TMR_LEN * 8,
		     GAS_ACCESS_DWORD, pm + PM_TMR_OFF);
	blob_put_zeros(out, 12);		/* X_GPE0_BLK */
	blob_put_zeros(out, 12);		/* X_GPE1_BLK */
	blob_put_zeros(out, 12);		/* SLEEP_CONTROL_REG */
	blob_put_zeros(out, 12);		/* SLEEP_STATUS_REG */
	blob_put_bytes(out, "SSI-HV\0\0", 8);	/* hypervisor vendor id */
	return acpi_table_finish(out);
}

/* FACS has no checksum and no standard header: it is firmware RAM. */
int ssi_acpi_build_facs(struct ssi_blob *out)
{
	blob_put_bytes(out, "FACS", 4);
	blob_put_u32(out, FACS_LEN);
	blob_put_u32(out, 0);		/* hardware signature */
	blob_put_u32(out, 0);		/* firmware waking vector */
	blob_put_u32(out, 0);		/* global lock */
	blob_put_u32(out, 0);		/* flags */
	blob_put_u64(out, 0);		/* X firmware waking vector */
	blob_put_u8(out, FACS_VERSION);
	blob_put_zeros(out, 3);
	blob_put_u32(out, 0);		/* OSPM flags */
	blob_put_zeros(out, 24);
	return out->failed ? -ENOMEM : 0;
}
