/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Status reports to the fleet's report URL (OTA_FLEET, docs/agent.md "Reports"): after a boot
 * that changed the version (updated, rolled back, factory reset) and after a failed update
 * attempt, a small JSON POST. The boot's report needs no RAM to survive a power cut: the store
 * keeps boot.report_pending from the install that changed the version until it is delivered,
 * and the report is rebuilt from the boot record (previous -> running, install reason), so a
 * rolled-back device reports the version it runs, never the one it left.
 */
#include <string.h>

#include "agent_internal.h"
#include "num_text.h"

#if OTA_FLEET

/* What a report says happened (its "outcome"). */
static const char *const agent_report_outcomes[] = {
    [OTA_INSTALL_UPDATE] = "updated",
    [OTA_INSTALL_ROLLBACK] = "rolled_back",
    [OTA_INSTALL_FACTORY] = "factory_reset",
};

/* The boot states by name: part of the report's format, so never left out of a build. */
static const char *const agent_report_boot_states[] = {
    [OTA_BOOT_NONE] = "none",         [OTA_BOOT_INSTALL_PENDING] = "install_pending",
    [OTA_BOOT_INSTALLING] = "installing", [OTA_BOOT_TRIAL] = "trial",
    [OTA_BOOT_CONFIRMED] = "confirmed",
};

/* A bounded JSON writer into the agent's report body. */
typedef struct agent_report_writer {
    char *p;
    size_t len;
} agent_report_writer_t;

static void agent_report_raw(agent_report_writer_t *w, const char *s)
{
    while (*s != '\0' && w->len + 1u < OTA_AGENT_REPORT_MAX) {
        w->p[w->len++] = *s++;
    }
    w->p[w->len] = '\0';
}

/* A JSON string: quotes and backslashes escaped, anything outside printable ASCII left out
 * (ids and reasons are ASCII; a report must parse whatever they hold). */
static void agent_report_string(agent_report_writer_t *w, const char *s)
{
    char one[3] = {'\\', '\0', '\0'};
    agent_report_raw(w, "\"");
    for (; *s != '\0'; s++) {
        if (*s < 0x20 || *s > 0x7E) {
            continue;
        }
        one[1] = *s;
        agent_report_raw(w, *s == '"' || *s == '\\' ? one : one + 1);
    }
    agent_report_raw(w, "\"");
}

static void agent_report_key(agent_report_writer_t *w, const char *key)
{
    agent_report_raw(w, w->len > 1u ? ",\"" : "\"");
    agent_report_raw(w, key);
    agent_report_raw(w, "\":");
}

static void agent_report_number(agent_report_writer_t *w, const char *key, int64_t v)
{
    char digits[OTA_DEC_U64_SIZE];
    agent_report_key(w, key);
    if (v < 0) {
        agent_report_raw(w, "-");
    }
    (void)ota_u64_to_dec(v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v, digits,
                         sizeof digits);
    agent_report_raw(w, digits);
}

static void agent_report_text(agent_report_writer_t *w, const char *key, const char *value)
{
    agent_report_key(w, key);
    agent_report_string(w, value);
}

/* The boot record has a version change to report. */
static bool agent_report_boot_pending(const ota_agent_t *a)
{
    return ota_store_boot(a->ports.store)->report_pending != 0u;
}

static uint32_t agent_report_running(const ota_agent_t *a)
{
    uint32_t v = ota_store_boot(a->ports.store)->running_version;
    return v != 0u ? v : a->config.running_version;
}

/* Write the next report into a->report_body: the boot's first, else the attempt's. */
static void agent_report_build(ota_agent_t *a)
{
    const ota_store_boot_t *b = ota_store_boot(a->ports.store);
    agent_report_writer_t w = {.p = a->report_body, .len = 0};
    agent_report_raw(&w, "{");
    agent_report_key(&w, "device");
    if (a->config.device_id != NULL) {
        agent_report_string(&w, a->config.device_id);
    } else {
        agent_report_raw(&w, "null");
    }
    agent_report_number(&w, "running", agent_report_running(a));
    agent_report_text(&w, "boot", b->state <= OTA_BOOT_CONFIRMED ? agent_report_boot_states[b->state] : "?");
    a->report_is_boot = agent_report_boot_pending(a);
    if (a->report_is_boot) {
        agent_report_text(&w, "outcome", b->install_reason <= OTA_INSTALL_FACTORY
                                       ? agent_report_outcomes[b->install_reason]
                                       : "?");
        agent_report_number(&w, "from", b->previous_version);
    } else {
        agent_report_text(&w, "outcome", a->attempt_rejected ? "rejected" : "failed");
        agent_report_number(&w, "version", a->attempt_version);
        agent_report_text(&w, "reason",
                          ota_agent_failure_reason((ota_event_source_t)a->attempt_source,
                                                   a->attempt_status));
        agent_report_number(&w, "source", a->attempt_source);
        agent_report_number(&w, "status", a->attempt_status);
    }
    agent_report_raw(&w, "}");
}

ota_agent_status_t ota_agent_report_check(const ota_agent_config_t *config)
{
    if (config->report_url == NULL || config->report_url[0] == '\0') {
        return OTA_AGENT_OK;
    }
    ota_url_t parsed;
    if (ota_url_parse(config->report_url, &parsed) != OTA_URL_OK ||
        (config->require_tls && !parsed.tls)) {
        return OTA_AGENT_ERR_CONFIG;
    }
    return OTA_AGENT_OK;
}

void ota_agent_report_init(ota_agent_t *a, const ota_agent_config_t *config)
{
    if (config->report_url != NULL) {
        /* checked: ota_url_parse refuses OTA_URL_MAX characters or more */
        memcpy(a->report_url, config->report_url, strlen(config->report_url) + 1u);
    }
    a->config.report_url = a->report_url[0] != '\0' ? a->report_url : NULL;
}

void ota_agent_report_attempt(ota_agent_t *a, const ota_event_t *e)
{
    if (a->report_url[0] == '\0') {
        return;
    }
    int32_t st = e->status;
    bool refused_file = e->source == OTA_SRC_AGENT &&
                        (st == OTA_AGENT_ERR_HW_ID || st == OTA_AGENT_ERR_RAW_IMAGE ||
                         st == OTA_AGENT_ERR_RAW_UNSIGNED);
    a->attempt_report = true;
    a->attempt_rejected = e->type == OTA_EVT_VERIFY_FAILED || refused_file;
    a->attempt_version = e->version;
    a->attempt_source = (uint8_t)e->source;
    a->attempt_status = st;
}

uint32_t ota_agent_report_wait_ms(const ota_agent_t *a)
{
    if (a->report_url[0] == '\0' || (!a->attempt_report && !agent_report_boot_pending(a))) {
        return OTA_AGENT_POLL_NONE;
    }
    int32_t left = (int32_t)(a->report_due_ms - a->now_ms);
    return left > 0 ? (uint32_t)left : 0u;
}

/* REPORTING is over: the HTTP client answers to the images' TLS rule again. */
static void agent_report_end(ota_agent_t *a)
{
    a->http.config.require_tls = a->tls_only;
    a->state = OTA_AGENT_IDLE;
}

/* The report was not delivered: it stays (the boot's in the store), sent again after the
 * backoff of its failures in a row, jittered like the checks'. */
static void agent_report_failed(ota_agent_t *a, ota_http_status_t hs)
{
    uint32_t wait_ms = ota_agent_retry_ms(a, &a->report_failures);
    a->report_due_ms = a->now_ms + wait_ms;
    agent_report_end(a);
    ota_event_t e = {.type = OTA_EVT_REPORT_FAILED, .version = agent_report_running(a),
                     .source = OTA_SRC_HTTP, .status = hs, .retry_s = (wait_ms + 999u) / 1000u,
                     .reason = ota_http_status_str(hs)};
    if (hs == OTA_HTTP_ERR_STATUS) {
        e.http_status = ota_http_response(&a->http)->status_code;
    }
    ota_agent_deliver(a, &e);
}

void ota_agent_report_begin(ota_agent_t *a)
{
    agent_report_build(a);
    ota_http_request_t req = {
        .url = a->report_url,
        .body = (const uint8_t *)a->report_body,
        .body_len = strlen(a->report_body),
        .content_type = "application/json",
    };
    /* A report fetches nothing to run: only require_tls binds it (as ota_agent_report_check
     * took it), not the https manifest's rule that keeps its images off http. */
    a->http.config.require_tls = a->config.require_tls;
    ota_http_status_t hs = ota_http_post(&a->http, &req);
    if (hs != OTA_HTTP_IN_PROGRESS) {
        agent_report_failed(a, hs);
        return;
    }
    a->state = OTA_AGENT_REPORTING;
}

void ota_agent_report_poll(ota_agent_t *a)
{
    ota_http_status_t hs = ota_agent_http_poll(a);
    if (hs == OTA_HTTP_IN_PROGRESS || hs == OTA_HTTP_WOULD_BLOCK) {
        return;
    }
    if (hs != OTA_HTTP_OK) {
        agent_report_failed(a, hs);
        return;
    }
    /* Which report was sent is what it was built as: the store's flag can rise while another
     * is on the wire (an overwrite-only build's ota_confirm settles an install). */
    if (a->report_is_boot) {
        /* Delivered: the store forgets it (if that fails, it is sent once more later). */
        (void)ota_store_report_done(a->ports.store);
    } else {
        a->attempt_report = false;
    }
    a->report_failures = 0;
    agent_report_end(a);
    ota_agent_emit(a, OTA_EVT_REPORT_SENT, agent_report_running(a));
}

void ota_agent_report_stop(ota_agent_t *a)
{
    if (a->state == OTA_AGENT_REPORTING) {
        ota_http_abort(&a->http);
        agent_report_end(a); /* the report stays: sent at the next idle poll */
    }
}

#endif /* OTA_FLEET */
