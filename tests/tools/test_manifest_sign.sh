#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# otaflow-image manifest sign / verify: the freshness fields, the detached .sig (checked
# independently with openssl), the default Sequence, and every refusal with its reason.
source "$(dirname "$0")/lib.sh"

head -c 3000 /dev/urandom >app.bin
"$TOOL" pack app.bin -o app_v2.ota --version 2 --hw 7 >/dev/null
"$TOOL" keygen -o key.pem --pub pub.pem >/dev/null
"$TOOL" keygen -o other.pem --pub other_pub.pem >/dev/null
"$TOOL" manifest add ota.json --version 2 --url http://h/app_v2.ota --file app_v2.ota --hw 7 >/dev/null
grep -q '"HwId": 7' ota.json || die "manifest add --hw did not write HwId"
expect_fail 1 "built for hw id 7, not 8" -- \
  "$TOOL" manifest add ota.json --version 2 --url http://h/app_v2.ota --file app_v2.ota --hw 8
ok "manifest add --hw writes HwId, refuses an image built for another hw id"

# 1. sign: Sequence 1 (no previous), Expires a week ahead by default, .sig = OTMS + key id + DER.
before=$(date +%s)
"$TOOL" manifest sign ota.json --key key.pem >sign.out
py - "$before" <<'PY'
import json, sys
m = json.load(open("ota.json"))
assert m["Sequence"] == 1, m
assert int(sys.argv[1]) + 604800 <= m["Expires"] <= int(sys.argv[1]) + 604800 + 60, m
assert m["ota"][0]["HwId"] == 7
PY
key_id=$(openssl pkey -pubin -in pub.pem -outform DER | tail -c 65 | sha256sum | cut -d' ' -f1)
[[ "$(head -c 4 ota.json.sig)" == OTMS ]] || die ".sig does not start with OTMS"
[[ "$(head -c 36 ota.json.sig | tail -c 32 | od -An -tx1 | tr -d ' \n')" == "$key_id" ]] ||
  die ".sig bytes 4..35 are not the key id"
tail -c +37 ota.json.sig >sig.der
openssl dgst -sha256 -verify pub.pem -signature sig.der ota.json >/dev/null ||
  die "openssl does not verify the .sig over SHA-256 of the manifest"
ok "sign: Sequence 1, Expires now + 7 days, .sig = OTMS + key id + DER that openssl verifies"

# 2. the default Sequence is the file's + 1; --sequence and --expires forms.
"$TOOL" manifest sign ota.json --key key.pem >/dev/null
grep -q '"Sequence": 2' ota.json || die "second sign did not give Sequence 2"
"$TOOL" manifest sign ota.json --key key.pem --sequence 10 --expires 2099-01-02T03:04:05Z >/dev/null
grep -q '"Sequence": 10' ota.json && grep -q '"Expires": 4071006245' ota.json ||
  die "--sequence 10 --expires 2099-01-02T03:04:05Z not written: $(cat ota.json)"
"$TOOL" manifest sign ota.json --key key.pem --expires 2099-01-02 >/dev/null
grep -q '"Sequence": 11' ota.json && grep -q '"Expires": 4070995200' ota.json ||
  die "--expires 2099-01-02 not midnight UTC: $(cat ota.json)"
"$TOOL" manifest verify ota.json --pubkey pub.pem >verify.out
grep -q "signature ok (key id $key_id), Sequence 11, Expires 4070995200 (2099-01-02T00:00:00Z)" verify.out ||
  die "verify printed: $(cat verify.out)"
ok "Sequence defaults to the file's + 1; --sequence, --expires DATE and DATETHH:MM:SSZ; verify ok"

# 3. refusals, one line each.
expect_fail 1 "below the manifest's Sequence 11" -- "$TOOL" manifest sign ota.json --key key.pem --sequence 3
expect_fail 1 "in the past" -- "$TOOL" manifest sign ota.json --key key.pem --expires 2001-01-01
expect_fail 2 "--expires 'soon'" -- "$TOOL" manifest sign ota.json --key key.pem --expires soon
expect_fail 2 "--key KEY.pem is required" -- "$TOOL" manifest sign ota.json
expect_fail 1 "manifest signed by an unknown key" -- "$TOOL" manifest verify ota.json --pubkey other_pub.pem
cp ota.json saved.json; cp ota.json.sig saved.sig
sed -i 's/"Version": 2/"Version": 3/' ota.json
expect_fail 1 "bad manifest signature" -- "$TOOL" manifest verify ota.json --pubkey pub.pem
cp saved.json ota.json; rm ota.json.sig
expect_fail 1 "manifest not signed" -- "$TOOL" manifest verify ota.json --pubkey pub.pem
printf 'XXXX' >ota.json.sig
expect_fail 1 "malformed manifest signature" -- "$TOOL" manifest verify ota.json --pubkey pub.pem
cp saved.sig ota.json.sig
"$TOOL" manifest sign ota.json --key key.pem --expires +1 >/dev/null
sleep 2
expect_fail 1 "manifest expired at" -- "$TOOL" manifest verify ota.json --pubkey pub.pem
ok "refused: lower Sequence, past or unreadable expiry, other key, changed manifest, no .sig, malformed .sig, expired"

echo "manifest sign/verify: $CHECKS checks passed"
