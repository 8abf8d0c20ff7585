/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ECDSA P-256 signatures written as the original's tools write them: r||s, 32 bytes each
 * (its ecdsaSign.py, base64 in a manifest), turned into the DER that ota_sig_verify takes.
 * Private to src/.
 */
#ifndef OTAFLOW_SIG_RAW_H
#define OTAFLOW_SIG_RAW_H

#include <stddef.h>
#include <stdint.h>

#include "otaflow/crypto.h"

/** Bytes of a raw P-256 signature: r then s, big-endian, 32 bytes each. */
#define OTA_SIG_P256_RAW_SIZE 64u

/** DER (SEQUENCE of two INTEGERs) of the raw signature r||s into der (OTA_ECDSA_P256_SIG_MAX
 *  bytes); returns its length. An all-zero r or s gives INTEGER 0, which every verifier
 *  refuses. */
size_t ota_sig_p256_der_from_raw(const uint8_t raw[OTA_SIG_P256_RAW_SIZE],
                                 uint8_t der[OTA_ECDSA_P256_SIG_MAX]);

#endif /* OTAFLOW_SIG_RAW_H */
