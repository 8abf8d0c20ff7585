/* SPDX-License-Identifier: Apache-2.0 */
/* Signing keys for tests (see test_keys.h). */
#include "test_keys.h"

#include <stdio.h>

#include "otaflow/image.h"

int test_keys_make(tool_key_t *trusted, tool_key_t *other, ota_sig_key_t *entry)
{
    char why[128];
    if (tool_key_generate(trusted, why, sizeof why) != 0 ||
        tool_key_generate(other, why, sizeof why) != 0) {
        fprintf(stderr, "keygen: %s\n", why);
        return -1;
    }
    tool_key_trust(trusted, entry);
    return 0;
}

void test_keys_free(tool_key_t *trusted, tool_key_t *other)
{
    tool_key_free(trusted);
    tool_key_free(other);
}

uint32_t test_keys_sign_image(tool_key_t *key, uint8_t *img, uint32_t len, uint32_t cap)
{
    ota_image_buffer_t b;
    ota_image_source_t src;
    ota_image_info_t info;
    ota_image_source_buffer(&src, &b, img, len);
    char why[128] = "image does not parse";
    uint32_t tlv_size = 0;
    if (ota_image_parse(&src, &info) != OTA_IMAGE_OK ||
        tool_key_image_tlvs(key, info.sha256, img + info.tlv_offset, cap - info.tlv_offset,
                            &tlv_size, why, sizeof why) != 0) {
        fprintf(stderr, "sign image: %s\n", why);
        return 0;
    }
    return info.tlv_offset + tlv_size;
}

size_t test_keys_sign_manifest(tool_key_t *key, const char *text, size_t len, uint8_t *sig)
{
    size_t sig_len = 0;
    char why[128];
    if (tool_key_sign_manifest(key, text, len, sig, &sig_len, why, sizeof why) != 0) {
        fprintf(stderr, "sign manifest: %s\n", why);
        return 0;
    }
    return sig_len;
}
