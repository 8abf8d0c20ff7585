#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Measures the footprint of the portable core for a Cortex-M4 (arm-none-eabi-gcc -Os) and
# writes docs/footprint.md: code size per file and the RAM of each caller-owned struct, the
# signature verification path (code, stack, mbedTLS heap measured on the host), then every
# docs/footprint-*.md appended as it is (sections written by hand survive regeneration).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
CC=arm-none-eabi-gcc
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
ln -s /usr/include/mbedtls "$work/mbedtls"
ln -s /usr/include/jsmn.h "$work/jsmn.h"
ln -s /usr/include/http_parser.h "$work/http_parser.h"
FLAGS=(-mcpu=cortex-m4 -mthumb -Os -ffreestanding -std=c11 -ffunction-sections -fdata-sections
       -Iinclude -isystem "$work" -DNDEBUG)

for f in src/*.c; do
  "$CC" "${FLAGS[@]}" -fstack-usage -c "$f" -o "$work/$(basename "$f" .c).o"
done

# sizeof() of each struct, read back as the size of a symbol of that size.
cat > "$work/sizes.c" <<'C'
#include "otaflow/agent.h"
#include "otaflow/boot.h"
#define SZ(name, type) const char name[sizeof(type)] = {0};
SZ(sz_ota_agent_t, ota_agent_t)
SZ(sz_ota_http_client_t, ota_http_client_t)
SZ(sz_ota_store_t, ota_store_t)
SZ(sz_ota_manifest_plan_t, ota_manifest_plan_t)
SZ(sz_ota_manifest_token_t, ota_manifest_token_t)
SZ(sz_ota_boot_t, ota_boot_t)
SZ(sz_ota_image_info_t, ota_image_info_t)
SZ(sz_ota_sha256_t, ota_sha256_t)
C
"$CC" "${FLAGS[@]}" -c "$work/sizes.c" -o "$work/sizes.obj"

out=docs/footprint.md
{
  echo "# Footprint"
  echo
  echo "Measured by \`scripts/footprint.sh\` with $($CC --version | head -1),"
  echo "\`-mcpu=cortex-m4 -mthumb -Os -ffunction-sections -fdata-sections\`, objects before"
  echo "linking (no garbage collection): an upper bound of what a firmware links in."
  echo "Third-party code (mbedTLS, http-parser) is not included here."
  echo
  echo "## Code (text) per file of src/"
  echo
  echo "| file | text | data | bss |"
  echo "|---|---:|---:|---:|"
  total=0
  for o in "$work"/*.o; do
    read -r t d b _ < <(arm-none-eabi-size "$o" | tail -1)
    echo "| $(basename "$o" .o).c | $t | $d | $b |"
    total=$((total + t))
  done
  echo "| **total** | **$total** | | |"
  echo
  echo "## RAM: caller-owned structs (sizeof on Cortex-M4)"
  echo
  echo "Everything the core needs lives in these; nothing is allocated."
  echo
  echo "| struct | bytes | holds |"
  echo "|---|---:|---|"
  arm-none-eabi-nm -S "$work/sizes.obj" | while read -r _ hex _ sym; do echo "$sym $((16#$hex))"; done | sort | \
  while read -r sym size; do
    name=${sym#sz_}
    case $name in
      ota_agent_t) what="the whole agent: HTTP client + its 2 KB buffer, 4 KB manifest buffer, JSON tokens, plan";;
      ota_http_client_t) what="HTTP client state (without its I/O buffer)";;
      ota_store_t) what="image store: two snapshots, record buffer, 512 B work buffer";;
      ota_manifest_plan_t) what="selection result (erase list + update with its URL)";;
      ota_manifest_token_t) what="one JSON token (the agent holds OTA_AGENT_MANIFEST_TOKENS)";;
      ota_boot_t) what="bootloader work memory (copy + compare buffers)";;
      ota_image_info_t) what="parsed image header and TLVs";;
      ota_sha256_t) what="SHA-256 context storage";;
      *) what="";;
    esac
    echo "| \`$name\` | $size | $what |"
  done
  echo
  echo "An application running the agent needs \`ota_agent_t\` plus \`ota_store_t\` (the store is"
  echo "shared with the application for \`ota_confirm\`)."
  echo
  echo "## Stack: the largest frames (\`-fstack-usage\`)"
  echo
  echo "Nothing in src/ recurses, so the deepest call chain is bounded by the sum of a few of"
  echo "these frames (plus mbedTLS's SHA-256 block function, whose 64-word message schedule alone is 256 B)."
  echo
  echo "| function | bytes | kind |"
  echo "|---|---:|---|"
  cat "$work"/*.su | sort -t$'\t' -k2 -n -r | sed -n 1,8p | \
    while IFS=$'\t' read -r fn bytes kind; do echo "| \`${fn##*:}\` | $bytes | $kind |"; done

  # The verify path of signed images (it goes into the bootloader): our code, its stack, and
  # the heap mbedTLS takes for one verification, measured on the host.
  sig_text=0
  for f in crypto_mbedtls sig_verify sig_ecdsa_p256 image_sig store_policy; do
    read -r t _ < <(arm-none-eabi-size "$work/$f.o" | tail -1)
    sig_text=$((sig_text + t))
  done
  sig_stack=$(cat "$work"/*.su | awk -F'\t' '$1 ~ /:ota_sig_ecdsa_p256_verify$/ {print $2}')
  gcc -O2 -std=c11 -D_DEFAULT_SOURCE -Iinclude scripts/footprint_ecdsa_heap.c src/crypto_mbedtls.c \
    src/sig_verify.c src/sig_ecdsa_p256.c \
    -Wl,--wrap=calloc -Wl,--wrap=free /usr/lib/x86_64-linux-gnu/libmbedcrypto.a -o "$work/ecdsa_heap"
  read -r h_status h_peak h_blocks h_calls h_left h_ms < <("$work/ecdsa_heap")
  for _ in 1 2 3 4; do  # the time is the best of five runs (the machine may be busy)
    read -r _ _ _ _ _ t < <("$work/ecdsa_heap")
    h_ms=$(awk -v a="$h_ms" -v b="$t" 'BEGIN {print (b < a ? b : a)}')
  done
  [ "$h_status" = 0 ] && [ "$h_left" = 0 ] || { echo "footprint: ecdsa heap measurement failed" >&2; exit 1; }
  echo
  echo "## Signature verification (measured)"
  echo
  echo "| what | value |"
  echo "|---|---:|"
  echo "| code of crypto_mbedtls.c + sig_verify.c + sig_ecdsa_p256.c + image_sig.c + store_policy.c (Cortex-M4, above) | $sig_text B |"
  echo "| stack frame of \`ota_sig_ecdsa_p256_verify\` (Cortex-M4) | ${sig_stack:-?} B |"
  echo "| mbedTLS heap, peak of one P-256 verify (host, Debian libmbedcrypto, bytes requested) | $h_peak B |"
  echo "| blocks live at that peak | $h_blocks |"
  echo "| allocations during one verify | $h_calls |"
  echo "| time of one verify (host x86-64, best of 5) | $h_ms ms |"
  echo
  echo "mbedTLS itself (bignum, ecp, ecdsa, asn1) is not in these numbers: see the notes below."

  # Sections written by hand (or by other measurements), kept across regenerations.
  for extra in docs/footprint-*.md; do
    [ -e "$extra" ] || continue
    echo
    cat "$extra"
  done
} > "$out"
echo "footprint: wrote $out"
