/* SPDX-License-Identifier: Apache-2.0 */
/* Encrypted test images (enc_image.h). */
#include "enc_image.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image_encrypt.h"
#include "sign_key.h"

static char enc_dir[64];

int enc_test_keys_make(enc_test_key_t *keys, unsigned n)
{
    snprintf(enc_dir, sizeof enc_dir, "/tmp/otaflow-enc-XXXXXX");
    if (mkdtemp(enc_dir) == NULL) {
        perror("mkdtemp");
        return -1;
    }
    for (unsigned i = 0; i < n; i++) {
        char why[256], priv[300];
        tool_key_t k;
        snprintf(priv, sizeof priv, "%s/dev%u.pem", enc_dir, i);
        snprintf(keys[i].pub_path, sizeof keys[i].pub_path, "%s/dev%u_pub.pem", enc_dir, i);
        int rc = tool_key_generate(&k, why, sizeof why);
        if (rc == 0) {
            rc = tool_key_write_private_pem(&k, priv, why, sizeof why);
        }
        if (rc == 0) {
            rc = tool_key_write_public_pem(&k, keys[i].pub_path, why, sizeof why);
        }
        tool_key_free(&k);
        if (rc == 0) {
            rc = tool_device_key_load(priv, &keys[i].key, why, sizeof why);
        }
        if (rc != 0) {
            fprintf(stderr, "device key: %s\n", why);
            return -1;
        }
    }
    return 0;
}

void enc_test_keys_free(enc_test_key_t *keys, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        char priv[300];
        snprintf(priv, sizeof priv, "%s/dev%u.pem", enc_dir, i);
        unlink(priv);
        unlink(keys[i].pub_path);
    }
    rmdir(enc_dir);
}

uint32_t enc_test_encrypt(const enc_test_key_t *key, const uint8_t *plain, uint32_t len,
                          uint8_t *out, uint8_t *installed, uint32_t cap)
{
    ota_image_buffer_t b;
    ota_image_source_t src;
    ota_image_info_t info;
    ota_image_source_buffer(&src, &b, plain, len);
    if (ota_image_parse(&src, &info) != OTA_IMAGE_OK) {
        fprintf(stderr, "enc_test_encrypt: the image does not parse\n");
        return 0;
    }
    uint32_t grow = OTA_IMAGE_TLV_ENTRY_HDR + OTA_IMAGE_ENC_TLV_SIZE;
    uint32_t total = info.total_size + grow;
    char why[256];
    tool_encrypt_t enc;
    if (total > cap || tool_encrypt_start(&enc, key->pub_path, why, sizeof why) != 0) {
        fprintf(stderr, "enc_test_encrypt: %s\n", total > cap ? "no room" : why);
        return 0;
    }
    memcpy(out, plain, info.total_size);
    int rc = tool_encrypt_update(&enc, out + OTA_IMAGE_HEADER_SIZE, info.header.payload_size);
    tool_encrypt_free(&enc);
    /* The ENC entry after the others, the area's size in its info raised to match. */
    uint8_t *entry = out + info.total_size;
    entry[0] = (uint8_t)OTA_IMAGE_TLV_ENC_P256_AES128;
    entry[1] = (uint8_t)(OTA_IMAGE_TLV_ENC_P256_AES128 >> 8);
    entry[2] = (uint8_t)OTA_IMAGE_ENC_TLV_SIZE;
    entry[3] = (uint8_t)(OTA_IMAGE_ENC_TLV_SIZE >> 8);
    memcpy(entry + OTA_IMAGE_TLV_ENTRY_HDR, enc.tlv, OTA_IMAGE_ENC_TLV_SIZE);
    uint32_t tlv_size = info.tlv_size + grow;
    for (unsigned i = 0; i < 4; i++) {
        out[info.tlv_offset + 4u + i] = (uint8_t)(tlv_size >> (8u * i));
    }
    if (installed != NULL) {
        memcpy(installed, out, total);
        memcpy(installed + OTA_IMAGE_HEADER_SIZE, plain + OTA_IMAGE_HEADER_SIZE,
               info.header.payload_size);
    }
    return rc == 0 ? total : 0;
}
