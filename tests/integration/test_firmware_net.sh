#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The network port on the emulated Cortex-M4 (QEMU mps2-an386, docs/firmware.md "Network"):
# the net-fetch test firmware (tests/firmware/net_fetch.c) brings lwIP up on the LAN9118 with
# DHCP from QEMU's user network, and GETs files through guestfwd (`otaflow-board relay`, the
# QEMU engine's relay, carries each guest connection to 127.0.0.1; nothing else leaves the
# host):
#   1. a 900 KB file from python3 http.server arrives whole (size and FNV-1a of every byte);
#   2. a server that drops the connection mid-body gives the HTTP client's named error;
#   3. a server that stalls mid-body gives the idle timeout's named error;
#   4. a port nobody listens on gives a named error too.
# In each case the firmware ends with its own exit status (no fault, no hang). The download
# time it prints is an emulator's figure, shown, not checked.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

FW=${OTA_BUILD_DIR:-$(cd "$(dirname "$0")/../.." && pwd)/build}/firmware/net-fetch.elf
[[ -f $FW ]] || ota_fail "$FW missing (make firmware)"
command -v qemu-system-arm >/dev/null || ota_fail "qemu-system-arm missing (make deps)"
RELAY=$OTA_BIN/otaflow-board
[[ -x $RELAY ]] || ota_fail "$RELAY missing (build first)"

ota_workspace

# net_fetch URL_PATH PORT [idle_ms]: run the firmware against 127.0.0.1:PORT; sets OUT, RC.
net_fetch() {
    local path=$1 port=$2 extra=${3:+,arg=idle_ms=$3}
    set +e
    OUT=$(timeout 120 qemu-system-arm -M mps2-an386 -nographic -no-reboot -monitor none \
        -serial stdio -kernel "$FW" \
        -semihosting-config "enable=on,target=native,arg=net-fetch,arg=url=http://10.0.2.100:$port$path$extra" \
        -nic "user,model=lan9118,restrict=on,guestfwd=tcp:10.0.2.100:$port-cmd:$RELAY relay $port" 2>&1)
    RC=$?
    set -e
    echo "$OUT" | sed 's/^/  | /'
}

# 1. A 900 KB image, whole.
head -c 921600 /dev/urandom >"$WWW/image.bin"
want=$(python3 - "$WWW/image.bin" <<'PY'
import sys
h = 2166136261
for b in open(sys.argv[1], "rb").read():
    h = ((h ^ b) * 16777619) & 0xFFFFFFFF
print("bytes=921600 fnv=%08x" % h)
PY
)
ota_start_python_server "$WWW"
start=$(date +%s.%N)
net_fetch /image.bin "$OTA_PORT"
wall=$(python3 -c "import sys; print('%.2f' % (float(sys.argv[2]) - float(sys.argv[1])))" "$start" "$(date +%s.%N)")
ota_check "net-fetch exit status (900 KB)" "$RC" 0
ota_check "DHCP address from QEMU's user network" \
    "$(grep -o 'address [0-9.]* (dhcp)' <<<"$OUT")" "address 10.0.2.15 (dhcp)"
ota_check "900 KB received whole" "$(grep -o 'bytes=[0-9]* fnv=[0-9a-f]*' <<<"$OUT")" "$want"
echo "info: 900 KB in $(grep -o 'ms=[0-9]*' <<<"$OUT") of guest SysTick time, ${wall} s wall with QEMU's start (an emulator's figure)"

# 2 and 3: a server that sends the headers of a 900 KB body and 64 KB of it, then resets the
# connection (SO_LINGER 0: RST) or stalls.
cat >"$OTA_TMP/bad_server.py" <<'PY'
import socket, struct, sys, time
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", int(sys.argv[1])))
srv.listen(4)
while True:
    c, _ = srv.accept()
    req = b""
    try:
        while b"\r\n\r\n" not in req:
            d = c.recv(4096)
            if not d:
                break
            req += d
        if b"\r\n\r\n" not in req:  # the start-up probe of ota_wait_port
            c.close()
            continue
        print(req.split(b"\r\n")[0].decode(), flush=True)
        c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 921600\r\n\r\n" + b"\xa5" * 65536)
        if b" /drop " in req:
            c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        else:
            time.sleep(60)
    except OSError as e:
        print("client gone:", e, flush=True)
    c.close()
PY
BAD_PORT=$(ota_free_port)
python3 "$OTA_TMP/bad_server.py" "$BAD_PORT" >"$OTA_TMP/bad_server.log" 2>&1 &
OTA_PIDS+=($!)
ota_wait_port "$BAD_PORT" $! || ota_fail "the misbehaving server did not start"

net_fetch /drop "$BAD_PORT" 5000
ota_check "net-fetch exit status (dropped connection)" "$RC" 1
# The relay reads what arrived before the server's RST, then ends the guest's stream: the
# guest gets the 64 KB, then the end of stream in the middle of the announced body (not an
# idle timeout: the end must reach the guest at once).
ota_check "dropped connection: named error" \
    "$(grep -o 'error [^0-9]* after' <<<"$OUT")" "error body shorter than announced after"
ota_check "dropped connection: the bytes sent before the reset arrived" \
    "$(grep -o 'after [0-9]* bytes' <<<"$OUT")" "after 65536 bytes"

net_fetch /stall "$BAD_PORT" 1500
ota_check "net-fetch exit status (stalled server)" "$RC" 1
ota_check "stalled server: named error" "$(grep -o 'error [^0-9]* after' <<<"$OUT")" "error timeout (idle) after"
ota_check "stalled server: the bytes sent before the stall arrived" \
    "$(grep -o 'after [0-9]* bytes' <<<"$OUT")" "after 65536 bytes"
# 4. Nobody listening: QEMU has accepted the guest's connection before the relay finds out,
# so the guest sees it reset, not refused.
DEAD_PORT=$(ota_free_port)
net_fetch /image.bin "$DEAD_PORT" 5000
ota_check "net-fetch exit status (nobody listening)" "$RC" 1
ota_check "nobody listening: named error" "$(grep -o 'error [^0-9]* after' <<<"$OUT")" \
    "error connection reset after"
echo "PASS: firmware network (lwIP on the LAN9118 through QEMU's user network)"
