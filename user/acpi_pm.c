// SPDX-License-Identifier: GPL-2.0
/*
 * The ACPI fixed hardware the FADT announces at pm_base: PM1a event block
 * (status, enable), PM1a control and the PM timer.
 *
 * The only event we act on is the guest entering S5: SLP_EN written with
 * the \_S5 sleep type powers the VM off.  No fixed events are ever raised,
 * so status stays clear and no SCI fires.  SCI_EN always reads back set
 * because the FADT has no SMI_CMD: the machine is always in ACPI mode.
 * The timer is the 24-bit 3.579545 MHz counter, derived from the host's
 * monotonic clock.
 */
#include <pthread.h>
#include <time.h>

#include "ioport.h"
#include "ssi_acpi.h"
#include "vmm.h"

#define PM1_EVT_OFF		0	/* PM1_STS 0-1, PM1_EN 2-3 */
#define PM1_CNT_OFF		4
#define PM_TMR_OFF		8
#define PM_BLOCK_LEN		12

#define PM1_CNT_SLP_TYP_SHIFT	10
#define PM1_CNT_SLP_TYP_MASK	(7u << PM1_CNT_SLP_TYP_SHIFT)

#define PM_TIMER_HZ		3579545ULL
#define PM_TIMER_MASK		0xffffffu

struct acpi_pm {
	pthread_mutex_t lock;
	uint16_t base;
	uint16_t pm1_en;
	uint16_t pm1_cnt;
};

static struct acpi_pm pm = { .lock = PTHREAD_MUTEX_INITIALIZER };

static uint32_t pm_timer_now(void)
{
	unsigned __int128 ns;
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ns = (unsigned __int128)ts.tv_sec * 1000000000u + ts.tv_nsec;
	return (uint32_t)(ns * PM_TIMER_HZ / 1000000000u) & PM_TIMER_MASK;
}

/* One byte of the block as the guest sees it. */
static uint8_t pm_read_byte(unsigned int off, uint32_t timer)
{
	uint16_t cnt = pm.pm1_cnt | SSI_ACPI_PM1_CNT_SCI_EN;

	switch (off) {
	case 0:
	case 1:
		return 0;	/* PM1_STS: nothing ever happens */
	case 2:
		return pm.pm1_en & 0xff;
	case 3:
		return pm.pm1_en >> 8;
	case 4:
		return cnt & 0xff;
	case 5:
		return cnt >> 8;
	case 8:
	case 9:
	case 10:
	case 11:
		return timer >> (8 * (off - PM_TMR_OFF));
	}
	return 0xff;
}

static void pm_write_byte(unsigned int off, uint8_t val)
{
	switch (off) {
	case 2:
		pm.pm1_en = (pm.pm1_en & 0xff00) | val;
		break;
	case 3:
		pm.pm1_en = (pm.pm1_en & 0x00ff) | val << 8;
		break;
	case 4:
		pm.pm1_cnt = (pm.pm1_cnt & 0xff00) | val;
		break;
	case 5:
		pm.pm1_cnt = (pm.pm1_cnt & 0x00ff) | val << 8;
		break;
	}
}

static void acpi_pm_io(void *opaque, uint16_t port, uint8_t *data,
		       unsigned int size, bool is_write)
{
	unsigned int off = port - pm.base, i;
	uint32_t timer = pm_timer_now();
	uint16_t cnt;

	pthread_mutex_lock(&pm.lock);
	for (i = 0; i < size; i++) {
		if (is_write)
			pm_write_byte(off + i, data[i]);
		else
			data[i] = pm_read_byte(off + i, timer);
	}
	/* SLP_EN is write-only: act on it and do not keep it. */
	cnt = pm.pm1_cnt;
	pm.pm1_cnt &= ~SSI_ACPI_PM1_CNT_SLP_EN;
	pthread_mutex_unlock(&pm.lock);

	if (is_write && (cnt & SSI_ACPI_PM1_CNT_SLP_EN) &&
	    ((cnt & PM1_CNT_SLP_TYP_MASK) >> PM1_CNT_SLP_TYP_SHIFT) ==
	    SSI_ACPI_S5_SLP_TYP)
		vm_request_exit(VM_EXIT_POWEROFF);
}

int acpi_pm_init(struct vmm *vmm)
{
	pm.base = vmm->acpi_pm_base;
	return ioport_register(pm.base, PM_BLOCK_LEN, acpi_pm_io, NULL);
}
