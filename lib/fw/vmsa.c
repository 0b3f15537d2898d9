/*
 * SEV-ES VMSA integrity (commands.md §11.2; docs/firmware.md "VMSA
 * integrity"). Real firmware keeps a checksum of every VMSA it encrypted
 * and checks it before SEND_UPDATE_VMSA lets a VMSA leave, so a host that
 * rewrote the ciphertext of a vCPU's saved state cannot migrate it
 * (INVALID_PARAM). The emulator keeps, per guest, the SHA-256 of each VMSA's
 * plaintext keyed by its system physical address, recorded by
 * LAUNCH_UPDATE_VMSA and RECEIVE_UPDATE_VMSA. No vCPU runs here, so nothing
 * legitimately changes a VMSA after that: any change (a host write of
 * ciphertext, DBG_ENCRYPT, a write under the guest's ASID) fails the check.
 * The sums are firmware-private and wiped with the guest.
 */
#include <stdlib.h>
#include <string.h>

#include "fw/fw_int.h"

/* The index of the VMSA recorded at spa, or vmsa_count if none. */
static uint32_t vmsa_find(const struct fw_guest *g, uint64_t spa)
{
	uint32_t i;

	for (i = 0; i < g->vmsa_count && g->vmsas[i].spa != spa; i++)
		;
	return i;
}

uint16_t fw_vmsa_record(struct fw_guest *g, uint64_t spa, const uint8_t page[SWSEV_MEM_PAGE])
{
	uint8_t sum[32];
	uint32_t i;

	if (swsev_sha256(page, SWSEV_MEM_PAGE, sum) != SWSEV_OK)
		return SEV_STATUS_HWERROR_PLATFORM;
	i = vmsa_find(g, spa);
	if (i == g->vmsa_count) {
		if (g->vmsa_count == FW_VMSA_MAX)
			return SEV_STATUS_RESOURCE_LIMIT;
		if (g->vmsa_count == g->vmsa_cap) {
			uint32_t cap = g->vmsa_cap == 0 ? 4 : g->vmsa_cap * 2;
			struct fw_vmsa_sum *n;

			if (cap > FW_VMSA_MAX)
				cap = FW_VMSA_MAX;
			/* not realloc: the old array must be wiped, not just freed */
			n = calloc(cap, sizeof(*n));
			if (n == NULL)
				return SEV_STATUS_HWERROR_PLATFORM;
			if (g->vmsa_count > 0)
				memcpy(n, g->vmsas, g->vmsa_count * sizeof(*n));
			fw_vmsa_drop(g);
			g->vmsas = n;
			g->vmsa_cap = cap;
		}
		g->vmsa_count++;
		g->vmsas[i].spa = spa;
	}
	memcpy(g->vmsas[i].sum, sum, sizeof(sum));
	swsev_wipe(sum, sizeof(sum));
	return SEV_STATUS_SUCCESS;
}

uint16_t fw_vmsa_lookup(const struct fw_guest *g, uint64_t spa, uint32_t len, uint32_t *idx)
{
	if (len != SWSEV_MEM_PAGE || (*idx = vmsa_find(g, spa)) == g->vmsa_count)
		return SEV_STATUS_INVALID_PARAM; /* not a VMSA of this guest */
	return SEV_STATUS_SUCCESS;
}

uint16_t fw_vmsa_verify(const struct fw_guest *g, uint32_t idx, const uint8_t plain[SWSEV_MEM_PAGE])
{
	uint8_t sum[32];
	uint16_t st = SEV_STATUS_SUCCESS;

	if (swsev_sha256(plain, SWSEV_MEM_PAGE, sum) != SWSEV_OK)
		st = SEV_STATUS_HWERROR_PLATFORM;
	else if (!swsev_ct_equal(sum, g->vmsas[idx].sum, sizeof(sum)))
		st = SEV_STATUS_INVALID_PARAM;
	swsev_wipe(sum, sizeof(sum));
	return st;
}

int fw_vmsa_room(const struct fw_guest *g, uint64_t spa)
{
	return vmsa_find(g, spa) < g->vmsa_count || g->vmsa_count < FW_VMSA_MAX;
}

void fw_vmsa_drop(struct fw_guest *g)
{
	if (g->vmsas != NULL) {
		/* only the first vmsa_count entries were ever written */
		swsev_wipe(g->vmsas, (size_t)g->vmsa_cap * sizeof(*g->vmsas));
		free(g->vmsas);
	}
	g->vmsas = NULL;
	g->vmsa_cap = 0;
}
