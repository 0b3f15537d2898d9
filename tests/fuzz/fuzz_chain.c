/*
 * libFuzzer harness for the chain parsers: swsev_chain_parse_bundle_msg
 * (PDH||PEK||OCA||CEK[||ASK||ARK]) and swsev_chain_parse_export
 * (PEK||OCA||CEK followed here by the PDH). Accepted chains are verified
 * against the built-in roots, by default and with SWSEV_CHAIN_SELF_SIGS; the
 * verdicts must be consistent with the per-link results and with each
 * other, and every message must be a terminated string.
 * fuzz-max-len: 16384
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "swsev/cert.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static swsev_err verify_flags(const struct swsev_chain *ch, unsigned flags,
			      struct swsev_chain_result *res)
{
	enum swsev_link first;
	swsev_err r = swsev_chain_verify_ex(ch, NULL, flags, res);

	first = swsev_chain_first_failure(res);
	if (r == SWSEV_OK && (first != SWSEV_LINK_COUNT || res->trust != SWSEV_OK))
		abort();
	if (r != SWSEV_OK && first == SWSEV_LINK_COUNT && res->trust == SWSEV_OK)
		abort();
	for (int l = 0; l < SWSEV_LINK_COUNT; l++)
		if (memchr(res->msg[l], 0, sizeof(res->msg[l])) == NULL)
			abort();
	if (memchr(res->trust_msg, 0, sizeof(res->trust_msg)) == NULL)
		abort();
	return r;
}

/*
 * Both modes. The default checks a subset of what the strict mode checks:
 * strict valid implies default valid; the OCA self-signature is checked
 * only in strict mode (a role failure is checked in both); the same
 * ark_unsigned either way.
 */
static void verify(const struct swsev_chain *ch)
{
	struct swsev_chain_result def, strict;
	swsev_err rd = verify_flags(ch, 0, &def);
	swsev_err rs = verify_flags(ch, SWSEV_CHAIN_SELF_SIGS, &strict);

	if (rs == SWSEV_OK && rd != SWSEV_OK)
		abort();
	if (def.ark_unsigned != strict.ark_unsigned)
		abort();
	if (def.link[SWSEV_LINK_OCA_SELF] == SWSEV_OK && def.checked[SWSEV_LINK_OCA_SELF])
		abort();
	if (strict.link[SWSEV_LINK_OCA_SELF] == SWSEV_OK && !strict.checked[SWSEV_LINK_OCA_SELF])
		abort();
	if (swsev_chain_verify(ch, NULL, &def) != rd)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct swsev_chain *ch = malloc(sizeof(*ch));
	char eb[256];

	if (ch == NULL)
		return 0;
	memset(eb, 'x', sizeof(eb));
	if (swsev_chain_parse_bundle_msg(data, size, ch, eb, sizeof(eb)) == SWSEV_OK) {
		if (ch->have_amd != (ch->have_ask && ch->have_ark))
			abort();
		verify(ch);
	} else if (memchr(eb, 0, sizeof(eb)) == NULL) {
		abort(); /* an error must come with a message */
	}
	if (size >= SWSEV_CHAIN_LEN &&
	    swsev_chain_parse_export(data, SWSEV_CHAIN_LEN, data + SWSEV_CHAIN_LEN,
				     size - SWSEV_CHAIN_LEN, ch, eb, sizeof(eb)) == SWSEV_OK)
		verify(ch);
	free(ch);
	return 0;
}
