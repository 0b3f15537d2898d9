/*
 * The guest owner's LAUNCH_START step (crypto.md §4.1): check the
 * platform's PDH, make a fresh GODH key and TEK/TIK/nonce/IV, and build the
 * GODH certificate and the session blob.
 */
#include <string.h>

#include "swsev/cert.h"
#include "swsev/crypto.h"
#include "swsev/launch.h"

swsev_err swsev_owner_check_pdh(const struct swsev_cert *pdh, swsev_ec_key **key_out)
{
	swsev_ec_key *k = NULL;
	swsev_err e;

	if (key_out)
		*key_out = NULL;
	if (!pdh)
		return SWSEV_E_INVALID;
	if (pdh->pub_key_usage != SWSEV_USAGE_PDH)
		return SWSEV_E_USAGE;
	if (pdh->pub_key_algo != SWSEV_ALGO_ECDH_SHA256 &&
	    pdh->pub_key_algo != SWSEV_ALGO_ECDH_SHA384)
		return SWSEV_E_ALGO;
	/* curve P-384, coordinates in range, point on the curve, not infinity */
	e = swsev_cert_ec_key(pdh, &k);
	if (e)
		return e;
	if (key_out)
		*key_out = k;
	else
		swsev_ec_free(k);
	return SWSEV_OK;
}

swsev_err swsev_owner_session(const struct swsev_cert *pdh, uint32_t policy,
			      struct swsev_cert *godh_out, struct swsev_session *session_out,
			      uint8_t tek[16], uint8_t tik[16])
{
	swsev_ec_key *peer = NULL, *godh = NULL;
	/* nonce, wrap_iv, TEK, TIK drawn in one go */
	uint8_t rnd[64], z[SWSEV_P384_BYTES];
	swsev_err e = SWSEV_E_INVALID;

	if (!pdh || !godh_out || !session_out || !tek || !tik)
		return SWSEV_E_INVALID;
	memset(godh_out, 0, sizeof(*godh_out));
	memset(session_out, 0, sizeof(*session_out));
	e = swsev_owner_check_pdh(pdh, &peer);
	if (e)
		goto out;
	e = swsev_ec_generate(&godh);
	if (e)
		goto out;
	e = swsev_ecdh(godh, peer, z);
	if (e)
		goto out;
	e = swsev_random(rnd, sizeof(rnd));
	if (e)
		goto out;
	/* the GODH cert: usage PDH, ECDH, API 0.0, both signature slots empty */
	e = swsev_cert_init_ec(godh_out, 0, 0, SWSEV_USAGE_PDH, SWSEV_ALGO_ECDH_SHA256, godh);
	if (e)
		goto out;
	e = swsev_session_build(z, sizeof(z), rnd, rnd + 16, rnd + 32, rnd + 48, policy,
				session_out);
	if (e)
		goto out;
	memcpy(tek, rnd + 32, 16);
	memcpy(tik, rnd + 48, 16);
out:
	swsev_wipe(rnd, sizeof(rnd));
	swsev_wipe(z, sizeof(z));
	swsev_ec_free(godh);
	swsev_ec_free(peer);
	if (e) {
		memset(godh_out, 0, sizeof(*godh_out));
		memset(session_out, 0, sizeof(*session_out));
		swsev_wipe(tek, 16);
		swsev_wipe(tik, 16);
	}
	return e;
}
