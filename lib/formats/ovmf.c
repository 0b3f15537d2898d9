/*
 * The GUIDed footer table at the top of an OVMF flash image
 * (launch-flow.md §5; edk2 ResetVectorVtf0.asm, QEMU pc_system_parse_ovmf_flash).
 *
 * Layout, counted from the end of the image (size = len):
 *
 *   [size-32, size)          reset vector code
 *   [size-48, size-32)       footer GUID 96b582de-1fb2-45f7-baea-a366c55a082d
 *   [size-50, size-48)       LE16 T: table length including these 18 bytes
 *   [size-32-T, size-50)     entries, read backwards:
 *                              ... data[L-18] || LE16 L || GUID[16]
 *
 * Every length is checked against what is left; a known entry must carry
 * exactly its data size; unknown entries are counted and skipped.
 */
#include <string.h>

#include "codec/codec.h"
#include "swsev/launch.h"

#define FOOTER_GUID "96b582de-1fb2-45f7-baea-a366c55a082d"
#define RESET_GUID "00f771de-1a7e-4fcb-890e-68c77e2fb44e"
#define SECRET_GUID "4c2eb361-7d9b-4cc3-8081-127c90d3d294"
#define HASHES_GUID "7255371f-3a3b-4b04-927b-1da6efa8d454"
#define SEV_META_GUID "dc886566-984a-4798-a75e-5585a7bf67cc"
#define TDX_META_GUID "e47a6535-984a-4798-865e-4685a7bf8ec2"

#define TRAILER 32     /* reset vector bytes after the footer GUID */
#define HDR (16 + 2)   /* GUID + LE16 length, of the footer and of every entry */
#define MAX_ENTRIES 64 /* a 64 KiB table of minimal entries is ~3600; real ones have 5 */

enum kind { K_UNKNOWN, K_RESET, K_SECRET, K_HASHES, K_SEV_META, K_TDX_META };

static const struct known {
	const char *guid;
	enum kind kind;
	size_t data_len;
} known[] = {
	{ RESET_GUID, K_RESET, 4 },       { SECRET_GUID, K_SECRET, 8 },
	{ HASHES_GUID, K_HASHES, 8 },     { SEV_META_GUID, K_SEV_META, 4 },
	{ TDX_META_GUID, K_TDX_META, 4 },
};

static int guid_is(const uint8_t g[16], const char *text)
{
	uint8_t b[16];

	if (swsev_guid_parse(text, b))
		return 0;
	return memcmp(g, b, 16) == 0;
}

/* One entry's data (already bounded to exactly data_len bytes). */
static swsev_err take_entry(enum kind k, const uint8_t *data, size_t len,
			    struct swsev_ovmf_info *out)
{
	struct swsev_cur c;
	swsev_err e = SWSEV_OK;
	int *have = NULL;

	swsev_cur_init(&c, data, len);
	switch (k) {
	case K_RESET:
		have = &out->have_reset;
		if (!*have)
			e = swsev_cur_u32(&c, &out->sev_es_reset);
		break;
	case K_SECRET:
		have = &out->have_secret;
		if (!*have) {
			e = swsev_cur_u32(&c, &out->secret_base);
			if (!e)
				e = swsev_cur_u32(&c, &out->secret_size);
		}
		break;
	case K_HASHES:
		have = &out->have_hashes;
		if (!*have) {
			e = swsev_cur_u32(&c, &out->hashes_base);
			if (!e)
				e = swsev_cur_u32(&c, &out->hashes_size);
		}
		break;
	case K_SEV_META:
		have = &out->have_sev_meta;
		if (!*have)
			e = swsev_cur_u32(&c, &out->sev_meta_offset);
		break;
	case K_TDX_META:
		have = &out->have_tdx_meta;
		if (!*have)
			e = swsev_cur_u32(&c, &out->tdx_meta_offset);
		break;
	default: return SWSEV_OK;
	}
	/* the same block twice would leave QEMU and us free to disagree */
	if (*have)
		return SWSEV_E_FORMAT;
	if (!e)
		e = swsev_cur_end(&c);
	if (!e)
		*have = 1;
	return e;
}

swsev_err swsev_ovmf_parse(const uint8_t *img, size_t len, struct swsev_ovmf_info *out)
{
	struct swsev_cur c;
	uint8_t guid[16];
	uint16_t t;
	size_t left, base;
	swsev_err e;

	memset(out, 0, sizeof(*out));
	if (!img && len)
		return SWSEV_E_INVALID;
	if (len < TRAILER + HDR)
		return SWSEV_E_NOTFOUND;
	/* footer GUID and total length */
	swsev_cur_init(&c, img + len - TRAILER - HDR, HDR);
	e = swsev_cur_u16(&c, &t);
	if (!e)
		e = swsev_cur_bytes(&c, guid, sizeof(guid));
	if (e)
		return e;
	if (!guid_is(guid, FOOTER_GUID))
		return SWSEV_E_NOTFOUND;
	if (t < HDR || (size_t)t > len - TRAILER)
		goto bad;
	out->table_len = t;
	/* the entries: [len - 32 - t, len - 50) */
	base = len - TRAILER - t;
	left = (size_t)t - HDR;
	while (left > 0) {
		uint16_t l;
		size_t dlen;
		enum kind k = K_UNKNOWN;

		if (left < HDR)
			goto bad;
		swsev_cur_init(&c, img + base + left - HDR, HDR);
		e = swsev_cur_u16(&c, &l);
		if (!e)
			e = swsev_cur_bytes(&c, guid, sizeof(guid));
		if (e)
			goto bad;
		if (l < HDR || l > left)
			goto bad;
		dlen = (size_t)l - HDR;
		for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
			if (guid_is(guid, known[i].guid)) {
				k = known[i].kind;
				if (dlen != known[i].data_len)
					goto bad;
			}
		}
		if (++out->n_entries > MAX_ENTRIES)
			goto bad;
		e = take_entry(k, img + base + left - l, dlen, out);
		if (e)
			goto bad;
		left -= l;
	}
	return SWSEV_OK;
bad:
	memset(out, 0, sizeof(*out));
	return SWSEV_E_FORMAT;
}
