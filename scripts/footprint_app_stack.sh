#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The example application's stack high-water mark on the emulated Cortex-M4, for
# scripts/footprint.sh: a signed v1 on a board whose images and manifests must be signed
# checks a signed manifest served on loopback, downloads a signed v2 into its store and
# verifies it (auto_reset off, so it stays running afterwards). The application prints no
# high-water mark of its own; its start-up code paints its main stack (CM_STACK_PAINT), so
# QEMU's monitor reads that stack out every 50 ms (pmemsave) and the deepest unpainted word
# seen is the mark. Prints "USED SIZE" in bytes. Usage: footprint_app_stack.sh BUILD FWDIR
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$1 FW=$2 BIN=$1/bin
work=$(mktemp -d)
server=
cleanup() { [[ -n $server ]] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
cd "$work"

paint=$(awk '$2 == "CM_STACK_PAINT" {sub(/u$/, "", $3); print $3}' "$here/port/cortex-m/startup.h")
read -r bottom top < <(arm-none-eabi-nm "$FW/example-app.elf" |
  awk '$3 == "__stack_bottom" {b = $1} $3 == "__stack_top" {t = $1} END {print b, t}')
[[ -n $paint && -n $bottom && -n $top ]] || { echo "footprint_app_stack: no stack symbols" >&2; exit 1; }

# QEMU as the board's engine launches it (from PATH), with its monitor on a socket instead of
# none, and a sampler beside it for as long as it runs.
real=$(command -v qemu-system-arm)
mkdir wrap samples
cat > wrap/qemu-system-arm <<SH
#!/usr/bin/env bash
args=()
for a in "\$@"; do
  [[ \$a == none && \${args[-1]:-} == -monitor ]] && a="unix:$work/samples/mon.\$\$.sock,server,nowait"
  args+=("\$a")
done
python3 "$here/scripts/footprint_stack_sampler.py" "$work/samples/mon.\$\$.sock" $((16#$bottom)) \
  $((16#$top - 16#$bottom)) $paint "$work/samples/used.\$\$" &
exec "$real" "\${args[@]}"
SH
chmod +x wrap/qemu-system-arm

"$BIN/otaflow-image" keygen -o key.pem --pub pub.pem >/dev/null
mkdir www
for v in 1 2; do "$BIN/otaflow-image" pack "$FW/example-app.hex" --version $v --key key.pem -o www/v$v.ota >/dev/null; done
python3 -m http.server 0 --bind 127.0.0.1 --directory www >server.log 2>&1 &
server=$!
for _ in $(seq 50); do port=$(sed -n 's/.* port \([0-9]*\) .*/\1/p' server.log); [[ -n $port ]] && break; sleep 0.1; done
[[ -n $port ]] || { echo "footprint_app_stack: no http server" >&2; exit 1; }
"$BIN/otaflow-image" manifest add www/ota.json --version 2 --url "http://10.0.2.100:$port/v2.ota" --file www/v2.ota >/dev/null
"$BIN/otaflow-image" manifest sign www/ota.json --key key.pem >/dev/null
"$BIN/otaflow-board" create board --engine qemu --bootloader "$FW/bootloader.bin" --pubkey pub.pem \
  --manifest-pubkey pub.pem --manifest-url "http://10.0.2.100:$port/ota.json" --period 1 >/dev/null
"$BIN/otaflow-board" set board auto_reset=off >/dev/null
"$BIN/otaflow-board" flash board www/v1.ota >/dev/null
PATH=$work/wrap:$PATH "$BIN/otaflow-board" run board --timeout 8 >run.log 2>&1 || true
grep -q "GET /v2.ota" server.log && grep -qi "verif" run.log ||
  { cat run.log >&2; echo "footprint_app_stack: the application did not download v2" >&2; exit 1; }
sleep 0.3 # the samplers see their socket close
used=$(cat samples/used.* 2>/dev/null | sort -n | tail -1 || true)
[[ -n $used ]] || { echo "footprint_app_stack: no sample of the application's stack" >&2; exit 1; }
echo "$used $((16#$top - 16#$bottom))"
