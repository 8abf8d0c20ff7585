#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The project stands alone: no file points outside the repository, at the steering documents
# it was started from (../shared, DESIGN.md; the design is docs/design.md) or at the machine it
# was written on (/work/). Fails naming each file and line. Fuzz corpora are not read.
set -euo pipefail
source "$(dirname "$0")/source_tree.sh"

# What points outside (grep -E, case-sensitive: docs/design.md is ours, DESIGN.md is not).
OUTSIDE='\.\./shared|/work/|DESIGN\.md'

# outside_refs DIR: "path:line: text" for every reference outside the tree, from the file list
# on stdin; returns 1 if there was one.
outside_refs() {
  local p found files=()
  while IFS= read -r p; do
    if [[ -f "$1/$p" ]]; then files+=("$p"); fi   # deleted but still in the index: skip
  done
  found=$(cd "$1" && printf '%s\0' "${files[@]}" | xargs -0 -r grep -IHnE -- "$OUTSIDE") || true
  [[ -z "$found" ]] || { echo "$found"; return 1; }
}

# Self-test: each kind of reference is found, our own docs/design.md is not.
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/docs" "$WORK/src"
printf 'see docs/design.md section 6\n' >"$WORK/docs/ok.md"
printf 'Architecture: ../shared/DESIGN.md\n' >"$WORK/README.md"
printf '/* as in DESIGN.md 4 */\n' >"$WORK/src/a.c"
printf 'x\nsource /work/other/lib.sh\n' >"$WORK/run.sh"
got=$(printf '%s\n' docs/ok.md README.md src/a.c run.sh | outside_refs "$WORK") && {
  echo "FAIL - self-test: references outside were not reported" >&2; exit 1; }
want=$'README.md:1:Architecture: ../shared/DESIGN.md\nsrc/a.c:1:/* as in DESIGN.md 4 */\nrun.sh:2:source /work/other/lib.sh'
if [[ "$got" != "$want" ]]; then
  echo "FAIL - self-test: reported" >&2; echo "$got" >&2; echo "expected" >&2; echo "$want" >&2
  exit 1
fi
echo "ok - self-test: ../shared, DESIGN.md and /work/ found with file and line; docs/design.md passes"

n=$(list_files "$SRC" | wc -l)
[[ $n -gt 100 ]] || { echo "FAIL - only $n files found under $SRC" >&2; exit 1; }
if ! list_files "$SRC" | grep -vx 'tests/tools/test_standalone.sh' | outside_refs "$SRC" >&2; then
  echo "FAIL - the files above point outside the repository (the design is docs/design.md)" >&2
  exit 1
fi
echo "ok - none of $n files points outside the repository"
