/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A download's check over several calls (store.h, ota_store_check_begin): the same read-back
 * as ota_store_download_finish, one pass hashing the whole file (the manifest's digest) and
 * its header + payload (the image's own SHA-256; one SHA-256 of each byte where the engine
 * copies its state: src/image.c), but a bounded part per call, so that an
 * agent verifying megabytes returns to its application between parts (docs/agent.md). The
 * hash contexts live in the caller's ota_store_check_t; the store only marks the slot busy.
 * A raw image's check (ota_store_raw_check_begin, src/store_raw.c) hashes the raw file in
 * such steps first, and then goes on as this one with the image the store made of it.
 */
#include <string.h>

#include "image_pass.h"
#include "store_internal.h"

/* The pass over the check's contexts; header_same carried between calls. */
static image_pass_t store_check_pass(ota_store_check_t *c, uint8_t *file_hash)
{
    image_pass_t pass = {.image = &c->image_sha,
                         .image_len = c->parsed ? c->info.tlv_offset : 0u,
                         .file = &c->file_sha,
                         .file_hash = file_hash,
                         .header_same = c->header_same,
                         .one_context = c->one_context};
    return pass;
}

ota_store_status_t ota_store_check_begin(ota_store_t *store, ota_store_check_t *check)
{
    if (!check) {
        return OTA_STORE_ERR_ARG;
    }
    memset(check, 0, sizeof *check);
    uint8_t slot = 0;
    uint32_t total = 0;
    ota_store_status_t st = ota_store_finish_prepare(store, &slot, &total);
    if (st != OTA_STORE_OK) {
        return st;
    }
    bool parsed = false;
    st = ota_store_finish_parse(store, slot, total, &check->info, &parsed);
    if (st != OTA_STORE_OK) {
        return st;
    }
    check->slot = slot;
    check->parsed = parsed;
    uint8_t unused[OTA_SHA256_SIZE];
    image_pass_t pass = store_check_pass(check, unused);
    if (image_pass_start(&pass) != OTA_IMAGE_OK) {
        (void)image_pass_end(&pass, OTA_IMAGE_ERR_CRYPTO);
        return OTA_STORE_ERR_CRYPTO;
    }
    check->total = total; /* from here done < total: the contexts are started */
    check->header_same = pass.header_same;
    check->one_context = pass.one_context;
    store->dl.checking = true; /* dl.slot still names the slot */
    return OTA_STORE_OK;
}

/* Release the contexts of a check that has not reached its last byte (nothing judged). */
static void store_check_release(ota_store_check_t *c)
{
    if (c->done < c->total) {
        uint8_t digest[OTA_SHA256_SIZE];
        image_pass_t pass = store_check_pass(c, digest);
        (void)image_pass_end(&pass, OTA_IMAGE_ERR_ARG);
        c->done = c->total;
    }
}

/* The last byte is hashed: finish both hashes and judge. */
static ota_store_status_t store_check_end(ota_store_t *store, ota_store_check_t *c,
                                          image_pass_t *pass, ota_image_status_t ist)
{
    store->dl.checking = false;
    switch (image_pass_end(pass, ist)) {
    case OTA_IMAGE_OK: break;
    case OTA_IMAGE_ERR_CRYPTO: return OTA_STORE_ERR_CRYPTO;
    default: return OTA_STORE_ERR_FLASH; /* flash_status was set by the failed read */
    }
    bool intact = c->parsed && image_pass_intact(pass, &c->info);
    return ota_store_finish_judge(store, c->slot, c->total, &c->info, intact, pass->file_hash,
                                  c->digest_from_bytes);
}

ota_store_status_t ota_store_check_step(ota_store_t *store, ota_store_check_t *check,
                                        uint32_t max_bytes, bool *done)
{
    if (!store || !check || !done || max_bytes == 0u) {
        return OTA_STORE_ERR_ARG;
    }
    *done = false;
    if (!store->dl.checking || store->dl.slot != check->slot) {
        /* The store ended it (download_abort emptied the slot): the contexts are released. */
        store_check_release(check);
        return OTA_STORE_ERR_STATE;
    }
#if OTA_RAW_IMAGES
    if (check->raw_hashing) { /* its last step begins the whole image's check in *check */
        return ota_store_raw_check_step(store, check, max_bytes, done);
    }
#endif
    uint8_t digest[OTA_SHA256_SIZE];
    image_pass_t pass = store_check_pass(check, digest);
    uint32_t to = check->total - check->done > max_bytes ? check->done + max_bytes : check->total;
    ota_store_slot_source_t src;
    (void)ota_store_image_source(store, check->slot, &src);
    src.src.size = check->total;
    ota_image_status_t ist = image_pass_run(&src.src, check->parsed ? &check->info : NULL,
                                            check->done, to, store->work, sizeof store->work,
                                            &pass);
    check->header_same = pass.header_same;
    check->done = to;
    if (ist == OTA_IMAGE_OK && to < check->total) {
        return OTA_STORE_OK;
    }
    *done = true;
    return store_check_end(store, check, &pass, ist);
}

void ota_store_check_cancel(ota_store_t *store, ota_store_check_t *check)
{
    if (!store || !check) {
        return;
    }
    store_check_release(check);
    if (store->dl.checking && store->dl.slot == check->slot) {
        store->dl.checking = false;
    }
}
