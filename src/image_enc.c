/* SPDX-License-Identifier: Apache-2.0 */
/* Unwrapping an encrypted image's content key and applying its keystream (image_enc.h). */
#include "otaflow/image_enc.h"

#include <string.h>

#include "ct_bytes.h"
#include "crypto_kdf.h"
#include "status_text.h"

#define ENC_LABEL_LEN (sizeof OTA_IMAGE_ENC_HKDF_LABEL - 1u)
#define ENC_KEK_LEN OTA_AES128_KEY_SIZE
#define ENC_MAC_KEY_LEN OTA_SHA256_SIZE

_Static_assert(OTA_IMAGE_ENC_OFF_TAG + OTA_SHA256_SIZE == OTA_IMAGE_ENC_TLV_SIZE,
               "the ENC TLV's fields fill its value exactly");

/* KEK and MAC key from the shared secret; then the tag; then the content key. */
static ota_enc_status_t image_enc_unwrap(const uint8_t *tlv, const uint8_t shared[32],
                                   ota_image_enc_t *out)
{
    uint8_t info[ENC_LABEL_LEN + OTA_ECDSA_P256_PUBKEY_SIZE + OTA_SHA256_SIZE];
    memcpy(info, OTA_IMAGE_ENC_HKDF_LABEL, ENC_LABEL_LEN);
    memcpy(info + ENC_LABEL_LEN, tlv + OTA_IMAGE_ENC_OFF_EPHEMERAL, OTA_ECDSA_P256_PUBKEY_SIZE);
    memcpy(info + ENC_LABEL_LEN + OTA_ECDSA_P256_PUBKEY_SIZE, tlv + OTA_IMAGE_ENC_OFF_KEY_ID,
           OTA_SHA256_SIZE);
    uint8_t okm[ENC_KEK_LEN + ENC_MAC_KEY_LEN];
    uint8_t tag[OTA_SHA256_SIZE];
    ota_enc_status_t st = OTA_ENC_ERR_CRYPTO;
    if (crypto_hkdf_sha256(shared, OTA_ECDH_P256_SHARED_SIZE, info, sizeof info, okm,
                           sizeof okm) == OTA_CRYPTO_OK) {
        const crypto_part_t covered = {tlv, OTA_IMAGE_ENC_OFF_TAG};
        if (crypto_hmac_sha256(okm + ENC_KEK_LEN, ENC_MAC_KEY_LEN, &covered, 1, tag) ==
            OTA_CRYPTO_OK) {
            st = ct_equal(tag, tlv + OTA_IMAGE_ENC_OFF_TAG, sizeof tag)
                     ? OTA_ENC_OK
                     : OTA_ENC_ERR_KEY_CHECK;
        }
    }
    if (st == OTA_ENC_OK) {
        static const uint8_t image_enc_zero_nonce[OTA_AES_CTR_NONCE_SIZE] = {0};
        memcpy(out->key, tlv + OTA_IMAGE_ENC_OFF_WRAPPED, OTA_AES128_KEY_SIZE);
        if (ota_aes128_ctr(okm, image_enc_zero_nonce, 0, out->key, OTA_AES128_KEY_SIZE) !=
            OTA_CRYPTO_OK) {
            st = OTA_ENC_ERR_CRYPTO;
        }
        memcpy(out->nonce, tlv + OTA_IMAGE_ENC_OFF_NONCE, OTA_AES_CTR_NONCE_SIZE);
    }
    ct_wipe(okm, sizeof okm);
    return st;
}

ota_enc_status_t ota_image_enc_open(const ota_image_source_t *src, const ota_image_info_t *info,
                                    const ota_enc_key_t *key, ota_image_enc_t *out)
{
    if (out == NULL) {
        return OTA_ENC_ERR_ARG;
    }
    ota_image_enc_close(out);
    if (src == NULL || src->read == NULL || info == NULL || key == NULL ||
        !info->has_encryption || info->encryption_offset > src->size ||
        src->size - info->encryption_offset < OTA_IMAGE_ENC_TLV_SIZE) {
        return OTA_ENC_ERR_ARG;
    }
    uint8_t tlv[OTA_IMAGE_ENC_TLV_SIZE];
    if (src->read(src->ctx, info->encryption_offset, tlv, sizeof tlv) != 0) {
        return OTA_ENC_ERR_READ;
    }
    if (!ct_equal(tlv + OTA_IMAGE_ENC_OFF_KEY_ID, key->key_id, OTA_SHA256_SIZE)) {
        return OTA_ENC_ERR_OTHER_KEY;
    }
    uint8_t shared[OTA_ECDH_P256_SHARED_SIZE];
    ota_crypto_status_t cst = ota_ecdh_p256(key->priv, tlv + OTA_IMAGE_ENC_OFF_EPHEMERAL, shared);
    ota_enc_status_t st;
    if (cst == OTA_CRYPTO_OK) {
        st = image_enc_unwrap(tlv, shared, out);
    } else {
        /* An ephemeral key off the curve is a changed TLV (as a device scalar out of range
         * would be a device key that unwraps nothing): refused. Anything else: no verdict. */
        st = cst == OTA_CRYPTO_ERR_KEY ? OTA_ENC_ERR_KEY_CHECK : OTA_ENC_ERR_CRYPTO;
    }
    ct_wipe(shared, sizeof shared);
    if (st != OTA_ENC_OK) {
        ota_image_enc_close(out);
        return st;
    }
    out->payload_size = info->header.payload_size;
    out->ready = true;
    return OTA_ENC_OK;
}

ota_crypto_status_t ota_image_enc_crypt(const ota_image_enc_t *enc, uint32_t offset,
                                        uint8_t *buf, uint32_t len)
{
    if (enc == NULL || !enc->ready || (buf == NULL && len != 0u)) {
        return OTA_CRYPTO_ERR_ARG;
    }
    const uint32_t from = OTA_IMAGE_HEADER_SIZE;
    const uint32_t to = from + enc->payload_size; /* parse bounded it by the slot */
    uint32_t end = len > UINT32_MAX - offset ? UINT32_MAX : offset + len;
    uint32_t a = offset > from ? offset : from;
    uint32_t b = end < to ? end : to;
    if (a >= b) {
        return OTA_CRYPTO_OK; /* no payload byte in the range */
    }
    return ota_aes128_ctr(enc->key, enc->nonce, a - from, buf + (a - offset), b - a);
}

void ota_image_enc_close(ota_image_enc_t *enc)
{
    if (enc != NULL) {
        ct_wipe(enc, sizeof *enc);
    }
}

const char *ota_enc_status_str(ota_enc_status_t status)
{
    OTA_STATUS_TEXT_OFF(status);
    switch (status) {
    case OTA_ENC_OK: return "ok";
    case OTA_ENC_ERR_ARG: return "invalid argument";
    case OTA_ENC_ERR_OTHER_KEY: return "encrypted for another device key";
    case OTA_ENC_ERR_KEY_CHECK: return "encryption key check failed";
    case OTA_ENC_ERR_READ: return "read error";
    case OTA_ENC_ERR_CRYPTO: return "decryption failed in the crypto backend";
    }
    return "unknown encryption status";
}
