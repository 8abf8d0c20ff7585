#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The example firmware's update of a 900 KB image on the emulated Cortex-M4 (QEMU engine),
# timed from the board's console (docs/firmware.md, "Network"): version 1 (the example app)
# downloads version 2, the app's binary padded with random bytes to a 899,880-byte payload
# (a 899,988-byte image), over lwIP from python3 http.server on 127.0.0.1, stores and verifies
# it, resets; the bootloader installs it. Prints the console lines that time each phase.
# Needs `make build firmware`. RUNS=N repeats it (default 1); SIGNED=1 signs both images and
# makes the board require signatures (the agent's store then checks ECDSA P-256 before it
# accepts the download). Wall time of an emulator.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OTA_BIN=${OTA_BIN:-$ROOT/build/bin}
FW=${OTA_FIRMWARE:-$(cd "$OTA_BIN/.." && pwd)/firmware}
source "$ROOT/tests/integration/lib.sh"
[[ -x $OTA_BIN/otaflow-board && -f $FW/example-app.bin ]] || ota_fail "run make build firmware first"

ota_setup
WWW=$OTA_TMP/www
mkdir -p "$WWW"
python3 - "$FW/example-app.bin" "$OTA_TMP/big.bin" <<'PY'
import os, sys
app = open(sys.argv[1], "rb").read()
open(sys.argv[2], "wb").write(app + os.urandom(899880 - len(app)))
PY
SIGN=() BOARD_KEY=()
if [[ ${SIGNED:-0} == 1 ]]; then
    "$OTA_BIN/otaflow-image" keygen -o "$OTA_TMP/key.pem" --pub "$OTA_TMP/pub.pem" >/dev/null
    SIGN=(--key "$OTA_TMP/key.pem") BOARD_KEY=(--pubkey "$OTA_TMP/pub.pem")
fi
"$OTA_BIN/otaflow-image" pack "$FW/example-app.hex" --version 1 "${SIGN[@]}" \
    -o "$WWW/v1.ota" >/dev/null
"$OTA_BIN/otaflow-image" pack "$OTA_TMP/big.bin" --load-addr 0x20000 --version 2 \
    "${SIGN[@]}" -o "$WWW/v2.ota" >/dev/null
ota_start_python_server "$WWW"
OTA_URL=http://10.0.2.100:$OTA_PORT
ota_publish "$WWW/ota.json" 2 "$WWW/v2.ota"
for run in $(seq 1 "${RUNS:-1}"); do
    B=$OTA_TMP/board$run
    "$OTA_BIN/otaflow-board" create "$B" --engine qemu --bootloader "$FW/bootloader.bin" \
        --manifest-url "$OTA_URL/ota.json" --period 2 "${BOARD_KEY[@]}" >/dev/null
    "$OTA_BIN/otaflow-board" flash "$B" "$WWW/v1.ota" >/dev/null
    echo "run $run: image $(stat -c %s "$WWW/v2.ota") bytes"
    "$OTA_BIN/otaflow-board" run "$B" --until-version 2 --timeout ${TIMEOUT:-300} 2>&1 | tee "$OTA_TMP/run$run.log" |
        grep -E "download started|verify started|verify ok|measured|board: reset|installing|installed|goal" |
        sed 's/^/  /'
done
