/*
 * The emulated SEV firmware (API 0.22 with SEV-ES): a library with no I/O of
 * its own. A command goes in as the spec's little-endian command buffer, a
 * 16-bit SEV status comes out, and the buffer is written back as the spec
 * says (commands.md §7). Addresses inside command buffers are system
 * physical addresses into the platform's simulated DRAM (swsev_fw_dram).
 *
 * Storage and randomness reach the core through swsev_fw_ops, so tests can
 * run it in memory and, when they ask, deterministically. Thread safety:
 * swsev_fw_command may be called from many threads; commands on different
 * guests run in parallel, commands on one guest and platform commands are
 * serialized (see docs/architecture.md).
 */
#ifndef SWSEV_FW_H
#define SWSEV_FW_H

#include <stddef.h>
#include <stdint.h>

#include "swsev/error.h"

/* Command IDs (commands.md §2) */
enum swsev_cmd {
	SEV_CMD_INIT = 0x01,
	SEV_CMD_SHUTDOWN = 0x02,
	SEV_CMD_PLATFORM_RESET = 0x03,
	SEV_CMD_PLATFORM_STATUS = 0x04,
	SEV_CMD_PEK_GEN = 0x05,
	SEV_CMD_PEK_CSR = 0x06,
	SEV_CMD_PEK_CERT_IMPORT = 0x07,
	SEV_CMD_PDH_CERT_EXPORT = 0x08,
	SEV_CMD_PDH_GEN = 0x09,
	SEV_CMD_DF_FLUSH = 0x0A,
	SEV_CMD_DOWNLOAD_FIRMWARE = 0x0B,
	SEV_CMD_GET_ID = 0x0C,
	SEV_CMD_DECOMMISSION = 0x20,
	SEV_CMD_ACTIVATE = 0x21,
	SEV_CMD_DEACTIVATE = 0x22,
	SEV_CMD_GUEST_STATUS = 0x23,
	SEV_CMD_COPY = 0x24,
	SEV_CMD_ACTIVATE_EX = 0x25,
	SEV_CMD_LAUNCH_START = 0x30,
	SEV_CMD_LAUNCH_UPDATE_DATA = 0x31,
	SEV_CMD_LAUNCH_UPDATE_VMSA = 0x32,
	SEV_CMD_LAUNCH_MEASURE = 0x33,
	SEV_CMD_LAUNCH_SECRET = 0x34,
	SEV_CMD_LAUNCH_FINISH = 0x35,
	SEV_CMD_SEND_START = 0x40,
	SEV_CMD_SEND_UPDATE_DATA = 0x41,
	SEV_CMD_SEND_UPDATE_VMSA = 0x42,
	SEV_CMD_SEND_FINISH = 0x43,
	SEV_CMD_SEND_CANCEL = 0x44,
	SEV_CMD_RECEIVE_START = 0x50,
	SEV_CMD_RECEIVE_UPDATE_DATA = 0x51,
	SEV_CMD_RECEIVE_UPDATE_VMSA = 0x52,
	SEV_CMD_RECEIVE_FINISH = 0x53,
	SEV_CMD_DBG_DECRYPT = 0x60,
	SEV_CMD_DBG_ENCRYPT = 0x61,
};
const char *swsev_cmd_name(uint32_t cmd); /* "LAUNCH_START"; "UNKNOWN" */
/* Size of the command buffer of a command ID; 0 for unknown IDs. */
size_t swsev_cmd_buf_len(uint32_t cmd);

enum swsev_platform_state {
	SWSEV_PSTATE_UNINIT = 0,
	SWSEV_PSTATE_INIT = 1,
	SWSEV_PSTATE_WORKING = 2
};
enum swsev_guest_state {
	SWSEV_GSTATE_UNINIT = 0,
	SWSEV_GSTATE_LUPDATE = 1,
	SWSEV_GSTATE_LSECRET = 2,
	SWSEV_GSTATE_RUNNING = 3,
	SWSEV_GSTATE_SUPDATE = 4,
	SWSEV_GSTATE_RUPDATE = 5,
	SWSEV_GSTATE_SENT = 6,
};

/* Storage, randomness: the core's only way out. */
struct swsev_fw_ops {
	size_t size; /* sizeof(struct swsev_fw_ops), for ABI growth */
	void *ctx;
	/* Loads the NV blob: *buf from malloc (the core wipes and frees it).
	 * SWSEV_E_NOTFOUND when no state exists yet. */
	swsev_err (*nv_load)(void *ctx, uint8_t **buf, size_t *len);
	/* Stores the NV blob atomically (old or new, never a mixture). */
	swsev_err (*nv_store)(void *ctx, const uint8_t *buf, size_t len);
	/* Random bytes; NULL means the CSPRNG (the default, always in production). */
	swsev_err (*random)(void *ctx, void *buf, size_t len);
	/* Fault injection, for tests and hypervisor developers; NULL (the
	 * default) never injects. Called with fault_ctx and the running
	 * command's ID at the named points SWSEV_FAULT_* below; non-zero makes
	 * that step fail as a hardware error (docs/firmware.md "Fault
	 * injection"). It may run with the platform's locks held: it must not
	 * call into the platform. Appended after `random`: ops whose `size`
	 * ends before `fault` run without faults. */
	int (*fault)(void *fault_ctx, uint32_t cmd, const char *point);
	void *fault_ctx;
};

/* Fault points. A fault at a clean-up point returns HWERROR_UNSAFE and
 * leaves the platform unsafe: every later command returns HWERROR_UNSAFE
 * until the platform object is created again (a real machine needs a
 * reset). A fault at any other point returns HWERROR_PLATFORM and leaves
 * the platform as it was. */
#define SWSEV_FAULT_COMMAND "command"           /* every command, on entry */
#define SWSEV_FAULT_INIT_LOAD "init.load"       /* INIT reading the NV store */
#define SWSEV_FAULT_DOWNLOAD "download.install" /* DOWNLOAD_FIRMWARE installing a checked image */
#define SWSEV_FAULT_SHUTDOWN "shutdown.cleanup" /* clean-up: SHUTDOWN tearing guests down */
#define SWSEV_FAULT_DF_FLUSH "df_flush.flush"   /* clean-up: DF_FLUSH flushing the data fabric */

/* Generation profiles: naples, rome, milan, genoa (DESIGN.md "Generations"). */
struct swsev_profile {
	const char *name;
	uint8_t api_major, api_minor, build;
	uint32_t asid_count; /* 15, 509, 509, 1006 */
	uint32_t es_asids;   /* ASIDs 1..es_asids are SEV-ES, the rest SEV */
	unsigned root_bits;  /* ARK/ASK RSA size: 2048 or 4096 */
	int memc_mode;       /* swsev_memc_mode */
	unsigned cbit;       /* C-bit position in physical addresses (47 or 51); masked off */
};
const struct swsev_profile *swsev_profile_find(const char *name);
const struct swsev_profile *swsev_profile_default(void); /* genoa */

typedef struct swsev_fw swsev_fw;
typedef struct swsev_mem swsev_mem;

/* An emulated AMD root: ARK and ASK keys and certificates (AMD format). */
typedef struct swsev_vendor_root swsev_vendor_root;
swsev_err swsev_vendor_root_new(unsigned bits, swsev_vendor_root **out) SWSEV_MUST_CHECK;
/* Saves to / loads from a directory: ark.cert ask.cert (public), ark.key ask.key (0600). */
swsev_err swsev_vendor_root_save(const swsev_vendor_root *r, const char *dir) SWSEV_MUST_CHECK;
swsev_err swsev_vendor_root_load(const char *dir, swsev_vendor_root **out) SWSEV_MUST_CHECK;
/* The AMD-format certs (pointers valid while r lives). */
void swsev_vendor_root_certs(const swsev_vendor_root *r, const uint8_t **ark, size_t *ark_len,
			     const uint8_t **ask, size_t *ask_len);
void swsev_vendor_root_free(swsev_vendor_root *r);

/*
 * Creates a platform. If ops->nv_load finds no state, the platform is
 * manufactured: a new chip secret and CEK, the CEK signed by `root`'s ASK
 * (root may be NULL only when state exists), then stored through nv_store.
 * With state, it is loaded and its integrity tag checked
 * (SWSEV_E_INTEGRITY: corrupt, never silently replaced).
 */
swsev_err swsev_fw_new(const struct swsev_profile *profile, const struct swsev_fw_ops *ops,
		       const swsev_vendor_root *root, swsev_fw **out) SWSEV_MUST_CHECK;
void swsev_fw_free(swsev_fw *fw);

/* Runs one command. buf holds the command buffer (len bytes, at least
 * swsev_cmd_buf_len(cmd)); it is written back as the spec says. */
uint16_t swsev_fw_command(swsev_fw *fw, uint32_t cmd, void *buf, size_t len);

/* The platform's DRAM and memory controller. */
swsev_mem *swsev_fw_dram(swsev_fw *fw);
/* The profile the platform runs: the generation's, with the API version and
 * build of a firmware image installed by DOWNLOAD_FIRMWARE (volatile: a new
 * platform object runs the generation's again). Valid while fw lives. */
const struct swsev_profile *swsev_fw_profile(const swsev_fw *fw);
/* A consistent copy of it, taken under the platform lock: a concurrent
 * DOWNLOAD_FIRMWARE changes the API version and build. */
void swsev_fw_profile_copy(swsev_fw *fw, struct swsev_profile *out);
/* The CEK signed by the ASK (what AMD's KDS would serve) and the ASK/ARK. */
swsev_err swsev_fw_cek_signed(swsev_fw *fw, uint8_t out[2084]) SWSEV_MUST_CHECK;
swsev_err swsev_fw_amd_certs(swsev_fw *fw, uint8_t *ask_ark, size_t cap,
			     size_t *len) SWSEV_MUST_CHECK;

/* Atomic directory storage for swsev_fw_ops (temp, fsync, rename, fsync dir; 0600).
 * The state file is <dir>/nvstate.bin (docs/state-format.md). Release the
 * ops with swsev_fw_ops_release after the last swsev_fw_free. */
swsev_err swsev_nvfile_ops(const char *dir, struct swsev_fw_ops *ops) SWSEV_MUST_CHECK;
/* In-memory storage (tests, demos): the blob lives in the ops context. */
swsev_err swsev_nvmem_ops(struct swsev_fw_ops *ops) SWSEV_MUST_CHECK;
/* Switches built-in ops (nvfile/nvmem) to a deterministic random generator
 * seeded with `seed` (HMAC-SHA256 in counter mode). For tests only: never
 * the default. */
swsev_err swsev_fw_ops_deterministic(struct swsev_fw_ops *ops, const void *seed,
				     size_t seedlen) SWSEV_MUST_CHECK;
/* The last storage error of built-in ops as text ("" if none), e.g.
 * "rename .../nvstate.bin.tmp: Read-only file system". */
const char *swsev_fw_ops_last_error(const struct swsev_fw_ops *ops);
/* Frees the context of built-in ops (wiping any in-memory blob). */
void swsev_fw_ops_release(struct swsev_fw_ops *ops);

/*
 * WBINVD model (commands.md §5.3, §8.11). The firmware cannot see the
 * cores' caches; the host tells it. After INIT and after a DEACTIVATE of an
 * active guest, DF_FLUSH returns WBINVD_REQUIRED until the host calls
 * swsev_fw_wbinvd ("WBINVD ran on every core"), as Linux does before
 * DF_FLUSH. After INIT every ASID is dirty (Genoa): the host must run
 * swsev_fw_wbinvd and DF_FLUSH before the first ACTIVATE.
 */
void swsev_fw_wbinvd(swsev_fw *fw);

/* Memory a guest context costs beyond its guest pages (benchmark figure). */
size_t swsev_fw_guest_context_bytes(void);

/*
 * Firmware images for DOWNLOAD_FIRMWARE (docs/firmware.md "Firmware
 * images"): a 64-byte little-endian header, an opaque body, and an RSA-PSS
 * signature by the emulated AMD signing key (ASK) over every byte before
 * it, with the ASK certificate's parameters (RSA-2048 + SHA-256, salt 32;
 * RSA-4096 + SHA-384, salt 48). The signature is stored big-endian.
 */
#define SWSEV_FWIMG_MAGIC "SWSEVFW1"
#define SWSEV_FWIMG_VERSION 1
#define SWSEV_FWIMG_HDR_LEN 0x40
#define SWSEV_FWIMG_MAX (128u * 1024u) /* the largest cap of any profile */

struct swsev_amd_cert;
struct swsev_rsa_key;

struct swsev_fwimage {
	const uint8_t *raw; /* the parsed buffer (the image) */
	uint16_t version;
	char profile[16]; /* NUL-terminated */
	uint8_t api_major, api_minor, build;
	uint32_t sig_algo;     /* SWSEV_ALGO_RSA_SHA256 (0x1) or SWSEV_ALGO_RSA_SHA384 (0x101) */
	uint8_t signer_id[16]; /* the key_id of the ASK that signed */
	const uint8_t *body;   /* points into the parsed buffer */
	uint32_t body_len;
	const uint8_t *sig; /* points into the parsed buffer; big-endian */
	uint32_t sig_len;
	size_t signed_len; /* header + body: what the signature covers */
	size_t len;        /* the whole image */
};

/* The largest image a profile's firmware takes (64 KiB naples and rome,
 * 128 KiB milan and genoa); 0 for NULL. */
size_t swsev_fwimage_cap(const struct swsev_profile *p);
/*
 * Parses an image of exactly len bytes (the signature is not checked).
 * SWSEV_E_TRUNCATED (shorter than its header or than its length fields
 * say), SWSEV_E_TRAILING (longer), SWSEV_E_FORMAT (magic, header length,
 * reserved bytes, profile name, or a signature length that does not fit
 * the algorithm), SWSEV_E_VERSION (format version), SWSEV_E_ALGO.
 * *out is zeroed on failure.
 */
swsev_err swsev_fwimage_parse(const uint8_t *buf, size_t len,
			      struct swsev_fwimage *out) SWSEV_MUST_CHECK;
/* Checks the signature of a parsed image under an ASK: SWSEV_OK, or
 * SWSEV_E_BADSIG (another signer, algorithm or key size, or a signature
 * that does not verify); SWSEV_E_BADKEY if the ASK's key is unusable. */
swsev_err swsev_fwimage_verify(const struct swsev_fwimage *img,
			       const struct swsev_amd_cert *ask) SWSEV_MUST_CHECK;

struct swsev_fwimage_params {
	const char *profile; /* 1..15 characters a-z 0-9 */
	uint8_t api_major, api_minor, build;
	const uint8_t *body; /* may be NULL when body_len is 0 */
	size_t body_len;
};
/* Builds and signs an image with the ASK's private key; ask is its
 * certificate (the signer id and algorithm come from it, and the new
 * signature is checked under it: SWSEV_E_BADKEY if the key is not the
 * cert's). *out from malloc (free()). SWSEV_E_INVALID for a bad profile
 * name, SWSEV_E_LENGTH if the image would exceed SWSEV_FWIMG_MAX. */
swsev_err swsev_fwimage_sign(const struct swsev_fwimage_params *p,
			     const struct swsev_rsa_key *ask_key, const struct swsev_amd_cert *ask,
			     uint8_t **out, size_t *len) SWSEV_MUST_CHECK;

#endif
