/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What both example applications (the host one, examples/app, and the firmware one,
 * examples/firmware-app) make of their update agent's events and log lines, so that the
 * board reads the same console from either engine: progress as `download progress B/T` (the
 * form drawn as a bar), every other agent line as it is, and a confirmation after the first
 * good manifest check.
 */
#ifndef OTAFLOW_APP_EVENTS_H
#define OTAFLOW_APP_EVENTS_H

#include <stdbool.h>
#include <stddef.h>

#include "otaflow/events.h"
#include "otaflow/store.h"

/** Longest progress line app_event_progress writes, NUL included. */
#define APP_EVENT_LINE_MAX 48u

/** True for a log line of the agent the application prints (all but its progress lines,
 *  which the application prints itself from the events). */
bool app_agent_line_shown(const char *line);

/** True for the events after which the application confirms itself: a manifest was fetched
 *  and understood, so the network path works. */
bool app_event_confirms(const ota_event_t *e);

/** For a DOWNLOAD_PROGRESS event: "download progress B/T" into line (APP_EVENT_LINE_MAX
 *  bytes) and true; false for any other event. */
bool app_event_progress(const ota_event_t *e, char line[APP_EVENT_LINE_MAX]);

/** Longest line app_event_file writes, NUL included. */
#define APP_EVENT_FILE_LINE_MAX 80u

/** For a FILE_DONE event: "file arrived: slot N, L bytes, sha256 XXXXXXXXXXXXXXXX..." (the
 *  first 8 bytes of the SHA-256, as the store's file slot now holds it: files.h) into line
 *  and true; false for any other event (and with OTA_FILE_SLOTS 0). */
bool app_event_file(const ota_event_t *e, ota_store_t *store,
                    char line[APP_EVENT_FILE_LINE_MAX]);

#endif /* OTAFLOW_APP_EVENTS_H */
