/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What an image must satisfy, beyond being well formed and intact, before the store records
 * it STORED and the bootloader installs or boots it: built for this board (hw id),
 * anti-rollback (its security counter is not below the highest one confirmed on this device)
 * and, when the device trusts keys, a signature by one of them. One function, so the agent side and the bootloader cannot
 * disagree (docs/security.md).
 */
#include "otaflow/store.h"

/* The store (download finish) and the bootloader (boot_copy.c) lend these buffers to the
 * signature check, which reads the signature into them: a smaller one could never check one. */
_Static_assert(OTA_STORE_WORK_SIZE >= OTA_SIG_MAX_SIZE && OTA_BOOT_BUF_SIZE >= OTA_SIG_MAX_SIZE,
               "OTA_STORE_WORK_SIZE and OTA_BOOT_BUF_SIZE must hold OTA_SIG_MAX_SIZE");

const ota_sig_keyring_t *ota_store_trusted_keys(const ota_store_t *store)
{
    return store ? store->trusted_keys : NULL;
}

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
    if (info->header.security_counter < store->state.boot.security_counter) {
        return OTA_STORE_ERR_SECURITY_COUNTER;
    }
    if (store->trusted_keys == NULL) {
        return OTA_STORE_OK;
    }
    switch (ota_image_sig_check(src, info, store->trusted_keys, work, work_len)) {
    case OTA_SIG_OK: return OTA_STORE_OK;
    case OTA_SIG_ERR_UNSIGNED: return OTA_STORE_ERR_UNSIGNED;
    case OTA_SIG_ERR_UNKNOWN_KEY: return OTA_STORE_ERR_UNKNOWN_KEY;
    case OTA_SIG_ERR_BAD_SIGNATURE: return OTA_STORE_ERR_SIGNATURE;
    case OTA_SIG_ERR_ARG: return OTA_STORE_ERR_ARG; /* an empty keyring in the config */
    case OTA_SIG_ERR_READ: return OTA_STORE_ERR_FLASH;
    default: return OTA_STORE_ERR_CRYPTO;
    }
}
