#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# SHA-256 on a Cortex-M4 (docs/decisions.md, "A compact SHA-256 for the lean bootloaders"):
# links scripts/sha256_bench_main.c (arm-none-eabi-gcc -Os, --gc-sections, newlib-nano) with
# each SHA-256 the core can have (and the lean bootloader's mem* byte loops): src/crypto_sha256_small.c (OTA_SHA256_SMALL=1), BearSSL's
# through src/crypto_bearssl.c, mbedTLS's (MBEDTLS_SHA256_SMALLER, as the firmware configures
# it) through src/crypto_mbedtls.c, the libraries built from Debian's source packages
# (scripts/debian_source.sh); runs each on QEMU's mps2-an386 with -icount shift=0 and prints
# its text over an empty stub (the contract's glue included), the instructions 1 MiB took,
# per byte, and the stack. Needs arm-none-eabi-gcc and qemu-system-arm (make deps).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
cd "$ROOT"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
BEARSSL=$(bash scripts/debian_source.sh bearssl "$BUILD/debian-src")
MBEDTLS=$(bash scripts/debian_source.sh mbedtls "$BUILD/debian-src")
M4=(-mcpu=cortex-m4 -mthumb -Os -ffreestanding -ffunction-sections -fdata-sections -std=c11)
LINK=(-nostartfiles --specs=nano.specs --specs=nosys.specs -Wl,--gc-sections -T scripts/qemu_m4.ld)

# The expected digest of the 1 MiB of zeros the program hashes.
python3 -I - "$work/sha256_bench_vector.h" <<'PY'
import hashlib, sys
d = hashlib.sha256(bytes(1 << 20)).digest()
open(sys.argv[1], "w").write("static const uint8_t sha256_bench_expected[32] = {%s};\n"
                             % ", ".join("0x%02x" % b for b in d))
PY
cat > "$work/mbedtls_sha_config.h" <<'H'
#define MBEDTLS_SHA256_C
#define MBEDTLS_SHA256_SMALLER
H

# The lean bootloader's mem* byte loops (port/cortex-m/mem_small.c), as it links them.
arm-none-eabi-gcc "${M4[@]}" -fno-tree-loop-distribute-patterns -c port/cortex-m/mem_small.c \
  -o "$work/mem_small.o"

# name, then the compiler arguments of the SHA-256's own files
bench() {
  local name=$1; shift
  arm-none-eabi-gcc "${M4[@]}" -Iinclude -Iscripts -I"$work" "${LINK[@]}" "$@" \
    "$work/mem_small.o" -o "$work/$name.elf" -w
  local out
  out=$(timeout 600 qemu-system-arm -M mps2-an386 -icount shift=0 -nographic -monitor none \
          -serial none -semihosting-config enable=on,target=native -kernel "$work/$name.elf" 2>&1) \
    || { echo "sha256_bench: $name: $out" >&2; exit 1; }
  case $out in *result=0*) ;; *) echo "sha256_bench: $name: wrong digest or failure: $out" >&2; exit 1 ;; esac
  local ticks stack text
  ticks=$(echo "$out" | sed -n 's/.* ticks=\([0-9]*\).*/\1/p')
  stack=$(echo "$out" | sed -n 's/.*stack=\([0-9]*\).*/\1/p')
  text=$(arm-none-eabi-size "$work/$name.elf" | awk 'NR == 2 {print $1}')
  if [ "$name" = empty ]; then base_text=$text; return; fi
  echo "$name: text $((text - base_text)) B; 1 MiB: $((ticks * 40)) instructions ($((ticks * 40 / 1048576)) per byte), stack $stack B"
}
MAIN=scripts/sha256_bench_main.c
bench empty -DSHA256_BENCH_EMPTY $MAIN
bench small -DOTA_SHA256_SMALL=1 $MAIN src/crypto_sha256_small.c
bench bearssl -I"$BEARSSL/inc" -I"$BEARSSL/src" $MAIN src/crypto_bearssl.c \
  "$BEARSSL/src/hash/sha2small.c" "$BEARSSL/src/codec/dec32be.c" "$BEARSSL/src/codec/enc32be.c"
bench mbedtls -I"$MBEDTLS/include" "-DMBEDTLS_CONFIG_FILE=\"$work/mbedtls_sha_config.h\"" $MAIN \
  src/crypto_mbedtls.c "$MBEDTLS/library/sha256.c" "$MBEDTLS/library/platform_util.c"
