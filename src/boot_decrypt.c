/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The bootloader's side of encrypted images (include/otaflow/image_enc.h): open the content
 * key before an image is hashed, and the keystream the hash pass and the copy into internal
 * flash apply. A wrong device key is refused when the key is opened, that is before the
 * slot is hashed and long before internal flash is erased; a changed ciphertext is refused
 * by the SHA-256 of the decrypted payload, also before anything is erased. Plaintext only
 * ever goes to internal flash: the slot keeps the ciphertext, and the factory copy of an
 * encrypted running image is encrypted again (src/boot.c).
 */
#include "boot_internal.h"

boot_check_t boot_decrypt_open(ota_boot_t *boot, const ota_image_source_t *src, const char **why)
{
#if OTA_BOOT_DECRYPT
    if (boot->config.decrypt_key == NULL) {
        *why = BOOT_WHY("encrypted, and no decryption key configured");
        return BOOT_CHECK_BAD;
    }
    ota_enc_status_t st = ota_image_enc_open(src, &boot->info, boot->config.decrypt_key,
                                             &boot->enc);
    *why = BOOT_WHY(ota_enc_status_str(st));
    switch (st) {
    case OTA_ENC_OK: return BOOT_CHECK_OK;
    case OTA_ENC_ERR_READ:
    case OTA_ENC_ERR_CRYPTO: return BOOT_CHECK_IO;
    default: return BOOT_CHECK_BAD;
    }
#else
    (void)boot;
    (void)src;
    *why = BOOT_WHY("encrypted, and built without decryption");
    return BOOT_CHECK_BAD;
#endif
}

int boot_decrypt_crypt(void *ctx, uint32_t offset, uint8_t *buf, uint32_t len)
{
#if OTA_BOOT_DECRYPT
    return ota_image_enc_crypt(ctx, offset, buf, len) == OTA_CRYPTO_OK ? 0 : -1;
#else
    (void)ctx;
    (void)offset;
    (void)buf;
    (void)len;
    return -1;
#endif
}
