/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Manifest parsing and selection: the original's sample, the selection rules, every named
 * error, and hostile inputs (huge numbers, 10,000 entries, 64 KB URL, 1,000-deep nesting,
 * random mutations) that must end in a named status, never a crash.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "otaflow/manifest.h"

#define D3 "745189cbb24b752a0175de1f9d5d61433ba47d89aff5b5a3686f54ca2d5dfb22"
#define D6 "885189cbb24b7b1a0175deef9d5d61f53c247d89a095b5a3686f54ca2d5dfbaa"
#define DA "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define DB "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

/* An update entry and an erase entry, minified. */
#define UPD(v, url, dig) "{\"Version\":" #v ",\"URL\":\"" url "\",\"Digest\":\"" dig "\"}"
#define ERASE(v) "{\"Version\":" #v ",\"EraseVer\":true}"
#define OTA(...) "{\"ota\":[" __VA_ARGS__ "]}"

/* The sample of the original documentation, byte for byte (indentation included). */
static const char SAMPLE[] =
    "    {\n"
    "    \n"
    "    \"ota\": [\n"
    "            {\n"
    "                \"Version\": 3,\n"
    "                \"URL\": \"http://192.168.43.173:8000/wifi_ota103.bin\",\n"
    "                \"Digest\": \"" D3 "\",\n"
    "                \"EraseVer\": false\n"
    "            },\n"
    "            {\n"
    "                \"Version\": 6,\n"
    "                \"URL\": \"http://192.168.43.173:8000/wifi_ota100.bin\",\n"
    "                \"Digest\": \"" D6 "\",\n"
    "                \"EraseVer\": false\n"
    "            }\n"
    "           ]\n"
    "    }\n";

typedef struct fixture {
    ota_manifest_parser_t parser;
    ota_manifest_device_t device;
    ota_manifest_plan_t plan;
    uint32_t rejected[4];
    size_t rejected_count;
    size_t rejected_calls;
} fixture_t;

static bool is_rejected(void *ctx, uint32_t version)
{
    fixture_t *fx = ctx;
    fx->rejected_calls++;
    for (size_t n = 0; n < fx->rejected_count; n++) {
        if (fx->rejected[n] == version) {
            return true;
        }
    }
    return false;
}

static int setup(void **state)
{
    fixture_t *fx = calloc(1, sizeof(*fx));
    assert_non_null(fx);
    ota_manifest_parser_init(&fx->parser);
    fx->device.running_version = 1;
    fx->device.is_rejected = is_rejected;
    fx->device.rejected_ctx = fx;
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    free(*state);
    return 0;
}

static ota_manifest_status_t run(fixture_t *fx, const char *json)
{
    /* Poison the plan: a call must set every field it reports. */
    memset(&fx->plan, 0xA5, sizeof(fx->plan));
    return ota_manifest_select(&fx->parser, json, strlen(json), &fx->device, &fx->plan);
}

static void assert_plan_empty(const ota_manifest_plan_t *plan)
{
    static const ota_manifest_plan_t zero;
    assert_memory_equal(plan, &zero, sizeof(zero));
}

static void assert_digest(const uint8_t digest[32], const char *hex)
{
    for (size_t b = 0; b < 32; b++) {
        unsigned v;
        assert_int_equal(sscanf(hex + 2 * b, "%2x", &v), 1);
        assert_int_equal(digest[b], v);
    }
}

/* The manifest text after removing every whitespace byte outside strings. */
static void minify(const char *in, char *out)
{
    bool in_string = false;
    char prev = '\0';
    for (; *in; prev = *in++) {
        if (*in == '"' && prev != '\\') {
            in_string = !in_string;
        }
        if (in_string || !strchr(" \t\r\n", *in)) {
            *out++ = *in;
        }
    }
    *out = '\0';
}

/* ---- the original ---------------------------------------------------------------------- */

static void original_sample_chooses_version_6(void **state)
{
    fixture_t *fx = *state;
    assert_int_equal(run(fx, SAMPLE), OTA_MANIFEST_OK);
    assert_true(fx->plan.has_update);
    assert_int_equal(fx->plan.entry_count, 2);
    assert_int_equal(fx->plan.erase_count, 0);
    assert_int_equal(fx->plan.update.version, 6);
    assert_string_equal(fx->plan.update.url, "http://192.168.43.173:8000/wifi_ota100.bin");
    assert_int_equal(fx->plan.update.url_len, strlen(fx->plan.update.url));
    assert_digest(fx->plan.update.digest, D6);
    assert_false(fx->plan.update.has_size);
}

static void minified_and_pretty_give_the_same_plan(void **state)
{
    fixture_t *fx = *state;
    char mini[sizeof(SAMPLE)];
    minify(SAMPLE, mini);
    assert_true(strlen(mini) < strlen(SAMPLE) - 100);
    assert_int_equal(run(fx, SAMPLE), OTA_MANIFEST_OK);
    ota_manifest_plan_t pretty = fx->plan;
    assert_int_equal(run(fx, mini), OTA_MANIFEST_OK);
    assert_memory_equal(&pretty, &fx->plan, sizeof(pretty));
    /* CR LF and tabs too. */
    assert_int_equal(run(fx, "\r\n{\t\"ota\"\r\n:\t[\r\n" UPD(6, "http://h/6", D6) "\t]\r\n}\r\n"),
                     OTA_MANIFEST_OK);
    assert_int_equal(fx->plan.update.version, 6);
}

/* ---- selection ------------------------------------------------------------------------- */

static void highest_wins_in_any_order(void **state)
{
    fixture_t *fx = *state;
    static const char *orders[] = {
        OTA(UPD(4, "http://h/4", DA) "," UPD(9, "http://h/9", DB) "," UPD(2, "http://h/2", DA)),
        OTA(UPD(9, "http://h/9", DB) "," UPD(4, "http://h/4", DA) "," UPD(2, "http://h/2", DA)),
        OTA(UPD(2, "http://h/2", DA) "," UPD(4, "http://h/4", DA) "," UPD(9, "http://h/9", DB)),
    };
    for (size_t n = 0; n < 3; n++) {
        assert_int_equal(run(fx, orders[n]), OTA_MANIFEST_OK);
        assert_true(fx->plan.has_update);
        assert_int_equal(fx->plan.update.version, 9);
        assert_string_equal(fx->plan.update.url, "http://h/9");
        assert_digest(fx->plan.update.digest, DB);
        assert_int_equal(fx->plan.entry_count, 3);
    }
}

static void nothing_newer_means_no_update(void **state)
{
    fixture_t *fx = *state;
    const char *m = OTA(UPD(4, "http://h/4", DA) "," UPD(9, "http://h/9", DB));
    fx->device.running_version = 9;
    assert_int_equal(run(fx, m), OTA_MANIFEST_OK);
    assert_false(fx->plan.has_update);
    assert_int_equal(fx->plan.entry_count, 2);
    fx->device.running_version = 10;
    assert_int_equal(run(fx, m), OTA_MANIFEST_OK);
    assert_false(fx->plan.has_update);
    fx->device.running_version = 8;
    assert_int_equal(run(fx, m), OTA_MANIFEST_OK);
    assert_int_equal(fx->plan.update.version, 9);
}

static void rejected_version_is_skipped_for_the_next_highest(void **state)
{
    fixture_t *fx = *state;
    const char *m = OTA(UPD(4, "http://h/4", DA) "," UPD(9, "http://h/9", DB) ","
                            UPD(7, "http://h/7", DA));
    fx->rejected[0] = 9;
    fx->rejected_count = 1;
    assert_int_equal(run(fx, m), OTA_MANIFEST_OK);
    assert_int_equal(fx->plan.update.version, 7);
    assert_string_equal(fx->plan.update.url, "http://h/7");
    fx->rejected[1] = 7;
    fx->rejected[2] = 4;
    fx->rejected_count = 3;
    assert_int_equal(run(fx, m), OTA_MANIFEST_OK);
    assert_false(fx->plan.has_update);
    /* Versions not above the running one are never even asked about. */
    fx->device.running_version = 8;
    fx->rejected_calls = 0;
    assert_int_equal(run(fx, m), OTA_MANIFEST_OK);
    assert_int_equal(fx->rejected_calls, 1);
    /* No predicate: nothing is rejected. */
    fx->device.is_rejected = NULL;
    assert_int_equal(run(fx, m), OTA_MANIFEST_OK);
    assert_int_equal(fx->plan.update.version, 9);
}

static void downgrade_only_when_allowed(void **state)
{
    fixture_t *fx = *state;
    const char *m = OTA(UPD(3, "http://h/3", DA) "," UPD(5, "http://h/5", DB));
    fx->device.running_version = 5;
    assert_int_equal(run(fx, m), OTA_MANIFEST_OK);
    assert_false(fx->plan.has_update);
    fx->device.allow_downgrade = true;
    assert_int_equal(run(fx, m), OTA_MANIFEST_OK);
    assert_true(fx->plan.has_update);
    assert_int_equal(fx->plan.update.version, 3); /* never the running version itself */
    fx->device.running_version = 4;
    assert_int_equal(run(fx, m), OTA_MANIFEST_OK);
    assert_int_equal(fx->plan.update.version, 5); /* highest still wins */
}

static void erase_entries_are_collected_even_for_absent_versions(void **state)
{
    fixture_t *fx = *state;
    const char *m = OTA(ERASE(2) "," UPD(6, "http://h/6", DA) ","
                        "{\"Version\":12,\"URL\":\"http://h/12\",\"Digest\":\"" DB
                        "\",\"EraseVer\":true}," ERASE(2) "," ERASE(1));
    assert_int_equal(run(fx, m), OTA_MANIFEST_OK);
    assert_int_equal(fx->plan.entry_count, 5);
    assert_int_equal(fx->plan.erase_count, 3); /* 2 only once */
    assert_int_equal(fx->plan.erase_versions[0], 2);
    assert_int_equal(fx->plan.erase_versions[1], 12);
    assert_int_equal(fx->plan.erase_versions[2], 1); /* the running version: a rollback */
    assert_true(fx->plan.has_update);
    assert_int_equal(fx->plan.update.version, 6); /* 12 is an erase entry, not an update */
}

static void erase_and_update_of_one_version_erase_wins(void **state)
{
    fixture_t *fx = *state;
    /* The erase entry comes after the update entry: selection still sees it. */
    const char *m = OTA(UPD(5, "http://h/5", DA) "," UPD(8, "http://h/8", DB) "," ERASE(8));
    assert_int_equal(run(fx, m), OTA_MANIFEST_OK);
    assert_int_equal(fx->plan.erase_count, 1);
    assert_int_equal(fx->plan.erase_versions[0], 8);
    assert_int_equal(fx->plan.update.version, 5);
}

static void erase_list_has_a_bound(void **state)
{
    fixture_t *fx = *state;
    char m[1024] = "{\"ota\":[";
    for (unsigned v = 1; v <= OTA_MANIFEST_ERASE_MAX; v++) {
        snprintf(m + strlen(m), sizeof(m) - strlen(m), "%s{\"Version\":%u,\"EraseVer\":true}",
                 v > 1 ? "," : "", v);
    }
    char full[1300];
    snprintf(full, sizeof(full), "%s]}", m);
    assert_int_equal(run(fx, full), OTA_MANIFEST_OK);
    assert_int_equal(fx->plan.erase_count, OTA_MANIFEST_ERASE_MAX);
    snprintf(full, sizeof(full), "%s," ERASE(99) "," UPD(7, "http://h/7", DA) "]}", m);
    assert_int_equal(run(fx, full), OTA_MANIFEST_ERR_TOO_MANY_ERASE);
    assert_plan_empty(&fx->plan);
    assert_int_equal(fx->parser.error_entry, OTA_MANIFEST_ERASE_MAX);
}

static void empty_ota_array_means_no_update(void **state)
{
    fixture_t *fx = *state;
    assert_int_equal(run(fx, "{\"ota\":[]}"), OTA_MANIFEST_OK);
    assert_false(fx->plan.has_update);
    assert_int_equal(fx->plan.entry_count, 0);
    assert_int_equal(run(fx, "{ \"ota\" : [ ] , \"note\" : { } }"), OTA_MANIFEST_OK);
    assert_false(fx->plan.has_update);
}

static void key_order_and_optional_size(void **state)
{
    fixture_t *fx = *state;
    assert_int_equal(run(fx, "{\"ota\":[{\"Digest\":\"" D3 "\",\"EraseVer\":false,\"Size\":4096,"
                             "\"URL\":\"http://h/3\",\"Version\":3}]}"),
                     OTA_MANIFEST_OK);
    assert_int_equal(fx->plan.update.version, 3);
    assert_string_equal(fx->plan.update.url, "http://h/3");
    assert_digest(fx->plan.update.digest, D3);
    assert_true(fx->plan.update.has_size);
    assert_int_equal(fx->plan.update.size, 4096);
    /* Root keys in any order too. */
    assert_int_equal(run(fx, "{\"a\":1,\"ota\":[" UPD(2, "http://h/2", DA) "],\"z\":[]}"),
                     OTA_MANIFEST_OK);
    assert_int_equal(fx->plan.update.version, 2);
}

static void uppercase_digest_is_accepted(void **state)
{
    fixture_t *fx = *state;
    assert_int_equal(run(fx, OTA(UPD(3, "http://h/3",
                                     "745189CBB24B752A0175DE1F9D5D61433BA47D89AFF5B5A3686F54CA2D5DFB22"))),
                     OTA_MANIFEST_OK);
    assert_digest(fx->plan.update.digest, D3);
    assert_int_equal(run(fx, OTA(UPD(3, "http://h/3",
                                     "745189cbB24B752a0175DE1F9D5D61433BA47D89AFF5B5A3686F54CA2D5DFB22"))),
                     OTA_MANIFEST_OK);
    assert_digest(fx->plan.update.digest, D3);
}

static void unknown_keys_and_nested_values_are_skipped(void **state)
{
    fixture_t *fx = *state;
    /* Unknown values hold arrays of arrays and objects that look like entries: none count. */
    const char *m =
        "{\"meta\":{\"ota\":5,\"list\":[[1,[2,[3]]],{\"Version\":99}]},"
        "\"ota\":["
        "{\"Board\":[[{\"Version\":77}],[]],\"Version\":4,\"Notes\":{\"a\":{\"b\":[{}]}},"
        "\"URL\":\"http://h/4\",\"SecurityCounter\":2,\"Digest\":\"" DA "\",\"x\":null,"
        "\"y\":-1.5e+10,\"z\":\"\\\"Version\\\":88\"},"
        "{\"Version\":2,\"URL\":\"http://h/2\",\"Digest\":\"" DB "\",\"big\":123456789012345678901234567890}"
        "],"
        "\"trailer\":[{\"Version\":100,\"URL\":\"http://h/100\",\"Digest\":\"" DB "\"}]}";
    assert_int_equal(run(fx, m), OTA_MANIFEST_OK);
    assert_int_equal(fx->plan.entry_count, 2);
    assert_int_equal(fx->plan.update.version, 4);
    assert_string_equal(fx->plan.update.url, "http://h/4");
    assert_digest(fx->plan.update.digest, DA);
    /* Keys differ only in case: unknown, so the required ones are missing. */
    assert_int_equal(run(fx, "{\"ota\":[{\"version\":4,\"URL\":\"http://h/4\",\"Digest\":\"" DA "\"}]}"),
                     OTA_MANIFEST_ERR_MISSING_VERSION);
    assert_int_equal(run(fx, "{\"OTA\":[" UPD(4, "http://h/4", DA) "]}"), OTA_MANIFEST_ERR_NO_OTA);
}

static void url_escapes_are_decoded(void **state)
{
    fixture_t *fx = *state;
    assert_int_equal(run(fx, OTA(UPD(3, "http:\\/\\/h\\/a\\u002Fb\\u0041.ota", DA))), OTA_MANIFEST_OK);
    assert_string_equal(fx->plan.update.url, "http://h/a/bA.ota");
    assert_int_equal(fx->plan.update.url_len, 17);
    /* A URL exactly OTA_MANIFEST_URL_MAX long is fine. */
    char url[OTA_MANIFEST_URL_MAX + 1];
    memset(url, 'a', sizeof(url) - 1);
    memcpy(url, "http://h/", 9);
    url[OTA_MANIFEST_URL_MAX] = '\0';
    char m[1024];
    snprintf(m, sizeof(m), OTA(UPD(3, "%s", DA)), url);
    assert_int_equal(run(fx, m), OTA_MANIFEST_OK);
    assert_int_equal(fx->plan.update.url_len, OTA_MANIFEST_URL_MAX);
    assert_string_equal(fx->plan.update.url, url);
}

static void same_version_twice(void **state)
{
    fixture_t *fx = *state;
    /* Identical duplicates: harmless. */
    assert_int_equal(run(fx, OTA(UPD(3, "http://h/3", DA) "," UPD(3, "http:\\/\\/h/3", DA))),
                     OTA_MANIFEST_OK);
    assert_int_equal(fx->plan.update.version, 3);
    /* Disagreeing on the chosen version: refused. */
    assert_int_equal(run(fx, OTA(UPD(3, "http://h/3", DA) "," UPD(3, "http://h/3", DB))),
                     OTA_MANIFEST_ERR_AMBIGUOUS);
    assert_plan_empty(&fx->plan);
    assert_int_equal(fx->parser.error_entry, 1);
    assert_int_equal(run(fx, OTA(UPD(3, "http://h/3", DA) "," UPD(3, "http://h/3b", DA))),
                     OTA_MANIFEST_ERR_AMBIGUOUS);
    assert_int_equal(run(fx, OTA(UPD(3, "http://h/3", DA) ","
                                 "{\"Version\":3,\"URL\":\"http://h/3\",\"Digest\":\"" DA "\",\"Size\":9}")),
                     OTA_MANIFEST_ERR_AMBIGUOUS);
    assert_int_equal(run(fx, OTA(UPD(3, "http://h/3", DA) "," UPD(3, "http://h/3x", DA) ","
                                 UPD(3, "http://h/3", DA))),
                     OTA_MANIFEST_ERR_AMBIGUOUS);
    /* Disagreeing on a version that is not chosen: it does not matter. */
    assert_int_equal(run(fx, OTA(UPD(3, "http://h/3", DA) "," UPD(3, "http://h/3", DB) ","
                                 UPD(4, "http://h/4", DA))),
                     OTA_MANIFEST_OK);
    assert_int_equal(fx->plan.update.version, 4);
    fx->rejected[0] = 3;
    fx->rejected_count = 1;
    assert_int_equal(run(fx, OTA(UPD(3, "http://h/3", DA) "," UPD(3, "http://h/3", DB))),
                     OTA_MANIFEST_OK);
    assert_false(fx->plan.has_update);
}

static void bom_and_trailing_bytes(void **state)
{
    fixture_t *fx = *state;
    const char *ok = OTA(UPD(3, "http://h/3", DA));
    char m[512];
    snprintf(m, sizeof(m), "\xEF\xBB\xBF%s\n", ok);
    assert_int_equal(run(fx, m), OTA_MANIFEST_OK);
    assert_int_equal(fx->plan.update.version, 3);
    snprintf(m, sizeof(m), "\xEF\xBB\xBF\xEF\xBB\xBF%s", ok); /* only one BOM */
    assert_int_equal(run(fx, m), OTA_MANIFEST_ERR_NOT_OBJECT);
    snprintf(m, sizeof(m), "%s x", ok);
    assert_int_equal(run(fx, m), OTA_MANIFEST_ERR_JSON);
    snprintf(m, sizeof(m), "%s{}", ok);
    assert_int_equal(run(fx, m), OTA_MANIFEST_ERR_JSON);
    snprintf(m, sizeof(m), "%s,", ok);
    assert_int_equal(run(fx, m), OTA_MANIFEST_ERR_JSON);
    /* A NUL byte after the object, and one inside it. */
    size_t n = strlen(ok);
    memcpy(m, ok, n);
    m[n] = '\0';
    assert_int_equal(ota_manifest_select(&fx->parser, m, n + 1, &fx->device, &fx->plan),
                     OTA_MANIFEST_ERR_JSON);
    m[9] = '\0';
    assert_int_equal(ota_manifest_select(&fx->parser, m, n, &fx->device, &fx->plan),
                     OTA_MANIFEST_ERR_JSON);
    assert_plan_empty(&fx->plan);
}

/* ---- named errors ---------------------------------------------------------------------- */

typedef struct bad_case {
    const char *json;
    ota_manifest_status_t want;
} bad_case_t;

#define GOOD_FIRST UPD(2, "http://h/2", DA) "," ERASE(5) ","
static const bad_case_t BAD[] = {
    /* invalid JSON, including what jsmn alone lets through */
    {"", OTA_MANIFEST_ERR_JSON},
    {"   \n ", OTA_MANIFEST_ERR_JSON},
    {"{", OTA_MANIFEST_ERR_JSON},
    {"{\"ota\":[}", OTA_MANIFEST_ERR_JSON},
    {"{\"ota\":[]]", OTA_MANIFEST_ERR_JSON},
    {"{\"ota\" []}", OTA_MANIFEST_ERR_JSON},
    {"{\"ota\"::[]}", OTA_MANIFEST_ERR_JSON},
    {"{\"ota\":[],}", OTA_MANIFEST_ERR_JSON},
    {"{,\"ota\":[]}", OTA_MANIFEST_ERR_JSON},
    {"{\"ota\":[] \"x\":1}", OTA_MANIFEST_ERR_JSON},
    {"{\"ota\":[" GOOD_FIRST "]}", OTA_MANIFEST_ERR_JSON},
    {"{\"ota\":[{} {}]}", OTA_MANIFEST_ERR_JSON},
    {"{\"ota\":[],\"x\":[1 2]}", OTA_MANIFEST_ERR_JSON},
    {"{\"ota\":[],\"x\":tru}", OTA_MANIFEST_ERR_JSON},
    {"{\"ota\":[],\"x\":nul}", OTA_MANIFEST_ERR_JSON},
    {"{\"ota\":[],\"x\":01}", OTA_MANIFEST_ERR_JSON},
    {"{\"ota\":[],\"x\":1.}", OTA_MANIFEST_ERR_JSON},
    {"{\"ota\":[],\"x\":.5}", OTA_MANIFEST_ERR_JSON},
    {"{\"ota\":[],\"x\":1e}", OTA_MANIFEST_ERR_JSON},
    {"{\"ota\":[],\"x\":+1}", OTA_MANIFEST_ERR_JSON},
    {"{\"ota\":[],\"x\":-}", OTA_MANIFEST_ERR_JSON},
    {"{\"ota\":[],\"x\":0x10}", OTA_MANIFEST_ERR_JSON},
    {"{\"ota\":[],\"x\":NaN}", OTA_MANIFEST_ERR_JSON},
    {"{\"ota\":[],\"x\":'a'}", OTA_MANIFEST_ERR_JSON},
    {"{\"ota\":[],\"x\":\"a\tb\"}", OTA_MANIFEST_ERR_JSON},
    {"{\"ota\":[],\"x\":\"a\nb\"}", OTA_MANIFEST_ERR_JSON},
    {"{\"ota\":[],\"x\":\"\\x41\"}", OTA_MANIFEST_ERR_JSON},
    {"{\"ota\":[],\"x\":\"\\u12G4\"}", OTA_MANIFEST_ERR_JSON},
    {"{\"ota\":[],\"x\":\"abc}", OTA_MANIFEST_ERR_JSON},
    {"{\"ota\":[],1:2}", OTA_MANIFEST_ERR_JSON},
    {"{\"ota\":[],\"a\":\"b\":\"c\"}", OTA_MANIFEST_ERR_JSON},
    {"{\"ota\":[],\"a\"}", OTA_MANIFEST_ERR_JSON},
    {"{\"ota\":[],\"a\":}", OTA_MANIFEST_ERR_JSON},
    {"{\"ota\":[/* c */]}", OTA_MANIFEST_ERR_JSON},
    /* top level */
    {"[]", OTA_MANIFEST_ERR_NOT_OBJECT},
    {"\"ota\"", OTA_MANIFEST_ERR_NOT_OBJECT},
    {"3", OTA_MANIFEST_ERR_NOT_OBJECT},
    {"null", OTA_MANIFEST_ERR_NOT_OBJECT},
    {"{}", OTA_MANIFEST_ERR_NO_OTA},
    {"{\"ota\":{}}", OTA_MANIFEST_ERR_NO_OTA},
    {"{\"ota\":null}", OTA_MANIFEST_ERR_NO_OTA},
    {"{\"ota\":\"[]\"}", OTA_MANIFEST_ERR_NO_OTA},
    {"{\"Ota\":[]}", OTA_MANIFEST_ERR_NO_OTA},
    {"{\"x\":{\"ota\":[]}}", OTA_MANIFEST_ERR_NO_OTA},
    {"{\"ota\":[],\"ota\":[]}", OTA_MANIFEST_ERR_DUPLICATE_KEY},
    /* entries */
    {"{\"ota\":[" GOOD_FIRST "3]}", OTA_MANIFEST_ERR_ENTRY_NOT_OBJECT},
    {"{\"ota\":[" GOOD_FIRST "[]]}", OTA_MANIFEST_ERR_ENTRY_NOT_OBJECT},
    {"{\"ota\":[" GOOD_FIRST "null]}", OTA_MANIFEST_ERR_ENTRY_NOT_OBJECT},
    {"{\"ota\":[" GOOD_FIRST "{}]}", OTA_MANIFEST_ERR_MISSING_VERSION},
    {"{\"ota\":[" GOOD_FIRST "{\"EraseVer\":true}]}", OTA_MANIFEST_ERR_MISSING_VERSION},
    {"{\"ota\":[" GOOD_FIRST "{\"Version\":3,\"Digest\":\"" DA "\"}]}", OTA_MANIFEST_ERR_MISSING_URL},
    {"{\"ota\":[" GOOD_FIRST "{\"Version\":3,\"URL\":\"http://h/\"}]}", OTA_MANIFEST_ERR_MISSING_DIGEST},
    {"{\"ota\":[" GOOD_FIRST "{\"Version\":3,\"EraseVer\":false}]}", OTA_MANIFEST_ERR_MISSING_URL},
    {"{\"ota\":[" GOOD_FIRST "{\"Version\":3,\"Version\":3,\"URL\":\"http://h/\",\"Digest\":\"" DA "\"}]}",
     OTA_MANIFEST_ERR_DUPLICATE_KEY},
    {"{\"ota\":[" GOOD_FIRST "{\"Version\":3,\"URL\":\"http://h/\",\"URL\":\"http://h/\",\"Digest\":\"" DA "\"}]}",
     OTA_MANIFEST_ERR_DUPLICATE_KEY},
    {"{\"ota\":[" GOOD_FIRST "{\"Version\":3,\"EraseVer\":true,\"EraseVer\":false}]}", OTA_MANIFEST_ERR_DUPLICATE_KEY},
    /* Version */
    {OTA(GOOD_FIRST UPD(0, "http://h/", DA)), OTA_MANIFEST_ERR_VERSION},
    {OTA(GOOD_FIRST UPD(-3, "http://h/", DA)), OTA_MANIFEST_ERR_VERSION},
    {OTA(GOOD_FIRST UPD(3.0, "http://h/", DA)), OTA_MANIFEST_ERR_VERSION},
    {OTA(GOOD_FIRST UPD(3.5, "http://h/", DA)), OTA_MANIFEST_ERR_VERSION},
    {OTA(GOOD_FIRST UPD(3e0, "http://h/", DA)), OTA_MANIFEST_ERR_VERSION},
    {OTA(GOOD_FIRST UPD(1E2, "http://h/", DA)), OTA_MANIFEST_ERR_VERSION},
    {OTA(GOOD_FIRST UPD("3", "http://h/", DA)), OTA_MANIFEST_ERR_VERSION},
    {OTA(GOOD_FIRST UPD(true, "http://h/", DA)), OTA_MANIFEST_ERR_VERSION},
    {OTA(GOOD_FIRST UPD(null, "http://h/", DA)), OTA_MANIFEST_ERR_VERSION},
    {OTA(GOOD_FIRST UPD([3], "http://h/", DA)), OTA_MANIFEST_ERR_VERSION},
    {OTA(GOOD_FIRST UPD(4294967296, "http://h/", DA)), OTA_MANIFEST_ERR_VERSION},
    {OTA(GOOD_FIRST UPD(42949672950, "http://h/", DA)), OTA_MANIFEST_ERR_VERSION},
    {OTA(GOOD_FIRST UPD(9223372036854775808, "http://h/", DA)), OTA_MANIFEST_ERR_VERSION},
    {OTA(GOOD_FIRST UPD(18446744073709551617, "http://h/", DA)), OTA_MANIFEST_ERR_VERSION},
    {OTA(GOOD_FIRST UPD(-0, "http://h/", DA)), OTA_MANIFEST_ERR_VERSION},
    {OTA(GOOD_FIRST ERASE(0)), OTA_MANIFEST_ERR_VERSION},
    /* URL */
    {"{\"ota\":[" GOOD_FIRST "{\"Version\":3,\"URL\":7,\"Digest\":\"" DA "\"}]}", OTA_MANIFEST_ERR_URL_TYPE},
    {"{\"ota\":[" GOOD_FIRST "{\"Version\":3,\"URL\":null,\"Digest\":\"" DA "\"}]}", OTA_MANIFEST_ERR_URL_TYPE},
    {"{\"ota\":[" GOOD_FIRST "{\"Version\":3,\"URL\":[\"http://h/\"],\"Digest\":\"" DA "\"}]}", OTA_MANIFEST_ERR_URL_TYPE},
    {OTA(GOOD_FIRST UPD(3, "", DA)), OTA_MANIFEST_ERR_URL_EMPTY},
    {OTA(GOOD_FIRST UPD(3, "http://h/a b", DA)), OTA_MANIFEST_ERR_URL_CHAR},
    {OTA(GOOD_FIRST UPD(3, "http://h/\\u0000", DA)), OTA_MANIFEST_ERR_URL_CHAR},
    {OTA(GOOD_FIRST UPD(3, "http://h/\\n", DA)), OTA_MANIFEST_ERR_URL_CHAR},
    {OTA(GOOD_FIRST UPD(3, "http://h/\\t", DA)), OTA_MANIFEST_ERR_URL_CHAR},
    {OTA(GOOD_FIRST UPD(3, "http://h/\\u007f", DA)), OTA_MANIFEST_ERR_URL_CHAR},
    {OTA(GOOD_FIRST UPD(3, "http://h/\\u00e9", DA)), OTA_MANIFEST_ERR_URL_CHAR},
    {OTA(GOOD_FIRST UPD(3, "http://h/\\ud83d\\ude00", DA)), OTA_MANIFEST_ERR_URL_CHAR},
    {OTA(GOOD_FIRST UPD(3, "http://h/\xc3\xa9", DA)), OTA_MANIFEST_ERR_URL_CHAR},
    {OTA(GOOD_FIRST UPD(3, "http://h/\x7f", DA)), OTA_MANIFEST_ERR_URL_CHAR},
    /* Digest */
    {OTA(GOOD_FIRST UPD(3, "http://h/", "")), OTA_MANIFEST_ERR_DIGEST},
    {OTA(GOOD_FIRST UPD(3, "http://h/", "745189cbb24b752a0175de1f9d5d61433ba47d89aff5b5a3686f54ca2d5dfb2")),
     OTA_MANIFEST_ERR_DIGEST},
    {OTA(GOOD_FIRST UPD(3, "http://h/", D3 "0")), OTA_MANIFEST_ERR_DIGEST},
    {OTA(GOOD_FIRST UPD(3, "http://h/", "745189cbb24b752a0175de1f9d5d61433ba47d89aff5b5a3686f54ca2d5dfb2g")),
     OTA_MANIFEST_ERR_DIGEST},
    {OTA(GOOD_FIRST UPD(3, "http://h/", " 45189cbb24b752a0175de1f9d5d61433ba47d89aff5b5a3686f54ca2d5dfb22")),
     OTA_MANIFEST_ERR_DIGEST},
    {OTA(GOOD_FIRST UPD(3, "http://h/", "\\u0037" "5189cbb24b752a0175de1f9d5d61433ba47d89aff5b5a3686f54ca2d5dfb22")),
     OTA_MANIFEST_ERR_DIGEST},
    {"{\"ota\":[" GOOD_FIRST "{\"Version\":3,\"URL\":\"http://h/\",\"Digest\":7}]}", OTA_MANIFEST_ERR_DIGEST},
    {"{\"ota\":[" GOOD_FIRST "{\"Version\":3,\"EraseVer\":true,\"Digest\":\"abc\"}]}", OTA_MANIFEST_ERR_DIGEST},
    /* EraseVer */
    {"{\"ota\":[" GOOD_FIRST "{\"Version\":3,\"EraseVer\":1}]}", OTA_MANIFEST_ERR_ERASE_VER},
    {"{\"ota\":[" GOOD_FIRST "{\"Version\":3,\"EraseVer\":\"true\"}]}", OTA_MANIFEST_ERR_ERASE_VER},
    {"{\"ota\":[" GOOD_FIRST "{\"Version\":3,\"EraseVer\":null}]}", OTA_MANIFEST_ERR_ERASE_VER},
    /* Size */
    {"{\"ota\":[" GOOD_FIRST "{\"Version\":3,\"EraseVer\":true,\"Size\":0}]}", OTA_MANIFEST_ERR_SIZE},
    {"{\"ota\":[" GOOD_FIRST "{\"Version\":3,\"EraseVer\":true,\"Size\":-1}]}", OTA_MANIFEST_ERR_SIZE},
    {"{\"ota\":[" GOOD_FIRST "{\"Version\":3,\"EraseVer\":true,\"Size\":\"10\"}]}", OTA_MANIFEST_ERR_SIZE},
    {"{\"ota\":[" GOOD_FIRST "{\"Version\":3,\"EraseVer\":true,\"Size\":4294967296}]}", OTA_MANIFEST_ERR_SIZE},
};

static void each_error_is_named_and_plans_nothing(void **state)
{
    fixture_t *fx = *state;
    for (size_t n = 0; n < sizeof(BAD) / sizeof(BAD[0]); n++) {
        ota_manifest_status_t st = run(fx, BAD[n].json);
        if (st != BAD[n].want) {
            print_error("case %zu: %s\n  got %s, want %s\n", n, BAD[n].json,
                        ota_manifest_status_str(st), ota_manifest_status_str(BAD[n].want));
        }
        assert_int_equal(st, BAD[n].want);
        assert_plan_empty(&fx->plan);
        assert_true(fx->parser.error_offset <= strlen(BAD[n].json));
    }
}

static void error_location_is_reported(void **state)
{
    fixture_t *fx = *state;
    const char *m = OTA(GOOD_FIRST UPD(3, "http://h/", "nothex"));
    assert_int_equal(run(fx, m), OTA_MANIFEST_ERR_DIGEST);
    assert_int_equal(fx->parser.error_entry, 2);
    assert_int_equal(fx->parser.error_offset, strstr(m, "nothex") - m);
    m = "{\"ota\":[],\n  \"x\":tru}";
    assert_int_equal(run(fx, m), OTA_MANIFEST_ERR_JSON);
    assert_int_equal(fx->parser.error_entry, -1);
    assert_int_equal(fx->parser.error_offset, strstr(m, "tru") - m);
}

static void url_limit_and_manifest_limit(void **state)
{
    fixture_t *fx = *state;
    char url[OTA_MANIFEST_URL_MAX + 2];
    memset(url, 'a', sizeof(url) - 1);
    url[sizeof(url) - 1] = '\0';
    char m[1024];
    snprintf(m, sizeof(m), OTA(UPD(3, "%s", DA)), url);
    assert_int_equal(run(fx, m), OTA_MANIFEST_ERR_URL_TOO_LONG);
    assert_plan_empty(&fx->plan);

    /* A manifest of exactly max_size bytes is read; one byte more is refused unread. */
    static char big[OTA_MANIFEST_MAX_SIZE_DEFAULT + 2];
    const char *head = "{\"ota\":[],\"pad\":\"";
    memset(big, 'x', sizeof(big));
    memcpy(big, head, strlen(head));
    memcpy(big + OTA_MANIFEST_MAX_SIZE_DEFAULT - 2, "\"}", 2);
    assert_int_equal(ota_manifest_select(&fx->parser, big, OTA_MANIFEST_MAX_SIZE_DEFAULT,
                                         &fx->device, &fx->plan),
                     OTA_MANIFEST_OK);
    memcpy(big + OTA_MANIFEST_MAX_SIZE_DEFAULT - 2, "x\"}", 3);
    assert_int_equal(ota_manifest_select(&fx->parser, big, OTA_MANIFEST_MAX_SIZE_DEFAULT + 1,
                                         &fx->device, &fx->plan),
                     OTA_MANIFEST_ERR_TOO_LARGE);
    fx->parser.max_size = 2000; /* the original's limit */
    assert_int_equal(run(fx, SAMPLE), OTA_MANIFEST_OK);
    fx->parser.max_size = 100;
    assert_int_equal(run(fx, SAMPLE), OTA_MANIFEST_ERR_TOO_LARGE);
    assert_plan_empty(&fx->plan);
}

/* Fed in pieces of every size, the text gives the same verdict, plan and diagnostics as
 * whole: the reader keeps no byte of it between calls. */
static ota_manifest_status_t run_in_pieces(fixture_t *fx, const char *json, size_t piece)
{
    size_t len = strlen(json);
    memset(&fx->plan, 0xA5, sizeof(fx->plan));
    ota_manifest_status_t st = ota_manifest_begin(&fx->parser, &fx->device, &fx->plan);
    assert_int_equal(st, OTA_MANIFEST_OK);
    do {
        for (size_t at = 0; at < len; at += piece) {
            ota_manifest_feed(&fx->parser, json + at, len - at < piece ? len - at : piece);
        }
        st = ota_manifest_end(&fx->parser);
    } while (st == OTA_MANIFEST_AGAIN);
    return st;
}

static void pieces_of_any_size_give_the_same_answer(void **state)
{
    fixture_t *fx = *state;
    static const char *texts[] = {
        SAMPLE,
        "\xEF\xBB\xBF" OTA(ERASE(2) "," UPD(6, "http:\\/\\/h\\/\\u0036", DA)),
        OTA(UPD(9, "http://h/9", DA) "," UPD(4, "http://h/4", DB) "," ERASE(9)),
        OTA(UPD(3, "http://h/", "nothex")),
        "{\"ota\":[],\n  \"x\":tru}",
        "{\"ota\":[{\"Version\":3,\"EraseVer\":true}],\"Sequence\":12,\"Expires\":1e3}",
    };
    for (size_t t = 0; t < sizeof(texts) / sizeof(texts[0]); t++) {
        ota_manifest_status_t whole = run(fx, texts[t]);
        ota_manifest_plan_t plan = fx->plan;
        uint32_t offset = fx->parser.error_offset;
        int32_t entry = fx->parser.error_entry;
        for (size_t piece = 1; piece <= 7; piece++) {
            assert_int_equal(run_in_pieces(fx, texts[t], piece), whole);
            assert_memory_equal(&fx->plan, &plan, sizeof(plan));
            assert_int_equal(fx->parser.error_offset, offset);
            assert_int_equal(fx->parser.error_entry, entry);
        }
    }
    /* Too large is found at the first byte over the limit, whatever the pieces. */
    fx->parser.max_size = 100;
    assert_int_equal(run_in_pieces(fx, SAMPLE, 64), OTA_MANIFEST_ERR_TOO_LARGE);
    assert_int_equal(fx->parser.error_offset, 100);
    assert_plan_empty(&fx->plan);
}

/* An erase entry after the update it removes: the candidates passed over for that update are
 * found by a second pass over the same text, which must be the same text. */
static void late_erase_entry_asks_for_a_second_pass(void **state)
{
    fixture_t *fx = *state;
    const char *m = OTA(UPD(4, "http://h/4", DA) "," UPD(9, "http://h/9", DB) "," ERASE(9));
    size_t n = strlen(m);
    assert_int_equal(ota_manifest_begin(&fx->parser, &fx->device, &fx->plan), OTA_MANIFEST_OK);
    ota_manifest_feed(&fx->parser, m, n);
    assert_int_equal(ota_manifest_end(&fx->parser), OTA_MANIFEST_AGAIN);
    ota_manifest_feed(&fx->parser, m, n);
    assert_int_equal(ota_manifest_end(&fx->parser), OTA_MANIFEST_OK);
    assert_int_equal(fx->plan.update.version, 4);
    assert_string_equal(fx->plan.update.url, "http://h/4");
    assert_int_equal(fx->plan.erase_count, 1);
    assert_int_equal(fx->plan.erase_versions[0], 9);
    assert_int_equal(fx->plan.entry_count, 3);

    /* Nothing was passed over for 9: one pass is exact. */
    m = OTA(UPD(9, "http://h/9", DB) "," ERASE(9) "," UPD(2, "http://h/2", DA));
    assert_int_equal(ota_manifest_begin(&fx->parser, &fx->device, &fx->plan), OTA_MANIFEST_OK);
    ota_manifest_feed(&fx->parser, m, strlen(m));
    assert_int_equal(ota_manifest_end(&fx->parser), OTA_MANIFEST_OK);
    assert_int_equal(fx->plan.update.version, 2);

    /* The second text differs: its length, or a new erase version. */
    m = OTA(UPD(4, "http://h/4", DA) "," UPD(9, "http://h/9", DB) "," ERASE(9));
    const char *other[] = {
        OTA(UPD(4, "http://h/44", DA) "," UPD(9, "http://h/9", DB) "," ERASE(9)),
        OTA(UPD(4, "http://h/4", DA) "," UPD(9, "http://h/9", DB) "," ERASE(8)),
    };
    for (size_t k = 0; k < 2; k++) {
        assert_int_equal(ota_manifest_begin(&fx->parser, &fx->device, &fx->plan), OTA_MANIFEST_OK);
        ota_manifest_feed(&fx->parser, m, strlen(m));
        assert_int_equal(ota_manifest_end(&fx->parser), OTA_MANIFEST_AGAIN);
        ota_manifest_feed(&fx->parser, other[k], strlen(other[k]));
        assert_int_equal(ota_manifest_end(&fx->parser), OTA_MANIFEST_ERR_CHANGED);
        assert_plan_empty(&fx->plan);
    }
    /* Without begin, nothing is read. */
    assert_int_equal(ota_manifest_end(&fx->parser), OTA_MANIFEST_ERR_ARG);
    ota_manifest_feed(&fx->parser, m, strlen(m)); /* ignored, must not crash */
}

/* Reads `json` whole as often as the reader asks; returns how many passes it took and
 * leaves the verdict in *st. */
static unsigned passes_needed(fixture_t *fx, const char *json, ota_manifest_status_t *st)
{
    unsigned passes = 0;
    assert_int_equal(ota_manifest_begin(&fx->parser, &fx->device, &fx->plan), OTA_MANIFEST_OK);
    do {
        ota_manifest_feed(&fx->parser, json, strlen(json));
        *st = ota_manifest_end(&fx->parser);
        passes++;
    } while (*st == OTA_MANIFEST_AGAIN && passes < 3);
    return passes;
}

/* The second pass is asked for exactly when an erased update had beaten another eligible
 * version: identical copies of the erased one, and entries that were never eligible, are no
 * candidates it passed over. */
static void second_pass_only_for_a_passed_over_version(void **state)
{
    fixture_t *fx = *state;
    ota_manifest_status_t st;
    /* Copies of 9 only (running 1): nothing else competed, one pass, no update. */
    assert_int_equal(passes_needed(fx, OTA(UPD(9, "http://h/9", DB) "," UPD(9, "http://h/9", DB)
                                               "," ERASE(9)), &st), 1);
    assert_int_equal(st, OTA_MANIFEST_OK);
    assert_false(fx->plan.has_update);
    /* 1 is the running version, 3 is rejected: never eligible, so never passed over. */
    fx->rejected[0] = 3;
    fx->rejected_count = 1;
    assert_int_equal(passes_needed(fx, OTA(UPD(1, "http://h/1", DA) "," UPD(3, "http://h/3", DA)
                                               "," UPD(9, "http://h/9", DB) "," ERASE(9)), &st), 1);
    assert_int_equal(st, OTA_MANIFEST_OK);
    assert_false(fx->plan.has_update);
    /* A lower version after the best, and a best displaced by a higher one that is erased:
     * both need the second pass, which finds them. */
    assert_int_equal(passes_needed(fx, OTA(UPD(9, "http://h/9", DB) "," UPD(4, "http://h/4", DA)
                                               "," ERASE(9)), &st), 2);
    assert_int_equal(st, OTA_MANIFEST_OK);
    assert_int_equal(fx->plan.update.version, 4);
    assert_int_equal(passes_needed(fx, OTA(UPD(5, "http://h/5", DA) "," UPD(9, "http://h/9", DB)
                                               "," UPD(9, "http://h/9", DB) "," ERASE(9)), &st), 2);
    assert_int_equal(st, OTA_MANIFEST_OK);
    assert_int_equal(fx->plan.update.version, 5);
    assert_string_equal(fx->plan.update.url, "http://h/5");
    /* Two erased versions, each the best alone when erased: one pass is still exact. */
    assert_int_equal(passes_needed(fx, OTA(UPD(9, "http://h/9", DB) "," ERASE(9) ","
                                           UPD(6, "http://h/6", DA) "," ERASE(6)), &st), 1);
    assert_int_equal(st, OTA_MANIFEST_OK);
    assert_false(fx->plan.has_update);
    assert_int_equal(fx->plan.erase_count, 2);
}

static void bad_arguments(void **state)
{
    fixture_t *fx = *state;
    const char *m = SAMPLE;
    size_t n = strlen(m);
    assert_int_equal(ota_manifest_select(NULL, m, n, &fx->device, &fx->plan), OTA_MANIFEST_ERR_ARG);
    assert_int_equal(ota_manifest_select(&fx->parser, NULL, n, &fx->device, &fx->plan),
                     OTA_MANIFEST_ERR_ARG);
    assert_int_equal(ota_manifest_select(&fx->parser, m, n, NULL, &fx->plan), OTA_MANIFEST_ERR_ARG);
    assert_int_equal(ota_manifest_select(&fx->parser, m, n, &fx->device, NULL), OTA_MANIFEST_ERR_ARG);
    assert_plan_empty(&fx->plan);
    assert_int_equal(ota_manifest_begin(NULL, &fx->device, &fx->plan), OTA_MANIFEST_ERR_ARG);
    assert_int_equal(ota_manifest_begin(&fx->parser, NULL, &fx->plan), OTA_MANIFEST_ERR_ARG);
    assert_int_equal(ota_manifest_begin(&fx->parser, &fx->device, NULL), OTA_MANIFEST_ERR_ARG);
    assert_int_equal(ota_manifest_end(NULL), OTA_MANIFEST_ERR_ARG);
    ota_manifest_feed(NULL, m, n);  /* must not crash */
    ota_manifest_parser_init(NULL); /* must not crash */
}

static void status_names_are_distinct(void **state)
{
    (void)state;
    const char *seen[32] = {0};
    for (int s = 0; s >= OTA_MANIFEST_ERR_EXPIRES; s--) {
        const char *name = ota_manifest_status_str((ota_manifest_status_t)s);
        assert_non_null(name);
        assert_string_not_equal(name, "unknown manifest status");
        for (int k = 0; k < -s; k++) {
            assert_string_not_equal(name, seen[k]);
        }
        seen[-s] = name;
    }
    assert_string_equal(ota_manifest_status_str((ota_manifest_status_t)-99), "unknown manifest status");
}

/* ---- hardware id and freshness --------------------------------------------------------- */

/* Entries carry an optional HwId: a board takes only entries without one or with its own, so
 * one manifest serves several boards. A device with hw_id 0 takes every entry. */
static void hw_id_entries_for_other_boards_are_ignored(void **state)
{
    fixture_t *fx = *state;
    const char *m = OTA("{\"Version\":9,\"HwId\":222,\"URL\":\"http://h/9\",\"Digest\":\"" DA "\"},"
                        "{\"Version\":7,\"HwId\":111,\"URL\":\"http://h/7\",\"Digest\":\"" DB "\"},"
                        "{\"Version\":5,\"URL\":\"http://h/5\",\"Digest\":\"" DB "\"},"
                        "{\"Version\":7,\"HwId\":222,\"EraseVer\":true}");
    fx->device.hw_id = 111;
    assert_int_equal(run(fx, m), OTA_MANIFEST_OK);
    assert_int_equal(fx->plan.update.version, 7); /* v9 is another board's; the erase too */
    assert_string_equal(fx->plan.update.url, "http://h/7");
    assert_int_equal(fx->plan.erase_count, 0);
    assert_int_equal(fx->plan.other_hw_entries, 1);
    fx->device.hw_id = 333; /* only the entry without HwId is for this board */
    assert_int_equal(run(fx, m), OTA_MANIFEST_OK);
    assert_int_equal(fx->plan.update.version, 5);
    assert_int_equal(fx->plan.other_hw_entries, 2);
    fx->device.hw_id = 0;
    assert_int_equal(run(fx, m), OTA_MANIFEST_OK);
    assert_int_equal(fx->plan.update.version, 9);
    assert_int_equal(fx->plan.erase_count, 1);
    assert_int_equal(run(fx, OTA("{\"Version\":2,\"HwId\":0,\"EraseVer\":true}")),
                     OTA_MANIFEST_ERR_HW_ID);
    assert_int_equal(run(fx, OTA("{\"Version\":2,\"HwId\":\"111\",\"EraseVer\":true}")),
                     OTA_MANIFEST_ERR_HW_ID);
}

/* Sequence and Expires are top-level fields: read when present, checked when present. */
static void freshness_fields_are_read(void **state)
{
    fixture_t *fx = *state;
    assert_int_equal(run(fx, "{\"Sequence\":42,\"ota\":[" UPD(2, "http://h/2", DA) "],"
                             "\"Expires\":1893456000}"),
                     OTA_MANIFEST_OK);
    assert_true(fx->plan.has_sequence);
    assert_int_equal(fx->plan.sequence, 42);
    assert_true(fx->plan.has_expires);
    assert_int_equal(fx->plan.expires, 1893456000u);
    assert_int_equal(fx->plan.update.version, 2);
    assert_int_equal(run(fx, OTA(UPD(2, "http://h/2", DA))), OTA_MANIFEST_OK);
    assert_false(fx->plan.has_sequence);
    assert_false(fx->plan.has_expires);
    assert_int_equal(run(fx, "{\"Expires\":18446744073709551615,\"ota\":[]}"), OTA_MANIFEST_OK);
    assert_int_equal(fx->plan.expires, UINT64_MAX);

    static const struct {
        const char *json;
        ota_manifest_status_t want;
    } bad[] = {
        {"{\"Sequence\":0,\"ota\":[]}", OTA_MANIFEST_ERR_SEQUENCE},
        {"{\"Sequence\":4294967296,\"ota\":[]}", OTA_MANIFEST_ERR_SEQUENCE},
        {"{\"Sequence\":\"5\",\"ota\":[]}", OTA_MANIFEST_ERR_SEQUENCE},
        {"{\"Sequence\":1,\"Sequence\":2,\"ota\":[]}", OTA_MANIFEST_ERR_DUPLICATE_KEY},
        {"{\"Expires\":18446744073709551616,\"ota\":[]}", OTA_MANIFEST_ERR_EXPIRES},
        {"{\"Expires\":1.5e9,\"ota\":[]}", OTA_MANIFEST_ERR_EXPIRES},
        {"{\"Expires\":-1,\"ota\":[]}", OTA_MANIFEST_ERR_EXPIRES},
        {"{\"ota\":[],\"Expires\":5,\"Expires\":5}", OTA_MANIFEST_ERR_DUPLICATE_KEY},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(run(fx, bad[i].json), bad[i].want);
        assert_plan_empty(&fx->plan);
    }
}

/* ---- hostile sizes --------------------------------------------------------------------- */

static void ten_thousand_entries(void **state)
{
    fixture_t *fx = *state;
    size_t cap = 10000 * 130 + 64;
    char *m = malloc(cap);
    assert_non_null(m);
    size_t n = (size_t)snprintf(m, cap, "{\"ota\":[");
    for (unsigned v = 1; v <= 10000; v++) {
        unsigned version = (v * 7919u) % 10000u + 1u; /* every version once, shuffled */
        n += (size_t)snprintf(m + n, cap - n, "%s{\"Version\":%u,\"URL\":\"http://h/%u\",\"Digest\":\"" DA "\"}",
                              v > 1 ? "," : "", version, version);
    }
    n += (size_t)snprintf(m + n, cap - n, "]}");

    /* Default limits: refused on size, unread. */
    assert_int_equal(ota_manifest_select(&fx->parser, m, n, &fx->device, &fx->plan),
                     OTA_MANIFEST_ERR_TOO_LARGE);
    /* With the size allowed, the same parser reads them all: it holds one entry at a time. */
    fx->parser.max_size = (uint32_t)n;
    clock_t t0 = clock();
    assert_int_equal(ota_manifest_select(&fx->parser, m, n, &fx->device, &fx->plan), OTA_MANIFEST_OK);
    double ms = (double)(clock() - t0) * 1000.0 / CLOCKS_PER_SEC;
    print_message("    10,000 entries (%zu bytes): %.1f ms\n", n, ms);
    assert_int_equal(fx->plan.entry_count, 10000);
    assert_int_equal(fx->plan.update.version, 10000);
    assert_string_equal(fx->plan.update.url, "http://h/10000");
    free(m);
}

static void url_of_64_kib(void **state)
{
    fixture_t *fx = *state;
    size_t url_len = 64 * 1024;
    size_t cap = url_len + 256;
    char *m = malloc(cap);
    assert_non_null(m);
    size_t n = (size_t)snprintf(m, cap, "{\"ota\":[{\"Version\":3,\"Digest\":\"" DA "\",\"URL\":\"http://h/");
    memset(m + n, 'u', url_len);
    n += url_len;
    n += (size_t)snprintf(m + n, cap - n, "\"}]}");
    assert_int_equal(ota_manifest_select(&fx->parser, m, n, &fx->device, &fx->plan),
                     OTA_MANIFEST_ERR_TOO_LARGE);
    fx->parser.max_size = (uint32_t)n;
    assert_int_equal(ota_manifest_select(&fx->parser, m, n, &fx->device, &fx->plan),
                     OTA_MANIFEST_ERR_URL_TOO_LONG);
    assert_plan_empty(&fx->plan);
    free(m);
}

static char *nested(size_t depth, const char *prefix, const char *suffix, size_t *len)
{
    size_t cap = strlen(prefix) + 2 * depth + strlen(suffix) + 1;
    char *m = malloc(cap);
    assert_non_null(m);
    size_t n = (size_t)snprintf(m, cap, "%s", prefix);
    memset(m + n, '[', depth);
    memset(m + n + depth, ']', depth);
    n += 2 * depth;
    n += (size_t)snprintf(m + n, cap - n, "%s", suffix);
    *len = n;
    return m;
}

static void nesting_1000_deep(void **state)
{
    fixture_t *fx = *state;
    size_t n;
    char *m = nested(1000, "{\"ota\":[],\"x\":", "}", &n);
    ota_manifest_parser_t big;
    ota_manifest_parser_init(&big);
    big.max_size = 1u << 20;
    assert_int_equal(ota_manifest_select(&big, m, n, &fx->device, &fx->plan),
                     OTA_MANIFEST_ERR_TOO_DEEP);
    assert_plan_empty(&fx->plan);
    /* Deepest accepted: the limit itself (the root object is level 1). */
    free(m);
    m = nested(OTA_MANIFEST_MAX_DEPTH_DEFAULT - 1, "{\"ota\":[],\"x\":", "}", &n);
    assert_int_equal(ota_manifest_select(&big, m, n, &fx->device, &fx->plan), OTA_MANIFEST_OK);
    free(m);
    m = nested(OTA_MANIFEST_MAX_DEPTH_DEFAULT, "{\"ota\":[],\"x\":", "}", &n);
    assert_int_equal(ota_manifest_select(&big, m, n, &fx->device, &fx->plan),
                     OTA_MANIFEST_ERR_TOO_DEEP);
    /* Raised to the ceiling, and past it (clamped). */
    big.max_depth = 1000;
    free(m);
    m = nested(OTA_MANIFEST_MAX_DEPTH_LIMIT - 1, "{\"ota\":[],\"x\":", "}", &n);
    assert_int_equal(ota_manifest_select(&big, m, n, &fx->device, &fx->plan), OTA_MANIFEST_OK);
    free(m);
    m = nested(1000, "{\"ota\":[],\"x\":", "}", &n);
    assert_int_equal(ota_manifest_select(&big, m, n, &fx->device, &fx->plan),
                     OTA_MANIFEST_ERR_TOO_DEEP);
    /* Unbalanced, 1,000 deep: the first fault in the text is named, the depth. */
    m[n - 2] = '}';
    assert_int_equal(ota_manifest_select(&big, m, n, &fx->device, &fx->plan),
                     OTA_MANIFEST_ERR_TOO_DEEP);
    free(m);
    /* Unbalanced within the depth: invalid JSON, at the bracket that does not match. */
    m = nested(10, "{\"ota\":[],\"x\":", "}", &n);
    m[n - 2] = '}';
    assert_int_equal(ota_manifest_select(&big, m, n, &fx->device, &fx->plan), OTA_MANIFEST_ERR_JSON);
    assert_int_equal(big.error_offset, n - 2);
    free(m);
    m = nested(1000, "", "", &n);
    assert_int_equal(ota_manifest_select(&big, m, n, &fx->device, &fx->plan),
                     OTA_MANIFEST_ERR_NOT_OBJECT);
    free(m);
}

static void huge_numbers_do_not_overflow(void **state)
{
    fixture_t *fx = *state;
    /* Past 2^63 and 2^64 where the format ignores them: valid JSON, ignored. */
    assert_int_equal(run(fx, "{\"ota\":[{\"Version\":3,\"URL\":\"http://h/\",\"Digest\":\"" DA "\","
                             "\"SecurityCounter\":99999999999999999999999999999999999,"
                             "\"f\":-1.7976931348623157e+99999}],\"n\":9223372036854775808}"),
                     OTA_MANIFEST_OK);
    assert_int_equal(fx->plan.update.version, 3);
    /* Largest version there is. */
    assert_int_equal(run(fx, OTA(UPD(4294967295, "http://h/max", DA))), OTA_MANIFEST_OK);
    assert_int_equal(fx->plan.update.version, UINT32_MAX);
    fx->device.running_version = UINT32_MAX;
    assert_int_equal(run(fx, OTA(UPD(4294967295, "http://h/max", DA))), OTA_MANIFEST_OK);
    assert_false(fx->plan.has_update);
}

/* Random byte edits of good manifests: each result is a named status, and an error plans nothing. */
static void random_mutations_never_crash(void **state)
{
    fixture_t *fx = *state;
    static const char *seeds[] = {
        SAMPLE,
        OTA(ERASE(2) "," UPD(6, "http:\\/\\/h\\/6", DA) ",{\"Version\":7,\"URL\":\"u\",\"Digest\":\"" DB
            "\",\"Size\":10,\"x\":[[{}],{\"y\":[1,-2.5e3,true,null]}]}"),
    };
    static const char alphabet[] = "{}[]\":,\\ \t\n0123456789-+.eEtruefalsn\x01\xff";
    char m[1024];
    uint32_t rng = 12345;
    int ok = 0;
    for (int round = 0; round < 100000; round++) {
        const char *seed = seeds[round % 2];
        size_t n = strlen(seed);
        memcpy(m, seed, n);
        int edits = 1 + round % 4;
        for (int e = 0; e < edits; e++) {
            rng = rng * 1103515245u + 12345u;
            size_t at = (rng >> 8) % n;
            char c = alphabet[(rng >> 20) % (sizeof(alphabet) - 1)];
            switch ((rng >> 4) % 3) {
            case 0: m[at] = c; break;                                          /* replace */
            case 1: memmove(m + at, m + at + 1, n - at - 1); n--; break;      /* delete */
            default: memmove(m + at + 1, m + at, n - at); m[at] = c; n++; break; /* insert */
            }
        }
        ota_manifest_status_t st = ota_manifest_select(&fx->parser, m, n, &fx->device, &fx->plan);
        assert_true(st <= 0 && st >= OTA_MANIFEST_ERR_AMBIGUOUS);
        if (st == OTA_MANIFEST_OK) {
            ok++;
            assert_true(fx->plan.erase_count <= OTA_MANIFEST_ERASE_MAX);
            if (fx->plan.has_update) {
                assert_int_equal(strlen(fx->plan.update.url), fx->plan.update.url_len);
                assert_true(fx->plan.update.version > fx->device.running_version);
            }
        } else {
            assert_plan_empty(&fx->plan);
        }
    }
    print_message("    100,000 mutations: %d accepted, the rest refused by name\n", ok);
    assert_true(ok > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(original_sample_chooses_version_6, setup, teardown),
        cmocka_unit_test_setup_teardown(minified_and_pretty_give_the_same_plan, setup, teardown),
        cmocka_unit_test_setup_teardown(highest_wins_in_any_order, setup, teardown),
        cmocka_unit_test_setup_teardown(nothing_newer_means_no_update, setup, teardown),
        cmocka_unit_test_setup_teardown(rejected_version_is_skipped_for_the_next_highest, setup, teardown),
        cmocka_unit_test_setup_teardown(downgrade_only_when_allowed, setup, teardown),
        cmocka_unit_test_setup_teardown(erase_entries_are_collected_even_for_absent_versions, setup, teardown),
        cmocka_unit_test_setup_teardown(erase_and_update_of_one_version_erase_wins, setup, teardown),
        cmocka_unit_test_setup_teardown(erase_list_has_a_bound, setup, teardown),
        cmocka_unit_test_setup_teardown(empty_ota_array_means_no_update, setup, teardown),
        cmocka_unit_test_setup_teardown(key_order_and_optional_size, setup, teardown),
        cmocka_unit_test_setup_teardown(uppercase_digest_is_accepted, setup, teardown),
        cmocka_unit_test_setup_teardown(unknown_keys_and_nested_values_are_skipped, setup, teardown),
        cmocka_unit_test_setup_teardown(url_escapes_are_decoded, setup, teardown),
        cmocka_unit_test_setup_teardown(same_version_twice, setup, teardown),
        cmocka_unit_test_setup_teardown(bom_and_trailing_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(each_error_is_named_and_plans_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(error_location_is_reported, setup, teardown),
        cmocka_unit_test_setup_teardown(url_limit_and_manifest_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(pieces_of_any_size_give_the_same_answer, setup, teardown),
        cmocka_unit_test_setup_teardown(late_erase_entry_asks_for_a_second_pass, setup, teardown),
        cmocka_unit_test_setup_teardown(second_pass_only_for_a_passed_over_version, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_arguments, setup, teardown),
        cmocka_unit_test(status_names_are_distinct),
        cmocka_unit_test_setup_teardown(hw_id_entries_for_other_boards_are_ignored, setup, teardown),
        cmocka_unit_test_setup_teardown(freshness_fields_are_read, setup, teardown),
        cmocka_unit_test_setup_teardown(ten_thousand_entries, setup, teardown),
        cmocka_unit_test_setup_teardown(url_of_64_kib, setup, teardown),
        cmocka_unit_test_setup_teardown(nesting_1000_deep, setup, teardown),
        cmocka_unit_test_setup_teardown(huge_numbers_do_not_overflow, setup, teardown),
        cmocka_unit_test_setup_teardown(random_mutations_never_crash, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
