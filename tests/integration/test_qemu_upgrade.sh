#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# make demo's story on the emulated Cortex-M4: v1 firmware polls a real python3 http.server
# on the host's loopback (the guest's 10.0.2.100:PORT), downloads v2 into the external
# flash's store, resets; the bootloader installs v2, which runs and confirms itself.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/qemu_lib.sh"
ota_qemu_workspace
for v in 1 2; do ota_pack "$APP" $v "$WWW/app_v$v.ota"; done
ota_qemu_serve "$WWW"
ota_publish "$WWW/ota.json" 2 "$WWW/app_v2.ota"
ota_qemu_board "$B" "$WWW/app_v1.ota"

ota_run 0 run.log "$B" --until-version 2 --timeout 60
ota_check "v1 ran" "$(ota_count 'app: running version 1' run.log)" 1
ota_check "the bootloader installed v2" "$(ota_count 'boot: installing v2 from slot' run.log)" 1
ota_check "one reset, asked for by the agent" "$(ota_count 'board: reset #' run.log)" 1
ota_check "v2 ran" "$(ota_count 'app: running version 2' run.log)" 1
ota_check "the guest fetched the manifest from the host" \
    "$(( $(ota_count 'GET /ota.json' "$OTA_SERVER_LOG") >= 1 ))" 1
ota_check "and v2, once" "$(ota_count 'GET /app_v2.ota' "$OTA_SERVER_LOG")" 1
ota_expect "$B" \
    "running version" 's["running_version"]' 2 \
    "boot state" 's["boot_state"]' confirmed \
    "previous version" 's["previous_version"]' 1 \
    "factory image v1, v2 in a download slot" \
    'sorted((i["factory"], i["version"]) for i in s["images"] if i["version"])' \
    "[(False, 2), (True, 1)]"
ota_qemu_none_left
