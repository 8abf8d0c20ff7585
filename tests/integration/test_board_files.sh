#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The original's File Download on the virtual board, against python3 http.server: a manifest
# in the original's shape (an entry of its own with "files", no Version) with two files and an
# image entry. Both files land in their file slots (board.conf file_slots) and read back byte
# for byte (otaflow-board file, status), the image update still happens, and the files are not
# fetched again after the reset. Then a file whose digest is not the one announced is refused
# and the slot keeps its old file.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ota_workspace
ota_pack "$OTA_BIN/otaflow-example-app" 1 "$WWW/app_v1.ota"
ota_pack "$OTA_BIN/otaflow-example-app" 2 "$WWW/app_v2.ota"
head -c 1415 /dev/urandom >"$WWW/ca_cert.crt"
head -c 40000 /dev/urandom >"$WWW/index.html"
head -c 1415 /dev/urandom >"$WWW/other.crt"
ota_start_python_server "$WWW"
ota_publish "$WWW/ota.json" 2 "$WWW/app_v2.ota"

sha() { sha256sum "$1" | cut -d' ' -f1; }
# files_manifest SLOT:FILE:DIGEST...: ota.json with those file entries first, in the
# original's shape, then the image entries `manifest add` wrote.
files_manifest() {
    python3 - "$WWW/ota.json" "$OTA_URL" "$@" <<'PY'
import json, os, sys
path, base, specs = sys.argv[1], sys.argv[2], sys.argv[3:]
m = json.load(open(path))
images = [e for e in m["ota"] if "files" not in e]
files = []
for spec in specs:
    slot, name, digest = spec.split(":")
    size = os.path.getsize(os.path.join(os.path.dirname(path), name))
    files.append({"slot_number": int(slot), "length": size, "URL": base + "/" + name,
                  "digest": digest.upper()})
m["ota"] = [{"files": files}] + images
json.dump(m, open(path, "w"), indent=2)
PY
}
files_manifest "2:ca_cert.crt:$(sha "$WWW/ca_cert.crt")" "0:index.html:$(sha "$WWW/index.html")"

ota_new_board "$B" "$WWW/app_v1.ota"
"$OTA_BIN/otaflow-board" set "$B" file_slots=3 >/dev/null || ota_fail "set file_slots=3"
ota_check "board.conf has the file slots" "$(grep -c '^file_slots = 3$' "$B/board.conf")" 1

ota_run 0 "$OTA_TMP/run.log" "$B" --until-version 2 --timeout 40
ota_check "the certificate arrived (the application's line)" \
    "$(ota_count 'app: file arrived: slot 2, 1415 bytes, sha256' "$OTA_TMP/run.log")" 1
ota_check "the page arrived" \
    "$(ota_count 'app: file arrived: slot 0, 40000 bytes' "$OTA_TMP/run.log")" 1
ota_check "the agent's line for the page" \
    "$(ota_count 'ota: file download done slot 0, 40000 B' "$OTA_TMP/run.log")" 1
ota_check "version 2 ran after the files (the image update still happened)" \
    "$(ota_count 'app: running version 2' "$OTA_TMP/run.log")" 1
ota_check "each file fetched once, also after the reset" \
    "$(ota_count 'GET /ca_cert.crt' "$OTA_SERVER_LOG")$(ota_count 'GET /index.html' "$OTA_SERVER_LOG")" 11
ota_check "image downloaded once" "$(ota_count 'GET /app_v2.ota' "$OTA_SERVER_LOG")" 1

"$OTA_BIN/otaflow-board" file "$B" 2 --out "$OTA_TMP/slot2" 2>"$OTA_TMP/file.err" ||
    ota_fail "otaflow-board file 2: $(cat "$OTA_TMP/file.err")"
cmp "$OTA_TMP/slot2" "$WWW/ca_cert.crt" || ota_fail "file slot 2 differs from ca_cert.crt"
echo "ok: file slot 2 reads back as ca_cert.crt, byte for byte"
"$OTA_BIN/otaflow-board" file "$B" 0 >"$OTA_TMP/slot0" 2>/dev/null || ota_fail "file 0"
cmp "$OTA_TMP/slot0" "$WWW/index.html" || ota_fail "file slot 0 differs from index.html"
echo "ok: file slot 0 reads back as index.html, byte for byte (stdout)"
ota_check "an empty slot is an error" \
    "$("$OTA_BIN/otaflow-board" file "$B" 1 >/dev/null 2>&1 && echo 0 || echo $?)" 1
ota_expect "$B" \
    "status lists the three file slots" 'len(s["files"])' 3 \
    "slot 2's length" 's["files"][2]["length"]' 1415 \
    "slot 2's digest" 's["files"][2]["sha256"]' "$(sha "$WWW/ca_cert.crt")" \
    "slot 1 empty" 's["files"][1]["length"]' 0 \
    "running version" 's["running_version"]' 2
"$OTA_BIN/otaflow-board" status "$B" >"$OTA_TMP/status.txt"
ota_check "status text shows the page" \
    "$(ota_count "file 0           40000 bytes, sha256 $(sha "$WWW/index.html")" "$OTA_TMP/status.txt")" 1

# other.crt announced under a digest that is not its own (the certificate's, one digit off):
# refused after its bytes arrive, the old certificate stays.
wrong=$(sha "$WWW/other.crt" | sed 's/.$/0/')
[[ $wrong != "$(sha "$WWW/other.crt")" ]] || wrong=$(sha "$WWW/other.crt" | sed 's/.$/1/')
files_manifest "2:other.crt:$wrong" "0:index.html:$(sha "$WWW/index.html")"
ota_run 0 "$OTA_TMP/run2.log" "$B" --until-console 'ota: file download failed slot 2' --timeout 30
ota_check "the wrong file is refused, named" \
    "$(ota_count 'ota: file download failed slot 2, 1415 B: file digest mismatch' "$OTA_TMP/run2.log")" 1
ota_check "nothing arrived" "$(ota_count 'app: file arrived' "$OTA_TMP/run2.log")" 0
"$OTA_BIN/otaflow-board" file "$B" 2 --out "$OTA_TMP/slot2b" 2>/dev/null || ota_fail "file 2"
cmp "$OTA_TMP/slot2b" "$WWW/ca_cert.crt" || ota_fail "file slot 2 lost the old certificate"
echo "ok: file slot 2 still holds the old certificate"
echo "test_board_files: all checks passed"
