/* SPDX-License-Identifier: Apache-2.0 */
/*
 * HSS/LMS behind ota_sig_verify, for a signature already in memory (an image's is checked in
 * place instead: image_sig.c calls ota_lms_verify on the image source). The named LMS
 * statuses become the crypto contract's.
 */
#include <string.h>

#include "otaflow/lms.h"
#include "sig_alg.h"

/* The signature's bytes as a source. Its own reader rather than ota_image_source_buffer: the
 * image module calls this one (ota_sig_verify), so this one must not call it back. */
static int sig_hss_lms_read(void *ctx, uint32_t offset, void *buf, uint32_t len)
{
    memcpy(buf, (const uint8_t *)ctx + offset, len); /* ota_lms_verify reads inside sig_len */
    return 0;
}

ota_crypto_status_t ota_sig_hss_lms_verify(const uint8_t *key,
                                           const uint8_t hash[OTA_SHA256_SIZE],
                                           const uint8_t *sig, size_t sig_len)
{
    /* The dispatcher bounded sig_len by OTA_LMS_SIG_MAX. */
    const ota_image_source_t src = {sig_hss_lms_read, (void *)(uintptr_t)sig, (uint32_t)sig_len};
    switch (ota_lms_verify(key, OTA_LMS_PUBKEY_SIZE, hash, OTA_SHA256_SIZE, &src, 0,
                           (uint32_t)sig_len)) {
    case OTA_LMS_OK: return OTA_CRYPTO_OK;
    case OTA_LMS_ERR_BAD_SIGNATURE: return OTA_CRYPTO_ERR_BAD_SIGNATURE;
    case OTA_LMS_ERR_KEY: return OTA_CRYPTO_ERR_KEY;
    case OTA_LMS_ERR_HASH: return OTA_CRYPTO_ERR_HASH;
    case OTA_LMS_ERR_ARG: return OTA_CRYPTO_ERR_ARG;
    case OTA_LMS_ERR_READ: return OTA_CRYPTO_ERR_INTERNAL; /* a buffer does not fail */
    default: return OTA_CRYPTO_ERR_SIG_FORMAT; /* truncated, oversized, levels, params, leaf */
    }
}
