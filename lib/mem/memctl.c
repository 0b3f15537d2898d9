/*
 * The memory controller: one key slot per ASID and the encrypted (C-bit)
 * view of DRAM (DESIGN.md layer 5; crypto.md §9.2).
 *
 * Every page is encrypted as a whole with the cipher of crypto.h
 * (swsev_memc: XTS with the page's physical address as tweak on Zen 2+,
 * XE with per-block address tweaks on Zen 1). DRAM always holds what the
 * bus would carry: the ciphertext. A C-bit access of part of a page is a
 * read-modify-write of the whole page, atomic against other writers of
 * that page (it holds the page's shard lock across decrypt-modify-encrypt);
 * a write runs the cipher under the page's shard lock, straight into DRAM.
 * A read copies the ciphertext under the lock and decrypts it in the
 * caller's buffer after (see enc_page).
 *
 * A swsev_memc object is not safe for concurrent use, and creating one
 * costs an AES key schedule, about as much as encrypting a page. So each
 * loaded slot keeps a small pool of cipher objects for its key: an access
 * pops one (or makes one if the pool is empty, i.e. more threads than
 * pooled objects work on that ASID at once), uses it without any lock, and
 * pushes it back. Loading or clearing the slot bumps its generation;
 * objects returned under an old generation are freed, never reused, so a
 * cleared key cannot come back. An access already under way when its slot
 * is cleared completes with the old key, as an in-flight bus transaction
 * would.
 *
 * There is no integrity, as on real SEV: ciphertext copied back to the
 * same address decrypts to the old plaintext.
 */
#include <stdlib.h>
#include <string.h>

#include "mem/mem_int.h"

swsev_err mem_slots_init(swsev_mem *m)
{
	m->slots = calloc(m->nslots, sizeof(*m->slots));
	if (m->slots == NULL)
		return SWSEV_E_NOMEM;
	for (unsigned i = 0; i < m->nslots; i++) {
		if (mem_mutex_init(&m->slots[i].lock) != 0) {
			for (unsigned j = 0; j < i; j++)
				pthread_mutex_destroy(&m->slots[j].lock);
			free(m->slots);
			m->slots = NULL;
			return SWSEV_E_INTERNAL;
		}
	}
	atomic_fetch_add(&m->overhead, (uint64_t)m->nslots * sizeof(*m->slots));
	return SWSEV_OK;
}

/* Frees the pooled cipher objects and wipes the key; caller holds the lock
 * or is the last user. Returns the detached pool in pool/npool. */
static void slot_empty_locked(struct mem_slot *sl, swsev_memc **pool, unsigned *npool)
{
	*npool = sl->npool;
	memcpy(pool, sl->pool, sizeof(sl->pool));
	memset(sl->pool, 0, sizeof(sl->pool));
	memset(sl->pool_tag, 0, sizeof(sl->pool_tag));
	sl->npool = 0;
	sl->loaded = 0;
	sl->gen++;
	swsev_wipe(sl->key, sizeof(sl->key));
}

static void pool_free(swsev_memc **pool, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		swsev_memc_free(pool[i]);
}

void mem_slots_fini(swsev_mem *m)
{
	if (m->slots == NULL)
		return;
	for (unsigned i = 0; i < m->nslots; i++) {
		swsev_memc *pool[MEM_POOL];
		unsigned n;

		slot_empty_locked(&m->slots[i], pool, &n);
		pool_free(pool, n);
		pthread_mutex_destroy(&m->slots[i].lock);
	}
	free(m->slots);
	m->slots = NULL;
}

/* ASID 0 is the hypervisor's: it never has a guest key slot. */
static swsev_err slot_index_ok(const swsev_mem *m, unsigned asid)
{
	if (m == NULL || asid == 0 || asid >= m->nslots)
		return SWSEV_E_INVALID;
	return SWSEV_OK;
}

swsev_err swsev_mem_slot_load(swsev_mem *m, unsigned asid, const uint8_t key[32])
{
	struct mem_slot *sl;
	swsev_memc *c = NULL, *old[MEM_POOL];
	unsigned nold = 0;
	swsev_err rc;

	if ((rc = slot_index_ok(m, asid)) != SWSEV_OK)
		return rc;
	if (key == NULL)
		return SWSEV_E_INVALID;
	/* Makes the first cipher object now: it validates the key (crypto
	 * refuses e.g. equal XTS halves) before the slot changes. */
	if ((rc = swsev_memc_new(m->mode, key, &c)) != SWSEV_OK)
		return rc;
	sl = &m->slots[asid];
	pthread_mutex_lock(&sl->lock);
	slot_empty_locked(sl, old, &nold);
	memcpy(sl->key, key, sizeof(sl->key));
	sl->loaded = 1;
	sl->pool[0] = c;
	sl->npool = 1;
	pthread_mutex_unlock(&sl->lock);
	pool_free(old, nold);
	return SWSEV_OK;
}

void swsev_mem_slot_clear(swsev_mem *m, unsigned asid)
{
	struct mem_slot *sl;
	swsev_memc *old[MEM_POOL];
	unsigned nold = 0;

	if (slot_index_ok(m, asid) != SWSEV_OK)
		return;
	sl = &m->slots[asid];
	pthread_mutex_lock(&sl->lock);
	slot_empty_locked(sl, old, &nold);
	pthread_mutex_unlock(&sl->lock);
	pool_free(old, nold);
}

int swsev_mem_slot_loaded(swsev_mem *m, unsigned asid)
{
	struct mem_slot *sl;
	int loaded;

	if (slot_index_ok(m, asid) != SWSEV_OK)
		return 0;
	sl = &m->slots[asid];
	pthread_mutex_lock(&sl->lock);
	loaded = sl->loaded;
	pthread_mutex_unlock(&sl->lock);
	return loaded;
}

/* A tag for the calling thread: the address of a thread-local byte. */
static _Thread_local char thread_tag;

/*
 * Takes a cipher object for the slot's key: SWSEV_E_STATE if the slot is
 * empty. It prefers the object this thread used last: an object's key
 * schedules and cipher state are a few cache lines that another core would
 * have to pull over (two threads of one command that took each other's
 * objects made every page cost the firmware's pipeline worker twice its
 * time).
 */
static swsev_err slot_get(swsev_mem *m, unsigned asid, swsev_memc **out, uint64_t *gen)
{
	struct mem_slot *sl;
	swsev_err rc;

	if ((rc = slot_index_ok(m, asid)) != SWSEV_OK)
		return rc;
	sl = &m->slots[asid];
	pthread_mutex_lock(&sl->lock);
	if (!sl->loaded)
		rc = SWSEV_E_STATE;
	else if (sl->npool > 0) {
		unsigned j = sl->npool - 1;

		for (unsigned i = sl->npool; i-- > 0;)
			if (sl->pool_tag[i] == &thread_tag) {
				j = i;
				break;
			}
		*out = sl->pool[j];
		sl->npool--;
		sl->pool[j] = sl->pool[sl->npool];
		sl->pool_tag[j] = sl->pool_tag[sl->npool];
	} else
		rc = swsev_memc_new(m->mode, sl->key, out);
	*gen = sl->gen;
	pthread_mutex_unlock(&sl->lock);
	return rc;
}

static void slot_put(swsev_mem *m, unsigned asid, swsev_memc *c, uint64_t gen)
{
	struct mem_slot *sl = &m->slots[asid];

	pthread_mutex_lock(&sl->lock);
	if (sl->loaded && sl->gen == gen && sl->npool < MEM_POOL) {
		sl->pool_tag[sl->npool] = &thread_tag;
		sl->pool[sl->npool++] = c;
		c = NULL;
	}
	pthread_mutex_unlock(&sl->lock);
	swsev_memc_free(c);
}

/*
 * One page-sized piece of a C-bit access.
 * A read copies the page's ciphertext blocks up to the range's end (XTS
 * runs from the page's first tweak) under the page's shard lock, into the
 * caller's buffer when the range starts the page and is whole blocks, else
 * into pt, and decrypts them there in place once the lock is released: the
 * lock is held for a copy (about 60 ns a page), not for the cipher.
 * A write runs the cipher straight into the page under the lock (no bounce
 * copy); a sub-page write decrypts the whole page into pt and re-encrypts
 * it, atomically against other writers of the page.
 */
static swsev_err enc_page(swsev_mem *m, swsev_memc *c, uint64_t pfn, size_t off, size_t n,
			  uint8_t *out, const uint8_t *in, uint8_t pt[SWSEV_MEM_PAGE])
{
	static const uint8_t zero_page[SWSEV_MEM_PAGE];
	struct mem_shard *s = mem_shard_of(m, pfn);
	uint64_t page = pfn << MEM_PAGE_SHIFT;
	struct mem_page *p = NULL;
	swsev_err rc = SWSEV_OK;

	if (out != NULL) {
		/* Others of this shard (the pipeline's two threads, vCPUs) do not
		 * queue behind our AES. A page never written holds zeros (what
		 * DRAM returns): they decrypt to garbage, like uninitialized guest
		 * memory, and stay unallocated. */
		size_t end = (off + n + 15) & ~(size_t)15;
		uint8_t *dst = off == 0 && n % 16 == 0 ? out : pt;

		pthread_mutex_lock(&s->lock);
		p = mem_find_locked(s, pfn);
		memcpy(dst, p != NULL ? p->data : zero_page, end);
		pthread_mutex_unlock(&s->lock);
		rc = swsev_memc_decrypt_prefix(c, page, dst, dst, end); /* a whole page too */
		if (rc == SWSEV_OK && dst != out)
			memcpy(out, pt + off, n);
		return rc;
	}
	pthread_mutex_lock(&s->lock);
	if ((rc = mem_get_locked(m, s, pfn, &p)) == SWSEV_OK) {
		if (n == SWSEV_MEM_PAGE) {
			rc = swsev_memc_encrypt_page(c, page, in, p->data);
		} else {
			rc = swsev_memc_decrypt_page(c, page, p->data, pt);
			if (rc == SWSEV_OK) {
				memcpy(pt + off, in, n);
				rc = swsev_memc_encrypt_page(c, page, pt, p->data);
			}
		}
	}
	pthread_mutex_unlock(&s->lock);
	return rc;
}

/* Reads (out != NULL) or writes (in != NULL) [spa, spa+len) through cipher c. */
static swsev_err enc_access(swsev_mem *m, swsev_memc *c, uint64_t spa, uint8_t *out,
			    const uint8_t *in, size_t len)
{
	uint8_t pt[SWSEV_MEM_PAGE];
	int pt_used = 0;
	swsev_err rc = SWSEV_OK;

	for (size_t pos = 0; pos < len;) {
		uint64_t a = spa + pos;
		size_t off = (size_t)(a & (SWSEV_MEM_PAGE - 1));
		size_t n = SWSEV_MEM_PAGE - off;

		if (n > len - pos)
			n = len - pos;
		pt_used |= n != SWSEV_MEM_PAGE;
		rc = enc_page(m, c, a >> MEM_PAGE_SHIFT, off, n, out ? out + pos : NULL,
			      in ? in + pos : NULL, pt);
		if (rc != SWSEV_OK)
			break;
		pos += n;
	}
	/* pt held guest plaintext only if a partial page went through it */
	if (pt_used)
		swsev_wipe(pt, sizeof(pt));
	return rc;
}

swsev_err swsev_mem_read_enc(swsev_mem *m, unsigned asid, uint64_t spa, void *buf, size_t len)
{
	swsev_memc *c = NULL;
	uint64_t gen = 0;
	swsev_err rc;

	if (m == NULL)
		return SWSEV_E_INVALID;
	if ((rc = mem_check_range(spa, buf, len)) != SWSEV_OK)
		return rc;
	if ((rc = slot_get(m, asid, &c, &gen)) != SWSEV_OK)
		return rc;
	rc = enc_access(m, c, spa, buf, NULL, len);
	slot_put(m, asid, c, gen);
	if (rc != SWSEV_OK)
		swsev_wipe(buf, len); /* no partial plaintext on failure */
	return rc;
}

swsev_err swsev_mem_write_enc(swsev_mem *m, unsigned asid, uint64_t spa, const void *buf,
			      size_t len)
{
	swsev_memc *c = NULL;
	uint64_t gen = 0;
	swsev_err rc;

	if (m == NULL)
		return SWSEV_E_INVALID;
	if ((rc = mem_check_range(spa, buf, len)) != SWSEV_OK)
		return rc;
	if ((rc = slot_get(m, asid, &c, &gen)) != SWSEV_OK)
		return rc;
	rc = enc_access(m, c, spa, NULL, buf, len);
	slot_put(m, asid, c, gen);
	return rc;
}

/* The firmware's access with a key outside the slots: one cipher object per call. */
swsev_err swsev_mem_read_key(swsev_mem *m, const uint8_t key[32], uint64_t spa, void *buf,
			     size_t len)
{
	swsev_memc *c = NULL;
	swsev_err rc;

	if (m == NULL || key == NULL)
		return SWSEV_E_INVALID;
	if ((rc = mem_check_range(spa, buf, len)) != SWSEV_OK)
		return rc;
	if ((rc = swsev_memc_new(m->mode, key, &c)) != SWSEV_OK)
		return rc;
	rc = enc_access(m, c, spa, buf, NULL, len);
	swsev_memc_free(c);
	if (rc != SWSEV_OK)
		swsev_wipe(buf, len);
	return rc;
}

swsev_err swsev_mem_write_key(swsev_mem *m, const uint8_t key[32], uint64_t spa, const void *buf,
			      size_t len)
{
	swsev_memc *c = NULL;
	swsev_err rc;

	if (m == NULL || key == NULL)
		return SWSEV_E_INVALID;
	if ((rc = mem_check_range(spa, buf, len)) != SWSEV_OK)
		return rc;
	if ((rc = swsev_memc_new(m->mode, key, &c)) != SWSEV_OK)
		return rc;
	rc = enc_access(m, c, spa, NULL, buf, len);
	swsev_memc_free(c);
	return rc;
}
