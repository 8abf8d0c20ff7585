/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: the compact SHA-256 (src/crypto_sha256_small.c, the lean bootloaders'),
 * against the SHA-256 of the crypto backend this build links (mbedTLS or BearSSL). The
 * compact one is compiled into this file under other names, so that both are in one program.
 *
 * Input layout: byte 0 is a cut unit u (1..64); the rest is the message, fed to the compact
 * SHA-256 in pieces whose sizes are taken in turn from the message's own bytes (mod u*4+1;
 * a 0 is an empty update, then a piece of one byte). At the first whole block the state is
 * saved and restored into a fresh context, and a copy forks off there. Oracles: the digest
 * equals the backend's one-shot digest of the whole message; the fork finishes to the
 * backend's digest of the prefix.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define OTA_SHA256_SMALL 1
#define ota_sha256_start small_sha256_start
#define ota_sha256_update small_sha256_update
#define ota_sha256_finish small_sha256_finish
#define ota_sha256_save small_sha256_save
#define ota_sha256_restore small_sha256_restore
#define ota_sha256_copy small_sha256_copy
#define ota_sha256 small_sha256
#include "crypto_sha256_small.c"
#undef ota_sha256_start
#undef ota_sha256_update
#undef ota_sha256_finish
#undef ota_sha256_save
#undef ota_sha256_restore
#undef ota_sha256_copy
#undef ota_sha256

/* The backend's one-shot (crypto.h declared it above under the compact one's name). */
ota_crypto_status_t ota_sha256(const void *data, size_t len, uint8_t out[OTA_SHA256_SIZE]);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1u) {
        return 0;
    }
    unsigned unit = (unsigned)(data[0] % 64u) + 1u;
    const uint8_t *msg = data + 1;
    size_t len = size - 1u;

    uint8_t want[OTA_SHA256_SIZE], got[OTA_SHA256_SIZE];
    if (ota_sha256(msg, len, want) != OTA_CRYPTO_OK) {
        abort();
    }
    ota_sha256_t ctx, fork;
    int forked = 0;
    size_t fork_at = 0;
    if (small_sha256_start(&ctx) != OTA_CRYPTO_OK || small_sha256_start(&fork) != OTA_CRYPTO_OK) {
        abort();
    }
    size_t at = 0, k = 0;
    while (at < len) {
        size_t piece = msg[k++ % len] % (unit * 4u + 1u);
        if (piece == 0u) { /* an empty update, then one byte: the loop always advances */
            if (small_sha256_update(&ctx, msg + at, 0) != OTA_CRYPTO_OK) {
                abort();
            }
            piece = 1u;
        }
        if (piece > len - at) {
            piece = len - at;
        }
        if (small_sha256_update(&ctx, msg + at, piece) != OTA_CRYPTO_OK) {
            abort();
        }
        at += piece;
        if (!forked && at % 64u == 0) { /* at > 0: every piece is at least a byte */
            ota_sha256_midstate_t mid;
            if (small_sha256_save(&ctx, &mid) != OTA_CRYPTO_OK || mid.bytes != at) {
                abort();
            }
            memset(&ctx, 0xA5, sizeof ctx);
            if (small_sha256_restore(&ctx, &mid) != OTA_CRYPTO_OK ||
                small_sha256_copy(&fork, &ctx) != OTA_CRYPTO_OK) {
                abort();
            }
            forked = 1;
            fork_at = at;
        }
    }
    if (small_sha256_finish(&ctx, got) != OTA_CRYPTO_OK || memcmp(got, want, sizeof want) != 0) {
        abort();
    }
    if (forked) {
        if (ota_sha256(msg, fork_at, want) != OTA_CRYPTO_OK ||
            small_sha256_finish(&fork, got) != OTA_CRYPTO_OK ||
            memcmp(got, want, sizeof want) != 0) {
            abort();
        }
    }
    return 0;
}
