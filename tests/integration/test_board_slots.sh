#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# One download slot (`create --slots 1`): updates in a row, each confirmed and running, the
# new image's download taking the slot that held the running (confirmed) image's copy; then a
# release that crashes at start: with no copy of the image it replaced, its failed trial goes
# back to the factory image, and the slot serves the next update. Then the same on a board
# without a factory image, where the bootloader keeps the crashing release. (Before the store
# could give up a confirmed image's copy, every check after the first update ended in "store
# full".)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ota_workspace
for v in 1 2 3; do ota_pack "$OTA_BIN/otaflow-example-app" $v "$WWW/app_v$v.ota"; done
ota_pack "$OTA_BIN/otaflow-example-app-crash" 4 "$WWW/app_v4.ota"
ota_start_python_server "$WWW"
ota_new_board "$B" "$WWW/app_v1.ota" --slots 1 --attempts 3

slots() {
    echo "[(i[\"slot\"], i[\"version\"], i[\"state\"]) for i in s[\"images\"]]"
}

# update_to DIR MANIFEST V FACTORY: publish vV in MANIFEST and run DIR until vV runs
# confirmed, installed from the one download slot (no "store full" on the way), the factory
# slot showing FACTORY (as `slots` prints it).
update_to() {
    local dir=$1 manifest=$2 v=$3 factory=$4 log
    log=$OTA_TMP/$(basename "$1")-v$3.log
    ota_publish "$WWW/$manifest" "$v" "$WWW/app_v$v.ota"
    ota_run 0 "$log" "$dir" --until-version "$v" --timeout 30
    ota_check "no store full" "$(ota_count 'store full' "$log")" 0
    ota_check "v$v installed from slot 1" \
        "$(ota_count "boot: installing v$v from slot 1" "$log")" 1
    ota_expect "$dir" \
        "v$v confirmed" '(s["running_version"], s["boot_state"])' "($v, 'confirmed')" \
        "v$v in the one download slot" "$(slots)" "[$factory, (1, $v, 'installed')]"
}

update_to "$B" ota.json 2 "(0, 1, 'stored')"
# v3 takes the slot of v2's (confirmed) copy.
update_to "$B" ota.json 3 "(0, 1, 'stored')"
ota_check "v3 downloaded once" "$(ota_count 'GET /app_v3.ota' "$OTA_SERVER_LOG")" 1

# v4 crashes at start: three trial boots, then the bootloader goes back to what it has.
ota_publish "$WWW/ota.json" 4 "$WWW/app_v4.ota"
ota_run 0 "$OTA_TMP/v4.log" "$B" --until-rejected 4 --timeout 40
ota_check "v4 started once per trial attempt" \
    "$(ota_count 'app: running version 4' "$OTA_TMP/v4.log")" 3
ota_check "rolled back to the factory image" \
    "$(ota_count 'boot: rolling back: installing v1 from slot 0' "$OTA_TMP/v4.log")" 1
ota_expect "$B" \
    "factory v1 runs, confirmed" '(s["running_version"], s["boot_state"])' "(1, 'confirmed')" \
    "v4 rejected" 's["rejected"]' "[4]" \
    "slot 1 holds the rejected v4" "$(slots)" "[(0, 1, 'stored'), (1, 4, 'rejected')]"

# The manifest still offers v4 (never fetched again) and v3: v3 takes the slot once more.
ota_run 0 "$OTA_TMP/again.log" "$B" --until-version 3 --timeout 30
ota_check "v4 not fetched again" "$(ota_count 'GET /app_v4.ota' "$OTA_SERVER_LOG")" 1
ota_check "v3 fetched again" "$(ota_count 'GET /app_v3.ota' "$OTA_SERVER_LOG")" 2
ota_expect "$B" "v3 back in slot 1" "$(slots)" "[(0, 1, 'stored'), (1, 3, 'installed')]"

# A board without a factory image (nothing programmed: v1 planted in the store as a pending
# install, as a store-only programming would leave it), one download slot: the same updates
# work, each download taking the slot of the confirmed image's copy; a release that crashes
# at start has nothing to go back to, and the bootloader keeps it (docs/store.md, "One
# download slot": the device stays bootable, the release needs a fix or a programmer).
NF=$OTA_TMP/nofactory
"$OTA_BIN/otaflow-board" create "$NF" --manifest-url "$OTA_URL/nofactory.json" --period 1 \
    --slots 1 --attempts 3 >/dev/null || ota_fail "create $NF"
"$OTA_BIN/otaflow-board" attack "$NF" plant "$WWW/app_v1.ota" >/dev/null ||
    ota_fail "plant v1"
update_to "$NF" nofactory.json 2 "(0, 0, 'empty')"
update_to "$NF" nofactory.json 3 "(0, 0, 'empty')"
ota_publish "$WWW/nofactory.json" 4 "$WWW/app_v4.ota"
ota_run 0 "$OTA_TMP/nf4.log" "$NF" \
    --until-console "boot: v4 failed its trial but nothing else can boot: keeping it" --timeout 40
ota_check "v4 started once per trial attempt" \
    "$(ota_count 'app: running version 4' "$OTA_TMP/nf4.log")" 3
ota_expect "$NF" \
    "v4 kept, confirmed by the bootloader" '(s["running_version"], s["boot_state"])' \
    "(4, 'confirmed')" \
    "v4 not rejected (nothing replaced it)" 's["rejected"]' "[]" \
    "v4 in slot 1" "$(slots)" "[(0, 0, 'empty'), (1, 4, 'installed')]"
# Bootable: the next power-on starts v4 again (no trial, no 'no valid image').
ota_run 0 "$OTA_TMP/nf5.log" "$NF" --until-console "app: running version 4" --timeout 20
ota_check "no trial counted" "$(ota_count 'boot: trial' "$OTA_TMP/nf5.log")" 0
ota_check "never halted" "$(ota_count 'no valid image' "$OTA_TMP/nf5.log")" 0
