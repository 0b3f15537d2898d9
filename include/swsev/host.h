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
 *             (x86-64, little-endian; include/swsev/psp-sev.h, kvm-sev.h);
 *             arg_len must equal the struct's size (else -EFAULT). The
 *             user-pointer fields inside it are ignored and replaced by
 *   req.in[]  the user buffers: blob i is the buffer named by the i-th
 *             pointer field of the struct, in field order (a NULL pointer =
 *             a blob with `present` 0). A pointer field that names guest
 *             memory (KVM's uaddr of guest RAM) is a guest-physical address
 *             of the VM's RAM in swsev and its blob slot stays unused. For a
 *             buffer the kernel only writes, the caller sets `present` and
 *             may send no bytes: its capacity is the length field of the
 *             struct. For a buffer the kernel reads, the blob must hold at
 *             least the length field's bytes (else -EFAULT).
 *   rsp.arg   the struct as the kernel writes it back (lengths, handles);
 *             arg_len 0 when the kernel leaves the user struct unchanged;
 *   rsp.out[] what the kernel writes into the user buffers, same slots as
 *             in[] (only the bytes written; the caller copies them to the
 *             start of its buffer);
 *   rsp.err   0 or a negative errno, as the ioctl would return;
 *   rsp.fw_error the firmware status (`error` / `kvm_sev_cmd.error`);
 *             SEV_RET_NO_FW_CALL (0xFFFFFFFF) when the call failed before
 *             any firmware command, as recent kernels report it.
 *
 * Slots per SEV_IOCTL cmd: PEK_CSR in[0]=csr; PDH_CERT_EXPORT in[0]=pdh,
 * in[1]=chain; PEK_CERT_IMPORT in[0]=pek, in[1]=oca; GET_ID2 in[0]=id;
 * GET_ID has no pointer (the 128-byte struct itself is the output).
 *
 * Slots per KVM cmd (G = guest-physical address field, slot unused):
 *   LAUNCH_START        in[0]=GODH cert, in[1]=session
 *   LAUNCH_UPDATE_DATA  uaddr=G
 *   LAUNCH_UPDATE_VMSA  in[0]=the vCPUs' initial VMSA pages, 4096 bytes each
 *                       in vCPU order (swsev extension: KVM takes them from
 *                       its vCPUs' register state, which an emulator has not)
 *   LAUNCH_SECRET       in[0]=hdr, guest_uaddr=G, in[2]=trans
 *   LAUNCH_MEASURE      out[0]=measurement buffer
 *   DBG_DECRYPT         src_uaddr=G, out[1]=dst
 *   DBG_ENCRYPT         in[0]=src, dst_uaddr=G
 *   SEND_START          in[0]=pdh, in[1]=plat certs, in[2]=amd certs, out[3]=session
 *   SEND_UPDATE_DATA    out[0]=hdr, guest_uaddr=G, out[2]=trans
 *   RECEIVE_START       in[0]=pdh, in[1]=session
 *   RECEIVE_UPDATE_DATA in[0]=hdr, guest_uaddr=G, in[2]=trans
 *   GET_ATTESTATION_REPORT out[0]=report
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
	uint8_t present; /* 0: the user pointer was NULL */
};

enum swsev_op {
	SWSEV_OP_HELLO = 1,        /* in[0]: nothing; out[0]: version text */
	SWSEV_OP_SEV_IOCTL = 2,    /* /dev/sev SEV_ISSUE_CMD: cmd = SEV_* user cmd (0..8),
	                               arg = the user struct, in[0] = the buffer it points at
	                               (PEK_CSR/PDH_CERT_EXPORT: in[0]=pdh/csr, in[1]=certs;
	                               PEK_CERT_IMPORT: in[0]=pek, in[1]=oca;
	                               GET_ID2: in[0]=id) */
	SWSEV_OP_VM_CREATE = 3,    /* in[0]: name (no NUL; 1..63 of [A-Za-z0-9._-]);
	                               in[1]: optional VMM notes (<= 4 KiB, kept verbatim,
	                               returned by VM_INFO); arg: u64 memory bytes,
	                               u32 flags (SWSEV_VM_TYPE_*); rsp.arg: u32 vm id */
	SWSEV_OP_VM_DESTROY = 4,   /* vm */
	SWSEV_OP_KVM = 5,          /* KVM_MEMORY_ENCRYPT_OP: cmd = KVM_SEV_* id, arg = its struct,
	                               in[] = the buffers its uaddr fields name, in field order */
	SWSEV_OP_VM_WRITE = 6,     /* host write to guest RAM: arg = u64 gpa; in[0] = bytes */
	SWSEV_OP_VM_READ = 7,      /* host read of guest RAM (raw, ciphertext for private
	                               pages): arg = u64 gpa, u32 len (<= SWSEV_BLOB_MAX);
	                               out[0] = bytes */
	SWSEV_OP_VM_LIST = 8,      /* out[0]: text, one VM per line: "<id> <name> <state>
	                               handle=<n> asid=<n> policy=0x<hex> memory=<bytes>",
	                               state as QMP names it (uninit, launch-update, ...) */
	SWSEV_OP_VM_INFO = 9,      /* vm or in[0] = name; out[0]: JSON object (QMP query-sev
	                               keys plus name, id, asid, memory); out[1]: the launch
	                               measurement (48 B) once taken; out[2]: the VMM notes;
	                               out[3]: u64le GPAs of the populated 2 MiB blocks;
	                               rsp.arg: struct swsev_vm_info_wire (below) */
	SWSEV_OP_GUEST_READ = 10,  /* the guest's own view (its ASID key): arg = u64 gpa, u32 len;
	                               out[0] = bytes. A non-SEV VM reads plain memory; an
	                               SEV VM needs its ASID bound (-EINVAL otherwise) */
	SWSEV_OP_GUEST_WRITE = 11, /* the guest's own write: arg = u64 gpa; in[0] = bytes */
	SWSEV_OP_PLATFORM_CERTS = 12, /* out[0] = CEK signed by the ASK, out[1] = ASK || ARK */
	SWSEV_OP_VM_LOOKUP = 13,      /* in[0] = name; rsp.arg: u32 vm id */
	SWSEV_OP_FW_COMMAND = 14,     /* raw firmware command (tests, tools): cmd = command id,
	                               arg = command buffer. For each (address, length) pair
	                               of the buffer, in buffer order, a present in[i] is
	                               staged in a DRAM buffer of max(blob, length) bytes
	                               whose SPA replaces the address; out[i] = that buffer
	                               after the command (length-field bytes). rsp.arg = the
	                               buffer as written back; fw_error = status.
	                               Needs SWSEV_REQ_WRITABLE (-EPERM) */
};

#define SWSEV_REQ_WRITABLE 0x1u /* the /dev/sev fd was opened for writing */

/* VM_CREATE flags: the KVM VM type (KVM_SEV_INIT/ES_INIT need DEFAULT,
 * KVM_SEV_INIT2 needs SEV or SEV_ES). */
#define SWSEV_VM_TYPE_DEFAULT 0u
#define SWSEV_VM_TYPE_SEV 2u
#define SWSEV_VM_TYPE_SEV_ES 3u
#define SWSEV_VM_TYPE_MASK 0xffu

/* Guest memory layout of a VM (like QEMU's pc machine): RAM at
 * [0, min(mem, 3 GiB)), the rest at [4 GiB, ...); the flash window
 * [4 GiB - 64 MiB, 4 GiB) below 4 GiB where a VMM maps OVMF so that it ends
 * at 4 GiB. Everything else is the PCI hole (-EFAULT). */
#define SWSEV_GPA_4G (1ULL << 32)
#define SWSEV_FLASH_WINDOW (64ULL << 20)
#define SWSEV_BLOCK_SIZE (2ULL << 20)

/* VM_INFO's rsp.arg, little-endian, 40 bytes:
 *   u32 id, u32 handle, u32 asid, u32 policy, u32 state (firmware guest state,
 *   0 if none), u8 api_major, u8 api_minor, u8 build, u8 flags (bit 0 SEV,
 *   bit 1 ES, bit 2 measured, bit 3 activated), u64 memory, u32 vcpus (VMSAs),
 *   u32 type. */
#define SWSEV_VM_INFO_WIRE_LEN 40
#define SWSEV_VM_INFO_SEV 0x1u
#define SWSEV_VM_INFO_ES 0x2u
#define SWSEV_VM_INFO_MEASURED 0x4u
#define SWSEV_VM_INFO_ACTIVATED 0x8u

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
