/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The bootloader's image parse (src/image_boot_parse.c, OTA_IMAGE_BOOT_PARSE: the lean
 * bootloaders') against the agent's, as four lean builds compile it (CMakeLists.txt): over
 * the whole image fuzz corpus and over hostile images (lengths past the end, overlapping
 * TLVs, two hash TLVs, no hash, an encrypted image in a build that does not decrypt), the
 * claims of tests/fuzz/image_boot_rig.h hold; and an image the bootloader must not trust
 * (unsigned, signed only by an algorithm it does not verify) is refused by its signature
 * check.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../fuzz/image_boot_rig.h"
#include "corpus_files.h"
#include "image_builder.h"
#include "otaflow/image_sig.h"

/* src/image_boot_parse.c's ota_image_parse, compiled once per lean build (CMakeLists.txt). */
ota_image_status_t image_boot_parse_lms(const ota_image_source_t *src, ota_image_info_t *info);
ota_image_status_t image_boot_parse_sha(const ota_image_source_t *src, ota_image_info_t *info);
ota_image_status_t image_boot_parse_ecdsa(const ota_image_source_t *src, ota_image_info_t *info);
ota_image_status_t image_boot_parse_all(const ota_image_source_t *src, ota_image_info_t *info);

enum { LMS, SHA, ECDSA, ALL, BUILDS };
static const image_rig_build_t builds[BUILDS] = {
    [LMS] = {"HSS/LMS only, no decryption", image_boot_parse_lms, IMAGE_READS_LMS},
    [SHA] = {"SHA-256 only, no decryption", image_boot_parse_sha, 0u},
    [ECDSA] = {"ECDSA only, no decryption", image_boot_parse_ecdsa, IMAGE_READS_ECDSA},
    [ALL] = {"every algorithm, decryption, raw images", image_boot_parse_all,
             IMAGE_READS_ECDSA | IMAGE_READS_RAW | IMAGE_READS_LMS | IMAGE_READS_ENC},
};

static test_image_t img;          /* 64 KB: static, not on the stack */
static uint8_t input[IMAGE_RIG_MAX]; /* shape byte + slot content */

/* Every claim of the rig for every build: false, after printing which failed, on what. */
static bool check_all_builds(const uint8_t *in, uint32_t len, const char *what,
                             image_rig_result_t results[BUILDS])
{
    for (unsigned b = 0; b < BUILDS; b++) {
        const char *why = image_rig_check(&builds[b], in, len, &results[b]);
        if (why != NULL) {
            print_error("%s, build %s: %s (agent %d, boot %d, agent on masked %d)\n", what,
                        builds[b].name, why, (int)results[b].agent, (int)results[b].boot,
                        (int)results[b].agent_masked);
            return false;
        }
    }
    return true;
}

/* What the replay of a corpus counts: images only the boot parse accepts, and whether every
 * claim held. */
typedef struct corpus_tally {
    unsigned boot_only;
    bool all_hold;
} corpus_tally_t;

static void replay_file(const char *file, const uint8_t *data, size_t n, void *ctx)
{
    corpus_tally_t *t = ctx;
    image_rig_result_t r[BUILDS];
    t->all_hold = check_all_builds(data, (uint32_t)n, file, r) && t->all_hold;
    for (unsigned b = 0; b < BUILDS; b++) {
        t->boot_only += r[b].boot == OTA_IMAGE_OK && r[b].agent != OTA_IMAGE_OK;
    }
}

/* Every file of the corpus directory dir (under the source tree); returns how many. */
static unsigned replay_corpus(const char *dir, unsigned *boot_only, bool *all_hold)
{
    corpus_tally_t t = {*boot_only, *all_hold};
    unsigned files = corpus_files_each(dir, input, sizeof input, replay_file, &t);
    *boot_only = t.boot_only;
    *all_hold = t.all_hold;
    return files;
}

/* The image fuzz corpus (and the new target's): the claims hold on every input. */
static void test_fuzz_corpus_agrees(void **unused)
{
    (void)unused;
    unsigned boot_only = 0;
    bool all_hold = true;
    unsigned files = replay_corpus("image", &boot_only, &all_hold);
    assert_true(files >= 60u); /* the corpus was found: 67 inputs when this test was written */
    files += replay_corpus("image_boot", &boot_only, &all_hold);
    assert_true(all_hold);
    print_message("%u inputs, %u (input, build) pairs the agent refuses for a skipped TLV "
                  "that a lean build accepts\n",
                  files, boot_only);
}

/* The slot of img as one rig input: shape 0 (the slot is the image). */
static uint32_t as_input(void)
{
    input[0] = 0;
    memcpy(input + 1, img.bytes, img.len);
    return img.len + 1u;
}

static const uint8_t zeros[160];

/* One hostile image: the claims hold, and each build's verdict is the expected one. */
static void expect_verdicts(const char *what, ota_image_status_t lms, ota_image_status_t sha,
                            ota_image_status_t ecdsa, ota_image_status_t all)
{
    image_rig_result_t r[BUILDS];
    assert_true(check_all_builds(input, as_input(), what, r));
    const ota_image_status_t want[BUILDS] = {[LMS] = lms, [SHA] = sha, [ECDSA] = ecdsa,
                                             [ALL] = all};
    for (unsigned b = 0; b < BUILDS; b++) {
        if (r[b].boot != want[b]) {
            fail_msg("%s, build %s: %d, expected %d", what, builds[b].name, (int)r[b].boot,
                     (int)want[b]);
        }
    }
}

static void start(uint32_t payload)
{
    ota_image_header_t h = test_image_header(payload);
    test_image_start(&img, &h, NULL);
}

static void test_hostile_images(void **unused)
{
    (void)unused;
    const ota_image_status_t ok = OTA_IMAGE_OK;

    test_image_valid(&img, 100);
    expect_verdicts("valid", ok, ok, ok, ok);

    /* Lengths past the end: an entry's value, the TLV total, the payload. */
    start(100);
    test_image_tlv_sha256(&img);
    test_image_tlv(&img, 0x0042u, "note", 4);
    test_image_end(&img);
    test_image_put16(&img, img.len - 6u, 5); /* "note" claims 5 bytes, 4 remain */
    expect_verdicts("entry past the area's end", OTA_IMAGE_ERR_TLV_OVERRUN,
                    OTA_IMAGE_ERR_TLV_OVERRUN, OTA_IMAGE_ERR_TLV_OVERRUN,
                    OTA_IMAGE_ERR_TLV_OVERRUN);
    test_image_valid(&img, 100);
    test_image_put32(&img, img.tlv_offset + 4u, img.len - img.tlv_offset + 1u);
    expect_verdicts("TLV total past the slot", OTA_IMAGE_ERR_TOO_LARGE, OTA_IMAGE_ERR_TOO_LARGE,
                    OTA_IMAGE_ERR_TOO_LARGE, OTA_IMAGE_ERR_TOO_LARGE);
    test_image_valid(&img, 100);
    test_image_put32(&img, OTA_IMAGE_OFF_PAYLOAD_SIZE, 0xFFFFFFF0u);
    expect_verdicts("payload past the slot", OTA_IMAGE_ERR_TOO_LARGE, OTA_IMAGE_ERR_TOO_LARGE,
                    OTA_IMAGE_ERR_TOO_LARGE, OTA_IMAGE_ERR_TOO_LARGE);

    /* Overlapping TLVs: an unknown entry whose value swallows the SHA-256 TLV after it, and
     * a total that ends inside the SHA-256 TLV. */
    start(100);
    test_image_tlv(&img, 0x0042u, zeros, 0);
    test_image_tlv_sha256(&img);
    test_image_end(&img);
    test_image_put16(&img, img.tlv_offset + OTA_IMAGE_TLV_INFO_SIZE + 2u, 36);
    expect_verdicts("a TLV over the hash TLV", OTA_IMAGE_ERR_NO_HASH, OTA_IMAGE_ERR_NO_HASH,
                    OTA_IMAGE_ERR_NO_HASH, OTA_IMAGE_ERR_NO_HASH);
    test_image_valid(&img, 100);
    test_image_put32(&img, img.tlv_offset + 4u, img.len - img.tlv_offset - 1u);
    img.len--;
    expect_verdicts("a total inside the hash TLV", OTA_IMAGE_ERR_TLV_OVERRUN,
                    OTA_IMAGE_ERR_TLV_OVERRUN, OTA_IMAGE_ERR_TLV_OVERRUN,
                    OTA_IMAGE_ERR_TLV_OVERRUN);

    /* Two hash TLVs, none. */
    start(100);
    test_image_tlv_sha256(&img);
    test_image_tlv_sha256(&img);
    test_image_end(&img);
    expect_verdicts("two hash TLVs", OTA_IMAGE_ERR_TLV_DUPLICATE, OTA_IMAGE_ERR_TLV_DUPLICATE,
                    OTA_IMAGE_ERR_TLV_DUPLICATE, OTA_IMAGE_ERR_TLV_DUPLICATE);
    start(100);
    test_image_tlv(&img, 0x0042u, "note", 4);
    test_image_end(&img);
    expect_verdicts("no hash TLV", OTA_IMAGE_ERR_NO_HASH, OTA_IMAGE_ERR_NO_HASH,
                    OTA_IMAGE_ERR_NO_HASH, OTA_IMAGE_ERR_NO_HASH);

    /* An unknown critical TLV: every build refuses it. */
    /* After the SHA-256 TLV, `copies` entries of one type and length: an unknown critical
     * one (every build refuses it), the encryption TLV (refused by each build that does not
     * decrypt, whatever it holds), and the signature TLVs, checked by each build that
     * verifies their algorithm and skipped by the others (which never look at them). A
     * build left out of want[] accepts the image. */
    static const struct {
        const char *what;
        uint16_t type, len;
        unsigned copies;
        ota_image_status_t want[BUILDS];
    } one_kind[] = {
        {"unknown critical TLV", 0x8042u, 4, 1, {[LMS] = OTA_IMAGE_ERR_TLV_CRITICAL,
         [SHA] = OTA_IMAGE_ERR_TLV_CRITICAL, [ECDSA] = OTA_IMAGE_ERR_TLV_CRITICAL,
         [ALL] = OTA_IMAGE_ERR_TLV_CRITICAL}},
        {"encrypted", OTA_IMAGE_TLV_ENC_P256_AES128, OTA_IMAGE_ENC_TLV_SIZE, 1,
         {[LMS] = OTA_IMAGE_ERR_TLV_CRITICAL, [SHA] = OTA_IMAGE_ERR_TLV_CRITICAL,
          [ECDSA] = OTA_IMAGE_ERR_TLV_CRITICAL, [ALL] = ok}},
        {"encrypted, short key TLV", OTA_IMAGE_TLV_ENC_P256_AES128, 10, 1,
         {[LMS] = OTA_IMAGE_ERR_TLV_CRITICAL, [SHA] = OTA_IMAGE_ERR_TLV_CRITICAL,
          [ECDSA] = OTA_IMAGE_ERR_TLV_CRITICAL, [ALL] = OTA_IMAGE_ERR_TLV_LENGTH}},
        {"two HSS/LMS signatures", OTA_IMAGE_TLV_HSS_LMS, 100, 2,
         {[LMS] = OTA_IMAGE_ERR_TLV_DUPLICATE, [ALL] = OTA_IMAGE_ERR_TLV_DUPLICATE}},
        {"empty HSS/LMS signature", OTA_IMAGE_TLV_HSS_LMS, 0, 1,
         {[LMS] = OTA_IMAGE_ERR_TLV_LENGTH, [ALL] = OTA_IMAGE_ERR_TLV_LENGTH}},
        {"short HSS/LMS key id", OTA_IMAGE_TLV_LMS_KEY_HASH, 31, 1,
         {[LMS] = OTA_IMAGE_ERR_TLV_LENGTH, [ALL] = OTA_IMAGE_ERR_TLV_LENGTH}},
        {"two ECDSA key ids", OTA_IMAGE_TLV_KEY_HASH, 32, 2,
         {[ECDSA] = OTA_IMAGE_ERR_TLV_DUPLICATE, [ALL] = OTA_IMAGE_ERR_TLV_DUPLICATE}},
        {"ECDSA signature too long", OTA_IMAGE_TLV_ECDSA_P256, 73, 1,
         {[ECDSA] = OTA_IMAGE_ERR_TLV_LENGTH, [ALL] = OTA_IMAGE_ERR_TLV_LENGTH}},
        {"original's signature too short", OTA_IMAGE_TLV_ECDSA_P256_PAYLOAD, 63, 1,
         {[ALL] = OTA_IMAGE_ERR_TLV_LENGTH}},
    };
    for (size_t k = 0; k < sizeof one_kind / sizeof one_kind[0]; k++) {
        start(100);
        test_image_tlv_sha256(&img);
        for (unsigned c = 0; c < one_kind[k].copies; c++) {
            test_image_tlv(&img, one_kind[k].type, zeros, one_kind[k].len);
        }
        test_image_end(&img);
        const ota_image_status_t *w = one_kind[k].want;
        expect_verdicts(one_kind[k].what, w[LMS], w[SHA], w[ECDSA], w[ALL]);
    }
}

/* The HSS/LMS-only bootloader's view of images it must not trust: its signature check (as
 * ota_store_image_policy calls it) on what its parse found refuses each one. */
static void test_untrusted_images_refused(void **unused)
{
    (void)unused;
    static const uint8_t lms_pub[60];
    ota_sig_key_t key = {.alg = OTA_SIG_ALG_HSS_LMS, .key = lms_pub, .key_len = sizeof lms_pub};
    memset(key.key_id, 0x11, sizeof key.key_id);
    const ota_sig_keyring_t ring = {.keys = &key, .count = 1,
                                    .required = OTA_SIG_REQUIRE(OTA_SIG_ALG_HSS_LMS)};
    uint8_t work[OTA_SIG_MAX_SIZE];
    ota_image_info_t info;
    ota_image_source_t src;

    test_image_valid(&img, 100);
    src = test_image_source(&img);
    assert_int_equal(image_boot_parse_lms(&src, &info), OTA_IMAGE_OK);
    assert_int_equal(ota_image_sig_check(&src, &info, &ring, work, sizeof work),
                     OTA_SIG_ERR_UNSIGNED);

    /* Signed by ECDSA alone, with the HSS/LMS key's id as its key id: not a signature this
     * build reads, so the image is unsigned to it (the agent's parse sees a signature of
     * another algorithm than the key's: refused too). */
    start(100);
    test_image_tlv_sha256(&img);
    test_image_tlv(&img, OTA_IMAGE_TLV_KEY_HASH, key.key_id, 32);
    test_image_tlv(&img, OTA_IMAGE_TLV_ECDSA_P256, zeros, 70);
    test_image_end(&img);
    src = test_image_source(&img);
    assert_int_equal(image_boot_parse_lms(&src, &info), OTA_IMAGE_OK);
    assert_false(info.has_signature);
    assert_int_equal(ota_image_sig_check(&src, &info, &ring, work, sizeof work),
                     OTA_SIG_ERR_UNSIGNED);
    assert_int_equal(ota_image_parse(&src, &info), OTA_IMAGE_OK);
    assert_int_equal(ota_image_sig_check(&src, &info, &ring, work, sizeof work),
                     OTA_SIG_ERR_BAD_SIGNATURE);

    /* An HSS/LMS signature by a key the ring does not have. */
    uint8_t other_id[32];
    memset(other_id, 0x22, sizeof other_id);
    start(100);
    test_image_tlv_sha256(&img);
    test_image_tlv(&img, OTA_IMAGE_TLV_LMS_KEY_HASH, other_id, 32);
    test_image_tlv(&img, OTA_IMAGE_TLV_HSS_LMS, zeros, 100);
    test_image_end(&img);
    src = test_image_source(&img);
    assert_int_equal(image_boot_parse_lms(&src, &info), OTA_IMAGE_OK);
    assert_true(info.has_lms_signature);
    assert_int_equal(ota_image_sig_check(&src, &info, &ring, work, sizeof work),
                     OTA_SIG_ERR_UNKNOWN_KEY);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fuzz_corpus_agrees),
        cmocka_unit_test(test_hostile_images),
        cmocka_unit_test(test_untrusted_images_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
