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

# make_images OTAFLOW_IMAGE: $WORK/app.ota (version 7, 5000 random bytes) made by that tool,
# $WORK/bad.ota the same with one payload byte changed, and in $WANT what the host consumer
# (tests/consumer/host/check_image.c) prints for the good one.
make_images() {
  head -c 5000 /dev/urandom >"$WORK/app.bin"
  step "$1" pack "$WORK/app.bin" -o "$WORK/app.ota" --version 7
  cp "$WORK/app.ota" "$WORK/bad.ota"
  local byte; byte=$(od -An -tu1 -j100 -N1 "$WORK/app.ota" | tr -d ' ')
  printf "\\x$(printf %02x $(( byte ^ 0x5a )))" | dd of="$WORK/bad.ota" bs=1 seek=100 conv=notrunc status=none
  WANT="otaflow $OTA_VERSION: $WORK/app.ota: version 7, 5000-byte payload, hash ok in a simulated sst26vf032b"
}

# check_consumer PROGRAM HOW: the consumer accepts app.ota and refuses bad.ota.
check_consumer() {
  local prog=$1 how=$2 got rc=0
  got=$("$prog" "$WORK/app.ota") || die "$how: the consumer refused a good image: $got"
  [[ $got == "$WANT" ]] || die "$how: the consumer printed '$got', expected '$WANT'"
  got=$("$prog" "$WORK/bad.ota") || rc=$?
  [[ $rc -eq 1 && $got == *"refused (hash mismatch"* ]] || die "$how: a damaged image: exit $rc, '$got'"
}
