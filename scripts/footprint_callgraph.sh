#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The deepest static stack chain from ota_boot_start through the core and its crypto library,
# as a firmware build compiles them: each source of the CMake targets ota_core_fw and the
# crypto library (mbedcrypto_fw or bearssl_fw) of FWDIR is compiled again with that target's
# own flags (its flags.make) plus -fcallgraph-info=su (and -fno-lto: an LTO compile writes no
# call graph), and scripts/footprint_stack.awk sums the
# frames. Indirect calls (the port's flash hooks) and libc still count 0. Used by
# scripts/footprint.sh; prints "bytes<TAB>chain". Usage: footprint_callgraph.sh FWDIR CRYPTO_TARGET
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
fw=$(cd "$1" && pwd) lib=$2
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
n=0
for target in ota_core_fw "$lib"; do
  dir=$fw/CMakeFiles/$target.dir
  flags=$(sed -n 's/^C_\(DEFINES\|INCLUDES\|FLAGS\) = //p' "$dir/flags.make" | tr '\n' ' ')
  while IFS= read -r obj; do
    src=${obj#"$dir"}; src=${src%.obj}
    n=$((n + 1))
    eval "arm-none-eabi-gcc $flags -fno-lto -w -fcallgraph-info=su -c \"\$src\" -o \"\$work/\$n.o\""
  done < <(find "$dir" -name '*.c.obj' | sort)
done
cat "$work"/*.ci | awk -f "$here/scripts/footprint_stack.awk" | awk -F'\t' '$2 == "ota_boot_start" {print $1 "\t" $3}'
