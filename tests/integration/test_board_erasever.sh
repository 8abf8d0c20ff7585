#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# EraseVer of the running version: the device rolls back to the version before (here the
# factory image) and does not download the erased version again.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ota_workspace
ota_pack "$OTA_BIN/otaflow-example-app" 1 "$WWW/app_v1.ota"
ota_pack "$OTA_BIN/otaflow-example-app" 2 "$WWW/app_v2.ota"
ota_start_python_server "$WWW"
ota_publish "$WWW/ota.json" 2 "$WWW/app_v2.ota"
ota_new_board "$B" "$WWW/app_v1.ota"
ota_run 0 "$OTA_TMP/up.log" "$B" --until-version 2 --timeout 30

ota_publish "$WWW/ota.json" 2 "$WWW/app_v2.ota" --erase
ota_run 0 "$OTA_TMP/erase.log" "$B" --until-version 1 --timeout 30
ota_expect "$B" \
    "running version after EraseVer 2" 's["running_version"]' 1 \
    "boot state" 's["boot_state"]' confirmed \
    "version 2 left the download slots" \
    '[i["slot"] for i in s["images"] if i["version"] == 2 and i["slot"] > 0 and i["state"] != "empty"]' \
    "[]"
ota_check "version 2 downloaded only once" "$(ota_count 'GET /app_v2.ota' "$OTA_SERVER_LOG")" 1
