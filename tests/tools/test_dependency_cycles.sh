#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The modules of the core (src/) and the files of the host port (port/posix/) depend on each other without
# a cycle: read from the objects' symbol tables (which file defines a symbol another file
# uses), so a cycle can only be broken in the code, not by moving a declaration. A cycle
# makes two files one unit for every purpose (testing, porting, replacing one of them).
set -euo pipefail
: "${OTA_SOURCE_DIR:?}" "${OTA_BUILD_DIR:?}"

find_cycles() { # file|module OBJ...: prints one line per cycle found, returns 1 if any
  python3 - "$@" <<'PY'
import subprocess, sys
unit, objs = sys.argv[1], sys.argv[2:]
defined, used = {}, {}
for o in objs:
    name = o.rsplit("/", 1)[-1].replace(".c.o", ".c")
    if unit == "module":  # agent_check.c is part of agent: a module's files are one unit
        name = name.split("_")[0].replace(".c", "")
    out = subprocess.run(["nm", o], capture_output=True, text=True, check=True).stdout
    used.setdefault(name, set())
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == "U":
            used[name].add(parts[1])
        elif len(parts) == 3 and parts[1] in "TDBR":
            defined.setdefault(parts[2], name)
edges = {f: sorted({defined[s] for s in used[f] if s in defined and defined[s] != f}) for f in used}
state, stack, cycles = {}, [], []
def visit(f):
    state[f] = 1; stack.append(f)
    for g in edges[f]:
        if state.get(g) == 1:
            cycles.append(stack[stack.index(g):] + [g])
        elif g not in state:
            visit(g)
    stack.pop(); state[f] = 2
for f in sorted(edges):
    if f not in state:
        visit(f)
for c in cycles:
    print("cycle: " + " -> ".join(c))
sys.exit(1 if cycles else 0)
PY
}

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
# Self-test: two files that call each other are a cycle; a one-way call is not.
cc=${CC:-cc}
printf 'int b(int);\nint a(int x) { return x ? b(x - 1) : 0; }\n' >"$WORK/a.c"
printf 'int a(int);\nint b(int x) { return a(x); }\n' >"$WORK/b.c"
printf 'int a(int);\nint c(int x) { return a(x); }\n' >"$WORK/c.c"
for f in a b c; do "$cc" -c "$WORK/$f.c" -o "$WORK/$f.c.o"; done
got=$(find_cycles file "$WORK/a.c.o" "$WORK/b.c.o" "$WORK/c.c.o") && {
  echo "FAIL - self-test: the a <-> b cycle was not found" >&2; exit 1; }
grep -q "cycle: a.c -> b.c -> a.c" <<<"$got" || { echo "FAIL - self-test: $got" >&2; exit 1; }
find_cycles file "$WORK/a.c.o" "$WORK/c.c.o" >/dev/null || { echo "FAIL - self-test: one-way flagged" >&2; exit 1; }
echo "ok - self-test: a planted cycle is found, a one-way dependency is not"

shopt -s nullglob
core=("$OTA_BUILD_DIR"/CMakeFiles/otaflow_core.dir/src/*.c.o)
posix=("$OTA_BUILD_DIR"/CMakeFiles/otaflow_posix.dir/port/posix/*.c.o)
(( ${#core[@]} > 10 && ${#posix[@]} > 3 )) || { echo "FAIL - objects not found in $OTA_BUILD_DIR" >&2; exit 1; }
# src/ by module (agent.c, agent_check.c and agent_download.c are one: the state machine and
# the two halves it drives call each other by design), port/posix/ file by file.
find_cycles module "${core[@]}" || { echo "FAIL - src/ has a dependency cycle" >&2; exit 1; }
echo "ok - src/: ${#core[@]} files, no dependency cycle between modules"
find_cycles file "${posix[@]}" || { echo "FAIL - port/posix/ has a dependency cycle" >&2; exit 1; }
echo "ok - port/posix/: ${#posix[@]} files, no dependency cycle"
