#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds and runs the libFuzzer targets of tests/fuzz (issue 7).
#
#   fuzz.sh build              configure + build the fuzz build dir ($OTA_FUZZ_BUILD)
#   fuzz.sh targets            list the targets (tests/fuzz/fuzz_<target>.c)
#   fuzz.sh replay <target>    run over the repository corpus + $FUZZ_REPLAY_SECONDS (10) of
#                              fuzzing; new inputs go to a temporary dir; exit 1 on any crash
#   fuzz.sh run <target>       fuzz for $FUZZ_SECONDS (600); merge new coverage into the
#                              repository corpus (-merge=1: only inputs that add features);
#                              append one summary line to $FUZZ_LOG
#   fuzz.sh all                `run` every target, $FUZZ_JOBS (nproc) at a time
#   fuzz.sh seeds              rewrite the generated seeds (tests/fuzz/make_seeds.c)
#
# Per target: tests/fuzz/<target>.dict (dictionary) and tests/fuzz/<target>.options (extra
# libFuzzer flags, one line) are used when present. Crash inputs are kept in
# $OTA_FUZZ_BUILD/artifacts/<target>/.
set -euo pipefail
src=${OTA_SOURCE_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
bld=${OTA_FUZZ_BUILD:-$src/build/fuzz}
case "$bld" in /*) ;; *) bld=$src/$bld ;; esac
log=${FUZZ_LOG:-$bld/fuzz-summary.log}
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}

die() { echo "fuzz: $*" >&2; exit 1; }

build() {
  mkdir -p "$bld"
  # One build at a time per directory (ctest may start several tests that need it).
  exec 9>"$bld/.lock"
  flock 9
  if [ ! -f "$bld/CMakeCache.txt" ]; then
    CC=${FUZZ_CC:-clang} cmake -S "$src" -B "$bld" -DOTA_FUZZ=ON -DOTA_SANITIZE=OFF \
      -DCMAKE_BUILD_TYPE= -DCMAKE_C_FLAGS="-O1 -g" >"$bld/configure.log" 2>&1 ||
      { cat "$bld/configure.log" >&2; die "configure failed"; }
  fi
  cmake --build "$bld" --target fuzzers -j "$jobs" >"$bld/build.log" 2>&1 ||
    { tail -50 "$bld/build.log" >&2; die "build failed"; }
  exec 9>&-
  echo "fuzz: built $(targets | wc -l) targets in $bld"
}

targets() {
  for f in "$src"/tests/fuzz/fuzz_*.c; do
    [ -e "$f" ] || continue
    basename "$f" .c | sed 's/^fuzz_//'
  done
}

# Common libFuzzer flags of a target: dictionary, options file, artifacts dir.
flags() {
  local t=$1 art=$2
  local f=(-print_final_stats=1 -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$art/")
  [ -f "$src/tests/fuzz/$t.dict" ] && f+=(-dict="$src/tests/fuzz/$t.dict")
  [ -f "$src/tests/fuzz/$t.options" ] && read -r -a extra <"$src/tests/fuzz/$t.options" && f+=("${extra[@]}")
  printf '%s\n' "${f[@]}"
}

binary() {
  local b="$bld/fuzz/fuzz_$1"
  [ -x "$b" ] || die "no binary $b (run: fuzz.sh build)"
  echo "$b"
}

# One summary line from a libFuzzer log: executions, coverage, corpus, crashes.
summary() {
  local t=$1 out=$2 secs=$3 crashes=$4
  local execs done_line cov ft
  execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$out" | tail -1 | awk '{print $2}')
  done_line=$(grep -E '^#[0-9]+' "$out" | grep -E 'cov: ' | tail -1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$done_line")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$done_line")
  printf '%s target=%s seconds=%s execs=%s cov=%s ft=%s corpus=%s crashes=%s\n' \
    "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$t" "$secs" "${execs:-0}" "${cov:-?}" "${ft:-?}" \
    "$(find "$src/tests/fuzz/corpus/$t" -type f | wc -l)" "$crashes"
}

replay() {
  local t=$1 b tmp rc=0
  b=$(binary "$t")
  tmp=$(mktemp -d); trap 'rm -rf "$tmp"' RETURN
  mkdir -p "$tmp/new" "$src/tests/fuzz/corpus/$t"
  mapfile -t f < <(flags "$t" "$tmp")
  "$b" "${f[@]}" -max_total_time="${FUZZ_REPLAY_SECONDS:-10}" "$tmp/new" \
    "$src/tests/fuzz/corpus/$t" >"$tmp/out" 2>&1 || rc=$?
  if [ $rc -ne 0 ]; then
    grep -vE '^#[0-9]+ +(NEW|REDUCE|pulse)' "$tmp/out" | tail -60 >&2
    mkdir -p "$bld/artifacts/$t"
    cp "$tmp"/crash-* "$tmp"/timeout-* "$tmp"/oom-* "$tmp"/leak-* "$bld/artifacts/$t/" 2>/dev/null || true
    die "$t: crash (exit $rc); input kept in $bld/artifacts/$t/"
  fi
  summary "$t" "$tmp/out" "${FUZZ_REPLAY_SECONDS:-10}" 0
}

# Minimise the repository corpus of target $1 together with the new inputs in $2: the named
# seeds (any file whose name is not a 40-hex SHA-1) always stay; of the SHA-1-named files (what
# fuzzing and captures added) only those that add coverage to the seeds are kept (-merge=1).
minimise() {
  local t=$1 new=$2 mlog=$3 corpus="$src/tests/fuzz/corpus/$t" m
  m=$(mktemp -d)
  mkdir -p "$m/min" "$m/old"
  find "$corpus" -maxdepth 1 -type f -regextype posix-extended ! -regex '.*/[0-9a-f]{40}' -exec cp {} "$m/min/" \;
  find "$corpus" -maxdepth 1 -type f -regextype posix-extended -regex '.*/[0-9a-f]{40}' -exec mv {} "$m/old/" \;
  mapfile -t f < <(flags "$t" "$m")
  if "$(binary "$t")" -merge=1 "${f[@]}" "$m/min" "$m/old" "$new" >"$mlog" 2>&1; then
    find "$m/min" -maxdepth 1 -type f -regextype posix-extended -regex '.*/[0-9a-f]{40}' -exec mv {} "$corpus/" \;
    rm -rf "$m"
  else
    mv "$m/old"/* "$corpus/" 2>/dev/null || true
    rm -rf "$m"
    return 1
  fi
}

run() {
  local t=$1 secs=${FUZZ_SECONDS:-600} b tmp rc=0 crashes corpus
  b=$(binary "$t")
  corpus="$src/tests/fuzz/corpus/$t"
  tmp=$(mktemp -d); trap 'rm -rf "$tmp"' RETURN
  mkdir -p "$tmp/new" "$corpus" "$bld/artifacts/$t" "$bld/logs"
  mapfile -t f < <(flags "$t" "$bld/artifacts/$t")
  "$b" "${f[@]}" -max_total_time="$secs" "$tmp/new" "$corpus" >"$bld/logs/$t.log" 2>&1 || rc=$?
  minimise "$t" "$tmp/new" "$bld/logs/$t.merge.log" ||
    echo "fuzz: $t: merge failed (see $bld/logs/$t.merge.log)" >&2
  crashes=$(find "$bld/artifacts/$t" -type f | wc -l)
  summary "$t" "$bld/logs/$t.log" "$secs" "$crashes" | tee -a "$log"
  [ $rc -eq 0 ] || { echo "fuzz: $t stopped with exit $rc: see $bld/logs/$t.log" >&2; return 1; }
}

# Seeds: the generated ones (make_seeds.c), real HTTP answers of python3 http.server and nginx
# (capture_http.py; their server streams also seed http_response: seeds_http_response.py), real objcopy Intel HEX (capture_hex.sh), as they are; plus the inputs the unit tests feed
# the parsers (fuzz_capture_<target>, see tests/fuzz/capture.h) merged in where they add
# coverage.
seeds() {
  local tmp t b
  "$bld/fuzz/fuzz_make_seeds" "$src/tests/fuzz/corpus"
  python3 "$src/tests/fuzz/capture_http.py" "$src/tests/fuzz/corpus/http"
  python3 "$src/tests/fuzz/seeds_http_response.py" "$src/tests/fuzz/corpus/http" "$src/tests/fuzz/corpus/http_response"
  bash "$src/tests/fuzz/capture_hex.sh" "$src/tests/fuzz/corpus/ihex"
  tmp=$(mktemp -d); trap 'rm -rf "$tmp"' RETURN
  for b in "$bld"/fuzz/fuzz_capture_*; do
    [ -x "$b" ] || continue
    t=${b##*/fuzz_capture_}
    OTA_FUZZ_CAPTURE_DIR=$tmp "$b" >"$tmp/$t.log" 2>&1 || true
    [ -d "$tmp/$t" ] || { echo "fuzz: $t: the tests captured nothing" >&2; continue; }
    # Huge inputs (the tests' 64 KB URL, 10,000 entries) make slow seeds and a heavy repository.
    find "$tmp/$t" -type f -size +8k -delete
    mkdir -p "$src/tests/fuzz/corpus/$t"
    minimise "$t" "$tmp/$t" "$tmp/$t.merge" ||
      { tail "$tmp/$t.merge" >&2; die "$t: merge of captured seeds failed"; }
    echo "fuzz: $t: $(find "$tmp/$t" -type f | wc -l) inputs captured from the unit tests, corpus now $(find "$src/tests/fuzz/corpus/$t" -type f | wc -l) files"
  done
}

case "${1:-}" in
  build) build ;;
  targets) targets ;;
  replay) [ -n "${2:-}" ] || die "usage: fuzz.sh replay <target>"; replay "$2" ;;
  run) [ -n "${2:-}" ] || die "usage: fuzz.sh run <target>"; run "$2" ;;
  all)
    fail=0
    targets | xargs -P "$jobs" -I{} bash "$0" run {} || fail=1
    echo "fuzz: summary appended to $log"
    exit $fail ;;
  seeds) seeds ;;
  *) die "usage: fuzz.sh build|targets|replay <t>|run <t>|all|seeds" ;;
esac
