#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# otaflow pulled into a team's Cortex-M4 firmware with add_subdirectory() (issue 19,
# docs/integration.md): tests/consumer/cross, cross-compiled with cmake/toolchain-arm-none-eabi.cmake,
# brings its own mbedTLS (Debian's source, which make firmware unpacks) and port, and links a
# bootloader with otaflow::boot and an application with otaflow::core.
source "$(dirname "$0")/lib.sh"
OUT=$OTA_BUILD_DIR/consumer-cross
MBEDTLS=$OTA_BUILD_DIR/debian-src/mbedtls
[[ -f $MBEDTLS/library/ecdsa.c ]] || die "no mbedTLS source in $MBEDTLS: run make firmware (make test does)"
configure() {
  cmake -S "$SRC/tests/consumer/cross" -B "$1" \
    -DCMAKE_TOOLCHAIN_FILE="$SRC/cmake/toolchain-arm-none-eabi.cmake" -DOTAFLOW_DIR="$SRC" \
    -DTEAM_MBEDTLS_DIR="$MBEDTLS" -DTEAM_MBEDTLS_CONFIG="$SRC/firmware/mbedtls_config_target.h" "${@:2}"
}

# Without a crypto library for the target, otaflow says what to set (the host's would not link).
if configure "$WORK/nocrypto" -DTEAM_CRYPTO_TARGET= >"$WORK/nocrypto.log" 2>&1; then
  die "configured without a crypto library for the target"
fi
grep -q "set OTA_CRYPTO_LIBRARY" "$WORK/nocrypto.log" || { cat "$WORK/nocrypto.log" >&2; die "no hint at OTA_CRYPTO_LIBRARY"; }
ok "without OTA_CRYPTO_LIBRARY the cross configuration stops and names it"

step configure "$OUT"
step cmake --build "$OUT" -j "$JOBS"
for elf in bootloader app; do
  [[ -f $OUT/$elf.elf ]] || die "no $elf.elf"
  attrs=$(arm-none-eabi-readelf -A "$OUT/$elf.elf")
  grep -q 'Tag_CPU_name: "7E-M"' <<<"$attrs" && grep -q "Tag_THUMB_ISA_use: Thumb-2" <<<"$attrs" ||
    die "$elf.elf is not Cortex-M4 Thumb-2 code: $attrs"
done
ok "bootloader.elf and app.elf built for Cortex-M4 (ARMv7E-M, Thumb-2)"

nm_boot=$(arm-none-eabi-nm "$OUT/bootloader.elf")
nm_app=$(arm-none-eabi-nm "$OUT/app.elf")
grep -q " T ota_boot_start$" <<<"$nm_boot" || die "bootloader.elf has no ota_boot_start"
! grep -Eq " T ota_(agent|http|manifest)_" <<<"$nm_boot" || die "bootloader.elf links agent code"
! arm-none-eabi-nm -A "$OUT/otaflow/libotaflow_boot.a" 2>/dev/null | grep -Eq "(agent|http|manifest)[a-z_]*\.c\.o" ||
  die "otaflow::boot holds agent modules"
grep -q " T ota_agent_poll$" <<<"$nm_app" || die "app.elf has no ota_agent_poll"
ok "the bootloader links otaflow::boot alone (no agent, HTTP, manifest); the application links the agent"

targets=$(cmake --build "$OUT" --target help)
! grep -Eq "otaflow-image|otaflow-board|test_|powercut|example-app" <<<"$targets" ||
  die "the subproject defines tool or test targets: $(grep -E 'otaflow-|test_' <<<"$targets" | head -3)"
grep -q "OTA_STATUS_STRINGS=0" "$OUT/otaflow/CMakeFiles/otaflow_core.dir/flags.make" ||
  die "the consumer's OTA_STATUS_STRINGS=OFF did not reach the core"
ok "as a subproject: no tool or test targets; the consumer's OTA_STATUS_STRINGS=OFF reaches the core"
