#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# otaflow as an installed package (issue 19, docs/integration.md): built for installing
# (OTA_BUILD_TESTS=OFF: no tests, no sanitizers), installed under a prefix that is then moved,
# and used from there by a team's host program (tests/consumer/host) through find_package and
# through pkg-config; the installed tools make the image the program checks.
source "$(dirname "$0")/lib.sh"
OUT=$OTA_BUILD_DIR/consumer-installed

step cmake -S "$SRC" -B "$OUT/otaflow" -DOTA_BUILD_TESTS=OFF -DCMAKE_BUILD_TYPE=
step cmake --build "$OUT/otaflow" -j "$JOBS"
step cmake --install "$OUT/otaflow" --prefix "$WORK/staging"
mv "$WORK/staging" "$WORK/prefix" # the package must not depend on where it was installed
PREFIX=$WORK/prefix
for f in include/otaflow/agent.h include/otaflow/version.h include/otaflow/posix/flash_sim.h \
    lib/libotaflow_core.a lib/libotaflow_boot.a lib/libotaflow_posix.a bin/otaflow-image \
    bin/otaflow-board lib/cmake/otaflow/otaflowConfig.cmake \
    lib/cmake/otaflow/otaflowConfigVersion.cmake lib/pkgconfig/otaflow.pc; do
  [[ -e $PREFIX/$f ]] || die "cmake --install did not install $f"
done
[[ ! -e $PREFIX/include/otaflow/posix/flash_sim_internal.h ]] || die "a port internal was installed"
if ls "$OUT/otaflow/tests" >/dev/null 2>&1 || grep -q "test_store" "$OUT/otaflow/Makefile"; then
  die "OTA_BUILD_TESTS=OFF still built tests"
fi
ok "installed: headers, static libraries, otaflow-image and otaflow-board, CMake package, otaflow.pc; no tests built"

got="$("$PREFIX/bin/otaflow-image" --version), $("$PREFIX/bin/otaflow-board" --version)"
[[ $got == "otaflow-image $OTA_VERSION, otaflow-board $OTA_VERSION" ]] || die "installed --version: $got"
ok "installed tools say version $OTA_VERSION"

make_images "$PREFIX/bin/otaflow-image"

step cmake -S "$SRC/tests/consumer/host" -B "$WORK/consumer" -DCMAKE_PREFIX_PATH="$PREFIX" \
  -DOTAFLOW_WANT="$OTA_MAJOR.$OTA_MINOR"
step cmake --build "$WORK/consumer"
check_consumer "$WORK/consumer/check_image" find_package
ok "find_package(otaflow $OTA_MAJOR.$OTA_MINOR REQUIRED): the consumer builds, verifies the image, refuses it damaged"

for later in "$OTA_MAJOR.$((OTA_MINOR + 1))" "$((OTA_MAJOR + 1)).0"; do
  if cmake -S "$SRC/tests/consumer/host" -B "$WORK/later" -DCMAKE_PREFIX_PATH="$PREFIX" \
      -DOTAFLOW_WANT="$later" >"$WORK/later.log" 2>&1; then
    die "find_package(otaflow $later) accepted version $OTA_VERSION"
  fi
  grep -q "compatible with requested version \"$later\"" "$WORK/later.log" || { cat "$WORK/later.log" >&2; die "no version refusal for $later"; }
  rm -rf "$WORK/later"
done
ok "find_package(otaflow $OTA_MAJOR.$((OTA_MINOR + 1))) and ($((OTA_MAJOR + 1)).0) refuse $OTA_VERSION"

export PKG_CONFIG_PATH=$PREFIX/lib/pkgconfig
got=$(pkg-config --modversion otaflow)
[[ $got == "$OTA_VERSION" ]] || die "pkg-config --modversion otaflow: '$got'"
# shellcheck disable=SC2046 # the flags are words
step cc -std=c11 -Wall -Wextra -Werror -o "$WORK/check_pc" "$SRC/tests/consumer/host/check_image.c" \
  $(pkg-config --cflags --libs otaflow)
check_consumer "$WORK/check_pc" pkg-config
ok "pkg-config --cflags --libs otaflow: the same program builds with cc alone and works"
