/* SPDX-License-Identifier: Apache-2.0 */
/*
 * otaflow image signatures: is an image signed by a key this device trusts?
 *
 * An image names its signer with the KEY_HASH TLV (the key id: SHA-256 of the signer's public
 * key bytes; for ECDSA P-256 the 65-byte uncompressed point) and carries one signature TLV
 * whose type names the algorithm (ECDSA_P256: DER) made over the 32 bytes of the image's
 * SHA-256 TLV; an HSS/LMS signature has its own pair (LMS_KEY_HASH, HSS_LMS: the 60-byte
 * public key's id), alone or beside the ECDSA pair (hybrid: docs/image-format.md). That TLV covers header + payload, and ota_image_verify checks it against the
 * bytes, so a good signature over it vouches for exactly the bytes that will run
 * (docs/security.md). Every signature, of an image or a manifest, is verified through
 * ota_sig_verify (crypto.h), which dispatches on the algorithm.
 *
 * The trusted keys are a const table built into the firmware: `otaflow-image pubkey-c PUB.pem`
 * writes it. Each entry carries its algorithm, its key id precomputed (a boot matches ids
 * without hashing keys) and a pointer to the key bytes.
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

/** One trusted public key: an algorithm and its key bytes (which the entry points to). */
typedef struct ota_sig_key {
    ota_sig_alg_t alg;               /**< what the key verifies */
    uint8_t key_id[OTA_SHA256_SIZE]; /**< SHA-256 of key[0, key_len) */
    const uint8_t *key;              /**< the public key bytes (ECDSA P-256: 0x04 || X || Y) */
    size_t key_len;                  /**< their length (ECDSA P-256: 65) */
} ota_sig_key_t;

/** The bit of alg in ota_sig_keyring_t.required. */
#define OTA_SIG_REQUIRE(alg) (1u << (unsigned)(alg))

/**
 * The keys a device accepts signatures from (a const table plus its length), and its policy
 * on images that carry signatures of several algorithms (hybrid: ECDSA and HSS/LMS).
 * required is 0 (a ring that does not set it): one signature by a trusted key suffices. Else
 * it holds OTA_SIG_REQUIRE(alg) for each algorithm whose signature every image must carry,
 * by a key of this ring, and pass: OTA_SIG_REQUIRE(OTA_SIG_ALG_ECDSA_P256) |
 * OTA_SIG_REQUIRE(OTA_SIG_ALG_HSS_LMS) trusts an image only as long as neither algorithm is
 * broken. In both cases every signature whose key the ring has must verify; one by a key it
 * lacks is passed over unless its algorithm is required.
 */
typedef struct ota_sig_keyring {
    const ota_sig_key_t *keys;
    size_t count;
    uint32_t required; /**< OTA_SIG_REQUIRE() bits; 0: any one trusted signature */
} ota_sig_keyring_t;

/** Result of a signature check. */
typedef enum ota_sig_status {
    OTA_SIG_OK = 0,
    OTA_SIG_ERR_UNSIGNED = -1,      /**< the image has no signature TLV */
    OTA_SIG_ERR_UNKNOWN_KEY = -2,   /**< its KEY_HASH names no trusted key (or is missing) */
    OTA_SIG_ERR_BAD_SIGNATURE = -3, /**< the trusted key did not make this signature over
                                         this image hash (or the signature is malformed, of
                                         a length its algorithm does not have, or of another
                                         algorithm than the key's) */
    OTA_SIG_ERR_IMAGE = -4,         /**< ota_image_sig_verify: the image itself is invalid
                                         (parse or hash check failed; see *image_status) */
    OTA_SIG_ERR_CRYPTO = -5,        /**< the crypto backend failed (heap too small, a key in
                                         the trusted table that is not one of its algorithm,
                                         an algorithm this build lacks): no verdict */
    OTA_SIG_ERR_ARG = -6,           /**< NULL pointer, or a keyring with no keys */
    OTA_SIG_ERR_READ = -7,          /**< reading the signature from the image failed: no
                                         verdict */
    OTA_SIG_ERR_WORK_SIZE = -8,     /**< the signature is longer than the caller's work
                                         buffer: no verdict (a configuration to fix) */
    OTA_SIG_ERR_REQUIRED = -9,      /**< the image lacks a signature the keyring requires
                                         (ota_sig_keyring_t.required: a hybrid policy) */
} ota_sig_status_t;

/** A short constant English name for a status ("unknown key id"), never NULL. */
const char *ota_sig_status_str(ota_sig_status_t status);

/**
 * The key of ring whose key id is key_id (ids are unique in a well-made ring: the first wins).
 * @return the entry, or NULL (none, or NULL ring or key_id)
 */
const ota_sig_key_t *ota_sig_keyring_find(const ota_sig_keyring_t *ring,
                                          const uint8_t key_id[OTA_SHA256_SIZE]);

/**
 * The core of every signature check (images and manifests): key_id picks a key of ring, which
 * must be of algorithm alg (the one the signature's container names) and have made sig over
 * the 32-byte hash. Verified through ota_sig_verify.
 * @param key_id  OTA_SHA256_SIZE bytes, or NULL (no key named: UNKNOWN_KEY)
 * @return OK; ERR_UNKNOWN_KEY; ERR_BAD_SIGNATURE (also a malformed or empty signature, one of
 *         a length alg does not have, or a key of another algorithm); ERR_CRYPTO (the backend
 *         failed, the key is not one of its algorithm, alg unknown to this build); ERR_ARG
 *         (NULL ring or hash, empty ring).
 */
ota_sig_status_t ota_sig_verify_hash(const ota_sig_keyring_t *ring, const uint8_t *key_id,
                                     ota_sig_alg_t alg, const uint8_t hash[OTA_SHA256_SIZE],
                                     const uint8_t *sig, size_t sig_len);

/**
 * Check the signature of an image already parsed and hash-verified: the caller has run
 * ota_image_parse and ota_image_verify on the same source and both returned OTA_IMAGE_OK
 * (the signature is only as good as the hash it covers). The signature is read from src at
 * the place info records, into work.
 * Order: no signature → UNSIGNED; then each signature (ECDSA, then HSS/LMS): no key id or
 * an id no key in ring has → passed over, or UNKNOWN_KEY when ring requires its algorithm;
 * an ECDSA signature longer than work_len → WORK_SIZE (an HSS/LMS one is read in place, so
 * work may be short of it); else the matching key verifies it over info->sha256, and any
 * failure is the verdict. Then an algorithm ring requires whose signature is missing →
 * REQUIRED, and no signature verified at all → UNKNOWN_KEY. A build with OTA_SIG_HSS_LMS 0
 * passes over every HSS/LMS signature, whatever the ring holds; one with OTA_SIG_ECDSA_P256 0
 * and OTA_IMAGE_BOOT_PARSE never sees an ECDSA signature (its parse does not record one).
 * @param work, work_len  caller's buffer for the signature: OTA_SIG_MAX_SIZE bytes take any
 *                        signature this build verifies
 * @return OK; ERR_UNSIGNED; ERR_UNKNOWN_KEY; ERR_BAD_SIGNATURE (an HSS/LMS one also when
 *         truncated, oversized or of other parameters than its key: ota_lms_verify names
 *         which); ERR_REQUIRED; ERR_CRYPTO; ERR_READ; ERR_WORK_SIZE; ERR_ARG.
 */
ota_sig_status_t ota_image_sig_check(const ota_image_source_t *src, const ota_image_info_t *info,
                                     const ota_sig_keyring_t *ring, uint8_t *work,
                                     size_t work_len);

/**
 * All in one, for the bootloader (a slot source, or the application region of internal
 * flash): parse src, verify its hash, check its signature with ring. info receives what the
 * parse found (use it: its header is the one the hash and the signature cover).
 * @param work, work_len  scratch buffer for ota_image_verify and the signature
 * @param image_status    may be NULL; receives the parse/verify result (OK unless ERR_IMAGE,
 *                        ERR_READ or ERR_CRYPTO)
 * @return as ota_image_sig_check; ERR_IMAGE when the image does not parse or its hash does
 *         not match; ERR_READ / ERR_CRYPTO when reading or hashing it failed (no verdict).
 */
ota_sig_status_t ota_image_sig_verify(const ota_image_source_t *src, const ota_sig_keyring_t *ring,
                                      ota_image_info_t *info, uint8_t *work, size_t work_len,
                                      ota_image_status_t *image_status);

#ifdef __cplusplus
}
#endif

#endif /* OTAFLOW_IMAGE_SIG_H */
