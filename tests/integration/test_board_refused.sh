#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The refused-image loop: a server offers a v2 whose file matches its Digest but is no valid
# image (one payload byte changed after packing, so its own SHA-256 fails). The board
# downloads it once, refuses it, and then, over many manifest checks that still offer the same
# version and digest, fetches it no more and erases nothing; the corrected file (a new digest
# in the manifest) is taken at the next check. (The issue measured 8 downloads and 8 slot
# erases in 8 s before the agent remembered refused images.) Then the same for one of the
# original's raw .bin images with accept_raw_images off: refused at its first bytes, fetched
# once, nothing erased.
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

# The original's raw images (accept_raw_images off, the default): a raw .bin of v3 is refused
# at its first bytes, then, over many checks offering the same version and digest, fetched no
# more and nothing erased (docs/agent.md, "The original's raw images").
cp "$OTA_BIN/otaflow-example-app" "$WWW/app_v3.bin"
python3 - "$WWW/ota.json" "$OTA_URL/app_v3.bin" "$WWW/app_v3.bin" <<'PY'
import hashlib, json, sys
json.dump({"ota": [{"Version": 3, "URL": sys.argv[2], "EraseVer": False,
                    "Digest": hashlib.sha256(open(sys.argv[3], "rb").read()).hexdigest()}]},
          open(sys.argv[1], "w"))
PY
LOG=$OTA_TMP/run_raw.log
"$OTA_BIN/otaflow-board" run "$B" --until-console "never printed" --timeout 90 >"$LOG" 2>&1 &
RUN=$!
OTA_PIDS+=($RUN)
wait_for "ota: download failed v3: raw image (no otaflow header): accept_raw_images is off" 1
erased=$(erases)
"$OTA_BIN/otaflow-board" request "$B" check
wait_for "ota: download failed v3: refused before (same version and digest)" 6
kill "$RUN" 2>/dev/null || true
wait "$RUN" 2>/dev/null || true
ota_check "raw v3: downloaded once" "$(ota_count 'GET /app_v3.bin' "$OTA_SERVER_LOG")" 1
ota_check "raw v3: nothing erased in the external flash since the refusal" "$(erases)" "$erased"
ota_expect "$B" "raw v3: v2 keeps running" 's["running_version"]' 2
