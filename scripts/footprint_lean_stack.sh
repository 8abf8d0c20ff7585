#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The lean bootloader's stack and crypto-arena high-water marks on QEMU: each console variant
# (bootloader-lean-console: BearSSL, -mbedtls-console, -sha-console, -lms-console,
# -lms-overwrite-console, -lms-min-console) runs the heaviest boot,
# the first boot of a board whose v1 (the test app) is saved as the factory image while a v2
# staged in a download slot is checked (signature with the signed variants) and installed,
# and prints its marks before the jump (`boot: measured:`). The variants without a console
# run the same code less the printing. Used by scripts/footprint.sh; prints
# "stack_bearssl arena_bearssl stack_mbedtls arena_mbedtls stack_sha arena_size stack_lms
# stack_lms_overwrite stack_lms_min" (the overwrite-only and the minimal builds have no factory
# image: their heaviest boot is the check and install of v2).
# Usage: footprint_lean_stack.sh BUILD FWDIR
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
BIN=$1/bin FW=$(cd "$2" && pwd)
KEY=$here/tests/firmware/lean_test_key.pem
source "$here/scripts/footprint_lean_lib.sh"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cd "$work"
marks() { # DIR BOOTLOADER SIGN_ARGS...: prints "stack arena arena_size" of the install
  local dir=$1 boot=$2; shift 2
  lean_board "$dir" "$boot" "$@" -- "$@"
  local rc; rc=$(lean_qemu "$dir")
  grep -q "^app: running version 2$" "$dir.console" && [[ $rc == 0 ]] ||
    { cat "$dir.console" >&2; echo "footprint_lean_stack: $boot did not install v2" >&2; exit 1; }
  awk '/^boot: measured: stack high-water mark/ {print $6, $14, $16}' "$dir.console"
}
read -r sb ab _ < <(marks b bootloader-lean-console.bin --key "$KEY")
read -r sm am size < <(marks m bootloader-lean-mbedtls-console.bin --key "$KEY")
read -r ss _ < <(marks s bootloader-lean-sha-console.bin)
# HSS/LMS only: signed with a copy of the test key, whose state advances with each image.
cp "$here/tests/firmware/lean_test_key.lms" lms.key
read -r sl _ < <(marks l bootloader-lean-lms-console.bin --lms-key lms.key)
read -r so _ < <(marks o bootloader-lean-lms-overwrite-console.bin --lms-key lms.key)
read -r sn _ < <(marks n bootloader-lean-lms-min-console.bin --lms-key lms.key)
echo "$sb $ab $sm $am $ss $size $sl $so $sn"
