/*
 * Who may talk to the platform: the peer's credentials from SO_PEERCRED
 * (set by the kernel at connect, not forgeable by the peer). Allowed: root,
 * the daemon's own uid, and members of --group (primary or supplementary).
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "swsevd.h"

swsev_err swsevd_creds_init(const char *group, struct swsevd_creds *c)
{
	memset(c, 0, sizeof(*c));
	c->uid = geteuid();
	if (group) {
		struct group gr, *res = NULL;
		char buf[16384];

		if (getgrnam_r(group, &gr, buf, sizeof(buf), &res) != 0 || !res) {
			log_err("--group %s: no such group", group);
			return SWSEV_E_NOTFOUND;
		}
		c->have_group = 1;
		c->gid = gr.gr_gid;
	}
	return SWSEV_OK;
}

static int uid_in_group(uid_t uid, gid_t primary, gid_t want)
{
	struct passwd pw, *res = NULL;
	char buf[16384];
	gid_t groups[256];
	int n = 256;

	if (primary == want)
		return 1;
	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &res) != 0 || !res)
		return 0;
	if (getgrouplist(pw.pw_name, pw.pw_gid, groups, &n) < 0)
		return 0;
	for (int i = 0; i < n; i++)
		if (groups[i] == want)
			return 1;
	return 0;
}

int swsevd_creds_allowed(const struct swsevd_creds *c, int fd, char *why, size_t whylen)
{
	struct ucred uc;
	socklen_t len = sizeof(uc);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) != 0 || len != sizeof(uc)) {
		snprintf(why, whylen, "cannot read the peer's credentials: %s", strerror(errno));
		return 0;
	}
	if (uc.uid == 0 || uc.uid == c->uid)
		return 1;
	if (c->have_group && uid_in_group(uc.uid, uc.gid, c->gid))
		return 1;
	snprintf(why, whylen, "permission denied: uid %u (pid %d) may not use this platform",
		 (unsigned)uc.uid, (int)uc.pid);
	return 0;
}
