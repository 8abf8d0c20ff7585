#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Prints what a published figure was measured on: the short commit of the tree, followed by
# " + uncommitted changes" when a file outside docs/ differs from it (modified or untracked:
# the builds compile what is in the tree). Used by make powercut, make coverage, make mutation.
set -euo pipefail
cd "$(dirname "$0")/.."
rev=$(git rev-parse --short HEAD 2>/dev/null || echo '?')
if [ -n "$(git status --porcelain -- . ':(exclude)docs' 2>/dev/null)" ]; then
  rev="$rev + uncommitted changes"
fi
echo "$rev"
