#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Two upgrades in a row (1 -> 2 -> 3) on the virtual board, served by nginx with its own
# configuration in a temporary directory.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ota_workspace
for v in 1 2 3; do ota_pack "$OTA_BIN/otaflow-example-app" $v "$WWW/app_v$v.ota"; done
ota_start_nginx "$WWW"
ota_publish "$WWW/ota.json" 2 "$WWW/app_v2.ota"
ota_new_board "$B" "$WWW/app_v1.ota"

ota_run 0 "$OTA_TMP/run2.log" "$B" --until-version 2 --timeout 30
ota_publish "$WWW/ota.json" 3 "$WWW/app_v3.ota"
ota_run 0 "$OTA_TMP/run3.log" "$B" --until-version 3 --timeout 30
ota_expect "$B" \
    "running version after the second update" 's["running_version"]' 3 \
    "boot state" 's["boot_state"]' confirmed \
    "previous version" 's["previous_version"]' 2 \
    "versions in the store" \
    'sorted((i["version"], i["state"]) for i in s["images"] if i["state"] != "empty")' \
    "[(1, 'stored'), (2, 'stored'), (3, 'installed')]"
ota_check "nginx served version 2 once" "$(ota_count 'GET /app_v2.ota' "$OTA_SERVER_LOG")" 1
ota_check "nginx served version 3 once" "$(ota_count 'GET /app_v3.ota' "$OTA_SERVER_LOG")" 1
