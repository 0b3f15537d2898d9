/*
 * Platform commands, identity management, manufacturing, profiles and the
 * persistent state (reload, corruption, truncation, atomic file storage).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test_fw_util.h"

static void status(struct tplat *p, uint8_t st[12])
{
	CHECK_EQ(t_cmd(p, SEV_CMD_PLATFORM_STATUS, st), SEV_STATUS_SUCCESS);
}

static uint16_t get_id(struct tplat *p, uint8_t id[64])
{
	uint8_t b[12] = { 0 };
	uint16_t st;
	swsev_wle64(b, T_OUT);
	swsev_wle32(b + 8, 64);
	st = t_cmd(p, SEV_CMD_GET_ID, b);
	if (st == SEV_STATUS_SUCCESS) {
		CHECK_EQ(swsev_le32(b + 8), 64);
		t_read(p, T_OUT, id, 64);
	}
	return st;
}

TEST(profiles)
{
	const char *names[] = { "naples", "rome", "milan", "genoa" };
	unsigned asids[] = { 15, 509, 509, 1006 }, bits[] = { 2048, 4096, 4096, 4096 };
	for (int i = 0; i < 4; i++) {
		const struct swsev_profile *p = swsev_profile_find(names[i]);
		CHECK(p != NULL);
		if (p == NULL)
			continue;
		CHECK_EQ(p->asid_count, asids[i]);
		CHECK_EQ(p->root_bits, bits[i]);
		CHECK(p->es_asids < p->asid_count);
		CHECK(p->api_major > 0 || p->api_minor >= 17);
		CHECK_EQ(p->memc_mode, i == 0 ? SWSEV_MEMC_XE : SWSEV_MEMC_XTS);
	}
	CHECK(swsev_profile_find("turin") == NULL);
	CHECK(swsev_profile_find(NULL) == NULL);
	CHECK(strcmp(swsev_profile_default()->name, "genoa") == 0);
	CHECK(strcmp(swsev_cmd_name(SEV_CMD_LAUNCH_SECRET), "LAUNCH_SECRET") == 0);
	CHECK(strcmp(swsev_cmd_name(0x36), "UNKNOWN") == 0);
	CHECK_EQ(swsev_cmd_buf_len(SEV_CMD_SEND_START), 0x44);
	CHECK_EQ(swsev_cmd_buf_len(SEV_CMD_GUEST_STATUS), 13);
}

TEST(unknown_and_short_commands)
{
	struct tplat p;
	uint8_t b[256] = { 0 };
	uint32_t ids[] = { 0x00, 0x0D, 0x0E, 0x0F, 0x10, 0x26, 0x36, 0x45,  0x54,      0x62,
			   0x70, 0x71, 0x81, 0x84, 0xA0, 0xCE, 0xFF, 0x100, 0xFFFFFFFF };

	CHECK(t_plat_new(&p, "genoa") == 0);
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		CHECK_EQ(swsev_fw_command(p.fw, ids[i], b, sizeof(b)), SEV_STATUS_INVALID_COMMAND);
	/* a buffer shorter than the command's layout */
	CHECK_EQ(swsev_fw_command(p.fw, SEV_CMD_INIT, b, 0x13), SEV_STATUS_INVALID_LENGTH);
	CHECK_EQ(swsev_fw_command(p.fw, SEV_CMD_PLATFORM_STATUS, NULL, 12),
		 SEV_STATUS_INVALID_LENGTH);
	CHECK_EQ(swsev_fw_command(p.fw, SEV_CMD_SEND_START, b, 0x43), SEV_STATUS_INVALID_LENGTH);
	/* commands without a buffer accept NULL */
	CHECK_EQ(swsev_fw_command(p.fw, SEV_CMD_SHUTDOWN, NULL, 0), SEV_STATUS_SUCCESS);
	t_plat_free(&p);
}

TEST(platform_lifecycle)
{
	struct tplat p;
	uint8_t st[12], pdh1[SWSEV_CERT_LEN], pdh2[SWSEV_CERT_LEN], ch1[SWSEV_CHAIN_LEN],
		ch2[SWSEV_CHAIN_LEN], id1[64], id2[64];

	CHECK(t_plat_new(&p, "genoa") == 0);
	status(&p, st);
	CHECK_EQ(st[0], 0);
	CHECK_EQ(st[1], 22);
	CHECK_EQ(st[2], SWSEV_PSTATE_UNINIT);
	CHECK_EQ(st[7], 21);
	CHECK_EQ(swsev_le32(st + 8), 0);
	/* UNINIT: only INIT, PLATFORM_RESET, PLATFORM_STATUS, GET_ID (+ SHUTDOWN no-op) */
	CHECK_EQ(t_cmd(&p, SEV_CMD_PEK_GEN, NULL), SEV_STATUS_INVALID_PLATFORM_STATE);
	CHECK_EQ(t_cmd(&p, SEV_CMD_PDH_GEN, NULL), SEV_STATUS_INVALID_PLATFORM_STATE);
	CHECK_EQ(t_pdh_export(&p, pdh1, ch1), SEV_STATUS_INVALID_PLATFORM_STATE);
	CHECK_EQ(get_id(&p, id1), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_init(&p, 1), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_init(&p, 1), SEV_STATUS_INVALID_PLATFORM_STATE);
	status(&p, st);
	CHECK_EQ(st[2], SWSEV_PSTATE_INIT);
	CHECK_EQ(st[3], 0);              /* self-owned */
	CHECK_EQ(swsev_le16(st + 4), 1); /* ES */
	CHECK_EQ(get_id(&p, id2), SEV_STATUS_SUCCESS);
	CHECK_MEM(id1, id2, 64);
	CHECK_EQ(t_pdh_export(&p, pdh1, ch1), SEV_STATUS_SUCCESS);
	/* PDH_GEN: new PDH, same PEK and OCA */
	CHECK_EQ(t_cmd(&p, SEV_CMD_PDH_GEN, NULL), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_pdh_export(&p, pdh2, ch2), SEV_STATUS_SUCCESS);
	CHECK(memcmp(pdh1, pdh2, SWSEV_CERT_LEN) != 0);
	CHECK_MEM(ch1, ch2, SWSEV_CHAIN_LEN);
	/* PDH is signed by the PEK, the PEK by the OCA and the CEK */
	{
		struct swsev_cert pdh, pek, oca, cek;
		CHECK_EQ(swsev_cert_parse(pdh2, SWSEV_CERT_LEN, &pdh), SWSEV_OK);
		CHECK_EQ(swsev_cert_parse(ch2, SWSEV_CERT_LEN, &pek), SWSEV_OK);
		CHECK_EQ(swsev_cert_parse(ch2 + SWSEV_CERT_LEN, SWSEV_CERT_LEN, &oca), SWSEV_OK);
		CHECK_EQ(swsev_cert_parse(ch2 + 2 * SWSEV_CERT_LEN, SWSEV_CERT_LEN, &cek),
			 SWSEV_OK);
		CHECK_EQ(swsev_cert_validate_fw(&pdh, &pek), SEV_STATUS_SUCCESS);
		CHECK_EQ(swsev_cert_validate_fw(&pek, &oca), SEV_STATUS_SUCCESS);
		CHECK_EQ(swsev_cert_validate_fw(&pek, &cek), SEV_STATUS_SUCCESS);
		CHECK_EQ(swsev_cert_validate_fw(&oca, &oca), SEV_STATUS_SUCCESS);
		CHECK_EQ(pdh.pub_key_algo, SWSEV_ALGO_ECDH_SHA256);
		CHECK_EQ(pek.api_minor, 22);
	}
	/* PEK_GEN: everything new */
	CHECK_EQ(t_cmd(&p, SEV_CMD_PEK_GEN, NULL), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_pdh_export(&p, pdh1, ch1), SEV_STATUS_SUCCESS);
	CHECK(memcmp(ch1, ch2, SWSEV_CERT_LEN) != 0);
	CHECK(memcmp(ch1 + SWSEV_CERT_LEN, ch2 + SWSEV_CERT_LEN, SWSEV_CERT_LEN) != 0);
	CHECK_MEM(ch1 + 2 * SWSEV_CERT_LEN, ch2 + 2 * SWSEV_CERT_LEN, SWSEV_CERT_LEN); /* CEK */
	/* SHUTDOWN, INIT: the stored PDH is kept (Genoa) */
	CHECK_EQ(t_cmd(&p, SEV_CMD_PLATFORM_RESET, NULL), SEV_STATUS_INVALID_PLATFORM_STATE);
	CHECK_EQ(t_cmd(&p, SEV_CMD_SHUTDOWN, NULL), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_cmd(&p, SEV_CMD_SHUTDOWN, NULL), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_init(&p, 0), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_pdh_export(&p, pdh2, ch2), SEV_STATUS_SUCCESS);
	CHECK_MEM(pdh1, pdh2, SWSEV_CERT_LEN);
	status(&p, st);
	CHECK_EQ(swsev_le16(st + 4), 0);
	/* PLATFORM_RESET: new identity, same CEK */
	CHECK_EQ(t_cmd(&p, SEV_CMD_SHUTDOWN, NULL), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_cmd(&p, SEV_CMD_PLATFORM_RESET, NULL), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_init(&p, 0), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_pdh_export(&p, pdh1, ch1), SEV_STATUS_SUCCESS);
	CHECK(memcmp(ch1, ch2, SWSEV_CERT_LEN) != 0);
	CHECK(memcmp(pdh1, pdh2, SWSEV_CERT_LEN) != 0);
	CHECK_MEM(ch1 + 2 * SWSEV_CERT_LEN, ch2 + 2 * SWSEV_CERT_LEN, SWSEV_CERT_LEN);
	/* DOWNLOAD_FIRMWARE */
	{
		uint8_t b[12] = { 0 };
		CHECK_EQ(t_cmd(&p, SEV_CMD_DOWNLOAD_FIRMWARE, b),
			 SEV_STATUS_INVALID_PLATFORM_STATE);
		CHECK_EQ(t_cmd(&p, SEV_CMD_SHUTDOWN, NULL), SEV_STATUS_SUCCESS);
		swsev_wle64(b, 0x1010);
		CHECK_EQ(t_cmd(&p, SEV_CMD_DOWNLOAD_FIRMWARE, b), SEV_STATUS_INVALID_ADDRESS);
		swsev_wle64(b, 0x1000); /* fw_len 0; images: test_fw_download */
		CHECK_EQ(t_cmd(&p, SEV_CMD_DOWNLOAD_FIRMWARE, b), SEV_STATUS_INVALID_LENGTH);
	}
	t_plat_free(&p);
}

TEST(init_options)
{
	struct tplat p;
	uint8_t b[0x14];

	CHECK(t_plat_new(&p, "genoa") == 0);
	memset(b, 0, sizeof(b));
	swsev_wle32(b, 2);
	CHECK_EQ(t_cmd(&p, SEV_CMD_INIT, b), SEV_STATUS_INVALID_CONFIG);
	memset(b, 0, sizeof(b));
	swsev_wle32(b + 4, 1);
	CHECK_EQ(t_cmd(&p, SEV_CMD_INIT, b), SEV_STATUS_INVALID_CONFIG);
	memset(b, 0, sizeof(b));
	swsev_wle32(b, 1);
	swsev_wle64(b + 8, T_TMR + 0x1000);
	swsev_wle32(b + 0x10, 1024 * 1024);
	CHECK_EQ(t_cmd(&p, SEV_CMD_INIT, b), SEV_STATUS_INVALID_ADDRESS);
	swsev_wle64(b + 8, T_TMR);
	swsev_wle32(b + 0x10, 512 * 1024);
	CHECK_EQ(t_cmd(&p, SEV_CMD_INIT, b), SEV_STATUS_INVALID_LENGTH);
	swsev_wle64(b + 8, SWSEV_MEM_MAX_ADDR);
	swsev_wle32(b + 0x10, 1024 * 1024);
	CHECK_EQ(t_cmd(&p, SEV_CMD_INIT, b), SEV_STATUS_INVALID_ADDRESS);
	/* the C-bit (51 on genoa) is ignored in addresses */
	swsev_wle64(b + 8, T_TMR | (1ULL << 51));
	CHECK_EQ(t_cmd(&p, SEV_CMD_INIT, b), SEV_STATUS_SUCCESS);
	t_plat_free(&p);
	/* naples has no SEV-ES: the ES bit is reserved there */
	CHECK(t_plat_new(&p, "naples") == 0);
	CHECK_EQ(t_init(&p, 1), SEV_STATUS_INVALID_CONFIG);
	CHECK_EQ(t_init(&p, 0), SEV_STATUS_SUCCESS);
	{
		uint8_t st[12];
		status(&p, st);
		CHECK_EQ(st[1], 17);
	}
	t_plat_free(&p);
}

TEST(lengths_and_queries)
{
	struct tplat p;
	uint8_t b[0x1C] = { 0 }, id[64];

	CHECK(t_plat_new(&p, "rome") == 0);
	/* GET_ID works in any state; length query */
	CHECK_EQ(t_cmd(&p, SEV_CMD_GET_ID, b), SEV_STATUS_INVALID_LENGTH);
	CHECK_EQ(swsev_le32(b + 8), 64);
	CHECK_EQ(get_id(&p, id), SEV_STATUS_SUCCESS);
	CHECK(!swsev_ct_is_zero(id, 64));
	CHECK_EQ(t_init_flush(&p, 1), SEV_STATUS_SUCCESS);
	memset(b, 0, sizeof(b));
	CHECK_EQ(t_cmd(&p, SEV_CMD_PEK_CSR, b), SEV_STATUS_INVALID_LENGTH);
	CHECK_EQ(swsev_le32(b + 8), SWSEV_CERT_LEN);
	memset(b, 0, sizeof(b));
	swsev_wle32(b + 8, SWSEV_CERT_LEN);
	CHECK_EQ(t_cmd(&p, SEV_CMD_PDH_CERT_EXPORT, b), SEV_STATUS_INVALID_LENGTH);
	CHECK_EQ(swsev_le32(b + 8), SWSEV_CERT_LEN);
	CHECK_EQ(swsev_le32(b + 0x18), SWSEV_CHAIN_LEN);
	/* an address beyond DRAM */
	memset(b, 0, sizeof(b));
	swsev_wle64(b, SWSEV_MEM_MAX_ADDR - 100);
	swsev_wle32(b + 8, SWSEV_CERT_LEN);
	CHECK_EQ(t_cmd(&p, SEV_CMD_PEK_CSR, b), SEV_STATUS_INVALID_ADDRESS);
	memset(b, 0, sizeof(b));
	swsev_wle64(b, UINT64_MAX & ~(1ULL << 47));
	swsev_wle32(b + 8, 64);
	CHECK_EQ(t_cmd(&p, SEV_CMD_GET_ID, b), SEV_STATUS_INVALID_ADDRESS);
	t_plat_free(&p);
}

static int make_oca(swsev_ec_key **key, struct swsev_cert *oca)
{
	if (swsev_ec_generate(key) != SWSEV_OK)
		return -1;
	if (swsev_cert_init_ec(oca, 0, 0, SWSEV_USAGE_OCA, SWSEV_ALGO_ECDSA_SHA256, *key) !=
	    SWSEV_OK)
		return -1;
	if (swsev_cert_sign_ec(oca, 0, SWSEV_USAGE_OCA, SWSEV_ALGO_ECDSA_SHA256, *key) != SWSEV_OK)
		return -1;
	return swsev_cert_encode(oca, oca->raw) == SWSEV_OK ? 0 : -1;
}

static uint16_t import(struct tplat *p, const uint8_t *pek, uint32_t pek_len, const uint8_t *oca,
		       uint32_t oca_len)
{
	uint8_t b[0x1C] = { 0 };
	t_write(p, T_BUF, pek, SWSEV_CERT_LEN);
	t_write(p, T_BUF2, oca, SWSEV_CERT_LEN);
	swsev_wle64(b, T_BUF);
	swsev_wle32(b + 8, pek_len);
	swsev_wle64(b + 0x10, T_BUF2);
	swsev_wle32(b + 0x18, oca_len);
	return t_cmd(p, SEV_CMD_PEK_CERT_IMPORT, b);
}

/* PEK_CSR, signing by an owner OCA, PEK_CERT_IMPORT (certificates.md §7). */
static int take_ownership(struct tplat *p, swsev_ec_key *oca_key, const struct swsev_cert *oca)
{
	uint8_t b[12] = { 0 };
	struct swsev_cert csr;
	uint8_t raw[SWSEV_CERT_LEN];
	swsev_wle64(b, T_OUT);
	swsev_wle32(b + 8, SWSEV_CERT_LEN);
	if (t_cmd(p, SEV_CMD_PEK_CSR, b) != SEV_STATUS_SUCCESS)
		return -1;
	if (swsev_le32(b + 8) != SWSEV_CERT_LEN)
		return -1;
	t_read(p, T_OUT, raw, SWSEV_CERT_LEN);
	if (swsev_cert_parse(raw, SWSEV_CERT_LEN, &csr) != SWSEV_OK)
		return -1;
	if (csr.sig[0].usage != SWSEV_USAGE_INVALID || csr.sig[1].usage != SWSEV_USAGE_INVALID)
		return -1;
	if (swsev_cert_sign_ec(&csr, 0, SWSEV_USAGE_OCA, SWSEV_ALGO_ECDSA_SHA256, oca_key) !=
		    SWSEV_OK ||
	    swsev_cert_encode(&csr, csr.raw) != SWSEV_OK)
		return -1;
	return import(p, csr.raw, SWSEV_CERT_LEN, oca->raw, SWSEV_CERT_LEN) == SEV_STATUS_SUCCESS ?
		       0 :
		       -1;
}

TEST(pek_csr_and_import)
{
	struct tplat p;
	swsev_ec_key *ok = NULL, *ok2 = NULL;
	struct swsev_cert oca, oca2, pek, expo, pdh;
	uint8_t st[12], pdh0[SWSEV_CERT_LEN], pdh1[SWSEV_CERT_LEN], ch[SWSEV_CHAIN_LEN],
		csr[SWSEV_CERT_LEN];
	uint8_t b[12] = { 0 };

	CHECK(make_oca(&ok, &oca) == 0);
	CHECK(make_oca(&ok2, &oca2) == 0);
	CHECK(t_plat_new(&p, "milan") == 0);
	CHECK_EQ(t_init_flush(&p, 0), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_pdh_export(&p, pdh0, NULL), SEV_STATUS_SUCCESS);
	swsev_wle64(b, T_OUT);
	swsev_wle32(b + 8, SWSEV_CERT_LEN);
	CHECK_EQ(t_cmd(&p, SEV_CMD_PEK_CSR, b), SEV_STATUS_SUCCESS);
	t_read(&p, T_OUT, csr, SWSEV_CERT_LEN);
	CHECK_EQ(swsev_cert_parse(csr, SWSEV_CERT_LEN, &pek), SWSEV_OK);
	/* negatives first: lengths, an OCA that is not self-signed, a PEK
	 * signed by another OCA, another PEK body */
	CHECK_EQ(import(&p, csr, 2083, oca.raw, SWSEV_CERT_LEN), SEV_STATUS_INVALID_LENGTH);
	CHECK_EQ(import(&p, csr, SWSEV_CERT_LEN, oca.raw, 0), SEV_STATUS_INVALID_LENGTH);
	{
		struct swsev_cert s = pek, badoca = oca;
		CHECK_EQ(swsev_cert_sign_ec(&s, 0, SWSEV_USAGE_OCA, SWSEV_ALGO_ECDSA_SHA256, ok),
			 SWSEV_OK);
		CHECK_EQ(swsev_cert_encode(&s, s.raw), SWSEV_OK);
		badoca.raw[0x41C + 3] ^= 0x40; /* the OCA's self-signature */
		CHECK_EQ(import(&p, s.raw, SWSEV_CERT_LEN, badoca.raw, SWSEV_CERT_LEN),
			 SEV_STATUS_BAD_SIGNATURE);
		/* the slot names an OCA but another OCA signed it (certificates.md §5.1) */
		CHECK_EQ(import(&p, s.raw, SWSEV_CERT_LEN, oca2.raw, SWSEV_CERT_LEN),
			 SEV_STATUS_BAD_SIGNATURE);
		CHECK_EQ(import(&p, s.raw, SWSEV_CERT_LEN, pek.raw, SWSEV_CERT_LEN),
			 SEV_STATUS_INVALID_CERTIFICATE);
		/* a body that is not this firmware's PEK */
		{
			uint8_t raw[SWSEV_CERT_LEN];
			memcpy(raw, pek.raw, sizeof(raw));
			raw[0x20] ^= 1;
			CHECK_EQ(swsev_cert_parse(raw, SWSEV_CERT_LEN, &s), SWSEV_OK);
		}
		CHECK_EQ(swsev_cert_sign_ec(&s, 0, SWSEV_USAGE_OCA, SWSEV_ALGO_ECDSA_SHA256, ok),
			 SWSEV_OK);
		CHECK_EQ(swsev_cert_encode(&s, s.raw), SWSEV_OK);
		CHECK_EQ(import(&p, s.raw, SWSEV_CERT_LEN, oca.raw, SWSEV_CERT_LEN),
			 SEV_STATUS_INVALID_CERTIFICATE);
	}
	CHECK(take_ownership(&p, ok, &oca) == 0);
	status(&p, st);
	CHECK_EQ(st[3], 1);
	CHECK_EQ(t_pdh_export(&p, pdh1, ch), SEV_STATUS_SUCCESS);
	CHECK(memcmp(pdh0, pdh1, SWSEV_CERT_LEN) != 0); /* a new PDH */
	CHECK_MEM(ch + SWSEV_CERT_LEN, oca.raw, SWSEV_CERT_LEN);
	CHECK_EQ(swsev_cert_parse(ch, SWSEV_CERT_LEN, &expo), SWSEV_OK);
	CHECK_EQ(swsev_cert_parse(pdh1, SWSEV_CERT_LEN, &pdh), SWSEV_OK);
	{
		struct swsev_cert cek;
		CHECK_EQ(swsev_cert_parse(ch + 2 * SWSEV_CERT_LEN, SWSEV_CERT_LEN, &cek), SWSEV_OK);
		CHECK_EQ(swsev_cert_validate_fw(&expo, &oca), SEV_STATUS_SUCCESS);
		CHECK_EQ(swsev_cert_validate_fw(&expo, &cek), SEV_STATUS_SUCCESS);
		CHECK_EQ(swsev_cert_validate_fw(&pdh, &expo), SEV_STATUS_SUCCESS);
	}
	/* already owned */
	CHECK_EQ(import(&p, expo.raw, SWSEV_CERT_LEN, oca.raw, SWSEV_CERT_LEN),
		 SEV_STATUS_ALREADY_OWNED);
	/* the ownership survives SHUTDOWN/INIT and a reload */
	CHECK_EQ(t_cmd(&p, SEV_CMD_SHUTDOWN, NULL), SEV_STATUS_SUCCESS);
	{
		swsev_fw *fw2 = NULL;
		struct tplat q = p;
		CHECK_EQ(swsev_fw_new(NULL, &p.ops, NULL, &fw2), SWSEV_OK);
		q.fw = fw2;
		q.mem = swsev_fw_dram(fw2);
		CHECK_EQ(t_init(&q, 0), SEV_STATUS_SUCCESS);
		status(&q, st);
		CHECK_EQ(st[3], 1);
		CHECK_EQ(t_pdh_export(&q, pdh0, NULL), SEV_STATUS_SUCCESS);
		CHECK_MEM(pdh0, pdh1, SWSEV_CERT_LEN);
		/* PEK_GEN makes it self-owned again */
		CHECK_EQ(t_cmd(&q, SEV_CMD_PEK_GEN, NULL), SEV_STATUS_SUCCESS);
		status(&q, st);
		CHECK_EQ(st[3], 0);
		swsev_fw_free(fw2);
	}
	/* in WORKING, PEK_CERT_IMPORT and PEK_GEN are refused */
	CHECK_EQ(t_init_flush(&p, 0), SEV_STATUS_SUCCESS);
	CHECK(t_quick_guest(&p, 0, 300, 4096) != 0);
	CHECK_EQ(import(&p, expo.raw, SWSEV_CERT_LEN, oca.raw, SWSEV_CERT_LEN),
		 SEV_STATUS_INVALID_PLATFORM_STATE);
	CHECK_EQ(t_cmd(&p, SEV_CMD_PEK_GEN, NULL), SEV_STATUS_INVALID_PLATFORM_STATE);
	CHECK_EQ(t_cmd(&p, SEV_CMD_PDH_GEN, NULL), SEV_STATUS_SUCCESS);
	swsev_ec_free(ok);
	swsev_ec_free(ok2);
	t_plat_free(&p);
}

TEST(state_survives_reload_and_corruption_refused)
{
	struct tplat p;
	swsev_fw *fw2 = NULL;
	uint8_t pdh1[SWSEV_CERT_LEN], pdh2[SWSEV_CERT_LEN], cek1[SWSEV_CERT_LEN],
		cek2[SWSEV_CERT_LEN];
	uint8_t id1[64], id2[64], *blob = NULL, *copy = NULL, *after = NULL;
	size_t len = 0, alen = 0;

	CHECK(t_plat_new(&p, "genoa") == 0);
	CHECK_EQ(t_init(&p, 0), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_pdh_export(&p, pdh1, NULL), SEV_STATUS_SUCCESS);
	CHECK_EQ(get_id(&p, id1), SEV_STATUS_SUCCESS);
	CHECK_EQ(swsev_fw_cek_signed(p.fw, cek1), SWSEV_OK);
	swsev_fw_free(p.fw);
	p.fw = NULL;
	/* reload: same identity, guests and INIT are volatile */
	CHECK_EQ(swsev_fw_new(swsev_profile_find("genoa"), &p.ops, NULL, &p.fw), SWSEV_OK);
	p.mem = swsev_fw_dram(p.fw);
	{
		uint8_t st[12];
		status(&p, st);
		CHECK_EQ(st[2], SWSEV_PSTATE_UNINIT);
	}
	CHECK_EQ(t_init(&p, 0), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_pdh_export(&p, pdh2, NULL), SEV_STATUS_SUCCESS);
	CHECK_EQ(get_id(&p, id2), SEV_STATUS_SUCCESS);
	CHECK_EQ(swsev_fw_cek_signed(p.fw, cek2), SWSEV_OK);
	CHECK_MEM(pdh1, pdh2, SWSEV_CERT_LEN);
	CHECK_MEM(id1, id2, 64);
	CHECK_MEM(cek1, cek2, SWSEV_CERT_LEN);
	/* another generation cannot load this state */
	CHECK_EQ(swsev_fw_new(swsev_profile_find("rome"), &p.ops, NULL, &fw2), SWSEV_E_INVALID);

	CHECK_EQ(p.ops.nv_load(p.ops.ctx, &blob, &len), SWSEV_OK);
	copy = malloc(len);
	CHECK(copy != NULL);
	memcpy(copy, blob, len);
	/* every single flipped byte, sampled across the file, is refused */
	for (size_t off = 0; off < len; off += 97) {
		blob[off] ^= 0x20;
		CHECK_EQ(p.ops.nv_store(p.ops.ctx, blob, len), SWSEV_OK);
		CHECK_EQ(swsev_fw_new(NULL, &p.ops, t_root(), &fw2), SWSEV_E_INTEGRITY);
		CHECK(fw2 == NULL);
		blob[off] ^= 0x20;
	}
	/* truncated at several points, and extended */
	for (size_t cut = 0; cut < len; cut += len / 7 + 1) {
		CHECK_EQ(p.ops.nv_store(p.ops.ctx, blob, cut), SWSEV_OK);
		CHECK_EQ(swsev_fw_new(NULL, &p.ops, t_root(), &fw2), SWSEV_E_INTEGRITY);
		/* never silently replaced by a new manufacture */
		CHECK_EQ(p.ops.nv_load(p.ops.ctx, &after, &alen), SWSEV_OK);
		CHECK_EQ(alen, cut);
		swsev_clear_free(after, alen);
	}
	/* corrupted while running: INIT reports SECURE_DATA_INVALID */
	CHECK_EQ(t_cmd(&p, SEV_CMD_SHUTDOWN, NULL), SEV_STATUS_SUCCESS);
	blob[len / 2] ^= 1;
	CHECK_EQ(p.ops.nv_store(p.ops.ctx, blob, len), SWSEV_OK);
	CHECK_EQ(t_init(&p, 0), SEV_STATUS_SECURE_DATA_INVALID);
	/* the good state back: INIT works again */
	CHECK_EQ(p.ops.nv_store(p.ops.ctx, copy, len), SWSEV_OK);
	CHECK_EQ(t_init(&p, 0), SEV_STATUS_SUCCESS);
	swsev_clear_free(blob, len);
	free(copy);
	t_plat_free(&p);
}

TEST(nvfile_atomic_storage)
{
	char *dir = th_tmpdir(), path[512], tmp[600];
	struct swsev_fw_ops ops;
	swsev_fw *fw = NULL;
	struct tplat p;
	struct stat st;
	uint8_t pdh1[SWSEV_CERT_LEN], pdh2[SWSEV_CERT_LEN];
	size_t len1 = 0, len2 = 0;
	uint8_t *f1 = NULL, *f2 = NULL;

	CHECK(dir != NULL);
	CHECK_EQ(swsev_nvfile_ops("/nonexistent/dir/x", &ops), SWSEV_E_NOTFOUND);
	CHECK_EQ(swsev_nvfile_ops(dir, &ops), SWSEV_OK);
	CHECK_EQ(swsev_fw_new(NULL, &ops, NULL, &fw), SWSEV_E_INVALID); /* no state, no root */
	CHECK_EQ(swsev_fw_new(NULL, &ops, t_root(), &fw), SWSEV_OK);
	snprintf(path, sizeof(path), "%s/nvstate.bin", dir);
	CHECK_EQ(stat(path, &st), 0);
	CHECK_EQ(st.st_mode & 0777, 0600);
	memset(&p, 0, sizeof(p));
	p.fw = fw;
	p.mem = swsev_fw_dram(fw);
	CHECK_EQ(t_init(&p, 0), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_pdh_export(&p, pdh1, NULL), SEV_STATUS_SUCCESS);
	f1 = th_read_file(path, &len1);
	/* a store that cannot complete (the temp name is taken by a directory):
	 * PDH_GEN fails, the old file and the old PDH stay */
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	CHECK_EQ(mkdir(tmp, 0700), 0);
	CHECK_EQ(t_cmd(&p, SEV_CMD_PDH_GEN, NULL), SEV_STATUS_HWERROR_PLATFORM);
	CHECK(strstr(swsev_fw_ops_last_error(&ops), "nvstate.bin.tmp") != NULL);
	CHECK_EQ(t_pdh_export(&p, pdh2, NULL), SEV_STATUS_SUCCESS);
	CHECK_MEM(pdh1, pdh2, SWSEV_CERT_LEN);
	f2 = th_read_file(path, &len2);
	CHECK_EQ(len1, len2);
	if (f1 && f2 && len1 == len2)
		CHECK_MEM(f1, f2, len1);
	free(f2);
	CHECK_EQ(rmdir(tmp), 0);
	/* now it works, the file changes and stays 0600 */
	CHECK_EQ(t_cmd(&p, SEV_CMD_PDH_GEN, NULL), SEV_STATUS_SUCCESS);
	CHECK_EQ(stat(path, &st), 0);
	CHECK_EQ(st.st_mode & 0777, 0600);
	CHECK_EQ(access(tmp, F_OK), -1);
	f2 = th_read_file(path, &len2);
	CHECK(f2 != NULL && (len1 != len2 || memcmp(f1, f2, len1) != 0));
	swsev_fw_free(fw);
	fw = NULL;
	/* a corrupted file is refused and left as it is */
	if (f2 != NULL) {
		FILE *fp;
		f2[100] ^= 0xff;
		fp = fopen(path, "wb");
		CHECK(fp != NULL);
		if (fp) {
			CHECK_EQ(fwrite(f2, 1, len2, fp), len2);
			fclose(fp);
		}
		CHECK_EQ(swsev_fw_new(NULL, &ops, t_root(), &fw), SWSEV_E_INTEGRITY);
		free(f1);
		f1 = th_read_file(path, &len1);
		CHECK(f1 != NULL && len1 == len2 && memcmp(f1, f2, len1) == 0);
	}
	free(f1);
	free(f2);
	swsev_fw_ops_release(&ops);
	th_rmrf(dir);
	free(dir);
}

TEST(vendor_root_save_load_fleet)
{
	char *dir = th_tmpdir(), path[512];
	swsev_vendor_root *r2 = NULL;
	const uint8_t *ark1, *ask1, *ark2, *ask2;
	size_t ark1l, ask1l, ark2l, ask2l;
	struct stat st;
	struct tplat a, b;
	uint8_t c1[3200], c2[3200], cek[SWSEV_CERT_LEN];
	size_t l1, l2;

	CHECK_EQ(swsev_vendor_root_save(t_root(), dir), SWSEV_OK);
	snprintf(path, sizeof(path), "%s/ark.key", dir);
	CHECK_EQ(stat(path, &st), 0);
	CHECK_EQ(st.st_mode & 0777, 0600);
	snprintf(path, sizeof(path), "%s/ask.key", dir);
	CHECK_EQ(stat(path, &st), 0);
	CHECK_EQ(st.st_mode & 0777, 0600);
	CHECK_EQ(swsev_vendor_root_load(dir, &r2), SWSEV_OK);
	swsev_vendor_root_certs(t_root(), &ark1, &ark1l, &ask1, &ask1l);
	swsev_vendor_root_certs(r2, &ark2, &ark2l, &ask2, &ask2l);
	CHECK_EQ(ark1l, 832);
	CHECK_EQ(ark1l, ark2l);
	CHECK_MEM(ark1, ark2, ark1l);
	CHECK_MEM(ask1, ask2, ask1l);
	/* two platforms manufactured under the loaded root share ASK/ARK; each
	 * CEK verifies under the ASK */
	CHECK(t_plat_new_root(&a, "naples", r2) == 0);
	CHECK(t_plat_new_root(&b, "naples", t_root()) == 0);
	CHECK_EQ(swsev_fw_amd_certs(a.fw, c1, sizeof(c1), &l1), SWSEV_OK);
	CHECK_EQ(swsev_fw_amd_certs(b.fw, c2, sizeof(c2), &l2), SWSEV_OK);
	CHECK_EQ(l1, 1664);
	CHECK_EQ(l1, l2);
	CHECK_MEM(c1, c2, l1);
	CHECK_EQ(swsev_fw_amd_certs(a.fw, c1, 100, &l1), SWSEV_E_LENGTH);
	CHECK_EQ(swsev_fw_cek_signed(a.fw, cek), SWSEV_OK);
	{
		struct swsev_cert c;
		struct swsev_amd_cert ask;
		size_t used;
		CHECK_EQ(swsev_cert_parse(cek, sizeof(cek), &c), SWSEV_OK);
		CHECK_EQ(swsev_amd_cert_parse(ask2, ask2l, 0, &ask, &used), SWSEV_OK);
		CHECK_EQ(swsev_cert_verify_amd(&c, &ask), SWSEV_OK);
		CHECK_EQ(c.sig[0].algo, SWSEV_ALGO_RSA_SHA256);
		cek[0x30] ^= 1;
		CHECK_EQ(swsev_cert_parse(cek, sizeof(cek), &c), SWSEV_OK);
		CHECK(swsev_cert_verify_amd(&c, &ask) != SWSEV_OK);
	}
	/* a damaged key file is refused */
	{
		FILE *fp = fopen(path, "wb");
		CHECK(fp != NULL);
		if (fp) {
			fputs("junk", fp);
			fclose(fp);
		}
		swsev_vendor_root *r3 = NULL;
		CHECK(swsev_vendor_root_load(dir, &r3) != SWSEV_OK);
		CHECK(r3 == NULL);
	}
	t_plat_free(&a);
	t_plat_free(&b);
	swsev_vendor_root_free(r2);
	th_rmrf(dir);
	free(dir);
}

TEST(genoa_root_4096)
{
	swsev_vendor_root *r = NULL;
	struct tplat p;
	uint8_t cek[SWSEV_CERT_LEN], amd[3200];
	size_t len, used;
	struct swsev_cert c;
	struct swsev_amd_cert ask, ark;

	CHECK_EQ(swsev_vendor_root_new(4096, &r), SWSEV_OK);
	CHECK_EQ(swsev_vendor_root_new(3072, &r == NULL ? NULL : &(swsev_vendor_root *){ NULL }),
		 SWSEV_E_INVALID);
	CHECK(t_plat_new_root(&p, "genoa", r) == 0);
	CHECK_EQ(swsev_fw_amd_certs(p.fw, amd, sizeof(amd), &len), SWSEV_OK);
	CHECK_EQ(len, 3200);
	CHECK_EQ(swsev_amd_cert_parse(amd, len, 0, &ask, &used), SWSEV_OK);
	CHECK_EQ(swsev_amd_cert_parse(amd + used, len - used, 0, &ark, &used), SWSEV_OK);
	CHECK_EQ(ark.key_usage, SWSEV_USAGE_ARK);
	CHECK_MEM(ark.key_id, ark.certifying_id, 16);
	CHECK_MEM(ask.certifying_id, ark.key_id, 16);
	CHECK_EQ(swsev_amd_cert_verify(&ark, &ark), SWSEV_OK);
	CHECK_EQ(swsev_amd_cert_verify(&ask, &ark), SWSEV_OK);
	CHECK_EQ(swsev_fw_cek_signed(p.fw, cek), SWSEV_OK);
	CHECK_EQ(swsev_cert_parse(cek, sizeof(cek), &c), SWSEV_OK);
	CHECK_EQ(c.sig[0].usage, SWSEV_USAGE_ASK);
	CHECK_EQ(c.sig[0].algo, SWSEV_ALGO_RSA_SHA384);
	CHECK_EQ(swsev_cert_verify_amd(&c, &ask), SWSEV_OK);
	t_plat_free(&p);
	swsev_vendor_root_free(r);
}

TEST(deterministic_ops)
{
	struct tplat a, b, c;
	uint8_t pa[SWSEV_CERT_LEN], pb[SWSEV_CERT_LEN], pc[SWSEV_CERT_LEN], ia[64], ib[64], ic[64];

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	CHECK_EQ(swsev_nvmem_ops(&a.ops), SWSEV_OK);
	CHECK_EQ(swsev_nvmem_ops(&b.ops), SWSEV_OK);
	CHECK_EQ(swsev_fw_ops_deterministic(&a.ops, "seed", 4), SWSEV_OK);
	CHECK_EQ(swsev_fw_ops_deterministic(&b.ops, "seed", 4), SWSEV_OK);
	CHECK_EQ(swsev_fw_new(NULL, &a.ops, t_root(), &a.fw), SWSEV_OK);
	CHECK_EQ(swsev_fw_new(NULL, &b.ops, t_root(), &b.fw), SWSEV_OK);
	a.mem = swsev_fw_dram(a.fw);
	b.mem = swsev_fw_dram(b.fw);
	CHECK(t_plat_new(&c, "genoa") == 0); /* default: the CSPRNG */
	CHECK_EQ(t_init(&a, 0), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_init(&b, 0), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_init(&c, 0), SEV_STATUS_SUCCESS);
	CHECK_EQ(get_id(&a, ia), SEV_STATUS_SUCCESS);
	CHECK_EQ(get_id(&b, ib), SEV_STATUS_SUCCESS);
	CHECK_EQ(get_id(&c, ic), SEV_STATUS_SUCCESS);
	CHECK_MEM(ia, ib, 64);
	CHECK(memcmp(ia, ic, 64) != 0);
	CHECK_EQ(t_pdh_export(&a, pa, NULL), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_pdh_export(&b, pb, NULL), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_pdh_export(&c, pc, NULL), SEV_STATUS_SUCCESS);
	/* same keys (ECDSA signatures are randomized by OpenSSL, compare the body) */
	CHECK_MEM(pa, pb, SWSEV_CERT_BODY_LEN);
	CHECK(memcmp(pa, pc, SWSEV_CERT_BODY_LEN) != 0);
	t_plat_free(&a);
	t_plat_free(&b);
	t_plat_free(&c);
}

TH_MAIN_BEGIN("test_fw_platform")
RUN(profiles);
RUN(unknown_and_short_commands);
RUN(platform_lifecycle);
RUN(init_options);
RUN(lengths_and_queries);
RUN(pek_csr_and_import);
RUN(state_survives_reload_and_corruption_refused);
RUN(nvfile_atomic_storage);
RUN(vendor_root_save_load_fleet);
RUN(genoa_root_4096);
RUN(deterministic_ops);
swsev_vendor_root_free(t_root_cached);
TH_MAIN_END
