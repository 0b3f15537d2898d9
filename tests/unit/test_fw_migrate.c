/*
 * Migration between two platforms manufactured under one emulated root:
 * SEND_START (target chain per policy SEV / DOMAIN, NOSEND, API minimum),
 * SEND_UPDATE_*, RECEIVE_*, memory identical under the new ASID with other
 * ciphertext; tampering refused.
 */
#include <stdlib.h>
#include <string.h>

#include "fw/fw_int.h"
#include "test_fw_util.h"

#define SRC_ASID 300
#define DST_ASID 700
#define IMG (3 * 4096 + 0x5000)

struct target {
	uint8_t pdh[SWSEV_CERT_LEN];
	uint8_t chain[SWSEV_CHAIN_LEN]; /* PEK || OCA || CEK (signed) */
	uint8_t amd[3200];
	size_t amd_len;
};

static void get_target(struct tplat *t, struct target *x)
{
	CHECK_EQ(t_pdh_export(t, x->pdh, x->chain), SEV_STATUS_SUCCESS);
	CHECK_EQ(swsev_fw_cek_signed(t->fw, x->chain + 2 * SWSEV_CERT_LEN), SWSEV_OK);
	CHECK_EQ(swsev_fw_amd_certs(t->fw, x->amd, sizeof(x->amd), &x->amd_len), SWSEV_OK);
}

static uint16_t send_start(struct tplat *s, uint32_t h, const struct target *x, uint32_t sess_len,
			   uint8_t session[SWSEV_SESSION_LEN], uint32_t *policy_out)
{
	uint8_t b[0x44] = { 0 };
	uint16_t st;
	t_write(s, T_BUF, x->pdh, SWSEV_CERT_LEN);
	t_write(s, T_BUF2, x->chain, SWSEV_CHAIN_LEN);
	t_write(s, T_BUF3, x->amd, x->amd_len);
	swsev_wle32(b, h);
	swsev_wle64(b + 0x08, T_BUF);
	swsev_wle32(b + 0x10, SWSEV_CERT_LEN);
	swsev_wle64(b + 0x18, T_BUF2);
	swsev_wle32(b + 0x20, SWSEV_CHAIN_LEN);
	swsev_wle64(b + 0x28, T_BUF3);
	swsev_wle32(b + 0x30, (uint32_t)x->amd_len);
	swsev_wle64(b + 0x38, T_OUT);
	swsev_wle32(b + 0x40, sess_len);
	st = t_cmd(s, SEV_CMD_SEND_START, b);
	if (st == SEV_STATUS_SUCCESS)
		t_read(s, T_OUT, session, SWSEV_SESSION_LEN);
	if (policy_out)
		*policy_out = swsev_le32(b + 4);
	if (st == SEV_STATUS_INVALID_LENGTH)
		CHECK_EQ(swsev_le32(b + 0x40), SWSEV_SESSION_LEN);
	return st;
}

static uint16_t receive_start(struct tplat *d, uint32_t policy, const uint8_t *src_pdh,
			      const uint8_t *session, uint32_t *h)
{
	uint8_t b[0x24] = { 0 };
	uint16_t st;
	t_write(d, T_BUF, src_pdh, SWSEV_CERT_LEN);
	t_write(d, T_BUF2, session, SWSEV_SESSION_LEN);
	swsev_wle32(b + 4, policy);
	swsev_wle64(b + 8, T_BUF);
	swsev_wle32(b + 0x10, SWSEV_CERT_LEN);
	swsev_wle64(b + 0x18, T_BUF2);
	swsev_wle32(b + 0x20, SWSEV_SESSION_LEN);
	st = t_cmd(d, SEV_CMD_RECEIVE_START, b);
	*h = swsev_le32(b);
	return st;
}

/* One packet: SEND_UPDATE on s, carried to d, RECEIVE_UPDATE on d. */
static uint16_t move(struct tplat *s, uint32_t sh, struct tplat *d, uint32_t dh, int vmsa,
		     uint64_t src_pa, uint64_t dst_pa, uint32_t len, int tamper)
{
	uint8_t hdr[SWSEV_PKT_HDR_LEN], *pkt = malloc(len), xb[0x34];
	uint16_t st;
	st = t_xport(s, vmsa ? SEV_CMD_SEND_UPDATE_VMSA : SEV_CMD_SEND_UPDATE_DATA, sh, T_OUT, 52,
		     src_pa, len, T_BUF4, len, xb);
	if (st != SEV_STATUS_SUCCESS) {
		free(pkt);
		return st;
	}
	CHECK_EQ(swsev_le32(xb + 0x10), 52);
	t_read(s, T_OUT, hdr, sizeof(hdr));
	t_read(s, T_BUF4, pkt, len);
	if (tamper == 1)
		hdr[30] ^= 1;
	if (tamper == 2)
		pkt[len - 1] ^= 1;
	t_write(d, T_OUT, hdr, sizeof(hdr));
	t_write(d, T_BUF4, pkt, len);
	free(pkt);
	return t_xport(d, vmsa ? SEV_CMD_RECEIVE_UPDATE_VMSA : SEV_CMD_RECEIVE_UPDATE_DATA, dh,
		       T_OUT, 52, dst_pa, len, T_BUF4, len, NULL);
}

struct pair {
	struct tplat a, b;
	struct target tb;
	uint8_t pdh_a[SWSEV_CERT_LEN];
};

static int pair_new(struct pair *p, int es)
{
	if (t_plat_new(&p->a, "genoa") || t_plat_new(&p->b, "genoa"))
		return -1;
	if (t_init_flush(&p->a, es) || t_init_flush(&p->b, es))
		return -1;
	get_target(&p->b, &p->tb);
	return t_pdh_export(&p->a, p->pdh_a, NULL) == SEV_STATUS_SUCCESS ? 0 : -1;
}

static void pair_free(struct pair *p)
{
	t_plat_free(&p->a);
	t_plat_free(&p->b);
}

static void migrate_and_compare(uint32_t policy)
{
	struct pair p;
	uint32_t sh, dh, pol = 0;
	uint8_t session[SWSEV_SESSION_LEN], *orig = malloc(IMG), *got = malloc(IMG),
					    *ca = malloc(IMG), *cb = malloc(IMG), gst;

	CHECK(pair_new(&p, 0) == 0);
	sh = t_quick_guest(&p.a, policy, SRC_ASID, IMG);
	CHECK(sh != 0);
	CHECK_EQ(swsev_mem_read_enc(p.a.mem, SRC_ASID, T_GUEST, orig, IMG), SWSEV_OK);
	/* length query for the session */
	CHECK_EQ(send_start(&p.a, sh, &p.tb, 0, session, NULL), SEV_STATUS_INVALID_LENGTH);
	CHECK_EQ(send_start(&p.a, sh, &p.tb, SWSEV_SESSION_LEN, session, &pol), SEV_STATUS_SUCCESS);
	CHECK_EQ(pol, policy);
	CHECK_EQ(t_guest_status(&p.a, sh, NULL, NULL, &gst), SEV_STATUS_SUCCESS);
	CHECK_EQ(gst, SWSEV_GSTATE_SUPDATE);
	/* hdr_len query */
	{
		uint8_t xb[0x34];
		CHECK_EQ(t_xport(&p.a, SEV_CMD_SEND_UPDATE_DATA, sh, 0, 0, 0, 0, 0, 0, xb),
			 SEV_STATUS_INVALID_LENGTH);
		CHECK_EQ(swsev_le32(xb + 0x10), 52);
		CHECK_EQ(t_xport(&p.a, SEV_CMD_SEND_UPDATE_DATA, sh, T_OUT, 52, T_GUEST, 0x5010,
				 T_BUF4, 0x5010, NULL),
			 SEV_STATUS_INVALID_LENGTH);
		CHECK_EQ(t_xport(&p.a, SEV_CMD_SEND_UPDATE_DATA, sh, T_OUT, 52, T_GUEST + 8, 16,
				 T_BUF4, 16, NULL),
			 SEV_STATUS_INVALID_ADDRESS);
	}
	/* the receiver: the sender's PDH and the session */
	{
		uint8_t bad[SWSEV_SESSION_LEN];
		memcpy(bad, session, sizeof(bad));
		bad[0x50] ^= 4; /* wrap_mac */
		CHECK_EQ(receive_start(&p.b, policy, p.pdh_a, bad, &dh),
			 SEV_STATUS_BAD_MEASUREMENT);
		CHECK_EQ(receive_start(&p.b, policy ^ SWSEV_POLICY_NOKS, p.pdh_a, session, &dh),
			 SEV_STATUS_BAD_MEASUREMENT);
		/* the receiver's own PDH instead of the sender's: another Z */
		CHECK_EQ(receive_start(&p.b, policy, p.tb.pdh, session, &dh),
			 SEV_STATUS_BAD_MEASUREMENT);
	}
	CHECK_EQ(receive_start(&p.b, policy, p.pdh_a, session, &dh), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_activate(&p.b, dh, DST_ASID), SEV_STATUS_SUCCESS);
	/* a tampered packet is refused, the genuine ones land */
	CHECK_EQ(move(&p.a, sh, &p.b, dh, 0, T_GUEST, T_GUEST2, 4096, 1),
		 SEV_STATUS_BAD_MEASUREMENT);
	CHECK_EQ(move(&p.a, sh, &p.b, dh, 0, T_GUEST, T_GUEST2, 4096, 2),
		 SEV_STATUS_BAD_MEASUREMENT);
	CHECK_EQ(move(&p.a, sh, &p.b, dh, 0, T_GUEST, T_GUEST2, 4096, 0), SEV_STATUS_SUCCESS);
	CHECK_EQ(move(&p.a, sh, &p.b, dh, 0, T_GUEST + 4096, T_GUEST2 + 4096, 2 * 4096, 0),
		 SEV_STATUS_SUCCESS);
	CHECK_EQ(move(&p.a, sh, &p.b, dh, 0, T_GUEST + 3 * 4096, T_GUEST2 + 3 * 4096, 0x5000, 0),
		 SEV_STATUS_SUCCESS);
	CHECK_EQ(t_handle_cmd(&p.a, SEV_CMD_SEND_FINISH, sh), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_handle_cmd(&p.b, SEV_CMD_RECEIVE_FINISH, dh), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_guest_status(&p.a, sh, NULL, NULL, &gst), SEV_STATUS_SUCCESS);
	CHECK_EQ(gst, SWSEV_GSTATE_SENT);
	CHECK_EQ(t_guest_status(&p.b, dh, NULL, NULL, &gst), SEV_STATUS_SUCCESS);
	CHECK_EQ(gst, SWSEV_GSTATE_RUNNING);
	/* same memory under the new ASID (same address here), other ciphertext */
	CHECK_EQ(swsev_mem_read_enc(p.b.mem, DST_ASID, T_GUEST2, got, IMG), SWSEV_OK);
	CHECK_MEM(got, orig, IMG);
	t_read(&p.a, T_GUEST, ca, IMG);
	t_read(&p.b, T_GUEST2, cb, IMG);
	CHECK(memcmp(ca, cb, 4096) != 0);
	CHECK(memcmp(cb, orig, 4096) != 0);
	/* the channel is closed */
	CHECK_EQ(move(&p.a, sh, &p.b, dh, 0, T_GUEST, T_GUEST2, 4096, 0),
		 SEV_STATUS_INVALID_GUEST_STATE);
	pair_free(&p);
	free(orig);
	free(got);
	free(ca);
	free(cb);
}

TEST(migrate_plain_policy)
{
	migrate_and_compare(0);
}
TEST(migrate_sev_policy)
{
	migrate_and_compare(SWSEV_POLICY_SEV | SWSEV_POLICY_NOKS);
}

TEST(send_start_refusals)
{
	struct pair p;
	struct target x;
	uint8_t session[SWSEV_SESSION_LEN];
	uint32_t h;
	swsev_vendor_root *other = NULL;
	struct tplat c;

	CHECK(pair_new(&p, 0) == 0);
	/* NOSEND */
	h = t_quick_guest(&p.a, SWSEV_POLICY_NOSEND, 300, 4096);
	CHECK_EQ(send_start(&p.a, h, &p.tb, SWSEV_SESSION_LEN, session, NULL),
		 SEV_STATUS_POLICY_FAILURE);
	/* policy SEV and a forged chain */
	h = t_quick_guest(&p.a, SWSEV_POLICY_SEV, 301, 4096);
	x = p.tb;
	x.chain[0x41C + 10] ^= 1; /* a PEK signature byte (slot 1 = OCA, slot 2 = CEK) */
	x.chain[0x624 + 10] ^= 1;
	CHECK_EQ(send_start(&p.a, h, &x, SWSEV_SESSION_LEN, session, NULL),
		 SEV_STATUS_BAD_SIGNATURE);
	x = p.tb;
	x.pdh[0x41C + 5] ^= 1; /* the PDH's signature by the PEK */
	CHECK_EQ(send_start(&p.a, h, &x, SWSEV_SESSION_LEN, session, NULL),
		 SEV_STATUS_BAD_SIGNATURE);
	x = p.tb;
	x.chain[2 * SWSEV_CERT_LEN + 0x41C + 3] ^= 1; /* the CEK's ASK signature */
	CHECK_EQ(send_start(&p.a, h, &x, SWSEV_SESSION_LEN, session, NULL),
		 SEV_STATUS_BAD_SIGNATURE);
	/* the CEK as PDH_CERT_EXPORT gives it (unsigned) */
	x = p.tb;
	CHECK_EQ(t_pdh_export(&p.b, x.pdh, x.chain), SEV_STATUS_SUCCESS);
	CHECK_EQ(send_start(&p.a, h, &x, SWSEV_SESSION_LEN, session, NULL),
		 SEV_STATUS_INVALID_CERTIFICATE);
	/* ASK || ARK of a wrong size */
	x = p.tb;
	x.amd_len -= 1;
	CHECK_EQ(send_start(&p.a, h, &x, SWSEV_SESSION_LEN, session, NULL),
		 SEV_STATUS_INVALID_LENGTH);
	/* a target manufactured under another root */
	CHECK_EQ(swsev_vendor_root_new(2048, &other), SWSEV_OK);
	CHECK(t_plat_new_root(&c, "genoa", other) == 0);
	CHECK_EQ(t_init_flush(&c, 0), SEV_STATUS_SUCCESS);
	get_target(&c, &x);
	CHECK_EQ(send_start(&p.a, h, &x, SWSEV_SESSION_LEN, session, NULL),
		 SEV_STATUS_INVALID_CERTIFICATE);
	/* ...even if it presents our ASK/ARK, its CEK is not signed by our ASK */
	memcpy(x.amd, p.tb.amd, p.tb.amd_len);
	x.amd_len = p.tb.amd_len;
	CHECK_EQ(send_start(&p.a, h, &x, SWSEV_SESSION_LEN, session, NULL),
		 SEV_STATUS_BAD_SIGNATURE);
	/* the genuine chain works */
	CHECK_EQ(send_start(&p.a, h, &p.tb, SWSEV_SESSION_LEN, session, NULL), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_handle_cmd(&p.a, SEV_CMD_SEND_CANCEL, h), SEV_STATUS_SUCCESS);
	CHECK_EQ(send_start(&p.a, h, &p.tb, SWSEV_SESSION_LEN, session, NULL), SEV_STATUS_SUCCESS);
	/* policy API minimum 0.23 above the target's 0.22 (launched without a
	 * session, so the source did not check it) */
	h = t_quick_guest(&p.a, SWSEV_POLICY_SEV | (23u << 24), 302, 4096);
	CHECK(h != 0);
	CHECK_EQ(send_start(&p.a, h, &p.tb, SWSEV_SESSION_LEN, session, NULL),
		 SEV_STATUS_POLICY_FAILURE);
	/* DOMAIN: the target's OCA differs from ours */
	h = t_quick_guest(&p.a, SWSEV_POLICY_DOMAIN, 303, 4096);
	CHECK_EQ(send_start(&p.a, h, &p.tb, SWSEV_SESSION_LEN, session, NULL),
		 SEV_STATUS_POLICY_FAILURE);
	/* DOMAIN against ourselves (same OCA) passes */
	get_target(&p.a, &x);
	CHECK_EQ(send_start(&p.a, h, &x, SWSEV_SESSION_LEN, session, NULL), SEV_STATUS_SUCCESS);
	/* a PDH that is not a PDH */
	h = t_quick_guest(&p.a, 0, 304, 4096);
	x = p.tb;
	memcpy(x.pdh, p.tb.chain, SWSEV_CERT_LEN);
	CHECK_EQ(send_start(&p.a, h, &x, SWSEV_SESSION_LEN, session, NULL),
		 SEV_STATUS_INVALID_CERTIFICATE);
	/* RECEIVE_START checks the policy's API minimum against the receiver */
	{
		uint32_t dh;
		h = t_quick_guest(&p.a, 23u << 24, 305, 4096);
		CHECK_EQ(send_start(&p.a, h, &p.tb, SWSEV_SESSION_LEN, session, NULL),
			 SEV_STATUS_SUCCESS);
		CHECK_EQ(receive_start(&p.b, 23u << 24, p.pdh_a, session, &dh),
			 SEV_STATUS_POLICY_FAILURE);
	}
	t_plat_free(&c);
	swsev_vendor_root_free(other);
	pair_free(&p);
}

TEST(migrate_es_guest_with_vmsa)
{
	struct pair p;
	uint32_t sh, dh, policy = SWSEV_POLICY_ES;
	uint8_t vmsa[4096], got[4096], session[SWSEV_SESSION_LEN], m[48];

	CHECK(pair_new(&p, 1) == 0);
	t_pattern(vmsa, sizeof(vmsa), 77);
	t_write(&p.a, T_GUEST, vmsa, sizeof(vmsa));
	CHECK_EQ(t_launch_start(&p.a, 0, policy, NULL, NULL, &sh), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_activate(&p.a, sh, 5), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_update(&p.a, SEV_CMD_LAUNCH_UPDATE_VMSA, sh, T_GUEST, 4096), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_measure(&p.a, sh, m), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_handle_cmd(&p.a, SEV_CMD_LAUNCH_FINISH, sh), SEV_STATUS_SUCCESS);
	CHECK_EQ(send_start(&p.a, sh, &p.tb, SWSEV_SESSION_LEN, session, NULL), SEV_STATUS_SUCCESS);
	CHECK_EQ(receive_start(&p.b, policy, p.pdh_a, session, &dh), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_activate(&p.b, dh, 9), SEV_STATUS_SUCCESS);
	CHECK_EQ(move(&p.a, sh, &p.b, dh, 1, T_GUEST, T_GUEST2, 4096, 0), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_handle_cmd(&p.b, SEV_CMD_RECEIVE_FINISH, dh), SEV_STATUS_SUCCESS);
	CHECK_EQ(swsev_mem_read_enc(p.b.mem, 9, T_GUEST2, got, 4096), SWSEV_OK);
	CHECK_MEM(got, vmsa, 4096);
	pair_free(&p);
}

/* VMSA integrity (commands.md §11.2, Genoa): SEND_UPDATE_VMSA sends only a
 * VMSA whose plaintext is what LAUNCH_UPDATE_VMSA / RECEIVE_UPDATE_VMSA
 * left; a host rewrite of its ciphertext, another address or length is
 * INVALID_PARAM; the original ciphertext replayed passes again. */
TEST(send_vmsa_integrity)
{
	struct pair p;
	uint32_t sh, dh, policy = SWSEV_POLICY_ES;
	uint8_t vmsa[4096], ct[4096], session[SWSEV_SESSION_LEN], m[48], xb[0x34];

	CHECK(pair_new(&p, 1) == 0);
	t_pattern(vmsa, sizeof(vmsa), 91);
	t_write(&p.a, T_GUEST, vmsa, sizeof(vmsa));
	t_write(&p.a, T_GUEST + 0x1000, vmsa, sizeof(vmsa));
	CHECK_EQ(t_launch_start(&p.a, 0, policy, NULL, NULL, &sh), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_activate(&p.a, sh, 5), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_update(&p.a, SEV_CMD_LAUNCH_UPDATE_VMSA, sh, T_GUEST, 4096), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_update(&p.a, SEV_CMD_LAUNCH_UPDATE_DATA, sh, T_GUEST + 0x1000, 4096),
		 SEV_STATUS_SUCCESS);
	CHECK_EQ(t_measure(&p.a, sh, m), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_handle_cmd(&p.a, SEV_CMD_LAUNCH_FINISH, sh), SEV_STATUS_SUCCESS);
	CHECK_EQ(send_start(&p.a, sh, &p.tb, SWSEV_SESSION_LEN, session, NULL), SEV_STATUS_SUCCESS);

	/* the host flips one ciphertext bit of the VMSA */
	t_read(&p.a, T_GUEST, ct, sizeof(ct));
	ct[100] ^= 0x10;
	t_write(&p.a, T_GUEST, ct, sizeof(ct));
	CHECK_EQ(t_xport(&p.a, SEV_CMD_SEND_UPDATE_VMSA, sh, T_OUT, 52, T_GUEST, 4096, T_BUF4, 4096,
			 xb),
		 SEV_STATUS_INVALID_PARAM);
	/* the data page holding the same bytes is not a VMSA; nor is a part
	 * of the VMSA; SEND_UPDATE_DATA of the tampered page still works */
	CHECK_EQ(t_xport(&p.a, SEV_CMD_SEND_UPDATE_VMSA, sh, T_OUT, 52, T_GUEST + 0x1000, 4096,
			 T_BUF4, 4096, xb),
		 SEV_STATUS_INVALID_PARAM);
	CHECK_EQ(t_xport(&p.a, SEV_CMD_SEND_UPDATE_VMSA, sh, T_OUT, 52, T_GUEST, 2048, T_BUF4, 4096,
			 xb),
		 SEV_STATUS_INVALID_PARAM);
	CHECK_EQ(t_xport(&p.a, SEV_CMD_SEND_UPDATE_DATA, sh, T_OUT, 52, T_GUEST, 4096, T_BUF4, 4096,
			 xb),
		 SEV_STATUS_SUCCESS);
	/* the original ciphertext back (SEV has no memory integrity): it passes */
	ct[100] ^= 0x10;
	t_write(&p.a, T_GUEST, ct, sizeof(ct));
	CHECK_EQ(receive_start(&p.b, policy, p.pdh_a, session, &dh), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_activate(&p.b, dh, 9), SEV_STATUS_SUCCESS);
	CHECK_EQ(move(&p.a, sh, &p.b, dh, 1, T_GUEST, T_GUEST2, 4096, 0), SEV_STATUS_SUCCESS);
	/* RECEIVE_UPDATE_VMSA takes exactly one page */
	CHECK_EQ(t_xport(&p.b, SEV_CMD_RECEIVE_UPDATE_VMSA, dh, T_OUT, 52, T_GUEST2, 2048, T_BUF4,
			 2048, NULL),
		 SEV_STATUS_INVALID_LENGTH);
	pair_free(&p);
}

/* A guest holds at most FW_VMSA_MAX VMSAs: one more is RESOURCE_LIMIT, a
 * known address can be updated again, and the refused one leaves no trace. */
TEST(vmsa_slots_limit)
{
	struct tplat a;
	uint32_t h;

	CHECK(t_plat_new(&a, "genoa") == 0);
	CHECK_EQ(t_init_flush(&a, 1), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_launch_start(&a, 0, SWSEV_POLICY_ES, NULL, NULL, &h), SEV_STATUS_SUCCESS);
	CHECK_EQ(t_activate(&a, h, 5), SEV_STATUS_SUCCESS);
	for (uint32_t i = 0; i < FW_VMSA_MAX; i++)
		if (t_update(&a, SEV_CMD_LAUNCH_UPDATE_VMSA, h, T_GUEST + (uint64_t)i * 4096,
			     4096) != SEV_STATUS_SUCCESS) {
			CHECK(0);
			break;
		}
	CHECK_EQ(t_update(&a, SEV_CMD_LAUNCH_UPDATE_VMSA, h, T_GUEST + (uint64_t)FW_VMSA_MAX * 4096,
			  4096),
		 SEV_STATUS_RESOURCE_LIMIT);
	CHECK_EQ(t_update(&a, SEV_CMD_LAUNCH_UPDATE_VMSA, h, T_GUEST, 4096), SEV_STATUS_SUCCESS);
	t_plat_free(&a);
}

TH_MAIN_BEGIN("test_fw_migrate")
RUN(migrate_plain_policy);
RUN(migrate_sev_policy);
RUN(send_start_refusals);
RUN(migrate_es_guest_with_vmsa);
RUN(send_vmsa_integrity);
RUN(vmsa_slots_limit);
swsev_vendor_root_free(t_root_cached);
TH_MAIN_END
