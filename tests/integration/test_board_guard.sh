#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The anti-rollback guard end to end on the virtual board: v3 (security counter 2) is
# installed and confirmed, and the bootloader raises the guard in internal flash; then an
# attacker with the SPI bus erases the journal and plants the old signed v1 (counter 1) as a
# pending install: the bootloader refuses it, v3 keeps running, and the journal's counter is
# restored from the guard. Also: the bootloader arms the watchdog and write-protects the guard
# before every start of the application; status shows the guard.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ota_workspace
app=$OTA_BIN/otaflow-example-app
"$T" keygen -o key.pem --pub pub.pem >/dev/null
"$T" pack "$app" -o "$WWW/app_v1.ota" --version 1 --security-counter 1 --key key.pem >/dev/null
"$T" pack "$app" -o "$WWW/app_v3.ota" --version 3 --security-counter 2 --key key.pem >/dev/null
ota_start_python_server "$WWW"
ota_publish "$WWW/ota.json" 3 "$WWW/app_v3.ota"
ota_new_board "$B" "$WWW/app_v1.ota" --pubkey pub.pem

# 1. v3 installed and confirmed; the first boot initialised the guard from the verified v1.
ota_run 0 run1.log "$B" --until-version 3 --timeout 30
ota_check "guard initialised from v1 at the first boot" \
    "$(ota_count 'boot: guard: security counter 1, revoked keys mask 0 (from v1)' run1.log)" 1
starts=$(ota_count 'app: running version' run1.log)
ota_check "every start of the application came after the watchdog and the guard lock" \
    "$(ota_count 'watchdog armed (30 s), guard pages write-protected' run1.log)" "$starts"

# 2. The next power-on sees v3 confirmed and raises the guard to its counter.
ota_run 0 run2.log "$B" --until-console "boot: starting v3" --timeout 30
ota_check "guard raised to v3's counter" \
    "$(ota_count 'boot: guard: security counter 2, revoked keys mask 0 (from v3)' run2.log)" 1
ota_expect "$B" "status: guard counter" 's["guard_counter"]' 2 \
    "status: guard holds a record" 's["guard"]' record

# 3. The attack: journal erased, old signed v1 planted as a pending install.
"$OTA_BIN/otaflow-board" attack "$B" erase-journal >/dev/null || ota_fail "attack erase-journal"
"$OTA_BIN/otaflow-board" attack "$B" plant "$WWW/app_v1.ota" >/dev/null || ota_fail "attack plant"
ota_expect "$B" "after the attack the journal's counter is 0" 's["security_counter"]' 0 \
    "after the attack v1 is a pending install" 's["boot_state"]' install-pending
ota_run 0 run3.log "$B" --until-console "boot: starting v3" --timeout 30
ota_check "old v1 refused by the bootloader" \
    "$(ota_count "boot: slot 1 (v1) refused: security counter below the device's; not installed" run3.log)" 1
ota_check "v1 never installed nor started" \
    "$(( $(ota_count 'boot: installed v1' run3.log) + $(ota_count 'boot: starting v1' run3.log) ))" 0
ota_check "journal counter restored from the guard" \
    "$(ota_count "boot: journal security counter 0 below the guard's 2: restored" run3.log)" 1
ota_expect "$B" "v3 keeps running" 's["running_version"]' 3 \
    "guard unchanged" 's["guard_counter"]' 2 \
    "journal counter back to 2" 's["security_counter"]' 2

# 4. The revocation mask is in the header and shown by info.
"$T" pack "$app" -o rev.ota --version 4 --security-counter 2 --revoke-keys 0x1 --key key.pem >/dev/null
ota_check "info shows the revocation mask" "$(ota_count 'revokes keys      0x00000001' <("$T" info rev.ota))" 1
echo "board guard: all checks passed"
