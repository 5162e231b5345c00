/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * SSI-HV user/kernel ABI: the one definition of every ioctl, generic
 * netlink command, attribute and multicast group that ssihv.ko shares with
 * userspace (ssi-vmm, ssihvctl, selftests).
 *
 * Rules for changing this file: never renumber or reuse a value, only
 * append before the __SSIHV_*_MAX sentinels, and bump SSIHV_GENL_VERSION
 * when a command changes meaning.
 */
#ifndef _UAPI_LINUX_SSIHV_H
#define _UAPI_LINUX_SSIHV_H

#include <linux/types.h>
#include <linux/ioctl.h>

/* Character device (misc) that serves guest memory. */
#define SSIHV_DEVICE_NAME	"ssihv"

/* Version of the node-to-node wire protocol this module speaks. */
#define SSIHV_PROTO_VERSION	1

/* ---- Generic netlink family ---------------------------------------- */

#define SSIHV_GENL_NAME		"ssihv"
#define SSIHV_GENL_VERSION	1
#define SSIHV_GENL_MCGRP_EVENTS	"events"

/*
 * Commands.  GET_* commands are open to every user; every command that
 * changes state requires CAP_NET_ADMIN (GENL_ADMIN_PERM).
 */
enum ssihv_cmd {
	SSIHV_CMD_UNSPEC,
	SSIHV_CMD_GET_INFO,	/* -> SSIHV_A_INFO_* */
	SSIHV_CMD_SET_CONFIG,	/* admin; SSIHV_A_CONFIG_* -> nothing */

	__SSIHV_CMD_MAX,
};

#define SSIHV_CMD_MAX (__SSIHV_CMD_MAX - 1)

/*
 * Attributes.  One flat attribute space for the whole family keeps the
 * policy in one place; each command documents which ones it uses.
 */
enum ssihv_attr {
	SSIHV_A_UNSPEC,
	SSIHV_A_PAD,			/* padding for 64-bit attributes */

	/* SSIHV_CMD_GET_INFO reply */
	SSIHV_A_INFO_MODULE_VERSION,	/* string, e.g. "0.1.0" */
	SSIHV_A_INFO_PROTO_VERSION,	/* u32, SSIHV_PROTO_VERSION */
	SSIHV_A_INFO_GENL_VERSION,	/* u32, SSIHV_GENL_VERSION */
	SSIHV_A_INFO_PAGE_SIZE,		/* u32, bytes */
	SSIHV_A_INFO_MAX_VMS,		/* u32, VM instances per host */
	SSIHV_A_INFO_MAX_NODES,		/* u32, cluster nodes */
	SSIHV_A_INFO_MAX_VM_MEMORY,	/* u64, bytes of guest RAM per VM */
	SSIHV_A_INFO_MAX_RANGES,	/* u32, memory ranges per VM */

	/*
	 * SSIHV_CMD_SET_CONFIG request.  Each attribute is optional; absent
	 * ones are left unchanged.
	 */
	SSIHV_A_CONFIG_MAX_VM_MEMORY,	/* u64, bytes, page aligned, > 0 */

	__SSIHV_A_MAX,
};

#define SSIHV_A_MAX (__SSIHV_A_MAX - 1)

/* Hard limits reported by SSIHV_CMD_GET_INFO. */
#define SSIHV_MAX_VMS		64
#define SSIHV_MAX_NODES		256
#define SSIHV_MAX_RANGES	64

#endif /* _UAPI_LINUX_SSIHV_H */
