#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# make demo: one over-the-air update on the virtual PIC32MZ W1 board, told step by step.
#
# The same example application is packed as version 1 and version 2. Version 2 is published
# on a local web server with a manifest. A new board is factory-programmed with version 1 and
# powered on: its bootloader starts version 1, whose update agent finds version 2, downloads
# it into the external flash and resets; the bootloader installs it, starts it on trial, and
# version 2 confirms itself. Everything runs on this machine, on 127.0.0.1.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OTA_BIN=${OTA_BIN:-$ROOT/build/bin}
# shellcheck source=../tests/integration/lib.sh
source "$ROOT/tests/integration/lib.sh"
source "$ROOT/scripts/demo_lib.sh"

for tool in otaflow-image otaflow-board otaflow-example-app; do
    [[ -x "$OTA_BIN/$tool" ]] || ota_fail "$OTA_BIN/$tool is missing: run 'make build' first"
done

START=$EPOCHREALTIME
ota_setup
WWW=$OTA_TMP/www
BOARD=$OTA_TMP/board
mkdir -p "$WWW"

step "1. Two releases of the application"
APP=$OTA_BIN/otaflow-example-app
say "The application is a real program ($(stat -c %s "$APP") bytes; the PIC32MZ W1 application"
say "region holds 913408). It reads its own version from its image header, so one build"
say "is packed twice: as version 1 (the factory release) and as version 2 (the update)."
ota_pack "$APP" 1 "$WWW/app_v1.ota"
ota_pack "$APP" 2 "$WWW/app_v2.ota"
"$OTA_BIN/otaflow-image" info "$WWW/app_v2.ota" | sed 's/^/   /'

step "2. Publish version 2 on a web server"
ota_start_python_server "$WWW"
ota_publish "$WWW/ota.json" 2 "$WWW/app_v2.ota"
say "python3 -m http.server serves $WWW on $OTA_URL"
say "The manifest $OTA_URL/ota.json, in the original OTA service's format:"
sed 's/^/     /' "$WWW/ota.json"

step "3. A new board, factory-programmed with version 1"
"$OTA_BIN/otaflow-board" create "$BOARD" --manifest-url "$OTA_URL/ota.json" --period 5 |
    sed 's/^/   /'
"$OTA_BIN/otaflow-board" flash "$BOARD" "$WWW/app_v1.ota" | sed 's/^/   /'

step "4. Power on, and watch the console until version 2 runs and is confirmed"
say "boot: lines come from the bootloader, app: lines from the application, board: lines"
say "from the simulated board (resets, watchdog, power)."
demo_until_v2 "$BOARD" 60

demo_done
say "Version 1 downloaded version 2, the bootloader installed it and kept version 1 as the"
say "factory image; version 2 confirmed itself after its first manifest check."
say "Try it yourself: build/bin/otaflow-board --help"
