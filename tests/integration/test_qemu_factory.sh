#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The QEMU engine's first power-on: the real bootloader (build/firmware/bootloader.bin, at
# address 0 of internal flash) on the emulated Cortex-M4 finds the factory-programmed v1,
# saves it as the factory image in the external flash's store, and starts it; v1 confirms
# itself at start. The next power-on saves nothing again. Before that, a first power-on is
# cut in the middle of the save (DIR/power.qemu: the firmware counts every program and erase
# of both flashes; --power-cut-at N kills the board at the N-th of the run, QEMU exits 3,
# run exits 4, status says dead): the power-on after it finishes the job. All of it is read back by
# `otaflow-board status` from the board's flash files. A run stopped by its timeout or by
# Ctrl-C leaves no QEMU behind.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/qemu_lib.sh"
ota_qemu_workspace
ota_pack "$APP" 1 app_v1.ota
ota_qemu_board "$B" app_v1.ota --confirm-on-start on
ota_expect "$B" "engine" 's["engine"]' qemu "nothing stored before the first boot" \
    '[i["state"] for i in s["images"]]' "['empty', 'empty', 'empty']"

cut=$OTA_TMP/cut.log # in the test's own directory, not the shared working one
ota_run 4 "$cut" "$B" --power-cut-at 20 --cut-mode torn --seed 7 --timeout 30
ota_check "the cut was announced at operation 20" \
    "$(ota_count 'power cut at flash operation 20 of this run' "$cut")" 1
ota_check "it came during the factory save" "$(ota_count 'boot: first boot: saving v1' "$cut")" 1
ota_check "v1 never started" "$(ota_count 'app: running version 1' "$cut")" 0
ota_expect "$B" "power" 's["power"]' dead "operations counted up to the cut" 's["power_ops"]' 20

# (the bootloader records the factory image confirmed: --until-version 1 could end the run
# before v1 prints anything, so the goal is v1's own line)
ota_run 0 first.log "$B" --until-console 'app: version 1 confirmed' --timeout 30
ota_check "the power-on after the cut saved the factory image" \
    "$(ota_count 'boot: factory image v1 saved' first.log)" 1
ota_check "then started v1" "$(ota_count 'boot: starting v1' first.log)" 1
ota_check "v1 ran on the Cortex-M4" "$(ota_count 'app: running version 1' first.log)" 1
ota_expect "$B" \
    "running version" 's["running_version"]' 1 \
    "boot state" 's["boot_state"]' confirmed \
    "factory slot holds v1" \
    '[(i["version"], i["state"]) for i in s["images"] if i["factory"]]' "[(1, 'stored')]" \
    "the store was written on the external flash" 's["flash"]["external"]["programs"] > 0' True \
    "power back on" 's["power"]' on \
    "the firmware counted its flash operations in power.qemu" 's["power_ops"] > 20' True

ota_run 0 second.log "$B" --until-console 'app: running version 1' --timeout 30
ota_check "second boot: no factory save" "$(ota_count 'factory image' second.log)" 0
ota_check "second boot: v1 again" "$(ota_count 'boot: starting v1' second.log)" 1

# A run without a goal ends at its timeout (3) or at Ctrl-C (130), QEMU stopped with it.
ota_run 3 timeout.log "$B" --timeout 3
ota_check "v1 ran until the timeout" "$(ota_count 'app: running version 1' timeout.log)" 1
ota_qemu_none_left
"$OTA_BIN/otaflow-board" run "$B" --timeout 60 >int.log 2>&1 &
run_pid=$!
for _ in $(seq 1 300); do
    [[ $(ota_count 'app: running version 1' int.log) == 1 ]] && break
    sleep 0.1
done
kill -INT "$run_pid"
rc=0; wait "$run_pid" || rc=$?
ota_check "Ctrl-C: status 130" "$rc" 130
ota_check "QEMU stopped" "$(ota_count 'interrupted: QEMU stopped' int.log)" 1
ota_qemu_none_left
