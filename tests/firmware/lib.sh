# SPDX-License-Identifier: Apache-2.0
# Shared by tests/firmware/test_*.sh (sourced, not a test itself): a board directory for the
# firmware of make firmware, and QEMU runs of it (the launch contract of docs/firmware.md).
source "$(dirname "${BASH_SOURCE[0]}")/../tools/lib.sh" # TOOL, WORK (cwd), ok, die, done_checks

: "${OTA_BUILD_DIR:?}"
FW="$OTA_BUILD_DIR/firmware"
BOARD="$OTA_BIN/otaflow-board"
for f in bootloader.bin example-app.hex example-app-crash.hex; do
  [[ -f "$FW/$f" ]] || die "missing $FW/$f: run make firmware"
done

# fw_board DIR APP.hex VERSION: a board with the bootloader at offset 0 of internal flash and
# the app packed without flags and flashed as the running image.
fw_board() {
  local dir=$1 hex=$2 version=$3
  # a qemu board: its images are linked for 0x00020000 (board.conf engine = qemu), and create
  # programs the bootloader at address 0 through the flash model
  "$BOARD" create "$dir" --engine qemu --bootloader "$FW/bootloader.bin" >/dev/null
  "$TOOL" pack "$hex" --version "$version" -o "$dir.ota" >/dev/null
  "$BOARD" flash "$dir" "$dir.ota" >/dev/null
}

# fw_run DIR UNTIL_TEXT TIMEOUT_S [KEY=VALUE...]: launch QEMU as the engine does; stop it once
# a console line contains UNTIL_TEXT (or it exits, or the timeout passes). The console goes to
# DIR.console; prints QEMU's exit status, or "stopped" when it was stopped at UNTIL_TEXT.
fw_run() {
  local dir=$1 until=$2 timeout=$3; shift 3
  local abs; abs=$(cd "$dir" && pwd)
  local args="arg=otaflow,arg=dir=$abs"
  for kv in "$@"; do args="$args,arg=$kv"; done
  python3 -I - "$until" "$timeout" "$dir.console" qemu-system-arm -M mps2-an386 -nographic \
    -no-reboot -monitor none -serial stdio \
    -semihosting-config "enable=on,target=native,$args" \
    -device "loader,file=$abs/internal.flash,addr=0x0,force-raw=on" <<'PY'
import subprocess, sys, time, selectors
until, timeout, console, cmd = sys.argv[1], float(sys.argv[2]), sys.argv[3], sys.argv[4:]
p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
sel = selectors.DefaultSelector()
sel.register(p.stdout, selectors.EVENT_READ)
out, end, stopped = b"", time.monotonic() + timeout, False
while p.poll() is None and time.monotonic() < end and not stopped:
    if sel.select(0.1):
        chunk = p.stdout.read1(4096)
        out += chunk
        stopped = until != "" and until.encode() in out
if p.poll() is None:
    p.kill()
out += p.stdout.read()
p.wait()
open(console, "wb").write(out)
print("stopped" if stopped else ("timeout" if p.returncode < 0 else p.returncode))
PY
}

# status_json DIR EXPR: evaluate a Python expression over `otaflow-board status --json` (s).
status_json() {
  "$BOARD" status "$1" --json | python3 -I -c "import json,sys; s=json.load(sys.stdin); print($2)"
}
