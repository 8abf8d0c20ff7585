/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Encrypting an image for one device key (pack --encrypt-to), and the device key's private
 * half as a C table (privkey-c): the sender's side of include/otaflow/image_enc.h, on
 * OpenSSL's libcrypto (ECDH, HKDF, HMAC, AES-128-CTR, the random content key). Host code.
 */
#ifndef OTAFLOW_TOOL_IMAGE_ENCRYPT_H
#define OTAFLOW_TOOL_IMAGE_ENCRYPT_H

#include <stddef.h>
#include <stdint.h>

#include "image_file.h"
#include "otaflow/image_enc.h"

/** An image being encrypted: the payload's cipher and the TLV that lets the device open it. */
typedef struct tool_encrypt {
    struct evp_cipher_ctx_st *ctr;       /**< AES-128-CTR of the payload, from byte 0 */
    uint8_t tlv[OTA_IMAGE_ENC_TLV_SIZE]; /**< the ENC_P256_AES128 value */
} tool_encrypt_t;

/**
 * Draw a content key and a nonce, wrap the key for the P-256 public key in device_pub (PEM or
 * DER; a private key file gives its public half) with a fresh ephemeral key, and start the
 * payload cipher. 0, or -1 with why[] set (then nothing to free).
 */
int tool_encrypt_start(tool_encrypt_t *e, const char *device_pub, char *why, size_t why_len);

/** Encrypt the next len payload bytes in place. 0, or -1 (OpenSSL failed). */
int tool_encrypt_update(tool_encrypt_t *e, uint8_t *data, size_t len);

/** Release the cipher and wipe its key. */
void tool_encrypt_free(tool_encrypt_t *e);

/** The device key of a P-256 private key file (PEM or DER): its scalar and its public key's
 *  id, as the bootloader holds them. 0, or -1 with why[] set. */
int tool_device_key_load(const char *path, ota_enc_key_t *out, char *why, size_t why_len);

/**
 * Decrypt a loaded encrypted image in place with the device key in device_key, as the
 * bootloader does (src/image_enc.c: key id, ECDH, key check, AES-128-CTR), and take its
 * digests again: tool_image_verify then checks the plaintext against the SHA-256 TLV.
 * 0, or -1 with why[] set (not encrypted, not that device's key, the key check failed).
 */
int tool_image_decrypt(tool_image_t *img, const char *device_key, char *why, size_t why_len);

#endif /* OTAFLOW_TOOL_IMAGE_ENCRYPT_H */
