#!/usr/bin/env bash
# Measures the footprint of the portable core for a Cortex-M4 (arm-none-eabi-gcc -Os) and
# writes docs/footprint.md: code size per file and the RAM of each caller-owned struct.
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
} > "$out"
echo "footprint: wrote $out"
