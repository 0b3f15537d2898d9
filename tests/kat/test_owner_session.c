/*
 * The session round trip through the real CLI: this test plays the
 * platform (it holds a PDH private key), runs `swsev session`, then opens
 * the written blob as the firmware would and checks that it unwraps to
 * exactly the TEK/TIK files, that the key files are 0600 and that the GODH
 * certificate has the form QEMU and the firmware expect.
 */
#include "harness.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "codec/codec.h"
#include "swsev/cert.h"
#include "swsev/crypto.h"
#include "swsev/launch.h"

static char swsev_bin[PATH_MAX];

static int run(const char *dir, const char *const *args)
{
	pid_t pid = fork();
	int st = 0;

	if (pid == 0) {
		char *argv[16];
		int i = 0;
		int fd;

		argv[i++] = swsev_bin;
		for (; args[i - 1] && i < 15; i++)
			argv[i] = (char *)args[i - 1];
		argv[i] = NULL;
		if (chdir(dir) != 0)
			_exit(127);
		fd = open("/dev/null", O_WRONLY);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execv(swsev_bin, argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int write_file(const char *dir, const char *name, const void *b, size_t n)
{
	char p[PATH_MAX];
	FILE *f;
	int ok;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "wb");
	if (!f)
		return -1;
	ok = fwrite(b, 1, n, f) == n;
	return (fclose(f) == 0 && ok) ? 0 : -1;
}

static uint8_t *read_in(const char *dir, const char *name, size_t *n)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return th_read_file(p, n);
}

static unsigned mode_of(const char *dir, const char *name)
{
	char p[PATH_MAX];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	if (stat(p, &st) != 0)
		return 0xffff;
	return st.st_mode & 0777;
}

/* A platform: a PDH key and its certificate (usage PDH, ECDH). */
static swsev_ec_key *make_pdh(uint8_t cert[SWSEV_CERT_LEN])
{
	swsev_ec_key *k = NULL;
	struct swsev_cert c;

	if (swsev_ec_generate(&k) ||
	    swsev_cert_init_ec(&c, 0, 22, SWSEV_USAGE_PDH, SWSEV_ALGO_ECDH_SHA256, k) ||
	    swsev_cert_encode(&c, cert)) {
		swsev_ec_free(k);
		return NULL;
	}
	return k;
}

static void round_trip(uint32_t policy, const char *policy_text)
{
	char *dir = th_tmpdir();
	uint8_t cert[SWSEV_CERT_LEN], z[48], tek[16], tik[16];
	swsev_ec_key *pdh = make_pdh(cert), *godh_key = NULL;
	uint8_t *godh_b64 = NULL, *sess_b64 = NULL, *godh_raw = NULL, *sess_raw = NULL;
	uint8_t *tekf = NULL, *tikf = NULL;
	size_t n1 = 0, n2 = 0, r1 = 0, r2 = 0, nt = 0, ni = 0;
	struct swsev_cert godh;
	struct swsev_session s;
	const char *args[] = { "session", "--name", "guest1", "pdh.cert", policy_text, NULL };

	CHECK(dir != NULL && pdh != NULL);
	if (!dir || !pdh)
		goto out;
	CHECK_EQ(write_file(dir, "pdh.cert", cert, sizeof(cert)), 0);
	CHECK_EQ(run(dir, args), 0);
	godh_b64 = read_in(dir, "guest1_godh.b64", &n1);
	sess_b64 = read_in(dir, "guest1_session.b64", &n2);
	tekf = read_in(dir, "guest1_tek.bin", &nt);
	tikf = read_in(dir, "guest1_tik.bin", &ni);
	if (!godh_b64 || !sess_b64 || !tekf || !tikf)
		goto out;
	CHECK_EQ(nt, 16);
	CHECK_EQ(ni, 16);
	CHECK_EQ(mode_of(dir, "guest1_tek.bin"), 0600);
	CHECK_EQ(mode_of(dir, "guest1_tik.bin"), 0600);
	/* the base64 files QEMU reads */
	CHECK_EQ(swsev_base64_decode((const char *)godh_b64, n1, &godh_raw, &r1), SWSEV_OK);
	CHECK_EQ(swsev_base64_decode((const char *)sess_b64, n2, &sess_raw, &r2), SWSEV_OK);
	CHECK_EQ(r1, SWSEV_CERT_LEN);
	CHECK_EQ(r2, SWSEV_SESSION_LEN);
	if (r1 != SWSEV_CERT_LEN || r2 != SWSEV_SESSION_LEN)
		goto out;
	/* the GODH cert: usage PDH, ECDH, API 0.0, empty signature slots */
	CHECK_EQ(swsev_cert_parse(godh_raw, r1, &godh), SWSEV_OK);
	CHECK_EQ(godh.pub_key_usage, SWSEV_USAGE_PDH);
	CHECK_EQ(godh.pub_key_algo, SWSEV_ALGO_ECDH_SHA256);
	CHECK_EQ(godh.api_major, 0);
	CHECK_EQ(godh.api_minor, 0);
	CHECK_EQ(godh.sig[0].usage, SWSEV_USAGE_INVALID);
	CHECK_EQ(godh.sig[1].usage, SWSEV_USAGE_INVALID);
	CHECK(swsev_ct_is_zero(godh.sig[0].sig, SWSEV_CERT_SIG_LEN));
	/* the firmware's side: Z from the PDH private key and the GODH point */
	CHECK_EQ(swsev_cert_ec_key(&godh, &godh_key), SWSEV_OK);
	if (!godh_key)
		goto out;
	CHECK_EQ(swsev_ecdh(pdh, godh_key, z), SWSEV_OK);
	CHECK_EQ(swsev_session_parse(sess_raw, r2, &s), SWSEV_OK);
	CHECK_EQ(swsev_session_open(z, 48, &s, policy, tek, tik), SWSEV_OK);
	CHECK_MEM(tek, tekf, 16);
	CHECK_MEM(tik, tikf, 16);
	CHECK(memcmp(tek, tik, 16) != 0);
	/* a host that launches with another policy is caught */
	CHECK_EQ(swsev_session_open(z, 48, &s, policy ^ SWSEV_POLICY_NOKS, tek, tik),
		 SWSEV_E_BADMAC);
	/* another platform's key cannot open it */
	{
		uint8_t other[SWSEV_CERT_LEN];
		swsev_ec_key *o = make_pdh(other);

		CHECK(o != NULL);
		if (o) {
			CHECK_EQ(swsev_ecdh(o, godh_key, z), SWSEV_OK);
			CHECK_EQ(swsev_session_open(z, 48, &s, policy, tek, tik), SWSEV_E_BADMAC);
			swsev_ec_free(o);
		}
	}
	/* a second run draws fresh keys */
	{
		size_t n = 0;
		uint8_t *t2;

		CHECK_EQ(run(dir, args), 0);
		t2 = read_in(dir, "guest1_tik.bin", &n);
		CHECK(t2 && n == 16 && memcmp(t2, tikf, 16) != 0);
		free(t2);
	}
out:
	swsev_ec_free(pdh);
	swsev_ec_free(godh_key);
	free(godh_b64);
	free(sess_b64);
	swsev_clear_free(godh_raw, r1);
	swsev_clear_free(sess_raw, r2);
	free(tekf);
	free(tikf);
	th_rmrf(dir);
	free(dir);
}

TEST(cli_session_round_trip)
{
	round_trip(1, "1");
}

TEST(cli_session_round_trip_hex_policy)
{
	round_trip(0x00050005, "0x00050005");
}

/* the PDH checks happen before any key is made or file written */
TEST(cli_session_refuses_bad_pdh)
{
	char *dir = th_tmpdir();
	uint8_t cert[SWSEV_CERT_LEN];
	swsev_ec_key *k = make_pdh(cert);
	struct swsev_cert c;
	const char *args[] = { "session", "pdh.cert", "1", NULL };
	const char *args_nonum[] = { "session", "pdh.cert", "one", NULL };

	CHECK(dir && k);
	if (!dir || !k)
		goto out;
	/* good, as a reference */
	CHECK_EQ(write_file(dir, "pdh.cert", cert, sizeof(cert)), 0);
	CHECK_EQ(run(dir, args), 0);
	CHECK_EQ(run(dir, args_nonum), 2);
	/* wrong usage (a PEK) */
	CHECK_EQ(swsev_cert_parse(cert, sizeof(cert), &c), SWSEV_OK);
	c.pub_key_usage = SWSEV_USAGE_PEK;
	CHECK_EQ(swsev_cert_encode(&c, cert), SWSEV_OK);
	CHECK_EQ(write_file(dir, "pdh.cert", cert, sizeof(cert)), 0);
	CHECK_EQ(run(dir, args), 1);
	/* wrong algorithm (ECDSA) */
	c.pub_key_usage = SWSEV_USAGE_PDH;
	c.pub_key_algo = SWSEV_ALGO_ECDSA_SHA256;
	CHECK_EQ(swsev_cert_encode(&c, cert), SWSEV_OK);
	CHECK_EQ(write_file(dir, "pdh.cert", cert, sizeof(cert)), 0);
	CHECK_EQ(run(dir, args), 1);
	/* a point not on the curve: qx's lowest byte changed (offset 0x14) */
	c.pub_key_algo = SWSEV_ALGO_ECDH_SHA256;
	CHECK_EQ(swsev_cert_encode(&c, cert), SWSEV_OK);
	cert[0x14] ^= 1;
	CHECK_EQ(write_file(dir, "pdh.cert", cert, sizeof(cert)), 0);
	CHECK_EQ(run(dir, args), 1);
	/* a truncated file */
	cert[0x14] ^= 1;
	CHECK_EQ(write_file(dir, "pdh.cert", cert, sizeof(cert) - 1), 0);
	CHECK_EQ(run(dir, args), 1);
	/* none of the refused runs wrote a key */
	{
		char p[PATH_MAX];

		snprintf(p, sizeof(p), "%s/vm_tik.bin", dir);
		unlink(p);
		CHECK_EQ(run(dir, args), 1);
		CHECK_EQ(mode_of(dir, "vm_tik.bin"), 0xffff);
	}
out:
	swsev_ec_free(k);
	th_rmrf(dir);
	free(dir);
}

TH_MAIN_BEGIN("test_owner_session")
{
	const char *b = getenv("BUILD");
	char rel[PATH_MAX];

	snprintf(rel, sizeof(rel), "%s/swsev", b ? b : "build");
	if (!realpath(rel, swsev_bin)) {
		printf("FAIL test_owner_session/setup (no %s)\n", rel);
		return 1;
	}
}
RUN(cli_session_round_trip);
RUN(cli_session_round_trip_hex_policy);
RUN(cli_session_refuses_bad_pdh);
TH_MAIN_END
