/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Encrypted images (docs/image-format.md, "Encrypted payload"; threats: docs/security.md).
 *
 * `otaflow-image pack --encrypt-to DEVICE_PUB.pem` encrypts the payload with AES-128-CTR
 * under a content key drawn for this image alone, and wraps that key for the device key by
 * ECIES on P-256: a one-time (ephemeral) key pair, ECDH with the device's public key,
 * HKDF-SHA256 of the shared x coordinate into a key-encryption key and a MAC key, the content
 * key AES-128-CTR-encrypted under the first, and an HMAC-SHA256 under the second over the
 * whole TLV value before the tag. The image's SHA-256 TLV and its signatures stay over the
 * plaintext, so the device checks what it will run. The header and the TLV area are never
 * encrypted.
 *
 * The bootloader holds the device's private key (ota_boot_config_t.decrypt_key), opens the
 * TLV once per check (ota_image_enc_open: a wrong device key is refused here, by key id and
 * tag, before anything is erased), and decrypts while it hashes and while it programs
 * internal flash (ota_image_enc_crypt, at any offset: a resumed install starts mid-stream).
 * The agent stores the ciphertext and checks what it can without the key: the manifest
 * Digest over the file as served, the signature over the SHA-256 TLV.
 */
#ifndef OTAFLOW_IMAGE_ENC_H
#define OTAFLOW_IMAGE_ENC_H

#include <stdbool.h>
#include <stdint.h>

#include "otaflow/crypto.h"
#include "otaflow/image.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The value of OTA_IMAGE_TLV_ENC_P256_AES128 (OTA_IMAGE_ENC_TLV_SIZE bytes), by offset. */
#define OTA_IMAGE_ENC_OFF_KEY_ID 0u     /**< 32: SHA-256 of the device public key (65 bytes,
                                             0x04 || X || Y) the content key is wrapped for */
#define OTA_IMAGE_ENC_OFF_EPHEMERAL 32u /**< 65: the one-time P-256 public key, uncompressed */
#define OTA_IMAGE_ENC_OFF_NONCE 97u     /**< 12: the payload's CTR nonce (ota_aes128_ctr) */
#define OTA_IMAGE_ENC_OFF_WRAPPED 109u  /**< 16: the content key, AES-128-CTR under the KEK
                                             with a nonce of zeros, from offset 0 */
#define OTA_IMAGE_ENC_OFF_TAG 125u      /**< 32: HMAC-SHA256 under the MAC key of the value's
                                             bytes [0, 125) */
/** HKDF-SHA256 (empty salt) of the ECDH x coordinate with info = this text (20 bytes, no NUL)
 *  || ephemeral key (65) || key id (32) gives 48 bytes: the KEK (16), then the MAC key (32). */
#define OTA_IMAGE_ENC_HKDF_LABEL "otaflow image key v1"

/** A device's decryption key, compiled into its bootloader (`otaflow-image privkey-c`). */
typedef struct ota_enc_key {
    uint8_t priv[OTA_ECDH_P256_PRIV_SIZE]; /**< the private scalar, big-endian */
    uint8_t key_id[OTA_SHA256_SIZE];       /**< SHA-256 of its 65-byte public key */
} ota_enc_key_t;

/** An image's content key, once unwrapped: what decrypting its payload needs. */
typedef struct ota_image_enc {
    uint8_t key[OTA_AES128_KEY_SIZE];
    uint8_t nonce[OTA_AES_CTR_NONCE_SIZE];
    uint32_t payload_size; /**< of the image it was opened for: where the payload ends */
    bool ready;            /**< opened; ota_image_enc_close clears it */
} ota_image_enc_t;

/** Result of opening an encrypted image. */
typedef enum ota_enc_status {
    OTA_ENC_OK = 0,
    OTA_ENC_ERR_ARG = -1,           /**< NULL, or an info without the TLV */
    OTA_ENC_ERR_OTHER_KEY = -2,     /**< wrapped for another device key (key id differs) */
    OTA_ENC_ERR_KEY_CHECK = -3,     /**< the tag does not verify: the TLV was changed, or the
                                         device key is not the one its id names */
    OTA_ENC_ERR_READ = -4,          /**< the source failed to read: no verdict */
    OTA_ENC_ERR_CRYPTO = -5,        /**< the backend failed (or the device key is no P-256
                                         scalar): no verdict on the image */
} ota_enc_status_t;

/**
 * Unwrap the content key of the image info describes (parsed from src, has_encryption) with
 * the device key: check the key id, ECDH with the ephemeral key, HKDF, verify the tag in
 * constant time, decrypt the content key. Nothing is decrypted or trusted before the tag
 * verifies. Stack: the backend's ECDH (mbedTLS: its heap; BearSSL: about 3 KB) plus 0.4 KB.
 * @return OK (out ready); OTHER_KEY; KEY_CHECK; READ; CRYPTO; ARG. out is cleared unless OK.
 */
ota_enc_status_t ota_image_enc_open(const ota_image_source_t *src, const ota_image_info_t *info,
                                    const ota_enc_key_t *key, ota_image_enc_t *out);

/**
 * XOR the payload's keystream into the bytes of buf that hold image bytes [offset, offset +
 * len) of the payload (image offsets 64 .. 64 + payload_size): header and TLV bytes in the
 * range are left as they are. Decrypts ciphertext and encrypts plaintext alike.
 * @return OK; ERR_ARG (not ready, NULL); what ota_aes128_ctr returns.
 */
ota_crypto_status_t ota_image_enc_crypt(const ota_image_enc_t *enc, uint32_t offset,
                                        uint8_t *buf, uint32_t len);

/** Wipe the content key (after an install, and before enc is reused). NULL is ignored. */
void ota_image_enc_close(ota_image_enc_t *enc);

/** A short constant English name of a status ("encrypted for another device key"). */
const char *ota_enc_status_str(ota_enc_status_t status);

#ifdef __cplusplus
}
#endif

#endif /* OTAFLOW_IMAGE_ENC_H */
