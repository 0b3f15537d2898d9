/*
 * Frame encode/decode for the swsevd socket (docs/protocol.md, version 1).
 * Every received byte goes through the codec cursor; every length sum is
 * overflow-checked; a frame is accepted only at its exact length.
 */
#include <stdlib.h>
#include <string.h>

#include "client/wire.h"
#include "codec/codec.h"
#include "swsev/crypto.h"

/* ---- header (protocol.md §1, §2) ---- */

static int type_allowed(uint16_t type, enum swsev_wire_side side)
{
	if (side == SWSEV_SIDE_DAEMON)
		return type == SWSEV_FRAME_HELLO || type == SWSEV_FRAME_REQUEST;
	return type == SWSEV_FRAME_HELLO || type == SWSEV_FRAME_RESPONSE ||
	       type == SWSEV_FRAME_ERROR;
}

swsev_err swsev_wire_hdr_decode(const uint8_t *p, size_t len, enum swsev_wire_side side,
				struct swsev_wire_hdr *h)
{
	struct swsev_cur c;
	uint32_t lo, hi;

	memset(h, 0, sizeof(*h));
	swsev_cur_init(&c, p, len);
	if (swsev_cur_u32(&c, &h->magic) || swsev_cur_u16(&c, &h->version) ||
	    swsev_cur_u16(&c, &h->type) || swsev_cur_u32(&c, &h->flags) ||
	    swsev_cur_u32(&c, &h->body_len))
		return c.err;
	if (swsev_cur_end(&c))
		return c.err;
	if (h->magic != SWSEV_PROTO_MAGIC)
		return SWSEV_E_PROTOCOL;
	if (h->version != SWSEV_PROTO_VERSION)
		return SWSEV_E_VERSION;
	if (!type_allowed(h->type, side))
		return SWSEV_E_PROTOCOL;
	if (h->flags != 0)
		return SWSEV_E_PROTOCOL;
	switch (h->type) {
	case SWSEV_FRAME_HELLO:
		if (side == SWSEV_SIDE_DAEMON) {
			lo = hi = SWSEV_WIRE_HELLO_C_LEN;
		} else {
			lo = SWSEV_WIRE_HELLO_D_FIXED;
			hi = SWSEV_WIRE_HELLO_D_FIXED + SWSEV_WIRE_TEXT_MAX;
		}
		break;
	case SWSEV_FRAME_REQUEST:
		lo = SWSEV_WIRE_REQ_FIXED;
		hi = SWSEV_WIRE_BODY_MAX;
		break;
	case SWSEV_FRAME_RESPONSE:
		lo = SWSEV_WIRE_RSP_FIXED;
		hi = SWSEV_WIRE_BODY_MAX;
		break;
	default: /* SWSEV_FRAME_ERROR */
		lo = SWSEV_WIRE_ERR_FIXED;
		hi = SWSEV_WIRE_ERR_FIXED + SWSEV_WIRE_TEXT_MAX;
		break;
	}
	if (h->body_len < lo || h->body_len > hi)
		return SWSEV_E_LENGTH;
	return SWSEV_OK;
}

void swsev_wire_hdr_encode(uint8_t out[SWSEV_WIRE_HDR_LEN], uint16_t type, uint32_t body_len)
{
	swsev_wle32(out, SWSEV_PROTO_MAGIC);
	swsev_wle16(out + 4, SWSEV_PROTO_VERSION);
	swsev_wle16(out + 6, type);
	swsev_wle32(out + 8, 0);
	swsev_wle32(out + 12, body_len);
}

/* ---- blobs: shared checks ---- */

/* The sum of fixed + arg_len + blob lengths, each checked against its cap. */
static swsev_err blobs_size(size_t fixed, uint32_t arg_len, const struct swsev_blob *b,
			    size_t *total)
{
	size_t t = fixed;

	if (arg_len > SWSEV_REQ_ARG_MAX)
		return SWSEV_E_LENGTH;
	t += arg_len;
	for (int i = 0; i < SWSEV_REQ_BLOBS; i++) {
		if (b[i].present > 1)
			return SWSEV_E_FORMAT;
		if (!b[i].present && b[i].len != 0)
			return SWSEV_E_FORMAT;
		if (b[i].len > SWSEV_BLOB_MAX)
			return SWSEV_E_LENGTH;
		if (b[i].len && !b[i].p)
			return SWSEV_E_INVALID;
		if (!swsev_add_ok(t, b[i].len, &t))
			return SWSEV_E_LENGTH;
	}
	if (t > SWSEV_WIRE_BODY_MAX)
		return SWSEV_E_LENGTH;
	*total = t;
	return SWSEV_OK;
}

static uint32_t present_mask(const struct swsev_blob *b)
{
	uint32_t m = 0;

	for (int i = 0; i < SWSEV_REQ_BLOBS; i++)
		if (b[i].present)
			m |= 1u << i;
	return m;
}

/*
 * The descriptor part common to both bodies after their own first fields:
 *   arg_len u32 | present u32 | len[4] u32 ... | arg | blob0..3
 * Fills lens/mask; checks caps and the exact total length.
 */
struct blob_desc {
	uint32_t arg_len;
	uint32_t present;
	uint32_t len[SWSEV_REQ_BLOBS];
};

static swsev_err desc_read(struct swsev_cur *c, size_t fixed, size_t body_len, struct blob_desc *d)
{
	size_t total = fixed;

	if (swsev_cur_u32(c, &d->arg_len) || swsev_cur_u32(c, &d->present))
		return c->err;
	for (int i = 0; i < SWSEV_REQ_BLOBS; i++)
		if (swsev_cur_u32(c, &d->len[i]))
			return c->err;
	if (d->arg_len > SWSEV_REQ_ARG_MAX)
		return SWSEV_E_LENGTH;
	if (d->present & ~((1u << SWSEV_REQ_BLOBS) - 1))
		return SWSEV_E_FORMAT;
	total += d->arg_len;
	for (int i = 0; i < SWSEV_REQ_BLOBS; i++) {
		if (d->len[i] > SWSEV_BLOB_MAX)
			return SWSEV_E_LENGTH;
		if (!(d->present & (1u << i)) && d->len[i] != 0)
			return SWSEV_E_FORMAT;
		if (!swsev_add_ok(total, d->len[i], &total))
			return SWSEV_E_LENGTH;
	}
	if (total > SWSEV_WIRE_BODY_MAX)
		return SWSEV_E_LENGTH;
	if (total > body_len)
		return SWSEV_E_TRUNCATED;
	if (total < body_len)
		return SWSEV_E_TRAILING;
	return SWSEV_OK;
}

/*
 * A REQUEST or RESPONSE head into out: the header, the body's own first
 * u32 fields (words), the blob descriptor and the arg; the blobs follow.
 */
static swsev_err head_write(uint8_t *out, size_t cap, uint16_t type, size_t body,
			    const uint32_t *words, size_t nwords, uint32_t arg_len,
			    const uint8_t *arg, const struct swsev_blob *b, size_t *used)
{
	struct swsev_wbuf w;

	if (cap < SWSEV_WIRE_HDR_LEN + (nwords + 2 + SWSEV_REQ_BLOBS) * 4 + arg_len)
		return SWSEV_E_LENGTH;
	swsev_wire_hdr_encode(out, type, (uint32_t)body);
	swsev_wbuf_init(&w, out + SWSEV_WIRE_HDR_LEN, cap - SWSEV_WIRE_HDR_LEN);
	for (size_t i = 0; i < nwords; i++)
		swsev_put_u32(&w, words[i]);
	swsev_put_u32(&w, arg_len);
	swsev_put_u32(&w, present_mask(b));
	for (int i = 0; i < SWSEV_REQ_BLOBS; i++)
		swsev_put_u32(&w, b[i].len);
	swsev_put_bytes(&w, arg, arg_len);
	if (w.err)
		return w.err;
	*used = SWSEV_WIRE_HDR_LEN + w.off;
	return SWSEV_OK;
}

static swsev_err frame_alloc(const uint8_t *head, size_t head_len, const struct swsev_blob *b,
			     size_t total, uint8_t **out, size_t *len)
{
	uint8_t *f;
	size_t off;

	f = malloc(total ? total : 1);
	if (!f)
		return SWSEV_E_NOMEM;
	memcpy(f, head, head_len);
	off = head_len;
	for (int i = 0; i < SWSEV_REQ_BLOBS; i++) {
		if (b[i].len)
			memcpy(f + off, b[i].p, b[i].len);
		off += b[i].len;
	}
	*out = f;
	*len = total;
	return SWSEV_OK;
}

/*
 * The common start of a REQUEST or RESPONSE body: its own first u32 fields
 * (words), the descriptor (checked against the exact length) and the arg;
 * the blobs follow at the cursor.
 */
static swsev_err body_read(struct swsev_cur *c, size_t len, size_t fixed, uint32_t *words,
			   size_t nwords, struct blob_desc *d, uint8_t *arg)
{
	swsev_err e;

	for (size_t i = 0; i < nwords; i++)
		if (swsev_cur_u32(c, &words[i]))
			return c->err;
	e = desc_read(c, fixed, len, d);
	if (e)
		return e;
	if (swsev_cur_bytes(c, arg, d->arg_len))
		return c->err;
	return SWSEV_OK;
}

/* ---- requests (protocol.md §4) ---- */

swsev_err swsev_wire_req_size(const struct swsev_req *req, size_t *body_len)
{
	if (req->flags & ~SWSEV_REQ_WRITABLE)
		return SWSEV_E_FORMAT;
	return blobs_size(SWSEV_WIRE_REQ_FIXED, req->arg_len, req->in, body_len);
}

swsev_err swsev_wire_req_head(const struct swsev_req *req, uint8_t *out, size_t cap, size_t *used)
{
	const uint32_t w[4] = { req->op, req->vm, req->cmd, req->flags };
	size_t body;
	swsev_err e = swsev_wire_req_size(req, &body);

	return e ? e :
		   head_write(out, cap, SWSEV_FRAME_REQUEST, body, w, 4, req->arg_len, req->arg,
			      req->in, used);
}

swsev_err swsev_wire_req_encode(const struct swsev_req *req, uint8_t **out, size_t *len)
{
	uint8_t head[SWSEV_WIRE_HEAD_MAX];
	size_t used, body;
	swsev_err e;

	*out = NULL;
	*len = 0;
	e = swsev_wire_req_head(req, head, sizeof(head), &used);
	if (!e)
		e = swsev_wire_req_size(req, &body);
	return e ? e : frame_alloc(head, used, req->in, SWSEV_WIRE_HDR_LEN + body, out, len);
}

swsev_err swsev_wire_req_decode(uint8_t *body, size_t len, struct swsev_req *req)
{
	struct swsev_cur c;
	struct blob_desc d = { 0 };
	uint32_t w[4] = { 0 };
	swsev_err e;

	memset(req, 0, sizeof(*req));
	swsev_cur_init(&c, body, len);
	e = body_read(&c, len, SWSEV_WIRE_REQ_FIXED, w, 4, &d, req->arg);
	if (!e && (w[3] & ~SWSEV_REQ_WRITABLE))
		e = SWSEV_E_FORMAT;
	if (e)
		goto out;
	req->op = w[0];
	req->vm = w[1];
	req->cmd = w[2];
	req->flags = w[3];
	req->arg_len = d.arg_len;
	for (int i = 0; i < SWSEV_REQ_BLOBS; i++) {
		const uint8_t *v = NULL;

		if (swsev_cur_view(&c, &v, d.len[i])) {
			e = c.err;
			goto out;
		}
		req->in[i].present = (d.present >> i) & 1u;
		req->in[i].len = d.len[i];
		/* The body is ours (mutable); a view avoids copying images. */
		req->in[i].p = d.len[i] ? body + (v - body) : NULL;
	}
	e = swsev_cur_end(&c);
out:
	if (e)
		memset(req, 0, sizeof(*req));
	return e;
}

/* ---- responses (protocol.md §5) ---- */

swsev_err swsev_wire_rsp_size(const struct swsev_rsp *rsp, size_t *body_len)
{
	if (rsp->err > 0 || rsp->err < -4095)
		return SWSEV_E_RANGE;
	return blobs_size(SWSEV_WIRE_RSP_FIXED, rsp->arg_len, rsp->out, body_len);
}

swsev_err swsev_wire_rsp_head(const struct swsev_rsp *rsp, uint8_t *out, size_t cap, size_t *used)
{
	const uint32_t w[2] = { (uint32_t)rsp->err, rsp->fw_error };
	size_t body;
	swsev_err e = swsev_wire_rsp_size(rsp, &body);

	return e ? e :
		   head_write(out, cap, SWSEV_FRAME_RESPONSE, body, w, 2, rsp->arg_len, rsp->arg,
			      rsp->out, used);
}

swsev_err swsev_wire_rsp_encode(const struct swsev_rsp *rsp, uint8_t **out, size_t *len)
{
	uint8_t head[SWSEV_WIRE_HEAD_MAX];
	size_t used, body;
	swsev_err e;

	*out = NULL;
	*len = 0;
	e = swsev_wire_rsp_head(rsp, head, sizeof(head), &used);
	if (!e)
		e = swsev_wire_rsp_size(rsp, &body);
	return e ? e : frame_alloc(head, used, rsp->out, SWSEV_WIRE_HDR_LEN + body, out, len);
}

void swsev_wire_rsp_free(struct swsev_rsp *rsp)
{
	for (int i = 0; i < SWSEV_REQ_BLOBS; i++)
		swsev_clear_free(rsp->out[i].p, rsp->out[i].len);
	swsev_wipe(rsp, sizeof(*rsp));
}

swsev_err swsev_wire_rsp_decode(const uint8_t *body, size_t len, struct swsev_rsp *rsp)
{
	struct swsev_cur c;
	struct blob_desc d = { 0 };
	uint32_t w[2] = { 0 };
	swsev_err e;

	memset(rsp, 0, sizeof(*rsp));
	swsev_cur_init(&c, body, len);
	e = body_read(&c, len, SWSEV_WIRE_RSP_FIXED, w, 2, &d, rsp->arg);
	if (!e && ((int32_t)w[0] > 0 || (int32_t)w[0] < -4095))
		e = SWSEV_E_RANGE;
	if (e)
		goto out;
	rsp->err = (int32_t)w[0];
	rsp->fw_error = w[1];
	rsp->arg_len = d.arg_len;
	for (int i = 0; i < SWSEV_REQ_BLOBS; i++) {
		const uint8_t *v = NULL;

		if (swsev_cur_view(&c, &v, d.len[i])) {
			e = c.err;
			goto out;
		}
		rsp->out[i].present = (d.present >> i) & 1u;
		if (d.len[i]) {
			rsp->out[i].p = malloc(d.len[i]);
			if (!rsp->out[i].p) {
				e = SWSEV_E_NOMEM;
				goto out;
			}
			memcpy(rsp->out[i].p, v, d.len[i]);
			rsp->out[i].len = d.len[i];
		}
	}
	e = swsev_cur_end(&c);
out:
	if (e)
		swsev_wire_rsp_free(rsp);
	return e;
}

/* ---- HELLO (protocol.md §3) and ERROR (§6) ---- */

size_t swsev_wire_hello_client(uint8_t out[SWSEV_WIRE_HDR_LEN + SWSEV_WIRE_HELLO_C_LEN],
			       uint32_t min_version, uint32_t max_version)
{
	swsev_wire_hdr_encode(out, SWSEV_FRAME_HELLO, SWSEV_WIRE_HELLO_C_LEN);
	swsev_wle32(out + SWSEV_WIRE_HDR_LEN, min_version);
	swsev_wle32(out + SWSEV_WIRE_HDR_LEN + 4, max_version);
	return SWSEV_WIRE_HDR_LEN + SWSEV_WIRE_HELLO_C_LEN;
}

swsev_err swsev_wire_hello_client_decode(const uint8_t *body, size_t len, uint32_t *min_version,
					 uint32_t *max_version)
{
	struct swsev_cur c;

	*min_version = *max_version = 0;
	swsev_cur_init(&c, body, len);
	if (swsev_cur_u32(&c, min_version) || swsev_cur_u32(&c, max_version) || swsev_cur_end(&c))
		return c.err;
	if (*min_version > *max_version)
		return SWSEV_E_FORMAT;
	return SWSEV_OK;
}

static size_t text_len(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	return n > SWSEV_WIRE_TEXT_MAX ? SWSEV_WIRE_TEXT_MAX : n;
}

size_t swsev_wire_hello_daemon(uint8_t out[SWSEV_WIRE_SMALL_MAX], uint32_t version,
			       uint32_t max_body, const char *text)
{
	size_t n = text_len(text);

	swsev_wire_hdr_encode(out, SWSEV_FRAME_HELLO, (uint32_t)(SWSEV_WIRE_HELLO_D_FIXED + n));
	swsev_wle32(out + SWSEV_WIRE_HDR_LEN, version);
	swsev_wle32(out + SWSEV_WIRE_HDR_LEN + 4, max_body);
	swsev_wle32(out + SWSEV_WIRE_HDR_LEN + 8, (uint32_t)n);
	if (n)
		memcpy(out + SWSEV_WIRE_HDR_LEN + SWSEV_WIRE_HELLO_D_FIXED, text, n);
	return SWSEV_WIRE_HDR_LEN + SWSEV_WIRE_HELLO_D_FIXED + n;
}

/* u32 length, then that many bytes of text without NUL, to the end. */
static swsev_err text_read(struct swsev_cur *c, char *text, size_t cap)
{
	uint32_t n;
	const uint8_t *v;

	if (cap)
		text[0] = '\0';
	if (swsev_cur_u32(c, &n))
		return c->err;
	if (n > SWSEV_WIRE_TEXT_MAX)
		return SWSEV_E_LENGTH;
	if (swsev_cur_view(c, &v, n) || swsev_cur_end(c))
		return c->err;
	if (memchr(v, 0, n))
		return SWSEV_E_FORMAT;
	if (cap) {
		size_t k = n < cap - 1 ? n : cap - 1;

		memcpy(text, v, k);
		text[k] = '\0';
	}
	return SWSEV_OK;
}

swsev_err swsev_wire_hello_daemon_decode(const uint8_t *body, size_t len, uint32_t *version,
					 uint32_t *max_body, char *text, size_t cap)
{
	struct swsev_cur c;

	*version = *max_body = 0;
	swsev_cur_init(&c, body, len);
	if (swsev_cur_u32(&c, version) || swsev_cur_u32(&c, max_body))
		return c.err;
	return text_read(&c, text, cap);
}

size_t swsev_wire_error(uint8_t out[SWSEV_WIRE_SMALL_MAX], swsev_err code, const char *msg)
{
	size_t n = text_len(msg);

	swsev_wire_hdr_encode(out, SWSEV_FRAME_ERROR, (uint32_t)(SWSEV_WIRE_ERR_FIXED + n));
	swsev_wle32(out + SWSEV_WIRE_HDR_LEN, (uint32_t)(int32_t)code);
	swsev_wle32(out + SWSEV_WIRE_HDR_LEN + 4, (uint32_t)n);
	if (n)
		memcpy(out + SWSEV_WIRE_HDR_LEN + SWSEV_WIRE_ERR_FIXED, msg, n);
	return SWSEV_WIRE_HDR_LEN + SWSEV_WIRE_ERR_FIXED + n;
}

swsev_err swsev_wire_error_decode(const uint8_t *body, size_t len, int32_t *code, char *msg,
				  size_t cap)
{
	struct swsev_cur c;
	uint32_t v;

	*code = 0;
	swsev_cur_init(&c, body, len);
	if (swsev_cur_u32(&c, &v))
		return c.err;
	*code = (int32_t)v;
	if (*code >= 0)
		return SWSEV_E_FORMAT;
	return text_read(&c, msg, cap);
}
