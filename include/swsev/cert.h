/*
 * SEV certificates (2084 bytes), AMD root certificates (ARK/ASK) and the
 * platform chain ARK -> ASK -> CEK -> PEK -> PDH, OCA -> PEK.
 * Formats: shared spec certificates.md §2, §6; all integers little-endian.
 */
#ifndef SWSEV_CERT_H
#define SWSEV_CERT_H

#include <stddef.h>
#include <stdint.h>

#include "swsev/crypto.h"
#include "swsev/error.h"

#define SWSEV_CERT_LEN 2084       /* 0x824 */
#define SWSEV_CERT_BODY_LEN 0x414 /* signed bytes [0, 0x414) */
#define SWSEV_CERT_KEY_LEN 1028
#define SWSEV_CERT_SIG_LEN 512
#define SWSEV_CHAIN_LEN (3 * SWSEV_CERT_LEN) /* PEK || OCA || CEK */

/* key usage (certificates.md §3.1) */
enum swsev_usage {
	SWSEV_USAGE_ARK = 0x0000,
	SWSEV_USAGE_ASK = 0x0013,
	SWSEV_USAGE_INVALID = 0x1000,
	SWSEV_USAGE_OCA = 0x1001,
	SWSEV_USAGE_PEK = 0x1002,
	SWSEV_USAGE_PDH = 0x1003,
	SWSEV_USAGE_CEK = 0x1004,
};

/* algorithm (certificates.md §3.2) */
enum swsev_algo {
	SWSEV_ALGO_INVALID = 0x0000,
	SWSEV_ALGO_RSA_SHA256 = 0x0001,
	SWSEV_ALGO_ECDSA_SHA256 = 0x0002,
	SWSEV_ALGO_ECDH_SHA256 = 0x0003,
	SWSEV_ALGO_RSA_SHA384 = 0x0101,
	SWSEV_ALGO_ECDSA_SHA384 = 0x0102,
	SWSEV_ALGO_ECDH_SHA384 = 0x0103,
};

#define SWSEV_CURVE_P256 1
#define SWSEV_CURVE_P384 2

const char *swsev_usage_name(uint32_t usage); /* "PEK", ..., "UNKNOWN" */
const char *swsev_algo_name(uint32_t algo);   /* "ECDSA_SHA256", ... */

struct swsev_cert_sig {
	uint32_t usage;
	uint32_t algo;
	uint8_t sig[SWSEV_CERT_SIG_LEN]; /* raw slot bytes, as in the cert */
};

/* A parsed SEV certificate. `raw` always holds the exact 2084 bytes. */
struct swsev_cert {
	uint32_t version;
	uint8_t api_major, api_minor;
	uint32_t pub_key_usage;
	uint32_t pub_key_algo;
	uint8_t pub_key[SWSEV_CERT_KEY_LEN]; /* raw key area */
	struct swsev_cert_sig sig[2];
	uint8_t raw[SWSEV_CERT_LEN];
};

/* Parses exactly 2084 bytes (SWSEV_E_TRUNCATED / SWSEV_E_TRAILING otherwise);
 * version must be 1 and the usage and algorithm codes known. Does not
 * validate the key (see swsev_cert_ec_key). */
swsev_err swsev_cert_parse(const uint8_t *buf, size_t len, struct swsev_cert *out) SWSEV_MUST_CHECK;
/* Re-encodes the fields into out (and into c->raw). */
swsev_err swsev_cert_encode(struct swsev_cert *c, uint8_t out[SWSEV_CERT_LEN]) SWSEV_MUST_CHECK;

/* Builds an unsigned cert (both slots empty) for a P-384 EC key. */
swsev_err swsev_cert_init_ec(struct swsev_cert *c, uint8_t api_major, uint8_t api_minor,
			     uint32_t usage, uint32_t algo,
			     const swsev_ec_key *key) SWSEV_MUST_CHECK;
/* Public EC key of a cert: curve must be P-384 and the point valid (SWSEV_E_BADKEY);
 * SWSEV_E_ALGO if the cert's algo is not an EC one. */
swsev_err swsev_cert_ec_key(const struct swsev_cert *c, swsev_ec_key **out) SWSEV_MUST_CHECK;
/* Public RSA key of a cert (algo RSA_SHA256/384: u32 modulus_size in bits,
 * then exponent and modulus little-endian in 512-byte fields).
 * SWSEV_E_ALGO if not RSA; SWSEV_E_BADKEY if the key is unusable. */
swsev_err swsev_cert_rsa_key(const struct swsev_cert *c, swsev_rsa_key **out) SWSEV_MUST_CHECK;
/* Hash named by an algorithm code (0x1/0x2/0x3 SHA-256, 0x101/0x102/0x103
 * SHA-384); 0 for an unknown or invalid code. */
swsev_hash swsev_algo_hash(uint32_t algo);

/* Signs slot (0 or 1) with an ECDSA P-384 key whose cert fields are
 * (signer_usage, signer_algo); hash from signer_algo. */
swsev_err swsev_cert_sign_ec(struct swsev_cert *c, int slot, uint32_t signer_usage,
			     uint32_t signer_algo, const swsev_ec_key *signer) SWSEV_MUST_CHECK;
/* Signs slot with an RSA key (the ASK signing a CEK): usage ASK, algo RSA_SHA256/384. */
swsev_err swsev_cert_sign_rsa(struct swsev_cert *c, int slot, uint32_t signer_algo,
			      const swsev_rsa_key *signer) SWSEV_MUST_CHECK;
/* Clears a slot to the empty form (usage 0x1000, algo 0, zeros). */
void swsev_cert_clear_sig(struct swsev_cert *c, int slot);

/*
 * Verifies c against a signer cert: finds the slot by the signer's
 * (usage, algo) — never by position — and checks it.
 * SWSEV_OK; SWSEV_E_NOSIG (no slot names this signer); SWSEV_E_BADSIG;
 * SWSEV_E_BADKEY (signer's key invalid); SWSEV_E_FORMAT (a malformed slot).
 */
swsev_err swsev_cert_verify(const struct swsev_cert *c,
			    const struct swsev_cert *signer) SWSEV_MUST_CHECK;
/* The same with the signer's EC key already built from signer
 * (swsev_cert_ec_key(signer)), so a chain builds each key once. */
swsev_err swsev_cert_verify_ec(const struct swsev_cert *c, const struct swsev_cert *signer,
			       const swsev_ec_key *signer_key) SWSEV_MUST_CHECK;

/* The firmware's rule (certificates.md §5.1) as an SEV status code:
 * SUCCESS, INVALID_CERTIFICATE or BAD_SIGNATURE. Steps in the order of §5.1:
 * signer key, both slots (a malformed slot is BAD_SIGNATURE; the last
 * matching slot decides), body (version 1, valid key), role
 * (PDH<-PEK, PEK<-OCA|CEK, OCA<-OCA, CEK<-ASK). */
uint16_t swsev_cert_validate_fw(const struct swsev_cert *c, const struct swsev_cert *signer);

/* ---- AMD root certificates (ARK / ASK), certificates.md §6 ---- */
#define SWSEV_AMD_CERT_MAX 1600
#define SWSEV_AMD_HDR_LEN 64

struct swsev_amd_cert {
	uint32_t version;
	uint8_t key_id[16];
	uint8_t certifying_id[16];
	uint32_t key_usage;
	uint32_t pub_exp_bits;
	uint32_t modulus_bits;
	/* The three pointers point into this struct's own raw: after copying
	 * the struct, use swsev_amd_cert_copy (the library itself never relies
	 * on them; it works from raw and the sizes). */
	const uint8_t *pub_exp; /* points into raw */
	const uint8_t *modulus; /* points into raw */
	const uint8_t *sig;     /* points into raw; NULL if unsigned */
	size_t signed_len;      /* header + exponent + modulus */
	size_t len;             /* total bytes used */
	uint8_t raw[SWSEV_AMD_CERT_MAX];
};

/*
 * Parses one AMD cert from the start of buf. On success *used is its
 * length (832 or 1600); bytes after it are left to the caller.
 * allow_unsigned: accept the 576-byte Naples ARK as AMD first shipped it
 * (sig = NULL); otherwise such a cert is SWSEV_E_UNSIGNED.
 */
swsev_err swsev_amd_cert_parse(const uint8_t *buf, size_t len, int allow_unsigned,
			       struct swsev_amd_cert *out, size_t *used) SWSEV_MUST_CHECK;
/* Copies an AMD cert and re-points pub_exp/modulus/sig into dst->raw. */
void swsev_amd_cert_copy(struct swsev_amd_cert *dst, const struct swsev_amd_cert *src);
swsev_err swsev_amd_cert_key(const struct swsev_amd_cert *c, swsev_rsa_key **out) SWSEV_MUST_CHECK;
/* Hash implied by the key size: 2048 -> SHA-256, 4096 -> SHA-384. */
swsev_hash swsev_amd_cert_hash(const struct swsev_amd_cert *c);
/* The SEV algo code a signature by this key carries in a SEV cert slot:
 * 2048 -> RSA_SHA256 (0x1), 4096 -> RSA_SHA384 (0x101). */
uint32_t swsev_amd_cert_algo(const struct swsev_amd_cert *c);
/*
 * Verifies c's RSA-PSS signature under signer (the ARK for both ARK and
 * ASK), with the hash implied by the signer's key size (salt = hash length).
 * Only the signature: the caller checks certifying_id and usage.
 * SWSEV_OK, SWSEV_E_UNSIGNED (c has no signature), SWSEV_E_BADSIG,
 * SWSEV_E_BADKEY.
 */
swsev_err swsev_amd_cert_verify(const struct swsev_amd_cert *c,
				const struct swsev_amd_cert *signer) SWSEV_MUST_CHECK;
/*
 * Builds and signs an AMD-format cert (emulated roots). key: the cert's
 * RSA key (2048 or 4096 bits; the exponent field is as wide as the
 * modulus, as in AMD's certs). usage: SWSEV_USAGE_ARK or SWSEV_USAGE_ASK.
 * key_id NULL: 16 random bytes. certifying_id NULL: = key_id (self-signed).
 * signer NULL: key signs itself. The signer must have the key's size.
 */
swsev_err swsev_amd_cert_make(const swsev_rsa_key *key, uint32_t usage, const uint8_t key_id[16],
			      const uint8_t certifying_id[16], const swsev_rsa_key *signer,
			      struct swsev_amd_cert *out) SWSEV_MUST_CHECK;
/* Verifies a SEV cert (the CEK) under an AMD cert (the ASK): the slot named
 * (ask key_usage, swsev_amd_cert_algo(ask)). Errors as swsev_cert_verify,
 * plus SWSEV_E_UNSIGNED when both of c's slots are empty. */
swsev_err swsev_cert_verify_amd(const struct swsev_cert *c,
				const struct swsev_amd_cert *ask) SWSEV_MUST_CHECK;
/* The firmware's rule (§5.1) for a CEK against an AMD-format ASK
 * (SEND_START): SUCCESS, INVALID_CERTIFICATE or BAD_SIGNATURE. */
uint16_t swsev_cert_validate_fw_amd(const struct swsev_cert *c, const struct swsev_amd_cert *ask);

/* AMD's real roots, built in. gen: "naples", "rome", "milan", "genoa", "turin". */
struct swsev_builtin_root {
	const char *gen;
	const uint8_t *ark;
	size_t ark_len;
	const uint8_t *ask;
	size_t ask_len;
};
const struct swsev_builtin_root *swsev_builtin_roots(size_t *n);
/* By ARK or ASK key id; NULL if none. */
const struct swsev_builtin_root *swsev_builtin_root_by_id(const uint8_t key_id[16]);

/* ---- the chain ---- */
enum swsev_link {
	SWSEV_LINK_ARK_SELF = 0, /* ARK -> ARK */
	SWSEV_LINK_ARK_ASK,      /* ARK -> ASK */
	SWSEV_LINK_ASK_CEK,      /* ASK -> CEK */
	SWSEV_LINK_OCA_SELF,     /* OCA -> OCA */
	SWSEV_LINK_OCA_PEK,      /* OCA -> PEK */
	SWSEV_LINK_CEK_PEK,      /* CEK -> PEK */
	SWSEV_LINK_PEK_PDH,      /* PEK -> PDH */
	SWSEV_LINK_COUNT
};
const char *swsev_link_name(enum swsev_link l); /* "ASK -> CEK" */

struct swsev_chain {
	struct swsev_cert pdh, pek, oca, cek;
	struct swsev_amd_cert ask, ark;
	int have_amd; /* ask and ark both present */
	int have_ask; /* ask present (ark may still be missing) */
	int have_ark; /* ark present */
};

#define SWSEV_CHAIN_MSG 192
struct swsev_chain_result {
	swsev_err link[SWSEV_LINK_COUNT];            /* per link: OK or why not */
	int checked[SWSEV_LINK_COUNT];               /* 1 if checked (see _verify_ex) */
	char msg[SWSEV_LINK_COUNT][SWSEV_CHAIN_MSG]; /* per link: "" or the reason */
	swsev_err trust; /* the ARK is the trusted root: OK or why not */
	char trust_msg[SWSEV_CHAIN_MSG];
	const char *root_gen; /* builtin generation matched, or NULL (custom --ca) */
	int ark_unsigned;     /* the Naples ARK as first shipped */
	int amd_builtin;      /* ASK/ARK were taken from the built-in roots */
};

/*
 * Loads a chain. Accepts: a directory with cek.cert oca.cert pek.cert
 * pdh.cert (or pek_oca_cek.cert, PDH_CERT_EXPORT's PEK||OCA||CEK, with
 * pdh.cert) and optionally ark.cert and ask.cert, or ask_ark.cert (ASK||ARK);
 * missing ones are taken from the built-in roots by swsev_chain_verify.
 * Or sevctl's bundle (PDH||PEK||OCA||CEK||ASK||ARK, or PDH||PEK||OCA||CEK)
 * in one file. Errors name the offending file in errbuf
 * ("pek.cert: 2083 bytes, a SEV certificate is 2084").
 */
swsev_err swsev_chain_load(const char *path, struct swsev_chain *out, char *errbuf,
			   size_t errlen) SWSEV_MUST_CHECK;
/*
 * Parses the in-memory bundle form: PDH||PEK||OCA||CEK (4 x 2084), or that
 * followed by ASK||ARK (AMD format; an unsigned Naples ARK is accepted and
 * reported by swsev_chain_verify). Each cert's usage and algo must fit its
 * place (SWSEV_E_USAGE / SWSEV_E_ALGO) and EC keys must be valid points.
 */
swsev_err swsev_chain_parse_bundle(const uint8_t *buf, size_t len,
				   struct swsev_chain *out) SWSEV_MUST_CHECK;
/* Same, with a message naming the offending part in errbuf. */
swsev_err swsev_chain_parse_bundle_msg(const uint8_t *buf, size_t len, struct swsev_chain *out,
				       char *errbuf, size_t errlen) SWSEV_MUST_CHECK;
/* PDH_CERT_EXPORT's output: certs = PEK||OCA||CEK (6252 bytes) and the PDH. */
swsev_err swsev_chain_parse_export(const uint8_t *certs, size_t certs_len, const uint8_t *pdh,
				   size_t pdh_len, struct swsev_chain *out, char *errbuf,
				   size_t errlen) SWSEV_MUST_CHECK;
/* Sets the AMD part from an ASK||ARK buffer (ARK may be the unsigned Naples one). */
swsev_err swsev_chain_set_ask_ark(struct swsev_chain *c, const uint8_t *buf, size_t len,
				  char *errbuf, size_t errlen) SWSEV_MUST_CHECK;
/*
 * Flags of swsev_chain_verify_ex.
 * SWSEV_CHAIN_SELF_SIGS: also verify the two self-signatures (ARK -> ARK,
 * OCA -> OCA), as certificates.md §5.3 recommends: 3 RSA-PSS + 4 ECDSA
 * verifications instead of 2 + 3.
 */
#define SWSEV_CHAIN_SELF_SIGS 0x1u

/*
 * Validates the chain. trusted_ark: a root to trust (NULL: the built-in
 * AMD roots, matched by key id; the chain's ARK must then be byte-identical
 * to the built-in one). A missing ASK is chosen among the built-in ASKs by
 * the one whose signature on the CEK verifies; a missing ARK is the trusted
 * one or the built-in ARK named by the ASK's certifying_id.
 *
 * By default (flags 0) it verifies the five signatures that carry trust
 * from the pinned ARK to the PDH: ARK -> ASK, ASK -> CEK (RSA-PSS) and
 * CEK -> PEK, OCA -> PEK, PEK -> PDH (ECDSA), plus every check that is not
 * a signature: usages, algorithms, valid P-384 points, the ARK's usage and
 * certifying_id = key_id, the ASK's certifying_id = the ARK's key_id, and
 * the pinned ARK. A self-signature proves nothing about trust (whoever
 * forges an ARK or OCA can self-sign it), so ARK -> ARK and OCA -> OCA are
 * left unchecked: link[] SWSEV_OK, checked[] 0, msg "not checked (...)".
 * One exception costs nothing per call: an ARK byte-identical to a built-in
 * one (or the unsigned Naples ARK with the built-in one's signed bytes) is
 * reported checked, from a per-process verification of that built-in
 * constant. An unsigned Naples ARK sets ark_unsigned in both modes.
 * With SWSEV_CHAIN_SELF_SIGS both self-signatures are verified as well.
 *
 * Returns SWSEV_OK only if every checked link holds and the ARK is
 * trusted; otherwise the error of the first failing link (in enum order),
 * or the trust error. res tells each link's result and reason.
 * Thread-safe.
 */
swsev_err swsev_chain_verify_ex(const struct swsev_chain *c,
				const struct swsev_amd_cert *trusted_ark, unsigned flags,
				struct swsev_chain_result *res) SWSEV_MUST_CHECK;
/* swsev_chain_verify_ex with flags 0 (the five trust links). */
swsev_err swsev_chain_verify(const struct swsev_chain *c, const struct swsev_amd_cert *trusted_ark,
			     struct swsev_chain_result *res) SWSEV_MUST_CHECK;
/* The first failing link (or SWSEV_LINK_COUNT if none / only trust failed). */
enum swsev_link swsev_chain_first_failure(const struct swsev_chain_result *res);

#endif
