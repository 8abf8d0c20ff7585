#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A manifest whose Digest does not match the file served: the download is verified in flash,
# refused, and nothing is installed; version 1 keeps running.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ota_workspace
ota_pack "$OTA_BIN/otaflow-example-app" 1 "$WWW/app_v1.ota"
ota_pack "$OTA_BIN/otaflow-example-app" 2 "$WWW/app_v2.ota"
ota_start_python_server "$WWW"
ota_publish "$WWW/ota.json" 2 "$WWW/app_v2.ota"
# the digest of another file: what a corrupted or tampered release looks like
wrong=$(sha256sum "$WWW/app_v1.ota" | cut -d' ' -f1)
sed -i "s/\"Digest\": \"[0-9a-f]*\"/\"Digest\": \"$wrong\"/" "$WWW/ota.json"
ota_new_board "$B" "$WWW/app_v1.ota"

ota_run 0 "$OTA_TMP/run.log" "$B" --until-console 'ota: verify failed' --timeout 30
ota_run 3 "$OTA_TMP/more.log" "$B" --timeout 2
ota_check "no install" "$(cat "$OTA_TMP/run.log" "$OTA_TMP/more.log" | grep -c installing || true)" 0
ota_expect "$B" \
    "running version" 's["running_version"]' 1 \
    "boot state" 's["boot_state"]' confirmed \
    "version 2 not kept in the store" \
    '[i["slot"] for i in s["images"] if i["version"] == 2 and i["state"] in ("stored", "installed")]' \
    "[]"
