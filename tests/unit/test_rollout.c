/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Staged rollout (issue 17): a device's share of a version is a hash of its id and the
 * version, so raising the percentage only adds devices, devices spread over the shares as
 * binomial draws would, and a manifest entry without "Rollout" is for every device.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "otaflow/manifest.h"
#include "otaflow/rollout.h"

#define DA "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define DB "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define UPD_ROLLOUT(v, r, dig)                                                                  \
    "{\"Version\":" #v ",\"Rollout\":" r ",\"URL\":\"http://h/" #v "\",\"Digest\":\"" dig "\"}"
#define OTA(...) "{\"ota\":[" __VA_ARGS__ "]}"

#define FLEET 10000u

static void fleet_id(char *out, size_t size, unsigned n)
{
    (void)snprintf(out, size, "dev-%05u", n);
}

/* The documented hash: first 32 bits of SHA-256("dev-0042:7") mod 10000, as sha256sum gives. */
static void bucket_is_the_documented_hash(void **unused)
{
    (void)unused;
    assert_int_equal(ota_rollout_bucket("dev-0042", 7), 6385);
    assert_int_equal(ota_rollout_bucket("board-a", 1), 5085);
    assert_true(ota_rollout_member("dev-0042", 7, 64)); /* 6385 < 6400 */
    assert_false(ota_rollout_member("dev-0042", 7, 63));
}

/* No id, an empty one or one too long has no place: only 100 % takes it; 0 % is nobody. */
static void without_an_id_only_everyone_means_this_device(void **unused)
{
    (void)unused;
    char long_id[OTA_ROLLOUT_ID_MAX + 2];
    memset(long_id, 'x', sizeof long_id - 1u);
    long_id[sizeof long_id - 1u] = '\0';
    const char *none[] = {NULL, "", long_id};
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
        assert_int_equal(ota_rollout_bucket(none[i], 3), OTA_ROLLOUT_BUCKETS);
        assert_false(ota_rollout_member(none[i], 3, 99));
        assert_true(ota_rollout_member(none[i], 3, 100));
    }
    long_id[OTA_ROLLOUT_ID_MAX] = '\0'; /* the longest id accepted */
    assert_true(ota_rollout_bucket(long_id, 3) < OTA_ROLLOUT_BUCKETS);
    assert_false(ota_rollout_member("dev-0042", 7, 0));
}

/* Raising N only adds devices: a member at N is a member at every larger N. */
static void raising_the_share_only_adds_devices(void **unused)
{
    (void)unused;
    char id[32];
    for (unsigned n = 0; n < 2000u; n++) {
        fleet_id(id, sizeof id, n);
        bool was = false;
        for (uint32_t pct = 0; pct <= 100u; pct++) {
            bool is = ota_rollout_member(id, 12, pct);
            assert_true(is || !was);
            was = is;
        }
        assert_true(was);
    }
}

/* |count - n p| <= 4 sqrt(n p (1 - p)), squared (no libm). */
static bool within_4_sigma(unsigned count, unsigned n, double p)
{
    double off = count - n * p;
    return off * off <= 16.0 * n * p * (1.0 - p);
}

/* The share of 10,000 devices taking N % is within 4 standard deviations of a binomial draw,
 * and each release samples its own devices: the first 10 % of two versions overlap as two
 * independent draws would (about 1 %), not as the same devices. */
static void devices_spread_as_a_binomial_draw(void **unused)
{
    (void)unused;
    static const uint32_t shares[] = {1, 10, 50, 90};
    unsigned members[4] = {0};
    unsigned both = 0;
    char id[32];
    for (unsigned n = 0; n < FLEET; n++) {
        fleet_id(id, sizeof id, n);
        for (size_t s = 0; s < 4u; s++) {
            members[s] += ota_rollout_member(id, 7, shares[s]);
        }
        both += ota_rollout_member(id, 7, 10) && ota_rollout_member(id, 8, 10);
    }
    for (size_t s = 0; s < 4u; s++) {
        assert_true(within_4_sigma(members[s], FLEET, shares[s] / 100.0));
    }
    assert_true(within_4_sigma(both, FLEET, 0.01));
}

/* ---- the manifest's "Rollout" ----------------------------------------------------------- */

typedef struct asked {
    unsigned calls;
    uint32_t version, percent;
    bool answer;
} asked_t;

static bool asked_in_rollout(void *ctx, uint32_t version, uint32_t percent)
{
    asked_t *q = ctx;
    q->calls++;
    q->version = version;
    q->percent = percent;
    return q->answer;
}

static ota_manifest_status_t select_with(const char *json, asked_t *q, ota_manifest_plan_t *plan)
{
    ota_manifest_parser_t parser;
    ota_manifest_parser_init(&parser);
    ota_manifest_device_t dev = {.running_version = 1};
    if (q != NULL) {
        dev.in_rollout = asked_in_rollout;
        dev.rollout_ctx = q;
    }
    return ota_manifest_select(&parser, json, strlen(json), &dev, plan);
}

/* An entry without Rollout, or with 100, is for every device: nobody is asked. */
static void absent_rollout_is_everyone(void **unused)
{
    (void)unused;
    ota_manifest_plan_t plan;
    asked_t q = {.answer = false};
    assert_int_equal(select_with(OTA("{\"Version\":5,\"URL\":\"http://h/5\",\"Digest\":\"" DA
                                     "\"}"),
                                 &q, &plan),
                     OTA_MANIFEST_OK);
    assert_int_equal(plan.update.version, 5);
    assert_int_equal(select_with(OTA(UPD_ROLLOUT(6, "100", DA)), &q, &plan), OTA_MANIFEST_OK);
    assert_int_equal(plan.update.version, 6);
    assert_int_equal(select_with(OTA(UPD_ROLLOUT(6, "100", DA)), NULL, &plan), OTA_MANIFEST_OK);
    assert_int_equal(plan.update.version, 6);
    assert_int_equal(q.calls, 0);
}

/* A staged entry is taken only by a device in its share; another falls back to the best
 * entry it may take, and the plan counts what it left. */
static void staged_entry_asks_the_device(void **unused)
{
    (void)unused;
    const char *m = OTA(UPD_ROLLOUT(9, "10", DA) "," UPD_ROLLOUT(8, "100", DB));
    ota_manifest_plan_t plan;
    asked_t q = {.answer = true};
    assert_int_equal(select_with(m, &q, &plan), OTA_MANIFEST_OK);
    assert_int_equal(plan.update.version, 9);
    assert_int_equal(q.version, 9);
    assert_int_equal(q.percent, 10);
    assert_int_equal(plan.other_rollout_entries, 0);
    q.answer = false;
    assert_int_equal(select_with(m, &q, &plan), OTA_MANIFEST_OK);
    assert_int_equal(plan.update.version, 8);
    assert_int_equal(plan.other_rollout_entries, 1);
    assert_int_equal(select_with(m, NULL, &plan), OTA_MANIFEST_OK); /* no id */
    assert_int_equal(plan.update.version, 8);
    q.answer = true; /* 0 % is nobody, whatever the device says */
    q.calls = 0;
    assert_int_equal(select_with(OTA(UPD_ROLLOUT(9, "0", DA)), &q, &plan), OTA_MANIFEST_OK);
    assert_false(plan.has_update);
    assert_int_equal(q.calls, 0);
}

/* Hardware-id targeting combines: another board's entry is ignored before any rollout, and
 * an erase is for every device whatever its Rollout. */
static void rollout_combines_with_hw_id_and_erase(void **unused)
{
    (void)unused;
    ota_manifest_parser_t parser;
    ota_manifest_parser_init(&parser);
    asked_t q = {.answer = true};
    ota_manifest_device_t dev = {.running_version = 1, .hw_id = 111, .in_rollout = asked_in_rollout,
                                 .rollout_ctx = &q};
    ota_manifest_plan_t plan;
    const char *m = OTA("{\"Version\":9,\"HwId\":222,\"Rollout\":50,\"URL\":\"http://h/9\","
                        "\"Digest\":\"" DA "\"},"
                        "{\"Version\":7,\"HwId\":111,\"Rollout\":50,\"URL\":\"http://h/7\","
                        "\"Digest\":\"" DB "\"},"
                        "{\"Version\":3,\"Rollout\":0,\"EraseVer\":true}");
    assert_int_equal(ota_manifest_select(&parser, m, strlen(m), &dev, &plan), OTA_MANIFEST_OK);
    assert_int_equal(plan.update.version, 7);
    assert_int_equal(plan.other_hw_entries, 1);
    assert_int_equal(q.calls, 1); /* v9 is another board's: not asked */
    assert_int_equal(plan.erase_count, 1);
    assert_int_equal(plan.erase_versions[0], 3);
}

/* Rollout is an integer 0..100; anything else refuses the manifest, by name. */
static void rollout_values_are_checked(void **unused)
{
    (void)unused;
    static const char *const bad[] = {"-1", "101", "1.5", "\"10\"", "true", "1e1",
                                      "18446744073709551617"};
    ota_manifest_plan_t plan;
    char m[256];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        (void)snprintf(m, sizeof m,
                       "{\"ota\":[{\"Version\":5,\"Rollout\":%s,\"URL\":\"http://h/5\","
                       "\"Digest\":\"" DA "\"}]}",
                       bad[i]);
        assert_int_equal(select_with(m, NULL, &plan), OTA_MANIFEST_ERR_ROLLOUT);
        assert_false(plan.has_update);
    }
    assert_int_equal(select_with(OTA("{\"Version\":5,\"Rollout\":5,\"Rollout\":5,"
                                     "\"URL\":\"http://h/5\",\"Digest\":\"" DA "\"}"),
                                 NULL, &plan),
                     OTA_MANIFEST_ERR_DUPLICATE_KEY);
    assert_string_equal(ota_manifest_status_str(OTA_MANIFEST_ERR_ROLLOUT),
                        "Rollout not an integer 0..100");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bucket_is_the_documented_hash),
        cmocka_unit_test(without_an_id_only_everyone_means_this_device),
        cmocka_unit_test(raising_the_share_only_adds_devices),
        cmocka_unit_test(devices_spread_as_a_binomial_draw),
        cmocka_unit_test(absent_rollout_is_everyone),
        cmocka_unit_test(staged_entry_asks_the_device),
        cmocka_unit_test(rollout_combines_with_hw_id_and_erase),
        cmocka_unit_test(rollout_values_are_checked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
