#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Intel HEX shaped like an XC32 build for the PIC32MZ W1 (code at 0x10020000, configuration
# words at 0x1FC5xxxx), as users of the original OTA service have them: hex2bin and pack leave
# the boot flash range out with one note; other data outside the region is refused unless
# --clip; merge keeps bytes written identically by both inputs once and refuses different
# ones; a factory HEX (merge with an .ota) holds what the board's bootloader boots and saves
# as its factory image.
source "$(dirname "$0")/lib.sh"

# xc32hex.py OUT.hex ADDR=SPEC...: a HEX file as XC32's bin2hex writes it: CRLF, 16 data bytes
# per record from each section's own start, a type 04 record where the upper address changes.
# SPEC is hex bytes, or @FILE for a file's bytes.
cat >xc32hex.py <<'PY'
import sys
def rec(kind, off, data=b""):
    body = bytes([len(data), off >> 8, off & 0xFF, kind]) + data
    return ":" + (body + bytes([-sum(body) & 0xFF])).hex().upper()
out, upper = [], None
for arg in sys.argv[2:]:
    addr, spec = arg.split("=", 1)
    addr = int(addr, 0)
    data = open(spec[1:], "rb").read() if spec.startswith("@") else bytes.fromhex(spec)
    i = 0
    while i < len(data):
        a = addr + i
        n = min(16, len(data) - i, 0x10000 - (a & 0xFFFF))
        if a >> 16 != upper:
            upper = a >> 16
            out.append(rec(4, 0, upper.to_bytes(2, "big")))
        out.append(rec(0, a & 0xFFFF, data[i:i + n]))
        i += n
out.append(rec(1, 0))
open(sys.argv[1], "w", newline="").write("\r\n".join(out) + "\r\n")
PY
xc32hex() { py xc32hex.py "$@"; }

# The application: 70,000 bytes of code from 0x10020000 (over a 64 KB boundary), initialised
# data at 0x10034000, and XC32's configuration words: 28 bytes in three records at 0x1FC55E88,
# 0x1FC55F40 and 0x1FC55FFC.
py - <<'PY'
open("code.bin", "wb").write(bytes((i * 131 + (i >> 9)) & 0xFF for i in range(70000)))
open("data.bin", "wb").write(bytes(range(7, 7 + 200)))
PY
CFG=(0x1FC55E88=FFFFFFFFF7FFFF7F3BF8FFBFFFFFFFCF 0x1FC55F40=00FFFFFF0000FFFF 0x1FC55FFC=7FFFFFFF)
xc32hex app.hex 0x10020000=@code.bin 0x10034000=@data.bin "${CFG[@]}"
[[ $(grep -c '^:02000004' app.hex) -eq 3 ]] || die "app.hex should have three type 04 records"
py - <<'PY'
want = bytearray(b"\xff" * (0x14000 + 200))
want[0:70000] = open("code.bin", "rb").read()
want[0x14000:] = open("data.bin", "rb").read()
open("app.ref.bin", "wb").write(want)
PY

# expect_note N PATTERN -- COMMAND...: COMMAND exits 0 and prints exactly N lines on stderr,
# every one a note, one of them matching PATTERN.
expect_note() {
  local n=$1 pattern=$2; shift 3
  "$@" >"$WORK/out.txt" 2>"$WORK/err.txt" || die "$* failed: $(cat "$WORK/err.txt")"
  [[ $(wc -l <"$WORK/err.txt") -eq $n ]] || die "$*: want $n stderr lines, got: $(cat "$WORK/err.txt")"
  [[ $(grep -c '^otaflow-image: [a-z0-9]*: note: ' "$WORK/err.txt") -eq $n ]] ||
    die "$*: not all notes: $(cat "$WORK/err.txt")"
  grep -Eq -- "$pattern" "$WORK/err.txt" || die "$*: no note matches '$pattern': $(cat "$WORK/err.txt")"
  LAST_NOTE=$(grep -E -- "$pattern" "$WORK/err.txt")
}
BOOT_NOTE='note: app\.hex: left out 28 bytes at 0x1FC55E88-0x1FC55FFF, in the PIC32 boot flash and configuration words range 0x1FC00000-0x1FFFFFFF: an update cannot write them'

# 1. hex2bin: the configuration words are left out with one note; the rest is the program.
expect_note 1 "^otaflow-image: hex2bin: $BOOT_NOTE" -- "$TOOL" hex2bin app.hex -o app.bin
cmp app.bin app.ref.bin
grep -q '^app.bin: 82120 bytes, 0x10020000-0x100340C7$' "$WORK/out.txt" || die "stdout: $(cat "$WORK/out.txt")"
ok "hex2bin of an XC32-shaped HEX: $(stat -c %s app.bin) bytes of program; $LAST_NOTE"

# The same file with KSEG addresses (code through KSEG0, configuration through KSEG1).
xc32hex kseg.hex 0x90020000=@code.bin 0x90034000=@data.bin 0xBFC55E88=FFFFFFFFF7FFFF7F3BF8FFBFFFFFFFCF \
  0xBFC55F40=00FFFFFF0000FFFF 0xBFC55FFC=7FFFFFFF
expect_note 1 'left out 28 bytes at 0x1FC55E88-0x1FC55FFF' -- "$TOOL" hex2bin kseg.hex -o kseg.bin
cmp kseg.bin app.ref.bin
ok "KSEG0 code and KSEG1 configuration words (0xBFC55E88): the same binary and note"

# 2. pack: the payload is that binary; the digest stays the last line on stdout.
expect_note 1 "^otaflow-image: pack: $BOOT_NOTE" -- "$TOOL" pack app.hex -o app.ota --version 3
cmp <(tail -c +65 app.ota | head -c "$(stat -c %s app.ref.bin)") app.ref.bin
[[ $(tail -n 1 "$WORK/out.txt") == "$(sha256sum app.ota)" ]] || die "pack's last line is not the digest"
"$TOOL" verify app.ota >/dev/null
ok "pack of the XC32-shaped HEX: payload = the program, image verifies, one note"

# 3. Other data outside the region is refused (no output), unless --clip leaves it out.
xc32hex stray.hex 0x10018000=000102030405060708090A0B0C0D0E0F 0x10020000=@code.bin \
  0x10034000=@data.bin "${CFG[@]}"
expect_fail 1 '^otaflow-image: hex2bin: stray\.hex:2: data at 0x10018000-0x1001800F is outside the region 0x10020000-0x100FEFFF \(--base/--size; --clip leaves it out\)$' -- \
  "$TOOL" hex2bin stray.hex -o stray.bin
[[ ! -e stray.bin ]] || die "stray.bin written"
ok "data at 0x10018000 (below the region, not boot flash): $LAST_ERROR"
expect_fail 1 '^otaflow-image: pack: stray\.hex:2: data at 0x10018000-0x1001800F is outside' -- \
  "$TOOL" pack stray.hex -o stray.ota --version 3
[[ ! -e stray.ota ]] || die "stray.ota written"
ok "pack refuses it too"
expect_note 2 '^otaflow-image: hex2bin: note: stray\.hex: left out 16 bytes at 0x10018000-0x1001800F outside the region \(--clip\)$' -- \
  "$TOOL" hex2bin stray.hex -o stray.bin --clip
grep -q 'left out 28 bytes at 0x1FC55E88-0x1FC55FFF' "$WORK/err.txt" || die "no boot flash note"
cmp stray.bin app.ref.bin
ok "--clip: the same program, a note for each range left out ($LAST_NOTE)"
expect_note 2 'stray\.hex: left out 16 bytes at 0x10018000-0x1001800F outside the region \(--clip\)' -- \
  "$TOOL" pack stray.hex -o stray.ota --version 3 --clip
cmp <(tail -c +65 stray.ota) <(tail -c +65 app.ota)
ok "pack --clip: the same image as without the stray record"

# --clip cuts a record that runs over the region's end: the part inside is kept.
expect_note 2 'app\.hex: left out 66112 bytes at 0x10020FF8-0x100340C7 outside the region \(--clip\)' -- \
  "$TOOL" hex2bin app.hex -o head.bin --size 0xFF8 --clip
cmp head.bin <(head -c $((0xFF8)) app.ref.bin)
ok "a record across the region's end is cut there: $(stat -c %s head.bin) bytes kept"
expect_fail 1 'app\.hex:[0-9]+: data at 0x10020FF0-0x10020FFF is outside the region 0x10020000-0x10020FF7' -- \
  "$TOOL" hex2bin app.hex -o x.bin --size 0xFF8
ok "without --clip: $LAST_ERROR"

# Only configuration words: nothing to update.
xc32hex cfg.hex "${CFG[@]}"
expect_fail 1 '^otaflow-image: hex2bin: cfg\.hex: no data inside the region 0x10020000-0x100FEFFF$' -- \
  "$TOOL" hex2bin cfg.hex -o cfg.bin
ok "configuration words alone: $LAST_ERROR"

# 4. merge: a bootloader and an application that carry the same configuration words.
py - <<'PY'
open("boot.bin", "wb").write(bytes((i * 17 + 5) & 0xFF for i in range(0x3000)))
PY
xc32hex boot.hex 0x10000000=@boot.bin "${CFG[@]}"
expect_note 1 '^otaflow-image: merge: note: 28 bytes at 0x1FC55E88-0x1FC55FFF written twice with the same values: kept once$' -- \
  "$TOOL" merge boot.hex app.hex -o unified.hex
grep -q '^unified.hex: 82516 data bytes from 2 files, 0x10000000-0x1FC55FFF$' "$WORK/out.txt" ||
  die "stdout: $(cat "$WORK/out.txt")"
# read_hex FILE: {address: byte} of every data record, failing on a byte written twice.
cat >readhex.py <<'PY'
def read_hex(path):
    mem, upper = {}, 0
    for line in open(path).read().splitlines():
        rec = bytes.fromhex(line[1:])
        assert sum(rec) & 0xFF == 0 and len(rec) == rec[0] + 5, line
        if rec[3] == 4:
            upper = int.from_bytes(rec[4:6], "big") << 16
        elif rec[3] == 0:
            base = upper + int.from_bytes(rec[1:3], "big")
            for i, b in enumerate(rec[4:-1]):
                assert base + i not in mem, f"{path}: 0x{base + i:08X} written twice"
                mem[base + i] = b
    return mem
PY
py - <<'PY'
exec(open("readhex.py").read())
got = read_hex("unified.hex")
want = {}
for f in ("boot.hex", "app.hex"):
    want.update(read_hex(f))
assert got == want, "unified.hex differs from the union of boot.hex and app.hex"
assert [got[0x1FC55E88 + i] for i in range(4)] == [0xFF] * 4 and got[0x1FC55E8C] == 0xF7
PY
ok "merge of bootloader and application with the same configuration words: each byte once, both programs whole"

sed 's/^:105E8800FFFFFFFFF7FFFF7F/:105E8800FFFFFFFFF6FFFF7F/' boot.hex | tr -d '\r' >boot2.lf
py - <<'PY'
# Fix the edited record's checksum: F7 -> F6 lowers the sum by one.
lines = open("boot2.lf").read().splitlines()
for i, line in enumerate(lines):
    if line.startswith(":105E8800FFFFFFFFF6"):
        body = bytes.fromhex(line[1:-2])
        lines[i] = ":" + (body + bytes([-sum(body) & 0xFF])).hex().upper()
open("boot2.hex", "w").write("\n".join(lines) + "\n")
PY
expect_fail 1 '^otaflow-image: merge: overlapping addresses: boot2\.hex:[0-9]+ and app\.hex:[0-9]+ both write 0x1FC55E8C, with different values \(0xF6 and 0xF7\)$' -- \
  "$TOOL" merge boot2.hex app.hex -o conflict.hex
[[ ! -e conflict.hex ]] || die "conflict.hex written"
ok "a configuration word that differs: $LAST_ERROR"

# 5. The factory image: merge puts an .ota where the bootloader installs it: its payload at
#    the application region's start (its load address), its header and TLVs in the descriptor
#    page after the region (0x100FF000).
OTA_APP="$OTA_BIN/otaflow-example-app"
"$TOOL" pack "$OTA_APP" -o factory_v1.ota --version 1 >/dev/null
"$TOOL" merge boot.hex factory_v1.ota -o factory.hex >/dev/null 2>merge.err
[[ ! -s merge.err ]] || die "merge printed: $(cat merge.err)"
py - "$(stat -c %s factory_v1.ota)" <<'PY'
import struct
exec(open("readhex.py").read())
mem = read_hex("factory.hex")
ota = open("factory_v1.ota", "rb").read()
psize = struct.unpack_from("<I", ota, 20)[0]
assert bytes(mem[0x10020000 + i] for i in range(psize)) == ota[64:64 + psize], "payload not at 0x10020000"
desc = ota[:64] + ota[64 + psize:]
assert bytes(mem[0x100FF000 + i] for i in range(len(desc))) == desc, "header and TLVs not at 0x100FF000"
boot = open("boot.bin", "rb").read()
assert bytes(mem[0x10000000 + i] for i in range(len(boot))) == boot
assert len(mem) == len(ota) + len(boot) + 28, len(mem)
PY
ok "merge boot.hex factory_v1.ota: bootloader at 0x10000000, payload at 0x10020000, header and TLVs at 0x100FF000, configuration words"

# What a programmer writes into the application region and the descriptor page is what the
# board's bootloader boots at first power-on and saves as its factory image (slot 0).
# (left out: the bootloader's 12,288 bytes and the descriptor page's 108: header and hash TLV)
expect_note 2 'factory\.hex: left out 12396 bytes at 0x10000000-0x100FF06B outside the region \(--clip\)' -- \
  "$TOOL" hex2bin factory.hex -o region.bin --clip
"$TOOL" hex2bin factory.hex -o desc.bin --base 0x100FF000 --size 0x1000 --clip 2>/dev/null
py <<'PY'
import struct
region, desc = open("region.bin", "rb").read(), open("desc.bin", "rb").read()
psize = struct.unpack_from("<I", desc, 20)[0]
tlv = struct.unpack_from("<I", desc, 64 + 4)[0]
open("programmed.ota", "wb").write(desc[:64] + region[:psize] + desc[64:64 + tlv])
PY
cmp programmed.ota factory_v1.ota
BOARD="$OTA_BIN/otaflow-board"
"$BOARD" create board >/dev/null
"$BOARD" flash board programmed.ota >/dev/null
"$BOARD" run board --until-version 1 --timeout 60 >run.log 2>&1 || { cat run.log >&2; die "board run"; }
grep -q 'factory image v1 saved' run.log || { cat run.log >&2; die "no factory image saved"; }
"$BOARD" status board --json >status.json
py - <<'PY'
import json
s = json.load(open("status.json"))
assert s["running_version"] == 1, s["running_version"]
assert [(i["version"], i["state"]) for i in s["images"] if i["slot"] == 0] == [(1, "stored")], s["images"]
PY
ok "the board boots the factory HEX's application region and descriptor page (v1) and saves it as its factory image"

# The emulated Cortex-M4's image (load address 0x00020000) goes to its region there, its
# header to 0x000FF000; --region-size moves the descriptor page for another board; a broken
# image is refused.
head -c 3000 code.bin >cm.bin
"$TOOL" pack cm.bin -o cm.ota --version 2 --load-addr 0x00020000 >/dev/null
xc32hex cmboot.hex 0x00000000=@boot.bin
"$TOOL" merge cmboot.hex cm.ota -o cm.hex >/dev/null
py - <<'PY'
exec(open("readhex.py").read())
mem, ota = read_hex("cm.hex"), open("cm.ota", "rb").read()
assert bytes(mem[0x20000 + i] for i in range(3000)) == ota[64:64 + 3000]
assert bytes(mem[0xFF000 + i] for i in range(64)) == ota[:64]
assert bytes(mem[0xFF040 + i] for i in range(len(ota) - 3064)) == ota[3064:]
PY
"$TOOL" merge cmboot.hex cm.ota -o cm2.hex --region-size 0x20000 >/dev/null
py - <<'PY'
exec(open("readhex.py").read())
mem, ota = read_hex("cm2.hex"), open("cm.ota", "rb").read()
assert bytes(mem[0x20000 + i] for i in range(3000)) == ota[64:64 + 3000]
assert bytes(mem[0x40000 + i] for i in range(64)) == ota[:64]
PY
expect_fail 1 'merge: cm\.ota: a 3000-byte payload at 0x00020000 does not fit the 0x800-byte application region' -- \
  "$TOOL" merge cmboot.hex cm.ota -o x.hex --region-size 0x800
ok "an image with load address 0x00020000 lands there, its header at 0x000FF000; --region-size 0x20000 moves the header to 0x00040000"
cp cm.ota broken.ota
printf '\x00' | dd of=broken.ota bs=1 seek=100 conv=notrunc status=none
expect_fail 1 '^otaflow-image: merge: broken\.ota: not an intact image \(hash mismatch\)' -- \
  "$TOOL" merge cmboot.hex broken.ota -o x.hex
[[ ! -e x.hex ]] || die "x.hex written"
ok "a damaged image: $LAST_ERROR"
expect_fail 2 "--region-size 'low' is not a 32-bit number" -- "$TOOL" merge boot.hex app.hex -o x.hex --region-size low
ok "usage: $LAST_ERROR"

done_checks
