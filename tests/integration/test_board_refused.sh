#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The refused-image loop: a server offers a v2 whose file matches its Digest but is no valid
# image (one payload byte changed after packing, so its own SHA-256 fails). The board
# downloads it once, refuses it, and then, over many manifest checks that still offer the same
# version and digest, fetches it no more and erases nothing; the corrected file (a new digest
# in the manifest) is taken at the next check. (The issue measured 8 downloads and 8 slot
# erases in 8 s before the agent remembered refused images.)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ota_workspace
ota_pack "$OTA_BIN/otaflow-example-app" 1 "$WWW/app_v1.ota"
ota_pack "$OTA_BIN/otaflow-example-app" 2 "$WWW/app_v2_fixed.ota"
cp "$WWW/app_v2_fixed.ota" "$WWW/app_v2_bad.ota"
# One payload byte flipped (the header is 64 bytes): the manifest's Digest is taken of this
# file, so only the image's own check can refuse it.
python3 - "$WWW/app_v2_bad.ota" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
b[5000] ^= 0x01
open(p, "wb").write(bytes(b))
PY
ota_start_python_server "$WWW"
# `manifest add` refuses such a file: publish the good one, then point the entry at the bad
# file with its SHA-256, as a broken build server would.
ota_publish "$WWW/ota.json" 2 "$WWW/app_v2_fixed.ota"
python3 - "$WWW/ota.json" "$WWW/app_v2_bad.ota" <<'PY'
import hashlib, json, sys
m = json.load(open(sys.argv[1]))
e = m["ota"][0]
e["URL"] = e["URL"].replace("app_v2_fixed.ota", "app_v2_bad.ota")
e["Digest"] = hashlib.sha256(open(sys.argv[2], "rb").read()).hexdigest()
json.dump(m, open(sys.argv[1], "w"))
PY
ota_new_board "$B" "$WWW/app_v1.ota"

LOG=$OTA_TMP/run.log
"$OTA_BIN/otaflow-board" run "$B" --until-version 2 --timeout 90 >"$LOG" 2>&1 &
RUN=$!
OTA_PIDS+=($RUN)

# wait_for TEXT N: until LOG has N lines containing TEXT (the run must still be going).
wait_for() {
    local i
    for i in $(seq 1 600); do
        if (($(ota_count "$1" "$LOG") >= $2)); then
            return 0
        fi
        kill -0 "$RUN" 2>/dev/null || break
        sleep 0.1
    done
    cat "$LOG" >&2
    ota_fail "waited for $2 x '$1'"
}

erases() {
    ota_json "$B" 's["flash"]["external"]["erases"]'
}

wait_for "ota: verify failed v2" 1
erased=$(erases)
# Read while the board runs: the factory save and the download have erased already.
ota_check "external flash erases counted live" "$((erased > 0))" 1
# The failure put the next periodic check out by the backoff (60 s); a check asked for by
# the application is not delayed, and the periodic checks (1 s) follow it.
"$OTA_BIN/otaflow-board" request "$B" check
wait_for "refused before (same version and digest)" 6
ota_check "the invalid v2 was downloaded once" \
    "$(ota_count 'GET /app_v2_bad.ota' "$OTA_SERVER_LOG")" 1
ota_check "the manifest was checked again and again" \
    "$(($(ota_count 'GET /ota.json' "$OTA_SERVER_LOG") >= 7))" 1
ota_check "nothing erased in the external flash since the refusal" "$(erases)" "$erased"

# The corrected file, under a new digest: taken at the next check, installed, confirmed.
rm -f "$OTA_TMP/fixed.json"
ota_publish "$OTA_TMP/fixed.json" 2 "$WWW/app_v2_fixed.ota"
mv "$OTA_TMP/fixed.json" "$WWW/ota.json"
rc=0
wait "$RUN" || rc=$?
if [[ $rc -ne 0 ]]; then
    cat "$LOG" >&2
    ota_fail "run: exit status $rc, want 0 (v2 running and confirmed)"
fi
ota_check "the corrected v2 was downloaded once" \
    "$(ota_count 'GET /app_v2_fixed.ota' "$OTA_SERVER_LOG")" 1
ota_check "still one download of the invalid v2" \
    "$(ota_count 'GET /app_v2_bad.ota' "$OTA_SERVER_LOG")" 1
ota_check "v2 ran" "$(ota_count 'app: running version 2' "$LOG")" 1
ota_check "both downloads reported complete (download ok event)" \
    "$(ota_count 'app: ota: download ok v2 ' "$LOG")" 2
ota_expect "$B" \
    "v2 confirmed" '(s["running_version"], s["boot_state"])' "(2, 'confirmed')"
