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
 */
#include "otaflow/agent.h"

#include <string.h>

#include "num_text.h"
#include "ota_assert.h"

/* ---- small helpers --------------------------------------------------------------------- */

/* A bounded line builder for the console: no printf in the core. */
typedef struct line {
    char buf[96];
    size_t len;
} line_t;

static void line_str(line_t *l, const char *s)
{
    while (*s != '\0' && l->len + 1u < sizeof l->buf) {
        l->buf[l->len++] = *s++;
    }
    l->buf[l->len] = '\0';
}

static void line_u32(line_t *l, uint32_t v)
{
    char digits[OTA_DEC_U64_SIZE];
    (void)ota_u64_to_dec(v, digits, sizeof digits);
    line_str(l, digits);
}

static void agent_log_event(const ota_agent_t *a, const ota_event_t *e)
{
    if (a->ports.log == NULL) {
        return;
    }
    line_t l = {.len = 0};
    line_str(&l, "ota: ");
    line_str(&l, ota_event_type_str(e->type));
    if (e->version != 0u) {
        line_str(&l, " v");
        line_u32(&l, e->version);
    }
    if (e->type == OTA_EVT_DOWNLOAD_PROGRESS || e->type == OTA_EVT_DOWNLOAD_STARTED) {
        line_str(&l, " ");
        line_u32(&l, e->bytes);
        if (e->total != 0u) {
            line_str(&l, "/");
            line_u32(&l, e->total);
        }
    }
    if (e->reason != NULL && e->reason[0] != '\0') {
        line_str(&l, ": ");
        line_str(&l, e->reason);
        if (e->http_status != 0u) {
            line_str(&l, " ");
            line_u32(&l, e->http_status);
        }
        if (e->retry_s != 0u) {
            line_str(&l, ", retry in ");
            line_u32(&l, e->retry_s);
            line_str(&l, " s");
        }
    }
    a->ports.log(a->ports.log_ctx, l.buf);
}

static void emit(ota_agent_t *a, ota_event_type_t type, uint32_t version)
{
    ota_event_t e = {.type = type, .version = version, .reason = ""};
    if (type == OTA_EVT_DOWNLOAD_STARTED || type == OTA_EVT_DOWNLOAD_PROGRESS) {
        e.bytes = a->received;
        e.total = a->total;
    }
    agent_log_event(a, &e);
    if (a->config.on_event != NULL) {
        a->config.on_event(a->config.event_user, &e);
    }
}

/* ---- backoff ------------------------------------------------------------------------- */

/* Seconds to wait after `failures` failed attempts in a row: the first delay, doubled per
 * further failure, capped at the maximum. */
static uint32_t backoff_s(const ota_agent_t *a, uint8_t failures)
{
    uint32_t d = a->config.retry_first_s;
    for (uint8_t i = 1; i < failures && d < a->config.retry_max_s; i++) {
        d *= 2u;
    }
    return d < a->config.retry_max_s ? d : a->config.retry_max_s;
}

/* One more failure of that kind: the next periodic check moves out to the backoff (never
 * earlier than the period already scheduled it). Returns the seconds until then, 0 when no
 * periodic check is scheduled. An abort by the application and an image skipped because it
 * was refused before are no attempts: they move nothing. */
static uint32_t back_off(ota_agent_t *a, ota_event_type_t type, int32_t status)
{
    if (a->config.period_s == 0u) {
        return 0u;
    }
    if (status != OTA_AGENT_ERR_ABORTED && status != OTA_AGENT_ERR_REFUSED_BEFORE) {
        uint8_t *failures =
            type == OTA_EVT_CHECK_FAILED ? &a->check_failures : &a->download_failures;
        if (*failures < UINT8_MAX) {
            (*failures)++;
        }
        uint32_t later = a->now_ms + backoff_s(a, *failures) * 1000u;
        if ((int32_t)(later - a->next_check_ms) > 0) {
            a->next_check_ms = later;
        }
    }
    return (a->next_check_ms - a->now_ms + 999u) / 1000u;
}

static void emit_failure(ota_agent_t *a, ota_event_type_t type, uint32_t version,
                         ota_event_source_t source, int32_t status)
{
    ota_event_t e = {.type = type, .version = version, .source = source, .status = status};
    if (type == OTA_EVT_CHECK_FAILED || type == OTA_EVT_DOWNLOAD_FAILED ||
        type == OTA_EVT_VERIFY_FAILED) {
        e.retry_s = back_off(a, type, source == OTA_SRC_AGENT ? status : 0);
    }
    switch (source) {
    case OTA_SRC_HTTP:
        e.reason = ota_http_status_str((ota_http_status_t)status);
        if (status == OTA_HTTP_ERR_STATUS) {
            e.http_status = ota_http_response(&a->http)->status_code;
        }
        break;
    case OTA_SRC_MANIFEST:
        e.reason = ota_manifest_status_str((ota_manifest_status_t)status);
        break;
    case OTA_SRC_STORE:
        e.reason = ota_store_status_str((ota_store_status_t)status);
        break;
    case OTA_SRC_MANIFEST_SIG:
        e.reason = ota_manifest_sig_status_str((ota_manifest_sig_status_t)status);
        break;
    case OTA_SRC_AGENT:
    case OTA_SRC_NONE:
    default:
        e.reason = ota_agent_status_str((ota_agent_status_t)status);
        break;
    }
    if (type == OTA_EVT_DOWNLOAD_FAILED) {
        e.bytes = a->received;
        e.total = a->total;
    }
    agent_log_event(a, &e);
    if (a->config.on_event != NULL) {
        a->config.on_event(a->config.event_user, &e);
    }
}

static bool is_fetchable_url(const char *url)
{
    ota_url_t parsed;
    return url != NULL && strlen(url) < OTA_URL_MAX && ota_url_parse(url, &parsed) == OTA_URL_OK;
}

/* A URL that require_tls refuses (plain http://). */
static bool is_insecure_url(bool require_tls, const char *url)
{
    ota_url_t parsed;
    return require_tls && ota_url_parse(url, &parsed) == OTA_URL_OK && !parsed.tls;
}

static uint32_t running_version(const ota_agent_t *a)
{
    if (a->config.running_version != 0u) {
        return a->config.running_version;
    }
    return ota_store_boot(a->ports.store)->running_version;
}

static bool store_rejects(void *ctx, uint32_t version)
{
    return ota_store_is_rejected((const ota_store_t *)ctx, version);
}

static bool busy(const ota_agent_t *a)
{
    return a->state == OTA_AGENT_CHECKING || a->state == OTA_AGENT_DOWNLOADING ||
           a->state == OTA_AGENT_VERIFYING;
}

/* ---- reset --------------------------------------------------------------------------- */

/* Something will be installed at the next reset: tell the application; with auto reset the
 * reset itself happens at the next poll, so the application sees the event first. */
static void enter_reset_pending(ota_agent_t *a, uint32_t version)
{
    a->state = OTA_AGENT_RESET_PENDING;
    a->have_update = false;
    emit(a, OTA_EVT_RESET_PENDING, version);
}

static void request_install(ota_agent_t *a, uint8_t slot, uint32_t version)
{
    ota_store_status_t st = ota_store_request_install(a->ports.store, slot);
    if (st != OTA_STORE_OK) {
        emit_failure(a, OTA_EVT_DOWNLOAD_FAILED, version, OTA_SRC_STORE, st);
        a->state = OTA_AGENT_IDLE;
        return;
    }
    enter_reset_pending(a, version);
}

/* ---- EraseVer ------------------------------------------------------------------------ */

/* Carry out one EraseVer. *rolling_back is set when the running version was erased: the
 * store then has an install of the best remaining image pending. */
static ota_store_status_t apply_erase(ota_agent_t *a, uint32_t version, bool quiet_if_absent,
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
        emit_failure(a, OTA_EVT_ERASE_FAILED, version, OTA_SRC_STORE, st);
        return st;
    }
    emit(a, OTA_EVT_IMAGE_ERASED, version);
    if (was_running) {
        *rolling_back = true;
        enter_reset_pending(a, version);
    }
    return OTA_STORE_OK;
}

/* ---- download ------------------------------------------------------------------------ */

static int image_response(void *user, const ota_http_response_t *resp)
{
    ota_agent_t *a = user;
    if (resp->total_length != OTA_HTTP_LENGTH_UNKNOWN) {
        if (a->update.has_size && resp->total_length != a->update.size) {
            a->body_error = OTA_AGENT_ERR_SIZE;
            return 1;
        }
        if (resp->total_length > ota_store_layout(a->ports.store)->slot_size) {
            /* Refused before a byte is written: a slot's worth of flash wear saved, and the
             * reason named as the store would name it. */
            a->body_error = OTA_AGENT_ERR_STORE;
            a->body_store_status = OTA_STORE_ERR_TOO_LARGE;
            return 1;
        }
        a->total = (uint32_t)resp->total_length;
    }
    return 0;
}

static void maybe_progress(ota_agent_t *a)
{
    if (a->received >= a->next_progress) {
        uint32_t step = a->config.progress_step;
        emit(a, OTA_EVT_DOWNLOAD_PROGRESS, a->update.version);
        a->next_progress = a->received > UINT32_MAX - step ? UINT32_MAX : a->received + step;
    }
}

/* Collect the first header bytes of a fresh download: an image built for another board is
 * refused once its header is in, before the rest is fetched and written. A header that does
 * not decode is left to the store, which names what is wrong with it. (A resumed download
 * was checked when it started; the store checks every image at the end anyway.) */
static bool head_for_another_board(ota_agent_t *a, const uint8_t *data, size_t len)
{
    if (a->config.hw_id == 0u || a->resume_from != 0u || a->received >= OTA_IMAGE_HEADER_SIZE) {
        return false;
    }
    size_t n = OTA_IMAGE_HEADER_SIZE - a->received;
    if (n > len) {
        n = len;
    }
    memcpy(a->image_head + a->received, data, n);
    if (a->received + n < OTA_IMAGE_HEADER_SIZE) {
        return false;
    }
    ota_image_header_t h;
    return ota_image_header_decode(a->image_head, sizeof a->image_head,
                                   ota_store_layout(a->ports.store)->slot_size,
                                   &h) == OTA_IMAGE_OK &&
           h.hw_id != a->config.hw_id;
}

static int image_body(void *user, uint64_t offset, const uint8_t *data, size_t len)
{
    ota_agent_t *a = user;
    uint64_t have = a->received;
    if (offset + len <= have) {
        return 0; /* a server that ignored our Range resends bytes the store already has */
    }
    if (offset > have) {
        a->body_error = OTA_AGENT_ERR_SIZE; /* cannot happen with a sane client: refuse */
        return 1;
    }
    size_t skip = (size_t)(have - offset);
    if (head_for_another_board(a, data + skip, len - skip)) {
        a->body_error = OTA_AGENT_ERR_HW_ID;
        return 1;
    }
    ota_store_status_t st =
        ota_store_download_write(a->ports.store, a->received, data + skip, len - skip);
    if (st != OTA_STORE_OK) {
        a->body_error = OTA_AGENT_ERR_STORE;
        a->body_store_status = st;
        return 1;
    }
    a->received += (uint32_t)(len - skip);
    maybe_progress(a);
    return 0;
}

/* Begin (or resume) the store side of the download; false if it cannot start now. */
static bool begin_store_download(ota_agent_t *a, uint32_t *resume)
{
    ota_store_t *store = a->ports.store;
    const ota_manifest_update_t *u = &a->update;
    uint8_t active_slot;
    uint32_t next;

    if (ota_store_download_active(store, &active_slot, &next)) {
        const ota_store_slot_t *s = ota_store_slot(store, active_slot);
        if (s != NULL && s->version == u->version &&
            memcmp(s->digest, u->digest, OTA_SHA256_SIZE) == 0) {
            a->slot = active_slot; /* same image, same mount: continue where we stopped */
            *resume = next;
            return true;
        }
        (void)ota_store_download_abort(store); /* another image: its place is needed */
    }

    ota_store_status_t st = ota_store_download_begin(store, u->version,
                                                     u->has_size ? u->size : 0u, u->digest,
                                                     &a->slot, resume);
    if (st == OTA_STORE_OK) {
        return true;
    }
    if (st == OTA_STORE_ERR_EXISTS) {
        /* Already stored (e.g. reset postponed): install it rather than fetch it again. */
        uint8_t slot = ota_store_find_version(store, u->version);
        emit(a, OTA_EVT_IMAGE_STORED, u->version);
        if (slot != OTA_STORE_SLOT_NONE) {
            request_install(a, slot, u->version);
        }
        return false;
    }
    if (st == OTA_STORE_ERR_NO_SLOT) {
        emit(a, OTA_EVT_STORE_FULL, u->version);
    } else {
        emit_failure(a, OTA_EVT_DOWNLOAD_FAILED, u->version, OTA_SRC_STORE, st);
    }
    a->state = OTA_AGENT_IDLE;
    return false;
}

/* Why the update in a->update may not be fetched at all, decided before the store is touched
 * (no record, no erase): OK if it may. */
static ota_agent_status_t download_refusal(const ota_agent_t *a)
{
    const ota_manifest_update_t *u = &a->update;
    if (!is_fetchable_url(u->url)) {
        return OTA_AGENT_ERR_URL;
    }
    if (is_insecure_url(a->tls_only, u->url)) {
        return a->config.require_tls ? OTA_AGENT_ERR_INSECURE_URL : OTA_AGENT_ERR_TLS_DOWNGRADE;
    }
    if (a->have_refused && a->refused_version == u->version &&
        memcmp(a->refused_digest, u->digest, OTA_SHA256_SIZE) == 0) {
        return OTA_AGENT_ERR_REFUSED_BEFORE;
    }
    return OTA_AGENT_OK;
}

/* The bytes served for the current update were refused for what they are (not for how they
 * travelled): the same version and digest is not fetched again, which would cost a slot's
 * worth of erases each time, until the manifest changes either. Kept in RAM only. */
static void remember_refused(ota_agent_t *a)
{
    a->have_refused = true;
    a->refused_version = a->update.version;
    memcpy(a->refused_digest, a->update.digest, OTA_SHA256_SIZE);
}

static void start_download(ota_agent_t *a)
{
    uint32_t resume = 0;
    ota_agent_status_t why = download_refusal(a);
    if (why != OTA_AGENT_OK) {
        emit_failure(a, OTA_EVT_DOWNLOAD_FAILED, a->update.version, OTA_SRC_AGENT, why);
        a->state = OTA_AGENT_IDLE;
        return;
    }
    if (!begin_store_download(a, &resume)) {
        return;
    }
    a->resume_from = resume;
    a->received = resume;
    a->total = a->update.has_size ? a->update.size : 0u;
    a->next_progress = resume + a->config.progress_step;
    a->body_error = OTA_AGENT_OK;
    a->body_store_status = OTA_STORE_OK;
    emit(a, OTA_EVT_DOWNLOAD_STARTED, a->update.version);

    ota_http_request_t req = {
        .url = a->update.url,
        .range_from = resume,
        .on_body = image_body,
        .on_response = image_response,
        .user = a,
    };
    ota_http_status_t hs = ota_http_get(&a->http, &req);
    if (hs != OTA_HTTP_IN_PROGRESS) {
        emit_failure(a, OTA_EVT_DOWNLOAD_FAILED, a->update.version, OTA_SRC_HTTP, hs);
        a->state = OTA_AGENT_IDLE;
        return;
    }
    a->state = OTA_AGENT_DOWNLOADING;
}

static void download_failed(ota_agent_t *a, ota_http_status_t hs)
{
    ota_store_t *store = a->ports.store;
    uint32_t v = a->update.version;

    if (hs == OTA_HTTP_ERR_ABORTED && a->body_error == OTA_AGENT_ERR_STORE) {
        emit_failure(a, OTA_EVT_DOWNLOAD_FAILED, v, OTA_SRC_STORE, a->body_store_status);
    } else if (hs == OTA_HTTP_ERR_ABORTED && a->body_error != OTA_AGENT_OK) {
        emit_failure(a, OTA_EVT_DOWNLOAD_FAILED, v, OTA_SRC_AGENT, a->body_error);
    } else {
        emit_failure(a, OTA_EVT_DOWNLOAD_FAILED, v, OTA_SRC_HTTP, hs);
    }

    if (a->body_error == OTA_AGENT_ERR_HW_ID) {
        remember_refused(a); /* its header names another board: a verdict on the file */
    }
    bool resumable = a->body_error == OTA_AGENT_OK;
    if (resumable) {
        /* Keep what arrived: make it durable so even a reset resumes from here. */
        (void)ota_store_download_checkpoint(store, NULL);
    } else {
        /* Wrong size or a store refusal: this attempt's bytes are not worth keeping. */
        (void)ota_store_download_abort(store);
    }
    a->state = OTA_AGENT_IDLE;
}

/* A 416 to our Range: the server has no byte past those the store holds. An attempt that
 * failed after the last byte (e.g. junk after the body) leaves the whole file there, and
 * asking for more would fail forever: verification decides instead. If the bytes are not the
 * file, the slot is emptied and the next attempt starts from zero. */
static bool nothing_left_to_fetch(const ota_agent_t *a, ota_http_status_t hs)
{
    return hs == OTA_HTTP_ERR_STATUS && a->resume_from > 0u &&
           ota_http_response(&a->http)->status_code == 416u;
}

static void poll_download(ota_agent_t *a)
{
    ota_http_status_t hs = ota_http_poll(&a->http, a->now_ms);
    if (hs == OTA_HTTP_IN_PROGRESS || hs == OTA_HTTP_WOULD_BLOCK) {
        return;
    }
    if (hs != OTA_HTTP_OK && !nothing_left_to_fetch(a, hs)) {
        download_failed(a, hs);
        return;
    }
    if (a->total == 0u) {
        a->total = a->received;
    }
    emit(a, OTA_EVT_DOWNLOAD_PROGRESS, a->update.version);
    emit(a, OTA_EVT_VERIFY_STARTED, a->update.version);
    a->state = OTA_AGENT_VERIFYING; /* next poll: verifying reads the whole slot back */
}

static void poll_verify(ota_agent_t *a)
{
    uint32_t v = a->update.version;
    ota_store_status_t st = ota_store_download_finish(a->ports.store);
    if (st == OTA_STORE_OK) {
        a->download_failures = 0;
        emit(a, OTA_EVT_VERIFY_OK, v);
        emit(a, OTA_EVT_IMAGE_STORED, v);
        request_install(a, a->slot, v);
        return;
    }
    if (st == OTA_STORE_ERR_DIGEST || st == OTA_STORE_ERR_IMAGE || st == OTA_STORE_ERR_UNSIGNED ||
        st == OTA_STORE_ERR_UNKNOWN_KEY || st == OTA_STORE_ERR_SIGNATURE ||
        st == OTA_STORE_ERR_SECURITY_COUNTER || st == OTA_STORE_ERR_HW_ID ||
        st == OTA_STORE_ERR_KEY_REVOKED || st == OTA_STORE_ERR_REVOCATION) {
        /* The bytes arrived intact but are not an image this device may store. A digest
         * mismatch is a verdict on the file only when the whole file, as long as the manifest
         * says, came in one attempt: a body without a length may have been cut short, and a
         * resumed one may splice two versions of the file (it changed between attempts). */
        bool whole = a->resume_from == 0u && a->update.has_size && a->received == a->update.size;
        if (st != OTA_STORE_ERR_DIGEST || whole) {
            remember_refused(a);
        }
        emit_failure(a, OTA_EVT_VERIFY_FAILED, v, OTA_SRC_STORE, st);
    } else {
        emit_failure(a, OTA_EVT_DOWNLOAD_FAILED, v, OTA_SRC_STORE, st);
        if (st == OTA_STORE_ERR_SIZE) {
            (void)ota_store_download_abort(a->ports.store);
        }
    }
    a->state = OTA_AGENT_IDLE;
}

/* ---- manifest check ------------------------------------------------------------------ */

static int manifest_body(void *user, uint64_t offset, const uint8_t *data, size_t len)
{
    ota_agent_t *a = user;
    uint32_t max = a->config.manifest_max;
    if (offset != a->manifest_len || len > max - a->manifest_len) {
        a->body_error = OTA_AGENT_ERR_MANIFEST_TOO_LARGE;
        return 1;
    }
    memcpy(a->manifest + a->manifest_len, data, len);
    a->manifest_len += (uint32_t)len;
    return 0;
}

static int sig_body(void *user, uint64_t offset, const uint8_t *data, size_t len)
{
    ota_agent_t *a = user;
    if (offset != a->manifest_sig_len || len > OTA_MANIFEST_SIG_MAX - a->manifest_sig_len) {
        a->body_error = OTA_AGENT_ERR_SIZE; /* reported as a malformed signature */
        return 1;
    }
    memcpy(a->manifest_sig + a->manifest_sig_len, data, len);
    a->manifest_sig_len += (uint32_t)len;
    return 0;
}

/* One GET of the check (the manifest, then its .sig) into the body callback given. */
static void start_check_get(ota_agent_t *a, const char *url, ota_http_body_fn on_body,
                            bool fetching_sig)
{
    a->body_error = OTA_AGENT_OK;
    ota_http_request_t req = {
        .url = url,
        .range_from = 0,
        .on_body = on_body,
        .on_response = NULL,
        .user = a,
    };
    ota_http_status_t hs = ota_http_get(&a->http, &req);
    if (hs != OTA_HTTP_IN_PROGRESS) {
        emit_failure(a, OTA_EVT_CHECK_FAILED, 0, OTA_SRC_HTTP, hs);
        a->state = OTA_AGENT_IDLE;
        return;
    }
    a->fetching_sig = fetching_sig;
    a->state = OTA_AGENT_CHECKING;
}

/* The manifest is in; its detached signature is next (manifest URL + ".sig"). */
static void start_sig_fetch(ota_agent_t *a)
{
    a->manifest_sig_len = 0;
    start_check_get(a, a->manifest_sig_url, sig_body, true);
}

static void start_check(ota_agent_t *a)
{
    a->manifest_len = 0;
    emit(a, OTA_EVT_CHECK_STARTED, 0);
    start_check_get(a, a->manifest_url, manifest_body, false);
}

/* Is the manifest signed by a trusted key? *is_signed says whether freshness applies; false
 * (after a CHECK_FAILED) refuses the manifest before a byte of it is parsed. */
static bool manifest_authentic(ota_agent_t *a, bool *is_signed)
{
    *is_signed = false;
    if (a->config.manifest_keys == NULL) {
        return true;
    }
    ota_manifest_sig_status_t st =
        ota_manifest_sig_verify(a->manifest, a->manifest_len, a->manifest_sig,
                                a->manifest_sig_len, a->config.manifest_keys);
    if (st == OTA_MANIFEST_SIG_ERR_UNSIGNED && !a->config.require_signed_manifest) {
        return true;
    }
    if (st != OTA_MANIFEST_SIG_OK) {
        emit_failure(a, OTA_EVT_CHECK_FAILED, 0, OTA_SRC_MANIFEST_SIG, st);
        return false;
    }
    *is_signed = true;
    return true;
}

/* A signed manifest must be fresh: not older than the highest Sequence accepted (kept in the
 * store, so a reset does not reopen a replay), not expired when the time is known, and not
 * the same Sequence for longer than the maximum age of monotonic time. Its Sequence becomes
 * the highest accepted before anything in it is acted on. */
static bool manifest_fresh(ota_agent_t *a)
{
    uint64_t utc = a->ports.utc_now != NULL ? a->ports.utc_now(a->ports.utc_ctx) : 0u;
    ota_manifest_sig_status_t st = ota_manifest_freshness(
        &a->plan, ota_store_boot(a->ports.store)->manifest_sequence, utc);
    bool same = a->fresh_sequence != 0u && a->plan.sequence == a->fresh_sequence;
    if (st == OTA_MANIFEST_SIG_OK && same && a->config.manifest_max_age_s != 0u &&
        a->now_ms - a->fresh_since_ms > a->config.manifest_max_age_s * 1000u) {
        st = OTA_MANIFEST_SIG_ERR_STALE;
    }
    if (st != OTA_MANIFEST_SIG_OK) {
        emit_failure(a, OTA_EVT_CHECK_FAILED, 0, OTA_SRC_MANIFEST_SIG, st);
        return false;
    }
    if (!same) {
        a->fresh_sequence = a->plan.sequence;
        a->fresh_since_ms = a->now_ms;
    }
    ota_store_status_t ss = ota_store_raise_manifest_sequence(a->ports.store, a->plan.sequence);
    if (ss != OTA_STORE_OK) {
        emit_failure(a, OTA_EVT_CHECK_FAILED, 0, OTA_SRC_STORE, ss);
        return false;
    }
    return true;
}

/* An EraseVer of the running version rolls the device back: once the device trusts any key
 * (images or manifests), a manifest must be signed to do that. Without keys nothing is
 * authenticated anyway (docs/security.md says what that allows). */
static bool erase_needs_signature(const ota_agent_t *a, uint32_t version)
{
    return version == ota_store_boot(a->ports.store)->running_version &&
           (a->config.manifest_keys != NULL || ota_store_trusted_keys(a->ports.store) != NULL);
}

static void check_done(ota_agent_t *a)
{
    bool is_signed;
    if (!manifest_authentic(a, &is_signed)) {
        return;
    }
    ota_manifest_device_t device = {
        .running_version = running_version(a),
        .allow_downgrade = a->config.allow_downgrade,
        .is_rejected = store_rejects,
        .rejected_ctx = a->ports.store,
        .hw_id = a->config.hw_id,
    };
    ota_manifest_status_t ms =
        ota_manifest_select(&a->parser, a->manifest, a->manifest_len, &device, &a->plan);
    if (ms != OTA_MANIFEST_OK) {
        emit_failure(a, OTA_EVT_CHECK_FAILED, 0, OTA_SRC_MANIFEST, ms);
        return;
    }
    if (is_signed && !manifest_fresh(a)) {
        return;
    }
    a->check_failures = 0;

    for (uint32_t i = 0; i < a->plan.erase_count; i++) {
        uint32_t v = a->plan.erase_versions[i];
        if (!is_signed && erase_needs_signature(a, v)) {
            emit_failure(a, OTA_EVT_ERASE_FAILED, v, OTA_SRC_AGENT, OTA_AGENT_ERR_ERASE_UNSIGNED);
            continue;
        }
        bool rolling_back;
        (void)apply_erase(a, v, true, &rolling_back);
        if (rolling_back) {
            return; /* nothing else is done before the reset that rolls back */
        }
    }

    if (!a->plan.has_update) {
        emit(a, OTA_EVT_NO_UPDATE, 0);
        return;
    }
    a->update = a->plan.update;
    a->have_update = true;
    emit(a, OTA_EVT_UPDATE_AVAILABLE, a->update.version);
    if (a->config.auto_update) {
        start_download(a);
    }
}

static void poll_check(ota_agent_t *a)
{
    ota_http_status_t hs = ota_http_poll(&a->http, a->now_ms);
    if (hs == OTA_HTTP_IN_PROGRESS || hs == OTA_HTTP_WOULD_BLOCK) {
        return;
    }
    a->state = OTA_AGENT_IDLE;
    if (a->fetching_sig) {
        a->fetching_sig = false;
        if (hs == OTA_HTTP_ERR_ABORTED && a->body_error != OTA_AGENT_OK) {
            emit_failure(a, OTA_EVT_CHECK_FAILED, 0, OTA_SRC_MANIFEST_SIG,
                         OTA_MANIFEST_SIG_ERR_FORMAT);
            return;
        }
        if (hs == OTA_HTTP_ERR_STATUS && ota_http_response(&a->http)->status_code == 404u) {
            a->manifest_sig_len = 0; /* no .sig: an unsigned manifest (allowed or not) */
        } else if (hs != OTA_HTTP_OK) {
            emit_failure(a, OTA_EVT_CHECK_FAILED, 0, OTA_SRC_HTTP, hs);
            return;
        }
        check_done(a);
        return;
    }
    if (hs == OTA_HTTP_ERR_ABORTED && a->body_error != OTA_AGENT_OK) {
        emit_failure(a, OTA_EVT_CHECK_FAILED, 0, OTA_SRC_AGENT, a->body_error);
        return;
    }
    if (hs != OTA_HTTP_OK) {
        emit_failure(a, OTA_EVT_CHECK_FAILED, 0, OTA_SRC_HTTP, hs);
        return;
    }
    if (a->config.manifest_keys != NULL) {
        start_sig_fetch(a);
        return;
    }
    a->manifest_sig_len = 0;
    check_done(a);
}

/* ---- idle ---------------------------------------------------------------------------- */

static bool check_due(const ota_agent_t *a)
{
    if (a->manifest_url[0] == '\0') {
        return false;
    }
    if (a->check_requested) {
        return true;
    }
    return a->config.period_s != 0u && (int32_t)(a->now_ms - a->next_check_ms) >= 0;
}

static void poll_idle(ota_agent_t *a)
{
    const ota_transport_t *t = &a->ports.transport;
    if (t->ops->network_up != NULL && !t->ops->network_up(t->ctx)) {
        if (a->state != OTA_AGENT_WAIT_NETWORK) {
            a->state = OTA_AGENT_WAIT_NETWORK;
            emit(a, OTA_EVT_WAITING_NETWORK, 0);
        }
        return;
    }
    a->state = OTA_AGENT_IDLE;

    if (a->download_requested) {
        a->download_requested = false;
        start_download(a);
        return;
    }
    if (check_due(a)) {
        a->check_requested = false;
        a->next_check_ms = a->now_ms + a->config.period_s * 1000u;
        start_check(a);
    }
}

/* ---- public API ---------------------------------------------------------------------- */

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
        !ports->store->mounted || config->manifest_max > OTA_AGENT_MANIFEST_BUF_SIZE) {
        return OTA_AGENT_ERR_CONFIG;
    }
    if (config->manifest_url != NULL && (!is_fetchable_url(config->manifest_url) ||
                                         is_insecure_url(config->require_tls,
                                                         config->manifest_url))) {
        return OTA_AGENT_ERR_CONFIG;
    }
    const ota_sig_keyring_t *keys = config->manifest_keys;
    if ((keys != NULL && (keys->keys == NULL || keys->count == 0u)) ||
        (config->require_signed_manifest && keys == NULL) ||
        config->manifest_max_age_s > OTA_AGENT_MAX_AGE_LIMIT_S ||
        config->retry_max_s > OTA_AGENT_RETRY_LIMIT_S ||
        (config->retry_first_s > (config->retry_max_s != 0u ? config->retry_max_s
                                                            : OTA_AGENT_RETRY_MAX_DEFAULT_S)) ||
        (keys != NULL && config->manifest_url != NULL &&
         strlen(config->manifest_url) + sizeof OTA_MANIFEST_SIG_SUFFIX > OTA_URL_MAX)) {
        return OTA_AGENT_ERR_CONFIG;
    }

    memset(agent, 0, sizeof *agent);
    agent->config = *config;
    agent->ports = *ports;
    if (agent->config.manifest_max == 0u) {
        agent->config.manifest_max = OTA_AGENT_MANIFEST_BUF_SIZE;
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
    /* A manifest fetched over https must not send the image (or a redirect) over http: whoever
     * is on the path could then serve it. */
    agent->tls_only = config->require_tls ||
                      (config->manifest_url != NULL && !config->allow_http_images &&
                       !is_insecure_url(true, config->manifest_url));
    if (config->manifest_url != NULL) {
        size_t n = strlen(config->manifest_url);
        memcpy(agent->manifest_url, config->manifest_url, n + 1u);
        if (keys != NULL) {
            memcpy(agent->manifest_sig_url, config->manifest_url, n);
            memcpy(agent->manifest_sig_url + n, OTA_MANIFEST_SIG_SUFFIX,
                   sizeof OTA_MANIFEST_SIG_SUFFIX);
        }
    }
    agent->config.manifest_url = agent->manifest_url;
    agent->slot = OTA_STORE_SLOT_NONE;

    ota_manifest_parser_init(&agent->parser, agent->tokens, OTA_AGENT_MANIFEST_TOKENS);
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
    agent->state = OTA_AGENT_IDLE;
    return OTA_AGENT_OK;
}

ota_agent_state_t ota_agent_poll(ota_agent_t *agent, uint32_t now_ms)
{
    agent->now_ms = now_ms;
    if (!agent->started) {
        agent->started = true;
        agent->next_check_ms = now_ms; /* the first check comes as soon as the network is up */
    }
    OTA_ASSERT(agent->state <= OTA_AGENT_RESET_PENDING);
    switch (agent->state) {
    case OTA_AGENT_IDLE:
    case OTA_AGENT_WAIT_NETWORK:
        poll_idle(agent);
        break;
    case OTA_AGENT_CHECKING:
        poll_check(agent);
        break;
    case OTA_AGENT_DOWNLOADING:
        poll_download(agent);
        break;
    case OTA_AGENT_VERIFYING:
        poll_verify(agent);
        break;
    case OTA_AGENT_RESET_PENDING:
        if (agent->config.auto_reset && !agent->reset_requested && agent->ports.reset != NULL) {
            agent->reset_requested = true;
            agent->ports.reset(agent->ports.reset_ctx);
        }
        break;
    default:
        break;
    }
    return agent->state;
}

ota_agent_status_t ota_agent_check_now(ota_agent_t *agent)
{
    if (agent == NULL) {
        return OTA_AGENT_ERR_ARG;
    }
    if (agent->manifest_url[0] == '\0') {
        return OTA_AGENT_ERR_CONFIG;
    }
    if (busy(agent)) {
        return OTA_AGENT_ERR_BUSY;
    }
    agent->check_requested = true;
    return OTA_AGENT_OK;
}

ota_agent_status_t ota_agent_download(ota_agent_t *agent)
{
    if (agent == NULL) {
        return OTA_AGENT_ERR_ARG;
    }
    if (busy(agent)) {
        return OTA_AGENT_ERR_BUSY;
    }
    if (!agent->have_update) {
        return OTA_AGENT_ERR_NO_UPDATE;
    }
    agent->download_requested = true;
    return OTA_AGENT_OK;
}

ota_agent_status_t ota_agent_start_update(ota_agent_t *agent, const char *url,
                                          uint32_t version,
                                          const uint8_t digest[OTA_SHA256_SIZE])
{
    if (agent == NULL || url == NULL || digest == NULL || version == 0u) {
        return OTA_AGENT_ERR_ARG;
    }
    if (busy(agent)) {
        return OTA_AGENT_ERR_BUSY;
    }
    size_t n = strlen(url);
    if (n > OTA_MANIFEST_URL_MAX || !is_fetchable_url(url)) {
        return OTA_AGENT_ERR_URL;
    }
    if (is_insecure_url(agent->tls_only, url)) {
        return agent->config.require_tls ? OTA_AGENT_ERR_INSECURE_URL
                                         : OTA_AGENT_ERR_TLS_DOWNGRADE;
    }
    memset(&agent->update, 0, sizeof agent->update);
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
    if (busy(agent)) {
        return OTA_AGENT_ERR_BUSY;
    }
    bool rolling_back;
    ota_store_status_t st = apply_erase(agent, version, false, &rolling_back);
    return st == OTA_STORE_OK ? OTA_AGENT_OK : OTA_AGENT_ERR_STORE;
}

static ota_agent_status_t boot_request(ota_agent_t *agent, bool factory)
{
    if (agent == NULL) {
        return OTA_AGENT_ERR_ARG;
    }
    if (busy(agent)) {
        return OTA_AGENT_ERR_BUSY;
    }
    ota_store_status_t st = factory ? ota_store_factory_reset(agent->ports.store)
                                    : ota_store_rollback(agent->ports.store, false);
    if (st != OTA_STORE_OK) {
        emit_failure(agent, OTA_EVT_ERASE_FAILED, 0, OTA_SRC_STORE, st);
        return OTA_AGENT_ERR_STORE;
    }
    enter_reset_pending(agent, 0);
    return OTA_AGENT_OK;
}

ota_agent_status_t ota_agent_rollback(ota_agent_t *agent)
{
    return boot_request(agent, false);
}

ota_agent_status_t ota_agent_factory_reset(ota_agent_t *agent)
{
    return boot_request(agent, true);
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
    if (agent->state == OTA_AGENT_CHECKING) {
        ota_http_abort(&agent->http);
        agent->fetching_sig = false;
        agent->state = OTA_AGENT_IDLE;
    } else if (agent->state == OTA_AGENT_DOWNLOADING || agent->state == OTA_AGENT_VERIFYING) {
        ota_http_abort(&agent->http);
        (void)ota_store_download_checkpoint(agent->ports.store, NULL);
        emit_failure(agent, OTA_EVT_DOWNLOAD_FAILED, agent->update.version, OTA_SRC_AGENT,
                     OTA_AGENT_ERR_ABORTED);
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
    }
    return "unknown agent status";
}

const char *ota_agent_state_str(ota_agent_state_t state)
{
    switch (state) {
    case OTA_AGENT_IDLE: return "idle";
    case OTA_AGENT_WAIT_NETWORK: return "waiting for network";
    case OTA_AGENT_CHECKING: return "checking";
    case OTA_AGENT_DOWNLOADING: return "downloading";
    case OTA_AGENT_VERIFYING: return "verifying";
    case OTA_AGENT_RESET_PENDING: return "reset pending";
    }
    return "unknown agent state";
}

const char *ota_event_type_str(ota_event_type_t type)
{
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
    }
    return "unknown event";
}
