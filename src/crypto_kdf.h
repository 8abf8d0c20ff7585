/* SPDX-License-Identifier: Apache-2.0 */
/*
 * HMAC-SHA256 (RFC 2104) and HKDF-SHA256 (RFC 5869) on the crypto port's SHA-256, so that
 * both backends (and a hardware SHA block) derive the image keys the same way. Private to
 * src/: the image decryption (src/image_enc.c) is its one user.
 */
#ifndef OTAFLOW_CRYPTO_KDF_H
#define OTAFLOW_CRYPTO_KDF_H

#include <stddef.h>
#include <stdint.h>

#include "otaflow/crypto.h"

/** A message in pieces, hashed one after the other (ptr may be NULL when len is 0). */
typedef struct crypto_part {
    const uint8_t *ptr;
    size_t len;
} crypto_part_t;

/** mac = HMAC-SHA256(key, parts[0] || ... || parts[count - 1]); key at most 64 bytes.
 *  @return OK; ERR_ARG; ERR_HASH (mac zeroed). */
ota_crypto_status_t crypto_hmac_sha256(const uint8_t *key, size_t key_len,
                                       const crypto_part_t *parts, size_t count,
                                       uint8_t mac[OTA_SHA256_SIZE]);

/** HKDF-SHA256 with an empty salt (RFC 5869: HashLen zeros): out_len (at most 64) bytes of
 *  output keying material from ikm and info. @return OK; ERR_ARG; ERR_HASH (out zeroed). */
ota_crypto_status_t crypto_hkdf_sha256(const uint8_t *ikm, size_t ikm_len, const uint8_t *info,
                                       size_t info_len, uint8_t *out, size_t out_len);

#endif /* OTAFLOW_CRYPTO_KDF_H */
