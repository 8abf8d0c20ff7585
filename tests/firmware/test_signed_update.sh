#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A board that trusts one image key gets a signed update over the network, on the emulated
# Cortex-M4: the example firmware's agent downloads v2 from a real server on 127.0.0.1 and its
# store verifies the ECDSA P-256 signature before recording v2 stored (on the target's
# mbedTLS, whose only heap is the application's arena: without it this verification failed and
# the download was retried for ever); the bootloader installs v2, which confirms. The app
# prints its stack high-water mark at the agent's reset (docs/firmware.md, "Measurements").
set -euo pipefail
source "$(dirname "$0")/../integration/lib.sh"
source "$(dirname "$0")/../integration/qemu_lib.sh"
ota_qemu_workspace
WWW=$OTA_TMP/www
mkdir -p "$WWW"
"$OTA_BIN/otaflow-image" keygen -o key.pem --pub pub.pem >/dev/null
"$OTA_BIN/otaflow-image" pack "$APP" -o v1.ota --version 1 --key key.pem >/dev/null
"$OTA_BIN/otaflow-image" pack "$APP" -o "$WWW/v2.ota" --version 2 --key key.pem >/dev/null
ota_qemu_serve "$WWW"
ota_publish "$WWW/ota.json" 2 "$WWW/v2.ota"
ota_qemu_board "$B" v1.ota --pubkey pub.pem

ota_run 0 run.log "$B" --until-version 2 --timeout 60
ota_check "the agent verified the signed download" "$(ota_count 'app: ota: verify ok v2' run.log)" 1
ota_check "the app measured its stack at the agent's reset" \
    "$(ota_count 'app: measured: stack high-water mark' run.log)" 1
ota_check "the bootloader installed v2" "$(ota_count 'boot: installed v2' run.log)" 1
ota_expect "$B" "running version" 's["running_version"]' 2 "boot state" 's["boot_state"]' confirmed
ota_qemu_none_left
