/*
 * swsev firmware images (DOWNLOAD_FIRMWARE, commands.md §8.12): format,
 * parser, signer and signature check. The layout (docs/firmware.md
 * "Firmware images"), all integers little-endian:
 *
 *   0x00  8  magic "SWSEVFW1"
 *   0x08  2  format version (1)
 *   0x0A  2  header length (0x40)
 *   0x0C 16  profile name, a-z 0-9, NUL-padded (at least one NUL)
 *   0x1C  1  API major
 *   0x1D  1  API minor
 *   0x1E  1  build
 *   0x1F  1  reserved, 0
 *   0x20  4  body length
 *   0x24  4  signature algorithm: 0x1 RSA-PSS SHA-256 (RSA-2048),
 *            0x101 RSA-PSS SHA-384 (RSA-4096), the SEV cert codes
 *   0x28  4  signature length (256 or 512, the algorithm's key size)
 *   0x2C  4  reserved, 0
 *   0x30 16  signer: the key_id of the ASK that signed
 *   0x40  .  body (body length bytes; opaque, never executed)
 *   ...   .  signature (signature length bytes, big-endian) over every
 *            byte before it
 *
 * The whole image is exactly 0x40 + body length + signature length bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "codec/codec.h"
#include "fw/fw_int.h"

#define CAP_SMALL (64u * 1024u)

size_t swsev_fwimage_cap(const struct swsev_profile *p)
{
	if (p == NULL)
		return 0;
	/* sev-tool's limits: 64 KiB Naples and Rome, 128 KiB Milan. Genoa has
	 * no public figure: Milan's. */
	if (strcmp(p->name, "naples") == 0 || strcmp(p->name, "rome") == 0)
		return CAP_SMALL;
	return SWSEV_FWIMG_MAX;
}

/* The signature length an algorithm code implies, 0 for an unknown code. */
static uint32_t algo_sig_len(uint32_t algo)
{
	switch (algo) {
	case SWSEV_ALGO_RSA_SHA256: return 256;
	case SWSEV_ALGO_RSA_SHA384: return 512;
	default: return 0;
	}
}

static int name_char_ok(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
}

/* 1..15 name characters, then NULs only. */
static int profile_field_ok(const uint8_t f[16])
{
	size_t n = 0;

	while (n < 16 && f[n] != 0) {
		if (!name_char_ok((char)f[n]))
			return 0;
		n++;
	}
	if (n == 0 || n == 16)
		return 0;
	for (size_t i = n; i < 16; i++)
		if (f[i] != 0)
			return 0;
	return 1;
}

swsev_err swsev_fwimage_parse(const uint8_t *buf, size_t len, struct swsev_fwimage *out)
{
	struct swsev_cur c;
	struct swsev_fwimage img;
	uint8_t magic[8], prof[16], rsvd8;
	uint16_t hdr_len;
	uint32_t rsvd32;
	size_t total;
	swsev_err r = SWSEV_E_INTERNAL;

	memset(&img, 0, sizeof(img));
	if (out == NULL)
		return SWSEV_E_INVALID;
	memset(out, 0, sizeof(*out));
	if (buf == NULL && len > 0)
		return SWSEV_E_INVALID;
	if (len < SWSEV_FWIMG_HDR_LEN)
		return SWSEV_E_TRUNCATED;
	swsev_cur_init(&c, buf, len);
	if (swsev_cur_bytes(&c, magic, sizeof(magic)) || swsev_cur_u16(&c, &img.version) ||
	    swsev_cur_u16(&c, &hdr_len) || swsev_cur_bytes(&c, prof, sizeof(prof)) ||
	    swsev_cur_u8(&c, &img.api_major) || swsev_cur_u8(&c, &img.api_minor) ||
	    swsev_cur_u8(&c, &img.build) || swsev_cur_u8(&c, &rsvd8) ||
	    swsev_cur_u32(&c, &img.body_len) || swsev_cur_u32(&c, &img.sig_algo) ||
	    swsev_cur_u32(&c, &img.sig_len) || swsev_cur_u32(&c, &rsvd32) ||
	    swsev_cur_bytes(&c, img.signer_id, sizeof(img.signer_id)))
		return SWSEV_E_TRUNCATED; /* cannot happen: len >= header */
	if (memcmp(magic, SWSEV_FWIMG_MAGIC, sizeof(magic)) != 0)
		return SWSEV_E_FORMAT;
	if (img.version != SWSEV_FWIMG_VERSION)
		return SWSEV_E_VERSION;
	if (hdr_len != SWSEV_FWIMG_HDR_LEN || rsvd8 != 0 || rsvd32 != 0 || !profile_field_ok(prof))
		return SWSEV_E_FORMAT;
	if (algo_sig_len(img.sig_algo) == 0)
		return SWSEV_E_ALGO;
	if (img.sig_len != algo_sig_len(img.sig_algo))
		return SWSEV_E_FORMAT;
	/* exact length, with additions that cannot overflow */
	if (!swsev_add_ok(SWSEV_FWIMG_HDR_LEN, img.body_len, &img.signed_len) ||
	    !swsev_add_ok(img.signed_len, img.sig_len, &total) || total > len)
		return SWSEV_E_TRUNCATED;
	if (total < len)
		return SWSEV_E_TRAILING;
	r = swsev_cur_view(&c, &img.body, img.body_len);
	if (r == SWSEV_OK)
		r = swsev_cur_view(&c, &img.sig, img.sig_len);
	if (r == SWSEV_OK)
		r = swsev_cur_end(&c);
	if (r != SWSEV_OK)
		return r;
	memcpy(img.profile, prof, sizeof(prof)); /* NUL-terminated: checked above */
	img.raw = buf;
	img.len = total;
	*out = img;
	return SWSEV_OK;
}

swsev_err swsev_fwimage_verify(const struct swsev_fwimage *img, const struct swsev_amd_cert *ask)
{
	swsev_rsa_key *k = NULL;
	swsev_err r;

	if (img == NULL || ask == NULL || img->raw == NULL || img->sig == NULL)
		return SWSEV_E_INVALID;
	if (img->sig_algo != swsev_amd_cert_algo(ask) || img->sig_len != ask->modulus_bits / 8 ||
	    memcmp(img->signer_id, ask->key_id, sizeof(img->signer_id)) != 0)
		return SWSEV_E_BADSIG;
	r = swsev_amd_cert_key(ask, &k);
	if (r != SWSEV_OK)
		return SWSEV_E_BADKEY;
	r = swsev_rsa_pss_verify(k, swsev_amd_cert_hash(ask), img->raw, img->signed_len, img->sig,
				 img->sig_len);
	swsev_rsa_free(k);
	if (r != SWSEV_OK && r != SWSEV_E_BADSIG)
		r = SWSEV_E_BADSIG;
	return r;
}

swsev_err swsev_fwimage_sign(const struct swsev_fwimage_params *p,
			     const struct swsev_rsa_key *ask_key, const struct swsev_amd_cert *ask,
			     uint8_t **out, size_t *len)
{
	struct swsev_wbuf w;
	struct swsev_fwimage img;
	uint8_t prof[16] = { 0 }, *b = NULL;
	size_t n, total = 0, plen;
	uint32_t algo, sig_len;
	swsev_err r = SWSEV_E_INTERNAL;

	if (out == NULL || len == NULL)
		return SWSEV_E_INVALID;
	*out = NULL;
	*len = 0;
	if (p == NULL || ask_key == NULL || ask == NULL || p->profile == NULL ||
	    (p->body == NULL && p->body_len > 0))
		return SWSEV_E_INVALID;
	plen = strlen(p->profile);
	if (plen == 0 || plen >= sizeof(prof))
		return SWSEV_E_INVALID;
	for (size_t i = 0; i < plen; i++)
		if (!name_char_ok(p->profile[i]))
			return SWSEV_E_INVALID;
	memcpy(prof, p->profile, plen);
	algo = swsev_amd_cert_algo(ask);
	sig_len = algo_sig_len(algo);
	if (sig_len == 0 || ask->modulus_bits / 8 != sig_len ||
	    swsev_rsa_bits(ask_key) != ask->modulus_bits)
		return SWSEV_E_BADKEY;
	if (!swsev_add_ok(SWSEV_FWIMG_HDR_LEN, p->body_len, &n) ||
	    !swsev_add_ok(n, sig_len, &total) || total > SWSEV_FWIMG_MAX)
		return SWSEV_E_LENGTH;
	b = malloc(total);
	if (b == NULL)
		return SWSEV_E_NOMEM;
	swsev_wbuf_init(&w, b, total);
	(void)swsev_put_bytes(&w, SWSEV_FWIMG_MAGIC, 8);
	(void)swsev_put_u16(&w, SWSEV_FWIMG_VERSION);
	(void)swsev_put_u16(&w, SWSEV_FWIMG_HDR_LEN);
	(void)swsev_put_bytes(&w, prof, sizeof(prof));
	(void)swsev_put_u8(&w, p->api_major);
	(void)swsev_put_u8(&w, p->api_minor);
	(void)swsev_put_u8(&w, p->build);
	(void)swsev_put_u8(&w, 0);
	(void)swsev_put_u32(&w, (uint32_t)p->body_len);
	(void)swsev_put_u32(&w, algo);
	(void)swsev_put_u32(&w, sig_len);
	(void)swsev_put_u32(&w, 0);
	(void)swsev_put_bytes(&w, ask->key_id, 16);
	if (p->body_len > 0)
		(void)swsev_put_bytes(&w, p->body, p->body_len);
	r = w.err;
	if (r == SWSEV_OK && w.off != n)
		r = SWSEV_E_INTERNAL;
	if (r == SWSEV_OK)
		r = swsev_rsa_pss_sign(ask_key, swsev_amd_cert_hash(ask), b, n, b + n, sig_len);
	/* the image must parse and verify under the ASK cert: this also proves
	 * the private key is the certificate's */
	if (r == SWSEV_OK)
		r = swsev_fwimage_parse(b, total, &img);
	if (r == SWSEV_OK) {
		r = swsev_fwimage_verify(&img, ask);
		if (r == SWSEV_E_BADSIG)
			r = SWSEV_E_BADKEY;
	}
	if (r != SWSEV_OK) {
		free(b);
		return r;
	}
	*out = b;
	*len = total;
	return SWSEV_OK;
}
