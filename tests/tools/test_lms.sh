#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# otaflow-image's HSS/LMS signer: keygen --lms, pack --lms-key (alone and beside --key:
# hybrid), info on the key (leaves left), verify --pubkey with the 60-byte public key,
# pubkey-c of both keys; the state advances on disk before a signature exists, an exhausted
# key and a key whose state cannot be saved sign nothing.
source "$(dirname "$0")/lib.sh"

head -c 3000 /dev/urandom >app.bin
leaves_left() { "$TOOL" info "$1" | awk '/^leaves left/ {print $3}'; }

# 1. keygen --lms: a private key (mode 600) and the 60-byte HSS public key; no overwrite.
"$TOOL" keygen --lms --levels 2 --height 5 -o k.lms --pub k.pub >keygen.out
[[ "$(stat -c %a k.lms)" == 600 ]] || die "k.lms mode $(stat -c %a k.lms), expected 600"
[[ "$(stat -c %s k.pub)" == 60 ]] || die "k.pub is $(stat -c %s k.pub) bytes, expected 60"
[[ "$(head -c 12 k.pub | od -An -tx1 | tr -d ' \n')" == 000000020000000500000004 ]] ||
  die "k.pub does not start with levels 2, LMS_SHA256_M32_H5, LMOTS_SHA256_N32_W8"
key_id=$(sha256sum k.pub | cut -d' ' -f1)
[[ "$(tail -n 1 keygen.out)" == "key id $key_id" ]] || die "keygen printed '$(tail -n 1 keygen.out)'"
[[ "$(leaves_left k.lms)" == 1024 ]] || die "a new 2 x H5 key has $(leaves_left k.lms) leaves left"
expect_fail 1 "^otaflow-image: keygen: k.lms exists" -- "$TOOL" keygen --lms -o k.lms
expect_fail 2 "^otaflow-image: keygen: .*height 20" -- "$TOOL" keygen --lms --height 20 -o big.lms
[[ ! -e big.lms ]] || die "a refused keygen wrote a key"
ok "keygen --lms: private key mode 600, 60-byte public key, key id = its SHA-256, 1024 leaves"
cp k.lms 'q"k.lms' # a path is any bytes: --json must still be JSON
"$TOOL" info 'q"k.lms' --json >key.json
python3 - "$key_id" <<'PY' || die "info KEY.lms --json: $(cat key.json)"
import json, sys
k = json.load(open("key.json"))
assert k["file"] == 'q"k.lms', k
assert k["kind"] == "hss-lms-private-key" and k["levels"] == 2 and k["key_id"] == sys.argv[1], k
assert k["signatures_used"] == 0 and k["leaves_left"] == k["signatures_total"] == 1024, k
PY
ok "info KEY.lms --json: one JSON object (the path escaped), key id and leaves as the text says"

# 2. pack --lms-key: the LMS TLVs, verified by the device's code; each pack uses one leaf.
"$TOOL" pack app.bin -o a.ota --version 3 --lms-key k.lms >/dev/null
"$TOOL" info a.ota | grep -q "^signature         HSS/LMS, 2644 bytes, key id $key_id$" ||
  die "info does not show the HSS/LMS signature: $("$TOOL" info a.ota | grep signature)"
"$TOOL" verify a.ota --pubkey k.pub >/dev/null || die "verify --pubkey k.pub refused a.ota"
[[ "$(leaves_left k.lms)" == 1023 ]] || die "after one pack: $(leaves_left k.lms) leaves left"
"$TOOL" pack app.bin -o b.ota --version 3 --lms-key k.lms >/dev/null
cmp -s a.ota b.ota && die "two packs of the same image made the same signature: a leaf reused"
"$TOOL" verify b.ota --pubkey k.lms >/dev/null || die "verify with the private key file refused"
ok "pack --lms-key: HSS/LMS signature that verify --pubkey accepts, one new leaf per image"

# 3. Refusals: another LMS key, an ECDSA key, an unsigned image, a changed signature byte.
"$TOOL" keygen --lms --levels 1 --height 5 -o other.lms --pub other.pub >/dev/null
"$TOOL" keygen -o e.pem --pub e_pub.pem >/dev/null
"$TOOL" pack app.bin -o plain.ota --version 3 >/dev/null
expect_fail 1 "^otaflow-image: verify: a.ota: unknown key id \(signed by key id $key_id" -- \
  "$TOOL" verify a.ota --pubkey other.pub
expect_fail 1 "^otaflow-image: verify: a.ota: image not signed$" -- "$TOOL" verify a.ota --pubkey e_pub.pem
expect_fail 1 "^otaflow-image: verify: plain.ota: image not signed$" -- "$TOOL" verify plain.ota --pubkey k.pub
py - <<'PY'
d = bytearray(open("a.ota", "rb").read()); d[-100] ^= 1; open("bad.ota", "wb").write(d)
PY
expect_fail 1 "^otaflow-image: verify: bad.ota: bad signature$" -- "$TOOL" verify bad.ota --pubkey k.pub
ok "verify --pubkey refuses another LMS key's image, an ECDSA key, an unsigned image, a flipped bit"

# 4. Hybrid: --key and --lms-key, each half verified on its own; pubkey-c of both.
"$TOOL" pack app.bin -o h.ota --version 4 --key e.pem --lms-key k.lms >/dev/null
"$TOOL" verify h.ota --pubkey k.pub >/dev/null || die "the hybrid image's LMS half refused"
"$TOOL" verify h.ota --pubkey e_pub.pem >/dev/null || die "the hybrid image's ECDSA half refused"
[[ $("$TOOL" info h.ota | grep -c '^signature ') == 2 ]] || die "info does not show both signatures"
"$TOOL" pubkey-c e_pub.pem --also k.pub --require ecdsa,lms --name ring -o ring.c
grep -q '^        \.alg = OTA_SIG_ALG_HSS_LMS,$' ring.c || die "pubkey-c: no HSS/LMS entry"
grep -q '^        \.alg = OTA_SIG_ALG_ECDSA_P256,$' ring.c || die "pubkey-c: no ECDSA entry"
grep -q 'OTA_SIG_REQUIRE(OTA_SIG_ALG_HSS_LMS)' ring.c || die "pubkey-c: no required LMS"
gcc -std=c11 -Wall -Wextra -Werror -I"$OTA_SOURCE_DIR/include" -c ring.c -o ring.o ||
  die "the generated keyring does not compile"
expect_fail 1 "^otaflow-image: pubkey-c: --require lms: no key" -- "$TOOL" pubkey-c e_pub.pem --require lms
ok "hybrid: pack --key --lms-key carries both; pubkey-c writes a ring of both that compiles"

# 5. The state: advanced on disk before the image exists; a state that cannot be saved (a full
#    disk: writes limited to 0 bytes) means no image, and the key file is left as it was.
before=$(cat k.lms)
# (stderr through a pipe: the file-size limit would stop writes to a file as well)
said=$( ( trap '' XFSZ; ulimit -f 0; "$TOOL" pack app.bin -o full.ota --version 5 --lms-key k.lms \
  2>&1 >/dev/null ) | cat ) || true # pack fails: that is the point
[[ $said == "otaflow-image: pack: cannot save k.lms: File too large" ]] || die "pack said: $said"
[[ ! -e full.ota ]] || die "an image was written although the state was not saved"
[[ "$(cat k.lms)" == "$before" ]] || die "the key file changed although its save failed"
ls k.lms.tmp* >/dev/null 2>&1 && die "a temporary key file was left behind"
ok "a state that cannot be saved (disk full) signs nothing and leaves the key file intact"

# 6. Exhausted: a one-level H5 key makes 32 signatures, then none; info says so.
"$TOOL" keygen --lms --levels 1 --height 5 -o one.lms --pub one.pub >/dev/null
sed -i 's/^next 0$/next 31/' one.lms
[[ "$(leaves_left one.lms)" == 1 ]] || die "next 31 of 32: $(leaves_left one.lms) leaves left"
"$TOOL" pack app.bin -o last.ota --version 6 --lms-key one.lms >/dev/null
"$TOOL" verify last.ota --pubkey one.pub >/dev/null || die "the last leaf's signature refused"
[[ "$(leaves_left one.lms)" == 0 ]] || die "after the last: $(leaves_left one.lms) leaves left"
"$TOOL" info one.lms | grep -q "exhausted" || die "info does not say the key is exhausted"
expect_fail 1 "^otaflow-image: pack: one.lms is exhausted: all 32 signatures used$" -- \
  "$TOOL" pack app.bin -o none.ota --version 7 --lms-key one.lms
[[ ! -e none.ota ]] || die "an exhausted key wrote an image"
ok "an exhausted key signs nothing; info shows 0 leaves left"

echo "LMS signer: $CHECKS checks passed"
