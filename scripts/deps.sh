#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs the Debian packages otaflow needs that are not installed yet, and says which.
# Idempotent and quiet when nothing is missing, so every make target can call it first.
set -euo pipefail

PKGS=(
  build-essential cmake pkg-config
  clang libclang-rt-14-dev            # fuzzing (libFuzzer) and sanitizer runtimes
  gcc-arm-none-eabi binutils-arm-none-eabi libnewlib-arm-none-eabi   # make cross-check
  qemu-system-arm                     # make firmware / qemu-demo: the emulated Cortex-M4 board
  dpkg-dev                            # dpkg-source: target libraries from Debian's source packages
  libmbedtls-dev                      # SHA-256, ECDSA P-256, TLS
  libbearssl-dev                      # SHA-256, ECDSA P-256: the small, heap-free crypto backend
  gcc-mipsel-linux-gnu                # make cross-check: src/ for the PIC32MZ's microMIPS CPU
  libjsmn-dev                         # the host tool's manifest editing (tools/manifest_doc.c)
  libdivsufsort-dev                   # otaflow-image diff: suffix arrays (tools/delta_match.c)
  libssl-dev                          # otaflow-image: SHA-256 with the CPU's SHA extensions
  bsdiff xdelta3                      # patch-size references only (tests/tools/test_diff.sh, docs/delta.md)
  libcmocka-dev                       # unit tests
  python3 nginx openssl curl          # real servers and references in tests
  valgrind
  gcovr                               # make coverage
  gnuplot-nox time                    # make bench: charts, peak memory of the references
)

# One dpkg-query for the whole list (a package it does not know is simply not printed).
declare -A installed=()
while read -r name status; do
  [[ $status == "install ok installed" ]] && installed[$name]=1
done < <(dpkg-query -W -f='${Package} ${Status}\n' "${PKGS[@]}" 2>/dev/null || true)
missing=()
for p in "${PKGS[@]}"; do
  [[ -n ${installed[$p]:-} ]] || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "deps: installing missing Debian packages: ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "deps: not root and no sudo; install these by hand: ${missing[*]}" >&2; exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
# A fresh machine has no package lists yet; update once, then install.
$SUDO apt-get update -qq
# policy-rc.d keeps Debian's nginx package from starting a system server on port 80:
# tests start their own nginx on 127.0.0.1 with a private config.
if [ -n "$SUDO" ] || [ "$(id -u)" -eq 0 ]; then
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod +x /usr/sbin/policy-rc.d
    trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
  fi
fi
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "deps: done"
