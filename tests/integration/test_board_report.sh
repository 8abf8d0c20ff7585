#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Issue 17's truthful reports on the board: a release that crashes is rolled back by the
# bootloader; the old version's agent reports the rollback to the fleet's report URL. The
# first runs end (power off) before it is sent and while the collector is down, so the report
# is kept in the store across the power cuts and delivered at the next power-on, once, naming
# the version the device runs and the one it left; the device never claims the bad version.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ota_workspace
ota_pack "$OTA_BIN/otaflow-example-app" 2 "$WWW/app_v2.ota"
ota_pack "$OTA_BIN/otaflow-example-app-crash" 3 "$WWW/app_v3.ota"
ota_start_python_server "$WWW"
ota_publish "$WWW/ota.json" 3 "$WWW/app_v3.ota"
REPORT_PORT=$(ota_free_port)
REPORTS=$OTA_TMP/reports.txt
ota_new_board "$B" "$WWW/app_v2.ota" --attempts 2 --device-id board-17 \
    --report-url "http://127.0.0.1:$REPORT_PORT/fleet/report"

# v3 is installed, crashes twice, is rolled back; the run ends (power off) as v2 starts:
# its report is only in the store.
ota_run 0 "$OTA_TMP/run.log" "$B" --until-rejected 3 --timeout 30
# Power on with the collector down: v2's agent tries, fails, backs off; power off again.
ota_run 3 "$OTA_TMP/off.log" "$B" --timeout 3
ota_check "the report could not be sent" \
    "$(( $(ota_count 'ota: report failed' "$OTA_TMP/off.log") >= 1 ))" 1
ota_check "the report is kept in the store across the power cut" \
    "$(ota_json "$B" 's["report_pending"]')" 1

python3 "$(dirname "$0")/report_server.py" --port "$REPORT_PORT" --out "$REPORTS" \
    >"$OTA_TMP/report_server.log" 2>&1 &
OTA_PIDS+=($!)
ota_wait_port "$REPORT_PORT" $! || ota_fail "report server did not start"
ota_run 0 "$OTA_TMP/on.log" "$B" --until-console "ota: report sent" --timeout 20
ota_check "one report received" "$(wc -l <"$REPORTS")" 1
ota_check "the store no longer holds it" "$(ota_json "$B" 's["report_pending"]')" 0
ota_check "the report says the rollback" \
    "$(python3 -c 'import json,sys; p,b=open(sys.argv[1]).read().split(" ",1); r=json.loads(b)
print(p, r["device"], r["running"], r["boot"], r["outcome"], r["from"])' "$REPORTS")" \
    "/fleet/report board-17 2 confirmed rolled_back 3"
ota_check "never claims version 3" "$(ota_count '"running":3' "$REPORTS")" 0

# Delivered is durable: later power-ons send nothing more.
ota_run 3 "$OTA_TMP/later.log" "$B" --timeout 3
ota_check "still one report" "$(wc -l <"$REPORTS")" 1
