/* SPDX-License-Identifier: Apache-2.0 */
#include "image_builder.h"

#include <assert.h>
#include <string.h>

#include "otaflow/crypto.h"

ota_image_header_t test_image_header(uint32_t payload_size)
{
    ota_image_header_t h = {
        .header_version = OTA_IMAGE_HEADER_VERSION,
        .header_size = OTA_IMAGE_HEADER_SIZE,
        .version = 0x01020304u,
        .security_counter = 7u,
        .load_addr = 0x10020000u,
        .payload_size = payload_size,
        .flags = 0u,
        .hw_id = 0x57310001u,
    };
    return h;
}

void test_image_put16(test_image_t *img, uint32_t off, uint16_t v)
{
    assert(off + 2u <= TEST_IMAGE_CAP);
    img->bytes[off] = (uint8_t)v;
    img->bytes[off + 1u] = (uint8_t)(v >> 8);
}

void test_image_put32(test_image_t *img, uint32_t off, uint32_t v)
{
    test_image_put16(img, off, (uint16_t)v);
    test_image_put16(img, off + 2u, (uint16_t)(v >> 16));
}

void test_image_start(test_image_t *img, const ota_image_header_t *h, const uint8_t *payload)
{
    assert(h->payload_size <= TEST_IMAGE_CAP - OTA_IMAGE_HEADER_SIZE - 512u);
    memset(img->bytes, 0, sizeof img->bytes);
    ota_image_header_encode(h, img->bytes);
    uint8_t *p = img->bytes + OTA_IMAGE_HEADER_SIZE;
    for (uint32_t i = 0; i < h->payload_size; i++) {
        p[i] = payload != NULL ? payload[i] : (uint8_t)(i * 7u + 3u);
    }
    img->tlv_offset = OTA_IMAGE_HEADER_SIZE + h->payload_size;
    test_image_put16(img, img->tlv_offset, OTA_IMAGE_TLV_MAGIC);
    test_image_put16(img, img->tlv_offset + 2u, 0);
    img->len = img->tlv_offset + OTA_IMAGE_TLV_INFO_SIZE;
}

void test_image_tlv(test_image_t *img, uint16_t type, const void *value, uint16_t len)
{
    assert(img->len + 4u + len <= TEST_IMAGE_CAP);
    test_image_put16(img, img->len, type);
    test_image_put16(img, img->len + 2u, len);
    if (len > 0u) {
        memcpy(img->bytes + img->len + 4u, value, len);
    }
    img->len += 4u + len;
}

void test_image_tlv_sha256(test_image_t *img)
{
    uint8_t digest[OTA_SHA256_SIZE];
    ota_sha256(img->bytes, img->tlv_offset, digest);
    test_image_tlv(img, OTA_IMAGE_TLV_SHA256, digest, sizeof digest);
}

uint32_t test_image_end(test_image_t *img)
{
    test_image_put32(img, img->tlv_offset + 4u, img->len - img->tlv_offset);
    return img->len;
}

uint32_t test_image_valid(test_image_t *img, uint32_t payload_size)
{
    ota_image_header_t h = test_image_header(payload_size);
    test_image_start(img, &h, NULL);
    test_image_tlv_sha256(img);
    return test_image_end(img);
}

ota_image_source_t test_image_source(test_image_t *img)
{
    ota_image_source_t src;
    ota_image_source_buffer(&src, &img->buf, img->bytes, img->len);
    return src;
}

int test_two_faced_read(void *ctx, uint32_t off, void *buf, uint32_t len)
{
    test_two_faced_t *t = ctx;
    if (off > t->size || len > t->size - off) {
        return -1;
    }
    const uint8_t *from = t->first;
    if (off == 0 && t->header_reads++ > 0) {
        from = t->later;
    }
    memcpy(buf, from + off, len);
    return 0;
}
