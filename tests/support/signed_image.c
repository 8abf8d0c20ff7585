/* SPDX-License-Identifier: Apache-2.0 */
/* Test images with a chosen counter, revocation mask and signer (signed_image.h). */
#include "signed_image.h"

#include <stdio.h>
#include <stdlib.h>

#include "otaflow/crypto.h"
#include "otaflow/image.h"
#include "test_keys.h"

uint32_t signed_image_make(uint8_t *buf, uint32_t cap, uint32_t size, uint32_t counter,
                           uint32_t revoke_keys, tool_key_t *key)
{
    ota_image_buffer_t b;
    ota_image_source_t src;
    ota_image_info_t info;
    ota_image_source_buffer(&src, &b, buf, size);
    if (ota_image_parse(&src, &info) != OTA_IMAGE_OK) {
        fprintf(stderr, "signed_image: image does not parse\n");
        abort();
    }
    info.header.security_counter = counter;
    info.header.revoke_keys = revoke_keys;
    ota_image_header_encode(&info.header, buf);
    /* The SHA-256 TLV comes first in fixture and signed images alike. */
    ota_sha256(buf, info.tlv_offset,
               buf + info.tlv_offset + OTA_IMAGE_TLV_INFO_SIZE + OTA_IMAGE_TLV_ENTRY_HDR);
    if (key == NULL) {
        return size;
    }
    uint32_t signed_size = test_keys_sign_image(key, buf, size, cap);
    if (signed_size == 0) {
        abort();
    }
    return signed_size;
}
