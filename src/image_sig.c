/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Image signatures: the KEY_HASH TLV picks a trusted key, the signature TLV must verify with
 * it over the image SHA-256 (docs/security.md). The signature stays in the image until it is
 * checked: it is read from the source into the caller's work buffer, so its size costs no
 * struct field.
 */
#include "otaflow/image_sig.h"

#include <string.h>

#include "image_tlv_rules.h"
#include "ota_noinline.h"
#include "otaflow/lms.h"
#include "sig_raw.h"
#include "status_text.h"

const char *ota_sig_status_str(ota_sig_status_t status)
{
    OTA_STATUS_TEXT_OFF(status);
    switch (status) {
    case OTA_SIG_OK: return "ok";
    case OTA_SIG_ERR_UNSIGNED: return "image not signed";
    case OTA_SIG_ERR_UNKNOWN_KEY: return "unknown key id";
    case OTA_SIG_ERR_BAD_SIGNATURE: return "bad signature";
    case OTA_SIG_ERR_IMAGE: return "invalid image";
    case OTA_SIG_ERR_CRYPTO: return "crypto backend error";
    case OTA_SIG_ERR_ARG: return "invalid argument";
    case OTA_SIG_ERR_READ: return "signature read failed";
    case OTA_SIG_ERR_WORK_SIZE: return "signature longer than the work buffer";
    case OTA_SIG_ERR_REQUIRED: return "a required signature is missing";
    }
    return "unknown signature status";
}

static bool image_ring_usable(const ota_sig_keyring_t *ring)
{
    return ring != NULL && ring->keys != NULL && ring->count != 0u;
}

const ota_sig_key_t *ota_sig_keyring_find(const ota_sig_keyring_t *ring,
                                          const uint8_t key_id[OTA_SHA256_SIZE])
{
    if (!image_ring_usable(ring) || key_id == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < ring->count; i++) {
        /* Key ids are public: an ordinary comparison leaks nothing. */
        if (memcmp(ring->keys[i].key_id, key_id, OTA_SHA256_SIZE) == 0) {
            return &ring->keys[i];
        }
    }
    return NULL;
}

/* The verdict of `key` (found in the ring) on a signature of `alg`. */
static ota_sig_status_t image_sig_verify_key(const ota_sig_key_t *key, ota_sig_alg_t alg,
                                             const uint8_t hash[OTA_SHA256_SIZE],
                                             const uint8_t *sig, size_t sig_len)
{
    /* A key this build cannot use says nothing about the signature. Otherwise the signature's
     * container names its algorithm, and a key of another one did not make it. */
    if (!ota_sig_alg_supported(key->alg)) {
        return OTA_SIG_ERR_CRYPTO;
    }
    if (key->alg != alg) {
        return OTA_SIG_ERR_BAD_SIGNATURE;
    }
    if (sig == NULL || sig_len == 0u) {
        return OTA_SIG_ERR_BAD_SIGNATURE;
    }
    switch (ota_sig_verify(alg, key->key, key->key_len, hash, sig, sig_len)) {
    case OTA_CRYPTO_OK: return OTA_SIG_OK;
    case OTA_CRYPTO_ERR_BAD_SIGNATURE:
    case OTA_CRYPTO_ERR_SIG_FORMAT:
        return OTA_SIG_ERR_BAD_SIGNATURE;
    default: /* the key, the algorithm or the backend: nothing said about the signature */
        return OTA_SIG_ERR_CRYPTO;
    }
}

ota_sig_status_t ota_sig_verify_hash(const ota_sig_keyring_t *ring, const uint8_t *key_id,
                                     ota_sig_alg_t alg, const uint8_t hash[OTA_SHA256_SIZE],
                                     const uint8_t *sig, size_t sig_len)
{
    if (!image_ring_usable(ring) || hash == NULL) {
        return OTA_SIG_ERR_ARG;
    }
    const ota_sig_key_t *key = ota_sig_keyring_find(ring, key_id);
    if (key == NULL) {
        return OTA_SIG_ERR_UNKNOWN_KEY;
    }
    return image_sig_verify_key(key, alg, hash, sig, sig_len);
}

#if OTA_SIG_ECDSA_P256 && OTA_RAW_IMAGES
/* The original's signature: over the payload's own SHA-256, r||s (sig_raw.c). Its buffers in
 * a frame of their own: not on the stack while an image's own signature is checked. */
static OTA_NOINLINE ota_sig_status_t image_sig_raw(const ota_image_source_t *src,
                                                   const ota_image_info_t *info,
                                                   const ota_sig_key_t *key, uint8_t *work,
                                                   size_t work_len)
{
    uint8_t hash[OTA_SHA256_SIZE];
    uint8_t der[OTA_ECDSA_P256_SIG_MAX];
    size_t der_len = 0;
    ota_sig_status_t st = ota_sig_raw_prepare(src, info, work, work_len, hash, der, &der_len);
    return st != OTA_SIG_OK
               ? st
               : image_sig_verify_key(key, OTA_SIG_ALG_ECDSA_P256, hash, der, der_len);
}
#endif

#if OTA_SIG_ECDSA_P256
/* The image's ECDSA signature (the KEY_HASH pair, or the original's r||s) by key. */
static ota_sig_status_t image_sig_ecdsa(const ota_image_source_t *src, const ota_image_info_t *info,
                                        const ota_sig_key_t *key, uint8_t *work, size_t work_len)
{
    const uint32_t len = info->signature_len;
    if (len > work_len) {
        return OTA_SIG_ERR_WORK_SIZE;
    }
    /* parse located it inside the source; a source that shrank since is refused here. */
    const uint32_t off = info->signature_offset;
#if OTA_RAW_IMAGES
    if (info->signature_type == OTA_IMAGE_TLV_ECDSA_P256_PAYLOAD) {
        return image_sig_raw(src, info, key, work, work_len);
    }
#endif
    if (off > src->size || len > src->size - off || src->read(src->ctx, off, work, len) != 0) {
        return OTA_SIG_ERR_READ;
    }
    return image_sig_verify_key(key, OTA_SIG_ALG_ECDSA_P256, info->sha256, work, len);
}
#else
/* Built without ECDSA (config.h): no ECDSA signature verifies, so it is not read; the verdict
 * is the one image_sig_verify_key gives on the key alone (a key of this build's algorithm did
 * not make it, one of ECDSA cannot be used), and none of the ECDSA path is linked. */
static ota_sig_status_t image_sig_ecdsa(const ota_image_source_t *src, const ota_image_info_t *info,
                                        const ota_sig_key_t *key, uint8_t *work, size_t work_len)
{
    (void)src;
    (void)info;
    (void)work;
    (void)work_len;
    return ota_sig_alg_supported(key->alg) ? OTA_SIG_ERR_BAD_SIGNATURE : OTA_SIG_ERR_CRYPTO;
}
#endif

#if OTA_SIGNATURES && OTA_SIG_HSS_LMS
/* The image's HSS/LMS signature by key, verified where it lies in src. */
static ota_sig_status_t image_sig_lms(const ota_image_source_t *src, const ota_image_info_t *info,
                                      const ota_sig_key_t *key)
{
    if (!ota_sig_alg_supported(key->alg)) {
        return OTA_SIG_ERR_CRYPTO;
    }
    if (key->alg != OTA_SIG_ALG_HSS_LMS) {
        return OTA_SIG_ERR_BAD_SIGNATURE;
    }
    switch (ota_lms_verify(key->key, key->key_len, info->sha256, OTA_SHA256_SIZE, src,
                           info->lms_signature_offset, info->lms_signature_len)) {
    case OTA_LMS_OK: return OTA_SIG_OK;
    case OTA_LMS_ERR_READ:
    case OTA_LMS_ERR_ARG: /* outside a source that shrank since parse */
        return OTA_SIG_ERR_READ;
    case OTA_LMS_ERR_KEY:
    case OTA_LMS_ERR_HASH:
        return OTA_SIG_ERR_CRYPTO;
    default: /* another key or image, truncated, oversized, other parameters */
        return OTA_SIG_ERR_BAD_SIGNATURE;
    }
}
#endif

ota_sig_status_t ota_image_sig_check(const ota_image_source_t *src, const ota_image_info_t *info,
                                     const ota_sig_keyring_t *ring, uint8_t *work,
                                     size_t work_len)
{
    if (src == NULL || src->read == NULL || info == NULL || !image_ring_usable(ring) ||
        work == NULL) {
        return OTA_SIG_ERR_ARG;
    }
    /* Each signature the image carries: whether present, its algorithm, its key id. */
    const struct {
        bool present;
        ota_sig_alg_t alg;
        const uint8_t *key_id;
    } sigs[] = {
#if !OTA_IMAGE_BOOT_PARSE || OTA_SIG_ECDSA_P256 /* else the parse never records an ECDSA one */
        {info->has_signature, OTA_SIG_ALG_ECDSA_P256, info->has_key_hash ? info->key_hash : NULL},
#endif
#if OTA_SIGNATURES && OTA_SIG_HSS_LMS
        {info->has_lms_signature, OTA_SIG_ALG_HSS_LMS,
         info->has_lms_key_hash ? info->lms_key_hash : NULL},
#endif
    };
    if (!info->has_signature && !info->has_lms_signature) {
        return OTA_SIG_ERR_UNSIGNED;
    }
    uint32_t verified = 0;
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        if (!sigs[i].present) {
            continue;
        }
        const uint32_t bit = OTA_SIG_REQUIRE(sigs[i].alg);
        const ota_sig_key_t *key = ota_sig_keyring_find(ring, sigs[i].key_id);
        if (key == NULL) {
            if ((ring->required & bit) != 0u) {
                return OTA_SIG_ERR_UNKNOWN_KEY; /* before the signature is read */
            }
            continue; /* another device's signer: not ours to judge */
        }
#if OTA_SIGNATURES && OTA_SIG_HSS_LMS
        ota_sig_status_t st = sigs[i].alg == OTA_SIG_ALG_HSS_LMS
                                  ? image_sig_lms(src, info, key)
                                  : image_sig_ecdsa(src, info, key, work, work_len);
#else
        ota_sig_status_t st = image_sig_ecdsa(src, info, key, work, work_len);
#endif
        if (st != OTA_SIG_OK) {
            return st;
        }
        verified |= bit;
    }
    if ((ring->required & ~verified) != 0u) {
        return OTA_SIG_ERR_REQUIRED;
    }
    return verified != 0u ? OTA_SIG_OK : OTA_SIG_ERR_UNKNOWN_KEY;
}

ota_sig_status_t ota_image_sig_verify(const ota_image_source_t *src, const ota_sig_keyring_t *ring,
                                      ota_image_info_t *info, uint8_t *work, size_t work_len,
                                      ota_image_status_t *image_status)
{
    if (image_status != NULL) {
        *image_status = OTA_IMAGE_OK;
    }
    if (src == NULL || info == NULL || !image_ring_usable(ring)) {
        return OTA_SIG_ERR_ARG;
    }
    ota_image_status_t ist = ota_image_parse(src, info);
    if (ist == OTA_IMAGE_OK) {
        ist = ota_image_verify(src, info, work, work_len);
    }
    if (image_status != NULL) {
        *image_status = ist;
    }
    switch (ist) {
    case OTA_IMAGE_OK: return ota_image_sig_check(src, info, ring, work, work_len);
    case OTA_IMAGE_ERR_ARG: return OTA_SIG_ERR_ARG;
    case OTA_IMAGE_ERR_READ: return OTA_SIG_ERR_READ;
    case OTA_IMAGE_ERR_CRYPTO: return OTA_SIG_ERR_CRYPTO;
    default: return OTA_SIG_ERR_IMAGE;
    }
}
