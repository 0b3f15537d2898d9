#!/bin/sh
# The platform owner's commands (sevctl's names) against a real daemon:
# show and its subforms, --json output that parses, export to a directory
# and as sevctl's bundle (both accepted by swsev verify --ca, and a flipped
# byte refused), ok, rotate, reset, generate/provision usage, and errors
# that name what went wrong.
. tests/e2e/lib.sh
require_bins platform_cli "$SWSEVD" "$SWSEV"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)
json_ok() { [ -z "$PY" ] || "$PY" -c 'import json,sys; json.load(sys.stdin)'; }

# no daemon: a clear error, exit 1
env -u SWSEV_SOCKET "$SWSEV" show >"$E2E_TMP/nosock.out" 2>&1
[ $? -eq 1 ] && grep -q 'SWSEV_SOCKET' "$E2E_TMP/nosock.out" && pass no_socket_named || fail no_socket_named
"$SWSEV" --socket "$E2E_TMP/none.sock" show >"$E2E_TMP/none.out" 2>&1
[ $? -eq 1 ] && grep -q 'none.sock: cannot connect' "$E2E_TMP/none.out" && pass dead_socket_named ||
	fail dead_socket_named "$(cat "$E2E_TMP/none.out")"

start_daemon "$E2E_TMP/st" || { fail start; e2e_finish; }

# show
expect_ok show sw show
grep -q '^api: *0.22 (build 21)' "$E2E_TMP/.last" && grep -q '^identifier: [0-9a-f]\{128\}$' "$E2E_TMP/.last" &&
	pass show_fields || fail show_fields "$(cat "$E2E_TMP/.last")"
id1=$(sw show identifier)
id2=$(SWSEV_SOCKET=$DAEMON_SOCK "$SWSEV" show identifier)
[ ${#id1} -eq 128 ] && [ "$id1" = "$id2" ] && pass identifier_stable_and_env_socket || fail identifier_stable_and_env_socket
[ "$(sw show guests)" = 0 ] && pass show_guests || fail show_guests
[ "$(sw show version)" = 0.22.21 ] && pass show_version || fail show_version "$(sw show version)"
sw show flags | grep -q '^es: no' && pass show_flags_uninit_no_es || fail show_flags_uninit_no_es
sw --json show | json_ok && sw --json show | grep -q '"api-minor": 22' && pass show_json || fail show_json
sw show --json guests | json_ok && pass show_json_subform || fail show_json_subform
sw show nonsense >/dev/null 2>&1
[ $? -eq 2 ] && pass show_bad_subform_usage || fail show_bad_subform_usage

# export: directory, --full, bundle; verify accepts; a flipped byte is refused
expect_ok export_dir sw export "$E2E_TMP/d"
# the export's automatic INIT brought SEV-ES up
sw show flags | grep -q '^es: yes' && pass show_flags_es || fail show_flags_es "$(sw show flags)"
for f in pdh pek oca cek; do
	[ "$(stat -c %s "$E2E_TMP/d/$f.cert" 2>/dev/null)" = 2084 ] || fail "export_$f" "missing or wrong size"
done
[ ! -e "$E2E_TMP/d/ark.cert" ] && pass export_without_full_has_no_roots || fail export_without_full_has_no_roots
expect_ok export_full sw export --full "$E2E_TMP/full"
expect_ok verify_exported "$SWSEV" verify --ca "$E2E_TMP/full/ark.cert" "$E2E_TMP/full"
expect_fail verify_without_ca_untrusted "$SWSEV" verify "$E2E_TMP/full"
expect_ok export_bundle sw export --full --bundle "$E2E_TMP/chain.bundle"
[ "$(stat -c %s "$E2E_TMP/chain.bundle")" = $((4 * 2084 + 1600 + 1600)) ] && pass bundle_size || fail bundle_size
head -c 2084 "$E2E_TMP/chain.bundle" | cmp -s - "$E2E_TMP/full/pdh.cert" && pass bundle_starts_with_pdh ||
	fail bundle_starts_with_pdh
expect_ok verify_bundle "$SWSEV" verify --ca "$E2E_TMP/full/ark.cert" "$E2E_TMP/chain.bundle"
cp "$E2E_TMP/chain.bundle" "$E2E_TMP/flip.bundle"
printf '\001' | dd of="$E2E_TMP/flip.bundle" bs=1 seek=$((2084 + 0x30)) conv=notrunc 2>/dev/null
expect_fail verify_flipped_pek_refused "$SWSEV" verify --ca "$E2E_TMP/full/ark.cert" "$E2E_TMP/flip.bundle"
sw --json export "$E2E_TMP/j" | json_ok && pass export_json || fail export_json
touch "$E2E_TMP/afile"
expect_fail export_onto_file_refused sw export "$E2E_TMP/afile"
sw export >/dev/null 2>&1
[ $? -eq 2 ] && pass export_usage || fail export_usage

# ok: every check passes on genoa; --json parses
expect_ok ok sw ok
grep -q '^\[ PASS \] - SEV-ES' "$E2E_TMP/.last" && grep -q 'CEK signed by ASK' "$E2E_TMP/.last" &&
	! grep -q FAIL "$E2E_TMP/.last" && pass ok_lines || fail ok_lines "$(cat "$E2E_TMP/.last")"
sw --json ok | json_ok && sw --json ok | grep -q '"ok": true' && pass ok_json || fail ok_json
expect_ok ok_sev_only sw ok sev

# rotate and reset, as seen by export
expect_ok rotate sw rotate
sw export "$E2E_TMP/r" >/dev/null
! cmp -s "$E2E_TMP/d/pdh.cert" "$E2E_TMP/r/pdh.cert" && cmp -s "$E2E_TMP/d/pek.cert" "$E2E_TMP/r/pek.cert" &&
	pass rotate_new_pdh || fail rotate_new_pdh
expect_ok reset sw reset
[ "$(sw show flags | grep -c 'owner: self')" = 1 ] && pass reset_self_owned || fail reset_self_owned
sw export "$E2E_TMP/z" >/dev/null
! cmp -s "$E2E_TMP/r/pek.cert" "$E2E_TMP/z/pek.cert" && cmp -s "$E2E_TMP/r/cek.cert" "$E2E_TMP/z/cek.cert" &&
	pass reset_new_pek_same_cek || fail reset_new_pek_same_cek
sw --json reset | json_ok && pass reset_json || fail reset_json

# generate / provision usage and errors
sw generate only-one >/dev/null 2>&1
[ $? -eq 2 ] && pass generate_usage || fail generate_usage
sw provision "$E2E_TMP/none.cert" "$E2E_TMP/none.key" >"$E2E_TMP/pv.out" 2>&1
[ $? -eq 1 ] && grep -q 'none.cert: cannot open' "$E2E_TMP/pv.out" && pass provision_missing_file_named ||
	fail provision_missing_file_named "$(cat "$E2E_TMP/pv.out")"
# a PEK as "OCA": wrong usage, refused before the platform is touched
sw provision "$E2E_TMP/z/pek.cert" "$E2E_TMP/z/pek.cert" >"$E2E_TMP/pv2.out" 2>&1
[ $? -eq 1 ] && grep -q 'not an OCA certificate' "$E2E_TMP/pv2.out" && pass provision_not_an_oca ||
	fail provision_not_an_oca "$(cat "$E2E_TMP/pv2.out")"
"$SWSEV" --json generate "$E2E_TMP/o.cert" "$E2E_TMP/o.key" | json_ok && pass generate_json || fail generate_json
expect_ok provision_json sh -c "'$SWSEV' --socket '$DAEMON_SOCK' --json provision '$E2E_TMP/o.cert' '$E2E_TMP/o.key' | grep -q '\"owner\": \"external\"'"
# the OCA key is standard PEM: OpenSSL reads it as a P-384 key, and provision
# takes the same key in OpenSSL's SEC1 form too (as sev-tool's OCA keys are)
openssl pkey -in "$E2E_TMP/o.key" -noout -text 2>/dev/null | grep -q 'NIST CURVE: P-384' &&
	pass generate_key_is_openssl_pem || fail generate_key_is_openssl_pem
openssl ec -in "$E2E_TMP/o.key" -out "$E2E_TMP/o.sec1.key" 2>/dev/null
sw reset >/dev/null
expect_ok provision_sec1_pem_key sw provision "$E2E_TMP/o.cert" "$E2E_TMP/o.sec1.key"
# a PEM key of another curve is refused, naming the problem
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$E2E_TMP/p256.key" 2>/dev/null
sw reset >/dev/null
sw provision "$E2E_TMP/o.cert" "$E2E_TMP/p256.key" >"$E2E_TMP/pv3.out" 2>&1
[ $? -eq 1 ] && grep -q 'not a P-384 private key' "$E2E_TMP/pv3.out" && pass provision_p256_key_refused ||
	fail provision_p256_key_refused "$(cat "$E2E_TMP/pv3.out")"
printf 'junk' >"$E2E_TMP/junk.key"
sw provision "$E2E_TMP/o.cert" "$E2E_TMP/junk.key" >"$E2E_TMP/pv4.out" 2>&1
[ $? -eq 1 ] && grep -q 'neither a PEM private key nor a raw 48-byte' "$E2E_TMP/pv4.out" && pass provision_junk_key_refused ||
	fail provision_junk_key_refused "$(cat "$E2E_TMP/pv4.out")"

# the device transport on a machine without /dev/sev: a clear error
if [ ! -e /dev/sev ]; then
	"$SWSEV" show --device /dev/sev >"$E2E_TMP/dev.out" 2>&1
	[ $? -eq 1 ] && grep -q '/dev/sev: cannot open the SEV device' "$E2E_TMP/dev.out" && pass device_missing_named ||
		fail device_missing_named "$(cat "$E2E_TMP/dev.out")"
fi

stop_daemon && pass clean_shutdown || fail clean_shutdown
e2e_finish
