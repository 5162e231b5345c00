// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests for the node-to-node wire format (kmod/proto/wire.h),
 * the same header the module compiles: round trips of every type, and
 * rejection of every malformed header and out-of-range field.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../../kmod/proto/wire.h"

#define ARRAY_SIZE(array) (sizeof(array) / sizeof((array)[0]))

static const struct ssihv_wire_limits lim = {
	.peer = 3,
	.serve_pages = 256,
	.inbox_pages = 64,
	.peer_landing_pages = 64,
	.my_landing_pages = 64,
};

static unsigned int enc(const struct ssihv_wire_msg *m, uint8_t *buf)
{
	unsigned int n = ssihv_wire_encode(m, buf, SSIHV_WIRE_MAX_LEN);

	assert_true(n >= SSIHV_WIRE_HDR_LEN);
	return n;
}

static void test_header_layout(void **state)
{
	struct ssihv_wire_msg m = { .type = SSIHV_MSG_PING, .tag = 0x01020304,
				    .src = 3, .ping.stamp = 7 };
	uint8_t buf[SSIHV_WIRE_MAX_LEN];
	unsigned int n = enc(&m, buf);

	assert_int_equal(n, 24);
	assert_memory_equal(buf, "SSHV", 4);
	assert_int_equal(buf[4], SSIHV_WIRE_VERSION);
	assert_int_equal(buf[5], SSIHV_MSG_PING);
	assert_int_equal(buf[6], 24);
	assert_int_equal(buf[7], 0);
	assert_int_equal(buf[8], 4);
	assert_int_equal(buf[11], 1);
	assert_int_equal(buf[12], 3);
	assert_int_equal(buf[14] | buf[15], 0);
	assert_int_equal(buf[16], 7);
}

static void test_round_trip_every_type(void **state)
{
	struct ssihv_wire_msg in[] = {
		{ .type = SSIHV_MSG_HELLO, .hello = { 0x10000, 0xabcd, 256,
						      64, 64 } },
		{ .type = SSIHV_MSG_PING, .ping.stamp = 0x1122334455667788ULL },
		{ .type = SSIHV_MSG_PONG, .ping.stamp = 1 },
		{ .type = SSIHV_MSG_FETCH_REQ, .fetch_req = { 255, 63 } },
		{ .type = SSIHV_MSG_FETCH_REP, .fetch_rep = { -5, 0xdeadbeef } },
		{ .type = SSIHV_MSG_PUSH, .push = { 99, 63, 0x12345678 } },
		{ .type = SSIHV_MSG_PUSH_ACK, .push_ack = { 0, 5 } },
		{ .type = SSIHV_MSG_DATA, .data = { 3, { 'a', 'b', 'c' } } },
	};
	uint8_t buf[SSIHV_WIRE_MAX_LEN];
	struct ssihv_wire_msg out;
	unsigned int i, n;

	for (i = 0; i < ARRAY_SIZE(in); i++) {
		in[i].tag = 1000 + i;
		in[i].src = 3;
		n = enc(&in[i], buf);
		memset(&out, 0xff, sizeof(out));
		assert_int_equal(ssihv_wire_decode(buf, n, &lim, &out),
				 SSIHV_WIRE_OK);
		assert_int_equal(out.type, in[i].type);
		assert_int_equal(out.len, n);
		assert_int_equal(out.tag, 1000 + i);
		assert_int_equal(out.src, 3);
	}
	n = enc(&in[0], buf);
	ssihv_wire_decode(buf, n, &lim, &out);
	assert_int_equal(out.hello.pool_addr, 0x10000);
	assert_int_equal(out.hello.rkey, 0xabcd);
	n = enc(&in[4], buf);
	ssihv_wire_decode(buf, n, &lim, &out);
	assert_int_equal(out.fetch_rep.status, -5);
	assert_int_equal(out.fetch_rep.csum, 0xdeadbeef);
	n = enc(&in[7], buf);
	assert_int_equal(n, SSIHV_WIRE_HDR_LEN + 4 + 3);
	ssihv_wire_decode(buf, n, &lim, &out);
	assert_int_equal(out.data.len, 3);
	assert_memory_equal(out.data.data, "abc", 3);
}

static void test_bad_headers(void **state)
{
	struct ssihv_wire_msg m = { .type = SSIHV_MSG_PING, .src = 3 };
	uint8_t buf[SSIHV_WIRE_MAX_LEN + 8], bad[SSIHV_WIRE_MAX_LEN + 8];
	struct ssihv_wire_msg out;
	unsigned int n = enc(&m, buf), i;

	for (i = 0; i < SSIHV_WIRE_HDR_LEN; i++)
		assert_int_equal(ssihv_wire_decode(buf, i, &lim, &out),
				 SSIHV_WIRE_ESHORT);
	memcpy(bad, buf, n);
	bad[0] ^= 1;
	assert_int_equal(ssihv_wire_decode(bad, n, &lim, &out),
			 SSIHV_WIRE_EMAGIC);
	memcpy(bad, buf, n);
	bad[4] = 2;
	assert_int_equal(ssihv_wire_decode(bad, n, &lim, &out),
			 SSIHV_WIRE_EVERSION);
	bad[4] = 0;
	assert_int_equal(ssihv_wire_decode(bad, n, &lim, &out),
			 SSIHV_WIRE_EVERSION);
	memcpy(bad, buf, n);
	bad[15] = 0x80;
	assert_int_equal(ssihv_wire_decode(bad, n, &lim, &out),
			 SSIHV_WIRE_EFLAGS);
	for (i = 0; i < 256; i++) {
		memcpy(bad, buf, n);
		bad[5] = (uint8_t)i;
		if (i >= SSIHV_MSG_HELLO && i < __SSIHV_MSG_MAX)
			continue;
		assert_int_equal(ssihv_wire_decode(bad, n, &lim, &out),
				 SSIHV_WIRE_ETYPE);
	}
	/* len field vs bytes received, both ways */
	assert_int_equal(ssihv_wire_decode(buf, n - 1, &lim, &out),
			 SSIHV_WIRE_ELEN);
	memcpy(bad, buf, n);
	bad[n] = 0;
	assert_int_equal(ssihv_wire_decode(bad, n + 1, &lim, &out),
			 SSIHV_WIRE_ELEN);
	/* a PING claiming to be a FETCH_REQ is too short for it */
	memcpy(bad, buf, n);
	bad[5] = SSIHV_MSG_FETCH_REQ;
	assert_int_equal(ssihv_wire_decode(bad, n, &lim, &out),
			 SSIHV_WIRE_ELEN);
	/* wrong sender */
	memcpy(bad, buf, n);
	bad[12] = 4;
	assert_int_equal(ssihv_wire_decode(bad, n, &lim, &out),
			 SSIHV_WIRE_ESRC);
	bad[12] = 0;
	bad[13] = 1;	/* node 256 */
	assert_int_equal(ssihv_wire_decode(bad, n, &lim, &out),
			 SSIHV_WIRE_ESRC);
}

static void test_bad_fields(void **state)
{
	struct ssihv_wire_msg m = { .src = 3 };
	uint8_t buf[SSIHV_WIRE_MAX_LEN];
	struct ssihv_wire_msg out;
	unsigned int n;

	m.type = SSIHV_MSG_FETCH_REQ;
	m.fetch_req.page = 256;		/* one past the serve pool */
	n = enc(&m, buf);
	assert_int_equal(ssihv_wire_decode(buf, n, &lim, &out),
			 SSIHV_WIRE_ERANGE);
	m.fetch_req.page = 1ULL << 60;
	n = enc(&m, buf);
	assert_int_equal(ssihv_wire_decode(buf, n, &lim, &out),
			 SSIHV_WIRE_ERANGE);
	m.fetch_req.page = 0;
	m.fetch_req.slot = 64;
	n = enc(&m, buf);
	assert_int_equal(ssihv_wire_decode(buf, n, &lim, &out),
			 SSIHV_WIRE_ERANGE);
	m.fetch_req.slot = 0;
	n = enc(&m, buf);
	buf[SSIHV_WIRE_HDR_LEN + 12] = 1;	/* reserved word */
	assert_int_equal(ssihv_wire_decode(buf, n, &lim, &out),
			 SSIHV_WIRE_ERANGE);

	m.type = SSIHV_MSG_PUSH;
	m.push.slot = 64;
	n = enc(&m, buf);
	assert_int_equal(ssihv_wire_decode(buf, n, &lim, &out),
			 SSIHV_WIRE_ERANGE);

	m.type = SSIHV_MSG_FETCH_REP;
	m.fetch_rep.status = 1;
	n = enc(&m, buf);
	assert_int_equal(ssihv_wire_decode(buf, n, &lim, &out),
			 SSIHV_WIRE_ERANGE);
	m.fetch_rep.status = -4096;
	n = enc(&m, buf);
	assert_int_equal(ssihv_wire_decode(buf, n, &lim, &out),
			 SSIHV_WIRE_ERANGE);

	m.type = SSIHV_MSG_HELLO;
	m.hello.pool_addr = 0x1001;
	m.hello.serve_pages = 1;
	n = enc(&m, buf);
	assert_int_equal(ssihv_wire_decode(buf, n, &lim, &out),
			 SSIHV_WIRE_ERANGE);
	m.hello.pool_addr = 0;
	m.hello.serve_pages = 0;
	n = enc(&m, buf);
	assert_int_equal(ssihv_wire_decode(buf, n, &lim, &out),
			 SSIHV_WIRE_ERANGE);
	m.hello.serve_pages = SSIHV_WIRE_MAX_POOL + 1;
	n = enc(&m, buf);
	assert_int_equal(ssihv_wire_decode(buf, n, &lim, &out),
			 SSIHV_WIRE_ERANGE);
	m.hello.serve_pages = 16;
	m.hello.pool_addr = ~0ULL & ~4095ULL;
	n = enc(&m, buf);
	assert_int_equal(ssihv_wire_decode(buf, n, &lim, &out),
			 SSIHV_WIRE_ERANGE);

	/* DATA: payload length must match the header's */
	m.type = SSIHV_MSG_DATA;
	m.data.len = 10;
	n = enc(&m, buf);
	buf[SSIHV_WIRE_HDR_LEN] = 11;
	assert_int_equal(ssihv_wire_decode(buf, n, &lim, &out),
			 SSIHV_WIRE_ELEN);
	m.data.len = SSIHV_WIRE_DATA_MAX + 1;
	assert_int_equal(ssihv_wire_encode(&m, buf, sizeof(buf)), 0);

	/* no pool announced yet: every page is out of range */
	{
		struct ssihv_wire_limits none = { .peer = 3 };

		m.type = SSIHV_MSG_FETCH_REQ;
		m.fetch_req.page = 0;
		m.fetch_req.slot = 0;
		n = enc(&m, buf);
		assert_int_equal(ssihv_wire_decode(buf, n, &none, &out),
				 SSIHV_WIRE_ERANGE);
	}
}

/* Every byte string up to the largest message decodes or is rejected. */
static void test_random_bytes_never_accepted_blindly(void **state)
{
	uint8_t buf[SSIHV_WIRE_MAX_LEN];
	struct ssihv_wire_msg out;
	uint64_t x = 88172645463325252ULL;
	unsigned int i, j, n, ok = 0;

	for (i = 0; i < 200000; i++) {
		n = (unsigned int)(x % (SSIHV_WIRE_MAX_LEN + 1));
		for (j = 0; j < n; j++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			buf[j] = (uint8_t)x;
		}
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		if (ssihv_wire_decode(buf, n, &lim, &out) == SSIHV_WIRE_OK)
			ok++;
	}
	assert_int_equal(ok, 0);
}

static void test_pattern_and_csum(void **state)
{
	static uint8_t a[4096], b[4096];

	ssihv_pattern_fill(a, 1, 42);
	ssihv_pattern_fill(b, 1, 42);
	assert_memory_equal(a, b, 4096);
	assert_int_equal(ssihv_page_csum(a), ssihv_page_csum(b));
	ssihv_pattern_fill(b, 2, 42);
	assert_int_not_equal(ssihv_page_csum(a), ssihv_page_csum(b));
	ssihv_pattern_fill(b, 1, 43);
	assert_int_not_equal(ssihv_page_csum(a), ssihv_page_csum(b));
	memcpy(b, a, 4096);
	b[4095] ^= 1;
	assert_int_not_equal(ssihv_page_csum(a), ssihv_page_csum(b));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_layout),
		cmocka_unit_test(test_round_trip_every_type),
		cmocka_unit_test(test_bad_headers),
		cmocka_unit_test(test_bad_fields),
		cmocka_unit_test(test_random_bytes_never_accepted_blindly),
		cmocka_unit_test(test_pattern_and_csum),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
