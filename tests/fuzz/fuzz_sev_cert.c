/*
 * libFuzzer harness for swsev_cert_parse (SEV certificate, 2084 bytes).
 * A parse that succeeds must re-encode to exactly the input; then the
 * parsed cert's key is decoded (EC or RSA) and the cert is checked against
 * itself as a signer with both the owner's rule and the firmware's rule,
 * which drives every slot and key decoder on hostile bytes.
 * fuzz-max-len: 4096
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "swsev/cert.h"
#include "swsev/status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct swsev_cert c;
	uint8_t enc[SWSEV_CERT_LEN];
	swsev_ec_key *ek = NULL;
	swsev_rsa_key *rk = NULL;
	uint16_t st;
	swsev_err r;

	if (swsev_cert_parse(data, size, &c) != SWSEV_OK) {
		/* a refused input leaves a zeroed struct */
		if (c.version != 0 || c.pub_key_usage != 0)
			abort();
		return 0;
	}
	if (size != SWSEV_CERT_LEN || memcmp(c.raw, data, size) != 0)
		abort();
	if (swsev_cert_encode(&c, enc) != SWSEV_OK || memcmp(enc, data, size) != 0)
		abort(); /* parse and encode must be exact inverses */
	if (swsev_cert_ec_key(&c, &ek) == SWSEV_OK && ek == NULL)
		abort();
	swsev_ec_free(ek);
	if (swsev_cert_rsa_key(&c, &rk) == SWSEV_OK && rk == NULL)
		abort();
	swsev_rsa_free(rk);
	r = swsev_cert_verify(&c, &c);
	st = swsev_cert_validate_fw(&c, &c);
	if (st != SEV_STATUS_SUCCESS && st != SEV_STATUS_INVALID_CERTIFICATE &&
	    st != SEV_STATUS_BAD_SIGNATURE)
		abort();
	(void)r;
	return 0;
}
