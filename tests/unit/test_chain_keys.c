/*
 * swsev_cert_verify_ec (verification with a signer key built once, as
 * swsev_chain_verify uses it) agrees with swsev_cert_verify on AMD's real
 * Milan and Rome chains, flipped bytes included; and swsev_chain_verify's
 * built-in ASK search (the bare chain directory) keeps naming the failing
 * link, in the default (five links) and the strict (SWSEV_CHAIN_SELF_SIGS)
 * validation.
 */
#include <string.h>

#include "harness.h"
#include "swsev/cert.h"
#include "swsev/crypto.h"

static int load(const char *gen, struct swsev_chain *c)
{
	char dir[256], eb[SWSEV_CHAIN_MSG + 64];

	snprintf(dir, sizeof(dir), "%s", th_fixture("vectors/virtee-sev/tests/"));
	strncat(dir, gen, sizeof(dir) - strlen(dir) - 1);
	if (swsev_chain_load(dir, c, eb, sizeof(eb)) != SWSEV_OK) {
		fprintf(stderr, "load %s: %s\n", dir, eb);
		return -1;
	}
	return 0;
}

/* verify_ec(c, signer, key) == verify(c, signer), and the value expected */
static void both(const struct swsev_cert *c, const struct swsev_cert *signer, swsev_err want)
{
	swsev_ec_key *k = NULL;

	CHECK_EQ(swsev_cert_ec_key(signer, &k), SWSEV_OK);
	CHECK_EQ(swsev_cert_verify(c, signer), want);
	CHECK_EQ(swsev_cert_verify_ec(c, signer, k), want);
	swsev_ec_free(k);
}

static void links(const char *gen)
{
	static struct swsev_chain c;

	CHECK_EQ(load(gen, &c), 0);
	both(&c.oca, &c.oca, SWSEV_OK);
	both(&c.pek, &c.oca, SWSEV_OK);
	both(&c.pek, &c.cek, SWSEV_OK);
	both(&c.pdh, &c.pek, SWSEV_OK);
	/* no slot names these signers */
	both(&c.pdh, &c.oca, SWSEV_E_NOSIG);
	both(&c.cek, &c.pek, SWSEV_E_NOSIG);
	/* a flipped body byte or signature byte */
	c.pek.raw[0x100] ^= 0x01;
	both(&c.pek, &c.cek, SWSEV_E_BADSIG);
	both(&c.pek, &c.oca, SWSEV_E_BADSIG);
	c.pek.raw[0x100] ^= 0x01;
	c.pdh.sig[0].sig[5] ^= 0x80;
	both(&c.pdh, &c.pek, SWSEV_E_BADSIG);
}

TEST(verify_ec_milan)
{
	links("milan");
}
TEST(verify_ec_rome)
{
	links("rome");
}

TEST(verify_ec_arguments)
{
	static struct swsev_chain c;
	swsev_ec_key *k = NULL;
	struct swsev_cert odd;

	CHECK_EQ(load("milan", &c), 0);
	CHECK_EQ(swsev_cert_ec_key(&c.cek, &k), SWSEV_OK);
	CHECK_EQ(swsev_cert_verify_ec(&c.pek, &c.cek, NULL), SWSEV_E_INVALID);
	CHECK_EQ(swsev_cert_verify_ec(NULL, &c.cek, k), SWSEV_E_INVALID);
	CHECK_EQ(swsev_cert_verify_ec(&c.pek, NULL, k), SWSEV_E_INVALID);
	/* the signer cert says RSA: not an EC signer */
	odd = c.cek;
	odd.pub_key_algo = SWSEV_ALGO_RSA_SHA256;
	CHECK_EQ(swsev_cert_verify_ec(&c.pek, &odd, k), SWSEV_E_ALGO);
	odd = c.cek;
	odd.pub_key_usage = 0x7777;
	CHECK_EQ(swsev_cert_verify_ec(&c.pek, &odd, k), SWSEV_E_USAGE);
	swsev_ec_free(k);
}

/* The bare directory: the built-in ASK is found by its CEK signature, and
 * that one verification stands for the ASK -> CEK link. */
TEST(builtin_ask_search)
{
	static struct swsev_chain c;
	struct swsev_chain_result res;

	CHECK_EQ(load("milan", &c), 0);
	CHECK(!c.have_ask && !c.have_ark);
	CHECK_EQ(swsev_chain_verify(&c, NULL, &res), SWSEV_OK);
	CHECK(res.amd_builtin);
	CHECK(res.root_gen != NULL && strcmp(res.root_gen, "milan") == 0);
	CHECK_EQ(res.link[SWSEV_LINK_ASK_CEK], SWSEV_OK);
	CHECK(res.checked[SWSEV_LINK_ASK_CEK]);
	/* default: the built-in ARK's self-signature is known, the OCA's is not checked */
	CHECK(res.checked[SWSEV_LINK_ARK_SELF]);
	CHECK(!res.checked[SWSEV_LINK_OCA_SELF]);
	/* strict: the same search, all seven links checked */
	CHECK_EQ(swsev_chain_verify_ex(&c, NULL, SWSEV_CHAIN_SELF_SIGS, &res), SWSEV_OK);
	CHECK(res.amd_builtin);
	for (int l = 0; l < SWSEV_LINK_COUNT; l++)
		CHECK(res.checked[l]);
	/* a flipped CEK signature byte: no built-in ASK signed it */
	c.cek.sig[0].sig[7] ^= 0x01;
	CHECK(swsev_chain_verify(&c, NULL, &res) != SWSEV_OK);
	CHECK_EQ(res.link[SWSEV_LINK_ASK_CEK], SWSEV_E_NOTFOUND);
	CHECK(strstr(res.msg[SWSEV_LINK_ASK_CEK], "no built-in AMD signing key signed this CEK") !=
	      NULL);
	CHECK(!res.amd_builtin);
	c.cek.sig[0].sig[7] ^= 0x01;
	/* a flipped PEK body byte: both PEK links fail, the rest hold */
	c.pek.raw[0x40] ^= 0x01;
	CHECK(swsev_chain_verify(&c, NULL, &res) != SWSEV_OK);
	CHECK_EQ(res.link[SWSEV_LINK_ASK_CEK], SWSEV_OK);
	CHECK_EQ(res.link[SWSEV_LINK_OCA_SELF], SWSEV_OK);
	CHECK(!res.checked[SWSEV_LINK_OCA_SELF]);
	CHECK_EQ(res.link[SWSEV_LINK_OCA_PEK], SWSEV_E_BADSIG);
	CHECK_EQ(res.link[SWSEV_LINK_CEK_PEK], SWSEV_E_BADSIG);
	CHECK_EQ(res.link[SWSEV_LINK_PEK_PDH], SWSEV_OK);
	CHECK_EQ(swsev_chain_first_failure(&res), SWSEV_LINK_OCA_PEK);
	c.pek.raw[0x40] ^= 0x01;
	/* a flipped OCA signature byte: strict names OCA -> OCA, the default holds */
	c.oca.sig[0].sig[9] ^= 0x01;
	CHECK_EQ(swsev_chain_verify_ex(&c, NULL, SWSEV_CHAIN_SELF_SIGS, &res), SWSEV_E_BADSIG);
	CHECK_EQ(swsev_chain_first_failure(&res), SWSEV_LINK_OCA_SELF);
	CHECK_EQ(swsev_chain_verify(&c, NULL, &res), SWSEV_OK);
	CHECK(!res.checked[SWSEV_LINK_OCA_SELF]);
}

TH_MAIN_BEGIN("test_chain_keys")
RUN(verify_ec_milan);
RUN(verify_ec_rome);
RUN(verify_ec_arguments);
RUN(builtin_ask_search);
TH_MAIN_END
