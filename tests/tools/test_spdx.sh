#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Every source file of the project carries the SPDX licence tag at its top: on line 1, or on
# line 2 when line 1 is a shebang. Fails naming each file without it.
#
# Source files: *.c *.h *.sh *.py *.cmake CMakeLists.txt Makefile, and any other file that starts
# with a shebang (e.g. .ci/run).
# Excluded, because they are data, not code: tests/fuzz/corpus/ (fuzz corpora and seeds),
# tests/fuzz/*.dict and *.options (libFuzzer dictionaries and flags), *.hex test inputs, docs
# (*.md), LICENSE, .gitignore. Generated files (build*/, __pycache__/) are never tracked.
# Files checked: those git tracks plus new ones not yet added (not ignored), so a developer
# sees the failure before committing.
set -euo pipefail
source "$(dirname "$0")/source_tree.sh"

TAG='SPDX-License-Identifier: Apache-2.0'

# is_source PATH FILE: whether PATH (relative to the tree, read at FILE) is a file this check covers.
is_source() {
  local p=$1 f=$2
  case "$p" in
    tests/fuzz/corpus/*) return 1 ;;
    *.c | *.h | *.sh | *.py | *.cmake | CMakeLists.txt | */CMakeLists.txt | Makefile | */Makefile) return 0 ;;
  esac
  [[ -f "$f" ]] && [[ "$(head -c 2 "$f")" == '#!' ]]
}

# has_tag PATH: the tag is on line 1, or on line 2 after a shebang.
has_tag() {
  local first second
  { IFS= read -r first || true; IFS= read -r second || true; } <"$1"
  [[ "$first" == *"$TAG"* ]] && return 0
  [[ "$first" == '#!'* && "$second" == *"$TAG"* ]]
}

# check_tree DIR: prints each source file under DIR (from the list on stdin) without the tag;
# returns 1 if there was one.
check_tree() {
  local dir=$1 p bad=0
  while IFS= read -r p; do
    [[ -f "$dir/$p" ]] || continue   # deleted in the work tree but not yet in the index
    is_source "$p" "$dir/$p" || continue
    if ! has_tag "$dir/$p"; then
      echo "missing '$TAG' at the top: $p"
      bad=1
    fi
  done
  return $bad
}

# Self-test first: the check must name an untagged file and accept the tagged forms.
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/src" "$WORK/tests/fuzz/corpus/x" "$WORK/.ci"
printf '/* %s */\nint a;\n' "$TAG" >"$WORK/src/good.c"
printf '#!/bin/sh\n# %s\n' "$TAG" >"$WORK/.ci/run"
printf '/* no licence */\nint b;\n' >"$WORK/src/bad.c"
printf '#!/usr/bin/env python3\nx = 1\n# %s\n' "$TAG" >"$WORK/late.py"
printf '# %s\n' "$TAG" >"$WORK/CMakeLists.txt"
printf 'cmake_minimum_required(VERSION 3.20)\n' >"$WORK/src/CMakeLists.txt"
printf 'all:\n' >"$WORK/Makefile"
printf 'seed\n' >"$WORK/tests/fuzz/corpus/x/seed.c"
printf 'notes\n' >"$WORK/README.md"
got=$( (cd "$WORK" && find . -type f | sed 's|^\./||') | check_tree "$WORK" | sort) && {
  echo "FAIL - self-test: untagged files were not reported" >&2; exit 1; }
want=$(printf '%s\n' Makefile late.py src/CMakeLists.txt src/bad.c | sed "s|^|missing '$TAG' at the top: |")
if [[ "$got" != "$want" ]]; then
  echo "FAIL - self-test: reported" >&2; echo "$got" >&2; echo "expected" >&2; echo "$want" >&2
  exit 1
fi
echo "ok - self-test: untagged C, Python, CMake and Makefile named; tagged files, corpora and docs pass"

n=$(list_files "$SRC" | while IFS= read -r p; do is_source "$p" "$SRC/$p" && echo; done | wc -l)
[[ $n -gt 50 ]] || { echo "FAIL - only $n source files found under $SRC" >&2; exit 1; }
if ! list_files "$SRC" | check_tree "$SRC" >&2; then
  echo "FAIL - source files above lack the licence tag" >&2
  exit 1
fi
echo "ok - all $n source files carry '$TAG'"
