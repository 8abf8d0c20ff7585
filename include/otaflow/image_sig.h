/* SPDX-License-Identifier: Apache-2.0 */
/*
 * otaflow image signatures: is an image signed by a key this device trusts?
 *
 * An image names its signer with the KEY_HASH TLV (the key id: SHA-256 of the signer's 65-byte
 * uncompressed public key) and carries the ECDSA_P256 TLV: an ECDSA P-256 signature, DER, made
 * over the 32 bytes of the image's SHA-256 TLV. That TLV covers header + payload, and
 * ota_image_verify checks it against the bytes, so a good signature over it vouches for
 * exactly the bytes that will run (docs/security.md).
 *
 * The trusted keys are a const table built into the firmware: `otaflow-image pubkey-c PUB.pem`
 * writes it. Each entry carries its key id precomputed, so a boot matches ids without hashing
 * keys.
 */
#ifndef OTAFLOW_IMAGE_SIG_H
#define OTAFLOW_IMAGE_SIG_H

#include <stddef.h>
#include <stdint.h>

#include "otaflow/crypto.h"
#include "otaflow/image.h"

#ifdef __cplusplus
extern "C" {
#endif

/** One trusted public key. */
typedef struct ota_sig_key {
    uint8_t key_id[OTA_SHA256_SIZE];             /**< SHA-256 of pubkey (all 65 bytes) */
    uint8_t pubkey[OTA_ECDSA_P256_PUBKEY_SIZE];  /**< 0x04 || X || Y */
} ota_sig_key_t;

/** The keys a device accepts signatures from (a const table plus its length). */
typedef struct ota_sig_keyring {
    const ota_sig_key_t *keys;
    size_t count;
} ota_sig_keyring_t;

/** Result of a signature check. */
typedef enum ota_sig_status {
    OTA_SIG_OK = 0,
    OTA_SIG_ERR_UNSIGNED = -1,      /**< the image has no ECDSA_P256 TLV */
    OTA_SIG_ERR_UNKNOWN_KEY = -2,   /**< its KEY_HASH names no trusted key (or is missing) */
    OTA_SIG_ERR_BAD_SIGNATURE = -3, /**< the trusted key did not make this signature over
                                         this image hash (or the signature is malformed) */
    OTA_SIG_ERR_IMAGE = -4,         /**< ota_image_sig_verify: the image itself is invalid
                                         (parse or hash check failed; see *image_status) */
    OTA_SIG_ERR_CRYPTO = -5,        /**< the crypto backend failed (heap too small, bad key
                                         in the trusted table): not a verdict on the image */
    OTA_SIG_ERR_ARG = -6,           /**< NULL pointer, or a keyring with no keys */
} ota_sig_status_t;

/** A short constant English name for a status ("unknown key id"), never NULL. */
const char *ota_sig_status_str(ota_sig_status_t status);

/**
 * The core of every signature check (images and manifests): key_id picks a key of ring, which
 * must have made sig (DER ECDSA P-256) over the 32-byte hash.
 * @param key_id  OTA_SHA256_SIZE bytes, or NULL (no key named: UNKNOWN_KEY)
 * @return OK; ERR_UNKNOWN_KEY; ERR_BAD_SIGNATURE (also a malformed or empty signature);
 *         ERR_CRYPTO; ERR_ARG (NULL ring or hash, empty ring).
 */
ota_sig_status_t ota_sig_verify_hash(const ota_sig_keyring_t *ring,
                                     const uint8_t *key_id, const uint8_t hash[OTA_SHA256_SIZE],
                                     const uint8_t *sig, size_t sig_len);

/**
 * Check the signature of an image already parsed and hash-verified: the caller has run
 * ota_image_parse and ota_image_verify on the same bytes and both returned OTA_IMAGE_OK
 * (the signature is only as good as the hash it covers).
 * Order: no signature → UNSIGNED; no KEY_HASH or an id no key in ring has → UNKNOWN_KEY;
 * else the matching key verifies the signature over info->sha256.
 * @return OK; ERR_UNSIGNED; ERR_UNKNOWN_KEY; ERR_BAD_SIGNATURE; ERR_CRYPTO; ERR_ARG.
 */
ota_sig_status_t ota_image_sig_check(const ota_image_info_t *info, const ota_sig_keyring_t *ring);

/**
 * All in one, for the bootloader (a slot source, or the application region of internal
 * flash): parse src, verify its hash, check its signature with ring. info receives what the
 * parse found (use it: its header is the one the hash and the signature cover).
 * @param work, work_len  scratch buffer for ota_image_verify
 * @param image_status    may be NULL; receives the parse/verify result (OK unless ERR_IMAGE)
 * @return as ota_image_sig_check, or ERR_IMAGE when the image does not parse or its hash does
 *         not match.
 */
ota_sig_status_t ota_image_sig_verify(const ota_image_source_t *src, const ota_sig_keyring_t *ring,
                                      ota_image_info_t *info, uint8_t *work, size_t work_len,
                                      ota_image_status_t *image_status);

#ifdef __cplusplus
}
#endif

#endif /* OTAFLOW_IMAGE_SIG_H */
