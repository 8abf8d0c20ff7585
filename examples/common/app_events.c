/* SPDX-License-Identifier: Apache-2.0 */
/* The example applications' reading of agent events (see app_events.h); no stdio, so the
 * firmware (no heap, no printf) uses it too. */
#include "app_events.h"

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

static size_t put_text(char *out, size_t at, const char *s)
{
    size_t n = strlen(s);
    memcpy(out + at, s, n);
    return at + n;
}

static size_t put_u32(char *out, size_t at, uint32_t v)
{
    char digits[10];
    size_t n = 0;
    do {
        digits[n++] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v != 0);
    while (n > 0) {
        out[at++] = digits[--n];
    }
    return at;
}

bool app_event_progress(const ota_event_t *e, char line[APP_EVENT_LINE_MAX])
{
    if (e->type != OTA_EVT_DOWNLOAD_PROGRESS) {
        return false;
    }
    /* 18 + 10 + 1 + 10 + NUL fits APP_EVENT_LINE_MAX. */
    size_t at = put_text(line, 0, "download progress ");
    at = put_u32(line, at, e->bytes);
    line[at++] = '/';
    at = put_u32(line, at, e->total);
    line[at] = '\0';
    return true;
}
