#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The chart of docs/delta.md: patch sizes per pair and format, in per mille of the new image,
# drawn (gnuplot-nox) from the "Patch sizes" table of docs/delta.md itself, so that chart and
# table cannot disagree. Writes docs/delta/patch_sizes.png. Usage: bash bench/delta_chart.sh
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DOC=$ROOT/docs/delta.md
OUT=$ROOT/docs/delta/patch_sizes.png
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
# The table's rows: | pair | new image | otaflow | jojodiff | bsdiff | xdelta3 -9 | gzip -9 | xz -9 |
awk -F'|' '
  /^\| pair \| new image \| otaflow/ {t = 1; next}
  t && /^\|---/ {next}
  t && !/^\|/ {exit}
  t {
    name = $2; gsub(/^ +| +$/, "", name); sub(/ \(.*/, "", name)
    printf "\"%s\"", name
    for (c = 3; c <= 9; c++) { v = $c; sub(/ \(.*/, "", v); gsub(/[ ,]/, "", v); x[c] = v + 0 }
    for (c = 4; c <= 9; c++) printf "\t%.1f", 1000 * x[c] / x[3]
    printf "\n"
  }' "$DOC" >"$work/sizes.tsv"
[[ -s $work/sizes.tsv ]] || { echo "delta_chart: no Patch sizes table in $DOC" >&2; exit 1; }
mkdir -p "$(dirname "$OUT")"
gnuplot <<GP
set terminal pngcairo size 960,440 noenhanced font ",10"
set output "$OUT"
set title "Patch size per pair and format (per mille of the new image; docs/delta.md's table)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set ylabel "per mille of the new image"
set logscale y
set yrange [5:1000]
set grid ytics
set key top left
set xtics nomirror
set datafile separator "\t"
plot "$work/sizes.tsv" using 2:xtic(1) title "otaflow", '' using 3 title "jojodiff", \
     '' using 4 title "bsdiff 4.3", '' using 5 title "xdelta3 -9", '' using 6 title "gzip -9", \
     '' using 7 title "xz -9"
GP
echo "delta_chart: wrote $OUT"
