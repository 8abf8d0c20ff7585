# SPDX-License-Identifier: Apache-2.0
# Sourced (not run) by scripts/footprint_lean_stack.sh and tests/integration/test_qemu_lean.sh:
# a board for the lean bootloader (firmware/bootloader_lean.c) made with the host tools, and
# one QEMU launch of it with both flash files loaded where the lean bootloader maps them
# (docs/firmware.md, "The lean bootloader"). Needs BIN (otaflow-board, otaflow-image) and FW
# (make firmware's directory); works in the current directory.

# lean_board DIR BOOTLOADER.bin [V1 PACK ARGS...] -- [V2 PACK ARGS...]: the bootloader at 0 of
# internal flash, FW/lean-app.hex packed as v1 in the application region (the factory image
# of the first boot) and as v2 staged in a download slot (a pending install).
lean_board() {
  local dir=$1 boot=$2 v1=()
  shift 2
  while [[ $1 != -- ]]; do v1+=("$1"); shift; done
  shift
  "$BIN/otaflow-board" create "$dir" --engine qemu --bootloader "$FW/$boot" >/dev/null
  "$BIN/otaflow-image" pack "$FW/lean-app.hex" --version 1 ${v1[@]+"${v1[@]}"} -o "$dir.v1.ota" >/dev/null
  "$BIN/otaflow-image" pack "$FW/lean-app.hex" --version 2 "$@" -o "$dir.v2.ota" >/dev/null
  "$BIN/otaflow-board" flash "$dir" "$dir.v1.ota" >/dev/null
  "$BIN/otaflow-board" attack "$dir" plant "$dir.v2.ota" >/dev/null
}

# lean_qemu DIR: one power-on; the test app ends QEMU (status 0) once it printed its version,
# a halted bootloader is stopped after 120 s (status 124). The console goes to DIR.console;
# prints QEMU's exit status.
lean_qemu() {
  local abs rc=0
  abs=$(cd "$1" && pwd)
  timeout 120 qemu-system-arm -M mps2-an386 -nographic -no-reboot -monitor none -serial stdio \
    -semihosting-config enable=on,target=native \
    -device "loader,file=$abs/internal.flash,addr=0x0,force-raw=on" \
    -device "loader,file=$abs/external.flash,addr=0x21000000,force-raw=on" \
    </dev/null >"$1.console" 2>&1 || rc=$?
  echo "$rc"
}
