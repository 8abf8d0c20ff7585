/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The two digests of an image file in one SHA-256 pass. The image hash (the SHA-256 TLV, what
 * a signature signs) covers header + payload; the manifest Digest covers the whole file, of
 * which that is a prefix: the state at the end of the prefix is copied and finished, and the
 * pass goes on over the TLV area (docs/decisions.md, "Image hash vs manifest Digest").
 * Host code: OpenSSL's SHA-256 (SHA extensions), whose state can be copied; the core's
 * ota_sha256_copy does the same on the device, where a hardware engine may refuse it.
 */
#ifndef OTAFLOW_TOOL_IMAGE_DIGEST_H
#define OTAFLOW_TOOL_IMAGE_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#include "otaflow/crypto.h"

/** A SHA-256 pass that can give the digest of what it has seen so far and go on. */
typedef struct tool_sha_pass {
    struct evp_md_ctx_st *ctx; /**< OpenSSL's EVP_MD_CTX, allocated by start, freed by finish */
} tool_sha_pass_t;

/** Start a pass. */
void tool_sha_pass_start(tool_sha_pass_t *p);

/** Hash len more bytes. */
void tool_sha_pass_update(tool_sha_pass_t *p, const void *data, size_t len);

/** The digest of every byte hashed so far; the pass goes on from there. */
void tool_sha_pass_mark(const tool_sha_pass_t *p, uint8_t out[OTA_SHA256_SIZE]);

/** The digest of every byte hashed; the pass is over. */
void tool_sha_pass_finish(tool_sha_pass_t *p, uint8_t out[OTA_SHA256_SIZE]);

/** Both digests of an image file held in memory. */
typedef struct tool_digests {
    uint8_t image[OTA_SHA256_SIZE]; /**< of bytes [0, prefix_len): header + payload */
    uint8_t file[OTA_SHA256_SIZE];  /**< of all len bytes: the manifest Digest */
} tool_digests_t;

/** One pass over bytes[0, len) giving both digests (prefix_len <= len). */
void tool_digests_of(const uint8_t *bytes, size_t prefix_len, size_t len, tool_digests_t *out);

#endif /* OTAFLOW_TOOL_IMAGE_DIGEST_H */
