#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Signed images on the emulated Cortex-M4: a board that trusts one image key (the bootloader
# checks ECDSA P-256 signatures with the target build of mbedTLS) boots its signed factory
# image; an unsigned image planted in the store (otaflow-board attack plant: what someone
# with the SPI bus can do) is refused by the bootloader, which keeps the signed one running;
# a signed one planted the same way is installed. Then over the network: the agent on the
# target refuses an unsigned v4 from the server (the store checks the signature as it
# verifies the download) and installs a signed v5.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/qemu_lib.sh"
ota_qemu_workspace
"$T" keygen -o key.pem --pub pub.pem >/dev/null
"$T" pack "$APP" -o v1.ota --version 1 --key key.pem >/dev/null
"$T" pack "$APP" -o v2_unsigned.ota --version 2 >/dev/null
"$T" pack "$APP" -o v3.ota --version 3 --key key.pem >/dev/null
ota_qemu_board "$B" v1.ota --pubkey pub.pem --confirm-on-start on

ota_run 0 run1.log "$B" --until-console 'app: version 1 confirmed' --timeout 30
ota_check "signed v1 started" "$(ota_count 'boot: starting v1' run1.log)" 1
ota_expect "$B" "factory image v1 saved" \
    '[(i["version"], i["state"]) for i in s["images"] if i["factory"]]' "[(1, 'stored')]"

"$OTA_BIN/otaflow-board" attack "$B" plant v2_unsigned.ota >/dev/null
ota_run 0 run2.log "$B" --until-console 'app: running version' --timeout 30
ota_check "the bootloader refused the unsigned v2" \
    "$(grep -c 'boot: slot [0-9] (v2) refused: .*not signed' run2.log)" 1
ota_check "nothing installed" "$(ota_count 'boot: installed' run2.log)" 0
ota_check "v1 kept running" "$(ota_count 'app: running version 1' run2.log)" 1
ota_expect "$B" "running version" 's["running_version"]' 1

"$OTA_BIN/otaflow-board" attack "$B" plant v3.ota >/dev/null
ota_run 0 run3.log "$B" --until-version 3 --timeout 30
ota_check "the signed v3 was installed" "$(ota_count 'boot: installing v3' run3.log)" 1
ota_expect "$B" "running version" 's["running_version"]' 3 \
    "boot state" 's["boot_state"]' confirmed

"$T" pack "$APP" -o "$WWW/app_v4.ota" --version 4 >/dev/null
"$T" pack "$APP" -o "$WWW/app_v5.ota" --version 5 --key key.pem >/dev/null
ota_qemu_serve "$WWW"
ota_publish "$WWW/ota.json" 4 "$WWW/app_v4.ota"
"$OTA_BIN/otaflow-board" set "$B" manifest_url="$OTA_URL/ota.json" period_s=1
ota_run 0 run4.log "$B" --until-console "ota: verify failed v4: image not signed" --timeout 30
ota_check "the unsigned v4 was downloaded" "$(ota_count 'GET /app_v4.ota' "$OTA_SERVER_LOG")" 1
ota_check "and not installed" "$(ota_count 'boot: install' run4.log)" 0
ota_expect "$B" "v3 keeps running" 's["running_version"]' 3

ota_publish "$WWW/ota.json" 5 "$WWW/app_v5.ota"
ota_run 0 run5.log "$B" --until-version 5 --timeout 30
ota_check "the signed v5 was installed" "$(ota_count 'boot: installed v5' run5.log)" 1
ota_qemu_none_left
