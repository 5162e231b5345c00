// SPDX-License-Identifier: GPL-2.0
/*
 * bzImage setup-header checks (Documentation/x86/boot.rst).
 *
 * We only speak the 64-bit boot protocol, so we insist on what it needs:
 * a 2.12+ header that says the kernel has a 64-bit entry point
 * (XLF_KERNEL_64) and wants to be loaded high.
 */
#include <string.h>

#include <asm/bootparam.h>

#include "bzimage.h"

#define HDR_OFFSET		0x1f1
#define HDR_MAGIC		0x53726448	/* "HdrS" */
#define BOOT_FLAG_MAGIC		0xaa55
#define MIN_VERSION		0x020c		/* xloadflags, 64-bit entry */
#define DEFAULT_SETUP_SECTS	4
#define SECTOR_SIZE		512

static uint16_t get16(const uint8_t *p)
{
	return p[0] | p[1] << 8;
}

static uint32_t get32(const uint8_t *p)
{
	return get16(p) | (uint32_t)get16(p + 2) << 16;
}

static uint64_t get64(const uint8_t *p)
{
	return get32(p) | (uint64_t)get32(p + 4) << 32;
}

#define FIELD(img, name) \
	((img) + HDR_OFFSET + offsetof(struct setup_header, name))

int bzimage_parse(const uint8_t *image, size_t len, uint64_t default_load,
		  struct bzimage_info *info, const char **why)
{
	size_t hdr_end = HDR_OFFSET + sizeof(struct setup_header);
	unsigned int setup_sects;
	uint32_t align;
	uint64_t pref;

	memset(info, 0, sizeof(*info));
	if (len < hdr_end) {
		*why = "too small to be a bzImage";
		return -1;
	}
	if (get16(FIELD(image, boot_flag)) != BOOT_FLAG_MAGIC ||
	    get32(FIELD(image, header)) != HDR_MAGIC) {
		*why = "not a bzImage (no \"HdrS\" setup header)";
		return -1;
	}
	info->version = get16(FIELD(image, version));
	if (info->version < MIN_VERSION) {
		*why = "boot protocol older than 2.12 (no 64-bit entry point)";
		return -1;
	}
	if (!(*FIELD(image, loadflags) & LOADED_HIGH)) {
		*why = "zImage (not loaded high) is not supported";
		return -1;
	}
	if (!(get16(FIELD(image, xloadflags)) & XLF_KERNEL_64)) {
		*why = "kernel has no 64-bit entry point (XLF_KERNEL_64)";
		return -1;
	}

	/* The header's own length: 0x202 + the byte at 0x201. */
	info->setup_header_end = 0x202 + image[0x201];
	if (info->setup_header_end > hdr_end)
		info->setup_header_end = hdr_end;

	setup_sects = *FIELD(image, setup_sects);
	if (!setup_sects)
		setup_sects = DEFAULT_SETUP_SECTS;
	info->kernel_offset = (size_t)(setup_sects + 1) * SECTOR_SIZE;
	if (info->kernel_offset >= len) {
		*why = "bzImage truncated (no protected-mode kernel)";
		return -1;
	}
	info->kernel_size = len - info->kernel_offset;

	info->init_size = get32(FIELD(image, init_size));
	info->initrd_addr_max = get32(FIELD(image, initrd_addr_max));
	info->cmdline_size = get32(FIELD(image, cmdline_size));
	info->relocatable = *FIELD(image, relocatable_kernel);
	if (info->init_size < info->kernel_size)
		info->init_size = info->kernel_size;

	/*
	 * A relocatable kernel may go anywhere aligned to kernel_alignment;
	 * we still prefer its pref_address, which avoids a relocation in the
	 * decompressor.  A fixed kernel must go exactly there.
	 */
	pref = get64(FIELD(image, pref_address));
	align = get32(FIELD(image, kernel_alignment));
	if (pref >= 0x100000) {
		info->load_addr = pref;
	} else if (info->relocatable) {
		info->load_addr = default_load;
		if (align && (align & (align - 1)) == 0)
			info->load_addr = (default_load + align - 1) &
					  ~(uint64_t)(align - 1);
	} else {
		*why = "kernel is neither relocatable nor has a pref_address";
		return -1;
	}
	return 0;
}
