/* The bounds-checked cursor, writer and small text codecs (codec.h). */
#include "codec/codec.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void swsev_cur_init(struct swsev_cur *c, const void *p, size_t len)
{
	c->p = p;
	c->len = p ? len : 0;
	c->off = 0;
	c->err = SWSEV_OK;
}

size_t swsev_cur_left(const struct swsev_cur *c)
{
	return c->err ? 0 : c->len - c->off;
}

/* Reserves n bytes: the only place the cursor's bound is tested. */
static const uint8_t *cur_take(struct swsev_cur *c, size_t n)
{
	const uint8_t *r;

	if (c->err)
		return NULL;
	if (n > c->len - c->off) {
		c->err = SWSEV_E_TRUNCATED;
		return NULL;
	}
	r = c->p + c->off;
	c->off += n;
	return r;
}

swsev_err swsev_cur_u8(struct swsev_cur *c, uint8_t *v)
{
	const uint8_t *p = cur_take(c, 1);

	if (!p)
		return c->err;
	*v = p[0];
	return SWSEV_OK;
}

swsev_err swsev_cur_u16(struct swsev_cur *c, uint16_t *v)
{
	const uint8_t *p = cur_take(c, 2);

	if (!p)
		return c->err;
	*v = swsev_le16(p);
	return SWSEV_OK;
}

swsev_err swsev_cur_u32(struct swsev_cur *c, uint32_t *v)
{
	const uint8_t *p = cur_take(c, 4);

	if (!p)
		return c->err;
	*v = swsev_le32(p);
	return SWSEV_OK;
}

swsev_err swsev_cur_u64(struct swsev_cur *c, uint64_t *v)
{
	const uint8_t *p = cur_take(c, 8);

	if (!p)
		return c->err;
	*v = swsev_le64(p);
	return SWSEV_OK;
}

swsev_err swsev_cur_u16be(struct swsev_cur *c, uint16_t *v)
{
	const uint8_t *p = cur_take(c, 2);

	if (!p)
		return c->err;
	*v = (uint16_t)((p[0] << 8) | p[1]);
	return SWSEV_OK;
}

swsev_err swsev_cur_u32be(struct swsev_cur *c, uint32_t *v)
{
	const uint8_t *p = cur_take(c, 4);

	if (!p)
		return c->err;
	*v = ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
	return SWSEV_OK;
}

swsev_err swsev_cur_bytes(struct swsev_cur *c, void *out, size_t n)
{
	const uint8_t *p = cur_take(c, n);

	if (!p)
		return c->err;
	if (n)
		memcpy(out, p, n);
	return SWSEV_OK;
}

swsev_err swsev_cur_view(struct swsev_cur *c, const uint8_t **out, size_t n)
{
	const uint8_t *p = cur_take(c, n);

	if (!p)
		return c->err;
	*out = p;
	return SWSEV_OK;
}

swsev_err swsev_cur_skip(struct swsev_cur *c, size_t n)
{
	return cur_take(c, n) ? SWSEV_OK : c->err;
}

swsev_err swsev_cur_zeros(struct swsev_cur *c, size_t n)
{
	const uint8_t *p = cur_take(c, n);
	uint8_t acc = 0;

	if (!p)
		return c->err;
	for (size_t i = 0; i < n; i++)
		acc |= p[i];
	if (acc) {
		c->err = SWSEV_E_FORMAT;
		return c->err;
	}
	return SWSEV_OK;
}

swsev_err swsev_cur_end(struct swsev_cur *c)
{
	if (c->err)
		return c->err;
	if (c->off != c->len) {
		c->err = SWSEV_E_TRAILING;
		return c->err;
	}
	return SWSEV_OK;
}

void swsev_wbuf_init(struct swsev_wbuf *w, void *p, size_t cap)
{
	w->p = p;
	w->cap = p ? cap : 0;
	w->off = 0;
	w->err = SWSEV_OK;
}

static uint8_t *wbuf_take(struct swsev_wbuf *w, size_t n)
{
	uint8_t *r;

	if (w->err)
		return NULL;
	if (n > w->cap - w->off) {
		w->err = SWSEV_E_LENGTH;
		return NULL;
	}
	r = w->p + w->off;
	w->off += n;
	return r;
}

swsev_err swsev_put_u8(struct swsev_wbuf *w, uint8_t v)
{
	uint8_t *p = wbuf_take(w, 1);

	if (!p)
		return w->err;
	p[0] = v;
	return SWSEV_OK;
}

swsev_err swsev_put_u16(struct swsev_wbuf *w, uint16_t v)
{
	uint8_t *p = wbuf_take(w, 2);

	if (!p)
		return w->err;
	swsev_wle16(p, v);
	return SWSEV_OK;
}

swsev_err swsev_put_u32(struct swsev_wbuf *w, uint32_t v)
{
	uint8_t *p = wbuf_take(w, 4);

	if (!p)
		return w->err;
	swsev_wle32(p, v);
	return SWSEV_OK;
}

swsev_err swsev_put_u64(struct swsev_wbuf *w, uint64_t v)
{
	uint8_t *p = wbuf_take(w, 8);

	if (!p)
		return w->err;
	swsev_wle64(p, v);
	return SWSEV_OK;
}

swsev_err swsev_put_u32be(struct swsev_wbuf *w, uint32_t v)
{
	uint8_t *p = wbuf_take(w, 4);

	if (!p)
		return w->err;
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
	return SWSEV_OK;
}

swsev_err swsev_put_bytes(struct swsev_wbuf *w, const void *src, size_t n)
{
	uint8_t *p = wbuf_take(w, n);

	if (!p)
		return w->err;
	if (n)
		memcpy(p, src, n);
	return SWSEV_OK;
}

swsev_err swsev_put_zeros(struct swsev_wbuf *w, size_t n)
{
	uint8_t *p = wbuf_take(w, n);

	if (!p)
		return w->err;
	memset(p, 0, n);
	return SWSEV_OK;
}

void swsev_reverse(uint8_t *dst, const uint8_t *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = src[n - 1 - i];
}

void swsev_reverse_inplace(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n / 2; i++) {
		uint8_t t = p[i];
		p[i] = p[n - 1 - i];
		p[n - 1 - i] = t;
	}
}

/* Hex digit value without a secret-dependent branch or table lookup:
 * returns 0..15, or a value >= 16 for a non-hex character. */
static unsigned hexval(unsigned char ch)
{
	int d = ch - '0';          /* 0..9 when a digit */
	int l = (ch | 0x20) - 'a'; /* 0..5 when a-f / A-F */
	/* (x | (max - x)) is negative exactly when x is outside 0..max */
	unsigned isd = (unsigned)(((d | (9 - d)) >> 8) + 1);
	unsigned isl = (unsigned)(((l | (5 - l)) >> 8) + 1);
	unsigned v = (isd * (unsigned)d) | (isl * (unsigned)(l + 10));

	return (v & 15) | ((1u - (isd | isl)) << 8);
}

void swsev_hex_encode(const void *in, size_t n, char *out)
{
	const uint8_t *p = in;

	for (size_t i = 0; i < n; i++) {
		unsigned hi = p[i] >> 4, lo = p[i] & 15;
		/* 'a' - '0' - 10 = 39; add it only when the nibble is >= 10 */
		out[2 * i] = (char)('0' + hi + (((9 - hi) >> 8) & 39));
		out[2 * i + 1] = (char)('0' + lo + (((9 - lo) >> 8) & 39));
	}
	out[2 * n] = '\0';
}

swsev_err swsev_hex_decode(const char *in, void *out, size_t n)
{
	uint8_t *o = out;
	unsigned bad = 0;

	if (strlen(in) != 2 * n)
		return SWSEV_E_LENGTH;
	for (size_t i = 0; i < n; i++) {
		unsigned hi = hexval((unsigned char)in[2 * i]);
		unsigned lo = hexval((unsigned char)in[2 * i + 1]);
		bad |= (hi | lo) >> 4;
		o[i] = (uint8_t)((hi << 4) | (lo & 15));
	}
	if (bad) {
		memset(out, 0, n);
		return SWSEV_E_FORMAT;
	}
	return SWSEV_OK;
}

swsev_err swsev_guid_parse(const char *text, uint8_t out[16])
{
	/* canonical text: 8-4-4-4-12 hex digits */
	static const int dash[] = { 8, 13, 18, 23 };
	char hex[33];
	uint8_t be[16];
	size_t j = 0;

	if (strlen(text) != 36)
		return SWSEV_E_FORMAT;
	for (size_t i = 0, d = 0; i < 36; i++) {
		if (d < 4 && (int)i == dash[d]) {
			if (text[i] != '-')
				return SWSEV_E_FORMAT;
			d++;
			continue;
		}
		hex[j++] = text[i];
	}
	hex[j] = '\0';
	if (swsev_hex_decode(hex, be, 16))
		return SWSEV_E_FORMAT;
	/* bytes_le: the first three fields byte-reversed */
	swsev_reverse(out, be, 4);
	swsev_reverse(out + 4, be + 4, 2);
	swsev_reverse(out + 6, be + 6, 2);
	memcpy(out + 8, be + 8, 8);
	return SWSEV_OK;
}

void swsev_guid_format(const uint8_t in[16], char out[37])
{
	uint8_t be[16];
	char hex[33];
	size_t k = 0;

	swsev_reverse(be, in, 4);
	swsev_reverse(be + 4, in + 4, 2);
	swsev_reverse(be + 6, in + 6, 2);
	memcpy(be + 8, in + 8, 8);
	swsev_hex_encode(be, 16, hex);
	for (size_t i = 0; i < 32; i++) {
		if (i == 8 || i == 12 || i == 16 || i == 20)
			out[k++] = '-';
		out[k++] = hex[i];
	}
	out[k] = '\0';
}

swsev_err swsev_parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end = NULL;
	unsigned long long v;
	int base = 10;

	if (!s || !*s)
		return SWSEV_E_INVALID;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		if (!*s)
			return SWSEV_E_INVALID;
	}
	/* strtoull accepts leading space and signs: refuse them */
	if (!((*s >= '0' && *s <= '9') ||
	      (base == 16 && ((*s | 0x20) >= 'a' && (*s | 0x20) <= 'f'))))
		return SWSEV_E_INVALID;
	errno = 0;
	v = strtoull(s, &end, base);
	if (errno == ERANGE || v > max)
		return SWSEV_E_RANGE;
	if (errno || *end != '\0')
		return SWSEV_E_INVALID;
	*out = (uint64_t)v;
	return SWSEV_OK;
}
