# SPDX-License-Identifier: Apache-2.0
# The optimised build (-DOTA_SANITIZE=OFF -DCMAKE_BUILD_TYPE=Release, what `make bench` and a
# user's release use: CMake's Release flags, -O3) compiles, every program of the tree included
# (a user's plain Release build builds the tests too): the optimiser runs the value-range
# analyses behind warnings such as -Wformat-truncation that the -O0 sanitized build never sees,
# and -Werror makes each of them a broken build. The tree is kept in BUILD/release, so a second
# run only recompiles what changed (and `make bench` builds its programs there).
set -euo pipefail
src=${OTA_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${OTA_BUILD_DIR:-$src/build}/release
jobs=${JOBS:-2}
log=$build.log
mkdir -p "$build"
if ! { cmake -S "$src" -B "$build" -DOTA_SANITIZE=OFF -DCMAKE_BUILD_TYPE=Release &&
       nice cmake --build "$build" -j "$jobs"; } >"$log" 2>&1; then
  grep -E -B2 -A6 "error|Error" "$log" | head -60 >&2
  echo "test_release_build: FAIL: the Release build does not compile (log: $log)" >&2
  exit 1
fi
echo "ok: the Release build compiles ($(grep -c 'Built target' "$log") targets built, in $build)"
