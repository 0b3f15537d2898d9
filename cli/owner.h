/*
 * Helpers shared by the guest owner's launch commands (session,
 * measurement, secret, vmsa): sevctl's "path or base64" argument rule,
 * key files of exact sizes, hex digests.
 */
#ifndef SWSEV_CLI_OWNER_H
#define SWSEV_CLI_OWNER_H

#include <stddef.h>
#include <stdint.h>

#include "swsev/error.h"

/*
 * A value given as sevctl takes it: the path of a file, else the value
 * itself as base64 text (or as hex when want_len is set and the text is
 * exactly 2 * want_len hex digits). A file may hold the raw bytes or base64
 * text of them. want_len 0: any length up to cap. what: the option name
 * ("--tik"), kind: what the bytes are ("a TIK"), for the messages.
 * *out freed with swsev_clear_free(*out, *len).
 */
swsev_err owner_read_value(const char *arg, const char *what, const char *kind, size_t want_len,
			   size_t cap, uint8_t **out, size_t *len) SWSEV_MUST_CHECK;
/* The same into a fixed buffer of exactly n bytes (keys, nonces). */
swsev_err owner_read_fixed(const char *arg, const char *what, const char *kind, uint8_t *out,
			   size_t n) SWSEV_MUST_CHECK;
/* TEK and TIK from --tek/--tik or a 32-byte --tk file (TEK || TIK, libvirt). */
swsev_err owner_read_tek_tik(const char *tek_arg, const char *tik_arg, const char *tk_arg,
			     uint8_t tek[16], uint8_t tik[16], int need_tek) SWSEV_MUST_CHECK;
/* A one-byte number (API version, build id): decimal or 0x hex, <= 255. */
int owner_parse_u8(const char *s, const char *what, uint8_t *out);
/* Lowercase hex of n bytes into a static rotating buffer (n <= 64). */
const char *owner_hex(const uint8_t *p, size_t n);
/* Resolves the --secret GUID part: canonical GUID text or the alias
 * "luks-key" (libvirt). 0 on success. */
int owner_secret_guid(const char *text, uint8_t guid[16]);
/* Sets cli_g.json if "--json" is among the subcommand's arguments. */
void owner_note_json(int argc, char **argv);

#endif
