#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# make demo's story on the emulated Cortex-M4: v1 firmware polls a real python3 http.server
# on the host's loopback (the guest's 10.0.2.100:PORT), downloads v2 into the external
# flash's store, resets; the bootloader installs v2, which runs and confirms itself. Then the
# board's buttons (otaflow-board request: DIR/request, read and removed by the firmware
# through semihosting): a factory reset brings v1 back; a hang is reset by the watchdog.
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

# No more manifest checks (else v1 would fetch v2 again); the factory image confirms itself.
"$OTA_BIN/otaflow-board" set "$B" manifest_url= confirm_on_start=on watchdog_s=1
"$OTA_BIN/otaflow-board" request "$B" factory-reset
ota_run 0 factory.log "$B" --until-version 1 --timeout 30
ota_check "the firmware took the request" \
    "$(ota_count 'app: request: factory-reset' factory.log)" 1
ota_check "the bootloader installed the factory image" \
    "$(ota_count 'boot: factory reset: installing v1' factory.log)" 1
ota_check "the request was removed" "$([[ -e $B/request ]] && echo left || echo removed)" removed
ota_expect "$B" "running version after the factory reset" 's["running_version"]' 1 \
    "boot state" 's["boot_state"]' confirmed

"$OTA_BIN/otaflow-board" request "$B" hang
ota_run 0 hang.log "$B" --until-console 'board: reset #1' --timeout 30
ota_check "the firmware hung on request" "$(ota_count 'app: request: hang' hang.log)" 1
ota_check "it was running v1" "$(ota_count 'app: running version 1' hang.log)" 1
ota_qemu_none_left
