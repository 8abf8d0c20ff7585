#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Every static function of the core carries its module's prefix, so map files, backtraces and
# gdb name where a function lives, and no two src/ files define a static of the same name.
# Read from the symbol tables of the core's objects (what a map file and gdb see), not from
# the sources. The module of src/NAME.c is NAME up to its first underscore: store_boot.c is
# `store`, its statics start `store_`. Static inline functions of headers (src/*.h,
# include/otaflow/*.h) appear in every object that uses them and are exempt, and so are those of
# third-party headers compiled into a module: jsmn_* (jsmn.h, static in manifest.c).
set -euo pipefail
: "${OTA_SOURCE_DIR:?}" "${OTA_BUILD_DIR:?}"

# Names of static inline functions defined in headers.
header_inlines() {
  cat "$OTA_SOURCE_DIR"/src/*.h "$OTA_SOURCE_DIR"/include/otaflow/*.h |
    tr '\n' ' ' | grep -oE 'static inline [^;{(]*\(' | sed -E 's/.*[ *]([A-Za-z_][A-Za-z0-9_]*) *\($/\1/' |
    sort -u
}

# check_objects EXEMPT_FILE OBJ...: prints every local function without its module's prefix
# and every name local to more than one object; returns 1 if there was one.
check_objects() {
  local exempt=$1 obj module name
  shift
  local all
  all=$(mktemp)
  for obj in "$@"; do
    module=$(basename "$obj"); module=${module%%.*}; module=${module%%_*}
    nm --defined-only "$obj" | awk '$2 == "t" { print $3 }' |
      grep -vE '^(_|asan\.|ubsan\.|tsan\.|jsmn_)' | sed 's/\..*//' | sort -u | grep -vxF -f "$exempt" |
      sed "s|\$| $(basename "$obj") $module|" >>"$all" || true
  done
  local report
  report=$(awk '{ if (index($1, $3 "_") != 1) print "static " $1 " in " $2 " lacks the prefix " $3 "_"
                  n[$1]++; f[$1] = f[$1] " " $2 }
                END { for (k in n) if (n[k] > 1) print "static defined in more than one object: " k ":" f[k] }' "$all")
  rm -f "$all"
  [[ -z "$report" ]] && return 0
  echo "$report"
  return 1
}

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
header_inlines >"$WORK/exempt"
grep -qx ota_le32_get "$WORK/exempt" || { echo "FAIL - header inlines not found" >&2; exit 1; }

# Self-test: an unprefixed static and a name two modules share are both reported.
cc=${CC:-cc}
printf 'static int store_ok(int x) { return x + 1; }\nstatic int twice(int x) { return 2 * x; }\nint store_a(int x) { return store_ok(twice(x)); }\n' >"$WORK/store_a.c"
printf 'static int store_ok(int x) { return x - 1; }\nint store_b(int x) { return store_ok(x); }\n' >"$WORK/store_b.c"
printf 'static int boot_fine(int x) { return x; }\nint boot_c(int x) { return boot_fine(x); }\n' >"$WORK/boot.c"
for f in store_a store_b boot; do "$cc" -O0 -c "$WORK/$f.c" -o "$WORK/$f.c.o"; done
got=$(check_objects "$WORK/exempt" "$WORK"/*.c.o 2>&1) && {
  echo "FAIL - self-test: nothing reported" >&2; exit 1; }
if ! grep -q "static twice in store_a.c.o lacks the prefix store_" <<<"$got" ||
   ! grep -q "more than one object: store_ok:" <<<"$got" || grep -q boot_fine <<<"$got"; then
  echo "FAIL - self-test reported:" >&2; echo "$got" >&2; exit 1
fi
echo "ok - self-test: an unprefixed static and a static two objects share are named"

objs=("$OTA_BUILD_DIR"/CMakeFiles/otaflow_core.dir/src/*.c.o)
[[ ${#objs[@]} -gt 20 ]] || { echo "FAIL - only ${#objs[@]} core objects in $OTA_BUILD_DIR" >&2; exit 1; }
n=$(for o in "${objs[@]}"; do nm --defined-only "$o" | awk '$2 == "t"'; done | wc -l)
[[ $n -gt 100 ]] || { echo "FAIL - only $n static functions in the objects (built with -O0?)" >&2; exit 1; }
if ! check_objects "$WORK/exempt" "${objs[@]}" >&2; then
  echo "FAIL - static functions above lack their module's prefix or share a name" >&2
  exit 1
fi
echo "ok - the $n static functions of ${#objs[@]} core objects carry their module's prefix, no name twice"
