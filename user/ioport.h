/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SSI_VMM_IOPORT_H
#define SSI_VMM_IOPORT_H

#include <stdbool.h>
#include <stdint.h>

/*
 * A port handler sees one access of 1, 2 or 4 bytes at a time; string
 * instructions are split by the dispatcher.  Reads fill data[0..size).
 */
typedef void (*ioport_fn)(void *opaque, uint16_t port, uint8_t *data,
			  unsigned int size, bool is_write);

/* Registration happens before the vCPUs start; the table is then fixed. */
int ioport_register(uint16_t base, uint16_t count, ioport_fn fn,
		    void *opaque);
void ioport_dispatch(uint16_t port, uint8_t *data, unsigned int size,
		     bool is_write);

/* mmio.c: the same idea for guest-physical MMIO ranges. */
typedef void (*mmio_fn)(void *opaque, uint64_t addr, uint8_t *data,
			unsigned int size, bool is_write);
int mmio_register(uint64_t base, uint64_t len, mmio_fn fn, void *opaque);
void mmio_dispatch(uint64_t addr, uint8_t *data, unsigned int size,
		   bool is_write);

#endif /* SSI_VMM_IOPORT_H */
