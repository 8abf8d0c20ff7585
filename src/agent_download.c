/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The agent's download (DOWNLOADING, VERIFYING): GET the image with a Range from the store's
 * durable offset, write the bytes into the store as they come, checkpoint what arrived when an
 * attempt fails, and have the store read the slot back and verify it, OTA_AGENT_VERIFY_STEP
 * bytes per poll (a raw image, which the store wraps first, in one poll).
 *
 * A delta update (src/agent_patch.c) takes over the body and the poll while a patch is
 * fetched; the store side (ota_agent_store_begin) and the verification are shared.
 */
#include <string.h>

#include "agent_internal.h"

static void agent_verify_outcome(ota_agent_t *a, ota_store_status_t st);

static int agent_image_response(void *user, const ota_http_response_t *resp)
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

void ota_agent_maybe_progress(ota_agent_t *a, ota_event_type_t type, uint32_t at)
{
    if (at >= a->next_progress) {
        uint32_t step = a->config.progress_step;
        ota_agent_emit(a, type, a->update.version);
        a->next_progress = at > UINT32_MAX - step ? UINT32_MAX : at + step;
    }
}

/* Collect the first header bytes of a fresh download: an image built for another board is
 * refused once its header is in, before the rest is fetched and written. A header that does
 * not decode is left to the store, which names what is wrong with it. (A resumed download
 * was checked when it started; the store checks every image at the end anyway.) */
static bool agent_head_for_another_board(ota_agent_t *a, const uint8_t *data, size_t len)
{
    if (a->config.hw_id == 0u || a->resume_from != 0u || a->raw ||
        a->received >= OTA_IMAGE_HEADER_SIZE) {
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

static int agent_image_body(void *user, uint64_t offset, const uint8_t *data, size_t len)
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
    data += skip;
    len -= skip;
    bool held = false;
    ota_agent_status_t why = ota_agent_head(a, &data, &len, &held);
    if (why != OTA_AGENT_OK) {
        a->body_error = why;
        return 1;
    }
    if (held) {
        return 0; /* too few bytes yet to tell a raw image from an .ota: nothing written */
    }
    if (agent_head_for_another_board(a, data, len)) {
        a->body_error = OTA_AGENT_ERR_HW_ID;
        return 1;
    }
    ota_store_status_t st = ota_store_download_write(
        a->ports.store, a->received + ota_agent_store_shift(a), data, len);
    if (st != OTA_STORE_OK) {
        a->body_error = OTA_AGENT_ERR_STORE;
        a->body_store_status = st;
        return 1;
    }
    a->received += (uint32_t)len;
    ota_agent_maybe_progress(a, OTA_EVT_DOWNLOAD_PROGRESS, a->received);
    return 0;
}

bool ota_agent_store_begin(ota_agent_t *a, uint32_t *resume)
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
        ota_agent_emit(a, OTA_EVT_IMAGE_STORED, u->version);
        if (slot != OTA_STORE_SLOT_NONE) {
            ota_agent_request_install(a, slot, u->version);
        }
        return false;
    }
    if (st == OTA_STORE_ERR_NO_SLOT) {
        ota_agent_emit(a, OTA_EVT_STORE_FULL, u->version);
    } else {
        ota_agent_emit_failure(a, OTA_EVT_DOWNLOAD_FAILED, u->version, OTA_SRC_STORE, st);
    }
    a->state = OTA_AGENT_IDLE;
    return false;
}

/* Why the update in a->update may not be fetched at all, decided before the store is touched
 * (no record, no erase): OK if it may. */
static ota_agent_status_t agent_download_refusal(const ota_agent_t *a)
{
    const ota_manifest_update_t *u = &a->update;
    ota_agent_status_t why = ota_agent_url_refusal(a, u->url);
    if (why != OTA_AGENT_OK) {
        return why;
    }
    /* refused_version is 0 until an image is refused, and no update has version 0. */
    if (a->refused_version == u->version &&
        memcmp(a->refused_digest, u->digest, OTA_SHA256_SIZE) == 0) {
        return OTA_AGENT_ERR_REFUSED_BEFORE;
    }
    return OTA_AGENT_OK;
}

/* The bytes served for the current update were refused for what they are (not for how they
 * travelled): the same version and digest is not fetched again, which would cost a slot's
 * worth of erases each time, until the manifest changes either. Kept in RAM only. */
static void agent_remember_refused(ota_agent_t *a)
{
    a->refused_version = a->update.version;
    memcpy(a->refused_digest, a->update.digest, OTA_SHA256_SIZE);
}

void ota_agent_image_begin(ota_agent_t *a)
{
    if (ota_agent_defers(a, OTA_AGENT_DEFER_DOWNLOAD, a->update.version)) {
        a->state = OTA_AGENT_IDLE; /* have_update kept: asked again later */
        return;
    }
    if (ota_agent_patch_begin(a)) {
        return;
    }
    uint32_t resume = 0;
    ota_agent_status_t why = agent_download_refusal(a);
    if (why != OTA_AGENT_OK) {
        ota_agent_emit_failure(a, OTA_EVT_DOWNLOAD_FAILED, a->update.version, OTA_SRC_AGENT, why);
        a->state = OTA_AGENT_IDLE;
        return;
    }
    ota_agent_forget_validator(a); /* the check after a download reads the manifest in full */
    if (!ota_agent_store_begin(a, &resume)) {
        return;
    }
    /* A raw image resumed: the store's offsets count its header, the server's do not. */
    a->raw = ota_store_download_is_raw(a->ports.store);
    if (a->raw) {
        resume = resume > OTA_STORE_RAW_HEAD ? resume - OTA_STORE_RAW_HEAD : 0u;
    }
    a->head_held = 0;
    a->head_decided = false;
    a->resume_from = resume;
    a->received = resume;
    a->total = a->update.has_size ? a->update.size : 0u;
    a->next_progress = resume + a->config.progress_step;
    a->body_error = OTA_AGENT_OK;
    a->body_store_status = OTA_STORE_OK;
    ota_agent_emit(a, OTA_EVT_DOWNLOAD_STARTED, a->update.version);

    ota_http_request_t req = {
        .url = a->update.url,
        .range_from = resume,
        .on_body = agent_image_body,
        .on_response = agent_image_response,
        .user = a,
    };
    ota_http_status_t hs = ota_http_get(&a->http, &req);
    if (hs != OTA_HTTP_IN_PROGRESS) {
        ota_agent_emit_failure(a, OTA_EVT_DOWNLOAD_FAILED, a->update.version, OTA_SRC_HTTP, hs);
        a->state = OTA_AGENT_IDLE;
        return;
    }
    a->state = OTA_AGENT_DOWNLOADING;
}

static void agent_download_failed(ota_agent_t *a, ota_http_status_t hs)
{
    ota_store_t *store = a->ports.store;
    uint32_t v = a->update.version;

    if (hs == OTA_HTTP_ERR_ABORTED && a->body_error == OTA_AGENT_ERR_STORE) {
        ota_agent_emit_failure(a, OTA_EVT_DOWNLOAD_FAILED, v, OTA_SRC_STORE, a->body_store_status);
    } else if (hs == OTA_HTTP_ERR_ABORTED && a->body_error != OTA_AGENT_OK) {
        ota_agent_emit_failure(a, OTA_EVT_DOWNLOAD_FAILED, v, OTA_SRC_AGENT, a->body_error);
    } else {
        ota_agent_emit_failure(a, OTA_EVT_DOWNLOAD_FAILED, v, OTA_SRC_HTTP, hs);
    }

    if (a->body_error == OTA_AGENT_ERR_HW_ID || a->body_error == OTA_AGENT_ERR_RAW_IMAGE ||
        a->body_error == OTA_AGENT_ERR_RAW_UNSIGNED) {
        agent_remember_refused(a); /* another board, or a raw image refused: a verdict on the file */
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
static bool agent_nothing_left_to_fetch(const ota_agent_t *a, ota_http_status_t hs)
{
    return hs == OTA_HTTP_ERR_STATUS && a->resume_from > 0u &&
           ota_http_response(&a->http)->status_code == 416u;
}

void ota_agent_image_poll(ota_agent_t *a)
{
    if (ota_agent_patching(a)) {
        ota_agent_patch_poll(a);
        return;
    }
    ota_http_status_t hs = ota_agent_http_poll(a);
    if (hs == OTA_HTTP_IN_PROGRESS || hs == OTA_HTTP_WOULD_BLOCK) {
        return;
    }
    if (hs != OTA_HTTP_OK && !agent_nothing_left_to_fetch(a, hs)) {
        agent_download_failed(a, hs);
        return;
    }
    a->body_error = ota_agent_head_end(a);
    if (a->body_error != OTA_AGENT_OK) {
        agent_download_failed(a, OTA_HTTP_ERR_ABORTED);
        return;
    }
    if (a->total == 0u) {
        a->total = a->received;
    }
    ota_agent_emit(a, OTA_EVT_DOWNLOAD_PROGRESS, a->update.version);
    ota_agent_emit(a, OTA_EVT_DOWNLOAD_OK, a->update.version);
    ota_agent_verify_begin(a);
}

void ota_agent_verify_begin(ota_agent_t *a)
{
    ota_agent_emit(a, OTA_EVT_VERIFY_STARTED, a->update.version);
    a->state = OTA_AGENT_VERIFYING; /* the read-back: a part per poll from the next one */
    a->next_progress = a->config.progress_step;
    if (!a->raw) {
        ota_store_status_t st = ota_store_check_begin(a->ports.store, &a->check);
        if (st != OTA_STORE_OK) {
            agent_verify_outcome(a, st);
        }
    }
}

void ota_agent_image_verify(ota_agent_t *a)
{
    if (a->raw) {
        agent_verify_outcome(a, ota_agent_store_finish(a));
        return;
    }
    bool done = false;
    ota_store_status_t st =
        ota_store_check_step(a->ports.store, &a->check, OTA_AGENT_VERIFY_STEP, &done);
    if (!done && st == OTA_STORE_OK) {
        ota_agent_maybe_progress(a, OTA_EVT_VERIFY_PROGRESS, a->check.done);
        return;
    }
    agent_verify_outcome(a, st);
}

/* The store's verdict on the bytes read back (or why it has none). */
static void agent_verify_outcome(ota_agent_t *a, ota_store_status_t st)
{
    uint32_t v = a->update.version;
    if (ota_agent_patch_verified(a, st)) {
        return;
    }
    if (st == OTA_STORE_OK) {
        a->download_failures = 0;
        ota_agent_emit(a, OTA_EVT_VERIFY_OK, v);
        ota_agent_emit(a, OTA_EVT_IMAGE_STORED, v);
        ota_agent_request_install(a, a->slot, v);
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
            agent_remember_refused(a);
        }
        ota_agent_emit_failure(a, OTA_EVT_VERIFY_FAILED, v, OTA_SRC_STORE, st);
    } else {
        ota_agent_emit_failure(a, OTA_EVT_DOWNLOAD_FAILED, v, OTA_SRC_STORE, st);
        if (st == OTA_STORE_ERR_SIZE) {
            (void)ota_store_download_abort(a->ports.store);
        }
    }
    a->state = OTA_AGENT_IDLE;
}
