#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# otaflow-image pack --encrypt-to, verify --decrypt-key, privkey-c: an encrypted image is
# decrypted independently with the openssl command line from docs/image-format.md's recipe
# alone (ECDH, HKDF, HMAC, AES-128-CTR), its hash is of the plaintext, every key is fresh, the
# device's own code (verify --decrypt-key) agrees, and a wrong key or a changed byte is refused.
source "$(dirname "$0")/lib.sh"

head -c 70000 /dev/urandom >app.bin
"$TOOL" keygen -o dev.pem --pub dev_pub.pem >/dev/null
"$TOOL" keygen -o other.pem --pub other_pub.pem >/dev/null
"$TOOL" keygen -o sign.pem --pub sign_pub.pem >/dev/null

# 1. The file: header and TLVs in the clear, payload not, hash of the plaintext.
"$TOOL" pack app.bin -o enc.ota --version 4 --key sign.pem --encrypt-to dev_pub.pem >pack.out
"$TOOL" pack app.bin -o plain.ota --version 4 --key sign.pem >/dev/null
grep -q "^enc.ota: payload encrypted for dev_pub.pem (device key id " pack.out ||
  die "pack did not say it encrypted: $(cat pack.out)"
[[ "$(tail -n 1 pack.out)" == "$(sha256sum enc.ota)" ]] || die "the digest printed is not sha256sum enc.ota"
dev_id=$(openssl pkey -pubin -in dev_pub.pem -outform DER | tail -c 65 | sha256sum | cut -d' ' -f1)
py - "$dev_id" <<'PY' >fields.txt
import hashlib, struct, sys
img = open("enc.ota", "rb").read()
plain = open("app.bin", "rb").read()
psize = struct.unpack_from("<I", img, 20)[0]
assert psize == len(plain)
tlv_off = 64 + psize
assert tlv_off + struct.unpack_from("<I", img, tlv_off + 4)[0] == len(img)
pos, tlvs = tlv_off + 8, {}
while pos < len(img):
    t, n = struct.unpack_from("<HH", img, pos)
    tlvs[t] = img[pos + 4:pos + 4 + n]
    pos += 4 + n
enc = tlvs[0x8002]
assert len(enc) == 157, len(enc)
assert enc[:32].hex() == sys.argv[1], "key id is not the device key's"
assert tlvs[0x8001] == hashlib.sha256(img[:64] + plain).digest(), "SHA256 TLV not of the plaintext"
assert img[64:tlv_off] != plain, "payload not encrypted"
print(enc[32:97].hex(), enc[97:109].hex(), enc[109:125].hex(), enc[125:157].hex(), enc[:125].hex(), tlv_off)
PY
read -r eph nonce wrapped tag covered tlv_off <fields.txt
ok "the payload is encrypted, header and TLVs are not; the SHA256 TLV is of the plaintext; the key id is the device key's"

# 2. Decrypted with openssl alone, following docs/image-format.md.
printf '3059301306072a8648ce3d020106082a8648ce3d030107034200%s' "$eph" | xxd -r -p >eph.der
openssl pkey -pubin -inform DER -in eph.der -out eph.pem
openssl pkeyutl -derive -inkey dev.pem -peerkey eph.pem -out z.bin
info=$(printf 'otaflow image key v1' | xxd -p | tr -d '\n')$eph$dev_id
okm=$(openssl kdf -keylen 48 -kdfopt digest:SHA256 -kdfopt hexkey:"$(xxd -p z.bin | tr -d '\n')" \
  -kdfopt hexinfo:"$info" HKDF | tr -d ':' | tr 'A-F' 'a-f')
kek=${okm:0:32}
mac_key=${okm:32:64}
want_tag=$(printf '%s' "$covered" | xxd -r -p | openssl dgst -sha256 -mac HMAC -macopt hexkey:"$mac_key" -r | cut -d' ' -f1)
[[ "$want_tag" == "$tag" ]] || die "the tag is not HMAC-SHA256 under the MAC key"
content=$(printf '%s' "$wrapped" | xxd -r -p | openssl enc -aes-128-ctr -K "$kek" -iv 00000000000000000000000000000000 | xxd -p)
head -c "$tlv_off" enc.ota | tail -c +65 >cipher.bin
openssl enc -d -aes-128-ctr -K "$content" -iv "${nonce}00000000" -in cipher.bin -out clear.bin
cmp -s clear.bin app.bin || die "openssl's decryption is not the input"
ok "openssl decrypts it from the documented recipe: ECDH, HKDF-SHA256, HMAC tag, AES-128-CTR key wrap and payload"

# 3. The device's code agrees; the signature is over the plaintext's hash.
"$TOOL" verify enc.ota --decrypt-key dev.pem --pubkey sign_pub.pem | grep -q "decrypted, SHA-256 matches, signed by that key" ||
  die "verify --decrypt-key did not pass"
expect_fail 1 "payload encrypted: give --decrypt-key" -- "$TOOL" verify enc.ota
expect_fail 1 "encrypted for another device key \(other.pem\)" -- "$TOOL" verify enc.ota --decrypt-key other.pem
ok "verify --decrypt-key (the bootloader's code) decrypts and checks hash and signature; another device's key is refused"

py - "$tlv_off" <<'PY'
import struct, sys
img = bytearray(open("enc.ota", "rb").read())
pos = int(sys.argv[1]) + 8
while struct.unpack_from("<H", img, pos)[0] != 0x8002:
    pos += 4 + struct.unpack_from("<H", img, pos + 2)[0]
enc = pos + 4  # the ENC TLV's value
c = bytearray(img); c[64 + 1000] ^= 1; open("bad_payload.ota", "wb").write(c)
t = bytearray(img); t[enc + 156] ^= 1; open("bad_tag.ota", "wb").write(t)
w = bytearray(img); w[enc + 109] ^= 1; open("bad_wrap.ota", "wb").write(w)
PY
expect_fail 1 "bad_payload.ota: hash mismatch" -- "$TOOL" verify bad_payload.ota --decrypt-key dev.pem
expect_fail 1 "encryption key check failed" -- "$TOOL" verify bad_tag.ota --decrypt-key dev.pem
expect_fail 1 "encryption key check failed" -- "$TOOL" verify bad_wrap.ota --decrypt-key dev.pem
ok "a changed ciphertext byte fails the hash, a changed tag or wrapped key the key check"

# 4. Every pack draws a new content key, nonce and ephemeral key.
"$TOOL" pack app.bin -o enc2.ota --version 4 --key sign.pem --encrypt-to dev_pub.pem >/dev/null
py <<'PY'
a, b = open("enc.ota", "rb").read(), open("enc2.ota", "rb").read()
assert len(a) == len(b)
assert a[64:1064] != b[64:1064], "same ciphertext twice"
ea, eb = a.index(bytes.fromhex("02809d00"), len(a) - 400), b.index(bytes.fromhex("02809d00"), len(b) - 400)
assert a[ea + 4 + 32:ea + 4 + 125] != b[eb + 4 + 32:eb + 4 + 125], "same ephemeral key, nonce or wrapped key"
PY
ok "two packs of one input: other ciphertext, other ephemeral key, nonce and wrapped key"

# 5. privkey-c: a secret C table that compiles, with the device key's id.
"$TOOL" privkey-c dev.pem -o devkey.c --name board_key
[[ "$(stat -c %a devkey.c)" == 600 ]] || die "devkey.c mode $(stat -c %a devkey.c), expected 600"
grep -q "Key id $dev_id" devkey.c || die "privkey-c does not name the key id"
arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -Os -std=c11 -Wall -Wextra -Werror -ffreestanding \
  -I"$OTA_SOURCE_DIR/include" -c devkey.c -o devkey.o
arm-none-eabi-nm devkey.o | grep -q " R board_key$" || die "no board_key in devkey.o"
expect_fail 1 "other_pub.pem: not a private key" -- "$TOOL" privkey-c other_pub.pem
ok "privkey-c writes the device key (mode 600) as a const ota_enc_key_t that compiles for Cortex-M4"

# 6. Publishing takes it as served; a factory image must be plaintext.
"$TOOL" manifest add ota.json --version 4 --url http://127.0.0.1:8000/enc.ota --file enc.ota >/dev/null
grep -q "\"Digest\": \"$(sha256_of enc.ota)\"" ota.json || die "manifest Digest is not sha256sum enc.ota"
expect_fail 1 "encrypted: a factory image is programmed as plaintext" -- "$TOOL" merge enc.ota plain.ota -o f.hex
expect_fail 1 "pack: app.bin: not a public key" -- "$TOOL" pack app.bin -o x.ota --version 1 --encrypt-to app.bin
# The key loader's own reason reaches the user, not a generic one.
openssl ecparam -name secp384r1 -genkey -noout -out p384.pem 2>/dev/null
expect_fail 1 "p384.pem: EC key on another curve" -- "$TOOL" pack app.bin -o x.ota --version 1 --encrypt-to p384.pem
expect_fail 1 "p384.pem: EC key on another curve" -- "$TOOL" privkey-c p384.pem
[[ ! -e x.ota ]] || die "pack with a bad device key left an output"
ok "manifest add publishes the ciphertext's digest; merge refuses an encrypted image; a bad key writes nothing"

done_checks
