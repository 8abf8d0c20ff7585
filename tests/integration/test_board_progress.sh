#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Progress of an update on `otaflow-board run` (issue 19): on a terminal (a pty, as a user's
# window) the download and the bootloader's copy are each one bar redrawn in place; in a log
# (not a terminal) they are plain lines, "app: download progress B/T" and
# "boot: install progress B/T", with no carriage return nor escape sequence.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib.sh"
ota_workspace
for v in 1 2 3; do ota_pack "$OTA_BIN/otaflow-example-app" $v "$WWW/app_v$v.ota"; done
ota_start_python_server "$WWW"
ota_publish "$WWW/ota.json" 1 "$WWW/app_v1.ota"
ota_new_board "$B" "$WWW/app_v1.ota"
ota_publish "$WWW/ota.json" 2 "$WWW/app_v2.ota"

# Not a terminal: plain lines, ending at the whole image.
ota_run 0 plain.log "$B" --until-version 2 --timeout 60
size2=$(python3 -c 'import os, sys; print(os.path.getsize(sys.argv[1]))' "$WWW/app_v2.ota")
ota_check "download progress lines in the log" \
    "$(grep -c "app: download progress [0-9]*/$size2\$" plain.log | awk '$1 > 0 { print "some" }')" some
installs=$(grep -o 'boot: install progress [0-9]*/[0-9]*$' plain.log)
total=$(tail -n 1 <<<"$installs" | sed 's|.*/||')
ota_check "install progress lines: a few, not one per sector" \
    "$(wc -l <<<"$installs" | awk '$1 >= 2 && $1 <= 10 { print "2..10" }')" "2..10"
ota_check "the last install line is the whole copy" "$(tail -n 1 <<<"$installs")" \
    "boot: install progress $total/$total"
ota_check "no carriage return nor escape in a log" "$(tr -cd '\r\033' <plain.log | wc -c)" 0

# On a terminal: bars redrawn in place, no plain progress line.
ota_publish "$WWW/ota.json" 3 "$WWW/app_v3.ota"
rc=0
python3 "$HERE/pty_run.py" tty.log "$OTA_BIN/otaflow-board" run "$B" --until-version 3 \
    --timeout 60 || rc=$?
[[ $rc -eq 0 ]] || { cat -v tty.log >&2; ota_fail "run on a terminal: exit status $rc"; }
size3=$(python3 -c 'import os, sys; print(os.path.getsize(sys.argv[1]))' "$WWW/app_v3.ota")
python3 - tty.log "$size3" <<'PY' || { cat -v tty.log >&2; ota_fail "the terminal's bars"; }
import re, sys
out = open(sys.argv[1], "rb").read().decode()
size = sys.argv[2]
stamp = r"\r\[ *\d+\.\d{3}\] "
checks = [
    ("the download is a bar, redrawn in place",
     len(re.findall(stamp + r"app: downloading \[[#.]{30}\] +\d+% \d+/" + size + r" bytes\x1b\[K", out)) >= 1),
    ("the download bar reaches 100 %",
     re.search(stamp + r"app: downloading \[#{30}\] 100% " + size + "/" + size + r" bytes", out)),
    ("the install is a bar, redrawn in place (several draws)",
     len(re.findall(stamp + r"boot: installing \[[#.]{30}\] +\d+% \d+/\d+ bytes\x1b\[K", out)) >= 2),
    ("the install bar reaches 100 %",
     re.search(stamp + r"boot: installing \[#{30}\] 100% (\d+)/\1 bytes\x1b\[K\r?\n", out)),
    ("no plain progress line on the terminal",
     "download progress" not in out and "install progress" not in out),
]
failed = False
for desc, good in checks:
    print(("ok: " if good else "FAIL: ") + desc, file=sys.stdout if good else sys.stderr)
    failed |= not good
sys.exit(1 if failed else 0)
PY
echo "ok: test_board_progress"
