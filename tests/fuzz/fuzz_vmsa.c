/*
 * libFuzzer harness for the VMSA page parser (launch-flow.md §7): only
 * exactly 4096 bytes parse; a page built from the parsed signature and
 * reset address parses back to the same values.
 * fuzz-max-len: 16384
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "swsev/vmsa.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct swsev_vmsa_fields f, g;
	struct swsev_vmsa_params p = { 0 };
	uint8_t page[SWSEV_VMSA_LEN];
	const struct swsev_vmsa_field_desc *t;
	size_t nf = 0;

	if ((swsev_vmsa_parse(data, size, &f) == SWSEV_OK) != (size == SWSEV_VMSA_LEN))
		abort();
	if (size != SWSEV_VMSA_LEN)
		return 0;
	t = swsev_vmsa_field_table(&nf);
	for (size_t i = 0; i < nf; i++)
		if ((size_t)t[i].off + t[i].size > SWSEV_VMSA_LEN)
			abort();
	p.ap = 1;
	p.ap_reset = (uint32_t)(f.cs_base + f.rip);
	p.cpu_sig = (uint32_t)f.rdx;
	p.sev_features = f.sev_features;
	swsev_vmsa_build(&p, page);
	if (swsev_vmsa_parse(page, sizeof(page), &g) != SWSEV_OK)
		abort();
	if (g.rdx != (uint32_t)f.rdx || g.cs_base != (p.ap_reset & 0xffff0000u) ||
	    g.rip != (p.ap_reset & 0xffffu) || g.sev_features != f.sev_features)
		abort();
	return 0;
}
