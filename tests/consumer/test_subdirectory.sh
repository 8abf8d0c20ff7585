#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# otaflow pulled into a team's host CMake project with add_subdirectory() (issue 19,
# docs/integration.md): tests/consumer/host with -DOTAFLOW_DIR builds otaflow::core and
# otaflow::port_posix as part of itself, with no tool or test target and no sanitizer (the
# program is not built with one), and checks an image as the installed package's user does.
source "$(dirname "$0")/lib.sh"
: "${OTA_BIN:?OTA_BIN must point at build/bin}"
OUT=$OTA_BUILD_DIR/consumer-subdirectory

step cmake -S "$SRC/tests/consumer/host" -B "$OUT" -DOTAFLOW_DIR="$SRC"
step cmake --build "$OUT" -j "$JOBS"
targets=$(cmake --build "$OUT" --target help)
! grep -Eq "otaflow-image|otaflow-board|test_|powercut|example-app|fuzz" <<<"$targets" ||
  die "the subproject defines tool or test targets"
! grep -q "fsanitize" "$OUT/otaflow/CMakeFiles/otaflow_core.dir/flags.make" ||
  die "the subproject's core is built with a sanitizer"
ok "as a host subproject: otaflow's libraries only, without sanitizers"

make_images "$OTA_BIN/otaflow-image"
check_consumer "$OUT/check_image" add_subdirectory
ok "add_subdirectory(otaflow): the consumer builds, verifies the image, refuses it damaged"
