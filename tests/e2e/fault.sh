#!/bin/sh
# swsevd --inject-fault: hardware errors on demand through the real daemon,
# socket and CLI. The named occurrence of a command fails with
# HWERROR_PLATFORM and changes nothing (the next one works); a fault at a
# clean-up point (SHUTDOWN inside the kernel-style FACTORY_RESET) leaves the
# platform unsafe: every later command is HWERROR_UNSAFE, by name, until
# the daemon restarts, after which the same state works again. Bad
# specifications are refused at start-up naming the problem.
. tests/e2e/lib.sh
require_bins fault "$SWSEVD" "$SWSEV"

e2e_vendor_root genoa || { fail setup "no cached vendor root"; e2e_finish; }
ST=$E2E_TMP/st

# bad specifications: usage error (2), the problem named
bad_spec() {
	"$SWSEVD" --state "$ST" --foreground --inject-fault "$2" >"$E2E_TMP/$1.out" 2>&1
	_rc=$?
	[ $_rc -eq 2 ] && grep -q -- "$3" "$E2E_TMP/$1.out" && pass "$1" || fail "$1" "exit $_rc: $(cat "$E2E_TMP/$1.out")"
}
bad_spec spec_unknown_command NOSUCH_CMD 'not a SEV command'
bad_spec spec_unknown_point 'PDH_GEN@nowhere' 'unknown fault point'
bad_spec spec_bad_count 'PDH_GEN#0' '#N must be'
bad_spec spec_bad_count_text 'PDH_GEN#x' '#N must be'
bad_spec spec_order 'PDH_GEN#2@command' 'CMD\[@POINT\]\[#N\]'
[ ! -e "$ST/nvstate.bin" ] && pass bad_spec_touches_nothing || fail bad_spec_touches_nothing

# the 2nd PDH_GEN fails; every DF_FLUSH-free path still works
start_daemon "$ST" --vendor-root "$E2E_ROOT" --inject-fault 'pdh_gen#2' \
	--inject-fault 'SHUTDOWN@shutdown.cleanup' || { fail start; e2e_finish; }
grep -q 'fault injection armed (2 specifications)' "$DAEMON_LOG" && pass armed_logged || fail armed_logged
expect_ok rotate_1 sw rotate
sw export "$E2E_TMP/before" >/dev/null 2>&1
expect_fail rotate_2_injected sw rotate
grep -q 'HWERROR_PLATFORM (0x13)' "$E2E_TMP/.last" && grep -q 'retry' "$E2E_TMP/.last" &&
	pass platform_error_named_with_advice || fail platform_error_named_with_advice "$(cat "$E2E_TMP/.last")"
grep -q -- '--inject-fault pdh_gen#2: PDH_GEN fails at command (occurrence 2)' "$DAEMON_LOG" &&
	pass injection_logged || fail injection_logged
# nothing changed: the PDH is the one before the failed rotation
sw export "$E2E_TMP/after" >/dev/null 2>&1
cmp -s "$E2E_TMP/before/pdh.cert" "$E2E_TMP/after/pdh.cert" && pass failed_rotation_changed_nothing ||
	fail failed_rotation_changed_nothing
expect_ok rotate_3_works sw rotate
"$SWSEV" --json --socket "$DAEMON_SOCK" rotate >"$E2E_TMP/j.out" 2>&1 && pass rotate_4_works || fail rotate_4_works

# FACTORY_RESET runs SHUTDOWN first: its clean-up fails, the platform is unsafe
expect_fail reset_unsafe sw reset
grep -q 'HWERROR_UNSAFE (0x14)' "$E2E_TMP/.last" && grep -q 'restart the daemon' "$E2E_TMP/.last" &&
	pass unsafe_named_with_advice || fail unsafe_named_with_advice "$(cat "$E2E_TMP/.last")"
for c in "show version" "rotate" "export $E2E_TMP/x"; do
	n=$(echo "$c" | cut -d' ' -f1)
	# shellcheck disable=SC2086
	sw $c >"$E2E_TMP/u.out" 2>&1
	_rc=$?
	[ $_rc -ne 0 ] && grep -q 'HWERROR_UNSAFE' "$E2E_TMP/u.out" && pass "unsafe_refuses_$n" ||
		fail "unsafe_refuses_$n" "exit $_rc: $(cat "$E2E_TMP/u.out")"
done
stop_daemon
[ $? -eq 0 ] && pass stop_clean || fail stop_clean

# a restart (a reboot) without faults: the platform works, its identity kept
start_daemon "$ST" --vendor-root "$E2E_ROOT" || { fail restart; e2e_finish; }
expect_ok after_restart_status sw show version
expect_ok after_restart_export sw export "$E2E_TMP/later"
# the log is appended across starts: only the first start was armed
[ "$(grep -c 'fault injection armed' "$DAEMON_LOG")" = 1 ] && pass restart_not_armed || fail restart_not_armed
stop_daemon
e2e_finish
