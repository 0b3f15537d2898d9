/*
 * The platform: creation and manufacturing, the command dispatcher and the
 * platform commands (commands.md §4, §8).
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "codec/codec.h"
#include "fw/fw_int.h"

/* ---- creation, manufacturing ---- */

static swsev_err manufacture(swsev_fw *fw, const swsev_vendor_root *root)
{
	const struct swsev_profile *p = fw->prof;
	const struct swsev_amd_cert *ark = fw_root_ark(root), *ask = fw_root_ask(root);
	struct swsev_cert cek;
	swsev_err r;

	memset(&fw->nv, 0, sizeof(fw->nv));
	strncpy(fw->nv.profile, p->name, sizeof(fw->nv.profile) - 1);
	r = fw_random(fw, fw->nv.chip_secret, sizeof(fw->nv.chip_secret));
	if (r == SWSEV_OK)
		r = fw_cek_derive(fw);
	if (r == SWSEV_OK)
		r = swsev_cert_init_ec(&cek, p->api_major, p->api_minor, SWSEV_USAGE_CEK,
				       SWSEV_ALGO_ECDSA_SHA256, fw->cek);
	if (r == SWSEV_OK)
		r = fw_root_sign_cek(root, &cek);
	if (r == SWSEV_OK)
		r = swsev_cert_encode(&cek, cek.raw);
	if (r != SWSEV_OK)
		return r;
	if (ask->len > sizeof(fw->nv.ask) || ark->len > sizeof(fw->nv.ark))
		return SWSEV_E_LENGTH;
	memcpy(fw->nv.cek_signed, cek.raw, SWSEV_CERT_LEN);
	memcpy(fw->nv.ask, ask->raw, ask->len);
	fw->nv.ask_len = ask->len;
	memcpy(fw->nv.ark, ark->raw, ark->len);
	fw->nv.ark_len = ark->len;
	r = fw_ident_from_nv(fw);
	if (r == SWSEV_OK)
		r = fw_nv_save(fw);
	return r;
}

swsev_err swsev_fw_new(const struct swsev_profile *profile, const struct swsev_fw_ops *ops,
		       const swsev_vendor_root *root, swsev_fw **out)
{
	pthread_rwlockattr_t attr;
	swsev_fw *fw = NULL;
	swsev_err r = SWSEV_E_INVALID;

	*out = NULL;
	/* ops from before the fault member (size ending at it) are accepted;
	 * the members they lack stay NULL */
	if (ops == NULL || ops->size < offsetof(struct swsev_fw_ops, fault) ||
	    ops->nv_load == NULL || ops->nv_store == NULL)
		return SWSEV_E_INVALID;
	fw = calloc(1, sizeof(*fw));
	if (fw == NULL)
		return SWSEV_E_NOMEM;
	memcpy(&fw->ops, ops,
	       ops->size < sizeof(struct swsev_fw_ops) ? ops->size : sizeof(struct swsev_fw_ops));
	pthread_rwlockattr_init(&attr);
	pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&fw->plock, &attr);
	pthread_rwlockattr_destroy(&attr);
	pthread_mutex_init(&fw->tlock, NULL);
	fw_pipe_start(fw); /* pipeline.c: the worker thread (optional: no error) */

	r = fw_nv_load(fw, &fw->nv);
	if (r == SWSEV_OK) {
		const struct swsev_profile *sp = swsev_profile_find(fw->nv.profile);
		if (sp == NULL) {
			r = SWSEV_E_FORMAT;
			goto out;
		}
		if (profile != NULL && strcmp(profile->name, sp->name) != 0) {
			r = SWSEV_E_INVALID; /* state was manufactured as another generation */
			goto out;
		}
		fw->run_prof = *sp;
		fw->prof = &fw->run_prof;
		r = fw_ident_from_nv(fw);
		if (r != SWSEV_OK) {
			r = SWSEV_E_INTEGRITY;
			goto out;
		}
	} else if (r == SWSEV_E_NOTFOUND) {
		if (root == NULL) {
			r = SWSEV_E_INVALID;
			goto out;
		}
		fw->run_prof = profile ? *profile : *swsev_profile_default();
		fw->prof = &fw->run_prof;
		r = manufacture(fw, root);
		if (r != SWSEV_OK)
			goto out;
	} else {
		goto out;
	}
	fw->cbit_mask = 1ULL << fw->prof->cbit;
	r = swsev_mem_new(fw->prof->asid_count + 1, fw->prof->memc_mode, &fw->mem);
	if (r != SWSEV_OK)
		goto out;
	fw->asid_owner = calloc(fw->prof->asid_count + 1, sizeof(*fw->asid_owner));
	fw->asid_state = calloc(fw->prof->asid_count + 1, sizeof(*fw->asid_state));
	if (fw->asid_owner == NULL || fw->asid_state == NULL) {
		r = SWSEV_E_NOMEM;
		goto out;
	}
	*out = fw;
	fw = NULL;
	r = SWSEV_OK;
out:
	swsev_fw_free(fw);
	return r;
}

void swsev_fw_free(swsev_fw *fw)
{
	if (fw == NULL)
		return;
	fw_pipe_stop(fw);
	fw_guests_destroy_all(fw);
	fw_ident_drop(fw);
	swsev_ec_free(fw->cek);
	swsev_mem_free(fw->mem);
	free(fw->asid_owner);
	free(fw->asid_state);
	pthread_rwlock_destroy(&fw->plock);
	pthread_mutex_destroy(&fw->tlock);
	swsev_wipe(fw, sizeof(*fw));
	free(fw);
}

swsev_mem *swsev_fw_dram(swsev_fw *fw)
{
	return fw->mem;
}
const struct swsev_profile *swsev_fw_profile(const swsev_fw *fw)
{
	return fw->prof;
}

void swsev_fw_profile_copy(swsev_fw *fw, struct swsev_profile *out)
{
	pthread_rwlock_rdlock(&fw->plock);
	*out = *fw->prof;
	pthread_rwlock_unlock(&fw->plock);
}

swsev_err swsev_fw_cek_signed(swsev_fw *fw, uint8_t out[2084])
{
	pthread_rwlock_rdlock(&fw->plock);
	memcpy(out, fw->nv.cek_signed, SWSEV_CERT_LEN);
	pthread_rwlock_unlock(&fw->plock);
	return SWSEV_OK;
}

swsev_err swsev_fw_amd_certs(swsev_fw *fw, uint8_t *ask_ark, size_t cap, size_t *len)
{
	swsev_err r = SWSEV_OK;

	pthread_rwlock_rdlock(&fw->plock);
	*len = fw->nv.ask_len + fw->nv.ark_len;
	if (cap < *len) {
		r = SWSEV_E_LENGTH;
	} else {
		memcpy(ask_ark, fw->nv.ask, fw->nv.ask_len);
		memcpy(ask_ark + fw->nv.ask_len, fw->nv.ark, fw->nv.ark_len);
	}
	pthread_rwlock_unlock(&fw->plock);
	return r;
}

void swsev_fw_wbinvd(swsev_fw *fw)
{
	pthread_mutex_lock(&fw->tlock);
	fw->wbinvd_needed = 0;
	pthread_mutex_unlock(&fw->tlock);
}

size_t swsev_fw_guest_context_bytes(void)
{
	/* the context itself, its table slot, and the OpenSSL digest context a
	 * launching guest holds (EVP_MD_CTX + SHA-256 state, about 0x100 bytes) */
	return sizeof(struct fw_guest) + sizeof(struct fw_guest *) + 0x100;
}

int fw_platform_working(swsev_fw *fw)
{
	int w;
	pthread_mutex_lock(&fw->tlock);
	w = fw->initialized && fw->guest_count > 0;
	pthread_mutex_unlock(&fw->tlock);
	return w;
}

/* ---- fault injection (docs/firmware.md "Fault injection") ---- */

/* 1 if the ops' fault hook fails this step. The hook runs with the
 * platform's locks as the point holds them: it must not call back into
 * this platform. */
static int fw_fault(swsev_fw *fw, uint32_t cmd, const char *point)
{
	return fw->ops.fault != NULL && fw->ops.fault(fw->ops.fault_ctx, cmd, point) != 0;
}

/* A clean-up failed: the platform stays unsafe until it is created again. */
static uint16_t fw_set_unsafe(swsev_fw *fw)
{
	__atomic_store_n(&fw->unsafe, 1, __ATOMIC_RELEASE);
	return SEV_STATUS_HWERROR_UNSAFE;
}

/* ---- dispatcher ---- */

static int cmd_exclusive(uint32_t cmd)
{
	switch (cmd) {
	case SEV_CMD_INIT:
	case SEV_CMD_SHUTDOWN:
	case SEV_CMD_PLATFORM_RESET:
	case SEV_CMD_PEK_GEN:
	case SEV_CMD_PEK_CERT_IMPORT:
	case SEV_CMD_PDH_GEN:
	case SEV_CMD_DOWNLOAD_FIRMWARE: return 1;
	default: return 0;
	}
}

uint16_t swsev_fw_command(swsev_fw *fw, uint32_t cmd, void *buf, size_t len)
{
	struct fw_cmd c = { buf, len };
	size_t need;
	uint16_t st;

	if (fw == NULL)
		return SEV_STATUS_INVALID_PARAM;
	/* after a failed clean-up nothing runs until the platform is recreated */
	if (__atomic_load_n(&fw->unsafe, __ATOMIC_ACQUIRE))
		return SEV_STATUS_HWERROR_UNSAFE;
	if (!fw_cmd_known(cmd))
		return SEV_STATUS_INVALID_COMMAND;
	/* A buffer shorter than the command's layout is refused before anything
	 * else (docs/firmware.md "Command buffers"). */
	need = swsev_cmd_buf_len(cmd);
	if (need > 0 && (buf == NULL || len < need))
		return SEV_STATUS_INVALID_LENGTH;
	if (fw_fault(fw, cmd, SWSEV_FAULT_COMMAND))
		return SEV_STATUS_HWERROR_PLATFORM;
	if (cmd_exclusive(cmd))
		pthread_rwlock_wrlock(&fw->plock);
	else
		pthread_rwlock_rdlock(&fw->plock);
	if (cmd < 0x20)
		st = fw_cmd_platform(fw, cmd, &c);
	else if (cmd < 0x30)
		st = fw_cmd_guest(fw, cmd, &c);
	else if (cmd < 0x40)
		st = fw_cmd_launch(fw, cmd, &c);
	else if (cmd < 0x60)
		st = fw_cmd_migrate(fw, cmd, &c);
	else
		st = fw_cmd_debug(fw, cmd, &c);
	pthread_rwlock_unlock(&fw->plock);
	return st;
}

/* ---- platform commands ---- */

/* Keeps a copy of the persistent state to roll back a failed store. */
struct nv_backup {
	struct fw_nv nv;
};

static struct nv_backup *nv_backup(swsev_fw *fw)
{
	struct nv_backup *b = malloc(sizeof(*b));
	if (b != NULL)
		b->nv = fw->nv;
	return b;
}

static void nv_backup_free(struct nv_backup *b)
{
	if (b != NULL) {
		swsev_wipe(b, sizeof(*b));
		free(b);
	}
}

/* Saves the new state; on failure restores the backup (old keys). */
static uint16_t commit_or_rollback(swsev_fw *fw, swsev_err r, struct nv_backup *b)
{
	if (r == SWSEV_OK)
		r = fw_nv_save(fw);
	if (r == SWSEV_OK)
		return SEV_STATUS_SUCCESS;
	fw->nv = b->nv;
	if (fw_ident_from_nv(fw) != SWSEV_OK)
		fw_ident_drop(fw);
	return SEV_STATUS_HWERROR_PLATFORM;
}

static uint16_t do_init(swsev_fw *fw, struct fw_cmd *c)
{
	uint32_t options = swsev_le32(c->buf), rsvd = swsev_le32(c->buf + 4);
	uint64_t tmr = swsev_le64(c->buf + 8), a;
	uint32_t tmr_len = swsev_le32(c->buf + 0x10);
	int es = options & 1u;
	struct fw_nv *nv = NULL;
	struct nv_backup *b = NULL;
	uint16_t st = SEV_STATUS_HWERROR_PLATFORM;
	swsev_err r;

	if (fw->initialized)
		return SEV_STATUS_INVALID_PLATFORM_STATE;
	/* Genoa checks the option word and the reserved word together; a
	 * generation without SEV-ES (naples) treats the ES bit as reserved. */
	if ((options & ~1u) != 0 || rsvd != 0 || (es && fw->prof->es_asids == 0))
		return SEV_STATUS_INVALID_CONFIG;
	if (es) {
		if ((tmr & (FW_TMR_LEN - 1)) != 0)
			return SEV_STATUS_INVALID_ADDRESS;
		if (tmr_len != FW_TMR_LEN)
			return SEV_STATUS_INVALID_LENGTH;
		if (fw_addr(fw, tmr, tmr_len, &a) != SEV_STATUS_SUCCESS)
			return SEV_STATUS_INVALID_ADDRESS;
	}
	if (fw_fault(fw, SEV_CMD_INIT, SWSEV_FAULT_INIT_LOAD))
		return SEV_STATUS_HWERROR_PLATFORM;
	/* INIT reads the NV store again, as the firmware does at every INIT. */
	nv = malloc(sizeof(*nv));
	b = nv_backup(fw);
	if (nv == NULL || b == NULL)
		goto out;
	r = fw_nv_load(fw, nv);
	if (r == SWSEV_E_IO || r == SWSEV_E_NOMEM)
		goto out;
	if (r != SWSEV_OK || strcmp(nv->profile, fw->nv.profile) != 0 ||
	    !swsev_ct_equal(nv->chip_secret, fw->nv.chip_secret, sizeof(nv->chip_secret))) {
		st = SEV_STATUS_SECURE_DATA_INVALID;
		goto out;
	}
	fw->nv = *nv;
	if (fw_ident_from_nv(fw) != SWSEV_OK) {
		st = SEV_STATUS_SECURE_DATA_INVALID;
		fw->nv = b->nv;
		if (fw_ident_from_nv(fw) != SWSEV_OK)
			fw_ident_drop(fw);
		goto out;
	}
	if (!fw->nv.have_ident) {
		st = commit_or_rollback(fw, fw_ident_generate(fw), b);
		if (st != SEV_STATUS_SUCCESS)
			goto out;
	}
	pthread_mutex_lock(&fw->tlock);
	fw->initialized = 1;
	fw->es = es;
	fw->tmr_paddr = es ? a : 0;
	/* Genoa: after INIT every ASID counts as dirty (commands.md §5.3). */
	for (uint32_t i = 1; i <= fw->prof->asid_count; i++)
		fw->asid_state[i] = FW_ASID_DIRTY;
	fw->wbinvd_needed = 1;
	pthread_mutex_unlock(&fw->tlock);
	st = SEV_STATUS_SUCCESS;
out:
	if (nv != NULL) {
		swsev_wipe(nv, sizeof(*nv));
		free(nv);
	}
	nv_backup_free(b);
	return st;
}

static uint16_t do_shutdown(swsev_fw *fw)
{
	/* Genoa: SHUTDOWN in UNINIT succeeds and does nothing. */
	if (!fw->initialized)
		return SEV_STATUS_SUCCESS;
	if (fw_fault(fw, SEV_CMD_SHUTDOWN, SWSEV_FAULT_SHUTDOWN)) {
		/* the clean-up failed; the emulator still drops every guest key
		 * it holds (it never leaves secrets behind) */
		fw_guests_destroy_all(fw);
		return fw_set_unsafe(fw);
	}
	fw_guests_destroy_all(fw);
	pthread_mutex_lock(&fw->tlock);
	fw->initialized = 0;
	fw->es = 0;
	fw->tmr_paddr = 0;
	pthread_mutex_unlock(&fw->tlock);
	return SEV_STATUS_SUCCESS;
}

static uint16_t do_platform_reset(swsev_fw *fw)
{
	struct nv_backup *b;
	uint16_t st;

	if (fw->initialized)
		return SEV_STATUS_INVALID_PLATFORM_STATE;
	b = nv_backup(fw);
	if (b == NULL)
		return SEV_STATUS_HWERROR_PLATFORM;
	fw_ident_drop(fw);
	st = commit_or_rollback(fw, SWSEV_OK, b);
	nv_backup_free(b);
	return st;
}

static uint16_t do_platform_status(swsev_fw *fw, struct fw_cmd *c)
{
	uint8_t *p = c->buf;
	uint8_t state;
	uint32_t count;

	pthread_mutex_lock(&fw->tlock);
	count = fw->initialized ? fw->guest_count : 0;
	state = !fw->initialized ? SWSEV_PSTATE_UNINIT :
		count            ? SWSEV_PSTATE_WORKING :
				   SWSEV_PSTATE_INIT;
	p[0] = fw->prof->api_major;
	p[1] = fw->prof->api_minor;
	p[2] = state;
	p[3] = (fw->initialized && fw->nv.owner_ext) ? 1 : 0;
	swsev_wle16(p + 4, (fw->initialized && fw->es) ? 1 : 0);
	p[6] = 0;
	p[7] = fw->prof->build;
	swsev_wle32(p + 8, count);
	pthread_mutex_unlock(&fw->tlock);
	return SEV_STATUS_SUCCESS;
}

static uint16_t do_pek_gen(swsev_fw *fw)
{
	struct nv_backup *b;
	uint16_t st;

	if (!fw->initialized || fw->guest_count > 0)
		return SEV_STATUS_INVALID_PLATFORM_STATE;
	b = nv_backup(fw);
	if (b == NULL)
		return SEV_STATUS_HWERROR_PLATFORM;
	st = commit_or_rollback(fw, fw_ident_generate(fw), b);
	nv_backup_free(b);
	return st;
}

static uint16_t do_pek_csr(swsev_fw *fw, struct fw_cmd *c)
{
	uint64_t pa = swsev_le64(c->buf);
	uint32_t len = swsev_le32(c->buf + 8);
	struct swsev_cert csr;
	uint16_t st;

	/* Genoa accepts PEK_CSR in INIT and WORKING. */
	if (!fw->initialized)
		return SEV_STATUS_INVALID_PLATFORM_STATE;
	if (len < SWSEV_CERT_LEN) {
		swsev_wle32(c->buf + 8, SWSEV_CERT_LEN);
		return SEV_STATUS_INVALID_LENGTH;
	}
	csr = fw->pek_cert;
	swsev_cert_clear_sig(&csr, 0);
	swsev_cert_clear_sig(&csr, 1);
	if (swsev_cert_encode(&csr, csr.raw) != SWSEV_OK)
		return SEV_STATUS_HWERROR_PLATFORM;
	st = fw_host_write(fw, pa, csr.raw, SWSEV_CERT_LEN);
	if (st == SEV_STATUS_SUCCESS)
		swsev_wle32(c->buf + 8, SWSEV_CERT_LEN);
	return st;
}

static int find_slot(const struct swsev_cert *c, uint32_t usage, uint32_t algo)
{
	for (int i = 0; i < 2; i++)
		if (c->sig[i].usage == usage && c->sig[i].algo == algo)
			return i;
	return -1;
}

static uint16_t do_pek_cert_import(swsev_fw *fw, struct fw_cmd *c)
{
	uint64_t pek_pa = swsev_le64(c->buf), oca_pa = swsev_le64(c->buf + 0x10);
	uint32_t pek_len = swsev_le32(c->buf + 8), oca_len = swsev_le32(c->buf + 0x18);
	struct swsev_cert pek, oca;
	struct nv_backup *b;
	int cek_slot, free_slot;
	uint16_t st;
	swsev_err r;

	if (!fw->initialized || fw->guest_count > 0)
		return SEV_STATUS_INVALID_PLATFORM_STATE;
	if (fw->nv.owner_ext)
		return SEV_STATUS_ALREADY_OWNED;
	if (pek_len != SWSEV_CERT_LEN || oca_len != SWSEV_CERT_LEN)
		return SEV_STATUS_INVALID_LENGTH;
	st = fw_read_cert(fw, oca_pa, &oca);
	if (st == SEV_STATUS_SUCCESS)
		st = fw_read_cert(fw, pek_pa, &pek);
	if (st != SEV_STATUS_SUCCESS)
		return st;
	if (oca.pub_key_usage != SWSEV_USAGE_OCA || pek.pub_key_usage != SWSEV_USAGE_PEK)
		return SEV_STATUS_INVALID_CERTIFICATE;
	st = swsev_cert_validate_fw(&oca, &oca);
	if (st == SEV_STATUS_SUCCESS)
		st = swsev_cert_validate_fw(&pek, &oca);
	if (st != SEV_STATUS_SUCCESS)
		return st;
	if (memcmp(pek.raw, fw->pek_cert.raw, SWSEV_CERT_BODY_LEN) != 0)
		return SEV_STATUS_INVALID_CERTIFICATE;
	/* copy our CEK signature into the imported PEK's free slot */
	cek_slot = find_slot(&fw->pek_cert, SWSEV_USAGE_CEK, SWSEV_ALGO_ECDSA_SHA256);
	free_slot = find_slot(&pek, SWSEV_USAGE_INVALID, SWSEV_ALGO_INVALID);
	if (cek_slot < 0)
		return SEV_STATUS_HWERROR_PLATFORM;
	if (free_slot < 0)
		return SEV_STATUS_INVALID_CERTIFICATE;
	pek.sig[free_slot] = fw->pek_cert.sig[cek_slot];
	if (swsev_cert_encode(&pek, pek.raw) != SWSEV_OK)
		return SEV_STATUS_HWERROR_PLATFORM;
	b = nv_backup(fw);
	if (b == NULL)
		return SEV_STATUS_HWERROR_PLATFORM;
	memcpy(fw->nv.pek_cert, pek.raw, SWSEV_CERT_LEN);
	memcpy(fw->nv.oca_cert, oca.raw, SWSEV_CERT_LEN);
	fw->pek_cert = pek;
	fw->oca_cert = oca;
	fw->nv.owner_ext = 1;
	fw->nv.have_oca_priv = 0;
	swsev_wipe(fw->nv.oca_d, sizeof(fw->nv.oca_d));
	swsev_ec_free(fw->oca);
	fw->oca = NULL;
	r = fw_pdh_generate(fw);
	st = commit_or_rollback(fw, r, b);
	nv_backup_free(b);
	return st;
}

static uint16_t do_pdh_cert_export(swsev_fw *fw, struct fw_cmd *c)
{
	uint64_t pdh_pa = swsev_le64(c->buf), certs_pa = swsev_le64(c->buf + 0x10), a;
	uint32_t pdh_len = swsev_le32(c->buf + 8), certs_len = swsev_le32(c->buf + 0x18);
	uint8_t chain[SWSEV_CHAIN_LEN];
	uint16_t st;

	if (!fw->initialized)
		return SEV_STATUS_INVALID_PLATFORM_STATE;
	if (pdh_len < SWSEV_CERT_LEN || certs_len < SWSEV_CHAIN_LEN) {
		swsev_wle32(c->buf + 8, SWSEV_CERT_LEN);
		swsev_wle32(c->buf + 0x18, SWSEV_CHAIN_LEN);
		return SEV_STATUS_INVALID_LENGTH;
	}
	st = fw_addr(fw, pdh_pa, SWSEV_CERT_LEN, &a);
	if (st == SEV_STATUS_SUCCESS)
		st = fw_addr(fw, certs_pa, SWSEV_CHAIN_LEN, &a);
	if (st != SEV_STATUS_SUCCESS)
		return st;
	memcpy(chain, fw->pek_cert.raw, SWSEV_CERT_LEN);
	memcpy(chain + SWSEV_CERT_LEN, fw->oca_cert.raw, SWSEV_CERT_LEN);
	memcpy(chain + 2 * SWSEV_CERT_LEN, fw->cek_unsigned.raw, SWSEV_CERT_LEN);
	st = fw_host_write(fw, pdh_pa, fw->pdh_cert.raw, SWSEV_CERT_LEN);
	if (st == SEV_STATUS_SUCCESS)
		st = fw_host_write(fw, certs_pa, chain, sizeof(chain));
	if (st == SEV_STATUS_SUCCESS) {
		swsev_wle32(c->buf + 8, SWSEV_CERT_LEN);
		swsev_wle32(c->buf + 0x18, SWSEV_CHAIN_LEN);
	}
	return st;
}

static uint16_t do_pdh_gen(swsev_fw *fw)
{
	struct nv_backup *b;
	uint16_t st;

	if (!fw->initialized)
		return SEV_STATUS_INVALID_PLATFORM_STATE;
	b = nv_backup(fw);
	if (b == NULL)
		return SEV_STATUS_HWERROR_PLATFORM;
	st = commit_or_rollback(fw, fw_pdh_generate(fw), b);
	nv_backup_free(b);
	return st;
}

static uint16_t do_df_flush(swsev_fw *fw)
{
	uint16_t st = SEV_STATUS_SUCCESS;

	/* Genoa does not check the platform state here: DF_FLUSH only works on
	 * the ASID bookkeeping (commands.md §4.1). */
	pthread_mutex_lock(&fw->tlock);
	if (fw->wbinvd_needed) {
		st = SEV_STATUS_WBINVD_REQUIRED;
	} else if (fw_fault(fw, SEV_CMD_DF_FLUSH, SWSEV_FAULT_DF_FLUSH)) {
		/* the write buffers may still hold data of the dirty ASIDs: they
		 * stay dirty, and the platform is unsafe */
		st = fw_set_unsafe(fw);
	} else {
		for (uint32_t i = 1; i <= fw->prof->asid_count; i++)
			if (fw->asid_state[i] == FW_ASID_DIRTY)
				fw->asid_state[i] = FW_ASID_CLEAN;
	}
	pthread_mutex_unlock(&fw->tlock);
	return st;
}

static uint16_t do_get_id(swsev_fw *fw, struct fw_cmd *c)
{
	uint64_t pa = swsev_le64(c->buf);
	uint32_t len = swsev_le32(c->buf + 8);
	uint16_t st;

	if (len < FW_ID_LEN) {
		swsev_wle32(c->buf + 8, FW_ID_LEN);
		return SEV_STATUS_INVALID_LENGTH;
	}
	/* One socket: 64 bytes, whatever the buffer size. */
	st = fw_host_write(fw, pa, fw->get_id, FW_ID_LEN);
	if (st == SEV_STATUS_SUCCESS)
		swsev_wle32(c->buf + 8, FW_ID_LEN);
	return st;
}

/*
 * DOWNLOAD_FIRMWARE (commands.md §8.12): installs a swsev firmware image
 * signed by this platform's ASK (docs/firmware.md "Firmware images"). The
 * installed API version and build are volatile, as on hardware: they are
 * not stored, and a platform created again runs its generation's firmware.
 * Checks in this order:
 *   not UNINIT                                     INVALID_PLATFORM_STATE
 *   fw_paddr not 32-byte aligned                   INVALID_ADDRESS
 *   fw_len 0 or above the profile's cap            INVALID_LENGTH
 *   [fw_paddr, +fw_len) outside DRAM               INVALID_ADDRESS
 *   fw_len disagrees with the image's lengths      INVALID_LENGTH
 *   malformed header (magic, version, fields)      INVALID_PARAM
 *   not signed by this platform's ASK              BAD_SIGNATURE
 *   made for another generation                    INVALID_CONFIG
 *   an API version outside 0.17..0.22              UNSUPPORTED
 *   a build below the running one (anti-rollback)  INVALID_PARAM
 */
static uint16_t do_download_firmware(swsev_fw *fw, struct fw_cmd *c)
{
	uint64_t pa = swsev_le64(c->buf);
	uint32_t len = swsev_le32(c->buf + 8);
	struct swsev_fwimage img;
	struct swsev_amd_cert *ask = NULL;
	uint8_t *b = NULL;
	size_t used = 0;
	uint16_t st = SEV_STATUS_HWERROR_PLATFORM;
	swsev_err r;

	if (fw->initialized)
		return SEV_STATUS_INVALID_PLATFORM_STATE;
	if (pa & 31u)
		return SEV_STATUS_INVALID_ADDRESS;
	if (len == 0 || len > swsev_fwimage_cap(fw->prof))
		return SEV_STATUS_INVALID_LENGTH;
	b = malloc(len);
	ask = malloc(sizeof(*ask));
	if (b == NULL || ask == NULL)
		goto out;
	st = fw_host_read(fw, pa, b, len); /* INVALID_ADDRESS outside DRAM */
	if (st != SEV_STATUS_SUCCESS)
		goto out;
	r = swsev_fwimage_parse(b, len, &img);
	if (r != SWSEV_OK) {
		st = (r == SWSEV_E_TRUNCATED || r == SWSEV_E_TRAILING) ? SEV_STATUS_INVALID_LENGTH :
									 SEV_STATUS_INVALID_PARAM;
		goto out;
	}
	/* the ASK the platform was manufactured with (its "fused" signer) */
	st = SEV_STATUS_HWERROR_PLATFORM;
	if (swsev_amd_cert_parse(fw->nv.ask, fw->nv.ask_len, 0, ask, &used) != SWSEV_OK ||
	    used != fw->nv.ask_len)
		goto out;
	r = swsev_fwimage_verify(&img, ask);
	if (r != SWSEV_OK) {
		st = r == SWSEV_E_BADSIG ? SEV_STATUS_BAD_SIGNATURE : SEV_STATUS_HWERROR_PLATFORM;
		goto out;
	}
	if (strcmp(img.profile, fw->prof->name) != 0) {
		st = SEV_STATUS_INVALID_CONFIG;
		goto out;
	}
	if (img.api_major != 0 || img.api_minor < 17 || img.api_minor > 22) {
		st = SEV_STATUS_UNSUPPORTED;
		goto out;
	}
	if (img.build < fw->prof->build) {
		st = SEV_STATUS_INVALID_PARAM;
		goto out;
	}
	if (fw_fault(fw, SEV_CMD_DOWNLOAD_FIRMWARE, SWSEV_FAULT_DOWNLOAD)) {
		st = SEV_STATUS_HWERROR_PLATFORM;
		goto out;
	}
	fw->run_prof.api_major = img.api_major;
	fw->run_prof.api_minor = img.api_minor;
	fw->run_prof.build = img.build;
	st = SEV_STATUS_SUCCESS;
out:
	free(b);
	free(ask);
	return st;
}

uint16_t fw_cmd_platform(swsev_fw *fw, uint32_t cmd, struct fw_cmd *c)
{
	switch (cmd) {
	case SEV_CMD_INIT: return do_init(fw, c);
	case SEV_CMD_SHUTDOWN: return do_shutdown(fw);
	case SEV_CMD_PLATFORM_RESET: return do_platform_reset(fw);
	case SEV_CMD_PLATFORM_STATUS: return do_platform_status(fw, c);
	case SEV_CMD_PEK_GEN: return do_pek_gen(fw);
	case SEV_CMD_PEK_CSR: return do_pek_csr(fw, c);
	case SEV_CMD_PEK_CERT_IMPORT: return do_pek_cert_import(fw, c);
	case SEV_CMD_PDH_CERT_EXPORT: return do_pdh_cert_export(fw, c);
	case SEV_CMD_PDH_GEN: return do_pdh_gen(fw);
	case SEV_CMD_DF_FLUSH: return do_df_flush(fw);
	case SEV_CMD_DOWNLOAD_FIRMWARE: return do_download_firmware(fw, c);
	case SEV_CMD_GET_ID: return do_get_id(fw, c);
	default: return SEV_STATUS_INVALID_COMMAND;
	}
}
