#!/bin/sh
# DOWNLOAD_FIRMWARE end to end: `swsev firmware build` signs an image with
# the saved emulated AMD root, `swsevd --firmware` downloads it at start-up
# and `swsev show version` reports its build; a tampered, rolled-back or
# foreign-generation image makes swsevd refuse to start with the firmware
# status by name; a restart without --firmware runs the generation's build
# again (the downloaded firmware is volatile); `swsev firmware show` prints
# the fields and checks the signature.
. tests/e2e/lib.sh
require_bins firmware "$SWSEVD" "$SWSEV"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)
json_ok() { [ -z "$PY" ] || "$PY" -c 'import json,sys; json.load(sys.stdin)'; }

e2e_vendor_root genoa || { fail setup "no cached vendor root"; e2e_finish; }
FW=$E2E_TMP/fw42.bin

# build and show
expect_ok build "$SWSEV" firmware build --root "$E2E_ROOT" --profile genoa --build 42 -o "$FW"
[ "$(stat -c %s "$FW")" = $((64 + 512)) ] && pass build_size_rsa4096 || fail build_size_rsa4096 "$(stat -c %s "$FW")"
[ "$(head -c 8 "$FW")" = SWSEVFW1 ] && pass build_magic || fail build_magic
expect_ok show_verified "$SWSEV" firmware show "$FW" --root "$E2E_ROOT"
grep -q '^api: *0.22 (build 42)' "$E2E_TMP/.last" && grep -q '^verified: *yes' "$E2E_TMP/.last" &&
	grep -q 'RSA-PSS SHA-384' "$E2E_TMP/.last" && pass show_fields || fail show_fields "$(cat "$E2E_TMP/.last")"
"$SWSEV" --json firmware show "$FW" | json_ok && "$SWSEV" --json firmware show "$FW" | grep -q '"build-id": 42' &&
	pass show_json || fail show_json
"$SWSEV" firmware build --root "$E2E_ROOT" --profile nosuch --build 1 -o "$E2E_TMP/x.bin" >"$E2E_TMP/o" 2>&1
[ $? -eq 2 ] && grep -q "nosuch" "$E2E_TMP/o" && pass build_bad_profile_named || fail build_bad_profile_named "$(cat "$E2E_TMP/o")"
"$SWSEV" firmware build --root "$E2E_TMP/noroot" --profile genoa --build 1 -o "$E2E_TMP/x.bin" >"$E2E_TMP/o" 2>&1
[ $? -eq 1 ] && grep -q "noroot" "$E2E_TMP/o" && pass build_missing_root_named || fail build_missing_root_named "$(cat "$E2E_TMP/o")"
"$SWSEV" firmware build --help | grep -q -- '--api-minor' && pass build_help || fail build_help

# tampered copies: a flipped body/signature byte, a flipped build byte
# flip_byte FILE OFFSET: XOR the byte with 1 (overwriting it with a fixed
# value would change nothing when the byte already held it; the image's
# keys are random, so that happened one run in 256)
flip_byte() {
	_fb_v=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	printf "\\$(printf '%03o' $((_fb_v ^ 1)))" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}
cp "$FW" "$E2E_TMP/flip.bin"
flip_byte "$E2E_TMP/flip.bin" 300
cmp -s "$FW" "$E2E_TMP/flip.bin" && echo "FAIL firmware/flip_changed_nothing"
cp "$FW" "$E2E_TMP/flipbuild.bin"
flip_byte "$E2E_TMP/flipbuild.bin" $((0x1E))
cmp -s "$FW" "$E2E_TMP/flipbuild.bin" && echo "FAIL firmware/flipbuild_changed_nothing"
expect_fail show_tampered_refused "$SWSEV" firmware show "$E2E_TMP/flip.bin" --root "$E2E_ROOT"
grep -q 'verified: *NO' "$E2E_TMP/.last" && pass show_tampered_says_no || fail show_tampered_says_no

# swsevd --firmware on a new platform under that root: the build is 42
start_daemon "$E2E_TMP/st" --vendor-root "$E2E_ROOT" --firmware "$FW" || { fail start_with_firmware; e2e_finish; }
v=$(sw show version)
[ "$v" = 0.22.42 ] && pass status_shows_new_build || fail status_shows_new_build "version $v"
sw --json show version | grep -q '"build-id": 42' && pass status_json_build || fail status_json_build
grep -q 'installed: genoa API 0.22 build 42' "$DAEMON_LOG" && pass daemon_logs_install || fail daemon_logs_install
# the platform still works: INIT through export, a chain that verifies
expect_ok export_after_download sw export --full "$E2E_TMP/certs"
expect_ok chain_verifies "$SWSEV" verify --ca "$E2E_TMP/certs/ark.cert" "$E2E_TMP/certs"
stop_daemon
[ $? -eq 0 ] && pass stop_clean || fail stop_clean

# refused images: swsevd exits non-zero naming the status, state untouched
refused() {
	_name=$1
	_img=$2
	_status=$3
	timeout 120 "$SWSEVD" --state "$E2E_TMP/st" --socket "$E2E_TMP/st/r.sock" --foreground \
		--firmware "$_img" >"$E2E_TMP/$_name.out" 2>&1
	_rc=$?
	if [ $_rc -ne 0 ] && [ $_rc -lt 124 ] && grep -q -- "--firmware $_img: $_status (0x" "$E2E_TMP/$_name.out"; then
		pass "$_name"
	else
		fail "$_name" "exit $_rc: $(cat "$E2E_TMP/$_name.out")"
	fi
}
refused tampered_refused "$E2E_TMP/flip.bin" BAD_SIGNATURE
refused tampered_build_refused "$E2E_TMP/flipbuild.bin" BAD_SIGNATURE
"$SWSEV" firmware build --root "$E2E_ROOT" --profile genoa --build 20 -o "$E2E_TMP/old.bin" >/dev/null 2>&1
refused rollback_refused "$E2E_TMP/old.bin" INVALID_PARAM
grep -q 'build 20 is below the running build 21 (anti-rollback)' "$E2E_TMP/rollback_refused.out" &&
	pass rollback_detail || fail rollback_detail "$(cat "$E2E_TMP/rollback_refused.out")"
"$SWSEV" firmware build --root "$E2E_ROOT" --profile milan --build 50 -o "$E2E_TMP/milan.bin" >/dev/null 2>&1
refused other_generation_refused "$E2E_TMP/milan.bin" INVALID_CONFIG
grep -q 'an image for milan; this platform is genoa' "$E2E_TMP/other_generation_refused.out" &&
	pass other_generation_detail || fail other_generation_detail
"$SWSEV" firmware build --root "$E2E_ROOT" --profile genoa --build 50 --api-minor 23 \
	-o "$E2E_TMP/api23.bin" >/dev/null 2>&1
refused api_0_23_refused "$E2E_TMP/api23.bin" UNSUPPORTED
head -c 200 "$FW" >"$E2E_TMP/short.bin"
refused truncated_refused "$E2E_TMP/short.bin" INVALID_LENGTH
timeout 120 "$SWSEVD" --state "$E2E_TMP/st" --socket "$E2E_TMP/st/r.sock" --foreground \
	--firmware "$E2E_TMP/none.bin" >"$E2E_TMP/none.out" 2>&1
rc=$?
[ $rc -ne 0 ] && grep -q 'none.bin: cannot open' "$E2E_TMP/none.out" && pass missing_file_named ||
	fail missing_file_named "exit $rc: $(cat "$E2E_TMP/none.out")"
# daemonized: the parent exits non-zero and the error is on the terminal
timeout 120 "$SWSEVD" --state "$E2E_TMP/st" --socket "$E2E_TMP/st/r.sock" \
	--firmware "$E2E_TMP/flip.bin" >"$E2E_TMP/bg.out" 2>&1
rc=$?
[ $rc -ne 0 ] && [ $rc -lt 124 ] && grep -q 'BAD_SIGNATURE' "$E2E_TMP/bg.out" && pass daemonized_refusal_exits_nonzero ||
	fail daemonized_refusal_exits_nonzero "exit $rc: $(cat "$E2E_TMP/bg.out")"
[ ! -S "$E2E_TMP/st/r.sock" ] && pass refused_no_socket || fail refused_no_socket

# volatile: a restart without --firmware runs genoa's build 21 again
start_daemon "$E2E_TMP/st" --vendor-root "$E2E_ROOT" || { fail restart; e2e_finish; }
v=$(sw show version)
[ "$v" = 0.22.21 ] && pass restart_without_firmware_profile_build || fail restart_without_firmware_profile_build "version $v"
stop_daemon
# and with it again, the image's build (a newer one too)
"$SWSEV" firmware build --root "$E2E_ROOT" --profile genoa --build 43 --api-minor 21 \
	-o "$E2E_TMP/fw43.bin" >/dev/null
start_daemon "$E2E_TMP/st" --vendor-root "$E2E_ROOT" --firmware "$E2E_TMP/fw43.bin" || { fail restart_fw43; e2e_finish; }
v=$(sw show version)
[ "$v" = 0.21.43 ] && pass restart_with_newer_image || fail restart_with_newer_image "version $v"
stop_daemon
e2e_finish
