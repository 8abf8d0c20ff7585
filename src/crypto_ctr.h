/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The counter-mode bookkeeping both backends' ota_aes128_ctr share: the counter block of a
 * 16-byte block number and XOR of one keystream block from an offset inside it (the wipe of
 * their secrets: ct_bytes.h). Private to src/; static inline, so each backend file has its
 * own copy.
 */
#ifndef OTAFLOW_CRYPTO_CTR_H
#define OTAFLOW_CRYPTO_CTR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ct_bytes.h"
#include "otaflow/crypto.h"

/** ota_aes128_ctr's arguments: no NULL, and the range within a 2^32-byte stream. */
static inline bool crypto_ctr_args_ok(const uint8_t *key, const uint8_t *nonce, uint32_t offset,
                                      const uint8_t *data, size_t len)
{
    return key != NULL && nonce != NULL && (data != NULL || len == 0u) &&
           len <= UINT32_MAX - offset;
}

/** out = nonce || big-endian block. */
static inline void crypto_ctr_block(const uint8_t nonce[OTA_AES_CTR_NONCE_SIZE], uint32_t block,
                                    uint8_t out[16])
{
    memcpy(out, nonce, OTA_AES_CTR_NONCE_SIZE);
    out[12] = (uint8_t)(block >> 24);
    out[13] = (uint8_t)(block >> 16);
    out[14] = (uint8_t)(block >> 8);
    out[15] = (uint8_t)block;
}

/** XOR stream[from, 16) into data, at most len bytes; returns how many. */
static inline size_t crypto_ctr_xor(const uint8_t stream[16], uint32_t from, uint8_t *data,
                                    size_t len)
{
    size_t n = 16u - from < len ? 16u - from : len;
    for (size_t i = 0; i < n; i++) {
        data[i] ^= stream[from + i];
    }
    return n;
}

#endif /* OTAFLOW_CRYPTO_CTR_H */
