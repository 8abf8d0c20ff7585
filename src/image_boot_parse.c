/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The bootloader's ota_image_parse (OTA_IMAGE_BOOT_PARSE, include/otaflow/config.h): the same
 * header and TLV area checks as the agent's (image_parse_layout), and a walk of the entries
 * that reads only the TLVs this build acts on: the SHA-256, the key id and signature of each
 * algorithm it verifies, and the encryption TLV when it decrypts. Every other entry is
 * skipped by its length like an unknown one, with the same bounds checks, and refused when
 * critical (so an encrypted image is refused here by a build that does not decrypt).
 *
 * What it does not check, and why that is harmless: the duplicates and lengths of TLVs it
 * skips (a KEY_HASH or ECDSA signature in a build that verifies HSS/LMS only, every
 * signature TLV in one that verifies none). None of them reaches a decision of this build:
 * what it installs is covered by the SHA-256 TLV it reads and by the signature it verifies,
 * exactly as with the agent's parse. tests/unit/test_image_boot_parse.c proves the walk equal
 * to the agent's on every image once the skipped TLVs are renamed to unknown ones, and
 * tests/fuzz/fuzz_image_boot.c fuzzes that equality.
 */
#include "otaflow/image.h"

#if OTA_IMAGE_BOOT_PARSE

#include <stdbool.h>

#include "image_parse.h"

/* The TLV kinds this build acts on. */
#define IMAGE_BOOT_READS                                                                         \
    ((OTA_SIGNATURES && OTA_SIG_ECDSA_P256 ? IMAGE_READS_ECDSA : 0u) |                          \
     (OTA_RAW_IMAGES ? IMAGE_READS_RAW : 0u) |                                                   \
     (OTA_SIGNATURES && OTA_SIG_HSS_LMS ? IMAGE_READS_LMS : 0u) |                                \
     (OTA_BOOT_DECRYPT ? IMAGE_READS_ENC : 0u))

ota_image_status_t ota_image_parse(const ota_image_source_t *src, ota_image_info_t *info)
{
    return image_parse_with(src, info, IMAGE_BOOT_READS);
}

#else
/* ISO C wants a declaration in every translation unit. */
typedef int image_boot_parse_unused_t;
#endif /* OTA_IMAGE_BOOT_PARSE */
