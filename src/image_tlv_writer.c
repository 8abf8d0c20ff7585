/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TLV area writer: builds info + entries in a caller buffer, for the host tool and tests.
 * Lengths of known types follow the same rules as the parser (image_tlv_rules.h).
 */
#include <string.h>

#include "image_tlv_rules.h"
#include "le_bytes.h"
#include "ota_assert.h"
#include "otaflow/image.h"

ota_image_status_t ota_image_tlv_begin(ota_image_tlv_writer_t *w, uint8_t *buf, size_t cap)
{
    if (w == NULL) {
        return OTA_IMAGE_ERR_ARG;
    }
    w->buf = buf;
    w->cap = cap > OTA_IMAGE_TLV_MAX ? OTA_IMAGE_TLV_MAX : cap;
    w->len = 0;
    w->status = OTA_IMAGE_OK;
    if (buf == NULL) {
        w->status = OTA_IMAGE_ERR_ARG;
    } else if (w->cap < OTA_IMAGE_TLV_INFO_SIZE) {
        w->status = OTA_IMAGE_ERR_TOO_LARGE;
    } else {
        ota_le16_put(buf, (uint16_t)OTA_IMAGE_TLV_MAGIC);
        ota_le16_put(buf + 2, 0);
        ota_le32_put(buf + 4, OTA_IMAGE_TLV_INFO_SIZE);
        w->len = OTA_IMAGE_TLV_INFO_SIZE;
    }
    return w->status;
}

ota_image_status_t ota_image_tlv_add(ota_image_tlv_writer_t *w, uint16_t type,
                                     const void *value, size_t len)
{
    if (w == NULL) {
        return OTA_IMAGE_ERR_ARG;
    }
    if (w->status != OTA_IMAGE_OK) {
        return w->status;
    }
    if (value == NULL && len > 0u) {
        w->status = OTA_IMAGE_ERR_ARG;
    } else if (len > UINT16_MAX || !ota_image_tlv_length_ok(type, (uint32_t)len)) {
        w->status = OTA_IMAGE_ERR_TLV_LENGTH;
    } else if (w->cap - w->len < OTA_IMAGE_TLV_ENTRY_HDR ||
               len > w->cap - w->len - OTA_IMAGE_TLV_ENTRY_HDR) {
        w->status = OTA_IMAGE_ERR_TOO_LARGE;
    } else {
        uint8_t *p = w->buf + w->len;
        ota_le16_put(p, type);
        ota_le16_put(p + 2, (uint16_t)len);
        if (len > 0u) {
            memcpy(p + OTA_IMAGE_TLV_ENTRY_HDR, value, len);
        }
        w->len += OTA_IMAGE_TLV_ENTRY_HDR + len;
    }
    return w->status;
}

ota_image_status_t ota_image_tlv_finish(ota_image_tlv_writer_t *w, uint32_t *size)
{
    if (w == NULL || size == NULL) {
        return OTA_IMAGE_ERR_ARG;
    }
    *size = 0;
    if (w->status != OTA_IMAGE_OK) {
        return w->status;
    }
    /* len <= cap <= OTA_IMAGE_TLV_MAX: fits in 32 bits. */
    OTA_ASSERT(w->len <= w->cap && w->cap <= OTA_IMAGE_TLV_MAX);
    ota_le32_put(w->buf + 4, (uint32_t)w->len);
    *size = (uint32_t)w->len;
    return OTA_IMAGE_OK;
}
