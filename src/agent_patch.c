/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The agent's delta updates (include/otaflow/agent_patch.h, docs/delta.md "On the device"):
 * the check reads the manifest's patches into the application's ota_agent_patch_t; when the
 * chosen update has a patch whose base is in the store, the download fetches the patch
 * instead, hashes it (PatchDigest), rebuilds the image from the base's slot into the slot the
 * store gives the download, and leaves the verification (TargetDigest, the image's hash and
 * signature) to the store's finish as for any image. Anything that makes the patch unusable
 * falls back to the full image at once; a lost connection or a reset resumes.
 *
 * Resume: the patch is fed in pieces that end at multiples of 64 patch bytes, where the
 * PatchDigest's hash state can be saved (36 B). After a piece, when the applier has passed a
 * checkpoint beyond the store's durable offset (one per erase sector of output: io's
 * checkpoint_every; an otaflow block start), the agent makes the store's offset durable up to
 * it (a journal record) and appends a note to the slot's last sector: the checkpoint and the
 * hash state. The next attempt (same power cycle or not) reads the last note, resumes the
 * applier and the hash there, and asks for the patch from the earlier of their two offsets
 * with a Range request; rebuilt bytes the slot already holds are dropped, not written again.
 * Without a usable note (none yet, another patch's) the patch is fetched from its first byte.
 */
#include <string.h>

#include "agent_internal.h"

/* The patch RAM; none in a core built with OTA_DELTA_PATCHES 0, so that every entry point
 * below returns at its first test and the compiler drops the rest. */
static ota_agent_patch_t *agent_patch(const ota_agent_t *a)
{
#if OTA_DELTA_PATCHES
    return a->ports.patch;
#else
    (void)a;
    return NULL;
#endif
}

/* A resume note (ota_store_note_append): where applying and hashing the patch go on. */
#define AGENT_PATCH_NOTE_MAGIC 0x314E504Fu /* "OPN1" */
typedef struct agent_patch_note {
    uint32_t magic;
    uint8_t patch_digest[8];      /* which patch: PatchDigest's first bytes */
    ota_delta_checkpoint_t cp;    /* the applier's */
    ota_sha256_midstate_t hash;   /* PatchDigest over the patch's first hash.bytes bytes */
} agent_patch_note_t;
_Static_assert(sizeof(agent_patch_note_t) <= OTA_STORE_NOTE_MAX, "a note over the store's");

/* Patch bytes hashed and fed in pieces that end where the hash state can be saved. */
#define AGENT_PATCH_PIECE 64u

static uint8_t agent_patch_find_base(void *ctx, uint32_t version,
                                     const uint8_t digest[OTA_SHA256_SIZE])
{
    uint8_t slot = ota_store_find_image((const ota_store_t *)ctx, version, digest);
    return slot == OTA_STORE_SLOT_NONE ? OTA_MANIFEST_NO_BASE : slot;
}

ota_manifest_patches_t *ota_agent_patch_reader(ota_agent_t *a)
{
    ota_agent_patch_t *pt = agent_patch(a);
    if (pt == NULL) {
        return NULL;
    }
    pt->active = false; /* the applier's RAM is the reader's now */
    memset(&pt->u.reading, 0, sizeof pt->u.reading);
    pt->u.reading.find_base = agent_patch_find_base;
    pt->u.reading.base_ctx = a->ports.store;
    return &pt->u.reading;
}

void ota_agent_patch_choose(ota_agent_t *a)
{
    ota_agent_patch_t *pt = agent_patch(a);
    if (pt == NULL) {
        return;
    }
    pt->active = false;
    const ota_manifest_patch_t *p = &pt->u.reading.best;
    if (!pt->u.reading.chosen ||
        (pt->failed_version == a->update.version &&
         memcmp(pt->failed_target, p->target_digest, sizeof pt->failed_target) == 0)) {
        return;
    }
    pt->active = true;
    pt->base_slot = p->base_slot;
    pt->base_version = p->base_version;
    memcpy(pt->patch_digest, p->patch_digest, OTA_SHA256_SIZE);
    /* The store checks the rebuilt file against TargetDigest; the full image's URL and
     * digest stay in a->plan for a fall back. */
    memcpy(a->update.digest, p->target_digest, OTA_SHA256_SIZE);
    memcpy(a->update.url, p->url, (size_t)p->url_len + 1u);
    a->update.url_len = p->url_len;
    a->update.has_size = false; /* Size is the full image's: the patch has its own */
    a->update.size = 0;
}

void ota_agent_patch_forget(ota_agent_t *a)
{
    ota_agent_patch_t *pt = agent_patch(a);
    if (pt != NULL) {
        pt->active = false;
    }
}

bool ota_agent_patching(const ota_agent_t *a)
{
    const ota_agent_patch_t *pt = agent_patch(a);
    return pt != NULL && pt->active;
}

/* The patch cannot be used: never again for this version and target while the manifest
 * offers them; the full image at the next poll, from its first byte. */
static void agent_patch_fall_back(ota_agent_t *a, ota_event_source_t source, int32_t status)
{
    ota_agent_patch_t *pt = agent_patch(a);
    ota_store_t *store = a->ports.store;
    uint8_t slot;
    uint32_t next;
    pt->active = false;
    pt->failed_version = a->update.version;
    memcpy(pt->failed_target, a->update.digest, sizeof pt->failed_target);
    if (ota_store_download_active(store, &slot, &next)) {
        (void)ota_store_download_abort(store); /* bytes a bad patch wrote: not a prefix */
    }
    ota_agent_emit_failure(a, OTA_EVT_PATCH_FAILED, a->update.version, source, status);
    a->state = OTA_AGENT_IDLE;
    if (a->plan.has_update && a->plan.update.version == a->update.version) {
        /* The next poll starts it (as ota_agent_download() does): no call back into the
         * download from here, so the call graph has no cycle and the stack stays bounded. */
        a->update = a->plan.update;
        a->download_requested = true;
    }
}

/* The attempt stopped short of the patch's end (connection, flash): what is durable stays,
 * the next check resumes. */
static void agent_patch_interrupted(ota_agent_t *a, ota_event_source_t source, int32_t status)
{
    ota_agent_emit_failure(a, OTA_EVT_DOWNLOAD_FAILED, a->update.version, source, status);
    (void)ota_store_download_checkpoint(a->ports.store, NULL);
    a->state = OTA_AGENT_IDLE;
}

static int agent_patch_read_base(void *ctx, uint32_t offset, uint8_t *buf, uint32_t len)
{
    ota_agent_t *a = ctx;
    return ota_store_slot_read(a->ports.store, agent_patch(a)->base_slot, offset, buf, len) ==
                   OTA_STORE_OK
               ? 0
               : -1;
}

/* Rebuilt bytes: those the slot holds already (a resumed patch starts again from its first
 * byte) are dropped; the store says where its download goes on. */
static int agent_patch_write(void *ctx, uint32_t offset, const uint8_t *data, uint32_t len)
{
    ota_agent_t *a = ctx;
    uint8_t slot;
    uint32_t have = 0;
    uint32_t end = offset + len;
    if (!ota_store_download_active(a->ports.store, &slot, &have)) {
        a->body_store_status = OTA_STORE_ERR_STATE;
        return -1;
    }
    if (end > have) {
        uint32_t from = offset > have ? offset : have;
        ota_store_status_t st =
            ota_store_download_write(a->ports.store, from, data + (from - offset), end - from);
        if (st != OTA_STORE_OK) {
            a->body_store_status = st;
            return -1;
        }
    }
    a->received = end;
    return 0;
}

/* The applier recorded a checkpoint (io.on_checkpoint) at or beyond the store's durable
 * offset: make the rebuilt bytes durable up to it and note where to resume. At, too: the
 * store's own record (checkpoint_interval) may have got there first, and has no room for the
 * applier's state. Only while the hash has taken a multiple of 64 patch bytes (its state can
 * be saved then). A note that cannot be made costs only resume distance; a store that fails
 * stops the attempt. */
static int agent_patch_checkpoint(void *ctx, const ota_delta_checkpoint_t *cp)
{
    ota_agent_t *a = ctx;
    ota_agent_patch_t *pt = agent_patch(a);
    ota_store_t *store = a->ports.store;
    agent_patch_note_t note;
    uint8_t slot;
    uint32_t next;
    if (!ota_store_download_active(store, &slot, &next) ||
        cp->output_offset < ota_store_slot(store, slot)->offset ||
        (pt->hashed & (AGENT_PATCH_PIECE - 1u)) != 0) {
        return 0;
    }
    uint32_t durable = 0;
    ota_store_status_t st = ota_store_download_checkpoint(store, &durable);
    if (st == OTA_STORE_OK && durable >= cp->output_offset &&
        ota_sha256_save(&a->manifest_sha, &note.hash) == OTA_CRYPTO_OK) {
        note.magic = AGENT_PATCH_NOTE_MAGIC;
        memcpy(note.patch_digest, pt->patch_digest, sizeof note.patch_digest);
        note.cp = *cp;
        st = ota_store_note_append(store, &note, sizeof note);
    }
    a->body_store_status = st;
    return st != OTA_STORE_OK;
}

/* Bytes of the piece at `at` that the hash (hash) or the applier (not hash) has not taken yet
 * (a 200 answering the Range request starts again at 0). */
static int agent_patch_take(ota_agent_t *a, ota_agent_patch_t *pt, bool hash, uint32_t at,
                            const uint8_t *data, uint32_t len)
{
    uint32_t end = at + len;
    uint32_t have = hash ? pt->hashed : ota_delta_patch_offset(&pt->u.applier);
    if (end <= have) {
        return 0;
    }
    if (hash) {
        if (ota_sha256_update(&a->manifest_sha, data + (have - at), end - have) !=
            OTA_CRYPTO_OK) {
            a->body_error = OTA_AGENT_ERR_STORE;
            a->body_store_status = OTA_STORE_ERR_CRYPTO;
            return 1;
        }
        pt->hashed = end;
        return 0;
    }
    ota_delta_status_t st = ota_delta_feed(&pt->u.applier, data + (have - at), end - have);
    if (st == OTA_DELTA_ERR_WRITE) {
        a->body_error = OTA_AGENT_ERR_STORE; /* body_store_status says why */
        return 1;
    }
    if (st != OTA_DELTA_OK) {
        pt->delta_status = (int8_t)st;
        return 1;
    }
    return 0;
}

/* One piece of the patch: within 64 bytes, so that while the applier takes it (and its
 * checkpoints are noted) the hash stands at a multiple of 64: at the piece's start if it is
 * one (applier first), else at its end (hash first) unless the piece is a chunk's tail too. */
static int agent_patch_piece(ota_agent_t *a, ota_agent_patch_t *pt, uint32_t at,
                             const uint8_t *data, uint32_t len)
{
    bool hash_first = (pt->hashed & (AGENT_PATCH_PIECE - 1u)) != 0;
    return agent_patch_take(a, pt, hash_first, at, data, len) ||
           agent_patch_take(a, pt, !hash_first, at, data, len);
}

/* The patch's bytes in order, from the offset asked for (a 206) or from 0 (a 200); the HTTP
 * client delivers them without a gap (src/http.c). */
static int agent_patch_body(void *user, uint64_t offset, const uint8_t *data, size_t len)
{
    ota_agent_t *a = user;
    ota_agent_patch_t *pt = agent_patch(a);
    if (offset > pt->hashed || offset > ota_delta_patch_offset(&pt->u.applier) ||
        len > UINT32_MAX - offset) {
        pt->delta_status = OTA_DELTA_ERR_OVERSIZE; /* not the patch the checkpoint is in */
        return 1;
    }
    while (len > 0) {
        uint32_t at = (uint32_t)offset;
        uint32_t n = AGENT_PATCH_PIECE - (at & (AGENT_PATCH_PIECE - 1u));
        n = len < n ? (uint32_t)len : n;
        if (agent_patch_piece(a, pt, at, data, n) != 0) {
            return 1;
        }
        offset += n;
        data += n;
        len -= n;
    }
    ota_agent_maybe_progress(a, OTA_EVT_DOWNLOAD_PROGRESS, a->received);
    return 0;
}

/* The base is still the one the manifest named, and the rebuilt image goes elsewhere. */
static bool agent_patch_base_usable(const ota_agent_t *a)
{
    const ota_agent_patch_t *pt = agent_patch(a);
    ota_store_t *store = a->ports.store;
    const ota_store_slot_t *base = ota_store_slot(store, pt->base_slot);
    return base != NULL && base->version == pt->base_version &&
           (base->state == OTA_SLOT_STORED || base->state == OTA_SLOT_INSTALLED) &&
           ota_store_download_slot(store, a->update.version, a->update.digest) != pt->base_slot;
}

/* The last note of this patch, if the slot holds the output before it (resume: the store's
 * offset): the applier and the hash go on there. */
static bool agent_patch_resume(ota_agent_t *a, ota_agent_patch_t *pt, const ota_delta_io_t *io,
                               uint32_t resume, uint32_t *fetch_from)
{
    agent_patch_note_t note;
    if (resume == 0 || ota_store_note_last(a->ports.store, &note, sizeof note) != OTA_STORE_OK ||
        note.magic != AGENT_PATCH_NOTE_MAGIC ||
        memcmp(note.patch_digest, pt->patch_digest, sizeof note.patch_digest) != 0 ||
        note.cp.output_offset > resume ||
        ota_delta_resume(&pt->u.applier, io, &note.cp) != OTA_DELTA_OK ||
        ota_sha256_restore(&a->manifest_sha, &note.hash) != OTA_CRYPTO_OK) {
        return false;
    }
    pt->hashed = note.hash.bytes;
    *fetch_from = note.hash.bytes < note.cp.patch_offset ? note.hash.bytes : note.cp.patch_offset;
    return true;
}

bool ota_agent_patch_begin(ota_agent_t *a)
{
    ota_agent_patch_t *pt = agent_patch(a);
    if (pt == NULL || !pt->active) {
        return false;
    }
    ota_agent_status_t why = agent_patch_base_usable(a) ? ota_agent_url_refusal(a, a->update.url)
                                                         : OTA_AGENT_ERR_PATCH_BASE;
    if (why != OTA_AGENT_OK) {
        agent_patch_fall_back(a, OTA_SRC_AGENT, why);
        return true;
    }
    uint32_t resume = 0;
    if (!ota_agent_store_begin(a, &resume)) {
        pt->active = false;
        return true;
    }
    ota_store_t *store = a->ports.store;
    uint32_t limit = ota_store_note_limit(store);
    ota_delta_io_t io = {
        .read_base = agent_patch_read_base,
        .write_out = agent_patch_write,
        .ctx = a,
        .base_size = ota_store_slot(store, pt->base_slot)->size,
        /* the rebuilt image stays clear of the notes */
        .output_max = limit != 0 ? limit : ota_store_layout(store)->slot_size,
        .checkpoint_every = ota_store_layout(store)->journal_sector_size,
        /* a slot of one sector has no room for notes: resumes start the patch again */
        .on_checkpoint = limit != 0 ? agent_patch_checkpoint : NULL,
    };
    uint32_t fetch_from = 0;
    pt->delta_status = OTA_DELTA_OK;
    a->raw = false;
    a->head_decided = true;
    a->received = resume;
    a->total = 0;
    a->next_progress = resume + a->config.progress_step;
    a->body_error = OTA_AGENT_OK;
    a->body_store_status = OTA_STORE_OK;
    if (!agent_patch_resume(a, pt, &io, resume, &fetch_from)) {
        ota_store_status_t st =
            resume == 0 && limit != 0 ? ota_store_note_clear(store) : OTA_STORE_OK;
        (void)ota_delta_init(&pt->u.applier, &io); /* cannot fail: nothing NULL */
        pt->hashed = 0;
        if (st != OTA_STORE_OK || ota_sha256_start(&a->manifest_sha) != OTA_CRYPTO_OK) {
            agent_patch_interrupted(a, OTA_SRC_STORE,
                                    st != OTA_STORE_OK ? st : OTA_STORE_ERR_CRYPTO);
            return true;
        }
    }
    a->resume_from = fetch_from;
    ota_agent_emit(a, OTA_EVT_PATCH_STARTED, a->update.version);
    ota_http_request_t req = {
        .url = a->update.url,
        .range_from = fetch_from,
        .on_body = agent_patch_body,
        .on_response = NULL,
        .user = a,
    };
    ota_http_status_t hs = ota_http_get(&a->http, &req);
    if (hs != OTA_HTTP_IN_PROGRESS) {
        agent_patch_interrupted(a, OTA_SRC_HTTP, hs);
        return true;
    }
    a->state = OTA_AGENT_DOWNLOADING;
    return true;
}

void ota_agent_patch_poll(ota_agent_t *a)
{
    ota_agent_patch_t *pt = agent_patch(a);
    ota_http_status_t hs = ota_agent_http_poll(a); /* io_wait: when to poll next */
    if (pt == NULL || hs == OTA_HTTP_IN_PROGRESS || hs == OTA_HTTP_WOULD_BLOCK) {
        return; /* (no patch RAM: never called, ota_agent_patching is false) */
    }
    if (pt->delta_status != OTA_DELTA_OK) {
        agent_patch_fall_back(a, OTA_SRC_DELTA, pt->delta_status);
        return;
    }
    if (hs == OTA_HTTP_ERR_ABORTED && a->body_error == OTA_AGENT_ERR_STORE) {
        agent_patch_interrupted(a, OTA_SRC_STORE, a->body_store_status);
        return;
    }
    if (hs == OTA_HTTP_ERR_ABORTED && a->body_error != OTA_AGENT_OK) {
        agent_patch_interrupted(a, OTA_SRC_AGENT, a->body_error);
        return;
    }
    if (hs == OTA_HTTP_ERR_STATUS) {
        /* The server has no such patch (or will not give it): the image may be there. */
        agent_patch_fall_back(a, OTA_SRC_HTTP, hs);
        return;
    }
    if (hs != OTA_HTTP_OK) {
        agent_patch_interrupted(a, OTA_SRC_HTTP, hs);
        return;
    }
    ota_delta_status_t st = ota_delta_finish(&pt->u.applier);
    if (st == OTA_DELTA_ERR_WRITE) {
        agent_patch_interrupted(a, OTA_SRC_STORE, a->body_store_status);
        return;
    }
    if (st != OTA_DELTA_OK) {
        agent_patch_fall_back(a, OTA_SRC_DELTA, st);
        return;
    }
    uint8_t digest[OTA_SHA256_SIZE];
    if (ota_sha256_finish(&a->manifest_sha, digest) != OTA_CRYPTO_OK) {
        agent_patch_interrupted(a, OTA_SRC_STORE, OTA_STORE_ERR_CRYPTO);
        return;
    }
    if (memcmp(digest, pt->patch_digest, sizeof digest) != 0) {
        agent_patch_fall_back(a, OTA_SRC_AGENT, OTA_AGENT_ERR_PATCH_DIGEST);
        return;
    }
    a->total = a->received;
    ota_agent_emit(a, OTA_EVT_PATCH_DONE, a->update.version);
    ota_agent_verify_begin(a);
}

bool ota_agent_patch_verified(ota_agent_t *a, ota_store_status_t st)
{
    ota_agent_patch_t *pt = agent_patch(a);
    if (pt == NULL || !pt->active) {
        return false;
    }
    if (st == OTA_STORE_OK) {
        pt->active = false;
        return false;
    }
    if (st == OTA_STORE_ERR_FLASH || st == OTA_STORE_ERR_CRYPTO ||
        st == OTA_STORE_ERR_JOURNAL_FULL) {
        return false; /* no verdict on the bytes: the slot stays DOWNLOADING, to resume */
    }
    /* The rebuilt file is not the target (TargetDigest), or not an image this device takes. */
    ota_agent_emit_failure(a, OTA_EVT_VERIFY_FAILED, a->update.version, OTA_SRC_STORE, st);
    agent_patch_fall_back(a, OTA_SRC_STORE, st);
    return true;
}
