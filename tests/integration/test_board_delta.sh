#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Delta updates on the virtual board (docs/delta.md, "On the device"), against a python3
# http.server whose /drop/<file> sends the first request for a file only half and closes:
#   1-2. 1 -> 2 by a patch, in otaflow's format and in jojodiff's: the image is never fetched;
#   3.   a patch whose base is not the running image: the full image instead;
#   4.   a power cut while the patch is applied: the next power-on resumes where the store's
#        journal says the rebuilt image is durable, not from zero;
#   5.   a dropped connection in the middle of the patch: resumed the same way;
#   6.   a patch whose result does not match TargetDigest: refused, nothing installed, the
#        base still running (the full image it falls back to is not served here);
#   7-9. a patch whose bytes do not match PatchDigest, one the applier refuses (its header
#        names another base size), and one the server does not have (404): the full image.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ota_workspace

# Version 2: the same program with 24 KB of other bytes after it (a host executable ignores
# them), so that its patch carries data of its own, over several 4 KB sectors of output.
APP=$OTA_BIN/otaflow-example-app
cp "$APP" app2
python3 -c 'import random, sys; random.seed(15); sys.stdout.buffer.write(bytes(random.getrandbits(8) for _ in range(24576)))' >>app2
chmod +x app2
ota_pack "$APP" 1 "$WWW/app_v1.ota"
ota_pack app2 2 "$WWW/app_v2.ota"
ota_pack "$OTA_BIN/otaflow-example-app-crash" 1 other_v1.ota
for fmt in otaflow jojodiff; do
    "$T" diff "$WWW/app_v1.ota" "$WWW/app_v2.ota" -o "$WWW/1to2.$fmt" --format "$fmt" >/dev/null
    cp "$WWW/1to2.$fmt" "$WWW/again.$fmt" # served under another name for the resume tests
done
"$T" diff other_v1.ota "$WWW/app_v2.ota" -o "$WWW/other.otaflow" >/dev/null
echo "patch sizes: otaflow $(stat -c %s "$WWW/1to2.otaflow") B, jojodiff $(stat -c %s "$WWW/1to2.jojodiff") B, image $(stat -c %s "$WWW/app_v2.ota") B"

cat >drop_server.py <<'PY'
import functools, http.server, os, sys
dropped = set()
class Handler(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        if self.path.startswith("/drop/") and self.path not in dropped:
            dropped.add(self.path)
            body = open(os.path.join(self.directory, self.path[6:]), "rb").read()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        if self.path.startswith("/drop/"):
            self.path = self.path[5:]
        return super().do_GET()
port, root = int(sys.argv[1]), sys.argv[2]
server = http.server.ThreadingHTTPServer(("127.0.0.1", port),
                                         functools.partial(Handler, directory=root))
print("Serving HTTP on 127.0.0.1 port %d" % port, flush=True)
server.serve_forever()
PY
for try in 1 2 3; do
    OTA_PORT=$(ota_free_port)
    OTA_SERVER_LOG=$OTA_TMP/http-$OTA_PORT.log
    python3 drop_server.py "$OTA_PORT" "$WWW" >"$OTA_SERVER_LOG" 2>&1 &
    OTA_PIDS+=($!)
    if ota_wait_port "$OTA_PORT" $!; then break; fi
done
OTA_URL=http://127.0.0.1:$OTA_PORT

# publish FULL_URL_NAME BASE.ota PATCH_NAME: the manifest of version 2 with one patch.
publish() {
    rm -f "$WWW/ota.json"
    "$T" manifest add "$WWW/ota.json" --version 2 --url "$OTA_URL/$1" --file "$WWW/app_v2.ota" \
        --patch "$2" "$WWW/${3#drop/}" --patch-url "$OTA_URL/$3" >/dev/null ||
        ota_fail "manifest add --patch $3"
}
gets() { grep -cF "\"GET /$1 " "$OTA_SERVER_LOG" || true; }

# 1-2. 1 -> 2 by a patch in each format.
for fmt in otaflow jojodiff; do
    publish app_v2.ota "$WWW/app_v1.ota" "1to2.$fmt"
    ota_new_board "$OTA_TMP/b-$fmt" "$WWW/app_v1.ota"
    full_before=$(gets app_v2.ota)
    ota_run 0 "$OTA_TMP/$fmt.log" "$OTA_TMP/b-$fmt" --until-version 2 --timeout 60
    ota_check "$fmt: the patch was applied" "$(ota_count 'ota: patch applied v2' "$OTA_TMP/$fmt.log")" 1
    ota_check "$fmt: the patch fetched once" "$(gets "1to2.$fmt")" 1
    ota_check "$fmt: the image never fetched" "$(( $(gets app_v2.ota) - full_before ))" 0
    ota_expect "$OTA_TMP/b-$fmt" \
        "$fmt: version 2 runs confirmed" '(s["running_version"], s["boot_state"])' "(2, 'confirmed')" \
        "$fmt: version 1 kept as the factory image" \
        '[(i["version"], i["state"]) for i in s["images"] if i["slot"] == 0]' "[(1, 'stored')]"
done

# 3. The patch's base is another version 1 than the one running: the full image.
publish app_v2.ota other_v1.ota other.otaflow
ota_new_board "$OTA_TMP/b-other" "$WWW/app_v1.ota"
full_before=$(gets app_v2.ota)
ota_run 0 "$OTA_TMP/other.log" "$OTA_TMP/b-other" --until-version 2 --timeout 60
ota_check "base mismatch: the patch not fetched" "$(gets other.otaflow)" 0
ota_check "base mismatch: the image fetched instead" "$(( $(gets app_v2.ota) - full_before ))" 1
ota_check "base mismatch: no patch started" "$(ota_count 'ota: patch started' "$OTA_TMP/other.log")" 0

# 4. A power cut while the patch is applied. The reference run (1) says where its flash
# operations are: the patch writes the image between the manifest check and the reset.
publish app_v2.ota "$WWW/app_v1.ota" 1to2.otaflow
ota_new_board "$OTA_TMP/b-cut" "$WWW/app_v1.ota"
cp -r "$OTA_TMP/b-cut" "$OTA_TMP/b-ref"
ota_run 0 "$OTA_TMP/ref.log" "$OTA_TMP/b-ref" --until-version 2 --timeout 60
reset_at=$(sed -n 's/.*reset #1: .*after flash operation \([0-9]*\) of this run.*/\1/p' "$OTA_TMP/ref.log")
[[ -n "$reset_at" ]] || ota_fail "reference run: no reset seen"
cut=$((reset_at * 9 / 10))
ota_run 4 "$OTA_TMP/cut.log" "$OTA_TMP/b-cut" --until-version 2 --timeout 60 --power-cut-at "$cut" --cut-mode torn
ota_check "cut at $cut of $reset_at: while patching" \
    "$(ota_count 'ota: patch started v2 0' "$OTA_TMP/cut.log")" 1
ota_check "cut at $cut: not after the patch" "$(ota_count 'ota: patch applied' "$OTA_TMP/cut.log")" 0
ota_run 0 "$OTA_TMP/cut2.log" "$OTA_TMP/b-cut" --until-version 2 --timeout 60
resumed=$(sed -n 's/.*ota: patch started v2 \([0-9]*\).*/\1/p' "$OTA_TMP/cut2.log" | head -1)
[[ -n "$resumed" && "$resumed" -gt 0 ]] || ota_fail "after the cut the patch restarted from 0 (${resumed:-none})"
echo "ok: after the cut the rebuilt image resumed at byte $resumed"
ota_check "after the cut: the patch applied" "$(ota_count 'ota: patch applied v2' "$OTA_TMP/cut2.log")" 1
ota_expect "$OTA_TMP/b-cut" "after the cut: version 2 runs confirmed" \
    '(s["running_version"], s["boot_state"])' "(2, 'confirmed')"

# 5. The connection drops in the middle of the patch; the board is powered off there and on
# again (the agent's own retry waits out a backoff of a minute).
publish app_v2.ota "$WWW/app_v1.ota" drop/again.otaflow
ota_new_board "$OTA_TMP/b-drop" "$WWW/app_v1.ota"
ota_run 0 "$OTA_TMP/drop.log" "$OTA_TMP/b-drop" --until-console 'ota: download failed v2' --timeout 60
ota_run 0 "$OTA_TMP/drop2.log" "$OTA_TMP/b-drop" --until-version 2 --timeout 60
resumed=$(sed -n 's/.*ota: patch started v2 \([0-9]*\).*/\1/p' "$OTA_TMP/drop2.log" | head -1)
[[ -n "$resumed" && "$resumed" -gt 0 ]] || ota_fail "after the drop the patch restarted from 0 (${resumed:-none})"
echo "ok: after the dropped connection the rebuilt image resumed at byte $resumed"
ota_check "dropped connection: the patch fetched twice" "$(gets drop/again.otaflow)" 2
ota_expect "$OTA_TMP/b-drop" "after the drop: version 2 runs confirmed" \
    '(s["running_version"], s["boot_state"])' "(2, 'confirmed')"

# 6. TargetDigest names another file: the rebuilt image is refused before anything is
# installed; the full image it falls back to is not served, so version 1 keeps running.
publish missing.ota "$WWW/app_v1.ota" 1to2.jojodiff
python3 - "$WWW/ota.json" "$(sha256sum "$WWW/app_v1.ota" | cut -c1-64)" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
m["ota"][0]["Patch"][0]["TargetDigest"] = sys.argv[2]
json.dump(m, open(sys.argv[1], "w"))
PY
ota_new_board "$OTA_TMP/b-target" "$WWW/app_v1.ota"
ota_run 0 "$OTA_TMP/target.log" "$OTA_TMP/b-target" --until-console 'ota: download failed v2' --timeout 60
ota_check "wrong TargetDigest: the result refused" \
    "$(ota_count 'ota: verify failed v2: digest mismatch' "$OTA_TMP/target.log")" 1
ota_check "wrong TargetDigest: the patch given up" \
    "$(ota_count 'ota: patch failed v2: digest mismatch' "$OTA_TMP/target.log")" 1
ota_check "wrong TargetDigest: then the full image tried" "$(gets missing.ota)" 1
ota_check "wrong TargetDigest: nothing installed" "$(ota_count 'reset #1' "$OTA_TMP/target.log")" 0
ota_expect "$OTA_TMP/b-target" \
    "wrong TargetDigest: version 1 still runs" '(s["running_version"], s["boot_state"])' "(1, 'confirmed')" \
    "wrong TargetDigest: version 2 nowhere stored" \
    '[i["state"] for i in s["images"] if i["version"] == 2 and i["state"] in ("stored", "installed")]' "[]"
# 7-8. PatchDigest names another file; a patch the applier refuses (with its own digest).
# set_patch_field KEY VALUE: one field of the manifest's patch.
set_patch_field() {
    python3 - "$WWW/ota.json" "$1" "$2" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
m["ota"][0]["Patch"][0][sys.argv[2]] = sys.argv[3]
json.dump(m, open(sys.argv[1], "w"))
PY
}
python3 - "$WWW/1to2.otaflow" "$WWW/bad.otaflow" <<'PY'
import sys
p = bytearray(open(sys.argv[1], "rb").read())
p[12] ^= 0x01 # the header's base size
open(sys.argv[2], "wb").write(p)
PY
for bad in digest applier missing; do
    publish app_v2.ota "$WWW/app_v1.ota" 1to2.otaflow
    if [[ $bad == digest ]]; then
        set_patch_field PatchDigest "$(sha256sum "$WWW/app_v1.ota" | cut -c1-64)"
        why='patch does not match its PatchDigest'
    elif [[ $bad == applier ]]; then
        set_patch_field PatchURL "$OTA_URL/bad.otaflow"
        set_patch_field PatchDigest "$(sha256sum "$WWW/bad.otaflow" | cut -c1-64)"
        why='OTA_DELTA_ERR_BASE_SIZE'
    else
        set_patch_field PatchURL "$OTA_URL/no-such.patch"
        why='HTTP status not 2xx 404'
    fi
    ota_new_board "$OTA_TMP/b-$bad" "$WWW/app_v1.ota"
    full_before=$(gets app_v2.ota)
    ota_run 0 "$OTA_TMP/$bad.log" "$OTA_TMP/b-$bad" --until-version 2 --timeout 60
    ota_check "bad patch ($bad): given up, saying why" \
        "$(ota_count "ota: patch failed v2: $why" "$OTA_TMP/$bad.log")" 1
    ota_check "bad patch ($bad): the image fetched instead" "$(( $(gets app_v2.ota) - full_before ))" 1
    ota_expect "$OTA_TMP/b-$bad" "bad patch ($bad): version 2 runs confirmed" \
        '(s["running_version"], s["boot_state"])' "(2, 'confirmed')"
done
echo "PASS"
