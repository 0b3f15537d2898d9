/*
 * Known answers of the launch formats: crypto.md §4.4 (vectors A and B),
 * §6, §7.5; launch-flow.md §4 (worked example) and §7; and the LAUNCH_*
 * sections of tests/fixtures/vectors/README.md (virtee/sev, sevctl).
 */
#include "harness.h"

#include "codec/codec.h"
#include "swsev/cert.h"
#include "swsev/crypto.h"
#include "swsev/launch.h"
#include "swsev/vmsa.h"

#define V "vectors/"
#define SEVCTL V "virtee-sevctl/data/"
#define RHEL_OVMF SEVCTL "OVMF.amdsev.fd_trimmed_edk2-ovmf-20220126gitbb1bba3d77-4.el9"
#define AMDSEV V "virtee-sev/measurement/ovmf_AmdSev_suffix.bin"
#define OVMFX64 V "virtee-sev/measurement/ovmf_OvmfX64_suffix.bin"

static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
	return th_unhex(hex, out, cap);
}

static int read_exact(const char *rel, uint8_t *out, size_t want)
{
	size_t n = 0;
	uint8_t *b = th_read_file(th_fixture(rel), &n);

	if (!b)
		return -1;
	if (n != want) {
		fprintf(stderr, "  %s: %zu bytes, want %zu\n", rel, n, want);
		free(b);
		th_case_failed = 1;
		return -1;
	}
	memcpy(out, b, n);
	free(b);
	return 0;
}

/* ---- crypto.md §4.4 A: virtee/sev session tests ---- */
TEST(session_vector_a)
{
	uint8_t z[16] = { 0 }, nonce[16] = { 0 }, iv[16] = { 0 }, tek[16] = { 0 }, tik[16] = { 0 };
	uint8_t master[16], kek[16], kik[16], tek2[16], tik2[16];
	struct swsev_session s;

	CHECK_EQ(swsev_kdf_sp800_108(z, 16, "sev-master-secret", nonce, 16, master, 16), SWSEV_OK);
	CHECK_HEX(master, "ab4d269fcc62bedb4511d56c386ce706");
	CHECK_EQ(swsev_session_kek_kik(z, 16, nonce, kek, kik), SWSEV_OK);
	CHECK_HEX(kek, "b6abfbfb75ea1ea74ed8750b8afdb973");
	CHECK_HEX(kik, "53b524bf5669a363f365c864acba8572");
	CHECK_EQ(swsev_session_build(z, 16, nonce, iv, tek, tik, 0, &s), SWSEV_OK);
	CHECK_HEX(s.wrap_tk, "2137bc7f9bb8bd7c3e55a576a15d3454b3856b8ba27afadf46dcfee9f02c02c4");
	CHECK_HEX(s.wrap_mac, "3176c0752738bd9d5e86689534020f528c088f16238826b000b327dee6aeed7d");
	CHECK_HEX(s.policy_mac, "aa7855e13839dd767cd5da7c1ff5036540c9264b7a803029315e55375287b4af");
	memset(tek2, 0xee, 16);
	memset(tik2, 0xee, 16);
	CHECK_EQ(swsev_session_open(z, 16, &s, 0, tek2, tik2), SWSEV_OK);
	CHECK_MEM(tek2, tek, 16);
	CHECK_MEM(tik2, tik, 16);
}

/* ---- crypto.md §4.4 B: the end-to-end vector ---- */
static const char *B_PDH_X =
	"d17742934ca9aeb935395ef97169bdf0de3c8758379099ab6d01c608e60f51e562e87782effdef3cca18badaf7ba339c";
static const char *B_PDH_Y =
	"223dd606b703f9e55c2c17af56d983313de3497e4b35d2b2cd4463b5b77f042d08818f82fa74666a2086a745c1506206";
static const char *B_GODH_X =
	"99475b22c9ea79e02f4750611b97a81470dd4cc33b8d225f7ac7345f775aad3a143e4921b67031fc8160016c83b2645b";
static const char *B_GODH_Y =
	"9546f7796469a1d169df1de02a96df6a54ddf9a98453068d45eb3b89cd83fef913516434d7e7adc43045b4996d17a667";
static const char *B_Z =
	"e077b362b6d49fe84b92a12c748d57b3addc105ff4a2bf24f72100dd7d05660e26b43b3580ac174666af265787552c96";
static const char *B_BLOB = "000102030405060708090a0b0c0d0e0f307015e49da5595717b4e8a85aadde9e"
			    "6ededfa157175e73f30c5c41142269d3101112131415161718191a1b1c1d1e1f"
			    "df644b770a8fb4bb5a175cec584cbbe1e5c4d73557c99a93f51e9bd7511f977d"
			    "d1f6272e1a01686ab6ca55d0836454c63d1e76246180c841b433b62e7036d0ad";

static void b_keys(uint8_t pdh_d[48], uint8_t godh_d[48])
{
	memset(pdh_d, 0x11, 48);
	pdh_d[0] = 0;
	memset(godh_d, 0x22, 48);
	godh_d[0] = 0;
}

static void b_inputs(uint8_t nonce[16], uint8_t tek[16], uint8_t tik[16], uint8_t iv[16])
{
	unhex("000102030405060708090a0b0c0d0e0f", nonce, 16);
	unhex("00112233445566778899aabbccddeeff", tek, 16);
	unhex("ffeeddccbbaa99887766554433221100", tik, 16);
	unhex("101112131415161718191a1b1c1d1e1f", iv, 16);
}

TEST(session_vector_b)
{
	uint8_t pdh_d[48], godh_d[48], x[48], y[48], z[48], z2[48];
	uint8_t nonce[16], tek[16], tik[16], iv[16], kek[16], kik[16], master[16];
	uint8_t blob[SWSEV_SESSION_LEN], tek2[16], tik2[16];
	swsev_ec_key *pdh = NULL, *godh = NULL;
	struct swsev_session s, s2;

	b_keys(pdh_d, godh_d);
	b_inputs(nonce, tek, tik, iv);
	CHECK_EQ(swsev_ec_from_private(pdh_d, &pdh), SWSEV_OK);
	CHECK_EQ(swsev_ec_from_private(godh_d, &godh), SWSEV_OK);
	if (!pdh || !godh)
		goto out;
	CHECK_EQ(swsev_ec_get_public(pdh, x, y), SWSEV_OK);
	CHECK_HEX(x, B_PDH_X);
	CHECK_HEX(y, B_PDH_Y);
	CHECK_EQ(swsev_ec_get_public(godh, x, y), SWSEV_OK);
	CHECK_HEX(x, B_GODH_X);
	CHECK_HEX(y, B_GODH_Y);
	/* both sides derive the same big-endian x coordinate */
	CHECK_EQ(swsev_ecdh(godh, pdh, z), SWSEV_OK);
	CHECK_EQ(swsev_ecdh(pdh, godh, z2), SWSEV_OK);
	CHECK_HEX(z, B_Z);
	CHECK_MEM(z, z2, 48);
	CHECK_EQ(swsev_kdf_sp800_108(z, 48, "sev-master-secret", nonce, 16, master, 16), SWSEV_OK);
	CHECK_HEX(master, "09957558f9919cda1af5db000fd91101");
	CHECK_EQ(swsev_session_kek_kik(z, 48, nonce, kek, kik), SWSEV_OK);
	CHECK_HEX(kek, "6e36914bff734bb68fac120a6e277998");
	CHECK_HEX(kik, "cfebc8ff1d622036f58d2eb6d2f4ded1");
	CHECK_EQ(swsev_session_build(z, 48, nonce, iv, tek, tik, 1, &s), SWSEV_OK);
	CHECK_HEX(s.wrap_tk, "307015e49da5595717b4e8a85aadde9e6ededfa157175e73f30c5c41142269d3");
	CHECK_HEX(s.wrap_mac, "df644b770a8fb4bb5a175cec584cbbe1e5c4d73557c99a93f51e9bd7511f977d");
	CHECK_HEX(s.policy_mac, "d1f6272e1a01686ab6ca55d0836454c63d1e76246180c841b433b62e7036d0ad");
	swsev_session_encode(&s, blob);
	CHECK_HEX(blob, B_BLOB);
	/* parse is the inverse of encode */
	CHECK_EQ(swsev_session_parse(blob, sizeof(blob), &s2), SWSEV_OK);
	CHECK_MEM(&s2, &s, sizeof(s));
	/* the firmware side: its own Z from the PDH private key */
	CHECK_EQ(swsev_session_open(z2, 48, &s2, 1, tek2, tik2), SWSEV_OK);
	CHECK_MEM(tek2, tek, 16);
	CHECK_MEM(tik2, tik, 16);
out:
	swsev_ec_free(pdh);
	swsev_ec_free(godh);
}

TEST(session_negative)
{
	uint8_t z[48], nonce[16], tek[16], tik[16], iv[16], blob[SWSEV_SESSION_LEN + 1];
	uint8_t tek2[16], tik2[16];
	struct swsev_session s;
	int bad = 0;

	unhex(B_Z, z, 48);
	b_inputs(nonce, tek, tik, iv);
	unhex(B_BLOB, blob, SWSEV_SESSION_LEN);
	/* every single flipped bit of the blob is refused (MAC or policy MAC) */
	for (size_t i = 0; i < SWSEV_SESSION_LEN * 8; i++) {
		blob[i / 8] ^= (uint8_t)(1u << (i % 8));
		if (swsev_session_parse(blob, SWSEV_SESSION_LEN, &s) != SWSEV_OK ||
		    swsev_session_open(z, 48, &s, 1, tek2, tik2) != SWSEV_E_BADMAC)
			bad++;
		/* nothing leaks out of a refused open */
		if (!swsev_ct_is_zero(tek2, 16) || !swsev_ct_is_zero(tik2, 16))
			bad++;
		blob[i / 8] ^= (uint8_t)(1u << (i % 8));
	}
	CHECK_EQ(bad, 0);
	CHECK_EQ(swsev_session_parse(blob, SWSEV_SESSION_LEN, &s), SWSEV_OK);
	/* a host that changes the policy: policy MAC fails */
	CHECK_EQ(swsev_session_open(z, 48, &s, 3, tek2, tik2), SWSEV_E_BADMAC);
	/* a wrong shared secret: wrap MAC fails */
	z[47] ^= 1;
	CHECK_EQ(swsev_session_open(z, 48, &s, 1, tek2, tik2), SWSEV_E_BADMAC);
	z[47] ^= 1;
	CHECK_EQ(swsev_session_open(z, 48, &s, 1, tek2, tik2), SWSEV_OK);
	/* exact length */
	CHECK_EQ(swsev_session_parse(blob, SWSEV_SESSION_LEN - 1, &s), SWSEV_E_TRUNCATED);
	CHECK_EQ(swsev_session_parse(blob, 0, &s), SWSEV_E_TRUNCATED);
	CHECK_EQ(swsev_session_parse(blob, SWSEV_SESSION_LEN + 1, &s), SWSEV_E_TRAILING);
	CHECK(swsev_ct_is_zero(&s, sizeof(s)));
}

/* ---- measurement (crypto.md §6, vectors README LAUNCH_MEASURE) ---- */
TEST(measure_vectors)
{
	uint8_t tik[16], ld[32], mnonce[16], m[32], blob[48];

	/* virtee/sev session::verify (and the sev-tool readme) */
	unhex("66320db73158a35a255d051758e95ed4", tik, 16);
	unhex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", ld, 32);
	unhex("4fbe0bedbad6c86ae8f68971d103e554", mnonce, 16);
	CHECK_EQ(swsev_measure(tik, 0, 18, 15, 0, ld, mnonce, m), SWSEV_OK);
	CHECK_HEX(m, "6faab2daae389bcd3405a05d6cafe33c0414f7bedd0bae19ba5f38b7fd1664ea");
	memcpy(blob, m, 32);
	memcpy(blob + 32, mnonce, 16);
	CHECK_EQ(swsev_measure_verify(tik, 0, 18, 15, 0, ld, blob), SWSEV_OK);
	/* the pre-0.17 form leaves out 04 || api || build: a different value */
	CHECK_EQ(swsev_measure_pre017(tik, 0, ld, mnonce, m), SWSEV_OK);
	CHECK(memcmp(m, blob, 32) != 0);
	CHECK_EQ(swsev_measure_for_api(tik, 0, 16, 15, 0, ld, mnonce, blob), SWSEV_OK);
	CHECK_MEM(blob, m, 32);

	/* this digest, vector B keys */
	unhex("ffeeddccbbaa99887766554433221100", tik, 16);
	unhex("ad7facb2586fc6e966c004d7d1d16b024f5805ff7cb47c7a85dabd8b48892ca7", ld, 32);
	unhex("0102030405060708090a0b0c0d0e0f10", mnonce, 16);
	CHECK_EQ(swsev_measure(tik, 0, 22, 15, 1, ld, mnonce, m), SWSEV_OK);
	CHECK_HEX(m, "42835280ae54e8034d149d72525b62c534081d20f8857d5e3e90d74d8c37f3cb");
	{
		uint8_t page[4096] = { 0 }, ld2[32];
		struct swsev_ld_input in = { .firmware = page, .firmware_len = sizeof(page) };

		CHECK_EQ(swsev_launch_digest(&in, ld2), SWSEV_OK);
		CHECK_MEM(ld2, ld, 32);
	}
}

TEST(measure_negative)
{
	uint8_t tik[16], ld[32], blob[48];

	unhex("ffeeddccbbaa99887766554433221100", tik, 16);
	unhex("ad7facb2586fc6e966c004d7d1d16b024f5805ff7cb47c7a85dabd8b48892ca7", ld, 32);
	unhex("42835280ae54e8034d149d72525b62c534081d20f8857d5e3e90d74d8c37f3cb"
	      "0102030405060708090a0b0c0d0e0f10",
	      blob, 48);
	CHECK_EQ(swsev_measure_verify(tik, 0, 22, 15, 1, ld, blob), SWSEV_OK);
	for (size_t i = 0; i < 48; i++) {
		blob[i] ^= 0x80;
		CHECK_EQ(swsev_measure_verify(tik, 0, 22, 15, 1, ld, blob), SWSEV_E_BADMAC);
		blob[i] ^= 0x80;
	}
	/* every bound input: api, build, policy, digest, key */
	CHECK_EQ(swsev_measure_verify(tik, 0, 21, 15, 1, ld, blob), SWSEV_E_BADMAC);
	CHECK_EQ(swsev_measure_verify(tik, 1, 22, 15, 1, ld, blob), SWSEV_E_BADMAC);
	CHECK_EQ(swsev_measure_verify(tik, 0, 22, 14, 1, ld, blob), SWSEV_E_BADMAC);
	CHECK_EQ(swsev_measure_verify(tik, 0, 22, 15, 0, ld, blob), SWSEV_E_BADMAC);
	ld[0] ^= 1;
	CHECK_EQ(swsev_measure_verify(tik, 0, 22, 15, 1, ld, blob), SWSEV_E_BADMAC);
	ld[0] ^= 1;
	tik[15] ^= 1;
	CHECK_EQ(swsev_measure_verify(tik, 0, 22, 15, 1, ld, blob), SWSEV_E_BADMAC);
}

/* sevctl tests/measurementbuild.rs: TIK tik1.bin, API 1.40, build 40, policy 3 */
static const char *SEVCTL_NONCE = "c313fab511c216b1505b1b2ea9903c40";

TEST(measure_sevctl_digest_given)
{
	uint8_t tik[16], ld[32], mnonce[16], m[32];

	if (read_exact(SEVCTL "measurement/tik1.bin", tik, 16))
		return;
	CHECK_HEX(tik, "3569cf61a32a602b87185ac6e0f55913");
	unhex("c64bd101fc9a4a2ce0a27c408d9200911f139a895469b04a40a6fa2890830d23", ld, 32);
	unhex(SEVCTL_NONCE, mnonce, 16);
	CHECK_EQ(swsev_measure(tik, 1, 40, 40, 3, ld, mnonce, m), SWSEV_OK);
	CHECK_HEX(m, "96cc1bc56c48f60724c9ad7a250bdd16da5898d3b86fede29c03e9aac828048e");
}

TEST(measure_sevctl_firmware)
{
	uint8_t tik[16], ld[32], mnonce[16], m[32];
	size_t n = 0;
	uint8_t *fw = th_read_file(th_fixture(RHEL_OVMF), &n);
	struct swsev_ld_input in = { 0 };

	if (!fw || read_exact(SEVCTL "measurement/tik1.bin", tik, 16))
		goto out;
	in.firmware = fw;
	in.firmware_len = n;
	CHECK_EQ(swsev_launch_digest(&in, ld), SWSEV_OK);
	CHECK_HEX(ld, "2f6fc6065f4abc13");
	unhex(SEVCTL_NONCE, mnonce, 16);
	CHECK_EQ(swsev_measure(tik, 1, 40, 40, 3, ld, mnonce, m), SWSEV_OK);
	CHECK_HEX(m, "a0c0dec08a2e252a5ba4d4478fb324de9d3c1f674f65076c64c535e2a2329819");
out:
	free(fw);
}

TEST(measure_sevctl_kernel_hashes)
{
	uint8_t tik[16], ld[32], mnonce[16], m[32], table[SWSEV_HASHES_TABLE_PADDED];
	size_t n = 0, kn = 0, in_n = 0;
	uint8_t *fw = th_read_file(th_fixture(RHEL_OVMF), &n);
	uint8_t *k = th_read_file(th_fixture(SEVCTL "measurement/vmlinuz-fake"), &kn);
	uint8_t *rd = th_read_file(th_fixture(SEVCTL "measurement/initrd-fake"), &in_n);
	struct swsev_ld_input in = { 0 };

	if (!fw || !k || !rd || read_exact(SEVCTL "measurement/tik1.bin", tik, 16))
		goto out;
	CHECK_EQ(swsev_hashes_table(k, kn, rd, in_n, "foo bar baz fake kernel=cmdline", table),
		 SWSEV_OK);
	in.firmware = fw;
	in.firmware_len = n;
	in.hashes_table = table;
	in.hashes_table_len = sizeof(table);
	CHECK_EQ(swsev_launch_digest(&in, ld), SWSEV_OK);
	CHECK_HEX(ld, "4b47fec6f851487c33714c8a00a832a1b705ad0a7cac4a647388eccfa9f0c570");
	unhex(SEVCTL_NONCE, mnonce, 16);
	CHECK_EQ(swsev_measure(tik, 1, 40, 40, 3, ld, mnonce, m), SWSEV_OK);
	CHECK_HEX(m, "8776ae61b5909d55bb1062d63781dff52374a0460c3d4dac2b86cb9de7d63f0b");
out:
	free(fw);
	free(k);
	free(rd);
}

/* SEV-ES: the sevctl VMSA files, and the same pages rebuilt from
 * family 25 / model 1 / stepping 1 with the footer's AP reset address */
TEST(measure_sevctl_sev_es)
{
	uint8_t tik[16], ld[32], mnonce[16], m[32], v0[4096], v1[4096], b0[4096], b1[4096];
	size_t n = 0;
	uint8_t *fw = th_read_file(th_fixture(RHEL_OVMF), &n);
	struct swsev_ld_input in = { 0 };
	struct swsev_ovmf_info info;
	struct swsev_vmsa_params p = { 0 };

	if (!fw || read_exact(SEVCTL "measurement/tik1.bin", tik, 16) ||
	    read_exact(SEVCTL "vmsa0.bin", v0, 4096) || read_exact(SEVCTL "vmsa1.bin", v1, 4096))
		goto out;
	in.firmware = fw;
	in.firmware_len = n;
	in.num_cpus = 4;
	in.vmsa_cpu0 = v0;
	in.vmsa_cpu1 = v1;
	CHECK_EQ(swsev_launch_digest(&in, ld), SWSEV_OK);
	CHECK_HEX(ld, "847b5ab6db136ea67dc5a95478ebe7e5ebbe93e9e74bdb1284165f9007a4e367");
	unhex("2dbe959f5d3164db528c6480008509f2", mnonce, 16);
	CHECK_EQ(swsev_measure(tik, 1, 49, 6, 5, ld, mnonce, m), SWSEV_OK);
	CHECK_HEX(m, "fe8d27cc3284e5782d56751958f85479afd6658ad328b13147b282c2e31d6c07");
	/* sevctl's own test at the common API 1.40 / build 40 / its nonce */
	unhex(SEVCTL_NONCE, mnonce, 16);
	CHECK_EQ(swsev_measure(tik, 1, 40, 40, 5, ld, mnonce, m), SWSEV_OK);
	CHECK_HEX(m, "b6c2c270820fae6dd359cc9a3857ef51512344b190cc49c69739d18a830e094e");

	/* family / model / stepping path */
	CHECK_EQ(swsev_ovmf_parse(fw, n, &info), SWSEV_OK);
	p.cpu_sig = swsev_cpu_signature(25, 1, 1);
	p.ap_reset = info.sev_es_reset;
	swsev_vmsa_build(&p, b0);
	p.ap = 1;
	swsev_vmsa_build(&p, b1);
	CHECK_MEM(b0, v0, 4096);
	CHECK_MEM(b1, v1, 4096);
	in.vmsa_cpu0 = b0;
	in.vmsa_cpu1 = b1;
	CHECK_EQ(swsev_launch_digest(&in, m), SWSEV_OK);
	CHECK_MEM(m, ld, 32);
	/* one vCPU more or less is another digest */
	in.num_cpus = 3;
	CHECK_EQ(swsev_launch_digest(&in, m), SWSEV_OK);
	CHECK(memcmp(m, ld, 32) != 0);
	in.num_cpus = 2;
	in.vmsa_cpu1 = NULL;
	CHECK_EQ(swsev_launch_digest(&in, m), SWSEV_E_INVALID);
out:
	free(fw);
}

/* ---- virtee/sev launch digests of the 4 KiB OVMF suffix files ---- */
static void suffix_ld(const char *file, int kernel, const char *cmdline, int initrd_empty,
		      unsigned cpus, const char *want)
{
	uint8_t table[SWSEV_HASHES_TABLE_PADDED], ld[32], v0[4096], v1[4096];
	size_t n = 0;
	uint8_t *fw = th_read_file(th_fixture(file), &n);
	struct swsev_ld_input in = { 0 };
	struct swsev_ovmf_info info;
	struct swsev_vmsa_params p = { 0 };

	if (!fw)
		return;
	in.firmware = fw;
	in.firmware_len = n;
	if (kernel) {
		/* an empty kernel file; initrd empty file or none: both SHA-256("") */
		CHECK_EQ(swsev_hashes_table((const uint8_t *)"", 0,
					    initrd_empty ? (const uint8_t *)"" : NULL, 0, cmdline,
					    table),
			 SWSEV_OK);
		in.hashes_table = table;
		in.hashes_table_len = sizeof(table);
	}
	if (cpus) {
		/* EPYC-v4: family 23, model 1, stepping 2 */
		CHECK_EQ(swsev_ovmf_parse(fw, n, &info), SWSEV_OK);
		CHECK(info.have_reset);
		p.cpu_sig = swsev_cpu_signature(23, 1, 2);
		CHECK_EQ(p.cpu_sig, 0x00800f12);
		p.ap_reset = info.sev_es_reset;
		/* virtee/sev-snp-measure's "QEMU" VMSA carries the FPU reset
		 * state KVM writes for the INIT2 VM types (mxcsr 0x1f80, fcw
		 * 0x37f) and sev_features 0; the legacy pages give another LD */
		p.init2_fpu = 1;
		swsev_vmsa_build(&p, v0);
		p.ap = 1;
		swsev_vmsa_build(&p, v1);
		in.num_cpus = cpus;
		in.vmsa_cpu0 = v0;
		in.vmsa_cpu1 = v1;
	}
	CHECK_EQ(swsev_launch_digest(&in, ld), SWSEV_OK);
	if (!th_eq_hex(ld, want)) {
		fprintf(stderr, "  %s kernel=%d cmdline=%s cpus=%u\n", file, kernel,
			cmdline ? cmdline : "(none)", cpus);
		CHECK_HEX(ld, want);
	}
	free(fw);
}

TEST(virtee_suffix_digests)
{
	suffix_ld(AMDSEV, 1, "console=ttyS0 loglevel=7", 1, 0,
		  "82a3ee5d537c3620628270c292ae30cb40c3c878666a7890ee7ef2a08fb535ff");
	suffix_ld(AMDSEV, 1, NULL, 0, 0,
		  "77f613d7bbcdf12a73782ea9e88b0172aeda50d1a54201cb903594ff52846898");
	suffix_ld(OVMFX64, 0, NULL, 0, 0,
		  "b4c021e085fb83ceffe6571a3d357b4a98773c83c474e47f76c876708fe316da");
	suffix_ld(AMDSEV, 1, "", 1, 1,
		  "13810ae661ea11e2bb205621f582fee268f0367c8f97bc297b7fadef3e12002c");
	suffix_ld(AMDSEV, 1, "", 1, 4,
		  "0dccbcaba8e90b261bd0d2e1863a2f9da714768b7b2a19363cd6ae35aa90de91");
}

/* ---- kernel hashes table, launch-flow.md §4 worked example ---- */
TEST(hashes_table_worked_example)
{
	uint8_t t[SWSEV_HASHES_TABLE_PADDED], h[32];

	CHECK_EQ(swsev_hashes_table((const uint8_t *)"KERNEL", 6, NULL, 0, "console=ttyS0", t),
		 SWSEV_OK);
	CHECK_HEX(
		t,
		"06d63894224fc94cb479a793d411fd21a800"
		"d82dd09720bd944caa78e7714d36ab2a3200f18aae9b3c09e55bc3047ad361e2442d7c53372470b2958fb83293209a784f71"
		"31f7ba442f3ad74b9af141e29169781d3200e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
		"3794e74dd2ab7f42b835d5b172d2045b3200a204d4ad1de3e9b07751899e5cf4d4a3017328c41372c70fdcc8db9587bb38fb"
		"0000000000000000");
	CHECK_EQ(swsev_sha256(t, sizeof(t), h), SWSEV_OK);
	CHECK_HEX(h, "d84e2fbaa5b755a7c05f46a4f3106e92143129e13ad21d6a6552bf05ed4e9ba8");
	/* no -append: the hash of the single NUL byte */
	CHECK_EQ(swsev_hashes_table((const uint8_t *)"KERNEL", 6, NULL, 0, NULL, t), SWSEV_OK);
	CHECK_HEX(t + 0x24, "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
	CHECK_EQ(swsev_hashes_table(NULL, 5, NULL, 0, NULL, t), SWSEV_E_INVALID);
}

/* ---- OVMF footer entries of the three 4 KiB files ---- */
TEST(ovmf_footer_entries)
{
	struct swsev_ovmf_info i;
	size_t n = 0;
	uint8_t *b;

	b = th_read_file(th_fixture(AMDSEV), &n);
	if (b) {
		CHECK_EQ(swsev_ovmf_parse(b, n, &i), SWSEV_OK);
		CHECK_EQ(i.table_len, 136);
		CHECK(i.have_reset && i.have_secret && i.have_hashes && i.have_sev_meta &&
		      i.have_tdx_meta);
		CHECK_EQ(i.sev_es_reset, 0x80b004);
		CHECK_EQ(i.secret_base, 0x810000);
		CHECK_EQ(i.secret_size, 0xc00);
		CHECK_EQ(i.hashes_base, 0x810c00);
		CHECK_EQ(i.hashes_size, 0x400);
		CHECK_EQ(i.sev_meta_offset, 0x554);
		CHECK_EQ(i.tdx_meta_offset, 0x9d0);
		free(b);
	}
	b = th_read_file(th_fixture(RHEL_OVMF), &n);
	if (b) {
		CHECK_EQ(swsev_ovmf_parse(b, n, &i), SWSEV_OK);
		CHECK(i.have_reset && i.have_secret && i.have_hashes);
		CHECK_EQ(i.sev_es_reset, 0x80b004);
		CHECK_EQ(i.secret_base, 0x80c000);
		CHECK_EQ(i.secret_size, 0xc00);
		CHECK_EQ(i.hashes_base, 0x80cc00);
		CHECK_EQ(i.hashes_size, 0x400);
		free(b);
	}
	b = th_read_file(th_fixture(OVMFX64), &n);
	if (b) {
		CHECK_EQ(swsev_ovmf_parse(b, n, &i), SWSEV_OK);
		CHECK(i.have_reset && i.have_secret && i.have_hashes && i.have_sev_meta &&
		      i.have_tdx_meta);
		CHECK_EQ(i.sev_es_reset, 0x80b004);
		CHECK_EQ(i.secret_base, 0);
		CHECK_EQ(i.secret_size, 0);
		CHECK_EQ(i.hashes_base, 0);
		CHECK_EQ(i.hashes_size, 0);
		free(b);
	}
}

TEST(ovmf_footer_negative)
{
	struct swsev_ovmf_info i;
	size_t n = 0, bad = 0;
	uint8_t *b = th_read_file(th_fixture(AMDSEV), &n);
	uint8_t *copy;
	unsigned t;

	if (!b)
		return;
	copy = malloc(n);
	memcpy(copy, b, n);
	t = swsev_le16(b + n - 50);
	/* no footer GUID */
	copy[n - 40] ^= 1;
	CHECK_EQ(swsev_ovmf_parse(copy, n, &i), SWSEV_E_NOTFOUND);
	copy[n - 40] ^= 1;
	/* too short for a footer */
	CHECK_EQ(swsev_ovmf_parse(b + n - 49, 49, &i), SWSEV_E_NOTFOUND);
	CHECK_EQ(swsev_ovmf_parse(NULL, 0, &i), SWSEV_E_NOTFOUND);
	/* the table, cut off below its start */
	CHECK_EQ(swsev_ovmf_parse(b + n - 32 - t + 1, 32 + t - 1, &i), SWSEV_E_FORMAT);
	/* and exactly at its start: fine */
	CHECK_EQ(swsev_ovmf_parse(b + n - 32 - t, 32 + t, &i), SWSEV_OK);
	/* total length too small, zero, larger than the image */
	swsev_wle16(copy + n - 50, 17);
	CHECK_EQ(swsev_ovmf_parse(copy, n, &i), SWSEV_E_FORMAT);
	swsev_wle16(copy + n - 50, 0);
	CHECK_EQ(swsev_ovmf_parse(copy, n, &i), SWSEV_E_FORMAT);
	swsev_wle16(copy + n - 50, 0xffff);
	CHECK_EQ(swsev_ovmf_parse(copy, n, &i), SWSEV_E_FORMAT);
	/* one byte off either way breaks the backward walk */
	swsev_wle16(copy + n - 50, (uint16_t)(t + 1));
	CHECK_EQ(swsev_ovmf_parse(copy, n, &i), SWSEV_E_FORMAT);
	swsev_wle16(copy + n - 50, (uint16_t)(t - 1));
	CHECK_EQ(swsev_ovmf_parse(copy, n, &i), SWSEV_E_FORMAT);
	swsev_wle16(copy + n - 50, (uint16_t)t);
	/* the last entry's length: every wrong value is refused or lands on a
	 * different split; it never reads outside the table */
	for (unsigned l = 0; l < 0x10000; l += 1) {
		uint16_t orig = swsev_le16(b + n - 50 - 18);

		swsev_wle16(copy + n - 50 - 18, (uint16_t)l);
		if (l != orig && swsev_ovmf_parse(copy, n, &i) == SWSEV_OK && i.have_tdx_meta &&
		    i.have_reset && i.have_secret && i.have_hashes && i.have_sev_meta)
			bad++;
	}
	CHECK_EQ(bad, 0);
	free(copy);
	free(b);
}

/* ---- VMSA ---- */
TEST(vmsa_sevctl_files)
{
	uint8_t v0[4096], v1[4096], b[4096];
	struct swsev_vmsa_params p = { 0 };
	struct swsev_vmsa_fields f;

	if (read_exact(SEVCTL "vmsa0.bin", v0, 4096) || read_exact(SEVCTL "vmsa1.bin", v1, 4096))
		return;
	p.cpu_sig = swsev_cpu_signature(25, 1, 1);
	CHECK_EQ(p.cpu_sig, 0x00a00f11);
	p.ap_reset = 0x80b004;
	swsev_vmsa_build(&p, b);
	CHECK_MEM(b, v0, 4096);
	p.ap = 1;
	swsev_vmsa_build(&p, b);
	CHECK_MEM(b, v1, 4096);
	CHECK_EQ(swsev_vmsa_parse(v1, 4096, &f), SWSEV_OK);
	CHECK_EQ(f.cs_base, 0x800000);
	CHECK_EQ(f.rip, 0xb004);
	CHECK_EQ(f.cs_sel, 0xf000);
	CHECK_EQ(f.cs_attr, 0x9b);
	CHECK_EQ(f.rdx, 0xa00f11);
	CHECK_EQ(f.g_pat, 0x0007040600070406ull);
	CHECK_EQ(f.efer, 0x1000);
	CHECK_EQ(f.mxcsr, 0);
	CHECK_EQ(swsev_vmsa_parse(v0, 4096, &f), SWSEV_OK);
	CHECK_EQ(f.cs_base, 0xffff0000u);
	CHECK_EQ(f.rip, 0xfff0);
	CHECK_EQ(swsev_vmsa_parse(v0, 4095, &f), SWSEV_E_TRUNCATED);
	CHECK_EQ(swsev_vmsa_parse(v0, 0, &f), SWSEV_E_TRUNCATED);
	/* INIT2 VM types: FPU reset state */
	p.init2_fpu = 1;
	swsev_vmsa_build(&p, b);
	CHECK_EQ(swsev_le32(b + 0x408), 0x1f80);
	CHECK_EQ(swsev_le16(b + 0x410), 0x037f);
	CHECK(memcmp(b, v1, 4096) != 0);
}

TEST(cpu_signatures)
{
	CHECK_EQ(swsev_cpu_signature(23, 1, 2), 0x00800f12);  /* EPYC */
	CHECK_EQ(swsev_cpu_signature(23, 49, 0), 0x00830f10); /* EPYC-Rome */
	CHECK_EQ(swsev_cpu_signature(25, 1, 1), 0x00a00f11);  /* EPYC-Milan */
	CHECK_EQ(swsev_cpu_signature(25, 17, 0), 0x00a10f10); /* EPYC-Genoa */
	CHECK_EQ(swsev_cpu_signature(6, 0x55, 4),
		 0x00050654); /* family <= 0xf: no extended family */
}

/* ---- packet header and MAC, crypto.md §7.5 ---- */
TEST(packet_vectors)
{
	uint8_t tek[16], tik[16], iv[16], pt[32], ct[32], back[32], measure[32];
	uint8_t hdr[SWSEV_PKT_HDR_LEN], mac[32];
	struct swsev_pkt_hdr h, h2;

	unhex("00112233445566778899aabbccddeeff", tek, 16);
	unhex("ffeeddccbbaa99887766554433221100", tik, 16);
	unhex("42835280ae54e8034d149d72525b62c534081d20f8857d5e3e90d74d8c37f3cb", measure, 32);
	memset(iv, 0xaa, 16);
	for (int i = 0; i < 32; i++)
		pt[i] = (uint8_t)i;
	CHECK_EQ(swsev_pkt_seal(tek, tik, SWSEV_CTX_SECRET, iv, pt, 32, measure, &h, ct), SWSEV_OK);
	CHECK_HEX(ct, "b2a0b10dc7d2cd9da9932fd5caf9b483373ee392d6093274ea1523542ee0b02d");
	CHECK_HEX(h.mac, "62b34b4ad548e792b00bfecd633bdc46c7bee2a5a042e6060394e69038ca1559");
	swsev_pkt_hdr_encode(&h, hdr);
	CHECK_HEX(hdr, "00000000aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		       "62b34b4ad548e792b00bfecd633bdc46c7bee2a5a042e6060394e69038ca1559");
	CHECK_EQ(swsev_pkt_hdr_parse(hdr, sizeof(hdr), &h2), SWSEV_OK);
	CHECK_MEM(&h2, &h, sizeof(h));
	CHECK_EQ(swsev_pkt_mac(tik, SWSEV_CTX_SECRET, &h2, 32, 32, ct, measure, mac), SWSEV_OK);
	CHECK_MEM(mac, h.mac, 32);
	CHECK_EQ(swsev_pkt_open(tek, tik, SWSEV_CTX_SECRET, &h2, ct, 32, measure, back), SWSEV_OK);
	CHECK_MEM(back, pt, 32);

	/* data packet, CTX 0x02, no measurement */
	memset(iv, 0x55, 16);
	memset(pt, 0x5a, 32);
	CHECK_EQ(swsev_pkt_seal(tek, tik, SWSEV_CTX_DATA, iv, pt, 32, NULL, &h, ct), SWSEV_OK);
	CHECK_HEX(ct, "75fae7e872bb676ca862b886e1f9efe39e532402fea7f2bb7e6950bd34405bde");
	CHECK_HEX(h.mac, "216224fde8a04ffd2c753c77ad1bdc68c319d4bebb47eabde5b5d519036e5704");
	CHECK_EQ(swsev_pkt_open(tek, tik, SWSEV_CTX_DATA, &h, ct, 32, NULL, back), SWSEV_OK);
	CHECK_MEM(back, pt, 32);
	/* the same packet under another context byte does not verify */
	CHECK_EQ(swsev_pkt_open(tek, tik, 0x03, &h, ct, 32, NULL, back), SWSEV_E_BADMAC);
	CHECK_EQ(swsev_pkt_open(tek, tik, SWSEV_CTX_SECRET, &h, ct, 32, measure, back),
		 SWSEV_E_BADMAC);
}

TEST(packet_negative)
{
	uint8_t tek[16], tik[16], iv[16], pt[32], ct[32], back[32], measure[32];
	uint8_t hdr[SWSEV_PKT_HDR_LEN + 1];
	struct swsev_pkt_hdr h, h2;
	int bad = 0;

	unhex("00112233445566778899aabbccddeeff", tek, 16);
	unhex("ffeeddccbbaa99887766554433221100", tik, 16);
	memset(measure, 0x42, 32);
	memset(iv, 0xaa, 16);
	memset(pt, 0x33, 32);
	CHECK_EQ(swsev_pkt_seal(tek, tik, SWSEV_CTX_SECRET, iv, pt, 32, measure, &h, ct), SWSEV_OK);
	swsev_pkt_hdr_encode(&h, hdr);
	/* each flipped header byte */
	for (size_t i = 0; i < SWSEV_PKT_HDR_LEN; i++) {
		hdr[i] ^= 0x01;
		if (swsev_pkt_hdr_parse(hdr, SWSEV_PKT_HDR_LEN, &h2) != SWSEV_OK ||
		    swsev_pkt_open(tek, tik, SWSEV_CTX_SECRET, &h2, ct, 32, measure, back) !=
			    SWSEV_E_BADMAC)
			bad++;
		if (!swsev_ct_is_zero(back, 32))
			bad++;
		hdr[i] ^= 0x01;
	}
	/* each flipped payload byte, each flipped measurement byte */
	for (size_t i = 0; i < 32; i++) {
		ct[i] ^= 0x10;
		if (swsev_pkt_open(tek, tik, SWSEV_CTX_SECRET, &h, ct, 32, measure, back) !=
		    SWSEV_E_BADMAC)
			bad++;
		ct[i] ^= 0x10;
		measure[i] ^= 0x10;
		if (swsev_pkt_open(tek, tik, SWSEV_CTX_SECRET, &h, ct, 32, measure, back) !=
		    SWSEV_E_BADMAC)
			bad++;
		measure[i] ^= 0x10;
	}
	CHECK_EQ(bad, 0);
	/* a truncated payload (still a multiple of 16) fails the MAC */
	CHECK_EQ(swsev_pkt_open(tek, tik, SWSEV_CTX_SECRET, &h, ct, 16, measure, back),
		 SWSEV_E_BADMAC);
	/* lengths */
	CHECK_EQ(swsev_pkt_open(tek, tik, SWSEV_CTX_SECRET, &h, ct, 31, measure, back),
		 SWSEV_E_LENGTH);
	CHECK_EQ(swsev_pkt_seal(tek, tik, SWSEV_CTX_SECRET, iv, pt, 0, measure, &h2, ct),
		 SWSEV_E_LENGTH);
	CHECK_EQ(swsev_pkt_seal(tek, tik, SWSEV_CTX_SECRET, iv, pt, 32, NULL, &h2, back),
		 SWSEV_E_INVALID);
	CHECK_EQ(swsev_pkt_hdr_parse(hdr, SWSEV_PKT_HDR_LEN - 1, &h2), SWSEV_E_TRUNCATED);
	CHECK_EQ(swsev_pkt_hdr_parse(hdr, SWSEV_PKT_HDR_LEN + 1, &h2), SWSEV_E_TRAILING);
	CHECK_EQ(swsev_pkt_hdr_parse(hdr, 0, &h2), SWSEV_E_TRUNCATED);
	CHECK(swsev_ct_is_zero(&h2, sizeof(h2)));
	/* still fine untouched */
	CHECK_EQ(swsev_pkt_open(tek, tik, SWSEV_CTX_SECRET, &h, ct, 32, measure, back), SWSEV_OK);
	CHECK_MEM(back, pt, 32);
}

/* ---- sevctl secret build (tests/secretbuild.rs) ---- */
static const char *S_MEASURE = "4cb780efad3b959427b4b8d1635fe2fac6ed75267eef9cf1a73e0fc7d873a412";
static const char *S_IV = "ac5474ed4dd32c7d989ec523d92559ec";

static void sevctl_packet(int two, const char *want_hdr, const char *want_payload, size_t want_len)
{
	uint8_t tek[16], tik[16], iv[16], measure[32], hdr[SWSEV_PKT_HDR_LEN];
	struct swsev_secret_entry e[2], got[4];
	struct swsev_pkt_hdr h;
	uint8_t *table = NULL, *ct = NULL, *back = NULL;
	size_t tlen = 0, n1 = 0, n2 = 0, ng = 0;
	uint8_t *s1 = th_read_file(th_fixture(SEVCTL "secret/secret1.txt"), &n1);
	uint8_t *s2 = th_read_file(th_fixture(SEVCTL "secret/secret2.txt"), &n2);

	if (!s1 || !s2 || read_exact(SEVCTL "secret/tek1.bin", tek, 16) ||
	    read_exact(SEVCTL "secret/tik1.bin", tik, 16))
		goto out;
	CHECK_HEX(tek, "52a869b79ab9c13bb6a92b0561619cb3");
	CHECK_HEX(tik, "c6d5a9956133050912b24bbe5c372686");
	unhex(S_IV, iv, 16);
	unhex(S_MEASURE, measure, 32);
	CHECK_EQ(swsev_guid_parse("736869e5-84f0-4973-92ec-06879ce3da0b", e[0].guid), SWSEV_OK);
	e[0].data = s1;
	e[0].len = n1;
	CHECK_EQ(swsev_guid_parse("736869e5-aaaa-4973-92ec-06879ce3da0b", e[1].guid), SWSEV_OK);
	e[1].data = s2;
	e[1].len = n2;
	CHECK_EQ(swsev_secret_table_build(e, two ? 2 : 1, 0, &table, &tlen), SWSEV_OK);
	CHECK_EQ(tlen, want_len);
	if (!table || tlen != want_len)
		goto out;
	ct = malloc(tlen);
	back = malloc(tlen);
	CHECK_EQ(swsev_pkt_seal(tek, tik, SWSEV_CTX_SECRET, iv, table, tlen, measure, &h, ct),
		 SWSEV_OK);
	swsev_pkt_hdr_encode(&h, hdr);
	CHECK_HEX(hdr, want_hdr);
	CHECK_HEX(ct, want_payload);
	/* and back, as the firmware and the guest would read it */
	CHECK_EQ(swsev_pkt_open(tek, tik, SWSEV_CTX_SECRET, &h, ct, tlen, measure, back), SWSEV_OK);
	CHECK_EQ(swsev_secret_table_parse(back, tlen, got, 4, &ng), SWSEV_OK);
	CHECK_EQ(ng, two ? 2u : 1u);
	if (ng >= 1) {
		CHECK_MEM(got[0].guid, e[0].guid, 16);
		CHECK_EQ(got[0].len, n1);
		CHECK_MEM(got[0].data, "MY-LUKS-PASSPHRASE", 18);
	}
	if (two && ng == 2) {
		CHECK_EQ(got[1].len, n2);
		CHECK_MEM(got[1].data, "SOME OTHER SECRET", 17);
	}
out:
	swsev_clear_free(table, tlen);
	free(ct);
	free(back);
	free(s1);
	free(s2);
}

TEST(secret_sevctl_one)
{
	sevctl_packet(0,
		      "00000000ac5474ed4dd32c7d989ec523d92559ec"
		      "bc152cde610e17f0aef557334a2d4fca42c22c4312e3b5b85a3d47b0aac857e5",
		      "d14ddee4f717bf4516f87e2d48114a39d0987ca135fa3dfc05cd9fb8ed7a9988"
		      "b223eb16c7b20d7e7fa58188f9e862f5db2ca29c36be9557c20b00ffdb0e5c3c",
		      64);
}

TEST(secret_sevctl_two)
{
	sevctl_packet(1,
		      "00000000ac5474ed4dd32c7d989ec523d92559ec"
		      "99debd1d38428750e84846acc6618bd326074cb413cbd672ba183f5a1844fb36",
		      "d14ddee4f717bf4516f87e2d48114a39b5987ca135fa3dfc05cd9fb8ed7a9988"
		      "b223eb16c7b20d7e7fa58188f9e862f5db2ca29c36be9557c20be596b37df696"
		      "92cd517d5923760aeef620b72b385feb86c4422590843dd2ff3fc3c64599031e",
		      96);
}

TEST(secret_table_padding_and_parse)
{
	struct swsev_secret_entry e[2], got[2];
	uint8_t data[12] = "twelve bytes", *t = NULL;
	size_t tl = 0, n = 0;

	/* 20 + 20 + 12 = 52: both pad to 64 */
	CHECK_EQ(swsev_guid_parse("736869e5-84f0-4973-92ec-06879ce3da0b", e[0].guid), SWSEV_OK);
	e[0].data = data;
	e[0].len = 12;
	CHECK_EQ(swsev_secret_table_build(e, 1, 0, &t, &tl), SWSEV_OK);
	CHECK_EQ(tl, 64);
	CHECK_EQ(swsev_le32(t + 16), 52);
	swsev_clear_free(t, tl);
	/* 20 + 20 + 8 = 48: sevctl adds nothing, libvirt a whole block */
	e[0].len = 8;
	CHECK_EQ(swsev_secret_table_build(e, 1, 0, &t, &tl), SWSEV_OK);
	CHECK_EQ(tl, 48);
	swsev_clear_free(t, tl);
	CHECK_EQ(swsev_secret_table_build(e, 1, 1, &t, &tl), SWSEV_OK);
	CHECK_EQ(tl, 64);
	CHECK_EQ(swsev_le32(t + 16), 48);
	CHECK(swsev_ct_is_zero(t + 48, 16));
	CHECK_EQ(swsev_secret_table_parse(t, tl, got, 2, &n), SWSEV_OK);
	CHECK_EQ(n, 1);
	CHECK_EQ(got[0].len, 8);
	/* a deleted (NULL GUID) entry is skipped by the guest */
	memset(t + 20, 0, 16);
	CHECK_EQ(swsev_secret_table_parse(t, tl, got, 2, &n), SWSEV_OK);
	CHECK_EQ(n, 0);
	memcpy(t + 20, e[0].guid, 16);
	/* corrupt lengths */
	swsev_wle32(t + 36, 19);
	CHECK_EQ(swsev_secret_table_parse(t, tl, got, 2, &n), SWSEV_E_LENGTH);
	swsev_wle32(t + 36, 29);
	CHECK_EQ(swsev_secret_table_parse(t, tl, got, 2, &n), SWSEV_E_LENGTH);
	swsev_wle32(t + 36, 28);
	swsev_wle32(t + 16, 19);
	CHECK_EQ(swsev_secret_table_parse(t, tl, got, 2, &n), SWSEV_E_LENGTH);
	swsev_wle32(t + 16, (uint32_t)tl + 1);
	CHECK_EQ(swsev_secret_table_parse(t, tl, got, 2, &n), SWSEV_E_LENGTH);
	swsev_wle32(t + 16, 48);
	CHECK_EQ(swsev_secret_table_parse(t, 19, got, 2, &n), SWSEV_E_TRUNCATED);
	t[0] ^= 1;
	CHECK_EQ(swsev_secret_table_parse(t, tl, got, 2, &n), SWSEV_E_FORMAT);
	t[0] ^= 1;
	CHECK_EQ(swsev_secret_table_parse(t, tl, got, 0, &n), SWSEV_E_RANGE);
	CHECK_EQ(swsev_secret_table_parse(t, tl, got, 2, &n), SWSEV_OK);
	swsev_clear_free(t, tl);
	/* NULL or repeated GUIDs are refused when building */
	e[1] = e[0];
	CHECK_EQ(swsev_secret_table_build(e, 2, 0, &t, &tl), SWSEV_E_FORMAT);
	memset(e[1].guid, 0, 16);
	CHECK_EQ(swsev_secret_table_build(e + 1, 1, 0, &t, &tl), SWSEV_E_FORMAT);
	CHECK(t == NULL);
}

TEST(secret_table_entry_cap)
{
	/* 70 entries with 0 data bytes: the guest reads only the first 64 */
	uint8_t buf[20 + 70 * 20];
	struct swsev_secret_entry got[70];
	size_t n = 0;

	memset(buf, 0, sizeof(buf));
	CHECK_EQ(swsev_guid_parse("1e74f542-71dd-4d66-963e-ef4287ff173b", buf), SWSEV_OK);
	swsev_wle32(buf + 16, sizeof(buf));
	for (int i = 0; i < 70; i++) {
		buf[20 + i * 20] = (uint8_t)(i + 1);
		swsev_wle32(buf + 20 + i * 20 + 16, 20);
	}
	CHECK_EQ(swsev_secret_table_parse(buf, sizeof(buf), got, 70, &n), SWSEV_OK);
	CHECK_EQ(n, 64);
}

TH_MAIN_BEGIN("test_launch")
RUN(session_vector_a);
RUN(session_vector_b);
RUN(session_negative);
RUN(measure_vectors);
RUN(measure_negative);
RUN(measure_sevctl_digest_given);
RUN(measure_sevctl_firmware);
RUN(measure_sevctl_kernel_hashes);
RUN(measure_sevctl_sev_es);
RUN(virtee_suffix_digests);
RUN(hashes_table_worked_example);
RUN(ovmf_footer_entries);
RUN(ovmf_footer_negative);
RUN(vmsa_sevctl_files);
RUN(cpu_signatures);
RUN(packet_vectors);
RUN(packet_negative);
RUN(secret_sevctl_one);
RUN(secret_sevctl_two);
RUN(secret_table_padding_and_parse);
RUN(secret_table_entry_cap);
TH_MAIN_END
