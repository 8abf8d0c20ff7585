#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The original's raw images on the virtual board (issue 14, point 2): an XC32-shaped HEX of the
# example application turned into a raw .bin by hex2bin, served by python http.server with the
# original's manifest entry (Digest = SHA-256 of the .bin, Signature = base64 of the r||s that
# ecdsaSign.py writes, made here with openssl), on a board that trusts the key given as DER
# (key2header.py's form). Refused, each while v1 keeps running: a raw image with
# accept_raw_images off (and not fetched again at the next check), a wrong Signature, a wrong
# Digest, a truncated file; then, in the same run, the whole file is installed: v2 runs and
# reports its version, read from the header the store wrote.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ota_workspace
BRD=$OTA_BIN/otaflow-board
app=$OTA_BIN/otaflow-example-app

# Keys: the board and pubkey-c take the DER public key as well as the PEM.
"$T" keygen -o key.pem --pub pub.pem >/dev/null
"$T" keygen -o other.pem --pub other_pub.pem >/dev/null
openssl pkey -pubin -in pub.pem -outform DER -out pub.der
"$T" pubkey-c pub.pem -o from_pem.c
"$T" pubkey-c pub.der -o from_der.c
cmp -s <(tail -n +2 from_pem.c) <(tail -n +2 from_der.c) || ota_fail "pubkey-c: the DER key gives another table than the PEM"
echo "ok: pubkey-c reads the DER public key as the PEM one (the same table but the file name)"

# An XC32-shaped HEX: the application's bytes at 0x10020000 in 16-byte records with type 04
# records, CRLF, and configuration words at 0x1FC55E88 (boot flash).
python3 - "$app" app.hex <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
def rec(kind, addr, payload):
    b = bytes([len(payload), addr >> 8 & 255, addr & 255, kind]) + payload
    return ":" + (b + bytes([-sum(b) & 255])).hex().upper() + "\r\n"
out, upper = [], None
def put(addr, payload):
    global upper
    if addr >> 16 != upper:
        upper = addr >> 16
        out.append(rec(4, 0, upper.to_bytes(2, "big")))
    out.append(rec(0, addr & 0xFFFF, payload))
for i in range(0, len(data), 16):
    put(0x10020000 + i, data[i:i + 16])
put(0x1FC55E88, bytes.fromhex("FFFFFFDF"))
put(0x1FC55F40, bytes.fromhex("BFFFFFFF"))
out.append(":00000001FF\r\n")
open(sys.argv[2], "w", newline="").writelines(out)
PY
"$T" hex2bin app.hex -o app.bin 2>hex2bin.err >/dev/null
cmp -s app.bin "$app" || ota_fail "hex2bin of the XC32-shaped HEX is not the application's bytes"
ota_check "hex2bin left the configuration words out, with a note" \
    "$(ota_count 'left out' hex2bin.err)" 1

# The original's Signature: ECDSA P-256 over SHA-256 of the .bin, DER from openssl, r||s base64.
sig_b64() { # KEY FILE
    openssl dgst -sha256 -sign "$1" -out "$OTA_TMP/sig.der" "$2"
    python3 - "$OTA_TMP/sig.der" <<'PY'
import base64, sys
d = open(sys.argv[1], "rb").read()
assert d[0] == 0x30
p, ints = 2, []
for _ in range(2):
    n = d[p + 1]
    ints.append(int.from_bytes(d[p + 2:p + 2 + n], "big"))
    p += 2 + n
print(base64.b64encode(b"".join(i.to_bytes(32, "big") for i in ints)).decode())
PY
}
# manifest VERSION FILE DIGEST SIGNATURE: the original's manifest, as its servers hold it.
manifest() {
    python3 - "$WWW/ota.json" "$OTA_URL/$(basename "$2")" "$1" "$3" "$4" <<'PY'
import json, sys
path, url, version, digest, sig = sys.argv[1:]
json.dump({"ota": [{"Version": int(version), "URL": url, "Digest": digest,
                    "EraseVer": False, "Signature": sig}]}, open(path, "w"))
PY
}
digest=$(sha256sum app.bin | cut -d' ' -f1)
good_sig=$(sig_b64 key.pem app.bin)
other_sig=$(sig_b64 other.pem app.bin)

"$T" pack "$app" -o "$WWW/app_v1.ota" --version 1 --key key.pem >/dev/null
cp app.bin "$WWW/app_v2.bin"
ota_start_python_server "$WWW"
ota_new_board "$B" "$WWW/app_v1.ota" --pubkey pub.der

# when LOG TEXT CMD...: in the background, run CMD once LOG shows TEXT (at most 30 s). The
# agent backs off 60 s after a failure; `request check` is the application's check_now.
when() {
    local log=$1 text=$2
    shift 2
    (
        for _ in $(seq 1 300); do
            if grep -qF -- "$text" "$log" 2>/dev/null; then
                "$@"
                exit 0
            fi
            sleep 0.1
        done
    ) &
    WHEN_PID=$!
}

# refused NAME LOG WHAT: a run until the console shows WHAT; v1 still runs, nothing stored.
refused() {
    ota_run 0 "$2" "$B" --until-console "$3" --timeout 30
    ota_check "$1: no install" "$(ota_count 'boot: installing' "$2")" 0
    ota_expect "$B" "$1: v1 keeps running" 's["running_version"]' 1 \
        "$1: nothing stored but v1" \
        'sorted(i["version"] for i in s["images"] if i["state"] in ("stored", "installed"))' "[1]"
}

# 1. accept_raw_images off (the default): refused by its first bytes, and at the next check
#    the same file is not fetched again.
manifest 2 app_v2.bin "$digest" "$good_sig"
when run1.log "accept_raw_images is off" "$BRD" request "$B" check
refused "raw image, option off" run1.log "ota: download failed v2: refused before (same version and digest)"
ota_check "option off: the reason says so" \
    "$(ota_count 'ota: download failed v2: raw image (no otaflow header): accept_raw_images is off' run1.log)" 1
ota_check "option off: one request for the raw file" "$(ota_count 'GET /app_v2.bin' "$OTA_SERVER_LOG")" 1

"$BRD" set "$B" accept_raw_images=true >/dev/null
grep -q '^accept_raw_images = true$' "$B/board.conf" || ota_fail "board.conf: accept_raw_images"

# 2. A Signature of another key.
manifest 2 app_v2.bin "$digest" "$other_sig"
refused "wrong Signature" run2.log "ota: verify failed v2: bad signature"

# 3. A Digest that is not the file's.
manifest 2 app_v2.bin "$(sha256sum "$WWW/app_v1.ota" | cut -d' ' -f1)" "$good_sig"
refused "wrong Digest" run3.log "ota: verify failed v2: digest mismatch"

# 4. A truncated file (half of it on the server): refused, v1 kept, and not held against the
#    file (no Size: a short file is no verdict); once the whole file is there it is fetched
#    again in the same run and installed. v2 runs and reports its version.
manifest 2 app_v2.bin "$digest" "$good_sig"
head -c $(( $(stat -c %s app.bin) / 2 )) app.bin >"$WWW/app_v2.bin"
whole_file() {
    grep -c 'boot: installing' run4.log >before_fix.txt || true
    cp app.bin "$WWW/app_v2.bin"
    "$BRD" request "$B" check
}
when run4.log "ota: verify failed v2: digest mismatch" whole_file
ota_run 0 run4.log "$B" --until-version 2 --timeout 60
wait "$WHEN_PID" || true
ota_check "truncated: refused before anything was installed" "$(cat before_fix.txt)" 0
ota_check "truncated: refused with digest mismatch" \
    "$(ota_count 'ota: verify failed v2: digest mismatch' run4.log)" 1
ota_check "the whole raw file installed and ran" "$(ota_count 'app: running version 2' run4.log)" 1
ota_expect "$B" "v2 running" 's["running_version"]' 2 \
    "v2 confirmed" 's["boot_state"]' confirmed \
    "v2 stored as an image (header written by the store)" \
    '[i["size"] for i in s["images"] if i["version"] == 2][0] > '"$(stat -c %s app.bin)" True
