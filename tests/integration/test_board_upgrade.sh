#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Plain upgrade on the virtual board against python3 http.server: a board programmed with
# version 1 downloads version 2, installs it at reset, runs it and confirms it.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ota_workspace
ota_pack "$OTA_BIN/otaflow-example-app" 1 "$WWW/app_v1.ota"
ota_pack "$OTA_BIN/otaflow-example-app" 2 "$WWW/app_v2.ota"
ota_start_python_server "$WWW"
ota_publish "$WWW/ota.json" 2 "$WWW/app_v2.ota"
ota_new_board "$B" "$WWW/app_v1.ota"

ota_run 0 "$OTA_TMP/run.log" "$B" --until-version 2 --timeout 30
ota_check "version 1 ran first" "$(ota_count 'app: running version 1' "$OTA_TMP/run.log")" 1
ota_check "version 2 ran after one reset" \
    "$(ota_count 'app: running version 2' "$OTA_TMP/run.log")" 1
ota_check "the application asked for the reset" \
    "$(ota_count 'reset #1: the application asked for it' "$OTA_TMP/run.log")" 1
ota_check "image downloaded once" "$(ota_count 'GET /app_v2.ota' "$OTA_SERVER_LOG")" 1
ota_expect "$B" \
    "running version" 's["running_version"]' 2 \
    "boot state" 's["boot_state"]' confirmed \
    "factory slot keeps version 1" \
    '[(i["version"], i["state"]) for i in s["images"] if i["slot"] == 0]' "[(1, 'stored')]" \
    "version 2 installed from a download slot" \
    '[i["state"] for i in s["images"] if i["version"] == 2 and i["slot"] > 0]' "['installed']"

# Power on again: version 2 still runs, nothing is installed again. Factory programming
# erased the 223 pages of the region; the install erased at most the 16 pages the image
# covers (only those that differ).
ota_run 0 "$OTA_TMP/run2.log" "$B" --until-version 2 --timeout 30
ota_check "no install at the next power-on" "$(ota_count 'installing' "$OTA_TMP/run2.log")" 0
ota_expect "$B" "internal flash pages erased by the install <= 16" \
    's["flash"]["internal"]["erases"] - 223 <= 16' True
