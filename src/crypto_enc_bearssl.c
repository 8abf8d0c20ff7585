/* SPDX-License-Identifier: Apache-2.0 */
/* Image decryption on BearSSL: AES-128-CTR with the aes_small implementation (the smallest
 * code, table-free; its counter block is the contract's: 12-byte nonce, 32-bit big-endian
 * block number) and ECDH on P-256 with the same prime-curve code the ECDSA verifier links
 * (i31, or i15 with OTA_BEARSSL_I15), so decryption adds no big-number code to a bootloader
 * that verifies ECDSA. Heap-free, like the rest of this backend. */
#include "otaflow/crypto.h"

#include <string.h>

#include <bearssl.h>

#include "crypto_ctr.h"

#if defined(OTA_BEARSSL_I15)
#define CRYPTO_EC_IMPL br_ec_prime_i15
#else
#define CRYPTO_EC_IMPL br_ec_prime_i31
#endif

ota_crypto_status_t ota_aes128_ctr(const uint8_t key[OTA_AES128_KEY_SIZE],
                                   const uint8_t nonce[OTA_AES_CTR_NONCE_SIZE], uint32_t offset,
                                   uint8_t *data, size_t len)
{
    if (!crypto_ctr_args_ok(key, nonce, offset, data, len)) {
        return OTA_CRYPTO_ERR_ARG;
    }
    br_aes_small_ctr_keys aes;
    br_aes_small_ctr_init(&aes, key, OTA_AES128_KEY_SIZE);
    size_t done = 0;
    if ((offset & 15u) != 0u && len > 0u) {
        /* Entered inside a block: its keystream from a block of zeros. */
        uint8_t stream[16] = {0};
        (void)br_aes_small_ctr_run(&aes, nonce, offset >> 4, stream, sizeof stream);
        done = crypto_ctr_xor(stream, offset & 15u, data, len);
        ct_wipe(stream, sizeof stream);
    }
    if (done < len) {
        (void)br_aes_small_ctr_run(&aes, nonce, (offset + (uint32_t)done) >> 4, data + done,
                                   len - done);
    }
    ct_wipe(&aes, sizeof aes);
    return OTA_CRYPTO_OK;
}

/* The order n of P-256, big-endian: a private scalar is in [1, n-1]. */
static const uint8_t crypto_p256_order[OTA_ECDH_P256_PRIV_SIZE] = {
    0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xBC, 0xE6, 0xFA, 0xAD, 0xA7, 0x17, 0x9E, 0x84, 0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x51};

static bool crypto_scalar_in_range(const uint8_t d[OTA_ECDH_P256_PRIV_SIZE])
{
    bool nonzero = false;
    int cmp = 0; /* d against n, from the most significant byte */
    for (size_t i = 0; i < OTA_ECDH_P256_PRIV_SIZE; i++) {
        nonzero = nonzero || d[i] != 0u;
        if (cmp == 0 && d[i] != crypto_p256_order[i]) {
            cmp = d[i] < crypto_p256_order[i] ? -1 : 1;
        }
    }
    return nonzero && cmp < 0;
}

ota_crypto_status_t ota_ecdh_p256(const uint8_t priv[OTA_ECDH_P256_PRIV_SIZE],
                                  const uint8_t peer[OTA_ECDSA_P256_PUBKEY_SIZE],
                                  uint8_t shared[OTA_ECDH_P256_SHARED_SIZE])
{
    if (priv == NULL || peer == NULL || shared == NULL) {
        return OTA_CRYPTO_ERR_ARG;
    }
    memset(shared, 0, OTA_ECDH_P256_SHARED_SIZE);
    if (peer[0] != 0x04u || !crypto_scalar_in_range(priv)) {
        return OTA_CRYPTO_ERR_KEY;
    }
    /* mul works in place and checks that the point decodes onto the curve. */
    uint8_t point[OTA_ECDSA_P256_PUBKEY_SIZE];
    memcpy(point, peer, sizeof point);
    uint32_t ok = CRYPTO_EC_IMPL.mul(point, sizeof point, priv, OTA_ECDH_P256_PRIV_SIZE,
                                     BR_EC_secp256r1);
    if (ok == 1u) {
        memcpy(shared, point + 1, OTA_ECDH_P256_SHARED_SIZE);
    }
    ct_wipe(point, sizeof point);
    return ok == 1u ? OTA_CRYPTO_OK : OTA_CRYPTO_ERR_KEY;
}
