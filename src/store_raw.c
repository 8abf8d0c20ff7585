/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The original's raw images in the store (OTA_RAW_IMAGES): a hex2bin `.bin` with no header,
 * whose manifest Digest is the SHA-256 of the file and whose optional Signature is the
 * original's r||s over that SHA-256. The store writes the header the `.ota` would have had
 * before the bytes and its TLV area after them, so the slot holds an ordinary image that the
 * bootloader installs and checks like any other (docs/store.md, raw images).
 *
 * Ordering is the store's usual one: the RAW flag and the size are recorded before a byte is
 * written; the file's digest and signature are checked on the bytes read back before the TLV
 * area is written; the slot becomes STORED only after the whole image read back from flash
 * passed the same checks as a downloaded `.ota` (store.c).
 */
#include "otaflow/config.h"

#include <string.h>

#include "otaflow/store.h"
#include "sig_raw.h"
#include "store_internal.h"

#if OTA_RAW_IMAGES
/* Bytes read from flash at once by the read-back below: the work buffer holds the staged
 * tail, so this pass reads through a buffer of its own. */
#define RAW_READ_CHUNK 128u
/* TLV area the store adds: info, SHA256; with keys KEY_HASH and ECDSA_P256_PAYLOAD. */
#define RAW_TLV_PLAIN (OTA_IMAGE_TLV_INFO_SIZE + OTA_IMAGE_TLV_ENTRY_HDR + OTA_SHA256_SIZE)
#define RAW_TLV_SIGNED                                                                           \
    (RAW_TLV_PLAIN + 2u * OTA_IMAGE_TLV_ENTRY_HDR + OTA_SHA256_SIZE + OTA_RAW_SIG_SIZE)

static ota_store_slot_t *store_raw_slot(ota_store_t *store)
{
    return &store->state.slots[store->dl.slot];
}

static uint32_t store_raw_tlv_size(const ota_store_t *store)
{
    return store->trusted_keys != NULL ? RAW_TLV_SIGNED : RAW_TLV_PLAIN;
}


ota_store_status_t ota_store_raw_start(ota_store_t *store, uint32_t raw_size, uint32_t load_addr)
{
    if (!store || raw_size == 0u) {
        return OTA_STORE_ERR_ARG;
    }
    if (!store->dl.active) {
        return OTA_STORE_ERR_STATE;
    }
    const ota_store_slot_t *s = store_raw_slot(store);
    bool raw = (s->flags & OTA_SLOT_FLAG_RAW) != 0u;
    if (!raw && (store->dl.next != 0u || store->dl.fill != 0u)) {
        return OTA_STORE_ERR_STATE;
    }
    if (raw_size > store->layout.slot_size - OTA_STORE_RAW_HEAD - store_raw_tlv_size(store)) {
        return OTA_STORE_ERR_TOO_LARGE;
    }
    uint32_t size = OTA_STORE_RAW_HEAD + raw_size;
    if (raw ? s->size != size : s->size != 0u && s->size != raw_size) {
        return OTA_STORE_ERR_SIZE;
    }
    if (!raw) {
        ota_store_stage(store);
        ota_store_slot_t *n = &store->staged.slots[store->dl.slot];
        n->flags = (uint8_t)(n->flags | OTA_SLOT_FLAG_RAW);
        n->size = size;
        ota_store_status_t st = ota_store_commit(store);
        if (st != OTA_STORE_OK) {
            store->dl.active = false; /* as after a failed write: resume through begin */
            return st;
        }
    }
    if (store->dl.next != 0u) {
        return OTA_STORE_OK; /* the header is before the durable offset */
    }
    ota_image_header_t h = {
        .version = s->version,
        .load_addr = load_addr,
        .payload_size = raw_size,
        .hw_id = store->hw_id,
    };
    uint8_t head[OTA_STORE_RAW_HEAD];
    ota_image_header_encode(&h, head);
    ota_store_status_t st = ota_store_stage_write(store, head, sizeof head);
    if (st != OTA_STORE_OK) {
        store->dl.active = false;
    }
    return st;
}

/* SHA-256 of [from, to) of what the slot will hold before its TLV area: read back from flash
 * below dl.base, the tail still staged in the work buffer above it. Into si (all of it) and
 * sf (the raw file: from OTA_STORE_RAW_HEAD on). ERR_FLASH (read), ERR_CRYPTO (engine). */
static ota_store_status_t store_raw_hash_range(ota_store_t *store, ota_sha256_t *si,
                                               ota_sha256_t *sf, uint32_t from, uint32_t to)
{
    bool ok = true;
    ota_store_status_t st = OTA_STORE_OK;
    uint8_t buf[RAW_READ_CHUNK];
    const ota_store_download_t *dl = &store->dl;
    for (uint32_t pos = from; pos < to && st == OTA_STORE_OK;) {
        uint32_t n = to - pos;
        const uint8_t *p = buf;
        if (pos < dl->base) {
            n = dl->base - pos < n ? dl->base - pos : n;
            n = n < sizeof buf ? n : (uint32_t)sizeof buf;
            st = ota_store_slot_read(store, dl->slot, pos, buf, n);
        } else {
            p = store->work + (pos - dl->base);
        }
        if (st == OTA_STORE_OK) {
            ok = ota_sha256_update(si, p, n) == OTA_CRYPTO_OK && ok;
            uint32_t skip = pos < OTA_STORE_RAW_HEAD ? OTA_STORE_RAW_HEAD - pos : 0u;
            if (skip < n) {
                ok = ota_sha256_update(sf, p + skip, n - skip) == OTA_CRYPTO_OK && ok;
            }
        }
        pos += n;
    }
    if (st != OTA_STORE_OK) {
        return st;
    }
    return ok ? OTA_STORE_OK : OTA_STORE_ERR_CRYPTO;
}

/* Finish both contexts (always: they are released) into image and file; st, or ERR_CRYPTO
 * when st was OK and a hash failed. */
static ota_store_status_t store_raw_hashes_end(ota_sha256_t *si, ota_sha256_t *sf,
                                               ota_store_status_t st,
                                               uint8_t image[OTA_SHA256_SIZE],
                                               uint8_t file[OTA_SHA256_SIZE])
{
    bool ok = ota_sha256_finish(si, image) == OTA_CRYPTO_OK;
    ok = ota_sha256_finish(sf, file) == OTA_CRYPTO_OK && ok;
    return st == OTA_STORE_OK && !ok ? OTA_STORE_ERR_CRYPTO : st;
}

/* The trusted key that made `signature` over `hash`: OK with *key; ERR_UNSIGNED without a
 * signature; ERR_SIGNATURE when none did; ERR_CRYPTO when none did and a key could not say. */
static ota_store_status_t store_raw_signer(const ota_store_t *store, const uint8_t *signature,
                                     const uint8_t hash[OTA_SHA256_SIZE], const ota_sig_key_t **key)
{
    if (signature == NULL) {
        return OTA_STORE_ERR_UNSIGNED;
    }
    uint8_t der[OTA_ECDSA_P256_SIG_MAX];
    size_t der_len = ota_sig_raw_to_der(signature, der);
    const ota_sig_keyring_t *ring = store->trusted_keys;
    ota_store_status_t none = OTA_STORE_ERR_SIGNATURE;
    for (size_t i = 0; ring->keys != NULL && i < ring->count; i++) {
        switch (ota_sig_verify_hash(ring, ring->keys[i].key_id, OTA_SIG_ALG_ECDSA_P256, hash, der,
                                    der_len)) {
        case OTA_SIG_OK: *key = &ring->keys[i]; return OTA_STORE_OK;
        case OTA_SIG_ERR_BAD_SIGNATURE:
        case OTA_SIG_ERR_UNKNOWN_KEY: break;
        default: none = OTA_STORE_ERR_CRYPTO; break;
        }
    }
    return none;
}

/* The raw file was refused for what it is: the slot is recorded EMPTY, the download is over. */
static ota_store_status_t store_raw_refuse(ota_store_t *store, ota_store_status_t why)
{
    ota_store_status_t st = ota_store_download_abort(store);
    store->dl.active = false;
    return st != OTA_STORE_OK ? st : why;
}

/* What the raw finish and its steps check first: a raw download with all its bytes. */
static ota_store_status_t store_raw_complete(const ota_store_t *store)
{
    if (!ota_store_download_is_raw(store)) {
        return OTA_STORE_ERR_STATE;
    }
    const ota_store_slot_t *s = &store->state.slots[store->dl.slot];
    return store->dl.next == s->size ? OTA_STORE_OK : OTA_STORE_ERR_SIZE;
}

/* The raw file's bytes are hashed: its digest must be the manifest's and, with keys, its
 * signature a trusted key's; then the TLV area is staged after it. OK: the image is to be
 * finished (its whole check follows); else the refusal (slot EMPTY) or the failure (slot
 * DOWNLOADING, resumable). */
static ota_store_status_t store_raw_seal(ota_store_t *store,
                                         const uint8_t image_hash[OTA_SHA256_SIZE],
                                         const uint8_t file_hash[OTA_SHA256_SIZE],
                                         const uint8_t *signature)
{
    if (memcmp(file_hash, store_raw_slot(store)->digest, OTA_SHA256_SIZE) != 0) {
        return store_raw_refuse(store, OTA_STORE_ERR_DIGEST);
    }
    const ota_sig_key_t *key = NULL;
    if (store->trusted_keys != NULL) {
        ota_store_status_t st = store_raw_signer(store, signature, file_hash, &key);
        if (st == OTA_STORE_ERR_CRYPTO) {
            store->dl.active = false;
            return st;
        }
        if (st != OTA_STORE_OK) {
            return store_raw_refuse(store, st);
        }
    }
    uint8_t tlv[RAW_TLV_SIGNED];
    uint32_t tlv_len = 0;
    ota_image_tlv_writer_t w;
    (void)ota_image_tlv_begin(&w, tlv, sizeof tlv);
    (void)ota_image_tlv_add(&w, OTA_IMAGE_TLV_SHA256, image_hash, OTA_SHA256_SIZE);
    if (key != NULL) {
        (void)ota_image_tlv_add(&w, OTA_IMAGE_TLV_KEY_HASH, key->key_id, OTA_SHA256_SIZE);
        (void)ota_image_tlv_add(&w, OTA_IMAGE_TLV_ECDSA_P256_PAYLOAD, signature, OTA_RAW_SIG_SIZE);
    }
    if (ota_image_tlv_finish(&w, &tlv_len) != OTA_IMAGE_OK) {
        return store_raw_refuse(store, OTA_STORE_ERR_IMAGE); /* cannot happen: sizes are fixed */
    }
    ota_store_status_t st = ota_store_stage_write(store, tlv, tlv_len);
    if (st != OTA_STORE_OK) {
        store->dl.active = false;
    }
    return st;
}

ota_store_status_t ota_store_raw_finish(ota_store_t *store,
                                        const uint8_t signature[OTA_RAW_SIG_SIZE])
{
    if (!store) {
        return OTA_STORE_ERR_ARG;
    }
    ota_store_status_t st = store_raw_complete(store);
    if (st != OTA_STORE_OK) {
        return st;
    }
    ota_sha256_t si, sf;
    bool ok = ota_sha256_start(&si) == OTA_CRYPTO_OK;
    ok = ota_sha256_start(&sf) == OTA_CRYPTO_OK && ok;
    st = store_raw_hash_range(store, &si, &sf, 0, store->dl.next);
    uint8_t image_hash[OTA_SHA256_SIZE], file_hash[OTA_SHA256_SIZE];
    st = store_raw_hashes_end(&si, &sf, ok ? st : OTA_STORE_ERR_CRYPTO, image_hash, file_hash);
    if (st != OTA_STORE_OK) {
        store->dl.active = false; /* no verdict: the slot stays DOWNLOADING, a retry resumes */
        return st;
    }
    st = store_raw_seal(store, image_hash, file_hash, signature);
    return st != OTA_STORE_OK ? st : ota_store_finish_download(store, true);
}

ota_store_status_t ota_store_raw_check_begin(ota_store_t *store,
                                             const uint8_t signature[OTA_RAW_SIG_SIZE],
                                             ota_store_check_t *check)
{
    if (!store || !check) {
        return OTA_STORE_ERR_ARG;
    }
    memset(check, 0, sizeof *check);
    ota_store_status_t st = store_raw_complete(store);
    if (st != OTA_STORE_OK) {
        return st;
    }
    bool ok = ota_sha256_start(&check->image_sha) == OTA_CRYPTO_OK;
    ok = ota_sha256_start(&check->file_sha) == OTA_CRYPTO_OK && ok;
    if (!ok) {
        uint8_t unused[2][OTA_SHA256_SIZE];
        return store_raw_hashes_end(&check->image_sha, &check->file_sha, OTA_STORE_ERR_CRYPTO,
                                    unused[0], unused[1]);
    }
    check->slot = store->dl.slot;
    check->total = store->dl.next; /* from here done < total: the contexts are started */
    check->raw_hashing = true;
    check->raw_signature = signature;
    store->dl.checking = true;
    return OTA_STORE_OK;
}

ota_store_status_t ota_store_raw_check_step(ota_store_t *store, ota_store_check_t *check,
                                            uint32_t max_bytes, bool *done)
{
    uint32_t to = check->total - check->done > max_bytes ? check->done + max_bytes : check->total;
    ota_store_status_t st =
        store_raw_hash_range(store, &check->image_sha, &check->file_sha, check->done, to);
    check->done = to;
    if (st == OTA_STORE_OK && to < check->total) {
        return OTA_STORE_OK;
    }
    check->done = check->total; /* the contexts are released below */
    store->dl.checking = false;
    uint8_t image_hash[OTA_SHA256_SIZE], file_hash[OTA_SHA256_SIZE];
    st = store_raw_hashes_end(&check->image_sha, &check->file_sha, st, image_hash, file_hash);
    if (st != OTA_STORE_OK) {
        store->dl.active = false; /* no verdict: as ota_store_raw_finish */
    } else {
        st = store_raw_seal(store, image_hash, file_hash, check->raw_signature);
    }
    if (st == OTA_STORE_OK) {
        st = ota_store_check_begin(store, check); /* the whole image, as any download's */
        check->digest_from_bytes = true;
    }
    *done = st != OTA_STORE_OK;
    return st;
}
#endif /* OTA_RAW_IMAGES */

/* Also without OTA_RAW_IMAGES: the agent asks it of every resumed download (always false). */
bool ota_store_download_is_raw(const ota_store_t *store)
{
    return store != NULL && store->dl.active &&
           (store->state.slots[store->dl.slot].flags & OTA_SLOT_FLAG_RAW) != 0u;
}
