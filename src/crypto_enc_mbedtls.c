/* SPDX-License-Identifier: Apache-2.0 */
/* Image decryption on mbedTLS: AES-128 (CTR built on the block cipher, so that a stream can
 * be entered at any offset) and ECDH on P-256. The key derivation around them is the
 * backend's SHA-256 only (src/crypto_kdf.c). CTR only ever encrypts blocks: the block
 * function itself rather than mbedtls_aes_crypt_ecb, which would link the inverse cipher and
 * its tables too (2,176 B more text in the Cortex-M4 bootloader, docs/decisions.md). */
#include "otaflow/crypto.h"

#include <string.h>

#include <mbedtls/aes.h>
#include <mbedtls/ecdh.h>
#include <mbedtls/ecp.h>

#include "crypto_ctr.h"

ota_crypto_status_t ota_aes128_ctr(const uint8_t key[OTA_AES128_KEY_SIZE],
                                   const uint8_t nonce[OTA_AES_CTR_NONCE_SIZE], uint32_t offset,
                                   uint8_t *data, size_t len)
{
    if (!crypto_ctr_args_ok(key, nonce, offset, data, len)) {
        return OTA_CRYPTO_ERR_ARG;
    }
    mbedtls_aes_context aes;
    mbedtls_aes_init(&aes);
    int err = mbedtls_aes_setkey_enc(&aes, key, 128);
    uint8_t block[16], stream[16];
    for (size_t done = 0; err == 0 && done < len;) {
        uint32_t at = offset + (uint32_t)done;
        crypto_ctr_block(nonce, at >> 4, block);
        err = mbedtls_internal_aes_encrypt(&aes, block, stream);
        done += crypto_ctr_xor(stream, at & 15u, data + done, len - done);
    }
    mbedtls_aes_free(&aes);
    ct_wipe(stream, sizeof stream);
    return err == 0 ? OTA_CRYPTO_OK : OTA_CRYPTO_ERR_INTERNAL;
}

static ota_crypto_status_t crypto_ecdh_status(int err)
{
    switch (err) {
    case 0: return OTA_CRYPTO_OK;
    case MBEDTLS_ERR_ECP_INVALID_KEY:
    case MBEDTLS_ERR_ECP_BAD_INPUT_DATA:
    case MBEDTLS_ERR_ECP_FEATURE_UNAVAILABLE: return OTA_CRYPTO_ERR_KEY;
    case MBEDTLS_ERR_MPI_ALLOC_FAILED:
    case MBEDTLS_ERR_ECP_ALLOC_FAILED: return OTA_CRYPTO_ERR_NO_MEMORY;
    default: return OTA_CRYPTO_ERR_INTERNAL;
    }
}

ota_crypto_status_t ota_ecdh_p256(const uint8_t priv[OTA_ECDH_P256_PRIV_SIZE],
                                  const uint8_t peer[OTA_ECDSA_P256_PUBKEY_SIZE],
                                  uint8_t shared[OTA_ECDH_P256_SHARED_SIZE])
{
    if (priv == NULL || peer == NULL || shared == NULL) {
        return OTA_CRYPTO_ERR_ARG;
    }
    memset(shared, 0, OTA_ECDH_P256_SHARED_SIZE);
    mbedtls_ecp_group grp;
    mbedtls_ecp_point q;
    mbedtls_mpi d, z;
    mbedtls_ecp_group_init(&grp);
    mbedtls_ecp_point_init(&q);
    mbedtls_mpi_init(&d);
    mbedtls_mpi_init(&z);
    int err = mbedtls_ecp_group_load(&grp, MBEDTLS_ECP_DP_SECP256R1);
    if (err == 0 && peer[0] != 0x04u) {
        err = MBEDTLS_ERR_ECP_INVALID_KEY; /* only the uncompressed form is taken */
    }
    if (err == 0) {
        err = mbedtls_ecp_point_read_binary(&grp, &q, peer, OTA_ECDSA_P256_PUBKEY_SIZE);
    }
    if (err == 0) {
        err = mbedtls_ecp_check_pubkey(&grp, &q);
    }
    if (err == 0) {
        err = mbedtls_mpi_read_binary(&d, priv, OTA_ECDH_P256_PRIV_SIZE);
    }
    if (err == 0) {
        err = mbedtls_ecp_check_privkey(&grp, &d);
    }
    /* No random source in a bootloader: mbedTLS blinds with its internal DRBG seeded from the
     * secret where its configuration has one (the host's), and not at all without
     * (MBEDTLS_ECP_NO_INTERNAL_RNG, the firmware's); the shared point is the same either way. */
    if (err == 0) {
        err = mbedtls_ecdh_compute_shared(&grp, &z, &q, &d, NULL, NULL);
    }
    if (err == 0) {
        err = mbedtls_mpi_write_binary(&z, shared, OTA_ECDH_P256_SHARED_SIZE);
    }
    mbedtls_mpi_free(&z);
    mbedtls_mpi_free(&d);
    mbedtls_ecp_point_free(&q);
    mbedtls_ecp_group_free(&grp);
    if (err != 0) {
        memset(shared, 0, OTA_ECDH_P256_SHARED_SIZE);
    }
    return crypto_ecdh_status(err);
}
