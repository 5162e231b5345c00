// SPDX-License-Identifier: GPL-2.0
/*
 * rdma_badpeer: a hostile node for ssihv.ko's RDMA transport, in
 * userspace (librdmacm + libibverbs).  It connects to the module's
 * listener as node MY_ID, exchanges HELLOs, then sends malformed messages
 * (short, bad magic, wrong version, bad type, wrong length, wrong sender,
 * absurd page numbers and slots, replies nobody asked for, a second HELLO,
 * SEND with immediate), then checks that the module still answers a PING
 * and still serves a correct page, detects a corrupted push, and finally
 * sends a message larger than any receive buffer, which must make the
 * module drop the connection (and nothing worse).  Prints TAP; the number
 * of malformed messages the module must have counted is printed as
 * "# bad messages sent: N" (tests/vm/62-rdma-malformed.sh checks it).
 *
 * Usage: rdma_badpeer ADDR PORT MY_ID MODULE_ID
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <infiniband/verbs.h>
#include <rdma/rdma_cma.h>

#include "../kmod/proto/wire.h"

#define PAGE		4096
#define POOL_PAGES	4	/* serve 1, inbox 1, landing 2 */
#define NRECV		32
#define RBUF		256
#define NSEND		32
#define SBUF		256
#define BIG		2048

static struct rdma_event_channel *ec;
static struct rdma_cm_id *id;
static struct ibv_pd *pd;
static struct ibv_cq *cq;
static struct ibv_mr *mr;
static uint8_t *mem;		/* pool | recv buffers | send buffers | big */
static uint16_t my_id, peer_id;
static unsigned int send_next, sends_posted, sends_done, send_errors;
static bool disconnected, recv_error;
static int tap_n, tap_fail;

static struct ssihv_wire_msg got[128];
static unsigned int n_got;

#define RECV_OFF	(POOL_PAGES * PAGE)
#define SEND_OFF	(RECV_OFF + NRECV * RBUF)
#define BIG_OFF		(SEND_OFF + NSEND * SBUF)
#define MEM_SIZE	(BIG_OFF + BIG)

static void tap(bool ok, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void tap(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d ", ok ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!ok)
		tap_fail = 1;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

static int wait_cm(enum rdma_cm_event_type want, int ms)
{
	struct pollfd pfd = { .fd = ec->fd, .events = POLLIN };
	struct rdma_cm_event *ev;
	int type;

	if (poll(&pfd, 1, ms) <= 0)
		return -ETIMEDOUT;
	if (rdma_get_cm_event(ec, &ev))
		return -errno;
	type = ev->event;
	rdma_ack_cm_event(ev);
	if (type == RDMA_CM_EVENT_DISCONNECTED)
		disconnected = true;
	return type == (int)want ? 0 : -type - 1000;
}

static int post_recv(unsigned int i)
{
	struct ibv_sge sge = {
		.addr = (uintptr_t)(mem + RECV_OFF + i * RBUF),
		.length = RBUF,
		.lkey = mr->lkey,
	};
	struct ibv_recv_wr wr = { .wr_id = i, .sg_list = &sge, .num_sge = 1 };
	struct ibv_recv_wr *bad;

	return ibv_post_recv(id->qp, &wr, &bad);
}

static int post_send_buf(uint8_t *buf, unsigned int len, bool imm)
{
	struct ibv_sge sge = {
		.addr = (uintptr_t)buf,
		.length = len,
		.lkey = mr->lkey,
	};
	struct ibv_send_wr wr = {
		.wr_id = 1000,
		.sg_list = &sge,
		.num_sge = len ? 1 : 0,
		.opcode = imm ? IBV_WR_SEND_WITH_IMM : IBV_WR_SEND,
		.send_flags = IBV_SEND_SIGNALED,
		.imm_data = htonl(1),
	};
	struct ibv_send_wr *bad;
	int ret = ibv_post_send(id->qp, &wr, &bad);

	if (!ret)
		sends_posted++;
	return ret;
}

static int send_raw(const void *data, unsigned int len, bool imm)
{
	uint8_t *buf = mem + SEND_OFF + (send_next++ % NSEND) * SBUF;

	memcpy(buf, data, len);
	return post_send_buf(buf, len, imm);
}

static int send_msg(struct ssihv_wire_msg *m)
{
	uint8_t buf[SBUF];
	unsigned int len;

	m->src = my_id;
	len = ssihv_wire_encode(m, buf, sizeof(buf));
	return len ? send_raw(buf, len, false) : -EINVAL;
}

/* Poll completions for up to ms; answers the module's PINGs. */
static void pump(int ms)
{
	const struct ssihv_wire_limits lim = {
		.peer = peer_id, .serve_pages = 1, .inbox_pages = 1,
		.peer_landing_pages = 64, .my_landing_pages = 2,
	};
	uint64_t end = now_ms() + ms;
	struct ssihv_wire_msg m;
	struct ibv_wc wc[16];
	int n, i;

	do {
		n = ibv_poll_cq(cq, 16, wc);
		for (i = 0; i < n; i++) {
			if (wc[i].wr_id >= 1000) {
				sends_done++;
				if (wc[i].status != IBV_WC_SUCCESS)
					send_errors++;
				continue;
			}
			if (wc[i].status != IBV_WC_SUCCESS) {
				recv_error = true;
				continue;
			}
			if (!ssihv_wire_decode(mem + RECV_OFF +
					       wc[i].wr_id * RBUF,
					       wc[i].byte_len, &lim, &m)) {
				if (m.type == SSIHV_MSG_PING) {
					m.type = SSIHV_MSG_PONG;
					send_msg(&m);
				} else if (n_got < 128) {
					got[n_got++] = m;
				}
			}
			post_recv(wc[i].wr_id);
		}
		if (!n)
			usleep(1000);
	} while (now_ms() < end);
}

static struct ssihv_wire_msg *wait_msg(uint8_t type, uint32_t tag, int ms)
{
	uint64_t end = now_ms() + ms;
	unsigned int i;

	do {
		for (i = 0; i < n_got; i++)
			if (got[i].type == type && (!tag || got[i].tag == tag))
				return &got[i];
		pump(10);
	} while (now_ms() < end);
	return NULL;
}

static void cleanup(void)
{
	if (id && id->qp)
		rdma_destroy_qp(id);
	if (mr)
		ibv_dereg_mr(mr);
	if (cq)
		ibv_destroy_cq(cq);
	if (pd)
		ibv_dealloc_pd(pd);
	if (id)
		rdma_destroy_id(id);
	if (ec)
		rdma_destroy_event_channel(ec);
	id = NULL;
	mr = NULL;
	cq = NULL;
	pd = NULL;
	ec = NULL;
}

static int connect_once(const struct sockaddr_in *sin)
{
	struct ibv_qp_init_attr qa = { 0 };
	struct rdma_conn_param cp = { 0 };
	uint8_t pdata[SSIHV_WIRE_CM_LEN];
	unsigned int i;
	int ret;

	ec = rdma_create_event_channel();
	if (!ec || rdma_create_id(ec, &id, NULL, RDMA_PS_TCP))
		return -1;
	if (rdma_resolve_addr(id, NULL, (struct sockaddr *)sin, 2000) ||
	    wait_cm(RDMA_CM_EVENT_ADDR_RESOLVED, 5000) ||
	    rdma_resolve_route(id, 2000) ||
	    wait_cm(RDMA_CM_EVENT_ROUTE_RESOLVED, 5000))
		return -1;
	pd = ibv_alloc_pd(id->verbs);
	cq = pd ? ibv_create_cq(id->verbs, 256, NULL, NULL, 0) : NULL;
	if (!cq)
		return -1;
	qa.send_cq = cq;
	qa.recv_cq = cq;
	qa.cap.max_send_wr = 64;
	qa.cap.max_recv_wr = NRECV;
	qa.cap.max_send_sge = 1;
	qa.cap.max_recv_sge = 1;
	qa.qp_type = IBV_QPT_RC;
	if (rdma_create_qp(id, pd, &qa))
		return -1;
	mr = ibv_reg_mr(pd, mem, MEM_SIZE, IBV_ACCESS_LOCAL_WRITE |
			IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ);
	if (!mr)
		return -1;
	for (i = 0; i < NRECV; i++)
		if (post_recv(i))
			return -1;
	ssihv_wire_cm_encode(pdata, my_id, peer_id);
	cp.private_data = pdata;
	cp.private_data_len = sizeof(pdata);
	cp.responder_resources = 4;
	cp.initiator_depth = 4;
	cp.retry_count = 7;
	cp.rnr_retry_count = 7;
	if (rdma_connect(id, &cp))
		return -1;
	ret = wait_cm(RDMA_CM_EVENT_ESTABLISHED, 10000);
	return ret ? -1 : 0;
}

/* A valid message of type, encoded, for mutation. */
static unsigned int valid(uint8_t *buf, uint8_t type)
{
	struct ssihv_wire_msg m = { .type = type, .src = my_id, .tag = 77 };

	return ssihv_wire_encode(&m, buf, SBUF);
}

int main(int argc, char **argv)
{
	struct ssihv_wire_msg m = { 0 }, *r;
	struct sockaddr_in sin = { .sin_family = AF_INET };
	uint8_t buf[SBUF], page[PAGE];
	unsigned int n, bad = 0, i;
	int tries;

	if (argc != 5 || inet_pton(AF_INET, argv[1], &sin.sin_addr) != 1) {
		fprintf(stderr, "usage: %s ADDR PORT MY_ID MODULE_ID\n",
			argv[0]);
		return 2;
	}
	sin.sin_port = htons(atoi(argv[2]));
	my_id = atoi(argv[3]);
	peer_id = atoi(argv[4]);
	mem = aligned_alloc(PAGE, MEM_SIZE);
	if (!mem)
		return 1;
	memset(mem, 0, MEM_SIZE);

	printf("TAP version 13\n1..8\n");
	for (tries = 0; tries < 60; tries++) {
		if (!connect_once(&sin))
			break;
		cleanup();
		sleep(1);
	}
	tap(tries < 60, "connected to the module's listener as node %u",
	    my_id);
	if (tries >= 60)
		return 1;

	r = wait_msg(SSIHV_MSG_HELLO, 0, 10000);
	tap(r, "module sent a valid HELLO");
	m.type = SSIHV_MSG_HELLO;
	m.hello.pool_addr = (uintptr_t)mem;
	m.hello.rkey = mr->rkey;
	m.hello.serve_pages = 1;
	m.hello.inbox_pages = 1;
	m.hello.landing_pages = 2;
	send_msg(&m);
	pump(500);

	/* ---- malformed messages, each must be counted ---- */
	n = valid(buf, SSIHV_MSG_PING);
	send_raw(buf, 8, false), bad++;			/* short */
	send_raw(buf, 0, false), bad++;			/* empty */
	buf[0] ^= 0xff;
	send_raw(buf, n, false), bad++;			/* magic */
	buf[0] ^= 0xff;
	buf[4] = 2;
	send_raw(buf, n, false), bad++;			/* version 2 */
	buf[4] = 0;
	send_raw(buf, n, false), bad++;			/* version 0 */
	buf[4] = SSIHV_WIRE_VERSION;
	buf[5] = 0;
	send_raw(buf, n, false), bad++;			/* type 0 */
	buf[5] = 99;
	send_raw(buf, n, false), bad++;			/* type 99 */
	buf[5] = SSIHV_MSG_PING;
	buf[14] = 1;
	send_raw(buf, n, false), bad++;			/* flags */
	buf[14] = 0;
	buf[6] = 100;
	send_raw(buf, n, false), bad++;			/* len field */
	buf[6] = 20;
	send_raw(buf, 20, false), bad++;		/* truncated PING */
	buf[6] = n;
	buf[12] = 5;
	send_raw(buf, n, false), bad++;			/* wrong sender */
	buf[12] = 300 & 0xff;
	buf[13] = 300 >> 8;
	send_raw(buf, n, false), bad++;			/* sender > 255 */
	buf[12] = my_id;
	buf[13] = 0;
	send_raw(buf, n, true), bad++;			/* SEND w/ imm */

	memset(&m, 0, sizeof(m));
	m.type = SSIHV_MSG_FETCH_REQ;
	m.tag = 5;
	m.fetch_req.page = 256;
	send_msg(&m), bad++;				/* page past pool */
	m.fetch_req.page = 1ULL << 63;
	send_msg(&m), bad++;				/* absurd page */
	m.fetch_req.page = 0;
	m.fetch_req.slot = 2;
	send_msg(&m), bad++;				/* our slot 2: none */
	m.fetch_req.slot = 0;
	n = ssihv_wire_encode(&m, buf, SBUF);
	buf[SSIHV_WIRE_HDR_LEN + 12] = 1;
	send_raw(buf, n, false), bad++;			/* reserved word */
	memset(&m, 0, sizeof(m));
	m.type = SSIHV_MSG_PUSH;
	m.push.slot = 64;
	send_msg(&m), bad++;				/* inbox slot */
	memset(&m, 0, sizeof(m));
	m.type = SSIHV_MSG_FETCH_REP;
	m.fetch_rep.status = 1;
	send_msg(&m), bad++;				/* status > 0 */
	m.fetch_rep.status = 0;
	m.tag = 0x12345678;
	send_msg(&m), bad++;				/* nobody asked */
	m.type = SSIHV_MSG_PUSH_ACK;
	send_msg(&m), bad++;				/* nobody asked */
	m.type = SSIHV_MSG_PONG;
	send_msg(&m), bad++;				/* nobody asked */
	memset(&m, 0, sizeof(m));
	m.type = SSIHV_MSG_HELLO;
	m.hello.serve_pages = 1;
	send_msg(&m), bad++;				/* second HELLO */
	m.hello.serve_pages = 0;
	send_msg(&m), bad++;				/* empty pool */
	memset(&m, 0, sizeof(m));
	m.type = SSIHV_MSG_DATA;
	m.data.len = 10;
	n = ssihv_wire_encode(&m, buf, SBUF);
	buf[SSIHV_WIRE_HDR_LEN] = 11;
	send_raw(buf, n, false), bad++;			/* DATA length */
	for (i = 0; i < SBUF; i++)
		buf[i] = (uint8_t)(i * 37 + 11);
	send_raw(buf, SBUF, false), bad++;		/* garbage */
	pump(1000);
	tap(sends_done == sends_posted && !send_errors && !disconnected,
	    "%u malformed messages delivered, connection kept (%u/%u sends ok)",
	    bad, sends_done - send_errors, sends_posted);
	printf("# bad messages sent: %u\n", bad);

	/* ---- the module still works ---- */
	memset(&m, 0, sizeof(m));
	m.type = SSIHV_MSG_PING;
	m.tag = 0x777;
	m.ping.stamp = 42;
	send_msg(&m);
	r = wait_msg(SSIHV_MSG_PONG, 0x777, 5000);
	tap(r && r->ping.stamp == 42, "PING after them is answered");

	memset(&m, 0, sizeof(m));
	m.type = SSIHV_MSG_FETCH_REQ;
	m.tag = 0x999;
	m.fetch_req.page = 5;
	m.fetch_req.slot = 1;
	send_msg(&m);
	r = wait_msg(SSIHV_MSG_FETCH_REP, 0x999, 5000);
	ssihv_pattern_fill(page, peer_id, 5);
	tap(r && !r->fetch_rep.status &&
	    r->fetch_rep.csum == ssihv_page_csum(page) &&
	    !memcmp(mem + 3 * PAGE, page, PAGE),
	    "valid FETCH_REQ: page 5 written into our landing slot, intact");

	memset(&m, 0, sizeof(m));
	m.type = SSIHV_MSG_PUSH;
	m.tag = 0xaaa;
	m.push.slot = 0;
	m.push.csum = 0x1234;
	send_msg(&m);
	r = wait_msg(SSIHV_MSG_PUSH_ACK, 0xaaa, 5000);
	tap(r && r->push_ack.status == -EBADMSG,
	    "push whose checksum does not match is refused (%d)",
	    r ? r->push_ack.status : 0);
	tap(!recv_error, "no receive errors on our side");

	/* ---- larger than any receive buffer: the link must drop ---- */
	memset(mem + BIG_OFF, 0x5a, BIG);
	post_send_buf(mem + BIG_OFF, BIG, false);
	for (i = 0; i < 100 && !disconnected && !send_errors; i++) {
		pump(50);
		if (!wait_cm(RDMA_CM_EVENT_DISCONNECTED, 50))
			disconnected = true;
	}
	tap(disconnected || send_errors,
	    "oversized message: the module dropped the connection");
	cleanup();
	return tap_fail;
}
