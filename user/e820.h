/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SSI_VMM_E820_H
#define SSI_VMM_E820_H

#include <stdint.h>
#include <asm/bootparam.h>

#define E820_TYPE_RAM		1
#define E820_TYPE_RESERVED	2
#define E820_TYPE_ACPI		3

int e820_build(uint64_t ram_size, struct boot_e820_entry *table,
	       unsigned int max_entries);

#endif /* SSI_VMM_E820_H */
