/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Staged rollout membership (include/otaflow/rollout.h): a hash of the device id and the
 * version, so that the share of a version grows by adding devices and never by swapping them.
 */
#include "otaflow/rollout.h"

#include <string.h>

#include "num_text.h"
#include "otaflow/crypto.h"

uint32_t ota_rollout_bucket(const char *device_id, uint32_t version)
{
    if (device_id == NULL) {
        return OTA_ROLLOUT_BUCKETS;
    }
    size_t id_len = strlen(device_id);
    if (id_len == 0u || id_len > OTA_ROLLOUT_ID_MAX) {
        return OTA_ROLLOUT_BUCKETS;
    }
    /* ":<version>" as text, so that `printf 'id:7' | sha256sum` gives the same bucket. */
    char suffix[1u + OTA_DEC_U64_SIZE];
    suffix[0] = ':';
    size_t digits = ota_u64_to_dec(version, suffix + 1, sizeof suffix - 1u);
    ota_sha256_t sha;
    uint8_t digest[OTA_SHA256_SIZE];
    if (ota_sha256_start(&sha) != OTA_CRYPTO_OK ||
        ota_sha256_update(&sha, device_id, id_len) != OTA_CRYPTO_OK ||
        ota_sha256_update(&sha, suffix, 1u + digits) != OTA_CRYPTO_OK ||
        ota_sha256_finish(&sha, digest) != OTA_CRYPTO_OK) {
        return OTA_ROLLOUT_BUCKETS; /* no verdict: the device waits for 100 % */
    }
    uint32_t first = (uint32_t)digest[0] << 24 | (uint32_t)digest[1] << 16 |
                     (uint32_t)digest[2] << 8 | digest[3];
    return first % OTA_ROLLOUT_BUCKETS;
}

bool ota_rollout_member(const char *device_id, uint32_t version, uint32_t percent)
{
    if (percent >= 100u) {
        return true;
    }
    return ota_rollout_bucket(device_id, version) < percent * (OTA_ROLLOUT_BUCKETS / 100u);
}
