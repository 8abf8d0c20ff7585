#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Power cuts during an update, at a few points given by --power-cut-at (the exhaustive sweep
# is tests/powercut): during the first boot, the download, the install and the trial boot,
# in each cut mode. After each cut the board is dead (exit 4); the next run completes the
# update (version 2 running and confirmed, version 1 still the factory image).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ota_setup
WWW=$OTA_TMP/www T=$OTA_TMP/template
mkdir -p "$WWW"
ota_pack "$OTA_BIN/otaflow-example-app" 1 "$WWW/app_v1.ota"
ota_pack "$OTA_BIN/otaflow-example-app" 2 "$WWW/app_v2.ota"
ota_start_python_server "$WWW"
ota_publish "$WWW/ota.json" 2 "$WWW/app_v2.ota"
ota_new_board "$T" "$WWW/app_v1.ota"

# Reference run: where the operations of this update fall.
cp -r "$T" "$OTA_TMP/ref"
ota_run 0 "$OTA_TMP/ref.log" "$OTA_TMP/ref" --until-version 2 --timeout 30
reset_at=$(sed -n 's/.*reset #1: .*after flash operation \([0-9]*\) of this run.*/\1/p' "$OTA_TMP/ref.log")
total=$(ota_json "$OTA_TMP/ref" 's["power_ops"]')
[[ -n "$reset_at" && "$total" -gt "$reset_at" ]] || ota_fail "reference run: no reset seen"
echo "reference: $reset_at operations before the reset, $total in all"

points=(
    "2 before"                                  # first boot: saving the factory image
    "$((reset_at / 2)) torn"                    # middle of the download
    "$((reset_at + 1)) before"                  # first operation of the install
    "$(((reset_at + total) / 2)) torn"          # middle of the install
    "$((total - 1)) after"                      # trial record / confirm
    "$total torn"                               # the very last operation
)
for point in "${points[@]}"; do
    read -r at mode <<<"$point"
    B=$OTA_TMP/cut-$at-$mode
    cp -r "$T" "$B"
    ota_run 4 "$B.cut.log" "$B" --until-version 2 --timeout 30 --power-cut-at "$at" --cut-mode "$mode"
    ota_check "cut at $at ($mode): the board died" \
        "$(ota_count "power cut at flash operation $at of this run" "$B.cut.log")" 1
    ota_run 0 "$B.log" "$B" --until-version 2 --timeout 30
    ota_expect "$B" \
        "cut at $at ($mode): then version 2 runs confirmed" \
        '(s["running_version"], s["boot_state"])' "(2, 'confirmed')" \
        "cut at $at ($mode): factory image intact" \
        '[(i["version"], i["state"]) for i in s["images"] if i["slot"] == 0]' "[(1, 'stored')]"
done
