/*
 * Shared helpers of the hypervisor's and the guest's commands (cli/vm.c,
 * cli/guest.c): talking to the platform, naming failures.
 */
#ifndef SWSEV_CLI_VMCOMMON_H
#define SWSEV_CLI_VMCOMMON_H

#include <stddef.h>
#include <stdint.h>

#include "swsev/client.h"
#include "swsev/host.h"

/* Connects to the daemon (--socket, $SWSEV_SOCKET); prints why not. */
swsev_client *vmc_connect(const char *path);
/* One call; 0 when it succeeded. Otherwise prints "<what> failed: ..." with
 * the errno and the SEV status name and hint, and returns -1 (the rsp is
 * kept for the caller to inspect and must still be cleared). */
int vmc_call(swsev_client *c, const struct swsev_req *req, struct swsev_rsp *rsp, const char *what);
/* Same without printing (the caller decides). */
int vmc_call_quiet(swsev_client *c, const struct swsev_req *req, struct swsev_rsp *rsp);
/* Looks a VM up by name; prints an error naming it. */
int vmc_lookup(swsev_client *c, const char *name, uint32_t *id);
/* Sets blob i of a request (not copied). */
void vmc_blob(struct swsev_req *req, unsigned i, const void *p, size_t len);
/* Prints a hex dump (offsets relative to base). */
void vmc_hexdump(uint64_t base, const uint8_t *p, size_t len);
/* A progress bar on stderr when it is a terminal (label, done, total). */
void vmc_progress(const char *label, uint64_t done, uint64_t total);
/* Consumes "--json" among args (sets cli_g.json); returns the new argc. */
int vmc_strip_json(int argc, char **argv);

#endif
