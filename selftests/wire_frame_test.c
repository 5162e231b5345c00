// SPDX-License-Identifier: GPL-2.0
/*
 * The guest-frame messages of the wire protocol (FRAME_REQ, FRAME_REP in
 * kmod/proto/wire.h): layout, round trip, and every field the parser must
 * refuse.  Plain C against the same header the module builds; the
 * refusals of well-formed requests (unknown VM, frame outside the map,
 * not our frame) are checked between two nodes by remote_frames_test.
 */
#include "harness.h"
#include "../kmod/proto/wire.h"

static const struct ssihv_wire_limits lim = {
	.peer = 1,
	.serve_pages = 256,
	.inbox_pages = 64,
	.peer_landing_pages = 64,
	.my_landing_pages = 64,
};

static const struct ssihv_wire_msg req = {
	.type = SSIHV_MSG_FRAME_REQ, .tag = 0x4242, .src = 1,
	.frame_req = {
		.vm_id = 0x0123456789abcdefULL,
		.gfn = SSIHV_WIRE_MAX_GFN,
		.slot = 63,
		.access = SSIHV_FRAME_WRITE,
	},
};

static unsigned int encode(const struct ssihv_wire_msg *m, uint8_t *buf)
{
	unsigned int n = ssihv_wire_encode(m, buf, SSIHV_WIRE_MAX_LEN);

	ASSERT_GE(n, SSIHV_WIRE_HDR_LEN);
	return n;
}

TEST(frame_req_layout_and_round_trip)
{
	uint8_t buf[SSIHV_WIRE_MAX_LEN];
	struct ssihv_wire_msg out;
	unsigned int n = encode(&req, buf);

	ASSERT_EQ(n, SSIHV_WIRE_HDR_LEN + 24);
	EXPECT_EQ(buf[5], SSIHV_MSG_FRAME_REQ);
	EXPECT_EQ(ssihv_get64(buf + 16), req.frame_req.vm_id);
	EXPECT_EQ(ssihv_get64(buf + 24), req.frame_req.gfn);
	EXPECT_EQ(ssihv_get32(buf + 32), 63);
	EXPECT_EQ(buf[36], SSIHV_FRAME_WRITE);
	EXPECT_EQ(buf[37] | buf[38] | buf[39], 0);
	ASSERT_EQ(ssihv_wire_decode(buf, n, &lim, &out), SSIHV_WIRE_OK);
	EXPECT_EQ(out.type, SSIHV_MSG_FRAME_REQ);
	EXPECT_EQ(out.tag, 0x4242);
	EXPECT_EQ(out.src, 1);
	EXPECT_EQ(out.frame_req.vm_id, req.frame_req.vm_id);
	EXPECT_EQ(out.frame_req.gfn, req.frame_req.gfn);
	EXPECT_EQ(out.frame_req.slot, 63);
	EXPECT_EQ(out.frame_req.access, SSIHV_FRAME_WRITE);
}

TEST(frame_req_every_bad_field_is_refused)
{
	uint8_t buf[SSIHV_WIRE_MAX_LEN], bad[SSIHV_WIRE_MAX_LEN + 1];
	struct ssihv_wire_limits none = lim;
	struct ssihv_wire_msg m = req, out;
	unsigned int n = encode(&req, buf);
	static const uint8_t accesses[] = { 0, 6, 0x80, 0xff };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(accesses); i++) {
		memcpy(bad, buf, n);
		bad[36] = accesses[i];
		EXPECT_EQ(ssihv_wire_decode(bad, n, &lim, &out),
			  SSIHV_WIRE_ERANGE);
	}
	for (i = 37; i < 40; i++) {	/* the zero bytes */
		memcpy(bad, buf, n);
		bad[i] = 1;
		EXPECT_EQ(ssihv_wire_decode(bad, n, &lim, &out),
			  SSIHV_WIRE_ERANGE);
	}
	m.frame_req.gfn = SSIHV_WIRE_MAX_GFN + 1;
	n = encode(&m, bad);
	EXPECT_EQ(ssihv_wire_decode(bad, n, &lim, &out), SSIHV_WIRE_ERANGE);
	m.frame_req.gfn = ~0ULL;
	n = encode(&m, bad);
	EXPECT_EQ(ssihv_wire_decode(bad, n, &lim, &out), SSIHV_WIRE_ERANGE);
	m = req;
	m.frame_req.slot = 64;	/* the peer's landing pool has 64 */
	n = encode(&m, bad);
	EXPECT_EQ(ssihv_wire_decode(bad, n, &lim, &out), SSIHV_WIRE_ERANGE);
	/* no pool announced yet: no slot is valid */
	none.peer_landing_pages = 0;
	n = encode(&req, buf);
	EXPECT_EQ(ssihv_wire_decode(buf, n, &none, &out), SSIHV_WIRE_ERANGE);
	/* truncated, padded, length field lying */
	EXPECT_EQ(ssihv_wire_decode(buf, n - 1, &lim, &out), SSIHV_WIRE_ELEN);
	memcpy(bad, buf, n);
	bad[n] = 0;
	EXPECT_EQ(ssihv_wire_decode(bad, n + 1, &lim, &out), SSIHV_WIRE_ELEN);
	memcpy(bad, buf, n);
	bad[6] = (uint8_t)(n - 8);
	EXPECT_EQ(ssihv_wire_decode(bad, n - 8, &lim, &out), SSIHV_WIRE_ELEN);
	/* from a node that is not the connection's */
	m = req;
	m.src = 2;
	n = encode(&m, bad);
	EXPECT_EQ(ssihv_wire_decode(bad, n, &lim, &out), SSIHV_WIRE_ESRC);
	/* a FRAME_REQ is not a FETCH_REQ: that one is 16 bytes */
	n = encode(&req, bad);
	bad[5] = SSIHV_MSG_FETCH_REQ;
	EXPECT_EQ(ssihv_wire_decode(bad, n, &lim, &out), SSIHV_WIRE_ELEN);
}

/*
 * A PUT names a slot of the receiver's inbox (the sender wrote the frame
 * there), every other access one of the sender's landing slots: each is
 * checked against its own pool.
 */
TEST(frame_req_put_slot_is_an_inbox_slot)
{
	struct ssihv_wire_limits lim2 = lim;
	struct ssihv_wire_msg m = req, out;
	uint8_t buf[SSIHV_WIRE_MAX_LEN];
	unsigned int n;

	lim2.inbox_pages = 8;
	lim2.peer_landing_pages = 32;
	m.frame_req.access = SSIHV_FRAME_PUT;
	m.frame_req.slot = 7;
	n = encode(&m, buf);
	ASSERT_EQ(ssihv_wire_decode(buf, n, &lim2, &out), SSIHV_WIRE_OK);
	EXPECT_EQ(out.frame_req.access, SSIHV_FRAME_PUT);
	EXPECT_EQ(out.frame_req.slot, 7);
	m.frame_req.slot = 8;	/* a landing slot, not an inbox one */
	n = encode(&m, buf);
	EXPECT_EQ(ssihv_wire_decode(buf, n, &lim2, &out), SSIHV_WIRE_ERANGE);
	m.frame_req.access = SSIHV_FRAME_WRITE;
	n = encode(&m, buf);
	EXPECT_EQ(ssihv_wire_decode(buf, n, &lim2, &out), SSIHV_WIRE_OK);
	m.frame_req.slot = 32;
	n = encode(&m, buf);
	EXPECT_EQ(ssihv_wire_decode(buf, n, &lim2, &out), SSIHV_WIRE_ERANGE);
	lim2.inbox_pages = 0;	/* no inbox announced: no PUT */
	m.frame_req.access = SSIHV_FRAME_PUT;
	m.frame_req.slot = 0;
	n = encode(&m, buf);
	EXPECT_EQ(ssihv_wire_decode(buf, n, &lim2, &out), SSIHV_WIRE_ERANGE);
}

TEST(frame_rep_status_range)
{
	static const int32_t good[] = { 6, 4, 2, 1, 0, -1, -2, -34, -66, -116, -4095 };
	static const int32_t badst[] = { 3, 5, 7, 8, 4095, -4096, INT32_MIN };
	struct ssihv_wire_msg m = { .type = SSIHV_MSG_FRAME_REP, .tag = 9,
				    .src = 1 }, out;
	uint8_t buf[SSIHV_WIRE_MAX_LEN];
	unsigned int i, n;

	for (i = 0; i < ARRAY_SIZE(good); i++) {
		m.frame_rep.status = good[i];
		m.frame_rep.csum = 0xdeadbeef + i;
		n = encode(&m, buf);
		ASSERT_EQ(n, SSIHV_WIRE_HDR_LEN + 8);
		ASSERT_EQ(ssihv_wire_decode(buf, n, &lim, &out),
			  SSIHV_WIRE_OK);
		EXPECT_EQ(out.frame_rep.status, good[i]);
		EXPECT_EQ(out.frame_rep.csum, 0xdeadbeef + i);
	}
	for (i = 0; i < ARRAY_SIZE(badst); i++) {
		m.frame_rep.status = badst[i];
		n = encode(&m, buf);
		EXPECT_EQ(ssihv_wire_decode(buf, n, &lim, &out),
			  SSIHV_WIRE_ERANGE);
	}
}
