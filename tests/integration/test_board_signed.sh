#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Signing end to end on the virtual board: a board that trusts one image key and one
# manifest key (and has a hardware id) installs a signed v2 from a signed manifest; then
# refuses, each with its reason and while v2 keeps running: an unsigned v3, a v3 signed by
# another key, a v4 built for another board, an unsigned manifest and a replayed old one.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ota_workspace
"$T" keygen -o key.pem --pub pub.pem >/dev/null
"$T" keygen -o mkey.pem --pub mpub.pem >/dev/null
"$T" keygen -o other.pem --pub other_pub.pem >/dev/null
app=$OTA_BIN/otaflow-example-app
"$T" pack "$app" -o "$WWW/app_v1.ota" --version 1 --hw 7 --key key.pem >/dev/null
"$T" pack "$app" -o "$WWW/app_v2.ota" --version 2 --hw 7 --key key.pem >/dev/null
ota_start_python_server "$WWW"
ota_publish "$WWW/ota.json" 2 "$WWW/app_v2.ota" --hw 7
"$T" manifest sign "$WWW/ota.json" --key mkey.pem >/dev/null
cp "$WWW/ota.json" old.json && cp "$WWW/ota.json.sig" old.json.sig
ota_new_board "$B" "$WWW/app_v1.ota" --pubkey pub.pem --manifest-pubkey mpub.pem --hw-id 7

# 1. Signed v2, signed manifest: installed and confirmed.
ota_run 0 run1.log "$B" --until-version 2 --timeout 30
ota_check "the agent fetched the manifest signature (v1, then v2)" \
    "$(( $(ota_count 'GET /ota.json.sig' "$OTA_SERVER_LOG") >= 2 ))" 1
ota_check "signed v2 ran" "$(ota_count 'app: running version 2' run1.log)" 1

# refused NAME LOG WHAT: a run until the console shows WHAT; v2 still runs and is confirmed.
refused() {
    ota_run 0 "$2" "$B" --until-console "$3" --timeout 30
    ota_check "$1: no install" "$(ota_count 'boot: installing' "$2")" 0
    ota_expect "$B" "$1: v2 keeps running" 's["running_version"]' 2 \
        "$1: boot state" 's["boot_state"]' confirmed \
        "$1: nothing stored but v1 and v2" \
        'sorted(i["version"] for i in s["images"] if i["state"] in ("stored", "installed"))' "[1, 2]"
}

# 2. v3 unsigned, in a correctly signed manifest: the store refuses it (VERIFY_FAILED).
"$T" pack "$app" -o "$WWW/app_v3.ota" --version 3 --hw 7 >/dev/null
ota_publish "$WWW/ota.json" 3 "$WWW/app_v3.ota"
"$T" manifest sign "$WWW/ota.json" --key mkey.pem >/dev/null
refused "unsigned v3" run2.log "ota: verify failed v3: image not signed"

# 3. v3 signed by a key the board does not trust.
"$T" pack "$app" -o "$WWW/app_v3.ota" --version 3 --hw 7 --key other.pem >/dev/null
ota_publish "$WWW/ota.json" 3 "$WWW/app_v3.ota"
"$T" manifest sign "$WWW/ota.json" --key mkey.pem >/dev/null
refused "v3 of another key" run3.log "ota: verify failed v3: image signed by an unknown key"

# 4. v4 signed, but built for hardware 8: refused at its header, before the rest is fetched.
"$T" pack "$app" -o "$WWW/app_v4.ota" --version 4 --hw 8 --key key.pem >/dev/null
ota_publish "$WWW/ota.json" 4 "$WWW/app_v4.ota"
"$T" manifest sign "$WWW/ota.json" --key mkey.pem >/dev/null
refused "v4 for another board" run4.log "ota: download failed v4: image built for another board (hw id)"

# 5. The manifest changed without being signed again; then no .sig at all.
"$T" manifest add "$WWW/ota.json" --version 4 --url "$OTA_URL/app_v4.ota" --file "$WWW/app_v4.ota" \
    --hw 8 >/dev/null
refused "changed manifest" run5.log "ota: check failed: bad manifest signature"
rm "$WWW/ota.json.sig"
refused "unsigned manifest" run6.log "ota: check failed: manifest not signed"

# 6. The first manifest (Sequence 1, validly signed) served again after Sequence 4.
cp old.json "$WWW/ota.json" && cp old.json.sig "$WWW/ota.json.sig"
refused "replayed manifest" run7.log "ota: check failed: manifest replayed (old Sequence)"
