/* Crypto backend on mbedTLS (Debian libmbedtls-dev; its source package for cross builds). */
#include "otaflow/crypto.h"

#include <mbedtls/sha256.h>

_Static_assert(sizeof(mbedtls_sha256_context) <= sizeof(((ota_sha256_t *)0)->opaque),
               "ota_sha256_t too small for mbedtls_sha256_context");

static mbedtls_sha256_context *sha_ctx(ota_sha256_t *ctx)
{
    return (mbedtls_sha256_context *)(void *)ctx->opaque;
}

void ota_sha256_start(ota_sha256_t *ctx)
{
    mbedtls_sha256_init(sha_ctx(ctx));
    /* Cannot fail for SHA-256 without an alternative (hardware) implementation. */
    (void)mbedtls_sha256_starts_ret(sha_ctx(ctx), 0);
}

void ota_sha256_update(ota_sha256_t *ctx, const void *data, size_t len)
{
    (void)mbedtls_sha256_update_ret(sha_ctx(ctx), (const unsigned char *)data, len);
}

void ota_sha256_finish(ota_sha256_t *ctx, uint8_t out[OTA_SHA256_SIZE])
{
    (void)mbedtls_sha256_finish_ret(sha_ctx(ctx), out);
    mbedtls_sha256_free(sha_ctx(ctx));
}

void ota_sha256(const void *data, size_t len, uint8_t out[OTA_SHA256_SIZE])
{
    ota_sha256_t ctx;
    ota_sha256_start(&ctx);
    ota_sha256_update(&ctx, data, len);
    ota_sha256_finish(&ctx, out);
}
