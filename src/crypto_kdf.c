/* SPDX-License-Identifier: Apache-2.0 */
/* HMAC-SHA256 and HKDF-SHA256 on ota_sha256_* (crypto_kdf.h). */
#include "crypto_kdf.h"

#include <string.h>

#include "ct_bytes.h"

#define KDF_BLOCK 64u /* SHA-256's block: HMAC pads its key to it */

/* SHA-256 of pad || parts into out; a failure sticks in the context and finish reports it. */
static ota_crypto_status_t crypto_kdf_hash_padded(const uint8_t pad[KDF_BLOCK],
                                           const crypto_part_t *parts, size_t count,
                                           uint8_t out[OTA_SHA256_SIZE])
{
    ota_sha256_t sha;
    ota_crypto_status_t st = ota_sha256_start(&sha);
    if (st != OTA_CRYPTO_OK) {
        return st;
    }
    (void)ota_sha256_update(&sha, pad, KDF_BLOCK);
    for (size_t i = 0; i < count; i++) {
        (void)ota_sha256_update(&sha, parts[i].ptr, parts[i].len);
    }
    return ota_sha256_finish(&sha, out);
}

ota_crypto_status_t crypto_hmac_sha256(const uint8_t *key, size_t key_len,
                                       const crypto_part_t *parts, size_t count,
                                       uint8_t mac[OTA_SHA256_SIZE])
{
    if (key == NULL || key_len > KDF_BLOCK || mac == NULL || (parts == NULL && count != 0u)) {
        return OTA_CRYPTO_ERR_ARG;
    }
    for (size_t i = 0; i < count; i++) {
        if (parts[i].ptr == NULL && parts[i].len != 0u) {
            return OTA_CRYPTO_ERR_ARG;
        }
    }
    uint8_t pad[KDF_BLOCK];
    uint8_t inner[OTA_SHA256_SIZE];
    memset(pad, 0x36, sizeof pad);
    for (size_t i = 0; i < key_len; i++) {
        pad[i] ^= key[i];
    }
    ota_crypto_status_t st = crypto_kdf_hash_padded(pad, parts, count, inner);
    for (size_t i = 0; i < sizeof pad; i++) {
        pad[i] ^= 0x36u ^ 0x5Cu; /* the inner pad becomes the outer one */
    }
    const crypto_part_t outer = {inner, sizeof inner};
    if (st == OTA_CRYPTO_OK) {
        st = crypto_kdf_hash_padded(pad, &outer, 1, mac);
    }
    ct_wipe(pad, sizeof pad);
    ct_wipe(inner, sizeof inner);
    if (st != OTA_CRYPTO_OK) {
        memset(mac, 0, OTA_SHA256_SIZE);
    }
    return st;
}

ota_crypto_status_t crypto_hkdf_sha256(const uint8_t *ikm, size_t ikm_len, const uint8_t *info,
                                       size_t info_len, uint8_t *out, size_t out_len)
{
    if (out == NULL || out_len > 2u * OTA_SHA256_SIZE) {
        return OTA_CRYPTO_ERR_ARG;
    }
    static const uint8_t kdf_zero_salt[OTA_SHA256_SIZE] = {0};
    uint8_t prk[OTA_SHA256_SIZE];
    uint8_t t[OTA_SHA256_SIZE]; /* T(i - 1), then T(i) */
    const crypto_part_t ikm_part = {ikm, ikm_len};
    ota_crypto_status_t st =
        crypto_hmac_sha256(kdf_zero_salt, sizeof kdf_zero_salt, &ikm_part, 1, prk);
    /* T(i) = HMAC(PRK, T(i - 1) || info || i), T(0) empty (RFC 5869, 2.3). */
    uint8_t counter = 1;
    for (size_t done = 0; st == OTA_CRYPTO_OK && done < out_len; counter++) {
        const crypto_part_t parts[3] = {
            {t, counter == 1u ? 0u : sizeof t}, {info, info_len}, {&counter, 1}};
        st = crypto_hmac_sha256(prk, sizeof prk, parts, 3, t);
        size_t n = out_len - done < sizeof t ? out_len - done : sizeof t;
        memcpy(out + done, t, n);
        done += n;
    }
    ct_wipe(prk, sizeof prk);
    ct_wipe(t, sizeof t);
    if (st != OTA_CRYPTO_OK) {
        memset(out, 0, out_len);
    }
    return st;
}
