/* SPDX-License-Identifier: Apache-2.0 */
/* Test images with a chosen counter, revocation mask and signer (signed_image.h). */
#include "signed_image.h"

#include <stdio.h>
#include <stdlib.h>

#include "otaflow/crypto.h"
#include "otaflow/image.h"

static void die(const char *what)
{
    fprintf(stderr, "signed_image: %s\n", what);
    abort();
}

uint32_t signed_image_make(uint8_t *buf, uint32_t cap, uint32_t size, uint32_t counter,
                           uint32_t revoke_keys, tool_key_t *key)
{
    ota_image_buffer_t b;
    ota_image_source_t src;
    ota_image_info_t info;
    ota_image_source_buffer(&src, &b, buf, size);
    if (ota_image_parse(&src, &info) != OTA_IMAGE_OK) {
        die("image does not parse");
    }
    info.header.security_counter = counter;
    info.header.revoke_keys = revoke_keys;
    ota_image_header_encode(&info.header, buf);
    ota_sha256(buf, info.tlv_offset, info.sha256);
    ota_image_tlv_writer_t w;
    ota_image_tlv_begin(&w, buf + info.tlv_offset, cap - info.tlv_offset);
    ota_image_tlv_add(&w, OTA_IMAGE_TLV_SHA256, info.sha256, sizeof info.sha256);
    if (key != NULL) {
        uint8_t sig[OTA_ECDSA_P256_SIG_MAX];
        size_t sig_len = 0;
        char why[128];
        if (tool_key_sign_hash(key, info.sha256, sig, &sig_len, why, sizeof why) != 0) {
            die(why);
        }
        ota_image_tlv_add(&w, OTA_IMAGE_TLV_KEY_HASH, key->key_id, sizeof key->key_id);
        ota_image_tlv_add(&w, OTA_IMAGE_TLV_ECDSA_P256, sig, sig_len);
    }
    uint32_t tlv_size = 0;
    if (ota_image_tlv_finish(&w, &tlv_size) != OTA_IMAGE_OK) {
        die("TLV area does not fit");
    }
    return info.tlv_offset + tlv_size;
}
