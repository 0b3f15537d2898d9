/*
 * SEV certificates (certificates.md §2, §3, §5.1): parse, encode, build,
 * sign and verify.
 *
 * Layout (2084 = 0x824 bytes, every integer and big number little-endian):
 *
 *   0x000  u32 version            must be 1
 *   0x004  u8  api_major, u8 api_minor
 *   0x006  u8  rsvd[2]            zero
 *   0x008  u32 pubkey_usage       §3.1 (OCA, PEK, PDH, CEK)
 *   0x00C  u32 pubkey_algo        §3.2 (not INVALID)
 *   0x010  pubkey[1028]           EC:  u32 curve, qx[72], qy[72], rsvd[880]
 *                                 RSA: u32 modulus_bits, exp[512], mod[512]
 *   0x414  u32 sig1_usage, u32 sig1_algo, sig1[512]
 *   0x61C  u32 sig2_usage, u32 sig2_algo, sig2[512]
 *
 * Both signatures cover [0, 0x414). A slot names its signer by the signer's
 * (usage, algo); verifiers find a slot by that pair, never by position.
 * Empty slot: usage 0x1000, algo 0.
 */
#include <string.h>

#include "codec/codec.h"
#include "swsev/cert.h"
#include "swsev/status.h"

#define EC_COORD_FIELD 72
#define EC_RSVD (SWSEV_CERT_KEY_LEN - 4 - 2 * EC_COORD_FIELD) /* 880 */
#define RSA_FIELD 512
#define RSA_MAX_BITS 4096
#define ECDSA_RSVD (SWSEV_CERT_SIG_LEN - 2 * EC_COORD_FIELD) /* 368 */
#define SLOT0_OFF 0x414
#define SLOT_LEN (8 + SWSEV_CERT_SIG_LEN)

const char *swsev_usage_name(uint32_t usage)
{
	switch (usage) {
	case SWSEV_USAGE_ARK: return "ARK";
	case SWSEV_USAGE_ASK: return "ASK";
	case SWSEV_USAGE_INVALID: return "INVALID";
	case SWSEV_USAGE_OCA: return "OCA";
	case SWSEV_USAGE_PEK: return "PEK";
	case SWSEV_USAGE_PDH: return "PDH";
	case SWSEV_USAGE_CEK: return "CEK";
	default: return "UNKNOWN";
	}
}

const char *swsev_algo_name(uint32_t algo)
{
	switch (algo) {
	case SWSEV_ALGO_INVALID: return "INVALID";
	case SWSEV_ALGO_RSA_SHA256: return "RSA_SHA256";
	case SWSEV_ALGO_ECDSA_SHA256: return "ECDSA_SHA256";
	case SWSEV_ALGO_ECDH_SHA256: return "ECDH_SHA256";
	case SWSEV_ALGO_RSA_SHA384: return "RSA_SHA384";
	case SWSEV_ALGO_ECDSA_SHA384: return "ECDSA_SHA384";
	case SWSEV_ALGO_ECDH_SHA384: return "ECDH_SHA384";
	default: return "UNKNOWN";
	}
}

static int usage_known(uint32_t u)
{
	return strcmp(swsev_usage_name(u), "UNKNOWN") != 0;
}

static int algo_known(uint32_t a)
{
	return strcmp(swsev_algo_name(a), "UNKNOWN") != 0;
}

static int algo_is_rsa(uint32_t a)
{
	return a == SWSEV_ALGO_RSA_SHA256 || a == SWSEV_ALGO_RSA_SHA384;
}

static int algo_is_ecdsa(uint32_t a)
{
	return a == SWSEV_ALGO_ECDSA_SHA256 || a == SWSEV_ALGO_ECDSA_SHA384;
}

static int algo_is_ec(uint32_t a)
{
	return algo_is_ecdsa(a) || a == SWSEV_ALGO_ECDH_SHA256 || a == SWSEV_ALGO_ECDH_SHA384;
}

swsev_hash swsev_algo_hash(uint32_t algo)
{
	switch (algo) {
	case SWSEV_ALGO_RSA_SHA256:
	case SWSEV_ALGO_ECDSA_SHA256:
	case SWSEV_ALGO_ECDH_SHA256: return SWSEV_HASH_SHA256;
	case SWSEV_ALGO_RSA_SHA384:
	case SWSEV_ALGO_ECDSA_SHA384:
	case SWSEV_ALGO_ECDH_SHA384: return SWSEV_HASH_SHA384;
	default: return (swsev_hash)0;
	}
}

/* A cert's own key usage: the four SEV-format roles (ARK/ASK are AMD format). */
static int key_usage_ok(uint32_t u)
{
	return u == SWSEV_USAGE_OCA || u == SWSEV_USAGE_PEK || u == SWSEV_USAGE_PDH ||
	       u == SWSEV_USAGE_CEK;
}

static int all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

/* Significant bytes of an EC coordinate for a curve id (0 if unknown). */
static size_t curve_bytes(uint32_t curve)
{
	if (curve == SWSEV_CURVE_P256)
		return 32;
	if (curve == SWSEV_CURVE_P384)
		return SWSEV_P384_BYTES;
	return 0;
}

/* Checks the 1028-byte key area against the algo (certificates.md §2.1). */
static swsev_err check_key_area(uint32_t algo, const uint8_t *k)
{
	if (algo_is_ec(algo)) {
		size_t cb = curve_bytes(swsev_le32(k));

		if (cb == 0)
			return SWSEV_E_FORMAT;
		if (!all_zero(k + 4 + cb, EC_COORD_FIELD - cb) ||
		    !all_zero(k + 4 + EC_COORD_FIELD + cb, EC_COORD_FIELD - cb) ||
		    !all_zero(k + 4 + 2 * EC_COORD_FIELD, EC_RSVD))
			return SWSEV_E_FORMAT;
		return SWSEV_OK;
	}
	if (algo_is_rsa(algo)) {
		uint32_t bits = swsev_le32(k);
		size_t nbytes = ((size_t)bits + 7) / 8;

		if (bits == 0 || bits > RSA_MAX_BITS)
			return SWSEV_E_FORMAT;
		/* the modulus has at most bits/8 significant bytes */
		if (!all_zero(k + 4 + RSA_FIELD + nbytes, RSA_FIELD - nbytes))
			return SWSEV_E_FORMAT;
		return SWSEV_OK;
	}
	return SWSEV_E_ALGO;
}

swsev_err swsev_cert_parse(const uint8_t *buf, size_t len, struct swsev_cert *out)
{
	struct swsev_cur cur;
	struct swsev_cert c;
	swsev_err r = SWSEV_E_INTERNAL;

	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	if (buf == NULL && len != 0)
		return SWSEV_E_INVALID;
	if (len < SWSEV_CERT_LEN)
		return SWSEV_E_TRUNCATED;
	if (len > SWSEV_CERT_LEN)
		return SWSEV_E_TRAILING;

	swsev_cur_init(&cur, buf, len);
	if ((r = swsev_cur_u32(&cur, &c.version)) != SWSEV_OK)
		goto out;
	if (c.version != 1) {
		r = SWSEV_E_VERSION;
		goto out;
	}
	if ((r = swsev_cur_u8(&cur, &c.api_major)) != SWSEV_OK ||
	    (r = swsev_cur_u8(&cur, &c.api_minor)) != SWSEV_OK)
		goto out;
	if ((r = swsev_cur_zeros(&cur, 2)) != SWSEV_OK)
		goto out;
	if ((r = swsev_cur_u32(&cur, &c.pub_key_usage)) != SWSEV_OK ||
	    (r = swsev_cur_u32(&cur, &c.pub_key_algo)) != SWSEV_OK)
		goto out;
	if (!key_usage_ok(c.pub_key_usage)) {
		r = SWSEV_E_USAGE;
		goto out;
	}
	if (!algo_known(c.pub_key_algo) || c.pub_key_algo == SWSEV_ALGO_INVALID) {
		r = SWSEV_E_ALGO;
		goto out;
	}
	if ((r = swsev_cur_bytes(&cur, c.pub_key, sizeof(c.pub_key))) != SWSEV_OK)
		goto out;
	if ((r = check_key_area(c.pub_key_algo, c.pub_key)) != SWSEV_OK)
		goto out;
	for (int i = 0; i < 2; i++) {
		if ((r = swsev_cur_u32(&cur, &c.sig[i].usage)) != SWSEV_OK ||
		    (r = swsev_cur_u32(&cur, &c.sig[i].algo)) != SWSEV_OK ||
		    (r = swsev_cur_bytes(&cur, c.sig[i].sig, SWSEV_CERT_SIG_LEN)) != SWSEV_OK)
			goto out;
		/* Unknown codes are refused; a half-empty slot (one code
		 * INVALID, the other not) is kept: the firmware answers it
		 * with BAD_SIGNATURE and swsev_cert_verify with E_FORMAT. */
		if (!usage_known(c.sig[i].usage)) {
			r = SWSEV_E_USAGE;
			goto out;
		}
		if (!algo_known(c.sig[i].algo)) {
			r = SWSEV_E_ALGO;
			goto out;
		}
		/* an empty slot is 512 zero bytes (certificates.md §2.2) */
		if (c.sig[i].usage == SWSEV_USAGE_INVALID && c.sig[i].algo == SWSEV_ALGO_INVALID &&
		    !all_zero(c.sig[i].sig, SWSEV_CERT_SIG_LEN)) {
			r = SWSEV_E_FORMAT;
			goto out;
		}
	}
	if ((r = swsev_cur_end(&cur)) != SWSEV_OK)
		goto out;
	memcpy(c.raw, buf, SWSEV_CERT_LEN);
	*out = c;
	r = SWSEV_OK;
out:
	return r;
}

/* Writes the fields of c into a 2084-byte buffer. */
static swsev_err encode_into(const struct swsev_cert *c, uint8_t *out)
{
	struct swsev_wbuf w;

	swsev_wbuf_init(&w, out, SWSEV_CERT_LEN);
	(void)swsev_put_u32(&w, c->version);
	(void)swsev_put_u8(&w, c->api_major);
	(void)swsev_put_u8(&w, c->api_minor);
	(void)swsev_put_zeros(&w, 2);
	(void)swsev_put_u32(&w, c->pub_key_usage);
	(void)swsev_put_u32(&w, c->pub_key_algo);
	(void)swsev_put_bytes(&w, c->pub_key, sizeof(c->pub_key));
	for (int i = 0; i < 2; i++) {
		(void)swsev_put_u32(&w, c->sig[i].usage);
		(void)swsev_put_u32(&w, c->sig[i].algo);
		(void)swsev_put_bytes(&w, c->sig[i].sig, SWSEV_CERT_SIG_LEN);
	}
	if (w.err != SWSEV_OK)
		return w.err;
	return w.off == SWSEV_CERT_LEN ? SWSEV_OK : SWSEV_E_INTERNAL;
}

swsev_err swsev_cert_encode(struct swsev_cert *c, uint8_t out[SWSEV_CERT_LEN])
{
	uint8_t tmp[SWSEV_CERT_LEN];
	swsev_err r;

	if ((r = encode_into(c, tmp)) != SWSEV_OK)
		return r;
	memcpy(c->raw, tmp, sizeof(tmp));
	if (out != NULL && out != c->raw)
		memcpy(out, tmp, sizeof(tmp));
	return SWSEV_OK;
}

void swsev_cert_clear_sig(struct swsev_cert *c, int slot)
{
	if (slot < 0 || slot > 1)
		return;
	c->sig[slot].usage = SWSEV_USAGE_INVALID;
	c->sig[slot].algo = SWSEV_ALGO_INVALID;
	memset(c->sig[slot].sig, 0, SWSEV_CERT_SIG_LEN);
	(void)encode_into(c, c->raw);
}

swsev_err swsev_cert_init_ec(struct swsev_cert *c, uint8_t api_major, uint8_t api_minor,
			     uint32_t usage, uint32_t algo, const swsev_ec_key *key)
{
	uint8_t x[SWSEV_P384_BYTES], y[SWSEV_P384_BYTES];
	swsev_err r = SWSEV_E_INTERNAL;

	memset(c, 0, sizeof(*c));
	if (key == NULL)
		return SWSEV_E_INVALID;
	if (!key_usage_ok(usage))
		return SWSEV_E_USAGE;
	if (!algo_is_ec(algo))
		return SWSEV_E_ALGO;
	if ((r = swsev_ec_get_public(key, x, y)) != SWSEV_OK)
		goto out;
	c->version = 1;
	c->api_major = api_major;
	c->api_minor = api_minor;
	c->pub_key_usage = usage;
	c->pub_key_algo = algo;
	swsev_wle32(c->pub_key, SWSEV_CURVE_P384);
	swsev_reverse(c->pub_key + 4, x, SWSEV_P384_BYTES);
	swsev_reverse(c->pub_key + 4 + EC_COORD_FIELD, y, SWSEV_P384_BYTES);
	for (int i = 0; i < 2; i++) {
		c->sig[i].usage = SWSEV_USAGE_INVALID;
		c->sig[i].algo = SWSEV_ALGO_INVALID;
	}
	r = encode_into(c, c->raw);
out:
	if (r != SWSEV_OK)
		memset(c, 0, sizeof(*c));
	return r;
}

swsev_err swsev_cert_ec_key(const struct swsev_cert *c, swsev_ec_key **out)
{
	uint8_t x[SWSEV_P384_BYTES], y[SWSEV_P384_BYTES];
	const uint8_t *k = c->pub_key;

	*out = NULL;
	if (!algo_is_ec(c->pub_key_algo))
		return SWSEV_E_ALGO;
	/* Only P-384 keys are real SEV keys (Genoa rejects every other curve id). */
	if (swsev_le32(k) != SWSEV_CURVE_P384)
		return SWSEV_E_BADKEY;
	if (!all_zero(k + 4 + SWSEV_P384_BYTES, EC_COORD_FIELD - SWSEV_P384_BYTES) ||
	    !all_zero(k + 4 + EC_COORD_FIELD + SWSEV_P384_BYTES, EC_COORD_FIELD - SWSEV_P384_BYTES))
		return SWSEV_E_BADKEY;
	swsev_reverse(x, k + 4, SWSEV_P384_BYTES);
	swsev_reverse(y, k + 4 + EC_COORD_FIELD, SWSEV_P384_BYTES);
	if (swsev_ec_from_public(x, y, out) != SWSEV_OK) {
		*out = NULL;
		return SWSEV_E_BADKEY;
	}
	return SWSEV_OK;
}

swsev_err swsev_cert_rsa_key(const struct swsev_cert *c, swsev_rsa_key **out)
{
	uint8_t n[RSA_FIELD], e[RSA_FIELD];
	const uint8_t *k = c->pub_key;
	uint32_t bits;
	size_t nbytes;

	*out = NULL;
	if (!algo_is_rsa(c->pub_key_algo))
		return SWSEV_E_ALGO;
	bits = swsev_le32(k);
	if (bits == 0 || bits > RSA_MAX_BITS || bits % 8 != 0)
		return SWSEV_E_BADKEY;
	nbytes = bits / 8;
	if (!all_zero(k + 4 + RSA_FIELD + nbytes, RSA_FIELD - nbytes))
		return SWSEV_E_BADKEY;
	swsev_reverse(e, k + 4, RSA_FIELD);
	swsev_reverse(n, k + 4 + RSA_FIELD + 0, nbytes);
	if (swsev_rsa_from_public(n, nbytes, e, RSA_FIELD, out) != SWSEV_OK) {
		*out = NULL;
		return SWSEV_E_BADKEY;
	}
	if (swsev_rsa_bits(*out) != bits) {
		swsev_rsa_free(*out);
		*out = NULL;
		return SWSEV_E_BADKEY;
	}
	return SWSEV_OK;
}

swsev_err swsev_cert_sign_ec(struct swsev_cert *c, int slot, uint32_t signer_usage,
			     uint32_t signer_algo, const swsev_ec_key *signer)
{
	uint8_t r_be[SWSEV_P384_BYTES], s_be[SWSEV_P384_BYTES];
	struct swsev_cert_sig *sl;
	swsev_err r = SWSEV_E_INTERNAL;

	if (slot < 0 || slot > 1 || signer == NULL)
		return SWSEV_E_INVALID;
	if (!usage_known(signer_usage) || signer_usage == SWSEV_USAGE_INVALID)
		return SWSEV_E_USAGE;
	if (!algo_is_ecdsa(signer_algo))
		return SWSEV_E_ALGO;
	/* the signed bytes are the encoded body: refresh raw from the fields */
	if ((r = encode_into(c, c->raw)) != SWSEV_OK)
		return r;
	if ((r = swsev_ecdsa_sign(signer, swsev_algo_hash(signer_algo), c->raw, SWSEV_CERT_BODY_LEN,
				  r_be, s_be)) != SWSEV_OK)
		return r;
	sl = &c->sig[slot];
	sl->usage = signer_usage;
	sl->algo = signer_algo;
	memset(sl->sig, 0, sizeof(sl->sig));
	swsev_reverse(sl->sig, r_be, SWSEV_P384_BYTES);
	swsev_reverse(sl->sig + EC_COORD_FIELD, s_be, SWSEV_P384_BYTES);
	return encode_into(c, c->raw);
}

swsev_err swsev_cert_sign_rsa(struct swsev_cert *c, int slot, uint32_t signer_algo,
			      const swsev_rsa_key *signer)
{
	uint8_t sig_be[RSA_FIELD];
	struct swsev_cert_sig *sl;
	unsigned bits;
	size_t nbytes;
	swsev_err r = SWSEV_E_INTERNAL;

	if (slot < 0 || slot > 1 || signer == NULL)
		return SWSEV_E_INVALID;
	if (!algo_is_rsa(signer_algo))
		return SWSEV_E_ALGO;
	bits = swsev_rsa_bits(signer);
	if (bits == 0 || bits > RSA_MAX_BITS || bits % 8 != 0)
		return SWSEV_E_BADKEY;
	nbytes = bits / 8;
	if ((r = encode_into(c, c->raw)) != SWSEV_OK)
		return r;
	if ((r = swsev_rsa_pss_sign(signer, swsev_algo_hash(signer_algo), c->raw,
				    SWSEV_CERT_BODY_LEN, sig_be, nbytes)) != SWSEV_OK)
		return r;
	sl = &c->sig[slot];
	sl->usage = SWSEV_USAGE_ASK;
	sl->algo = signer_algo;
	memset(sl->sig, 0, sizeof(sl->sig));
	swsev_reverse(sl->sig, sig_be, nbytes);
	return encode_into(c, c->raw);
}

/* ---- verification ---- */

/* The signer's key, either kind. */
struct signer_key {
	uint32_t usage, algo;
	swsev_ec_key *ec;
	swsev_rsa_key *rsa;
};

static void signer_key_free(struct signer_key *k)
{
	swsev_ec_free(k->ec);
	swsev_rsa_free(k->rsa);
	k->ec = NULL;
	k->rsa = NULL;
}

static int slot_empty(const struct swsev_cert_sig *s)
{
	return s->usage == SWSEV_USAGE_INVALID && s->algo == SWSEV_ALGO_INVALID;
}

/* Exactly one of (usage, algo) says "invalid": a malformed slot (§5.1). */
static int slot_malformed(const struct swsev_cert_sig *s)
{
	return (s->usage == SWSEV_USAGE_INVALID) != (s->algo == SWSEV_ALGO_INVALID);
}

/*
 * Checks one slot with the signer's key over c's signed bytes.
 * SWSEV_OK, SWSEV_E_BADSIG, SWSEV_E_FORMAT (slot bytes malformed),
 * another code on a library failure.
 */
static swsev_err verify_slot(const struct swsev_cert *c, const struct swsev_cert_sig *s,
			     const struct signer_key *k)
{
	swsev_hash h = swsev_algo_hash(k->algo);

	if (k->ec != NULL) {
		uint8_t r_be[SWSEV_P384_BYTES], s_be[SWSEV_P384_BYTES];
		const uint8_t *p = s->sig;

		if (!all_zero(p + SWSEV_P384_BYTES, EC_COORD_FIELD - SWSEV_P384_BYTES) ||
		    !all_zero(p + EC_COORD_FIELD + SWSEV_P384_BYTES,
			      EC_COORD_FIELD - SWSEV_P384_BYTES) ||
		    !all_zero(p + 2 * EC_COORD_FIELD, ECDSA_RSVD))
			return SWSEV_E_FORMAT;
		swsev_reverse(r_be, p, SWSEV_P384_BYTES);
		swsev_reverse(s_be, p + EC_COORD_FIELD, SWSEV_P384_BYTES);
		return swsev_ecdsa_verify(k->ec, h, c->raw, SWSEV_CERT_BODY_LEN, r_be, s_be);
	}
	if (k->rsa != NULL) {
		uint8_t sig_be[RSA_FIELD];
		size_t nbytes = swsev_rsa_bits(k->rsa) / 8;

		if (nbytes == 0 || nbytes > RSA_FIELD)
			return SWSEV_E_BADKEY;
		if (!all_zero(s->sig + nbytes, RSA_FIELD - nbytes))
			return SWSEV_E_FORMAT;
		swsev_reverse(sig_be, s->sig, nbytes);
		return swsev_rsa_pss_verify(k->rsa, h, c->raw, SWSEV_CERT_BODY_LEN, sig_be, nbytes);
	}
	return SWSEV_E_INTERNAL;
}

/*
 * The guest owner's rule: a malformed slot is an error; at least one slot
 * must name the signer and every slot that names it must verify.
 */
static swsev_err verify_with(const struct swsev_cert *c, const struct signer_key *k)
{
	int matched = 0;
	swsev_err r;

	for (int i = 0; i < 2; i++)
		if (slot_malformed(&c->sig[i]))
			return SWSEV_E_FORMAT;
	for (int i = 0; i < 2; i++) {
		const struct swsev_cert_sig *s = &c->sig[i];

		if (s->usage != k->usage || s->algo != k->algo)
			continue;
		matched = 1;
		r = verify_slot(c, s, k);
		if (r != SWSEV_OK)
			return r;
	}
	return matched ? SWSEV_OK : SWSEV_E_NOSIG;
}

static swsev_err signer_key_from_cert(const struct swsev_cert *signer, struct signer_key *k)
{
	memset(k, 0, sizeof(*k));
	k->usage = signer->pub_key_usage;
	k->algo = signer->pub_key_algo;
	if (!usage_known(k->usage) || k->usage == SWSEV_USAGE_INVALID)
		return SWSEV_E_USAGE;
	if (algo_is_ec(k->algo))
		return swsev_cert_ec_key(signer, &k->ec);
	if (algo_is_rsa(k->algo))
		return swsev_cert_rsa_key(signer, &k->rsa);
	return SWSEV_E_ALGO;
}

swsev_err swsev_cert_verify(const struct swsev_cert *c, const struct swsev_cert *signer)
{
	struct signer_key k;
	swsev_err r = SWSEV_E_INTERNAL;

	if (c == NULL || signer == NULL)
		return SWSEV_E_INVALID;
	if ((r = signer_key_from_cert(signer, &k)) != SWSEV_OK) {
		r = (r == SWSEV_E_USAGE || r == SWSEV_E_ALGO) ? r : SWSEV_E_BADKEY;
		goto out;
	}
	r = verify_with(c, &k);
out:
	signer_key_free(&k);
	return r;
}

swsev_err swsev_cert_verify_ec(const struct swsev_cert *c, const struct swsev_cert *signer,
			       const swsev_ec_key *signer_key)
{
	struct signer_key k;

	if (c == NULL || signer == NULL || signer_key == NULL)
		return SWSEV_E_INVALID;
	memset(&k, 0, sizeof(k));
	k.usage = signer->pub_key_usage;
	k.algo = signer->pub_key_algo;
	if (!usage_known(k.usage) || k.usage == SWSEV_USAGE_INVALID)
		return SWSEV_E_USAGE;
	if (!algo_is_ec(k.algo))
		return SWSEV_E_ALGO;
	/* borrowed: verify_with only reads it, and k is not freed */
	k.ec = (swsev_ec_key *)signer_key;
	return verify_with(c, &k);
}

/* ---- the firmware's rule (certificates.md §5.1) ---- */

/* Step 5: which signer usage may sign which cert usage. */
static int role_ok(uint32_t cert_usage, uint32_t signer_usage)
{
	switch (cert_usage) {
	case SWSEV_USAGE_PDH: return signer_usage == SWSEV_USAGE_PEK;
	case SWSEV_USAGE_PEK:
		return signer_usage == SWSEV_USAGE_OCA || signer_usage == SWSEV_USAGE_CEK;
	case SWSEV_USAGE_OCA: return signer_usage == SWSEV_USAGE_OCA;
	case SWSEV_USAGE_CEK: return signer_usage == SWSEV_USAGE_ASK;
	default: return 0;
	}
}

/* Step 4: version 1 and a valid public key. */
static int body_ok(const struct swsev_cert *c)
{
	swsev_ec_key *ec = NULL;
	swsev_rsa_key *rsa = NULL;
	int ok = 0;

	if (c->version != 1)
		return 0;
	if (algo_is_ec(c->pub_key_algo))
		ok = swsev_cert_ec_key(c, &ec) == SWSEV_OK;
	else if (algo_is_rsa(c->pub_key_algo))
		ok = swsev_cert_rsa_key(c, &rsa) == SWSEV_OK;
	swsev_ec_free(ec);
	swsev_rsa_free(rsa);
	return ok;
}

/* Steps 2-5 with the signer key k (step 1 done by the caller). */
static uint16_t validate_fw_with(const struct swsev_cert *c, const struct signer_key *k)
{
	uint16_t res = SEV_STATUS_INVALID_CERTIFICATE; /* no slot matched */

	for (int i = 0; i < 2; i++) {
		const struct swsev_cert_sig *s = &c->sig[i];

		if (slot_malformed(s))
			return SEV_STATUS_BAD_SIGNATURE;
		if (s->usage != k->usage || s->algo != k->algo)
			continue;
		/* the last matching slot decides (Genoa's loop keeps its result) */
		res = verify_slot(c, s, k) == SWSEV_OK ? SEV_STATUS_SUCCESS :
							 SEV_STATUS_BAD_SIGNATURE;
	}
	if (res != SEV_STATUS_SUCCESS)
		return res;
	if (!body_ok(c))
		return SEV_STATUS_INVALID_CERTIFICATE;
	if (!role_ok(c->pub_key_usage, k->usage))
		return SEV_STATUS_INVALID_CERTIFICATE;
	return SEV_STATUS_SUCCESS;
}

uint16_t swsev_cert_validate_fw(const struct swsev_cert *c, const struct swsev_cert *signer)
{
	struct signer_key k;
	uint16_t st;

	if (c == NULL || signer == NULL)
		return SEV_STATUS_INVALID_CERTIFICATE;
	/* step 1: the signer key must be valid */
	if (signer_key_from_cert(signer, &k) != SWSEV_OK) {
		signer_key_free(&k);
		return SEV_STATUS_INVALID_CERTIFICATE;
	}
	st = validate_fw_with(c, &k);
	signer_key_free(&k);
	return st;
}

/* ---- SEV cert under an AMD-format ASK (certificates.md §6.2) ---- */

static swsev_err signer_key_from_amd(const struct swsev_amd_cert *ask, struct signer_key *k)
{
	memset(k, 0, sizeof(*k));
	k->usage = ask->key_usage;
	k->algo = swsev_amd_cert_algo(ask);
	if (k->algo == SWSEV_ALGO_INVALID)
		return SWSEV_E_BADKEY;
	return swsev_amd_cert_key(ask, &k->rsa);
}

swsev_err swsev_cert_verify_amd(const struct swsev_cert *c, const struct swsev_amd_cert *ask)
{
	struct signer_key k;
	swsev_err r = SWSEV_E_INTERNAL;

	if (c == NULL || ask == NULL)
		return SWSEV_E_INVALID;
	if (slot_empty(&c->sig[0]) && slot_empty(&c->sig[1]))
		return SWSEV_E_UNSIGNED;
	if ((r = signer_key_from_amd(ask, &k)) != SWSEV_OK) {
		r = SWSEV_E_BADKEY;
		goto out;
	}
	r = verify_with(c, &k);
out:
	signer_key_free(&k);
	return r;
}

uint16_t swsev_cert_validate_fw_amd(const struct swsev_cert *c, const struct swsev_amd_cert *ask)
{
	struct signer_key k;
	uint16_t st;

	memset(&k, 0, sizeof(k));
	if (c == NULL || ask == NULL || ask->key_usage != SWSEV_USAGE_ASK)
		return SEV_STATUS_INVALID_CERTIFICATE;
	/* step 1: the signer key must be valid */
	if (signer_key_from_amd(ask, &k) != SWSEV_OK) {
		signer_key_free(&k);
		return SEV_STATUS_INVALID_CERTIFICATE;
	}
	st = validate_fw_with(c, &k);
	signer_key_free(&k);
	return st;
}
