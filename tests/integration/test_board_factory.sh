#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Factory reset, asked of the running application (otaflow-board request = a button press the
# application hands to the agent): the bootloader installs the factory image (version 1, saved
# at the board's first boot) over version 3.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ota_workspace
for v in 1 3; do ota_pack "$OTA_BIN/otaflow-example-app" $v "$WWW/app_v$v.ota"; done
ota_start_python_server "$WWW"
ota_publish "$WWW/ota.json" 3 "$WWW/app_v3.ota"
ota_new_board "$B" "$WWW/app_v1.ota"
ota_run 0 "$OTA_TMP/up.log" "$B" --until-version 3 --timeout 30

# No more manifest checks from here on (else version 1 would fetch 3 again): the factory
# image confirms itself at start.
"$OTA_BIN/otaflow-board" set "$B" manifest_url= confirm_on_start=on
"$OTA_BIN/otaflow-board" request "$B" factory-reset
ota_run 0 "$OTA_TMP/factory.log" "$B" --until-version 1 --timeout 30
ota_check "the application took the request" \
    "$(ota_count 'app: request: factory-reset' "$OTA_TMP/factory.log")" 1
ota_check "the agent reported it recorded (factory reset requested event)" \
    "$(ota_count 'app: ota: factory reset requested v1' "$OTA_TMP/factory.log")" 1
ota_expect "$B" \
    "running version after factory reset" 's["running_version"]' 1 \
    "boot state" 's["boot_state"]' confirmed \
    "factory slot still holds version 1" \
    '[(i["version"], i["state"]) for i in s["images"] if i["slot"] == 0]' "[(1, 'stored')]"
