/*
 * The host layer: what Linux's /dev/sev driver and KVM's SEV support do,
 * over the emulated firmware (DESIGN.md layer 6), plus the hypervisor-side
 * management a VMM needs (guest RAM, loading images, the host's raw view).
 *
 * Every operation is one generic request and one response, so that the
 * same call runs in-process (swsev_host_call) or through the daemon's
 * socket (lib/client, docs/protocol.md) unchanged:
 *
 *   req.arg   the ioctl's fixed struct exactly as the kernel ABI lays it out
 *             (x86-64, little-endian); user-pointer fields inside it are
 *             ignored and replaced by
 *   req.in[]  the user buffers the struct points at, in the order each
 *             op documents below (a NULL pointer = a blob of length 0 with
 *             p == NULL and `present` 0).
 *   rsp.arg   the struct as the kernel writes it back (lengths, handles);
 *   rsp.out[] the user buffers as written back, same order as in[].
 *   rsp.err   0 or a negative errno, as the ioctl would return;
 *   rsp.fw_error the firmware status (`error` / `sev_cmd.error`).
 *
 * All blob memory in a response is malloc'd by the callee and released
 * with swsev_rsp_clear (which wipes it).
 */
#ifndef SWSEV_HOST_H
#define SWSEV_HOST_H

#include <stddef.h>
#include <stdint.h>

#include "swsev/error.h"
#include "swsev/fw.h"

#define SWSEV_REQ_ARG_MAX 256
#define SWSEV_REQ_BLOBS 4
/* Hard cap per blob on the wire (an image is sent in chunks). */
#define SWSEV_BLOB_MAX (16u * 1024 * 1024)

struct swsev_blob {
	uint8_t *p;
	uint32_t len;
	uint8_t present;    /* 0: the user pointer was NULL */
};

enum swsev_op {
	SWSEV_OP_HELLO = 1,         /* in[0]: nothing; out[0]: version text */
	SWSEV_OP_SEV_IOCTL = 2,     /* /dev/sev SEV_ISSUE_CMD: cmd = SEV_* user cmd (0..8),
	                               arg = the user struct, in[0] = the buffer it points at
	                               (PEK_CSR/PDH_CERT_EXPORT: in[0]=pdh/csr, in[1]=certs;
	                               PEK_CERT_IMPORT: in[0]=pek, in[1]=oca;
	                               GET_ID2: in[0]=id) */
	SWSEV_OP_VM_CREATE = 3,     /* in[0]: name (no NUL); arg: u64 memory bytes, u32 flags;
	                               rsp.arg: u32 vm id */
	SWSEV_OP_VM_DESTROY = 4,    /* vm */
	SWSEV_OP_KVM = 5,           /* KVM_MEMORY_ENCRYPT_OP: cmd = KVM_SEV_* id, arg = its struct,
	                               in[] = the buffers its uaddr fields name, in field order */
	SWSEV_OP_VM_WRITE = 6,      /* host write to guest RAM: arg = u64 gpa; in[0] = bytes */
	SWSEV_OP_VM_READ = 7,       /* host read of guest RAM (raw, ciphertext for private
	                               pages): arg = u64 gpa, u32 len; out[0] = bytes */
	SWSEV_OP_VM_LIST = 8,       /* out[0]: text, one VM per line (see lib/host) */
	SWSEV_OP_VM_INFO = 9,       /* vm or in[0] = name; out[0]: JSON object */
	SWSEV_OP_GUEST_READ = 10,   /* the guest's own view (its ASID key): arg = u64 gpa, u32 len */
	SWSEV_OP_GUEST_WRITE = 11,  /* the guest's own write: arg = u64 gpa; in[0] = bytes */
	SWSEV_OP_PLATFORM_CERTS = 12, /* out[0] = CEK signed by the ASK, out[1] = ASK || ARK */
	SWSEV_OP_VM_LOOKUP = 13,    /* in[0] = name; rsp.arg: u32 vm id */
	SWSEV_OP_FW_COMMAND = 14,   /* raw firmware command (tests, tools): cmd = command id,
	                               arg = command buffer; blobs name the DRAM buffers by
	                               index (see lib/host) */
};

#define SWSEV_REQ_WRITABLE 0x1u   /* the /dev/sev fd was opened for writing */

struct swsev_req {
	uint32_t op;
	uint32_t vm;
	uint32_t cmd;
	uint32_t flags;
	uint32_t arg_len;
	uint8_t arg[SWSEV_REQ_ARG_MAX];
	struct swsev_blob in[SWSEV_REQ_BLOBS];
};

struct swsev_rsp {
	int32_t err;
	uint32_t fw_error;
	uint32_t arg_len;
	uint8_t arg[SWSEV_REQ_ARG_MAX];
	struct swsev_blob out[SWSEV_REQ_BLOBS];
};

void swsev_rsp_clear(struct swsev_rsp *rsp);

typedef struct swsev_host swsev_host;

/* The host owns neither fw nor its DRAM; it must not outlive fw. */
swsev_err swsev_host_new(swsev_fw *fw, swsev_host **out) SWSEV_MUST_CHECK;
void swsev_host_free(swsev_host *h);
/* Runs one request. Thread-safe: requests for different VMs run in parallel. */
void swsev_host_call(swsev_host *h, const struct swsev_req *req, struct swsev_rsp *rsp);

#endif
