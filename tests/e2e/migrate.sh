#!/bin/sh
# Migration between two swsevd platforms manufactured under one emulated AMD
# root: `swsev vm migrate` fetches and verifies the target's chain, runs
# SEND_* on the source and RECEIVE_* on the target; the guest's memory is
# identical after the move. Refused: a NOSEND guest, and a target under
# another root; in both cases the source guest stays intact and running.
. tests/e2e/lib.sh

require_bins migrate "$SWSEV" "$SWSEVD"
SAMPLE=tests/fixtures/vectors/virtee-sev/measurement/ovmf_AmdSev_suffix.bin
ROOT=$E2E_TMP/fleet-root

start_daemon "$E2E_TMP/a" --vendor-root "$ROOT" --generation milan || { fail start-a; e2e_finish; }
A=$DAEMON_SOCK
start_daemon "$E2E_TMP/b" --vendor-root "$ROOT" --generation milan || { fail start-b; e2e_finish; }
B=$DAEMON_SOCK
start_daemon "$E2E_TMP/c" --vendor-root "$E2E_TMP/other-root" --generation milan || { fail start-c; e2e_finish; }
C=$DAEMON_SOCK

sa() { "$SWSEV" --socket "$A" "$@"; }
sb() { "$SWSEV" --socket "$B" "$@"; }

cp "$SAMPLE" "$E2E_TMP/fw.fd"
# a running guest whose memory holds known data in several places
launch() {
	sa --quiet vm launch "$1" --firmware "$E2E_TMP/fw.fd" --policy "$2" --memory 64M &&
		sa --quiet vm finish "$1" &&
		printf 'guest data at 1 MiB' | "$SWSEV" --socket "$A" --quiet vm write "$1" --gpa 0x100000 --file /dev/stdin &&
		sa --quiet vm write "$1" --gpa 0x3000010 --hex 00112233445566778899aabbccddeeff
}
snapshot() { # SOCKET NAME OUT: the guest's view of its populated memory
	"$SWSEV" --socket "$1" guest read "$2" --gpa 0x100000 --len 8192 --raw >"$3" &&
		"$SWSEV" --socket "$1" guest read "$2" --gpa 0x3000000 --len 4096 --raw >>"$3" &&
		"$SWSEV" --socket "$1" guest read "$2" --gpa 0xfffff000 --len 4096 --raw >>"$3"
}

# policy 0x20 (SEV): the firmware itself checks the target's AMD chain
expect_ok launch-mig launch mig 0x20
snapshot "$A" mig "$E2E_TMP/before.bin" || fail snapshot-before
expect_ok migrate sa vm migrate mig --to "$B"
sb vm info mig --json | grep -q '"state": "running"' && pass target-running || fail target-running
snapshot "$B" mig "$E2E_TMP/after.bin" || fail snapshot-after
if cmp -s "$E2E_TMP/before.bin" "$E2E_TMP/after.bin" && grep -q 'guest data at 1 MiB' "$E2E_TMP/after.bin"; then
	pass memory-identical
else
	fail memory-identical
fi
# the host view on the target is ciphertext (a new key, another address)
if sb vm peek mig --gpa 0x100000 --len 64 --raw >"$E2E_TMP/peek.bin" && [ "$(wc -c <"$E2E_TMP/peek.bin")" -eq 64 ] &&
	! grep -q 'guest data' "$E2E_TMP/peek.bin"; then
	pass target-host-view-encrypted
else
	fail target-host-view-encrypted
fi
sa vm list >"$E2E_TMP/list" && ! grep -q ' mig ' "$E2E_TMP/list" && pass source-gone || fail source-gone

# NOSEND: refused by the firmware, the source keeps running
expect_ok launch-nosend launch nosend 0x08
snapshot "$A" nosend "$E2E_TMP/ns1.bin"
if sa vm migrate nosend --to "$B" 2>"$E2E_TMP/err"; then
	fail nosend-refused
else
	grep -q 'POLICY_FAILURE' "$E2E_TMP/err" && pass nosend-refused || fail nosend-refused "$(cat "$E2E_TMP/err")"
fi
sa vm info nosend --json | grep -q '"state": "running"' && pass nosend-source-running || fail nosend-source-running
snapshot "$A" nosend "$E2E_TMP/ns2.bin"
cmp -s "$E2E_TMP/ns1.bin" "$E2E_TMP/ns2.bin" && pass nosend-source-intact || fail nosend-source-intact
sb vm list >"$E2E_TMP/list" && ! grep -q ' nosend ' "$E2E_TMP/list" && pass nosend-no-target-vm ||
	fail nosend-no-target-vm

# a target under another root: the chain check refuses it
expect_ok launch-foreign launch foreign 0x0
if sa vm migrate foreign --to "$C" 2>"$E2E_TMP/err"; then
	fail foreign-root-refused
else
	grep -q 'does not verify' "$E2E_TMP/err" && pass foreign-root-refused || fail foreign-root-refused "$(cat "$E2E_TMP/err")"
fi
sa vm info foreign --json | grep -q '"state": "running"' && pass foreign-source-running || fail foreign-source-running
"$SWSEV" --socket "$C" vm list >"$E2E_TMP/list" && ! grep -q ' foreign ' "$E2E_TMP/list" &&
	pass foreign-no-target-vm || fail foreign-no-target-vm

# after the refusals the source can still migrate to the right place
expect_ok foreign-then-good sa vm migrate foreign --to "$B"
sb vm info foreign --json | grep -q '"state": "running"' && pass foreign-arrived || fail foreign-arrived
e2e_finish
