/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Image signatures: the KEY_HASH TLV picks a trusted key, the ECDSA_P256 TLV must verify with
 * it over the image SHA-256 (docs/security.md).
 */
#include "otaflow/image_sig.h"

#include <string.h>

const char *ota_sig_status_str(ota_sig_status_t status)
{
    switch (status) {
    case OTA_SIG_OK: return "ok";
    case OTA_SIG_ERR_UNSIGNED: return "image not signed";
    case OTA_SIG_ERR_UNKNOWN_KEY: return "unknown key id";
    case OTA_SIG_ERR_BAD_SIGNATURE: return "bad signature";
    case OTA_SIG_ERR_IMAGE: return "invalid image";
    case OTA_SIG_ERR_CRYPTO: return "crypto backend error";
    case OTA_SIG_ERR_ARG: return "invalid argument";
    }
    return "unknown signature status";
}

static const ota_sig_key_t *find_key(const ota_sig_keyring_t *ring, const uint8_t *key_id)
{
    for (size_t i = 0; i < ring->count; i++) {
        /* Key ids are public: an ordinary comparison leaks nothing. */
        if (memcmp(ring->keys[i].key_id, key_id, OTA_SHA256_SIZE) == 0) {
            return &ring->keys[i];
        }
    }
    return NULL;
}

ota_sig_status_t ota_sig_verify_hash(const ota_sig_keyring_t *ring,
                                     const uint8_t *key_id, const uint8_t hash[OTA_SHA256_SIZE],
                                     const uint8_t *sig, size_t sig_len)
{
    if (ring == NULL || ring->keys == NULL || ring->count == 0u || hash == NULL) {
        return OTA_SIG_ERR_ARG;
    }
    const ota_sig_key_t *key = key_id != NULL ? find_key(ring, key_id) : NULL;
    if (key == NULL) {
        return OTA_SIG_ERR_UNKNOWN_KEY;
    }
    switch (ota_ecdsa_p256_verify(key->pubkey, hash, sig, sig_len)) {
    case OTA_CRYPTO_OK: return OTA_SIG_OK;
    case OTA_CRYPTO_ERR_BAD_SIGNATURE:
    case OTA_CRYPTO_ERR_SIG_FORMAT:
    case OTA_CRYPTO_ERR_ARG: /* a zero-length or NULL signature */
        return OTA_SIG_ERR_BAD_SIGNATURE;
    default:
        return OTA_SIG_ERR_CRYPTO;
    }
}

ota_sig_status_t ota_image_sig_check(const ota_image_info_t *info, const ota_sig_keyring_t *ring)
{
    if (info == NULL || ring == NULL || ring->keys == NULL || ring->count == 0u) {
        return OTA_SIG_ERR_ARG;
    }
    if (!info->has_signature) {
        return OTA_SIG_ERR_UNSIGNED;
    }
    return ota_sig_verify_hash(ring, info->has_key_hash ? info->key_hash : NULL, info->sha256,
                               info->signature, info->signature_len);
}

ota_sig_status_t ota_image_sig_verify(const ota_image_source_t *src, const ota_sig_keyring_t *ring,
                                      ota_image_info_t *info, uint8_t *work, size_t work_len,
                                      ota_image_status_t *image_status)
{
    if (image_status != NULL) {
        *image_status = OTA_IMAGE_OK;
    }
    if (src == NULL || info == NULL || ring == NULL || ring->keys == NULL || ring->count == 0u) {
        return OTA_SIG_ERR_ARG;
    }
    ota_image_status_t ist = ota_image_parse(src, info);
    if (ist == OTA_IMAGE_OK) {
        ist = ota_image_verify(src, info, work, work_len);
    }
    if (image_status != NULL) {
        *image_status = ist;
    }
    if (ist != OTA_IMAGE_OK) {
        return ist == OTA_IMAGE_ERR_ARG ? OTA_SIG_ERR_ARG : OTA_SIG_ERR_IMAGE;
    }
    return ota_image_sig_check(info, ring);
}
