#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Compiles every file of src/ for a Cortex-M4 (arm-none-eabi-gcc, freestanding, -Os) and checks
# that the portable core uses no OS header and no heap. Exits non-zero on the first problem.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
CC=${CROSS_CC:-arm-none-eabi-gcc}
if ! command -v "$CC" >/dev/null 2>&1; then
  echo "cross-check: $CC not found (run make deps)" >&2; exit 1
fi

# Third-party headers the core includes, exposed alone so that the cross compiler never sees
# the host's /usr/include (which would hide a host-only dependency).
inc=$(mktemp -d); trap 'rm -rf "$inc"' EXIT
ln -s /usr/include/mbedtls "$inc/mbedtls"
ln -s /usr/include/jsmn.h "$inc/jsmn.h"
ln -s /usr/include/http_parser.h "$inc/http_parser.h"

fail=0
# No OS headers, no heap in the portable core.
if grep -nE '#\s*include\s*<(unistd|pthread|fcntl|signal|dirent|netdb|poll|termios|sys/|arpa/|netinet/)' src/*.c include/otaflow/*.h; then
  echo "cross-check: OS header in the portable core" >&2; fail=1
fi
if grep -nE '\b(malloc|calloc|realloc|free|printf|fprintf|fopen|exit)\s*\(' src/*.c | grep -vE '^\S+:\s*(//|/?\*)'; then
  echo "cross-check: heap, stdio or exit used in the portable core" >&2; fail=1
fi

FLAGS=(-mcpu=cortex-m4 -mthumb -Os -ffreestanding -std=c11 -Wall -Wextra -Werror -Wconversion
       -Wshadow -Wstrict-prototypes -Wmissing-prototypes -ffunction-sections -fdata-sections
       -Iinclude -isystem "$inc" -DNDEBUG)
n=0
for f in src/*.c; do
  [ -e "$f" ] || continue
  if ! "$CC" "${FLAGS[@]}" -c "$f" -o "$inc/$(basename "$f").o"; then
    echo "cross-check: $f does not compile for cortex-m4" >&2; fail=1
  fi
  n=$((n+1))
done
[ $fail -eq 0 ] || exit 1
# Firmware builds leave OTA_ENABLE_ASSERT at 0: the internal checks must cost nothing there.
if arm-none-eabi-nm -u "$inc"/*.o | grep -q ota_port_assert_failed; then
  echo "cross-check: OTA_ASSERT is not compiled out with OTA_ENABLE_ASSERT=0" >&2; exit 1
fi
echo "cross-check: $n files of src/ compile for cortex-m4 (-Os -ffreestanding), no OS header, no heap"
if [ $n -gt 0 ]; then
  arm-none-eabi-size -t "$inc"/*.o | tail -1 | awk '{print "cross-check: text "$1" B, data "$2" B, bss "$3" B (all of src/, before gc)"}'
fi
