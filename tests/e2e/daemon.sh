#!/bin/sh
# swsevd itself, through its real socket and the real CLI: first start
# (manufacturing), socket mode, the state lock (a second daemon refused),
# a second daemon on a live socket refused, --group, daemon mode, no core
# dumps, many concurrent clients with mixed platform commands, and a clean
# SIGTERM that leaves a state the next start loads.
. tests/e2e/lib.sh
require_bins daemon "$SWSEVD" "$SWSEV"

S=$E2E_TMP/st
ROOT=$E2E_TMP/root

# usage errors
"$SWSEVD" >"$E2E_TMP/u.out" 2>&1
[ $? -eq 2 ] && grep -q -- '--state DIR is required' "$E2E_TMP/u.out" && pass usage_no_state || fail usage_no_state
"$SWSEVD" --state "$S" --bogus >/dev/null 2>&1
[ $? -eq 2 ] && pass usage_unknown_option || fail usage_unknown_option
"$SWSEVD" --state "$S" --generation zen9 >/dev/null 2>&1
[ $? -eq 2 ] && pass usage_bad_generation || fail usage_bad_generation

# first start: manufactures the platform and a vendor root
if start_daemon "$S" --vendor-root "$ROOT"; then pass start_manufacture; else fail start_manufacture; e2e_finish; fi
P1=$DAEMON_PID
[ -f "$S/nvstate.bin" ] && [ -f "$ROOT/ark.cert" ] && [ -f "$ROOT/ask.key" ] && pass state_files || fail state_files
[ "$(stat -c %a "$S/nvstate.bin")" = 600 ] && [ "$(stat -c %a "$ROOT/ark.key")" = 600 ] &&
	pass state_modes || fail state_modes "nvstate.bin $(stat -c %a "$S/nvstate.bin")"
[ "$(stat -c %a "$DAEMON_SOCK")" = 600 ] && pass socket_mode_0600 || fail socket_mode_0600 "$(stat -c %a "$DAEMON_SOCK")"
grep -q 'manufactured a new genoa platform' "$DAEMON_LOG" && pass log_manufactured || fail log_manufactured
grep -q '^Max core file size *0 *0' "/proc/$P1/limits" && pass no_core_dumps || fail no_core_dumps
expect_ok show sw show
grep -q 'swsevd .* genoa' "$E2E_TMP/.last" && pass hello_names_generation || fail hello_names_generation

# a second daemon on the same state is refused, naming the holder
"$SWSEVD" --state "$S" --socket "$E2E_TMP/other.sock" --foreground >"$E2E_TMP/second.log" 2>&1
rc=$?
[ $rc -ne 0 ] && grep -q "in use by another swsevd (pid $P1)" "$E2E_TMP/second.log" &&
	pass second_daemon_refused || fail second_daemon_refused "rc=$rc: $(cat "$E2E_TMP/second.log")"
[ ! -e "$E2E_TMP/other.sock" ] && pass second_daemon_no_socket || fail second_daemon_no_socket
# another state cannot take over a live socket
"$SWSEVD" --state "$E2E_TMP/st2" --vendor-root "$ROOT" --socket "$DAEMON_SOCK" --foreground >"$E2E_TMP/third.log" 2>&1
[ $? -ne 0 ] && grep -q 'another daemon is listening' "$E2E_TMP/third.log" &&
	pass live_socket_refused || fail live_socket_refused "$(cat "$E2E_TMP/third.log")"
expect_ok still_serving sw show guests

# many clients at once: 16 in parallel, mixed platform commands
i=0
pids=""
while [ $i -lt 16 ]; do
	(
		n=0
		while [ $n -lt 5 ]; do
			case $(((i + n) % 4)) in
			0) sw show >/dev/null || exit 1 ;;
			1) sw export "$E2E_TMP/exp.$i.$n" >/dev/null || exit 1 ;;
			2) sw --json ok >/dev/null || exit 1 ;;
			3) sw rotate >/dev/null || exit 1 ;;
			esac
			n=$((n + 1))
		done
	) >"$E2E_TMP/client.$i.log" 2>&1 &
	pids="$pids $!"
	i=$((i + 1))
done
bad=0
for p in $pids; do
	wait "$p" || bad=$((bad + 1))
done
[ $bad -eq 0 ] && pass concurrent_clients_16 || fail concurrent_clients_16 "$bad of 16 clients failed: $(cat "$E2E_TMP"/client.*.log | head -5)"
daemon_alive "$P1" && pass alive_after_concurrency || fail alive_after_concurrency

# SIGTERM: clean exit 0, socket removed, state loads again unchanged
sw export "$E2E_TMP/before" >/dev/null
sum_before=$(sha256sum "$S/nvstate.bin" | cut -d' ' -f1)
if stop_daemon "$P1"; then pass sigterm_exit_0; else fail sigterm_exit_0; fi
[ ! -e "$S/s.sock" ] && pass socket_removed || fail socket_removed
grep -q 'stopped; state intact' "$DAEMON_LOG" && pass log_stopped || fail log_stopped
[ "$(sha256sum "$S/nvstate.bin" | cut -d' ' -f1)" = "$sum_before" ] && pass state_untouched_by_shutdown ||
	fail state_untouched_by_shutdown
if start_daemon "$S"; then pass restart; else fail restart; e2e_finish; fi
grep -q 'loaded the genoa platform' "$DAEMON_LOG" && pass log_loaded || fail log_loaded
sw export "$E2E_TMP/after" >/dev/null
cmp -s "$E2E_TMP/before/pdh.cert" "$E2E_TMP/after/pdh.cert" && cmp -s "$E2E_TMP/before/pek.cert" "$E2E_TMP/after/pek.cert" &&
	pass identity_survives_restart || fail identity_survives_restart
kill -INT "$DAEMON_PID"
_e2e_reap "$DAEMON_PID" 10 && pass sigint_exit_0 || fail sigint_exit_0
DAEMON_PID=""

# --group: the socket is 0660 and group-owned
grp=$(getent group nogroup >/dev/null && echo nogroup || echo daemon)
if start_daemon "$S" --group "$grp"; then
	[ "$(stat -c '%a %G' "$DAEMON_SOCK")" = "660 $grp" ] && pass group_socket_0660 ||
		fail group_socket_0660 "$(stat -c '%a %G' "$DAEMON_SOCK")"
	stop_daemon >/dev/null
else
	fail group_socket_0660 "daemon did not start with --group $grp"
fi
"$SWSEVD" --state "$S" --group no-such-group-xyz --foreground >"$E2E_TMP/g.log" 2>&1
[ $? -ne 0 ] && grep -q 'no such group' "$E2E_TMP/g.log" && pass group_unknown_refused || fail group_unknown_refused

# daemon mode: the parent returns once the socket is there; logs go to the state
"$SWSEVD" --state "$S" --socket "$E2E_TMP/bg.sock"
rc=$?
[ $rc -eq 0 ] && [ -S "$E2E_TMP/bg.sock" ] && pass daemonize_ready || fail daemonize_ready "rc=$rc"
bgpid=$(cat "$S/lock" 2>/dev/null)
"$SWSEV" --socket "$E2E_TMP/bg.sock" show version >/dev/null && pass daemonized_serves || fail daemonized_serves
[ -n "$bgpid" ] && kill -TERM "$bgpid" 2>/dev/null
n=0
while [ -n "$bgpid" ] && kill -0 "$bgpid" 2>/dev/null && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
[ -n "$bgpid" ] && ! kill -0 "$bgpid" 2>/dev/null && [ ! -e "$E2E_TMP/bg.sock" ] && grep -q 'listening' "$S/swsevd.log" &&
	pass daemonized_stops || fail daemonized_stops "pid '$bgpid'"

e2e_finish
