/*
 * swsevd: start-up and shutdown order.
 *
 *   options -> (fork, unless --foreground) -> signals and no core dumps ->
 *   state directory -> lock -> manufacture or load the platform ->
 *   --firmware: DOWNLOAD_FIRMWARE in UNINIT -> host layer -> socket ->
 *   "ready" -> accept loop -> (SIGTERM/SIGINT) -> drain connections -> free
 *   host, firmware, root -> unlock -> exit 0.
 *
 * Without --foreground the parent waits until the child listens (or fails)
 * and exits with that result, so `swsevd --state D && swsev ...` works.
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client/wire.h"
#include "codec/codec.h"
#include "swsev/cert.h"
#include "swsev/mem.h"
#include "swsev/status.h"
#include "swsevd.h"

/* A file larger than this is not read: no profile takes more than
 * SWSEV_FWIMG_MAX, and the firmware refuses any fw_len above its cap. */
#define FW_FILE_MAX (1024u * 1024u)

/* Forks; the parent waits for the child's ready byte and exits. Returns the
 * write end of the ready pipe in the child. */
static int daemonize(void)
{
	int p[2];
	pid_t pid;
	char c;

	if (pipe2(p, O_CLOEXEC) != 0) {
		perror("swsevd: pipe");
		exit(1);
	}
	pid = fork();
	if (pid < 0) {
		perror("swsevd: fork");
		exit(1);
	}
	if (pid > 0) {
		ssize_t n;

		close(p[1]);
		do {
			n = read(p[0], &c, 1);
		} while (n < 0 && errno == EINTR);
		exit(n == 1 ? 0 : 1);
	}
	close(p[0]);
	if (setsid() < 0)
		perror("swsevd: setsid");
	return p[1];
}

/* Reads an image file whole into a malloc buffer; errors logged. */
static int read_image(const char *path, uint8_t **out, size_t *len)
{
	struct stat sb;
	uint8_t *b = NULL;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = -1;

	*out = NULL;
	*len = 0;
	if (fd < 0) {
		log_err("--firmware %s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		log_err("--firmware %s: not a regular file", path);
		goto out;
	}
	if (sb.st_size <= 0 || (uint64_t)sb.st_size > FW_FILE_MAX) {
		log_err("--firmware %s: %lld bytes; a firmware image is 1 to %u bytes", path,
			(long long)sb.st_size, SWSEV_FWIMG_MAX);
		goto out;
	}
	b = malloc((size_t)sb.st_size);
	if (b == NULL) {
		log_err("--firmware %s: out of memory", path);
		goto out;
	}
	while (got < (size_t)sb.st_size) {
		ssize_t n = read(fd, b + got, (size_t)sb.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			log_err("--firmware %s: cannot read: %s", path,
				n < 0 ? strerror(errno) : "file shrank");
			goto out;
		}
		got += (size_t)n;
	}
	*out = b;
	*len = got;
	b = NULL;
	rc = 0;
out:
	free(b);
	close(fd);
	return rc;
}

/* Why the firmware refused an image, as far as the daemon can tell from the
 * image itself and the platform's ASK (docs/firmware.md "Firmware images"). */
static void refusal_detail(uint16_t status, const uint8_t *img, size_t len,
			   const struct swsevd_state *st, char *buf, size_t cap)
{
	const struct swsev_profile *p = swsev_fw_profile(st->fw);
	struct swsev_amd_cert ask;
	uint8_t certs[2 * SWSEV_AMD_CERT_MAX];
	struct swsev_fwimage fi;
	size_t n = 0, used = 0;
	swsev_err e = swsev_fwimage_parse(img, len, &fi);

	if (len > swsev_fwimage_cap(p)) {
		snprintf(buf, cap, "%zu bytes, above the %s limit of %zu", len, p->name,
			 swsev_fwimage_cap(p));
		return;
	}
	if (e != SWSEV_OK) {
		snprintf(buf, cap, "not a swsev firmware image: %s", swsev_strerror(e));
		return;
	}
	switch (status) {
	case SEV_STATUS_BAD_SIGNATURE:
		/* the ASK the platform holds (ASK || ARK) */
		if (swsev_fw_amd_certs(st->fw, certs, sizeof(certs), &n) == SWSEV_OK &&
		    swsev_amd_cert_parse(certs, n, 0, &ask, &used) == SWSEV_OK &&
		    memcmp(fi.signer_id, ask.key_id, sizeof(ask.key_id)) != 0)
			snprintf(buf, cap, "signed by another ASK than this platform's");
		else
			snprintf(buf, cap, "the image was altered or signed with another key");
		return;
	case SEV_STATUS_INVALID_CONFIG:
		snprintf(buf, cap, "an image for %s; this platform is %s", fi.profile, p->name);
		return;
	case SEV_STATUS_UNSUPPORTED:
		snprintf(buf, cap, "API %u.%u; this platform implements 0.17 to 0.22", fi.api_major,
			 fi.api_minor);
		return;
	case SEV_STATUS_INVALID_PARAM:
		if (fi.build < p->build) {
			snprintf(buf, cap, "build %u is below the running build %u (anti-rollback)",
				 fi.build, p->build);
			return;
		}
		break;
	default: break;
	}
	snprintf(buf, cap, "the image: %s API %u.%u build %u; this platform: %s API %u.%u build %u",
		 fi.profile, fi.api_major, fi.api_minor, fi.build, p->name, p->api_major,
		 p->api_minor, p->build);
}

/*
 * --firmware: DOWNLOAD_FIRMWARE in UNINIT before anything else, as Linux
 * does at module load (sev-dev.c sev_update_firmware). Unlike Linux, which
 * logs and carries on with the flash firmware, a refused image stops the
 * daemon: whoever asked for it wants to run it.
 */
static int download_firmware(const char *path, struct swsevd_state *st)
{
	swsev_mem *mem = swsev_fw_dram(st->fw);
	uint8_t *img = NULL, b[12];
	size_t len = 0;
	uint64_t spa = 0;
	uint16_t status;
	char sb[64], detail[256];
	const struct swsev_profile *p;

	if (read_image(path, &img, &len))
		return -1;
	/* staged in DRAM like any command buffer blob (page-aligned, so 32-byte aligned) */
	if (swsev_mem_alloc(mem, len, &spa) != SWSEV_OK ||
	    swsev_mem_write(mem, spa, img, len) != SWSEV_OK) {
		log_err("--firmware %s: cannot stage the image in the platform's memory", path);
		if (spa)
			swsev_mem_release(mem, spa, len);
		free(img);
		return -1;
	}
	swsev_wle64(b, spa);
	swsev_wle32(b + 8, (uint32_t)len);
	status = swsev_fw_command(st->fw, SEV_CMD_DOWNLOAD_FIRMWARE, b, sizeof(b));
	swsev_mem_release(mem, spa, len);
	if (status != SEV_STATUS_SUCCESS) {
		refusal_detail(status, img, len, st, detail, sizeof(detail));
		log_err("--firmware %s: %s: %s (%s)", path,
			swsev_status_str(status, sb, sizeof(sb)), swsev_status_hint(status),
			detail);
		free(img);
		return -1;
	}
	free(img);
	p = swsev_fw_profile(st->fw);
	log_info("--firmware %s: installed: %s API %u.%u build %u (volatile: a start without "
		 "--firmware runs build %u again)",
		 path, p->name, p->api_major, p->api_minor, p->build, st->profile->build);
	return 0;
}

static void ready(int fd, const char *log_path)
{
	int nul;

	if (fd < 0)
		return;
	/* from now on the daemon talks only to its log */
	nul = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (nul >= 0) {
		dup2(nul, STDIN_FILENO);
		dup2(nul, STDOUT_FILENO);
		close(nul);
	}
	if (swsevd_log_to_file(log_path) != 0)
		log_warn("%s: cannot log there: %s", log_path, strerror(errno));
	if (write(fd, "1", 1) != 1)
		log_warn("cannot tell the parent we are ready");
	close(fd);
}

int main(int argc, char **argv)
{
	struct swsevd_opts o;
	struct swsevd_state st;
	struct swsevd d;
	char log_path[4200];
	int rc = 1, lock_fd = -1, ready_fd = -1;
	const struct swsev_profile *p;

	/* Frames carry blobs of up to 16 MiB (images go in 1 MiB chunks). With
	 * glibc's defaults every such buffer is a fresh mmap whose pages fault in
	 * and are zeroed by the kernel, then unmapped on free: most of a launch's
	 * daemon-side time. Serve them from the arenas and keep freed memory. */
	mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
	mallopt(M_TRIM_THRESHOLD, 128 * 1024 * 1024);

	switch (swsevd_opts_parse(argc, argv, &o)) {
	case 0: break;
	case 1: return 0;
	default: return 2;
	}
	swsevd_log_init(o.log_level);
	memset(&st, 0, sizeof(st));
	memset(&d, 0, sizeof(d));
	d.listen_fd = -1;
	d.sig_fd = -1;
	d.wake[0] = d.wake[1] = -1;
	d.opts = &o;
	if (o.socket)
		snprintf(d.sock_path, sizeof(d.sock_path), "%s", o.socket);
	else if (snprintf(d.sock_path, sizeof(d.sock_path), "%s/swsevd.sock", o.state_dir) >=
		 (int)sizeof(d.sock_path)) {
		log_err("%s/swsevd.sock: longer than a socket path may be; use --socket",
			o.state_dir);
		return 2;
	}
	snprintf(log_path, sizeof(log_path), "%s/swsevd.log", o.state_dir);

	if (!o.foreground)
		ready_fd = daemonize();
	d.sig_fd = swsevd_signals_setup();
	if (d.sig_fd < 0) {
		log_err("cannot set up signal handling: %s", strerror(errno));
		goto out;
	}
	if (pipe2(d.wake, O_CLOEXEC) != 0 || pthread_mutex_init(&d.mu, NULL) != 0 ||
	    pthread_cond_init(&d.idle, NULL) != 0) {
		log_err("cannot create the daemon's primitives: %s", strerror(errno));
		goto out;
	}
	if (swsevd_state_dir(o.state_dir) != SWSEV_OK)
		goto out;
	lock_fd = swsevd_lock(o.state_dir);
	if (lock_fd < 0)
		goto out;
	if (swsevd_creds_init(o.group, &d.creds) != SWSEV_OK)
		goto out;
	if (swsevd_state_open(&o, &st) != SWSEV_OK)
		goto out;
	if (o.firmware && download_firmware(o.firmware, &st) != 0)
		goto out;
	d.nv_ops = &st.ops;
	if (swsev_host_new(st.fw, &d.host) != SWSEV_OK) {
		log_err("cannot create the host layer");
		goto out;
	}
	p = swsev_fw_profile(st.fw); /* the running firmware (--firmware) */
	snprintf(d.hello, sizeof(d.hello), "swsevd %s %s (SEV API %u.%u build %u)", SWSEVD_VERSION,
		 p->name, p->api_major, p->api_minor, p->build);
	if (swsevd_server_listen(&d) != SWSEV_OK)
		goto out;
	ready(ready_fd, log_path);
	ready_fd = -1;
	log_info("%s: listening (%s platform, protocol %u, at most %u connections%s%s)",
		 d.sock_path, p->name, SWSEV_PROTO_VERSION, o.max_clients,
		 o.group ? ", group " : "", o.group ? o.group : "");
	swsevd_server_run(&d);
	rc = 0;
out:
	swsevd_server_close(&d);
	if (d.host)
		swsev_host_free(d.host);
	swsevd_state_close(&st);
	swsevd_unlock(lock_fd);
	if (d.sig_fd >= 0)
		close(d.sig_fd);
	for (int i = 0; i < 2; i++)
		if (d.wake[i] >= 0)
			close(d.wake[i]);
	if (ready_fd >= 0)
		close(ready_fd);
	if (rc == 0)
		log_info("stopped; state intact in %s", o.state_dir);
	return rc;
}
