/*
 * SEV firmware status codes (SEV API 0.22, commands.md §3) and their names.
 */
#ifndef SWSEV_STATUS_H
#define SWSEV_STATUS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum sev_status {
	SEV_STATUS_SUCCESS = 0x0000,
	SEV_STATUS_INVALID_PLATFORM_STATE = 0x0001,
	SEV_STATUS_INVALID_GUEST_STATE = 0x0002,
	SEV_STATUS_INVALID_CONFIG = 0x0003,
	SEV_STATUS_INVALID_LENGTH = 0x0004,
	SEV_STATUS_ALREADY_OWNED = 0x0005,
	SEV_STATUS_INVALID_CERTIFICATE = 0x0006,
	SEV_STATUS_POLICY_FAILURE = 0x0007,
	SEV_STATUS_INACTIVE = 0x0008,
	SEV_STATUS_INVALID_ADDRESS = 0x0009,
	SEV_STATUS_BAD_SIGNATURE = 0x000A,
	SEV_STATUS_BAD_MEASUREMENT = 0x000B,
	SEV_STATUS_ASID_OWNED = 0x000C,
	SEV_STATUS_INVALID_ASID = 0x000D,
	SEV_STATUS_WBINVD_REQUIRED = 0x000E,
	SEV_STATUS_DFFLUSH_REQUIRED = 0x000F,
	SEV_STATUS_INVALID_GUEST = 0x0010,
	SEV_STATUS_INVALID_COMMAND = 0x0011,
	SEV_STATUS_ACTIVE = 0x0012,
	SEV_STATUS_HWERROR_PLATFORM = 0x0013,
	SEV_STATUS_HWERROR_UNSAFE = 0x0014,
	SEV_STATUS_UNSUPPORTED = 0x0015,
	SEV_STATUS_INVALID_PARAM = 0x0016,
	SEV_STATUS_RESOURCE_LIMIT = 0x0017,
	SEV_STATUS_SECURE_DATA_INVALID = 0x0018,
};

/* "BAD_MEASUREMENT" etc.; "UNKNOWN" for codes outside the table. */
const char *swsev_status_name(uint32_t status);
/* One sentence: what the status means and what the user can do. */
const char *swsev_status_hint(uint32_t status);
/* Writes e.g. "BAD_MEASUREMENT (0x0b)" into buf; returns buf. */
char *swsev_status_str(uint32_t status, char *buf, unsigned long buflen);

#ifdef __cplusplus
}
#endif
#endif
