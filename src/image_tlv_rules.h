/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What a known TLV type allows, shared by the parser (image.c) and the writer
 * (image_tlv_writer.c) so that the writer can never produce what the parser refuses.
 * Private to src/.
 */
#ifndef OTAFLOW_IMAGE_TLV_RULES_H
#define OTAFLOW_IMAGE_TLV_RULES_H

#include <stdbool.h>
#include <stdint.h>

#include "otaflow/crypto.h"
#include "otaflow/image.h"

/** Longest ECDSA_P256 TLV: the longest DER encoding of a P-256 signature. */
#define OTA_IMAGE_ECDSA_MAX OTA_ECDSA_P256_SIG_MAX

static inline bool ota_image_tlv_known(uint16_t type)
{
    return type == OTA_IMAGE_TLV_SHA256 || type == OTA_IMAGE_TLV_KEY_HASH ||
           type == OTA_IMAGE_TLV_ECDSA_P256 || type == OTA_IMAGE_TLV_LMS_KEY_HASH ||
           type == OTA_IMAGE_TLV_HSS_LMS || type == OTA_IMAGE_TLV_ENC_P256_AES128 ||
           (OTA_RAW_IMAGES && type == OTA_IMAGE_TLV_ECDSA_P256_PAYLOAD);
}


/** Whether len is a length the known type allows (unknown types: any length). */
static inline bool ota_image_tlv_length_ok(uint16_t type, uint32_t len)
{
    switch (type) {
    case OTA_IMAGE_TLV_SHA256:
    case OTA_IMAGE_TLV_KEY_HASH:
    case OTA_IMAGE_TLV_LMS_KEY_HASH:
        return len == 32u;
    case OTA_IMAGE_TLV_HSS_LMS:
        return len >= 1u; /* the 16-bit length field is the upper bound */
    case OTA_IMAGE_TLV_ECDSA_P256:
        return len >= 1u && len <= OTA_IMAGE_ECDSA_MAX;
    case OTA_IMAGE_TLV_ECDSA_P256_PAYLOAD:
        return len == OTA_RAW_SIG_SIZE;
    case OTA_IMAGE_TLV_ENC_P256_AES128:
        return len == OTA_IMAGE_ENC_TLV_SIZE;
    default:
        return true;
    }
}

#endif /* OTAFLOW_IMAGE_TLV_RULES_H */
