#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The release number (issue 19): written once in include/otaflow/version.h, semantic, and the
# same in every place that shows it: otaflow-image --version, otaflow-board --version, CMake's
# project version, the HTTP User-Agent default, and CHANGELOG.md's newest numbered entry.
source "$(dirname "$0")/lib.sh"
: "${OTA_SOURCE_DIR:?}" "${OTA_BUILD_DIR:?}"
H=$OTA_SOURCE_DIR/include/otaflow/version.h
field() { sed -n "s/^#define OTA_VERSION_$1 \\(.*\\)\$/\\1/p" "$H"; }
version=$(field STRING | tr -d '"')
[[ $version =~ ^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$ ]] ||
  die "OTA_VERSION_STRING '$version' is not major.minor.patch"
[[ "${BASH_REMATCH[1]}.${BASH_REMATCH[2]}.${BASH_REMATCH[3]}" == "$(field MAJOR).$(field MINOR).$(field PATCH)" ]] ||
  die "OTA_VERSION_STRING $version differs from OTA_VERSION_MAJOR/MINOR/PATCH"
ok "version.h: $version, semantic, the string equal to its three numbers"

for tool in otaflow-image otaflow-board; do
  got=$("$OTA_BIN/$tool" --version)
  [[ $got == "$tool $version" ]] || die "$tool --version printed '$got'"
done
ok "otaflow-image --version and otaflow-board --version print $version"

got=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$OTA_BUILD_DIR/CMakeCache.txt")
[[ $got == "$version" ]] || die "CMake's project version is '$got'"
ok "CMake's project version is $version"

cat >"$WORK/ua.c" <<'C'
#include <stdio.h>
#include "otaflow/config.h"
int main(void) { puts(OTA_HTTP_USER_AGENT); return 0; }
C
cc -std=c11 -I"$OTA_SOURCE_DIR/include" -o "$WORK/ua" "$WORK/ua.c"
[[ $("$WORK/ua") == "otaflow/$version" ]] || die "User-Agent is '$("$WORK/ua")'"
ok "the default User-Agent is otaflow/$version"

newest=$(grep -m1 -E '^## [0-9]+\.[0-9]+\.[0-9]+ - [0-9]{4}-[0-9]{2}-[0-9]{2}$' "$OTA_SOURCE_DIR/CHANGELOG.md" | cut -d' ' -f2)
[[ $newest == "$version" ]] || die "CHANGELOG.md's newest entry is '$newest', not $version"
grep -q '^## Unreleased$' "$OTA_SOURCE_DIR/CHANGELOG.md" || die "CHANGELOG.md has no Unreleased section"
ok "CHANGELOG.md: an Unreleased section, and $version as the newest release"
