/* SPDX-License-Identifier: Apache-2.0 */
/* Public keys for `otaflow-board create --pubkey/--manifest-pubkey`: a PEM or DER file (as
 * `otaflow-image keygen --pub` writes) to the 130 hex digits board.conf holds. */
#include <stdio.h>
#include <string.h>

#include <mbedtls/ecp.h>
#include <mbedtls/pk.h>
#include <mbedtls/platform_util.h>

#include "board_key.h"

int board_pubkey_hex(const char *path, char hex[BOARD_PUBKEY_HEX], char *err, size_t err_len)
{
    mbedtls_pk_context pk;
    mbedtls_pk_init(&pk);
    int rc = -1;
    unsigned char point[OTA_ECDSA_P256_PUBKEY_SIZE];
    size_t n = 0;
    if (mbedtls_pk_parse_public_keyfile(&pk, path) != 0) {
        snprintf(err, err_len, "%s: not a PEM or DER public key", path);
    } else if (mbedtls_pk_get_type(&pk) != MBEDTLS_PK_ECKEY ||
               mbedtls_pk_ec(pk)->grp.id != MBEDTLS_ECP_DP_SECP256R1) {
        snprintf(err, err_len, "%s: not an ECDSA P-256 key", path);
    } else if (mbedtls_ecp_point_write_binary(&mbedtls_pk_ec(pk)->grp, &mbedtls_pk_ec(pk)->Q,
                                              MBEDTLS_ECP_PF_UNCOMPRESSED, &n, point,
                                              sizeof point) != 0 ||
               n != sizeof point) {
        snprintf(err, err_len, "%s: cannot encode the key", path);
    } else {
        board_pubkey_to_hex(point, hex);
        rc = 0;
    }
    mbedtls_pk_free(&pk);
    return rc;
}

int board_devkey_hex(const char *path, char hex[BOARD_DEVKEY_HEX], char *err, size_t err_len)
{
    mbedtls_pk_context pk;
    mbedtls_pk_init(&pk);
    int rc = -1;
    ota_enc_key_t key;
    unsigned char point[OTA_ECDSA_P256_PUBKEY_SIZE];
    size_t n = 0;
    if (mbedtls_pk_parse_keyfile(&pk, path, NULL) != 0) {
        snprintf(err, err_len, "%s: not a PEM or DER private key", path);
    } else if (mbedtls_pk_get_type(&pk) != MBEDTLS_PK_ECKEY ||
               mbedtls_pk_ec(pk)->grp.id != MBEDTLS_ECP_DP_SECP256R1) {
        snprintf(err, err_len, "%s: not a P-256 key", path);
    } else if (mbedtls_mpi_write_binary(&mbedtls_pk_ec(pk)->d, key.priv, sizeof key.priv) != 0 ||
               mbedtls_ecp_point_write_binary(&mbedtls_pk_ec(pk)->grp, &mbedtls_pk_ec(pk)->Q,
                                              MBEDTLS_ECP_PF_UNCOMPRESSED, &n, point,
                                              sizeof point) != 0 ||
               n != sizeof point || ota_sha256(point, n, key.key_id) != OTA_CRYPTO_OK) {
        snprintf(err, err_len, "%s: cannot encode the key", path);
    } else {
        board_devkey_to_hex(&key, hex);
        rc = 0;
    }
    mbedtls_platform_zeroize(&key, sizeof key);
    mbedtls_pk_free(&pk);
    return rc;
}
