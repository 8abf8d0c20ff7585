/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The per-algorithm side of ota_sig_verify (src/sig_verify.c): one file per algorithm
 * (src/sig_<alg>.c) provides one verify function. Each is called only after the dispatcher has
 * checked its arguments: non-NULL, the key exactly the algorithm's length, the signature
 * within the algorithm's range. Private to src/.
 */
#ifndef OTAFLOW_SIG_ALG_H
#define OTAFLOW_SIG_ALG_H

#include <stddef.h>
#include <stdint.h>

#include "otaflow/crypto.h"

/** ECDSA P-256 (src/sig_ecdsa_p256.c): key OTA_ECDSA_P256_PUBKEY_SIZE bytes, signature DER. */
ota_crypto_status_t ota_sig_ecdsa_p256_verify(const uint8_t *key,
                                              const uint8_t hash[OTA_SHA256_SIZE],
                                              const uint8_t *sig, size_t sig_len);

/** HSS/LMS (src/sig_hss_lms.c): key OTA_LMS_PUBKEY_SIZE bytes, the hash as the message. */
ota_crypto_status_t ota_sig_hss_lms_verify(const uint8_t *key,
                                           const uint8_t hash[OTA_SHA256_SIZE],
                                           const uint8_t *sig, size_t sig_len);

#endif /* OTAFLOW_SIG_ALG_H */
