# SPDX-License-Identifier: Apache-2.0
# What make demo (scripts/demo.sh) and make qemu-demo (scripts/qemu_demo.sh) share: the
# story's headings, and its last steps (power on until version 2 is confirmed, then what the
# board holds and what the server saw). Source it after tests/integration/lib.sh (bash).

if [[ -t 1 ]]; then BOLD=$'\033[1m'; OFF=$'\033[0m'; else BOLD=; OFF=; fi
step() { printf '\n%s== %s%s\n' "$BOLD" "$*" "$OFF"; }
say() { printf '   %s\n' "$*"; }

# demo_until_v2 BOARD TIMEOUT: run the board until version 2 runs confirmed, then show its
# status and the server's requests (OTA_SERVER_LOG).
demo_until_v2() {
    local board=$1 timeout=$2 rc
    echo
    set +e
    "$OTA_BIN/otaflow-board" run "$board" --until-version 2 --timeout "$timeout"
    rc=$?
    set -e
    [[ $rc -eq 0 ]] ||
        ota_fail "the board did not reach version 2 (otaflow-board run exit status $rc)"

    step "5. What the board holds now"
    "$OTA_BIN/otaflow-board" status "$board" | sed 's/^/   /'
    echo
    say "Requests the web server saw:"
    grep -o '"GET [^"]*"' "$OTA_SERVER_LOG" | sed 's/^/     /'
}

# demo_done: the closing heading with the time since START.
demo_done() {
    step "Done in $(awk -v a="$START" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s"
}
