#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Power cuts while the bootloader on the emulated Cortex-M4 installs an update: each of v2,
# v3, v4 is put in the store as a pending install (otaflow-board attack plant), the power is
# cut at a different flash operation of the install (--power-cut-at; before, torn (that
# operation left half done in the board's flash files) or after it), and the next power-on
# finishes the install: the new version runs confirmed.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/qemu_lib.sh"
ota_qemu_workspace
for v in 1 2 3 4; do ota_pack "$APP" $v app_v$v.ota; done
ota_qemu_board "$B" app_v1.ota --confirm-on-start on
ota_run 0 first.log "$B" --until-console 'app: version 1 confirmed' --timeout 30

# v2..v4 are one binary: the install rewrites only the sectors that differ (the header's, in
# the descriptor page after the region: erase, program, the magic last), a handful of
# operations, and the cuts fall on the first, the second and the third of them, each in its
# own mode (a cut after the fifth came after the magic: nothing left to finish).
cut=1
modes=(x x before torn after)
for v in 2 3 4; do
    "$OTA_BIN/otaflow-board" attack "$B" plant app_v$v.ota >/dev/null
    ota_run 4 cut$v.log "$B" --power-cut-at $cut --cut-mode "${modes[$v]}" --seed $v --timeout 30
    ota_check "v$v: the cut came during the install" \
        "$(( $(ota_count "boot: installing v$v" cut$v.log) == 1 &&
             $(ota_count "boot: installed v$v" cut$v.log) == 0 ))" 1
    ota_expect "$B" "v$v: the board is dead after the cut" 's["power"]' dead
    ota_run 0 after$v.log "$B" --until-console "app: version $v confirmed" --timeout 30
    ota_check "v$v: the next power-on finished the install" \
        "$(ota_count "boot: installed v$v" after$v.log)" 1
    ota_expect "$B" "v$v runs" 's["running_version"]' $v \
        "v$v: boot state" 's["boot_state"]' confirmed "v$v: power" 's["power"]' on
    cut=$((cut + 1))
done
ota_qemu_none_left
