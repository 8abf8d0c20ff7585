#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# otaflow-image diff and patch (docs/delta.md): for pairs of Cortex-M4 builds, each patch in
# both formats applies (with the device's applier) to the new file byte for byte; a patch
# refuses another base, a cut patch and a foreign file with the applier's named error. Patch
# sizes are printed beside bsdiff's and xdelta3's (Debian) for reference, not asserted.
source "$(dirname "$0")/lib.sh"

# Two versions of a small program: one constant changed, a function added, data grown.
cross_build v1 0x00000000 0x00008000 'const unsigned table[600] = {1, 2, 3, [599] = 7};
unsigned pick(unsigned i) { return table[i % 600] * 3u; }'
cross_build v2 0x00000000 0x00008000 'const unsigned table[640] = {1, 2, 4, [599] = 7, [639] = 9};
unsigned pick(unsigned i) { return table[i % 640] * 3u + 1u; }
unsigned added(unsigned x) { return pick(x) ^ pick(x + 1u); }'
pairs=("v1.ref.bin v2.ref.bin")
fw=${OTA_BUILD_DIR:-}/firmware
if [[ -f $fw/example-app.bin && -f $fw/example-app-crash.bin ]]; then
  cp "$fw/example-app.bin" app.bin
  cp "$fw/example-app-crash.bin" app-crash.bin # one define apart (docs/firmware.md)
  pairs+=("app.bin app-crash.bin" "app-crash.bin app.bin")
fi

for pair in "${pairs[@]}"; do
  read -r old new <<<"$pair"
  line="$old -> $new ($(stat -c %s "$new") B):"
  for fmt in otaflow jojodiff; do
    "$TOOL" diff "$old" "$new" -o "p.$fmt" --format "$fmt" >/dev/null
    "$TOOL" patch "$old" "p.$fmt" -o out.bin >/dev/null
    cmp -s out.bin "$new" || die "$fmt patch of $old -> $new does not give $new"
    line+=" $fmt $(stat -c %s "p.$fmt")"
  done
  ok "diff + patch in both formats rebuild $new from $old byte for byte"
  if command -v bsdiff >/dev/null; then bsdiff "$old" "$new" p.bsdiff && line+=", bsdiff $(stat -c %s p.bsdiff)"; fi
  if command -v xdelta3 >/dev/null; then xdelta3 -f -e -9 -s "$old" "$new" p.xd3 && line+=", xdelta3 -9 $(stat -c %s p.xd3)"; fi
  echo "sizes: $line"
done

# Small blocks (more checkpoints) apply the same.
"$TOOL" diff v1.ref.bin v2.ref.bin -o small.patch --block-size 1024 >/dev/null
"$TOOL" patch v1.ref.bin small.patch -o out.bin >/dev/null
cmp -s out.bin v2.ref.bin || die "a patch of 1 KB blocks does not give v2"
ok "a patch of 1 KB blocks applies"

# Identical files: a patch of a few bytes.
"$TOOL" diff v2.ref.bin v2.ref.bin -o same.patch >/dev/null
[[ $(stat -c %s same.patch) -lt 64 ]] || die "identical files: patch of $(stat -c %s same.patch) bytes"
ok "identical files give a patch of $(stat -c %s same.patch) bytes"

# Refusals, each with the applier's named status.
"$TOOL" diff v1.ref.bin v2.ref.bin -o p.otaflow >/dev/null
rm -f out.bin
head -c 1000 v1.ref.bin > other.bin
expect_fail 1 'patch: p.otaflow does not apply to other.bin: OTA_DELTA_ERR_BASE_SIZE' -- \
  "$TOOL" patch other.bin p.otaflow -o out.bin
ok "a patch refuses another base: $LAST_ERROR"
head -c $(( $(stat -c %s p.otaflow) - 3 )) p.otaflow > cut.patch
expect_fail 1 'OTA_DELTA_ERR_TRUNCATED' -- "$TOOL" patch v1.ref.bin cut.patch -o out.bin
ok "a cut patch is refused: $LAST_ERROR"
expect_fail 1 'OTA_DELTA_ERR_FORMAT' -- "$TOOL" patch v1.ref.bin v1.hex -o out.bin
ok "a file in neither format is refused: $LAST_ERROR"
expect_fail 1 'diff: cannot read missing.bin' -- "$TOOL" diff v1.ref.bin missing.bin -o out.bin
expect_fail 1 'patch: cannot read missing.bin' -- "$TOOL" patch missing.bin p.otaflow -o out.bin
ok "a missing input is named: $LAST_ERROR"
[[ ! -e out.bin ]] || die "a refused patch left an output file"

# A jojodiff patch written by hand from the format's description: EQL 4, MOD "ab", INS ESC.
printf '0123456789' > base.txt
printf '\xa7\xa3\x03\xa7\xa6ab\xa7\xa5\xa7\xa7\xa7\xa3\x03' > hand.jojo
"$TOOL" patch base.txt hand.jojo -o hand.out >/dev/null
[[ $(od -An -tx1 hand.out | tr -d ' \n') == 303132336162a736373839 ]] || die "hand-made jojodiff patch: $(od -An -tx1 hand.out)"
ok "a hand-made jojodiff patch applies"

expect_fail 2 'format must be otaflow or jojodiff' -- "$TOOL" diff v1.ref.bin v2.ref.bin -o x --format zip
expect_fail 2 'block-size must be a power of two' -- "$TOOL" diff v1.ref.bin v2.ref.bin -o x --block-size 1000
expect_fail 2 'missing -o' -- "$TOOL" patch v1.ref.bin p.otaflow
ok "usage errors: unknown format, bad block size, no output"
"$TOOL" diff --help | grep -q '^usage: otaflow-image diff OLD NEW -o PATCH' || die "diff --help"
"$TOOL" patch v1.ref.bin --help | grep -q '^usage: otaflow-image patch OLD PATCH -o NEW' || die "patch --help"
ok "diff --help and patch --help print their usage, exit 0"
done_checks
