/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SSI_VMM_BZIMAGE_H
#define SSI_VMM_BZIMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What the loader needs to know from a bzImage's setup header. */
struct bzimage_info {
	uint16_t version;
	size_t setup_header_end;	/* file offset just past the header */
	size_t kernel_offset;		/* protected-mode kernel in the file */
	size_t kernel_size;
	uint64_t load_addr;		/* where we will put it */
	uint32_t init_size;		/* memory it needs from load_addr */
	uint32_t initrd_addr_max;
	uint32_t cmdline_size;
	bool relocatable;
};

/* Returns 0, or -1 with *why set to a one-line reason. */
int bzimage_parse(const uint8_t *image, size_t len, uint64_t default_load,
		  struct bzimage_info *info, const char **why);

#endif /* SSI_VMM_BZIMAGE_H */
