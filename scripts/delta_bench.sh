#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Patch sizes for docs/delta.md: pairs of real Cortex-M4 firmware builds, each patched with
# otaflow's format, the jojodiff format (both by otaflow-image diff), bsdiff and xdelta3 -9
# (Debian, references), beside the full new image compressed (gzip -9, xz -9).
#   delta_bench.sh [BUILD]   BUILD: a build directory after `make firmware` (and, for the
#                            crypto-swap pair, `make firmware FW_CRYPTO=bearssl`); default build
# Pairs: small change (the example app and its crash-at-start variant: one define), crypto
# backend swap (mbedTLS -> BearSSL build of the app), compiler-flag change (the app rebuilt
# here with -fno-inline-small-functions, in BUILD/delta-bench). Prints a Markdown table.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$here/build}" && pwd)
tool=$build/bin/otaflow-image
fw=$build/firmware
[[ -x $tool && -f $fw/example-app.bin ]] || { echo "delta_bench: needs $tool and make firmware" >&2; exit 1; }
bench=$build/delta-bench
mkdir -p "$bench"
if [[ ! -f $bench/fw/example-app.bin ]]; then
  cmake -S "$here/firmware" -B "$bench/fw" -DCMAKE_TOOLCHAIN_FILE="$here/cmake/toolchain-arm-none-eabi.cmake" \
    -DOTA_DEBIAN_SRC="$build/debian-src" -DCMAKE_C_FLAGS="-mcpu=cortex-m4 -mthumb -mfloat-abi=soft -fno-inline-small-functions" >"$bench/configure.log" 2>&1
  cmake --build "$bench/fw" -j "${JOBS:-2}" --target example-app.elf >"$bench/build.log" 2>&1
fi
pairs=("small change (one define)|$fw/example-app.bin|$fw/example-app-crash.bin"
       "compiler flag (-fno-inline-small-functions)|$fw/example-app.bin|$bench/fw/example-app.bin")
if [[ -f $build/firmware-bearssl/example-app.bin ]]; then
  pairs+=("crypto backend swap (mbedTLS -> BearSSL)|$fw/example-app.bin|$build/firmware-bearssl/example-app.bin")
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
echo "| pair | new image | otaflow | jojodiff | bsdiff | xdelta3 -9 | gzip -9 | xz -9 |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
for p in "${pairs[@]}"; do
  IFS='|' read -r name old new <<<"$p"
  "$tool" diff "$old" "$new" -o "$tmp/o" >/dev/null
  "$tool" diff "$old" "$new" -o "$tmp/j" --format jojodiff >/dev/null
  for f in o j; do
    "$tool" patch "$old" "$tmp/$f" -o "$tmp/check" >/dev/null
    cmp -s "$tmp/check" "$new" || { echo "delta_bench: $name: patch $f does not rebuild the image" >&2; exit 1; }
  done
  bsdiff "$old" "$new" "$tmp/b"
  xdelta3 -f -e -9 -s "$old" "$new" "$tmp/x"
  pct() { echo "$(stat -c %s "$1") ($(( $(stat -c %s "$1") * 1000 / $(stat -c %s "$new") )) ‰)"; }
  echo "| $name | $(stat -c %s "$new") | $(pct "$tmp/o") | $(pct "$tmp/j") | $(pct "$tmp/b") | $(pct "$tmp/x") | $(gzip -9 -c "$new" | wc -c) | $(xz -9 -c "$new" | wc -c) |"
done
