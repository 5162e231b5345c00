// SPDX-License-Identifier: GPL-2.0
/*
 * MMIO dispatch for devices in the 32-bit hole.  Unclaimed reads return
 * all ones, unclaimed writes are dropped.
 */
#include <stdio.h>
#include <string.h>

#include "ioport.h"

#define MAX_MMIO_RANGES	16

struct mmio_range {
	uint64_t base;
	uint64_t len;
	mmio_fn fn;
	void *opaque;
};

static struct mmio_range ranges[MAX_MMIO_RANGES];
static unsigned int nr_ranges;

int mmio_register(uint64_t base, uint64_t len, mmio_fn fn, void *opaque)
{
	if (nr_ranges == MAX_MMIO_RANGES)
		return -1;
	ranges[nr_ranges++] = (struct mmio_range){ base, len, fn, opaque };
	return 0;
}

void mmio_dispatch(uint64_t addr, uint8_t *data, unsigned int size,
		   bool is_write)
{
	unsigned int i;

	for (i = 0; i < nr_ranges; i++) {
		if (addr >= ranges[i].base &&
		    addr - ranges[i].base < ranges[i].len) {
			ranges[i].fn(ranges[i].opaque, addr - ranges[i].base,
				     data, size, is_write);
			return;
		}
	}
	if (!is_write)
		memset(data, 0xff, size);
}
