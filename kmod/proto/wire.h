/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The node-to-node wire protocol of ssihv.ko: control messages that travel
 * as RDMA SENDs between hosts.  Plain C with no kernel headers, so the
 * module and the host unit tests (tests/host/test_wire.c) build the same
 * code.  See Documentation/transport.rst.
 *
 * Every message starts with a 16-byte header, all fields little endian:
 *
 *	0  magic    u32  SSIHV_WIRE_MAGIC
 *	4  version  u8   SSIHV_WIRE_VERSION
 *	5  type     u8   enum ssihv_wire_type
 *	6  len      u16  bytes of the whole message, header included
 *	8  tag      u32  request id, echoed by the reply
 *	12 src      u16  sender's node id
 *	14 flags    u16  must be zero
 *
 * followed by a payload whose length is fixed per type (DATA: 4 + n).
 * Nothing from the wire is used before ssihv_wire_decode() accepted it.
 */
#ifndef _SSIHV_PROTO_WIRE_H
#define _SSIHV_PROTO_WIRE_H

#include "types.h"

#define SSIHV_WIRE_MAGIC	0x56485353U	/* "SSHV" on the wire */
#define SSIHV_WIRE_VERSION	1
#define SSIHV_WIRE_HDR_LEN	16
#define SSIHV_WIRE_DATA_MAX	64		/* payload of a DATA message */
#define SSIHV_WIRE_MAX_LEN	(SSIHV_WIRE_HDR_LEN + 4 + SSIHV_WIRE_DATA_MAX)
#define SSIHV_WIRE_PAGE_SIZE	4096
/* Largest page pool a peer may announce (pages of each kind). */
#define SSIHV_WIRE_MAX_POOL	65536
/* Node ids are 0..SSIHV_WIRE_MAX_NODES-1. */
#define SSIHV_WIRE_MAX_NODES	256
#define SSIHV_WIRE_ANY_NODE	0xffffU
/* A status in a reply: 0 or a negative errno. */
#define SSIHV_WIRE_MAX_ERRNO	4095

enum ssihv_wire_type {
	SSIHV_MSG_HELLO = 1,	/* first message: the sender's page pool */
	SSIHV_MSG_PING,		/* heartbeat / RTT probe */
	SSIHV_MSG_PONG,		/* reply to PING, echoes its stamp */
	SSIHV_MSG_FETCH_REQ,	/* "RDMA WRITE serve page P into my slot S" */
	SSIHV_MSG_FETCH_REP,	/* the page was written (or an error) */
	SSIHV_MSG_PUSH,		/* page written into your inbox slot S */
	SSIHV_MSG_PUSH_ACK,	/* inbox slot checked (status), S is free */
	SSIHV_MSG_DATA,		/* small opaque message */
	SSIHV_MSG_FRAME_REQ,	/* "hand guest frame (vm, gfn) over to me" */
	SSIHV_MSG_FRAME_REP,	/* the frame was written to my slot (or not) */
	__SSIHV_MSG_MAX,
};

/*
 * FRAME_REQ access: what the requester wants (READ: a shared copy, WRITE:
 * the only copy, UPGRADE: the only copy of a frame it holds shared), or,
 * from the frame's home to a node holding a shared copy, INV: drop it (no
 * data moves), or, from the owner of the only copy to the frame's home,
 * PUT: take it back, it is in your inbox slot (the owner is going away).
 * Documentation/memory.rst has the protocol.
 */
#define SSIHV_FRAME_READ	1
#define SSIHV_FRAME_WRITE	2
#define SSIHV_FRAME_INV		3
#define SSIHV_FRAME_UPGRADE	4
#define SSIHV_FRAME_PUT		5
/*
 * FRAME_REP status: 0 (the frame is in the requester's landing slot; for
 * an INV: dropped), a negative errno, or flags: KEEP alone (an UPGRADE
 * granted, keep the shared copy you hold), EXCL (a READ answered with the
 * only copy: placement moved the frame to you), ZERO (the only copy of a
 * frame never touched anywhere: it is all zeroes, nothing was written to
 * the slot), or EXCL|ZERO.
 */
#define SSIHV_FRAME_KEEP	1
#define SSIHV_FRAME_EXCL	2
#define SSIHV_FRAME_ZERO	4

/* Guest frame numbers: guest-physical addresses are below 2^52. */
#define SSIHV_WIRE_MAX_GFN	((1ULL << 40) - 1)

/* Why ssihv_wire_decode() rejected a message. */
enum ssihv_wire_err {
	SSIHV_WIRE_OK = 0,
	SSIHV_WIRE_ESHORT,	/* shorter than a header */
	SSIHV_WIRE_EMAGIC,
	SSIHV_WIRE_EVERSION,
	SSIHV_WIRE_EFLAGS,
	SSIHV_WIRE_ETYPE,
	SSIHV_WIRE_ELEN,	/* len field vs bytes received vs type */
	SSIHV_WIRE_ESRC,	/* not the peer this connection belongs to */
	SSIHV_WIRE_ERANGE,	/* a payload field out of range */
	__SSIHV_WIRE_NR_ERR,
};

/* A decoded message, host byte order. */
struct ssihv_wire_msg {
	u8 type;
	u16 len;
	u32 tag;
	u16 src;
	union {
		struct {
			u64 pool_addr;	/* RDMA address of the pool */
			u32 rkey;
			u32 serve_pages;	/* pages 0..n-1: fetchable */
			u32 inbox_pages;	/* then: push targets */
			u32 landing_pages;	/* then: fetch reply targets */
		} hello;
		struct {
			u64 stamp;
		} ping;			/* PING and PONG */
		struct {
			u64 page;	/* serve page of the receiver */
			u32 slot;	/* landing slot of the sender */
		} fetch_req;
		struct {
			s32 status;
			u32 csum;
		} fetch_rep;
		struct {
			u64 key;	/* pattern key of the pushed page */
			u32 slot;	/* inbox slot of the receiver */
			u32 csum;
		} push;
		struct {
			s32 status;
			u32 slot;
		} push_ack;
		struct {
			u32 len;
			u8 data[SSIHV_WIRE_DATA_MAX];
		} data;
		struct {
			u64 vm_id;	/* cluster-wide VM id */
			u64 gfn;	/* guest frame number */
			u32 slot;	/* landing slot of the sender; PUT:
					 * inbox slot of the receiver
					 */
			u8 access;	/* SSIHV_FRAME_READ ... _PUT */
		} frame_req;	/* the requester is the sender (src) */
		struct {
			s32 status;
			u32 csum;	/* ssihv_page_csum() of the frame */
		} frame_rep;
	};
};

/*
 * What the receiver knows about the sender and itself, for range checks.
 * A zero pool size means "no pool announced yet": any page/slot is out of
 * range.
 */
struct ssihv_wire_limits {
	u16 peer;		/* expected src, or SSIHV_WIRE_ANY_NODE */
	u32 serve_pages;	/* this host's serve pool */
	u32 inbox_pages;	/* this host's inbox */
	u32 peer_landing_pages;	/* the peer's landing slots */
	u32 my_landing_pages;	/* this host's landing slots */
};

static inline const char *ssihv_wire_err_str(int err)
{
	static const char *const names[__SSIHV_WIRE_NR_ERR] = {
		"ok", "short", "bad magic", "bad version", "bad flags",
		"bad type", "bad length", "bad source", "field out of range",
	};

	if (err < 0 || err >= __SSIHV_WIRE_NR_ERR)
		return "?";
	return names[err];
}

/* Does [base, base + len) wrap around the 64-bit address space? */
static inline bool ssihv_wire_wraps(u64 base, u64 len)
{
	return base + len < base;
}

static inline void ssihv_put16(u8 *p, u16 v)
{
	p[0] = (u8)(v & 0xff);
	p[1] = (u8)(v >> 8);
}

static inline void ssihv_put32(u8 *p, u32 v)
{
	ssihv_put16(p, (u16)(v & 0xffff));
	ssihv_put16(p + 2, (u16)(v >> 16));
}

static inline void ssihv_put64(u8 *p, u64 v)
{
	ssihv_put32(p, (u32)(v & 0xffffffffU));
	ssihv_put32(p + 4, (u32)(v >> 32));
}

static inline u16 ssihv_get16(const u8 *p)
{
	return (u16)(p[0] | (p[1] << 8));
}

static inline u32 ssihv_get32(const u8 *p)
{
	return ssihv_get16(p) | ((u32)ssihv_get16(p + 2) << 16);
}

static inline u64 ssihv_get64(const u8 *p)
{
	return ssihv_get32(p) | ((u64)ssihv_get32(p + 4) << 32);
}

/* Payload bytes of a fixed-size type, or -1 (unknown or variable). */
static inline int ssihv_wire_payload_len(unsigned int type)
{
	switch (type) {
	case SSIHV_MSG_HELLO:
		return 24;
	case SSIHV_MSG_PING:
	case SSIHV_MSG_PONG:
	case SSIHV_MSG_FETCH_REP:
	case SSIHV_MSG_PUSH_ACK:
	case SSIHV_MSG_FRAME_REP:
		return 8;
	case SSIHV_MSG_FETCH_REQ:
	case SSIHV_MSG_PUSH:
		return 16;
	case SSIHV_MSG_FRAME_REQ:
		return 24;
	default:
		return -1;
	}
}

static inline bool ssihv_wire_status_ok(s32 status)
{
	return status <= 0 && status >= -SSIHV_WIRE_MAX_ERRNO;
}

/* A FRAME_REP status: a wire status or one of the grants' flag sets. */
static inline bool ssihv_frame_status_ok(s32 status)
{
	return status == SSIHV_FRAME_KEEP || status == SSIHV_FRAME_EXCL ||
	       status == SSIHV_FRAME_ZERO ||
	       status == (SSIHV_FRAME_EXCL | SSIHV_FRAME_ZERO) ||
	       ssihv_wire_status_ok(status);
}

/*
 * Encode msg (type, tag, src and the payload; len is computed) into buf
 * of cap bytes.  Returns the message length, or 0 if msg is invalid or
 * does not fit.
 */
static inline unsigned int ssihv_wire_encode(const struct ssihv_wire_msg *msg,
					     u8 *buf, unsigned int cap)
{
	u8 *p = buf + SSIHV_WIRE_HDR_LEN;
	int plen = ssihv_wire_payload_len(msg->type);
	unsigned int len;

	if (msg->type == SSIHV_MSG_DATA) {
		if (msg->data.len > SSIHV_WIRE_DATA_MAX)
			return 0;
		plen = 4 + (int)msg->data.len;
	}
	if (plen < 0)
		return 0;
	len = SSIHV_WIRE_HDR_LEN + (unsigned int)plen;
	if (len > cap)
		return 0;

	ssihv_put32(buf, SSIHV_WIRE_MAGIC);
	buf[4] = SSIHV_WIRE_VERSION;
	buf[5] = msg->type;
	ssihv_put16(buf + 6, (u16)len);
	ssihv_put32(buf + 8, msg->tag);
	ssihv_put16(buf + 12, msg->src);
	ssihv_put16(buf + 14, 0);

	switch (msg->type) {
	case SSIHV_MSG_HELLO:
		ssihv_put64(p, msg->hello.pool_addr);
		ssihv_put32(p + 8, msg->hello.rkey);
		ssihv_put32(p + 12, msg->hello.serve_pages);
		ssihv_put32(p + 16, msg->hello.inbox_pages);
		ssihv_put32(p + 20, msg->hello.landing_pages);
		break;
	case SSIHV_MSG_PING:
	case SSIHV_MSG_PONG:
		ssihv_put64(p, msg->ping.stamp);
		break;
	case SSIHV_MSG_FETCH_REQ:
		ssihv_put64(p, msg->fetch_req.page);
		ssihv_put32(p + 8, msg->fetch_req.slot);
		ssihv_put32(p + 12, 0);
		break;
	case SSIHV_MSG_FETCH_REP:
		ssihv_put32(p, (u32)msg->fetch_rep.status);
		ssihv_put32(p + 4, msg->fetch_rep.csum);
		break;
	case SSIHV_MSG_PUSH:
		ssihv_put64(p, msg->push.key);
		ssihv_put32(p + 8, msg->push.slot);
		ssihv_put32(p + 12, msg->push.csum);
		break;
	case SSIHV_MSG_PUSH_ACK:
		ssihv_put32(p, (u32)msg->push_ack.status);
		ssihv_put32(p + 4, msg->push_ack.slot);
		break;
	case SSIHV_MSG_FRAME_REQ:
		ssihv_put64(p, msg->frame_req.vm_id);
		ssihv_put64(p + 8, msg->frame_req.gfn);
		ssihv_put32(p + 16, msg->frame_req.slot);
		p[20] = msg->frame_req.access;
		p[21] = 0;
		ssihv_put16(p + 22, 0);
		break;
	case SSIHV_MSG_FRAME_REP:
		ssihv_put32(p, (u32)msg->frame_rep.status);
		ssihv_put32(p + 4, msg->frame_rep.csum);
		break;
	case SSIHV_MSG_DATA: {
		u32 i;

		ssihv_put32(p, msg->data.len);
		for (i = 0; i < msg->data.len; i++)
			p[4 + i] = msg->data.data[i];
		break;
	}
	}
	return len;
}

/*
 * Check n received bytes at buf and decode them into msg.  Checks, in
 * order: length of a header, magic, version, flags, type, that the len
 * field equals n and the type's length, the sender, and every payload
 * field's range against lim.  Returns SSIHV_WIRE_OK or the reason.
 */
static inline int ssihv_wire_decode(const u8 *buf, unsigned long n,
				    const struct ssihv_wire_limits *lim,
				    struct ssihv_wire_msg *msg)
{
	const u8 *p = buf + SSIHV_WIRE_HDR_LEN;
	unsigned int type, len;
	int plen;
	u32 i;

	if (n < SSIHV_WIRE_HDR_LEN)
		return SSIHV_WIRE_ESHORT;
	if (ssihv_get32(buf) != SSIHV_WIRE_MAGIC)
		return SSIHV_WIRE_EMAGIC;
	if (buf[4] != SSIHV_WIRE_VERSION)
		return SSIHV_WIRE_EVERSION;
	if (ssihv_get16(buf + 14) != 0)
		return SSIHV_WIRE_EFLAGS;
	type = buf[5];
	if (type < SSIHV_MSG_HELLO || type >= __SSIHV_MSG_MAX)
		return SSIHV_WIRE_ETYPE;
	len = ssihv_get16(buf + 6);
	if (len != n || len > SSIHV_WIRE_MAX_LEN)
		return SSIHV_WIRE_ELEN;
	if (type == SSIHV_MSG_DATA) {
		if (len < SSIHV_WIRE_HDR_LEN + 4 ||
		    ssihv_get32(p) != len - SSIHV_WIRE_HDR_LEN - 4)
			return SSIHV_WIRE_ELEN;
	} else {
		plen = ssihv_wire_payload_len(type);
		if (len != SSIHV_WIRE_HDR_LEN + (unsigned int)plen)
			return SSIHV_WIRE_ELEN;
	}

	msg->type = (u8)type;
	msg->len = (u16)len;
	msg->tag = ssihv_get32(buf + 8);
	msg->src = ssihv_get16(buf + 12);
	if (msg->src >= SSIHV_WIRE_MAX_NODES ||
	    (lim->peer != SSIHV_WIRE_ANY_NODE && msg->src != lim->peer))
		return SSIHV_WIRE_ESRC;

	switch (type) {
	case SSIHV_MSG_HELLO:
		msg->hello.pool_addr = ssihv_get64(p);
		msg->hello.rkey = ssihv_get32(p + 8);
		msg->hello.serve_pages = ssihv_get32(p + 12);
		msg->hello.inbox_pages = ssihv_get32(p + 16);
		msg->hello.landing_pages = ssihv_get32(p + 20);
		if (msg->hello.pool_addr % SSIHV_WIRE_PAGE_SIZE ||
		    !msg->hello.serve_pages ||
		    msg->hello.serve_pages > SSIHV_WIRE_MAX_POOL ||
		    msg->hello.inbox_pages > SSIHV_WIRE_MAX_POOL ||
		    msg->hello.landing_pages > SSIHV_WIRE_MAX_POOL)
			return SSIHV_WIRE_ERANGE;
		/* The pool must not wrap around the address space. */
		if (ssihv_wire_wraps(msg->hello.pool_addr,
				     (u64)(msg->hello.serve_pages +
					   msg->hello.inbox_pages +
					   msg->hello.landing_pages) *
				     SSIHV_WIRE_PAGE_SIZE))
			return SSIHV_WIRE_ERANGE;
		break;
	case SSIHV_MSG_PING:
	case SSIHV_MSG_PONG:
		msg->ping.stamp = ssihv_get64(p);
		break;
	case SSIHV_MSG_FETCH_REQ:
		msg->fetch_req.page = ssihv_get64(p);
		msg->fetch_req.slot = ssihv_get32(p + 8);
		if (ssihv_get32(p + 12) != 0 ||
		    msg->fetch_req.page >= lim->serve_pages ||
		    msg->fetch_req.slot >= lim->peer_landing_pages)
			return SSIHV_WIRE_ERANGE;
		break;
	case SSIHV_MSG_FETCH_REP:
		msg->fetch_rep.status = (s32)ssihv_get32(p);
		msg->fetch_rep.csum = ssihv_get32(p + 4);
		if (!ssihv_wire_status_ok(msg->fetch_rep.status))
			return SSIHV_WIRE_ERANGE;
		break;
	case SSIHV_MSG_PUSH:
		msg->push.key = ssihv_get64(p);
		msg->push.slot = ssihv_get32(p + 8);
		msg->push.csum = ssihv_get32(p + 12);
		if (msg->push.slot >= lim->inbox_pages)
			return SSIHV_WIRE_ERANGE;
		break;
	case SSIHV_MSG_PUSH_ACK:
		msg->push_ack.status = (s32)ssihv_get32(p);
		msg->push_ack.slot = ssihv_get32(p + 4);
		if (!ssihv_wire_status_ok(msg->push_ack.status))
			return SSIHV_WIRE_ERANGE;
		break;
	case SSIHV_MSG_FRAME_REQ:
		msg->frame_req.vm_id = ssihv_get64(p);
		msg->frame_req.gfn = ssihv_get64(p + 8);
		msg->frame_req.slot = ssihv_get32(p + 16);
		msg->frame_req.access = p[20];
		if (p[21] || ssihv_get16(p + 22) ||
		    msg->frame_req.access < SSIHV_FRAME_READ ||
		    msg->frame_req.access > SSIHV_FRAME_PUT ||
		    msg->frame_req.gfn > SSIHV_WIRE_MAX_GFN ||
		    msg->frame_req.slot >= (msg->frame_req.access ==
					    SSIHV_FRAME_PUT ?
					    lim->inbox_pages :
					    lim->peer_landing_pages))
			return SSIHV_WIRE_ERANGE;
		break;
	case SSIHV_MSG_FRAME_REP:
		msg->frame_rep.status = (s32)ssihv_get32(p);
		msg->frame_rep.csum = ssihv_get32(p + 4);
		if (!ssihv_frame_status_ok(msg->frame_rep.status))
			return SSIHV_WIRE_ERANGE;
		break;
	case SSIHV_MSG_DATA:
		msg->data.len = ssihv_get32(p);
		for (i = 0; i < msg->data.len; i++)
			msg->data.data[i] = p[4 + i];
		break;
	}
	return SSIHV_WIRE_OK;
}

/*
 * rdma_cm private data of a connection request (12 bytes): magic u32,
 * version u8, zero u8, src node u16, dst node u16, zero u16.
 */
#define SSIHV_WIRE_CM_LEN	12

static inline void ssihv_wire_cm_encode(u8 *p, u16 src, u16 dst)
{
	ssihv_put32(p, SSIHV_WIRE_MAGIC);
	p[4] = SSIHV_WIRE_VERSION;
	p[5] = 0;
	ssihv_put16(p + 6, src);
	ssihv_put16(p + 8, dst);
	ssihv_put16(p + 10, 0);
}

/* n may exceed SSIHV_WIRE_CM_LEN: transports pad private data. */
static inline int ssihv_wire_cm_decode(const u8 *p, unsigned long n,
				       u16 *src, u16 *dst)
{
	if (!p || n < SSIHV_WIRE_CM_LEN)
		return SSIHV_WIRE_ESHORT;
	if (ssihv_get32(p) != SSIHV_WIRE_MAGIC)
		return SSIHV_WIRE_EMAGIC;
	if (p[4] != SSIHV_WIRE_VERSION)
		return SSIHV_WIRE_EVERSION;
	if (p[5] || ssihv_get16(p + 10))
		return SSIHV_WIRE_EFLAGS;
	*src = ssihv_get16(p + 6);
	*dst = ssihv_get16(p + 8);
	if (*src >= SSIHV_WIRE_MAX_NODES || *dst >= SSIHV_WIRE_MAX_NODES ||
	    *src == *dst)
		return SSIHV_WIRE_ESRC;
	return SSIHV_WIRE_OK;
}

/* Test pages: a deterministic pattern per (node, key) and a checksum. */
static inline u64 ssihv_mix64(u64 x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

static inline void ssihv_pattern_fill(void *page, u32 node, u64 key)
{
	u64 seed = ssihv_mix64(((u64)node << 48) ^ key ^ 0x9e3779b97f4a7c15ULL);
	u8 *p = page;
	unsigned int i;

	for (i = 0; i < SSIHV_WIRE_PAGE_SIZE / 8; i++)
		ssihv_put64(p + 8 * i, ssihv_mix64(seed + i));
}

/* FNV-1a over the page's 64-bit words, folded to 32 bits. */
static inline u32 ssihv_page_csum(const void *page)
{
	const u8 *p = page;
	u64 h = 0xcbf29ce484222325ULL;
	unsigned int i;

	for (i = 0; i < SSIHV_WIRE_PAGE_SIZE / 8; i++)
		h = (h ^ ssihv_get64(p + 8 * i)) * 0x100000001b3ULL;
	return (u32)(h ^ (h >> 32));
}

#endif /* _SSIHV_PROTO_WIRE_H */
