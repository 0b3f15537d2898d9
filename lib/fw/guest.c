/*
 * Guest contexts: the handle table, references, ASID bookkeeping and the
 * guest-management commands DECOMMISSION, ACTIVATE, ACTIVATE_EX,
 * DEACTIVATE, GUEST_STATUS, COPY (commands.md §5, §9).
 */
#include <stdlib.h>
#include <string.h>

#include "codec/codec.h"
#include "fw/fw_int.h"

static void guest_free(struct fw_guest *g)
{
	fw_guest_wipe_channel(g);
	fw_vmsa_drop(g);
	pthread_mutex_destroy(&g->mu);
	swsev_wipe(g, sizeof(*g));
	free(g);
}

void fw_guest_wipe_channel(struct fw_guest *g)
{
	swsev_wipe(g->tek, sizeof(g->tek));
	swsev_wipe(g->tik, sizeof(g->tik));
	swsev_hmac_sha256_free(g->xport_mac); /* keyed with the TIK */
	g->xport_mac = NULL;
	swsev_ctr_free(g->xport_ctr); /* keyed with the TEK */
	g->xport_ctr = NULL;
	swsev_ctr_free(g->xport_ctr_w);
	g->xport_ctr_w = NULL;
	swsev_wipe(g->measure, sizeof(g->measure));
	swsev_sha256_free(g->ld_ctx);
	g->ld_ctx = NULL;
	g->have_channel = 0;
}

struct fw_guest *fw_guest_get(swsev_fw *fw, uint32_t handle)
{
	struct fw_guest *g = NULL;

	if (handle == 0 || handle > FW_MAX_GUESTS)
		return NULL;
	pthread_mutex_lock(&fw->tlock);
	g = fw->guests[handle];
	if (g != NULL && !g->dead)
		g->refs++;
	else
		g = NULL;
	pthread_mutex_unlock(&fw->tlock);
	if (g == NULL)
		return NULL;
	pthread_mutex_lock(&g->mu);
	if (g->dead) { /* decommissioned while we waited */
		fw_guest_put(fw, g);
		return NULL;
	}
	return g;
}

void fw_guest_put(swsev_fw *fw, struct fw_guest *g)
{
	int last;

	pthread_mutex_unlock(&g->mu);
	pthread_mutex_lock(&fw->tlock);
	last = --g->refs == 0 && g->dead;
	pthread_mutex_unlock(&fw->tlock);
	if (last)
		guest_free(g);
}

struct fw_guest *fw_guest_create(swsev_fw *fw)
{
	struct fw_guest *g = calloc(1, sizeof(*g));

	if (g == NULL)
		return NULL;
	pthread_mutex_init(&g->mu, NULL);
	pthread_mutex_lock(&g->mu);
	pthread_mutex_lock(&fw->tlock);
	for (uint32_t h = 1; h <= FW_MAX_GUESTS; h++) {
		if (fw->guests[h] == NULL) {
			g->handle = h;
			g->refs = 1;
			fw->guests[h] = g;
			fw->guest_count++;
			break;
		}
	}
	pthread_mutex_unlock(&fw->tlock);
	if (g->handle == 0) {
		pthread_mutex_unlock(&g->mu);
		guest_free(g);
		return NULL;
	}
	return g;
}

/* Unbinds the guest's ASID (tlock held): dirty if it ran, clean if it was
 * only allocated (pending). */
static void unbind_asid_tlocked(swsev_fw *fw, struct fw_guest *g)
{
	if (g->asid == 0)
		return;
	swsev_mem_slot_clear(fw->mem, g->asid);
	fw->asid_owner[g->asid] = 0;
	if (g->act == FW_ACT_ACTIVE) {
		fw->asid_state[g->asid] = FW_ASID_DIRTY;
		fw->wbinvd_needed = 1;
	} else {
		fw->asid_state[g->asid] = FW_ASID_CLEAN;
	}
	g->asid = 0;
	g->act = FW_ACT_NONE;
}

void fw_guest_destroy(swsev_fw *fw, struct fw_guest *g)
{
	fw_guest_wipe_channel(g);
	swsev_wipe(g->vek, sizeof(g->vek));
	pthread_mutex_lock(&fw->tlock);
	unbind_asid_tlocked(fw, g);
	if (fw->guests[g->handle] == g) {
		fw->guests[g->handle] = NULL;
		fw->guest_count--;
	}
	g->dead = 1;
	pthread_mutex_unlock(&fw->tlock);
}

void fw_guests_destroy_all(swsev_fw *fw)
{
	if (fw->asid_owner == NULL)
		return;
	for (uint32_t h = 1; h <= FW_MAX_GUESTS; h++) {
		struct fw_guest *g = fw_guest_get(fw, h);
		if (g == NULL)
			continue;
		fw_guest_destroy(fw, g);
		fw_guest_put(fw, g);
	}
	pthread_mutex_lock(&fw->tlock);
	for (uint32_t i = 1; i <= fw->prof->asid_count; i++) {
		swsev_mem_slot_clear(fw->mem, i);
		fw->asid_owner[i] = 0;
	}
	pthread_mutex_unlock(&fw->tlock);
}

/* ---- commands ---- */

static uint16_t do_decommission(swsev_fw *fw, struct fw_cmd *c)
{
	struct fw_guest *g;

	if (!fw_platform_working(fw))
		return SEV_STATUS_INVALID_PLATFORM_STATE;
	g = fw_guest_get(fw, swsev_le32(c->buf));
	if (g == NULL)
		return SEV_STATUS_INVALID_GUEST;
	/* refused while any ASID is bound, pending included (audit item 2) */
	if (g->asid != 0) {
		fw_guest_put(fw, g);
		return SEV_STATUS_ACTIVE;
	}
	fw_guest_destroy(fw, g);
	fw_guest_put(fw, g);
	return SEV_STATUS_SUCCESS;
}

/* ACTIVATE and ACTIVATE_EX after their own buffer checks (commands.md §9.2). */
static uint16_t activate(swsev_fw *fw, uint32_t handle, uint32_t asid, int ex)
{
	const struct swsev_profile *p = fw->prof;
	struct fw_guest *g;
	uint16_t st = SEV_STATUS_SUCCESS;
	int es_guest;

	g = fw_guest_get(fw, handle);
	if (g == NULL)
		return SEV_STATUS_INVALID_GUEST;
	if (asid == 0 || asid > p->asid_count) {
		st = SEV_STATUS_INVALID_ASID;
		goto out;
	}
	es_guest = (g->policy & SWSEV_POLICY_ES) != 0;
	pthread_mutex_lock(&fw->tlock);
	if (ex && g->asid == asid && g->act != FW_ACT_NONE) {
		/* ACTIVATE_EX: the same ASID on more core complexes */
	} else if (fw->asid_owner[asid] != 0) {
		st = SEV_STATUS_ASID_OWNED;
	} else if (g->act != FW_ACT_NONE) {
		st = SEV_STATUS_ACTIVE;
	} else if (g->state == SWSEV_GSTATE_SENT) {
		st = SEV_STATUS_INVALID_GUEST_STATE;
	} else if (fw->asid_state[asid] == FW_ASID_DIRTY) {
		st = SEV_STATUS_DFFLUSH_REQUIRED;
	} else if (es_guest ? asid > p->es_asids : asid <= p->es_asids) {
		st = SEV_STATUS_INVALID_ASID;
	} else if (swsev_mem_slot_load(fw->mem, asid, g->vek) != SWSEV_OK) {
		st = SEV_STATUS_HWERROR_PLATFORM;
	} else {
		fw->asid_owner[asid] = g->handle;
		fw->asid_state[asid] = FW_ASID_BOUND;
		g->asid = asid;
		/* audit item 1: RUNNING or SUPDATE become active at once */
		g->act = (g->state == SWSEV_GSTATE_RUNNING || g->state == SWSEV_GSTATE_SUPDATE) ?
				 FW_ACT_ACTIVE :
				 FW_ACT_PENDING;
	}
	pthread_mutex_unlock(&fw->tlock);
out:
	fw_guest_put(fw, g);
	return st;
}

static uint16_t do_activate(swsev_fw *fw, struct fw_cmd *c)
{
	if (!fw_platform_working(fw))
		return SEV_STATUS_INVALID_PLATFORM_STATE;
	return activate(fw, swsev_le32(c->buf), swsev_le32(c->buf + 4), 0);
}

static uint16_t do_activate_ex(swsev_fw *fw, struct fw_cmd *c)
{
	uint32_t ex_len = swsev_le32(c->buf), numids = swsev_le32(c->buf + 0x0C);
	uint64_t ids = swsev_le64(c->buf + 0x10), a, bytes;

	if (!fw_platform_working(fw))
		return SEV_STATUS_INVALID_PLATFORM_STATE;
	if (ex_len != 0x18 || numids == 0 || numids > 1024)
		return SEV_STATUS_INVALID_PARAM;
	/* No core-complex model: the APIC ID list must only be readable. */
	bytes = (uint64_t)numids * 4;
	if (fw_addr(fw, ids, bytes, &a) != SEV_STATUS_SUCCESS)
		return SEV_STATUS_INVALID_ADDRESS;
	return activate(fw, swsev_le32(c->buf + 4), swsev_le32(c->buf + 8), 1);
}

static uint16_t do_deactivate(swsev_fw *fw, struct fw_cmd *c)
{
	struct fw_guest *g;
	uint16_t st = SEV_STATUS_SUCCESS;

	if (!fw_platform_working(fw))
		return SEV_STATUS_INVALID_PLATFORM_STATE;
	g = fw_guest_get(fw, swsev_le32(c->buf));
	if (g == NULL)
		return SEV_STATUS_INVALID_GUEST;
	pthread_mutex_lock(&fw->tlock);
	if (g->asid == 0)
		st = SEV_STATUS_INACTIVE;
	else
		unbind_asid_tlocked(fw, g);
	pthread_mutex_unlock(&fw->tlock);
	fw_guest_put(fw, g);
	return st;
}

static uint16_t do_guest_status(swsev_fw *fw, struct fw_cmd *c)
{
	struct fw_guest *g;

	if (!fw->initialized)
		return SEV_STATUS_INVALID_PLATFORM_STATE;
	/* The spec's INVALID_GUEST rather than Genoa's SUCCESS with state 0
	 * (docs/firmware.md). */
	g = fw_guest_get(fw, swsev_le32(c->buf));
	if (g == NULL)
		return SEV_STATUS_INVALID_GUEST;
	swsev_wle32(c->buf + 4, g->policy);
	swsev_wle32(c->buf + 8, g->asid);
	c->buf[12] = g->state;
	fw_guest_put(fw, g);
	return SEV_STATUS_SUCCESS;
}

static uint16_t do_copy(swsev_fw *fw, struct fw_cmd *c)
{
	uint32_t len = swsev_le32(c->buf + 4);
	uint64_t src = swsev_le64(c->buf + 8), dst = swsev_le64(c->buf + 0x10), sa, da;
	uint8_t page[SWSEV_MEM_PAGE];
	struct fw_guest *g;
	uint16_t st = SEV_STATUS_SUCCESS;
	uint32_t n;

	if (!fw_platform_working(fw))
		return SEV_STATUS_INVALID_PLATFORM_STATE;
	g = fw_guest_get(fw, swsev_le32(c->buf));
	if (g == NULL)
		return SEV_STATUS_INVALID_GUEST;
	if (g->asid == 0) {
		st = SEV_STATUS_INACTIVE;
		goto out;
	}
	if (len == 0 || len % SWSEV_MEM_PAGE != 0) {
		st = SEV_STATUS_INVALID_LENGTH;
		goto out;
	}
	if (src % SWSEV_MEM_PAGE != 0 || dst % SWSEV_MEM_PAGE != 0) {
		st = SEV_STATUS_INVALID_ADDRESS;
		goto out;
	}
	st = fw_addr(fw, src, len, &sa);
	if (st == SEV_STATUS_SUCCESS)
		st = fw_addr(fw, dst, len, &da);
	if (st != SEV_STATUS_SUCCESS || sa == da)
		goto out; /* Genoa: same first page, success without copying */
	/* move page by page; backwards when the ranges overlap upwards */
	n = len / SWSEV_MEM_PAGE;
	for (uint32_t i = 0; i < n && st == SEV_STATUS_SUCCESS; i++) {
		uint64_t off = (da > sa ? (uint64_t)(n - 1 - i) : i) * SWSEV_MEM_PAGE;
		st = fw_enc_read(fw, g->asid, sa + off, page, sizeof(page));
		if (st == SEV_STATUS_SUCCESS)
			st = fw_enc_write(fw, g->asid, da + off, page, sizeof(page));
	}
	swsev_wipe(page, sizeof(page));
out:
	fw_guest_put(fw, g);
	return st;
}

uint16_t fw_cmd_guest(swsev_fw *fw, uint32_t cmd, struct fw_cmd *c)
{
	switch (cmd) {
	case SEV_CMD_DECOMMISSION: return do_decommission(fw, c);
	case SEV_CMD_ACTIVATE: return do_activate(fw, c);
	case SEV_CMD_DEACTIVATE: return do_deactivate(fw, c);
	case SEV_CMD_GUEST_STATUS: return do_guest_status(fw, c);
	case SEV_CMD_COPY: return do_copy(fw, c);
	case SEV_CMD_ACTIVATE_EX: return do_activate_ex(fw, c);
	default: return SEV_STATUS_INVALID_COMMAND;
	}
}
