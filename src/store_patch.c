/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What a delta update asks the store before it starts (docs/delta.md, "On the device"): where
 * an image of a given version and digest is (a patch's base), and which slot a download of
 * the rebuilt image would take, which must not be the base's.
 */
#include <string.h>

#include "store_internal.h"

static bool store_slot_holds(const ota_store_slot_t *s, uint32_t version,
                             const uint8_t digest[OTA_SHA256_SIZE], bool complete)
{
    bool state_ok = complete ? (s->state == OTA_SLOT_STORED || s->state == OTA_SLOT_INSTALLED)
                             : s->state == OTA_SLOT_DOWNLOADING;
    return state_ok && s->version == version &&
           memcmp(s->digest, digest, OTA_SHA256_SIZE) == 0;
}

uint8_t ota_store_find_image(const ota_store_t *store, uint32_t version,
                             const uint8_t digest[OTA_SHA256_SIZE])
{
    if (store == NULL || digest == NULL || !store->mounted) {
        return OTA_STORE_SLOT_NONE;
    }
    /* Download slots first, then the factory slot, as ota_store_find_version. */
    uint8_t n = store->layout.download_slots;
    for (uint32_t k = 1; k <= (uint32_t)n + 1u; k++) {
        uint8_t slot = (uint8_t)(k <= n ? k : OTA_STORE_FACTORY_SLOT);
        if (store_slot_holds(&store->state.slots[slot], version, digest, true)) {
            return slot;
        }
    }
    return OTA_STORE_SLOT_NONE;
}

uint8_t ota_store_download_slot(const ota_store_t *store, uint32_t version,
                                const uint8_t digest[OTA_SHA256_SIZE])
{
    if (store == NULL || digest == NULL || !store->mounted) {
        return OTA_STORE_SLOT_NONE;
    }
    for (uint8_t i = 1; i <= store->layout.download_slots; i++) {
        if (store_slot_holds(&store->state.slots[i], version, digest, false)) {
            return i; /* ota_store_download_begin resumes there */
        }
    }
    return ota_store_choose_slot(&store->state, store->layout.download_slots);
}
