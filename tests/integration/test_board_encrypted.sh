#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Encrypted images end to end on the virtual board (host engine): a board created with its
# device key downloads a v2 packed with --encrypt-to, stores the ciphertext, and its bootloader
# decrypts it into internal flash (the slot keeps the ciphertext as served: the unit test
# test_boot_enc.c checks that no plaintext run reaches the external flash at all). A
# v3 encrypted for another device is stored (the agent cannot tell) and refused by the
# bootloader before it touches internal flash, while v2 keeps running.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ota_workspace
T=$OTA_BIN/otaflow-image
"$T" keygen -o dev.pem --pub dev_pub.pem >/dev/null
"$T" keygen -o other.pem --pub other_pub.pem >/dev/null
app=$OTA_BIN/otaflow-example-app
"$T" pack "$app" -o "$WWW/app_v1.ota" --version 1 >/dev/null
"$T" pack "$app" -o "$WWW/app_v2.ota" --version 2 --encrypt-to dev_pub.pem >/dev/null
ota_start_python_server "$WWW"
ota_publish "$WWW/ota.json" 2 "$WWW/app_v2.ota"
ota_new_board "$B" "$WWW/app_v1.ota" --decrypt-key dev.pem

# 1. Encrypted v2: downloaded as served, decrypted while installing, runs, is confirmed.
ota_run 0 run1.log "$B" --until-version 2 --timeout 30
ota_check "version 2 ran" "$(ota_count 'app: running version 2' run1.log)" 1
ota_check "installed from the encrypted slot" "$(ota_count 'boot: installing v2 from slot' run1.log)" 1
ota_expect "$B" "running version" 's["running_version"]' 2 \
    "boot state" 's["boot_state"]' confirmed
# (The factory slot holds plain v1, the same program: so the slot is checked against the
# served ciphertext rather than searched for the program's bytes.)
python3 - "$B/external.flash" "$WWW/app_v2.ota" "$app" <<'PY'
import sys
ext, enc, plain = (open(p, "rb").read() for p in sys.argv[1:])
assert enc[64:64 + 4096] in ext, "the ciphertext is not stored as served"
assert enc[64:64 + 4096] != plain[:4096], "v2's payload is not encrypted"
PY
echo "ok: the slot holds the ciphertext as served, which differs from the program"

# 2. v3 encrypted for another device: stored, refused by the bootloader, v2 keeps running.
"$T" pack "$app" -o "$WWW/app_v3.ota" --version 3 --encrypt-to other_pub.pem >/dev/null
ota_publish "$WWW/ota.json" 3 "$WWW/app_v3.ota"
ota_run 0 run2.log "$B" --until-console "refused: encrypted for another device key" --timeout 30
ota_check "v3 refused with its reason" \
    "$(ota_count 'boot: slot 2 (v3) refused: encrypted for another device key; not installed' run2.log)" 1
ota_check "v3 not installed" "$(ota_count 'boot: installed v3' run2.log)" 0
ota_expect "$B" "v2 keeps running" 's["running_version"]' 2
echo "test_board_encrypted.sh: passed"
