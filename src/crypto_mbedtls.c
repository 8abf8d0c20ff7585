/* SPDX-License-Identifier: Apache-2.0 */
/* Crypto backend on mbedTLS (Debian libmbedtls-dev; its source package for cross builds). */
#include "otaflow/crypto.h"

#include <mbedtls/asn1.h>
#include <mbedtls/bignum.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/ecp.h>
#include <mbedtls/sha256.h>
#if defined(MBEDTLS_MEMORY_BUFFER_ALLOC_C)
#include <mbedtls/memory_buffer_alloc.h>
#endif

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

/* ECDSA P-256 ---------------------------------------------------------------------------- */

const char *ota_crypto_status_str(ota_crypto_status_t status)
{
    switch (status) {
    case OTA_CRYPTO_OK: return "ok";
    case OTA_CRYPTO_ERR_ARG: return "invalid argument";
    case OTA_CRYPTO_ERR_KEY: return "invalid public key";
    case OTA_CRYPTO_ERR_SIG_FORMAT: return "malformed signature";
    case OTA_CRYPTO_ERR_BAD_SIGNATURE: return "bad signature";
    case OTA_CRYPTO_ERR_NO_MEMORY: return "crypto heap exhausted";
    case OTA_CRYPTO_ERR_UNSUPPORTED: return "not supported by this mbedTLS build";
    case OTA_CRYPTO_ERR_INTERNAL: return "crypto backend error";
    }
    return "unknown crypto status";
}

/* mbedTLS error codes are negative sums of a high-level and a low-level code; the low-level
 * part (bignum, ASN.1) is what tells a malformed input from a memory shortage. */
static ota_crypto_status_t from_mbedtls(int err)
{
    if (err == 0) {
        return OTA_CRYPTO_OK;
    }
    const int low = -((-err) & 0x007F);
    const int high = -((-err) & 0xFF80);
    if (low == MBEDTLS_ERR_MPI_ALLOC_FAILED || high == MBEDTLS_ERR_ECP_ALLOC_FAILED) {
        return OTA_CRYPTO_ERR_NO_MEMORY;
    }
    if (err == MBEDTLS_ERR_ECP_VERIFY_FAILED) {
        return OTA_CRYPTO_ERR_BAD_SIGNATURE;
    }
    if (high == MBEDTLS_ERR_ECP_BAD_INPUT_DATA || err == MBEDTLS_ERR_ECP_SIG_LEN_MISMATCH ||
        (low <= MBEDTLS_ERR_ASN1_OUT_OF_DATA && low >= MBEDTLS_ERR_ASN1_BUF_TOO_SMALL)) {
        return OTA_CRYPTO_ERR_SIG_FORMAT;
    }
    return OTA_CRYPTO_ERR_INTERNAL;
}

ota_crypto_status_t ota_ecdsa_p256_verify(const uint8_t pubkey[OTA_ECDSA_P256_PUBKEY_SIZE],
                                          const uint8_t hash[OTA_SHA256_SIZE],
                                          const uint8_t *sig, size_t sig_len)
{
    if (pubkey == NULL || hash == NULL || sig == NULL || sig_len == 0u) {
        return OTA_CRYPTO_ERR_ARG;
    }
    if (sig_len > OTA_ECDSA_P256_SIG_MAX) {
        return OTA_CRYPTO_ERR_SIG_FORMAT;
    }
    /* Only the uncompressed form: a trusted key is written by pubkey-c, never compressed. */
    if (pubkey[0] != 0x04u) {
        return OTA_CRYPTO_ERR_KEY;
    }
    mbedtls_ecdsa_context ecdsa;
    mbedtls_ecdsa_init(&ecdsa);
    ota_crypto_status_t st = from_mbedtls(mbedtls_ecp_group_load(&ecdsa.grp,
                                                                 MBEDTLS_ECP_DP_SECP256R1));
    if (st == OTA_CRYPTO_OK) {
        int err = mbedtls_ecp_point_read_binary(&ecdsa.grp, &ecdsa.Q, pubkey,
                                                OTA_ECDSA_P256_PUBKEY_SIZE);
        if (err == 0) {
            err = mbedtls_ecp_check_pubkey(&ecdsa.grp, &ecdsa.Q);
        }
        st = from_mbedtls(err);
        if (st != OTA_CRYPTO_OK && st != OTA_CRYPTO_ERR_NO_MEMORY) {
            st = OTA_CRYPTO_ERR_KEY; /* not on the curve, or not a point encoding */
        }
    }
    if (st == OTA_CRYPTO_OK) {
        st = from_mbedtls(mbedtls_ecdsa_read_signature(&ecdsa, hash, OTA_SHA256_SIZE, sig,
                                                       sig_len));
    }
    mbedtls_ecdsa_free(&ecdsa);
    return st;
}

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
