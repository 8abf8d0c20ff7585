/* SPDX-License-Identifier: Apache-2.0 */
/* Crypto backend on mbedTLS (Debian libmbedtls-dev; its source package for cross builds):
 * SHA-256 (unless OTA_SHA256_SMALL: crypto_sha256_small.c's) and the heap. The one-shot hash
 * comes from crypto_oneshot.h, the status names from crypto_common.c, the signature
 * algorithms from files of their own (sig_ecdsa_p256.c). */
#include "otaflow/crypto.h"

#include <string.h>

#include <mbedtls/sha256.h>
#if defined(MBEDTLS_MEMORY_BUFFER_ALLOC_C)
#include <mbedtls/memory_buffer_alloc.h>
#endif

#if !OTA_SHA256_SMALL /* else SHA-256 is crypto_sha256_small.c's */
#include "crypto_oneshot.h"

/* The backend's context plus the sticky failure flag the contract promises. */
typedef struct sha_state {
    mbedtls_sha256_context c;
    int failed;
} sha_state_t;

_Static_assert(sizeof(sha_state_t) <= sizeof(((ota_sha256_t *)0)->opaque),
               "ota_sha256_t too small for mbedtls_sha256_context");

static sha_state_t *crypto_sha_ctx(ota_sha256_t *ctx)
{
    return (sha_state_t *)(void *)ctx->opaque;
}

/* mbedTLS's software SHA-256 never fails; an alternative (MBEDTLS_SHA256_ALT, a hardware
 * block) can, and its errors are all "no digest". */
static ota_crypto_status_t crypto_sha_result(sha_state_t *s, int err)
{
    if (err != 0) {
        s->failed = 1;
    }
    return s->failed ? OTA_CRYPTO_ERR_HASH : OTA_CRYPTO_OK;
}

ota_crypto_status_t ota_sha256_start(ota_sha256_t *ctx)
{
    if (ctx == NULL) {
        return OTA_CRYPTO_ERR_ARG;
    }
    sha_state_t *s = crypto_sha_ctx(ctx);
    s->failed = 0;
    mbedtls_sha256_init(&s->c);
    return crypto_sha_result(s, mbedtls_sha256_starts_ret(&s->c, 0));
}

ota_crypto_status_t ota_sha256_update(ota_sha256_t *ctx, const void *data, size_t len)
{
    if (ctx == NULL || (data == NULL && len != 0u)) {
        return OTA_CRYPTO_ERR_ARG;
    }
    sha_state_t *s = crypto_sha_ctx(ctx);
    if (s->failed) {
        return OTA_CRYPTO_ERR_HASH;
    }
    return crypto_sha_result(s, mbedtls_sha256_update_ret(&s->c, (const unsigned char *)data, len));
}

ota_crypto_status_t ota_sha256_finish(ota_sha256_t *ctx, uint8_t out[OTA_SHA256_SIZE])
{
    if (ctx == NULL || out == NULL) {
        return OTA_CRYPTO_ERR_ARG;
    }
    sha_state_t *s = crypto_sha_ctx(ctx);
    ota_crypto_status_t st = s->failed
                                 ? OTA_CRYPTO_ERR_HASH
                                 : crypto_sha_result(s, mbedtls_sha256_finish_ret(&s->c, out));
    mbedtls_sha256_free(&s->c);
    if (st != OTA_CRYPTO_OK) {
        memset(out, 0, OTA_SHA256_SIZE);
    }
    return st;
}

ota_crypto_status_t ota_sha256_save(const ota_sha256_t *ctx, ota_sha256_midstate_t *out)
{
    if (ctx == NULL || out == NULL) {
        return OTA_CRYPTO_ERR_ARG;
    }
    const sha_state_t *s = (const sha_state_t *)(const void *)ctx->opaque;
#if defined(MBEDTLS_SHA256_ALT)
    (void)s;
    return OTA_CRYPTO_ERR_HASH; /* an alternative's context is not mbedTLS's */
#else
    if (s->failed) {
        return OTA_CRYPTO_ERR_HASH;
    }
    if (s->c.total[1] != 0 || (s->c.total[0] & 63u) != 0) {
        return OTA_CRYPTO_ERR_ARG;
    }
    for (unsigned i = 0; i < 8u; i++) {
        for (unsigned k = 0; k < 4u; k++) {
            out->chaining[4u * i + k] = (uint8_t)(s->c.state[i] >> (24u - 8u * k));
        }
    }
    out->bytes = s->c.total[0];
    return OTA_CRYPTO_OK;
#endif
}

ota_crypto_status_t ota_sha256_restore(ota_sha256_t *ctx, const ota_sha256_midstate_t *in)
{
    if (ctx == NULL || in == NULL || (in->bytes & 63u) != 0) {
        return OTA_CRYPTO_ERR_ARG;
    }
    ota_crypto_status_t st = ota_sha256_start(ctx);
#if defined(MBEDTLS_SHA256_ALT)
    return st == OTA_CRYPTO_OK ? OTA_CRYPTO_ERR_HASH : st;
#else
    sha_state_t *s = crypto_sha_ctx(ctx);
    for (unsigned i = 0; st == OTA_CRYPTO_OK && i < 8u; i++) {
        const uint8_t *w = &in->chaining[4u * i];
        s->c.state[i] = (uint32_t)w[0] << 24 | (uint32_t)w[1] << 16 | (uint32_t)w[2] << 8 | w[3];
    }
    s->c.total[0] = in->bytes;
    s->c.total[1] = 0;
    return st;
#endif
}

ota_crypto_status_t ota_sha256_copy(ota_sha256_t *dst, const ota_sha256_t *src)
{
    if (dst == NULL || src == NULL) {
        return OTA_CRYPTO_ERR_ARG;
    }
    sha_state_t *d = crypto_sha_ctx(dst);
    const sha_state_t *s = (const sha_state_t *)(const void *)src->opaque;
    if (s->failed) {
        d->failed = 1;
        return OTA_CRYPTO_ERR_HASH;
    }
    /* clone is a plain copy for the software SHA-256; an ALT engine defines its own. */
    mbedtls_sha256_clone(&d->c, &s->c);
    d->failed = 0;
    return OTA_CRYPTO_OK;
}
#endif /* !OTA_SHA256_SMALL */

ota_crypto_status_t ota_crypto_heap_init(void *buf, size_t len)
{
    if (buf == NULL || len < 1024u) {
        return OTA_CRYPTO_ERR_ARG;
    }
#if defined(MBEDTLS_MEMORY_BUFFER_ALLOC_C) && defined(MBEDTLS_PLATFORM_MEMORY)
    mbedtls_memory_buffer_alloc_init((unsigned char *)buf, len);
    return OTA_CRYPTO_OK;
#else
    return OTA_CRYPTO_ERR_UNSUPPORTED;
#endif
}
