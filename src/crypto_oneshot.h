/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The one-shot ota_sha256, defined by each crypto backend file (crypto_mbedtls.c,
 * crypto_bearssl.c; crypto_sha256_small.c when it replaces their SHA-256) from its own
 * streaming calls: in the backend's translation unit those
 * calls are internal, so a program that wraps the streaming entry points at link time
 * (tests/unit/test_hash_fault.c) sees the one-shot as one call, whatever backend is linked.
 * Private to src/; include it once, in the file that defines the streaming calls.
 */
#ifndef OTAFLOW_CRYPTO_ONESHOT_H
#define OTAFLOW_CRYPTO_ONESHOT_H

#include "otaflow/crypto.h"

ota_crypto_status_t ota_sha256(const void *data, size_t len, uint8_t out[OTA_SHA256_SIZE])
{
    ota_sha256_t ctx;
    ota_crypto_status_t st = ota_sha256_start(&ctx);
    if (st == OTA_CRYPTO_ERR_ARG) {
        return st;
    }
    /* A hash failure sticks and finish reports it; a refused argument does not stick (the
     * context stays usable), so it is returned here, after finish releases the context. */
    st = ota_sha256_update(&ctx, data, len);
    ota_crypto_status_t fin = ota_sha256_finish(&ctx, out);
    return st == OTA_CRYPTO_ERR_ARG ? st : fin;
}

#endif /* OTAFLOW_CRYPTO_ONESHOT_H */
