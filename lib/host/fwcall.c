/*
 * The driver's side of the firmware mailbox: command calls, DRAM staging
 * buffers (the kernel's bounce buffers), the platform's automatic INIT with
 * its SEV-ES TMR and DF_FLUSH (linux-abi.md §3), and KVM's ASID pool with
 * batched recycling (§7.3).
 */
#include <errno.h>
#include <string.h>

#include "codec/codec.h"
#include "host/host_internal.h"
#include "swsev/status.h"

uint16_t host_fw(swsev_host *h, uint32_t cmd, uint8_t *buf, size_t len)
{
	uint8_t dummy[4] = { 0 };

	if (buf == NULL) {
		buf = dummy;
		len = 0;
	}
	return swsev_fw_command(h->fw, cmd, buf, len);
}

static size_t page_round(size_t n)
{
	if (n == 0)
		return SWSEV_MEM_PAGE;
	return (n + SWSEV_MEM_PAGE - 1) & ~(size_t)(SWSEV_MEM_PAGE - 1);
}

int host_stage(swsev_host *h, size_t cap, const void *data, size_t len, uint64_t *spa)
{
	size_t sz = page_round(cap);

	*spa = 0;
	if (len > cap)
		return -EINVAL;
	if (swsev_mem_alloc(h->mem, sz, spa) != SWSEV_OK) {
		*spa = 0;
		return -ENOMEM;
	}
	if (len > 0 && swsev_mem_write(h->mem, *spa, data, len) != SWSEV_OK) {
		swsev_mem_release(h->mem, *spa, sz);
		*spa = 0;
		return -EFAULT;
	}
	return 0;
}

void host_unstage(swsev_host *h, uint64_t spa, size_t cap)
{
	size_t sz = page_round(cap);
	uint8_t zero[256];

	if (spa == 0)
		return;
	/* Firmware output may be secret-adjacent (sessions, headers): scrub the
	 * bytes before the pages go back to the allocator. */
	memset(zero, 0, sizeof(zero));
	for (size_t off = 0; off < sz; off += sizeof(zero)) {
		size_t n = sz - off < sizeof(zero) ? sz - off : sizeof(zero);
		if (swsev_mem_write(h->mem, spa + off, zero, n) != SWSEV_OK)
			break;
	}
	swsev_mem_release(h->mem, spa, sz);
}

int host_platform_status(swsev_host *h, uint8_t out[12])
{
	memset(out, 0, 12);
	if (host_fw(h, SEV_CMD_PLATFORM_STATUS, out, 12) != SEV_STATUS_SUCCESS)
		return -1;
	return out[2];
}

/* The SEV-ES TMR: 1 MiB, 1 MiB-aligned, kept for the host's life. */
static int tmr_get(swsev_host *h)
{
	uint64_t spa;

	if (h->tmr_spa)
		return 0;
	if (swsev_mem_alloc(h->mem, 2u << 20, &spa) != SWSEV_OK)
		return -ENOMEM;
	h->tmr_alloc_spa = spa;
	h->tmr_spa = (spa + (1u << 20) - 1) & ~(uint64_t)((1u << 20) - 1);
	return 0;
}

uint16_t host_platform_init_locked(swsev_host *h, int *called)
{
	uint8_t st[12], buf[20];
	struct swsev_wbuf w;
	uint16_t status;
	int es = h->prof->es_asids > 0;

	memset(st, 0, sizeof(st));
	status = host_fw(h, SEV_CMD_PLATFORM_STATUS, st, sizeof(st));
	if (status != SEV_STATUS_SUCCESS) {
		*called = 1;
		return status; /* e.g. HWERROR_UNSAFE after a failed clean-up: pass it on */
	}
	if (st[2] != SWSEV_PSTATE_UNINIT)
		return SEV_STATUS_SUCCESS;
	if (es && tmr_get(h) != 0)
		return SEV_STATUS_RESOURCE_LIMIT;
	swsev_wbuf_init(&w, buf, sizeof(buf));
	(void)swsev_put_u32(&w, es ? 1u : 0u);
	(void)swsev_put_u32(&w, 0);
	(void)swsev_put_u64(&w, es ? h->tmr_spa : 0);
	(void)swsev_put_u32(&w, es ? (1u << 20) : 0);
	*called = 1;
	status = host_fw(h, SEV_CMD_INIT, buf, sizeof(buf));
	if (status == SEV_STATUS_SECURE_DATA_INVALID) /* the driver retries once */
		status = host_fw(h, SEV_CMD_INIT, buf, sizeof(buf));
	if (status != SEV_STATUS_SUCCESS)
		return status;
	/* After INIT every ASID counts as dirty (Genoa): WBINVD (a no-op here)
	 * and DF_FLUSH, as sev-dev.c does. */
	return host_df_flush(h);
}

uint16_t host_df_flush(swsev_host *h)
{
	uint64_t gen;
	uint16_t status;

	pthread_mutex_lock(&h->lock);
	gen = h->flush_gen++;
	pthread_mutex_unlock(&h->lock);
	/* Linux runs WBINVD on every CPU before DF_FLUSH; a DEACTIVATE racing in
	 * between asks for another round. */
	for (int tries = 0; tries < 4; tries++) {
		swsev_fw_wbinvd(h->fw);
		status = host_fw(h, SEV_CMD_DF_FLUSH, NULL, 0);
		if (status != SEV_STATUS_WBINVD_REQUIRED)
			break;
	}
	if (status != SEV_STATUS_SUCCESS)
		return status;
	pthread_mutex_lock(&h->lock);
	for (unsigned a = 1; a <= h->prof->asid_count; a++)
		if (h->asid_state[a] == ASID_DIRTY && h->asid_dirty_gen[a] <= gen)
			h->asid_state[a] = ASID_FREE;
	pthread_mutex_unlock(&h->lock);
	return SEV_STATUS_SUCCESS;
}

/* SEV-ES VMs get 1 .. es_asids, SEV VMs es_asids+1 .. asid_count. */
static int asid_pick_locked(swsev_host *h, int es, unsigned *asid, int *have_dirty)
{
	unsigned lo = es ? 1 : h->prof->es_asids + 1;
	unsigned hi = es ? h->prof->es_asids : h->prof->asid_count;

	*have_dirty = 0;
	for (unsigned a = lo; a <= hi && a != 0; a++) {
		if (h->asid_state[a] == ASID_FREE) {
			h->asid_state[a] = ASID_USED;
			*asid = a;
			return 0;
		}
		if (h->asid_state[a] == ASID_DIRTY)
			*have_dirty = 1;
	}
	return -EBUSY;
}

int host_asid_alloc(swsev_host *h, int es, unsigned *asid)
{
	int have_dirty, rc;

	*asid = 0;
	pthread_mutex_lock(&h->lock);
	rc = asid_pick_locked(h, es, asid, &have_dirty);
	pthread_mutex_unlock(&h->lock);
	if (rc == 0 || !have_dirty)
		return rc;
	/* Out of clean ASIDs: recycle the dirty ones in one batch (KVM). */
	pthread_mutex_lock(&h->plat_lock);
	(void)host_df_flush(h);
	pthread_mutex_unlock(&h->plat_lock);
	pthread_mutex_lock(&h->lock);
	rc = asid_pick_locked(h, es, asid, &have_dirty);
	pthread_mutex_unlock(&h->lock);
	return rc;
}

void host_asid_release(swsev_host *h, unsigned asid, int dirty)
{
	if (asid == 0 || asid > h->prof->asid_count)
		return;
	pthread_mutex_lock(&h->lock);
	h->asid_state[asid] = dirty ? ASID_DIRTY : ASID_FREE;
	h->asid_dirty_gen[asid] = h->flush_gen;
	pthread_mutex_unlock(&h->lock);
}
