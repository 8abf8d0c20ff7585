/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The bootloader's image parse (src/image_boot_parse.c, OTA_IMAGE_BOOT_PARSE) against the
 * agent's (ota_image_parse of the default build), on one slot: shared by
 * tests/unit/test_image_boot_parse.c (the image fuzz corpus and hostile images) and
 * tests/fuzz/fuzz_image_boot.c. CMakeLists.txt compiles the bootloader's parse once per
 * lean build (ECDSA only, HSS/LMS only, SHA-256 only, and everything with decryption), each
 * as image_boot_parse_<build>, beside the default core.
 *
 * The claim checked: the bootloader's parse of an image is the agent's parse of the same image
 * with every TLV the bootloader does not read renamed to an unknown type of the same
 * criticality (status and every field of ota_image_info_t). So the two differ only on TLVs the
 * bootloader never acts on: it refuses everything the agent refuses but their duplicates and
 * lengths (harmless: nothing of them reaches a decision), and it refuses an encrypted image
 * outright when it does not decrypt. Plus the plain consequences, checked directly: an image
 * the agent accepts, the bootloader accepts with the same header, layout, hash and signature
 * fields of its algorithms (unless encrypted in a build that does not decrypt: refused).
 */
#ifndef OTAFLOW_IMAGE_BOOT_RIG_H
#define OTAFLOW_IMAGE_BOOT_RIG_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "image_parse.h"
#include "le_bytes.h"
#include "otaflow/image.h"

/* The slot of one input (tests/fuzz/fuzz_image.c's layout): byte 0 the shape, the rest the
 * slot's content; shape bits 6..7 give the slot size (0: the content, 1: + 1 erased byte,
 * 2: + 4 KB erased, 3: content - 1). Reads past the content read erased bytes (0xFF). */
#define IMAGE_RIG_MAX (64u * 1024u)
typedef struct image_rig_slot {
    const uint8_t *data;
    uint32_t data_len;
    uint32_t size;
} image_rig_slot_t;

static int image_rig_read(void *ctx, uint32_t offset, void *buf, uint32_t len)
{
    const image_rig_slot_t *slot = ctx;
    if (offset > slot->size || len > slot->size - offset) {
        return -1; /* past the slot: the parsers refuse this before reading (checked below) */
    }
    uint8_t *out = buf;
    for (uint32_t i = 0; i < len; i++) {
        out[i] = offset + i < slot->data_len ? slot->data[offset + i] : 0xFFu;
    }
    return 0;
}

static image_rig_slot_t image_rig_slot(const uint8_t *input, uint32_t len)
{
    image_rig_slot_t slot = {.data = input + 1, .data_len = len - 1u};
    switch (input[0] >> 6) {
    case 0: slot.size = slot.data_len; break;
    case 1: slot.size = slot.data_len + 1u; break;
    case 2: slot.size = slot.data_len + 4096u; break;
    default: slot.size = slot.data_len > 0u ? slot.data_len - 1u : 0u; break;
    }
    return slot;
}

/* One lean build's parse and the TLV kinds it reads (IMAGE_READS_*, src/image_parse.h). */
typedef struct image_rig_build {
    const char *name;
    ota_image_status_t (*parse)(const ota_image_source_t *src, ota_image_info_t *info);
    unsigned reads;
} image_rig_build_t;

/* Whether the agent's parse knows type and a build reading `reads` does not: written out
 * here, type by type, rather than taken from the parsers. */
static bool image_rig_skipped(uint16_t type, unsigned reads)
{
    switch (type) {
    case OTA_IMAGE_TLV_KEY_HASH:
    case OTA_IMAGE_TLV_ECDSA_P256: return (reads & IMAGE_READS_ECDSA) == 0u;
    case OTA_IMAGE_TLV_ECDSA_P256_PAYLOAD:
        return (reads & IMAGE_READS_ECDSA) == 0u || (reads & IMAGE_READS_RAW) == 0u;
    case OTA_IMAGE_TLV_LMS_KEY_HASH:
    case OTA_IMAGE_TLV_HSS_LMS: return (reads & IMAGE_READS_LMS) == 0u;
    case OTA_IMAGE_TLV_ENC_P256_AES128: return (reads & IMAGE_READS_ENC) == 0u;
    default: return false;
    }
}

/* bytes (len, the slot's content) with every entry a build reading `reads` skips renamed to
 * an unknown type of the same criticality (0x0F00 set: no known type has it). The walk goes
 * as far as the content holds well-formed entries; past it both parsers see the same bytes. */
static void image_rig_mask(uint8_t *bytes, uint32_t len, unsigned reads)
{
    if (len < OTA_IMAGE_HEADER_SIZE + OTA_IMAGE_TLV_INFO_SIZE) {
        return;
    }
    uint32_t payload = ota_le32_get(bytes + OTA_IMAGE_OFF_PAYLOAD_SIZE);
    if (payload > len - OTA_IMAGE_HEADER_SIZE - OTA_IMAGE_TLV_INFO_SIZE) {
        return;
    }
    uint32_t tlv = OTA_IMAGE_HEADER_SIZE + payload;
    uint32_t total = ota_le32_get(bytes + tlv + 4u);
    uint32_t end = total > len - tlv ? len : tlv + total;
    for (uint32_t pos = tlv + OTA_IMAGE_TLV_INFO_SIZE;
         pos < end && end - pos >= OTA_IMAGE_TLV_ENTRY_HDR;) {
        uint16_t type = ota_le16_get(bytes + pos);
        if (image_rig_skipped(type, reads)) {
            ota_le16_put(bytes + pos, (uint16_t)(type | 0x0F00u));
        }
        pos += OTA_IMAGE_TLV_ENTRY_HDR + ota_le16_get(bytes + pos + 2u);
    }
}

static bool image_rig_same_header(const ota_image_header_t *a, const ota_image_header_t *b)
{
    return a->header_version == b->header_version && a->header_size == b->header_size &&
           a->version == b->version && a->security_counter == b->security_counter &&
           a->load_addr == b->load_addr && a->payload_size == b->payload_size &&
           a->flags == b->flags && a->hw_id == b->hw_id && a->revoke_keys == b->revoke_keys;
}

/* What a bootloader reading `reads` uses of a parse: header, layout, SHA-256, and the key id
 * and signature of each algorithm it verifies (b's ECDSA signature only when it is one the
 * build reads: the original's, ECDSA_P256_PAYLOAD, needs IMAGE_READS_RAW). */
static bool image_rig_same_used(const ota_image_info_t *a, const ota_image_info_t *b,
                                unsigned reads)
{
    bool same = image_rig_same_header(&a->header, &b->header) &&
                a->tlv_offset == b->tlv_offset && a->tlv_size == b->tlv_size &&
                a->total_size == b->total_size && memcmp(a->sha256, b->sha256, 32) == 0;
    if ((reads & IMAGE_READS_ECDSA) != 0u) {
        same = same && a->has_key_hash == b->has_key_hash &&
               memcmp(a->key_hash, b->key_hash, 32) == 0;
        if ((reads & IMAGE_READS_RAW) != 0u ||
            b->signature_type != OTA_IMAGE_TLV_ECDSA_P256_PAYLOAD) {
            same = same && a->has_signature == b->has_signature &&
                   a->signature_type == b->signature_type &&
                   a->signature_len == b->signature_len &&
                   a->signature_offset == b->signature_offset;
        }
    }
    if ((reads & IMAGE_READS_LMS) != 0u) {
        same = same && a->has_lms_key_hash == b->has_lms_key_hash &&
               memcmp(a->lms_key_hash, b->lms_key_hash, 32) == 0 &&
               a->has_lms_signature == b->has_lms_signature &&
               a->lms_signature_len == b->lms_signature_len &&
               a->lms_signature_offset == b->lms_signature_offset;
    }
    if ((reads & IMAGE_READS_ENC) != 0u) {
        same = same && a->has_encryption == b->has_encryption &&
               a->encryption_offset == b->encryption_offset;
    }
    return same;
}

/* Every field of ota_image_info_t (those of every kind). */
static bool image_rig_same_all(const ota_image_info_t *a, const ota_image_info_t *b)
{
    return image_rig_same_used(a, b,
                               IMAGE_READS_ECDSA | IMAGE_READS_RAW | IMAGE_READS_LMS |
                                   IMAGE_READS_ENC);
}

/* The verdicts on one input, for a report. */
typedef struct image_rig_result {
    ota_image_status_t agent;        /* the agent's parse of the image */
    ota_image_status_t boot;         /* the build's parse of the image */
    ota_image_status_t agent_masked; /* the agent's parse of the image masked for the build */
    bool agent_encrypted;            /* the agent found the encryption TLV */
} image_rig_result_t;

/*
 * Check one input (byte 0 the shape, then the content; at most IMAGE_RIG_MAX bytes) against
 * one build: NULL when every claim holds, else which one failed. *result gets the verdicts.
 */
static const char *image_rig_check(const image_rig_build_t *build, const uint8_t *input,
                                   uint32_t len, image_rig_result_t *result)
{
    static uint8_t masked[IMAGE_RIG_MAX];
    static ota_image_info_t agent, boot, agent_masked;
    if (len < 1u || len > IMAGE_RIG_MAX) {
        return NULL;
    }
    image_rig_slot_t slot = image_rig_slot(input, len);
    memcpy(masked, slot.data, slot.data_len);
    image_rig_mask(masked, slot.data_len, build->reads);
    image_rig_slot_t mslot = slot;
    mslot.data = masked;
    ota_image_source_t src = {.read = image_rig_read, .ctx = &slot, .size = slot.size};
    ota_image_source_t msrc = {.read = image_rig_read, .ctx = &mslot, .size = mslot.size};

    result->agent = ota_image_parse(&src, &agent);
    result->boot = build->parse(&src, &boot);
    result->agent_masked = ota_image_parse(&msrc, &agent_masked);
    result->agent_encrypted = result->agent == OTA_IMAGE_OK && agent.has_encryption;
    /* Reads are bounded by the slot in both (image_rig_read refuses past it: ERR_READ). */
    if (result->boot == OTA_IMAGE_ERR_READ || result->agent == OTA_IMAGE_ERR_READ) {
        return "a parse read past the slot";
    }
    if (result->boot != result->agent_masked) {
        return "status differs from the agent's on the masked image";
    }
    if (result->boot == OTA_IMAGE_OK && !image_rig_same_all(&boot, &agent_masked)) {
        return "fields differ from the agent's on the masked image";
    }
    bool refuse_encrypted = (build->reads & IMAGE_READS_ENC) == 0u && result->agent_encrypted;
    if (refuse_encrypted && result->boot == OTA_IMAGE_OK) {
        return "an encrypted image accepted by a build that does not decrypt";
    }
    if (result->agent == OTA_IMAGE_OK && !refuse_encrypted &&
        (result->boot != OTA_IMAGE_OK || !image_rig_same_used(&boot, &agent, build->reads))) {
        return "an image the agent accepts is refused or read otherwise";
    }
    if (result->boot == OTA_IMAGE_OK && result->agent != OTA_IMAGE_OK &&
        result->agent != OTA_IMAGE_ERR_TLV_DUPLICATE && result->agent != OTA_IMAGE_ERR_TLV_LENGTH) {
        return "accepted what the agent refuses for more than a skipped TLV";
    }
    return NULL;
}

#endif /* OTAFLOW_IMAGE_BOOT_RIG_H */
