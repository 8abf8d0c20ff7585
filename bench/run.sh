#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# make bench: every figure a ratio against a reference measured in the same run (median of
# RUNS, default 5), written to docs/performance.md with PNG charts (gnuplot) in
# docs/performance/. Needs the Release tree BUILD/release with otaflow-image and bench/*
# (the Makefile builds them) and nginx, curl, sha256sum, objcopy, valgrind, gnuplot.
#   1. agent download + verify of 1, 4, 16 MB from loopback nginx vs curl -s URL | sha256sum
#   2. modeled device time of one update vs the physical bound of the same flash timings
#   3. one "nothing new" check: requests, bytes on the wire, instructions, CPU microseconds
#   4. otaflow-image pack and hex2bin vs sha256sum and objcopy
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
REL=${OTA_RELEASE_DIR:-$ROOT/build/release}
RUNS=${RUNS:-5}
OUT=${OTA_BENCH_DOC:-$ROOT/docs/performance.md}
CHARTS=$(dirname "$OUT")/performance
TOOL=$REL/bin/otaflow-image
AGENT=$REL/bench/bench_agent
UPDATE=$REL/bench/bench_update
OTA_BIN=$REL/bin
# shellcheck source=../tests/integration/lib.sh
source "$ROOT/tests/integration/lib.sh"
for p in "$TOOL" "$AGENT" "$UPDATE"; do [[ -x $p ]] || ota_fail "$p is missing: make bench builds it"; done
ota_setup
WWW=$OTA_TMP/www
mkdir -p "$WWW" "$CHARTS"
COMMIT=$(cd "$ROOT" && bash scripts/tree_revision.sh)
START=$SECONDS
say() { echo "bench: $*" >&2; }

# median of the numbers on stdin
median() { sort -g | awk '{v[NR] = $1} END {m = int((NR + 1) / 2); print (NR % 2) ? v[m] : (v[m] + v[m + 1]) / 2}'; }
col() { awk -v c="$1" '{print $c}' "$2" | median; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", a / b}'; }
now() { echo "$EPOCHREALTIME"; }
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN {printf "%.6f\n", b - a}'; }

# --- 1. agent download + verify vs curl | sha256sum ---------------------------------------
# timed CMD...: "wall_s cpu_s peak_kb" of one run, children included (bash's time for the
# times, to the millisecond; /usr/bin/time for the peak resident memory)
timed() {
    local TIMEFORMAT='%3R %3U %3S'
    { time /usr/bin/time -f "%M" -o "$OTA_TMP/peak" "$@" >/dev/null 2>&1; } 2>"$OTA_TMP/time" ||
        ota_fail "failed: $*"
    awk -v kb="$(cat "$OTA_TMP/peak")" '{printf "%s %.3f %s\n", $1, $2 + $3, kb}' "$OTA_TMP/time"
}
# fetch URL: "wall_s cpu_s" of one agent run, or the bench fails
fetch() {
    local out
    out=$("$AGENT" fetch "$1") && [[ -n $out ]] || ota_fail "bench_agent fetch $1 failed"
    echo "$out"
}
# nginx logging each request's bytes in and out
ota_start_nginx "$WWW" '$request_length $bytes_sent $status "$request"'
NGINX_LOG=$OTA_SERVER_LOG
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
declare -A AGENT_S CURL_S AGENT_CPU CURL_CPU
for mb in 1 4 16; do
    head -c $((mb * 1024 * 1024)) /dev/urandom >"$OTA_TMP/p$mb.bin"
    "$TOOL" pack "$OTA_TMP/p$mb.bin" -o "$WWW/app$mb.ota" --version 2 >/dev/null
    "$TOOL" manifest add "$WWW/m$mb.json" --version 2 --url "$OTA_URL/app$mb.ota" \
        --file "$WWW/app$mb.ota" >/dev/null
    : >"$OTA_TMP/a" >"$OTA_TMP/c"
    for _ in $(seq "$RUNS"); do # interleaved: both see the same machine
        fetch "$OTA_URL/m$mb.json" >>"$OTA_TMP/a"
        timed bash -c "curl -s $OTA_URL/app$mb.ota | sha256sum" >>"$OTA_TMP/c"
    done
    AGENT_S[$mb]=$(col 1 "$OTA_TMP/a") AGENT_CPU[$mb]=$(col 2 "$OTA_TMP/a")
    CURL_S[$mb]=$(col 1 "$OTA_TMP/c") CURL_CPU[$mb]=$(col 2 "$OTA_TMP/c")
    say "fetch $mb MB: agent ${AGENT_S[$mb]} s (CPU ${AGENT_CPU[$mb]}), curl | sha256sum ${CURL_S[$mb]} s (CPU ${CURL_CPU[$mb]})"
done
# Where the agent's instructions go (4 MB: deterministic, a few seconds under callgrind).
valgrind --tool=callgrind --collect-atstart=no --callgrind-out-file="$OTA_TMP/fetch.cg" \
    "$AGENT" fetch "$OTA_URL/m4.json" \
    >/dev/null 2>&1 || ota_fail "bench_agent fetch under callgrind failed"
# profile OPTION: the top functions of the program's own code and libraries, one line each
profile() {
    callgrind_annotate --auto=no "$@" "$OTA_TMP/fetch.cg" 2>/dev/null |
        awk '/^ *[0-9,]+ *\([ 0-9.]+%\) .*\[/ && !/\?\?\?:0x|libc_start|\(below main\)|bench_agent.c:/ && n < 12 {
             n++; sub(/ \[[^]]*\]$/, ""); print}' | sed "s|$ROOT/||"
}
{ echo "inclusive:"; profile --inclusive=yes; echo; echo "self:"; profile; } >"$OTA_TMP/fetch.profile"

# --- 3. a "nothing new" check --------------------------------------------------------------
: >"$NGINX_LOG"
: >"$OTA_TMP/cpu"
for _ in $(seq "$RUNS"); do "$AGENT" check "$OTA_URL/m1.json" >>"$OTA_TMP/cpu"; done
CHECK_CPU=$(median <"$OTA_TMP/cpu")
: >"$NGINX_LOG"
valgrind --tool=callgrind --collect-atstart=no --callgrind-out-file="$OTA_TMP/cg.out" \
    "$AGENT" check "$OTA_URL/m1.json" >/dev/null 2>"$OTA_TMP/cg.err"
CHECK_INSTR=$(sed -n 's/.*Collected : *\([0-9]*\).*/\1/p' "$OTA_TMP/cg.err")
# The third check of that run: the requests after the first two manifest answers.
tail -n +3 "$NGINX_LOG" >"$OTA_TMP/steady.log"
CHECK_REQS=$(wc -l <"$OTA_TMP/steady.log")
CHECK_BYTES=$(awk '{s += $1 + $2} END {print s + 0}' "$OTA_TMP/steady.log")
CHECK_STATUS=$(awk '{print $3}' "$OTA_TMP/steady.log" | sort | uniq -c | awk '{printf "%s%s x%s", (NR > 1 ? ", " : ""), $2, $1}')
MANIFEST_BYTES=$(stat -c %s "$WWW/m1.json")
say "check: $CHECK_REQS request(s), $CHECK_BYTES B, $CHECK_INSTR instructions, $CHECK_CPU us"

# --- 2. modeled update ---------------------------------------------------------------------
"$UPDATE" >"$OTA_TMP/update" # modeled time: the same every run
read -r _ FULL_MS FULL_BOUND FULL_UNITS < <(grep '^full ' "$OTA_TMP/update")
read -r _ SMALL_MS SMALL_BOUND SMALL_UNITS < <(grep '^3-byte ' "$OTA_TMP/update")

# --- 4. tools ------------------------------------------------------------------------------
BIG=$OTA_TMP/p16.bin
objcopy -I binary -O ihex --change-addresses 0x10020000 "$BIG" "$OTA_TMP/big.hex"
: >"$OTA_TMP/tp" >"$OTA_TMP/ts" >"$OTA_TMP/th" >"$OTA_TMP/to"
for _ in $(seq "$RUNS"); do
    timed "$TOOL" pack "$BIG" -o "$OTA_TMP/big.ota" --version 2 >>"$OTA_TMP/tp"
    timed sha256sum "$BIG" >>"$OTA_TMP/ts"
    timed "$TOOL" hex2bin "$OTA_TMP/big.hex" -o "$OTA_TMP/big1.bin" --size 0x1000000 >>"$OTA_TMP/th"
    timed objcopy -I ihex -O binary --gap-fill 0xff "$OTA_TMP/big.hex" "$OTA_TMP/big2.bin" >>"$OTA_TMP/to"
done
cmp -s "$OTA_TMP/big1.bin" "$OTA_TMP/big2.bin" || ota_fail "hex2bin and objcopy disagree"
PACK_S=$(col 1 "$OTA_TMP/tp") SHA_S=$(col 1 "$OTA_TMP/ts")
HEX_S=$(col 1 "$OTA_TMP/th") OBJ_S=$(col 1 "$OTA_TMP/to")
PACK_CPU=$(col 2 "$OTA_TMP/tp") SHA_CPU=$(col 2 "$OTA_TMP/ts")
HEX_CPU=$(col 2 "$OTA_TMP/th") OBJ_CPU=$(col 2 "$OTA_TMP/to")
PACK_KB=$(col 3 "$OTA_TMP/tp") SHA_KB=$(col 3 "$OTA_TMP/ts")
HEX_KB=$(col 3 "$OTA_TMP/th") OBJ_KB=$(col 3 "$OTA_TMP/to")
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
say "pack $PACK_S s vs sha256sum $SHA_S s; hex2bin $HEX_S s $HEX_KB KB vs objcopy $OBJ_S s $OBJ_KB KB"

# --- charts --------------------------------------------------------------------------------
{
    for mb in 1 4 16; do echo "\"agent ${mb} MB\" $(ratio "${AGENT_S[$mb]}" "${CURL_S[$mb]}") 0.9"; done
    echo "\"update, full\" $(ratio "$FULL_MS" "$FULL_BOUND") 1.02"
    echo "\"update, 3 bytes\" $(ratio "$SMALL_MS" "$SMALL_BOUND") 1.02"
    echo "\"pack time\" $(ratio "$PACK_S" "$SHA_S") 1.2"
    echo "\"hex2bin time\" $(ratio "$HEX_S" "$OBJ_S") 1.0"
    echo "\"hex2bin memory\" $(ratio "$HEX_KB" "$OBJ_KB") 1.0"
} >"$OTA_TMP/ratios.dat"
gnuplot <<GP
set terminal pngcairo size 900,420 noenhanced font ",10"
set output "$CHARTS/ratios.png"
set title "otaflow / reference (median of $RUNS runs, $COMMIT): lower is better; crosses are the targets"
set style data histograms
set style fill solid 0.6 border -1
set boxwidth 0.7
set yrange [0:*]
set grid ytics
set xtics rotate by -25
set key off
plot "$OTA_TMP/ratios.dat" using 2:xtic(1) lc rgb "#4477aa", '' using 0:3 with points pt 2 ps 2 lc rgb "#cc3311"
GP

# --- the document --------------------------------------------------------------------------
# row NAME OURS REF [EXTRA...]: a table row with the ratio OURS / REF after them
row() {
    local name=$1 a=$2 b=$3
    shift 3
    echo "| $name | $a | $b | **$(ratio "$a" "$b")** |$(printf ' %s |' "$@")"
}
{
cat <<EOF
# Performance

Written by \`make bench\` (bench/run.sh) at commit $COMMIT on $(nproc) cores
($(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)), load average $LOAD_BEFORE before
and $LOAD_AFTER after. Every figure is the median of $RUNS runs in the same \`make bench\`,
against a reference measured in that run (interleaved with it), on 127.0.0.1. On a shared
machine wall time depends on what else runs: the ratios, and the CPU times beside them, are
what to compare. The programs are the Release build (\`-O3\`: CMake's Release flags, no sanitizers, \`BUILD/release\`).
The whole run took $((SECONDS - START)) s.

![ratios against the references](performance/ratios.png)

## 1. Download + store + verify, against \`curl | sha256sum\`

\`bench_agent fetch URL\` (bench/bench_agent.c): the agent on the POSIX transport checks a
manifest, downloads the image from nginx into its store (RAM flash model, SST26 shape, 64 MB,
20 MB slots), verifies it and records it stored; timed from the check to IMAGE_STORED, with its
process CPU time. Reference: \`bash -c "curl -s URL | sha256sum"\` (timed by bash's \`time\`:
CPU of both programs and the shell) on the same file from the same nginx. Target 0.9x. The
agent's CPU includes the flash model's bookkeeping (every program checked against the
programmed bitmap), which a device's flash driver does not do.

| image | agent (s) | curl \| sha256sum (s) | ratio | agent CPU (s) | reference CPU (s) | CPU ratio |
|---|---:|---:|---:|---:|---:|---:|
EOF
for mb in 1 4 16; do
    row "$mb MB" "${AGENT_S[$mb]}" "${CURL_S[$mb]}" "${AGENT_CPU[$mb]}" "${CURL_CPU[$mb]}" \
        "$(ratio "${AGENT_CPU[$mb]}" "${CURL_CPU[$mb]}")"
done
cat <<EOF

Profile of the 4 MB run, instructions by function, with and without their callees
from the check to IMAGE_STORED (\`valgrind --tool=callgrind --collect-atstart=no bench_agent fetch
URL\`, \`callgrind_annotate [--inclusive=yes]\`; paths shortened):

\`\`\`
$(cat "$OTA_TMP/fetch.profile")
\`\`\`

## 2. Modeled device time of one update, against the physical bound

\`bench_update\` (bench/bench_update.c): the PIC32MZ W1 board of the bootloader tests, an image
filling the application region (913,408 bytes) staged into the external SST26VF032B by the
store and installed by the bootloader; the flash model's modeled time of both devices
(docs/flash-model.md). Bound: the same timings for erasing and programming the image once in
each flash (internal: only the units that differ) and reading it once from the external flash:
no journal, no verify, no compare. Modeled time is deterministic (one run). Target 1.02x.

| update | modeled (ms) | bound (ms) | ratio | internal units written |
|---|---:|---:|---:|---:|
EOF
row "every byte new" "$FULL_MS" "$FULL_BOUND" "$FULL_UNITS"
row "3 payload bytes changed" "$SMALL_MS" "$SMALL_BOUND" "$SMALL_UNITS"
cat <<EOF

What each flash did (staging + install); the bound reads the image once (913,408 bytes) from
the external flash and programs it once into each:

| update | device | erases | programs | bytes programmed | bytes read | modeled (ms) |
|---|---|---:|---:|---:|---:|---:|
EOF
awk '$1 == "detail" {printf "| %s | %s | %s | %s | %s | %s | %s |\n", $2, $3, $4, $5, $6, $7, $8}' "$OTA_TMP/update"
cat <<EOF

A 3-byte change rewrites $SMALL_UNITS internal units (the changed bytes', and the descriptor page's,
which holds the header and the hash TLV) but still stages the whole image: its time is the download's. A patch (docs/delta.md)
is what makes it small.

## 3. One "nothing new" check

\`bench_agent check URL\`: three checks of a manifest whose newest version is the running one,
the second 1.1 s after the first; the third, a device's steady state every period (the agent
sends its conditional GET once two reads at least a second apart agreed), is measured: requests and bytes (request +
response, nginx's \`\$request_length\` + \`\$bytes_sent\`), instructions of its polls
(\`valgrind --tool=callgrind --collect-atstart=no\`: the program toggles counting around
them), process CPU time (median of $RUNS). Unsigned manifest of $MANIFEST_BYTES bytes. A
conditional GET answered 304 Not Modified shows up here as its status.
Target: one request, at most 400 bytes in all.

| requests | statuses | bytes on the wire | instructions | CPU (us) |
|---:|---|---:|---:|---:|
| $CHECK_REQS | $CHECK_STATUS | $CHECK_BYTES | $CHECK_INSTR | $CHECK_CPU |

## 4. otaflow-image against sha256sum and objcopy

16 MB of random bytes: \`otaflow-image pack BIN -o OUT --version 2\` against
\`sha256sum BIN\`; the same bytes as Intel HEX at 0x10020000 (\`objcopy -I binary -O ihex\`),
\`otaflow-image hex2bin HEX -o OUT --size 0x1000000\` against
\`objcopy -I ihex -O binary --gap-fill 0xff HEX OUT\` (the outputs are compared). Wall time, CPU
(user + sys) from bash's \`time\`, peak resident memory from \`/usr/bin/time -f %M\`. Targets: pack 1.2x,
hex2bin 1.0x in time and memory.

| command | otaflow (s) | reference (s) | ratio | CPU (s) | reference CPU (s) | peak (KB) | reference peak (KB) | memory ratio |
|---|---:|---:|---:|---:|---:|---:|---:|---:|
EOF
row "pack vs sha256sum" "$PACK_S" "$SHA_S" "$PACK_CPU" "$SHA_CPU" "$PACK_KB" "$SHA_KB" \
    "$(ratio "$PACK_KB" "$SHA_KB")"
row "hex2bin vs objcopy" "$HEX_S" "$OBJ_S" "$HEX_CPU" "$OBJ_CPU" "$HEX_KB" "$OBJ_KB" \
    "$(ratio "$HEX_KB" "$OBJ_KB")"
} >"$OUT.new"
# The hand-written section (## Notes, from that heading to the end) is kept across runs.
if [[ -f $OUT ]] && grep -q '^## Notes' "$OUT"; then
    { echo; sed -n '/^## Notes/,$p' "$OUT"; } >>"$OUT.new"
fi
mv "$OUT.new" "$OUT"
say "wrote $OUT and $CHARTS/ratios.png in $((SECONDS - START)) s"
