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
u64 ssihv_config_max_vm_memory(void);
int ssihv_config_set_max_vm_memory(u64 bytes);

/* chardev.c: the /dev/ssihv misc device. */
int ssihv_chardev_init(void);
void ssihv_chardev_exit(void);

/* genl.c: the "ssihv" generic netlink family. */
int ssihv_genl_init(void);
void ssihv_genl_exit(void);

#endif /* _SSIHV_H */
