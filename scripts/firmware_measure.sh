#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The bootloader's figures on the emulated Cortex-M4 (docs/firmware.md, "Measurements"): for a
# signed and an unsigned board, and a signed one with a device key whose v2 is encrypted for
# it (the install decrypts: docs/security.md, "Encrypted images"), the first boot (factory save of the 20 KB example app), the
# install of a 900,000-byte image planted in a download slot (its payload is the example app
# padded with 0x5A, so every sector differs from the one it replaces), and a plain boot of
# it; QEMU runs with -icount shift=0 (one instruction per nanosecond of emulated time) and
# the bootloader prints its stack and crypto-heap high-water marks and the emulated time
# from the store's mount to the jump. Needs make and make firmware first. Not part of make test.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$here/build}
BIN=$BUILD/bin FW=$BUILD/firmware
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cd "$work"

# qemu_boot DIR ARGS...: one launch, stopped once the application runs; prints the
# bootloader's two "measured:" lines.
qemu_boot() {
  local dir=$1 args="arg=otaflow,arg=dir=$work/$1"; shift
  for kv in "$@"; do args="$args,arg=$kv"; done
  qemu-system-arm -M mps2-an386 -nographic -no-reboot -monitor none -serial stdio \
    -icount shift=0 -semihosting-config "enable=on,target=native,$args" \
    -device "loader,file=$work/$dir/internal.flash,addr=0x0,force-raw=on" >console.txt 2>&1 &
  local pid=$! waited=0
  until grep -q "^app: running" console.txt || ! kill -0 "$pid" 2>/dev/null; do
    sleep 0.2
    waited=$((waited + 1))
    ((waited < 600)) || break
  done
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  grep "^boot: measured:" console.txt || { cat console.txt; echo "firmware_measure: no figures" >&2; exit 1; }
}

arm-none-eabi-objcopy -O binary --gap-fill 0x5a --pad-to $((0x20000 + 900000)) \
  "$FW/example-app.elf" big.bin
"$BIN/otaflow-image" keygen -o key.pem --pub pub.pem >/dev/null
"$BIN/otaflow-image" keygen -o dev.pem --pub dev_pub.pem >/dev/null
for kind in signed unsigned encrypted; do
  sign=() create=() encrypt=()
  [[ $kind != unsigned ]] && sign=(--key key.pem) create=(--pubkey pub.pem)
  [[ $kind == encrypted ]] && encrypt=(--encrypt-to dev_pub.pem) create+=(--decrypt-key dev.pem)
  "$BIN/otaflow-board" create "$kind" --engine qemu "${create[@]}" >/dev/null
  pub=$(sed -n 's/^image_pubkey = //p' "$kind/board.conf")
  dev=$(sed -n 's/^decrypt_key = //p' "$kind/board.conf")
  "$BIN/otaflow-image" pack "$FW/example-app.hex" --version 1 "${sign[@]}" -o v1.ota >/dev/null
  "$BIN/otaflow-image" pack big.bin --load-addr 0x20000 --version 2 "${sign[@]}" "${encrypt[@]}" \
    -o v2.ota >/dev/null
  "$BIN/otaflow-board" flash "$kind" v1.ota >/dev/null
  echo "== $kind: first boot (factory save of v1, $(stat -c %s v1.ota) bytes)"
  qemu_boot "$kind" "image_pubkey=$pub" "decrypt_key=$dev" confirm_on_start=on
  "$BIN/otaflow-board" attack "$kind" plant v2.ota >/dev/null
  echo "== $kind: install of v2 (900,000-byte payload${encrypt:+, encrypted})"
  qemu_boot "$kind" "image_pubkey=$pub" "decrypt_key=$dev" confirm_on_start=on
  echo "== $kind: plain boot of v2 (verify_each_boot)"
  qemu_boot "$kind" "image_pubkey=$pub" "decrypt_key=$dev" confirm_on_start=on
done
echo "firmware_measure: commit $(bash "$here/scripts/tree_revision.sh"), QEMU $(qemu-system-arm --version | head -1)"
