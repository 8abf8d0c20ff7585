#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Encrypted images on the emulated Cortex-M4 (the QEMU engine's twin of
# test_board_encrypted.sh): a board created with its device key (--decrypt-key, handed to the
# firmware bootloader as the decrypt_key setting) downloads a v2 packed with --encrypt-to,
# stores the ciphertext as served, and its bootloader (built with OTA_BOOT_DECRYPT: AES-128
# and ECDH P-256 from the target's crypto library) decrypts it into internal flash and starts
# it. A v3 encrypted for another device is stored and refused by the bootloader before internal
# flash is touched, while v2 keeps running. Then a power cut in the middle of a decrypting
# install of v4: the next power-on finishes it.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/qemu_lib.sh"
ota_qemu_workspace bootloader.bin example-app.hex example-app.elf
"$T" keygen -o dev.pem --pub dev_pub.pem >/dev/null
"$T" keygen -o other.pem --pub other_pub.pem >/dev/null
"$T" pack "$APP" -o v1.ota --version 1 >/dev/null
"$T" pack "$APP" -o "$WWW/app_v2.ota" --version 2 --encrypt-to dev_pub.pem >/dev/null
ota_qemu_serve "$WWW"
ota_publish "$WWW/ota.json" 2 "$WWW/app_v2.ota"
ota_qemu_board "$B" v1.ota --decrypt-key dev.pem --slots 3 # the third for v4, below

# 1. Encrypted v2: downloaded as served, decrypted while installing, runs.
ota_run 0 run1.log "$B" --until-version 2 --timeout 60
ota_check "installed from the encrypted slot" "$(ota_count 'boot: installing v2 from slot' run1.log)" 1
ota_check "version 2 ran" "$(ota_count 'app: running version 2' run1.log)" 1
ota_expect "$B" "running version" 's["running_version"]' 2
python3 - "$B/external.flash" "$B/internal.flash" "$WWW/app_v2.ota" v1.ota <<'PY'
import sys
ext, internal, enc, plain = (open(p, "rb").read() for p in sys.argv[1:])
# v1 and v2 are one program: v1's payload is v2's plaintext.
assert enc[64:64 + 4096] != plain[64:64 + 4096], "v2's payload is not encrypted"
assert enc[64:64 + 4096] in ext, "the ciphertext is not stored as served"
assert plain[64:64 + 4096] in internal, "no plaintext in internal flash"
PY
echo "ok: the slot holds the ciphertext as served, internal flash the program"

# 2. v3 encrypted for another device: stored, refused before internal flash is touched.
"$T" pack "$APP" -o "$WWW/app_v3.ota" --version 3 --encrypt-to other_pub.pem >/dev/null
ota_publish "$WWW/ota.json" 3 "$WWW/app_v3.ota"
internal_before=$(sha256sum <"$B/internal.flash")
ota_run 0 run2.log "$B" --until-console "refused: encrypted for another device key" --timeout 60
ota_check "v3 refused with its reason" \
    "$(grep -c 'boot: slot [0-9] (v3) refused: encrypted for another device key; not installed' run2.log)" 1
ota_check "v3 not installed" "$(ota_count 'boot: installed v3' run2.log)" 0
ota_check "internal flash untouched" "$(sha256sum <"$B/internal.flash")" "$internal_before"
ota_expect "$B" "v2 keeps running" 's["running_version"]' 2

# 3. A power cut in the middle of the decrypting install of v4 (planted in the store, as
# test_qemu_powercut.sh does): the next power-on finishes it. v4 is the program padded with
# 64 KB of 0x5A, so the install erases and programs sixteen sectors more than v2's did, and
# the cut (at the 12th flash operation since power-on, torn) falls among them.
"$OTA_BIN/otaflow-board" set "$B" manifest_url= >/dev/null
arm-none-eabi-objcopy -O binary "$FW/example-app.elf" v4.bin
arm-none-eabi-objcopy -O binary --gap-fill 0x5a --pad-to $((0x20000 + $(stat -c %s v4.bin) + 65536)) \
    "$FW/example-app.elf" v4.bin
"$T" pack v4.bin --load-addr 0x20000 -o v4.ota --version 4 --encrypt-to dev_pub.pem >/dev/null
"$OTA_BIN/otaflow-board" attack "$B" plant v4.ota >/dev/null
ota_run 4 cut.log "$B" --power-cut-at 12 --cut-mode torn --seed 4 --timeout 60
ota_check "the cut came during the install" \
    "$(( $(ota_count 'boot: installing v4' cut.log) == 1 && $(ota_count 'boot: installed v4' cut.log) == 0 ))" 1
ota_run 0 after.log "$B" --until-console 'app: running version 4' --timeout 60
ota_check "the next power-on finished the install" "$(ota_count 'boot: installed v4' after.log)" 1
ota_expect "$B" "v4 runs" 's["running_version"]' 4
ota_qemu_none_left
echo "test_qemu_encrypted.sh: passed"
