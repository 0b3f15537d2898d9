/*
 * Internal declarations of the firmware core (lib/fw). Not installed.
 *
 * Locking (docs/firmware.md "Concurrency"):
 *   fw->plock  rwlock, writer-preferring. Commands that change the platform
 *              identity or the UNINIT/INIT boundary (INIT, SHUTDOWN,
 *              PLATFORM_RESET, PEK_GEN, PEK_CERT_IMPORT, PDH_GEN) hold it
 *              exclusively; every other command holds it shared, so the
 *              identity keys are stable while a guest command runs.
 *   g->mu      one mutex per guest context: commands on one guest are
 *              serialized, commands on different guests run in parallel.
 *   fw->tlock  small mutex for the handle table, guest_count, reference
 *              counts and the ASID tables. Never held across crypto or DRAM.
 * Lock order: plock -> g->mu -> tlock. Functions named *_tlocked expect
 * tlock to be held.
 */
#ifndef SWSEV_LIB_FW_INT_H
#define SWSEV_LIB_FW_INT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "swsev/cert.h"
#include "swsev/crypto.h"
#include "swsev/fw.h"
#include "swsev/launch.h"
#include "swsev/mem.h"
#include "swsev/status.h"

#define FW_MAX_GUESTS 1024u        /* handles 1..FW_MAX_GUESTS (Genoa's table size) */
#define FW_SCRATCH 0x5000u         /* transport scratch (Genoa: 20 KiB), commands.md §10.5 */
#define FW_VEK_LEN 32              /* Genoa draws a 32-byte VEK seed (crypto.md §9.1) */
#define FW_TMR_LEN (1024u * 1024u) /* SEV-ES Trusted Memory Region, 1 MiB, 1 MiB aligned */
#define FW_ID_LEN 64               /* GET_ID, one socket */
#define FW_CHUNK 0x4000u           /* bytes moved per step of the DRAM loops */

/* Activation state of a guest (commands.md §5.3). */
enum fw_act { FW_ACT_NONE = 0, FW_ACT_PENDING = 1, FW_ACT_ACTIVE = 2 };

/* ASID state (commands.md §5.3); owner kept separately. */
enum fw_asid_state { FW_ASID_CLEAN = 0, FW_ASID_BOUND = 1, FW_ASID_DIRTY = 2 };

struct fw_guest {
	pthread_mutex_t mu;
	uint32_t handle;
	unsigned refs; /* tlock */
	int dead;      /* tlock + mu: decommissioned, awaiting last unref */
	uint8_t state; /* swsev_guest_state */
	uint32_t policy;
	uint8_t vek[FW_VEK_LEN];
	uint32_t asid; /* 0: none bound */
	uint8_t act;   /* fw_act */
	/* transport channel (LAUNCH_* / SEND_* / RECEIVE_*) */
	int have_channel;
	uint8_t tek[16], tik[16];
	swsev_hmac_ctx *xport_mac; /* keyed with tik for SEND_UPDATE_* (migrate.c), or NULL */
	swsev_ctr *xport_ctr;      /* keyed with tek for SEND_UPDATE_* (migrate.c), or NULL */
	swsev_ctr *xport_ctr_w;    /* the same, for the pipeline worker's chunks, or NULL */
	swsev_sha256_ctx *ld_ctx;  /* the running launch digest (LUPDATE) */
	uint8_t ld[32];            /* finished launch digest */
	uint8_t measure[32];       /* LAUNCH_MEASURE's MEASURE, for LAUNCH_SECRET */
	/* SEV-ES: the VMSAs this guest holds (vmsa.c) */
	struct fw_vmsa_sum *vmsas;
	uint32_t vmsa_count, vmsa_cap;
};

/* Persistent identity (the NV store's content). */
struct fw_nv {
	char profile[16];
	uint8_t chip_secret[32];
	uint8_t cek_signed[SWSEV_CERT_LEN];
	uint8_t ask[SWSEV_AMD_CERT_MAX];
	size_t ask_len;
	uint8_t ark[SWSEV_AMD_CERT_MAX];
	size_t ark_len;
	int have_ident;
	int owner_ext;
	int have_oca_priv;
	uint8_t oca_d[48], pek_d[48], pdh_d[48];
	uint8_t oca_cert[SWSEV_CERT_LEN], pek_cert[SWSEV_CERT_LEN], pdh_cert[SWSEV_CERT_LEN];
};

struct swsev_fw {
	const struct swsev_profile *prof;
	struct swsev_fw_ops ops;
	swsev_mem *mem;
	uint64_t cbit_mask; /* address bits the firmware ignores (the C-bit) */

	pthread_rwlock_t plock;
	pthread_mutex_t tlock;

	/* persistent, loaded (plock) */
	struct fw_nv nv;
	swsev_ec_key *cek;
	struct swsev_cert cek_unsigned;
	swsev_ec_key *oca, *pek, *pdh; /* oca NULL when externally owned */
	struct swsev_cert oca_cert, pek_cert, pdh_cert;
	uint8_t get_id[FW_ID_LEN];

	/* volatile (plock for `initialized`, tlock for the rest) */
	int initialized;
	int es;
	uint64_t tmr_paddr;
	struct fw_guest *guests[FW_MAX_GUESTS + 1];
	uint32_t guest_count;
	uint32_t *asid_owner; /* [asid_count + 1]: handle bound, 0 none */
	uint8_t *asid_state;  /* [asid_count + 1]: fw_asid_state */
	int wbinvd_needed;

	struct fw_pipe *pipe; /* pipeline.c: worker thread, scratch ring, IV pool */

	/* ---- DOWNLOAD_FIRMWARE and fault injection (platform.c) ----
	 * run_prof: the running firmware, the generation's profile with the API
	 * version and build of a downloaded image (plock exclusive to write);
	 * prof points here. unsafe: set by a fault at a clean-up point; every
	 * later command returns HWERROR_UNSAFE (__atomic load/store). */
	struct swsev_profile run_prof;
	int unsafe;
};

/* A decoded command: the buffer and its length (at least the command's size). */
struct fw_cmd {
	uint8_t *buf;
	size_t len;
};

/* ---- profile.c ---- */
int fw_cmd_known(uint32_t cmd);

/* ---- platform.c ---- */
uint16_t fw_cmd_platform(swsev_fw *fw, uint32_t cmd, struct fw_cmd *c);
int fw_platform_working(swsev_fw *fw);

/* ---- guest.c: table, references, ASIDs ---- */
/* Looks a handle up and takes a reference and the guest's mutex. */
struct fw_guest *fw_guest_get(swsev_fw *fw, uint32_t handle);
/* Releases the mutex and the reference (frees a dead guest on the last one). */
void fw_guest_put(swsev_fw *fw, struct fw_guest *g);
/* Allocates the lowest free handle for a new context (state set by caller);
 * returns NULL when the table is full. The new guest is returned locked and
 * referenced and counts in guest_count. */
struct fw_guest *fw_guest_create(swsev_fw *fw);
/* Drops the guest (decommission, failed start): wipes and unlinks. Caller holds g->mu. */
void fw_guest_destroy(swsev_fw *fw, struct fw_guest *g);
void fw_guest_wipe_channel(struct fw_guest *g);
/* SHUTDOWN: destroys every context and clears every key slot. */
void fw_guests_destroy_all(swsev_fw *fw);
uint16_t fw_cmd_guest(swsev_fw *fw, uint32_t cmd, struct fw_cmd *c);

/* ---- launch.c ---- */
uint16_t fw_cmd_launch(swsev_fw *fw, uint32_t cmd, struct fw_cmd *c);
/* The session part of LAUNCH_START/RECEIVE_START: cert and blob from DRAM,
 * ECDH with the PDH, MAC checks. */
uint16_t fw_open_session(swsev_fw *fw, uint64_t cert_pa, uint32_t cert_len, uint64_t sess_pa,
			 uint32_t policy, uint8_t tek[16], uint8_t tik[16]);
/* Key sharing and VEK for a new guest (step 4 of LAUNCH_START). */
uint16_t fw_new_vek(swsev_fw *fw, uint32_t share_handle, uint32_t policy, uint8_t vek[FW_VEK_LEN]);
uint16_t fw_guest_start(swsev_fw *fw, uint32_t policy, const uint8_t vek[FW_VEK_LEN],
			const uint8_t tek[16], const uint8_t tik[16], uint32_t state,
			struct fw_guest **out);
/* Policy reserved bits and API minimum against this firmware. */
int fw_policy_ok(const swsev_fw *fw, uint32_t policy);

/* Transport buffer (commands.md §10.5), shared by LAUNCH_SECRET,
 * SEND_UPDATE_* and RECEIVE_UPDATE_*. */
struct xport {
	uint32_t handle;
	uint64_t hdr_pa;
	uint32_t hdr_len;
	uint64_t guest_pa;
	uint32_t guest_len;
	uint64_t trans_pa;
	uint32_t trans_len;
};
void fw_xport_decode(const uint8_t *b, struct xport *x);

/* ---- migrate.c, debug.c ---- */
uint16_t fw_cmd_migrate(swsev_fw *fw, uint32_t cmd, struct fw_cmd *c);
uint16_t fw_cmd_debug(swsev_fw *fw, uint32_t cmd, struct fw_cmd *c);

/* ---- util.c ---- */
swsev_err fw_random(swsev_fw *fw, void *buf, size_t len) SWSEV_MUST_CHECK;
/* A fresh P-384 key drawn from fw_random (rejection sampling). */
swsev_err fw_ec_keygen(swsev_fw *fw, swsev_ec_key **out) SWSEV_MUST_CHECK;
swsev_err fw_vek_gen(swsev_fw *fw, uint8_t vek[FW_VEK_LEN]) SWSEV_MUST_CHECK;
/* Masks the C-bit and checks [spa, spa+len) lies in DRAM: SUCCESS or INVALID_ADDRESS. */
uint16_t fw_addr(const swsev_fw *fw, uint64_t spa, uint64_t len, uint64_t *out);
/* DRAM access with the address check (INVALID_ADDRESS) and error mapping. */
uint16_t fw_host_read(swsev_fw *fw, uint64_t spa, void *buf, size_t len);
uint16_t fw_host_write(swsev_fw *fw, uint64_t spa, const void *buf, size_t len);
uint16_t fw_enc_read(swsev_fw *fw, unsigned asid, uint64_t spa, void *buf, size_t len);
uint16_t fw_enc_write(swsev_fw *fw, unsigned asid, uint64_t spa, const void *buf, size_t len);
/* Maps a crypto/format error of a certificate to INVALID_CERTIFICATE / BAD_SIGNATURE. */
uint16_t fw_cert_status(swsev_err e);
/* Reads and parses a 2084-byte SEV certificate from DRAM. */
uint16_t fw_read_cert(swsev_fw *fw, uint64_t spa, struct swsev_cert *out);

/* ---- vmsa.c ----
 * Per-guest SEV-ES VMSA sums: SHA-256 of each VMSA's plaintext by its
 * address, recorded by LAUNCH_UPDATE_VMSA/RECEIVE_UPDATE_VMSA (a new sum for
 * a known address replaces the old one), checked by SEND_UPDATE_VMSA. */
#define FW_VMSA_MAX 1024u /* VMSAs per guest (KVM's vCPU limit); then RESOURCE_LIMIT */
struct fw_vmsa_sum {
	uint64_t spa;
	uint8_t sum[32];
};
uint16_t fw_vmsa_record(struct fw_guest *g, uint64_t spa, const uint8_t page[SWSEV_MEM_PAGE]);
/* SUCCESS and its index if [spa, spa+len) is exactly a recorded VMSA,
 * else INVALID_PARAM. */
uint16_t fw_vmsa_lookup(const struct fw_guest *g, uint64_t spa, uint32_t len, uint32_t *idx);
/* SUCCESS if plain, that VMSA's plaintext read now, still has its sum,
 * else INVALID_PARAM. */
uint16_t fw_vmsa_verify(const struct fw_guest *g, uint32_t idx,
			const uint8_t plain[SWSEV_MEM_PAGE]);
void fw_vmsa_drop(struct fw_guest *g);
/* 1 if fw_vmsa_record(g, spa, ...) will find a slot (checked before any work). */
int fw_vmsa_room(const struct fw_guest *g, uint64_t spa);

/* ---- pipeline.c ----
 * A persistent worker thread per platform (none on a one-CPU machine),
 * created by swsev_fw_new and joined by swsev_fw_free, that runs the cheap
 * half of a large command's per-chunk work while the calling thread runs
 * the half that bounds the command: LAUNCH_UPDATE_DATA hashes chunk k while
 * the worker copies and encrypts chunks k+1..; SEND_UPDATE_DATA MACs chunk
 * k while the worker decrypts, encrypts and copies out chunks k+1.., when
 * fw_pipe_choose finds that faster (docs/firmware.md "Pipelining").
 * The caller never depends on the worker: a chunk the worker has not
 * claimed yet when the caller needs it is produced by the caller itself, so
 * a busy, preempted or absent worker only costs speed. One command at a
 * time uses the worker; concurrent commands run single-threaded.
 */
#define FW_SEND_PIPE_MIN 0x2000u    /* SEND_UPDATE_DATA packets from 8 KiB (migrate.c) */
#define FW_PIPE_MAX_AHEAD 16u       /* chunks produced ahead of the consumer, at most */
#define FW_PIPE_RING (512u * 1024u) /* scratch a claimed worker comes with */

struct fw_pipe_job {
	uint32_t n;     /* chunks 0..n-1 */
	uint32_t ahead; /* 1..FW_PIPE_MAX_AHEAD: produced but not yet consumed chunks, at most */
	/* produce(i): on either thread, once per chunk, chunks claimed in
	 * increasing order; consume(i): on the calling thread, in order, after
	 * produce(i) succeeded. SEV status codes. */
	uint16_t (*produce)(void *arg, uint32_t i);
	uint16_t (*consume)(void *arg, uint32_t i);
	void *arg;
	/* how long the caller polls for a chunk the worker is producing before
	 * it sleeps: about one chunk's production time (0: 20 us) */
	uint32_t wait_ns;
	/* if not NULL: set to the chunks the worker produced (on success) */
	uint32_t *worker_chunks;
};

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t fw_now_ns(void);
void fw_pipe_start(swsev_fw *fw);
void fw_pipe_stop(swsev_fw *fw);
/* Claims the worker for one command: 1 and its scratch (FW_PIPE_RING
 * bytes), or 0 when there is no worker or another command has it. */
int fw_pipe_acquire(swsev_fw *fw, uint8_t **scratch);
/* Runs a job on a claimed worker: the status of the first failing step
 * (produce(i), then consume(i), in chunk order), or SUCCESS. Every produce call
 * has ended when it returns; after a failure no further chunk is consumed
 * (chunks already claimed may still have been produced). */
uint16_t fw_pipe_run(swsev_fw *fw, const struct fw_pipe_job *job);
/* Ends the claim; the worker wipes the first `wipe` bytes of the scratch
 * before anyone can claim it again. */
void fw_pipe_release(swsev_fw *fw, size_t wipe);
/* Test hook: 0 makes fw_pipe_acquire fail (single-threaded paths). */
void fw_pipe_enable(swsev_fw *fw, int on);
/* Jobs run and chunks the worker produced so far; returns 1 if there is a
 * worker thread (tests and benchmarks). */
int fw_pipe_stats(swsev_fw *fw, uint64_t *runs, uint64_t *worker_chunks);
/* Adaptive use of the pipeline (pipeline.c, fw_pipe_choose): kinds of
 * command that measure both ways, and the probe schedule. */
enum { FW_PIPE_SEND = 0, FW_PIPE_KINDS = 1 };
#define FW_PIPE_PERIOD 256u   /* commands per period, opening with a probe of */
#define FW_PIPE_PROBE_MAX 64u /* at most this many commands of the costlier way, */
#define FW_PIPE_BURST 8u      /* until this many counted, */
#define FW_PIPE_WARM 3u       /* the first of them unmeasured */
#define FW_WAY_PIPE 1u        /* fw_pipe_choose: run on the pipeline */
#define FW_WAY_PROBE 2u       /* fw_pipe_choose: a probe of the costlier way */
unsigned fw_pipe_choose(swsev_fw *fw, unsigned kind);
/* The wall-clock time one command of `len` bytes took: `way` as chosen,
 * `piped` whether it did run on the pipeline, worker_chunks what the
 * worker produced of it (fw_pipe_job.worker_chunks). */
void fw_pipe_record(swsev_fw *fw, unsigned kind, unsigned way, int piped, uint32_t worker_chunks,
		    uint64_t ns, uint32_t len);
/* The recent costs, ns per KiB (0: not measured): one thread, pipeline
 * (tests and benchmarks). */
int fw_pipe_costs(swsev_fw *fw, unsigned kind, uint32_t cost[2]);
/* Chunk geometry of a pipelined range [a, end): chunk 0 runs to the first
 * multiple of `first` above a (a small first chunk shortens the time
 * before the worker's output is needed), chunk i >= 1 to the next multiple
 * of ch (first and ch powers of two, first <= ch), the last to end. */
struct fw_span {
	uint64_t a, end, b1, base1;
	uint32_t ch, n;
};
void fw_span_init(struct fw_span *s, uint64_t a, uint64_t len, uint32_t first, uint32_t ch);
void fw_span_get(const struct fw_span *s, uint32_t i, uint64_t *lo, size_t *n);
/* A transport IV: fw_random when the ops bring a generator (deterministic
 * tests), else from a pool refilled from the CSPRNG 4 KiB at a time (one
 * 16-byte RAND_bytes call costs about as much as 4 KiB). */
swsev_err fw_xport_iv(swsev_fw *fw, uint8_t iv[16]) SWSEV_MUST_CHECK;

/* ---- identity.c ---- */
/* Rebuilds the in-memory keys and certs from fw->nv. */
swsev_err fw_ident_from_nv(swsev_fw *fw) SWSEV_MUST_CHECK;
/* New OCA + PEK + PDH (self-owned) into fw->nv and the loaded keys. */
swsev_err fw_ident_generate(swsev_fw *fw) SWSEV_MUST_CHECK;
swsev_err fw_pdh_generate(swsev_fw *fw) SWSEV_MUST_CHECK;
void fw_ident_drop(swsev_fw *fw);
/* Derives the CEK (and GET_ID) from the chip secret. */
swsev_err fw_cek_derive(swsev_fw *fw) SWSEV_MUST_CHECK;

/* ---- root.c ---- */
swsev_err fw_root_sign_cek(const swsev_vendor_root *r, struct swsev_cert *cek) SWSEV_MUST_CHECK;
const struct swsev_amd_cert *fw_root_ark(const swsev_vendor_root *r);
const struct swsev_amd_cert *fw_root_ask(const swsev_vendor_root *r);

/* ---- nvstate.c ---- */
swsev_err fw_nv_encode(const struct fw_nv *nv, uint8_t **out, size_t *len) SWSEV_MUST_CHECK;
swsev_err fw_nv_decode(const uint8_t *buf, size_t len, struct fw_nv *nv) SWSEV_MUST_CHECK;
/* Encodes fw->nv and stores it through the ops. */
swsev_err fw_nv_save(swsev_fw *fw) SWSEV_MUST_CHECK;
/* Loads and decodes through the ops: SWSEV_E_NOTFOUND, SWSEV_E_INTEGRITY, ... */
swsev_err fw_nv_load(swsev_fw *fw, struct fw_nv *nv) SWSEV_MUST_CHECK;

#endif
