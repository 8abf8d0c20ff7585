#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# make coverage: line and branch coverage of src/ by the test suite (docs/reliability.md).
#
# A build of its own (COVERAGE_BUILD, default build-coverage: gcc --coverage -O0, no
# sanitizers), the suite as make test runs it except the fuzz_* tests (they run a clang build
# of their own, which gcov cannot count) and cross_check (compiles for the Cortex-M4, runs
# nothing). Counted too: the example application the simulated board starts from internal
# flash (memfd + fexecve; it writes its counters when the board stops it) and the power-cut
# sweep's forked workers (tests/coverage/gcov_flush_exit.c). Prints the summary, writes
# $COVERAGE_BUILD/coverage/{summary.txt,index.html} and the per-file table in the marked
# section of docs/reliability.md; fails below COVERAGE_LINE_MIN % lines (95) or
# COVERAGE_BRANCH_MIN % branches (90) of src/, so the figure cannot rot unnoticed.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${COVERAGE_BUILD:-$here/build-coverage}
jobs=${JOBS:-2}
line_min=${COVERAGE_LINE_MIN:-95}
branch_min=${COVERAGE_BRANCH_MIN:-90}
out=$build/coverage

cmake -S "$here" -B "$build" -DOTA_SANITIZE=OFF -DOTA_COVERAGE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build "$build" -j "$jobs"
find "$build" -name '*.gcda' -delete # this run's counts only
rm -rf "$out" && mkdir -p "$out"
(cd "$build" && ctest -j "$jobs" -E '^(fuzz_|cross_check)' --output-on-failure)

# The counts this script claims to include must be there.
app_gcda=$(find "$build/CMakeFiles/otaflow_app_objs.dir" -name 'agent.c.gcda' | head -1)
if [ -z "$app_gcda" ]; then
  echo "coverage: the example application wrote no counters (agent.c.gcda)" >&2
  exit 1
fi

# Only this build's counters (the search path): another coverage build in the tree would
# mix counts of other sources in.
gcovr_args=(-r "$here" --object-directory "$build" --exclude-unreachable-branches "$build")
gcovr "${gcovr_args[@]}" --filter "$here/tests/powercut/" --json "$out/powercut.json" >/dev/null
python3 - "$out/powercut.json" <<'EOF'
import json, sys
data = json.load(open(sys.argv[1]))
runs = [f["execution_count"] for file in data["files"] for f in file.get("functions", [])
        if f["name"].split("(")[0] == "run_share"]
if not runs or max(runs) == 0:
    sys.exit("coverage: the power-cut workers wrote no counters (run_share never ran)")
EOF

gcovr "${gcovr_args[@]}" --filter "$here/src/" --txt "$out/summary.txt" \
  --html-details "$out/index.html" --json-summary "$out/summary.json" --print-summary \
  | tee "$out/totals.txt"
cat "$out/summary.txt"

python3 - "$out/summary.json" "$here/docs/reliability.md" "$line_min" "$branch_min" <<'EOF'
import json, re, subprocess, sys
summary, doc, line_min, branch_min = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
s = json.load(open(summary))
def pct(c, t):
    return 100.0 * c / t if t else 100.0
rev = subprocess.run(["bash", doc.rsplit("/docs/", 1)[0] + "/scripts/tree_revision.sh"],
                     capture_output=True, text=True).stdout.strip() or "?"
rows = ["| file | lines | covered | line % | branches | taken | branch % |",
        "|---|---:|---:|---:|---:|---:|---:|"]
for f in sorted(s["files"], key=lambda f: f["filename"]):
    rows.append("| `%s` | %d | %d | %.1f | %d | %d | %.1f |" % (
        f["filename"], f["line_total"], f["line_covered"], pct(f["line_covered"], f["line_total"]),
        f["branch_total"], f["branch_covered"], pct(f["branch_covered"], f["branch_total"])))
lp = pct(s["line_covered"], s["line_total"])
bp = pct(s["branch_covered"], s["branch_total"])
rows.append("| **src/ total** | %d | %d | **%.1f** | %d | %d | **%.1f** |" % (
    s["line_total"], s["line_covered"], lp, s["branch_total"], s["branch_covered"], bp))
table = ("`make coverage` at commit `%s` (target: >= %.0f %% lines, >= %.0f %% branches):\n\n"
         % (rev, line_min, branch_min)) + "\n".join(rows) + "\n"
text = open(doc).read()
begin, end = "<!-- coverage:begin -->\n", "<!-- coverage:end -->"
if begin in text and end in text:
    head, rest = text.split(begin, 1)
    text = head + begin + table + end + rest.split(end, 1)[1]
    open(doc, "w").write(text)
    print("coverage: table written to docs/reliability.md")
print("coverage: src/ %.1f %% lines, %.1f %% branches" % (lp, bp))
if lp < line_min or bp < branch_min:
    sys.exit("coverage: below the target (%.0f %% lines, %.0f %% branches)" % (line_min, branch_min))
EOF
