#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A release that crashes at start: the bootloader counts the trial boots, rolls back to the
# version before after the limit and marks the bad one rejected; the agent never fetches it
# again and the old version is confirmed.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ota_workspace
ota_pack "$OTA_BIN/otaflow-example-app" 2 "$WWW/app_v2.ota"
ota_pack "$OTA_BIN/otaflow-example-app-crash" 3 "$WWW/app_v3.ota"
ota_start_python_server "$WWW"
ota_publish "$WWW/ota.json" 3 "$WWW/app_v3.ota"
ota_new_board "$B" "$WWW/app_v2.ota" --attempts 3

ota_run 0 "$OTA_TMP/run.log" "$B" --until-rejected 3 --timeout 30
ota_check "version 3 started once per trial attempt" \
    "$(ota_count 'app: running version 3' "$OTA_TMP/run.log")" 3
ota_check "each start of version 3 crashed" \
    "$(ota_count 'the application crashed' "$OTA_TMP/run.log")" 3
ota_check "version 3 downloaded once" "$(ota_count 'GET /app_v3.ota' "$OTA_SERVER_LOG")" 1
ota_expect "$B" \
    "running version" 's["running_version"]' 2 \
    "boot state" 's["boot_state"]' confirmed \
    "rejected versions" 's["rejected"]' "[3]"

# More manifest checks (period 1 s): version 3 is still announced, never fetched again.
ota_run 3 "$OTA_TMP/after.log" "$B" --timeout 3
ota_check "no more download of version 3" "$(ota_count 'GET /app_v3.ota' "$OTA_SERVER_LOG")" 1
ota_check "checks went on" "$(( $(ota_count 'ota: no update' "$OTA_TMP/after.log") >= 2 ))" 1
ota_check "still version 2" "$(ota_count 'app: running version 2' "$OTA_TMP/after.log")" 1
