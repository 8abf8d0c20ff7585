/* SPDX-License-Identifier: Apache-2.0 */
/*
 * File entries of the manifest (the original's File Download): the original documentation's
 * sample is read (its files entry, public_key included, and its image entry), a bad file entry
 * refuses that entry only, never the image update, and every split of the text gives the same
 * plan.
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

#define D1 "1601B47A0DEE36196B1056B3E04AEF7CA1744DD6E18F63CB95E798C1C739AAB9"
#define DK "AC7395DE5A1E328BFF0EBD53E1F55332F78186F388A8B8B85FD8E10AB56EB176"
#define D2 "0578CC171C82068A45344DA4D867F72CDB6CF823EBC73541DE4CDAC675B116F0"
#define DV "f6f981386e630d6f69dddd7052d06dcdf7c59b9095e5912eccf6fd0bc627db50"
/* A Signature (88 characters); SIG_HEAD: all of it but its last quantum, "Xg==". */
#define SIG_HEAD "Et59Glludsj0OalTHKB9y90dEsLwtAVJhMRWqWdAB8VW3vrtClVETfnh6ILWIpf3kaUYsV4wjZrPys6BZjG6"
#define SIG SIG_HEAD "Xg=="

/* The original's "Sample JSON for File Download", as its documentation prints it (tabs and
 * all). */
static const char SAMPLE[] =
    "{\n"
    "    \"ota\": [\n"
    "\t\t\t{\n"
    "\t\t\t\t\"files\" : [\t\t\n"
    "\t\t\t\t\t\t\t{\n"
    "\t\t\t\t\t\t\t\t\"slot_number\":0,\n"
    "\t\t\t\t\t\t\t\t\"length\":16968,\n"
    "\t\t\t\t\t\t\t\t\"URL\":\"http://192.168.0.237:8000/test_app.bin\",\n"
    "\t\t\t\t\t\t\t\t\"digest\":\"" D1 "\",\n"
    "\t\t\t\t\t\t\t\t\"Signature\":\"" SIG "\",\n"
    "\t\t\t\t\t\t\t\t\"public_key\" : [\n"
    "\t\t\t\t\t\t\t\t\t\t\t\t{\n"
    "\t\t\t\t\t\t\t\t\t\t\t\t\t\"slot_number\":1,\n"
    "\t\t\t\t\t\t\t\t\t\t\t\t\t\"length\":91,\n"
    "\t\t\t\t\t\t\t\t\t\t\t\t\t\"URL\":\"http://192.168.0.237:8000/public_key.der\",\n"
    "\t\t\t\t\t\t\t\t\t\t\t\t\t\"digest\":\"" DK "\"\n"
    "\t\t\t\t\t\t\t\t\t\t\t\t}\t\n"
    "\t\t\t\t\t\t\t\t\t\t\t]\n"
    "\t\t\t\t\t\t\t},\n"
    "\t\t\t\t\t\t\t{\n"
    "\t\t\t\t\t\t\t\t\"slot_number\":2,\n"
    "\t\t\t\t\t\t\t\t\"length\":1415,\n"
    "\t\t\t\t\t\t\t\t\"URL\":\"http://192.168.0.237:8000/ca_cert.crt\",\n"
    "\t\t\t\t\t\t\t\t\"digest\":\"" D2 "\"\n"
    "\t\t\t\t\t\t\t}\n"
    "\t\t\t\t\t\t]\n"
    "\t\t\t},\n"
    "  \t\t\t{\n"
    "                \"Version\": 1,\n"
    "                \"URL\": \"http://192.168.214.36:8000/wifi_ota_app_upgrade_ver2.bin\",\n"
    "                \"Digest\": \"" DV "\",\n"
    "\t\t\t\t\"Signature\": \"2+2R/43x3FvNoV8anNW2M5ndo+JlFNzHSjJ+iwL68w1v5XMcBPMx4+3u5lBFejUNU"
    "/MLLoP13zxwd45f6MCySQ==\",\n"
    "                \"EraseVer\": false\n"
    "            }\n"
    "\t\t]\n"
    "}\n";

static ota_manifest_parser_t parser;
static ota_manifest_plan_t plan;

static ota_manifest_status_t select_text(const char *json, uint32_t running)
{
    ota_manifest_device_t dev = {.running_version = running};
    ota_manifest_parser_init(&parser);
    return ota_manifest_select(&parser, json, strlen(json), &dev, &plan);
}

static void hex32(const char *hex, uint8_t out[32])
{
    for (int i = 0; i < 32; i++) {
        unsigned v;
        assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
        out[i] = (uint8_t)v;
    }
}

static void test_original_sample(void **unused)
{
    (void)unused;
    assert_int_equal(select_text(SAMPLE, 0), OTA_MANIFEST_OK);
    /* The image entry is chosen as ever: the files entry needs no Version. */
    assert_true(plan.has_update);
    assert_int_equal(plan.update.version, 1);
    assert_int_equal(plan.entry_count, 2);
    assert_int_equal(plan.file_count, 3);
    assert_int_equal(plan.files_dropped, 0);
    uint8_t d[32];

    const ota_manifest_file_t *f = &plan.files[0];
    assert_int_equal(f->status, OTA_MANIFEST_OK);
    assert_int_equal(f->slot, 0);
    assert_int_equal(f->length, 16968);
    assert_string_equal(f->url, "http://192.168.0.237:8000/test_app.bin");
    hex32(D1, d);
    assert_memory_equal(f->digest, d, 32);
    assert_int_equal(f->key_of, OTA_MANIFEST_FILE_NONE);
    assert_int_equal(f->sig_len, 64);
    /* base64 "Et59..." decodes to 0x12 0xde 0x7d ... */
    assert_int_equal(f->sig[0], 0x12);
    assert_int_equal(f->sig[1], 0xde);
    assert_int_equal(f->sig[2], 0x7d);
    assert_int_equal(f->sig[63], 0x5e);

    const ota_manifest_file_t *k = &plan.files[1];
    assert_int_equal(k->status, OTA_MANIFEST_OK);
    assert_int_equal(k->slot, 1);
    assert_int_equal(k->length, 91);
    assert_int_equal(k->key_of, 0);
    assert_string_equal(k->url, "http://192.168.0.237:8000/public_key.der");
    hex32(DK, d);
    assert_memory_equal(k->digest, d, 32);
    assert_int_equal(k->sig_len, 0);

    const ota_manifest_file_t *c = &plan.files[2];
    assert_int_equal(c->status, OTA_MANIFEST_OK);
    assert_int_equal(c->slot, 2);
    assert_int_equal(c->length, 1415);
    assert_string_equal(c->url, "http://192.168.0.237:8000/ca_cert.crt");
}

/* Every split of the text into two pieces reads the same plan as the whole. */
static void test_any_split_same_plan(void **unused)
{
    (void)unused;
    static ota_manifest_plan_t whole, split;
    assert_int_equal(select_text(SAMPLE, 0), OTA_MANIFEST_OK);
    whole = plan;
    size_t n = strlen(SAMPLE);
    ota_manifest_device_t dev = {0};
    for (size_t cut = 0; cut <= n; cut++) {
        ota_manifest_parser_init(&parser);
        assert_int_equal(ota_manifest_begin(&parser, &dev, &split), OTA_MANIFEST_OK);
        ota_manifest_feed(&parser, SAMPLE, cut);
        ota_manifest_feed(&parser, SAMPLE + cut, n - cut);
        assert_int_equal(ota_manifest_end(&parser), OTA_MANIFEST_OK);
        assert_memory_equal(&split, &whole, sizeof whole);
    }
}

#define FILE1(extra)                                                                            \
    "{\"slot_number\":0,\"length\":10,\"URL\":\"http://h/f\",\"digest\":\"" D1 "\"" extra "}"
#define IMAGE "{\"Version\":4,\"URL\":\"http://h/a.ota\",\"Digest\":\"" DV "\"}"

/* A file entry that is wrong in any way is refused alone: the image update stands. */
static void test_bad_file_entry_refuses_only_itself(void **unused)
{
    (void)unused;
    static const struct {
        const char *file;
        ota_manifest_status_t status;
    } cases[] = {
        {"{\"length\":10,\"URL\":\"http://h/f\",\"digest\":\"" D1 "\"}",
         OTA_MANIFEST_ERR_FILE_SLOT},
        {"{\"slot_number\":0,\"URL\":\"http://h/f\",\"digest\":\"" D1 "\"}",
         OTA_MANIFEST_ERR_FILE_LENGTH},
        {"{\"slot_number\":0,\"length\":10,\"digest\":\"" D1 "\"}",
         OTA_MANIFEST_ERR_MISSING_URL},
        {"{\"slot_number\":0,\"length\":10,\"URL\":\"http://h/f\"}",
         OTA_MANIFEST_ERR_MISSING_DIGEST},
        {FILE1(",\"slot_number\":1"), OTA_MANIFEST_ERR_DUPLICATE_KEY},
        {"{\"slot_number\":256,\"length\":10,\"URL\":\"http://h/f\",\"digest\":\"" D1 "\"}",
         OTA_MANIFEST_ERR_FILE_SLOT},
        {"{\"slot_number\":-1,\"length\":10,\"URL\":\"http://h/f\",\"digest\":\"" D1 "\"}",
         OTA_MANIFEST_ERR_FILE_SLOT},
        {"{\"slot_number\":\"0\",\"length\":10,\"URL\":\"http://h/f\",\"digest\":\"" D1 "\"}",
         OTA_MANIFEST_ERR_FILE_SLOT},
        {"{\"slot_number\":0,\"length\":0,\"URL\":\"http://h/f\",\"digest\":\"" D1 "\"}",
         OTA_MANIFEST_ERR_FILE_LENGTH},
        {"{\"slot_number\":0,\"length\":1.5,\"URL\":\"http://h/f\",\"digest\":\"" D1 "\"}",
         OTA_MANIFEST_ERR_FILE_LENGTH},
        {"{\"slot_number\":0,\"length\":10,\"URL\":\"\",\"digest\":\"" D1 "\"}",
         OTA_MANIFEST_ERR_URL_EMPTY},
        {"{\"slot_number\":0,\"length\":10,\"URL\":\"http://h/a b\",\"digest\":\"" D1 "\"}",
         OTA_MANIFEST_ERR_URL_CHAR},
        {"{\"slot_number\":0,\"length\":10,\"URL\":7,\"digest\":\"" D1 "\"}",
         OTA_MANIFEST_ERR_URL_TYPE},
        {"{\"slot_number\":0,\"length\":10,\"URL\":\"http://h/f\",\"digest\":\"abc\"}",
         OTA_MANIFEST_ERR_DIGEST},
        {FILE1(",\"Signature\":\"QUJD\""), OTA_MANIFEST_ERR_FILE_SIGNATURE},
        {FILE1(",\"Signature\":\"" SIG "==\""), OTA_MANIFEST_ERR_FILE_SIGNATURE},
        {FILE1(",\"Signature\":\"!!\""), OTA_MANIFEST_ERR_FILE_SIGNATURE},
        /* One '=' of two; padding bits that are not zero; a character after the padding. */
        {FILE1(",\"Signature\":\"" SIG_HEAD "Xg=\""), OTA_MANIFEST_ERR_FILE_SIGNATURE},
        {FILE1(",\"Signature\":\"" SIG_HEAD "Xh==\""), OTA_MANIFEST_ERR_FILE_SIGNATURE},
        {FILE1(",\"Signature\":\"" SIG "A\""), OTA_MANIFEST_ERR_FILE_SIGNATURE},
        {FILE1(",\"public_key\":{}"), OTA_MANIFEST_ERR_FILE_ENTRY},
    };
    char json[1024];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(json, sizeof json, "{\"ota\":[{\"files\":[%s]}," IMAGE "]}", cases[i].file);
        assert_int_equal(select_text(json, 1), OTA_MANIFEST_OK);
        assert_true(plan.has_update);
        assert_int_equal(plan.update.version, 4);
        assert_int_equal(plan.file_count, 1);
        if (plan.files[0].status != cases[i].status) {
            fail_msg("case %zu: %s: status %d, expected %d", i, cases[i].file,
                     plan.files[0].status, cases[i].status);
        }
    }
}

/* Keys of file entries in any case (the original's cJSON ignores it), unknown members of any
 * entry ignored, the Signature with or without its padding. */
static void test_case_and_unknown_members(void **unused)
{
    (void)unused;
    char sig_unpadded[sizeof SIG];
    memcpy(sig_unpadded, SIG, sizeof SIG);
    sig_unpadded[strlen(SIG) - 2] = '\0';
    char json[1024];
    snprintf(json, sizeof json,
             "{\"ota\":[{\"Files\":[{\"SLOT_NUMBER\":3,\"Length\":5,\"url\":\"http://h/x\","
             "\"Digest\":\"" D2 "\",\"signature\":\"%s\",\"comment\":{\"a\":[1,2]},"
             "\"public_key\":[{\"slot_number\":4,\"length\":91,\"URL\":\"http://h/k\","
             "\"digest\":\"" DK "\",\"extra\":null}]}],\"note\":\"x\"}," IMAGE "]}",
             sig_unpadded);
    assert_int_equal(select_text(json, 1), OTA_MANIFEST_OK);
    assert_int_equal(plan.update.version, 4);
    assert_int_equal(plan.file_count, 2);
    assert_int_equal(plan.files[0].status, OTA_MANIFEST_OK);
    assert_int_equal(plan.files[0].slot, 3);
    assert_int_equal(plan.files[0].sig_len, 64);
    assert_int_equal(plan.files[1].status, OTA_MANIFEST_OK);
    assert_int_equal(plan.files[1].key_of, 0);
}

/* A file entry's Signature is read as JSON unescapes it, as the image entry's is: a writer
 * that escapes '/' as "\/" (PHP's json_encode does) gives the same 64 bytes as one that does
 * not, and the bytes are those the base64 says. */
#define SIG_SLASH                                                                              \
    "2+2R/43x3FvNoV8anNW2M5ndo+JlFNzHSjJ+iwL68w1v5XMcBPMx4+3u5lBFejUNU/MLLoP13zxwd45f6MCySQ=="
static void test_signature_read_unescaped(void **unused)
{
    (void)unused;
    static const uint8_t HEAD[] = {0xdb, 0xed, 0x91, 0xff, 0x8d, 0xf1}; /* "2+2R/43x" */
    char escaped[2 * sizeof SIG_SLASH], json[1024];
    size_t n = 0;
    for (const char *c = SIG_SLASH; *c != '\0'; c++) {
        if (*c == '/') {
            escaped[n++] = '\\';
        }
        escaped[n++] = *c;
    }
    escaped[n] = '\0';
    uint8_t plain[64];
    const char *sigs[] = {SIG_SLASH, escaped};
    for (size_t i = 0; i < 2; i++) {
        snprintf(json, sizeof json,
                 "{\"ota\":[{\"files\":[{\"slot_number\":3,\"length\":5,\"URL\":\"http://h/x\","
                 "\"digest\":\"" D2 "\",\"Signature\":\"%s\"}]}," IMAGE "]}",
                 sigs[i]);
        assert_int_equal(select_text(json, 1), OTA_MANIFEST_OK);
        assert_int_equal(plan.files[0].status, OTA_MANIFEST_OK);
        assert_int_equal(plan.files[0].sig_len, 64);
        assert_memory_equal(plan.files[0].sig, HEAD, sizeof HEAD);
        if (i == 0) {
            memcpy(plain, plan.files[0].sig, sizeof plain);
        } else {
            assert_memory_equal(plan.files[0].sig, plain, sizeof plain);
        }
    }
}

/* More entries than the plan holds: the rest are counted, the update stands. A "files" that
 * is not an array is dropped too. Invalid JSON still refuses the whole manifest. */
static void test_limits_and_json(void **unused)
{
    (void)unused;
    char json[4096];
    size_t n = (size_t)snprintf(json, sizeof json, "{\"ota\":[{\"files\":[");
    for (unsigned i = 0; i < OTA_FILE_ENTRIES_MAX + 2u; i++) {
        n += (size_t)snprintf(json + n, sizeof json - n, "%s" FILE1(""), i ? "," : "");
    }
    snprintf(json + n, sizeof json - n, "]},{\"files\":7}," IMAGE "]}");
    assert_int_equal(select_text(json, 1), OTA_MANIFEST_OK);
    assert_int_equal(plan.file_count, OTA_FILE_ENTRIES_MAX);
    assert_int_equal(plan.files_dropped, 3);
    assert_int_equal(plan.update.version, 4);

    assert_int_equal(select_text("{\"ota\":[{\"files\":[" FILE1(",") "]}," IMAGE "]}", 1),
                     OTA_MANIFEST_ERR_JSON);
    assert_int_equal(plan.file_count, 0);
    /* An entry with neither Version nor files is still refused. */
    assert_int_equal(select_text("{\"ota\":[{\"file\":[]}," IMAGE "]}", 1),
                     OTA_MANIFEST_ERR_MISSING_VERSION);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_original_sample),
        cmocka_unit_test(test_any_split_same_plan),
        cmocka_unit_test(test_bad_file_entry_refuses_only_itself),
        cmocka_unit_test(test_case_and_unknown_members),
        cmocka_unit_test(test_signature_read_unescaped),
        cmocka_unit_test(test_limits_and_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
