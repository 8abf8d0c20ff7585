# SPDX-License-Identifier: Apache-2.0
# The configuration header and the link-time layout guard (docs/configuration.md), checked the
# way a firmware project would meet them: the core and a small program are compiled with the
# default sizes and with OTA_CONFIG_FILE=tests/config/small_config.h.
#  1. each program links against the library built with its own configuration and runs: the
#     smaller sizes take effect (struct sizes, and the library's behaviour at the limits);
#  2. a program linked against the library of the other configuration fails to link, naming
#     the layout it was built for;
#  3. a size outside its range stops the compilation with the name of the setting.
set -euo pipefail
src=${OTA_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
CC=${CC:-cc}
CFLAGS=(-std=c11 -O0 -Wall -Wextra -Werror -I"$src/include" -I"$src/port/posix"
        -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -DOTA_ENABLE_ASSERT=1)
LIBS=(-lmbedcrypto)
fail() { echo "test_sizes_and_guard: FAIL: $*" >&2; exit 1; }

# name -> extra compiler flags
declare -A CONFIGS=([default]="" [small]="-DOTA_CONFIG_FILE=\"$src/tests/config/small_config.h\"")
for cfg in default small; do
  mkdir -p "$work/$cfg"
  # The core with its default crypto backend (mbedTLS: -lmbedcrypto below).
  # shellcheck disable=SC2086  # the flags are meant to split
  printf '%s\n' "$src"/src/*.c "$src"/port/posix/flash_sim*.c "$src"/port/posix/assert_posix.c \
    "$src/tests/config/config_probe.c" | grep -v '_bearssl\.c$' |
    xargs -P 2 -I{} sh -c '"$0" "$@" -c "{}" -o "'"$work/$cfg"'/$(basename "{}" .c).o"' \
      "$CC" "${CFLAGS[@]}" ${CONFIGS[$cfg]} || fail "the $cfg configuration does not compile"
  mv "$work/$cfg/config_probe.o" "$work/probe_$cfg.o"
  ar rcs "$work/libota_$cfg.a" "$work/$cfg"/*.o
done

# 1. Matching pairs link and run.
for cfg in default small; do
  "$CC" "$work/probe_$cfg.o" "$work/libota_$cfg.a" "${LIBS[@]}" -o "$work/probe_$cfg" \
    || fail "probe_$cfg does not link against the library of the same configuration"
  "$work/probe_$cfg" > "$work/$cfg.out" || fail "probe_$cfg failed"
done
get() { sed -n "s/^$2=//p" "$work/$1.out"; }
expect() { # cfg key value
  [ "$(get "$1" "$2")" = "$3" ] || fail "$1: $2 is '$(get "$1" "$2")', expected '$3'"
}
expect default agent_http_buf 2048
expect small agent_http_buf 1024
expect default store_work 512
expect small store_work 256
for s in agent store boot http_client plan; do  # ota_<s>_t (plan: ota_manifest_plan_t)
  d=$(get default "sizeof_$s"); m=$(get small "sizeof_$s")
  [ "$m" -lt "$d" ] || fail "sizeof($s) is $m with the small configuration, $d by default"
  echo "test_sizes_and_guard: sizeof(${s}) default $d B, small configuration $m B"
done
expect default mount_4_slots ok
expect small mount_4_slots 'invalid argument'
expect default mount_2_slots ok
expect small mount_2_slots ok
expect default agent_manifest_url_200 ok
expect small agent_manifest_url_200 'invalid configuration'
expect default mount_file_slots ok
expect small mount_file_slots 'invalid argument'
expect default files_manifest 'ok v2'
expect small files_manifest 'ok v2'
expect default manifest_url_100 ok
expect small manifest_url_100 'URL too long'
echo "test_sizes_and_guard: OTA_CONFIG_FILE takes effect: 4 slots, a 200-character manifest URL and a 100-character manifest entry URL are refused"

# 2. Mismatched pairs do not link, and the linker names the layout the program expects.
for pair in small:default default:small; do
  app=${pair%%:*}; lib=${pair##*:}
  if "$CC" "$work/probe_$app.o" "$work/libota_$lib.a" "${LIBS[@]}" -o "$work/mixed" \
       2> "$work/link.err"; then
    fail "a program built with the $app configuration linked against the $lib library"
  fi
  want=$(nm "$work/probe_$app.o" | sed -n 's/^ *U \(ota_layout_.*\)$/\1/p')
  [ -n "$want" ] || fail "probe_$app references no ota_layout_ symbol"
  grep -q "undefined reference to \`$want'" "$work/link.err" \
    || { cat "$work/link.err" >&2; fail "the link error does not name $want"; }
  echo "test_sizes_and_guard: $app program + $lib library: link refused, undefined reference to $want"
done

# The reference survives optimisation (the guard's read is volatile).
"$CC" "${CFLAGS[@]/-O0/-O2}" ${CONFIGS[small]} -c "$src/tests/config/config_probe.c" -o "$work/probe_o2.o"
nm "$work/probe_o2.o" | grep -q ' U ota_layout_storework256u_' \
  || fail "at -O2 the program no longer references its layout symbol"
echo "test_sizes_and_guard: at -O2 the program still references its layout symbol"

# 3. Out-of-range values stop the compilation and name the setting.
for bad in OTA_BOOT_BUF_SIZE=1000u OTA_STORE_MAX_DOWNLOAD_SLOTS=0u OTA_STORE_REJECTED_MAX=16u \
           OTA_AGENT_HTTP_BUF_SIZE=128u OTA_ENABLE_ASSERT=2 OTA_STATUS_STRINGS=2; do
  if echo '#include "otaflow/config.h"' | "$CC" "${CFLAGS[@]}" -D"$bad" -fsyntax-only -x c - \
       2> "$work/cc.err"; then
    fail "-D$bad compiled"
  fi
  grep -q "${bad%%=*}" "$work/cc.err" || { cat "$work/cc.err" >&2; fail "-D$bad: the error does not name ${bad%%=*}"; }
done
echo "test_sizes_and_guard: out-of-range sizes are compile errors naming the setting"
