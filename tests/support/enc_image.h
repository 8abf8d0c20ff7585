/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Encrypted images for tests: device key pairs made by the tool's key generator (PEM files in
 * a temporary directory, as `otaflow-image keygen` writes them), and a test image encrypted
 * for one of them by the code of `otaflow-image pack --encrypt-to`.
 */
#ifndef OTAFLOW_TEST_ENC_IMAGE_H
#define OTAFLOW_TEST_ENC_IMAGE_H

#include <stdint.h>

#include "otaflow/image_enc.h"

/** A device key: its public key's PEM file and the table its bootloader holds. */
typedef struct enc_test_key {
    char pub_path[300];
    ota_enc_key_t key;
} enc_test_key_t;

/** Generate n device keys (files in a new temporary directory). 0, or -1 after printing. */
int enc_test_keys_make(enc_test_key_t *keys, unsigned n);

/** Remove the files and the directory enc_test_keys_make made. */
void enc_test_keys_free(enc_test_key_t *keys, unsigned n);

/**
 * The image in plain (len bytes, a valid image) with its payload encrypted for key and the
 * ENC_P256_AES128 TLV appended to its TLV area, into out (cap bytes). Returns the new length,
 * or 0 after printing why. With installed != NULL, also the same bytes with the plaintext
 * payload (what internal flash holds once it is installed), len returned as well.
 */
uint32_t enc_test_encrypt(const enc_test_key_t *key, const uint8_t *plain, uint32_t len,
                          uint8_t *out, uint8_t *installed, uint32_t cap);

#endif /* OTAFLOW_TEST_ENC_IMAGE_H */
