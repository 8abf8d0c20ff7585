/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Update agent state machine (include/otaflow/agent.h).
 *
 *   IDLE ──due/check_now──► CHECKING ──manifest OK──► (EraseVer entries) ──update──► DOWNLOADING
 *     ▲  ▲                     │ fail                                                  │ done
 *     │  └── WAIT_NETWORK      ▼                                                       ▼
 *     └──────────────────── IDLE ◄────── download / verify failed ─────────────── VERIFYING
 *                                                                                      │ stored
 *                                                                   RESET_PENDING ◄────┘
 *
 * Every failure returns to IDLE with the store consistent; the next period tries again.
 * CHECKING is src/agent_check.c, DOWNLOADING and VERIFYING src/agent_download.c; this file
 * holds the states, events and backoff, EraseVer and the public API.
 */
#include "otaflow/agent.h"

#include <string.h>

#include "agent_internal.h"
#include "num_text.h"
#include "ota_assert.h"
#include "status_text.h"

/* A bounded line builder for the console: no printf in the core. */
typedef struct line {
    char buf[96];
    size_t len;
} line_t;

static void agent_line_str(line_t *l, const char *s)
{
    while (*s != '\0' && l->len + 1u < sizeof l->buf) {
        l->buf[l->len++] = *s++;
    }
    l->buf[l->len] = '\0';
}

static void agent_line_u32(line_t *l, uint32_t v)
{
    char digits[OTA_DEC_U64_SIZE];
    (void)ota_u64_to_dec(v, digits, sizeof digits);
    agent_line_str(l, digits);
}

static void agent_log_event(const ota_agent_t *a, const ota_event_t *e)
{
    if (a->ports.log == NULL) {
        return;
    }
    line_t l = {.len = 0};
    agent_line_str(&l, "ota: ");
#if OTA_STATUS_STRINGS
    agent_line_str(&l, ota_event_type_str(e->type));
#else
    agent_line_str(&l, "event ");
    agent_line_u32(&l, (uint32_t)e->type);
#endif
    if (e->version != 0u) {
        agent_line_str(&l, " v");
        agent_line_u32(&l, e->version);
    }
    if (OTA_FILE_SLOTS && e->type >= OTA_EVT_FILE_STARTED && e->type <= OTA_EVT_FILE_FAILED &&
        e->file_slot != OTA_MANIFEST_FILE_NONE) {
        agent_line_str(&l, " slot ");
        agent_line_u32(&l, e->file_slot);
        agent_line_str(&l, ", ");
        agent_line_u32(&l, e->total);
        agent_line_str(&l, " B");
    }
    /* Only the events of the options built in carry a count. */
    if (e->type == OTA_EVT_DOWNLOAD_PROGRESS || e->type == OTA_EVT_DOWNLOAD_STARTED ||
        e->type == OTA_EVT_DOWNLOAD_OK ||
        (OTA_DELTA_PATCHES && e->type == OTA_EVT_PATCH_STARTED) ||
        (OTA_VERIFY_OVER_POLLS && e->type == OTA_EVT_VERIFY_PROGRESS)) {
        agent_line_str(&l, " ");
        agent_line_u32(&l, e->bytes);
        if (e->total != 0u) {
            agent_line_str(&l, "/");
            agent_line_u32(&l, e->total);
        }
    }
    if (e->reason != NULL && e->reason[0] != '\0') {
        agent_line_str(&l, ": ");
#if OTA_STATUS_STRINGS
        agent_line_str(&l, e->reason);
#else /* the reason has no text: which module said what, as numbers */
        agent_line_str(&l, "source ");
        agent_line_u32(&l, (uint32_t)e->source);
        agent_line_str(&l, e->status < 0 ? " status -" : " status ");
        agent_line_u32(&l, e->status < 0 ? 0u - (uint32_t)e->status : (uint32_t)e->status);
#endif
        if (e->http_status != 0u) {
            agent_line_str(&l, OTA_STATUS_STRINGS ? " " : " http ");
            agent_line_u32(&l, e->http_status);
        }
        if (e->retry_s != 0u) {
            agent_line_str(&l, ", retry in ");
            agent_line_u32(&l, e->retry_s);
            agent_line_str(&l, " s");
        }
    }
    a->ports.log(a->ports.log_ctx, l.buf);
}

/* Hand an event to the console and the application; the download's events carry its
 * progress. */
void ota_agent_deliver(const ota_agent_t *a, ota_event_t *e)
{
    if (e->type == OTA_EVT_DOWNLOAD_STARTED || e->type == OTA_EVT_DOWNLOAD_PROGRESS ||
        e->type == OTA_EVT_DOWNLOAD_OK || e->type == OTA_EVT_DOWNLOAD_FAILED ||
        (OTA_DELTA_PATCHES && e->type == OTA_EVT_PATCH_STARTED)) {
        e->bytes = a->received;
        e->total = a->total;
    }
#if OTA_VERIFY_OVER_POLLS
    if (e->type == OTA_EVT_VERIFY_PROGRESS) {
        e->bytes = a->check.done;
        e->total = a->check.total;
    }
#endif
#if OTA_FILE_SLOTS
    if (e->type >= OTA_EVT_FILE_STARTED && e->type <= OTA_EVT_FILE_FAILED) {
        e->file_slot = a->file_slot;
        e->bytes = a->file_received;
        e->total = a->file_length;
    }
#endif
    agent_log_event(a, e);
    if (a->config.on_event != NULL) {
        a->config.on_event(a->config.event_user, e);
    }
}

void ota_agent_emit(ota_agent_t *a, ota_event_type_t type, uint32_t version)
{
    ota_event_t e = {.type = type, .version = version, .reason = ""};
    ota_agent_deliver(a, &e);
}

/* Seconds to wait after `failures` failed attempts in a row: the first delay, doubled per
 * further failure, capped at the maximum. */
static uint32_t agent_backoff_s(const ota_agent_t *a, uint8_t failures)
{
    uint32_t d = a->config.retry_first_s;
    for (uint8_t i = 1; i < failures && d < a->config.retry_max_s; i++) {
        d *= 2u;
    }
    return d < a->config.retry_max_s ? d : a->config.retry_max_s;
}

uint32_t ota_agent_retry_ms(const ota_agent_t *a, uint8_t *failures)
{
    if (*failures < UINT8_MAX) {
        (*failures)++;
    }
    /* Full jitter (with ports.random32): a fleet that failed together retries apart. */
    return ota_agent_jitter_ms(a, agent_backoff_s(a, *failures) * 1000u);
}

/* One more failure of that kind: the next periodic check moves out to the backoff (never
 * earlier than the period already scheduled it). Returns the seconds until then, 0 when no
 * periodic check is scheduled. A failure that was no attempt moves nothing. */
static uint32_t agent_back_off(ota_agent_t *a, ota_event_type_t type, bool attempt)
{
    if (a->config.period_s == 0u) {
        return 0u;
    }
    if (attempt) {
        uint8_t *failures =
            type == OTA_EVT_CHECK_FAILED ? &a->check_failures : &a->download_failures;
        uint32_t later = a->now_ms + ota_agent_retry_ms(a, failures);
        if ((int32_t)(later - a->next_check_ms) > 0) {
            a->next_check_ms = later;
        }
    }
    return (a->next_check_ms - a->now_ms + 999u) / 1000u;
}

const char *ota_agent_failure_reason(ota_event_source_t source, int32_t status)
{
    switch (source) {
    case OTA_SRC_HTTP: return ota_http_status_str((ota_http_status_t)status);
    case OTA_SRC_MANIFEST: return ota_manifest_status_str((ota_manifest_status_t)status);
    case OTA_SRC_STORE: return ota_store_status_str((ota_store_status_t)status);
    case OTA_SRC_MANIFEST_SIG:
        return ota_manifest_sig_status_str((ota_manifest_sig_status_t)status);
    case OTA_SRC_FILE: return ota_file_status_str((ota_file_status_t)status);
    case OTA_SRC_DELTA: return ota_delta_status_str((ota_delta_status_t)status);
    case OTA_SRC_AGENT:
    case OTA_SRC_NONE:
    default: return ota_agent_status_str((ota_agent_status_t)status);
    }
}

void ota_agent_emit_failure(ota_agent_t *a, ota_event_type_t type, uint32_t version,
                            ota_event_source_t source, int32_t status)
{
    ota_event_t e = {.type = type, .version = version, .source = source, .status = status};
    /* An abort by the application and an image skipped because it was refused before are no
     * attempts: no backoff, no report. */
    bool attempt = source != OTA_SRC_AGENT ||
                   (status != OTA_AGENT_ERR_ABORTED && status != OTA_AGENT_ERR_REFUSED_BEFORE);
    if (type == OTA_EVT_CHECK_FAILED) {
        ota_agent_forget_validator(a); /* whatever failed: the next check reads it in full */
    }
    if (type == OTA_EVT_CHECK_FAILED || type == OTA_EVT_DOWNLOAD_FAILED ||
        type == OTA_EVT_VERIFY_FAILED) {
        e.retry_s = agent_back_off(a, type, attempt);
    }
    e.reason = ota_agent_failure_reason(source, status);
    if (source == OTA_SRC_HTTP && status == OTA_HTTP_ERR_STATUS) {
        e.http_status = ota_http_response(&a->http)->status_code;
    }
    if (attempt && (type == OTA_EVT_DOWNLOAD_FAILED || type == OTA_EVT_VERIFY_FAILED)) {
        ota_agent_report_attempt(a, &e);
    }
    ota_agent_deliver(a, &e);
}

ota_agent_status_t ota_agent_url_refusal(const ota_agent_t *a, const char *url)
{
    ota_url_t parsed; /* ota_url_parse refuses OTA_URL_MAX characters or more */
    if (url == NULL || ota_url_parse(url, &parsed) != OTA_URL_OK) {
        return OTA_AGENT_ERR_URL;
    }
    if (a->tls_only && !parsed.tls) {
        return a->config.require_tls ? OTA_AGENT_ERR_INSECURE_URL : OTA_AGENT_ERR_TLS_DOWNGRADE;
    }
    return OTA_AGENT_OK;
}

#if OTA_CONDITIONAL_GET
void ota_agent_forget_validator(ota_agent_t *a)
{
    a->validator[0] = '\0';
    a->validator_armed = false;
}
#endif

ota_http_status_t ota_agent_http_poll(ota_agent_t *a)
{
    ota_http_status_t hs = ota_http_poll(&a->http, a->now_ms);
    a->io_wait = hs == OTA_HTTP_WOULD_BLOCK;
    return hs;
}

bool ota_agent_busy(const ota_agent_t *a)
{
    return a->state == OTA_AGENT_CHECKING || a->state == OTA_AGENT_DOWNLOADING ||
           a->state == OTA_AGENT_VERIFYING || a->state == OTA_AGENT_FETCHING_FILES;
}

/* Something will be installed at the next reset: tell the application; with auto reset the
 * reset itself happens at the next poll, so the application sees the event first. */
static void agent_enter_reset_pending(ota_agent_t *a, uint32_t version)
{
    a->state = OTA_AGENT_RESET_PENDING;
    a->have_update = false;
    ota_agent_emit(a, OTA_EVT_RESET_PENDING, version);
}

void ota_agent_request_install(ota_agent_t *a, uint8_t slot, uint32_t version)
{
    ota_store_status_t st = ota_store_request_install(a->ports.store, slot);
    if (st != OTA_STORE_OK) {
        ota_agent_emit_failure(a, OTA_EVT_DOWNLOAD_FAILED, version, OTA_SRC_STORE, st);
        a->state = OTA_AGENT_IDLE;
        return;
    }
    agent_enter_reset_pending(a, version);
}

/* Carry out one EraseVer. *rolling_back is set when the running version was erased: the
 * store then has an install of the best remaining image pending. */
ota_store_status_t ota_agent_apply_erase(ota_agent_t *a, uint32_t version, bool quiet_if_absent,
                                         bool *rolling_back)
{
    bool was_running = version == ota_store_boot(a->ports.store)->running_version;
    ota_store_status_t st = ota_store_erase_version(a->ports.store, version);
    if (st == OTA_STORE_ERR_BUSY) {
        /* A download of that very version was interrupted earlier in this power cycle: the
         * manifest now says it must go, so its resume is pointless. */
        (void)ota_store_download_abort(a->ports.store);
        st = ota_store_erase_version(a->ports.store, version);
    }
    *rolling_back = false;
    if (st == OTA_STORE_ERR_NOT_FOUND && quiet_if_absent) {
        /* A manifest keeps its EraseVer entries: erasing what is gone is done, not failed. */
        return OTA_STORE_OK;
    }
    if (st != OTA_STORE_OK) {
        ota_agent_emit_failure(a, OTA_EVT_ERASE_FAILED, version, OTA_SRC_STORE, st);
        return st;
    }
    ota_agent_emit(a, OTA_EVT_IMAGE_ERASED, version);
    if (was_running) {
        *rolling_back = true;
        agent_enter_reset_pending(a, version);
    }
    return OTA_STORE_OK;
}

static bool agent_check_due(const ota_agent_t *a)
{
    if (a->manifest_url[0] == '\0') {
        return false;
    }
    if (a->check_requested) {
        return true;
    }
    return a->config.period_s != 0u && (int32_t)(a->now_ms - a->next_check_ms) >= 0;
}

static void agent_poll_idle(ota_agent_t *a)
{
    const ota_transport_t *t = &a->ports.transport;
    if (t->ops->network_up != NULL && !t->ops->network_up(t->ctx)) {
        if (a->state != OTA_AGENT_WAIT_NETWORK) {
            a->state = OTA_AGENT_WAIT_NETWORK;
            ota_agent_emit(a, OTA_EVT_WAITING_NETWORK, 0);
        }
        return;
    }
    a->state = OTA_AGENT_IDLE;

    if (a->download_requested || ota_agent_deferred_download_due(a)) {
        a->download_requested = false;
        ota_agent_image_begin(a);
        return;
    }
    if (ota_agent_report_wait_ms(a) == 0u) {
        ota_agent_report_begin(a);
        return;
    }
    if (agent_check_due(a)) {
        a->check_requested = false;
        a->next_check_ms = a->now_ms + a->config.period_s * 1000u;
        ota_agent_check_begin(a);
    }
}

void ota_agent_config_default(ota_agent_config_t *config)
{
    memset(config, 0, sizeof *config);
    config->period_s = OTA_AGENT_PERIOD_DEFAULT_S;
    config->auto_update = true;
    config->auto_reset = true;
}

/* Name in parentheses: the header's macro of that name adds the link-time layout check. */
ota_agent_status_t (ota_agent_init)(ota_agent_t *agent, const ota_agent_config_t *config,
                                  const ota_agent_ports_t *ports)
{
    if (agent == NULL || config == NULL || ports == NULL || ports->transport.ops == NULL) {
        return OTA_AGENT_ERR_ARG;
    }
    if (config->period_s > OTA_AGENT_PERIOD_MAX_S || ports->store == NULL ||
        !ports->store->mounted) {
        return OTA_AGENT_ERR_CONFIG;
    }
    bool manifest_tls = false;
    if (config->manifest_url != NULL &&
        ota_agent_manifest_url_refusal(config, config->manifest_url, &manifest_tls) !=
            OTA_AGENT_OK) {
        return OTA_AGENT_ERR_CONFIG;
    }
    const ota_sig_keyring_t *keys = config->manifest_keys;
    if ((keys != NULL && (keys->keys == NULL || keys->count == 0u)) ||
        (config->require_signed_manifest && keys == NULL) ||
        config->manifest_max_age_s > OTA_AGENT_MAX_AGE_LIMIT_S ||
        config->retry_max_s > OTA_AGENT_RETRY_LIMIT_S ||
        (config->retry_first_s > (config->retry_max_s != 0u ? config->retry_max_s
                                                            : OTA_AGENT_RETRY_MAX_DEFAULT_S)) ||
        ota_agent_fleet_check(config) != OTA_AGENT_OK ||
        ota_agent_report_check(config) != OTA_AGENT_OK) {
        return OTA_AGENT_ERR_CONFIG;
    }

    memset(agent, 0, sizeof *agent);
    agent->config = *config;
    agent->ports = *ports;
    if (agent->config.manifest_max == 0u) {
        agent->config.manifest_max = OTA_MANIFEST_MAX_SIZE_DEFAULT;
    }
    if (agent->config.progress_step == 0u) {
        agent->config.progress_step = OTA_AGENT_PROGRESS_STEP_DEFAULT;
    }
    if (agent->config.retry_first_s == 0u) {
        agent->config.retry_first_s = OTA_AGENT_RETRY_FIRST_DEFAULT_S;
    }
    if (agent->config.retry_max_s == 0u) {
        agent->config.retry_max_s = OTA_AGENT_RETRY_MAX_DEFAULT_S;
    }
    if (agent->config.retry_first_s > agent->config.retry_max_s) {
        agent->config.retry_first_s = agent->config.retry_max_s;
    }
    ota_agent_use_manifest_url(agent, config->manifest_url != NULL ? config->manifest_url : "",
                               manifest_tls);
    agent->config.manifest_url = agent->manifest_url;
    ota_agent_fleet_init(agent, config);
    ota_agent_report_init(agent, config);
    agent->slot = OTA_STORE_SLOT_NONE;

    ota_manifest_parser_init(&agent->parser);
    agent->parser.max_size = agent->config.manifest_max;

    ota_http_config_t hc;
    ota_http_config_default(&hc);
    hc.buf = agent->http_buf;
    hc.buf_size = sizeof agent->http_buf;
    if (config->connect_timeout_ms != 0u) {
        hc.connect_timeout_ms = config->connect_timeout_ms;
    }
    if (config->idle_timeout_ms != 0u) {
        hc.idle_timeout_ms = config->idle_timeout_ms;
    }
    hc.require_tls = agent->tls_only;
    if (config->total_timeout_ms != 0u) {
        hc.total_timeout_ms = config->total_timeout_ms;
    }
    if (ota_http_init(&agent->http, &hc, &ports->transport) != OTA_HTTP_OK) {
        return OTA_AGENT_ERR_CONFIG;
    }
    if (!OTA_BOOT_JOURNAL && config->running_version != 0u) {
        /* The install an overwrite-only bootloader left pending: done, or refused. A failed
         * write leaves it pending, to be settled at the next boot. Only in such a build: with
         * a bootloader that records its steps, an install pending at init has not happened
         * yet (its reset is still to come). */
        (void)ota_store_settle_install(ports->store, config->running_version);
    }
    agent->state = OTA_AGENT_IDLE;
    return OTA_AGENT_OK;
}

/* The version the pending reset installs (0: none known). */
static uint32_t agent_install_version(const ota_agent_t *a)
{
    uint8_t slot = ota_store_boot(a->ports.store)->install_slot;
    return slot == OTA_STORE_SLOT_NONE ? 0u : ota_store_slot(a->ports.store, slot)->version;
}

/* A transfer whose request was started and not yet sent (no I/O done for it). */
static bool agent_request_unsent(const ota_agent_t *a)
{
    return (a->state == OTA_AGENT_CHECKING || a->state == OTA_AGENT_DOWNLOADING ||
            a->state == OTA_AGENT_FETCHING_FILES || a->state == OTA_AGENT_REPORTING) &&
           a->http.state == OTA_HTTP_STATE_HOP;
}

/* Steps one poll may take: a check's GET, its .sig's, the image's each start one request
 * from the step before; the rest of the work waits for the next poll. */
#define AGENT_STEPS_PER_POLL 3u

static void agent_step(ota_agent_t *agent)
{
    OTA_ASSERT(agent->state <= OTA_AGENT_REPORTING);
    switch (agent->state) {
    case OTA_AGENT_IDLE:
    case OTA_AGENT_WAIT_NETWORK:
        agent_poll_idle(agent);
        break;
    case OTA_AGENT_CHECKING:
        ota_agent_check_poll(agent);
        break;
    case OTA_AGENT_DOWNLOADING:
        ota_agent_image_poll(agent);
        break;
    case OTA_AGENT_VERIFYING:
        ota_agent_image_verify(agent);
        break;
#if OTA_FILE_SLOTS
    case OTA_AGENT_FETCHING_FILES:
        ota_agent_files_poll(agent);
        break;
#endif
    case OTA_AGENT_REPORTING:
        ota_agent_report_poll(agent);
        break;
    case OTA_AGENT_RESET_PENDING:
        if (agent->config.auto_reset && !agent->reset_requested && agent->ports.reset != NULL &&
            !ota_agent_defers(agent, OTA_AGENT_DEFER_RESET, agent_install_version(agent))) {
            agent->reset_requested = true;
            agent->ports.reset(agent->ports.reset_ctx);
        }
        break;
    default:
        break;
    }
}

ota_agent_state_t ota_agent_poll(ota_agent_t *agent, uint32_t now_ms)
{
    agent->now_ms = now_ms;
    if (!agent->started) {
        agent->started = true;
        /* The first check comes as soon as the network is up, or a random time later. */
        agent->next_check_ms = now_ms + ota_agent_first_check_ms(agent);
    }
    /* A request started in a step is sent in the same poll, not one poll later. */
    for (unsigned i = 0; i < AGENT_STEPS_PER_POLL; i++) {
        agent_step(agent);
        if (!agent_request_unsent(agent)) {
            break;
        }
    }
    return agent->state;
}

uint32_t ota_agent_next_poll_ms(const ota_agent_t *agent)
{
    const ota_agent_t *a = agent;
    switch (a->state) {
    case OTA_AGENT_CHECKING:
    case OTA_AGENT_DOWNLOADING:
    case OTA_AGENT_FETCHING_FILES:
    case OTA_AGENT_REPORTING:
        return a->io_wait && !agent_request_unsent(a) ? OTA_AGENT_POLL_IO_MS : 0u;
    case OTA_AGENT_VERIFYING:
        return 0u;
    case OTA_AGENT_RESET_PENDING:
        if (a->config.auto_reset && !a->reset_requested && a->ports.reset != NULL) {
            uint32_t ask = ota_agent_defer_wait_ms(a, OTA_AGENT_DEFER_RESET);
            return ask == OTA_AGENT_POLL_NONE ? 0u : ask; /* the reset, or asking again */
        }
        return OTA_AGENT_POLL_NONE;
    default:
        break;
    }
    uint32_t wait = OTA_AGENT_POLL_NONE;
    if (!a->started || a->download_requested || (a->check_requested && a->manifest_url[0])) {
        wait = 0u;
    } else if (a->manifest_url[0] != '\0' && a->config.period_s != 0u) {
        int32_t left = (int32_t)(a->next_check_ms - a->now_ms);
        wait = left > 0 ? (uint32_t)left : 0u;
    }
    uint32_t ask = ota_agent_defer_wait_ms(a, OTA_AGENT_DEFER_DOWNLOAD);
    wait = ask < wait ? ask : wait;
    uint32_t report = ota_agent_report_wait_ms(a);
    wait = report < wait ? report : wait;
    /* Waiting for the network with work due: look at the link again soon. */
    return a->state == OTA_AGENT_WAIT_NETWORK && wait == 0u ? OTA_AGENT_POLL_NETWORK_MS : wait;
}

/* An application request the agent refuses: the original's "trigger OTA failed". */
static ota_agent_status_t agent_trigger_refused(ota_agent_t *agent, ota_agent_status_t why)
{
    ota_agent_emit_failure(agent, OTA_EVT_TRIGGER_FAILED, 0, OTA_SRC_AGENT, why);
    return why;
}

ota_agent_status_t ota_agent_check_now(ota_agent_t *agent)
{
    if (agent == NULL) {
        return OTA_AGENT_ERR_ARG;
    }
    if (agent->manifest_url[0] == '\0') {
        return agent_trigger_refused(agent, OTA_AGENT_ERR_CONFIG);
    }
    if (ota_agent_busy(agent)) {
        return agent_trigger_refused(agent, OTA_AGENT_ERR_BUSY);
    }
    agent->check_requested = true;
    return OTA_AGENT_OK;
}

ota_agent_status_t ota_agent_download(ota_agent_t *agent)
{
    if (agent == NULL) {
        return OTA_AGENT_ERR_ARG;
    }
    if (ota_agent_busy(agent)) {
        return agent_trigger_refused(agent, OTA_AGENT_ERR_BUSY);
    }
    if (!agent->have_update) {
        return agent_trigger_refused(agent, OTA_AGENT_ERR_NO_UPDATE);
    }
#if OTA_FLEET
    agent->download_deferred = false; /* the application asks now: its defer is asked now */
#endif
    agent->download_requested = true;
    return OTA_AGENT_OK;
}

ota_agent_status_t ota_agent_start_update(ota_agent_t *agent, const char *url,
                                          uint32_t version,
                                          const uint8_t digest[OTA_SHA256_SIZE])
{
    if (agent == NULL) {
        return OTA_AGENT_ERR_ARG;
    }
    if (url == NULL || digest == NULL || version == 0u) {
        return agent_trigger_refused(agent, OTA_AGENT_ERR_ARG);
    }
    if (ota_agent_busy(agent)) {
        return agent_trigger_refused(agent, OTA_AGENT_ERR_BUSY);
    }
    size_t n = strlen(url);
    ota_agent_status_t why = n > OTA_MANIFEST_URL_MAX ? OTA_AGENT_ERR_URL
                                                      : ota_agent_url_refusal(agent, url);
    if (why != OTA_AGENT_OK) {
        return agent_trigger_refused(agent, why);
    }
    memset(&agent->update, 0, sizeof agent->update);
    ota_agent_patch_forget(agent); /* an image given by URL: no patch of the manifest's */
    agent->update.version = version;
    memcpy(agent->update.digest, digest, OTA_SHA256_SIZE);
    memcpy(agent->update.url, url, n + 1u);
    agent->update.url_len = (uint32_t)n;
    agent->have_update = true;
    agent->download_requested = true;
    return OTA_AGENT_OK;
}

ota_agent_status_t ota_agent_erase_version(ota_agent_t *agent, uint32_t version)
{
    if (agent == NULL || version == 0u) {
        return OTA_AGENT_ERR_ARG;
    }
    if (ota_agent_busy(agent)) {
        ota_agent_emit_failure(agent, OTA_EVT_ERASE_FAILED, version, OTA_SRC_AGENT,
                               OTA_AGENT_ERR_BUSY);
        return OTA_AGENT_ERR_BUSY;
    }
    ota_agent_report_stop(agent); /* the store and the state change: the report waits */
    bool rolling_back;
    ota_store_status_t st = ota_agent_apply_erase(agent, version, false, &rolling_back);
    return st == OTA_STORE_OK ? OTA_AGENT_OK : OTA_AGENT_ERR_STORE;
}

static ota_agent_status_t agent_boot_request(ota_agent_t *agent, bool factory)
{
    if (agent == NULL) {
        return OTA_AGENT_ERR_ARG;
    }
    ota_event_type_t failed = factory ? OTA_EVT_FACTORY_RESET_FAILED : OTA_EVT_ROLLBACK_FAILED;
    if (ota_agent_busy(agent)) {
        ota_agent_emit_failure(agent, failed, 0, OTA_SRC_AGENT, OTA_AGENT_ERR_BUSY);
        return OTA_AGENT_ERR_BUSY;
    }
    ota_agent_report_stop(agent);
    ota_store_t *store = agent->ports.store;
    ota_store_status_t st = factory ? ota_store_factory_reset(store)
                                    : ota_store_rollback(store, false);
    if (st != OTA_STORE_OK) {
        ota_agent_emit_failure(agent, failed, 0, OTA_SRC_STORE, st);
        return OTA_AGENT_ERR_STORE;
    }
    uint32_t target = agent_install_version(agent);
    ota_agent_emit(agent, factory ? OTA_EVT_FACTORY_RESET_OK : OTA_EVT_ROLLBACK_OK, target);
    agent_enter_reset_pending(agent, target);
    return OTA_AGENT_OK;
}

ota_agent_status_t ota_agent_rollback(ota_agent_t *agent)
{
    return agent_boot_request(agent, false);
}

ota_agent_status_t ota_agent_factory_reset(ota_agent_t *agent)
{
    return agent_boot_request(agent, true);
}

bool ota_agent_progress(const ota_agent_t *agent, uint32_t *bytes, uint32_t *total)
{
    if (bytes != NULL) {
        *bytes = agent->received;
    }
    if (total != NULL) {
        *total = agent->total;
    }
    return agent->state == OTA_AGENT_DOWNLOADING || agent->state == OTA_AGENT_VERIFYING;
}

ota_agent_status_t ota_agent_abort(ota_agent_t *agent)
{
    if (agent == NULL) {
        return OTA_AGENT_ERR_ARG;
    }
    ota_agent_report_stop(agent);
    if (agent->state == OTA_AGENT_CHECKING || agent->state == OTA_AGENT_FETCHING_FILES) {
        ota_http_abort(&agent->http);
        agent->fetching_sig = false;
        agent->state = OTA_AGENT_IDLE;
    } else if (agent->state == OTA_AGENT_DOWNLOADING || agent->state == OTA_AGENT_VERIFYING) {
        ota_http_abort(&agent->http);
        if (agent->state == OTA_AGENT_VERIFYING) {
            ota_store_check_cancel(agent->ports.store, &agent->check);
        }
        (void)ota_store_download_checkpoint(agent->ports.store, NULL);
        ota_agent_emit_failure(agent, OTA_EVT_DOWNLOAD_FAILED, agent->update.version,
                               OTA_SRC_AGENT, OTA_AGENT_ERR_ABORTED);
        agent->state = OTA_AGENT_IDLE;
    }
    agent->check_requested = false;
    agent->download_requested = false;
    return OTA_AGENT_OK;
}

ota_agent_state_t ota_agent_state(const ota_agent_t *agent)
{
    return agent->state;
}

const char *ota_agent_status_str(ota_agent_status_t status)
{
    OTA_STATUS_TEXT_OFF(status);
    switch (status) {
    case OTA_AGENT_OK: return "ok";
    case OTA_AGENT_ERR_ARG: return "invalid argument";
    case OTA_AGENT_ERR_CONFIG: return "invalid configuration";
    case OTA_AGENT_ERR_BUSY: return "busy";
    case OTA_AGENT_ERR_URL: return "unusable URL";
    case OTA_AGENT_ERR_NO_UPDATE: return "no update announced";
    case OTA_AGENT_ERR_MANIFEST_TOO_LARGE: return "manifest too large";
    case OTA_AGENT_ERR_SIZE: return "size differs from the manifest";
    case OTA_AGENT_ERR_STORE: return "image store refused";
    case OTA_AGENT_ERR_ABORTED: return "aborted";
    case OTA_AGENT_ERR_INSECURE_URL: return "plain http refused (TLS required)";
    case OTA_AGENT_ERR_HW_ID: return "image built for another board (hw id)";
    case OTA_AGENT_ERR_ERASE_UNSIGNED: return "EraseVer of the running image needs a signature";
    case OTA_AGENT_ERR_TLS_DOWNGRADE: return "http image refused (manifest came over https)";
    case OTA_AGENT_ERR_REFUSED_BEFORE: return "refused before (same version and digest)";
    case OTA_AGENT_ERR_RAW_IMAGE: return "raw image (no otaflow header): accept_raw_images is off";
    case OTA_AGENT_ERR_RAW_UNSIGNED: return "raw image without a Signature (image keys configured)";
    case OTA_AGENT_ERR_RAW_LENGTH: return "raw image of unknown length";
    case OTA_AGENT_ERR_PATCH_DIGEST: return "patch does not match its PatchDigest";
    case OTA_AGENT_ERR_PATCH_BASE: return "patch base not in the store (or in the way)";
    }
    return "unknown agent status";
}

const char *ota_agent_state_str(ota_agent_state_t state)
{
    OTA_STATUS_TEXT_OFF(state);
    switch (state) {
    case OTA_AGENT_IDLE: return "idle";
    case OTA_AGENT_WAIT_NETWORK: return "waiting for network";
    case OTA_AGENT_CHECKING: return "checking";
    case OTA_AGENT_DOWNLOADING: return "downloading";
    case OTA_AGENT_VERIFYING: return "verifying";
    case OTA_AGENT_RESET_PENDING: return "reset pending";
    case OTA_AGENT_FETCHING_FILES: return "fetching files";
    case OTA_AGENT_REPORTING: return "reporting";
    }
    return "unknown agent state";
}

const char *ota_event_type_str(ota_event_type_t type)
{
    OTA_STATUS_TEXT_OFF(type);
    switch (type) {
    case OTA_EVT_WAITING_NETWORK: return "waiting for network";
    case OTA_EVT_CHECK_STARTED: return "check started";
    case OTA_EVT_CHECK_FAILED: return "check failed";
    case OTA_EVT_UPDATE_AVAILABLE: return "update available";
    case OTA_EVT_NO_UPDATE: return "no update";
    case OTA_EVT_DOWNLOAD_STARTED: return "download started";
    case OTA_EVT_DOWNLOAD_PROGRESS: return "download progress";
    case OTA_EVT_DOWNLOAD_FAILED: return "download failed";
    case OTA_EVT_VERIFY_STARTED: return "verify started";
    case OTA_EVT_VERIFY_OK: return "verify ok";
    case OTA_EVT_VERIFY_FAILED: return "verify failed";
    case OTA_EVT_IMAGE_STORED: return "image stored";
    case OTA_EVT_IMAGE_ERASED: return "image erased";
    case OTA_EVT_ERASE_FAILED: return "erase failed";
    case OTA_EVT_STORE_FULL: return "store full";
    case OTA_EVT_RESET_PENDING: return "reset pending";
    case OTA_EVT_DOWNLOAD_OK: return "download ok";
    case OTA_EVT_ROLLBACK_OK: return "rollback requested";
    case OTA_EVT_ROLLBACK_FAILED: return "rollback failed";
    case OTA_EVT_FACTORY_RESET_OK: return "factory reset requested";
    case OTA_EVT_FACTORY_RESET_FAILED: return "factory reset failed";
    case OTA_EVT_TRIGGER_FAILED: return "request refused";
    case OTA_EVT_FILE_STARTED: return "file download started";
    case OTA_EVT_FILE_DONE: return "file download done";
    case OTA_EVT_FILE_FAILED: return "file download failed";
    case OTA_EVT_PATCH_STARTED: return "patch started";
    case OTA_EVT_PATCH_DONE: return "patch applied";
    case OTA_EVT_PATCH_FAILED: return "patch failed";
    case OTA_EVT_VERIFY_PROGRESS: return "verify progress";
    case OTA_EVT_DOWNLOAD_DEFERRED: return "download deferred";
    case OTA_EVT_RESET_DEFERRED: return "reset deferred";
    case OTA_EVT_REPORT_SENT: return "report sent";
    case OTA_EVT_REPORT_FAILED: return "report failed";
    }
    return "unknown event";
}
