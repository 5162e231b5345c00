/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal interfaces between the parts of ssihv.ko.
 */
#ifndef _SSIHV_H
#define _SSIHV_H

#include <linux/bits.h>
#include <linux/types.h>

#define SSIHV_MODULE_VERSION "0.1.0"

/* Smallest and largest value SSIHV_CMD_SET_CONFIG accepts for the limit. */
#define SSIHV_VM_MEMORY_MIN	BIT_ULL(20)
#define SSIHV_VM_MEMORY_MAX	BIT_ULL(52)

/* config.c: module-wide settings changed through netlink. */
void ssihv_config_init(void);
int ssihv_config_check(void);
unsigned int ssihv_config_node_id(void);
u64 ssihv_config_max_vm_memory(void);
unsigned int ssihv_config_placement(void);
unsigned int ssihv_config_placement_heat(void);
unsigned int ssihv_config_placement_rate(void);
int ssihv_config_set_placement(u32 policy);
int ssihv_config_set_placement_heat(u32 heat);
int ssihv_config_set_placement_rate(u32 rate);
int ssihv_config_set_max_vm_memory(u64 bytes);

/* chardev.c: the /dev/ssihv misc device. */
int ssihv_chardev_init(void);
void ssihv_chardev_exit(void);

/* fs.c: one pseudo-fs inode (and address space) per VM instance. */
struct inode;
struct inode *ssihv_fs_new_inode(void);
void ssihv_fs_put_inode(struct inode *inode);

/* genl.c: the "ssihv" generic netlink family. */
int ssihv_genl_init(void);
void ssihv_genl_exit(void);

/* events.c: notifications on the "events" multicast group. */
void ssihv_event_vm(u8 cmd, u64 vm_id);
void ssihv_event_limit(u64 vm_id, u64 gpa, u64 limit);
void ssihv_event_frame(u64 vm_id, u64 gpa, u32 node, int err);
void ssihv_event_frames_lost(u64 vm_id, u64 gpa, u64 gpa_last, u32 node);

/* rdma_dev.c: the RDMA transport (kmod/rdma.h); works without devices. */
int ssihv_rdma_init(void);
void ssihv_rdma_exit(void);

#endif /* _SSIHV_H */
