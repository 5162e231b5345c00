// SPDX-License-Identifier: GPL-2.0
/*
 * A read-only MC146818 CMOS clock at ports 0x70/0x71.
 *
 * Linux reads the wall clock from it at boot and waits for the
 * update-in-progress bit to clear, so it must exist even though kvm-clock
 * does the real timekeeping.  Time registers come from the host's UTC
 * clock in BCD, 24-hour mode; the clock never raises interrupts and
 * writes are ignored.
 */
#include <pthread.h>
#include <time.h>

#include "ioport.h"
#include "vmm.h"

#define CMOS_INDEX_PORT		0x70
#define CMOS_INDEX_MASK		0x7f	/* bit 7 is the NMI mask */

#define RTC_SECONDS		0x00
#define RTC_MINUTES		0x02
#define RTC_HOURS		0x04
#define RTC_DAY_OF_WEEK		0x06
#define RTC_DAY_OF_MONTH	0x07
#define RTC_MONTH		0x08
#define RTC_YEAR		0x09
#define RTC_REG_A		0x0a
#define RTC_REG_B		0x0b
#define RTC_REG_C		0x0c
#define RTC_REG_D		0x0d
#define RTC_CENTURY		0x32

#define RTC_REG_A_32KHZ		0x26	/* divider on, 1024 Hz, no UIP */
#define RTC_REG_B_24H		0x02	/* BCD, 24-hour */
#define RTC_REG_D_VRT		0x80	/* battery good */

static pthread_mutex_t cmos_lock = PTHREAD_MUTEX_INITIALIZER;
static uint8_t cmos_index;

static uint8_t bcd(unsigned int v)
{
	return (v / 10) << 4 | (v % 10);
}

static uint8_t cmos_read(uint8_t index)
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	switch (index) {
	case RTC_SECONDS:
		return bcd(tm.tm_sec);
	case RTC_MINUTES:
		return bcd(tm.tm_min);
	case RTC_HOURS:
		return bcd(tm.tm_hour);
	case RTC_DAY_OF_WEEK:
		return bcd(tm.tm_wday + 1);
	case RTC_DAY_OF_MONTH:
		return bcd(tm.tm_mday);
	case RTC_MONTH:
		return bcd(tm.tm_mon + 1);
	case RTC_YEAR:
		return bcd(tm.tm_year % 100);
	case RTC_CENTURY:
		return bcd(19 + tm.tm_year / 100);
	case RTC_REG_A:
		return RTC_REG_A_32KHZ;
	case RTC_REG_B:
		return RTC_REG_B_24H;
	case RTC_REG_D:
		return RTC_REG_D_VRT;
	}
	return 0;
}

static void cmos_io(void *opaque, uint16_t port, uint8_t *data,
		    unsigned int size, bool is_write)
{
	pthread_mutex_lock(&cmos_lock);
	if (port == CMOS_INDEX_PORT) {
		if (is_write)
			cmos_index = data[0] & CMOS_INDEX_MASK;
		else
			data[0] = 0xff;
	} else if (!is_write) {
		data[0] = cmos_read(cmos_index);
	}
	pthread_mutex_unlock(&cmos_lock);
}

int rtc_init(void)
{
	return ioport_register(CMOS_INDEX_PORT, 2, cmos_io, NULL);
}
