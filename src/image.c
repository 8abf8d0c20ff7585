/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Update image parsing and verification (layout: docs/image-format.md).
 *
 * Every size read from the image is checked against the space the caller gives (the slot,
 * src->size) before it is added to anything or used as a length, and every sum is written so
 * that it cannot wrap: "a + b > limit" is always tested as "b > limit - a" with a <= limit
 * known. Nothing is read outside [0, src->size).
 */
#include "otaflow/image.h"

#include <stddef.h>
#include <string.h>

#include "ct_bytes.h"
#include "image_parse.h"
#include "image_pass.h"
#include "image_tlv_rules.h"
#include "le_bytes.h"
#include "otaflow/crypto.h"
#include "status_text.h"

_Static_assert(OTA_IMAGE_OFF_RESERVED + 28u == OTA_IMAGE_HEADER_SIZE,
               "the reserved bytes end the header");

/* Header ---------------------------------------------------------------------------------- */

/* The u32 fields lie in ota_image_header_t in the order of their encoding, each at its
 * encoded offset less IMAGE_HEADER_SHIFT: decode and the hash pass's compare walk them as
 * one run of words instead of field by field. */
#define IMAGE_HEADER_SHIFT 4u
#define IMAGE_HEADER_AT(field) (offsetof(ota_image_header_t, field) + IMAGE_HEADER_SHIFT)
_Static_assert(IMAGE_HEADER_AT(version) == OTA_IMAGE_OFF_VERSION &&
                   IMAGE_HEADER_AT(security_counter) == OTA_IMAGE_OFF_SECURITY_COUNTER &&
                   IMAGE_HEADER_AT(load_addr) == OTA_IMAGE_OFF_LOAD_ADDR &&
                   IMAGE_HEADER_AT(payload_size) == OTA_IMAGE_OFF_PAYLOAD_SIZE &&
                   IMAGE_HEADER_AT(flags) == OTA_IMAGE_OFF_FLAGS &&
                   IMAGE_HEADER_AT(hw_id) == OTA_IMAGE_OFF_HW_ID &&
                   IMAGE_HEADER_AT(revoke_keys) == OTA_IMAGE_OFF_REVOKE_KEYS &&
                   IMAGE_HEADER_AT(revoke_keys) + 4u == OTA_IMAGE_OFF_RESERVED,
               "the header's u32 fields lie in the struct in the order of their encoding");

ota_image_status_t ota_image_header_decode(const uint8_t *raw, size_t len, uint32_t slot_size,
                                           ota_image_header_t *out)
{
    if (raw == NULL || out == NULL) {
        return OTA_IMAGE_ERR_ARG;
    }
    if (len < OTA_IMAGE_HEADER_SIZE) {
        return OTA_IMAGE_ERR_TRUNCATED;
    }
    if (ota_le32_get(raw + OTA_IMAGE_OFF_MAGIC) != OTA_IMAGE_MAGIC) {
        return OTA_IMAGE_ERR_MAGIC;
    }
    ota_image_header_t h;
    h.header_version = ota_le16_get(raw + OTA_IMAGE_OFF_HEADER_VERSION);
    h.header_size = ota_le16_get(raw + OTA_IMAGE_OFF_HEADER_SIZE);
    for (uint32_t at = OTA_IMAGE_OFF_VERSION; at < OTA_IMAGE_OFF_RESERVED; at += 4u) {
        const uint32_t word = ota_le32_get(raw + at);
        memcpy((uint8_t *)&h + (at - IMAGE_HEADER_SHIFT), &word, sizeof word);
    }

    /* The version is checked before the size: a later version may have a longer header. */
    if (h.header_version != OTA_IMAGE_HEADER_VERSION) {
        return OTA_IMAGE_ERR_HEADER_VERSION;
    }
    if (h.header_size != OTA_IMAGE_HEADER_SIZE) {
        return OTA_IMAGE_ERR_HEADER_SIZE;
    }
    /* Zero now, so that a later version can give these bits a meaning old readers refuse. */
    uint8_t nonzero = 0;
    for (uint32_t i = OTA_IMAGE_OFF_RESERVED; i < OTA_IMAGE_HEADER_SIZE; i++) {
        nonzero |= raw[i];
    }
    if (h.flags != 0u || nonzero != 0u) {
        return OTA_IMAGE_ERR_RESERVED;
    }
    if (slot_size < h.header_size || h.payload_size > slot_size - h.header_size) {
        return OTA_IMAGE_ERR_TOO_LARGE;
    }
    *out = h;
    return OTA_IMAGE_OK;
}

void ota_image_header_encode(const ota_image_header_t *hdr, uint8_t raw[OTA_IMAGE_HEADER_SIZE])
{
    memset(raw, 0, OTA_IMAGE_HEADER_SIZE);
    ota_le32_put(raw + OTA_IMAGE_OFF_MAGIC, (uint32_t)OTA_IMAGE_MAGIC);
    ota_le16_put(raw + OTA_IMAGE_OFF_HEADER_VERSION, (uint16_t)OTA_IMAGE_HEADER_VERSION);
    ota_le16_put(raw + OTA_IMAGE_OFF_HEADER_SIZE, (uint16_t)OTA_IMAGE_HEADER_SIZE);
    ota_le32_put(raw + OTA_IMAGE_OFF_VERSION, hdr->version);
    ota_le32_put(raw + OTA_IMAGE_OFF_SECURITY_COUNTER, hdr->security_counter);
    ota_le32_put(raw + OTA_IMAGE_OFF_LOAD_ADDR, hdr->load_addr);
    ota_le32_put(raw + OTA_IMAGE_OFF_PAYLOAD_SIZE, hdr->payload_size);
    ota_le32_put(raw + OTA_IMAGE_OFF_FLAGS, hdr->flags);
    ota_le32_put(raw + OTA_IMAGE_OFF_HW_ID, hdr->hw_id);
    ota_le32_put(raw + OTA_IMAGE_OFF_REVOKE_KEYS, hdr->revoke_keys);
}

/* Parse ----------------------------------------------------------------------------------- */

ota_image_status_t image_read_at(const ota_image_source_t *src, uint32_t offset, void *buf,
                                 uint32_t len)
{
    /* Callers have already bounded offset + len by src->size; this is the last guard. */
    if (offset > src->size || len > src->size - offset) {
        return OTA_IMAGE_ERR_TOO_LARGE;
    }
    if (len == 0u) {
        return OTA_IMAGE_OK;
    }
    return src->read(src->ctx, offset, buf, len) == 0 ? OTA_IMAGE_OK : OTA_IMAGE_ERR_READ;
}

#if !OTA_IMAGE_BOOT_PARSE /* else image_boot_parse.c's */
ota_image_status_t ota_image_parse(const ota_image_source_t *src, ota_image_info_t *info)
{
    /* Every kind image_tlv_rules.h knows (ota_image_tlv_known). */
    return image_parse_with(src, info,
                            IMAGE_READS_ECDSA | IMAGE_READS_LMS | IMAGE_READS_ENC |
                                (OTA_RAW_IMAGES ? IMAGE_READS_RAW : 0u));
}
#endif /* !OTA_IMAGE_BOOT_PARSE */

/* Verify ---------------------------------------------------------------------------------- */

ota_image_status_t image_pass_start(image_pass_t *pass)
{
    pass->header_same = true;
    ota_image_status_t st = ota_sha256_start(pass->image) == OTA_CRYPTO_OK ? OTA_IMAGE_OK
                                                                            : OTA_IMAGE_ERR_CRYPTO;
    pass->one_context = pass->file == NULL; /* then the image's is the one context fed */
    if (pass->file != NULL) {
        if (ota_sha256_start(pass->file) != OTA_CRYPTO_OK) {
            st = OTA_IMAGE_ERR_CRYPTO;
        }
        /* Asked once, on empty states: an engine either copies or never does. */
        ota_crypto_status_t cs = ota_sha256_copy(pass->image, pass->file);
        /* A transform between the two hashes (an encrypted image) feeds them different bytes. */
        pass->one_context = cs == OTA_CRYPTO_OK && pass->crypt == NULL;
        if (cs != OTA_CRYPTO_OK && cs != OTA_CRYPTO_ERR_UNSUPPORTED) {
            st = OTA_IMAGE_ERR_CRYPTO;
        }
    }
    return st;
}

/* Feed ctx (none: NULL) n bytes; a failure sticks in the context and finish reports it too. */
static bool image_pass_update(ota_sha256_t *ctx, const uint8_t *bytes, uint32_t n)
{
    return ctx == NULL || n == 0u || ota_sha256_update(ctx, bytes, n) == OTA_CRYPTO_OK;
}

/* One chunk read at off into both hashes. With one context only that one is fed: the
 * file's, its state copied into the image's where the image's bytes end, or without a file
 * hash the image's. Otherwise each is fed its own bytes, the transform (if any) between
 * them: with crypt_for_image the file hash sees the bytes as read and the image hash their
 * transform; without, the reverse. */
static ota_image_status_t image_pass_hash_chunk(image_pass_t *pass, uint32_t off, uint8_t *work,
                                                uint32_t n)
{
    uint32_t own = off < pass->image_len ? pass->image_len - off : 0u;
    own = own < n ? own : n;
    bool ok;
    if (pass->one_context) {
        /* Each step whatever the one before returned: a failure sticks in its context. */
        ota_sha256_t *fed = pass->file != NULL ? pass->file : pass->image;
        ok = image_pass_update(fed, work, own);
        if (fed != pass->image && own != 0u && off + own == pass->image_len) {
            ok = ota_sha256_copy(pass->image, pass->file) == OTA_CRYPTO_OK && ok;
        }
        ok = image_pass_update(pass->file, work + own, n - own) && ok;
    } else {
#if OTA_BOOT_DECRYPT
        ota_sha256_t *first = pass->crypt_for_image ? pass->file : pass->image;
        ota_sha256_t *second = pass->crypt_for_image ? pass->image : pass->file;
        ok = image_pass_update(first, work, pass->crypt_for_image ? n : own) &&
             (pass->crypt == NULL || pass->crypt(pass->crypt_ctx, off, work, n) == 0) &&
             image_pass_update(second, work, pass->crypt_for_image ? own : n);
#else
        /* A build that does not decrypt never sets crypt (boot_decrypt_open refuses every
         * encrypted image first): no transform between the two hashes. */
        ok = image_pass_update(pass->image, work, own) && image_pass_update(pass->file, work, n);
#endif
    }
    /* None of the contexts and bytes is NULL: a hash that cannot fail otherwise (crypto.h)
     * is not asked, so that no handling of a failed hash is compiled (the compact SHA-256's
     * start and finish say so to -flto themselves, crypto_sha256_small.c). */
    return ok || !OTA_SHA256_CAN_FAIL ? OTA_IMAGE_OK : OTA_IMAGE_ERR_CRYPTO;
}


#if OTA_IMAGE_BOOT_PARSE
_Static_assert(sizeof(ota_image_header_t) == 2u * 2u + 7u * 4u, "no padding: headers compare as bytes");

/* Whether the header bytes in the chunk at off (n bytes) are those h was decoded from. The
 * bootloader's pass (OTA_IMAGE_BOOT_PARSE) reads the whole header in its first chunk (its
 * buffer, OTA_BOOT_BUF_SIZE, holds at least one): decoded again, it must give h. A header
 * that decodes to the same fields is the same bytes (decode refuses any other magic, version,
 * size, flags or reserved byte), so this refuses exactly what the byte compare below refuses,
 * and also a pass whose chunks split the header (none of the bootloader's), without the
 * byte-by-byte walk. */
static bool image_pass_header_same(const ota_image_header_t *h, uint32_t off, const uint8_t *work,
                                   uint32_t n)
{
    if (off >= OTA_IMAGE_HEADER_SIZE) {
        return true;
    }
    ota_image_header_t read;
    return off == 0u && ota_image_header_decode(work, n, UINT32_MAX, &read) == OTA_IMAGE_OK &&
           memcmp(&read, h, sizeof read) == 0;
}
#else
/* Byte at (< OTA_IMAGE_HEADER_SIZE) of the encoding of h, as ota_image_header_encode writes
 * it: the magic, the version and size, the u32 fields, then reserved zeros. Computed per byte
 * rather than encoded whole, so that a hash pass needs neither the encoder nor a 64-byte copy
 * on its stack. */
static uint8_t image_header_byte(const ota_image_header_t *h, uint32_t at)
{
    const uint32_t w = at / 4u;
    uint32_t word = 0;
    if (w == 0u) {
        word = (uint32_t)OTA_IMAGE_MAGIC;
    } else if (w == 1u) {
        word = OTA_IMAGE_HEADER_VERSION | (uint32_t)OTA_IMAGE_HEADER_SIZE << 16;
    } else if (at < OTA_IMAGE_OFF_RESERVED) {
        memcpy(&word, (const uint8_t *)h + (at & ~3u) - IMAGE_HEADER_SHIFT, sizeof word);
    }
    return (uint8_t)(word >> (8u * (at & 3u)));
}

/* Whether the header bytes in the chunk at off (n bytes) are those of h, byte by byte: the
 * chunks of a pass may split the header (a download's check, ota_store_check_step). */
static bool image_pass_header_same(const ota_image_header_t *h, uint32_t off, const uint8_t *work,
                                   uint32_t n)
{
    bool same = true;
    for (uint32_t i = 0; i < n && off + i < OTA_IMAGE_HEADER_SIZE; i++) {
        same = same && work[i] == image_header_byte(h, off + i);
    }
    return same;
}
#endif

ota_image_status_t image_pass_run(const ota_image_source_t *src, const ota_image_info_t *info,
                                  uint32_t from, uint32_t to, uint8_t *work, uint32_t work_len,
                                  image_pass_t *pass)
{
    ota_image_status_t st = OTA_IMAGE_OK;
    for (uint32_t off = from; st == OTA_IMAGE_OK && off < to;) {
        uint32_t n = to - off < work_len ? to - off : work_len;
        st = image_read_at(src, off, work, n);
        if (st == OTA_IMAGE_OK) {
            /* The header read now must be the one parsed: otherwise a source that changed
             * between parse and hash could have its new bytes hashed while the caller acts
             * on old fields. */
            if (info != NULL && !image_pass_header_same(&info->header, off, work, n)) {
                pass->header_same = false;
            }
            st = image_pass_hash_chunk(pass, off, work, n);
        }
        off += n;
    }
    return st;
}

ota_image_status_t image_pass_end(image_pass_t *pass, ota_image_status_t st)
{
    /* finish also releases the backend's context after a failure. */
    if (ota_sha256_finish(pass->image, pass->image_hash) != OTA_CRYPTO_OK && st == OTA_IMAGE_OK) {
        st = OTA_IMAGE_ERR_CRYPTO;
    }
    if (pass->file != NULL && ota_sha256_finish(pass->file, pass->file_hash) != OTA_CRYPTO_OK &&
        st == OTA_IMAGE_OK) {
        st = OTA_IMAGE_ERR_CRYPTO;
    }
    return st;
}

ota_image_status_t image_hash_pass(const ota_image_source_t *src, const ota_image_info_t *info,
                                   uint32_t len, uint8_t *work, uint32_t work_len,
                                   image_pass_t *pass)
{
    ota_image_status_t st = image_pass_start(pass);
    if (st == OTA_IMAGE_OK) {
        st = image_pass_run(src, info, 0, len, work, work_len, pass);
    }
    return image_pass_end(pass, st);
}

ota_image_status_t ota_image_verify(const ota_image_source_t *src, const ota_image_info_t *info,
                                    uint8_t *work, size_t work_len)
{
    if (src == NULL || src->read == NULL || info == NULL || work == NULL || work_len == 0u) {
        return OTA_IMAGE_ERR_ARG;
    }
    const uint32_t hdr_size = info->header.header_size;
    if (hdr_size != OTA_IMAGE_HEADER_SIZE) {
        return OTA_IMAGE_ERR_ARG; /* info did not come from a successful parse */
    }
    if (src->size < hdr_size || info->header.payload_size > src->size - hdr_size) {
        return OTA_IMAGE_ERR_TOO_LARGE;
    }
    const uint32_t hashed = hdr_size + info->header.payload_size;
    ota_sha256_t sha;
    image_pass_t pass = {.image = &sha, .image_len = hashed};
    ota_image_status_t st = image_hash_pass(src, info, hashed, work,
                                            work_len > UINT32_MAX ? UINT32_MAX : (uint32_t)work_len,
                                            &pass);
    if (st != OTA_IMAGE_OK) {
        return st;
    }
    bool match = ct_equal(pass.image_hash, info->sha256, sizeof pass.image_hash);
    return (match && pass.header_same) ? OTA_IMAGE_OK : OTA_IMAGE_ERR_HASH;
}

/* Names ----------------------------------------------------------------------------------- */

const char *ota_image_status_str(ota_image_status_t status)
{
    OTA_STATUS_TEXT_OFF(status);
    switch (status) {
    case OTA_IMAGE_OK: return "ok";
    case OTA_IMAGE_ERR_TRUNCATED: return "image truncated";
    case OTA_IMAGE_ERR_MAGIC: return "not an otaflow image (bad magic)";
    case OTA_IMAGE_ERR_HEADER_VERSION: return "unsupported header version";
    case OTA_IMAGE_ERR_HEADER_SIZE: return "bad header size";
    case OTA_IMAGE_ERR_RESERVED: return "flags or reserved bytes not zero";
    case OTA_IMAGE_ERR_TOO_LARGE: return "image larger than the space it is in";
    case OTA_IMAGE_ERR_TLV_MAGIC: return "no TLV area after the payload (bad TLV magic)";
    case OTA_IMAGE_ERR_TLV_OVERRUN: return "TLV runs past the end of the TLV area";
    case OTA_IMAGE_ERR_TLV_CRITICAL: return "unknown critical TLV";
    case OTA_IMAGE_ERR_TLV_DUPLICATE: return "duplicate TLV";
    case OTA_IMAGE_ERR_TLV_LENGTH: return "TLV of a wrong length";
    case OTA_IMAGE_ERR_NO_HASH: return "no SHA-256 TLV";
    case OTA_IMAGE_ERR_HASH: return "hash mismatch";
    case OTA_IMAGE_ERR_READ: return "read error";
    case OTA_IMAGE_ERR_ARG: return "invalid argument";
    case OTA_IMAGE_ERR_CRYPTO: return "hash engine failed";
    case OTA_IMAGE_ERR_LOAD_ADDR: return "load address is not the application region's start";
    case OTA_IMAGE_ERR_REGION: return "does not fit the application region";
    }
    return "unknown image status";
}
