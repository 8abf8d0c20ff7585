/* SPDX-License-Identifier: Apache-2.0 */
/* The example applications' reading of agent events (see app_events.h); no stdio, so the
 * firmware (no heap, no printf) uses it too. */
#include "app_events.h"

#include "app_text.h"

#include <stdint.h>
#include <string.h>

bool app_agent_line_shown(const char *line)
{
    static const char agent_progress[] = "ota: download progress";
    return strncmp(line, agent_progress, sizeof agent_progress - 1) != 0;
}

bool app_event_confirms(const ota_event_t *e)
{
    return e->type == OTA_EVT_NO_UPDATE || e->type == OTA_EVT_UPDATE_AVAILABLE;
}

bool app_event_progress(const ota_event_t *e, char line[APP_EVENT_LINE_MAX])
{
    if (e->type != OTA_EVT_DOWNLOAD_PROGRESS) {
        return false;
    }
    /* 18 + 10 + 1 + 10 + NUL fits APP_EVENT_LINE_MAX. */
    app_text_t t;
    app_text_init(&t, line, APP_EVENT_LINE_MAX);
    app_text_str(&t, "download progress ");
    app_text_u32(&t, e->bytes);
    app_text_str(&t, "/");
    app_text_u32(&t, e->total);
    return true;
}
