/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The original's signatures: its ecdsaSign.py writes r||s (64 bytes), the verifiers of this
 * core take DER, so the bytes are re-encoded; what is signed is the SHA-256 of the raw file,
 * which is the payload of the image the store makes of it (docs/security.md, raw images).
 */
#include "otaflow/config.h"

#if OTA_RAW_IMAGES || OTA_FILE_SLOTS
#include "sig_raw.h"

#include <string.h>

/* One INTEGER of 32 big-endian bytes, minimal: no leading zero bytes but one, a zero byte
 * before a first byte with its top bit set (DER integers are signed). */
static size_t sig_raw_integer(const uint8_t v[32], uint8_t *out)
{
    size_t skip = 0;
    while (skip < 31u && v[skip] == 0u) {
        skip++;
    }
    size_t n = 32u - skip;
    size_t lead = (v[skip] & 0x80u) != 0u ? 1u : 0u;
    out[0] = 0x02u;
    out[1] = (uint8_t)(n + lead);
    out[2] = 0u;
    memcpy(out + 2 + lead, v + skip, n);
    return 2u + lead + n;
}

size_t ota_sig_raw_to_der(const uint8_t rs[OTA_RAW_SIG_SIZE], uint8_t der[OTA_ECDSA_P256_SIG_MAX])
{
    size_t n = 2;
    n += sig_raw_integer(rs, der + n);
    n += sig_raw_integer(rs + 32, der + n);
    der[0] = 0x30u;
    der[1] = (uint8_t)(n - 2u); /* at most 70: a short-form length */
    return n;
}

#endif /* OTA_RAW_IMAGES || OTA_FILE_SLOTS: also the File Download's (agent_files.c) */

#if OTA_RAW_IMAGES
ota_sig_status_t ota_sig_raw_prepare(const ota_image_source_t *src, const ota_image_info_t *info,
                                     uint8_t *work, size_t work_len,
                                     uint8_t hash[OTA_SHA256_SIZE],
                                     uint8_t der[OTA_ECDSA_P256_SIG_MAX], size_t *der_len)
{
    if (work_len < OTA_RAW_SIG_SIZE) {
        return OTA_SIG_ERR_WORK_SIZE;
    }
    /* The signature covers the payload only: header fields that would change what the device
     * records (a counter that raises its floor, keys it revokes) must be those the store
     * writes for a raw image, or whoever can write the external flash could set them. */
    if (info->header.security_counter != 0u || info->header.revoke_keys != 0u) {
        return OTA_SIG_ERR_BAD_SIGNATURE;
    }
    const uint32_t chunk = work_len > UINT32_MAX ? UINT32_MAX : (uint32_t)work_len;
    const uint32_t end = info->tlv_offset; /* header_size + payload_size: parse checked it */
    ota_sha256_t sha;
    bool ok = ota_sha256_start(&sha) == OTA_CRYPTO_OK;
    bool read_ok = true;
    for (uint32_t pos = info->header.header_size; ok && read_ok && pos < end;) {
        uint32_t n = end - pos < chunk ? end - pos : chunk;
        read_ok = end <= src->size && src->read(src->ctx, pos, work, n) == 0;
        ok = !read_ok || ota_sha256_update(&sha, work, n) == OTA_CRYPTO_OK;
        pos += n;
    }
    ok = ota_sha256_finish(&sha, hash) == OTA_CRYPTO_OK && ok;
    if (!read_ok) {
        return OTA_SIG_ERR_READ;
    }
    if (!ok) {
        return OTA_SIG_ERR_CRYPTO;
    }
    const uint32_t off = info->signature_offset;
    if (info->signature_len != OTA_RAW_SIG_SIZE || off > src->size ||
        OTA_RAW_SIG_SIZE > src->size - off || src->read(src->ctx, off, work, OTA_RAW_SIG_SIZE) != 0) {
        return OTA_SIG_ERR_READ;
    }
    *der_len = ota_sig_raw_to_der(work, der);
    return OTA_SIG_OK;
}
#else
typedef int ota_sig_raw_unused_; /* ISO C: a translation unit is never empty */
#endif /* OTA_RAW_IMAGES */
