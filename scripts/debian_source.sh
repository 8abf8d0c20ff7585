#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Unpacks Debian's source package PKG (with Debian's patches applied) into DEST/PKG and prints
# that directory. The firmware builds third-party libraries (mbedTLS, lwIP) for the target from
# these sources, as an embedded team would: Debian's binary packages are built for the host.
# Needs a deb-src entry for the archive apt already uses: if apt knows no source for PKG, one
# is added (/etc/apt/sources.list.d/otaflow-deb-src.*, a copy of the existing deb entries),
# then the lists are updated. Idempotent: a finished unpack (DEST/PKG/.otaflow-unpacked holding
# the version) is reused.
set -euo pipefail

usage() { echo "usage: $0 PKG DEST" >&2; exit 2; }
[ $# -eq 2 ] || usage
pkg=$1
dest=$2
mkdir -p "$dest"
dest=$(cd "$dest" && pwd)
out="$dest/$pkg"

SUDO=""
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi

# The deb-src twin of every deb entry apt uses (deb822 .sources and one-line .list).
add_deb_src() {
  local d=/etc/apt/sources.list.d
  if ls "$d"/*.sources >/dev/null 2>&1; then
    awk 'BEGIN { RS = ""; ORS = "\n\n" }
         /(^|\n)Types:[^\n]*deb([ \n]|$)/ && !/deb-src/ { sub(/Types:[^\n]*/, "Types: deb-src"); print }' \
      "$d"/*.sources | $SUDO tee "$d/otaflow-deb-src.sources" >/dev/null
  fi
  local lists=()
  [ -f /etc/apt/sources.list ] && lists+=(/etc/apt/sources.list)
  for f in "$d"/*.list; do [ -f "$f" ] && lists+=("$f"); done
  if [ ${#lists[@]} -gt 0 ]; then
    sed -n 's/^deb \(.*\)$/deb-src \1/p' "${lists[@]}" | grep -v otaflow \
      | $SUDO tee "$d/otaflow-deb-src.list" >/dev/null || true
  fi
  $SUDO apt-get update -qq
}

version=$(apt-cache showsrc "$pkg" 2>/dev/null | sed -n 's/^Version: //p' | head -1 || true)
if [ -z "$version" ]; then
  echo "debian-source: no deb-src entry knows $pkg; adding one" >&2
  add_deb_src
  version=$(apt-cache showsrc "$pkg" 2>/dev/null | sed -n 's/^Version: //p' | head -1 || true)
  [ -n "$version" ] || { echo "debian-source: apt has no source package $pkg" >&2; exit 1; }
fi

if [ -f "$out/.otaflow-unpacked" ] && [ "$(cat "$out/.otaflow-unpacked")" = "$version" ]; then
  echo "$out"
  exit 0
fi

command -v dpkg-source >/dev/null || { echo "debian-source: dpkg-source missing (make deps installs dpkg-dev)" >&2; exit 1; }
work=$(mktemp -d "$dest/.fetch-$pkg.XXXXXX")
trap 'rm -rf "$work"' EXIT
# apt drops privileges to _apt for downloads; a directory it cannot write only costs a warning.
( cd "$work" && apt-get source -qq --download-only "$pkg=$version" >&2 )
dsc=$(ls "$work"/*.dsc | head -1)
dpkg-source --no-check -x "$dsc" "$work/unpacked" >&2
rm -rf "$out"
mv "$work/unpacked" "$out"
echo "$version" > "$out/.otaflow-unpacked"
echo "$out"
