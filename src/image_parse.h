/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ota_image_parse, shared by its two forms, which differ only in the TLV types they read: the
 * agent's reads every kind it knows (src/image.c), the bootloader's only those its build acts
 * on (src/image_boot_parse.c, OTA_IMAGE_BOOT_PARSE) and skips the others as unknown ones.
 * Inline, so that each form is compiled whole where it is defined and the compiler leaves out
 * what its kinds do not need; a build links one of them. As in image.c, every size read from
 * the image is checked against the space the source has before it is added or used, each sum
 * written so that it cannot wrap. Private to src/.
 */
#ifndef OTAFLOW_IMAGE_PARSE_H
#define OTAFLOW_IMAGE_PARSE_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "image_tlv_rules.h"
#include "le_bytes.h"
#include "otaflow/image.h"

/** Read len bytes at offset of src, refusing (ERR_TOO_LARGE) a range past src->size.
 *  @return OK; ERR_TOO_LARGE; ERR_READ. */
ota_image_status_t image_read_at(const ota_image_source_t *src, uint32_t offset, void *buf,
                                 uint32_t len);

/**
 * Everything ota_image_parse checks before the TLV entries: info zeroed, the header decoded
 * and checked, the TLV info (magic, reserved, total) checked against src->size and
 * OTA_IMAGE_TLV_MAX; on OK info's header, tlv_offset, tlv_size and total_size are set and the
 * entries lie in [tlv_offset + OTA_IMAGE_TLV_INFO_SIZE, total_size).
 * @return OK, or ota_image_parse's first problem up to the entries.
 */
static inline ota_image_status_t image_parse_layout(const ota_image_source_t *src,
                                                    ota_image_info_t *info)
{
    if (src == NULL || src->read == NULL || info == NULL) {
        return OTA_IMAGE_ERR_ARG;
    }
    memset(info, 0, sizeof *info);
    if (src->size < OTA_IMAGE_HEADER_SIZE) {
        return OTA_IMAGE_ERR_TRUNCATED;
    }
    uint8_t raw[OTA_IMAGE_HEADER_SIZE];
    ota_image_status_t st = image_read_at(src, 0, raw, sizeof raw);
    if (st != OTA_IMAGE_OK) {
        return st;
    }
    st = ota_image_header_decode(raw, sizeof raw, src->size, &info->header);
    if (st != OTA_IMAGE_OK) {
        return st;
    }
    /* decode guaranteed header_size + payload_size <= src->size: no wrap. */
    const uint32_t tlv_off = (uint32_t)info->header.header_size + info->header.payload_size;
    const uint32_t room = src->size - tlv_off;
    if (room < OTA_IMAGE_TLV_INFO_SIZE) {
        return OTA_IMAGE_ERR_TOO_LARGE;
    }
    uint8_t ti[OTA_IMAGE_TLV_INFO_SIZE];
    st = image_read_at(src, tlv_off, ti, sizeof ti);
    if (st != OTA_IMAGE_OK) {
        return st;
    }
    if (ota_le16_get(ti) != OTA_IMAGE_TLV_MAGIC) {
        return OTA_IMAGE_ERR_TLV_MAGIC;
    }
    if (ota_le16_get(ti + 2) != 0u) {
        return OTA_IMAGE_ERR_RESERVED;
    }
    const uint32_t tlv_size = ota_le32_get(ti + 4);
    /* A total smaller than its own info ends before the info does: the info overruns it. */
    if (tlv_size < OTA_IMAGE_TLV_INFO_SIZE) {
        return OTA_IMAGE_ERR_TLV_OVERRUN;
    }
    /* A total larger than allowed, or than the slot has left, claims space it may not have. */
    if (tlv_size > OTA_IMAGE_TLV_MAX || tlv_size > room) {
        return OTA_IMAGE_ERR_TOO_LARGE;
    }
    info->tlv_offset = tlv_off;
    info->tlv_size = tlv_size;
    info->total_size = tlv_off + tlv_size;
    return OTA_IMAGE_OK;
}

/** Record one known entry (type, len bytes at value_off) after checking that it is the first
 *  of its type (else DUPLICATE) and of a length the type allows (else LENGTH): a 32-byte
 *  value (hash, key id) is read into info, a signature or the wrapped key only located (it
 *  may be kilobytes). seen_sha is the SHA-256 TLV's flag, which info does not hold. */
static inline ota_image_status_t image_take_entry(const ota_image_source_t *src, uint16_t type,
                                                  uint32_t len, uint32_t value_off,
                                                  ota_image_info_t *info, bool *seen_sha)
{
    bool *seen;
    uint8_t *dest = NULL;
    switch (type) {
    case OTA_IMAGE_TLV_SHA256:
        seen = seen_sha;
        dest = info->sha256;
        break;
    case OTA_IMAGE_TLV_KEY_HASH:
        seen = &info->has_key_hash;
        dest = info->key_hash;
        break;
    case OTA_IMAGE_TLV_LMS_KEY_HASH:
        seen = &info->has_lms_key_hash;
        dest = info->lms_key_hash;
        break;
    case OTA_IMAGE_TLV_HSS_LMS:
        seen = &info->has_lms_signature;
        break;
    case OTA_IMAGE_TLV_ENC_P256_AES128:
        seen = &info->has_encryption;
        break;
    default: /* an ECDSA signature: OTA_IMAGE_TLV_ECDSA_P256 (or _PAYLOAD) */
        seen = &info->has_signature;
        break;
    }
    if (*seen) {
        return OTA_IMAGE_ERR_TLV_DUPLICATE;
    }
    if (!ota_image_tlv_length_ok(type, len)) {
        return OTA_IMAGE_ERR_TLV_LENGTH;
    }
    if (dest != NULL) {
        ota_image_status_t st = image_read_at(src, value_off, dest, len);
        if (st != OTA_IMAGE_OK) {
            return st;
        }
    } else if (type == OTA_IMAGE_TLV_HSS_LMS) {
        info->lms_signature_len = (uint16_t)len;
        info->lms_signature_offset = value_off;
    } else if (type == OTA_IMAGE_TLV_ENC_P256_AES128) {
        info->encryption_offset = value_off; /* read when the payload is decrypted */
    } else {
        info->signature_type = type;
        info->signature_len = (uint16_t)len;
        info->signature_offset = value_off;
    }
    *seen = true;
    return OTA_IMAGE_OK;
}

/* The TLV kinds a parse reads beside the SHA-256 TLV, which every parse reads. */
#define IMAGE_READS_ECDSA 1u /**< KEY_HASH and ECDSA_P256 */
#define IMAGE_READS_RAW 2u   /**< with IMAGE_READS_ECDSA: ECDSA_P256_PAYLOAD */
#define IMAGE_READS_LMS 4u   /**< LMS_KEY_HASH and HSS_LMS */
#define IMAGE_READS_ENC 8u   /**< ENC_P256_AES128 */

/** Whether a parse reading the kinds of reads (IMAGE_READS_*) reads an entry of type. Written
 *  as comparisons so that, with reads a constant, the compiler knows which types reach
 *  image_take_entry and leaves out the rest of it. */
static inline bool image_parse_reads(uint16_t type, unsigned reads)
{
    return type == OTA_IMAGE_TLV_SHA256 ||
           ((reads & IMAGE_READS_LMS) != 0u &&
            (type == OTA_IMAGE_TLV_LMS_KEY_HASH || type == OTA_IMAGE_TLV_HSS_LMS)) ||
           ((reads & IMAGE_READS_ECDSA) != 0u &&
            (type == OTA_IMAGE_TLV_KEY_HASH || type == OTA_IMAGE_TLV_ECDSA_P256 ||
             ((reads & IMAGE_READS_RAW) != 0u && type == OTA_IMAGE_TLV_ECDSA_P256_PAYLOAD))) ||
           ((reads & IMAGE_READS_ENC) != 0u && type == OTA_IMAGE_TLV_ENC_P256_AES128);
}

/**
 * ota_image_parse: image_parse_layout, then each entry of the TLV area in turn, its header
 * and value bounded by the area's end; an entry of a type reads (IMAGE_READS_*) covers goes to
 * image_take_entry, any other is skipped by its length, or refused when critical; the
 * SHA-256 TLV must be among them.
 * At most 2046 entries with the default 8 KB area (each consumes its 4-byte header), no
 * recursion.
 */
static inline ota_image_status_t image_parse_with(const ota_image_source_t *src,
                                                  ota_image_info_t *info,
                                                  unsigned reads)
{
    ota_image_status_t st = image_parse_layout(src, info);
    if (st != OTA_IMAGE_OK) {
        return st;
    }
    bool seen_sha = false;
    uint32_t pos = info->tlv_offset + OTA_IMAGE_TLV_INFO_SIZE;
    const uint32_t end = info->total_size;
    while (pos < end) {
        uint8_t eh[OTA_IMAGE_TLV_ENTRY_HDR];
        if (end - pos < OTA_IMAGE_TLV_ENTRY_HDR) {
            return OTA_IMAGE_ERR_TLV_OVERRUN;
        }
        st = image_read_at(src, pos, eh, sizeof eh);
        if (st != OTA_IMAGE_OK) {
            return st;
        }
        const uint16_t type = ota_le16_get(eh);
        const uint32_t len = ota_le16_get(eh + 2);
        pos += OTA_IMAGE_TLV_ENTRY_HDR;
        if (len > end - pos) {
            return OTA_IMAGE_ERR_TLV_OVERRUN;
        }
        if (image_parse_reads(type, reads)) {
            st = image_take_entry(src, type, len, pos, info, &seen_sha);
            if (st != OTA_IMAGE_OK) {
                return st;
            }
        } else if ((type & OTA_IMAGE_TLV_CRITICAL) != 0u) {
            return OTA_IMAGE_ERR_TLV_CRITICAL;
        }
        /* Unknown and not critical: skipped, so an older reader accepts a newer image. */
        pos += len;
    }
    return seen_sha ? OTA_IMAGE_OK : OTA_IMAGE_ERR_NO_HASH;
}

#endif /* OTAFLOW_IMAGE_PARSE_H */
