/* SPDX-License-Identifier: Apache-2.0 */
/* A record of the agent's events (see event_log.h). */
#include "event_log.h"

#include <stdio.h>
#include <stdlib.h>

void event_log_record(void *user, const ota_event_t *e)
{
    event_log_t *log = user;
    if (getenv("AGENT_TEST_VERBOSE") != NULL) {
        fprintf(stderr, "  event: %s v%u %u/%u src=%d st=%d http=%u %s\n",
                ota_event_type_str(e->type), e->version, e->bytes, e->total, (int)e->source,
                (int)e->status, (unsigned)e->http_status, e->reason != NULL ? e->reason : "");
    }
    if (log->n < EVENT_LOG_MAX) {
        log->ev[log->n++] = *e;
    }
}

size_t event_log_count(const event_log_t *log, ota_event_type_t t)
{
    size_t c = 0;
    for (size_t i = 0; i < log->n; i++) {
        c += log->ev[i].type == t;
    }
    return c;
}

const ota_event_t *event_log_last(const event_log_t *log, ota_event_type_t t)
{
    for (size_t i = log->n; i-- > 0;) {
        if (log->ev[i].type == t) {
            return &log->ev[i];
        }
    }
    return NULL;
}

int event_log_find_from(const event_log_t *log, size_t from, ota_event_type_t t)
{
    for (size_t i = from; i < log->n; i++) {
        if (log->ev[i].type == t) {
            return (int)i;
        }
    }
    return -1;
}

bool event_is_failure(ota_event_type_t t)
{
    return t == OTA_EVT_CHECK_FAILED || t == OTA_EVT_DOWNLOAD_FAILED ||
           t == OTA_EVT_VERIFY_FAILED || t == OTA_EVT_ERASE_FAILED || t == OTA_EVT_STORE_FULL ||
           t == OTA_EVT_ROLLBACK_FAILED || t == OTA_EVT_FACTORY_RESET_FAILED ||
           t == OTA_EVT_TRIGGER_FAILED;
}

size_t event_log_failures(const event_log_t *log)
{
    size_t c = 0;
    for (size_t i = 0; i < log->n; i++) {
        c += event_is_failure(log->ev[i].type);
    }
    return c;
}

const ota_event_t *event_log_failure(const event_log_t *log, size_t n)
{
    for (size_t i = 0; i < log->n; i++) {
        if (event_is_failure(log->ev[i].type) && n-- == 0) {
            return &log->ev[i];
        }
    }
    return NULL;
}
