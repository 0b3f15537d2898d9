/*
 * The bounds-checked cursor every external byte passes through.
 *
 * Reading: a swsev_cur walks a read-only buffer. Every get fails (returns
 * non-zero swsev_err and latches cur->err) if fewer bytes remain than asked;
 * once an error is latched every later call fails too, so a parser may
 * chain gets and test once. Integers are little-endian, decoded byte by
 * byte; no struct is ever laid over input.
 *
 * Writing: a swsev_wbuf fills a caller buffer of fixed capacity with the
 * same latching rule.
 *
 * Length arithmetic: swsev_add_ok / swsev_mul_ok detect overflow.
 */
#ifndef SWSEV_LIB_CODEC_H
#define SWSEV_LIB_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "swsev/error.h"

struct swsev_cur {
	const uint8_t *p;
	size_t len;
	size_t off;
	swsev_err err;
};

void swsev_cur_init(struct swsev_cur *c, const void *p, size_t len);
size_t swsev_cur_left(const struct swsev_cur *c);
swsev_err swsev_cur_u8(struct swsev_cur *c, uint8_t *v) SWSEV_MUST_CHECK;
swsev_err swsev_cur_u16(struct swsev_cur *c, uint16_t *v) SWSEV_MUST_CHECK;
swsev_err swsev_cur_u32(struct swsev_cur *c, uint32_t *v) SWSEV_MUST_CHECK;
swsev_err swsev_cur_u64(struct swsev_cur *c, uint64_t *v) SWSEV_MUST_CHECK;
swsev_err swsev_cur_u16be(struct swsev_cur *c, uint16_t *v) SWSEV_MUST_CHECK;
swsev_err swsev_cur_u32be(struct swsev_cur *c, uint32_t *v) SWSEV_MUST_CHECK;
/* Copies n bytes out. */
swsev_err swsev_cur_bytes(struct swsev_cur *c, void *out, size_t n) SWSEV_MUST_CHECK;
/* Returns a pointer to the next n bytes (no copy) and advances. */
swsev_err swsev_cur_view(struct swsev_cur *c, const uint8_t **out, size_t n) SWSEV_MUST_CHECK;
swsev_err swsev_cur_skip(struct swsev_cur *c, size_t n) SWSEV_MUST_CHECK;
/* Skips n bytes that must all be zero (SWSEV_E_FORMAT otherwise). */
swsev_err swsev_cur_zeros(struct swsev_cur *c, size_t n) SWSEV_MUST_CHECK;
/* SWSEV_E_TRAILING if any byte is left (or the latched error). */
swsev_err swsev_cur_end(struct swsev_cur *c) SWSEV_MUST_CHECK;

struct swsev_wbuf {
	uint8_t *p;
	size_t cap;
	size_t off;
	swsev_err err;
};

void swsev_wbuf_init(struct swsev_wbuf *w, void *p, size_t cap);
swsev_err swsev_put_u8(struct swsev_wbuf *w, uint8_t v);
swsev_err swsev_put_u16(struct swsev_wbuf *w, uint16_t v);
swsev_err swsev_put_u32(struct swsev_wbuf *w, uint32_t v);
swsev_err swsev_put_u64(struct swsev_wbuf *w, uint64_t v);
swsev_err swsev_put_u32be(struct swsev_wbuf *w, uint32_t v);
swsev_err swsev_put_bytes(struct swsev_wbuf *w, const void *p, size_t n);
swsev_err swsev_put_zeros(struct swsev_wbuf *w, size_t n);

/* Direct little-endian helpers on buffers the caller has already sized. */
static inline uint16_t swsev_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}
static inline uint32_t swsev_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}
static inline uint64_t swsev_le64(const uint8_t *p)
{
	return (uint64_t)swsev_le32(p) | ((uint64_t)swsev_le32(p + 4) << 32);
}
static inline void swsev_wle16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}
static inline void swsev_wle32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}
static inline void swsev_wle64(uint8_t *p, uint64_t v)
{
	swsev_wle32(p, (uint32_t)v);
	swsev_wle32(p + 4, (uint32_t)(v >> 32));
}

/* Reverses n bytes from src into dst (little <-> big endian); dst != src. */
void swsev_reverse(uint8_t *dst, const uint8_t *src, size_t n);
/* In-place reversal. */
void swsev_reverse_inplace(uint8_t *p, size_t n);

/* Overflow-safe arithmetic: return true and store the result if it fits. */
static inline bool swsev_add_ok(size_t a, size_t b, size_t *r)
{
	return !__builtin_add_overflow(a, b, r);
}
static inline bool swsev_mul_ok(size_t a, size_t b, size_t *r)
{
	return !__builtin_mul_overflow(a, b, r);
}
static inline bool swsev_add64_ok(uint64_t a, uint64_t b, uint64_t *r)
{
	return !__builtin_add_overflow(a, b, r);
}

/* GUIDs: text "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" <-> 16 bytes in the UEFI
 * mixed-endian (bytes_le) order used by OVMF and QEMU tables. */
swsev_err swsev_guid_parse(const char *text, uint8_t out[16]) SWSEV_MUST_CHECK;
/* Writes 37 bytes (36 chars + NUL). */
void swsev_guid_format(const uint8_t in[16], char out[37]);

/* Hex: lowercase; the decoder takes exactly 2*n hex digits. */
void swsev_hex_encode(const void *in, size_t n, char *out /* 2n+1 */);
swsev_err swsev_hex_decode(const char *in, void *out, size_t n) SWSEV_MUST_CHECK;

/* Strict number parsing for CLI and config: decimal or 0x-hex, no junk,
 * range-checked. */
swsev_err swsev_parse_u64(const char *s, uint64_t max, uint64_t *out) SWSEV_MUST_CHECK;

#endif
