/*
 * The swsev command-line tool: shared helpers and the subcommand table.
 * Each subcommand group lives in its own file (cli/<group>.c) and defines
 * one entry function `int cmd_<name>(int argc, char **argv)` where argv[0]
 * is the subcommand name. Exit codes: 0 success, 1 failure (the command
 * verified something and it did not hold, or an operation failed), 2 usage
 * error.
 */
#ifndef SWSEV_CLI_H
#define SWSEV_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "swsev/error.h"

#define CLI_EXIT_OK 0
#define CLI_EXIT_FAIL 1
#define CLI_EXIT_USAGE 2

/* Hard cap for any file the tool reads (images may be large). */
#define CLI_MAX_FILE (1024ULL * 1024 * 1024)

/* Global options (parsed before the subcommand). */
struct cli_globals {
	int json;           /* --json */
	int quiet;          /* --quiet */
	const char *socket; /* --socket, else $SWSEV_SOCKET */
};
extern struct cli_globals cli_g;

/* Prints "swsev <cmd>: <message>" to stderr (printf-style). */
void cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Reads a whole file (cap bytes at most). Errors are printed, naming the file. */
swsev_err cli_read_file(const char *path, size_t cap, uint8_t **buf, size_t *len) SWSEV_MUST_CHECK;
/* Reads exactly `want` bytes (a key file, a certificate); names the file and both sizes on error. */
swsev_err cli_read_exact(const char *path, uint8_t *out, size_t want) SWSEV_MUST_CHECK;
/* Reads a file holding base64 text and decodes it. */
swsev_err cli_read_b64(const char *path, size_t cap, uint8_t **buf, size_t *len) SWSEV_MUST_CHECK;
/* Writes a file atomically with the given mode (0600 for secrets). */
swsev_err cli_write_file(const char *path, const void *buf, size_t len,
			 unsigned mode) SWSEV_MUST_CHECK;
/* Writes base64 text of buf to a file. */
swsev_err cli_write_b64(const char *path, const void *buf, size_t len,
			unsigned mode) SWSEV_MUST_CHECK;

/* Parses a 32-bit number (decimal or 0x hex); prints an error naming `what`. */
int cli_parse_u32(const char *s, const char *what, uint32_t *out);
int cli_parse_u64(const char *s, const char *what, uint64_t *out);
/* "4G", "512M", "64K", or bytes. */
int cli_parse_size(const char *s, const char *what, uint64_t *out);

/*
 * A subcommand's long options for cli_parse_opts. Each entry sets exactly
 * one of: val (the option takes a value; the last one given wins), flag
 * (no value; set to 1) or fn (takes a value and hands it to fn with the
 * caller's ctx; fn prints its own error and returns nonzero to stop).
 */
struct cli_opt {
	const char *name;
	const char **val;
	int *flag;
	int (*fn)(void *ctx, const char *arg);
};
#define CLI_OPTS_MAX 40

/*
 * Parses argv[1..argc-1] (argv[0] is the subcommand) with getopt_long
 * against opts[0..n-1] plus --help/-h, which prints usage(stdout).
 * Arguments that are not options go to pos (at most maxpos of them; npos
 * counts them; pos and npos may be NULL when maxpos is 0). Errors print
 * "<who>: unknown option or missing value: '<arg>'" or "<who>: unexpected
 * argument '<arg>'". Returns 0, 1 after --help, -1 after an error.
 */
int cli_parse_opts(const char *who, int argc, char **argv, const struct cli_opt *opts, size_t n,
		   void (*usage)(FILE *f), void *ctx, const char **pos, int maxpos, int *npos);

/* Minimal JSON emission to stdout: an object is opened with cli_json_begin,
 * fields added, closed with cli_json_end. Strings are escaped. */
void cli_json_begin(void);
void cli_json_str(const char *key, const char *val);
void cli_json_int(const char *key, long long val);
void cli_json_bool(const char *key, int val);
void cli_json_raw(const char *key, const char *raw_json);
void cli_json_end(void);
/* Escapes s into a freshly allocated JSON string literal (with quotes). */
char *cli_json_quote(const char *s);

/* The socket path from --socket or SWSEV_SOCKET (NULL if neither). */
const char *cli_socket(void);

/* Subcommands (defined in cli/<group>.c; weak so the table links while
 * groups are being added). */
#define CLI_CMD(name) int cmd_##name(int argc, char **argv) __attribute__((weak))
CLI_CMD(verify);
CLI_CMD(session);
CLI_CMD(measurement);
CLI_CMD(secret);
CLI_CMD(vmsa);
CLI_CMD(show);
CLI_CMD(export);
CLI_CMD(reset);
CLI_CMD(rotate);
CLI_CMD(generate);
CLI_CMD(provision);
CLI_CMD(ok);
CLI_CMD(vm);
CLI_CMD(guest);
CLI_CMD(platform);

#endif
