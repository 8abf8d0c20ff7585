/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Builds update images in memory for tests: a valid one in one call, or a crafted one step by
 * step (header, payload, raw TLV entries, any TLV total) to produce each parse error.
 * The TLV entries are appended raw, without the checks of ota_image_tlv_add, so a test can
 * write what the writer would refuse.
 */
#ifndef OTAFLOW_TEST_IMAGE_BUILDER_H
#define OTAFLOW_TEST_IMAGE_BUILDER_H

#include <stdint.h>

#include "otaflow/image.h"

#define TEST_IMAGE_CAP (64u * 1024u)

typedef struct test_image {
    uint8_t bytes[TEST_IMAGE_CAP];
    uint32_t len;        /**< bytes written so far */
    uint32_t tlv_offset; /**< where the TLV info starts */
    ota_image_buffer_t buf;
} test_image_t;

/** A header with distinctive field values and the given payload size. */
ota_image_header_t test_image_header(uint32_t payload_size);

/** Header (ota_image_header_encode) + payload (a fixed pattern when payload is NULL) + TLV info
 *  with total still to be set by test_image_end. */
void test_image_start(test_image_t *img, const ota_image_header_t *h, const uint8_t *payload);

/** Append one raw TLV entry. */
void test_image_tlv(test_image_t *img, uint16_t type, const void *value, uint16_t len);

/** Append the SHA-256 TLV of the bytes in [0, tlv_offset). */
void test_image_tlv_sha256(test_image_t *img);

/** Write the TLV total (len - tlv_offset) into the info; returns the image size. */
uint32_t test_image_end(test_image_t *img);

/** A valid image: default header, pattern payload of payload_size bytes, SHA-256 TLV only. */
uint32_t test_image_valid(test_image_t *img, uint32_t payload_size);

/** A source reading the image bytes, with size = the image length (the slot fits exactly). */
ota_image_source_t test_image_source(test_image_t *img);

/** Two versions of an image behind one source (test_two_faced_read, ctx a test_two_faced_t):
 *  the first read of offset 0 (a parse's header read) and every read elsewhere from first,
 *  every later read of offset 0 from later: a bus that changes the header between a parse and
 *  the pass that hashes it. */
typedef struct test_two_faced {
    const uint8_t *first, *later;
    uint32_t size;
    unsigned header_reads;
} test_two_faced_t;

/** ota_image_source_t's read over a test_two_faced_t. */
int test_two_faced_read(void *ctx, uint32_t off, void *buf, uint32_t len);

/** Overwrite a little-endian u16 / u32 at off (to corrupt a field after building). */
void test_image_put16(test_image_t *img, uint32_t off, uint16_t v);
void test_image_put32(test_image_t *img, uint32_t off, uint32_t v);

#endif /* OTAFLOW_TEST_IMAGE_BUILDER_H */
