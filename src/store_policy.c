/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What an image must satisfy, beyond being well formed and intact, before the store records
 * it STORED and the bootloader installs or boots it: built for this board (hw id),
 * anti-rollback (its security counter is not below the device's floor), and, when the device
 * trusts keys, a signature by one of them that is not revoked, by an image that does not
 * revoke its own signer or every key. One function, so the agent side and the bootloader
 * cannot disagree (docs/security.md).
 *
 * The floor comes from the guard (bootloader-owned storage) when the device has one: the
 * journal's counter is then only a hint, because whoever controls the external flash can
 * erase it (back to 0) or forge it (up to 0xFFFFFFFF, which would refuse every image).
 *
 * Also the other policy of the store: which slot a new download may take.
 */
#include "otaflow/store.h"
#include "store_internal.h"

/* The store (download finish) and the bootloader (boot_copy.c) lend these buffers to the
 * signature check, which reads the signature into them: a smaller one could never check one. */
_Static_assert(OTA_STORE_WORK_SIZE >= OTA_SIG_MAX_SIZE && OTA_BOOT_BUF_SIZE >= OTA_SIG_MAX_SIZE,
               "OTA_STORE_WORK_SIZE and OTA_BOOT_BUF_SIZE must hold OTA_SIG_MAX_SIZE");

const ota_sig_keyring_t *ota_store_trusted_keys(const ota_store_t *store)
{
    return store ? store->trusted_keys : NULL;
}

ota_guard_t *ota_store_guard(const ota_store_t *store)
{
    /* Built without the guard (config.h), the mount refused one: known NULL at compile time,
     * so that its branches here and in the bootloader fold away. */
    return OTA_BOOT_GUARD && store ? store->guard : NULL;
}

#if OTA_SIGNATURES
/* The revocation-mask bit of the keyring entry whose id key_id is: 0 when none (or past the
 * mask's 32 entries). */
static uint32_t store_signer_bit(const ota_sig_keyring_t *ring, bool has, const uint8_t *key_id)
{
    const ota_sig_key_t *key = ota_sig_keyring_find(ring, has ? key_id : NULL);
    size_t index = key != NULL ? (size_t)(key - ring->keys) : 32u;
    return index < 32u ? 1u << index : 0u;
}

/* The signer must not be revoked already; the image's own mask must leave its signer and at
 * least one entry of the keyring standing. */
static ota_store_status_t store_revocation_policy(const ota_store_t *store, const ota_image_info_t *info)
{
    const ota_sig_keyring_t *ring = store->trusted_keys;
    uint32_t revoked = ota_guard_values(ota_store_guard(store))->revoked_keys;
    /* Every entry the image names as a signer (ECDSA and HSS/LMS: a hybrid image has two);
     * the signature check has refused an image none of whose signers the ring has. */
    uint32_t signer = store_signer_bit(ring, info->has_key_hash, info->key_hash);
#if OTA_SIG_HSS_LMS /* else the signature check passed over the HSS/LMS signature */
    signer |= store_signer_bit(ring, info->has_lms_key_hash, info->lms_key_hash);
#endif
    if ((revoked & signer) != 0u) {
        return OTA_STORE_ERR_KEY_REVOKED;
    }
    uint32_t after = revoked | info->header.revoke_keys;
    uint32_t all = ring->count >= 32u ? UINT32_MAX : (1u << ring->count) - 1u;
    if ((info->header.revoke_keys & signer) != 0u || (after & all) == all) {
        return OTA_STORE_ERR_REVOCATION;
    }
    return OTA_STORE_OK;
}
#endif

ota_store_status_t ota_store_image_policy(const ota_store_t *store,
                                          const ota_image_source_t *src,
                                          const ota_image_info_t *info, uint8_t *work,
                                          size_t work_len)
{
    if (!store || !info) {
        return OTA_STORE_ERR_ARG;
    }
    if (store->hw_id != 0u && info->header.hw_id != store->hw_id) {
        return OTA_STORE_ERR_HW_ID;
    }
    if (info->header.security_counter < ota_store_security_floor(store)) {
        return OTA_STORE_ERR_SECURITY_COUNTER;
    }
#if OTA_SIGNATURES
    if (store->trusted_keys == NULL) {
        return OTA_STORE_OK;
    }
    switch (ota_image_sig_check(src, info, store->trusted_keys, work, work_len)) {
    case OTA_SIG_OK: return store_revocation_policy(store, info);
    case OTA_SIG_ERR_UNSIGNED:
    case OTA_SIG_ERR_REQUIRED: /* not signed as this device requires */
        return OTA_STORE_ERR_UNSIGNED;
    case OTA_SIG_ERR_UNKNOWN_KEY: return OTA_STORE_ERR_UNKNOWN_KEY;
    case OTA_SIG_ERR_BAD_SIGNATURE: return OTA_STORE_ERR_SIGNATURE;
    case OTA_SIG_ERR_ARG: return OTA_STORE_ERR_ARG; /* an empty keyring in the config */
    case OTA_SIG_ERR_READ: return OTA_STORE_ERR_FLASH;
    default: return OTA_STORE_ERR_CRYPTO;
    }
#else
    /* Built without signatures: mount refused any trusted keys, so none is required. */
    (void)src;
    (void)work;
    (void)work_len;
    return OTA_STORE_OK;
#endif
}

/* Slot choice ------------------------------------------------------------------------------ */

/* Never the running copy, the pending install, or the image a rollback would go to before the
 * running one is confirmed (previous_slot is cleared at confirmation, when older images become
 * ordinary stored versions: docs/design.md §6, invariant 3). */
static bool store_slot_protected(const ota_store_boot_t *b, uint8_t slot)
{
    return slot == b->running_slot || slot == b->install_slot || slot == b->previous_slot;
}

/* The running image's copy may go once that image is confirmed: it then only serves a later
 * rollback to it or a repair of internal flash, and keeping it would stop every update of a
 * store with one download slot (docs/store.md, "One download slot"). */
static bool store_running_copy_expendable(const ota_store_boot_t *b, uint8_t download_slots)
{
    return b->state == OTA_BOOT_CONFIRMED && b->running_slot != OTA_STORE_FACTORY_SLOT &&
           b->running_slot <= download_slots && b->install_slot == OTA_STORE_SLOT_NONE &&
           b->previous_slot == OTA_STORE_SLOT_NONE;
}

uint8_t ota_store_choose_slot(const ota_store_state_t *st, uint8_t download_slots)
{
    const ota_store_boot_t *b = &st->boot;
    uint8_t best = OTA_STORE_SLOT_NONE;
    for (uint8_t i = 1; i <= download_slots && i < OTA_STORE_MAX_SLOTS; i++) {
        uint8_t s = st->slots[i].state;
        if (store_slot_protected(b, i)) {
            continue;
        }
        if (s == OTA_SLOT_EMPTY || s == OTA_SLOT_REJECTED || s == OTA_SLOT_DOWNLOADING) {
            return i; /* free space first */
        }
        if (s == OTA_SLOT_STORED &&
            (best == OTA_STORE_SLOT_NONE || st->slots[i].version < st->slots[best].version)) {
            best = i;
        }
    }
    if (best == OTA_STORE_SLOT_NONE && store_running_copy_expendable(b, download_slots)) {
        best = b->running_slot;
    }
    return best;
}
