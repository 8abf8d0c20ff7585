/* SPDX-License-Identifier: Apache-2.0 */
/* Signing keys for tests (see test_keys.h). */
#include "test_keys.h"

#include <stdio.h>
#include <string.h>

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

int test_keys_der_to_rs(const uint8_t *der, size_t len, uint8_t rs[64])
{
    if (len < 8u || der[0] != 0x30u || der[1] != len - 2u) {
        return -1;
    }
    memset(rs, 0, 64);
    size_t at = 2;
    for (size_t k = 0; k < 2u; k++) {
        if (at + 2u > len || der[at] != 0x02u || der[at + 1] > 33u ||
            at + 2u + der[at + 1] > len) {
            return -1;
        }
        size_t n = der[at + 1];
        const uint8_t *v = der + at + 2;
        if (n == 33u) { /* the 0x00 before a top bit: not part of the number */
            v++;
            n--;
        }
        memcpy(rs + 32u * k + (32u - n), v, n);
        at += 2u + der[at + 1];
    }
    return at == len ? 0 : -1;
}

int test_keys_sign_rs(tool_key_t *key, const uint8_t hash[32], uint8_t rs[64])
{
    uint8_t der[OTA_ECDSA_P256_SIG_MAX];
    size_t n = 0;
    char why[128] = "signature not DER";
    if (tool_key_sign_hash(key, hash, der, &n, why, sizeof why) != 0 ||
        test_keys_der_to_rs(der, n, rs) != 0) {
        fprintf(stderr, "sign r||s: %s\n", why);
        return -1;
    }
    return 0;
}

void test_keys_base64(const uint8_t *in, size_t len, char *out)
{
    static const char A[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = 0;
    for (size_t i = 0; i < len; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < len ? (uint32_t)in[i + 1] << 8 : 0u) |
                     (i + 2 < len ? in[i + 2] : 0u);
        out[o++] = A[v >> 18 & 63];
        out[o++] = A[v >> 12 & 63];
        out[o++] = i + 1 < len ? A[v >> 6 & 63] : '=';
        out[o++] = i + 2 < len ? A[v & 63] : '=';
    }
    out[o] = '\0';
}

int test_keys_original_signature(tool_key_t *key, const uint8_t hash[32], char *out)
{
    uint8_t rs[64];
    if (test_keys_sign_rs(key, hash, rs) != 0) {
        return -1;
    }
    test_keys_base64(rs, sizeof rs, out);
    return 0;
}
