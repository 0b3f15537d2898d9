#!/bin/sh
# Regenerates lib/formats/builtin_roots.c: AMD's real ARK and ASK
# certificates of every product line as C arrays, from the vector copies in
# tests/fixtures/vectors/virtee-sev/builtin/<gen>/{ark,ask}.cert (taken from
# virtee/sev src/certs/sev/builtin/, see tests/fixtures/vectors/README.md).
#
#   scripts/gen-builtin-roots.sh > lib/formats/builtin_roots.c
#
# Only od(1), sed and sha256sum are used, so the output is reproducible.
set -eu
cd "$(dirname "$0")/.."
SRC=tests/fixtures/vectors/virtee-sev/builtin
GENS="naples rome milan genoa turin"

cat <<HDR
/* clang-format off */
/*
 * GENERATED FILE - do not edit. Made by scripts/gen-builtin-roots.sh from
 * $SRC/<gen>/{ark,ask}.cert
 * (AMD's ARK/ASK certificates as shipped in virtee/sev
 * src/certs/sev/builtin/; provenance in tests/fixtures/vectors/README.md).
 *
HDR
for g in $GENS; do
	for k in ark ask; do
		f=$SRC/$g/$k.cert
		printf ' *   %-7s %s  %5s bytes  sha256 %s\n' "$g" "$k.cert" "$(wc -c <"$f" | tr -d ' ')" \
			"$(sha256sum "$f" | cut -d' ' -f1)"
	done
done
cat <<'HDR'
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "swsev/cert.h"
HDR
for g in $GENS; do
	for k in ark ask; do
		f=$SRC/$g/$k.cert
		printf '\nstatic const uint8_t %s_%s[%s] = {\n' "$g" "$k" "$(wc -c <"$f" | tr -d ' ')"
		od -An -v -tx1 "$f" | sed -e 's/^ *//' -e 's/ *$//' -e 's/\([0-9a-f][0-9a-f]\)/0x\1,/g' \
			-e 's/^/\t/' -e 's/, *$/,/'
		printf '};\n'
	done
done
cat <<'TAIL'
/* clang-format on */

static const struct swsev_builtin_root roots[] = {
TAIL
for g in $GENS; do
	printf '\t{ "%s", %s_ark, sizeof(%s_ark), %s_ask, sizeof(%s_ask) },\n' "$g" "$g" "$g" "$g" "$g"
done
cat <<'TAIL'
};

const struct swsev_builtin_root *swsev_builtin_roots(size_t *n)
{
	if (n != NULL)
		*n = sizeof(roots) / sizeof(roots[0]);
	return roots;
}

/* key_id sits at offset 4 of an AMD cert (certificates.md §6). */
const struct swsev_builtin_root *swsev_builtin_root_by_id(const uint8_t key_id[16])
{
	for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
		if (memcmp(roots[i].ark + 4, key_id, 16) == 0 ||
		    memcmp(roots[i].ask + 4, key_id, 16) == 0)
			return &roots[i];
	}
	return NULL;
}
TAIL
