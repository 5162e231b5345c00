// SPDX-License-Identifier: GPL-2.0
/*
 * A private pseudo filesystem that gives every VM instance an inode of its
 * own.  The inode's address space is what the instance's mappings link
 * into, so unmap_mapping_range() on it reaches exactly that VM's mappings
 * (the /dev/ssihv inode is shared by every opener), and the core mm finds
 * the ->host inode it expects behind every file mapping.
 */
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/pseudo_fs.h>

#include "ssihv.h"

#define SSIHV_FS_MAGIC	0x53534856	/* "SSHV" */

static struct vfsmount *ssihv_mnt;
static int ssihv_mnt_count;

static int ssihv_fs_init_fs_context(struct fs_context *fc)
{
	return init_pseudo(fc, SSIHV_FS_MAGIC) ? 0 : -ENOMEM;
}

static struct file_system_type ssihv_fs_type = {
	.name			= "ssihv",
	.owner			= THIS_MODULE,
	.init_fs_context	= ssihv_fs_init_fs_context,
	.kill_sb		= kill_anon_super,
};

/* A new inode for one VM instance; release it with ssihv_fs_put_inode(). */
struct inode *ssihv_fs_new_inode(void)
{
	struct inode *inode;
	int ret;

	ret = simple_pin_fs(&ssihv_fs_type, &ssihv_mnt, &ssihv_mnt_count);
	if (ret)
		return ERR_PTR(ret);
	inode = alloc_anon_inode(ssihv_mnt->mnt_sb);
	if (IS_ERR(inode))
		simple_release_fs(&ssihv_mnt, &ssihv_mnt_count);
	return inode;
}

void ssihv_fs_put_inode(struct inode *inode)
{
	iput(inode);
	simple_release_fs(&ssihv_mnt, &ssihv_mnt_count);
}
