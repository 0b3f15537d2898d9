/* Shared helpers of `swsev vm` and `swsev guest` (cli/vmcommon.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "swsev/psp-sev.h"
#include "swsev/status.h"
#include "vmcommon.h"

swsev_client *vmc_connect(const char *path)
{
	swsev_client *c = NULL;
	char err[256] = "";

	if (path == NULL) {
		cli_err("no platform: give --socket PATH or set SWSEV_SOCKET to the socket of a running swsevd");
		return NULL;
	}
	if (swsev_client_connect_err(path, &c, err, sizeof(err)) != SWSEV_OK) {
		cli_err("cannot reach swsevd at %s: %s (is the daemon running? start it with "
			"'swsevd --state DIR --socket %s')",
			path, err[0] ? err : "connection failed", path);
		return NULL;
	}
	return c;
}

int vmc_call_quiet(swsev_client *c, const struct swsev_req *req, struct swsev_rsp *rsp)
{
	if (swsev_client_call(c, req, rsp) != SWSEV_OK)
		return -2;
	return rsp->err == 0 ? 0 : -1;
}

int vmc_call(swsev_client *c, const struct swsev_req *req, struct swsev_rsp *rsp, const char *what)
{
	int rc = vmc_call_quiet(c, req, rsp);
	char sb[64];

	if (rc == 0)
		return 0;
	if (rc == -2) {
		const char *m = swsev_client_error(c);
		cli_err("%s: the platform did not answer: %s", what,
			m && *m ? m : "transport error");
		return -1;
	}
	if (rsp->err == -EIO && rsp->fw_error != SEV_RET_NO_FW_CALL) {
		cli_err("%s failed: firmware status %s", what,
			swsev_status_str(rsp->fw_error, sb, sizeof(sb)));
		cli_err("  %s", swsev_status_hint(rsp->fw_error));
		return -1;
	}
	switch (-rsp->err) {
	case ENOENT: cli_err("%s failed: no such VM", what); break;
	case EEXIST:
		cli_err("%s failed: a VM of that name exists already (swsev vm list; swsev vm destroy NAME)",
			what);
		break;
	case EFAULT:
		cli_err("%s failed: the address range is not guest memory (RAM below 3 GiB, the flash below "
			"4 GiB, RAM above 4 GiB)",
			what);
		break;
	case EPERM:
		cli_err("%s failed: permission denied (the command changes platform state)", what);
		break;
	case ENOTTY:
		cli_err("%s failed: the VM is not an SEV guest (or SEV-ES is not available)", what);
		break;
	case EBUSY: cli_err("%s failed: busy (guests exist, or no free ASID)", what); break;
	default: cli_err("%s failed: %s", what, strerror(-rsp->err)); break;
	}
	return -1;
}

void vmc_blob(struct swsev_req *req, unsigned i, const void *p, size_t len)
{
	req->in[i].p = (uint8_t *)(uintptr_t)p;
	req->in[i].len = (uint32_t)len;
	req->in[i].present = 1;
}

int vmc_lookup(swsev_client *c, const char *name, uint32_t *id)
{
	struct swsev_req req;
	struct swsev_rsp rsp;
	int rc;

	memset(&req, 0, sizeof(req));
	req.op = SWSEV_OP_VM_LOOKUP;
	vmc_blob(&req, 0, name, strlen(name));
	rc = vmc_call_quiet(c, &req, &rsp);
	if (rc == 0 && rsp.arg_len >= 4) {
		*id = (uint32_t)rsp.arg[0] | (uint32_t)rsp.arg[1] << 8 |
		      (uint32_t)rsp.arg[2] << 16 | (uint32_t)rsp.arg[3] << 24;
	} else if (rc == -2) {
		cli_err("VM '%s': the platform did not answer", name);
		rc = -1;
	} else {
		cli_err("no VM named '%s' on this platform (swsev vm list)", name);
		rc = -1;
	}
	swsev_rsp_clear(&rsp);
	return rc;
}

void vmc_hexdump(uint64_t base, const uint8_t *p, size_t len)
{
	for (size_t off = 0; off < len; off += 16) {
		size_t n = len - off < 16 ? len - off : 16;

		printf("%08llx  ", (unsigned long long)(base + off));
		for (size_t i = 0; i < 16; i++) {
			if (i < n)
				printf("%02x ", p[off + i]);
			else
				fputs("   ", stdout);
			if (i == 7)
				putchar(' ');
		}
		fputs(" |", stdout);
		for (size_t i = 0; i < n; i++) {
			uint8_t ch = p[off + i];
			putchar(ch >= 0x20 && ch < 0x7f ? ch : '.');
		}
		fputs("|\n", stdout);
	}
}

void vmc_progress(const char *label, uint64_t done, uint64_t total)
{
	static int active;
	unsigned width = 30, fill;

	if (cli_g.quiet || total == 0 || !isatty(2))
		return;
	fill = (unsigned)(done * width / total);
	fprintf(stderr, "\r%-22s [", label);
	for (unsigned i = 0; i < width; i++)
		fputc(i < fill ? '#' : ' ', stderr);
	fprintf(stderr, "] %3u%%", (unsigned)(done * 100 / total));
	active = 1;
	if (done >= total && active) {
		fputc('\n', stderr);
		active = 0;
	}
	fflush(stderr);
}

int vmc_strip_json(int argc, char **argv)
{
	int k = 0;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			cli_g.json = 1;
			continue;
		}
		argv[k++] = argv[i];
	}
	argv[k] = NULL;
	return k;
}
