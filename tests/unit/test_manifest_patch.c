/* SPDX-License-Identifier: Apache-2.0 */
/*
 * An entry's "Patch" array (delta updates, the original's shape): read for a device that
 * applies patches, the update's first patch whose base the device holds is chosen with it, a
 * malformed patch refuses the manifest, and a device without patches ignores them unread.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "otaflow/manifest.h"

#define DB "1601b47a0dee36196b1056b3e04aef7ca1744dd6e18f63cb95e798c1c739aab9"
#define DP "AC7395DE5A1E328BFF0EBD53E1F55332F78186F388A8B8B85FD8E10AB56EB176"
#define DT "0578cc171c82068a45344da4d867f72cdb6cf823ebc73541de4cdac675b116f0"
#define DX "f6f981386e630d6f69dddd7052d06dcdf7c59b9095e5912eccf6fd0bc627db50"

/* A patch object from base version `bv` with base digest `bd`. */
#define PATCH(bv, bd, url)                                                                       \
    "{\"BaseVersion\":" bv ",\"BaseVerDigest\":\"" bd "\",\"PatchURL\":\"" url                 \
    "\",\"PatchDigest\":\"" DP "\",\"TargetDigest\":\"" DT "\"}"
#define ENTRY(v, patches)                                                                        \
    "{\"Version\":" v ",\"URL\":\"http://h/app_v" v ".ota\",\"Digest\":\"" DT                  \
    "\",\"EraseVer\":false,\"Patch\":[" patches "]}"

static ota_manifest_parser_t parser;
static ota_manifest_plan_t plan;
static ota_manifest_patches_t patches;

/* The device holds version 1 with digest DB in slot 2, and version 5 with DX in slot 0. */
static unsigned base_lookups;
static uint8_t held_base(void *ctx, uint32_t version, const uint8_t digest[32])
{
    (void)ctx;
    base_lookups++;
    uint8_t db[32], dx[32];
    for (int i = 0; i < 32; i++) {
        unsigned v;
        assert_int_equal(sscanf(DB + 2 * i, "%2x", &v), 1);
        db[i] = (uint8_t)v;
        assert_int_equal(sscanf(DX + 2 * i, "%2x", &v), 1);
        dx[i] = (uint8_t)v;
    }
    if (version == 1u && memcmp(digest, db, 32) == 0) {
        return 2;
    }
    if (version == 5u && memcmp(digest, dx, 32) == 0) {
        return 0;
    }
    return OTA_MANIFEST_NO_BASE;
}

static ota_manifest_status_t select_with(const char *json, bool with_patches)
{
    memset(&patches, 0x5A, sizeof patches); /* nothing read before it is written */
    patches.find_base = held_base;
    patches.base_ctx = NULL;
    ota_manifest_device_t dev = {.running_version = 1, .patches = with_patches ? &patches : NULL};
    ota_manifest_parser_init(&parser);
    base_lookups = 0;
    return ota_manifest_select(&parser, json, strlen(json), &dev, &plan);
}

static void assert_digest(const uint8_t *d, const char *hex)
{
    for (int i = 0; i < 32; i++) {
        unsigned v;
        assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
        assert_int_equal(d[i], v);
    }
}

static void test_patch_with_held_base_chosen(void **unused)
{
    (void)unused;
    static const char M[] = "{\"ota\":[" ENTRY("2", PATCH("1", DB, "http://h/1to2.ofd")) "]}";
    assert_int_equal(select_with(M, true), OTA_MANIFEST_OK);
    assert_true(plan.has_update);
    assert_int_equal(plan.update.version, 2);
    assert_string_equal(plan.update.url, "http://h/app_v2.ota"); /* the full image stays */
    assert_true(patches.chosen);
    assert_int_equal(patches.best.base_version, 1);
    assert_int_equal(patches.best.base_slot, 2);
    assert_string_equal(patches.best.url, "http://h/1to2.ofd");
    assert_int_equal(patches.best.url_len, strlen("http://h/1to2.ofd"));
    assert_digest(patches.best.base_digest, DB);
    assert_digest(patches.best.patch_digest, DP);
    assert_digest(patches.best.target_digest, DT);
}

static void test_no_held_base_full_image_only(void **unused)
{
    (void)unused;
    /* Version 1 with another digest, and a version the device does not have. */
    static const char M[] = "{\"ota\":[" ENTRY(
        "2", PATCH("1", DX, "http://h/a") "," PATCH("3", DB, "http://h/b")) "]}";
    assert_int_equal(select_with(M, true), OTA_MANIFEST_OK);
    assert_true(plan.has_update);
    assert_false(patches.chosen);
    assert_int_equal(base_lookups, 2);
}

static void test_first_usable_patch_wins(void **unused)
{
    (void)unused;
    static const char M[] = "{\"ota\":[" ENTRY(
        "6", PATCH("4", DB, "http://h/no") "," PATCH("5", DX, "http://h/yes") "," PATCH(
                 "1", DB, "http://h/later")) "]}";
    assert_int_equal(select_with(M, true), OTA_MANIFEST_OK);
    assert_true(patches.chosen);
    assert_string_equal(patches.best.url, "http://h/yes");
    assert_int_equal(patches.best.base_version, 5);
    assert_int_equal(patches.best.base_slot, 0);
    assert_digest(patches.best.base_digest, DX);
}

static void test_patch_follows_the_chosen_entry(void **unused)
{
    (void)unused;
    /* The highest version wins; only its patch is chosen, whatever the order. */
    static const char HIGH_WITHOUT[] = "{\"ota\":[" ENTRY("2", PATCH("1", DB, "http://h/p2")) ","
                                       "{\"Version\":3,\"URL\":\"http://h/3\",\"Digest\":\"" DT
                                       "\"}]}";
    assert_int_equal(select_with(HIGH_WITHOUT, true), OTA_MANIFEST_OK);
    assert_int_equal(plan.update.version, 3);
    assert_false(patches.chosen);
    static const char HIGH_FIRST[] = "{\"ota\":[" ENTRY("3", PATCH("1", DB, "http://h/p3")) ","
                                     ENTRY("2", PATCH("1", DB, "http://h/p2")) "]}";
    assert_int_equal(select_with(HIGH_FIRST, true), OTA_MANIFEST_OK);
    assert_int_equal(plan.update.version, 3);
    assert_true(patches.chosen);
    assert_string_equal(patches.best.url, "http://h/p3");
    /* An EraseVer of the best version after it drops its patch with it. */
    static const char ERASED[] = "{\"ota\":[" ENTRY("3", PATCH("1", DB, "http://h/p3")) ","
                                 "{\"Version\":3,\"EraseVer\":true}]}";
    assert_int_equal(select_with(ERASED, true), OTA_MANIFEST_OK);
    assert_false(plan.has_update);
    assert_false(patches.chosen);
}

static void test_malformed_patch_refuses(void **unused)
{
    (void)unused;
    static const struct {
        const char *patch;
    } BAD[] = {
        {"\"Patch\":{}"},
        {"\"Patch\":[1]"},
        {"\"Patch\":[{\"BaseVersion\":1,\"BaseVerDigest\":\"" DB "\",\"PatchURL\":\"http://h/p\","
         "\"PatchDigest\":\"" DP "\"}]"},
        {"\"Patch\":[{\"BaseVersion\":0,\"BaseVerDigest\":\"" DB "\",\"PatchURL\":\"http://h/p\","
         "\"PatchDigest\":\"" DP "\",\"TargetDigest\":\"" DT "\"}]"},
        {"\"Patch\":[{\"BaseVersion\":\"1\",\"BaseVerDigest\":\"" DB
         "\",\"PatchURL\":\"http://h/p\",\"PatchDigest\":\"" DP "\",\"TargetDigest\":\"" DT
         "\"}]"},
        {"\"Patch\":[{\"BaseVersion\":1,\"BaseVerDigest\":\"abc\",\"PatchURL\":\"http://h/p\","
         "\"PatchDigest\":\"" DP "\",\"TargetDigest\":\"" DT "\"}]"},
        {"\"Patch\":[{\"BaseVersion\":1,\"BaseVerDigest\":\"" DB "\",\"PatchURL\":\"\","
         "\"PatchDigest\":\"" DP "\",\"TargetDigest\":\"" DT "\"}]"},
        {"\"Patch\":[{\"BaseVersion\":1,\"BaseVerDigest\":\"" DB "\",\"PatchURL\":\"http://h/a b\","
         "\"PatchDigest\":\"" DP "\",\"TargetDigest\":\"" DT "\"}]"},
        {"\"Patch\":[{\"BaseVersion\":1,\"BaseVersion\":1,\"BaseVerDigest\":\"" DB
         "\",\"PatchURL\":\"http://h/p\",\"PatchDigest\":\"" DP "\",\"TargetDigest\":\"" DT
         "\"}]"},
        {"\"Patch\":[{\"BaseVersion\":1.5,\"BaseVerDigest\":\"" DB
         "\",\"PatchURL\":\"http://h/p\",\"PatchDigest\":\"" DP "\",\"TargetDigest\":\"" DT
         "\"}]"},
    };
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        char m[1024];
        snprintf(m, sizeof m,
                 "{\"ota\":[{\"Version\":2,\"URL\":\"http://h/2\",\"Digest\":\"" DT "\",%s}]}",
                 BAD[i].patch);
        assert_int_equal(select_with(m, true), OTA_MANIFEST_ERR_PATCH);
        assert_false(plan.has_update);
        assert_false(patches.chosen);
        assert_int_equal(parser.error_entry, 0);
        /* A device without patches does not read them. */
        assert_int_equal(select_with(m, false), OTA_MANIFEST_OK);
        assert_true(plan.has_update);
    }
}

static void test_keys_case_blind_and_unknown_members(void **unused)
{
    (void)unused;
    static const char M[] =
        "{\"ota\":[{\"Version\":2,\"URL\":\"http://h/2\",\"Digest\":\"" DT "\","
        "\"patch\":[{\"baseversion\":1,\"BASEVERDIGEST\":\"" DB "\",\"patchurl\":\"http:\\/\\/h\\/p\","
        "\"Extra\":{\"x\":[1,{\"PatchURL\":5}]},\"patchdigest\":\"" DP "\",\"targetdigest\":\"" DT
        "\"}]}]}";
    assert_int_equal(select_with(M, true), OTA_MANIFEST_OK);
    assert_true(patches.chosen);
    assert_string_equal(patches.best.url, "http://h/p");
}

/* Every split of the text into two pieces gives the same plan and patch. */
static void test_any_split_same_patch(void **unused)
{
    (void)unused;
    static const char M[] = "{\"ota\":[" ENTRY(
        "2", PATCH("3", DB, "http://h/no") "," PATCH("1", DB, "http://h/1to2")) "]}";
    assert_int_equal(select_with(M, true), OTA_MANIFEST_OK);
    static ota_manifest_patch_t whole;
    whole = patches.best;
    size_t n = strlen(M);
    for (size_t cut = 0; cut <= n; cut++) {
        memset(&patches, 0, sizeof patches);
        patches.find_base = held_base;
        ota_manifest_device_t dev = {.running_version = 1, .patches = &patches};
        ota_manifest_parser_init(&parser);
        assert_int_equal(ota_manifest_begin(&parser, &dev, &plan), OTA_MANIFEST_OK);
        ota_manifest_feed(&parser, M, cut);
        ota_manifest_feed(&parser, M + cut, n - cut);
        assert_int_equal(ota_manifest_end(&parser), OTA_MANIFEST_OK);
        assert_true(patches.chosen);
        assert_memory_equal(&patches.best, &whole, sizeof whole);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_patch_with_held_base_chosen),
        cmocka_unit_test(test_no_held_base_full_image_only),
        cmocka_unit_test(test_first_usable_patch_wins),
        cmocka_unit_test(test_patch_follows_the_chosen_entry),
        cmocka_unit_test(test_malformed_patch_refuses),
        cmocka_unit_test(test_keys_case_blind_and_unknown_members),
        cmocka_unit_test(test_any_split_same_patch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
