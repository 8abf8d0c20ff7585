#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Apply time of the patch applier on a Cortex-M4 (docs/delta.md, "Measured"): for OLD NEW (two
# files; default the example firmware and its one-define variant of `make firmware`), makes
# the patch in each format with otaflow-image diff, links scripts/delta_apply_main.c with
# src/delta*.c (arm-none-eabi-gcc -Os) and runs it on QEMU's mps2-an386 with -icount shift=0:
# prints the instructions the whole apply ran (a SysTick tick is 40 instructions), per target
# byte, and the stack. Needs `make build` (and `make firmware` for the default pair).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
OLD=${1:-$BUILD/firmware/example-app.bin}
NEW=${2:-$BUILD/firmware/example-app-crash.bin}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$ROOT"
M4=(-mcpu=cortex-m4 -mthumb -Os -ffreestanding -ffunction-sections -fdata-sections -std=c11)
c_array() { printf 'static const uint8_t %s[] = {' "$1"; od -An -v -tx1 "$2" | tr -s ' \n' ' ' |
  sed 's/^ //; s/ $//; s/\([0-9a-f][0-9a-f]\)/0x\1,/g'; printf '};\n'; }
for fmt in otaflow jojodiff; do
  "$BUILD/bin/otaflow-image" diff "$OLD" "$NEW" -o "$work/p.$fmt" --format "$fmt" >/dev/null
  { c_array delta_base "$OLD"; c_array delta_patch "$work/p.$fmt"; c_array delta_target "$NEW"; } \
    > "$work/delta_vector.h"
  arm-none-eabi-gcc "${M4[@]}" -Iinclude -Isrc -Iscripts -I"$work" -nostartfiles --specs=nano.specs \
    --specs=nosys.specs -Wl,--gc-sections -T scripts/qemu_m4.ld scripts/delta_apply_main.c \
    src/delta.c src/delta_ofd.c src/delta_jojo.c -o "$work/apply.elf"
  out=$(timeout 300 qemu-system-arm -M mps2-an386 -icount shift=0 -nographic -monitor none \
          -serial none -semihosting-config enable=on,target=native -kernel "$work/apply.elf" 2>&1) \
    || { echo "delta_apply_bench: $fmt: $out" >&2; exit 1; }
  ticks=$(echo "$out" | sed -n 's/.* ticks=\([0-9]*\).*/\1/p')
  stack=$(echo "$out" | sed -n 's/.*stack=\([0-9]*\).*/\1/p')
  size=$(stat -c %s "$NEW")
  echo "$fmt: patch $(stat -c %s "$work/p.$fmt") B -> target $size B: $((ticks * 40)) instructions ($((ticks * 40 / size)) per target byte), stack $stack B"
done
