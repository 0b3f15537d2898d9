/*
 * libFuzzer harness for swsev firmware images (docs/firmware.md "Firmware
 * images") and DOWNLOAD_FIRMWARE. Each input is
 *   1. parsed by swsev_fwimage_parse: an accepted image must be exactly
 *      header + body + signature bytes with every view inside the input;
 *      it never verifies under AMD's real ASKs (nobody here has their key);
 *   2. downloaded as it is into a genoa platform (an emulated root made at
 *      start-up): never SUCCESS, a status from the documented list, and the
 *      running firmware unchanged;
 *   3. when it parses with the RSA-2048 algorithm: re-signed with the
 *      platform's own ASK (signer id patched) and downloaded again, so the
 *      checks after the signature run on fuzzed fields; the status must be
 *      what the documented order gives for the image's profile, API
 *      version and build.
 * fuzz-max-len: 4096
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codec/codec.h"
#include "swsev/cert.h"
#include "swsev/crypto.h"
#include "swsev/fw.h"
#include "swsev/mem.h"
#include "swsev/status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define IMG_PA 0x01000000ULL

static struct swsev_fw_ops ops;
static swsev_fw *fw;
static swsev_rsa_key *ask_key;
static struct swsev_amd_cert ask;
static uint8_t *nv_blob; /* the manufactured state, for fresh platforms */
static size_t nv_len;

/* Reads a whole small file (the saved ask.key). */
static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b = malloc(16384);
	size_t n;

	if (f == NULL || b == NULL)
		abort();
	n = fread(b, 1, 16384, f);
	fclose(f);
	*len = n;
	return b;
}

static void fresh_platform(void)
{
	swsev_fw_free(fw);
	fw = NULL;
	if (ops.nv_store(ops.ctx, nv_blob, nv_len) != SWSEV_OK ||
	    swsev_fw_new(NULL, &ops, NULL, &fw) != SWSEV_OK)
		abort();
}

static void setup(void)
{
	swsev_vendor_root *root = NULL;
	char dir[] = "/tmp/fuzz_fwimage.XXXXXX", path[64];
	const uint8_t *ark_raw, *ask_raw;
	size_t ark_len, ask_len, used = 0, klen = 0;
	uint8_t *der;

	if (swsev_nvmem_ops(&ops) != SWSEV_OK ||
	    swsev_fw_ops_deterministic(&ops, "fwimage", 7) != SWSEV_OK ||
	    swsev_vendor_root_new(2048, &root) != SWSEV_OK ||
	    swsev_fw_new(swsev_profile_find("genoa"), &ops, root, &fw) != SWSEV_OK ||
	    ops.nv_load(ops.ctx, &nv_blob, &nv_len) != SWSEV_OK)
		abort();
	/* the ASK's private key as `swsev firmware build` gets it: the saved root */
	if (mkdtemp(dir) == NULL || swsev_vendor_root_save(root, dir) != SWSEV_OK)
		abort();
	snprintf(path, sizeof(path), "%s/ask.key", dir);
	der = slurp(path, &klen);
	if (swsev_rsa_import_private(der, klen, &ask_key) != SWSEV_OK)
		abort();
	swsev_clear_free(der, klen);
	for (const char *n = "ark.cert\0ask.cert\0ark.key\0ask.key\0"; *n; n += strlen(n) + 1) {
		snprintf(path, sizeof(path), "%s/%s", dir, n);
		unlink(path);
	}
	rmdir(dir);
	swsev_vendor_root_certs(root, &ark_raw, &ark_len, &ask_raw, &ask_len);
	if (swsev_amd_cert_parse(ask_raw, ask_len, 0, &ask, &used) != SWSEV_OK)
		abort();
	swsev_vendor_root_free(root);
}

/* PLATFORM_STATUS as 0xMMmmBB. */
static uint32_t version(void)
{
	uint8_t b[12] = { 0 };

	if (swsev_fw_command(fw, SEV_CMD_PLATFORM_STATUS, b, sizeof(b)) != SEV_STATUS_SUCCESS)
		abort();
	return (uint32_t)b[0] << 16 | (uint32_t)b[1] << 8 | b[7];
}

static uint16_t download(const uint8_t *img, size_t len)
{
	uint8_t b[12];

	if (swsev_mem_write(swsev_fw_dram(fw), IMG_PA, img, len) != SWSEV_OK)
		abort();
	swsev_wle64(b, IMG_PA);
	swsev_wle32(b + 8, (uint32_t)len);
	return swsev_fw_command(fw, SEV_CMD_DOWNLOAD_FIRMWARE, b, sizeof(b));
}

static void check_parsed(const struct swsev_fwimage *img, const uint8_t *data, size_t size)
{
	if (img->len != size || img->raw != data || img->body != data + SWSEV_FWIMG_HDR_LEN ||
	    img->signed_len != SWSEV_FWIMG_HDR_LEN + (size_t)img->body_len ||
	    img->sig != data + img->signed_len || img->signed_len + img->sig_len != size)
		abort();
	if (!((img->sig_algo == SWSEV_ALGO_RSA_SHA256 && img->sig_len == 256) ||
	      (img->sig_algo == SWSEV_ALGO_RSA_SHA384 && img->sig_len == 512)))
		abort();
	if (img->version != SWSEV_FWIMG_VERSION || memcmp(data, SWSEV_FWIMG_MAGIC, 8) != 0)
		abort();
	if (strnlen(img->profile, sizeof(img->profile)) == 0 ||
	    strnlen(img->profile, sizeof(img->profile)) == sizeof(img->profile))
		abort();
	/* AMD's real ASKs never verify a fuzzed image */
	{
		size_t n = 0;
		const struct swsev_builtin_root *r = swsev_builtin_roots(&n);

		for (size_t k = 0; k < n; k++) {
			struct swsev_amd_cert c;
			size_t used = 0;

			if (r[k].ask == NULL ||
			    swsev_amd_cert_parse(r[k].ask, r[k].ask_len, 0, &c, &used) != SWSEV_OK)
				continue;
			if (swsev_fwimage_verify(img, &c) == SWSEV_OK)
				abort();
		}
	}
}

/* The status the documented order gives for a well-signed image. */
static uint16_t expected(const struct swsev_fwimage *img, uint32_t running)
{
	if (strcmp(img->profile, "genoa") != 0)
		return SEV_STATUS_INVALID_CONFIG;
	if (img->api_major != 0 || img->api_minor < 17 || img->api_minor > 22)
		return SEV_STATUS_UNSUPPORTED;
	if (img->build < (running & 0xFF))
		return SEV_STATUS_INVALID_PARAM;
	return SEV_STATUS_SUCCESS;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct swsev_fwimage img;
	uint32_t before;
	uint16_t st;
	swsev_err e;

	if (fw == NULL)
		setup();
	e = swsev_fwimage_parse(data, size, &img);
	if (e == SWSEV_OK)
		check_parsed(&img, data, size);
	else if (img.len != 0 || img.raw != NULL)
		abort(); /* zeroed on failure */

	/* as it is: refused with a documented status, nothing changes */
	before = version();
	if (size > 0) {
		st = download(data, size);
		switch (st) {
		case SEV_STATUS_INVALID_LENGTH:
		case SEV_STATUS_INVALID_PARAM:
		case SEV_STATUS_BAD_SIGNATURE: break;
		default: abort();
		}
		if ((e == SWSEV_E_TRUNCATED || e == SWSEV_E_TRAILING) !=
		    (st == SEV_STATUS_INVALID_LENGTH))
			abort();
		if (e == SWSEV_OK && st != SEV_STATUS_BAD_SIGNATURE)
			abort();
	}
	if (version() != before)
		abort();

	/* re-signed by the platform's ASK: the checks after the signature */
	if (e == SWSEV_OK && size > 0 && img.sig_algo == SWSEV_ALGO_RSA_SHA256) {
		uint8_t *copy = malloc(size);
		uint16_t want;

		if (copy == NULL)
			abort();
		memcpy(copy, data, size);
		memcpy(copy + 0x30, ask.key_id, 16);
		if (swsev_rsa_pss_sign(ask_key, SWSEV_HASH_SHA256, copy, img.signed_len,
				       copy + img.signed_len, 256) != SWSEV_OK ||
		    swsev_fwimage_parse(copy, size, &img) != SWSEV_OK ||
		    swsev_fwimage_verify(&img, &ask) != SWSEV_OK)
			abort();
		want = expected(&img, before);
		st = download(copy, size);
		if (st != want)
			abort();
		if (st == SEV_STATUS_SUCCESS) {
			if (version() != ((uint32_t)img.api_major << 16 |
					  (uint32_t)img.api_minor << 8 | img.build))
				abort();
			fresh_platform(); /* back to genoa's build for the next input */
		} else if (version() != before) {
			abort();
		}
		free(copy);
	}
	return 0;
}
