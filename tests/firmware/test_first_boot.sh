#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The firmware on QEMU mps2-an386 (make firmware): the bootloader's first boot on a board made
# by the host tools saves the running image as the factory image and starts the application,
# which reads its version from its own header; the flash files are current after QEMU
# stops (otaflow-board status reads them); an armed power cut ends QEMU with status 3 and the
# next launch (a power-on) finishes the job. docs/firmware.md.
source "$(dirname "$0")/lib.sh"

fw_board b1 "$FW/example-app.hex" 7
before=$(status_json b1 's["flash"]["internal"]["programs"] + s["flash"]["internal"]["erases"]')
rc=$(fw_run b1 "app: running version 7" 60)
[[ $rc == stopped ]] || die "first boot: QEMU ended with '$rc' before the app ran: $(cat b1.console)"
grep -q "^boot: first boot: saving v7 as the factory image" b1.console ||
  die "no factory save on the console: $(cat b1.console)"
ok "first boot: the bootloader saves v7 as the factory image and jumps; the app prints its version"
[[ $(status_json b1 's["images"][0]["factory"], s["images"][0]["state"], s["images"][0]["version"], s["running_version"]') == "True stored 7 7" ]] ||
  die "status after the first boot: $("$BOARD" status b1)"
ok "otaflow-board status reads the factory slot written by the firmware (stored, v7)"
# Every program/erase of the run was counted once in power.qemu, over both flashes.
ops=$(sed -E 's/^ops=([0-9]+) .*/\1/' b1/power.qemu)
after=$(status_json b1 's["flash"]["internal"]["programs"] + s["flash"]["internal"]["erases"] + s["flash"]["external"]["programs"] + s["flash"]["external"]["erases"]')
(( ops > 0 && ops == after - before )) ||
  die "power.qemu counts $ops operations, the .meta files $((after - before))"
ok "power.qemu counts the run's $ops program/erase operations of both flashes, as the .meta files do"

# A cut AFTER operation 3: QEMU exits 3 with dead=1; the next launch finishes the first boot.
fw_board b2 "$FW/example-app.hex" 7
echo "ops=0 cut_at=3 mode=after seed=1 dead=0" >b2/power.qemu
rc=$(fw_run b2 "" 60)
[[ $rc == 3 ]] || die "power cut: QEMU exit '$rc', expected 3: $(cat b2.console)"
grep -Eq '^ops=3 cut_at=3 mode=after seed=1 dead=1 *$' b2/power.qemu ||
  die "power.qemu after the cut: '$(cat b2/power.qemu)'"
ok "an armed cut fires at operation 3: QEMU exits 3, power.qemu says dead=1 at ops=3"
rc=$(fw_run b2 "app: running version 7" 60)
[[ $rc == stopped ]] || die "after the cut: QEMU ended with '$rc': $(cat b2.console)"
[[ $(status_json b2 's["images"][0]["state"], s["images"][0]["version"]') == "stored 7" ]] ||
  die "status after the cut and relaunch: $("$BOARD" status b2)"
grep -Eq '^ops=[0-9]+ cut_at=0 mode=after seed=1 dead=0 *$' b2/power.qemu ||
  die "power.qemu after the power-on: '$(cat b2/power.qemu)'"
ok "the next launch is a power-on: the cut is cleared and the first boot completes"

# The crash variant faults at start; the watchdog (1 s here) resets the board: QEMU exits 0.
fw_board b3 "$FW/example-app-crash.hex" 1
rc=$(fw_run b3 "" 30 watchdog_s=1)
[[ $rc == 0 ]] || die "crash variant: QEMU exit '$rc', expected 0 (watchdog reset): $(cat b3.console)"
grep -q "^app: HardFault" b3.console || die "no HardFault line: $(cat b3.console)"
ok "the crash variant's HardFault hangs until the CMSDK watchdog resets the board (QEMU exit 0)"
done_checks
