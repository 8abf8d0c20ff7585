#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# otaflow-image merge: bootloader + application into one Intel HEX that reads back to both,
# valid records, identical overlaps kept once, conflicting ones refused.
source "$(dirname "$0")/lib.sh"

# A "bootloader" at 0x10000000 and an "application" at 0x10020000 (with data further up, and
# more than 64 KB apart so several type 04 records are needed).
cross_build boot 0x10000000 0x10001000
cross_build app 0x10020000 0x10034000 'const unsigned char table[70000] = {[0] = 9, [69999] = 8};
const unsigned char *use_table(void) { return table; }'

"$TOOL" merge boot.hex app.hex -o unified.hex >merge.out
ok "merge: $(cat merge.out)"

# 1. Read back with hex2bin from a base below both: each program at its own address, 0xFF between.
app_off=$((0x20000))
end=$(( app_off + $(stat -c %s app.ref.bin) ))
"$TOOL" hex2bin unified.hex -o unified.bin --base 0x10000000 >/dev/null
py - "$app_off" <<'PY'
import sys
app_off = int(sys.argv[1])
boot = open("boot.ref.bin", "rb").read()
app = open("app.ref.bin", "rb").read()
want = bytearray(b"\xff" * (app_off + len(app)))
want[0:len(boot)] = boot
want[app_off:] = app
got = open("unified.bin", "rb").read()
assert got == bytes(want), f"unified.bin ({len(got)} bytes) differs from boot + app placed ({len(want)})"
PY
ok "hex2bin --base 0x10000000 of the merged file = bootloader at 0 and application at 0x20000 ($end bytes)"

# 2. binutils reads the merged file to the same bytes.
objcopy_hex2bin unified.hex unified.ref.bin
cmp unified.bin unified.ref.bin
ok "objcopy -I ihex reads the merged file to the same bytes"

# 3. Every record is well formed: checksums, <= 16 data bytes, 04 records, EOF last, and no data
#    line crosses a 64 KB boundary.
check_records() { # FILE WIDTH
  py - "$1" "$2" <<'PY'
import sys
path, width = sys.argv[1], int(sys.argv[2])
lines = open(path).read().splitlines()
upper, n04, widest = 0, 0, 0
for i, line in enumerate(lines):
    assert line.startswith(":"), (i, line)
    rec = bytes.fromhex(line[1:])
    assert len(rec) == rec[0] + 5, (i, line)
    assert sum(rec) & 0xFF == 0, f"bad checksum on line {i + 1}"
    kind = rec[3]
    if kind == 4:
        upper, n04 = int.from_bytes(rec[4:6], "big"), n04 + 1
    elif kind == 0:
        assert rec[0] <= width, (i, rec[0])
        widest = max(widest, rec[0])
        off = int.from_bytes(rec[1:3], "big")
        assert off + rec[0] <= 0x10000, f"line {i + 1} crosses 64 KB"
    assert kind != 1 or i == len(lines) - 1, "EOF record not last"
assert lines[-1] == ":00000001FF", lines[-1]
assert n04 >= 3, n04
assert widest == width, widest
print(f"{len(lines)} records, {n04} of type 04")
PY
}
ok "records: $(check_records unified.hex 16) (checksums, 16 bytes per line, no 64 KB crossing, EOF last)"
"$TOOL" merge boot.hex app.hex -o wide.hex --width 32 >/dev/null
ok "--width 32: $(check_records wide.hex 32)"
"$TOOL" hex2bin wide.hex -o wide.bin --base 0x10000000 >/dev/null
cmp wide.bin unified.bin
ok "the 32-byte-per-line file holds the same bytes"

# 4. The start address: the first input's is kept.
grep -q "^$(grep '^:04000005' boot.hex | tr -d '\r')" unified.hex || die "boot's start record not kept"
[[ $(grep -c '^:04000005' unified.hex) -eq 1 ]] || die "more than one start record"
ok "one start address record, the first input's (bootloader's)"

# 5. Bytes written twice with the same values are kept once (hexmate does the same), with one
#    note; different values are refused with one line naming both records; no output written.
"$TOOL" merge app.hex app.hex -o same.hex >same.out 2>same.err
[[ $(wc -l <same.err) -eq 1 ]] || die "merge app.hex app.hex: stderr $(cat same.err)"
kept=$(sed -n 's/^same\.hex: \([0-9]*\) data bytes from 2 files, .*/\1/p' same.out)
[[ -n $kept ]] || die "stdout: $(cat same.out)"
grep -Eq "^otaflow-image: merge: note: $kept bytes at 0x10020000-0x[0-9A-F]{8} written twice with the same values: kept once$" same.err ||
  die "note: $(cat same.err) (want $kept bytes)"
"$TOOL" hex2bin same.hex -o same.bin >/dev/null
cmp same.bin app.ref.bin
ok "a file merged with itself: the file once; $(cat same.err)"
{
  ihex_record 4 0 1000
  ihex_record 0 0x0FF0 00000000000000000000000000000000AAAA   # runs 2 bytes into boot's .data
  ihex_record 1 0
} >clash.hex
expect_fail 1 'merge: overlapping addresses: clash\.hex:2 and boot\.hex:[0-9]+ both write 0x10001000, with different values \(0xAA and 0x34\)$' -- \
  "$TOOL" merge boot.hex clash.hex -o clash-out.hex
ok "a partial overlap of two bytes: $LAST_ERROR"
tr -d '\r' <app.hex | sed '2s/..$/00/' >bad.hex
expect_fail 1 'merge: bad\.hex:2: checksum error' -- "$TOOL" merge boot.hex bad.hex -o x.hex
ok "a bad input: $LAST_ERROR"
expect_fail 2 'missing -o UNIFIED.hex' -- "$TOOL" merge boot.hex app.hex
expect_fail 2 'missing input file' -- "$TOOL" merge boot.hex -o x.hex
expect_fail 2 '--width must be 16 or 32' -- "$TOOL" merge boot.hex app.hex -o x.hex --width 8
"$TOOL" merge --help | grep -q '^usage: otaflow-image merge A B -o UNIFIED.hex \[--width 16|32\] \[--region-size SIZE\]'
ok "usage errors exit 2 with one line; --help prints the usage"

done_checks
