/*
 * Known answers for lib/crypto: every pure-crypto vector of the spec digest
 * (shared/spec/crypto.md §2-§7) and of tests/fixtures/vectors/README.md,
 * plus real AMD signatures (ARK/ASK RSA-PSS, CEK RSA-PSS, OCA/PEK/PDH ECDSA).
 * Each value's source is named beside it.
 */
#include "harness.h"
#include "codec/codec.h"
#include "swsev/crypto.h"

static const uint8_t zero16[16];

static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
	return th_unhex(hex, out, cap);
}

/* ---- KDF, key wrap, session MACs: crypto.md §4.4 vector A ---- */
TEST(kdf_wrap_vector_a)
{
	/* virtee/sev src/session tests: Z = 16 zero bytes, nonce = 0^16 */
	uint8_t master[16], kek[16], kik[16], tk[32] = { 0 }, wrap[32], mac[32], pol[4] = { 0 };

	CHECK_EQ(swsev_kdf_sp800_108(zero16, 16, "sev-master-secret", zero16, 16, master, 16),
		 SWSEV_OK);
	CHECK_HEX(master, "ab4d269fcc62bedb4511d56c386ce706");
	CHECK_EQ(swsev_kdf_sp800_108(master, 16, "sev-kek", NULL, 0, kek, 16), SWSEV_OK);
	CHECK_HEX(kek, "b6abfbfb75ea1ea74ed8750b8afdb973");
	CHECK_EQ(swsev_kdf_sp800_108(master, 16, "sev-kik", NULL, 0, kik, 16), SWSEV_OK);
	CHECK_HEX(kik, "53b524bf5669a363f365c864acba8572");
	CHECK_EQ(swsev_aes128_ctr(kek, zero16, tk, wrap, 32), SWSEV_OK);
	CHECK_HEX(wrap, "2137bc7f9bb8bd7c3e55a576a15d3454b3856b8ba27afadf46dcfee9f02c02c4");
	CHECK_EQ(swsev_hmac_sha256(kik, 16, wrap, 32, mac), SWSEV_OK);
	CHECK_HEX(mac, "3176c0752738bd9d5e86689534020f528c088f16238826b000b327dee6aeed7d");
	CHECK_EQ(swsev_hmac_sha256(zero16, 16, pol, 4, mac), SWSEV_OK);
	CHECK_HEX(mac, "aa7855e13839dd767cd5da7c1ff5036540c9264b7a803029315e55375287b4af");
	/* a different nonce gives a different master secret */
	{
		uint8_t n1[16] = { 1 }, m2[16];

		CHECK_EQ(swsev_kdf_sp800_108(zero16, 16, "sev-master-secret", n1, 16, m2, 16),
			 SWSEV_OK);
		CHECK(memcmp(m2, master, 16) != 0);
	}
}

/* ---- ECDH + full session blob: crypto.md §4.4 vector B ---- */
TEST(ecdh_session_vector_b)
{
	uint8_t d_pdh[48], d_godh[48], x[48], y[48], z1[48], z2[48];
	uint8_t nonce[16], tek_tik[32], iv[16], master[16], kek[16], kik[16], wrap[32], mac[32];
	uint8_t back[32], pol[4] = { 1, 0, 0, 0 };
	swsev_ec_key *pdh = NULL, *godh = NULL, *pdh_pub = NULL, *godh_pub = NULL;
	size_t i;

	d_pdh[0] = 0;
	memset(d_pdh + 1, 0x11, 47);
	d_godh[0] = 0;
	memset(d_godh + 1, 0x22, 47);
	CHECK_EQ(swsev_ec_from_private(d_pdh, &pdh), SWSEV_OK);
	CHECK_EQ(swsev_ec_from_private(d_godh, &godh), SWSEV_OK);
	if (pdh == NULL || godh == NULL)
		goto out;
	CHECK_EQ(swsev_ec_get_public(pdh, x, y), SWSEV_OK);
	CHECK_HEX(
		x,
		"d17742934ca9aeb935395ef97169bdf0de3c8758379099ab6d01c608e60f51e562e87782effdef3cca18badaf7ba339c");
	CHECK_HEX(
		y,
		"223dd606b703f9e55c2c17af56d983313de3497e4b35d2b2cd4463b5b77f042d08818f82fa74666a2086a745c1506206");
	CHECK_EQ(swsev_ec_from_public(x, y, &pdh_pub), SWSEV_OK);
	CHECK_EQ(swsev_ec_get_public(godh, x, y), SWSEV_OK);
	CHECK_HEX(
		x,
		"99475b22c9ea79e02f4750611b97a81470dd4cc33b8d225f7ac7345f775aad3a143e4921b67031fc8160016c83b2645b");
	CHECK_HEX(
		y,
		"9546f7796469a1d169df1de02a96df6a54ddf9a98453068d45eb3b89cd83fef913516434d7e7adc43045b4996d17a667");
	CHECK_EQ(swsev_ec_from_public(x, y, &godh_pub), SWSEV_OK);
	if (pdh_pub == NULL || godh_pub == NULL)
		goto out;
	/* owner side and firmware side agree on Z */
	CHECK_EQ(swsev_ecdh(godh, pdh_pub, z1), SWSEV_OK);
	CHECK_EQ(swsev_ecdh(pdh, godh_pub, z2), SWSEV_OK);
	CHECK_HEX(
		z1,
		"e077b362b6d49fe84b92a12c748d57b3addc105ff4a2bf24f72100dd7d05660e26b43b3580ac174666af265787552c96");
	CHECK_MEM(z1, z2, 48);
	/* a public-only key cannot be the private side */
	CHECK_EQ(swsev_ecdh(pdh_pub, godh_pub, z2), SWSEV_E_INVALID);

	for (i = 0; i < 16; i++) {
		nonce[i] = (uint8_t)i;
		iv[i] = (uint8_t)(0x10 + i);
	}
	unhex("00112233445566778899aabbccddeeff ffeeddccbbaa99887766554433221100", tek_tik, 32);
	CHECK_EQ(swsev_kdf_sp800_108(z1, 48, "sev-master-secret", nonce, 16, master, 16), SWSEV_OK);
	CHECK_HEX(master, "09957558f9919cda1af5db000fd91101");
	CHECK_EQ(swsev_kdf_sp800_108(master, 16, "sev-kek", NULL, 0, kek, 16), SWSEV_OK);
	CHECK_HEX(kek, "6e36914bff734bb68fac120a6e277998");
	CHECK_EQ(swsev_kdf_sp800_108(master, 16, "sev-kik", NULL, 0, kik, 16), SWSEV_OK);
	CHECK_HEX(kik, "cfebc8ff1d622036f58d2eb6d2f4ded1");
	CHECK_EQ(swsev_aes128_ctr(kek, iv, tek_tik, wrap, 32), SWSEV_OK);
	CHECK_HEX(wrap, "307015e49da5595717b4e8a85aadde9e6ededfa157175e73f30c5c41142269d3");
	CHECK_EQ(swsev_hmac_sha256(kik, 16, wrap, 32, mac), SWSEV_OK);
	CHECK_HEX(mac, "df644b770a8fb4bb5a175cec584cbbe1e5c4d73557c99a93f51e9bd7511f977d");
	CHECK_EQ(swsev_hmac_sha256(tek_tik + 16, 16, pol, 4, mac), SWSEV_OK);
	CHECK_HEX(mac, "d1f6272e1a01686ab6ca55d0836454c63d1e76246180c841b433b62e7036d0ad");
	/* unwrap (firmware side) gives TEK || TIK back */
	CHECK_EQ(swsev_aes128_ctr(kek, iv, wrap, back, 32), SWSEV_OK);
	CHECK_MEM(back, tek_tik, 32);
	/* a little-endian Z (the wrong convention) does not give the master */
	{
		uint8_t zle[48], m2[16];

		swsev_reverse(zle, z1, 48);
		CHECK_EQ(swsev_kdf_sp800_108(zle, 48, "sev-master-secret", nonce, 16, m2, 16),
			 SWSEV_OK);
		CHECK(memcmp(m2, master, 16) != 0);
	}
out:
	swsev_ec_free(pdh);
	swsev_ec_free(godh);
	swsev_ec_free(pdh_pub);
	swsev_ec_free(godh_pub);
}

/* ---- launch digest and measurement: crypto.md §5-§6, vectors README ---- */
static void measure(const uint8_t tik[16], uint8_t maj, uint8_t min, uint8_t build, uint32_t policy,
		    const uint8_t ld[32], const uint8_t mnonce[16], uint8_t out[32])
{
	uint8_t msg[56];

	msg[0] = 0x04;
	msg[1] = maj;
	msg[2] = min;
	msg[3] = build;
	swsev_wle32(msg + 4, policy);
	memcpy(msg + 8, ld, 32);
	memcpy(msg + 40, mnonce, 16);
	CHECK_EQ(swsev_hmac_sha256(tik, 16, msg, sizeof(msg), out), SWSEV_OK);
}

TEST(measurement_vectors)
{
	uint8_t tik[16], ld[32], mn[16], m[32];
	uint8_t *zeros = calloc(1, 4096);
	size_t i;

	/* virtee/sev session::verify (also the sev-tool readme): LD = SHA-256("") */
	unhex("66320db73158a35a255d051758e95ed4", tik, 16);
	unhex("4fbe0bedbad6c86ae8f68971d103e554", mn, 16);
	CHECK_EQ(swsev_sha256("", 0, ld), SWSEV_OK);
	CHECK_HEX(ld, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	measure(tik, 0, 0x12, 0x0f, 0, ld, mn, m);
	CHECK_HEX(m, "6faab2daae389bcd3405a05d6cafe33c0414f7bedd0bae19ba5f38b7fd1664ea");
	/* one flipped bit of the key gives another value */
	tik[0] ^= 1;
	measure(tik, 0, 0x12, 0x0f, 0, ld, mn, m);
	CHECK(!th_eq_hex(m, "6faab2daae389bcd3405a05d6cafe33c0414f7bedd0bae19ba5f38b7fd1664ea"));

	/* crypto.md §6 vector B: LD = SHA-256 of 4096 zero bytes */
	unhex("ffeeddccbbaa99887766554433221100", tik, 16);
	for (i = 0; i < 16; i++)
		mn[i] = (uint8_t)(i + 1);
	CHECK(zeros != NULL);
	if (zeros == NULL)
		return;
	CHECK_EQ(swsev_sha256(zeros, 4096, ld), SWSEV_OK);
	CHECK_HEX(ld, "ad7facb2586fc6e966c004d7d1d16b024f5805ff7cb47c7a85dabd8b48892ca7");
	measure(tik, 0, 0x16, 0x0f, 1, ld, mn, m);
	CHECK_HEX(m, "42835280ae54e8034d149d72525b62c534081d20f8857d5e3e90d74d8c37f3cb");
	free(zeros);

	/* sevctl measurement build, LD given directly */
	unhex("3569cf61a32a602b87185ac6e0f55913", tik, 16);
	unhex("c313fab511c216b1505b1b2ea9903c40", mn, 16);
	unhex("c64bd101fc9a4a2ce0a27c408d9200911f139a895469b04a40a6fa2890830d23", ld, 32);
	measure(tik, 1, 40, 40, 3, ld, mn, m);
	CHECK_HEX(m, "96cc1bc56c48f60724c9ad7a250bdd16da5898d3b86fede29c03e9aac828048e");
}

TEST(measurement_sevctl_files)
{
	const char *ovmf_rel =
		"vectors/virtee-sevctl/data/OVMF.amdsev.fd_trimmed_edk2-ovmf-20220126gitbb1bba3d77-4.el9";
	uint8_t *ovmf = NULL, *v0 = NULL, *v1 = NULL, *tik = NULL;
	size_t ovmf_len = 0, v0_len = 0, v1_len = 0, tik_len = 0;
	swsev_sha256_ctx *c = NULL;
	uint8_t ld[32], mn[16], m[32];

	ovmf = th_read_file(th_fixture(ovmf_rel), &ovmf_len);
	v0 = th_read_file(th_fixture("vectors/virtee-sevctl/data/vmsa0.bin"), &v0_len);
	v1 = th_read_file(th_fixture("vectors/virtee-sevctl/data/vmsa1.bin"), &v1_len);
	tik = th_read_file(th_fixture("vectors/virtee-sevctl/data/measurement/tik1.bin"), &tik_len);
	if (ovmf == NULL || v0 == NULL || v1 == NULL || tik == NULL)
		goto out;
	CHECK_EQ(tik_len, 16);
	CHECK_EQ(v0_len, 4096);
	CHECK_EQ(v1_len, 4096);

	/* LD = SHA-256(OVMF trimmed) = 2f6fc606...2ff5, measure a0c0dec0... */
	CHECK_EQ(swsev_sha256(ovmf, ovmf_len, ld), SWSEV_OK);
	CHECK_HEX(ld, "2f6fc606");
	CHECK_EQ(ld[30], 0x2f);
	CHECK_EQ(ld[31], 0xf5);
	unhex("c313fab511c216b1505b1b2ea9903c40", mn, 16);
	measure(tik, 1, 40, 40, 3, ld, mn, m);
	CHECK_HEX(m, "a0c0dec08a2e252a5ba4d4478fb324de9d3c1f674f65076c64c535e2a2329819");

	/* SEV-ES: LD = SHA-256(OVMF || vmsa0 || vmsa1 || vmsa1 || vmsa1), incrementally */
	CHECK_EQ(swsev_sha256_new(&c), SWSEV_OK);
	if (c == NULL)
		goto out;
	CHECK_EQ(swsev_sha256_update(c, ovmf, ovmf_len), SWSEV_OK);
	CHECK_EQ(swsev_sha256_update(c, v0, v0_len), SWSEV_OK);
	CHECK_EQ(swsev_sha256_update(c, v1, v1_len), SWSEV_OK);
	CHECK_EQ(swsev_sha256_update(c, v1, v1_len), SWSEV_OK);
	CHECK_EQ(swsev_sha256_update(c, v1, v1_len), SWSEV_OK);
	CHECK_EQ(swsev_sha256_final(c, ld), SWSEV_OK);
	CHECK_HEX(ld, "847b5ab6db136ea67dc5a95478ebe7e5ebbe93e9e74bdb1284165f9007a4e367");
	unhex("2dbe959f5d3164db528c6480008509f2", mn, 16);
	measure(tik, 1, 49, 6, 5, ld, mn, m);
	CHECK_HEX(m, "fe8d27cc3284e5782d56751958f85479afd6658ad328b13147b282c2e31d6c07");
out:
	swsev_sha256_free(c);
	free(ovmf);
	free(v0);
	free(v1);
	free(tik);
}

TEST(launch_digest_ovmf_x64)
{
	/* virtee/sev: OvmfX64 with no kernel, LD = SHA-256 of the file */
	size_t len = 0;
	uint8_t *b = th_read_file(
		th_fixture("vectors/virtee-sev/measurement/ovmf_OvmfX64_suffix.bin"), &len);
	uint8_t ld[32];

	if (b == NULL)
		return;
	CHECK_EQ(swsev_sha256(b, len, ld), SWSEV_OK);
	CHECK_HEX(ld, "b4c021e085fb83ceffe6571a3d357b4a98773c83c474e47f76c876708fe316da");
	b[100] ^= 0x01;
	CHECK_EQ(swsev_sha256(b, len, ld), SWSEV_OK);
	CHECK(!th_eq_hex(ld, "b4c021e085fb83ceffe6571a3d357b4a98773c83c474e47f76c876708fe316da"));
	free(b);
}

/* ---- transport packets: crypto.md §7.5 ---- */
static void packet_mac(const uint8_t tik[16], uint8_t ctx, const uint8_t iv[16], const uint8_t *ct,
		       uint32_t len, const uint8_t *measure32, uint8_t out[32])
{
	uint8_t hdr[1 + 4 + 16 + 4 + 4];
	struct swsev_iov parts[3];

	hdr[0] = ctx;
	swsev_wle32(hdr + 1, 0);
	memcpy(hdr + 5, iv, 16);
	swsev_wle32(hdr + 21, len);
	swsev_wle32(hdr + 25, len);
	parts[0] = (struct swsev_iov){ hdr, sizeof(hdr) };
	parts[1] = (struct swsev_iov){ ct, len };
	parts[2] = (struct swsev_iov){ measure32, measure32 != NULL ? 32 : 0 };
	CHECK_EQ(swsev_hmac_sha256_v(tik, 16, parts, 3, out), SWSEV_OK);
}

TEST(packet_vectors)
{
	uint8_t tek[16], tik[16], iv[16], pt[32], ct[32], back[32], meas[32], mac[32];
	size_t i;

	unhex("00112233445566778899aabbccddeeff", tek, 16);
	unhex("ffeeddccbbaa99887766554433221100", tik, 16);
	unhex("42835280ae54e8034d149d72525b62c534081d20f8857d5e3e90d74d8c37f3cb", meas, 32);
	/* LAUNCH_SECRET, CTX 0x01 */
	memset(iv, 0xaa, 16);
	for (i = 0; i < 32; i++)
		pt[i] = (uint8_t)i;
	CHECK_EQ(swsev_aes128_ctr(tek, iv, pt, ct, 32), SWSEV_OK);
	CHECK_HEX(ct, "b2a0b10dc7d2cd9da9932fd5caf9b483373ee392d6093274ea1523542ee0b02d");
	packet_mac(tik, 0x01, iv, ct, 32, meas, mac);
	CHECK_HEX(mac, "62b34b4ad548e792b00bfecd633bdc46c7bee2a5a042e6060394e69038ca1559");
	CHECK_EQ(swsev_aes128_ctr(tek, iv, ct, back, 32), SWSEV_OK);
	CHECK_MEM(back, pt, 32);
	/* flipped ciphertext byte: the MAC changes */
	ct[5] ^= 0x80;
	packet_mac(tik, 0x01, iv, ct, 32, meas, mac);
	CHECK(!th_eq_hex(mac, "62b34b4ad548e792b00bfecd633bdc46c7bee2a5a042e6060394e69038ca1559"));
	/* data packet, CTX 0x02 */
	memset(iv, 0x55, 16);
	memset(pt, 0x5a, 32);
	CHECK_EQ(swsev_aes128_ctr(tek, iv, pt, ct, 32), SWSEV_OK);
	CHECK_HEX(ct, "75fae7e872bb676ca862b886e1f9efe39e532402fea7f2bb7e6950bd34405bde");
	packet_mac(tik, 0x02, iv, ct, 32, NULL, mac);
	CHECK_HEX(mac, "216224fde8a04ffd2c753c77ad1bdc68c319d4bebb47eabde5b5d519036e5704");
	/* in place */
	memcpy(back, pt, 32);
	CHECK_EQ(swsev_aes128_ctr(tek, iv, back, back, 32), SWSEV_OK);
	CHECK_MEM(back, ct, 32);
}

/* sevctl `secret build` (vectors README, LAUNCH_SECRET): one secret, 64-byte table */
TEST(sevctl_secret_vector)
{
	uint8_t *tek = NULL, *tik = NULL, *s1 = NULL;
	size_t tek_len = 0, tik_len = 0, s1_len = 0;
	uint8_t table[64] = { 0 }, ct[64], back[64], iv[16], meas[32], mac[32];
	struct swsev_wbuf w;

	tek = th_read_file(th_fixture("vectors/virtee-sevctl/data/secret/tek1.bin"), &tek_len);
	tik = th_read_file(th_fixture("vectors/virtee-sevctl/data/secret/tik1.bin"), &tik_len);
	s1 = th_read_file(th_fixture("vectors/virtee-sevctl/data/secret/secret1.txt"), &s1_len);
	if (tek == NULL || tik == NULL || s1 == NULL)
		goto out;
	CHECK_EQ(tek_len, 16);
	CHECK_EQ(tik_len, 16);
	CHECK_EQ(s1_len, 18);
	/* table GUID || u32le(unpadded length 58) || GUID || u32le(20 + 18) || secret, zero-padded */
	swsev_wbuf_init(&w, table, sizeof(table));
	{
		uint8_t g[16];

		CHECK_EQ(swsev_guid_parse("1e74f542-71dd-4d66-963e-ef4287ff173b", g), SWSEV_OK);
		CHECK_EQ(swsev_put_bytes(&w, g, 16), SWSEV_OK);
		CHECK_EQ(swsev_put_u32(&w, 16 + 4 + 16 + 4 + 18), SWSEV_OK);
		CHECK_EQ(swsev_guid_parse("736869e5-84f0-4973-92ec-06879ce3da0b", g), SWSEV_OK);
		CHECK_EQ(swsev_put_bytes(&w, g, 16), SWSEV_OK);
		CHECK_EQ(swsev_put_u32(&w, 20 + 18), SWSEV_OK);
		CHECK_EQ(swsev_put_bytes(&w, s1, 18), SWSEV_OK);
	}
	unhex("ac5474ed4dd32c7d989ec523d92559ec", iv, 16);
	unhex("4cb780efad3b959427b4b8d1635fe2fac6ed75267eef9cf1a73e0fc7d873a412", meas, 32);
	CHECK_EQ(swsev_aes128_ctr(tek, iv, table, ct, 64), SWSEV_OK);
	CHECK_HEX(ct, "d14ddee4f717bf4516f87e2d48114a39d0987ca135fa3dfc05cd9fb8ed7a9988"
		      "b223eb16c7b20d7e7fa58188f9e862f5db2ca29c36be9557c20b00ffdb0e5c3c");
	packet_mac(tik, 0x01, iv, ct, 64, meas, mac);
	CHECK_HEX(mac, "bc152cde610e17f0aef557334a2d4fca42c22c4312e3b5b85a3d47b0aac857e5");
	CHECK_EQ(swsev_aes128_ctr(tek, iv, ct, back, 64), SWSEV_OK);
	CHECK_MEM(back, table, 64);
out:
	free(tek);
	free(tik);
	free(s1);
}

/* ---- AMD root keys: RSA-PSS (vectors README, "AMD root-key certificates") ---- */
struct amd_key {
	uint8_t *file;
	size_t len;
	swsev_rsa_key *key;
	size_t body;        /* signed bytes: [0, body) */
	const uint8_t *sig; /* little-endian, mod_bytes */
	size_t mod_bytes;
};

/* Minimal parse of the AMD root-key format; n and e reversed to big-endian. */
static int amd_load(const char *gen, const char *which, struct amd_key *k)
{
	char rel[128];
	uint8_t *n = NULL, *e = NULL;
	uint32_t exp_bits, mod_bits;
	size_t eb, mb;
	int ok = 0;

	memset(k, 0, sizeof(*k));
	snprintf(rel, sizeof(rel), "vectors/virtee-sev/builtin/%s/%s.cert", gen, which);
	k->file = th_read_file(th_fixture(rel), &k->len);
	if (k->file == NULL || k->len < 64)
		return 0;
	CHECK_EQ(swsev_le32(k->file), 1);
	exp_bits = swsev_le32(k->file + 0x38);
	mod_bits = swsev_le32(k->file + 0x3c);
	eb = exp_bits / 8;
	mb = mod_bits / 8;
	CHECK_EQ(k->len, 64 + eb + 2 * mb);
	if (k->len != 64 + eb + 2 * mb)
		return 0;
	n = malloc(mb);
	e = malloc(eb);
	if (n == NULL || e == NULL)
		goto out;
	swsev_reverse(e, k->file + 64, eb);
	swsev_reverse(n, k->file + 64 + eb, mb);
	CHECK_EQ(swsev_rsa_from_public(n, mb, e, eb, &k->key), SWSEV_OK);
	if (k->key == NULL)
		goto out;
	CHECK_EQ(swsev_rsa_bits(k->key), mod_bits);
	k->body = 64 + eb + mb;
	k->sig = k->file + k->body;
	k->mod_bytes = mb;
	ok = 1;
out:
	free(n);
	free(e);
	return ok;
}

static void amd_free(struct amd_key *k)
{
	swsev_rsa_free(k->key);
	free(k->file);
}

static swsev_err amd_verify(const struct amd_key *signer, swsev_hash h, const uint8_t *msg,
			    size_t len, const uint8_t *sig_le)
{
	uint8_t sig[512];
	swsev_err r;

	swsev_reverse(sig, sig_le, signer->mod_bytes);
	r = swsev_rsa_pss_verify(signer->key, h, msg, len, sig, signer->mod_bytes);
	return r;
}

static void check_gen(const char *gen, swsev_hash h, unsigned bits)
{
	struct amd_key ark, ask;
	uint8_t e[4], *n = NULL;

	memset(&ask, 0, sizeof(ask));
	if (!amd_load(gen, "ark", &ark) || !amd_load(gen, "ask", &ask)) {
		CHECK(0);
		goto out;
	}
	CHECK_EQ(swsev_rsa_bits(ark.key), bits);
	/* e = 65537, read back through get_public */
	n = malloc(bits / 8);
	if (n != NULL) {
		CHECK_EQ(swsev_rsa_get_public(ark.key, n, bits / 8, e, 4), SWSEV_OK);
		CHECK_HEX(e, "00010001");
		CHECK_EQ(n[0] & 0x80, 0x80);
	}
	/* ARK self-signature; ASK under ARK */
	CHECK_EQ(amd_verify(&ark, h, ark.file, ark.body, ark.sig), SWSEV_OK);
	CHECK_EQ(amd_verify(&ark, h, ask.file, ask.body, ask.sig), SWSEV_OK);
	/* negatives: wrong signer, wrong hash, flipped body byte, flipped sig byte */
	CHECK_EQ(amd_verify(&ask, h, ark.file, ark.body, ark.sig), SWSEV_E_BADSIG);
	CHECK_EQ(amd_verify(&ark, h == SWSEV_HASH_SHA256 ? SWSEV_HASH_SHA384 : SWSEV_HASH_SHA256,
			    ark.file, ark.body, ark.sig),
		 SWSEV_E_BADSIG);
	ark.file[0x05] ^= 0x01;
	CHECK_EQ(amd_verify(&ark, h, ark.file, ark.body, ark.sig), SWSEV_E_BADSIG);
	ark.file[0x05] ^= 0x01;
	ark.file[ark.body + 7] ^= 0x40;
	CHECK_EQ(amd_verify(&ark, h, ark.file, ark.body, ark.sig), SWSEV_E_BADSIG);
	ark.file[ark.body + 7] ^= 0x40;
	CHECK_EQ(amd_verify(&ark, h, ark.file, ark.body, ark.sig), SWSEV_OK);
	/* a signature one byte short never verifies */
	{
		uint8_t sig[512];

		swsev_reverse(sig, ark.sig, ark.mod_bytes);
		CHECK_EQ(swsev_rsa_pss_verify(ark.key, h, ark.file, ark.body, sig,
					      ark.mod_bytes - 1),
			 SWSEV_E_BADSIG);
	}
out:
	free(n);
	amd_free(&ark);
	amd_free(&ask);
}

TEST(ark_ask_naples_sha256)
{
	check_gen("naples", SWSEV_HASH_SHA256, 2048);
}
TEST(ark_ask_rome_sha384)
{
	check_gen("rome", SWSEV_HASH_SHA384, 4096);
}
TEST(ark_ask_milan_sha384)
{
	check_gen("milan", SWSEV_HASH_SHA384, 4096);
}
TEST(ark_ask_genoa_sha384)
{
	check_gen("genoa", SWSEV_HASH_SHA384, 4096);
}
TEST(ark_ask_turin_sha384)
{
	check_gen("turin", SWSEV_HASH_SHA384, 4096);
}

/* ---- SEV certificates (2084 B): ECDSA P-384 and the CEK's RSA-PSS ---- */
#define SEV_CERT_LEN 2084
#define SEV_BODY 0x414

struct sev_cert {
	uint8_t *b;
	swsev_ec_key *key;
};

static int sev_load(const char *path, struct sev_cert *c)
{
	size_t len = 0;
	uint8_t x[48], y[48];

	memset(c, 0, sizeof(*c));
	c->b = th_read_file(th_fixture(path), &len);
	if (c->b == NULL)
		return 0;
	CHECK_EQ(len, SEV_CERT_LEN);
	if (len != SEV_CERT_LEN)
		return 0;
	CHECK_EQ(swsev_le32(c->b + 0x10), 2); /* curve P-384 */
	/* 72-byte little-endian fields, 48 significant bytes */
	swsev_reverse(x, c->b + 0x14, 48);
	swsev_reverse(y, c->b + 0x14 + 72, 48);
	CHECK(swsev_ct_is_zero(c->b + 0x14 + 48, 24));
	CHECK_EQ(swsev_ec_from_public(x, y, &c->key), SWSEV_OK);
	return c->key != NULL;
}

static void sev_free(struct sev_cert *c)
{
	swsev_ec_free(c->key);
	free(c->b);
}

/* slot 0 = sig1 at 0x41C, slot 1 = sig2 at 0x624 */
static swsev_err sev_verify(const struct sev_cert *signer, const struct sev_cert *c, int slot)
{
	const uint8_t *s = c->b + (slot == 0 ? 0x41c : 0x624);
	uint8_t r[48], ss[48];

	swsev_reverse(r, s, 48);
	swsev_reverse(ss, s + 72, 48);
	return swsev_ecdsa_verify(signer->key, SWSEV_HASH_SHA256, c->b, SEV_BODY, r, ss);
}

static void check_chain(const char *gen, const char *ask_gen, swsev_hash cek_hash)
{
	struct sev_cert cek, oca, pek, pdh;
	struct amd_key ask;
	char p[128];
	int ok = 1;

	snprintf(p, sizeof(p), "vectors/virtee-sev/tests/%s/cek.cert", gen);
	ok &= sev_load(p, &cek);
	snprintf(p, sizeof(p), "vectors/virtee-sev/tests/%s/oca.cert", gen);
	ok &= sev_load(p, &oca);
	snprintf(p, sizeof(p), "vectors/virtee-sev/tests/%s/pek.cert", gen);
	ok &= sev_load(p, &pek);
	snprintf(p, sizeof(p), "vectors/virtee-sev/tests/%s/pdh.cert", gen);
	ok &= sev_load(p, &pdh);
	ok &= amd_load(ask_gen, "ask", &ask);
	CHECK(ok);
	if (!ok)
		goto out;
	CHECK_EQ(sev_verify(&oca, &oca, 0), SWSEV_OK);
	CHECK_EQ(sev_verify(&oca, &pek, 0), SWSEV_OK);
	CHECK_EQ(sev_verify(&cek, &pek, 1), SWSEV_OK);
	CHECK_EQ(sev_verify(&pek, &pdh, 0), SWSEV_OK);
	/* the CEK's sig1 is RSA-PSS by the ASK over the same body */
	CHECK_EQ(amd_verify(&ask, cek_hash, cek.b, SEV_BODY, cek.b + 0x41c), SWSEV_OK);
	/* negatives: wrong signer, flipped byte, flipped signature */
	CHECK_EQ(sev_verify(&cek, &pdh, 0), SWSEV_E_BADSIG);
	pdh.b[0x20] ^= 0x01;
	CHECK_EQ(sev_verify(&pek, &pdh, 0), SWSEV_E_BADSIG);
	pdh.b[0x20] ^= 0x01;
	pdh.b[0x41c + 3] ^= 0x01;
	CHECK_EQ(sev_verify(&pek, &pdh, 0), SWSEV_E_BADSIG);
	cek.b[0x30] ^= 0x01;
	CHECK_EQ(amd_verify(&ask, cek_hash, cek.b, SEV_BODY, cek.b + 0x41c), SWSEV_E_BADSIG);
out:
	sev_free(&cek);
	sev_free(&oca);
	sev_free(&pek);
	sev_free(&pdh);
	amd_free(&ask);
}

TEST(sev_chain_naples)
{
	check_chain("naples", "naples", SWSEV_HASH_SHA256);
}
TEST(sev_chain_rome)
{
	check_chain("rome", "rome", SWSEV_HASH_SHA384);
}
TEST(sev_chain_milan)
{
	check_chain("milan", "milan", SWSEV_HASH_SHA384);
}

TEST(rome_cek_not_under_naples_ask)
{
	struct sev_cert cek;
	struct amd_key ask;

	memset(&ask, 0, sizeof(ask));
	if (!sev_load("vectors/virtee-sev/tests/rome/cek.cert", &cek) ||
	    !amd_load("naples", "ask", &ask)) {
		CHECK(0);
		goto out;
	}
	/* the naples ASK is 2048-bit: the rome signature (4096-bit) cannot verify */
	{
		uint8_t sig[512];

		swsev_reverse(sig, cek.b + 0x41c, 512);
		CHECK_EQ(swsev_rsa_pss_verify(ask.key, SWSEV_HASH_SHA384, cek.b, SEV_BODY, sig,
					      512),
			 SWSEV_E_BADSIG);
		CHECK_EQ(swsev_rsa_pss_verify(ask.key, SWSEV_HASH_SHA384, cek.b, SEV_BODY,
					      sig + 256, 256),
			 SWSEV_E_BADSIG);
	}
out:
	sev_free(&cek);
	amd_free(&ask);
}

TEST(naples_ark_bad_plus_sig)
{
	/* ark.cert.bad (576 B, no signature) + ark.cert.sig == the full ARK */
	size_t blen = 0, slen = 0, flen = 0;
	uint8_t *bad =
		th_read_file(th_fixture("vectors/virtee-sev/tests/naples/ark.cert.bad"), &blen);
	uint8_t *sig =
		th_read_file(th_fixture("vectors/virtee-sev/tests/naples/ark.cert.sig"), &slen);
	uint8_t *full =
		th_read_file(th_fixture("vectors/virtee-sev/builtin/naples/ark.cert"), &flen);
	struct amd_key ark;

	if (bad == NULL || sig == NULL || full == NULL)
		goto out;
	CHECK_EQ(blen, 576);
	CHECK_EQ(slen, 256);
	CHECK_EQ(flen, 832);
	if (amd_load("naples", "ark", &ark)) {
		CHECK_EQ(amd_verify(&ark, SWSEV_HASH_SHA256, bad, blen, sig), SWSEV_OK);
		amd_free(&ark);
	}
out:
	free(bad);
	free(sig);
	free(full);
}

/* ---- memory cipher known answers ---- */
/*
 * Key = bytes 00..1f (K1 = 00..0f, K2 = 10..1f), page 0x12345000, plaintext
 * byte i = (7 i + 3) mod 256. Produced independently of lib/crypto with the
 * openssl command line (`openssl enc -aes-128-ecb -nopad -K ...`, which
 * cannot do XTS) plus a few lines of Python for XOR and the GF(2^128)
 * doubling of IEEE 1619: XTS T_0 = E_K2(u64le(paddr) || 0^8), T_{j+1} =
 * T_j * alpha, C_j = E_K1(P_j ^ T_j) ^ T_j; XE T_i = E_K2(u64le(paddr + 16 i)
 * || 0^8), C_i = E_K1(P_i ^ T_i). The XTS value was also matched with
 * Python cryptography's modes.XTS.
 */
static void memc_kat(swsev_memc_mode mode, const char *sha, const char *first, const char *last)
{
	uint8_t key[32], pt[4096], ct[4096], back[4096], h[32];
	swsev_memc *c = NULL;
	size_t i;

	for (i = 0; i < 32; i++)
		key[i] = (uint8_t)i;
	for (i = 0; i < 4096; i++)
		pt[i] = (uint8_t)(i * 7 + 3);
	CHECK_EQ(swsev_memc_new(mode, key, &c), SWSEV_OK);
	if (c == NULL)
		return;
	CHECK_EQ(swsev_memc_encrypt_page(c, 0x12345000, pt, ct), SWSEV_OK);
	CHECK_EQ(swsev_sha256(ct, sizeof(ct), h), SWSEV_OK);
	CHECK_HEX(h, sha);
	CHECK_HEX(ct, first);
	CHECK_HEX(ct + 4064, last);
	CHECK_EQ(swsev_memc_decrypt_page(c, 0x12345000, ct, back), SWSEV_OK);
	CHECK_MEM(back, pt, sizeof(pt));
	/* a second call on the reused contexts gives the same answer */
	CHECK_EQ(swsev_memc_encrypt_page(c, 0x12345000, pt, back), SWSEV_OK);
	CHECK_MEM(back, ct, sizeof(ct));
	swsev_memc_free(c);
}

TEST(memc_xts_kat)
{
	memc_kat(SWSEV_MEMC_XTS, "3996f624c875685bdbe280a34d5bb8dcccba2f55024b1b429178d60fc3312a6f",
		 "625b75f792c1f4859f0f7897b30af61d59c77d06869d5c8499f49bae40bb5ab5",
		 "f7542bdb0d91fbb1b001905b4ed166dd5c89319da1b050a347aaa90c3e4f7b01");
}

TEST(memc_xe_kat)
{
	memc_kat(SWSEV_MEMC_XE, "85f08292d830874fe3141b2a7f66bc65ed0dbb8faee6404e087b0e96f232a2e9",
		 "7443dfa2ba9351a524d1020d8b112bf58949fd1e2f7b94bb2c2de84e9f212b5e",
		 "759533067c1ce1bc4cbb59ab3d436091f01a3b3ef1a5f8c6b953dee580c28cbb");
}

TH_MAIN_BEGIN("test_kat_crypto")
RUN(kdf_wrap_vector_a);
RUN(ecdh_session_vector_b);
RUN(measurement_vectors);
RUN(measurement_sevctl_files);
RUN(launch_digest_ovmf_x64);
RUN(packet_vectors);
RUN(sevctl_secret_vector);
RUN(ark_ask_naples_sha256);
RUN(ark_ask_rome_sha384);
RUN(ark_ask_milan_sha384);
RUN(ark_ask_genoa_sha384);
RUN(ark_ask_turin_sha384);
RUN(sev_chain_naples);
RUN(sev_chain_rome);
RUN(sev_chain_milan);
RUN(rome_cek_not_under_naples_ask);
RUN(naples_ark_bad_plus_sig);
RUN(memc_xts_kat);
RUN(memc_xe_kat);
TH_MAIN_END
