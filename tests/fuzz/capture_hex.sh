#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Seeds for target ihex (issue 7): real Intel HEX from arm-none-eabi-objcopy, of small
# Cortex-M4 programs linked where otaflow's images live (PIC32MZ W1 application slot at
# 0x10020000, a PIC32 KSEG-style address 0x9D000000, data in RAM at 0x20000000), all sections
# or .text only.
# usage: capture_hex.sh <corpus dir>   (normally tests/fuzz/corpus/ihex)
set -euo pipefail
out=$1
mkdir -p "$out"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cat >"$work/app.c" <<'CEOF'
const char banner[] = "otaflow fuzz seed";
int counter = 0x5A5A1234;
static volatile int sink;
void _start(void)
{
    for (int i = 0; i < counter % 97; i++) {
        sink += banner[i % (int)sizeof banner];
    }
    for (;;) {
    }
}
CEOF
build() { # name text data [objcopy options...]
  local name=$1 text=$2 data=$3; shift 3
  arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -nostdlib -ffreestanding -Os -Wall -Werror \
    -Wl,-Ttext="$text" -Wl,--section-start=.data="$data" -o "$work/$name.elf" "$work/app.c"
  arm-none-eabi-objcopy -O ihex "$@" "$work/$name.elf" "$out/$name.hex"
  echo "capture: $name.hex: $(wc -l <"$out/$name.hex") records"
}
build slot-and-ram 0x10020000 0x20000000
build low-contiguous 0x00000000 0x00000400
build kseg 0x9D000000 0x9D000800
build text-only 0x10020000 0x10021000 -j .text
# objcopy writes I32HEX with CRLF line ends; an LF-only copy covers the other line end
# (segment records, types 02/03, come from the unit tests' inputs instead).
tr -d '\r' <"$out/slot-and-ram.hex" >"$out/slot-and-ram-lf.hex"
echo "capture: slot-and-ram-lf.hex"
