# SPDX-License-Identifier: Apache-2.0
# Shared by the tree checks (test_spdx.sh, test_standalone.sh; sourced, not a test itself).
# list_files DIR: the project's files, relative to DIR: what git tracks plus new files not yet
# added (not ignored), so a developer sees a failure before committing; outside a git checkout,
# every file but build directories and caches. Fuzz corpora (data) are left out.
list_files() {
  if git -C "$1" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git -C "$1" ls-files --cached --others --exclude-standard
  else
    (cd "$1" && find . -type f -not -path './build*' -not -path '*/__pycache__/*' -not -path './.git/*' | sed 's|^\./||')
  fi | grep -v '^tests/fuzz/corpus/'
}

# The source tree under test.
SRC=${OTA_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
