/* SPDX-License-Identifier: Apache-2.0 */
/* The example applications' reading of agent events (see app_events.h); no stdio, so the
 * firmware (no heap, no printf) uses it too. */
#include "app_events.h"

#include "app_text.h"
#include "otaflow/files.h"

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

bool app_event_file(const ota_event_t *e, ota_store_t *store, char line[APP_EVENT_FILE_LINE_MAX])
{
#if OTA_FILE_SLOTS
    ota_file_info_t info;
    if (e->type != OTA_EVT_FILE_DONE ||
        ota_file_info(store, e->file_slot, &info) != OTA_FILE_OK) {
        return false;
    }
    /* 20 + 3 + 2 + 10 + 15 + 16 + 3 + NUL fits APP_EVENT_FILE_LINE_MAX. */
    static const char HEX[] = "0123456789abcdef";
    char hex[17];
    for (unsigned i = 0; i < 8u; i++) {
        hex[2u * i] = HEX[info.digest[i] >> 4];
        hex[2u * i + 1u] = HEX[info.digest[i] & 15u];
    }
    hex[16] = '\0';
    app_text_t t;
    app_text_init(&t, line, APP_EVENT_FILE_LINE_MAX);
    app_text_str(&t, "file arrived: slot ");
    app_text_u32(&t, e->file_slot);
    app_text_str(&t, ", ");
    app_text_u32(&t, info.length);
    app_text_str(&t, " bytes, sha256 ");
    app_text_str(&t, hex);
    app_text_str(&t, "...");
    return true;
#else
    (void)e;
    (void)store;
    (void)line;
    return false;
#endif
}
