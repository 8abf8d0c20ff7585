/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The agent's File Download (FETCHING_FILES): after a check has accepted the manifest and
 * carried out its EraseVer entries, each of its file entries (plan.files, public_key entries
 * included) that its slot does not already hold is fetched into the store's file slot
 * (include/otaflow/files.h), one at a time, then the image update is offered as ever. A file
 * entry never stops the image update: whatever happens to it ends in FILE_DONE or
 * FILE_FAILED and the next one.
 *
 * Signatures: a file entry's Signature (the original's base64 r||s over its SHA-256) is
 * checked against the store's trusted keys, never against the key a public_key entry brings:
 * a key that comes with the manifest authenticates nothing the manifest does not already
 * (docs/security.md, "File slots").
 */
#include <string.h>

#include "agent_internal.h"
#include "sig_raw.h"

#if OTA_FILE_SLOTS

static void agent_file_failed(ota_agent_t *a, ota_event_source_t source, int32_t status)
{
    ota_agent_emit_failure(a, OTA_EVT_FILE_FAILED, 0, source, status);
}

/* Remember (or, refused false, forget) that slot refused the file of this digest. */
static void agent_file_remember(ota_agent_t *a, uint8_t slot, const uint8_t *digest,
                                bool refused)
{
    uint64_t bit = (uint64_t)1u << slot;
    a->file_refused_set = refused ? a->file_refused_set | bit : a->file_refused_set & ~bit;
    memcpy(a->file_refused[slot], digest, sizeof a->file_refused[slot]);
}

static bool agent_file_refused_before(const ota_agent_t *a, const ota_manifest_file_t *f)
{
    return (a->file_refused_set >> f->slot & 1u) != 0u &&
           memcmp(a->file_refused[f->slot], f->digest, sizeof a->file_refused[0]) == 0;
}

/* The file's Signature by one of the store's trusted keys: OK without keys (nothing to
 * check it against: the digest alone decides). */
static ota_file_status_t agent_file_signature(const ota_agent_t *a, const ota_manifest_file_t *f)
{
    const ota_sig_keyring_t *ring = ota_store_trusted_keys(a->ports.store);
    if (ring == NULL) {
        return OTA_FILE_OK;
    }
    if (f->sig_len != OTA_RAW_SIG_SIZE) {
        return OTA_FILE_ERR_UNSIGNED;
    }
    uint8_t der[OTA_ECDSA_P256_SIG_MAX];
    size_t n = ota_sig_raw_to_der(f->sig, der);
    for (size_t i = 0; i < ring->count; i++) {
        const ota_sig_key_t *k = &ring->keys[i];
        if (k->alg == OTA_SIG_ALG_ECDSA_P256 &&
            ota_sig_verify(k->alg, k->key, k->key_len, f->digest, der, n) == OTA_CRYPTO_OK) {
            return OTA_FILE_OK;
        }
    }
    return OTA_FILE_ERR_SIGNATURE;
}

/* Should file f be fetched now? Every refusal is reported (FILE_FAILED) before a request or a
 * flash operation; a file its slot already holds is no news. */
static bool agent_file_wanted(ota_agent_t *a, const ota_manifest_file_t *f)
{
    ota_store_t *store = a->ports.store;
    a->file_slot = f->slot;
    a->file_received = 0;
    a->file_length = f->length;
    if (f->status != OTA_MANIFEST_OK) {
        agent_file_failed(a, OTA_SRC_MANIFEST, f->status);
        return false;
    }
    if (f->slot >= ota_file_slot_count(store)) {
        agent_file_failed(a, OTA_SRC_FILE, OTA_FILE_ERR_NO_SLOT);
        return false;
    }
    if (f->length > ota_file_capacity(store)) {
        agent_file_failed(a, OTA_SRC_FILE, OTA_FILE_ERR_TOO_LARGE);
        return false;
    }
    ota_file_info_t info;
    if (ota_file_info(store, f->slot, &info) == OTA_FILE_OK && info.length == f->length &&
        memcmp(info.digest, f->digest, OTA_SHA256_SIZE) == 0) {
        return false; /* already there */
    }
    if (agent_file_refused_before(a, f)) {
        agent_file_failed(a, OTA_SRC_FILE, OTA_FILE_ERR_REFUSED_BEFORE);
        return false;
    }
    ota_file_status_t sig = agent_file_signature(a, f);
    if (sig != OTA_FILE_OK) {
        agent_file_remember(a, f->slot, f->digest, true);
        agent_file_failed(a, OTA_SRC_FILE, sig);
        return false;
    }
    ota_agent_status_t why = ota_agent_url_refusal(a, f->url);
    if (why != OTA_AGENT_OK) {
        agent_file_failed(a, OTA_SRC_AGENT, why);
        return false;
    }
    return true;
}

static int agent_file_response(void *user, const ota_http_response_t *resp)
{
    ota_agent_t *a = user;
    if (resp->total_length != OTA_HTTP_LENGTH_UNKNOWN && resp->total_length != a->file_length) {
        a->file_body_status = OTA_FILE_ERR_SIZE; /* refused before the slot is erased */
        return 1;
    }
    return 0;
}

static int agent_file_body(void *user, uint64_t offset, const uint8_t *data, size_t len)
{
    ota_agent_t *a = user;
    const ota_manifest_file_t *f = &a->plan.files[a->file_cur];
    ota_file_status_t st = OTA_FILE_OK;
    if (offset != a->file_received || len > a->file_length - a->file_received) {
        st = OTA_FILE_ERR_SIZE;
    } else if (!a->file_begun) {
        /* The slot's other area is erased only once bytes arrive. */
        st = ota_file_begin(a->ports.store, &a->file_writer, f->slot, f->length, f->digest);
        a->file_begun = st == OTA_FILE_OK;
    }
    if (st == OTA_FILE_OK) {
        st = ota_file_write(&a->file_writer, data, (uint32_t)len);
    }
    if (st != OTA_FILE_OK) {
        a->file_body_status = st;
        return 1;
    }
    a->file_received += (uint32_t)len;
    return 0;
}

/* The next file to fetch: its GET started (true), or none left (false). */
static bool agent_files_next(ota_agent_t *a)
{
    while (a->file_next < a->plan.file_count) {
        uint8_t i = a->file_next++;
        const ota_manifest_file_t *f = &a->plan.files[i];
        if (!agent_file_wanted(a, f)) {
            continue;
        }
        a->file_cur = i;
        a->file_begun = false;
        a->file_body_status = OTA_FILE_OK;
        ota_agent_emit(a, OTA_EVT_FILE_STARTED, 0);
        ota_http_request_t req = {
            .url = f->url,
            .range_from = 0,
            .on_body = agent_file_body,
            .on_response = agent_file_response,
            .user = a,
        };
        ota_http_status_t hs = ota_http_get(&a->http, &req);
        if (hs == OTA_HTTP_IN_PROGRESS) {
            a->state = OTA_AGENT_FETCHING_FILES;
            return true;
        }
        agent_file_failed(a, OTA_SRC_HTTP, hs);
    }
    return false;
}

bool ota_agent_files_begin(ota_agent_t *a)
{
    a->file_next = 0;
    if (a->plan.files_dropped != 0u) {
        /* Entries the plan could not keep (more than OTA_FILE_ENTRIES_MAX, or no object). */
        a->file_slot = OTA_MANIFEST_FILE_NONE;
        a->file_received = 0;
        a->file_length = 0;
        agent_file_failed(a, OTA_SRC_MANIFEST, OTA_MANIFEST_ERR_FILE_ENTRY);
    }
    return agent_files_next(a);
}

void ota_agent_files_poll(ota_agent_t *a)
{
    ota_http_status_t hs = ota_agent_http_poll(a);
    if (hs == OTA_HTTP_IN_PROGRESS || hs == OTA_HTTP_WOULD_BLOCK) {
        return;
    }
    a->state = OTA_AGENT_IDLE;
    ota_file_status_t st = a->file_body_status;
    const ota_manifest_file_t *f = &a->plan.files[a->file_cur];
    if (hs == OTA_HTTP_OK) {
        /* An empty body never began the file: it is short of its length. */
        st = a->file_begun ? ota_file_finish(&a->file_writer) : OTA_FILE_ERR_SIZE;
    }
    if (hs != OTA_HTTP_OK && (hs != OTA_HTTP_ERR_ABORTED || st == OTA_FILE_OK)) {
        agent_file_failed(a, OTA_SRC_HTTP, hs); /* the link, not the file */
    } else if (st == OTA_FILE_OK) {
        agent_file_remember(a, f->slot, f->digest, false);
        ota_agent_emit(a, OTA_EVT_FILE_DONE, 0);
    } else {
        /* Bytes that hash wrong, or a length the headers announced that is not the one
         * announced in the manifest: a verdict on the server's file, not on the link. */
        if (st == OTA_FILE_ERR_DIGEST || (st == OTA_FILE_ERR_SIZE && !a->file_begun)) {
            agent_file_remember(a, f->slot, f->digest, true);
        }
        agent_file_failed(a, OTA_SRC_FILE, st);
    }
    if (!agent_files_next(a)) {
        ota_agent_offer_update(a);
    }
}

#endif /* OTA_FILE_SLOTS */
