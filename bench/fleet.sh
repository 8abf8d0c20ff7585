#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# make fleet: the fleet simulation (bench/fleet, FLEET_DEVICES agents, default 10,000, in one
# process against nginx on 127.0.0.1), its chart (gnuplot) and docs/fleet.md. Needs the
# Release tree BUILD/release with bench/fleet_sim (the Makefile builds it). Exits 1 when a
# check of the simulation failed (the document is written all the same, saying which).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
REL=${OTA_RELEASE_DIR:-$ROOT/build/release}
SIM=$REL/bench/fleet_sim
DEVICES=${FLEET_DEVICES:-10000}
OUT=${OTA_FLEET_DOC:-$ROOT/docs/fleet.md}
CHARTS=$(dirname "$OUT")/fleet
[[ -x $SIM ]] || { echo "fleet: $SIM is missing: make fleet builds it" >&2; exit 1; }
command -v gnuplot >/dev/null || { echo "fleet: gnuplot is missing (make deps)" >&2; exit 1; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/otaflow-fleet-out.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$CHARTS"
COMMIT=$(cd "$ROOT" && bash scripts/tree_revision.sh)
START=$(date +%s.%N)
LOAD=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)

rc=0
"$SIM" --devices "$DEVICES" --out "$WORK" | tee "$WORK/console.txt" || rc=$?
[[ -f $WORK/run.env && -f $WORK/figures.md ]] || { echo "fleet: the simulation wrote no figures" >&2; exit 1; }
# The comparison: the same fleet with agents that have no random source (no jitter at all).
# Its own checks fail by design (the fleet checks in lock step and misses the outage).
echo "fleet: the same without jitter, for comparison" >&2
mkdir -p "$WORK/nojitter"
overflows() { awk '/^TcpExt:/ {if (!h) {for (i = 1; i <= NF; i++) if ($i == "ListenOverflows") c = i; h = 1} else print $c}' /proc/net/netstat 2>/dev/null || echo 0; }
OVERFLOWS_BEFORE=$(overflows)
"$SIM" --devices "$DEVICES" --no-jitter --out "$WORK/nojitter" >"$WORK/nojitter/console.txt" || true
OVERFLOWS=$(( $(overflows) - OVERFLOWS_BEFORE ))
[[ -f $WORK/nojitter/run.env ]] || { echo "fleet: the comparison wrote no figures" >&2; exit 1; }
declare -A NJ
while IFS='=' read -r k v; do NJ[$k]=${v//\'/}; done <"$WORK/nojitter/run.env"
# shellcheck disable=SC1091
source "$WORK/run.env"
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN {printf "%.0f", b - a}'; }
SIM_S=$(elapsed "$START")
TOTAL_S=$(elapsed "${OTA_FLEET_START:-$START}")

# --- the chart ----------------------------------------------------------------------------
stage_marks() {
    local k at pct
    for k in 1 2 3; do
        at=STAGE${k}_AT pct=STAGE${k}_PERCENT
        echo "set arrow from ${!at}/60.0, graph 0 to ${!at}/60.0, graph 1 nohead dt 2 lc rgb '#555555'"
        echo "set label 'Rollout ${!pct} %' at ${!at}/60.0 + 0.3, graph 0.93 font ',9'"
    done
    echo "set object 1 rect from $OUTAGE_AT/60.0, graph 0 to $((OUTAGE_AT + OUTAGE_S))/60.0, graph 1 fc rgb '#f4c7c3' fs solid 0.6 noborder behind"
}
gnuplot <<GP
set terminal pngcairo size 1000,640 noenhanced font ",10"
set output "$CHARTS/fleet.png"
set datafile separator ","
set multiplot layout 2,1 title "otaflow fleet simulation: $DEVICES devices, check period $PERIOD_S s, $IMAGE_SIZE B image, one minute of 503 (shaded); commit $COMMIT"
set xrange [0:$END_S/60.0]
set grid
set key top right opaque box
$(stage_marks)
set ylabel "devices (log scale)"
set logscale y
set yrange [1:$DEVICES * 2]
set key bottom right opaque box
plot "$WORK/timeline.csv" every ::1 using (\$1/60.0):7 smooth cumulative lw 5 lc rgb "#99bbdd" title "stored the update (cumulative)", \
     "" every ::1 using (\$1/60.0):(\$8 > 0 ? \$8 : 1/0) with lines lw 1.5 lc rgb "#228833" title "run it (after their reset)"
unset logscale y
set key top right opaque box
set yrange [0:*]
set xlabel "fake time (minutes)"
set ylabel "per fake second at nginx"
plot "$WORK/timeline.csv" every ::1 using (\$1/60.0):13 with impulses lc rgb "#4477aa" title "requests", \
     "" every ::1 using (\$1/60.0):14 with impulses lc rgb "#cc3311" title "503 (outage)"
unset multiplot
GP

# --- the document -------------------------------------------------------------------------
CPU=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null || echo unknown)
{
cat <<DOC
# Fleet simulation

Written by \`make fleet\` (bench/fleet.sh running bench/fleet/, the Release build) at commit
$COMMIT on $(nproc) cores ($CPU, load average $LOAD at the start, the machine shared),
$(date -u +%Y-%m-%d). The two simulations (with and without jitter) took ${SIM_S} s of
wall-clock time, \`make fleet\` ${TOTAL_S} s in all (building the Release tree included).
Rerun: \`make fleet\` (\`FLEET_DEVICES=N make fleet\` for another fleet size); the suite runs
200 devices (ctest \`fleet_small\`).

## What runs

- **$DEVICES devices in one process, on one thread:** each is the real agent (\`ota_agent_t\`)
  with its own image store on its own 64 KB RAM flash of the strict model (4 KB sectors:
  journal, factory slot, two 16 KB download slots), its own device id (\`dev-00000\`...),
  and its own plain-HTTP socket (\`ota_posix_transport_t\`, $SOCKET_BYTES bytes: the TLS state is
  allocated only for https). The agent has no globals and never blocks, so one poll loop
  drives them all.
- **The server** is nginx on 127.0.0.1, started and stopped by the simulation, serving the
  manifest and one ${IMAGE_SIZE}-byte image as static files (the fleet's server stays
  stateless); \`POST /report\` answers 204 to the agents' status reports (each device
  reports its boot into the new version: \`report_url\`). It closes
  each connection after its response (\`keepalive_timeout 0\`), as a CDN closes an idle
  device connection long before that device's next check.
- **The scenario:** every device runs version 1 and checks every $PERIOD_S s; the whole fleet
  powers on at 0 s, and each agent puts its first check at a random time within one period
  (\`first_check_jitter_s\`). The manifest offers version 2 with \`"Rollout": $STAGE1_PERCENT\` at
  ${STAGE1_AT} s, rewritten to $STAGE2_PERCENT at ${STAGE2_AT} s and $STAGE3_PERCENT at
  ${STAGE3_AT} s (two periods per stage: every device checks at least once in each). From
  ${OUTAGE_AT} s for ${OUTAGE_S} s nginx answers 503 to everything (the outage), while the
  last stage's downloads run. A device that stored the update resets: the simulation records
  the bootloader's install in its store, the new version confirms itself and its agent starts
  again on version 2.
- **Fake time:** the clock advances one second at a time; in each second the devices due are
  polled, then time stands still while the network works (devices with a transfer in hand are
  polled as their sockets become ready, until none has one). A transfer therefore takes no
  fake time, and all the transfers of one fake second run concurrently against nginx: that
  is what the peak concurrent connections count. The wall-clock window of every second is
  recorded, so each line of nginx's access log (\`\$msec\`) is counted in the fake second it
  belongs to: the per-second figures at the server come from nginx, not from the devices.
  Totals match exactly; a second's count may differ a little from the devices' (nginx logs a
  report after discarding its body, when the device may already have its 204 and the second
  has ended: the line then counts in the next busy second).
- **The checks:** the share of devices that took each stage must lie within 4 σ of the
  binomial expectation (the rollout hash makes membership a fair coin of probability N %
  per device), every device must run version 2 in the end, and nginx's count of requests must
  equal the devices', and every device's report of its new version must reach nginx.

## Figures

DOC
cat "$WORK/figures.md"
cat <<DOC

![devices updated over fake time per stage, requests per second at nginx across the outage](fleet/fleet.png)

## Without jitter

The same run with agents given no \`ports.random32\` (\`fleet_sim --no-jitter\`): no jitter
of the first check nor of the retries. The fleet, powered on together, then checks in lock
step, every device in the same second of each period.

| | with jitter (above) | without |
|---|---:|---:|
| peak requests in one fake second at nginx | $PEAK_SRV_RPS | ${NJ[PEAK_SRV_RPS]} |
| peak concurrent connections at nginx (\`\$connections_active\`) | $PEAK_SRV_ACTIVE | ${NJ[PEAK_SRV_ACTIVE]} |
| requests sent by the devices / logged by nginx | $REQUESTS_SIM / $REQUESTS_SRV | ${NJ[REQUESTS_SIM]} / ${NJ[REQUESTS_SRV]} |
| failed checks + downloads | $((CHECK_FAILURES + DOWNLOAD_FAILURES)) | $((NJ[CHECK_FAILURES] + NJ[DOWNLOAD_FAILURES])) |
| why they failed | ${FAILURE_REASONS:-none} | ${NJ[FAILURE_REASONS]:-none} |
| responses 503 (the outage) | $SRV_503 | ${NJ[SRV_503]} |
| time to converge after Rollout 100 % | $CONVERGED_AFTER_S s | ${NJ[CONVERGED_AFTER_S]} s |

$(if (( OVERFLOWS > 0 )); then cat <<OVF
Without jitter the whole fleet arrives in one second: nginx's accept queue (its default
backlog of 511) overflows (the kernel counted $OVERFLOWS listen-queue overflows,
\`TcpExtListenOverflows\`, during that run), and the devices whose connection was never
accepted fail with "closed before the response" although the server was up.
OVF
else echo "Without jitter the whole fleet arrives in one second; at $DEVICES devices nginx's accept queue still held them all (no listen-queue overflow during that run)."; fi)
A lock-step fleet also misses a minute's outage entirely or meets it all together, depending
on where it falls in the period.

## Reading the figures

- **Stage shares.** A device's place in a rollout is the first 32 bits of
  SHA-256("id:version") modulo 10,000 (include/otaflow/rollout.h), taken when below N × 100:
  raising N only adds devices (the 1 % are among the 10 %), and each device decides alone
  from the same static file. The counts in the checks are binomial draws around N %.
- **Power on.** The whole fleet powers on in second 0; each agent puts its first check at a
  random time within one period (\`first_check_jitter_s\`, with the device's own
  \`ports.random32\`), so nginx sees the period's rate (devices / period per second) from
  the first second on instead of every device at once.
- **The outage.** The devices whose check fell in the minute of 503 fail once. Their retry
  waits the backoff with full jitter but never less than the period (include/otaflow/agent.h),
  so they come back one period later, spread over a minute as their checks were: the bump one
  period after the shaded band. The minute right after the outage carries no burst of
  retries (compare its row with the one before the outage).
- **Downloads and resets.** An update costs a device four requests (the manifest that
  offers it, the image, and after its reset the check of the new version and its status
  report), hence the higher rate while a stage's devices update. The image was fetched
  $IMAGE_FETCHES times for $DEVICES devices.
- **Steady state.** After its reset a device reads the manifest in full twice (a second
  apart at least, docs/decisions.md "Conditional GET"), then asks with its ETag: from the
  third check on nginx answers 304 and the bytes per check drop (the 304s in the totals, the
  MB of the last row).

## What the simulation leaves out

- Transfer time: the network is loopback and fake time stands still during a transfer, so
  concurrency is "requests started in the same fake second", not a model of slow links.
- The bootloader's copy into internal flash and the trial boot: the install is recorded in
  the store directly (the bootloader has its own tests and power-cut sweeps).
- Host RAM per device is dominated by the 64 KB flash model; the agent, store and socket
  are the rest (figure above).
DOC
} >"$OUT"
echo "fleet: wrote $OUT and $CHARTS/fleet.png"
exit "$rc"
