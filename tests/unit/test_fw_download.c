/*
 * DOWNLOAD_FIRMWARE with real swsev firmware images (docs/firmware.md
 * "Firmware images"): images signed by the ASK of an emulated root
 * (swsev_vendor_root_new, saved and its ask.key read back as the CLI does),
 * downloaded through swsev_fw_command. Success changes PLATFORM_STATUS and
 * the launch measurement; every refusal has its documented status and
 * leaves the running firmware as it was; a flipped byte anywhere is
 * refused; the downloaded firmware is volatile.
 */
#include <stdlib.h>
#include <string.h>

#include "test_fw_util.h"

#define ASID 300 /* genoa: SEV ASIDs 201..1006 */
#define IMG_PA T_BUF3
#define BODY_LEN 64

static swsev_rsa_key *ask_key, *other_key;
static struct swsev_amd_cert ask_cert, other_cert;

/* Saves a root, reads ask.key back (as `swsev firmware build` does) and
 * parses ask.cert. */
static int root_signer(swsev_vendor_root *r, swsev_rsa_key **key, struct swsev_amd_cert *cert)
{
	char *dir = th_tmpdir(), path[600];
	const uint8_t *ark, *ask;
	size_t ark_len, ask_len, klen = 0, used = 0;
	uint8_t *der = NULL;
	int rc = -1;

	if (dir == NULL)
		return -1;
	swsev_vendor_root_certs(r, &ark, &ark_len, &ask, &ask_len);
	snprintf(path, sizeof(path), "%s/ask.key", dir);
	if (swsev_vendor_root_save(r, dir) == SWSEV_OK && (der = th_read_file(path, &klen)) &&
	    swsev_rsa_import_private(der, klen, key) == SWSEV_OK &&
	    swsev_amd_cert_parse(ask, ask_len, 0, cert, &used) == SWSEV_OK && used == ask_len)
		rc = 0;
	swsev_clear_free(der, klen);
	th_rmrf(dir);
	free(dir);
	return rc;
}

static void signers(void)
{
	swsev_vendor_root *other = NULL;

	if (ask_key != NULL)
		return;
	if (root_signer(t_root(), &ask_key, &ask_cert) != 0 ||
	    swsev_vendor_root_new(2048, &other) != SWSEV_OK ||
	    root_signer(other, &other_key, &other_cert) != 0)
		abort();
	swsev_vendor_root_free(other);
}

/* An image signed by this test's root (or `other`), body = a pattern. */
static uint8_t *image(const char *profile, uint8_t major, uint8_t minor, uint8_t build,
		      size_t body_len, int other, size_t *len)
{
	struct swsev_fwimage_params prm;
	uint8_t *body = malloc(body_len + 1), *out = NULL;

	signers();
	if (body == NULL)
		abort();
	t_pattern(body, body_len, build);
	memset(&prm, 0, sizeof(prm));
	prm.profile = profile;
	prm.api_major = major;
	prm.api_minor = minor;
	prm.build = build;
	prm.body = body;
	prm.body_len = body_len;
	if (swsev_fwimage_sign(&prm, other ? other_key : ask_key, other ? &other_cert : &ask_cert,
			       &out, len) != SWSEV_OK)
		abort();
	free(body);
	return out;
}

/* Stages buf at pa and runs DOWNLOAD_FIRMWARE(pa, len). */
static uint16_t download_at(struct tplat *p, uint64_t pa, const uint8_t *buf, size_t staged,
			    uint32_t len)
{
	uint8_t b[12];

	if (staged)
		t_write(p, pa, buf, staged);
	swsev_wle64(b, pa);
	swsev_wle32(b + 8, len);
	return t_cmd(p, SEV_CMD_DOWNLOAD_FIRMWARE, b);
}

static uint16_t download(struct tplat *p, const uint8_t *buf, size_t len)
{
	return download_at(p, IMG_PA, buf, len, (uint32_t)len);
}

/* PLATFORM_STATUS: API major, minor, build as one number 0xMMmmBB. */
static uint32_t version(struct tplat *p)
{
	uint8_t b[12] = { 0 };

	if (t_cmd(p, SEV_CMD_PLATFORM_STATUS, b) != SEV_STATUS_SUCCESS)
		return 0xFFFFFFFFu;
	return (uint32_t)b[0] << 16 | (uint32_t)b[1] << 8 | b[7];
}

TEST(parse_and_sign)
{
	struct swsev_fwimage img;
	struct swsev_fwimage_params prm;
	uint8_t *b, *out = NULL, *big;
	size_t len, olen = 0;

	b = image("genoa", 0, 21, 42, BODY_LEN, 0, &len);
	CHECK_EQ(len, SWSEV_FWIMG_HDR_LEN + BODY_LEN + 256);
	/* the header as documented, byte by byte */
	CHECK_MEM(b, "SWSEVFW1", 8);
	CHECK_EQ(swsev_le16(b + 8), 1);
	CHECK_EQ(swsev_le16(b + 0xA), 0x40);
	CHECK_MEM(b + 0xC, "genoa\0\0\0\0\0\0\0\0\0\0\0", 16);
	CHECK_EQ(b[0x1C], 0);
	CHECK_EQ(b[0x1D], 21);
	CHECK_EQ(b[0x1E], 42);
	CHECK_EQ(b[0x1F], 0);
	CHECK_EQ(swsev_le32(b + 0x20), BODY_LEN);
	CHECK_EQ(swsev_le32(b + 0x24), SWSEV_ALGO_RSA_SHA256);
	CHECK_EQ(swsev_le32(b + 0x28), 256);
	CHECK_EQ(swsev_le32(b + 0x2C), 0);
	CHECK_MEM(b + 0x30, ask_cert.key_id, 16);
	CHECK_EQ(swsev_fwimage_parse(b, len, &img), SWSEV_OK);
	CHECK(strcmp(img.profile, "genoa") == 0);
	CHECK_EQ(img.build, 42);
	CHECK(img.body == b + 0x40);
	CHECK(img.sig == b + 0x40 + BODY_LEN);
	CHECK_EQ(img.signed_len, 0x40 + BODY_LEN);
	CHECK_EQ(swsev_fwimage_verify(&img, &ask_cert), SWSEV_OK);
	CHECK_EQ(swsev_fwimage_verify(&img, &other_cert), SWSEV_E_BADSIG);
	/* the signature is RSA-PSS/SHA-256 over the header and body, big-endian */
	{
		swsev_rsa_key *k = NULL;
		CHECK_EQ(swsev_amd_cert_key(&ask_cert, &k), SWSEV_OK);
		CHECK_EQ(swsev_rsa_pss_verify(k, SWSEV_HASH_SHA256, b, 0x40 + BODY_LEN,
					      b + 0x40 + BODY_LEN, 256),
			 SWSEV_OK);
		swsev_rsa_free(k);
	}
	/* lengths: exact */
	CHECK_EQ(swsev_fwimage_parse(b, len - 1, &img), SWSEV_E_TRUNCATED);
	CHECK_EQ(img.len, 0); /* zeroed on failure */
	CHECK_EQ(swsev_fwimage_parse(b, SWSEV_FWIMG_HDR_LEN - 1, &img), SWSEV_E_TRUNCATED);
	CHECK_EQ(swsev_fwimage_parse(b, 0, &img), SWSEV_E_TRUNCATED);
	big = malloc(len + 1);
	if (big == NULL)
		abort();
	memcpy(big, b, len);
	big[len] = 0;
	CHECK_EQ(swsev_fwimage_parse(big, len + 1, &img), SWSEV_E_TRAILING);
	/* a body length that would overflow the total */
	swsev_wle32(big + 0x20, 0xFFFFFFFFu);
	CHECK_EQ(swsev_fwimage_parse(big, len, &img), SWSEV_E_TRUNCATED);
	memcpy(big, b, len);
	big[9] = 1;
	CHECK_EQ(swsev_fwimage_parse(big, len, &img), SWSEV_E_VERSION);
	memcpy(big, b, len);
	swsev_wle32(big + 0x24, 0x0002);
	CHECK_EQ(swsev_fwimage_parse(big, len, &img), SWSEV_E_ALGO);
	memcpy(big, b, len);
	memcpy(big + 0xC, "GENOA", 5); /* upper case is not a profile name */
	CHECK_EQ(swsev_fwimage_parse(big, len, &img), SWSEV_E_FORMAT);
	memset(big + 0xC, 'a', 16); /* no terminating NUL */
	CHECK_EQ(swsev_fwimage_parse(big, len, &img), SWSEV_E_FORMAT);
	memset(big + 0xC, 0, 16); /* empty */
	CHECK_EQ(swsev_fwimage_parse(big, len, &img), SWSEV_E_FORMAT);
	free(big);

	/* the signer refuses a key that is not the certificate's, bad names, size */
	memset(&prm, 0, sizeof(prm));
	prm.profile = "genoa";
	prm.api_minor = 22;
	CHECK_EQ(swsev_fwimage_sign(&prm, other_key, &ask_cert, &out, &olen), SWSEV_E_BADKEY);
	CHECK(out == NULL);
	prm.profile = "Genoa";
	CHECK_EQ(swsev_fwimage_sign(&prm, ask_key, &ask_cert, &out, &olen), SWSEV_E_INVALID);
	prm.profile = "";
	CHECK_EQ(swsev_fwimage_sign(&prm, ask_key, &ask_cert, &out, &olen), SWSEV_E_INVALID);
	prm.profile = "abcdefghijklmnop"; /* 16: no room for the NUL */
	CHECK_EQ(swsev_fwimage_sign(&prm, ask_key, &ask_cert, &out, &olen), SWSEV_E_INVALID);
	prm.profile = "genoa";
	prm.body_len = SWSEV_FWIMG_MAX;
	prm.body = b;
	CHECK_EQ(swsev_fwimage_sign(&prm, ask_key, &ask_cert, &out, &olen), SWSEV_E_LENGTH);
	/* an empty body is fine */
	prm.body_len = 0;
	prm.body = NULL;
	CHECK_EQ(swsev_fwimage_sign(&prm, ask_key, &ask_cert, &out, &olen), SWSEV_OK);
	CHECK_EQ(olen, SWSEV_FWIMG_HDR_LEN + 256);
	free(out);
	/* caps per profile */
	CHECK_EQ(swsev_fwimage_cap(swsev_profile_find("naples")), 64 * 1024);
	CHECK_EQ(swsev_fwimage_cap(swsev_profile_find("rome")), 64 * 1024);
	CHECK_EQ(swsev_fwimage_cap(swsev_profile_find("milan")), 128 * 1024);
	CHECK_EQ(swsev_fwimage_cap(swsev_profile_find("genoa")), 128 * 1024);
	free(b);
}

/* Launches a guest with a session and returns its measurement, or -1. */
static int launch_measure(struct tplat *p, uint32_t policy, struct t_owner *o, uint8_t m[48],
			  uint8_t ld[32])
{
	uint8_t img[8192];
	uint32_t h = 0;

	t_pattern(img, sizeof(img), 77);
	t_write(p, T_GUEST, img, sizeof(img));
	if (t_owner_start(p, policy, o) != 0 ||
	    t_launch_start(p, 0, policy, o->godh_raw, o->sess_raw, &h) != SEV_STATUS_SUCCESS ||
	    t_activate(p, h, ASID) != SEV_STATUS_SUCCESS ||
	    t_update(p, SEV_CMD_LAUNCH_UPDATE_DATA, h, T_GUEST, sizeof(img)) !=
		    SEV_STATUS_SUCCESS ||
	    t_measure(p, h, m) != SEV_STATUS_SUCCESS)
		return -1;
	return swsev_sha256(img, sizeof(img), ld) == SWSEV_OK ? 0 : -1;
}

TEST(download_changes_status_and_measurement)
{
	struct tplat p;
	struct t_owner o;
	uint8_t *img, m[48], ld[32], want[32];
	size_t len;
	swsev_fw *again = NULL;

	CHECK(t_plat_new(&p, "genoa") == 0);
	CHECK_EQ(version(&p), 0x001615); /* genoa: 0.22 build 21 */
	img = image("genoa", 0, 21, 42, BODY_LEN, 0, &len);
	CHECK_EQ(download(&p, img, len), SEV_STATUS_SUCCESS);
	CHECK_EQ(version(&p), 0x00152A); /* 0.21 build 42 */
	CHECK_EQ(swsev_fw_profile(p.fw)->build, 42);
	CHECK_EQ(swsev_fw_profile(p.fw)->api_minor, 21);
	CHECK(strcmp(swsev_fw_profile(p.fw)->name, "genoa") == 0);
	/* the generation's own profile is untouched */
	CHECK_EQ(swsev_profile_find("genoa")->build, 21);
	free(img);

	/* LAUNCH_MEASURE covers the running firmware's API and build */
	CHECK_EQ(t_init_flush(&p, 0), SEV_STATUS_SUCCESS);
	CHECK_EQ(version(&p), 0x00152A);
	CHECK(launch_measure(&p, 0, &o, m, ld) == 0);
	CHECK_EQ(swsev_measure(o.tik, 0, 21, 42, 0, ld, m + 32, want), SWSEV_OK);
	CHECK_MEM(m, want, 32);
	CHECK_EQ(swsev_measure(o.tik, 0, 22, 21, 0, ld, m + 32, want), SWSEV_OK);
	CHECK(memcmp(m, want, 32) != 0);
	/* a session whose policy needs API 0.22 is refused by a 0.21 firmware */
	CHECK(t_owner_start(&p, 22u << 24, &o) == 0);
	CHECK_EQ(t_launch_start(&p, 0, 22u << 24, o.godh_raw, o.sess_raw, NULL),
		 SEV_STATUS_POLICY_FAILURE);
	CHECK(t_owner_start(&p, 21u << 24, &o) == 0);
	CHECK_EQ(t_launch_start(&p, 0, 21u << 24, o.godh_raw, o.sess_raw, NULL),
		 SEV_STATUS_SUCCESS);

	/* back in UNINIT: the same build again, a newer one, never an older one */
	CHECK_EQ(t_cmd(&p, SEV_CMD_SHUTDOWN, NULL), SEV_STATUS_SUCCESS);
	img = image("genoa", 0, 22, 42, 0, 0, &len);
	CHECK_EQ(download(&p, img, len), SEV_STATUS_SUCCESS);
	CHECK_EQ(version(&p), 0x00162A);
	free(img);
	img = image("genoa", 0, 22, 41, 0, 0, &len);
	CHECK_EQ(download(&p, img, len), SEV_STATUS_INVALID_PARAM); /* anti-rollback */
	CHECK_EQ(version(&p), 0x00162A);
	free(img);
	img = image("genoa", 0, 17, 255, BODY_LEN, 0, &len);
	CHECK_EQ(download(&p, img, len), SEV_STATUS_SUCCESS);
	CHECK_EQ(version(&p), 0x0011FF);
	free(img);

	/* volatile: a platform object created again from the same NV state
	 * runs the generation's firmware (and the NV state still loads) */
	CHECK_EQ(swsev_fw_new(NULL, &p.ops, NULL, &again), SWSEV_OK);
	swsev_fw_free(p.fw);
	p.fw = again;
	p.mem = swsev_fw_dram(again);
	CHECK_EQ(version(&p), 0x001615);
	CHECK_EQ(t_init_flush(&p, 0), SEV_STATUS_SUCCESS);
	CHECK(launch_measure(&p, 0, &o, m, ld) == 0);
	CHECK_EQ(swsev_measure(o.tik, 0, 22, 21, 0, ld, m + 32, want), SWSEV_OK);
	CHECK_MEM(m, want, 32);
	t_plat_free(&p);
}

/* Each refusal, in the documented order of checks; the running firmware
 * never changes. */
TEST(download_refusals)
{
	struct tplat p, r;
	uint8_t *img, *bad, b[12] = { 0 };
	size_t len, blen;

	CHECK(t_plat_new(&p, "genoa") == 0);
	img = image("genoa", 0, 22, 30, BODY_LEN, 0, &len);

	/* not in UNINIT, even with a good image */
	CHECK_EQ(t_init(&p, 0), SEV_STATUS_SUCCESS);
	CHECK_EQ(download(&p, img, len), SEV_STATUS_INVALID_PLATFORM_STATE);
	CHECK_EQ(t_cmd(&p, SEV_CMD_SHUTDOWN, NULL), SEV_STATUS_SUCCESS);
	/* misaligned (before the length) */
	CHECK_EQ(download_at(&p, IMG_PA + 16, img, len, (uint32_t)len), SEV_STATUS_INVALID_ADDRESS);
	CHECK_EQ(download_at(&p, IMG_PA + 16, img, 0, 0), SEV_STATUS_INVALID_ADDRESS);
	/* length 0, above the cap (before the address range) */
	CHECK_EQ(download_at(&p, IMG_PA, img, 0, 0), SEV_STATUS_INVALID_LENGTH);
	CHECK_EQ(download_at(&p, IMG_PA, img, 0, 128 * 1024 + 1), SEV_STATUS_INVALID_LENGTH);
	CHECK_EQ(download_at(&p, SWSEV_MEM_MAX_ADDR, img, 0, 128 * 1024 + 1),
		 SEV_STATUS_INVALID_LENGTH);
	/* address range outside DRAM */
	CHECK_EQ(download_at(&p, SWSEV_MEM_MAX_ADDR - 32, img, 0, (uint32_t)len),
		 SEV_STATUS_INVALID_ADDRESS);
	/* truncated and trailing: fw_len disagrees with the image */
	CHECK_EQ(download_at(&p, IMG_PA, img, len, (uint32_t)len - 1), SEV_STATUS_INVALID_LENGTH);
	CHECK_EQ(download_at(&p, IMG_PA, img, len, (uint32_t)len + 1), SEV_STATUS_INVALID_LENGTH);
	CHECK_EQ(download_at(&p, IMG_PA, img, len, 32), SEV_STATUS_INVALID_LENGTH);
	/* malformed: magic */
	bad = malloc(len);
	if (bad == NULL)
		abort();
	memcpy(bad, img, len);
	memcpy(bad, "SWSEVFW2", 8);
	CHECK_EQ(download(&p, bad, len), SEV_STATUS_INVALID_PARAM);
	/* not an image at all: zeros */
	memset(bad, 0, len);
	CHECK_EQ(download(&p, bad, len), SEV_STATUS_INVALID_PARAM);
	free(bad);
	/* signed by another root */
	bad = image("genoa", 0, 22, 30, BODY_LEN, 1, &blen);
	CHECK_EQ(download(&p, bad, blen), SEV_STATUS_BAD_SIGNATURE);
	/* ... with our signer id copied in: the signature itself fails */
	memcpy(bad + 0x30, ask_cert.key_id, 16);
	CHECK_EQ(download(&p, bad, blen), SEV_STATUS_BAD_SIGNATURE);
	free(bad);
	/* signed by our root for another generation */
	bad = image("rome", 0, 22, 30, BODY_LEN, 0, &blen);
	CHECK_EQ(download(&p, bad, blen), SEV_STATUS_INVALID_CONFIG);
	free(bad);
	bad = image("turin", 0, 22, 30, BODY_LEN, 0, &blen);
	CHECK_EQ(download(&p, bad, blen), SEV_STATUS_INVALID_CONFIG);
	free(bad);
	/* API versions this emulator does not implement */
	bad = image("genoa", 0, 23, 30, BODY_LEN, 0, &blen);
	CHECK_EQ(download(&p, bad, blen), SEV_STATUS_UNSUPPORTED);
	free(bad);
	bad = image("genoa", 0, 16, 30, BODY_LEN, 0, &blen);
	CHECK_EQ(download(&p, bad, blen), SEV_STATUS_UNSUPPORTED);
	free(bad);
	bad = image("genoa", 1, 22, 30, BODY_LEN, 0, &blen);
	CHECK_EQ(download(&p, bad, blen), SEV_STATUS_UNSUPPORTED);
	free(bad);
	/* anti-rollback: a build below genoa's 21 */
	bad = image("genoa", 0, 22, 20, BODY_LEN, 0, &blen);
	CHECK_EQ(download(&p, bad, blen), SEV_STATUS_INVALID_PARAM);
	free(bad);
	/* none of it changed the running firmware */
	CHECK_EQ(version(&p), 0x001615);
	/* the good image, through an address with the C-bit set */
	t_write(&p, IMG_PA, img, len);
	CHECK_EQ(download_at(&p, IMG_PA | (1ULL << 51), img, 0, (uint32_t)len), SEV_STATUS_SUCCESS);
	CHECK_EQ(version(&p), 0x00161E);
	/* a short command buffer */
	CHECK_EQ(swsev_fw_command(p.fw, SEV_CMD_DOWNLOAD_FIRMWARE, b, 11),
		 SEV_STATUS_INVALID_LENGTH);
	t_plat_free(&p);
	free(img);

	/* rome takes 64 KiB at most; milan 128 KiB */
	CHECK(t_plat_new(&r, "rome") == 0);
	img = image("rome", 0, 22, 13, 64 * 1024 - SWSEV_FWIMG_HDR_LEN - 256 + 32, 0, &len);
	CHECK_EQ(len, 64 * 1024 + 32);
	CHECK_EQ(download(&r, img, len), SEV_STATUS_INVALID_LENGTH);
	free(img);
	img = image("rome", 0, 22, 13, 64 * 1024 - SWSEV_FWIMG_HDR_LEN - 256, 0, &len);
	CHECK_EQ(download(&r, img, len), SEV_STATUS_SUCCESS);
	free(img);
	t_plat_free(&r);
	CHECK(t_plat_new(&r, "milan") == 0);
	img = image("milan", 0, 22, 15, 64 * 1024, 0, &len);
	CHECK_EQ(download(&r, img, len), SEV_STATUS_SUCCESS);
	CHECK_EQ(version(&r), 0x00160F);
	free(img);
	t_plat_free(&r);
}

/* The status a flipped bit at offset i of a genoa image (profile "genoa",
 * algo RSA_SHA256) must give: structure -> INVALID_PARAM, lengths ->
 * INVALID_LENGTH, everything the signature covers -> BAD_SIGNATURE. */
static uint16_t flip_status(size_t i, uint8_t flipped)
{
	if (i < 0x0C) /* magic, version, header length */
		return SEV_STATUS_INVALID_PARAM;
	if (i < 0x0C + 5) /* "genoa": another name still has to verify */
		return ((flipped >= 'a' && flipped <= 'z') || (flipped >= '0' && flipped <= '9')) ?
			       SEV_STATUS_BAD_SIGNATURE :
			       SEV_STATUS_INVALID_PARAM;
	if (i < 0x1C) /* NUL padding */
		return SEV_STATUS_INVALID_PARAM;
	if (i < 0x1F) /* API, build */
		return SEV_STATUS_BAD_SIGNATURE;
	if (i == 0x1F)
		return SEV_STATUS_INVALID_PARAM;
	if (i < 0x24) /* body length */
		return SEV_STATUS_INVALID_LENGTH;
	if (i < 0x30) /* algorithm, signature length, reserved */
		return SEV_STATUS_INVALID_PARAM;
	return SEV_STATUS_BAD_SIGNATURE; /* signer id, body, signature */
}

TEST(download_flipped_bytes)
{
	struct tplat p;
	uint8_t *img, *bad;
	size_t len;
	unsigned wrong = 0;

	CHECK(t_plat_new(&p, "genoa") == 0);
	img = image("genoa", 0, 22, 99, BODY_LEN, 0, &len);
	bad = malloc(len);
	if (bad == NULL)
		abort();
	for (size_t i = 0; i < len; i++) {
		for (int k = 0; k < 2; k++) {
			uint8_t mask = k ? 0x80 : 0x01;
			uint16_t st, want;

			memcpy(bad, img, len);
			bad[i] ^= mask;
			want = flip_status(i, bad[i]);
			st = download(&p, bad, len);
			if (st != want && wrong++ < 10)
				fprintf(stderr, "  offset 0x%zx ^0x%02x: status 0x%x, want 0x%x\n",
					i, mask, st, want);
			CHECK(st != SEV_STATUS_SUCCESS);
		}
	}
	CHECK_EQ(wrong, 0);
	CHECK_EQ(version(&p), 0x001615);
	CHECK_EQ(download(&p, img, len), SEV_STATUS_SUCCESS);
	CHECK_EQ(version(&p), 0x001663);
	free(bad);
	free(img);
	t_plat_free(&p);
}

static int fault_install(void *ctx, uint32_t cmd, const char *point)
{
	int *armed = ctx;

	return *armed && cmd == SEV_CMD_DOWNLOAD_FIRMWARE &&
	       strcmp(point, SWSEV_FAULT_DOWNLOAD) == 0;
}

/* A hardware error while installing a checked image: HWERROR_PLATFORM and
 * the old firmware keeps running (docs/firmware.md "Fault injection"). */
TEST(download_fault)
{
	struct tplat p;
	uint8_t *img, *bad;
	size_t len, blen;
	int armed = 1;

	memset(&p, 0, sizeof(p));
	CHECK_EQ(swsev_nvmem_ops(&p.ops), SWSEV_OK);
	p.ops.fault = fault_install;
	p.ops.fault_ctx = &armed;
	CHECK_EQ(swsev_fw_new(swsev_profile_find("genoa"), &p.ops, t_root(), &p.fw), SWSEV_OK);
	p.mem = swsev_fw_dram(p.fw);
	img = image("genoa", 0, 22, 50, BODY_LEN, 0, &len);
	CHECK_EQ(download(&p, img, len), SEV_STATUS_HWERROR_PLATFORM);
	CHECK_EQ(version(&p), 0x001615);
	/* the point comes after every check: a refused image is refused as before */
	bad = image("genoa", 0, 22, 50, BODY_LEN, 1, &blen);
	CHECK_EQ(download(&p, bad, blen), SEV_STATUS_BAD_SIGNATURE);
	free(bad);
	armed = 0;
	CHECK_EQ(download(&p, img, len), SEV_STATUS_SUCCESS);
	CHECK_EQ(version(&p), 0x001632);
	free(img);
	t_plat_free(&p);
}

TH_MAIN_BEGIN("test_fw_download")
RUN(parse_and_sign);
RUN(download_changes_status_and_measurement);
RUN(download_refusals);
RUN(download_flipped_bytes);
RUN(download_fault);
swsev_rsa_free(ask_key);
swsev_rsa_free(other_key);
swsev_vendor_root_free(t_root_cached);
TH_MAIN_END
