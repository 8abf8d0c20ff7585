/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Signing keys for tests: a trusted key and an untrusted one, made with the tool's own key
 * generator, and the device-side entry that trusts the first.
 */
#ifndef OTAFLOW_TEST_KEYS_H
#define OTAFLOW_TEST_KEYS_H

#include "otaflow/image_sig.h"
#include "sign_key.h"

/** Generate *trusted and *other, and fill *entry with trusted's key id and public key.
 *  Returns 0, or -1 after printing why. */
int test_keys_make(tool_key_t *trusted, tool_key_t *other, ota_sig_key_t *entry);

/** Sign the image in img (len bytes, SHA-256 as its only TLV, room for cap bytes) with key:
 *  its TLV area is rewritten by the code of `otaflow-image pack --key` (SHA-256, key id,
 *  ECDSA P-256 signature). Returns the new length, or 0 after printing why. */
uint32_t test_keys_sign_image(tool_key_t *key, uint8_t *img, uint32_t len, uint32_t cap);

/** The .sig of text (len bytes) made with key by the code of `otaflow-image manifest sign`,
 *  into sig (OTA_MANIFEST_SIG_MAX bytes). Returns its length, or 0 after printing why. */
size_t test_keys_sign_manifest(tool_key_t *key, const char *text, size_t len, uint8_t *sig);

/** The original's signature of hash by key, as its ecdsaSign.py writes it: r||s, each a
 *  32-byte big-endian number, into rs. Returns 0, or -1 after printing why. */
int test_keys_sign_rs(tool_key_t *key, const uint8_t hash[32], uint8_t rs[64]);

/** The r||s of a DER ECDSA P-256 signature (SEQUENCE of two INTEGERs of at most 33 bytes).
 *  Returns 0, or -1 when der is not one. */
int test_keys_der_to_rs(const uint8_t *der, size_t len, uint8_t rs[64]);

/** Standard base64 (RFC 4648, '=' padding) of in, NUL-terminated, into out (room for
 *  4 * ((len + 2) / 3) + 1 characters), as Python's base64.b64encode writes it. */
void test_keys_base64(const uint8_t *in, size_t len, char *out);

/** The original's Signature of hash (SHA-256) by key, as its ecdsaSign.py writes it: the
 *  ECDSA P-256 r||s, base64 (88 characters), into out (89 bytes). Returns 0, or -1 after
 *  printing why. */
int test_keys_original_signature(tool_key_t *key, const uint8_t hash[32], char *out);

/** Free both keys. */
void test_keys_free(tool_key_t *trusted, tool_key_t *other);

#endif
