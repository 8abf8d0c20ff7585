#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The QEMU engine's plumbing, with the real bootloader and nothing to boot: create writes the
# bootloader at address 0 of internal flash through the flash model; run launches QEMU,
# relays the bootloader's console, and maps its "no valid image" exit to status 5; the
# engine's command-line errors; the relay that carries the guest's connections reaches the
# host's server; no QEMU outlives the run.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/qemu_lib.sh"
ota_qemu_workspace bootloader.bin
board=$OTA_BIN/otaflow-board

"$board" create "$B" --engine qemu --bootloader "$FW/bootloader.bin" >/dev/null
size=$(stat -c %s "$FW/bootloader.bin")
ota_check "the bootloader is at address 0 of internal flash" \
    "$(cmp -n "$size" "$FW/bootloader.bin" "$B/internal.flash" && echo same)" same
ota_expect "$B" "engine" 's["engine"]' qemu \
    "the programming went through the flash model" \
    's["flash"]["internal"]["bytes_programmed"] >= '"$size" True \
    "nothing in the application region" 's["running_version"]' 0 \
    "power" 's["power"]' on
ota_check "power.qemu made at create" "$(cat "$B/power.qemu")" \
    "ops=0 cut_at=0 mode=before seed=1 dead=0"

ota_run 5 halt.log "$B" --timeout 30
ota_check "the bootloader's lines, with the time since power-on" \
    "$(( $(grep -cE '^\[ *[0-9]+\.[0-9]{3}\] boot: ' halt.log) >= 1 ))" 1
ota_check "halted, said once" "$(ota_count 'board: halted' halt.log)" 1
ota_check "no reset (QEMU exited 5, not 0)" "$(ota_count 'board: reset #' halt.log)" 0

# Errors: each one line on stderr, with its status.
rc=0; "$board" create other --bootloader "$FW/bootloader.bin" 2>err.txt || rc=$?
ota_check "--bootloader without --engine qemu: usage error" "$rc" 2
head -c $((0x1E001)) /dev/zero >big.bin
rc=0; "$board" create big --engine qemu --bootloader big.bin 2>err.txt || rc=$?
ota_check "a bootloader reaching the guard pages is refused" "$rc" 1
ota_check "it says why" "$(grep -c 'below the guard' err.txt)" 1
rc=0; "$board" create none --engine qemu --bootloader missing.bin 2>err.txt || rc=$?
ota_check "a missing bootloader is an error" "$rc" 1
ota_check "it names the missing file" "$(grep -c 'cannot read the bootloader missing.bin' err.txt)" 1
rc=0; "$board" set "$B" engine=host 2>err.txt || rc=$?
ota_check "the engine is fixed at create" "$rc" 1
ota_check "it says so" "$(grep -c 'engine cannot change' err.txt)" 1
ota_expect "$B" "still a qemu board" 's["engine"]' qemu
rc=0; "$board" create engine-x --engine vax 2>err.txt || rc=$?
ota_check "an unknown engine: usage error" "$rc" 2
ota_check "it lists the engines" "$(grep -c 'engine must be host or qemu' err.txt)" 1

# A board whose path has a space cannot be passed to the firmware as a word.
mkdir "$OTA_TMP/with space"
"$board" create "$OTA_TMP/with space/b" --engine qemu --bootloader "$FW/bootloader.bin" >/dev/null
rc=0; "$board" run "$OTA_TMP/with space/b" --timeout 5 >space.log 2>&1 || rc=$?
ota_check "a path with white space: run fails" "$rc" 1
ota_check "saying why" "$(ota_count 'without white space' space.log)" 1

# The relay: what QEMU runs for each guest connection to 10.0.2.100:PORT.
echo "served on loopback" >"$WWW/hello.txt"
ota_start_python_server "$WWW"
printf 'GET /hello.txt HTTP/1.0\r\n\r\n' | "$board" relay "$OTA_PORT" >relay.out
ota_check "the relay reaches 127.0.0.1:PORT both ways" \
    "$(grep -c 'served on loopback' relay.out)" 1

ota_qemu_none_left
