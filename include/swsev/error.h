/*
 * swsev internal error codes.
 *
 * Three kinds of result never mix in swsev:
 *   - swsev_err (this file): what a library call of swsev itself returns;
 *   - the SEV firmware status (include/swsev/status.h), 16 bits, returned by
 *     the firmware core and carried unchanged through every layer;
 *   - errno, only at the emulated device boundary (/dev/sev, KVM).
 * Every function returning swsev_err is marked SWSEV_MUST_CHECK.
 */
#ifndef SWSEV_ERROR_H
#define SWSEV_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define SWSEV_MUST_CHECK __attribute__((warn_unused_result))
#else
#define SWSEV_MUST_CHECK
#endif

typedef enum swsev_err {
	SWSEV_OK = 0,
	SWSEV_E_INTERNAL = -1,     /* a bug or an unexpected library failure */
	SWSEV_E_NOMEM = -2,        /* allocation failed */
	SWSEV_E_TRUNCATED = -3,    /* input shorter than its format requires */
	SWSEV_E_TRAILING = -4,     /* input longer than its format allows */
	SWSEV_E_LENGTH = -5,       /* a length field or size is invalid */
	SWSEV_E_FORMAT = -6,       /* a field holds a value the format forbids */
	SWSEV_E_VERSION = -7,      /* unsupported format version */
	SWSEV_E_USAGE = -8,        /* wrong key usage code */
	SWSEV_E_ALGO = -9,         /* wrong or unsupported algorithm code */
	SWSEV_E_BADKEY = -10,      /* public key invalid (e.g. point not on curve) */
	SWSEV_E_BADSIG = -11,      /* signature does not verify */
	SWSEV_E_NOSIG = -12,       /* no signature slot names the expected signer */
	SWSEV_E_BADMAC = -13,      /* a MAC or measurement does not match */
	SWSEV_E_CRYPTO = -14,      /* the crypto library failed */
	SWSEV_E_IO = -15,          /* reading or writing a file or socket failed */
	SWSEV_E_NOTFOUND = -16,    /* a named thing does not exist */
	SWSEV_E_INVALID = -17,     /* an argument is invalid */
	SWSEV_E_RANGE = -18,       /* a number is out of range / overflow */
	SWSEV_E_STATE = -19,       /* the object is not in a state that allows this */
	SWSEV_E_INTEGRITY = -20,   /* stored data failed its integrity check */
	SWSEV_E_UNSIGNED = -21,    /* certificate carries no signature at all */
	SWSEV_E_UNTRUSTED = -22,   /* chain ends at a root that is not trusted */
	SWSEV_E_FIRMWARE = -23,    /* the firmware returned a non-zero SEV status */
	SWSEV_E_PROTOCOL = -24,    /* a peer broke the wire protocol */
	SWSEV_E_PERM = -25,        /* permission denied */
	SWSEV_E_BUSY = -26,        /* resource held by someone else (lock) */
	SWSEV_E_BASE64 = -27,      /* malformed base64 text */
	SWSEV_E_UNSUPPORTED = -28, /* a feature swsev does not implement */
} swsev_err;

/* A static, human-readable message for an error code (never NULL). */
const char *swsev_strerror(swsev_err e);

#ifdef __cplusplus
}
#endif
#endif
