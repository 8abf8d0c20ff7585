#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A release that faults in its trial boot, on the emulated Cortex-M4: v3 (example-app-crash)
# takes a HardFault whose handler stops feeding the CMSDK watchdog; the watchdog resets the
# board, the bootloader counts the trial boots, rolls back to v2 after the limit and marks v3
# rejected; v2 is confirmed again and never fetches v3 a second time.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/qemu_lib.sh"
ota_qemu_workspace
ota_pack "$APP" 2 "$WWW/app_v2.ota"
ota_pack "$FW/example-app-crash.hex" 3 "$WWW/app_v3.ota"
ota_qemu_serve "$WWW"
ota_publish "$WWW/ota.json" 3 "$WWW/app_v3.ota"
ota_qemu_board "$B" "$WWW/app_v2.ota" --attempts 2 --watchdog 1

ota_run 0 run.log "$B" --until-rejected 3 --timeout 60
ota_check "v3 started once per trial attempt" "$(ota_count 'app: running version 3' run.log)" 2
ota_check "the bootloader rolled back" "$(ota_count 'boot: rolled back to v2' run.log)" 1
ota_check "resets: the agent's after the download, then the watchdog's after each fault" \
    "$(ota_count 'board: reset #' run.log)" 3
ota_check "v3 downloaded once" "$(ota_count 'GET /app_v3.ota' "$OTA_SERVER_LOG")" 1
ota_expect "$B" \
    "running version" 's["running_version"]' 2 \
    "boot state" 's["boot_state"]' confirmed \
    "rejected versions" 's["rejected"]' "[3]"

# More manifest checks (period 1 s): v3 is still announced, never fetched again.
ota_run 3 after.log "$B" --timeout 5
ota_check "no second download of v3" "$(ota_count 'GET /app_v3.ota' "$OTA_SERVER_LOG")" 1
ota_check "still v2" "$(ota_count 'app: running version 2' after.log)" 1
ota_qemu_none_left
