#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The lean bootloader (firmware/bootloader_lean.c, docs/firmware.md) on QEMU mps2-an386, one
# launch per case: the board's flash files, made by the host tools, are loaded as they are
# (internal flash at 0x0, the image store at 0x21000000); a signed v2 staged in a download
# slot is installed, checked and started (the test app prints the version in its own
# header); a staged v2 with one payload byte changed, or signed by a key the build does not
# trust, is refused and v1 keeps running. The variant without signatures installs an
# unsigned v2 and refuses a corrupt one. The 8 KB candidates (the minimal HSS/LMS-only build,
# and the overwrite-only builds that never write the journal, OTA_BOOT_JOURNAL=0) install a
# v2 and refuse a corrupt one the same, and the HSS/LMS ones an untrusted one too (the
# SHA-256-only one trusts no key). The console variant (the same core: built without its log
# lines, OTA_BOOT_LOG=0) decides the same and prints its stack high-water mark.
source "$(dirname "$0")/../tools/lib.sh" # TOOL, WORK (cwd), ok, die, done_checks
BIN=$OTA_BIN FW=$OTA_BUILD_DIR/firmware
source "$OTA_SOURCE_DIR/scripts/footprint_lean_lib.sh" # lean_board, lean_qemu
KEY="$OTA_SOURCE_DIR/tests/firmware/lean_test_key.pem" # the key lean_keys.c trusts
# The LMS-only build trusts tests/firmware/lean_test_key.lms: signed with a copy (its state
# advances with every image), never with the repository's file.
cp "$OTA_SOURCE_DIR/tests/firmware/lean_test_key.lms" lms.key
for f in bootloader-lean.bin bootloader-lean-console.bin bootloader-lean-sha.bin \
  bootloader-lean-lms.bin bootloader-lean-lms-min.bin bootloader-lean-sha-overwrite.bin \
  bootloader-lean-lms-overwrite.bin lean-app.hex; do
  [[ -f "$FW/$f" ]] || die "missing $FW/$f: run make firmware"
done
"$TOOL" keygen -o other.pem >/dev/null

# corrupt_staged DIR [last]: change one byte in the middle of the staged v2's payload (with
# "last": its last byte, in the signature TLV that ends the image).
corrupt_staged() {
  python3 -I - "$1/external.flash" "$1.v2.ota" "${2:-middle}" <<'PY'
import sys
flash, image = bytearray(open(sys.argv[1], "rb").read()), open(sys.argv[2], "rb").read()
at = flash.find(image)
assert at >= 0, "the staged image is not in the external flash"
flash[at + (len(image) - 1 if sys.argv[3] == "last" else len(image) // 2)] ^= 0x01
open(sys.argv[1], "wb").write(flash)
PY
}

# lean_run DIR: one launch; prints the version the app reported.
lean_run() {
  local rc; rc=$(lean_qemu "$1")
  [[ $rc == 0 ]] || die "$1: QEMU ended with '$rc': $(cat "$1.console")"
  sed -n 's/^app: running version \([0-9]*\)$/\1/p' "$1.console"
}

lean_board s1 bootloader-lean.bin --key "$KEY" -- --key "$KEY"
[[ $(lean_run s1) == 2 ]] || die "signed v2 was not started: $(cat s1.console)"
ok "lean bootloader: a signed v2 staged in the store is installed, checked and started"

lean_board s2 bootloader-lean.bin --key "$KEY" -- --key "$KEY"
corrupt_staged s2
[[ $(lean_run s2) == 1 ]] || die "a corrupt v2 did not leave v1 running: $(cat s2.console)"
ok "lean bootloader: a staged v2 with one payload byte changed is refused, v1 keeps running"

lean_board s3 bootloader-lean.bin --key "$KEY" -- --key other.pem
[[ $(lean_run s3) == 1 ]] || die "a v2 of an untrusted key did not leave v1 running: $(cat s3.console)"
ok "lean bootloader: a v2 signed by a key it does not trust is refused, v1 keeps running"

lean_board c1 bootloader-lean-console.bin --key "$KEY" -- --key other.pem
[[ $(lean_run c1) == 1 ]] || die "console variant: v1 not kept: $(cat c1.console)"
grep -Eq "^boot: measured: stack high-water mark [0-9]+ of [0-9]+ bytes" c1.console ||
  die "console variant: no measured line: $(cat c1.console)"
ok "lean bootloader, console variant: it refuses the same v2 and prints its stack high-water mark on UART0"

lean_board u1 bootloader-lean-sha.bin --
[[ $(lean_run u1) == 2 ]] || die "unsigned build: v2 was not started: $(cat u1.console)"
ok "lean bootloader without signatures: an unsigned v2 is installed and started"
lean_board u2 bootloader-lean-sha.bin --
corrupt_staged u2
[[ $(lean_run u2) == 1 ]] || die "unsigned build: a corrupt v2 did not leave v1 running: $(cat u2.console)"
ok "lean bootloader without signatures: a corrupt v2 is refused (SHA-256), v1 keeps running"
lean_board w1 bootloader-lean-sha-overwrite.bin --
[[ $(lean_run w1) == 2 ]] || die "overwrite-only build: v2 was not started: $(cat w1.console)"
lean_board w2 bootloader-lean-sha-overwrite.bin --
corrupt_staged w2
[[ $(lean_run w2) == 1 ]] || die "overwrite-only build: a corrupt v2 did not leave v1 running: $(cat w2.console)"
ok "overwrite-only lean bootloader (no journal writes), SHA-256 only: an unsigned v2 is installed and started, a corrupt one refused"
# lms_case DIR VERSION WHAT V2_PACK_ARGS... [-- corrupt]: the LMS-only build ($LMS_BOOT) on a
# board whose v2 is packed with those arguments (and its last byte changed): VERSION must run.
LMS_BOOT=bootloader-lean-lms.bin
lms_case() {
  local dir=$1 want=$2 what=$3 corrupt=; shift 3
  [[ ${*: -1} == corrupt ]] && { corrupt=1; set -- "${@:1:$#-2}"; }
  lean_board "$dir" "$LMS_BOOT" --lms-key lms.key -- "$@"
  [[ -z $corrupt ]] || corrupt_staged "$dir" last
  [[ $(lean_run "$dir") == "$want" ]] || die "LMS-only build, $what: v$want not running: $(cat "$dir.console")"
}
lms_case l1 2 "an HSS/LMS-signed v2" --lms-key lms.key
ok "lean bootloader, HSS/LMS only: an HSS/LMS-signed v2 is installed, checked and started"
"$TOOL" keygen --lms --levels 1 --height 5 -o other.lms >/dev/null
lms_case l2 1 "a changed signature byte" --lms-key lms.key -- corrupt
lms_case l3 1 "an untrusted HSS/LMS key" --lms-key other.lms
lms_case l4 1 "an ECDSA signature" --key "$KEY"
ok "lean bootloader, HSS/LMS only: a changed signature byte, an untrusted HSS/LMS key and an ECDSA signature are refused"
for LMS_BOOT in bootloader-lean-lms-min.bin bootloader-lean-lms-overwrite.bin; do
  v=${LMS_BOOT%.bin}
  lms_case "$v-1" 2 "an HSS/LMS-signed v2" --lms-key lms.key
  lms_case "$v-2" 1 "a changed signature byte" --lms-key lms.key -- corrupt
  lms_case "$v-3" 1 "an untrusted HSS/LMS key" --lms-key other.lms
  ok "$v: an HSS/LMS-signed v2 is installed and started; a changed signature byte and an untrusted HSS/LMS key are refused"
done
done_checks
