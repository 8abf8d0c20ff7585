#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# otaflow-image pack, info and verify: layout per include/otaflow/image.h, digest = sha256sum,
# info --json is JSON, verify refuses every corruption.
source "$(dirname "$0")/lib.sh"

cross_build app 0x10020000 0x10021000
"$TOOL" hex2bin app.hex -o app.bin >/dev/null

# 1. pack from .hex: last line is the digest of the whole file, as sha256sum prints it.
"$TOOL" pack app.hex -o app.ota --version 7 --security-counter 3 --hw 0x57A1 >pack.out
[[ "$(tail -n 1 pack.out)" == "$(sha256sum app.ota)" ]] ||
  die "pack's last line '$(tail -n 1 pack.out)' is not '$(sha256sum app.ota)'"
ok "pack prints the SHA-256 of the .ota file on its last line, equal to sha256sum"

# 2. Build the other images and the JSON the checks below read, then check them all in one
#    Python run (interpreter start-up is slow here): layout per image.h, defaults, KSEG load
#    address, info --json. The same run writes the hand-made variants used in 5 and 6.
"$TOOL" pack app.bin -o bin.ota --version 7 --security-counter 3 --hw 0x57A1 >/dev/null
"$TOOL" pack app.bin -o def.ota --version 1 >/dev/null
"$TOOL" pack app.bin -o kseg.ota --version 1 --load-addr 0x9D000000 >/dev/null
"$TOOL" info app.ota --json >info.json
size=$(stat -c %s app.ota)
py - "$(sha256_of app.ota)" <<'PY'
import hashlib, json, struct, sys
img = open("app.ota", "rb").read()
payload = open("app.bin", "rb").read()
magic, hver, hsize, ver, sc, load, psize, flags, hw = struct.unpack_from("<IHHIIIIII", img, 0)
assert magic == 0x4641544F and img[:4] == b"OTAF", hex(magic)
assert (hver, hsize) == (1, 64), (hver, hsize)
assert (ver, sc, load, flags, hw) == (7, 3, 0x10020000, 0, 0x57A1), (ver, sc, hex(load), flags, hex(hw))
assert img[32:64] == bytes(32), "reserved bytes not zero"
assert psize == len(payload) and img[64:64 + psize] == payload, "payload differs from hex2bin output"
tlv = img[64 + psize:]
tmagic, tres, ttotal = struct.unpack_from("<HHI", tlv, 0)
assert (tmagic, tres, ttotal) == (0x0F7A, 0, len(tlv)), (hex(tmagic), tres, ttotal, len(tlv))
ttype, tlen = struct.unpack_from("<HH", tlv, 8)
assert (ttype, tlen) == (0x8001, 32), (hex(ttype), tlen)
assert tlv[12:44] == hashlib.sha256(img[:64 + psize]).digest(), "SHA-256 TLV wrong"
assert len(tlv) == 44

v = struct.unpack_from("<IIIIII", open("def.ota", "rb").read(), 8)
assert v[:3] == (1, 0, 0x10020000) and v[5] == 0, v
v = struct.unpack_from("<I", open("kseg.ota", "rb").read(), 16)[0]
assert v == 0x1D000000, hex(v)

j = json.load(open("info.json"))
assert j["magic"] == 0x4641544F and j["version"] == 7 and j["security_counter"] == 3 and j["load_addr"] == 0x10020000, j
assert j["hw_id"] == 0x57A1 and j["header_version"] == 1 and j["header_size"] == 64, j
assert j["hash_ok"] is True and j["file_sha256"] == sys.argv[1], j
assert [t["name"] for t in j["tlvs"]] == ["sha256"] and j["tlvs"][0]["length"] == 32, j["tlvs"]

# An unknown, non-critical TLV appended to the TLV area (its total size updated).
extra = struct.pack("<HH", 0x0123, 5) + b"\x01\x02\x03\x04\x05"
with_extra = bytearray(img)
struct.pack_into("<I", with_extra, 64 + psize + 4, 44 + len(extra))
open("extra.ota", "wb").write(bytes(with_extra) + extra)

# Corrupted copies: one inverted byte each.
for name, offset in [("payload", 100), ("header", 12), ("digest", len(img) - 1), ("magic", 0)]:
    b = bytearray(img)
    b[offset] ^= 0xFF
    open(name + ".ota", "wb").write(b)
PY
ok "header fields at their offsets, payload = hex2bin output, TLV area = info + SHA-256 of header+payload"
ok "defaults: security counter 0, load address 0x10020000, hw 0; --load-addr 0x9D000000 stored as 0x1D000000"

# 3. pack from .bin gives the same image as from .hex.
cmp app.ota bin.ota
ok "pack of the .bin and of the .hex give identical images"

# 4. verify and info on the intact image.
"$TOOL" verify app.ota | grep -q 'ok (version 7'
ok "verify accepts the intact image: $("$TOOL" verify app.ota)"
"$TOOL" info app.ota >info.txt
grep -q '^magic             0x4641544F ("OTAF")$' info.txt && grep -q '^version           7$' info.txt && grep -q '^security counter  3$' info.txt &&
  grep -q '^load address      0x10020000$' info.txt && grep -q '^hardware id       0x000057A1$' info.txt &&
  grep -q '^TLV 0x8001        sha256, 32 bytes, critical' info.txt && grep -q '^hash              ok$' info.txt ||
  die "info output: $(cat info.txt)"
ok "info shows every header field and the SHA-256 TLV"
py -m json.tool info.json >/dev/null
ok "info --json is valid JSON (python3 -m json.tool) with version 7, the fields and the file digest"

# 5. An unknown, non-critical TLV is listed by type and length; the device's parser accepts it.
"$TOOL" verify extra.ota >/dev/null
"$TOOL" info extra.ota | grep -q '^TLV 0x0123        unknown, 5 bytes: 0102030405$' || die "$("$TOOL" info extra.ota)"
"$TOOL" info extra.ota --json | grep -qF '{"type": 291, "name": "unknown", "critical": false, "length": 5, "value": "0102030405"}' ||
  die "$("$TOOL" info extra.ota --json)"
ok "an unknown TLV is shown by type and length (text and JSON) and verify accepts it"

# 6. Corruptions: each makes verify exit 1 with one line.
size=$(stat -c %s app.ota)
expect_fail 1 '^otaflow-image: verify: payload\.ota: hash mismatch$' -- "$TOOL" verify payload.ota
ok "a flipped payload byte: $LAST_ERROR"
"$TOOL" info payload.ota | grep -q '^hash              hash mismatch$' || die "info does not show the mismatch"
ok "info of that image still shows its fields and says 'hash mismatch'"
expect_fail 1 'verify: header\.ota: hash mismatch' -- "$TOOL" verify header.ota
ok "a flipped security-counter byte: $LAST_ERROR"
expect_fail 1 'hash mismatch' -- "$TOOL" verify digest.ota
ok "a flipped byte of the SHA-256 TLV: $LAST_ERROR"
expect_fail 1 'verify: magic\.ota: not a valid otaflow image' -- "$TOOL" verify magic.ota
ok "a flipped magic byte: $LAST_ERROR"
head -c $((size - 1)) app.ota >short.ota
expect_fail 1 'verify: short\.ota: not a valid otaflow image: .*truncated\?' -- "$TOOL" verify short.ota
ok "truncated by one byte: $LAST_ERROR"
head -c 1000 app.ota >half.ota
expect_fail 1 'verify: half\.ota: not a valid otaflow image' -- "$TOOL" verify half.ota
expect_fail 1 'info: half\.ota: not a valid otaflow image' -- "$TOOL" info half.ota
ok "truncated in the payload: verify and info refuse ($LAST_ERROR)"
head -c 10 app.ota >tiny.ota
expect_fail 1 'not a valid otaflow image' -- "$TOOL" verify tiny.ota
: >empty.ota
expect_fail 1 'not a valid otaflow image' -- "$TOOL" verify empty.ota
ok "10-byte and empty files: $LAST_ERROR"
{ cat app.ota; printf 'X'; } >long.ota
expect_fail 1 'verify: long\.ota: 1 trailing byte after the end of the image' -- "$TOOL" verify long.ota
ok "one byte appended: $LAST_ERROR"
expect_fail 1 'cannot read nothere\.ota' -- "$TOOL" verify nothere.ota
ok "missing file: $LAST_ERROR"

# 6b. A HEX linked for the emulated Cortex-M4's application region (0x00020000, make firmware's
#     example-app.hex) packs from there without --load-addr; the PIC32 default stays for others.
cross_build cm 0x00020000 0x00021000
"$TOOL" hex2bin cm.hex -o cm.bin --base 0x00020000 >/dev/null
"$TOOL" pack cm.hex -o cm.ota --version 2 >/dev/null
py <<'PY'
import struct
img = open("cm.ota", "rb").read()
payload = open("cm.bin", "rb").read()
ver, _sc, load, psize = struct.unpack_from("<IIII", img, 8)
assert (ver, load) == (2, 0x00020000), (ver, hex(load))
assert img[64:64 + psize] == payload, "payload differs from hex2bin --base 0x00020000"
PY
"$TOOL" info app.ota | grep -qi "0x10020000" || die "the PIC32 HEX no longer packs at 0x10020000"
"$TOOL" pack cm.hex -o cm2.ota --version 2 --load-addr 0x00010000 >/dev/null
"$TOOL" info cm2.ota | grep -qi "0x00010000" || die "--load-addr no longer overrides the Cortex-M default"
ok "a Cortex-M4 HEX at 0x00020000 packs from there without flags; PIC32 HEX and --load-addr unchanged"

# 7. pack errors and usage.
expect_fail 2 '^otaflow-image: pack: missing --version N$' -- "$TOOL" pack app.bin -o x.ota
expect_fail 2 "--version '-1' is not a 32-bit number" -- "$TOOL" pack app.bin -o x.ota --version -1
expect_fail 2 "--hw '0x100000000' is not a 32-bit number" -- "$TOOL" pack app.bin -o x.ota --version 1 --hw 0x100000000
expect_fail 2 'missing -o OUT.ota' -- "$TOOL" pack app.bin --version 1
ok "pack usage errors exit 2 with one line"
: >empty.bin
expect_fail 1 'pack: empty\.bin: empty payload' -- "$TOOL" pack empty.bin -o x.ota --version 1
tr -d '\r' <app.hex | sed '2s/..$/00/' >bad.hex
expect_fail 1 'pack: bad\.hex:2: checksum error' -- "$TOOL" pack bad.hex -o x.ota --version 1
[[ ! -e x.ota ]] || die "x.ota written despite errors"
ok "pack refuses an empty payload and a bad hex, and writes nothing: $LAST_ERROR"
for sub in pack info verify; do
  "$TOOL" "$sub" --help | grep -q "^usage: otaflow-image $sub" || die "$sub --help"
done
ok "pack, info and verify --help print their usage"

done_checks
