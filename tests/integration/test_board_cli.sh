#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# otaflow-board's command line without a server: help, errors and exit codes, flash checks,
# a fresh board's status, the bootloader halting on an empty board, the watchdog and a
# crashing application.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ota_setup
BRD=$OTA_BIN/otaflow-board B=$OTA_TMP/board

expect() { # expect WANT-STATUS DESCRIPTION COMMAND...
    local want=$1 desc=$2 rc=0
    shift 2
    "$@" >"$OTA_TMP/out" 2>&1 || rc=$?
    [[ $rc -eq $want ]] || { cat "$OTA_TMP/out" >&2; ota_fail "$desc: exit $rc, want $want"; }
    echo "ok: $desc (exit $rc)"
}

for sub in create set flash run status request; do
    expect 0 "$sub --help" "$BRD" "$sub" --help
    grep -q "^usage: otaflow-board $sub" "$OTA_TMP/out" || ota_fail "$sub --help: no usage line"
done
expect 0 "--help" "$BRD" --help
expect 2 "no subcommand" "$BRD"
expect 2 "unknown subcommand" "$BRD" frobnicate
expect 2 "unknown option" "$BRD" create "$B" --colour red
expect 2 "bad slots" "$BRD" create "$B" --slots 9
expect 2 "bad external flash" "$BRD" create "$B" --ext-flash w25q128
expect 1 "status of a directory that is no board" "$BRD" status "$OTA_TMP"
ota_check "one-line error" "$(wc -l <"$OTA_TMP/out")" 1

expect 0 "create" "$BRD" create "$B" --ext-flash sst26vf064b --slots 3 --watchdog 1 \
    --period 1 --manifest-url http://127.0.0.1:9/ota.json
expect 1 "create twice" "$BRD" create "$B"
ota_check "external flash size" "$(stat -c %s "$B/external.flash")" 8388608
ota_expect "$B" \
    "fresh: running version" 's["running_version"]' 0 \
    "fresh: boot state" 's["boot_state"]' none \
    "fresh: images" '[(i["slot"], i["state"]) for i in s["images"]]' \
    "[(0, 'empty'), (1, 'empty'), (2, 'empty'), (3, 'empty')]"
expect 5 "run an empty board: the bootloader halts" "$BRD" run "$B" --timeout 5
grep -q "halted" "$OTA_TMP/out" || ota_fail "no 'halted' line"

head -c 5000 /dev/urandom >"$OTA_TMP/garbage.ota"
expect 1 "flash garbage" "$BRD" flash "$B" "$OTA_TMP/garbage.ota"
# a payload one byte larger than the region (its header and TLVs go after the region)
head -c $((0xDF001)) /dev/zero >"$OTA_TMP/big.bin"
ota_pack "$OTA_TMP/big.bin" 1 "$OTA_TMP/big.ota"
expect 1 "flash an image larger than the region" "$BRD" flash "$B" "$OTA_TMP/big.ota"
grep -q "does not fit the application region" "$OTA_TMP/out" || ota_fail "no size reason"
# an image linked 64 bytes into the region (where payloads went before the descriptor page)
"$OTA_BIN/otaflow-image" pack "$OTA_BIN/otaflow-example-app" -o "$OTA_TMP/moved.ota" \
    --version 1 --load-addr 0x10020040 >/dev/null || ota_fail "pack --load-addr"
expect 1 "flash an image linked for another address" "$BRD" flash "$B" "$OTA_TMP/moved.ota"
grep -q "load address is not the application region's start" "$OTA_TMP/out" ||
    ota_fail "no load address reason"
ota_pack "$OTA_BIN/otaflow-example-app" 1 "$OTA_TMP/app_v1.ota"
cp "$OTA_TMP/app_v1.ota" "$OTA_TMP/bad.ota"
printf '\xff' | dd of="$OTA_TMP/bad.ota" bs=1 seek=100 conv=notrunc 2>/dev/null
expect 1 "flash an image whose hash does not match" "$BRD" flash "$B" "$OTA_TMP/bad.ota"
expect 0 "flash" "$BRD" flash "$B" "$OTA_TMP/app_v1.ota"
ota_expect "$B" "flashed: running version" 's["running_version"]' 1

expect 2 "run: bad cut mode" "$BRD" run "$B" --power-cut-at 3 --cut-mode sideways
expect 2 "run: cut mode without a cut" "$BRD" run "$B" --cut-mode torn
expect 2 "request: unknown action" "$BRD" request "$B" dance

# Watchdog: the application hangs (a request), the board resets it after watchdog_s = 1 s.
"$BRD" request "$B" hang
expect 0 "watchdog resets a hung application" "$BRD" run "$B" --until-console "watchdog: no heartbeat" --timeout 20
grep -q "reset #1: watchdog: no heartbeat for 1 s" "$OTA_TMP/out" || ota_fail "no watchdog reset line"
grep -q "app: running version 1" "$OTA_TMP/out" || ota_fail "the application did not start"

# A board whose only image crashes: resets over and over, until the timeout.
B2=$OTA_TMP/crashing
ota_pack "$OTA_BIN/otaflow-example-app-crash" 1 "$OTA_TMP/crash.ota"
"$BRD" create "$B2" >/dev/null
"$BRD" flash "$B2" "$OTA_TMP/crash.ota" >/dev/null
expect 3 "a crashing application resets the board until the timeout" "$BRD" run "$B2" --timeout 1
grep -q "reset #2: the application crashed" "$OTA_TMP/out" || ota_fail "no crash resets"
