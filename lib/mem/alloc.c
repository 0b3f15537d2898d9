/*
 * The host physical allocator: page-aligned ranges of system physical
 * address space for the host layer (guest RAM, staging buffers).
 *
 * A bump pointer from MEM_ALLOC_BASE (so address 0 is never handed out)
 * plus a free list of released ranges, sorted and coalesced, searched
 * first fit. Allocating reserves address space only: pages appear when
 * written. Releasing drops the range's pages, so reused memory reads as
 * zero again. Not on the data path: one lock.
 */
#include <stdlib.h>
#include <string.h>

#include "codec/codec.h"
#include "mem/mem_int.h"

void mem_alloc_init(swsev_mem *m)
{
	/* A default mutex cannot fail to initialize on Linux. */
	pthread_mutex_init(&m->alloc_lock, NULL);
	m->bump = MEM_ALLOC_BASE;
	m->free_list = NULL;
}

void mem_alloc_fini(swsev_mem *m)
{
	struct mem_range *r = m->free_list, *next;

	for (; r != NULL; r = next) {
		next = r->next;
		free(r);
	}
	m->free_list = NULL;
	pthread_mutex_destroy(&m->alloc_lock);
}

swsev_err swsev_mem_alloc(swsev_mem *m, uint64_t len, uint64_t *spa)
{
	struct mem_range **link, *r;
	uint64_t rounded, end;
	swsev_err rc = SWSEV_E_NOMEM;

	if (m == NULL || spa == NULL || len == 0)
		return SWSEV_E_INVALID;
	*spa = 0;
	if (!swsev_add64_ok(len, SWSEV_MEM_PAGE - 1, &rounded) || rounded > SWSEV_MEM_MAX_ADDR)
		return SWSEV_E_NOMEM;
	rounded &= ~(uint64_t)(SWSEV_MEM_PAGE - 1);

	pthread_mutex_lock(&m->alloc_lock);
	for (link = &m->free_list; (r = *link) != NULL; link = &r->next) {
		if (r->len < rounded)
			continue;
		*spa = r->start;
		r->start += rounded;
		r->len -= rounded;
		if (r->len == 0) {
			*link = r->next;
			free(r);
			atomic_fetch_sub(&m->overhead, (uint64_t)sizeof(*r));
		}
		rc = SWSEV_OK;
		break;
	}
	if (rc != SWSEV_OK && swsev_add64_ok(m->bump, rounded, &end) && end <= SWSEV_MEM_MAX_ADDR) {
		*spa = m->bump;
		m->bump = end;
		rc = SWSEV_OK;
	}
	pthread_mutex_unlock(&m->alloc_lock);
	return rc;
}

/*
 * Returns [start, start+len) to the free list. The caller holds the lock.
 * Refuses (returns 0) a range that is not inside the allocated space or
 * that overlaps a free range (a double release).
 */
static int free_range_locked(swsev_mem *m, uint64_t start, uint64_t len)
{
	uint64_t end = start + len;
	struct mem_range **link = &m->free_list, *prev = NULL, *r, *n;

	if (start < MEM_ALLOC_BASE || end > m->bump)
		return 0;
	while ((r = *link) != NULL && r->start + r->len <= start) {
		prev = r;
		link = &r->next;
	}
	if (r != NULL && r->start < end)
		return 0; /* overlaps a free range */
	if (prev != NULL && prev->start + prev->len == start) {
		prev->len += len;
		if (r != NULL && r->start == end) {
			prev->len += r->len;
			prev->next = r->next;
			free(r);
			atomic_fetch_sub(&m->overhead, (uint64_t)sizeof(*r));
		}
	} else if (r != NULL && r->start == end) {
		r->start = start;
		r->len += len;
	} else {
		n = malloc(sizeof(*n));
		if (n == NULL)
			return 1; /* address space leaks; the pages are still dropped */
		n->start = start;
		n->len = len;
		n->next = r;
		*link = n;
		atomic_fetch_add(&m->overhead, (uint64_t)sizeof(*n));
	}
	/* A free range at the top goes back to the bump pointer. */
	for (link = &m->free_list; (r = *link) != NULL; link = &r->next) {
		if (r->next == NULL && r->start + r->len == m->bump) {
			m->bump = r->start;
			*link = NULL;
			free(r);
			atomic_fetch_sub(&m->overhead, (uint64_t)sizeof(*r));
			break;
		}
	}
	return 1;
}

void swsev_mem_release(swsev_mem *m, uint64_t spa, uint64_t len)
{
	uint64_t rounded;
	int ok;

	if (m == NULL || len == 0 || (spa & (SWSEV_MEM_PAGE - 1)) != 0)
		return;
	if (!swsev_add64_ok(len, SWSEV_MEM_PAGE - 1, &rounded))
		return;
	rounded &= ~(uint64_t)(SWSEV_MEM_PAGE - 1);
	if (rounded > SWSEV_MEM_MAX_ADDR || spa > SWSEV_MEM_MAX_ADDR - rounded)
		return;
	pthread_mutex_lock(&m->alloc_lock);
	ok = free_range_locked(m, spa, rounded);
	/* Dropping pages under the allocator lock keeps a concurrent alloc
	 * from handing out the range (and a writer filling it) before its old
	 * pages are gone. */
	if (ok)
		mem_drop_range(m, spa, rounded);
	pthread_mutex_unlock(&m->alloc_lock);
}
