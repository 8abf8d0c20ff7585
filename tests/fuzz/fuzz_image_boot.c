/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: the bootloader's image parse (src/image_boot_parse.c, OTA_IMAGE_BOOT_PARSE)
 * against the agent's, as four lean builds compile it (CMakeLists.txt: HSS/LMS only,
 * SHA-256 only, ECDSA only, everything with decryption). Input: fuzz_image.c's (byte 0 the
 * slot's shape, the rest its content), so its corpus replays here too (the seeds of
 * tests/fuzz/corpus/image_boot are copies of tests/fuzz/corpus/image's).
 *
 * Oracles beyond "no crash, no UB": tests/fuzz/image_boot_rig.h's claims, for every build:
 * nothing is read past the slot; the bootloader's parse equals the agent's on the image with
 * the TLVs the bootloader does not read renamed to unknown ones (status and every field); an
 * image the agent accepts is accepted with the same header, layout, hash and signature
 * fields, unless it is encrypted and the build does not decrypt (then refused); what the
 * bootloader accepts and the agent refuses, the agent refuses for a skipped TLV's duplicate
 * or length only.
 */
#include <stdint.h>
#include <stdlib.h>

#include "image_boot_rig.h"

ota_image_status_t image_boot_parse_lms(const ota_image_source_t *src, ota_image_info_t *info);
ota_image_status_t image_boot_parse_sha(const ota_image_source_t *src, ota_image_info_t *info);
ota_image_status_t image_boot_parse_ecdsa(const ota_image_source_t *src, ota_image_info_t *info);
ota_image_status_t image_boot_parse_all(const ota_image_source_t *src, ota_image_info_t *info);

static const image_rig_build_t fuzz_builds[] = {
    {"lms", image_boot_parse_lms, IMAGE_READS_LMS},
    {"sha", image_boot_parse_sha, 0u},
    {"ecdsa", image_boot_parse_ecdsa, IMAGE_READS_ECDSA},
    {"all", image_boot_parse_all,
     IMAGE_READS_ECDSA | IMAGE_READS_RAW | IMAGE_READS_LMS | IMAGE_READS_ENC},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > IMAGE_RIG_MAX) {
        return 0;
    }
    for (size_t b = 0; b < sizeof fuzz_builds / sizeof fuzz_builds[0]; b++) {
        image_rig_result_t result;
        if (image_rig_check(&fuzz_builds[b], data, (uint32_t)size, &result) != NULL) {
            abort();
        }
    }
    return 0;
}
