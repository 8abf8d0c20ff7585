#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Delta updates on the virtual board (docs/delta.md, "On the device"), against a python3
# http.server that answers Range requests (206) and logs the bytes it sends, and whose
# /drop/<file> sends the first request for a file only half and closes:
#   1-2. 1 -> 2 by a patch, in otaflow's format and in jojodiff's: the image is never fetched;
#   3.   a patch whose base is not the running image: the full image instead;
#   4.   a power cut while the patch is applied, in both formats: the next power-on resumes
#        from the last checkpoint noted, with a Range request: the patch is not fetched
#        again from byte 0;
#   5.   a dropped connection in the middle of the patch, in both formats: resumed the same way;
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
done
# The resume tests' patches: otaflow's with blocks of a 4 KB sector, so that each sector of
# output is a checkpoint as in jojodiff's (the default 32 KB blocks resume at a block start).
"$T" diff "$WWW/app_v1.ota" "$WWW/app_v2.ota" -o "$WWW/again.otaflow" --block-size 4096 >/dev/null
cp "$WWW/1to2.jojodiff" "$WWW/again.jojodiff"
"$T" diff other_v1.ota "$WWW/app_v2.ota" -o "$WWW/other.otaflow" >/dev/null
echo "patch sizes: otaflow $(stat -c %s "$WWW/1to2.otaflow") B, jojodiff $(stat -c %s "$WWW/1to2.jojodiff") B, image $(stat -c %s "$WWW/app_v2.ota") B"

cat >drop_server.py <<'PY'
import functools, http.server, os, sys
dropped = set()
class Handler(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        drop = self.path.startswith("/drop/") and self.path not in dropped
        dropped.add(self.path)
        name = self.path[6:] if self.path.startswith("/drop/") else self.path[1:]
        path = os.path.join(self.directory, name)
        if not os.path.isfile(path):
            return super().do_GET() # the 404
        body = open(path, "rb").read()
        start = 0
        rng = self.headers.get("Range", "")
        if rng.startswith("bytes=") and rng.endswith("-"):
            start = int(rng[6:-1])
            self.send_response(206)
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, len(body) - 1, len(body)))
        else:
            self.send_response(200)
        self.send_header("Content-Length", str(len(body) - start))
        self.end_headers()
        sent = body[start:][: (len(body) - start) // 2] if drop else body[start:]
        self.wfile.write(sent)
        self.wfile.flush()
        sys.stderr.write("SENT %s from %d: %d bytes\n" % (self.path, start, len(sent)))
        sys.stderr.flush()
        if drop:
            self.close_connection = True
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

# sent_from NAME: where each request for NAME started, as the server logged them.
sent_from() { sed -n "s|^SENT /$1 from \([0-9]*\): .*|\1|p" "$OTA_SERVER_LOG"; }
# check_resumed LABEL NAME PATCH_FILE BEFORE: the request after the interrupted one (the
# requests for NAME before that one: BEFORE) asked for the patch from a byte past 0.
check_resumed() {
    local from size
    from=$(sent_from "$2" | sed -n "$(($4 + 2))p")
    size=$(stat -c %s "$3")
    [[ -n "$from" ]] || ota_fail "$1: the patch was not fetched again"
    [[ "$from" -gt 0 ]] ||
        ota_fail "$1: the patch was fetched again from byte 0 (requests from: $(echo $(sent_from "$2")))"
    echo "ok: $1: the patch ($size B) was fetched again from byte $from: $((size - from)) B on the wire"
}

# 4. A power cut while the patch is applied, in each format. A reference run (1) says where
# its flash operations are: the patch writes the image before the reset, the 24 KB of new
# bytes last (about 100 page programs, sector erases, notes and journal records); the cut
# comes 60 operations before the reset, in the middle of them, where the patch's bytes are.
for fmt in otaflow jojodiff; do
    publish app_v2.ota "$WWW/app_v1.ota" "again.$fmt"
    ota_new_board "$OTA_TMP/b-cut-$fmt" "$WWW/app_v1.ota"
    cp -r "$OTA_TMP/b-cut-$fmt" "$OTA_TMP/b-ref-$fmt"
    ota_run 0 "$OTA_TMP/ref-$fmt.log" "$OTA_TMP/b-ref-$fmt" --until-version 2 --timeout 60
    reset_at=$(sed -n 's/.*reset #1: .*after flash operation \([0-9]*\) of this run.*/\1/p' "$OTA_TMP/ref-$fmt.log")
    [[ -n "$reset_at" ]] || ota_fail "$fmt: reference run: no reset seen"
    cut=$((reset_at - 60))
    before=$(sent_from "again.$fmt" | wc -l)
    ota_run 4 "$OTA_TMP/cut-$fmt.log" "$OTA_TMP/b-cut-$fmt" --until-version 2 --timeout 60 --power-cut-at "$cut" --cut-mode torn
    ota_check "$fmt: cut at $cut of $reset_at: while patching" \
        "$(ota_count 'ota: patch started v2 0' "$OTA_TMP/cut-$fmt.log")" 1
    ota_check "$fmt: cut at $cut: not after the patch" "$(ota_count 'ota: patch applied' "$OTA_TMP/cut-$fmt.log")" 0
    ota_run 0 "$OTA_TMP/cut2-$fmt.log" "$OTA_TMP/b-cut-$fmt" --until-version 2 --timeout 60
    check_resumed "$fmt: after the power cut" "again.$fmt" "$WWW/again.$fmt" "$before"
    ota_check "$fmt: after the cut: the patch applied" "$(ota_count 'ota: patch applied v2' "$OTA_TMP/cut2-$fmt.log")" 1
    ota_expect "$OTA_TMP/b-cut-$fmt" "$fmt: after the cut: version 2 runs confirmed" \
        '(s["running_version"], s["boot_state"])' "(2, 'confirmed')"
done

# 5. The connection drops in the middle of the patch; the board is powered off there and on
# again (the agent's own retry waits out a backoff of a minute).
for fmt in otaflow jojodiff; do
    publish app_v2.ota "$WWW/app_v1.ota" "drop/again.$fmt"
    ota_new_board "$OTA_TMP/b-drop-$fmt" "$WWW/app_v1.ota"
    ota_run 0 "$OTA_TMP/drop-$fmt.log" "$OTA_TMP/b-drop-$fmt" --until-console 'ota: download failed v2' --timeout 60
    ota_run 0 "$OTA_TMP/drop2-$fmt.log" "$OTA_TMP/b-drop-$fmt" --until-version 2 --timeout 60
    check_resumed "$fmt: after the dropped connection" "drop/again.$fmt" "$WWW/again.$fmt" 0
    ota_check "$fmt: dropped connection: the patch fetched twice" "$(gets "drop/again.$fmt")" 2
    ota_expect "$OTA_TMP/b-drop-$fmt" "$fmt: after the drop: version 2 runs confirmed" \
        '(s["running_version"], s["boot_state"])' "(2, 'confirmed')"
done

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
