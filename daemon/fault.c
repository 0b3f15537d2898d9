/*
 * swsevd --inject-fault: hardware errors on demand, for hypervisor and
 * orchestration developers who need their error paths exercised
 * (docs/daemon.md "Fault injection"). Each specification names a command
 * and a fault point of the firmware (include/swsev/fw.h SWSEV_FAULT_*) and
 * which of its occurrences fail; the hook the platform consults
 * (swsev_fw_ops.fault) answers from this table. Off unless asked for.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "codec/codec.h"
#include "swsevd.h"

#define FAULTS_MAX 16
#define ANY_CMD UINT32_MAX

struct fault {
	uint32_t cmd;      /* SEV command ID, or ANY_CMD */
	const char *point; /* one of points[] */
	uint32_t nth;      /* fail the nth match (1-based); 0: every match */
	_Atomic uint32_t seen;
	char spec[64]; /* as given, for the log */
};

static struct fault faults[FAULTS_MAX];
static unsigned nfaults;

static const char *const points[] = {
	SWSEV_FAULT_COMMAND,  SWSEV_FAULT_INIT_LOAD, SWSEV_FAULT_DOWNLOAD,
	SWSEV_FAULT_SHUTDOWN, SWSEV_FAULT_DF_FLUSH,
};

/* A command by name (PDH_GEN, pdh_gen), by number (0x09), or "any". */
static int cmd_lookup(const char *s, size_t len, uint32_t *out)
{
	char buf[40];
	uint64_t v;

	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = 0;
	if (strcasecmp(buf, "any") == 0) {
		*out = ANY_CMD;
		return 0;
	}
	for (uint32_t c = 0; c < 0x100; c++) {
		const char *n = swsev_cmd_name(c);

		if (strcmp(n, "UNKNOWN") != 0 && strcasecmp(n, buf) == 0) {
			*out = c;
			return 0;
		}
	}
	if (swsev_parse_u64(buf, 0xff, &v) == SWSEV_OK &&
	    strcmp(swsev_cmd_name((uint32_t)v), "UNKNOWN") != 0) {
		*out = (uint32_t)v;
		return 0;
	}
	return -1;
}

int swsevd_fault_add(const char *spec, char *err, size_t errlen)
{
	const char *at, *hash, *end = spec + strlen(spec);
	struct fault *f = &faults[nfaults]; /* counted only once it is whole */
	uint64_t n;

	if (nfaults == FAULTS_MAX) {
		snprintf(err, errlen, "at most %d --inject-fault options", FAULTS_MAX);
		return -1;
	}
	if (strlen(spec) >= sizeof(f->spec)) {
		snprintf(err, errlen, "'%.40s...' is too long", spec);
		return -1;
	}
	hash = strchr(spec, '#');
	at = strchr(spec, '@');
	if (at != NULL && hash != NULL && at > hash) {
		snprintf(err, errlen, "'%s': write CMD[@POINT][#N]", spec);
		return -1;
	}
	if (cmd_lookup(spec, (size_t)((at ? at : hash ? hash : end) - spec), &f->cmd) != 0) {
		snprintf(err, errlen,
			 "'%s': not a SEV command (a name such as PDH_GEN or LAUNCH_START, its "
			 "number, or 'any')",
			 spec);
		return -1;
	}
	f->point = SWSEV_FAULT_COMMAND;
	if (at != NULL) {
		size_t len = (size_t)((hash ? hash : end) - (at + 1));
		unsigned i;

		for (i = 0; i < sizeof(points) / sizeof(points[0]); i++)
			if (strlen(points[i]) == len && strncmp(points[i], at + 1, len) == 0)
				break;
		if (i == sizeof(points) / sizeof(points[0])) {
			snprintf(err, errlen,
				 "'%s': unknown fault point (command, init.load, download.install, "
				 "shutdown.cleanup, df_flush.flush)",
				 spec);
			return -1;
		}
		f->point = points[i];
	}
	f->nth = 1;
	if (hash != NULL) {
		if (strcmp(hash + 1, "*") == 0) {
			f->nth = 0;
		} else if (swsev_parse_u64(hash + 1, 1000000, &n) != SWSEV_OK || n == 0) {
			snprintf(err, errlen,
				 "'%s': #N must be a number in 1..1000000, or '*' for every time",
				 spec);
			return -1;
		} else {
			f->nth = (uint32_t)n;
		}
	}
	snprintf(f->spec, sizeof(f->spec), "%s", spec);
	atomic_init(&f->seen, 0);
	nfaults++;
	return 0;
}

/* swsev_fw_ops.fault: may run under the platform's locks; only logs. */
static int fault_hook(void *ctx, uint32_t cmd, const char *point)
{
	int fire = 0;

	(void)ctx;
	for (unsigned i = 0; i < nfaults; i++) {
		struct fault *f = &faults[i];
		uint32_t k;

		if ((f->cmd != ANY_CMD && f->cmd != cmd) || strcmp(f->point, point) != 0)
			continue;
		k = atomic_fetch_add(&f->seen, 1) + 1;
		if (f->nth == 0 || k == f->nth) {
			log_warn("--inject-fault %s: %s fails at %s (occurrence %u)", f->spec,
				 swsev_cmd_name(cmd), point, k);
			fire = 1;
		}
	}
	return fire;
}

void swsevd_fault_install(struct swsev_fw_ops *ops)
{
	if (nfaults == 0)
		return;
	ops->fault = fault_hook;
	ops->fault_ctx = NULL;
	log_warn("fault injection armed (%u specification%s): the platform will report hardware "
		 "errors on purpose",
		 nfaults, nfaults == 1 ? "" : "s");
}
