/* The frame codec of docs/protocol.md: every boundary of every decoder. */
#include <stdlib.h>
#include <string.h>

#include "client/wire.h"
#include "codec/codec.h"
#include "harness.h"

static uint8_t blob_a[] = { 1, 2, 3, 4, 5 };
static uint8_t blob_c[] = { 0xaa };

static void sample_req(struct swsev_req *r)
{
	memset(r, 0, sizeof(*r));
	r->op = SWSEV_OP_SEV_IOCTL;
	r->vm = 7;
	r->cmd = 3;
	r->flags = SWSEV_REQ_WRITABLE;
	r->arg_len = 12;
	for (int i = 0; i < 12; i++)
		r->arg[i] = (uint8_t)(0x10 + i);
	r->in[0].p = blob_a;
	r->in[0].len = sizeof(blob_a);
	r->in[0].present = 1;
	r->in[1].present = 1; /* present, empty */
	r->in[2].p = blob_c;
	r->in[2].len = 1;
	r->in[2].present = 1;
}

TEST(hdr_exact)
{
	uint8_t h[SWSEV_WIRE_HDR_LEN];
	struct swsev_wire_hdr d;

	swsev_wire_hdr_encode(h, SWSEV_FRAME_REQUEST, 52);
	CHECK_HEX(h, "53575356010002000000000034000000");
	CHECK_EQ(swsev_wire_hdr_decode(h, sizeof(h), SWSEV_SIDE_DAEMON, &d), SWSEV_OK);
	CHECK_EQ(d.magic, SWSEV_PROTO_MAGIC);
	CHECK_EQ(d.version, 1);
	CHECK_EQ(d.type, SWSEV_FRAME_REQUEST);
	CHECK_EQ(d.body_len, 52);
	CHECK_EQ(swsev_wire_hdr_decode(h, 15, SWSEV_SIDE_DAEMON, &d), SWSEV_E_TRUNCATED);
	CHECK_EQ(swsev_wire_hdr_decode(h, 0, SWSEV_SIDE_DAEMON, &d), SWSEV_E_TRUNCATED);
	{
		uint8_t h17[17];

		memcpy(h17, h, 16);
		h17[16] = 0;
		CHECK_EQ(swsev_wire_hdr_decode(h17, 17, SWSEV_SIDE_DAEMON, &d), SWSEV_E_TRAILING);
	}
}

TEST(hdr_bad_fields)
{
	uint8_t h[SWSEV_WIRE_HDR_LEN], x[SWSEV_WIRE_HDR_LEN];
	struct swsev_wire_hdr d;

	swsev_wire_hdr_encode(h, SWSEV_FRAME_REQUEST, 52);
	/* every flipped magic byte */
	for (int i = 0; i < 4; i++) {
		memcpy(x, h, sizeof(x));
		x[i] ^= 0x01;
		CHECK_EQ(swsev_wire_hdr_decode(x, sizeof(x), SWSEV_SIDE_DAEMON, &d),
			 SWSEV_E_PROTOCOL);
	}
	memcpy(x, h, sizeof(x));
	x[4] = 2; /* version 2 */
	CHECK_EQ(swsev_wire_hdr_decode(x, sizeof(x), SWSEV_SIDE_DAEMON, &d), SWSEV_E_VERSION);
	memcpy(x, h, sizeof(x));
	x[4] = 0;
	CHECK_EQ(swsev_wire_hdr_decode(x, sizeof(x), SWSEV_SIDE_DAEMON, &d), SWSEV_E_VERSION);
	memcpy(x, h, sizeof(x));
	x[5] = 1; /* version 0x101 */
	CHECK_EQ(swsev_wire_hdr_decode(x, sizeof(x), SWSEV_SIDE_DAEMON, &d), SWSEV_E_VERSION);
	for (unsigned t = 0; t < 8; t++) {
		int ok_daemon = t == SWSEV_FRAME_HELLO || t == SWSEV_FRAME_REQUEST;
		int ok_client = t == SWSEV_FRAME_HELLO || t == SWSEV_FRAME_RESPONSE ||
				t == SWSEV_FRAME_ERROR;

		memcpy(x, h, sizeof(x));
		x[6] = (uint8_t)t;
		swsev_wle32(x + 12, t == SWSEV_FRAME_HELLO ? 8 : t == SWSEV_FRAME_ERROR ? 8 : 40);
		CHECK_EQ(swsev_wire_hdr_decode(x, sizeof(x), SWSEV_SIDE_DAEMON, &d),
			 ok_daemon ? SWSEV_OK : SWSEV_E_PROTOCOL);
		if (t == SWSEV_FRAME_HELLO)
			swsev_wle32(x + 12, 12);
		CHECK_EQ(swsev_wire_hdr_decode(x, sizeof(x), SWSEV_SIDE_CLIENT, &d),
			 ok_client ? SWSEV_OK : SWSEV_E_PROTOCOL);
	}
	memcpy(x, h, sizeof(x));
	x[7] = 1; /* type 0x102 */
	CHECK_EQ(swsev_wire_hdr_decode(x, sizeof(x), SWSEV_SIDE_DAEMON, &d), SWSEV_E_PROTOCOL);
	for (int i = 8; i < 12; i++) {
		memcpy(x, h, sizeof(x));
		x[i] = 0x80;
		CHECK_EQ(swsev_wire_hdr_decode(x, sizeof(x), SWSEV_SIDE_DAEMON, &d),
			 SWSEV_E_PROTOCOL);
	}
}

static swsev_err hdr_len(uint16_t type, uint32_t len, enum swsev_wire_side side)
{
	uint8_t h[SWSEV_WIRE_HDR_LEN];
	struct swsev_wire_hdr d;

	swsev_wire_hdr_encode(h, type, len);
	return swsev_wire_hdr_decode(h, sizeof(h), side, &d);
}

TEST(hdr_body_bounds)
{
	CHECK_EQ(hdr_len(SWSEV_FRAME_REQUEST, 39, SWSEV_SIDE_DAEMON), SWSEV_E_LENGTH);
	CHECK_EQ(hdr_len(SWSEV_FRAME_REQUEST, 40, SWSEV_SIDE_DAEMON), SWSEV_OK);
	CHECK_EQ(hdr_len(SWSEV_FRAME_REQUEST, SWSEV_WIRE_BODY_MAX, SWSEV_SIDE_DAEMON), SWSEV_OK);
	CHECK_EQ(hdr_len(SWSEV_FRAME_REQUEST, SWSEV_WIRE_BODY_MAX + 1, SWSEV_SIDE_DAEMON),
		 SWSEV_E_LENGTH);
	CHECK_EQ(hdr_len(SWSEV_FRAME_REQUEST, 0xffffffffu, SWSEV_SIDE_DAEMON), SWSEV_E_LENGTH);
	CHECK_EQ(hdr_len(SWSEV_FRAME_REQUEST, 0, SWSEV_SIDE_DAEMON), SWSEV_E_LENGTH);
	CHECK_EQ(hdr_len(SWSEV_FRAME_RESPONSE, 31, SWSEV_SIDE_CLIENT), SWSEV_E_LENGTH);
	CHECK_EQ(hdr_len(SWSEV_FRAME_RESPONSE, 32, SWSEV_SIDE_CLIENT), SWSEV_OK);
	CHECK_EQ(hdr_len(SWSEV_FRAME_RESPONSE, SWSEV_WIRE_BODY_MAX, SWSEV_SIDE_CLIENT), SWSEV_OK);
	CHECK_EQ(hdr_len(SWSEV_FRAME_RESPONSE, SWSEV_WIRE_BODY_MAX + 1, SWSEV_SIDE_CLIENT),
		 SWSEV_E_LENGTH);
	/* client HELLO: exactly 8 */
	CHECK_EQ(hdr_len(SWSEV_FRAME_HELLO, 7, SWSEV_SIDE_DAEMON), SWSEV_E_LENGTH);
	CHECK_EQ(hdr_len(SWSEV_FRAME_HELLO, 8, SWSEV_SIDE_DAEMON), SWSEV_OK);
	CHECK_EQ(hdr_len(SWSEV_FRAME_HELLO, 9, SWSEV_SIDE_DAEMON), SWSEV_E_LENGTH);
	/* daemon HELLO: 12 .. 268 */
	CHECK_EQ(hdr_len(SWSEV_FRAME_HELLO, 11, SWSEV_SIDE_CLIENT), SWSEV_E_LENGTH);
	CHECK_EQ(hdr_len(SWSEV_FRAME_HELLO, 12, SWSEV_SIDE_CLIENT), SWSEV_OK);
	CHECK_EQ(hdr_len(SWSEV_FRAME_HELLO, 268, SWSEV_SIDE_CLIENT), SWSEV_OK);
	CHECK_EQ(hdr_len(SWSEV_FRAME_HELLO, 269, SWSEV_SIDE_CLIENT), SWSEV_E_LENGTH);
	/* ERROR: 8 .. 264 */
	CHECK_EQ(hdr_len(SWSEV_FRAME_ERROR, 7, SWSEV_SIDE_CLIENT), SWSEV_E_LENGTH);
	CHECK_EQ(hdr_len(SWSEV_FRAME_ERROR, 8, SWSEV_SIDE_CLIENT), SWSEV_OK);
	CHECK_EQ(hdr_len(SWSEV_FRAME_ERROR, 264, SWSEV_SIDE_CLIENT), SWSEV_OK);
	CHECK_EQ(hdr_len(SWSEV_FRAME_ERROR, 265, SWSEV_SIDE_CLIENT), SWSEV_E_LENGTH);
}

/* The example of protocol.md §9, byte for byte. */
TEST(req_golden_doc_example)
{
	struct swsev_req r;
	uint8_t *f = NULL;
	size_t n = 0;

	memset(&r, 0, sizeof(r));
	r.op = SWSEV_OP_SEV_IOCTL;
	r.cmd = 1;
	r.arg_len = 12;
	CHECK_EQ(swsev_wire_req_encode(&r, &f, &n), SWSEV_OK);
	CHECK_EQ(n, 16 + 52);
	CHECK_HEX(f, "53575356010002000000000034000000"
		     "02000000000000000100000000000000"
		     "0c00000000000000"
		     "00000000000000000000000000000000"
		     "000000000000000000000000");
	free(f);
}

TEST(req_roundtrip)
{
	struct swsev_req r, d;
	uint8_t *f = NULL, head[SWSEV_WIRE_HEAD_MAX];
	size_t n = 0, used = 0, body = 0;

	sample_req(&r);
	CHECK_EQ(swsev_wire_req_size(&r, &body), SWSEV_OK);
	CHECK_EQ(body, 40 + 12 + 5 + 0 + 1);
	CHECK_EQ(swsev_wire_req_head(&r, head, sizeof(head), &used), SWSEV_OK);
	CHECK_EQ(used, 16 + 40 + 12);
	CHECK_EQ(swsev_wire_req_head(&r, head, 16 + 40 + 11, &used), SWSEV_E_LENGTH);
	CHECK_EQ(swsev_wire_req_encode(&r, &f, &n), SWSEV_OK);
	CHECK_EQ(n, 16 + body);
	if (!f)
		return;
	CHECK_MEM(f, head, 16 + 40 + 12);
	CHECK_EQ(swsev_wire_req_decode(f + 16, n - 16, &d), SWSEV_OK);
	CHECK_EQ(d.op, r.op);
	CHECK_EQ(d.vm, 7);
	CHECK_EQ(d.cmd, 3);
	CHECK_EQ(d.flags, SWSEV_REQ_WRITABLE);
	CHECK_EQ(d.arg_len, 12);
	CHECK_MEM(d.arg, r.arg, 12);
	CHECK_EQ(d.in[0].present, 1);
	CHECK_EQ(d.in[0].len, 5);
	CHECK_MEM(d.in[0].p, blob_a, 5);
	/* zero-copy: the blob lies inside the body */
	CHECK(d.in[0].p == f + 16 + 40 + 12);
	CHECK_EQ(d.in[1].present, 1);
	CHECK_EQ(d.in[1].len, 0);
	CHECK(d.in[1].p == NULL);
	CHECK_EQ(d.in[2].present, 1);
	CHECK_EQ(d.in[2].p[0], 0xaa);
	CHECK_EQ(d.in[3].present, 0);
	CHECK_EQ(d.in[3].len, 0);
	free(f);
}

TEST(req_truncated_and_trailing)
{
	struct swsev_req r, d;
	uint8_t *f = NULL, *g;
	size_t n = 0;

	sample_req(&r);
	CHECK_EQ(swsev_wire_req_encode(&r, &f, &n), SWSEV_OK);
	if (!f)
		return;
	/* every proper prefix of the body is refused */
	for (size_t k = 0; k < n - 16; k++) {
		swsev_err e = swsev_wire_req_decode(f + 16, k, &d);

		if (e != SWSEV_E_TRUNCATED) {
			fprintf(stderr, "  prefix %zu: %d\n", k, e);
			CHECK(0);
			break;
		}
		CHECK_EQ(d.op, 0); /* zeroed on failure */
	}
	g = malloc(n + 1);
	memcpy(g, f, n);
	g[n] = 0;
	CHECK_EQ(swsev_wire_req_decode(g + 16, n - 16 + 1, &d), SWSEV_E_TRAILING);
	CHECK_EQ(d.arg_len, 0);
	free(g);
	free(f);
}

/* Patches a u32 of the fixed part and decodes. */
static swsev_err req_patch(size_t off, uint32_t v)
{
	struct swsev_req r, d;
	uint8_t *f = NULL;
	size_t n = 0;
	swsev_err e;

	sample_req(&r);
	if (swsev_wire_req_encode(&r, &f, &n) != SWSEV_OK)
		return SWSEV_E_INTERNAL;
	swsev_wle32(f + 16 + off, v);
	e = swsev_wire_req_decode(f + 16, n - 16, &d);
	free(f);
	return e;
}

TEST(req_bad_lengths)
{
	/* arg_len over the cap, and off by one in either direction */
	CHECK_EQ(req_patch(16, 257), SWSEV_E_LENGTH);
	CHECK_EQ(req_patch(16, 0xffffffffu), SWSEV_E_LENGTH);
	CHECK_EQ(req_patch(16, 13), SWSEV_E_TRUNCATED);
	CHECK_EQ(req_patch(16, 11), SWSEV_E_TRAILING);
	/* blob lengths: over the cap, overflowing, off by one */
	CHECK_EQ(req_patch(24, SWSEV_BLOB_MAX + 1), SWSEV_E_LENGTH);
	CHECK_EQ(req_patch(24, 0xffffffffu), SWSEV_E_LENGTH);
	CHECK_EQ(req_patch(24, 6), SWSEV_E_TRUNCATED);
	CHECK_EQ(req_patch(24, 4), SWSEV_E_TRAILING);
	CHECK_EQ(req_patch(24, SWSEV_BLOB_MAX), SWSEV_E_TRUNCATED);
	/* a length on an absent blob */
	CHECK_EQ(req_patch(36, 1), SWSEV_E_FORMAT);
	/* reserved present bits, reserved flag bits */
	CHECK_EQ(req_patch(20, 0x17), SWSEV_E_FORMAT);
	CHECK_EQ(req_patch(20, 0x80000007), SWSEV_E_FORMAT);
	CHECK_EQ(req_patch(12, 0x2), SWSEV_E_FORMAT);
	CHECK_EQ(req_patch(12, 0x0), SWSEV_OK);
	/* the untouched sample decodes */
	CHECK_EQ(req_patch(0, SWSEV_OP_SEV_IOCTL), SWSEV_OK);
}

/* Four maximal blobs: the sum is over the body cap (no overflow, no alloc). */
TEST(req_sum_over_body_max)
{
	uint8_t body[SWSEV_WIRE_REQ_FIXED];
	struct swsev_req d;

	memset(body, 0, sizeof(body));
	swsev_wle32(body + 20, 0xf);
	for (int i = 0; i < 4; i++)
		swsev_wle32(body + 24 + 4 * i, SWSEV_BLOB_MAX);
	CHECK_EQ(swsev_wire_req_decode(body, sizeof(body), &d), SWSEV_E_LENGTH);
	/* two maximal blobs: 32 MiB > 17 MiB */
	swsev_wle32(body + 20, 0x3);
	swsev_wle32(body + 32, 0);
	swsev_wle32(body + 36, 0);
	CHECK_EQ(swsev_wire_req_decode(body, sizeof(body), &d), SWSEV_E_LENGTH);
	/* one maximal blob: fits the cap, but the body is short */
	swsev_wle32(body + 20, 0x1);
	swsev_wle32(body + 28, 0);
	CHECK_EQ(swsev_wire_req_decode(body, sizeof(body), &d), SWSEV_E_TRUNCATED);
}

TEST(req_encode_refuses)
{
	struct swsev_req r;
	size_t body;
	static uint8_t dummy[1];

	sample_req(&r);
	r.arg_len = SWSEV_REQ_ARG_MAX + 1;
	CHECK_EQ(swsev_wire_req_size(&r, &body), SWSEV_E_LENGTH);
	sample_req(&r);
	r.arg_len = SWSEV_REQ_ARG_MAX;
	CHECK_EQ(swsev_wire_req_size(&r, &body), SWSEV_OK);
	sample_req(&r);
	r.in[3].len = 1; /* absent with a length */
	r.in[3].p = dummy;
	CHECK_EQ(swsev_wire_req_size(&r, &body), SWSEV_E_FORMAT);
	sample_req(&r);
	r.in[0].p = NULL; /* length without bytes */
	CHECK_EQ(swsev_wire_req_size(&r, &body), SWSEV_E_INVALID);
	sample_req(&r);
	r.in[0].len = SWSEV_BLOB_MAX + 1;
	CHECK_EQ(swsev_wire_req_size(&r, &body), SWSEV_E_LENGTH);
	sample_req(&r);
	r.in[0].len = SWSEV_BLOB_MAX; /* sizes only: the bytes are never read */
	r.in[2].len = SWSEV_BLOB_MAX;
	CHECK_EQ(swsev_wire_req_size(&r, &body), SWSEV_E_LENGTH);
	sample_req(&r);
	r.in[1].present = 2;
	CHECK_EQ(swsev_wire_req_size(&r, &body), SWSEV_E_FORMAT);
	sample_req(&r);
	r.flags = 0x10;
	CHECK_EQ(swsev_wire_req_size(&r, &body), SWSEV_E_FORMAT);
}

TEST(rsp_roundtrip_and_copy)
{
	struct swsev_rsp r, d;
	uint8_t *f = NULL;
	size_t n = 0;
	uint8_t out0[300];

	memset(&r, 0, sizeof(r));
	for (size_t i = 0; i < sizeof(out0); i++)
		out0[i] = (uint8_t)i;
	r.err = -5; /* -EIO */
	r.fw_error = 4;
	r.arg_len = 24;
	memset(r.arg, 0x5a, 24);
	r.out[0].p = out0;
	r.out[0].len = sizeof(out0);
	r.out[0].present = 1;
	r.out[1].present = 1;
	CHECK_EQ(swsev_wire_rsp_encode(&r, &f, &n), SWSEV_OK);
	CHECK_EQ(n, 16 + 32 + 24 + 300);
	if (!f)
		return;
	CHECK_EQ(swsev_wire_rsp_decode(f + 16, n - 16, &d), SWSEV_OK);
	CHECK_EQ(d.err, -5);
	CHECK_EQ(d.fw_error, 4);
	CHECK_EQ(d.arg_len, 24);
	CHECK_MEM(d.arg, r.arg, 24);
	CHECK_EQ(d.out[0].len, 300);
	CHECK_EQ(d.out[1].present, 1);
	CHECK_EQ(d.out[1].len, 0);
	CHECK_EQ(d.out[2].present, 0);
	/* a copy: scribbling on the frame leaves the response intact */
	memset(f, 0, n);
	CHECK_MEM(d.out[0].p, out0, 300);
	swsev_wire_rsp_free(&d);
	CHECK(d.out[0].p == NULL);
	free(f);
}

TEST(rsp_bad)
{
	struct swsev_rsp r, d;
	uint8_t *f = NULL;
	size_t n = 0, body;

	memset(&r, 0, sizeof(r));
	r.err = 1;
	CHECK_EQ(swsev_wire_rsp_size(&r, &body), SWSEV_E_RANGE);
	r.err = -4096;
	CHECK_EQ(swsev_wire_rsp_size(&r, &body), SWSEV_E_RANGE);
	r.err = -4095;
	CHECK_EQ(swsev_wire_rsp_size(&r, &body), SWSEV_OK);
	CHECK_EQ(body, 32);
	r.err = 0;
	r.arg_len = 4;
	CHECK_EQ(swsev_wire_rsp_encode(&r, &f, &n), SWSEV_OK);
	if (!f)
		return;
	/* err out of range on the wire */
	swsev_wle32(f + 16, 7);
	CHECK_EQ(swsev_wire_rsp_decode(f + 16, n - 16, &d), SWSEV_E_RANGE);
	swsev_wle32(f + 16, (uint32_t)-4096);
	CHECK_EQ(swsev_wire_rsp_decode(f + 16, n - 16, &d), SWSEV_E_RANGE);
	swsev_wle32(f + 16, (uint32_t)-22);
	CHECK_EQ(swsev_wire_rsp_decode(f + 16, n - 16, &d), SWSEV_OK);
	CHECK_EQ(d.err, -22);
	swsev_wire_rsp_free(&d);
	for (size_t k = 0; k < n - 16; k++)
		CHECK_EQ(swsev_wire_rsp_decode(f + 16, k, &d), SWSEV_E_TRUNCATED);
	/* a blob length beyond the body */
	swsev_wle32(f + 16 + 12, 1);
	swsev_wle32(f + 16 + 16, 100);
	CHECK_EQ(swsev_wire_rsp_decode(f + 16, n - 16, &d), SWSEV_E_TRUNCATED);
	CHECK(d.out[0].p == NULL);
	free(f);
}

TEST(hello_frames)
{
	uint8_t f[SWSEV_WIRE_SMALL_MAX];
	uint32_t a, b;
	char text[300];
	char longtext[400];
	size_t n;

	n = swsev_wire_hello_client(f, 1, 1);
	CHECK_EQ(n, 24);
	CHECK_HEX(f, "535753560100010000000000080000000100000001000000");
	CHECK_EQ(swsev_wire_hello_client_decode(f + 16, 8, &a, &b), SWSEV_OK);
	CHECK_EQ(a, 1);
	CHECK_EQ(b, 1);
	CHECK_EQ(swsev_wire_hello_client_decode(f + 16, 7, &a, &b), SWSEV_E_TRUNCATED);
	swsev_wire_hello_client(f, 3, 2);
	CHECK_EQ(swsev_wire_hello_client_decode(f + 16, 8, &a, &b), SWSEV_E_FORMAT);

	n = swsev_wire_hello_daemon(f, 1, SWSEV_WIRE_BODY_MAX, "swsevd test");
	CHECK_EQ(n, 16 + 12 + 11);
	CHECK_EQ(swsev_wire_hello_daemon_decode(f + 16, n - 16, &a, &b, text, sizeof(text)),
		 SWSEV_OK);
	CHECK_EQ(a, 1);
	CHECK_EQ(b, SWSEV_WIRE_BODY_MAX);
	CHECK(strcmp(text, "swsevd test") == 0);
	/* a small output buffer truncates the copy, never overflows */
	CHECK_EQ(swsev_wire_hello_daemon_decode(f + 16, n - 16, &a, &b, text, 4), SWSEV_OK);
	CHECK(strcmp(text, "sws") == 0);
	CHECK_EQ(swsev_wire_hello_daemon_decode(f + 16, n - 17, &a, &b, text, sizeof(text)),
		 SWSEV_E_TRUNCATED);
	f[16 + 12 + 3] = 0; /* a NUL inside the text */
	CHECK_EQ(swsev_wire_hello_daemon_decode(f + 16, n - 16, &a, &b, text, sizeof(text)),
		 SWSEV_E_FORMAT);
	/* text longer than the cap is cut on encode and refused on decode */
	memset(longtext, 'x', sizeof(longtext) - 1);
	longtext[sizeof(longtext) - 1] = 0;
	n = swsev_wire_hello_daemon(f, 1, 0, longtext);
	CHECK_EQ(n, SWSEV_WIRE_SMALL_MAX);
	CHECK_EQ(swsev_wire_hello_daemon_decode(f + 16, n - 16, &a, &b, text, sizeof(text)),
		 SWSEV_OK);
	CHECK_EQ(strlen(text), SWSEV_WIRE_TEXT_MAX);
	swsev_wle32(f + 16 + 8, SWSEV_WIRE_TEXT_MAX + 1);
	CHECK_EQ(swsev_wire_hello_daemon_decode(f + 16, n - 16, &a, &b, text, sizeof(text)),
		 SWSEV_E_LENGTH);
}

TEST(error_frames)
{
	uint8_t f[SWSEV_WIRE_SMALL_MAX];
	int32_t code;
	char msg[300];
	size_t n;
	struct swsev_wire_hdr h;

	n = swsev_wire_error(f, SWSEV_E_PERM, "uid 65534 is not allowed");
	CHECK_EQ(swsev_wire_hdr_decode(f, 16, SWSEV_SIDE_CLIENT, &h), SWSEV_OK);
	CHECK_EQ(h.type, SWSEV_FRAME_ERROR);
	CHECK_EQ(h.body_len, n - 16);
	CHECK_EQ(swsev_wire_error_decode(f + 16, n - 16, &code, msg, sizeof(msg)), SWSEV_OK);
	CHECK_EQ(code, SWSEV_E_PERM);
	CHECK(strcmp(msg, "uid 65534 is not allowed") == 0);
	CHECK_EQ(swsev_wire_error_decode(f + 16, n - 17, &code, msg, sizeof(msg)),
		 SWSEV_E_TRUNCATED);
	CHECK_EQ(swsev_wire_error_decode(f + 16, n - 15, &code, msg, sizeof(msg)),
		 SWSEV_E_TRAILING);
	swsev_wle32(f + 16 + 4, 3);
	CHECK_EQ(swsev_wire_error_decode(f + 16, n - 16, &code, msg, sizeof(msg)),
		 SWSEV_E_TRAILING);
	swsev_wle32(f + 16, 0); /* an error with code 0 is malformed */
	CHECK_EQ(swsev_wire_error_decode(f + 16, n - 16, &code, msg, sizeof(msg)), SWSEV_E_FORMAT);
	/* the daemon never accepts an ERROR frame */
	CHECK_EQ(swsev_wire_hdr_decode(f, 16, SWSEV_SIDE_DAEMON, &h), SWSEV_E_PROTOCOL);
}

TH_MAIN_BEGIN("test_wire")
RUN(hdr_exact);
RUN(hdr_bad_fields);
RUN(hdr_body_bounds);
RUN(req_golden_doc_example);
RUN(req_roundtrip);
RUN(req_truncated_and_trailing);
RUN(req_bad_lengths);
RUN(req_sum_over_body_max);
RUN(req_encode_refuses);
RUN(rsp_roundtrip_and_copy);
RUN(rsp_bad);
RUN(hello_frames);
RUN(error_frames);
TH_MAIN_END
