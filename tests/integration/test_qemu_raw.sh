#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The original's raw images and File Download on the emulated Cortex-M4 (issue 14, points 2
# and 3, QEMU engine): board.conf's accept_raw_images and file_slots reach the firmware. The
# raw .bin is hex2bin's output of the firmware application's HEX, linked at the start of the
# application region (0x00020000); the bootloader installs its bytes exactly there, the header
# the store wrote for it in the descriptor page after the region (0x000FF000), and starts it
# from where it was linked. With accept_raw_images off the same file is refused by its first
# bytes while v1 keeps running.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/qemu_lib.sh"
ota_qemu_workspace bootloader.bin example-app.hex
BRD=$OTA_BIN/otaflow-board
ota_pack "$APP" 1 "$WWW/app_v1.ota"
"$OTA_BIN/otaflow-image" hex2bin "$APP" -o "$WWW/app_v2.bin" --base 0x00020000 >/dev/null ||
    ota_fail "hex2bin of the firmware application"
head -c 1415 /dev/urandom >"$WWW/ca_cert.crt"
ota_qemu_serve "$WWW"

# The original's manifest: a File Download entry, then the raw image (Digest = its SHA-256).
python3 - "$WWW" "$OTA_URL" <<'PY'
import hashlib, json, os, sys
www, url = sys.argv[1:]
sha = lambda n: hashlib.sha256(open(os.path.join(www, n), "rb").read()).hexdigest()
files = [{"slot_number": 1, "length": os.path.getsize(os.path.join(www, "ca_cert.crt")),
          "URL": url + "/ca_cert.crt", "digest": sha("ca_cert.crt").upper()}]
json.dump({"ota": [{"files": files},
                   {"Version": 2, "URL": url + "/app_v2.bin", "Digest": sha("app_v2.bin"),
                    "EraseVer": False}]}, open(os.path.join(www, "ota.json"), "w"))
PY
ota_qemu_board "$B" "$WWW/app_v1.ota"
"$BRD" set "$B" file_slots=2 >/dev/null || ota_fail "set file_slots=2"

# 1. accept_raw_images off (the default): the raw file is refused by its first bytes; the file
#    slot is filled all the same (file_slots reached the firmware).
ota_run 0 off.log "$B" --until-console 'accept_raw_images is off' --timeout 60
ota_check "option off: refused, with the reason" \
    "$(ota_count 'ota: download failed v2: raw image (no otaflow header): accept_raw_images is off' off.log)" 1
ota_check "option off: no install" "$(ota_count 'boot: installing' off.log)" 0
ota_check "the file arrived in file slot 1" \
    "$(ota_count 'app: ota: file download done slot 1, 1415 B' off.log)" 1
"$BRD" file "$B" 1 --out slot1 2>file.err || ota_fail "otaflow-board file 1: $(cat file.err)"
cmp slot1 "$WWW/ca_cert.crt" || ota_fail "file slot 1 differs from ca_cert.crt"
ota_expect "$B" "option off: v1 keeps running" 's["running_version"]' 1

# 2. accept_raw_images on: the raw file is stored as an image and installed; v2 runs.
"$BRD" set "$B" accept_raw_images=true >/dev/null || ota_fail "set accept_raw_images=true"
"$BRD" request "$B" check
ota_run 0 on.log "$B" --until-version 2 --timeout 90
ota_check "the bootloader installed the raw image" \
    "$(ota_count 'boot: installing v2 from slot' on.log)" 1
ota_check "v2 ran" "$(ota_count 'app: running version 2' on.log)" 1
ota_expect "$B" "v2 running" 's["running_version"]' 2 "v2 confirmed" 's["boot_state"]' confirmed

# Where it lies: the .bin's bytes at 0x00020000, where they were linked (the vector table the
# bootloader jumped to), the header the store wrote (load address 0x00020000) at 0x000FF000.
python3 - "$B/internal.flash" "$WWW/app_v2.bin" <<'PY'
import struct, sys
flash, raw = open(sys.argv[1], "rb").read(), open(sys.argv[2], "rb").read()
assert flash[0x20000:0x20000 + len(raw)] == raw, "the raw image is not at 0x00020000"
magic, _hv, _hs, version, _sc, load, size = struct.unpack_from("<IHHIIII", flash, 0xFF000)
assert (magic, version, load, size) == (0x4641544F, 2, 0x20000, len(raw)), \
    (hex(magic), version, hex(load), size)
PY
echo "ok: the raw .bin lies at 0x00020000 where it was linked, its header at 0x000FF000"
ota_qemu_none_left
