/*
 * Where the /dev/sev user structs keep their user pointers
 * (linux-abi.md §2, include/swsev/psp-sev.h): the one table both sides of
 * the SWSEV_OP_SEV_IOCTL translation use — the preload library (user
 * struct with pointers -> swsev_req blobs) and the device transport
 * (swsev_req blobs -> user struct with pointers for a real /dev/sev).
 * Internal to libswsev.
 */
#ifndef SWSEV_LIB_CLIENT_SEVABI_H
#define SWSEV_LIB_CLIENT_SEVABI_H

#include <stddef.h>
#include <stdint.h>

struct swsev_sevabi_ptr {
	uint8_t addr_off; /* u64 user address */
	uint8_t len_off;  /* u32 length (in/out) */
	uint8_t copy_in;  /* 1: the driver reads the buffer; 0: it only writes it */
};

struct swsev_sevabi_cmd {
	uint32_t cmd;     /* SEV_* user command number */
	const char *name; /* "PEK_CSR" */
	uint32_t arg_len; /* size of the user struct; 0 = none */
	uint8_t nptr;     /* user buffers, in blob order */
	struct swsev_sevabi_ptr ptr[2];
};

/* The entry for cmd 0..8, or NULL. */
const struct swsev_sevabi_cmd *swsev_sevabi_find(uint32_t cmd);

#endif
