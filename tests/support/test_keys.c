/* SPDX-License-Identifier: Apache-2.0 */
/* Signing keys for tests (see test_keys.h). */
#include "test_keys.h"

#include <stdio.h>
#include <string.h>

#include "otaflow/crypto.h"
#include "otaflow/manifest_sig.h"

int test_keys_make(tool_key_t *trusted, tool_key_t *other, ota_sig_key_t *entry)
{
    char why[128];
    if (tool_key_generate(trusted, why, sizeof why) != 0 ||
        tool_key_generate(other, why, sizeof why) != 0) {
        fprintf(stderr, "keygen: %s\n", why);
        return -1;
    }
    tool_key_trust(trusted, entry);
    return 0;
}

void test_keys_free(tool_key_t *trusted, tool_key_t *other)
{
    tool_key_free(trusted);
    tool_key_free(other);
}

size_t test_keys_sign_manifest(tool_key_t *key, const char *text, size_t len, uint8_t *sig)
{
    uint8_t hash[OTA_SHA256_SIZE];
    ota_sha256(text, len, hash);
    memcpy(sig, OTA_MANIFEST_SIG_MAGIC, OTA_MANIFEST_SIG_MAGIC_SIZE);
    memcpy(sig + OTA_MANIFEST_SIG_MAGIC_SIZE, key->key_id, OTA_SHA256_SIZE);
    size_t der = 0;
    char why[128];
    if (tool_key_sign_hash(key, hash, sig + OTA_MANIFEST_SIG_DER_OFFSET, &der, why,
                           sizeof why) != 0) {
        fprintf(stderr, "sign manifest: %s\n", why);
        return 0;
    }
    return OTA_MANIFEST_SIG_DER_OFFSET + der;
}
