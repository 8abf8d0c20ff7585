/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ECDSA P-256 keys for otaflow-image (keygen, pack --key, verify --pubkey, pubkey-c), on
 * mbedTLS's pk/ecp. Host code. Keys are PEM files openssl reads: the private key in SEC1
 * ("EC PRIVATE KEY"), the public key as SubjectPublicKeyInfo ("PUBLIC KEY").
 */
#ifndef OTAFLOW_TOOL_SIGN_KEY_H
#define OTAFLOW_TOOL_SIGN_KEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mbedtls/pk.h>

#include "otaflow/crypto.h"
#include "otaflow/image_sig.h"
#include "otaflow/manifest_sig.h"

/** A P-256 key pair, or a public key alone (has_private false). */
typedef struct tool_key {
    mbedtls_pk_context pk;
    bool has_private;
    uint8_t pubkey[OTA_ECDSA_P256_PUBKEY_SIZE]; /**< uncompressed point */
    uint8_t key_id[OTA_SHA256_SIZE];            /**< SHA-256 of pubkey: the KEY_HASH TLV */
} tool_key_t;

/** A new random key pair (CTR_DRBG seeded from /dev/urandom). 0, or -1 with why[] set. */
int tool_key_generate(tool_key_t *key, char *why, size_t why_len);

/** Load a PEM (or DER) P-256 private key. 0, or -1 with a one-line reason in why[]. */
int tool_key_load_private(tool_key_t *key, const char *path, char *why, size_t why_len);

/** Load a PEM (or DER) P-256 public key (a private key file also works: its public half). */
int tool_key_load_public(tool_key_t *key, const char *path, char *why, size_t why_len);

/** Write the private key (mode 0600) or the public key as PEM. 0, or -1 with why[] set. */
int tool_key_write_private_pem(tool_key_t *key, const char *path, char *why, size_t why_len);
int tool_key_write_public_pem(tool_key_t *key, const char *path, char *why, size_t why_len);

/**
 * Sign a 32-byte hash as is (deterministic ECDSA, RFC 6979): the DER signature goes into sig
 * (OTA_ECDSA_P256_SIG_MAX bytes), its length into *sig_len. 0, or -1 with why[] set.
 */
int tool_key_sign_hash(tool_key_t *key, const uint8_t hash[OTA_SHA256_SIZE],
                       uint8_t sig[OTA_ECDSA_P256_SIG_MAX], size_t *sig_len, char *why,
                       size_t why_len);

/** Add the KEY_HASH TLV and the ECDSA P-256 signature of digest to w (errors stick in w).
 *  0, or -1 with why[] set when signing failed. */
int tool_key_add_tlvs(tool_key_t *key, ota_image_tlv_writer_t *w,
                      const uint8_t digest[OTA_SHA256_SIZE], char *why, size_t why_len);

/**
 * The TLV area of an image whose SHA-256 (header + payload) is digest, into tlv (cap bytes):
 * the SHA-256 TLV, and with key (NULL: unsigned) the KEY_HASH TLV and the ECDSA P-256
 * signature over digest. Its length into *tlv_len. 0, or -1 with why[] set.
 */
int tool_key_image_tlvs(tool_key_t *key, const uint8_t digest[OTA_SHA256_SIZE], uint8_t *tlv,
                        size_t cap, uint32_t *tlv_len, char *why, size_t why_len);

/**
 * The .sig of a manifest (text, len bytes): magic, key id, DER signature of its SHA-256
 * (include/otaflow/manifest_sig.h), into sig; its length into *sig_len. 0, or -1 with why[] set.
 */
int tool_key_sign_manifest(tool_key_t *key, const void *text, size_t len,
                           uint8_t sig[OTA_MANIFEST_SIG_MAX], size_t *sig_len, char *why,
                           size_t why_len);

void tool_key_free(tool_key_t *key);

/** The device-side entry (algorithm, key id, key bytes) that trusts key. out points into key:
 *  it is valid while key is loaded. */
void tool_key_trust(const tool_key_t *key, ota_sig_key_t *out);

/** Load a public key PEM into key and make out the device-side entry trusting it (valid until
 *  tool_key_free(key), which the caller does in any case). 0, or -1 with why[] set. */
int tool_key_load_trusted(tool_key_t *key, ota_sig_key_t *out, const char *path, char *why,
                          size_t why_len);

#endif /* OTAFLOW_TOOL_SIGN_KEY_H */
