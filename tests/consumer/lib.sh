# SPDX-License-Identifier: Apache-2.0
# Shared by tests/consumer/test_*.sh (sourced, not a test itself): the source tree, a build
# directory kept between runs (the builds are incremental), a temporary directory, and a quiet
# runner that shows the tail of its log only when a step fails.
set -euo pipefail
: "${OTA_SOURCE_DIR:?OTA_SOURCE_DIR must point at the source tree}"
: "${OTA_BUILD_DIR:?OTA_BUILD_DIR must point at the build directory}"
SRC=$(cd "$OTA_SOURCE_DIR" && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
LOG=$WORK/steps.log
JOBS=${JOBS:-2}

ok() { echo "ok - $*"; }
die() { echo "FAIL - $*" >&2; exit 1; }
# step COMMAND...: run it, its output to the log; on failure show the log's end and stop.
step() {
  echo "+ $*" >>"$LOG"
  "$@" >>"$LOG" 2>&1 || { tail -40 "$LOG" >&2; die "failed: $*"; }
}
# otaflow's release number, from its one place (include/otaflow/version.h).
OTA_VERSION=$(sed -n 's/^#define OTA_VERSION_STRING "\(.*\)"$/\1/p' "$SRC/include/otaflow/version.h")
[[ $OTA_VERSION =~ ^([0-9]+)\.([0-9]+)\.[0-9]+$ ]] || die "no version in include/otaflow/version.h"
OTA_MAJOR=${BASH_REMATCH[1]}
OTA_MINOR=${BASH_REMATCH[2]}
