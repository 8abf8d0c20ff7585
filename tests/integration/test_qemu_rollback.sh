#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A release that faults in its trial boot, on the emulated Cortex-M4: v3 (example-app-crash)
# takes a HardFault whose handler stops kicking the CMSDK watchdog; the watchdog resets the
# board (QEMU exits, the engine launches it again), the bootloader counts the trial boots,
# rolls back to v2 after the limit and marks v3 rejected; v2 runs confirmed. v3 reaches the
# store's download slot as a pending install written straight to the external flash
# (otaflow-board attack plant), so this is the bootloader's and the watchdog's story alone.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/qemu_lib.sh"
ota_qemu_workspace
ota_pack "$APP" 2 app_v2.ota
ota_pack "$FW/example-app-crash.hex" 3 app_v3.ota
ota_qemu_board "$B" app_v2.ota --attempts 2 --watchdog 1 --confirm-on-start on
ota_run 0 first.log "$B" --until-version 2 --timeout 30

"$OTA_BIN/otaflow-board" attack "$B" plant app_v3.ota >/dev/null
ota_run 0 run.log "$B" --until-rejected 3 --timeout 60
ota_check "the bootloader installed v3" "$(ota_count 'boot: installed v3' run.log)" 1
ota_check "v3 started once per trial attempt" "$(ota_count 'app: running version 3' run.log)" 2
ota_check "and faulted each time" "$(ota_count 'app: HardFault' run.log)" 2
ota_check "the watchdog reset the board after each fault" \
    "$(ota_count 'board: reset #' run.log)" 2
ota_check "the bootloader rolled back" "$(ota_count 'boot: rolled back to v2' run.log)" 1
ota_expect "$B" \
    "running version" 's["running_version"]' 2 \
    "boot state" 's["boot_state"]' confirmed \
    "rejected versions" 's["rejected"]' "[3]"
ota_qemu_none_left
