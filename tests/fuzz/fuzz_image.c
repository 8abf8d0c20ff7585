/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target 3: image header + TLV parsing and verification against a slot of arbitrary
 * content (issue 7).
 *
 * Input layout: byte 0 is the "shape" of the slot, the rest is the slot's content.
 *   shape bits 0..5  work buffer length for verify: 1 + 8 * bits (1..505 bytes)
 *   shape bits 6..7  slot size: 0 = exactly the content, 1 = content + 1 erased byte,
 *                    2 = content + 4 KB erased (a slot larger than its image),
 *                    3 = content - 1 (the image is cut short by the slot)
 * Reads past the content but inside the slot give 0xFF, as erased NOR flash does.
 *
 * Oracles beyond "no crash, no UB": nothing is read outside the slot; an accepted header is
 * canonical (encode(decode(raw)) == raw); an accepted layout fits the slot; verify says OK
 * exactly when an independent SHA-256 of header + payload equals the SHA-256 TLV, whatever
 * the work buffer size.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "otaflow/crypto.h"
#include "otaflow/image.h"
#include "otaflow/image_enc.h"

#define FUZZ_ERASED 0xFFu

typedef struct fuzz_slot {
    const uint8_t *data;
    uint32_t data_len; /* content bytes; the rest of the slot reads as erased */
    uint32_t size;     /* slot size handed to the parser */
} fuzz_slot_t;

static int slot_read(void *ctx, uint32_t offset, void *buf, uint32_t len)
{
    const fuzz_slot_t *slot = ctx;
    /* The contract: nothing is read past src->size. Reaching here is a parser bug. */
    if (offset > slot->size || len > slot->size - offset) {
        abort();
    }
    uint8_t *out = buf;
    for (uint32_t i = 0; i < len; i++) {
        uint32_t at = offset + i;
        out[i] = at < slot->data_len ? slot->data[at] : (uint8_t)FUZZ_ERASED;
    }
    return 0;
}

static void slot_sha256(const fuzz_slot_t *slot, uint32_t len, uint8_t out[OTA_SHA256_SIZE])
{
    ota_sha256_t ctx;
    ota_sha256_start(&ctx);
    uint32_t from_data = len < slot->data_len ? len : slot->data_len;
    ota_sha256_update(&ctx, slot->data, from_data);
    uint8_t erased[64];
    memset(erased, FUZZ_ERASED, sizeof erased);
    for (uint32_t done = from_data; done < len;) {
        uint32_t n = len - done < sizeof erased ? len - done : (uint32_t)sizeof erased;
        ota_sha256_update(&ctx, erased, n);
        done += n;
    }
    ota_sha256_finish(&ctx, out);
}

static void check_header(const fuzz_slot_t *slot)
{
    uint8_t raw[OTA_IMAGE_HEADER_SIZE];
    size_t n = slot->data_len < sizeof raw ? slot->data_len : sizeof raw;
    memcpy(raw, slot->data, n);
    ota_image_header_t h;
    ota_image_status_t st = ota_image_header_decode(raw, n, slot->size, &h);
    if (ota_image_status_str(st) == NULL) {
        abort();
    }
    if (st != OTA_IMAGE_OK) {
        return;
    }
    uint8_t again[OTA_IMAGE_HEADER_SIZE];
    ota_image_header_encode(&h, again);
    if (memcmp(again, raw, sizeof raw) != 0) {
        abort(); /* decode accepted a header that is not the canonical encoding */
    }
    if (h.payload_size > slot->size - OTA_IMAGE_HEADER_SIZE) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 1u << 20) {
        return 0;
    }
    uint8_t shape = data[0];
    fuzz_slot_t slot = {.data = data + 1, .data_len = (uint32_t)(size - 1)};
    switch (shape >> 6) {
    case 0: slot.size = slot.data_len; break;
    case 1: slot.size = slot.data_len + 1u; break;
    case 2: slot.size = slot.data_len + 4096u; break;
    default: slot.size = slot.data_len > 0 ? slot.data_len - 1u : 0u; break;
    }
    check_header(&slot);

    ota_image_source_t src = {.read = slot_read, .ctx = &slot, .size = slot.size};
    ota_image_info_t info;
    ota_image_status_t st = ota_image_parse(&src, &info);
    if (ota_image_status_str(st) == NULL) {
        abort();
    }
    if (st != OTA_IMAGE_OK) {
        return 0;
    }
    if (info.tlv_offset != OTA_IMAGE_HEADER_SIZE + info.header.payload_size ||
        info.total_size != info.tlv_offset + info.tlv_size || info.total_size > slot.size ||
        info.tlv_size > OTA_IMAGE_TLV_MAX || info.tlv_size < OTA_IMAGE_TLV_INFO_SIZE ||
        (info.has_signature && (info.signature_len == 0 || info.signature_len > 72 ||
                                info.signature_offset < info.tlv_offset + OTA_IMAGE_TLV_INFO_SIZE ||
                                info.signature_offset + info.signature_len > info.total_size))) {
        abort();
    }

    if (info.has_encryption &&
        (info.encryption_offset < info.tlv_offset + OTA_IMAGE_TLV_INFO_SIZE ||
         info.encryption_offset + OTA_IMAGE_ENC_TLV_SIZE > info.total_size)) {
        abort();
    }
    if (info.has_encryption) {
        /* The bootloader's unwrap on whatever the TLV holds: key id, an arbitrary ephemeral
         * point (ECDH must refuse one off the curve), the tag. A fixed device key: its id is
         * make_seeds.c's 0xA5 bytes, so seeds reach the ECDH. */
        static const ota_enc_key_t key = {
            .priv = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xAA, 0xBB,
                     0xCC, 0xDD, 0xEE, 0xF0, 0x01, 0x12, 0x23, 0x34, 0x45, 0x56, 0x67,
                     0x78, 0x89, 0x9A, 0xAB, 0xBC, 0xCD, 0xDE, 0xEF, 0xF1, 0x02},
            .key_id = {0xA5, 0xA5, 0xA5, 0xA5, 0xA5, 0xA5, 0xA5, 0xA5, 0xA5, 0xA5, 0xA5,
                       0xA5, 0xA5, 0xA5, 0xA5, 0xA5, 0xA5, 0xA5, 0xA5, 0xA5, 0xA5, 0xA5,
                       0xA5, 0xA5, 0xA5, 0xA5, 0xA5, 0xA5, 0xA5, 0xA5, 0xA5, 0xA5}};
        ota_image_enc_t enc;
        ota_enc_status_t est = ota_image_enc_open(&src, &info, &key, &enc);
        if (ota_enc_status_str(est) == NULL || (est != OTA_ENC_OK && enc.ready)) {
            abort();
        }
        ota_image_enc_close(&enc);
    }

    static uint8_t work[512];
    size_t work_len = 1u + 8u * (size_t)(shape & 0x3Fu);
    ota_image_status_t v1 = ota_image_verify(&src, &info, work, work_len);
    ota_image_status_t v2 = ota_image_verify(&src, &info, work, sizeof work);
    if (v1 != v2) {
        abort(); /* the verdict must not depend on the chunk size */
    }
    uint8_t digest[OTA_SHA256_SIZE];
    slot_sha256(&slot, info.tlv_offset, digest);
    bool match = memcmp(digest, info.sha256, sizeof digest) == 0;
    if ((v1 == OTA_IMAGE_OK) != match || (v1 != OTA_IMAGE_OK && v1 != OTA_IMAGE_ERR_HASH)) {
        abort(); /* OK exactly when the bytes match; a readable slot gives no other error */
    }
    return 0;
}
