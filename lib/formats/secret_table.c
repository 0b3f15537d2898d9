/*
 * The EFI secret table a guest owner encrypts into the OVMF secret block
 * (launch-flow.md §6.2; Linux drivers/virt/coco/efi_secret).
 *
 *   header: GUID 1e74f542-71dd-4d66-963e-ef4287ff173b (bytes_le) || LE32 total
 *   entry:  GUID (bytes_le; all zero = deleted) || LE32 (20 + n) || data[n]
 *   then zero padding to a multiple of 16 (not counted in total)
 *
 * Padding: sevctl rounds up (nothing when aligned), libvirt always adds
 * 1..16 bytes. Both are read the same way by the guest.
 */
#include <stdlib.h>
#include <string.h>

#include "codec/codec.h"
#include "swsev/crypto.h"
#include "swsev/launch.h"

#define TABLE_GUID "1e74f542-71dd-4d66-963e-ef4287ff173b"
#define HDR 20

swsev_err swsev_secret_table_build(const struct swsev_secret_entry *e, size_t n, int pad_always,
				   uint8_t **out, size_t *outlen)
{
	uint8_t guid[16];
	struct swsev_wbuf w;
	uint8_t *buf = NULL;
	size_t total = HDR, padded = 0, pad;
	swsev_err err = SWSEV_E_INVALID;

	if (!out || !outlen)
		return SWSEV_E_INVALID;
	*out = NULL;
	*outlen = 0;
	if (n && !e)
		return SWSEV_E_INVALID;
	if (n > SWSEV_SECRET_MAX_ENTRIES)
		return SWSEV_E_RANGE;
	for (size_t i = 0; i < n; i++) {
		size_t el;

		if (!e[i].data && e[i].len)
			return SWSEV_E_INVALID;
		/* a NULL GUID is a deleted entry: the guest would never see it */
		if (swsev_ct_is_zero(e[i].guid, 16))
			return SWSEV_E_FORMAT;
		/* the guest names a file per GUID: a duplicate breaks them all */
		for (size_t j = 0; j < i; j++)
			if (memcmp(e[i].guid, e[j].guid, 16) == 0)
				return SWSEV_E_FORMAT;
		if (!swsev_add_ok(e[i].len, HDR, &el) || !swsev_add_ok(total, el, &total))
			return SWSEV_E_RANGE;
		if (total > SWSEV_SECRET_TABLE_MAX)
			return SWSEV_E_RANGE;
	}
	pad = (16 - total % 16) % 16;
	if (pad_always && pad == 0)
		pad = 16;
	padded = total + pad;
	if (padded > SWSEV_SECRET_TABLE_MAX)
		return SWSEV_E_RANGE;
	buf = malloc(padded);
	if (!buf)
		return SWSEV_E_NOMEM;
	if (swsev_guid_parse(TABLE_GUID, guid)) {
		err = SWSEV_E_INTERNAL;
		goto fail;
	}
	swsev_wbuf_init(&w, buf, padded);
	err = swsev_put_bytes(&w, guid, 16);
	if (!err)
		err = swsev_put_u32(&w, (uint32_t)total);
	for (size_t i = 0; !err && i < n; i++) {
		err = swsev_put_bytes(&w, e[i].guid, 16);
		if (!err)
			err = swsev_put_u32(&w, (uint32_t)(e[i].len + HDR));
		if (!err && e[i].len)
			err = swsev_put_bytes(&w, e[i].data, e[i].len);
	}
	if (!err)
		err = swsev_put_zeros(&w, pad);
	if (!err && w.off != padded)
		err = SWSEV_E_INTERNAL;
	if (err)
		goto fail;
	*out = buf;
	*outlen = padded;
	return SWSEV_OK;
fail:
	swsev_clear_free(buf, padded);
	return err;
}

/*
 * As efi_secret reads it: header GUID; 20 <= total <= len; entries while at
 * least 20 bytes of the total remain and fewer than 64 were walked; an
 * entry length below 20 or beyond what remains is corruption; NULL-GUID
 * entries are skipped. Bytes after the total (padding) are not read.
 */
swsev_err swsev_secret_table_parse(const uint8_t *buf, size_t len, struct swsev_secret_entry *e,
				   size_t cap, size_t *n)
{
	struct swsev_cur c;
	uint8_t guid[16], want[16];
	uint32_t total;
	size_t left, walked = 0, found = 0;
	swsev_err err;

	if (!n)
		return SWSEV_E_INVALID;
	*n = 0;
	if ((!buf && len) || (!e && cap))
		return SWSEV_E_INVALID;
	swsev_cur_init(&c, buf, len);
	err = swsev_cur_bytes(&c, guid, 16);
	if (!err)
		err = swsev_cur_u32(&c, &total);
	if (err)
		return err;
	if (swsev_guid_parse(TABLE_GUID, want))
		return SWSEV_E_INTERNAL;
	if (memcmp(guid, want, 16) != 0)
		return SWSEV_E_FORMAT;
	if (total < HDR || total > len)
		return SWSEV_E_LENGTH;
	/* walk only the first `total` bytes */
	swsev_cur_init(&c, buf + HDR, total - HDR);
	left = total - HDR;
	while (left >= HDR && walked < SWSEV_SECRET_MAX_ENTRIES) {
		uint32_t el;
		const uint8_t *data;

		err = swsev_cur_bytes(&c, guid, 16);
		if (!err)
			err = swsev_cur_u32(&c, &el);
		if (err)
			goto fail;
		if (el < HDR || el > left) {
			err = SWSEV_E_LENGTH;
			goto fail;
		}
		err = swsev_cur_view(&c, &data, el - HDR);
		if (err)
			goto fail;
		if (!swsev_ct_is_zero(guid, 16)) {
			if (found >= cap) {
				err = SWSEV_E_RANGE;
				goto fail;
			}
			memcpy(e[found].guid, guid, 16);
			e[found].data = data;
			e[found].len = el - HDR;
			found++;
		}
		left -= el;
		walked++;
	}
	*n = found;
	return SWSEV_OK;
fail:
	for (size_t i = 0; i < found; i++)
		memset(&e[i], 0, sizeof(e[i]));
	return err;
}
