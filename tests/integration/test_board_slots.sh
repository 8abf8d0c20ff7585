#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# One download slot (`create --slots 1`): updates in a row, each confirmed and running, the
# new image's download taking the slot that held the running (confirmed) image's copy; then a
# release that crashes at start: with no copy of the image it replaced, its failed trial goes
# back to the factory image, and the slot serves the next update. (Before the store could give
# up a confirmed image's copy, every check after the first update ended in "store full".)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ota_workspace
for v in 1 2 3; do ota_pack "$OTA_BIN/otaflow-example-app" $v "$WWW/app_v$v.ota"; done
ota_pack "$OTA_BIN/otaflow-example-app-crash" 4 "$WWW/app_v4.ota"
ota_start_python_server "$WWW"
ota_publish "$WWW/ota.json" 2 "$WWW/app_v2.ota"
ota_new_board "$B" "$WWW/app_v1.ota" --slots 1 --attempts 3

slots() {
    echo "[(i[\"slot\"], i[\"version\"], i[\"state\"]) for i in s[\"images\"]]"
}

ota_run 0 "$OTA_TMP/v2.log" "$B" --until-version 2 --timeout 30
ota_expect "$B" \
    "v2 confirmed" '(s["running_version"], s["boot_state"])' "(2, 'confirmed')" \
    "factory v1 and v2 in the one download slot" "$(slots)" \
    "[(0, 1, 'stored'), (1, 2, 'installed')]"

ota_publish "$WWW/ota.json" 3 "$WWW/app_v3.ota"
ota_run 0 "$OTA_TMP/v3.log" "$B" --until-version 3 --timeout 30
ota_check "no store full" "$(ota_count 'store full' "$OTA_TMP/v3.log")" 0
ota_check "v3 downloaded once" "$(ota_count 'GET /app_v3.ota' "$OTA_SERVER_LOG")" 1
ota_check "v3 installed from slot 1" \
    "$(ota_count 'boot: installing v3 from slot 1' "$OTA_TMP/v3.log")" 1
ota_expect "$B" \
    "v3 confirmed" '(s["running_version"], s["boot_state"])' "(3, 'confirmed')" \
    "v3 took the slot of v2's copy" "$(slots)" "[(0, 1, 'stored'), (1, 3, 'installed')]"

# v4 crashes at start: three trial boots, then the bootloader goes back to what it has.
ota_publish "$WWW/ota.json" 4 "$WWW/app_v4.ota"
ota_run 0 "$OTA_TMP/v4.log" "$B" --until-rejected 4 --timeout 40
ota_check "v4 started once per trial attempt" \
    "$(ota_count 'app: running version 4' "$OTA_TMP/v4.log")" 3
ota_check "rolled back to the factory image" \
    "$(ota_count 'boot: rolling back: installing v1 from slot 0' "$OTA_TMP/v4.log")" 1
ota_expect "$B" \
    "factory v1 runs, confirmed" '(s["running_version"], s["boot_state"])' "(1, 'confirmed')" \
    "v4 rejected" 's["rejected"]' "[4]" \
    "slot 1 holds the rejected v4" "$(slots)" "[(0, 1, 'stored'), (1, 4, 'rejected')]"

# The manifest still offers v4 (never fetched again) and v3: v3 takes the slot once more.
ota_run 0 "$OTA_TMP/again.log" "$B" --until-version 3 --timeout 30
ota_check "v4 not fetched again" "$(ota_count 'GET /app_v4.ota' "$OTA_SERVER_LOG")" 1
ota_check "v3 fetched again" "$(ota_count 'GET /app_v3.ota' "$OTA_SERVER_LOG")" 2
ota_expect "$B" "v3 back in slot 1" "$(slots)" "[(0, 1, 'stored'), (1, 3, 'installed')]"
