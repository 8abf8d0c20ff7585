#!/usr/bin/env bash
# Two upgrades in a row (1 -> 2 -> 3) on the virtual board, served by nginx with its own
# configuration in a temporary directory.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ota_setup
WWW=$OTA_TMP/www B=$OTA_TMP/board
mkdir -p "$WWW"
for v in 1 2 3; do ota_pack "$OTA_BIN/otaflow-example-app" $v "$WWW/app_v$v.ota"; done
ota_start_nginx "$WWW"
ota_publish "$WWW/ota.json" 2 "$WWW/app_v2.ota"
ota_new_board "$B" "$WWW/app_v1.ota"

ota_run 0 "$OTA_TMP/run2.log" "$B" --until-version 2 --timeout 30
ota_status "$B"
ota_check "running version after the first update" "$(ota_json 's["running_version"]')" 2

ota_publish "$WWW/ota.json" 3 "$WWW/app_v3.ota"
ota_run 0 "$OTA_TMP/run3.log" "$B" --until-version 3 --timeout 30
ota_status "$B"
ota_check "running version after the second update" "$(ota_json 's["running_version"]')" 3
ota_check "boot state" "$(ota_json 's["boot_state"]')" confirmed
ota_check "previous version" "$(ota_json 's["previous_version"]')" 2
ota_check "versions in the store" \
    "$(ota_json 'sorted((i["version"], i["state"]) for i in s["images"] if i["state"] != "empty")')" \
    "[(1, 'stored'), (2, 'stored'), (3, 'installed')]"
ota_check "nginx served each image once" \
    "$(ota_count 'GET /app_v2.ota' "$OTA_SERVER_LOG")$(ota_count 'GET /app_v3.ota' "$OTA_SERVER_LOG")" 11
