// SPDX-License-Identifier: GPL-2.0
/*
 * Port I/O dispatch.  Nothing answers on an unclaimed port, so reads float
 * high (all ones) and writes vanish, as on a PC bus.
 */
#include <stdio.h>
#include <string.h>

#include "ioport.h"

#define MAX_IOPORT_RANGES	32

struct ioport_range {
	uint16_t base;
	uint16_t count;
	ioport_fn fn;
	void *opaque;
};

static struct ioport_range ranges[MAX_IOPORT_RANGES];
static unsigned int nr_ranges;

int ioport_register(uint16_t base, uint16_t count, ioport_fn fn,
		    void *opaque)
{
	unsigned int i;

	for (i = 0; i < nr_ranges; i++) {
		if (base < ranges[i].base + ranges[i].count &&
		    ranges[i].base < base + count) {
			fprintf(stderr, "ssi-vmm: I/O ports 0x%x+%u overlap\n",
				base, count);
			return -1;
		}
	}
	if (nr_ranges == MAX_IOPORT_RANGES)
		return -1;
	ranges[nr_ranges++] = (struct ioport_range){ base, count, fn, opaque };
	return 0;
}

void ioport_dispatch(uint16_t port, uint8_t *data, unsigned int size,
		     bool is_write)
{
	unsigned int i;

	for (i = 0; i < nr_ranges; i++) {
		if (port >= ranges[i].base &&
		    port < ranges[i].base + ranges[i].count) {
			ranges[i].fn(ranges[i].opaque, port, data, size,
				     is_write);
			return;
		}
	}
	if (!is_write)
		memset(data, 0xff, size);
}
