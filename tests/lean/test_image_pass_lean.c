/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The hash pass over an image (src/image.c, image_pass.h) on the core built as the lean
 * bootloaders build it (CMakeLists.txt: OTA_IMAGE_BOOT_PARSE and the compact SHA-256 on). Its
 * header check decodes the header read again and compares the fields (no byte-by-byte walk):
 * here it refuses a change of any one of the 64 header bytes between the parse and the pass,
 * and a pass whose chunks split the header, which it cannot compare (none of the
 * bootloader's). Both hashes, with and without the file's, are the one-shot SHA-256s of
 * their bytes for every chunk size.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "image_builder.h"
#include "image_pass.h"
#include "otaflow/crypto.h"
#include "otaflow/image.h"

_Static_assert(OTA_IMAGE_BOOT_PARSE == 1 && OTA_SHA256_SMALL == 1,
               "built with the lean options: the bootloader's parse and hash");

#define PAYLOAD 700u

static test_image_t g_img;

/* One pass over src (parsed into info) in chunks of work_len, the file hashed too when
 * file_hash is not NULL. */
static image_pass_t pass_over(const ota_image_source_t *src, const ota_image_info_t *info,
                              uint32_t work_len, uint8_t *file_hash)
{
    static ota_sha256_t image_sha, file_sha;
    static uint8_t work[4096];
    image_pass_t pass = {.image = &image_sha, .image_len = info->tlv_offset,
                         .file = file_hash ? &file_sha : NULL, .file_hash = file_hash};
    assert_true(work_len <= sizeof work);
    assert_int_equal(image_hash_pass(src, info, info->total_size, work, work_len, &pass),
                     OTA_IMAGE_OK);
    return pass;
}

static void test_header_changed_between_parse_and_pass_is_refused_at_every_byte(void **unused)
{
    (void)unused;
    uint32_t n = test_image_valid(&g_img, PAYLOAD);
    static uint8_t later[TEST_IMAGE_CAP];
    for (uint32_t at = 0; at < OTA_IMAGE_HEADER_SIZE; at++) {
        for (unsigned flip = 1; flip < 256u; flip <<= 1) {
            memcpy(later, g_img.bytes, n);
            later[at] ^= (uint8_t)flip;
            test_two_faced_t t = {g_img.bytes, later, n, 0};
            ota_image_source_t src = {test_two_faced_read, &t, n};
            ota_image_info_t info;
            assert_int_equal(ota_image_parse(&src, &info), OTA_IMAGE_OK);
            image_pass_t pass = pass_over(&src, &info, 128u, NULL);
            if (pass.header_same) {
                fail_msg("header byte %u changed (xor 0x%02x) after the parse, not seen",
                         (unsigned)at, flip);
            }
        }
    }
    /* unchanged: the same, and intact */
    test_two_faced_t t = {g_img.bytes, g_img.bytes, n, 0};
    ota_image_source_t src = {test_two_faced_read, &t, n};
    ota_image_info_t info;
    assert_int_equal(ota_image_parse(&src, &info), OTA_IMAGE_OK);
    image_pass_t pass = pass_over(&src, &info, 128u, NULL);
    assert_true(pass.header_same);
    assert_true(image_pass_intact(&pass, &info));
}

static void test_a_pass_that_splits_the_header_is_refused(void **unused)
{
    (void)unused;
    uint32_t n = test_image_valid(&g_img, PAYLOAD);
    ota_image_source_t src = test_image_source(&g_img);
    ota_image_info_t info;
    assert_int_equal(ota_image_parse(&src, &info), OTA_IMAGE_OK);
    /* chunks smaller than the header */
    assert_false(pass_over(&src, &info, OTA_IMAGE_HEADER_SIZE - 1u, NULL).header_same);
    assert_true(pass_over(&src, &info, OTA_IMAGE_HEADER_SIZE, NULL).header_same);
    /* a pass in two runs, the second from inside the header */
    static ota_sha256_t image_sha, file_sha;
    static uint8_t work[128];
    uint8_t digest[OTA_SHA256_SIZE];
    image_pass_t pass = {.image = &image_sha, .image_len = info.tlv_offset, .file = &file_sha,
                         .file_hash = digest};
    assert_int_equal(image_pass_start(&pass), OTA_IMAGE_OK);
    assert_int_equal(image_pass_run(&src, &info, 0, 10, work, sizeof work, &pass), OTA_IMAGE_OK);
    assert_int_equal(image_pass_run(&src, &info, 10, n, work, sizeof work, &pass), OTA_IMAGE_OK);
    assert_int_equal(image_pass_end(&pass, OTA_IMAGE_OK), OTA_IMAGE_OK);
    assert_false(pass.header_same);
}

static void test_both_hashes_are_those_of_their_bytes_for_every_chunk_size(void **unused)
{
    (void)unused;
    uint32_t n = test_image_valid(&g_img, PAYLOAD);
    ota_image_source_t src = test_image_source(&g_img);
    ota_image_info_t info;
    assert_int_equal(ota_image_parse(&src, &info), OTA_IMAGE_OK);
    uint8_t want_image[OTA_SHA256_SIZE], want_file[OTA_SHA256_SIZE];
    assert_int_equal(ota_sha256(g_img.bytes, info.tlv_offset, want_image), OTA_CRYPTO_OK);
    assert_int_equal(ota_sha256(g_img.bytes, n, want_file), OTA_CRYPTO_OK);
    assert_memory_equal(want_image, info.sha256, OTA_SHA256_SIZE);
    for (uint32_t work_len = OTA_IMAGE_HEADER_SIZE; work_len <= n + 1u; work_len += 7u) {
        uint8_t file[OTA_SHA256_SIZE];
        image_pass_t both = pass_over(&src, &info, work_len, file);
        assert_true(both.header_same);
        assert_memory_equal(both.image_hash, want_image, OTA_SHA256_SIZE);
        assert_memory_equal(file, want_file, OTA_SHA256_SIZE);
        image_pass_t alone = pass_over(&src, &info, work_len, NULL);
        assert_true(alone.header_same);
        assert_memory_equal(alone.image_hash, want_image, OTA_SHA256_SIZE);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header_changed_between_parse_and_pass_is_refused_at_every_byte),
        cmocka_unit_test(test_a_pass_that_splits_the_header_is_refused),
        cmocka_unit_test(test_both_hashes_are_those_of_their_bytes_for_every_chunk_size),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
