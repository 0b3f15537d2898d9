/*
 * The state directory: the firmware's NV file (lib/fw: nvstate.bin), the
 * emulated AMD root (vendor-root/ unless --vendor-root names another), and
 * swsevd.conf recording the generation the platform was manufactured as.
 * First start manufactures; later starts load and never replace a state
 * that fails its checks.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "codec/codec.h"
#include "swsev/crypto.h"
#include "swsevd.h"

#define CONF_NAME "swsevd.conf"
#define CONF_MAX 256

swsev_err swsevd_state_dir(const char *dir)
{
	struct stat st;

	if (stat(dir, &st) != 0) {
		if (errno != ENOENT) {
			log_err("%s: %s", dir, strerror(errno));
			return SWSEV_E_IO;
		}
		if (mkdir(dir, 0700) != 0) {
			log_err("%s: cannot create the state directory: %s", dir, strerror(errno));
			return SWSEV_E_IO;
		}
		return SWSEV_OK;
	}
	if (!S_ISDIR(st.st_mode)) {
		log_err("%s: not a directory", dir);
		return SWSEV_E_INVALID;
	}
	if (st.st_uid != geteuid() && st.st_uid != 0) {
		log_err("%s: owned by uid %u, not by us (uid %u)", dir, (unsigned)st.st_uid,
			(unsigned)geteuid());
		return SWSEV_E_PERM;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		log_err("%s: writable by group or others (mode %04o); the state holds private keys",
			dir, (unsigned)(st.st_mode & 07777));
		return SWSEV_E_PERM;
	}
	return SWSEV_OK;
}

/* swsevd.conf: exactly "generation=<name>\n". */
static swsev_err conf_read(const char *dir, char *gen, size_t cap, int *found)
{
	char path[4200], buf[CONF_MAX + 1];
	ssize_t n;
	int fd;

	*found = 0;
	snprintf(path, sizeof(path), "%s/" CONF_NAME, dir);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		if (errno == ENOENT)
			return SWSEV_OK;
		log_err("%s: %s", path, strerror(errno));
		return SWSEV_E_IO;
	}
	n = read(fd, buf, CONF_MAX + 1);
	close(fd);
	if (n < 0 || n > CONF_MAX) {
		log_err("%s: unreadable or longer than %d bytes", path, CONF_MAX);
		return SWSEV_E_FORMAT;
	}
	buf[n] = '\0';
	if (strncmp(buf, "generation=", 11) != 0 || n < 13 || buf[n - 1] != '\n') {
		log_err("%s: expected one line 'generation=NAME'", path);
		return SWSEV_E_FORMAT;
	}
	buf[n - 1] = '\0';
	if (!swsev_profile_find(buf + 11) || strlen(buf + 11) >= cap) {
		log_err("%s: unknown generation '%s'", path, buf + 11);
		return SWSEV_E_FORMAT;
	}
	strcpy(gen, buf + 11);
	*found = 1;
	return SWSEV_OK;
}

static swsev_err conf_write(const char *dir, const char *gen)
{
	char path[4200], tmp[4300], line[64];
	int fd, n;

	snprintf(path, sizeof(path), "%s/" CONF_NAME, dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	n = snprintf(line, sizeof(line), "generation=%s\n", gen);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 || write(fd, line, (size_t)n) != n || fsync(fd) != 0) {
		log_err("%s: %s", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		unlink(tmp);
		return SWSEV_E_IO;
	}
	close(fd);
	if (rename(tmp, path) != 0) {
		log_err("%s: %s", path, strerror(errno));
		unlink(tmp);
		return SWSEV_E_IO;
	}
	return SWSEV_OK;
}

static int root_exists(const char *dir)
{
	char path[4200];

	if (snprintf(path, sizeof(path), "%s/ark.cert", dir) >= (int)sizeof(path))
		return 0;
	return access(path, F_OK) == 0;
}

static swsev_err root_get(const char *rdir, int create, unsigned bits, swsev_vendor_root **out,
			  int *made)
{
	swsev_err e;

	*out = NULL;
	*made = 0;
	if (root_exists(rdir)) {
		e = swsev_vendor_root_load(rdir, out);
		if (e)
			log_err("%s: cannot load the emulated AMD root (ark/ask cert and key): %s",
				rdir, swsev_strerror(e));
		return e;
	}
	if (!create)
		return SWSEV_OK;
	if (mkdir(rdir, 0700) != 0 && errno != EEXIST) {
		log_err("%s: cannot create: %s", rdir, strerror(errno));
		return SWSEV_E_IO;
	}
	log_info("minting an emulated AMD root (RSA-%u ARK and ASK) in %s", bits, rdir);
	e = swsev_vendor_root_new(bits, out);
	if (e == SWSEV_OK)
		e = swsev_vendor_root_save(*out, rdir);
	if (e) {
		log_err("%s: cannot create the emulated AMD root: %s", rdir, swsev_strerror(e));
		swsev_vendor_root_free(*out);
		*out = NULL;
		return e;
	}
	*made = 1;
	return SWSEV_OK;
}

swsev_err swsevd_state_open(const struct swsevd_opts *o, struct swsevd_state *st)
{
	char rdir_buf[4200], stored[32];
	const char *rdir;
	uint8_t *blob = NULL;
	size_t blob_len = 0;
	int have_state, found, made = 0;
	swsev_err e;

	memset(st, 0, sizeof(*st));
	e = swsev_nvfile_ops(o->state_dir, &st->ops);
	if (e) {
		log_err("%s: cannot use as state directory: %s", o->state_dir, swsev_strerror(e));
		return e;
	}
	st->have_ops = 1;
	e = st->ops.nv_load(st->ops.ctx, &blob, &blob_len);
	swsev_clear_free(blob, blob_len);
	if (e == SWSEV_E_NOTFOUND) {
		have_state = 0;
	} else if (e == SWSEV_OK) {
		have_state = 1;
	} else {
		log_err("%s/nvstate.bin: cannot read the platform state: %s %s", o->state_dir,
			swsev_strerror(e), swsev_fw_ops_last_error(&st->ops));
		return e;
	}

	e = conf_read(o->state_dir, stored, sizeof(stored), &found);
	if (e)
		return e;
	if (have_state && found && o->generation && strcmp(o->generation, stored) != 0) {
		log_err("%s: the platform was manufactured as %s; --generation %s does not match "
			"(use another --state for a new platform)",
			o->state_dir, stored, o->generation);
		return SWSEV_E_INVALID;
	}
	if (have_state && found)
		st->profile = swsev_profile_find(stored);
	else if (o->generation)
		st->profile = swsev_profile_find(o->generation);
	else
		st->profile = swsev_profile_default();
	if (!st->profile)
		return SWSEV_E_INTERNAL;

	if (o->vendor_root) {
		rdir = o->vendor_root;
	} else {
		snprintf(rdir_buf, sizeof(rdir_buf), "%s/vendor-root", o->state_dir);
		rdir = rdir_buf;
	}
	e = root_get(rdir, !have_state, st->profile->root_bits, &st->root, &made);
	if (e)
		return e;

	swsevd_fault_install(&st->ops);
	e = swsev_fw_new(st->profile, &st->ops, st->root, &st->fw);
	if (e == SWSEV_E_INTEGRITY || e == SWSEV_E_VERSION || e == SWSEV_E_FORMAT ||
	    e == SWSEV_E_TRUNCATED || e == SWSEV_E_TRAILING) {
		log_err("%s/nvstate.bin: the platform state is damaged or not ours (%s%s%s); refusing to "
			"start. It is left untouched: restore it from a backup, or move it away to "
			"manufacture a new platform (a new identity)",
			o->state_dir, swsev_strerror(e),
			swsev_fw_ops_last_error(&st->ops)[0] ? ": " : "",
			swsev_fw_ops_last_error(&st->ops));
		return e;
	}
	if (e) {
		log_err("%s: cannot %s the platform: %s %s", o->state_dir,
			have_state ? "load" : "manufacture", swsev_strerror(e),
			swsev_fw_ops_last_error(&st->ops));
		return e;
	}
	if (!have_state) {
		e = conf_write(o->state_dir, st->profile->name);
		if (e)
			return e;
		st->manufactured = 1;
		log_info("manufactured a new %s platform in %s under the %s root in %s",
			 st->profile->name, o->state_dir, made ? "new" : "existing", rdir);
	} else {
		if (!found) {
			e = conf_write(o->state_dir, st->profile->name);
			if (e)
				return e;
		}
		log_info("loaded the %s platform from %s", st->profile->name, o->state_dir);
	}
	return SWSEV_OK;
}

void swsevd_state_close(struct swsevd_state *st)
{
	swsev_fw_free(st->fw);
	st->fw = NULL;
	swsev_vendor_root_free(st->root);
	st->root = NULL;
	if (st->have_ops)
		swsev_fw_ops_release(&st->ops);
	st->have_ops = 0;
}
