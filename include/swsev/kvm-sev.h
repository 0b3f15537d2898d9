/*
 * KVM's SEV user ABI (KVM_MEMORY_ENCRYPT_OP, linux-abi.md §6-§7) as an
 * x86-64 little-endian mirror: same struct and field names, explicit pads,
 * sizes pinned below. Written from the spec digest for swsev.
 *
 * In swsev a VM's "user address" (the *_uaddr fields) that names guest
 * memory is a guest-physical address of that VM's RAM (lib/host maps it to
 * host-physical pages like nested paging); fields that name plain VMM
 * buffers travel as blobs (include/swsev/host.h).
 *
 * Direction marks: (in) the VMM fills it, (out) KVM writes it back.
 */
#ifndef SWSEV_KVM_SEV_H
#define SWSEV_KVM_SEV_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KVMIO 0xAE
#define KVM_MEMORY_ENCRYPT_OP 0xC008AEBAu
#define KVM_MEMORY_ENCRYPT_REG_REGION 0x8010AEBBu
#define KVM_MEMORY_ENCRYPT_UNREG_REGION 0x8010AEBCu

enum sev_cmd_id {
	KVM_SEV_INIT = 0,
	KVM_SEV_ES_INIT,
	KVM_SEV_LAUNCH_START,
	KVM_SEV_LAUNCH_UPDATE_DATA,
	KVM_SEV_LAUNCH_UPDATE_VMSA,
	KVM_SEV_LAUNCH_SECRET,
	KVM_SEV_LAUNCH_MEASURE,
	KVM_SEV_LAUNCH_FINISH,
	KVM_SEV_SEND_START,
	KVM_SEV_SEND_UPDATE_DATA,
	KVM_SEV_SEND_UPDATE_VMSA, /* not implemented by KVM: -EINVAL */
	KVM_SEV_SEND_FINISH,
	KVM_SEV_RECEIVE_START,
	KVM_SEV_RECEIVE_UPDATE_DATA,
	KVM_SEV_RECEIVE_UPDATE_VMSA, /* not implemented by KVM */
	KVM_SEV_RECEIVE_FINISH,
	KVM_SEV_GUEST_STATUS,
	KVM_SEV_DBG_DECRYPT,
	KVM_SEV_DBG_ENCRYPT,
	KVM_SEV_CERT_EXPORT,            /* not implemented by KVM */
	KVM_SEV_GET_ATTESTATION_REPORT, /* firmware API >= 0.23 */
	KVM_SEV_SEND_CANCEL,
	KVM_SEV_INIT2,
	KVM_SEV_NR_MAX,
};

struct kvm_enc_region {
	uint64_t addr; /* (in) */
	uint64_t size; /* (in) */
};

struct kvm_sev_cmd {
	uint32_t id; /* (in) enum sev_cmd_id */
	uint32_t pad0;
	uint64_t data;   /* (in) user pointer to the sub-command's struct */
	uint32_t error;  /* (out) firmware status */
	uint32_t sev_fd; /* (in) an open /dev/sev fd */
};

struct kvm_sev_init {
	uint64_t vmsa_features; /* (in) initial SEV_FEATURES; 0 for SEV */
	uint32_t flags;         /* (in) must be 0 */
	uint16_t ghcb_version;  /* (in) 0 = default */
	uint16_t pad1;
	uint32_t pad2[8];
};

struct kvm_sev_launch_start {
	uint32_t handle;   /* (in/out) 0 or a handle to share the key with; new handle */
	uint32_t policy;   /* (in) */
	uint64_t dh_uaddr; /* (in) GODH cert (2084 B) or 0 */
	uint32_t dh_len;   /* (in) */
	uint32_t pad0;
	uint64_t session_uaddr; /* (in) session blob (128 B) or 0 */
	uint32_t session_len;   /* (in) */
	uint32_t pad1;
};

struct kvm_sev_launch_update_data {
	uint64_t uaddr; /* (in) guest memory to encrypt in place */
	uint32_t len;   /* (in) */
	uint32_t pad0;
};

struct kvm_sev_launch_secret {
	uint64_t hdr_uaddr; /* (in) packet header (52 B) */
	uint32_t hdr_len;   /* (in) */
	uint32_t pad0;
	uint64_t guest_uaddr; /* (in) guest memory that receives the secret */
	uint32_t guest_len;   /* (in) */
	uint32_t pad1;
	uint64_t trans_uaddr; /* (in) encrypted payload */
	uint32_t trans_len;   /* (in) */
	uint32_t pad2;
};

struct kvm_sev_launch_measure {
	uint64_t uaddr; /* (in) buffer for MEASURE || MNONCE; 0 with len 0 = query */
	uint32_t len;   /* (in/out) */
	uint32_t pad0;
};

struct kvm_sev_guest_status {
	uint32_t handle; /* (out) */
	uint32_t policy; /* (out) */
	uint32_t state;  /* (out) firmware guest state */
};

struct kvm_sev_dbg {
	uint64_t src_uaddr; /* (in) */
	uint64_t dst_uaddr; /* (in) */
	uint32_t len;       /* (in) */
	uint32_t pad0;
};

struct kvm_sev_attestation_report {
	uint8_t mnonce[16]; /* (in) */
	uint64_t uaddr;     /* (in) */
	uint32_t len;       /* (in/out) */
	uint32_t pad0;
};

struct kvm_sev_send_start {
	uint32_t policy; /* (out) */
	uint32_t pad0;
	uint64_t pdh_cert_uaddr; /* (in) target's PDH cert */
	uint32_t pdh_cert_len;   /* (in) */
	uint32_t pad1;
	uint64_t plat_certs_uaddr; /* (in) target's PEK || OCA || CEK */
	uint32_t plat_certs_len;   /* (in) */
	uint32_t pad2;
	uint64_t amd_certs_uaddr; /* (in) ASK || ARK */
	uint32_t amd_certs_len;   /* (in) */
	uint32_t pad3;
	uint64_t session_uaddr; /* (in) buffer for the session blob */
	uint32_t session_len;   /* (in/out) 0 = query */
	uint32_t pad4;
};

struct kvm_sev_send_update_data {
	uint64_t hdr_uaddr; /* (in) buffer for the packet header */
	uint32_t hdr_len;   /* (in/out) */
	uint32_t pad0;
	uint64_t guest_uaddr; /* (in) guest memory to send (within one page) */
	uint32_t guest_len;   /* (in) */
	uint32_t pad1;
	uint64_t trans_uaddr; /* (in) buffer for the ciphertext */
	uint32_t trans_len;   /* (in/out) */
	uint32_t pad2;
};

struct kvm_sev_receive_start {
	uint32_t handle;    /* (in/out) */
	uint32_t policy;    /* (in) */
	uint64_t pdh_uaddr; /* (in) the sender's PDH cert */
	uint32_t pdh_len;   /* (in) */
	uint32_t pad0;
	uint64_t session_uaddr; /* (in) session blob from SEND_START */
	uint32_t session_len;   /* (in) */
	uint32_t pad1;
};

struct kvm_sev_receive_update_data {
	uint64_t hdr_uaddr; /* (in) */
	uint32_t hdr_len;   /* (in) */
	uint32_t pad0;
	uint64_t guest_uaddr; /* (in) guest memory that receives the page */
	uint32_t guest_len;   /* (in) */
	uint32_t pad1;
	uint64_t trans_uaddr; /* (in) */
	uint32_t trans_len;   /* (in) */
	uint32_t pad2;
};

_Static_assert(sizeof(struct kvm_enc_region) == 16, "kvm_enc_region is 16 bytes");
_Static_assert(sizeof(struct kvm_sev_cmd) == 24, "kvm_sev_cmd is 24 bytes");
_Static_assert(sizeof(struct kvm_sev_init) == 48, "kvm_sev_init is 48 bytes");
_Static_assert(sizeof(struct kvm_sev_launch_start) == 40, "kvm_sev_launch_start is 40 bytes");
_Static_assert(sizeof(struct kvm_sev_launch_update_data) == 16, "launch_update_data is 16 bytes");
_Static_assert(sizeof(struct kvm_sev_launch_secret) == 48, "kvm_sev_launch_secret is 48 bytes");
_Static_assert(sizeof(struct kvm_sev_launch_measure) == 16, "kvm_sev_launch_measure is 16 bytes");
_Static_assert(sizeof(struct kvm_sev_guest_status) == 12, "kvm_sev_guest_status is 12 bytes");
_Static_assert(sizeof(struct kvm_sev_dbg) == 24, "kvm_sev_dbg is 24 bytes");
_Static_assert(sizeof(struct kvm_sev_attestation_report) == 32, "attestation_report is 32 bytes");
_Static_assert(sizeof(struct kvm_sev_send_start) == 72, "kvm_sev_send_start is 72 bytes");
_Static_assert(sizeof(struct kvm_sev_send_update_data) == 48, "send_update_data is 48 bytes");
_Static_assert(sizeof(struct kvm_sev_receive_start) == 40, "kvm_sev_receive_start is 40 bytes");
_Static_assert(sizeof(struct kvm_sev_receive_update_data) == 48, "receive_update_data is 48 bytes");

#ifdef __cplusplus
}
#endif
#endif
