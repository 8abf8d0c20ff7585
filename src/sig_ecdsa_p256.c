/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ECDSA P-256 behind ota_sig_verify, on mbedTLS. The dispatcher (sig_verify.c) has checked the
 * lengths: a 65-byte key, a signature of 8..72 bytes.
 */
#include <mbedtls/asn1.h>
#include <mbedtls/bignum.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/ecp.h>

#include "sig_alg.h"

/* mbedTLS error codes are negative sums of a high-level and a low-level code; the low-level
 * part (bignum, ASN.1) is what tells a malformed input from a memory shortage. */
static ota_crypto_status_t sig_from_mbedtls(int err)
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

ota_crypto_status_t ota_sig_ecdsa_p256_verify(const uint8_t *pubkey,
                                              const uint8_t hash[OTA_SHA256_SIZE],
                                              const uint8_t *sig, size_t sig_len)
{
    /* Only the uncompressed form: a trusted key is written by pubkey-c, never compressed. */
    if (pubkey[0] != 0x04u) {
        return OTA_CRYPTO_ERR_KEY;
    }
    mbedtls_ecdsa_context ecdsa;
    mbedtls_ecdsa_init(&ecdsa);
    ota_crypto_status_t st =
        sig_from_mbedtls(mbedtls_ecp_group_load(&ecdsa.grp, MBEDTLS_ECP_DP_SECP256R1));
    if (st == OTA_CRYPTO_OK) {
        int err = mbedtls_ecp_point_read_binary(&ecdsa.grp, &ecdsa.Q, pubkey,
                                                OTA_ECDSA_P256_PUBKEY_SIZE);
        if (err == 0) {
            err = mbedtls_ecp_check_pubkey(&ecdsa.grp, &ecdsa.Q);
        }
        st = sig_from_mbedtls(err);
        if (st != OTA_CRYPTO_OK && st != OTA_CRYPTO_ERR_NO_MEMORY) {
            st = OTA_CRYPTO_ERR_KEY; /* not on the curve, or not a point encoding */
        }
    }
    if (st == OTA_CRYPTO_OK) {
        st = sig_from_mbedtls(
            mbedtls_ecdsa_read_signature(&ecdsa, hash, OTA_SHA256_SIZE, sig, sig_len));
    }
    mbedtls_ecdsa_free(&ecdsa);
    return st;
}
