#!/bin/sh
# The attested launch end to end with the real daemon and the real CLI:
# three parties in separate directories (the owner never talks to the
# daemon; the hypervisor only handles base64 blobs), Debian's OVMF when it
# is installed and the AmdSev footer sample always; SEV-ES with VMSAs;
# refusals (tampered policy, wrong secret, NODBG debugging); many clients
# launching at once (no error, no lost guest).
. tests/e2e/lib.sh

require_bins launch "$SWSEV" "$SWSEVD"
OVMF=/usr/share/OVMF/OVMF_CODE_4M.fd
SAMPLE=tests/fixtures/vectors/virtee-sev/measurement/ovmf_AmdSev_suffix.bin

start_daemon "$E2E_TMP/state" || { fail start-daemon; e2e_finish; }
OWNER=$E2E_TMP/owner
HV=$E2E_TMP/hv
mkdir -p "$OWNER" "$HV"

# platform facts the owner needs (QMP query-sev gives them to the host)
api_minor=$(sw show --json 2>/dev/null | sed -n 's/.*"api-minor": *\([0-9]*\).*/\1/p')
[ -n "$api_minor" ] || api_minor=22

# 1. the owner validates the platform chain and makes a session
expect_ok export sw export --full "$HV/chain"
cp -r "$HV/chain" "$OWNER/chain"
expect_ok verify-chain "$SWSEV" verify --ca "$E2E_TMP/state/vendor-root" "$OWNER/chain"
(cd "$OWNER" && "$OLDPWD/$SWSEV" session --name vm chain/pdh.cert 0x3 >/dev/null) || fail session
cp "$OWNER/vm_godh.b64" "$OWNER/vm_session.b64" "$HV/"

build_id() { sw vm info "$1" --json | sed -n 's/.*"build-id": *\([0-9]*\).*/\1/p'; }

# 2. the hypervisor launches (image: the AmdSev sample, whose footer names a secret area)
cp "$SAMPLE" "$HV/amdsev.fd"
expect_ok launch-sample sw vm launch g1 --firmware "$HV/amdsev.fd" --policy 0x3 \
	--dh-cert-file "$HV/vm_godh.b64" --session-file "$HV/vm_session.b64"
M=$(sw vm measurement g1)
B=$(build_id g1)
# QMP-shaped outputs
sw vm measurement g1 --json | grep -q "^{\"data\": \"$M\"}$" && pass measurement-json || fail measurement-json
sw vm info g1 --json | grep -q '"state": "launch-secret"' && pass info-json-state || fail info-json-state
for k in api-major api-minor build-id policy state handle asid; do
	sw vm info g1 --json | grep -q "\"$k\":" || fail "info-json-$k"
done

# 3. the owner verifies the measurement and packs a secret
expect_ok owner-verifies "$SWSEV" measurement build --api-major 0 --api-minor "$api_minor" --build-id "$B" \
	--policy 0x3 --tik "$OWNER/vm_tik.bin" --firmware "$HV/amdsev.fd" --verify "$M"
# an image the owner did not expect: mismatch
head -c 4096 /dev/zero >"$OWNER/other.fd"
expect_fail owner-refuses-other-image "$SWSEV" measurement build --api-major 0 --api-minor "$api_minor" \
	--build-id "$B" --policy 0x3 --tik "$OWNER/vm_tik.bin" --firmware "$OWNER/other.fd" --verify "$M"
printf 'correct horse battery staple' >"$OWNER/key.txt"
expect_ok secret-build "$SWSEV" secret build --tik "$OWNER/vm_tik.bin" --tek "$OWNER/vm_tek.bin" \
	--launch-measure-blob "$M" --secret "luks-key:$OWNER/key.txt" --base64 "$OWNER/hdr.b64" "$OWNER/pay.b64"
cp "$OWNER/hdr.b64" "$OWNER/pay.b64" "$HV/"

# a packet whose payload was altered in transit: BAD_MEASUREMENT, named
"$SWSEV" secret build --tik "$OWNER/vm_tik.bin" --tek "$OWNER/vm_tek.bin" --launch-measure-blob "$M" \
	--secret "luks-key:$OWNER/key.txt" --base64 "$E2E_TMP/h2.b64" "$E2E_TMP/p2.b64" >/dev/null 2>&1
python3 - "$E2E_TMP/p2.b64" <<'EOF'
import base64, sys
p = sys.argv[1]
b = bytearray(base64.b64decode(open(p).read()))
b[0] ^= 1
open(p, "w").write(base64.b64encode(bytes(b)).decode())
EOF
if sw vm inject-secret g1 --header "$E2E_TMP/h2.b64" --payload "$E2E_TMP/p2.b64" 2>"$E2E_TMP/err"; then
	fail tampered-secret-refused "a flipped payload byte was accepted"
elif grep -q 'BAD_MEASUREMENT (0x0b)' "$E2E_TMP/err"; then
	pass tampered-secret-refused
else
	fail tampered-secret-refused "error does not name BAD_MEASUREMENT: $(cat "$E2E_TMP/err")"
fi

# 4. the hypervisor injects and finishes
expect_ok inject-secret sw vm inject-secret g1 --header "$HV/hdr.b64" --payload "$HV/pay.b64"
expect_ok finish sw vm finish g1
sw vm info g1 --json | grep -q '"state": "running"' && pass running || fail running

# 5. the guest reads its secret; 6. the host sees ciphertext
if sw guest read g1 --gpa 0x810000 --len 96 --secret-table | grep -q 'correct horse battery staple'; then
	pass guest-reads-secret
else
	fail guest-reads-secret
fi
sw guest read g1 --gpa 0x810000 --len 64 --raw >"$E2E_TMP/guest.bin"
sw vm peek g1 --gpa 0x810000 --len 64 --raw >"$E2E_TMP/host.bin"
if [ "$(wc -c <"$E2E_TMP/host.bin")" -eq 64 ] && ! cmp -s "$E2E_TMP/guest.bin" "$E2E_TMP/host.bin" &&
	! grep -q 'correct horse' "$E2E_TMP/host.bin"; then
	pass host-sees-ciphertext
else
	fail host-sees-ciphertext
fi
# NODBG (policy bit 0): the hypervisor's DBG_DECRYPT is refused
if sw vm read g1 --gpa 0x810000 --len 32 2>"$E2E_TMP/err"; then
	fail nodbg-refused
else
	grep -q 'POLICY_FAILURE' "$E2E_TMP/err" && pass nodbg-refused || fail nodbg-refused "$(cat "$E2E_TMP/err")"
fi

# a host that changes the policy: LAUNCH_START fails with BAD_MEASUREMENT
if sw vm launch g2 --firmware "$HV/amdsev.fd" --policy 0x1 --dh-cert-file "$HV/vm_godh.b64" \
	--session-file "$HV/vm_session.b64" 2>"$E2E_TMP/err"; then
	fail policy-tamper-refused
else
	grep -q 'BAD_MEASUREMENT' "$E2E_TMP/err" && pass policy-tamper-refused || fail policy-tamper-refused "$(cat "$E2E_TMP/err")"
fi
sw vm list | grep -q ' g2 ' && fail failed-launch-cleaned-up || pass failed-launch-cleaned-up

# debugging allowed without NODBG: write then read back through DBG_*
expect_ok launch-debug sw vm launch dbg --firmware "$HV/amdsev.fd" --policy 0x0
expect_ok dbg-write sw vm write dbg --gpa 0x100005 --hex 48656c6c6f2c20534556
if sw vm read dbg --gpa 0x100005 --len 10 --raw | grep -q '^Hello, SEV$'; then
	pass dbg-read-back
else
	fail dbg-read-back
fi

# Debian's OVMF (SEV and SEV-ES), when installed
if [ -r "$OVMF" ]; then
	(cd "$OWNER" && "$OLDPWD/$SWSEV" session --name deb chain/pdh.cert 0x1 >/dev/null)
	expect_ok launch-debian-ovmf sw vm launch deb --firmware "$OVMF" --dh-cert-file "$OWNER/deb_godh.b64" \
		--session-file "$OWNER/deb_session.b64"
	expect_ok verify-debian-ovmf "$SWSEV" measurement build --api-major 0 --api-minor "$api_minor" \
		--build-id "$B" --policy 0x1 --tik "$OWNER/deb_tik.bin" --firmware "$OVMF" --verify "$(sw vm measurement deb)"
	# its footer names no secret area: the default GPA is refused with advice
	"$SWSEV" secret build --tik "$OWNER/deb_tik.bin" --tek "$OWNER/deb_tek.bin" --launch-measure-blob \
		"$(sw vm measurement deb)" --secret "luks-key:$OWNER/key.txt" --base64 "$E2E_TMP/dh.b64" "$E2E_TMP/dp.b64" >/dev/null
	expect_fail debian-no-secret-area sw vm inject-secret deb --header "$E2E_TMP/dh.b64" --payload "$E2E_TMP/dp.b64"
	expect_ok debian-inject-at-gpa sw vm inject-secret deb --header "$E2E_TMP/dh.b64" --payload "$E2E_TMP/dp.b64" --gpa 0x800000
	expect_ok debian-finish sw vm finish deb
	sw guest read deb --gpa 0x800000 --len 80 --secret-table | grep -q 'correct horse' && pass debian-guest-secret ||
		fail debian-guest-secret

	(cd "$OWNER" && "$OLDPWD/$SWSEV" session --name es chain/pdh.cert 0x5 >/dev/null)
	expect_ok launch-es sw vm launch es --firmware "$OVMF" --policy 0x5 --vcpus 4 \
		--dh-cert-file "$OWNER/es_godh.b64" --session-file "$OWNER/es_session.b64"
	sw vm info es --json | grep -q '"vcpus": 4' && pass es-vmsas || fail es-vmsas
	expect_ok verify-es "$SWSEV" measurement build --api-major 0 --api-minor "$api_minor" --build-id "$B" \
		--policy 0x5 --tik "$OWNER/es_tik.bin" --firmware "$OVMF" --num-cpus 4 --cpu-family 25 --cpu-model 17 \
		--cpu-stepping 0 --verify "$(sw vm measurement es)"
	expect_fail verify-es-wrong-cpus "$SWSEV" measurement build --api-major 0 --api-minor "$api_minor" --build-id "$B" \
		--policy 0x5 --tik "$OWNER/es_tik.bin" --firmware "$OVMF" --num-cpus 3 --cpu-family 25 --cpu-model 17 \
		--cpu-stepping 0 --verify "$(sw vm measurement es)"
else
	skip debian-ovmf "$OVMF not installed (Debian package ovmf)"
fi

# SEV-ES needs an image whose OVMF footer names the AP reset block
expect_fail es-without-reset-block sw vm launch bad --firmware "$OWNER/other.fd" --policy 0x4

# many clients launching at once: no error, no lost guest
before=$(sw vm list | tail -n +2 | wc -l)
pids=""
i=0
while [ $i -lt 8 ]; do
	sw --quiet vm launch "par$i" --firmware "$HV/amdsev.fd" --policy 0x0 >"$E2E_TMP/par$i.log" 2>&1 &
	pids="$pids $!"
	i=$((i + 1))
done
ok=1
for p in $pids; do wait "$p" || ok=0; done
[ $ok = 1 ] && pass concurrent-launches || { fail concurrent-launches; cat "$E2E_TMP"/par*.log >&2; }
after=$(sw vm list | tail -n +2 | wc -l)
[ "$after" -eq $((before + 8)) ] && pass no-lost-guest || fail no-lost-guest "$before + 8 != $after"

# make demo: the narrated flow runs to its end (its own daemon, cleaned up after)
if BUILD=$BUILD sh scripts/demo.sh >"$E2E_TMP/demo.log" 2>&1 && grep -q 'attested launch is complete' "$E2E_TMP/demo.log" &&
	grep -q 'correct horse battery staple' "$E2E_TMP/demo.log"; then
	pass make-demo
else
	fail make-demo "$(tail -n 20 "$E2E_TMP/demo.log")"
fi
demo_dir=$(sed -n 's|.*socket \(/.*\)/platform/swsevd.sock.*|\1|p' "$E2E_TMP/demo.log" | head -n 1)
if [ -n "$demo_dir" ] && [ ! -e "$demo_dir" ]; then
	pass demo-cleans-up
else
	fail demo-cleans-up "demo directory '$demo_dir' left behind (or not found in the log)"
fi

# destroy returns the guests
expect_ok destroy sw vm destroy g1
expect_fail destroyed-is-gone sw vm info g1
e2e_finish
