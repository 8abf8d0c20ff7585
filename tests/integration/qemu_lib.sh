# SPDX-License-Identifier: Apache-2.0
# Helpers of the QEMU engine's tests (tests/integration/test_qemu_*.sh), on top of lib.sh
# (source lib.sh first; bash).
#
#   ota_qemu_workspace [FILE..] ota_workspace, then FW (build/firmware) and APP (its example
#                               application as Intel HEX); fails, never skips, when QEMU or one
#                               of FW's FILEs (default: the bootloader and both applications)
#                               is missing (make deps, make firmware)
#   ota_qemu_serve DIR          ota_start_python_server DIR, then OTA_URL as the guest names
#                               the host's server: http://10.0.2.100:PORT
#   ota_qemu_board DIR IMAGE [create options]   a qemu board with this build's bootloader,
#                               manifest $OTA_URL/ota.json (if a server runs) checked every
#                               second, IMAGE factory-programmed
#   ota_qemu_none_left          check that no QEMU of this test is still running

OTA_BUILD_DIR=${OTA_BUILD_DIR:-$(cd "$OTA_BIN/.." && pwd)}

ota_qemu_workspace() {
    ota_workspace
    FW=$OTA_BUILD_DIR/firmware
    APP=$FW/example-app.hex
    command -v qemu-system-arm >/dev/null ||
        ota_fail "qemu-system-arm is not installed (make deps)"
    local f files=("$@")
    [[ $# -gt 0 ]] || files=(bootloader.bin example-app.hex example-app-crash.hex)
    for f in "${files[@]}"; do
        [[ -f $FW/$f ]] || ota_fail "$FW/$f is missing (make firmware)"
    done
    trap 'rc=$?; ota_qemu_kill_left; (exit $rc); ota_cleanup' EXIT
}

ota_qemu_serve() {
    ota_start_python_server "$1"
    OTA_URL=http://10.0.2.100:$OTA_PORT
}

ota_qemu_board() {
    local dir=$1 image=$2 url=()
    shift 2
    [[ -n ${OTA_PORT:-} ]] && url=(--manifest-url "$OTA_URL/ota.json" --period 1)
    "$OTA_BIN/otaflow-board" create "$dir" --engine qemu --bootloader "$FW/bootloader.bin" \
        "${url[@]}" "$@" >/dev/null || ota_fail "create $dir --engine qemu"
    "$OTA_BIN/otaflow-board" flash "$dir" "$image" >/dev/null || ota_fail "flash $image"
}

# QEMU processes whose command line names this test's directory.
ota_qemu_left() {
    pgrep -f -- "qemu-system-arm .*$OTA_TMP/" || true
}

ota_qemu_none_left() {
    ota_check "no QEMU left running" "$(ota_qemu_left | wc -l)" 0
}

# On the way out, even of a failed test: a QEMU left behind is killed (and was a bug).
ota_qemu_kill_left() {
    local pid
    for pid in $(ota_qemu_left); do
        echo "FAIL: QEMU $pid outlived its run; killed" >&2
        kill -9 "$pid" 2>/dev/null || true
    done
}
