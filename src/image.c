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

#include <string.h>

#include "ct_bytes.h"
#include "image_pass.h"
#include "image_tlv_rules.h"
#include "le_bytes.h"
#include "otaflow/crypto.h"
#include "status_text.h"

_Static_assert(OTA_IMAGE_OFF_RESERVED + 28u == OTA_IMAGE_HEADER_SIZE,
               "the reserved bytes end the header");

/* Header ---------------------------------------------------------------------------------- */

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
    h.version = ota_le32_get(raw + OTA_IMAGE_OFF_VERSION);
    h.security_counter = ota_le32_get(raw + OTA_IMAGE_OFF_SECURITY_COUNTER);
    h.load_addr = ota_le32_get(raw + OTA_IMAGE_OFF_LOAD_ADDR);
    h.payload_size = ota_le32_get(raw + OTA_IMAGE_OFF_PAYLOAD_SIZE);
    h.flags = ota_le32_get(raw + OTA_IMAGE_OFF_FLAGS);
    h.hw_id = ota_le32_get(raw + OTA_IMAGE_OFF_HW_ID);
    h.revoke_keys = ota_le32_get(raw + OTA_IMAGE_OFF_REVOKE_KEYS);

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

static ota_image_status_t image_read_at(const ota_image_source_t *src, uint32_t offset, void *buf,
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

/** Record one known entry after checking it is the first and of a valid length: the hash and
 *  key id are read into info, a signature is only located (it may be kilobytes). */
static ota_image_status_t image_take_known(const ota_image_source_t *src, uint16_t type,
                                           uint32_t len, uint32_t value_off, ota_image_info_t *info,
                                           bool *seen_sha)
{
    bool *seen;
    void *dest = NULL;
    switch (type) {
    case OTA_IMAGE_TLV_SHA256:
        seen = seen_sha;
        dest = info->sha256;
        break;
    case OTA_IMAGE_TLV_KEY_HASH:
        seen = &info->has_key_hash;
        dest = info->key_hash;
        break;
    case OTA_IMAGE_TLV_LMS_KEY_HASH:
        seen = &info->has_lms_key_hash;
        dest = info->lms_key_hash;
        break;
    case OTA_IMAGE_TLV_HSS_LMS:
        seen = &info->has_lms_signature;
        break;
    case OTA_IMAGE_TLV_ENC_P256_AES128:
        seen = &info->has_encryption;
        break;
    default: /* an ECDSA signature: OTA_IMAGE_TLV_ECDSA_P256 (or _PAYLOAD) */
        seen = &info->has_signature;
        break;
    }
    if (*seen) {
        return OTA_IMAGE_ERR_TLV_DUPLICATE;
    }
    if (!ota_image_tlv_length_ok(type, len)) {
        return OTA_IMAGE_ERR_TLV_LENGTH;
    }
    if (dest != NULL) {
        ota_image_status_t st = image_read_at(src, value_off, dest, len);
        if (st != OTA_IMAGE_OK) {
            return st;
        }
    } else if (type == OTA_IMAGE_TLV_HSS_LMS) {
        info->lms_signature_len = (uint16_t)len;
        info->lms_signature_offset = value_off;
    } else if (type == OTA_IMAGE_TLV_ENC_P256_AES128) {
        info->encryption_offset = value_off; /* read when the payload is decrypted */
    } else {
        info->signature_type = type;
        info->signature_len = (uint16_t)len;
        info->signature_offset = value_off;
    }
    *seen = true;
    return OTA_IMAGE_OK;
}

/** Walk the entries in [pos, end): every entry header and value must end inside it exactly. */
static ota_image_status_t image_parse_entries(const ota_image_source_t *src, uint32_t pos,
                                              uint32_t end, ota_image_info_t *info)
{
    bool seen_sha = false;
    /* Each round consumes at least OTA_IMAGE_TLV_ENTRY_HDR bytes of an area of at most
     * OTA_IMAGE_TLV_MAX: at most 2046 rounds with the default 8 KB, no recursion. */
    while (pos < end) {
        if (end - pos < OTA_IMAGE_TLV_ENTRY_HDR) {
            return OTA_IMAGE_ERR_TLV_OVERRUN;
        }
        uint8_t eh[OTA_IMAGE_TLV_ENTRY_HDR];
        ota_image_status_t st = image_read_at(src, pos, eh, sizeof eh);
        if (st != OTA_IMAGE_OK) {
            return st;
        }
        uint16_t type = ota_le16_get(eh);
        uint32_t len = ota_le16_get(eh + 2);
        pos += OTA_IMAGE_TLV_ENTRY_HDR;
        if (len > end - pos) {
            return OTA_IMAGE_ERR_TLV_OVERRUN;
        }
        if (ota_image_tlv_known(type)) {
            st = image_take_known(src, type, len, pos, info, &seen_sha);
            if (st != OTA_IMAGE_OK) {
                return st;
            }
        } else if ((type & OTA_IMAGE_TLV_CRITICAL) != 0u) {
            return OTA_IMAGE_ERR_TLV_CRITICAL;
        }
        /* Unknown and not critical: skipped, so an older reader accepts a newer image. */
        pos += len;
    }
    return seen_sha ? OTA_IMAGE_OK : OTA_IMAGE_ERR_NO_HASH;
}

ota_image_status_t ota_image_parse(const ota_image_source_t *src, ota_image_info_t *info)
{
    if (src == NULL || src->read == NULL || info == NULL) {
        return OTA_IMAGE_ERR_ARG;
    }
    memset(info, 0, sizeof *info);
    if (src->size < OTA_IMAGE_HEADER_SIZE) {
        return OTA_IMAGE_ERR_TRUNCATED;
    }
    uint8_t raw[OTA_IMAGE_HEADER_SIZE];
    ota_image_status_t st = image_read_at(src, 0, raw, sizeof raw);
    if (st != OTA_IMAGE_OK) {
        return st;
    }
    st = ota_image_header_decode(raw, sizeof raw, src->size, &info->header);
    if (st != OTA_IMAGE_OK) {
        return st;
    }
    /* decode guaranteed header_size + payload_size <= src->size: no wrap. */
    const uint32_t tlv_off = (uint32_t)info->header.header_size + info->header.payload_size;
    const uint32_t room = src->size - tlv_off;
    if (room < OTA_IMAGE_TLV_INFO_SIZE) {
        return OTA_IMAGE_ERR_TOO_LARGE;
    }
    uint8_t ti[OTA_IMAGE_TLV_INFO_SIZE];
    st = image_read_at(src, tlv_off, ti, sizeof ti);
    if (st != OTA_IMAGE_OK) {
        return st;
    }
    if (ota_le16_get(ti) != OTA_IMAGE_TLV_MAGIC) {
        return OTA_IMAGE_ERR_TLV_MAGIC;
    }
    if (ota_le16_get(ti + 2) != 0u) {
        return OTA_IMAGE_ERR_RESERVED;
    }
    const uint32_t tlv_size = ota_le32_get(ti + 4);
    /* A total smaller than its own info ends before the info does: the info overruns it. */
    if (tlv_size < OTA_IMAGE_TLV_INFO_SIZE) {
        return OTA_IMAGE_ERR_TLV_OVERRUN;
    }
    /* A total larger than allowed, or than the slot has left, claims space it may not have. */
    if (tlv_size > OTA_IMAGE_TLV_MAX || tlv_size > room) {
        return OTA_IMAGE_ERR_TOO_LARGE;
    }
    info->tlv_offset = tlv_off;
    info->tlv_size = tlv_size;
    info->total_size = tlv_off + tlv_size;
    return image_parse_entries(src, tlv_off + OTA_IMAGE_TLV_INFO_SIZE, tlv_off + tlv_size, info);
}

/* Verify ---------------------------------------------------------------------------------- */

ota_image_status_t image_pass_start(image_pass_t *pass)
{
    pass->header_same = true;
    ota_image_status_t st = ota_sha256_start(pass->image) == OTA_CRYPTO_OK ? OTA_IMAGE_OK
                                                                            : OTA_IMAGE_ERR_CRYPTO;
    pass->one_context = false;
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

/* One chunk read at off into both hashes. With one context only the file's is fed, and its
 * state is copied into the image's where the image's bytes end. Otherwise each is fed its
 * own bytes, the transform (if any) between them: with crypt_for_image the file hash sees
 * the bytes as read and the image hash their transform; without, the reverse. */
static ota_image_status_t image_pass_hash_chunk(image_pass_t *pass, uint32_t off, uint8_t *work,
                                                uint32_t n)
{
    uint32_t own = off < pass->image_len ? pass->image_len - off : 0u;
    own = own < n ? own : n;
    bool ok;
    if (pass->one_context) {
        ok = image_pass_update(pass->file, work, own) &&
             (own == 0u || off + own != pass->image_len ||
              ota_sha256_copy(pass->image, pass->file) == OTA_CRYPTO_OK) &&
             image_pass_update(pass->file, work + own, n - own);
    } else {
        ota_sha256_t *first = pass->crypt_for_image ? pass->file : pass->image;
        ota_sha256_t *second = pass->crypt_for_image ? pass->image : pass->file;
        ok = image_pass_update(first, work, pass->crypt_for_image ? n : own) &&
             (pass->crypt == NULL || pass->crypt(pass->crypt_ctx, off, work, n) == 0) &&
             image_pass_update(second, work, pass->crypt_for_image ? own : n);
    }
    return ok ? OTA_IMAGE_OK : OTA_IMAGE_ERR_CRYPTO;
}

ota_image_status_t image_pass_run(const ota_image_source_t *src, const ota_image_info_t *info,
                                  uint32_t from, uint32_t to, uint8_t *work, uint32_t work_len,
                                  image_pass_t *pass)
{
    /* The header read now must be the one parsed: otherwise a source that changed between
     * parse and hash could have its new bytes hashed while the caller acts on old fields. */
    uint8_t expect_hdr[OTA_IMAGE_HEADER_SIZE];
    if (info != NULL && from < OTA_IMAGE_HEADER_SIZE) {
        ota_image_header_encode(&info->header, expect_hdr);
    }
    ota_image_status_t st = OTA_IMAGE_OK;
    for (uint32_t off = from; st == OTA_IMAGE_OK && off < to;) {
        uint32_t n = to - off < work_len ? to - off : work_len;
        st = image_read_at(src, off, work, n);
        for (uint32_t i = 0; info != NULL && st == OTA_IMAGE_OK && i < n &&
                             off + i < OTA_IMAGE_HEADER_SIZE;
             i++) {
            pass->header_same = pass->header_same && work[i] == expect_hdr[off + i];
        }
        if (st == OTA_IMAGE_OK) {
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
