/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fixed-width types for the plain-C parts of ssihv.ko (kmod/proto/), so the
 * same sources build into the module and into host unit tests.
 */
#ifndef _SSIHV_PROTO_TYPES_H
#define _SSIHV_PROTO_TYPES_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdbool.h>
#include <stdint.h>
typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int32_t s32;
#endif

#endif /* _SSIHV_PROTO_TYPES_H */
