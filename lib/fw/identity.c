/*
 * Platform keys: the CEK derived from the chip secret, and the OCA, PEK and
 * PDH key pairs with their certificates (certificates.md §4).
 */
#include <string.h>

#include "codec/codec.h"
#include "fw/fw_int.h"

/*
 * CEK (certificates.md §4): seed = SHA-256(chip secret); candidate i =
 * KDF(seed, 48, "sev-chip-endorsement-key", context) with an empty context
 * for i = 0 and the single byte i afterwards; the first candidate that is a
 * valid P-384 scalar is the CEK (instead of Genoa's 56-byte "extra random
 * bits" reduction, which would need big-number arithmetic outside
 * lib/crypto). GET_ID = KDF(seed, 64, "swsev-get-id"): stable per chip and
 * reveals nothing of the secret.
 */
swsev_err fw_cek_derive(swsev_fw *fw)
{
	uint8_t seed[32], d[48];
	swsev_ec_key *k = NULL;
	swsev_err r;

	r = swsev_sha256(fw->nv.chip_secret, sizeof(fw->nv.chip_secret), seed);
	for (unsigned i = 0; r == SWSEV_OK && i < 256; i++) {
		uint8_t ctx = (uint8_t)i;
		r = swsev_kdf_sp800_108(seed, sizeof(seed), "sev-chip-endorsement-key",
					i ? &ctx : NULL, i ? 1 : 0, d, sizeof(d));
		if (r != SWSEV_OK)
			break;
		r = swsev_ec_from_private(d, &k);
		if (r == SWSEV_OK)
			break;
		r = SWSEV_OK;
	}
	if (r == SWSEV_OK && k == NULL)
		r = SWSEV_E_CRYPTO;
	if (r == SWSEV_OK)
		r = swsev_kdf_sp800_108(seed, sizeof(seed), "swsev-get-id", NULL, 0, fw->get_id,
					sizeof(fw->get_id));
	if (r == SWSEV_OK) {
		swsev_ec_free(fw->cek);
		fw->cek = k;
		k = NULL;
	}
	swsev_ec_free(k);
	swsev_wipe(seed, sizeof(seed));
	swsev_wipe(d, sizeof(d));
	return r;
}

static swsev_err key_from_d(const uint8_t d[48], swsev_ec_key **out)
{
	return swsev_ec_from_private(d, out);
}

void fw_ident_drop(swsev_fw *fw)
{
	swsev_ec_free(fw->oca);
	swsev_ec_free(fw->pek);
	swsev_ec_free(fw->pdh);
	fw->oca = fw->pek = fw->pdh = NULL;
	fw->nv.have_ident = 0;
	fw->nv.owner_ext = 0;
	fw->nv.have_oca_priv = 0;
	swsev_wipe(fw->nv.oca_d, sizeof(fw->nv.oca_d));
	swsev_wipe(fw->nv.pek_d, sizeof(fw->nv.pek_d));
	swsev_wipe(fw->nv.pdh_d, sizeof(fw->nv.pdh_d));
	memset(fw->nv.oca_cert, 0, sizeof(fw->nv.oca_cert));
	memset(fw->nv.pek_cert, 0, sizeof(fw->nv.pek_cert));
	memset(fw->nv.pdh_cert, 0, sizeof(fw->nv.pdh_cert));
	memset(&fw->oca_cert, 0, sizeof(fw->oca_cert));
	memset(&fw->pek_cert, 0, sizeof(fw->pek_cert));
	memset(&fw->pdh_cert, 0, sizeof(fw->pdh_cert));
}

swsev_err fw_ident_from_nv(swsev_fw *fw)
{
	swsev_ec_key *oca = NULL, *pek = NULL, *pdh = NULL;
	struct swsev_cert oc, pc, dc, cek;
	swsev_err r;

	r = fw_cek_derive(fw);
	if (r == SWSEV_OK)
		r = swsev_cert_parse(fw->nv.cek_signed, sizeof(fw->nv.cek_signed), &cek);
	if (r == SWSEV_OK) {
		swsev_cert_clear_sig(&cek, 0);
		swsev_cert_clear_sig(&cek, 1);
		r = swsev_cert_encode(&cek, cek.raw);
	}
	if (r == SWSEV_OK)
		fw->cek_unsigned = cek;
	if (r != SWSEV_OK || !fw->nv.have_ident)
		goto out;
	r = swsev_cert_parse(fw->nv.oca_cert, SWSEV_CERT_LEN, &oc);
	if (r == SWSEV_OK)
		r = swsev_cert_parse(fw->nv.pek_cert, SWSEV_CERT_LEN, &pc);
	if (r == SWSEV_OK)
		r = swsev_cert_parse(fw->nv.pdh_cert, SWSEV_CERT_LEN, &dc);
	if (r == SWSEV_OK && fw->nv.have_oca_priv)
		r = key_from_d(fw->nv.oca_d, &oca);
	if (r == SWSEV_OK)
		r = key_from_d(fw->nv.pek_d, &pek);
	if (r == SWSEV_OK)
		r = key_from_d(fw->nv.pdh_d, &pdh);
	if (r != SWSEV_OK)
		goto out;
	swsev_ec_free(fw->oca);
	swsev_ec_free(fw->pek);
	swsev_ec_free(fw->pdh);
	fw->oca = oca;
	fw->pek = pek;
	fw->pdh = pdh;
	oca = pek = pdh = NULL;
	fw->oca_cert = oc;
	fw->pek_cert = pc;
	fw->pdh_cert = dc;
out:
	swsev_ec_free(oca);
	swsev_ec_free(pek);
	swsev_ec_free(pdh);
	return r;
}

/* A new PDH signed by the current PEK, into the scratch cert/key. */
static swsev_err make_pdh(swsev_fw *fw, const swsev_ec_key *pek, swsev_ec_key **pdh,
			  struct swsev_cert *pdh_cert)
{
	const struct swsev_profile *p = fw->prof;
	swsev_err r = fw_ec_keygen(fw, pdh);
	if (r == SWSEV_OK)
		r = swsev_cert_init_ec(pdh_cert, p->api_major, p->api_minor, SWSEV_USAGE_PDH,
				       SWSEV_ALGO_ECDH_SHA256, *pdh);
	if (r == SWSEV_OK)
		r = swsev_cert_sign_ec(pdh_cert, 0, SWSEV_USAGE_PEK, SWSEV_ALGO_ECDSA_SHA256, pek);
	if (r == SWSEV_OK)
		r = swsev_cert_encode(pdh_cert, pdh_cert->raw);
	return r;
}

swsev_err fw_pdh_generate(swsev_fw *fw)
{
	swsev_ec_key *pdh = NULL;
	struct swsev_cert dc;
	swsev_err r;

	if (fw->pek == NULL)
		return SWSEV_E_STATE;
	r = make_pdh(fw, fw->pek, &pdh, &dc);
	if (r == SWSEV_OK)
		r = swsev_ec_get_private(pdh, fw->nv.pdh_d);
	if (r == SWSEV_OK) {
		memcpy(fw->nv.pdh_cert, dc.raw, SWSEV_CERT_LEN);
		fw->pdh_cert = dc;
		swsev_ec_free(fw->pdh);
		fw->pdh = pdh;
		pdh = NULL;
	}
	swsev_ec_free(pdh);
	return r;
}

swsev_err fw_ident_generate(swsev_fw *fw)
{
	const struct swsev_profile *p = fw->prof;
	swsev_ec_key *oca = NULL, *pek = NULL, *pdh = NULL;
	struct swsev_cert oc, pc, dc;
	uint8_t od[48], pd[48], dd[48];
	swsev_err r;

	r = fw_ec_keygen(fw, &oca);
	if (r == SWSEV_OK)
		r = swsev_cert_init_ec(&oc, p->api_major, p->api_minor, SWSEV_USAGE_OCA,
				       SWSEV_ALGO_ECDSA_SHA256, oca);
	if (r == SWSEV_OK)
		r = swsev_cert_sign_ec(&oc, 0, SWSEV_USAGE_OCA, SWSEV_ALGO_ECDSA_SHA256, oca);
	if (r == SWSEV_OK)
		r = swsev_cert_encode(&oc, oc.raw);
	if (r == SWSEV_OK)
		r = fw_ec_keygen(fw, &pek);
	if (r == SWSEV_OK)
		r = swsev_cert_init_ec(&pc, p->api_major, p->api_minor, SWSEV_USAGE_PEK,
				       SWSEV_ALGO_ECDSA_SHA256, pek);
	/* Real self-owned PEKs: slot 1 = OCA, slot 2 = CEK (certificates.md §3.3). */
	if (r == SWSEV_OK)
		r = swsev_cert_sign_ec(&pc, 0, SWSEV_USAGE_OCA, SWSEV_ALGO_ECDSA_SHA256, oca);
	if (r == SWSEV_OK)
		r = swsev_cert_sign_ec(&pc, 1, SWSEV_USAGE_CEK, SWSEV_ALGO_ECDSA_SHA256, fw->cek);
	if (r == SWSEV_OK)
		r = swsev_cert_encode(&pc, pc.raw);
	if (r == SWSEV_OK)
		r = make_pdh(fw, pek, &pdh, &dc);
	if (r == SWSEV_OK)
		r = swsev_ec_get_private(oca, od);
	if (r == SWSEV_OK)
		r = swsev_ec_get_private(pek, pd);
	if (r == SWSEV_OK)
		r = swsev_ec_get_private(pdh, dd);
	if (r != SWSEV_OK)
		goto out;
	fw_ident_drop(fw);
	memcpy(fw->nv.oca_d, od, 48);
	memcpy(fw->nv.pek_d, pd, 48);
	memcpy(fw->nv.pdh_d, dd, 48);
	memcpy(fw->nv.oca_cert, oc.raw, SWSEV_CERT_LEN);
	memcpy(fw->nv.pek_cert, pc.raw, SWSEV_CERT_LEN);
	memcpy(fw->nv.pdh_cert, dc.raw, SWSEV_CERT_LEN);
	fw->nv.have_ident = 1;
	fw->nv.have_oca_priv = 1;
	fw->nv.owner_ext = 0;
	fw->oca = oca;
	fw->pek = pek;
	fw->pdh = pdh;
	oca = pek = pdh = NULL;
	fw->oca_cert = oc;
	fw->pek_cert = pc;
	fw->pdh_cert = dc;
out:
	swsev_ec_free(oca);
	swsev_ec_free(pek);
	swsev_ec_free(pdh);
	swsev_wipe(od, sizeof(od));
	swsev_wipe(pd, sizeof(pd));
	swsev_wipe(dd, sizeof(dd));
	return r;
}
