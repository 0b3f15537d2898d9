/*
 * Signals and process hardening: SIGTERM, SIGINT and SIGHUP are blocked in
 * every thread and read through a signalfd by the accept loop (a clean
 * shutdown point, no async-signal-safety puzzles); SIGPIPE is ignored so a
 * vanishing client only fails its own write; no core dumps (a core of the
 * secure world would hold every key).
 */
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "swsevd.h"

int swsevd_signals_setup(void)
{
	struct rlimit rl = { 0, 0 };
	sigset_t set;

	if (setrlimit(RLIMIT_CORE, &rl) != 0)
		log_warn("setrlimit(RLIMIT_CORE, 0) failed");
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
		log_warn("prctl(PR_SET_DUMPABLE, 0) failed");
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0)
		return -1;
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

int swsevd_signals_read(int sfd)
{
	struct signalfd_siginfo si;
	ssize_t n = read(sfd, &si, sizeof(si));

	if (n != (ssize_t)sizeof(si))
		return 0;
	return (int)si.ssi_signo;
}
