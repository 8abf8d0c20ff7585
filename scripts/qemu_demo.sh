#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# make qemu-demo: make demo's over-the-air update, told step by step, on the emulated
# Cortex-M4 (QEMU mps2-an386) instead of the host engine.
#
# The example firmware (build/firmware/example-app.hex) is packed as version 1 and version 2.
# Version 2 is published on a python3 http.server on 127.0.0.1. A new board with the engine
# qemu gets the real bootloader at address 0 of its internal flash and version 1 in its
# application region, and is powered on: QEMU runs the bootloader, which starts version 1;
# its agent (lwIP on the LAN9118) reaches the server as 10.0.2.100, downloads version 2 into
# the external flash and resets; QEMU is launched again, the bootloader installs version 2,
# starts it on trial, and version 2 confirms itself.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OTA_BIN=${OTA_BIN:-$ROOT/build/bin}
FW=${OTA_FIRMWARE:-$(cd "$OTA_BIN/.." && pwd)/firmware}
# shellcheck source=../tests/integration/lib.sh
source "$ROOT/tests/integration/lib.sh"
source "$ROOT/scripts/demo_lib.sh"

for tool in otaflow-image otaflow-board; do
    [[ -x "$OTA_BIN/$tool" ]] || ota_fail "$OTA_BIN/$tool is missing: run 'make build' first"
done
for f in bootloader.bin example-app.hex example-app.bin; do
    [[ -f "$FW/$f" ]] || ota_fail "$FW/$f is missing: run 'make firmware' first"
done
command -v qemu-system-arm >/dev/null || ota_fail "qemu-system-arm is missing: run 'make deps'"

START=$EPOCHREALTIME
ota_setup
WWW=$OTA_TMP/www
BOARD=$OTA_TMP/board
mkdir -p "$WWW"

step "1. Two releases of the firmware"
APP=$FW/example-app.hex
say "The example application is Cortex-M4 firmware linked for the application slot:"
say "$(stat -c %s "$FW/example-app.bin") bytes of code and data (the region holds 913408)."
say "It reads its own version from its image header, so one build is packed twice:"
say "version 1 (the factory release) and version 2 (the update)."
ota_pack "$APP" 1 "$WWW/app_v1.ota"
ota_pack "$APP" 2 "$WWW/app_v2.ota"
"$OTA_BIN/otaflow-image" info "$WWW/app_v2.ota" | sed 's/^/   /'

step "2. Publish version 2 on a web server"
ota_start_python_server "$WWW"
HOST_URL=$OTA_URL
OTA_URL=http://10.0.2.100:$OTA_PORT # the host's server, as the emulated board reaches it
ota_publish "$WWW/ota.json" 2 "$WWW/app_v2.ota"
say "python3 -m http.server serves $WWW on $HOST_URL."
say "QEMU's user-mode network forwards the guest's $OTA_URL there, and nowhere else."
say "The manifest:"
sed 's/^/     /' "$WWW/ota.json"

step "3. A new board on QEMU, programmed with the bootloader and version 1"
"$OTA_BIN/otaflow-board" create "$BOARD" --engine qemu --bootloader "$FW/bootloader.bin" \
    --manifest-url "$OTA_URL/ota.json" --period 2 | sed 's/^/   /'
"$OTA_BIN/otaflow-board" flash "$BOARD" "$WWW/app_v1.ota" | sed 's/^/   /'

step "4. Power on, and watch the UART until version 2 runs and is confirmed"
say "boot: lines come from the bootloader, app: lines from the application (both on the"
say "emulated Cortex-M4), board: lines from otaflow-board (each reset relaunches QEMU)."
demo_until_v2 "$BOARD" 120

demo_done
say "Version 1 downloaded version 2 over lwIP, the bootloader installed it on the emulated"
say "Cortex-M4 and kept version 1 as the factory image; version 2 confirmed itself."
