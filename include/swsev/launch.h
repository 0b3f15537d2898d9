/*
 * The launch protocol's formats: session blob (crypto.md §4), packet header
 * and transport MAC (§7), launch measurement (§6), SEV kernel-hashes table,
 * OVMF footer table and secret table (launch-flow.md §4-§6).
 */
#ifndef SWSEV_LAUNCH_H
#define SWSEV_LAUNCH_H

#include <stddef.h>
#include <stdint.h>

#include "swsev/cert.h"
#include "swsev/crypto.h"
#include "swsev/error.h"

/* ---- guest policy (commands.md §6) ---- */
#define SWSEV_POLICY_NODBG (1u << 0)
#define SWSEV_POLICY_NOKS (1u << 1)
#define SWSEV_POLICY_ES (1u << 2)
#define SWSEV_POLICY_NOSEND (1u << 3)
#define SWSEV_POLICY_DOMAIN (1u << 4)
#define SWSEV_POLICY_SEV (1u << 5)
#define SWSEV_POLICY_RSVD_MASK 0x0000ffc0u
#define SWSEV_POLICY_API_MAJOR(p) (((p) >> 16) & 0xff)
#define SWSEV_POLICY_API_MINOR(p) (((p) >> 24) & 0xff)

/* ---- session blob (128 bytes) ---- */
#define SWSEV_SESSION_LEN 128
struct swsev_session {
	uint8_t nonce[16];
	uint8_t wrap_tk[32]; /* AES-128-CTR(KEK, wrap_iv, TEK || TIK) */
	uint8_t wrap_iv[16];
	uint8_t wrap_mac[32];   /* HMAC-SHA256(KIK, wrap_tk) */
	uint8_t policy_mac[32]; /* HMAC-SHA256(TIK, u32le(policy)) */
};
swsev_err swsev_session_parse(const uint8_t *buf, size_t len,
			      struct swsev_session *out) SWSEV_MUST_CHECK;
void swsev_session_encode(const struct swsev_session *s, uint8_t out[SWSEV_SESSION_LEN]);

/* master = KDF(Z, "sev-master-secret", nonce, 16); KEK = KDF(master, "sev-kek");
 * KIK = KDF(master, "sev-kik"). All outputs 16 bytes. */
swsev_err swsev_session_kek_kik(const uint8_t *z, size_t zlen, const uint8_t nonce[16],
				uint8_t kek[16], uint8_t kik[16]) SWSEV_MUST_CHECK;
/* Builds a session from Z and chosen nonce/iv/TEK/TIK (deterministic; for
 * tests and for the owner after it drew them from the CSPRNG). */
swsev_err swsev_session_build(const uint8_t *z, size_t zlen, const uint8_t nonce[16],
			      const uint8_t wrap_iv[16], const uint8_t tek[16],
			      const uint8_t tik[16], uint32_t policy,
			      struct swsev_session *out) SWSEV_MUST_CHECK;
/* The firmware's side: checks wrap_mac (SWSEV_E_BADMAC), unwraps TEK/TIK,
 * checks policy_mac (SWSEV_E_BADMAC). MACs compared in constant time. */
swsev_err swsev_session_open(const uint8_t *z, size_t zlen, const struct swsev_session *s,
			     uint32_t policy, uint8_t tek[16], uint8_t tik[16]) SWSEV_MUST_CHECK;

/* The guest owner's whole step: validates the PDH cert (usage PDH, ECDH,
 * valid P-384 point), makes a fresh GODH key and TEK/TIK/nonce/IV from the
 * CSRNG, builds the GODH cert (empty slots) and the session. */
swsev_err swsev_owner_session(const struct swsev_cert *pdh, uint32_t policy,
			      struct swsev_cert *godh_out, struct swsev_session *session_out,
			      uint8_t tek[16], uint8_t tik[16]) SWSEV_MUST_CHECK;
/* The PDH check alone: SWSEV_E_USAGE (not usage PDH), SWSEV_E_ALGO (not
 * ECDH), SWSEV_E_BADKEY (not a valid P-384 point). key_out (may be NULL)
 * receives the public key (swsev_ec_free). */
swsev_err swsev_owner_check_pdh(const struct swsev_cert *pdh,
				swsev_ec_key **key_out) SWSEV_MUST_CHECK;

/* ---- packet header (52 bytes) and transport MAC ---- */
#define SWSEV_PKT_HDR_LEN 52
#define SWSEV_CTX_SECRET 0x01
#define SWSEV_CTX_DATA 0x02
#define SWSEV_CTX_VMSA_XPORT 0x02 /* Genoa uses DATA's byte for VMSA too (crypto.md §7.3) */
#define SWSEV_CTX_MEASURE 0x04
#define SWSEV_PKT_FLAG_COMPRESSED 0x1u
struct swsev_pkt_hdr {
	uint32_t flags;
	uint8_t iv[16];
	uint8_t mac[32];
};
swsev_err swsev_pkt_hdr_parse(const uint8_t *buf, size_t len,
			      struct swsev_pkt_hdr *out) SWSEV_MUST_CHECK;
void swsev_pkt_hdr_encode(const struct swsev_pkt_hdr *h, uint8_t out[SWSEV_PKT_HDR_LEN]);
/* MAC = HMAC(TIK, ctx || u32le(flags) || iv || u32le(guest_len) || u32le(trans_len)
 *            || ciphertext[trans_len] || (ctx == SECRET ? measure[32] : nothing)). */
swsev_err swsev_pkt_mac(const uint8_t tik[16], uint8_t ctx, const struct swsev_pkt_hdr *h,
			uint32_t guest_len, uint32_t trans_len, const uint8_t *ciphertext,
			const uint8_t *measure /* 32 B or NULL */,
			uint8_t mac[32]) SWSEV_MUST_CHECK;
/* Encrypts plaintext (len multiple of 16) with TEK under iv and fills h->mac. */
swsev_err swsev_pkt_seal(const uint8_t tek[16], const uint8_t tik[16], uint8_t ctx,
			 const uint8_t iv[16], const uint8_t *plain, size_t len,
			 const uint8_t *measure, struct swsev_pkt_hdr *h,
			 uint8_t *cipher) SWSEV_MUST_CHECK;
/* Checks the MAC in constant time (SWSEV_E_BADMAC) and decrypts. */
swsev_err swsev_pkt_open(const uint8_t tek[16], const uint8_t tik[16], uint8_t ctx,
			 const struct swsev_pkt_hdr *h, const uint8_t *cipher, size_t len,
			 const uint8_t *measure, uint8_t *plain) SWSEV_MUST_CHECK;

/* ---- measurement ---- */
#define SWSEV_MEASURE_LEN 32
#define SWSEV_MNONCE_LEN 16
#define SWSEV_MEASURE_BLOB_LEN 48
/* MEASURE = HMAC(TIK, 0x04 || major || minor || build || u32le(policy) || ld || mnonce)
 * (API >= 0.17, what an emulator of 0.22 produces). */
swsev_err swsev_measure(const uint8_t tik[16], uint8_t api_major, uint8_t api_minor, uint8_t build,
			uint32_t policy, const uint8_t ld[32], const uint8_t mnonce[16],
			uint8_t out[32]) SWSEV_MUST_CHECK;
/* Before API 0.17 the first four bytes were left out:
 * MEASURE = HMAC(TIK, u32le(policy) || ld || mnonce). */
swsev_err swsev_measure_pre017(const uint8_t tik[16], uint32_t policy, const uint8_t ld[32],
			       const uint8_t mnonce[16], uint8_t out[32]) SWSEV_MUST_CHECK;
/* Picks the form from the API version (pre-0.17 form when major 0, minor < 17). */
swsev_err swsev_measure_for_api(const uint8_t tik[16], uint8_t api_major, uint8_t api_minor,
				uint8_t build, uint32_t policy, const uint8_t ld[32],
				const uint8_t mnonce[16], uint8_t out[32]) SWSEV_MUST_CHECK;
/* The owner's check of a 48-byte MEASURE || MNONCE blob: recomputes with the
 * blob's nonce and compares in constant time. SWSEV_OK or SWSEV_E_BADMAC. */
swsev_err swsev_measure_verify(const uint8_t tik[16], uint8_t api_major, uint8_t api_minor,
			       uint8_t build, uint32_t policy, const uint8_t ld[32],
			       const uint8_t blob[SWSEV_MEASURE_BLOB_LEN]) SWSEV_MUST_CHECK;

/* ---- launch digest the owner expects (crypto.md §5, launch-flow.md §3) ---- */
#define SWSEV_LD_VMSA_LEN 4096
#define SWSEV_LD_MAX_CPUS 4096
struct swsev_ld_input {
	const uint8_t *firmware; /* the whole pflash unit 0 / -bios image */
	size_t firmware_len;
	const uint8_t *hashes_table; /* padded kernel-hashes table or NULL */
	size_t hashes_table_len;
	unsigned num_cpus;        /* 0: not SEV-ES (no VMSA measured) */
	const uint8_t *vmsa_cpu0; /* 4096 B, BSP */
	const uint8_t *vmsa_cpu1; /* 4096 B, every AP (needed if num_cpus > 1) */
};
/* LD = SHA-256(firmware || [hashes table] || [VMSA0 || VMSA1 * (num_cpus - 1)]). */
swsev_err swsev_launch_digest(const struct swsev_ld_input *in, uint8_t ld[32]) SWSEV_MUST_CHECK;

/* ---- SEV kernel hashes table (176 bytes padded) ---- */
#define SWSEV_HASHES_TABLE_LEN 168
#define SWSEV_HASHES_TABLE_PADDED 176
/* kernel, initrd, cmdline may be NULL (initrd: SHA-256 of ""; cmdline: of "\0").
 * cmdline is a C string; its terminating NUL is hashed. */
swsev_err swsev_hashes_table(const uint8_t *kernel, size_t kernel_len, const uint8_t *initrd,
			     size_t initrd_len, const char *cmdline,
			     uint8_t out[SWSEV_HASHES_TABLE_PADDED]) SWSEV_MUST_CHECK;

/* ---- OVMF footer table ---- */
struct swsev_ovmf_info {
	int have_reset;
	uint32_t sev_es_reset; /* AP reset address */
	int have_secret;
	uint32_t secret_base, secret_size;
	int have_hashes;
	uint32_t hashes_base, hashes_size;
	int have_sev_meta;
	uint32_t sev_meta_offset;
	int have_tdx_meta;
	uint32_t tdx_meta_offset;
	unsigned n_entries; /* all entries, unknown ones included */
	unsigned table_len; /* T, footer included */
};
/* Parses the GUIDed footer at the end of a flash image (or its last 4 KiB).
 * SWSEV_E_NOTFOUND if there is no footer; SWSEV_E_FORMAT on bad lengths. */
swsev_err swsev_ovmf_parse(const uint8_t *img, size_t len,
			   struct swsev_ovmf_info *out) SWSEV_MUST_CHECK;

/* ---- secret table (launch-flow.md §6.2) ---- */
#define SWSEV_SECRET_MAX_ENTRIES 64          /* Linux efi_secret reads at most 64 */
#define SWSEV_SECRET_TABLE_MAX (1024 * 1024) /* hard cap on a built table */
struct swsev_secret_entry {
	uint8_t guid[16];
	const uint8_t *data;
	size_t len;
};
/* Builds the padded table; pad_always = libvirt's 1..16 bytes, else sevctl's
 * round-up. *out freed with swsev_clear_free(*out, *outlen). A NULL or
 * repeated GUID is SWSEV_E_FORMAT (the guest would hide or reject it). */
swsev_err swsev_secret_table_build(const struct swsev_secret_entry *e, size_t n, int pad_always,
				   uint8_t **out, size_t *outlen) SWSEV_MUST_CHECK;
/* Parses a (decrypted) table as Linux efi_secret does; entries point into buf.
 * SWSEV_E_FORMAT: wrong header GUID; SWSEV_E_LENGTH: total or an entry length
 * out of bounds; SWSEV_E_RANGE: more non-deleted entries than cap. */
swsev_err swsev_secret_table_parse(const uint8_t *buf, size_t len, struct swsev_secret_entry *e,
				   size_t cap, size_t *n) SWSEV_MUST_CHECK;

#endif
