/*
 * devsev_test: exercises every /dev/sev command through the kernel ABI
 * only (open, ioctl(SEV_ISSUE_CMD), the structs of linux-abi.md §2 as
 * mirrored in swsev/psp-sev.h). No swsev library: run it against a real
 * /dev/sev, or against swsevd with
 *
 *   LD_PRELOAD=build/libswsev-preload.so SWSEV_SOCKET=... devsev_test
 *
 * It changes platform state (PEK_GEN, PDH_GEN, PEK_CERT_IMPORT,
 * FACTORY_RESET): never point it at a machine whose identity matters.
 * Output: "PASS devsev/<case>" or "FAIL devsev/<case>: why" per case.
 * Exit status 1 if any case failed.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "swsev/psp-sev.h"

#define DEVSEV_TAG "devsev"
#include "devsev_util.h"

#define CERT_LEN 2084
#define CHAIN_LEN (3 * CERT_LEN)
#define ID_LEN 64
#define ST_INVALID_LENGTH 4
#define ST_ALREADY_OWNED 5

static const char *dev = "/dev/sev";

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint32_t usage_of(const uint8_t *cert)
{
	return le32(cert + 8);
}

static int status(int fd, struct sev_user_data_status *s)
{
	int e;
	uint32_t fw;

	memset(s, 0xff, sizeof(*s));
	return issue(fd, SEV_PLATFORM_STATUS, s, &e, &fw);
}

/* PDH_CERT_EXPORT with right-sized buffers. */
static int export_chain(int fd, uint8_t *pdh, uint8_t *chain)
{
	struct sev_user_data_pdh_cert_export x;
	int e;
	uint32_t fw;

	memset(&x, 0, sizeof(x));
	x.pdh_cert_address = (uint64_t)(uintptr_t)pdh;
	x.pdh_cert_len = CERT_LEN;
	x.cert_chain_address = (uint64_t)(uintptr_t)chain;
	x.cert_chain_len = CHAIN_LEN;
	return issue(fd, SEV_PDH_CERT_EXPORT, &x, &e, &fw);
}

int main(int argc, char **argv)
{
	static uint8_t pdh1[CERT_LEN], chain1[CHAIN_LEN], pdh2[CERT_LEN], chain2[CHAIN_LEN];
	static uint8_t csr[CERT_LEN + 16], id[ID_LEN + 16], pek_own[CERT_LEN], oca_own[CERT_LEN];
	struct sev_user_data_status st;
	struct sev_user_data_pek_csr csrq;
	struct sev_user_data_pdh_cert_export ex;
	struct sev_user_data_get_id2 id2;
	struct sev_user_data_get_id id1;
	struct sev_user_data_pek_cert_import imp;
	int rw, ro, fd2, r, e;
	uint32_t fw;

	if (argc > 1)
		dev = argv[1];
	rw = open(dev, O_RDWR | O_CLOEXEC);
	ro = open(dev, O_RDONLY);
	result("open", rw >= 0 && ro >= 0, "open(%s): %s", dev, strerror(errno));
	if (rw < 0 || ro < 0)
		return 1;

	/* ioctl level: wrong request number, unknown command, NULL struct */
	errno = 0;
	r = ioctl(rw, 0xC0105301u, &st);
	result("wrong_ioctl_number", r == -1 && errno == EINVAL, "r=%d errno=%d", r, errno);
	r = issue(rw, 99, &st, &e, &fw);
	result("unknown_command_einval", r == -1 && e == EINVAL, "r=%d errno=%d", r, e);
	r = issue(rw, SEV_PLATFORM_STATUS, NULL, &e, &fw);
	result("null_struct_efault", r == -1 && e == EFAULT, "r=%d errno=%d", r, e);

	/* PLATFORM_STATUS: allowed on a read-only descriptor */
	memset(&st, 0xff, sizeof(st));
	r = issue(ro, SEV_PLATFORM_STATUS, &st, &e, &fw);
	result("platform_status",
	       r == 0 && fw == 0 && st.state <= 2 && (st.api_major > 0 || st.api_minor >= 17) &&
		       (st.flags & ~(uint32_t)0x101) == 0,
	       "r=%d errno=%d error=0x%x api=%u.%u state=%u flags=0x%x", r, e, fw, st.api_major,
	       st.api_minor, st.state, st.flags);

	/* PEK_CSR: the length query (address 0, length 0) */
	memset(&csrq, 0, sizeof(csrq));
	r = issue(rw, SEV_PEK_CSR, &csrq, &e, &fw);
	result("pek_csr_length_query",
	       r == -1 && e == EIO && fw == ST_INVALID_LENGTH && csrq.length == CERT_LEN &&
		       csrq.address == 0,
	       "r=%d errno=%d error=0x%x length=%u", r, e, fw, csrq.length);
	/* a buffer too small: INVALID_LENGTH, the needed size, nothing written */
	memset(csr, 0xa5, sizeof(csr));
	csrq.address = (uint64_t)(uintptr_t)csr;
	csrq.length = 100;
	r = issue(rw, SEV_PEK_CSR, &csrq, &e, &fw);
	result("pek_csr_short_buffer",
	       r == -1 && e == EIO && fw == ST_INVALID_LENGTH && csrq.length == CERT_LEN &&
		       csr[0] == 0xa5 && csrq.address == (uint64_t)(uintptr_t)csr,
	       "r=%d errno=%d error=0x%x length=%u", r, e, fw, csrq.length);
	/* the real call: a PEK body with both signature slots empty */
	csrq.length = CERT_LEN;
	r = issue(rw, SEV_PEK_CSR, &csrq, &e, &fw);
	result("pek_csr",
	       r == 0 && fw == 0 && csrq.length == CERT_LEN && le32(csr) == 1 &&
		       usage_of(csr) == 0x1002 && le32(csr + 0x414) == 0x1000 &&
		       le32(csr + 0x61c) == 0x1000 && csr[CERT_LEN] == 0xa5,
	       "r=%d errno=%d error=0x%x length=%u usage=0x%x", r, e, fw, csrq.length,
	       usage_of(csr));
	/* over the driver's 16 KiB cap */
	csrq.length = SEV_FW_BLOB_MAX_SIZE + 1;
	r = issue(rw, SEV_PEK_CSR, &csrq, &e, &fw);
	result("pek_csr_over_cap_efault", r == -1 && e == EFAULT, "r=%d errno=%d", r, e);

	/* PDH_CERT_EXPORT: query, then the PDH and PEK || OCA || CEK */
	memset(&ex, 0, sizeof(ex));
	r = issue(ro, SEV_PDH_CERT_EXPORT, &ex, &e, &fw);
	result("pdh_cert_export_length_query",
	       r == -1 && e == EIO && fw == ST_INVALID_LENGTH && ex.pdh_cert_len == CERT_LEN &&
		       ex.cert_chain_len == CHAIN_LEN,
	       "r=%d errno=%d error=0x%x lengths=%u,%u", r, e, fw, ex.pdh_cert_len,
	       ex.cert_chain_len);
	r = export_chain(ro, pdh1, chain1);
	result("pdh_cert_export",
	       r == 0 && usage_of(pdh1) == 0x1003 && usage_of(chain1) == 0x1002 &&
		       usage_of(chain1 + CERT_LEN) == 0x1001 &&
		       usage_of(chain1 + 2 * CERT_LEN) == 0x1004 &&
		       le32(chain1 + 2 * CERT_LEN + 0x414) == 0x1000,
	       "r=%d usages pdh=0x%x pek=0x%x oca=0x%x cek=0x%x", r, usage_of(pdh1),
	       usage_of(chain1), usage_of(chain1 + CERT_LEN), usage_of(chain1 + 2 * CERT_LEN));
	/* the CSR is the current PEK's body */
	result("pek_csr_matches_pek", memcmp(csr, chain1, 0x414) == 0,
	       "CSR body differs from the exported PEK");

	/* GET_ID2: query, then the 64-byte identifier; GET_ID agrees */
	memset(&id2, 0, sizeof(id2));
	r = issue(ro, SEV_GET_ID2, &id2, &e, &fw);
	result("get_id2_length_query",
	       r == -1 && e == EIO && fw == ST_INVALID_LENGTH && id2.length == ID_LEN,
	       "r=%d errno=%d error=0x%x length=%u", r, e, fw, id2.length);
	memset(id, 0, sizeof(id));
	id2.address = (uint64_t)(uintptr_t)id;
	id2.length = ID_LEN;
	r = issue(ro, SEV_GET_ID2, &id2, &e, &fw);
	{
		int nz = 0;

		for (int i = 0; i < ID_LEN; i++)
			nz |= id[i];
		result("get_id2",
		       r == 0 && fw == 0 && id2.length == ID_LEN && nz && id[ID_LEN] == 0,
		       "r=%d errno=%d error=0x%x length=%u", r, e, fw, id2.length);
	}
	memset(&id1, 0, sizeof(id1));
	r = issue(ro, SEV_GET_ID, &id1, &e, &fw);
	result("get_id", r == 0 && fw == 0 && memcmp(id1.socket1, id, ID_LEN) == 0,
	       "r=%d errno=%d error=0x%x", r, e, fw);

	/* a read-only descriptor is refused every command that changes state */
	{
		static const struct {
			uint32_t cmd;
			const char *name;
		} w[] = {
			{ SEV_FACTORY_RESET, "ro_factory_reset_eperm" },
			{ SEV_PEK_GEN, "ro_pek_gen_eperm" },
			{ SEV_PEK_CSR, "ro_pek_csr_eperm" },
			{ SEV_PDH_GEN, "ro_pdh_gen_eperm" },
			{ SEV_PEK_CERT_IMPORT, "ro_pek_cert_import_eperm" },
		};
		for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++) {
			uint8_t buf[32];

			memset(buf, 0, sizeof(buf));
			r = issue(ro, w[i].cmd, buf, &e, &fw);
			result(w[i].name, r == -1 && e == EPERM, "r=%d errno=%d", r, e);
		}
	}
	r = export_chain(ro, pdh2, chain2);
	result("ro_refusals_changed_nothing",
	       r == 0 && memcmp(pdh1, pdh2, CERT_LEN) == 0 &&
		       memcmp(chain1, chain2, CHAIN_LEN) == 0,
	       "the chain changed after refused commands");

	/* PDH_GEN: a new PDH, the same PEK */
	r = issue(rw, SEV_PDH_GEN, NULL, &e, &fw);
	result("pdh_gen", r == 0 && fw == 0, "r=%d errno=%d error=0x%x", r, e, fw);
	r = export_chain(rw, pdh2, chain2);
	result("pdh_gen_effect",
	       r == 0 && memcmp(pdh1, pdh2, CERT_LEN) != 0 &&
		       memcmp(chain1, chain2, CHAIN_LEN) == 0,
	       "PDH unchanged or PEK/OCA/CEK changed");

	/* PEK_GEN: new OCA, PEK and PDH; the CEK stays */
	memcpy(pdh1, pdh2, CERT_LEN);
	memcpy(chain1, chain2, CHAIN_LEN);
	r = issue(rw, SEV_PEK_GEN, NULL, &e, &fw);
	result("pek_gen", r == 0 && fw == 0, "r=%d errno=%d error=0x%x", r, e, fw);
	r = export_chain(rw, pdh2, chain2);
	result("pek_gen_effect",
	       r == 0 && memcmp(pdh1, pdh2, CERT_LEN) != 0 &&
		       memcmp(chain1, chain2, CERT_LEN) != 0 &&
		       memcmp(chain1 + CERT_LEN, chain2 + CERT_LEN, CERT_LEN) != 0 &&
		       memcmp(chain1 + 2 * CERT_LEN, chain2 + 2 * CERT_LEN, CERT_LEN) == 0,
	       "PEK_GEN did not renew exactly OCA, PEK and PDH");

	/* PEK_CERT_IMPORT: lengths are checked by the driver and the firmware */
	memcpy(pek_own, chain2, CERT_LEN);
	memcpy(oca_own, chain2 + CERT_LEN, CERT_LEN);
	memset(&imp, 0, sizeof(imp));
	imp.pek_cert_address = (uint64_t)(uintptr_t)pek_own;
	imp.pek_cert_len = SEV_FW_BLOB_MAX_SIZE + 1;
	imp.oca_cert_address = (uint64_t)(uintptr_t)oca_own;
	imp.oca_cert_len = CERT_LEN;
	r = issue(rw, SEV_PEK_CERT_IMPORT, &imp, &e, &fw);
	result("pek_cert_import_over_cap_einval", r == -1 && e == EINVAL, "r=%d errno=%d", r, e);
	imp.pek_cert_len = 100;
	r = issue(rw, SEV_PEK_CERT_IMPORT, &imp, &e, &fw);
	result("pek_cert_import_bad_length", r == -1 && e == EIO && fw == ST_INVALID_LENGTH,
	       "r=%d errno=%d error=0x%x", r, e, fw);
	/* a flipped byte in the OCA's key breaks its self-signature */
	imp.pek_cert_len = CERT_LEN;
	oca_own[0x20] ^= 1;
	r = issue(rw, SEV_PEK_CERT_IMPORT, &imp, &e, &fw);
	result("pek_cert_import_flipped_oca",
	       r == -1 && e == EIO && fw != 0 && fw != ST_INVALID_LENGTH,
	       "r=%d errno=%d error=0x%x", r, e, fw);
	oca_own[0x20] ^= 1;
	/* the platform's own OCA and its PEK with only the OCA signature (the CEK's
	 * slot emptied, as in a signed CSR): a valid import, owner external */
	memset(pek_own + 0x61c, 0, 8 + 512);
	pek_own[0x61c + 1] = 0x10; /* usage 0x1000: empty slot */
	r = issue(rw, SEV_PEK_CERT_IMPORT, &imp, &e, &fw);
	r = r == 0 && fw == 0 ? status(ro, &st) : -1;
	result("pek_cert_import", r == 0 && (st.flags & 1), "r=%d errno=%d error=0x%x flags=0x%x",
	       r, e, fw, st.flags);
	r = issue(rw, SEV_PEK_CERT_IMPORT, &imp, &e, &fw);
	result("pek_cert_import_already_owned", r == -1 && e == EIO && fw == ST_ALREADY_OWNED,
	       "r=%d errno=%d error=0x%x", r, e, fw);

	/* a duplicated descriptor is the same device, also after the original closes */
	fd2 = dup(ro);
	r = fd2 >= 0 ? status(fd2, &st) : -1;
	result("dup", r == 0, "dup'd descriptor: r=%d", r);
	fd2 = fd2 >= 0 ? dup2(fd2, 100) : -1;
	r = fd2 == 100 ? status(100, &st) : -1;
	result("dup2", r == 0, "dup2'd descriptor: r=%d", r);
	close(100);
	/* fcntl's duplicates too; the copy keeps the original's access mode */
	fd2 = fcntl(ro, F_DUPFD_CLOEXEC, 200);
	r = fd2 >= 200 ? status(fd2, &st) : -1;
	result("fcntl_dupfd_cloexec", r == 0 && (fcntl(fd2, F_GETFD) & FD_CLOEXEC),
	       "fcntl(F_DUPFD_CLOEXEC) descriptor %d: r=%d", fd2, r);
	r = fd2 >= 0 ? issue(fd2, SEV_PDH_GEN, NULL, &e, &fw) : 0;
	result("fcntl_dupfd_keeps_read_only", r == -1 && e == EPERM, "r=%d errno=%d", r, e);
	if (fd2 >= 0)
		close(fd2);
	fd2 = fcntl(rw, F_DUPFD, 0);
	r = fd2 >= 0 ? status(fd2, &st) : -1;
	result("fcntl_dupfd", r == 0, "fcntl(F_DUPFD) descriptor %d: r=%d", fd2, r);
	if (fd2 >= 0)
		close(fd2);

	/* FACTORY_RESET: back to UNINIT, self-owned, a new identity; the CEK stays */
	r = issue(rw, SEV_FACTORY_RESET, NULL, &e, &fw);
	result("factory_reset", r == 0 && fw == 0, "r=%d errno=%d error=0x%x", r, e, fw);
	r = status(ro, &st);
	result("factory_reset_state", r == 0 && st.state == 0 && (st.flags & 1) == 0,
	       "r=%d state=%u flags=0x%x", r, st.state, st.flags);
	memcpy(chain1, chain2, CHAIN_LEN);
	r = export_chain(rw, pdh2, chain2); /* auto-INIT needs the writable descriptor */
	result("factory_reset_effect",
	       r == 0 && memcmp(chain1, chain2, CERT_LEN) != 0 &&
		       memcmp(chain1 + 2 * CERT_LEN + 0x10, chain2 + 2 * CERT_LEN + 0x10, 1028) ==
			       0,
	       "r=%d: the PEK did not change or the CEK's key did", r);

	close(ro);
	r = status(ro, &st);
	result("closed_descriptor", r == -1, "a closed descriptor still answers");
	close(rw);
	return failures ? 1 : 0;
}
