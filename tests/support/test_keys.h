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

/** The .sig of text (len bytes) made with key, as `otaflow-image manifest sign` writes it,
 *  into sig (OTA_MANIFEST_SIG_MAX bytes). Returns its length, or 0 after printing why. */
size_t test_keys_sign_manifest(tool_key_t *key, const char *text, size_t len, uint8_t *sig);

/** Free both keys. */
void test_keys_free(tool_key_t *trusted, tool_key_t *other);

#endif
