#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The sysota console on the emulated Cortex-M4: `otaflow-board run --send` types on the UART
# (QEMU's stdin), the firmware reads it byte by byte and answers on the same UART. The board
# checks nothing by itself (period 0): `sysota get info` and `getfs info` show that and the
# store, a malformed line is refused, `sysota check` makes the guest fetch the manifest from
# the host's server (seen in the server's log), `sysota set period 5` shows in get info.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/qemu_lib.sh"
ota_qemu_workspace bootloader.bin example-app.hex
ota_pack "$APP" 1 "$WWW/app_v1.ota"
ota_qemu_serve "$WWW"
ota_publish "$WWW/ota.json" 1 "$WWW/app_v1.ota"
ota_qemu_board "$B" "$WWW/app_v1.ota"
"$OTA_BIN/otaflow-board" set "$B" period_s=0 >/dev/null

ota_run 0 info.log "$B" --send "sysota get info" --send "sysota getfs info" \
    --send "sysota set period 99999" --until-console "sysota: refused: the period" --timeout 60
ota_check "the board typed the lines" "$(ota_count 'board: console input: sysota' info.log)" 3
ota_check "get info shows period 0" \
    "$(ota_count 'app: sysota: period: 0 s (periodic check off)' info.log)" 1
ota_check "get info shows the running version" \
    "$(ota_count 'app: sysota: running version: 1' info.log)" 1
ota_check "getfs info shows the factory slot" \
    "$(ota_count 'app: sysota: slot 0 (factory): stored, version 1' info.log)" 1
ota_check "the period out of range refused, named" \
    "$(ota_count "app: sysota: refused: the period must be a number from 0 to 7200, not '99999'" \
        info.log)" 1
ota_check "no check without the command (period 0)" \
    "$(ota_count 'GET /ota.json' "$OTA_SERVER_LOG")" 0

ota_run 0 check.log "$B" --send "sysota check" --until-console "ota: no update" --timeout 60
ota_check "check answered" "$(ota_count 'app: sysota: check: ok' check.log)" 1
ota_check "the guest fetched the manifest once" \
    "$(ota_count 'GET /ota.json' "$OTA_SERVER_LOG")" 1

ota_run 0 period.log "$B" --send "sysota set period 5" --send "sysota get info" \
    --until-console "sysota: period: " --timeout 60
ota_check "get info shows the new period" \
    "$(ota_count 'app: sysota: period: 5 s (periodic check on)' period.log)" 1
ota_qemu_none_left
