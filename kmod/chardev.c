// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/ssihv: the misc device through which a VMM reaches guest memory.
 * This file owns registration; per-fd VM state arrives with the memory
 * path.
 */
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <uapi/linux/ssihv.h>

#include "ssihv.h"

static int ssihv_open(struct inode *inode, struct file *file)
{
	/* No per-fd state yet; the VM attach ioctl will allocate it. */
	return nonseekable_open(inode, file);
}

static int ssihv_release(struct inode *inode, struct file *file)
{
	return 0;
}

static const struct file_operations ssihv_fops = {
	.owner		= THIS_MODULE,
	.open		= ssihv_open,
	.release	= ssihv_release,
	.llseek		= no_llseek,
};

static struct miscdevice ssihv_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= SSIHV_DEVICE_NAME,
	.fops	= &ssihv_fops,
	/* Guest memory is privileged: root only until a VM policy exists. */
	.mode	= 0600,
};

int ssihv_chardev_init(void)
{
	return misc_register(&ssihv_misc);
}

void ssihv_chardev_exit(void)
{
	misc_deregister(&ssihv_misc);
}
