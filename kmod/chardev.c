// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/ssihv: the misc device through which a VMM reaches guest memory.
 * An fd is attached to one VM instance (SSIHV_IOC_ATTACH), then mmap()ed
 * with the guest-physical address as offset.
 */
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/uaccess.h>
#include <uapi/linux/ssihv.h>

#include "ssihv.h"
#include "vm.h"

static struct ssihv_vm *ssihv_file_vm(struct file *file)
{
	/* Pairs with the release store in ssihv_vm_attach(). */
	return smp_load_acquire(&file->private_data);
}

static int ssihv_open(struct inode *inode, struct file *file)
{
	file->private_data = NULL;	/* misc_open set it to the device */
	return nonseekable_open(inode, file);
}

static int ssihv_release(struct inode *inode, struct file *file)
{
	struct ssihv_vm *vm = ssihv_file_vm(file);

	if (vm)
		ssihv_vm_detach(vm);
	return 0;
}

static long ssihv_ioctl_attach(struct file *file, void __user *argp)
{
	struct ssihv_attach req;

	if (copy_from_user(&req, argp, sizeof(req)))
		return -EFAULT;
	/* A read-only fd may look at an instance, not bring one to life. */
	if ((req.flags & SSIHV_ATTACH_CREATE) && !(file->f_mode & FMODE_WRITE))
		return -EBADF;
	return ssihv_vm_attach(file, &req, u64_to_user_ptr(req.ranges));
}

static long ssihv_ioctl(struct file *file, unsigned int cmd,
			unsigned long arg)
{
	switch (cmd) {
	case SSIHV_IOC_ATTACH:
		return ssihv_ioctl_attach(file, (void __user *)arg);
	default:
		return -ENOTTY;
	}
}

static int ssihv_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct ssihv_vm *vm = ssihv_file_vm(file);

	if (!vm)
		return -EINVAL;	/* attach first */
	return ssihv_vm_mmap(vm, vma);
}

static const struct file_operations ssihv_fops = {
	.owner		= THIS_MODULE,
	.open		= ssihv_open,
	.release	= ssihv_release,
	.unlocked_ioctl	= ssihv_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.mmap		= ssihv_mmap,
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
