// SPDX-License-Identifier: GPL-2.0
/*
 * Linux loader: bzImage protected-mode kernel, boot_params ("zero page"),
 * command line, e820 and initrd, per Documentation/x86/boot.rst.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <asm/bootparam.h>

#include "bzimage.h"
#include "e820.h"
#include "vmm.h"

#define LOADER_TYPE_UNDEFINED	0xff
#define ENTRY_64_OFFSET		0x200	/* startup_64 from the load address */
#define INITRD_ALIGN		0x1000ULL

/*
 * Boot files are read straight into guest RAM with pread(): a buffer of
 * the whole kernel or initrd would add its size to the VMM's own memory.
 */
static int read_at(int fd, void *buf, size_t len, off_t off, const char *what,
		   const char *path)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(fd, (char *)buf + done, len - done,
				  off + done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "ssi-vmm: cannot read %s %s\n", what,
				path);
			return -1;
		}
		done += n;
	}
	return 0;
}

/* Opens a boot file and gives its size; prints the reason on failure. */
static int open_boot_file(const char *path, const char *what, size_t *len)
{
	struct stat st;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "ssi-vmm: cannot open %s %s: %s\n", what, path,
			strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		fprintf(stderr, "ssi-vmm: %s %s is not a regular file\n", what,
			path);
		close(fd);
		return -1;
	}
	*len = st.st_size;
	return fd;
}

static int load_initrd(struct vmm *vmm, struct boot_params *bp,
		       const struct bzimage_info *info)
{
	uint64_t kernel_end = info->load_addr + info->init_size;
	uint64_t top = ram_below_4g(vmm->ram_size);
	uint64_t start;
	size_t len;
	int fd, ret;

	if (!vmm->cfg.initrd_path)
		return 0;
	fd = open_boot_file(vmm->cfg.initrd_path, "initrd", &len);
	if (fd < 0)
		return -1;
	/* initrd_addr_max is the highest address the initrd may occupy. */
	if (info->initrd_addr_max && top > (uint64_t)info->initrd_addr_max + 1)
		top = (uint64_t)info->initrd_addr_max + 1;
	start = top >= len ? (top - len) & ~(INITRD_ALIGN - 1) : 0;
	if (!len || start < kernel_end) {
		fprintf(stderr,
			"ssi-vmm: initrd %s (%zu bytes) does not fit between the kernel's end (0x%llx) and 0x%llx; give more --memory\n",
			vmm->cfg.initrd_path, len,
			(unsigned long long)kernel_end,
			(unsigned long long)top);
		close(fd);
		return -1;
	}
	ret = read_at(fd, gpa_to_hva(vmm, start, len), len, 0, "initrd",
		      vmm->cfg.initrd_path);
	close(fd);
	if (ret < 0)
		return -1;
	bp->hdr.ramdisk_image = start;
	bp->hdr.ramdisk_size = len;
	return 0;
}

static int setup_cmdline(struct vmm *vmm, struct boot_params *bp,
			 const struct bzimage_info *info)
{
	const char *cmdline = vmm->cfg.cmdline ? vmm->cfg.cmdline :
						 "console=ttyS0";
	size_t len = strlen(cmdline);
	size_t max = info->cmdline_size ? info->cmdline_size : 255;

	if (len > max || len >= CMDLINE_MAX) {
		fprintf(stderr,
			"ssi-vmm: command line is %zu bytes, the kernel accepts %zu\n",
			len, max);
		return -1;
	}
	memcpy(gpa_to_hva(vmm, CMDLINE_GPA, len + 1), cmdline, len + 1);
	bp->hdr.cmd_line_ptr = CMDLINE_GPA;
	return 0;
}

int linux_load(struct vmm *vmm)
{
	const char *path = vmm->cfg.kernel_path;
	struct bzimage_info info;
	struct boot_params *bp;
	uint8_t image[4096];	/* the setup header is in the first 1 KiB */
	const char *why;
	size_t len;
	int fd, nr;

	fd = open_boot_file(path, "kernel", &len);
	if (fd < 0)
		return -1;
	if (read_at(fd, image, len < sizeof(image) ? len : sizeof(image), 0,
		    "kernel", path) < 0)
		goto fail;
	if (bzimage_parse(image, len, KERNEL_LOAD_GPA, &info, &why) < 0) {
		fprintf(stderr, "ssi-vmm: kernel %s: %s\n",
			vmm->cfg.kernel_path, why);
		goto fail;
	}
	if (info.load_addr + info.init_size > ram_below_4g(vmm->ram_size)) {
		fprintf(stderr,
			"ssi-vmm: --memory %llu MiB is too small: the kernel needs 0x%llx bytes from 0x%llx\n",
			(unsigned long long)(vmm->ram_size >> 20),
			(unsigned long long)info.init_size,
			(unsigned long long)info.load_addr);
		goto fail;
	}
	if (read_at(fd, gpa_to_hva(vmm, info.load_addr, info.kernel_size),
		    info.kernel_size, info.kernel_offset, "kernel", path) < 0)
		goto fail;

	bp = gpa_to_hva(vmm, BOOT_PARAMS_GPA, sizeof(*bp));
	memset(bp, 0, sizeof(*bp));
	memcpy((uint8_t *)bp + 0x1f1, image + 0x1f1,
	       info.setup_header_end - 0x1f1);
	bp->hdr.type_of_loader = LOADER_TYPE_UNDEFINED;
	bp->hdr.code32_start = info.load_addr;

	nr = e820_build(vmm->ram_size, bp->e820_table,
			E820_MAX_ENTRIES_ZEROPAGE);
	if (nr < 0) {
		fprintf(stderr, "ssi-vmm: cannot build the e820 map\n");
		goto fail;
	}
	bp->e820_entries = nr;

	if (setup_cmdline(vmm, bp, &info) < 0 ||
	    load_initrd(vmm, bp, &info) < 0)
		goto fail;

	vmm->kernel_entry = info.load_addr + ENTRY_64_OFFSET;
	vmm->boot_params_gpa = BOOT_PARAMS_GPA;
	close(fd);
	return 0;
fail:
	close(fd);
	return -1;
}
