#!/bin/sh
# State across daemon restarts, and exactly what rotate, reset and
# provision change: rotate renews only the PDH; reset renews OCA, PEK and
# PDH but never the CEK; provision makes the platform externally owned by
# our OCA. A damaged state is refused and left untouched; a platform keeps
# its generation; a fleet shares one vendor root and another root is not
# trusted.
. tests/e2e/lib.sh
require_bins persist "$SWSEVD" "$SWSEV"

S=$E2E_TMP/st
ROOT=$E2E_TMP/root
X=$E2E_TMP/x

same() { cmp -s "$X/$1/$3.cert" "$X/$2/$3.cert"; }
export_to() {
	sw export --full "$X/$1" >/dev/null 2>"$E2E_TMP/export.err" || {
		fail "export_$1" "$(cat "$E2E_TMP/export.err")"
		return 1
	}
}
restart() {
	stop_daemon >/dev/null || fail "clean_stop_before_$1"
	start_daemon "$S" || {
		fail "restart_$1"
		e2e_finish
	}
}
mkdir -p "$X"

start_daemon "$S" --vendor-root "$ROOT" || { fail start; e2e_finish; }
export_to a
restart a
export_to b
same a b pdh && same a b pek && same a b oca && same a b cek && pass restart_keeps_identity ||
	fail restart_keeps_identity
expect_ok verify_chain_after_restart "$SWSEV" verify --ca "$X/b/ark.cert" "$X/b"

# rotate: only the PDH
expect_ok rotate sw rotate
export_to c
! same b c pdh && same b c pek && same b c oca && same b c cek && pass rotate_changes_only_pdh ||
	fail rotate_changes_only_pdh
restart c
export_to d
same c d pdh && pass rotated_pdh_persists || fail rotated_pdh_persists
expect_ok verify_after_rotate "$SWSEV" verify --ca "$X/d/ark.cert" "$X/d"

# reset: OCA, PEK and PDH renewed; the CEK and the roots stay
expect_ok reset sw reset
export_to e
! same d e pdh && ! same d e pek && ! same d e oca && same d e cek && same d e ask && same d e ark &&
	pass reset_changes_oca_pek_pdh_not_cek || fail reset_changes_oca_pek_pdh_not_cek
restart e
export_to f
same e f pdh && same e f pek && same e f oca && pass reset_identity_persists || fail reset_identity_persists

# provision: an OCA of our own takes ownership
expect_ok generate "$SWSEV" generate "$E2E_TMP/oca.cert" "$E2E_TMP/oca.key"
[ "$(stat -c %a "$E2E_TMP/oca.key")" = 600 ] && head -1 "$E2E_TMP/oca.key" | grep -q '^-----BEGIN PRIVATE KEY-----$' &&
	pass oca_key_0600 || fail oca_key_0600
expect_fail generate_no_overwrite "$SWSEV" generate "$E2E_TMP/oca.cert" "$E2E_TMP/oca.key"
expect_ok owner_self_before sh -c "'$SWSEV' --socket '$DAEMON_SOCK' show flags | grep -q 'owner: self'"
expect_ok provision sw provision "$E2E_TMP/oca.cert" "$E2E_TMP/oca.key"
export_to g
cmp -s "$E2E_TMP/oca.cert" "$X/g/oca.cert" && ! same f g pdh && same f g cek && pass provision_installs_our_oca ||
	fail provision_installs_our_oca
expect_ok owner_external sh -c "'$SWSEV' --socket '$DAEMON_SOCK' show flags | grep -q 'owner: external'"
expect_ok verify_provisioned "$SWSEV" verify --ca "$X/g/ark.cert" "$X/g"
sw provision "$E2E_TMP/oca.cert" "$E2E_TMP/oca.key" >"$E2E_TMP/p2.out" 2>&1
[ $? -eq 1 ] && grep -q 'ALREADY_OWNED (0x05)' "$E2E_TMP/p2.out" && pass provision_twice_already_owned ||
	fail provision_twice_already_owned "$(cat "$E2E_TMP/p2.out")"
restart g
export_to h
cmp -s "$E2E_TMP/oca.cert" "$X/h/oca.cert" && same g h pdh && pass ownership_persists || fail ownership_persists
expect_ok owner_external_after_restart sh -c "'$SWSEV' --socket '$DAEMON_SOCK' show flags | grep -q 'owner: external'"
# a key that is not the cert's is refused before the platform is touched
"$SWSEV" generate "$E2E_TMP/oca2.cert" "$E2E_TMP/oca2.key" >/dev/null
sw reset >/dev/null
sw provision "$E2E_TMP/oca.cert" "$E2E_TMP/oca2.key" >"$E2E_TMP/p3.out" 2>&1
[ $? -eq 1 ] && grep -q 'does not belong to' "$E2E_TMP/p3.out" && pass provision_wrong_key_refused ||
	fail provision_wrong_key_refused "$(cat "$E2E_TMP/p3.out")"
# a flipped byte in the OCA cert: refused (its self-signature no longer holds)
cp "$E2E_TMP/oca.cert" "$E2E_TMP/bad.cert"
# (xor, so the byte always changes: writing a constant left it as it was
# whenever the key byte at offset 32 happened to be that constant)
b=$(od -An -tu1 -j32 -N1 "$E2E_TMP/bad.cert" | tr -d ' ')
printf "\\$(printf '%03o' $((b ^ 1)))" | dd of="$E2E_TMP/bad.cert" bs=1 seek=32 conv=notrunc 2>/dev/null
cmp -s "$E2E_TMP/oca.cert" "$E2E_TMP/bad.cert" && fail provision_flip_changed_byte "flip left the cert unchanged"
expect_fail provision_flipped_oca_refused sw provision "$E2E_TMP/bad.cert" "$E2E_TMP/oca.key"

# a generation is fixed at manufacturing
stop_daemon >/dev/null
"$SWSEVD" --state "$S" --generation rome --foreground >"$E2E_TMP/gen.log" 2>&1
[ $? -ne 0 ] && grep -q 'manufactured as genoa' "$E2E_TMP/gen.log" && pass generation_mismatch_refused ||
	fail generation_mismatch_refused "$(cat "$E2E_TMP/gen.log")"

# damaged state: refused, named, left untouched
cp "$S/nvstate.bin" "$E2E_TMP/nv.good"
sz=$(stat -c %s "$S/nvstate.bin")
printf '\377' | dd of="$S/nvstate.bin" bs=1 seek=$((sz / 2)) conv=notrunc 2>/dev/null
sum=$(sha256sum "$S/nvstate.bin" | cut -d' ' -f1)
"$SWSEVD" --state "$S" --foreground >"$E2E_TMP/corrupt.log" 2>&1
rc=$?
[ $rc -ne 0 ] && grep -q 'nvstate.bin' "$E2E_TMP/corrupt.log" && grep -q 'refusing to start' "$E2E_TMP/corrupt.log" &&
	pass corrupt_state_refused || fail corrupt_state_refused "rc=$rc $(cat "$E2E_TMP/corrupt.log")"
[ "$(sha256sum "$S/nvstate.bin" | cut -d' ' -f1)" = "$sum" ] && pass corrupt_state_untouched || fail corrupt_state_untouched
head -c $((sz - 7)) "$E2E_TMP/nv.good" >"$S/nvstate.bin"
"$SWSEVD" --state "$S" --foreground >"$E2E_TMP/trunc.log" 2>&1
[ $? -ne 0 ] && grep -q 'nvstate.bin' "$E2E_TMP/trunc.log" && pass truncated_state_refused ||
	fail truncated_state_refused "$(cat "$E2E_TMP/trunc.log")"
[ "$(stat -c %s "$S/nvstate.bin")" = $((sz - 7)) ] && pass truncated_state_untouched || fail truncated_state_untouched
cp "$E2E_TMP/nv.good" "$S/nvstate.bin"
start_daemon "$S" && pass restored_state_loads || fail restored_state_loads
stop_daemon >/dev/null

# a fleet: a second platform under the same root; a third under its own
start_daemon "$E2E_TMP/st2" --vendor-root "$ROOT" || { fail fleet_start; e2e_finish; }
export_to fleet
stop_daemon >/dev/null
cmp -s "$X/fleet/ark.cert" "$X/a/ark.cert" && ! cmp -s "$X/fleet/cek.cert" "$X/a/cek.cert" && pass fleet_shares_root ||
	fail fleet_shares_root
expect_ok fleet_chain_verifies "$SWSEV" verify --ca "$X/a/ark.cert" "$X/fleet"
start_daemon "$E2E_TMP/st3" || { fail other_root_start; e2e_finish; }
export_to other
stop_daemon >/dev/null
[ -f "$E2E_TMP/st3/vendor-root/ark.cert" ] && ! cmp -s "$X/other/ark.cert" "$X/a/ark.cert" && pass own_root_by_default ||
	fail own_root_by_default
rm -f "$X/other/ark.cert" "$X/other/ask.cert"
cp "$X/a/ask.cert" "$X/other/ask.cert"
expect_fail other_root_not_trusted "$SWSEV" verify --ca "$X/a/ark.cert" "$X/other"

e2e_finish
