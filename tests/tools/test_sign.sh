#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# otaflow-image keygen, pack --key, verify --pubkey, pubkey-c: keys openssl reads, signatures
# openssl verifies independently, and every way an image can fail its signature refused.
source "$(dirname "$0")/lib.sh"

head -c 3000 /dev/urandom >app.bin

# 1. keygen: PEM files openssl reads, private key not readable by others, no overwrite.
"$TOOL" keygen -o key.pem --pub pub.pem >keygen.out
openssl pkey -in key.pem -noout -text 2>/dev/null | grep -q "ASN1 OID: prime256v1" ||
  die "openssl does not read key.pem as a P-256 private key"
openssl pkey -pubin -in pub.pem -noout 2>/dev/null || die "openssl does not read pub.pem"
[[ "$(openssl pkey -in key.pem -pubout)" == "$(cat pub.pem)" ]] ||
  die "pub.pem is not the public half of key.pem"
[[ "$(stat -c %a key.pem)" == 600 ]] || die "key.pem mode $(stat -c %a key.pem), expected 600"
ok "keygen writes a P-256 key pair openssl reads; the private key is mode 600"

# Key id: SHA-256 of the 65-byte uncompressed point, the last 65 bytes of the DER public key.
key_id=$(openssl pkey -pubin -in pub.pem -outform DER | tail -c 65 | sha256sum | cut -d' ' -f1)
[[ "$(tail -n 1 keygen.out)" == "key id $key_id" ]] ||
  die "keygen printed '$(tail -n 1 keygen.out)', expected key id $key_id"
ok "the key id printed is the SHA-256 of the 65-byte public key (computed with openssl)"

expect_fail 1 "^otaflow-image: keygen: key.pem exists" -- "$TOOL" keygen -o key.pem
ok "keygen refuses to overwrite a key"

"$TOOL" keygen -o other.pem --pub other_pub.pem >/dev/null

# 2. pack --key: KEY_HASH + ECDSA_P256 TLVs; openssl verifies the signature over the image hash.
"$TOOL" pack app.bin -o signed.ota --version 5 --security-counter 2 --key key.pem >/dev/null
"$TOOL" pack app.bin -o plain.ota --version 5 --security-counter 2 >/dev/null
py - "$key_id" <<'PY'
import hashlib, struct, sys
img = open("signed.ota", "rb").read()
psize = struct.unpack_from("<I", img, 20)[0]
tlv_off = 64 + psize
total = struct.unpack_from("<I", img, tlv_off + 4)[0]
assert tlv_off + total == len(img)
pos, tlvs = tlv_off + 8, {}
while pos < len(img):
    t, n = struct.unpack_from("<HH", img, pos)
    tlvs[t] = img[pos + 4:pos + 4 + n]
    pos += 4 + n
assert set(tlvs) == {0x8001, 0x0010, 0x0011}, sorted(map(hex, tlvs))
assert tlvs[0x8001] == hashlib.sha256(img[:tlv_off]).digest()
assert tlvs[0x0010].hex() == sys.argv[1], "KEY_HASH is not the key id"
assert tlvs[0x0011][0] == 0x30 and len(tlvs[0x0011]) <= 72, "signature is not DER"
open("hash.bin", "wb").write(tlvs[0x8001])
open("sig.der", "wb").write(tlvs[0x0011])
# the signed image differs from the unsigned one only by its TLV area
plain = open("plain.ota", "rb").read()
assert plain[:tlv_off] == img[:tlv_off]
PY
ok "pack --key adds KEY_HASH (the key id) and a DER ECDSA_P256 TLV; header + payload unchanged"

openssl pkeyutl -verify -pubin -inkey pub.pem -in hash.bin -sigfile sig.der >/dev/null ||
  die "openssl pkeyutl does not verify the signature over the image SHA-256"
ok "openssl pkeyutl -verify accepts the signature over the 32-byte image hash"
if openssl pkeyutl -verify -pubin -inkey other_pub.pem -in hash.bin -sigfile sig.der \
     >/dev/null 2>&1; then
  die "openssl verifies the signature with an unrelated key"
fi
ok "openssl rejects the same signature with another key (the check above can fail)"

# Deterministic ECDSA: packing again gives the same file.
"$TOOL" pack app.bin -o signed2.ota --version 5 --security-counter 2 --key key.pem >/dev/null
cmp -s signed.ota signed2.ota || die "two packs with the same key differ"
ok "signing is deterministic (RFC 6979): the same input and key give the same image"

# 3. verify --pubkey: only an intact image signed by that key passes.
"$TOOL" verify signed.ota --pubkey pub.pem | grep -q "signed by that key" ||
  die "verify --pubkey does not accept the signed image"
"$TOOL" verify signed.ota --pubkey key.pem >/dev/null ||
  die "verify --pubkey does not accept the private key file as the public key"
ok "verify --pubkey accepts the image signed with the matching key"

expect_fail 1 "^otaflow-image: verify: signed.ota: unknown key id \(signed by key id $key_id" -- \
  "$TOOL" verify signed.ota --pubkey other_pub.pem
ok "verify --pubkey with another key: 'unknown key id', naming the signer's key id"

expect_fail 1 "^otaflow-image: verify: plain.ota: image not signed$" -- \
  "$TOOL" verify plain.ota --pubkey pub.pem
ok "verify --pubkey of an unsigned image: 'image not signed'"

# Tampered payload: the hash check refuses it before the signature is looked at.
# (XOR, not a fixed value: the payload is random, and writing 0x5a over a 0x5a changed nothing
# one run in 256.)
py <<'PY'
img = bytearray(open("signed.ota", "rb").read())
img[100] ^= 0x5A
open("tampered.ota", "wb").write(img)
PY
expect_fail 1 "^otaflow-image: verify: tampered.ota: hash mismatch$" -- \
  "$TOOL" verify tampered.ota --pubkey pub.pem
ok "verify --pubkey of a tampered payload: 'hash mismatch'"

# Payload and SHA-256 TLV changed consistently (an attacker re-hashes): only the signature
# stands in the way.
py <<'PY'
import hashlib, struct
img = bytearray(open("signed.ota", "rb").read())
psize = struct.unpack_from("<I", img, 20)[0]
img[100] ^= 0x5A
img[64 + psize + 12:64 + psize + 44] = hashlib.sha256(img[:64 + psize]).digest()
open("rehashed.ota", "wb").write(img)
img = bytearray(open("signed.ota", "rb").read())
img[-5] ^= 0x01   # inside the signature's s value
open("badsig.ota", "wb").write(img)
PY
"$TOOL" verify rehashed.ota >/dev/null || die "the re-hashed image should pass the hash check"
expect_fail 1 "^otaflow-image: verify: rehashed.ota: bad signature$" -- \
  "$TOOL" verify rehashed.ota --pubkey pub.pem
ok "payload changed and re-hashed: passes the hash check, refused with 'bad signature'"
expect_fail 1 "^otaflow-image: verify: badsig.ota: bad signature$" -- \
  "$TOOL" verify badsig.ota --pubkey pub.pem
ok "one bit of the signature flipped: 'bad signature'"

expect_fail 1 "^otaflow-image: verify: app.bin: not a public key" -- \
  "$TOOL" verify signed.ota --pubkey app.bin
expect_fail 1 "^otaflow-image: pack: pub.pem: not a private key" -- \
  "$TOOL" pack app.bin -o x.ota --version 1 --key pub.pem
[[ ! -e x.ota ]] || die "pack wrote x.ota although the key was unusable"
ok "a file that is not a key is refused by verify --pubkey and pack --key"

# 4. info shows the signature.
"$TOOL" info signed.ota | grep -q "^signature  *ECDSA P-256, [0-9]* bytes, key id $key_id$" ||
  die "info does not show the signature and key id"
"$TOOL" info plain.ota | grep -q "^signature  *none$" || die "info of an unsigned image"
"$TOOL" info signed.ota --json | py -c 'import json,sys; d=json.load(sys.stdin); assert d["signed"] is True'
ok "info shows the signature and its key id (text and --json)"

# 5. pubkey-c: C source with the key bytes and key id that compiles against image_sig.h.
"$TOOL" pubkey-c pub.pem -o keys.c --name board_keys
der_point=$(openssl pkey -pubin -in pub.pem -outform DER | tail -c 65 | od -An -tx1 | tr -d ' \n')
c_point=$(sed -n '/board_keys_key0\[\] = {/,/}/p' keys.c | grep -o '0x[0-9a-f][0-9a-f]' | tr -d '\n' | sed 's/0x//g')
c_id=$(sed -n '/\.key_id = {/,/}/p' keys.c | grep -o '0x[0-9a-f][0-9a-f]' | tr -d '\n' | sed 's/0x//g')
[[ "$c_point" == "$der_point" ]] || die "pubkey-c key bytes $c_point differ from openssl's $der_point"
[[ "$c_id" == "$key_id" ]] || die "pubkey-c key id $c_id, expected $key_id"
grep -q '^        \.alg = OTA_SIG_ALG_ECDSA_P256,$' keys.c || die "pubkey-c does not name the algorithm"
grep -q '^        \.key = board_keys_key0,$' keys.c && grep -q '^        \.key_len = sizeof board_keys_key0,$' keys.c ||
  die "pubkey-c's entry does not point to its key bytes"
arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -Os -std=c11 -Wall -Wextra -Werror -ffreestanding \
  -I"$OTA_SOURCE_DIR/include" -c keys.c -o keys.o
arm-none-eabi-nm keys.o | grep -q " R board_keys$" || die "keys.c does not define board_keys"
ok "pubkey-c writes the algorithm, the key bytes and key id openssl computes; the file compiles for Cortex-M4"
expect_fail 2 "not a C identifier" -- "$TOOL" pubkey-c pub.pem --name "1bad"
ok "pubkey-c refuses a --name that is not a C identifier"

done_checks
