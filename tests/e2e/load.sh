#!/bin/sh
# Load (issue 5): many clients at once issuing mixed platform commands
# (show, export, PLATFORM_STATUS through the socket protocol, PDH_GEN) and
# guest commands (launch, info, measurement, finish, the guest's own read,
# destroy) for a bounded time. Asserts: no command fails, no guest is lost
# (every guest a client kept is listed, with the state it left it in), and
# the daemon's memory stays flat: its VmRSS after the load, with the guests
# destroyed, is within a tolerance of its VmRSS after a warm-up round of the
# same load (a leak grows with the number of requests; the warm-up creates
# the thread arenas and caches a steady daemon keeps).
#
# LOAD_CLIENTS (default 8), LOAD_SECONDS (default 20), LOAD_RSS_SLACK_KB
# (default 16384: allowed growth beyond 25 % of the warm RSS).
. tests/e2e/lib.sh

require_bins load "$SWSEVD" "$SWSEV"
NCLI=${LOAD_CLIENTS:-8}
DUR=${LOAD_SECONDS:-20}
SLACK=${LOAD_RSS_SLACK_KB:-16384}
KEEP_MAX=4 # guests each client keeps alive at a time (ASIDs are finite)
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
WIRE="$PY tests/e2e/wire_client.py"
IMG=$E2E_TMP/amdsev.fd
cp tests/fixtures/vectors/virtee-sev/measurement/ovmf_AmdSev_suffix.bin "$IMG"

e2e_vendor_root genoa || {
	fail vendor-root
	e2e_finish
}
start_daemon "$E2E_TMP/st" --vendor-root "$E2E_ROOT" || {
	fail start
	e2e_finish
}

rss_kb() {
	sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$DAEMON_PID/status"
}

# run CLIENT CMD...: one command; a failure is logged with its message
run() {
	_c=$1
	shift
	if [ "$1" = sw ]; then
		shift
		set -- "$SWSEV" --socket "$DAEMON_SOCK" "$@"
	fi
	if ! timeout -s KILL 60 "$@" >/dev/null 2>"$E2E_TMP/c$_c.last"; then
		echo "ERR [$*]: $(head -c 300 "$E2E_TMP/c$_c.last")" >>"$E2E_TMP/c$_c.err"
	fi
}

# client I END PHASE: mixed commands until END (epoch seconds)
client() {
	_i=$1
	_end=$2
	_ph=$3
	_n=0
	: >"$E2E_TMP/c$_i.keep.$_ph"
	while [ "$(date +%s)" -lt "$_end" ]; do
		_n=$((_n + 1))
		_g=p$_ph-c$_i-$_n
		case $((_n % 5)) in
		0) run "$_i" sw show ;;
		1) run "$_i" sw export "$E2E_TMP/x$_i" ;;
		2) run "$_i" $WIRE "$DAEMON_SOCK" status ;;
		3) run "$_i" sw --json show guests ;;
		4) [ "$_i" = 0 ] && run "$_i" sw rotate ;;
		esac
		run "$_i" sw vm launch "$_g" --firmware "$IMG" --policy 0x0
		run "$_i" sw vm measurement "$_g"
		run "$_i" sw vm finish "$_g"
		run "$_i" sw guest read "$_g" --gpa 0x100000 --len 32
		run "$_i" sw vm info "$_g"
		echo "$_g" >>"$E2E_TMP/c$_i.keep.$_ph"
		# keep the last KEEP_MAX guests, destroy the older ones
		while [ "$(wc -l <"$E2E_TMP/c$_i.keep.$_ph")" -gt $KEEP_MAX ]; do
			_old=$(head -n 1 "$E2E_TMP/c$_i.keep.$_ph")
			run "$_i" sw vm destroy "$_old"
			sed -i 1d "$E2E_TMP/c$_i.keep.$_ph"
		done
	done
}

# phase PH SECONDS: NCLI clients at once
phase() {
	_pend=$(($(date +%s) + $2))
	_pids=""
	_k=0
	while [ $_k -lt "$NCLI" ]; do
		client $_k $_pend "$1" &
		_pids="$_pids $!"
		_k=$((_k + 1))
	done
	for _p in $_pids; do wait "$_p"; done
}

destroy_all() {
	for _g in $(cat "$E2E_TMP"/c*.keep.* 2>/dev/null); do
		sw vm destroy "$_g" >/dev/null 2>&1
	done
	rm -f "$E2E_TMP"/c*.keep.*
}

# warm-up: the same load, briefly; then all guests go
phase w 5
destroy_all
rm -f "$E2E_TMP"/c*.err
sleep 1
r0=$(rss_kb)

phase m "$DUR"
# errors
nerr=$(cat "$E2E_TMP"/c*.err 2>/dev/null | wc -l)
if [ "$nerr" -eq 0 ]; then
	pass no-command-failed
else
	fail no-command-failed "$nerr command(s) failed, e.g.:"
	cat "$E2E_TMP"/c*.err | head -n 8 | sed 's/^/    | /' >&2
fi
# no lost guest: every kept guest listed and running
sw vm list >"$E2E_TMP/list" 2>&1
kept=$(cat "$E2E_TMP"/c*.keep.m | wc -l)
lost=0
for g in $(cat "$E2E_TMP"/c*.keep.m); do
	grep -q -w -- "$g" "$E2E_TMP/list" || {
		lost=$((lost + 1))
		echo "    lost: $g" >&2
	}
done
listed=$(grep -c -- '-c[0-9]*-' "$E2E_TMP/list")
if [ $lost -eq 0 ] && [ "$listed" -eq "$kept" ] && [ "$kept" -gt 0 ]; then
	pass no-lost-guest
else
	fail no-lost-guest "$kept guests kept, $listed listed, $lost missing"
fi
g1=$(head -n 1 "$E2E_TMP/c1.keep.m")
sw vm info "$g1" --json 2>/dev/null | grep -q '"state": "running"' && pass kept-guest-running ||
	fail kept-guest-running "$g1: $(sw vm info "$g1" 2>&1 | head -n 3)"
total=$(($(cat "$E2E_TMP"/c*.keep.m | sed 's/.*-//' | sort -n | tail -n 1) + 0))

destroy_all
sleep 1
r1=$(rss_kb)
allow=$((r0 + r0 / 4 + SLACK))
echo "  load: $NCLI clients for ${DUR}s (up to $total rounds each of 6-8 commands); daemon VmRSS warm ${r0} kB, after ${r1} kB (allowed ${allow} kB)" >&2
if [ -n "$r0" ] && [ -n "$r1" ] && [ "$r1" -le "$allow" ]; then
	pass rss-flat
else
	fail rss-flat "VmRSS grew from ${r0} kB to ${r1} kB under load"
fi
sw vm list | grep -q -- '-c[0-9]*-' && fail guests-destroyed || pass guests-destroyed
daemon_alive && pass daemon-alive || fail daemon-alive
stop_daemon && pass clean-shutdown || fail clean-shutdown "swsevd exited $?"
e2e_finish
