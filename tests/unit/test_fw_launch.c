/*
 * The launch path driven by the guest owner's side (foundation formats):
 * PDH export and chain check, GODH + session from swsev_owner_session,
 * LAUNCH_START..LAUNCH_FINISH, the measurement recomputed by the owner, the
 * secret landing decrypted under the guest's ASID, tampering refused, DBG.
 */
#include <stdlib.h>
#include <string.h>

#include "test_fw_util.h"

#define ASID 300 /* genoa: SEV (non-ES) ASIDs are 201..1006 */
#define IMG (64 * 1024)

TEST(chain_exported_validates_under_root)
{
	struct tplat p;
	struct swsev_chain ch;
	struct swsev_chain_result res;
	uint8_t pdh[SWSEV_CERT_LEN], chain[SWSEV_CHAIN_LEN], cek[SWSEV_CERT_LEN], amd[3200];
	const uint8_t *ark, *ask;
	size_t ark_len, ask_len, amd_len, used;

	CHECK(t_plat_new(&p, "genoa") == 0);
	CHECK_EQ(t_init_flush(&p, 1), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_pdh_export(&p, pdh, chain), SEV_STATUS_SUCCESS);
	memset(&ch, 0, sizeof(ch));
	CHECK_EQ(swsev_cert_parse(pdh, sizeof(pdh), &ch.pdh), SWSEV_OK);
	CHECK_EQ(swsev_cert_parse(chain, SWSEV_CERT_LEN, &ch.pek), SWSEV_OK);
	CHECK_EQ(swsev_cert_parse(chain + SWSEV_CERT_LEN, SWSEV_CERT_LEN, &ch.oca), SWSEV_OK);
	/* the exported CEK is unsigned, as real firmware exports it */
	CHECK_EQ(swsev_cert_parse(chain + 2 * SWSEV_CERT_LEN, SWSEV_CERT_LEN, &ch.cek), SWSEV_OK);
	CHECK_EQ(ch.cek.sig[0].usage, SWSEV_USAGE_INVALID);
	CHECK_EQ(ch.cek.sig[1].usage, SWSEV_USAGE_INVALID);
	/* the KDS copy is signed by the ASK and has the same body */
	CHECK_EQ(swsev_fw_cek_signed(p.fw, cek), SWSEV_OK);
	CHECK_MEM(cek, chain + 2 * SWSEV_CERT_LEN, SWSEV_CERT_BODY_LEN);
	CHECK_EQ(swsev_cert_parse(cek, sizeof(cek), &ch.cek), SWSEV_OK);
	CHECK_EQ(swsev_fw_amd_certs(p.fw, amd, sizeof(amd), &amd_len), SWSEV_OK);
	swsev_vendor_root_certs(t_root(), &ark, &ark_len, &ask, &ask_len);
	CHECK_EQ(amd_len, ask_len + ark_len);
	CHECK_MEM(amd, ask, ask_len);
	CHECK_EQ(swsev_amd_cert_parse(amd, amd_len, 0, &ch.ask, &used), SWSEV_OK);
	CHECK_EQ(swsev_amd_cert_parse(amd + used, amd_len - used, 0, &ch.ark, &used), SWSEV_OK);
	ch.have_amd = ch.have_ask = ch.have_ark = 1;
	CHECK_EQ(swsev_chain_verify(&ch, &ch.ark, &res), SWSEV_OK);
	/* a chain whose PDH was swapped for another key fails */
	{
		struct swsev_cert other = ch.pdh;
		other.raw[0x20] ^= 1;
		CHECK_EQ(swsev_cert_parse(other.raw, SWSEV_CERT_LEN, &ch.pdh), SWSEV_OK);
		CHECK(swsev_chain_verify(&ch, &ch.ark, &res) != SWSEV_OK);
	}
	t_plat_free(&p);
}

TEST(owner_launch_measure_secret)
{
	struct tplat p;
	struct t_owner o;
	uint32_t policy = 0; /* debugging allowed for the DBG check below */
	uint32_t h = 0, gpol, gasid;
	uint8_t *img = malloc(IMG), *back = malloc(IMG), m[48], ld[32], want[32], gstate;
	uint8_t secret[64], cipher[64], hdr[SWSEV_PKT_HDR_LEN], iv[16], got[64], xb[0x34];
	struct swsev_pkt_hdr ph;
	const struct swsev_profile *prof;

	CHECK(img && back);
	CHECK(t_plat_new(&p, "genoa") == 0);
	prof = swsev_fw_profile(p.fw);
	CHECK_EQ(t_init_flush(&p, 1), SEV_STATUS_SUCCESS);
	CHECK(t_owner_start(&p, policy, &o) == 0);
	CHECK_EQ(t_launch_start(&p, 0, policy, o.godh_raw, o.sess_raw, &h), SEV_STATUS_SUCCESS);
	CHECK_EQ(h, 1);
	CHECK_EQ(t_activate(&p, h, ASID), SEV_STATUS_SUCCESS);

	t_pattern(img, IMG, 5);
	t_write(&p, T_GUEST, img, IMG);
	CHECK_EQ(t_update(&p, SEV_CMD_LAUNCH_UPDATE_DATA, h, T_GUEST, IMG / 2), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_update(&p, SEV_CMD_LAUNCH_UPDATE_DATA, h, T_GUEST + IMG / 2, IMG / 2),
		 SEV_STATUS_SUCCESS);
	/* host view: ciphertext; guest view under the ASID: the image */
	t_read(&p, T_GUEST, back, IMG);
	CHECK(memcmp(back, img, IMG) != 0);
	CHECK(memcmp(back, img, 4096) != 0);
	CHECK_EQ(swsev_mem_read_enc(p.mem, ASID, T_GUEST, back, IMG), SWSEV_OK);
	CHECK_MEM(back, img, IMG);

	/* length query: len 0 -> INVALID_LENGTH with 48 written back */
	{
		uint8_t b[0x14] = { 0 };
		swsev_wle32(b, h);
		CHECK_EQ(t_cmd(&p, SEV_CMD_LAUNCH_MEASURE, b), SEV_STATUS_INVALID_LENGTH);
		CHECK_EQ(swsev_le32(b + 0x10), 48);
	}
	CHECK_EQ(t_measure(&p, h, m), SEV_STATUS_SUCCESS);
	/* the owner recomputes it: LD = SHA-256(image), MEASURE with its TIK */
	CHECK_EQ(swsev_sha256(img, IMG, ld), SWSEV_OK);
	CHECK_EQ(swsev_measure(o.tik, prof->api_major, prof->api_minor, prof->build, policy, ld,
			       m + 32, want),
		 SWSEV_OK);
	CHECK_MEM(m, want, 32);
	/* a second LAUNCH_MEASURE is in the wrong state */
	CHECK_EQ(t_measure(&p, h, got), SEV_STATUS_INVALID_GUEST_STATE);

	/* the owner seals a secret bound to the measurement */
	for (int i = 0; i < 64; i++)
		secret[i] = (uint8_t)(0xA0 + i);
	memset(iv, 0x3c, sizeof(iv));
	CHECK_EQ(swsev_pkt_seal(o.tek, o.tik, SWSEV_CTX_SECRET, iv, secret, sizeof(secret), m, &ph,
				cipher),
		 SWSEV_OK);
	swsev_pkt_hdr_encode(&ph, hdr);

	/* flipped bytes: header IV, header MAC, ciphertext -> BAD_MEASUREMENT */
	for (int k = 0; k < 3; k++) {
		uint8_t h2[SWSEV_PKT_HDR_LEN], c2[64];
		memcpy(h2, hdr, sizeof(h2));
		memcpy(c2, cipher, sizeof(c2));
		if (k == 0)
			h2[4] ^= 0x01;
		else if (k == 1)
			h2[20 + 31] ^= 0x80;
		else
			c2[17] ^= 0x10;
		t_write(&p, T_BUF3, h2, sizeof(h2));
		t_write(&p, T_BUF4, c2, sizeof(c2));
		CHECK_EQ(t_xport(&p, SEV_CMD_LAUNCH_SECRET, h, T_BUF3, 52, T_GUEST2, 64, T_BUF4, 64,
				 NULL),
			 SEV_STATUS_BAD_MEASUREMENT);
	}
	/* a secret sealed against another measurement is refused */
	{
		uint8_t m2[32], h2[SWSEV_PKT_HDR_LEN], c2[64];
		struct swsev_pkt_hdr ph2;
		memcpy(m2, m, 32);
		m2[0] ^= 1;
		CHECK_EQ(swsev_pkt_seal(o.tek, o.tik, SWSEV_CTX_SECRET, iv, secret, 64, m2, &ph2,
					c2),
			 SWSEV_OK);
		swsev_pkt_hdr_encode(&ph2, h2);
		t_write(&p, T_BUF3, h2, sizeof(h2));
		t_write(&p, T_BUF4, c2, sizeof(c2));
		CHECK_EQ(t_xport(&p, SEV_CMD_LAUNCH_SECRET, h, T_BUF3, 52, T_GUEST2, 64, T_BUF4, 64,
				 NULL),
			 SEV_STATUS_BAD_MEASUREMENT);
	}
	/* wrong lengths and alignment */
	t_write(&p, T_BUF3, hdr, sizeof(hdr));
	t_write(&p, T_BUF4, cipher, sizeof(cipher));
	CHECK_EQ(t_xport(&p, SEV_CMD_LAUNCH_SECRET, h, T_BUF3, 51, T_GUEST2, 64, T_BUF4, 64, NULL),
		 SEV_STATUS_INVALID_LENGTH);
	CHECK_EQ(t_xport(&p, SEV_CMD_LAUNCH_SECRET, h, T_BUF3, 52, T_GUEST2, 64, T_BUF4, 48, NULL),
		 SEV_STATUS_INVALID_LENGTH);
	CHECK_EQ(t_xport(&p, SEV_CMD_LAUNCH_SECRET, h, T_BUF3, 52, T_GUEST2 + 8, 64, T_BUF4, 64,
			 NULL),
		 SEV_STATUS_INVALID_ADDRESS);
	/* the genuine packet lands, decrypted, at the guest address */
	CHECK_EQ(t_xport(&p, SEV_CMD_LAUNCH_SECRET, h, T_BUF3, 52, T_GUEST2, 64, T_BUF4, 64, xb),
		 SEV_STATUS_SUCCESS);
	CHECK_EQ(swsev_mem_read_enc(p.mem, ASID, T_GUEST2, got, 64), SWSEV_OK);
	CHECK_MEM(got, secret, 64);
	t_read(&p, T_GUEST2, got, 64);
	CHECK(memcmp(got, secret, 64) != 0);
	CHECK(memcmp(got, cipher, 64) != 0);
	/* the secret is not part of the measurement; LAUNCH_UPDATE is over */
	CHECK_EQ(t_update(&p, SEV_CMD_LAUNCH_UPDATE_DATA, h, T_GUEST, 16),
		 SEV_STATUS_INVALID_GUEST_STATE);

	CHECK_EQ(t_handle_cmd(&p, SEV_CMD_LAUNCH_FINISH, h), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_guest_status(&p, h, &gpol, &gasid, &gstate), SEV_STATUS_SUCCESS);
	CHECK_EQ(gpol, policy);
	CHECK_EQ(gasid, ASID);
	CHECK_EQ(gstate, SWSEV_GSTATE_RUNNING);
	/* after LAUNCH_FINISH the channel is closed */
	CHECK_EQ(t_xport(&p, SEV_CMD_LAUNCH_SECRET, h, T_BUF3, 52, T_GUEST2, 64, T_BUF4, 64, NULL),
		 SEV_STATUS_INVALID_GUEST_STATE);

	/* DBG_DECRYPT gives the plaintext (policy allows debugging) */
	CHECK_EQ(t_dbg(&p, SEV_CMD_DBG_DECRYPT, h, T_GUEST + 4096, T_OUT, 8192),
		 SEV_STATUS_SUCCESS);
	t_read(&p, T_OUT, back, 8192);
	CHECK_MEM(back, img + 4096, 8192);
	/* DBG_ENCRYPT writes ciphertext the guest reads as plaintext */
	t_write(&p, T_BUF, secret, 64);
	CHECK_EQ(t_dbg(&p, SEV_CMD_DBG_ENCRYPT, h, T_BUF, T_GUEST + 0x100, 64), SEV_STATUS_SUCCESS);
	CHECK_EQ(swsev_mem_read_enc(p.mem, ASID, T_GUEST + 0x100, got, 64), SWSEV_OK);
	CHECK_MEM(got, secret, 64);
	t_read(&p, T_GUEST + 0x100, got, 64);
	CHECK(memcmp(got, secret, 64) != 0);
	CHECK_EQ(t_dbg(&p, SEV_CMD_DBG_DECRYPT, h, T_GUEST + 8, T_OUT, 16),
		 SEV_STATUS_INVALID_ADDRESS);
	CHECK_EQ(t_dbg(&p, SEV_CMD_DBG_DECRYPT, h, T_GUEST, T_OUT, 24), SEV_STATUS_INVALID_LENGTH);

	t_plat_free(&p);
	free(img);
	free(back);
}

TEST(session_tampering_refused)
{
	struct tplat p;
	struct t_owner o;
	uint32_t policy = SWSEV_POLICY_NODBG | SWSEV_POLICY_NOKS, h;
	uint8_t bad[SWSEV_SESSION_LEN], badc[SWSEV_CERT_LEN];

	CHECK(t_plat_new(&p, "genoa") == 0);
	CHECK_EQ(t_init_flush(&p, 1), SEV_STATUS_SUCCESS);
	CHECK(t_owner_start(&p, policy, &o) == 0);
	/* each field of the session: nonce, wrap_tk, wrap_iv, wrap_mac, policy_mac */
	for (int off = 0; off < SWSEV_SESSION_LEN; off += 17) {
		memcpy(bad, o.sess_raw, sizeof(bad));
		bad[off] ^= 0x01;
		CHECK_EQ(t_launch_start(&p, 0, policy, o.godh_raw, bad, &h),
			 SEV_STATUS_BAD_MEASUREMENT);
	}
	/* the host changes the policy: policy_mac no longer matches */
	CHECK_EQ(t_launch_start(&p, 0, policy & ~SWSEV_POLICY_NODBG, o.godh_raw, o.sess_raw, &h),
		 SEV_STATUS_BAD_MEASUREMENT);
	/* the GODH key changed: other Z, wrap_mac fails */
	memcpy(badc, o.godh_raw, sizeof(badc));
	badc[0x14] ^= 0x01;
	{
		uint16_t st = t_launch_start(&p, 0, policy, badc, o.sess_raw, &h);
		CHECK(st == SEV_STATUS_BAD_MEASUREMENT || st == SEV_STATUS_INVALID_CERTIFICATE);
	}
	/* GODH with the wrong usage or algorithm */
	memcpy(badc, o.godh_raw, sizeof(badc));
	swsev_wle32(badc + 8, SWSEV_USAGE_PEK);
	CHECK_EQ(t_launch_start(&p, 0, policy, badc, o.sess_raw, &h),
		 SEV_STATUS_INVALID_CERTIFICATE);
	memcpy(badc, o.godh_raw, sizeof(badc));
	swsev_wle32(badc + 12, SWSEV_ALGO_ECDSA_SHA256);
	CHECK_EQ(t_launch_start(&p, 0, policy, badc, o.sess_raw, &h),
		 SEV_STATUS_INVALID_CERTIFICATE);
	/* a point not on the curve */
	memcpy(badc, o.godh_raw, sizeof(badc));
	badc[0x5C] ^= 0x01;
	CHECK_EQ(t_launch_start(&p, 0, policy, badc, o.sess_raw, &h),
		 SEV_STATUS_INVALID_CERTIFICATE);
	/* lengths */
	{
		uint8_t b[0x24] = { 0 };
		t_write(&p, T_BUF, o.godh_raw, SWSEV_CERT_LEN);
		t_write(&p, T_BUF2, o.sess_raw, SWSEV_SESSION_LEN);
		swsev_wle32(b + 4, policy);
		swsev_wle64(b + 8, T_BUF);
		swsev_wle32(b + 0x10, SWSEV_CERT_LEN);
		swsev_wle64(b + 0x18, T_BUF2);
		swsev_wle32(b + 0x20, 0x7F);
		CHECK_EQ(t_cmd(&p, SEV_CMD_LAUNCH_START, b), SEV_STATUS_INVALID_LENGTH);
		swsev_wle32(b + 0x20, 0x80);
		swsev_wle32(b + 0x10, 2083);
		CHECK_EQ(t_cmd(&p, SEV_CMD_LAUNCH_START, b), SEV_STATUS_INVALID_LENGTH);
	}
	/* no guest was created by any of these */
	{
		uint8_t st[12];
		CHECK_EQ(t_cmd(&p, SEV_CMD_PLATFORM_STATUS, st), SEV_STATUS_SUCCESS);
		CHECK_EQ(st[2], SWSEV_PSTATE_INIT);
		CHECK_EQ(swsev_le32(st + 8), 0);
	}
	/* the genuine session works */
	CHECK_EQ(t_launch_start(&p, 0, policy, o.godh_raw, o.sess_raw, &h), SEV_STATUS_SUCCESS);
	t_plat_free(&p);
}

TEST(policy_checks_at_launch_start)
{
	struct tplat p;
	struct t_owner o;
	uint32_t h;
	/* API minimum above the firmware's 0.22 */
	uint32_t pol_api = (0u << 16) | (23u << 24);
	uint32_t pol_rsvd = 1u << 6;

	CHECK(t_plat_new(&p, "genoa") == 0);
	CHECK_EQ(t_init_flush(&p, 0), SEV_STATUS_SUCCESS);
	CHECK(t_owner_start(&p, pol_api, &o) == 0);
	CHECK_EQ(t_launch_start(&p, 0, pol_api, o.godh_raw, o.sess_raw, &h),
		 SEV_STATUS_POLICY_FAILURE);
	CHECK(t_owner_start(&p, pol_rsvd, &o) == 0);
	CHECK_EQ(t_launch_start(&p, 0, pol_rsvd, o.godh_raw, o.sess_raw, &h),
		 SEV_STATUS_POLICY_FAILURE);
	/* exactly the firmware's version is fine */
	CHECK(t_owner_start(&p, 22u << 24, &o) == 0);
	CHECK_EQ(t_launch_start(&p, 0, 22u << 24, o.godh_raw, o.sess_raw, &h), SEV_STATUS_SUCCESS);
	/* without a session the policy is not checked (Genoa) */
	CHECK_EQ(t_launch_start(&p, 0, pol_api, NULL, NULL, &h), SEV_STATUS_SUCCESS);
	/* an ES guest on a platform initialized without SEV-ES */
	CHECK_EQ(t_launch_start(&p, 0, SWSEV_POLICY_ES, NULL, NULL, &h), SEV_STATUS_UNSUPPORTED);
	t_plat_free(&p);
}

TEST(key_sharing)
{
	struct tplat p;
	uint32_t h1, h2, h3;
	uint8_t a[32], b[32], data[32];

	CHECK(t_plat_new(&p, "genoa") == 0);
	CHECK_EQ(t_init_flush(&p, 0), SEV_STATUS_SUCCESS);
	h1 = t_quick_guest(&p, 0, 400, 4096);
	CHECK(h1 != 0);
	/* same policy, NOKS clear: the new guest gets the same VEK */
	CHECK_EQ(t_launch_start(&p, h1, 0, NULL, NULL, &h2), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_activate(&p, h2, 401), SEV_STATUS_SUCCESS);
	memset(data, 0x77, sizeof(data));
	CHECK_EQ(swsev_mem_write_enc(p.mem, 400, T_GUEST2, data, 32), SWSEV_OK);
	CHECK_EQ(swsev_mem_read_enc(p.mem, 401, T_GUEST2, a, 32), SWSEV_OK);
	CHECK_MEM(a, data, 32);
	/* different policy, or NOKS on the source: POLICY_FAILURE */
	CHECK_EQ(t_launch_start(&p, h1, SWSEV_POLICY_NODBG, NULL, NULL, &h3),
		 SEV_STATUS_POLICY_FAILURE);
	h3 = t_quick_guest(&p, SWSEV_POLICY_NOKS, 402, 4096);
	CHECK(h3 != 0);
	CHECK_EQ(t_launch_start(&p, h3, SWSEV_POLICY_NOKS, NULL, NULL, &h2),
		 SEV_STATUS_POLICY_FAILURE);
	CHECK_EQ(t_launch_start(&p, 999, 0, NULL, NULL, &h2), SEV_STATUS_INVALID_GUEST);
	/* an unshared guest has another key */
	CHECK_EQ(swsev_mem_read_enc(p.mem, 402, T_GUEST2, b, 32), SWSEV_OK);
	CHECK(memcmp(b, data, 32) != 0);
	t_plat_free(&p);
}

TEST(nodbg_refused)
{
	struct tplat p;
	uint32_t h;

	CHECK(t_plat_new(&p, "genoa") == 0);
	CHECK_EQ(t_init_flush(&p, 0), SEV_STATUS_SUCCESS);
	h = t_quick_guest(&p, SWSEV_POLICY_NODBG, 500, 8192);
	CHECK(h != 0);
	CHECK_EQ(t_dbg(&p, SEV_CMD_DBG_DECRYPT, h, T_GUEST, T_OUT, 4096),
		 SEV_STATUS_POLICY_FAILURE);
	CHECK_EQ(t_dbg(&p, SEV_CMD_DBG_ENCRYPT, h, T_OUT, T_GUEST, 4096),
		 SEV_STATUS_POLICY_FAILURE);
	t_plat_free(&p);
}

TEST(es_launch_vmsa)
{
	struct tplat p;
	uint32_t h, policy = SWSEV_POLICY_ES | SWSEV_POLICY_NOKS;
	uint8_t vmsa[4096], img[8192], m[48], got[4096], ld[32], want[32];
	swsev_sha256_ctx *c = NULL;
	const struct swsev_profile *prof;

	CHECK(t_plat_new(&p, "genoa") == 0);
	prof = swsev_fw_profile(p.fw);
	CHECK_EQ(t_init_flush(&p, 1), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_launch_start(&p, 0, policy, NULL, NULL, &h), SEV_STATUS_SUCCESS);
	/* an ES guest needs an ASID in the SEV-ES range */
	CHECK_EQ(t_activate(&p, h, 300), SEV_STATUS_INVALID_ASID);
	CHECK_EQ(t_activate(&p, h, 7), SEV_STATUS_SUCCESS);
	t_pattern(img, sizeof(img), 9);
	t_pattern(vmsa, sizeof(vmsa), 10);
	t_write(&p, T_GUEST, img, sizeof(img));
	t_write(&p, T_GUEST2, vmsa, sizeof(vmsa));
	CHECK_EQ(t_update(&p, SEV_CMD_LAUNCH_UPDATE_DATA, h, T_GUEST, sizeof(img)),
		 SEV_STATUS_SUCCESS);
	CHECK_EQ(t_update(&p, SEV_CMD_LAUNCH_UPDATE_VMSA, h, T_GUEST2, 4095),
		 SEV_STATUS_INVALID_LENGTH);
	CHECK_EQ(t_update(&p, SEV_CMD_LAUNCH_UPDATE_VMSA, h, T_GUEST2, 4096), SEV_STATUS_SUCCESS);
	CHECK_EQ(swsev_mem_read_enc(p.mem, 7, T_GUEST2, got, 4096), SWSEV_OK);
	CHECK_MEM(got, vmsa, 4096);
	CHECK_EQ(t_measure(&p, h, m), SEV_STATUS_SUCCESS);
	/* LD = SHA-256(image || VMSA as supplied); no session: TIK = 0 */
	CHECK_EQ(swsev_sha256_new(&c), SWSEV_OK);
	CHECK_EQ(swsev_sha256_update(c, img, sizeof(img)), SWSEV_OK);
	CHECK_EQ(swsev_sha256_update(c, vmsa, sizeof(vmsa)), SWSEV_OK);
	CHECK_EQ(swsev_sha256_final(c, ld), SWSEV_OK);
	swsev_sha256_free(c);
	{
		uint8_t zero[16] = { 0 };
		CHECK_EQ(swsev_measure(zero, prof->api_major, prof->api_minor, prof->build, policy,
				       ld, m + 32, want),
			 SWSEV_OK);
	}
	CHECK_MEM(m, want, 32);
	/* VMSA on a non-ES guest: UNSUPPORTED */
	{
		uint32_t h2;
		CHECK_EQ(t_launch_start(&p, 0, 0, NULL, NULL, &h2), SEV_STATUS_SUCCESS);
		CHECK_EQ(t_activate(&p, h2, 600), SEV_STATUS_SUCCESS);
		CHECK_EQ(t_update(&p, SEV_CMD_LAUNCH_UPDATE_VMSA, h2, T_GUEST2, 4096),
			 SEV_STATUS_UNSUPPORTED);
	}
	t_plat_free(&p);
}

TEST(measurement_vector_b_deterministic)
{
	/* crypto.md §6 vector B: TIK ffee..00, 0.22 build 15, policy 1, LD of
	 * 4096 zero bytes, MNONCE 01..10 -> 42835280... The firmware's own
	 * formula is swsev_measure; check it reproduces the digest's value so
	 * the firmware's measurement agrees with the spec. */
	uint8_t tik[16], ld[32], mn[16], out[32], zero[4096] = { 0 };
	th_unhex("ffeeddccbbaa99887766554433221100", tik, 16);
	th_unhex("0102030405060708090a0b0c0d0e0f10", mn, 16);
	CHECK_EQ(swsev_sha256(zero, sizeof(zero), ld), SWSEV_OK);
	CHECK_HEX(ld, "ad7facb2586fc6e966c004d7d1d16b024f5805ff7cb47c7a85dabd8b48892ca7");
	CHECK_EQ(swsev_measure(tik, 0, 22, 15, 1, ld, mn, out), SWSEV_OK);
	CHECK_HEX(out, "42835280ae54e8034d149d72525b62c534081d20f8857d5e3e90d74d8c37f3cb");
}

TH_MAIN_BEGIN("test_fw_launch")
RUN(chain_exported_validates_under_root);
RUN(owner_launch_measure_secret);
RUN(session_tampering_refused);
RUN(policy_checks_at_launch_start);
RUN(key_sharing);
RUN(nodbg_refused);
RUN(es_launch_vmsa);
RUN(measurement_vector_b_deterministic);
swsev_vendor_root_free(t_root_cached);
TH_MAIN_END
