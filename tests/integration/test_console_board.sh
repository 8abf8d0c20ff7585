#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The sysota console of the example application on the host engine: `otaflow-board run --send`
# types on the application's stdin, and what a user sees is its answers and what the board
# then does. The board checks nothing by itself (period 0), so every manifest fetch in the
# server's log was asked for on the console. Then settings, the original's one-line form, an
# update found by `sysota check`, factory reset and rollback from the console, a reset, hostile
# lines, and lines typed on a terminal (script(1) gives the board one).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ota_workspace
for v in 1 2; do ota_pack "$OTA_BIN/otaflow-example-app" $v "$WWW/app_v$v.ota"; done
ota_start_python_server "$WWW"
ota_publish "$WWW/ota.json" 1 "$WWW/app_v1.ota"
ota_new_board "$B" "$WWW/app_v1.ota"
"$OTA_BIN/otaflow-board" set "$B" period_s=0 confirm_on_start=on >/dev/null
gets() { ota_count "GET /$1" "$OTA_SERVER_LOG"; }
long=$(printf 'sysota set url http://127.0.0.1/%0400d' 0)

# What the board is, and lines it refuses (each with one line saying why).
ota_run 0 info.log "$B" --send "sysota get info" --send "sysota getfs info" \
    --send "sysota set period 99999" --send "sysota launch" --send "$long" \
    --send "sysota set url ftp://127.0.0.1/ota.json" --send "sysotahelp" \
    --until-console "sysota:   sysota reset" --timeout 30
ota_check "the board shows what it typed" "$(ota_count 'board: console input: sysota' info.log)" 7
ota_check "get info: period 0" \
    "$(ota_count 'app: sysota: period: 0 s (periodic check off)' info.log)" 1
ota_check "get info: the URL" "$(ota_count "app: sysota: url: $OTA_URL/ota.json" info.log)" 1
ota_check "get info: the status" "$(ota_count 'app: sysota: status: idle' info.log)" 1
ota_check "getfs info: v1 in the factory slot, running" \
    "$(ota_count 'app: sysota: slot 0 (factory): stored, version 1' info.log)" 1
ota_check "getfs info: the boot state" \
    "$(ota_count 'app: sysota: boot: confirmed, running version 1' info.log)" 1
ota_check "period out of range refused" \
    "$(ota_count "app: sysota: refused: the period must be a number from 0 to 7200, not '99999'" \
        info.log)" 1
ota_check "unknown command refused" \
    "$(ota_count "app: sysota: unknown command 'launch'" info.log)" 1
ota_check "too long a line refused" \
    "$(ota_count 'app: sysota: refused: line longer than' info.log)" 1
ota_check "ftp URL refused by the agent" \
    "$(ota_count 'app: sysota: set refused: unusable URL' info.log)" 1
ota_check "the settings did not change" "$(ota_count 'app: sysota: settings:' info.log)" 0
ota_check "no manifest fetched (period 0, no check asked)" "$(gets ota.json)" 0

# check: one fetch of the manifest, seen by the server.
ota_run 0 check.log "$B" --send "sysota check" --until-console "ota: no update" --timeout 30
ota_check "check answered" "$(ota_count 'app: sysota: check: ok' check.log)" 1
ota_check "the manifest fetched once" "$(gets ota.json)" 1

# Settings: set period, then get info shows it; the original's one-line form with a new URL,
# where the next check goes.
cp "$WWW/ota.json" "$WWW/other.json"
ota_run 0 set.log "$B" --send "sysota set period 5" --send "sysota get info" \
    --send "sysota set 0 1 1 30 $OTA_URL/other.json" --send "sysota check" \
    --until-console "ota: no update" --timeout 30
ota_check "set period answered" \
    "$(ota_count 'app: sysota: settings: period 5 s, auto update on, auto reset on' set.log)" 1
ota_check "get info shows 5" \
    "$(ota_count 'app: sysota: period: 5 s (periodic check on)' set.log)" 1
ota_check "the original's form answered" \
    "$(ota_count "app: sysota: settings: period 0 s, auto update on, auto reset on, url \
$OTA_URL/other.json" set.log)" 1
ota_check "the check went to the new URL" "$(gets other.json)" 1

# An update found by a check typed on the console; then factory reset and rollback typed.
ota_publish "$WWW/ota.json" 2 "$WWW/app_v2.ota"
ota_run 0 update.log "$B" --send "sysota check" --until-version 2 --timeout 30
ota_check "v2 fetched once" "$(gets app_v2.ota)" 1
ota_run 0 factory.log "$B" --send "sysota factory-reset" --until-version 1 --timeout 30
ota_check "factory reset answered" "$(ota_count 'app: sysota: factory-reset: ok' factory.log)" 1
ota_check "one reset, asked for by the agent" \
    "$(ota_count 'board: reset #1: the application asked for it' factory.log)" 1
ota_run 0 update2.log "$B" --send "sysota check" --until-version 2 --timeout 30
ota_run 0 rollback.log "$B" --send "sysota rollback" --until-version 1 --timeout 30
ota_check "rollback answered" "$(ota_count 'app: sysota: rollback: ok' rollback.log)" 1
ota_expect "$B" "running version after the rollback" 's["running_version"]' 1 \
    "boot state" 's["boot_state"]' confirmed

# sysota reset: the board resets.
ota_run 0 reset.log "$B" --send "sysota reset" --until-console "reset #1:" --timeout 30
ota_check "reset asked for by the application" \
    "$(ota_count 'board: reset #1: the application asked for it' reset.log)" 1

# Bad --send arguments are usage errors.
ota_run 2 usage.log "$B" --send "$(printf 'a\nb')"
ota_check "a line break in --send refused" "$(ota_count 'one line' usage.log)" 1
ota_run 2 usage2.log "$B" --send
ota_check "--send without a line refused" "$(ota_count 'needs a value' usage2.log)" 1

# Interactive: a line typed on the board's terminal reaches the console.
{ sleep 1; printf 'sysota get info\n'; } |
    script -qec "'$OTA_BIN/otaflow-board' run '$B' --until-console 'sysota: status:' --timeout 20" \
        /dev/null >tty.log 2>&1 || { cat tty.log >&2; ota_fail "interactive run"; }
ota_check "a line typed on the terminal answered" \
    "$(ota_count 'app: sysota: status: idle' tty.log)" 1
