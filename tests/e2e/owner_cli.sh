#!/bin/sh
# The guest owner's launch commands through the real swsev binary:
# sevctl's known answers (tests/fixtures/vectors/README.md, sevctl
# tests/measurementbuild.rs, secretbuild.rs, vmsabuild.rs), --verify and its
# explanation, secret build/verify, VMSA build/show, and the error messages
# for bad input.
. tests/e2e/lib.sh

require_bins owner_cli "$SWSEV"
V=tests/fixtures/vectors/virtee-sevctl/data
FW=$V/OVMF.amdsev.fd_trimmed_edk2-ovmf-20220126gitbb1bba3d77-4.el9
T=$E2E_TMP

# out_is NAME EXPECTED CMD...: the command succeeds and prints exactly EXPECTED
out_is() {
	_n=$1
	_want=$2
	shift 2
	_got=$("$@" 2>"$T/.err")
	_rc=$?
	if [ $_rc -eq 0 ] && [ "$_got" = "$_want" ]; then
		pass "$_n"
	else
		fail "$_n" "exit $_rc, got '$_got', want '$_want' $(head -c 400 "$T/.err")"
	fi
}

# refused NAME RC PATTERN CMD...: exits RC (no crash) and says PATTERN on stderr
refused() {
	_n=$1
	_rc_want=$2
	_pat=$3
	shift 3
	"$@" >"$T/.out" 2>"$T/.err"
	_rc=$?
	if [ $_rc -ne "$_rc_want" ]; then
		fail "$_n" "exit $_rc, want $_rc_want: $(head -c 400 "$T/.err")"
	elif ! grep -q -- "$_pat" "$T/.err"; then
		fail "$_n" "message lacks '$_pat': $(head -c 400 "$T/.err")"
	else
		pass "$_n"
	fi
}

MB="$SWSEV measurement build --api-major 0x01 --api-minor 40 --build-id 40 --policy 0x03 --tik $V/measurement/tik1.bin"
NONCE=wxP6tRHCFrFQWxsuqZA8QA==
# base64(MEASURE || MNONCE) of the vectors README (sevctl measurementbuild.rs)
M_LD=lswbxWxI9gckya16JQvdFtpYmNO4b+3inAPpqsgoBI7DE/q1EcIWsVBbGy6pkDxA
M_FW=oMDewIouJSpbpNRHj7Mk3p08H2dPZQdsZMU14qIymBnDE/q1EcIWsVBbGy6pkDxA
M_KERNEL=h3auYbWQnVW7EGLWN4Hf9SN0oEYMPU2sK4bLnefWPwvDE/q1EcIWsVBbGy6pkDxA
M_ES=tsLCcIIPrm3TWcyaOFfvUVEjRLGQzEnGlznRioMOCU7DE/q1EcIWsVBbGy6pkDxA

out_is measure_digest_given "$M_LD" $MB --nonce $NONCE --launch-digest xkvRAfyaSizgonxAjZIAkR8TmolUabBKQKb6KJCDDSM=
out_is measure_digest_given_hex "$M_LD" $MB --nonce c313fab511c216b1505b1b2ea9903c40 \
	--launch-digest c64bd101fc9a4a2ce0a27c408d9200911f139a895469b04a40a6fa2890830d23
out_is measure_firmware "$M_FW" $MB --nonce $NONCE --firmware "$FW"
out_is measure_kernel_hashes "$M_KERNEL" $MB --nonce $NONCE --firmware "$FW" \
	--kernel $V/measurement/vmlinuz-fake --initrd $V/measurement/initrd-fake --cmdline "foo bar baz fake kernel=cmdline"
out_is measure_sev_es_vmsa_files "$M_ES" $SWSEV measurement build --api-major 1 --api-minor 40 --build-id 40 \
	--policy 0x05 --tik $V/measurement/tik1.bin --nonce $NONCE --firmware "$FW" \
	--num-cpus 4 --vmsa-cpu0 $V/vmsa0.bin --vmsa-cpu1 $V/vmsa1.bin
out_is measure_sev_es_cpu_model "$M_ES" $SWSEV measurement build --api-major 1 --api-minor 40 --build-id 40 \
	--policy 0x05 --tik $V/measurement/tik1.bin --nonce $NONCE --firmware "$FW" \
	--num-cpus 4 --cpu-family 25 --cpu-model 1 --cpu-stepping 1
# README: SEV-ES at API 1.49 build 6 with its own nonce
out_is measure_sev_es_api149 "/o0nzDKE5XgtVnUZWPhUea/WZYrTKLExR7KCwuMdbActvpWfXTFk21KMZIAAhQny" \
	$SWSEV measurement build --api-major 1 --api-minor 49 --build-id 6 --policy 5 --tik $V/measurement/tik1.bin \
	--nonce 2dbe959f5d3164db528c6480008509f2 --firmware "$FW" --num-cpus 4 --vmsa-cpu0 $V/vmsa0.bin --vmsa-cpu1 $V/vmsa1.bin
# the nonce taken from a blob; --outfile writes the 48 raw bytes
out_is measure_nonce_from_blob "$M_FW" $MB --launch-measure-blob "$M_KERNEL" --firmware "$FW"
$MB --nonce $NONCE --firmware "$FW" --outfile "$T/m.bin" >/dev/null 2>&1
if [ "$(base64 -w0 <"$T/m.bin" 2>/dev/null)" = "$M_FW" ]; then pass measure_outfile; else fail measure_outfile; fi

# --verify: OK, and on a mismatch an explanation and exit 1
out_is verify_ok "measurement OK" $MB --verify "$M_KERNEL" --firmware "$FW" \
	--kernel $V/measurement/vmlinuz-fake --initrd $V/measurement/initrd-fake --cmdline "foo bar baz fake kernel=cmdline"
$MB --verify "$M_KERNEL" --firmware "$FW" --kernel $V/measurement/vmlinuz-fake \
	--initrd $V/measurement/initrd-fake --cmdline "foo bar baz fake kernel=cmdlinE" >"$T/v.out" 2>&1
rc=$?
if [ $rc -eq 1 ] && grep -q MISMATCH "$T/v.out" && grep -q "launch digest" "$T/v.out" &&
	grep -q "cmdline *sha256" "$T/v.out" && grep -q "2f6fc6065f4abc131eb4fb2b5090a542636eae84a94c0db0fdd5f405cb372ff5" "$T/v.out"; then
	pass verify_mismatch_explained
else
	fail verify_mismatch_explained "exit $rc: $(cat "$T/v.out")"
fi
# every byte of the blob's MEASURE part matters
bad=0
for i in 0 5 17 31; do
	flipped=$(python3 -c "import base64,sys;b=bytearray(base64.b64decode('$M_FW'));b[$i]^=1;print(base64.b64encode(bytes(b)).decode())")
	$MB --verify "$flipped" --firmware "$FW" >/dev/null 2>&1
	[ $? -eq 1 ] || bad=$((bad + 1))
done
[ $bad -eq 0 ] && pass verify_flipped_byte || fail verify_flipped_byte "$bad flipped blobs accepted"
# --json output
out_is verify_json_ok '{"ok": true' sh -c "$MB --json --verify $M_FW --firmware $FW | cut -c1-11"

# ---- secret build (sevctl secretbuild.rs) ----
SB="$SWSEV secret build --tik $V/secret/tik1.bin --tek $V/secret/tek1.bin --launch-measure-blob TLeA7607lZQntLjRY1/i+sbtdSZ+75zxpz4Px9hzpBLwItF5Q2o4prA++3ZZv9ZS"
H1=AAAAAKxUdO1N0yx9mJ7FI9klWey8FSzeYQ4X8K71VzNKLU/KQsIsQxLjtbhaPUewqshX5Q==
P1=0U3e5PcXv0UW+H4tSBFKOdCYfKE1+j38Bc2fuO16mYiyI+sWx7INfn+lgYj56GL12yyinDa+lVfCCwD/2w5cPA==
H2=AAAAAKxUdO1N0yx9mJ7FI9klWeyZ3r0dOEKHUOhIRqzGYYvTJgdMtBPL1nK6GD9aGET7Ng==
P2=0U3e5PcXv0UW+H4tSBFKObWYfKE1+j38Bc2fuO16mYiyI+sWx7INfn+lgYj56GL12yyinDa+lVfCC+WWs332lpLNUX1ZI3YK7vYgtys4X+uGxEIlkIQ90v8/w8ZFmQMe
b64() { base64 -w0 <"$1"; }
$SB --iv rFR07U3TLH2YnsUj2SVZ7A== --secret 736869e5-84f0-4973-92ec-06879ce3da0b:$V/secret/secret1.txt "$T/h1" "$T/p1" >/dev/null
if [ "$(b64 "$T/h1")" = "$H1" ] && [ "$(b64 "$T/p1")" = "$P1" ]; then pass secret_sevctl_one; else fail secret_sevctl_one; fi
$SB --iv rFR07U3TLH2YnsUj2SVZ7A== --secret luks-key:$V/secret/secret1.txt \
	--secret 736869e5-aaaa-4973-92ec-06879ce3da0b:$V/secret/secret2.txt "$T/h2" "$T/p2" >/dev/null
if [ "$(b64 "$T/h2")" = "$H2" ] && [ "$(b64 "$T/p2")" = "$P2" ]; then pass secret_sevctl_two_alias; else fail secret_sevctl_two_alias; fi
$SB --base64 --iv rFR07U3TLH2YnsUj2SVZ7A== --secret luks-key:$V/secret/secret1.txt "$T/h1.b64" "$T/p1.b64" >/dev/null
if [ "$(cat "$T/h1.b64")" = "$H1" ] && [ "$(cat "$T/p1.b64")" = "$P1" ]; then pass secret_base64_files; else fail secret_base64_files; fi
# random IVs by default
$SB --secret luks-key:$V/secret/secret1.txt "$T/hr1" "$T/pr1" >/dev/null
$SB --secret luks-key:$V/secret/secret1.txt "$T/hr2" "$T/pr2" >/dev/null
if ! cmp -s "$T/hr1" "$T/hr2" && ! cmp -s "$T/pr1" "$T/pr2"; then pass secret_random_iv; else fail secret_random_iv; fi
# verify and extract (raw and base64 files)
SV="$SWSEV secret verify --tik $V/secret/tik1.bin --tek $V/secret/tek1.bin --launch-measure-blob TLeA7607lZQntLjRY1/i+sbtdSZ+75zxpz4Px9hzpBLwItF5Q2o4prA++3ZZv9ZS"
mkdir -p "$T/x"
if $SV --header "$T/h2" --payload "$T/p2" --extract "$T/x" >/dev/null &&
	cmp -s "$T/x/736869e5-84f0-4973-92ec-06879ce3da0b" $V/secret/secret1.txt &&
	cmp -s "$T/x/736869e5-aaaa-4973-92ec-06879ce3da0b" $V/secret/secret2.txt &&
	[ "$(stat -c %a "$T/x/736869e5-84f0-4973-92ec-06879ce3da0b")" = 600 ]; then
	pass secret_verify_extract
else
	fail secret_verify_extract
fi
expect_ok secret_verify_base64_files $SV --header "$T/h1.b64" --payload "$T/p1.b64"
python3 -c "import sys;b=bytearray(open('$T/p2','rb').read());b[40]^=4;open('$T/p2x','wb').write(bytes(b))"
refused secret_verify_flipped_payload 1 "MAC does not verify" $SV --header "$T/h2" --payload "$T/p2x"
python3 -c "import sys;b=bytearray(open('$T/h2','rb').read());b[7]^=4;open('$T/h2x','wb').write(bytes(b))"
refused secret_verify_flipped_header 1 "MAC does not verify" $SV --header "$T/h2x" --payload "$T/p2"
refused secret_verify_other_measurement 1 "MAC does not verify" $SWSEV secret verify --tik $V/secret/tik1.bin \
	--tek $V/secret/tek1.bin --launch-measure-blob "$M_FW" --header "$T/h2" --payload "$T/p2"

# ---- VMSA (sevctl vmsabuild.rs) ----
$SWSEV vmsa build "$T/v0" --cpu 0 --family 25 --model 1 --stepping 1 --userspace qemu --firmware "$FW"
$SWSEV vmsa build "$T/v1" --cpu 1 --family 25 --model 1 --stepping 1 --userspace qemu --firmware "$FW"
$SWSEV vmsa build "$T/v1r" --cpu 3 --family 25 --model 1 --stepping 1 --userspace qemu --reset-addr 0x80b004
cmp -s "$T/v0" $V/vmsa0.bin && pass vmsa_build_cpu0 || fail vmsa_build_cpu0
cmp -s "$T/v1" $V/vmsa1.bin && pass vmsa_build_cpu1 || fail vmsa_build_cpu1
cmp -s "$T/v1r" $V/vmsa1.bin && pass vmsa_build_reset_addr || fail vmsa_build_reset_addr
$SWSEV vmsa show $V/vmsa1.bin >"$T/show" 2>&1
if grep -q "^rip *0xb004" "$T/show" && grep -q "^rdx *0xa00f11" "$T/show" &&
	grep -q "family 25 model 1 stepping 1" "$T/show" && ! grep -q "bytes at" "$T/show"; then
	pass vmsa_show
else
	fail vmsa_show "$(cat "$T/show")"
fi
$SWSEV vmsa show --json $V/vmsa0.bin >"$T/show.json"
if python3 -c "import json,sys;d=json.load(open('$T/show.json'));sys.exit(0 if d['rip']==0xfff0 and d['cs']['base']==0xffff0000 else 1)"; then
	pass vmsa_show_json
else
	fail vmsa_show_json
fi
cp $V/vmsa0.bin "$T/vx" && printf '\001' | dd of="$T/vx" bs=1 seek=2000 conv=notrunc 2>/dev/null
$SWSEV vmsa show "$T/vx" | grep -q "bytes at 0x7d0" && pass vmsa_show_unknown_bytes || fail vmsa_show_unknown_bytes

# ---- bad input: clear messages, no crash ----
head -c 15 $V/measurement/tik1.bin >"$T/tik15.bin"
refused err_tik_size 1 "tik15.bin: 15 bytes, a TIK is 16" $SWSEV measurement build --api-major 1 --api-minor 40 \
	--build-id 40 --policy 3 --tik "$T/tik15.bin" --nonce $NONCE --launch-digest xkvRAfyaSizgonxAjZIAkR8TmolUabBKQKb6KJCDDSM=
refused err_nonce_base64 1 "not base64" $MB --nonce 'wxP6tRHCFrFQWxsuqZA8Q!==' --launch-digest xkvRAfyaSizgonxAjZIAkR8TmolUabBKQKb6KJCDDSM=
refused err_nonce_size 1 "a nonce is 16" $MB --nonce AAAA --launch-digest xkvRAfyaSizgonxAjZIAkR8TmolUabBKQKb6KJCDDSM=
refused err_policy_nan 2 "policy 'abc' is not a number" $SWSEV measurement build --api-major 1 --api-minor 40 \
	--build-id 40 --policy abc --tik $V/measurement/tik1.bin --nonce $NONCE --launch-digest xkvRAfyaSizgonxAjZIAkR8TmolUabBKQKb6KJCDDSM=
refused err_api_range 2 "out of range" $SWSEV measurement build --api-major 256 --api-minor 40 \
	--build-id 40 --policy 3 --tik $V/measurement/tik1.bin --nonce $NONCE --launch-digest xkvRAfyaSizgonxAjZIAkR8TmolUabBKQKb6KJCDDSM=
refused err_missing_firmware 1 "nosuch.fd: cannot open" $MB --nonce $NONCE --firmware "$T/nosuch.fd"
refused err_es_needs_cpus 1 "num-cpus" $SWSEV measurement build --api-major 1 --api-minor 40 --build-id 40 \
	--policy 5 --tik $V/measurement/tik1.bin --nonce $NONCE --firmware "$FW"
refused err_vmsa_size 1 "a VMSA page is 4096" $SWSEV measurement build --api-major 1 --api-minor 40 --build-id 40 \
	--policy 5 --tik $V/measurement/tik1.bin --nonce $NONCE --firmware "$FW" --num-cpus 1 --vmsa-cpu0 "$T/tik15.bin"
refused err_es_no_footer 1 "no OVMF footer" $SWSEV measurement build --api-major 1 --api-minor 40 --build-id 40 \
	--policy 5 --tik $V/measurement/tik1.bin --nonce $NONCE --firmware $V/vmsa0.bin --num-cpus 2 \
	--cpu-family 25 --cpu-model 1 --cpu-stepping 1
refused err_both_digest_and_fw 2 "exactly one of --firmware" $MB --nonce $NONCE
refused err_blob_size 1 "a measurement blob" $SB --secret luks-key:$V/secret/secret1.txt --launch-measure-blob AAAA "$T/a" "$T/b"
refused err_secret_guid 1 "neither a GUID" $SB --secret nokey:$V/secret/secret1.txt "$T/a" "$T/b"
refused err_secret_missing 1 "nosuch: cannot open" $SB --secret luks-key:"$T/nosuch" "$T/a" "$T/b"
refused err_secret_twice 1 "given twice" $SB --secret luks-key:$V/secret/secret1.txt \
	--secret 736869e5-84f0-4973-92ec-06879ce3da0b:$V/secret/secret2.txt "$T/a" "$T/b"
refused err_tek_size 1 "a TEK is 16" $SWSEV secret build --tik $V/secret/tik1.bin --tek "$T/tik15.bin" \
	--launch-measure-blob "$M_FW" --secret luks-key:$V/secret/secret1.txt "$T/a" "$T/b"
refused err_vmsa_ap_no_reset 2 "give --firmware or --reset-addr" $SWSEV vmsa build "$T/v" --cpu 1 --userspace qemu
refused err_vmsa_krun 2 "not supported" $SWSEV vmsa build "$T/v" --cpu 0 --userspace krun
refused err_vmsa_show_size 1 "a VMSA page is 4096" $SWSEV vmsa show "$T/tik15.bin"
refused err_session_missing 1 "nosuch.cert: cannot open" $SWSEV session "$T/nosuch.cert" 1
refused err_session_policy 2 "policy 'x1' is not a number" $SWSEV session tests/fixtures/vectors/virtee-sev/tests/milan/pdh.cert x1
refused err_session_pek 1 "a PDH has usage 0x1003" $SWSEV session tests/fixtures/vectors/virtee-sev/tests/milan/pek.cert 1
printf 'not base64 at all!' >"$T/junk.cert"
refused err_session_junk 1 "a SEV certificate is 2084" $SWSEV session "$T/junk.cert" 1
: >"$T/empty.cert"
refused err_session_empty 1 "0 bytes" $SWSEV session "$T/empty.cert" 1
# help everywhere
for c in session "measurement build" "secret build" "secret verify" "vmsa build" "vmsa show"; do
	if $SWSEV $c --help | grep -q usage; then pass "help_$(echo $c | tr ' ' _)"; else fail "help_$(echo $c | tr ' ' _)"; fi
done

e2e_finish
