/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The original's signatures (OTA_RAW_IMAGES): r||s of ECDSA P-256 over the SHA-256 of a raw
 * image's bytes, as its ecdsaSign.py writes them. Shared by the signature check of an image
 * (image_sig.c: the ECDSA_P256_PAYLOAD TLV) and the store, which checks one before it writes
 * it into an image (store_raw.c); ota_sig_raw_to_der also by the File Download's signatures
 * (agent_files.c, OTA_FILE_SLOTS). Private to src/.
 */
#ifndef OTAFLOW_SIG_RAW_H
#define OTAFLOW_SIG_RAW_H

#include <stddef.h>
#include <stdint.h>

#include "otaflow/config.h"
#include "otaflow/crypto.h"
#include "otaflow/image.h"
#include "otaflow/image_sig.h"

/** DER (SEQUENCE of two INTEGERs) of a 64-byte r||s, for ota_sig_verify; returns its length
 *  (8..72 bytes), written to der. */
size_t ota_sig_raw_to_der(const uint8_t rs[OTA_RAW_SIG_SIZE], uint8_t der[OTA_ECDSA_P256_SIG_MAX]);

/**
 * For an image whose signature TLV is ECDSA_P256_PAYLOAD: the SHA-256 of its payload alone
 * (read from src through work) into hash, then its r||s read into work and turned into der.
 * @return OTA_SIG_OK; ERR_BAD_SIGNATURE (the header has a security counter or a revocation
 *         mask, which the payload's signature does not cover); ERR_READ (src failed, or the TLV is not where info says); ERR_CRYPTO
 *         (the hash engine failed); ERR_WORK_SIZE (work shorter than the signature).
 */
ota_sig_status_t ota_sig_raw_prepare(const ota_image_source_t *src, const ota_image_info_t *info,
                                     uint8_t *work, size_t work_len,
                                     uint8_t hash[OTA_SHA256_SIZE],
                                     uint8_t der[OTA_ECDSA_P256_SIG_MAX], size_t *der_len);

#endif
