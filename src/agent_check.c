/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The agent's check (CHECKING): GET the manifest, parsing and hashing its body as it arrives
 * (the text itself is never held), then with manifest keys its .sig; verify the signature
 * over that hash, and only then look at the parser's verdict and plan; check freshness and
 * record the Sequence, apply the EraseVer entries, and hand the chosen update to the
 * download (agent_download.c). When the parser asks for the text once more
 * (OTA_MANIFEST_AGAIN), the manifest is fetched again and must hash the same.
 *
 * Conditional GET: a check that ended in NO_UPDATE keeps the manifest's validator (its ETag,
 * else its Last-Modified) and sends it with the next check; a 304 then means "the same
 * manifest, nothing to do": no parse, no .sig, no signature check (a signed manifest's
 * freshness is checked again on the plan kept from it). Any other outcome forgets it.
 * Built with OTA_CONDITIONAL_GET 0, none of that: every check reads the manifest in full.
 */
#include <string.h>

#include "agent_internal.h"

static uint32_t agent_running_version(const ota_agent_t *a)
{
    if (a->config.running_version != 0u) {
        return a->config.running_version;
    }
    return ota_store_boot(a->ports.store)->running_version;
}

static bool agent_store_rejects(void *ctx, uint32_t version)
{
    return ota_store_is_rejected((const ota_store_t *)ctx, version);
}

/* The reader starts afresh for a check's first read of the manifest. */
static void agent_manifest_reader_begin(ota_agent_t *a)
{
    ota_manifest_device_t device = {
        .running_version = agent_running_version(a),
        .allow_downgrade = a->config.allow_downgrade,
        .is_rejected = agent_store_rejects,
        .rejected_ctx = a->ports.store,
        .hw_id = a->config.hw_id,
        .patches = ota_agent_patch_reader(a),
        .in_rollout = ota_agent_in_rollout,
        .rollout_ctx = a,
    };
    /* The reader shares its memory with the last verification: set up afresh. */
    ota_manifest_parser_init(&a->parser);
    a->parser.max_size = a->config.manifest_max;
    (void)ota_manifest_begin(&a->parser, &device, &a->plan); /* cannot fail: nothing NULL */
}

#if OTA_CONDITIONAL_GET
/* With conditional GET the reader starts on a 2xx answer only, so that a 304 leaves the last
 * plan as it was; without, when the check begins. */
static int agent_manifest_response(void *user, const ota_http_response_t *resp)
{
    ota_agent_t *a = user;
    (void)resp;
    if (!a->manifest_again) {
        agent_manifest_reader_begin(a);
    }
    return 0;
}
#endif

static int agent_manifest_body(void *user, uint64_t offset, const uint8_t *data, size_t len)
{
    ota_agent_t *a = user;
    uint32_t max = a->config.manifest_max;
    if (offset != a->manifest_len || len > max - a->manifest_len) {
        a->body_error = OTA_AGENT_ERR_MANIFEST_TOO_LARGE;
        return 1;
    }
    if (!a->manifest_hash_failed &&
        ota_sha256_update(&a->manifest_sha, data, len) != OTA_CRYPTO_OK) {
        a->manifest_hash_failed = true;
    }
    ota_manifest_feed(&a->parser, data, len);
    a->manifest_len += (uint32_t)len;
    return 0;
}

static int agent_sig_body(void *user, uint64_t offset, const uint8_t *data, size_t len)
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
static void agent_start_check_get(ota_agent_t *a, const char *url, ota_http_body_fn on_body,
                                  bool fetching_sig)
{
    a->body_error = OTA_AGENT_OK;
    bool first_read = !fetching_sig && !a->manifest_again;
    ota_http_request_t req = {
        .url = url,
        .range_from = 0,
        .on_body = on_body,
        .user = a,
    };
#if OTA_CONDITIONAL_GET
    req.on_response = fetching_sig ? NULL : agent_manifest_response;
    req.validator = first_read && a->validator_armed ? a->validator : NULL;
#else
    (void)first_read;
#endif
    ota_http_status_t hs = ota_http_get(&a->http, &req);
    if (hs != OTA_HTTP_IN_PROGRESS) {
        ota_agent_emit_failure(a, OTA_EVT_CHECK_FAILED, 0, OTA_SRC_HTTP, hs);
        a->state = OTA_AGENT_IDLE;
        return;
    }
    a->fetching_sig = fetching_sig;
    a->state = OTA_AGENT_CHECKING;
}

/* The manifest is in; its detached signature is next (manifest URL + ".sig"). Its URL is
 * spelled in the HTTP I/O buffer, free between requests, which ota_http_get() copies it from
 * before it writes there: no second URL buffer kept in ota_agent_t for it. The manifest URL
 * left room for the suffix (ota_agent_manifest_url_refusal). */
_Static_assert(OTA_AGENT_HTTP_BUF_SIZE >= OTA_URL_MAX, "the HTTP buffer holds any URL");
static void agent_start_sig_fetch(ota_agent_t *a)
{
    char *url = (char *)a->http_buf;
    size_t n = strlen(a->manifest_url);
    memcpy(url, a->manifest_url, n);
    memcpy(url + n, OTA_MANIFEST_SIG_SUFFIX, sizeof OTA_MANIFEST_SIG_SUFFIX);
    a->manifest_sig_len = 0;
    agent_start_check_get(a, url, agent_sig_body, true);
}

/* One read of the manifest (the second one only when the parser asks for it). */
static void agent_start_manifest_get(ota_agent_t *a, bool again)
{
    a->manifest_len = 0;
    a->manifest_again = again;
    a->manifest_hash_failed = ota_sha256_start(&a->manifest_sha) != OTA_CRYPTO_OK;
    agent_start_check_get(a, a->manifest_url, agent_manifest_body, false);
}

void ota_agent_check_begin(ota_agent_t *a)
{
    ota_agent_emit(a, OTA_EVT_CHECK_STARTED, 0);
#if !OTA_CONDITIONAL_GET
    agent_manifest_reader_begin(a);
#endif
    agent_start_manifest_get(a, false);
}

/* The manifest's validator as its response gave it: the ETag when it is one (quoted) and
 * fits, else the Last-Modified date when it fits, else none. Servers derive both from the
 * file's modification time in whole seconds, so a manifest rewritten within the second it was
 * read in could keep them: the validator is sent only once a read at least a second after the
 * first one gave the same validator with the same manifest (same_text), when that second is
 * over. It stays only if the check ends in NO_UPDATE (ota_agent_offer_update). */
static void agent_take_validator(ota_agent_t *a, bool same_text)
{
#if !OTA_CONDITIONAL_GET
    (void)a;
    (void)same_text; /* built without conditional GET: nothing is kept, nothing sent */
#else
    const ota_http_resp_head_t *h = ota_http_head(&a->http);
    const char *v = ota_http_resp_field(h, OTA_HTTP_FIELD_ETAG, NULL);
    if (!ota_http_is_entity_tag(v) ||
        h->field_len[OTA_HTTP_FIELD_ETAG] >= sizeof a->validator) {
        v = ota_http_resp_field(h, OTA_HTTP_FIELD_LAST_MODIFIED, NULL);
        if (v != NULL && h->field_len[OTA_HTTP_FIELD_LAST_MODIFIED] >= sizeof a->validator) {
            v = NULL;
        }
    }
    if (v == NULL) {
        ota_agent_forget_validator(a);
        return;
    }
    if (same_text && strcmp(v, a->validator) == 0) {
        a->validator_armed = a->validator_armed || a->now_ms - a->validator_ms >= 1000u;
        return;
    }
    memcpy(a->validator, v, strlen(v) + 1u); /* fits: checked above */
    a->validator_ms = a->now_ms;
    a->validator_armed = false;
#endif
}

/* The manifest's last byte is in: keep its hash and the parser's verdict. false: the check
 * goes on with a second read, or failed (CHECK_FAILED sent). */
static bool agent_manifest_complete(ota_agent_t *a)
{
    uint8_t hash[OTA_SHA256_SIZE];
    if (a->manifest_hash_failed || ota_sha256_finish(&a->manifest_sha, hash) != OTA_CRYPTO_OK) {
        /* No hash, no verdict on a signature, nor on a second read. */
        ota_agent_emit_failure(a, OTA_EVT_CHECK_FAILED, 0, OTA_SRC_MANIFEST_SIG,
                               OTA_MANIFEST_SIG_ERR_CRYPTO);
        return false;
    }
    if (a->manifest_again && memcmp(hash, a->manifest_hash, sizeof hash) != 0) {
        ota_agent_emit_failure(a, OTA_EVT_CHECK_FAILED, 0, OTA_SRC_MANIFEST,
                               OTA_MANIFEST_ERR_CHANGED);
        return false;
    }
    if (!a->manifest_again) {
        agent_take_validator(a, memcmp(hash, a->manifest_hash, sizeof hash) == 0);
    }
    memcpy(a->manifest_hash, hash, sizeof hash);
    a->manifest_status = ota_manifest_end(&a->parser);
    if (a->manifest_status == OTA_MANIFEST_AGAIN) {
        agent_start_manifest_get(a, true);
        return false;
    }
    return true;
}

/* Is the manifest signed by a trusted key? *is_signed says whether freshness applies; false
 * (after a CHECK_FAILED) refuses the manifest before a byte of it is parsed. */
static bool agent_manifest_authentic(ota_agent_t *a, bool *is_signed)
{
    *is_signed = false;
    if (a->config.manifest_keys == NULL) {
        return true;
    }
    ota_manifest_sig_status_t st = ota_manifest_sig_verify_hash(
        a->manifest_hash, a->manifest_sig, a->manifest_sig_len, a->config.manifest_keys);
    if (st == OTA_MANIFEST_SIG_ERR_UNSIGNED && !a->config.require_signed_manifest) {
        return true;
    }
    if (st != OTA_MANIFEST_SIG_OK) {
        ota_agent_emit_failure(a, OTA_EVT_CHECK_FAILED, 0, OTA_SRC_MANIFEST_SIG, st);
        return false;
    }
    *is_signed = true;
    return true;
}

/* A signed manifest must be fresh: not older than the highest Sequence accepted (kept in the
 * store, so a reset does not reopen a replay), not expired when the time is known, and not
 * the same Sequence for longer than the maximum age of monotonic time. Its Sequence becomes
 * the highest accepted before anything in it is acted on. */
static bool agent_manifest_fresh(ota_agent_t *a)
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
        ota_agent_emit_failure(a, OTA_EVT_CHECK_FAILED, 0, OTA_SRC_MANIFEST_SIG, st);
        return false;
    }
    if (!same) {
        a->fresh_sequence = a->plan.sequence;
        a->fresh_since_ms = a->now_ms;
    }
    ota_store_status_t ss = ota_store_raise_manifest_sequence(a->ports.store, a->plan.sequence);
    if (ss != OTA_STORE_OK) {
        ota_agent_emit_failure(a, OTA_EVT_CHECK_FAILED, 0, OTA_SRC_STORE, ss);
        return false;
    }
    return true;
}

/* An EraseVer of the running version rolls the device back: once the device trusts any key
 * (images or manifests), a manifest must be signed to do that. Without keys nothing is
 * authenticated anyway (docs/security.md says what that allows). */
static bool agent_erase_needs_signature(const ota_agent_t *a, uint32_t version)
{
    return version == ota_store_boot(a->ports.store)->running_version &&
           (a->config.manifest_keys != NULL || ota_store_trusted_keys(a->ports.store) != NULL);
}

static void agent_check_done(ota_agent_t *a)
{
    bool is_signed;
    if (!agent_manifest_authentic(a, &is_signed)) {
        return;
    }
    if (a->manifest_status != OTA_MANIFEST_OK) {
        ota_agent_emit_failure(a, OTA_EVT_CHECK_FAILED, 0, OTA_SRC_MANIFEST,
                               a->manifest_status);
        return;
    }
    if (is_signed && !agent_manifest_fresh(a)) {
        return;
    }
    a->check_failures = 0;

    for (uint32_t i = 0; i < a->plan.erase_count; i++) {
        uint32_t v = a->plan.erase_versions[i];
        if (!is_signed && agent_erase_needs_signature(a, v)) {
            ota_agent_emit_failure(a, OTA_EVT_ERASE_FAILED, v, OTA_SRC_AGENT,
                                   OTA_AGENT_ERR_ERASE_UNSIGNED);
            continue;
        }
        bool rolling_back;
        (void)ota_agent_apply_erase(a, v, true, &rolling_back);
        if (rolling_back) {
            ota_agent_forget_validator(a);
            return; /* nothing else is done before the reset that rolls back */
        }
    }

#if OTA_FILE_SLOTS
    if (ota_agent_files_begin(a)) {
        ota_agent_forget_validator(a); /* a 304 must not skip them if one fails */
        return; /* the files first: the update follows them */
    }
#endif
    ota_agent_offer_update(a);
}

void ota_agent_offer_update(ota_agent_t *a)
{
    if (!a->plan.has_update) {
        ota_agent_emit(a, OTA_EVT_NO_UPDATE, 0);
        return;
    }
    ota_agent_forget_validator(a); /* something to do: the next check reads it in full */
    a->update = a->plan.update;
    a->have_update = true;
    ota_agent_patch_choose(a);
    ota_agent_emit(a, OTA_EVT_UPDATE_AVAILABLE, a->update.version);
    if (a->config.auto_update) {
        ota_agent_image_begin(a);
    }
}

#if OTA_CONDITIONAL_GET
/* A 304 to the validator: the manifest of the last check, which ended in NO_UPDATE. A signed
 * one must still be fresh (its plan is the one kept from then). It was signed when its .sig
 * was received: a .sig that did not verify failed that check, which forgot the validator. */
static void agent_manifest_unchanged(ota_agent_t *a)
{
    if (a->manifest_sig_len != 0u && !agent_manifest_fresh(a)) {
        return; /* CHECK_FAILED sent; the validator is forgotten with it */
    }
    a->check_failures = 0;
    ota_agent_emit(a, OTA_EVT_NO_UPDATE, 0);
}
#endif

void ota_agent_check_poll(ota_agent_t *a)
{
    ota_http_status_t hs = ota_agent_http_poll(a);
    if (hs == OTA_HTTP_IN_PROGRESS || hs == OTA_HTTP_WOULD_BLOCK) {
        return;
    }
    a->state = OTA_AGENT_IDLE;
    bool sig = a->fetching_sig;
    a->fetching_sig = false;
    if (hs == OTA_HTTP_ERR_ABORTED && a->body_error != OTA_AGENT_OK) {
        /* More than the buffer holds: a manifest too large, or a .sig that is none. */
        if (sig) {
            ota_agent_emit_failure(a, OTA_EVT_CHECK_FAILED, 0, OTA_SRC_MANIFEST_SIG,
                                   OTA_MANIFEST_SIG_ERR_FORMAT);
        } else {
            ota_agent_emit_failure(a, OTA_EVT_CHECK_FAILED, 0, OTA_SRC_AGENT, a->body_error);
        }
        return;
    }
    /* No .sig (manifest_sig_len stays 0): an unsigned manifest, allowed or not. */
    bool no_sig = sig && hs == OTA_HTTP_ERR_STATUS &&
                  ota_http_response(&a->http)->status_code == 404u;
    if (hs != OTA_HTTP_OK && !no_sig) {
        ota_agent_emit_failure(a, OTA_EVT_CHECK_FAILED, 0, OTA_SRC_HTTP, hs);
        return;
    }
#if OTA_CONDITIONAL_GET
    if (!sig && ota_http_response(&a->http)->not_modified) {
        agent_manifest_unchanged(a);
        return;
    }
#endif
    if (!sig && !agent_manifest_complete(a)) {
        return;
    }
    if (!sig && a->config.manifest_keys != NULL) {
        agent_start_sig_fetch(a);
        return;
    }
    agent_check_done(a);
}
