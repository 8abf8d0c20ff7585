/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The one read of an image that hashes it (src/image.c), shared by ota_image_verify, the
 * bootloader's check (src/boot_copy.c) and the store's download check (src/store_check.c),
 * which also take the whole file's digest in the same pass; the store's runs over several
 * calls (start, run a range at a time, end). Private to src/.
 */
#ifndef OTAFLOW_IMAGE_PASS_H
#define OTAFLOW_IMAGE_PASS_H

#include <stdbool.h>
#include <string.h>

#include "otaflow/crypto.h"
#include "otaflow/image.h"

/** The hashes one pass computes; file is optional. */
typedef struct image_pass {
    ota_sha256_t *image;                /**< context for header + payload */
    uint32_t image_len;                 /**< their bytes: [0, image_len) */
    ota_sha256_t *file;                 /**< context for all len bytes, or NULL */
    uint8_t image_hash[OTA_SHA256_SIZE];
    uint8_t *file_hash;                 /**< where the file's digest goes (with file) */
    bool header_same;                   /**< the header read equals info->header */
    bool one_context;                   /**< one context fed: with file only file, image a
                                             copy of its state at image_len (ota_sha256_copy);
                                             without, image */
    /** Optional (NULL: none): changes the bytes read between the two hashes, (ctx, image
     *  offset, bytes, len) -> 0 or failure. An encrypted image's keystream: with
     *  crypt_for_image the file hash sees the bytes as read and the image hash their
     *  transform (a slot holds ciphertext); without, the reverse (internal flash holds
     *  plaintext, the store's digest is of the ciphertext). */
    int (*crypt)(void *ctx, uint32_t offset, uint8_t *buf, uint32_t len);
    void *crypt_ctx;
    bool crypt_for_image;
} image_pass_t;

/** Whether a pass over a parsed image found it intact: the header unchanged and its SHA-256
 *  TLV matched, except for an encrypted image, whose SHA-256 is of a plaintext that a reader
 *  without the key (the store) cannot see: the store's digest is then what it checks, and
 *  the bootloader checks the hash as it decrypts. */
static inline bool image_pass_intact(const image_pass_t *pass, const ota_image_info_t *info)
{
    return info != NULL && pass->header_same &&
           (info->has_encryption ||
            memcmp(pass->image_hash, info->sha256, OTA_SHA256_SIZE) == 0);
}

/**
 * Read src's [0, len) once, hashing each byte once where the engine can copy its state (else
 * twice: [0, image_len) into both contexts), in chunks of at most work_len bytes into work: SHA-256 of
 * [0, pass->image_len) into pass->image_hash, of all of it into pass->file_hash when
 * pass->file is set, and whether the header read is the one info was parsed from (info NULL:
 * bytes that did not parse, nothing to compare; header_same stays true). Every context
 * started is finished, whatever fails.
 * @return OTA_IMAGE_OK (then compare: nothing is judged here); ERR_READ; ERR_CRYPTO (the hash
 *         engine failed): neither says anything about the image.
 */
ota_image_status_t image_hash_pass(const ota_image_source_t *src, const ota_image_info_t *info,
                                   uint32_t len, uint8_t *work, uint32_t work_len,
                                   image_pass_t *pass);

/** image_hash_pass in pieces. Start the contexts (header_same set true; one_context when the
 *  engine can copy a state, so that the pass hashes every byte once): OK or ERR_CRYPTO;
 *  image_pass_end must follow either way. */
ota_image_status_t image_pass_start(image_pass_t *pass);

/** Read and hash [from, to) of src (ranges in order, from 0, without gaps), comparing what
 *  it holds of the header as image_hash_pass does. @return OK; ERR_READ; ERR_CRYPTO. */
ota_image_status_t image_pass_run(const ota_image_source_t *src, const ota_image_info_t *info,
                                  uint32_t from, uint32_t to, uint8_t *work, uint32_t work_len,
                                  image_pass_t *pass);

/** Finish both contexts (whatever st is, so that every started context is released).
 *  @return st, or ERR_CRYPTO when st was OK and a finish failed. */
ota_image_status_t image_pass_end(image_pass_t *pass, ota_image_status_t st);

#endif
