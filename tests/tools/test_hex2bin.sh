#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# otaflow-image hex2bin against binutils on real cross-compiled programs, and every error case.
source "$(dirname "$0")/lib.sh"

# 1. A small program: code + rodata at 0x10020000, data at 0x10021000 (a gap between them).
cross_build app 0x10020000 0x10021000
grep -q '^:02000004' app.hex || die "objcopy output has no type 04 record"
"$TOOL" hex2bin app.hex -o app.bin >/dev/null
cmp app.bin app.ref.bin
ok "hex2bin of a cross-compiled program (code, rodata, data, a gap) equals objcopy -O binary ($(stat -c %s app.bin) bytes)"
"$TOOL" hex2bin app.hex -o app2.bin --base 0x10020000 >/dev/null
cmp app2.bin app.ref.bin
ok "--base 0x10020000 given explicitly: same bytes"

# 2. --size pads with 0xFF to exactly the size; the data part is unchanged.
"$TOOL" hex2bin app.hex -o padded.bin --size 0x2000 >/dev/null
[[ $(stat -c %s padded.bin) -eq 8192 ]] || die "padded size $(stat -c %s padded.bin)"
cmp -n "$(stat -c %s app.ref.bin)" padded.bin app.ref.bin
[[ $(tail -c +"$(( $(stat -c %s app.ref.bin) + 1 ))" padded.bin | tr -d '\377' | wc -c) -eq 0 ]] ||
  die "padding is not 0xFF"
ok "--size 0x2000 pads with 0xFF to 8192 bytes"

# 3. More than 64 KB: several type 04 records.
cross_build big 0x10020000 0x10040000 \
  'const unsigned char table[90000] = {[0] = 1, [45000] = 0x7E, [89999] = 2};
   const unsigned char *use_table(void) { return table; }'
[[ $(grep -c '^:02000004' big.hex) -ge 2 ]] || die "big.hex has fewer than two type 04 records"
"$TOOL" hex2bin big.hex -o big.bin >/dev/null
cmp big.bin big.ref.bin
ok "hex2bin of a $(stat -c %s big.bin)-byte program spanning $(grep -c '^:02000004' big.hex) type 04 records equals objcopy"

# 4. Type 02 (extended segment) records, a data record wrapping its 64 KB segment, CRLF line
#    ends and start records (03, 05), which are ignored.
{
  ihex_record 2 0 1000                       # segment 0x1000: base 0x10000
  ihex_record 0 0x0000 00112233445566778899AABBCCDDEEFF
  ihex_record 0 0xFFF8 A0A1A2A3A4A5A6A7B0B1B2B3  # 8 bytes at 0x1FFF8, 4 wrap to 0x10000
  ihex_record 3 0 10000000
  ihex_record 4 0 0001                       # linear from here: 0x10000
  ihex_record 0 0x0100 C0C1C2C3
  ihex_record 5 0 00010000
  ihex_record 1 0
} | sed 's/$/\r/' >seg.hex
# The wrapping record writes 0x1FFF8..0x1FFFF and 0x10000..0x10003, which the first record
# also writes: that is an overlap.
expect_fail 1 'overlapping records: lines 2 and 3 both write 0x00010000' -- \
  "$TOOL" hex2bin seg.hex -o seg.bin --base 0x10000 --size 0x10000
ok "a type 02 record that wraps its segment lands at the segment start (seen as overlap: $LAST_ERROR)"
{
  ihex_record 2 0 1000
  ihex_record 0 0x0010 00112233445566778899AABBCCDDEEFF
  ihex_record 0 0xFFF8 A0A1A2A3A4A5A6A7B0B1B2B3
  ihex_record 3 0 10000000
  ihex_record 4 0 0001
  ihex_record 0 0x0100 C0C1C2C3
  ihex_record 5 0 00010000
  ihex_record 1 0
} | sed 's/$/\r/' >seg.hex
"$TOOL" hex2bin seg.hex -o seg.bin --base 0x10000 --size 0x10000 >/dev/null
py - <<'PY'
data = open("seg.bin", "rb").read()
want = bytearray(b"\xff" * 0x10000)
want[0x0000:0x0004] = bytes.fromhex("B0B1B2B3")
want[0x0010:0x0020] = bytes.fromhex("00112233445566778899AABBCCDDEEFF")
want[0x0100:0x0104] = bytes.fromhex("C0C1C2C3")
want[0xFFF8:0x10000] = bytes.fromhex("A0A1A2A3A4A5A6A7")
assert data == bytes(want), "seg.bin differs from the expected layout"
PY
ok "type 02 segments (with a wrapping record), type 04, 03/05 start records and CRLF: bytes where the spec puts them"

# 5. Gaps inside one file, checked against binutils reading the same hex.
{
  ihex_record 4 0 1002
  ihex_record 0 0x0000 DEADBEEF
  ihex_record 0 0x0800 CAFEF00D
  ihex_record 4 0 1003                       # next 64 KB page
  ihex_record 0 0x0010 0102030405
  ihex_record 1 0
} >gap.hex
"$TOOL" hex2bin gap.hex -o gap.bin >/dev/null
objcopy_hex2bin gap.hex gap.ref.bin
cmp gap.bin gap.ref.bin
ok "a hand-written hex with gaps across two 64 KB pages equals objcopy -I ihex ($(stat -c %s gap.bin) bytes)"

# Records out of address order (hex2bin streams them to the file as they come, filling the
# gaps last): the same bytes as objcopy, padded with --size as well.
{
  ihex_record 4 0 1002
  ihex_record 0 0x0300 A1A2A3
  ihex_record 0 0x0000 B1B2
  ihex_record 0 0x0100 C1C2C3C4
  ihex_record 0 0x0002 D1                    # right after the second record
  ihex_record 1 0
} >unsorted.hex
"$TOOL" hex2bin unsorted.hex -o unsorted.bin >/dev/null
objcopy_hex2bin unsorted.hex unsorted.ref.bin
cmp unsorted.bin unsorted.ref.bin
"$TOOL" hex2bin unsorted.hex -o unsorted.pad.bin --size 0x1000 >/dev/null
{ cat unsorted.ref.bin; head -c $(( 0x1000 - $(stat -c %s unsorted.ref.bin) )) /dev/zero | tr '\0' '\377'; } >unsorted.pad.ref.bin
cmp unsorted.pad.bin unsorted.pad.ref.bin
ok "records out of address order, with gaps: objcopy's bytes ($(stat -c %s unsorted.bin) bytes; 4096 with --size)"

# 6. KSEG0/KSEG1 addresses (PIC32) map to physical unless --no-kseg.
{
  ihex_record 4 0 9D00
  ihex_record 0 0x0000 11223344
  ihex_record 4 0 BD00
  ihex_record 0 0x0004 55667788
  ihex_record 1 0
} >kseg.hex
"$TOOL" hex2bin kseg.hex -o kseg.bin --base 0x1D000000 >/dev/null
[[ $(xxd -p kseg.bin) == 1122334455667788 ]] || die "kseg.bin is $(xxd -p kseg.bin)"
"$TOOL" hex2bin kseg.hex -o kseg2.bin --base 0x9D000000 >/dev/null
cmp kseg.bin kseg2.bin
ok "KSEG0 0x9D000000 and KSEG1 0xBD000004 land at physical 0x1D000000 (--base physical or KSEG0)"
expect_fail 1 'outside the region' -- "$TOOL" hex2bin kseg.hex -o x.bin --base 0x1D000000 --no-kseg
ok "--no-kseg keeps virtual addresses: $LAST_ERROR"
{
  ihex_record 4 0 9D00
  ihex_record 0 0x0000 11223344
  ihex_record 4 0 BD00
  ihex_record 0 0x0002 5566
  ihex_record 1 0
} >kseg_overlap.hex
expect_fail 1 'overlapping records: lines 2 and 4 both write 0x1D000002' -- \
  "$TOOL" hex2bin kseg_overlap.hex -o x.bin --base 0x1D000000
ok "the same physical byte through KSEG0 and KSEG1 is an overlap"

# 7. Errors: non-zero exit, one line naming the file, the line and the problem; no output file.
bad() { # NAME PATTERN: hex2bin NAME.hex must fail with PATTERN and leave no NAME.bin
  expect_fail 1 "$2" -- "$TOOL" hex2bin "$1.hex" -o "$1.bin"
  [[ ! -e "$1.bin" ]] || die "$1.bin written despite the error"
  ok "$1: $LAST_ERROR"
}
# objcopy writes CRLF line ends (read above); the edited copies use LF so that sed sees the digits.
tr -d '\r' <app.hex >lf.hex
sed '2s/..$/00/' lf.hex >checksum.hex
bad checksum '^otaflow-image: hex2bin: checksum\.hex:2: checksum error'
{ head -n 3 lf.hex; sed -n 3p lf.hex; tail -n +4 lf.hex; } >overlap.hex
bad overlap '^otaflow-image: hex2bin: overlap\.hex: overlapping records: lines 3 and 4 both write 0x10020010'
expect_fail 1 'outside the region 0x10020010-' -- "$TOOL" hex2bin app.hex -o x.bin --base 0x10020010
ok "data below --base: $LAST_ERROR"
expect_fail 1 'outside the region 0x10020000-0x100207FF' -- "$TOOL" hex2bin app.hex -o x.bin --size 0x800
ok "data past --base + --size: $LAST_ERROR"
sed '3s/.......$//' lf.hex >truncated.hex
bad truncated 'truncated\.hex:3: truncated record'
head -n -1 lf.hex >noeof.hex
bad noeof 'noeof\.hex: no EOF record'
sed '2s/^://' lf.hex >nocolon.hex
bad nocolon "nocolon\.hex:2: line does not start with ':'"
sed '2s/^:\(.\)./:\1G/' lf.hex >nonhex.hex
bad nonhex "nonhex\.hex:2: character 'G' is not a hex digit"
{ cat lf.hex; ihex_record 0 0 00; } >aftereof.hex
bad aftereof 'aftereof\.hex:[0-9]+: content after the EOF record'
{ ihex_record 6 0 00; ihex_record 1 0; } >type6.hex
bad type6 'type6\.hex:1: unknown record type 0x06'
{ ihex_record 4 0 10; ihex_record 1 0; } >short04.hex
bad short04 'short04\.hex:1: record type 04 needs 2 data bytes, has 1'
: >empty.hex
bad empty 'empty\.hex: no EOF record'
ihex_record 1 0 >nodata.hex
bad nodata 'nodata\.hex: no data records'
expect_fail 1 'cannot read: No such file' -- "$TOOL" hex2bin missing.hex -o x.bin
ok "missing input: $LAST_ERROR"

# 8. Usage: --help, bad options.
"$TOOL" hex2bin --help | grep -q '^usage: otaflow-image hex2bin IN.hex -o OUT.bin'
ok "hex2bin --help prints the usage, exit 0"
expect_fail 2 'missing -o' -- "$TOOL" hex2bin app.hex
expect_fail 2 "--base 'zz' is not a 32-bit number" -- "$TOOL" hex2bin app.hex -o x.bin --base zz
expect_fail 2 'unknown option --frob' -- "$TOOL" hex2bin app.hex -o x.bin --frob
expect_fail 2 'runs past 0xFFFFFFFF' -- "$TOOL" hex2bin app.hex -o x.bin --base 0xFFFFF000 --size 0x2000 --no-kseg
ok "usage errors exit 2 with one line"

done_checks
