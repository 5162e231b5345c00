// SPDX-License-Identifier: GPL-2.0
/*
 * The e820 map handed to the guest in boot_params.
 *
 * It describes the same split as memory.c's memslots: conventional memory
 * below the EBDA, the BIOS area reserved (ACPI tables live there), RAM from
 * 1M up to the 32-bit MMIO hole, and the rest of RAM above 4G.
 */
#include "e820.h"
#include "layout.h"

static int e820_add(struct boot_e820_entry *table, unsigned int max_entries,
		    unsigned int *nr, uint64_t addr, uint64_t size,
		    uint32_t type)
{
	if (!size)
		return 0;
	if (*nr >= max_entries)
		return -1;
	table[*nr].addr = addr;
	table[*nr].size = size;
	table[*nr].type = type;
	(*nr)++;
	return 0;
}

/*
 * Returns the number of entries written, or -1 when the table is too small
 * or ram_size cannot hold the low-memory boot structures and a kernel.
 */
int e820_build(uint64_t ram_size, struct boot_e820_entry *table,
	       unsigned int max_entries)
{
	uint64_t low_end = ram_size < MMIO_HOLE_GPA ? ram_size : MMIO_HOLE_GPA;
	unsigned int nr = 0;
	int err = 0;

	if (ram_size <= HIGH_MEMORY_GPA)
		return -1;

	err |= e820_add(table, max_entries, &nr, 0, EBDA_GPA, E820_TYPE_RAM);
	err |= e820_add(table, max_entries, &nr, EBDA_GPA,
			BIOS_AREA_END - EBDA_GPA, E820_TYPE_RESERVED);
	err |= e820_add(table, max_entries, &nr, HIGH_MEMORY_GPA,
			low_end - HIGH_MEMORY_GPA, E820_TYPE_RAM);
	if (ram_size > MMIO_HOLE_GPA)
		err |= e820_add(table, max_entries, &nr, HIGH_RAM_GPA,
				ram_size - MMIO_HOLE_GPA, E820_TYPE_RAM);
	return err ? -1 : (int)nr;
}
