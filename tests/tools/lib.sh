# SPDX-License-Identifier: Apache-2.0
# Shared by tests/tools/test_*.sh (sourced, not a test itself).
# Gives: $TOOL (the otaflow-image binary), $WORK (a temporary directory removed on exit),
# check/expect_fail helpers, an Intel HEX record writer and a cross-compiler for test programs.
set -euo pipefail

: "${OTA_BIN:?OTA_BIN must point at build/bin}"
TOOL="$(cd "$OTA_BIN" && pwd)/otaflow-image"
[[ -x "$TOOL" ]] || { echo "missing $TOOL" >&2; exit 1; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

CHECKS=0
# ok MESSAGE: one line for each thing checked.
ok() { CHECKS=$((CHECKS + 1)); echo "ok - $*"; }
die() { echo "FAIL - $*" >&2; exit 1; }

# expect_fail EXIT_CODE PATTERN -- COMMAND...: COMMAND must exit with EXIT_CODE and print exactly
# one line on stderr, matching PATTERN (grep -E).
expect_fail() {
  local want=$1 pattern=$2; shift 3
  local rc=0
  "$@" >"$WORK/out.txt" 2>"$WORK/err.txt" || rc=$?
  [[ $rc -eq $want ]] || die "$* exited $rc, expected $want; stderr: $(cat "$WORK/err.txt")"
  local lines; lines=$(wc -l <"$WORK/err.txt")
  [[ $lines -eq 1 ]] || die "$* printed $lines lines on stderr, expected one: $(cat "$WORK/err.txt")"
  grep -Eq -- "$pattern" "$WORK/err.txt" || die "$*: stderr '$(cat "$WORK/err.txt")' does not match '$pattern'"
  LAST_ERROR=$(cat "$WORK/err.txt")
}

# ihex_record TYPE ADDR16 [HEXDATA]: one Intel HEX record with a correct checksum.
ihex_record() {
  local type=$1 addr=$2 data=${3:-}
  local n=$(( ${#data} / 2 )) i
  local sum=$(( n + (addr >> 8) + (addr & 255) + type ))
  for ((i = 0; i < ${#data}; i += 2)); do sum=$(( sum + 16#${data:i:2} )); done
  printf ':%02X%04X%02X%s%02X\n' "$n" "$addr" "$type" "$data" $(( (256 - (sum & 255)) & 255 ))
}

# cross_build NAME TEXT_ADDR DATA_ADDR [EXTRA_C]: NAME.elf (Cortex-M4 program with code,
# rodata and initialised data), NAME.hex (objcopy -O ihex), NAME.ref.bin (objcopy -O binary,
# gaps 0xFF as hex2bin fills them).
cross_build() {
  local name=$1 text=$2 data=$3 extra=${4:-}
  cat >"$name.c" <<CEOF
const char banner[] = "otaflow $name";
int counter = 0x5A5A1234;
static volatile int sink;
$extra
int main(void)
{
    for (int i = 0; i < counter % 97; i++) {
        sink += banner[i % (int)sizeof banner];
    }
    return sink;
}
void _start(void)
{
    (void)main();
    for (;;) {
    }
}
CEOF
  arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -nostdlib -ffreestanding -Os -Wall -Werror \
    -Wl,-Ttext="$text" -Wl,--section-start=.data="$data" -o "$name.elf" "$name.c"
  arm-none-eabi-objcopy -O ihex "$name.elf" "$name.hex"
  arm-none-eabi-objcopy -O binary --gap-fill 0xff "$name.elf" "$name.ref.bin"
}

# Independent reference reader: binutils converting Intel HEX back to binary (gaps 0xFF).
objcopy_hex2bin() { arm-none-eabi-objcopy -I ihex -O binary --gap-fill 0xff "$1" "$2"; }

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

done_checks() { echo "$(basename "$0"): $CHECKS checks passed"; }

# Python for structure checks; isolated mode (-I) starts about twice as fast as a plain python3.
py() { python3 -I "$@"; }
