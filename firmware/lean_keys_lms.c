/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The LMS-only lean bootloader's trusted image key (ota_lean_keys), written by
 * `otaflow-image pubkey-c KEY --require lms --name ota_lean_keys`. This one is the public half
 * of tests/firmware/lean_test_key.lms (HSS, 2 levels of LMS_SHA256_M32_H5 /
 * LMOTS_SHA256_N32_W8), a key for the tests only (its seed is public; the tests sign with a
 * copy, so its state in the repository never advances): a product builds with its own,
 * `cmake -DOTA_LEAN_LMS_KEYS=its_keys.c` (docs/firmware.md), of LM-OTS W8 like this one (the
 * lean cores verify W8 only: OTA_LMS_LEAN_PARAMS, firmware/lean_core.cmake).
 * Key id = SHA-256 of the 60-byte HSS public key, matched with the image's LMS_KEY_HASH TLV.
 */
#include "otaflow/image_sig.h"

/* HSS/LMS public key (RFC 8554): u32 levels, u32 LMS type, u32 LM-OTS type, I, T[1] */
static const uint8_t ota_lean_keys_key0[] = {
            0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x04,
            0xfc, 0x73, 0xf2, 0xc4, 0x5f, 0xf6, 0x48, 0x69, 0x0b, 0xb5, 0x8a, 0x83,
            0x3e, 0x1c, 0xf7, 0x43, 0xdf, 0x7f, 0x30, 0x6c, 0xda, 0x4f, 0xf5, 0x9b,
            0xec, 0xac, 0x01, 0x75, 0x63, 0x8b, 0x26, 0xe9, 0xf6, 0x54, 0xd1, 0x6c,
            0x3d, 0xea, 0x5a, 0x41, 0x4a, 0x5f, 0x4f, 0xdd, 0x9b, 0x24, 0xb9, 0x3c,
};

const ota_sig_key_t ota_lean_keys_keys[] = {
    {
        .alg = OTA_SIG_ALG_HSS_LMS,
        /* key id 2db38b793f6b1077f7f9410e6df286655bf01d5c825b3b548e3868ffc2cb15c9 */
        .key_id = {
            0x2d, 0xb3, 0x8b, 0x79, 0x3f, 0x6b, 0x10, 0x77, 0xf7, 0xf9, 0x41, 0x0e,
            0x6d, 0xf2, 0x86, 0x65, 0x5b, 0xf0, 0x1d, 0x5c, 0x82, 0x5b, 0x3b, 0x54,
            0x8e, 0x38, 0x68, 0xff, 0xc2, 0xcb, 0x15, 0xc9,
        },
        .key = ota_lean_keys_key0,
        .key_len = sizeof ota_lean_keys_key0,
    },
};

const ota_sig_keyring_t ota_lean_keys = {
    .keys = ota_lean_keys_keys,
    .count = sizeof ota_lean_keys_keys / sizeof ota_lean_keys_keys[0],
    /* every image must carry a signature of each by a key above */
    .required = OTA_SIG_REQUIRE(OTA_SIG_ALG_HSS_LMS),
};
