#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# docs/footprint.md's linked figures are those of the firmware the build made: the tables of
# parts, src/ modules and program objects are re-derived from the link maps of make firmware
# (build/firmware; build/firmware-bearssl too when it is current) and compared figure by figure
# with the committed ones. A stale figure fails the test: run make footprint and commit.
# First a self-test: a doc with one figure changed must be reported stale.
set -euo pipefail
: "${OTA_SOURCE_DIR:?}" "${OTA_BUILD_DIR:?}"
LINK="$OTA_SOURCE_DIR/scripts/footprint_link.py"
DOC="$OTA_SOURCE_DIR/docs/footprint.md"
FW="$OTA_BUILD_DIR/firmware" FW_B="$OTA_BUILD_DIR/firmware-bearssl"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

[[ -f "$FW/bootloader.map" && -f "$FW/example-app.map" ]] ||
  { echo "FAIL - no link maps in $FW: make firmware first (make test does)" >&2; exit 1; }

# Self-test: the doc with the bootloader's total text one byte more must be named stale.
python3 - "$DOC" >"$WORK/bumped.md" <<'PY'
import re, sys
doc = open(sys.argv[1]).read()
m = re.search(r"^\| \*\*total\*\* \| ([0-9,]+) /", doc, re.M)
if not m:
    sys.exit("FAIL - docs/footprint.md has no linked total")
print(doc[:m.start(1)] + f"{int(m.group(1).replace(',', '')) + 1:,}" + doc[m.end(1):], end="")
PY
if python3 "$LINK" check "$WORK/bumped.md" "$FW" >"$WORK/self.txt" 2>&1; then
  cat "$WORK/self.txt" >&2; echo "FAIL - self-test: a changed total was not reported stale" >&2; exit 1
fi
grep -q "^stale: parts: '\*\*total\*\*', bootloader, mbedTLS" "$WORK/self.txt" ||
  { cat "$WORK/self.txt" >&2; echo "FAIL - self-test: the stale total was not named" >&2; exit 1; }
echo "ok - self-test: a bootloader total one byte off is reported stale"

# make test builds build/firmware only; a BearSSL build (make firmware FW_CRYPTO=bearssl) is
# compared too when none of the firmware's sources changed after it was linked.
dirs=("$FW")
if [[ -f "$FW_B/bootloader.map" && -f "$FW_B/example-app.map" ]]; then
  newer=$(cd "$OTA_SOURCE_DIR" && find src include port firmware examples scripts/bearssl_verifier_files.txt \
    -newer "$FW_B/bootloader.map" -type f -print -quit)
  if [[ -z "$newer" ]]; then
    dirs+=("$FW_B")
  else
    echo "note - $FW_B not compared: $newer changed after it was linked"
  fi
fi
if ! python3 "$LINK" check "$DOC" "${dirs[@]}"; then
  echo "FAIL - docs/footprint.md is stale: run make footprint and commit docs/footprint.md" >&2
  exit 1
fi
echo "ok - docs/footprint.md's linked figures match the images in ${dirs[*]}"
