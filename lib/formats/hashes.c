/*
 * The SEV kernel-hashes table QEMU writes into the OVMF hashes block
 * (launch-flow.md §4; QEMU SevHashTable / PaddedSevHashTable).
 *
 *   off   size  field
 *   0x00   16   table GUID 9438d606-4f22-4cc9-b479-a793d411fd21 (bytes_le)
 *   0x10    2   LE16 length = 168 (header + 3 entries, no padding)
 *   0x12   50   cmdline entry: GUID 97d02dd8-... || LE16 50 || SHA-256(cmdline || NUL)
 *   0x44   50   initrd entry:  GUID 44baf731-... || LE16 50 || SHA-256(initrd)
 *   0x76   50   kernel entry:  GUID 4de79437-... || LE16 50 || SHA-256(kernel)
 *   0xA8    8   zero padding to a multiple of 16 -> 176 bytes measured
 */
#include <string.h>

#include "codec/codec.h"
#include "swsev/crypto.h"
#include "swsev/launch.h"

#define GUID_TABLE "9438d606-4f22-4cc9-b479-a793d411fd21"
#define GUID_CMDLINE "97d02dd8-bd20-4c94-aa78-e7714d36ab2a"
#define GUID_INITRD "44baf731-3a2f-4bd7-9af1-41e29169781d"
#define GUID_KERNEL "4de79437-abd2-427f-b835-d5b172d2045b"
#define ENTRY_LEN (16 + 2 + 32)

static swsev_err put_entry(struct swsev_wbuf *w, const char *guid_text, const uint8_t digest[32])
{
	uint8_t guid[16];
	swsev_err e;

	e = swsev_guid_parse(guid_text, guid);
	if (e)
		return SWSEV_E_INTERNAL;
	e = swsev_put_bytes(w, guid, sizeof(guid));
	if (!e)
		e = swsev_put_u16(w, ENTRY_LEN);
	if (!e)
		e = swsev_put_bytes(w, digest, 32);
	return e;
}

swsev_err swsev_hashes_table(const uint8_t *kernel, size_t kernel_len, const uint8_t *initrd,
			     size_t initrd_len, const char *cmdline,
			     uint8_t out[SWSEV_HASHES_TABLE_PADDED])
{
	uint8_t hk[32], hi[32], hc[32], guid[16];
	struct swsev_wbuf w;
	swsev_err e;

	if (!out)
		return SWSEV_E_INVALID;
	memset(out, 0, SWSEV_HASHES_TABLE_PADDED);
	if ((!kernel && kernel_len) || (!initrd && initrd_len))
		return SWSEV_E_INVALID;
	/* no -append: QEMU hashes the single NUL byte of an empty string */
	if (!cmdline)
		cmdline = "";
	e = swsev_sha256(kernel ? (const void *)kernel : (const void *)"", kernel_len, hk);
	if (!e)
		e = swsev_sha256(initrd ? (const void *)initrd : (const void *)"", initrd_len, hi);
	if (!e)
		e = swsev_sha256(cmdline, strlen(cmdline) + 1, hc);
	if (e)
		return e;
	if (swsev_guid_parse(GUID_TABLE, guid))
		return SWSEV_E_INTERNAL;
	swsev_wbuf_init(&w, out, SWSEV_HASHES_TABLE_PADDED);
	e = swsev_put_bytes(&w, guid, sizeof(guid));
	if (!e)
		e = swsev_put_u16(&w, SWSEV_HASHES_TABLE_LEN);
	if (!e)
		e = put_entry(&w, GUID_CMDLINE, hc);
	if (!e)
		e = put_entry(&w, GUID_INITRD, hi);
	if (!e)
		e = put_entry(&w, GUID_KERNEL, hk);
	if (!e && w.off != SWSEV_HASHES_TABLE_LEN)
		e = SWSEV_E_INTERNAL;
	if (!e)
		e = swsev_put_zeros(&w, SWSEV_HASHES_TABLE_PADDED - SWSEV_HASHES_TABLE_LEN);
	if (e)
		memset(out, 0, SWSEV_HASHES_TABLE_PADDED);
	return e;
}
