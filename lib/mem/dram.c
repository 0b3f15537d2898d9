/*
 * Simulated DRAM: a sparse store of 4 KiB pages addressed by system
 * physical address (DESIGN.md layer 5), and the host's (no C-bit) view.
 *
 * Pages live in MEM_SHARDS independent hash tables; the shard of a page is
 * the low bits of its frame number, so consecutive pages (one guest's image
 * being loaded, several guests launched at once) fall into different shards
 * and different locks. A page is created on first write and costs
 * sizeof(struct mem_page) bytes; unwritten memory reads as zero and costs
 * nothing.
 */
#include <stdlib.h>
#include <string.h>

#include "codec/codec.h"
#include "mem/mem_int.h"

static const uint64_t fib_mult = 0x9E3779B97F4A7C15ULL;

static size_t bucket_of(const struct mem_shard *s, uint64_t pfn)
{
	uint64_t k = pfn >> MEM_SHARD_BITS;
	unsigned bits = (unsigned)__builtin_ctzll(s->nbuckets);

	/* Fibonacci hashing: sequential and strided frame numbers spread evenly. */
	return bits ? (size_t)((k * fib_mult) >> (64 - bits)) : 0;
}

struct mem_shard *mem_shard_of(swsev_mem *m, uint64_t pfn)
{
	return &m->shards[pfn & (MEM_SHARDS - 1)];
}

swsev_err mem_check_range(uint64_t spa, const void *buf, size_t len)
{
	uint64_t end;

	if (buf == NULL && len > 0)
		return SWSEV_E_INVALID;
	if (spa >= SWSEV_MEM_MAX_ADDR || !swsev_add64_ok(spa, (uint64_t)len, &end) ||
	    end > SWSEV_MEM_MAX_ADDR)
		return SWSEV_E_RANGE;
	return SWSEV_OK;
}

struct mem_page *mem_find_locked(struct mem_shard *s, uint64_t pfn)
{
	struct mem_page *p = s->buckets[bucket_of(s, pfn)];

	while (p != NULL && p->pfn != pfn)
		p = p->next;
	return p;
}

/* Doubles the bucket array; on allocation failure keeps the old one (longer chains, still correct). */
static void shard_grow_locked(swsev_mem *m, struct mem_shard *s)
{
	size_t old_n = s->nbuckets, new_n;
	struct mem_page **old = s->buckets, **nb;

	if (!swsev_mul_ok(old_n, 2, &new_n))
		return;
	nb = calloc(new_n, sizeof(*nb));
	if (nb == NULL)
		return;
	s->buckets = nb;
	s->nbuckets = new_n;
	for (size_t i = 0; i < old_n; i++) {
		struct mem_page *p = old[i], *next;
		for (; p != NULL; p = next) {
			size_t b = bucket_of(s, p->pfn);
			next = p->next;
			p->next = nb[b];
			nb[b] = p;
		}
	}
	free(old);
	atomic_fetch_add(&m->overhead, (uint64_t)(new_n - old_n) * sizeof(*nb));
}

swsev_err mem_get_locked(swsev_mem *m, struct mem_shard *s, uint64_t pfn, struct mem_page **out)
{
	struct mem_page *p = mem_find_locked(s, pfn);
	size_t b;

	if (p == NULL) {
		p = calloc(1, sizeof(*p));
		if (p == NULL)
			return SWSEV_E_NOMEM;
		p->pfn = pfn;
		if (s->count >= s->nbuckets)
			shard_grow_locked(m, s);
		b = bucket_of(s, pfn);
		p->next = s->buckets[b];
		s->buckets[b] = p;
		s->count++;
		atomic_fetch_add(&m->pages, 1);
		atomic_fetch_add(&m->overhead, (uint64_t)offsetof(struct mem_page, data));
	}
	*out = p;
	return SWSEV_OK;
}

static void page_free(swsev_mem *m, struct mem_page *p)
{
	/* Pages hold guest ciphertext and host data: wipe before handing back. */
	swsev_clear_free(p, sizeof(*p));
	atomic_fetch_sub(&m->pages, 1);
	atomic_fetch_sub(&m->overhead, (uint64_t)offsetof(struct mem_page, data));
}

/* Unlinks every page of the shard with start <= pfn < end onto *dead. */
static void shard_unlink_range_locked(struct mem_shard *s, uint64_t start, uint64_t end,
				      struct mem_page **dead)
{
	for (size_t i = 0; i < s->nbuckets; i++) {
		struct mem_page **link = &s->buckets[i];
		while (*link != NULL) {
			struct mem_page *p = *link;
			if (p->pfn >= start && p->pfn < end) {
				*link = p->next;
				p->next = *dead;
				*dead = p;
				s->count--;
			} else {
				link = &p->next;
			}
		}
	}
}

void mem_drop_range(swsev_mem *m, uint64_t start, uint64_t len)
{
	uint64_t first = start >> MEM_PAGE_SHIFT;
	uint64_t end = (start + len + SWSEV_MEM_PAGE - 1) >> MEM_PAGE_SHIFT;
	uint64_t npages = end - first;
	struct mem_page *dead = NULL, *next;

	/* Walk the range page by page when it is small, otherwise scan the
	 * shards: a released multi-GiB guest with few resident pages costs
	 * the resident pages, not the size of the range. */
	if (npages <= atomic_load(&m->pages) + MEM_SHARDS) {
		for (uint64_t pfn = first; pfn < end; pfn++) {
			struct mem_shard *s = mem_shard_of(m, pfn);
			struct mem_page **link;

			pthread_mutex_lock(&s->lock);
			link = &s->buckets[bucket_of(s, pfn)];
			while (*link != NULL && (*link)->pfn != pfn)
				link = &(*link)->next;
			if (*link != NULL) {
				struct mem_page *p = *link;
				*link = p->next;
				p->next = dead;
				dead = p;
				s->count--;
			}
			pthread_mutex_unlock(&s->lock);
		}
	} else {
		for (unsigned i = 0; i < MEM_SHARDS; i++) {
			struct mem_shard *s = &m->shards[i];
			pthread_mutex_lock(&s->lock);
			shard_unlink_range_locked(s, first, end, &dead);
			pthread_mutex_unlock(&s->lock);
		}
	}
	for (; dead != NULL; dead = next) {
		next = dead->next;
		page_free(m, dead);
	}
}

int mem_mutex_init(pthread_mutex_t *mu)
{
	pthread_mutexattr_t a;
	int rc;

	if (pthread_mutexattr_init(&a) != 0)
		return -1;
	rc = pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ADAPTIVE_NP);
	if (rc == 0)
		rc = pthread_mutex_init(mu, &a);
	pthread_mutexattr_destroy(&a);
	return rc;
}

swsev_err mem_dram_init(swsev_mem *m)
{
	for (unsigned i = 0; i < MEM_SHARDS; i++) {
		struct mem_shard *s = &m->shards[i];
		s->buckets = calloc(MEM_BUCKETS_INIT, sizeof(*s->buckets));
		if (s->buckets == NULL)
			return SWSEV_E_NOMEM;
		s->nbuckets = MEM_BUCKETS_INIT;
		s->count = 0;
		if (mem_mutex_init(&s->lock) != 0) {
			free(s->buckets);
			s->buckets = NULL;
			return SWSEV_E_INTERNAL;
		}
		atomic_fetch_add(&m->overhead, (uint64_t)MEM_BUCKETS_INIT * sizeof(*s->buckets));
	}
	return SWSEV_OK;
}

/* Safe on a partially initialized store (shards without buckets are skipped). */
void mem_dram_fini(swsev_mem *m)
{
	for (unsigned i = 0; i < MEM_SHARDS; i++) {
		struct mem_shard *s = &m->shards[i];
		struct mem_page *dead = NULL, *next;

		if (s->buckets == NULL)
			continue;
		shard_unlink_range_locked(s, 0, UINT64_MAX, &dead);
		for (; dead != NULL; dead = next) {
			next = dead->next;
			page_free(m, dead);
		}
		free(s->buckets);
		s->buckets = NULL;
		pthread_mutex_destroy(&s->lock);
	}
}

swsev_err swsev_mem_new(unsigned nslots, int mode, swsev_mem **out)
{
	swsev_mem *m = NULL;
	swsev_err rc = SWSEV_E_INTERNAL;

	if (out == NULL)
		return SWSEV_E_INVALID;
	*out = NULL;
	if (nslots == 0 || nslots > MEM_MAX_SLOTS ||
	    (mode != SWSEV_MEMC_XTS && mode != SWSEV_MEMC_XE))
		return SWSEV_E_INVALID;
	m = aligned_alloc(64, (sizeof(*m) + 63) & ~(size_t)63);
	if (m == NULL)
		return SWSEV_E_NOMEM;
	memset(m, 0, sizeof(*m));
	m->mode = (swsev_memc_mode)mode;
	m->nslots = nslots;
	atomic_init(&m->pages, 0);
	atomic_init(&m->overhead, (uint64_t)sizeof(*m));
	mem_alloc_init(m);
	if ((rc = mem_dram_init(m)) != SWSEV_OK)
		goto out;
	if ((rc = mem_slots_init(m)) != SWSEV_OK)
		goto out;
	*out = m;
	m = NULL;
	rc = SWSEV_OK;
out:
	swsev_mem_free(m);
	return rc;
}

void swsev_mem_free(swsev_mem *m)
{
	if (m == NULL)
		return;
	mem_slots_fini(m);
	mem_dram_fini(m);
	mem_alloc_fini(m);
	free(m);
}

swsev_err swsev_mem_read(swsev_mem *m, uint64_t spa, void *buf, size_t len)
{
	uint8_t *out = buf;
	swsev_err rc;

	if (m == NULL)
		return SWSEV_E_INVALID;
	if ((rc = mem_check_range(spa, buf, len)) != SWSEV_OK)
		return rc;
	for (size_t pos = 0; pos < len;) {
		uint64_t a = spa + pos, pfn = a >> MEM_PAGE_SHIFT;
		size_t off = (size_t)(a & (SWSEV_MEM_PAGE - 1));
		size_t n = SWSEV_MEM_PAGE - off;
		struct mem_shard *s = mem_shard_of(m, pfn);
		struct mem_page *p;

		if (n > len - pos)
			n = len - pos;
		pthread_mutex_lock(&s->lock);
		p = mem_find_locked(s, pfn);
		if (p != NULL)
			memcpy(out + pos, p->data + off, n);
		else
			memset(out + pos, 0, n);
		pthread_mutex_unlock(&s->lock);
		pos += n;
	}
	return SWSEV_OK;
}

swsev_err swsev_mem_write(swsev_mem *m, uint64_t spa, const void *buf, size_t len)
{
	const uint8_t *in = buf;
	swsev_err rc;

	if (m == NULL)
		return SWSEV_E_INVALID;
	if ((rc = mem_check_range(spa, buf, len)) != SWSEV_OK)
		return rc;
	for (size_t pos = 0; pos < len;) {
		uint64_t a = spa + pos, pfn = a >> MEM_PAGE_SHIFT;
		size_t off = (size_t)(a & (SWSEV_MEM_PAGE - 1));
		size_t n = SWSEV_MEM_PAGE - off;
		struct mem_shard *s = mem_shard_of(m, pfn);
		struct mem_page *p = NULL;

		if (n > len - pos)
			n = len - pos;
		pthread_mutex_lock(&s->lock);
		rc = mem_get_locked(m, s, pfn, &p);
		if (rc == SWSEV_OK)
			memcpy(p->data + off, in + pos, n);
		pthread_mutex_unlock(&s->lock);
		if (rc != SWSEV_OK)
			return rc;
		pos += n;
	}
	return SWSEV_OK;
}

void swsev_mem_stats(swsev_mem *m, uint64_t *pages, uint64_t *overhead_bytes)
{
	if (pages != NULL)
		*pages = m != NULL ? atomic_load(&m->pages) : 0;
	if (overhead_bytes != NULL)
		*overhead_bytes = m != NULL ? atomic_load(&m->overhead) : 0;
}
