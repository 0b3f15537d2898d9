/*
 * The /dev/sev user ABI of Linux's ccp driver (linux-abi.md §1-§2), as an
 * x86-64 little-endian mirror: same struct and field names, same layout,
 * sizes pinned below. Written from the spec digest for swsev; programs that
 * issue SEV_ISSUE_CMD (through the preload library or swsev's transports)
 * use these layouts unchanged.
 *
 * Direction marks: (in) the caller fills it, (out) the driver writes it,
 * (in/out) both.
 */
#ifndef SWSEV_PSP_SEV_H
#define SWSEV_PSP_SEV_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SEV_IOC_TYPE 'S'
/* _IOWR('S', 0x0, struct sev_issue_cmd) on x86-64 */
#define SEV_ISSUE_CMD 0xC0105300u

/* Largest user blob the driver copies in or out (16 KiB). */
#define SEV_FW_BLOB_MAX_SIZE 0x4000

/* `cmd` values of struct sev_issue_cmd. */
enum {
	SEV_FACTORY_RESET = 0, /* no struct; needs a writable fd */
	SEV_PLATFORM_STATUS,   /* struct sev_user_data_status */
	SEV_PEK_GEN,           /* no struct; writable */
	SEV_PEK_CSR,           /* struct sev_user_data_pek_csr; writable */
	SEV_PDH_GEN,           /* no struct; writable */
	SEV_PDH_CERT_EXPORT, /* struct sev_user_data_pdh_cert_export; writable only if INIT is needed */
	SEV_PEK_CERT_IMPORT, /* struct sev_user_data_pek_cert_import; writable */
	SEV_GET_ID,          /* struct sev_user_data_get_id (deprecated) */
	SEV_GET_ID2,         /* struct sev_user_data_get_id2 */
	SNP_PLATFORM_STATUS, /* SNP: not emulated (-EINVAL) */
	SNP_COMMIT,
	SNP_SET_CONFIG,
	SNP_VLEK_LOAD,
	SEV_MAX,
};

/* `error` when the driver failed before any firmware call. */
#define SEV_RET_NO_FW_CALL 0xFFFFFFFFu

struct sev_issue_cmd {
	uint32_t cmd;   /* (in) SEV_* command number */
	uint64_t data;  /* (in) user pointer to the command's struct, or 0 */
	uint32_t error; /* (out) firmware status (enum sev_status) */
} __attribute__((packed));

/* PLATFORM_STATUS: byte for byte the firmware's 12-byte buffer. */
#define SEV_STATUS_FLAGS_CONFIG_ES 0x0100u
struct sev_user_data_status {
	uint8_t api_major;    /* (out) */
	uint8_t api_minor;    /* (out) */
	uint8_t state;        /* (out) 0 UNINIT, 1 INIT, 2 WORKING */
	uint32_t flags;       /* (out) bit 0 owner (external), bit 8 CONFIG_ES */
	uint8_t build;        /* (out) */
	uint32_t guest_count; /* (out) */
} __attribute__((packed));

struct sev_user_data_pek_csr {
	uint64_t address; /* (in) user buffer for the CSR, 0 = length query */
	uint32_t length;  /* (in/out) buffer size; needed/written size */
} __attribute__((packed));

/* No reserved word between the pairs (unlike the firmware buffer). */
struct sev_user_data_pek_cert_import {
	uint64_t pek_cert_address; /* (in) */
	uint32_t pek_cert_len;     /* (in) */
	uint64_t oca_cert_address; /* (in) */
	uint32_t oca_cert_len;     /* (in) */
} __attribute__((packed));

struct sev_user_data_pdh_cert_export {
	uint64_t pdh_cert_address;   /* (in) */
	uint32_t pdh_cert_len;       /* (in/out) */
	uint64_t cert_chain_address; /* (in) PEK || OCA || CEK */
	uint32_t cert_chain_len;     /* (in/out) */
} __attribute__((packed));

struct sev_user_data_get_id {
	uint8_t socket1[64]; /* (out) */
	uint8_t socket2[64]; /* (out) */
} __attribute__((packed));

struct sev_user_data_get_id2 {
	uint64_t address; /* (in) */
	uint32_t length;  /* (in/out) */
} __attribute__((packed));

_Static_assert(sizeof(struct sev_issue_cmd) == 16, "sev_issue_cmd is 16 bytes");
_Static_assert(sizeof(struct sev_user_data_status) == 12, "sev_user_data_status is 12 bytes");
_Static_assert(sizeof(struct sev_user_data_pek_csr) == 12, "sev_user_data_pek_csr is 12 bytes");
_Static_assert(sizeof(struct sev_user_data_pek_cert_import) == 24, "pek_cert_import is 24 bytes");
_Static_assert(sizeof(struct sev_user_data_pdh_cert_export) == 24, "pdh_cert_export is 24 bytes");
_Static_assert(sizeof(struct sev_user_data_get_id) == 128, "sev_user_data_get_id is 128 bytes");
_Static_assert(sizeof(struct sev_user_data_get_id2) == 12, "sev_user_data_get_id2 is 12 bytes");

#ifdef __cplusplus
}
#endif
#endif
