#!/bin/sh
# make demo: the whole SEV attested launch with three separate parties.
#
#   the platform     swsevd on a temporary state directory: the secure
#                    processor, the memory controller, the DRAM
#   the guest owner  its own directory: trust anchor, GODH, TEK/TIK, the
#                    secret; never talks to the platform
#   the hypervisor   its own directory: only the blobs it is handed; runs
#                    `swsev vm ...` against the daemon (QEMU's role)
#
# Every step is checked; any failure stops the demo with a non-zero exit.
# Everything is removed at the end (SWSEV_DEMO_KEEP=1 keeps the directory).
set -u

BUILD=${BUILD:-build}
TOP=$(cd "$(dirname "$0")/.." && pwd)
SWSEV=$TOP/$BUILD/swsev
SWSEVD=$TOP/$BUILD/swsevd
OVMF=${SWSEV_DEMO_OVMF:-/usr/share/OVMF/OVMF_CODE_4M.fd}
SAMPLE=$TOP/tests/fixtures/vectors/virtee-sev/measurement/ovmf_AmdSev_suffix.bin

if [ -t 1 ]; then B=$(printf '\033[1m'); G=$(printf '\033[32m'); R=$(printf '\033[31m'); N=$(printf '\033[0m')
else B=""; G=""; R=""; N=""; fi

for b in "$SWSEV" "$SWSEVD"; do
	[ -x "$b" ] || { echo "demo: $b is not built; run 'make' first" >&2; exit 1; }
done

DEMO=$(mktemp -d "${TMPDIR:-/tmp}/swsev-demo.XXXXXX") || exit 1
chmod 700 "$DEMO"
DPID=""
cleanup() {
	rc=$?
	trap - EXIT INT TERM
	if [ -n "$DPID" ]; then
		kill -TERM "$DPID" 2>/dev/null
		wait "$DPID" 2>/dev/null
	fi
	if [ "${SWSEV_DEMO_KEEP:-0}" = 1 ]; then
		echo "(demo files kept in $DEMO)"
	else
		rm -rf "$DEMO"
	fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say() { printf '%s\n' "$*"; }
step() { printf '\n%s== %s ==%s\n' "$B" "$*" "$N"; }
ok() { printf '   %s✓%s %s\n' "$G" "$N" "$*"; }
die() {
	printf '   %s✗ %s%s\n' "$R" "$*" "$N" >&2
	[ -s "$DEMO/last.err" ] && sed 's/^/     | /' "$DEMO/last.err" >&2
	exit 1
}
# run WHO CMD...: shows the command as the party types it, runs it, checks it
run() {
	who=$1
	shift
	printf '   %s$ %s\n' "$who" "$(echo "$*" | sed "s|$SWSEV|swsev|g; s|$DEMO/||g")"
	if [ "$who" = owner ]; then
		# the owner never talks to the platform
		env -u SWSEV_SOCKET "$@" >"$DEMO/last.out" 2>"$DEMO/last.err" || die "failed: $*"
	else
		"$@" >"$DEMO/last.out" 2>"$DEMO/last.err" || die "failed: $*"
	fi
	sed 's/^/     /' "$DEMO/last.out"
}

PLAT=$DEMO/platform OWNER=$DEMO/owner HV=$DEMO/hypervisor
mkdir -p "$PLAT" "$OWNER" "$HV"
SOCK=$PLAT/swsevd.sock

step "0. The platform: swsevd starts (first start manufactures it)"
say "   A new platform gets a chip secret and a CEK signed by an emulated AMD"
say "   signing key (ASK) under an emulated AMD root (ARK), in AMD's formats."
"$SWSEVD" --state "$PLAT/state" --socket "$SOCK" --generation genoa --foreground >"$PLAT/swsevd.log" 2>&1 &
DPID=$!
i=0
while [ ! -S "$SOCK" ]; do
	kill -0 "$DPID" 2>/dev/null || { cat "$PLAT/swsevd.log" >&2; die "swsevd did not start"; }
	i=$((i + 1))
	[ $i -gt 600 ] && die "no socket after 60 s"
	sleep 0.1
done
ok "swsevd runs (pid $DPID), socket $SOCK"
SWSEV_SOCKET=$SOCK
export SWSEV_SOCKET

step "1. The guest owner checks the platform and makes a launch session"
say "   The hypervisor exports the platform's certificates (PDH_CERT_EXPORT via"
say "   /dev/sev semantics, plus the CEK signed by AMD) and hands them over."
run hypervisor "$SWSEV" export --full "$HV/platform-certs"
cp -r "$HV/platform-certs" "$OWNER/platform-certs"
# The owner trusts the AMD root; for this emulated fleet that is the public ARK.
cp "$PLAT/state/vendor-root/ark.cert" "$OWNER/trusted-ark.cert"
say "   The owner validates ARK -> ASK -> CEK -> PEK -> PDH and OCA -> PEK:"
cd "$OWNER" || die "cd owner"
run owner "$SWSEV" verify --ca trusted-ark.cert platform-certs
POLICY=0x3
say "   Policy $POLICY: NODBG (no debugging), NOKS (no key sharing)."
run owner "$SWSEV" session --name guest platform-certs/pdh.cert $POLICY
ok "TEK and TIK stay with the owner (mode 0600): $(ls guest_tek.bin guest_tik.bin | tr '\n' ' ')"
cp guest_godh.b64 guest_session.b64 "$HV/"
ok "the hypervisor receives only guest_godh.b64 and guest_session.b64"

step "2. The hypervisor launches the guest (QEMU's role)"
cd "$HV" || die "cd hypervisor"
if [ -r "$OVMF" ]; then
	IMAGE=$OVMF
	say "   Firmware: Debian's OVMF ($OVMF), mapped so that it ends at 4 GiB."
else
	IMAGE=$HV/sample-ovmf.fd
	cp "$SAMPLE" "$IMAGE"
	say "   Firmware: a 4 KiB sample image (the last page of an AmdSev OVMF build, with"
	say "   its GUIDed footer naming the secret area); install Debian's 'ovmf' for the real one."
fi
run hypervisor "$SWSEV" vm launch demo --firmware "$IMAGE" --policy $POLICY \
	--dh-cert-file guest_godh.b64 --session-file guest_session.b64
say "   LAUNCH_START (the firmware unwraps TEK/TIK with its PDH), LAUNCH_UPDATE_DATA"
say "   (the image is measured and encrypted in place), LAUNCH_MEASURE. The guest is paused."
"$SWSEV" vm measurement demo >measurement.b64 || die "vm measurement"
"$SWSEV" vm info demo --json >query-sev.json || die "vm info"
ok "QMP query-sev-launch-measure: $(cat measurement.b64)"
cp measurement.b64 query-sev.json "$OWNER/"
field() { sed -n "s/.*\"$1\": *\([0-9]*\).*/\1/p" "$2"; }

step "3. The guest owner verifies the measurement and packs a secret"
cd "$OWNER" || die "cd owner"
say "   The owner recomputes the launch digest from the image it expects and the"
say "   HMAC with its TIK (api/build/policy as the host reports them: they are bound)."
cp "$IMAGE" expected-firmware.fd
run owner "$SWSEV" measurement build --api-major "$(field api-major query-sev.json)" \
	--api-minor "$(field api-minor query-sev.json)" --build-id "$(field build-id query-sev.json)" \
	--policy $POLICY --tik guest_tik.bin --firmware expected-firmware.fd --verify "$(cat measurement.b64)"
ok "the measurement matches: this is the expected firmware on a genuine platform"
printf 'luks passphrase: correct horse battery staple' >disk-key.txt
run owner "$SWSEV" secret build --tik guest_tik.bin --tek guest_tek.bin \
	--launch-measure-blob "$(cat measurement.b64)" --secret "luks-key:disk-key.txt" --base64 \
	secret-header.b64 secret-payload.b64
cp secret-header.b64 secret-payload.b64 "$HV/"
ok "the hypervisor receives the encrypted packet (header + payload), never the key"

step "4. The hypervisor injects the secret and starts the guest"
cd "$HV" || die "cd hypervisor"
if "$SWSEV" vm inject-secret demo --header secret-header.b64 --payload secret-payload.b64 \
	>"$DEMO/last.out" 2>"$DEMO/last.err"; then
	SECRET_GPA=$(sed -n 's/.*at GPA \(0x[0-9a-f]*\).*/\1/p' "$DEMO/last.out")
	printf '   hypervisor$ swsev vm inject-secret demo --header secret-header.b64 --payload secret-payload.b64\n'
	sed 's/^/     /' "$DEMO/last.out"
else
	SECRET_GPA=0x800000
	say "   This OVMF's footer names no secret area (Debian builds OvmfPkgX64, not AmdSev),"
	say "   so the hypervisor names a guest address itself, as QMP's 'gpa' argument allows:"
	run hypervisor "$SWSEV" vm inject-secret demo --header secret-header.b64 --payload secret-payload.b64 \
		--gpa $SECRET_GPA
fi
say "   LAUNCH_SECRET: the firmware checks the packet's MAC (bound to the measurement),"
say "   decrypts it with the TEK and writes it encrypted with the guest's key."
run hypervisor "$SWSEV" vm finish demo
ok "LAUNCH_FINISH: the guest runs"

step "5. The guest reads its secret (through its own ASID key)"
run guest "$SWSEV" guest read demo --gpa "$SECRET_GPA" --len 96 --secret-table
grep -q 'correct horse battery staple' "$DEMO/last.out" || die "the guest did not find its secret"
ok "the guest has the disk key"

step "6. The host's view of the same memory: ciphertext only"
run hypervisor "$SWSEV" vm peek demo --gpa "$SECRET_GPA" --len 64
if "$SWSEV" vm peek demo --gpa "$SECRET_GPA" --len 96 --raw | grep -q 'correct horse'; then
	die "the host saw plaintext"
fi
ok "no plaintext in the host's view"
say "   And the hypervisor may not ask the firmware to decrypt (policy NODBG):"
if "$SWSEV" vm read demo --gpa "$SECRET_GPA" --len 32 >/dev/null 2>"$DEMO/dbg.err"; then
	die "DBG_DECRYPT was allowed under NODBG"
fi
sed 's/^/     /' "$DEMO/dbg.err"
ok "DBG_DECRYPT refused"

printf '\n%sThe attested launch is complete.%s The daemon stops and the demo files are removed.\n' "$B" "$N"
exit 0
