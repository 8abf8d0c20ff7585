/* SPDX-License-Identifier: Apache-2.0 */
/* Crypto backend on BearSSL (Debian libbearssl-dev on the host; its source package for cross
 * builds): SHA-256 (unless OTA_SHA256_SMALL: crypto_sha256_small.c's), and the heap hook,
 * which has nothing to do (BearSSL allocates nothing). ECDSA P-256 is in
 * sig_ecdsa_p256_bearssl.c, the one-shot hash in crypto_oneshot.h, status names in
 * crypto_common.c. */
#include "otaflow/crypto.h"

#include <bearssl.h>

#if !OTA_SHA256_SMALL /* else SHA-256 is crypto_sha256_small.c's */
#include "crypto_oneshot.h"

_Static_assert(sizeof(br_sha256_context) <= sizeof(((ota_sha256_t *)0)->opaque),
               "ota_sha256_t too small for br_sha256_context");

/* BearSSL's SHA-256 is software and cannot fail: no failure to remember, so no flag. */
static br_sha256_context *crypto_sha_ctx(ota_sha256_t *ctx)
{
    return (br_sha256_context *)(void *)ctx->opaque;
}

ota_crypto_status_t ota_sha256_start(ota_sha256_t *ctx)
{
    if (ctx == NULL) {
        return OTA_CRYPTO_ERR_ARG;
    }
    br_sha256_init(crypto_sha_ctx(ctx));
    return OTA_CRYPTO_OK;
}

ota_crypto_status_t ota_sha256_update(ota_sha256_t *ctx, const void *data, size_t len)
{
    if (ctx == NULL || (data == NULL && len != 0u)) {
        return OTA_CRYPTO_ERR_ARG;
    }
    br_sha256_update(crypto_sha_ctx(ctx), data, len);
    return OTA_CRYPTO_OK;
}

ota_crypto_status_t ota_sha256_finish(ota_sha256_t *ctx, uint8_t out[OTA_SHA256_SIZE])
{
    if (ctx == NULL || out == NULL) {
        return OTA_CRYPTO_ERR_ARG;
    }
    br_sha256_out(crypto_sha_ctx(ctx), out);
    return OTA_CRYPTO_OK;
}

ota_crypto_status_t ota_sha256_save(const ota_sha256_t *ctx, ota_sha256_midstate_t *out)
{
    if (ctx == NULL || out == NULL) {
        return OTA_CRYPTO_ERR_ARG;
    }
    uint64_t count = br_sha256_state((const br_sha256_context *)(const void *)ctx->opaque,
                                     out->chaining);
    if ((count & 63u) != 0 || count > UINT32_MAX) {
        return OTA_CRYPTO_ERR_ARG;
    }
    out->bytes = (uint32_t)count;
    return OTA_CRYPTO_OK;
}

ota_crypto_status_t ota_sha256_restore(ota_sha256_t *ctx, const ota_sha256_midstate_t *in)
{
    if (ctx == NULL || in == NULL || (in->bytes & 63u) != 0) {
        return OTA_CRYPTO_ERR_ARG;
    }
    br_sha256_init(crypto_sha_ctx(ctx));
    br_sha256_set_state(crypto_sha_ctx(ctx), in->chaining, in->bytes);
    return OTA_CRYPTO_OK;
}

ota_crypto_status_t ota_sha256_copy(ota_sha256_t *dst, const ota_sha256_t *src)
{
    if (dst == NULL || src == NULL) {
        return OTA_CRYPTO_ERR_ARG;
    }
    /* BearSSL's context holds no pointer into itself: a byte copy is a clone. */
    *crypto_sha_ctx(dst) = *(const br_sha256_context *)(const void *)src->opaque;
    return OTA_CRYPTO_OK;
}
#endif /* !OTA_SHA256_SMALL */

ota_crypto_status_t ota_crypto_heap_init(void *buf, size_t len)
{
    if (buf == NULL || len < 1024u) {
        return OTA_CRYPTO_ERR_ARG;
    }
    return OTA_CRYPTO_OK; /* nothing allocates: the arena stays unused */
}
