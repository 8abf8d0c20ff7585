/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The original's File Download through the agent, against python3 -m http.server on
 * 127.0.0.1: a manifest with file entries (in the original's shape: an entry of its own with
 * "files", no Version) and an image entry. The files land in their slots byte for byte and the
 * image update still happens; a wrong digest, an unknown slot or a bad entry is refused alone
 * (FILE_FAILED) and the slot keeps its old file; a file already there is not fetched again; with
 * trusted keys only a file signed by one of them (the original's base64 r||s) is taken, never
 * on the word of the public_key entry that comes with it (itself a file that needs a
 * Signature then).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agent_harness.h"
#include "otaflow/files.h"
#include "test_keys.h"

static test_server_t srv;
static char base[64];

static int group_setup(void **state)
{
    if (harness_setup_dir(state) != 0) {
        return -1;
    }
    char portstr[8] = "0";
    char *argv[] = {"python3", "-u", "-m", "http.server", portstr, "--bind", "127.0.0.1", NULL};
    if (!test_server_start(&srv, argv, harness_www, NULL, "127.0.0.1", 10000)) {
        return -1;
    }
    snprintf(base, sizeof base, "http://127.0.0.1:%u", (unsigned)srv.port);
    return 0;
}

static int group_teardown(void **state)
{
    test_server_stop(&srv);
    return harness_teardown_dir(state);
}

/* www/name: len pseudo-random bytes (seed); its SHA-256 in hex. */
static void serve_file(const char *name, size_t len, unsigned seed, char hex[65])
{
    uint8_t *buf = malloc(len);
    assert_non_null(buf);
    uint32_t x = seed * 2654435761u + 7u;
    for (size_t i = 0; i < len; i++) {
        x = x * 1103515245u + 12345u;
        buf[i] = (uint8_t)(x >> 16);
    }
    char path[400];
    snprintf(path, sizeof path, "%s/%s", harness_www, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(buf, 1, len, f), len);
    fclose(f);
    uint8_t d[32];
    ota_sha256(buf, len, d);
    for (int i = 0; i < 32; i++) {
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    }
    free(buf);
}

static void write_manifest(const char *text)
{
    char path[400];
    snprintf(path, sizeof path, "%s/ota.json", harness_www);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* One file entry: slot, length, www/name, digest, and any extra members. */
static int file_entry(char *out, size_t cap, unsigned slot, size_t len, const char *name,
                      const char *hex, const char *extra)
{
    int n = snprintf(out, cap,
                     "{\"slot_number\":%u,\"length\":%zu,\"URL\":\"%s/%s\",\"digest\":\"%s\"%s}",
                     slot, len, base, name, hex, extra);
    assert_true(n > 0 && (size_t)n < cap); /* a cut entry would test another manifest */
    return n;
}

/* The image entry of www/app_vN.ota. */
static void image_entry(char *out, size_t cap, uint32_t version)
{
    char name[32], path[400];
    snprintf(name, sizeof name, "app_v%u.ota", (unsigned)version);
    snprintf(path, sizeof path, "%s/%s", harness_www, name);
    size_t len;
    uint8_t *img = harness_read_file(path, &len);
    uint8_t d[32];
    ota_sha256(img, len, d);
    free(img);
    char hex[65];
    for (int i = 0; i < 32; i++) {
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    }
    snprintf(out, cap, "{\"Version\":%u,\"URL\":\"%s/%s\",\"Digest\":\"%s\",\"EraseVer\":false}",
             (unsigned)version, base, name, hex);
}

/* The device with three file slots (and keys when given), started on ota.json. */
static agent_device_t *files_device(const ota_sig_keyring_t *keys, uint32_t running)
{
    agent_device_t *d = agent_device_new();
    d->fx->config.file_slots = 3;
    d->fx->config.trusted_keys = keys;
    assert_int_equal(store_fixture_remount(d->fx), OTA_STORE_OK);
    char murl[128];
    snprintf(murl, sizeof murl, "%s/ota.json", base);
    harness_device_start(d, murl, running, 60);
    return d;
}

/* Slot holds exactly www/name. */
static void assert_slot_holds(agent_device_t *d, uint8_t slot, const char *name)
{
    char path[400];
    snprintf(path, sizeof path, "%s/%s", harness_www, name);
    size_t len;
    uint8_t *want = harness_read_file(path, &len);
    uint8_t *got = malloc(len + 16);
    assert_non_null(got);
    uint32_t n = 0;
    ota_file_info_t info;
    assert_int_equal(ota_file_info(&d->fx->store, slot, &info), OTA_FILE_OK);
    assert_int_equal(info.length, len);
    assert_int_equal(ota_file_read(&d->fx->store, slot, 0, got, (uint32_t)len + 16u, &n),
                     OTA_FILE_OK);
    assert_int_equal(n, len);
    assert_memory_equal(got, want, len);
    assert_int_equal(ota_file_verify(&d->fx->store, slot), OTA_FILE_OK);
    free(got);
    free(want);
}

static const ota_event_t *nth_file_failure(const agent_device_t *d, size_t n)
{
    for (size_t i = 0; i < d->log.n; i++) {
        if (d->log.ev[i].type == OTA_EVT_FILE_FAILED && n-- == 0) {
            return &d->log.ev[i];
        }
    }
    return NULL;
}

/* Two files and an image: both files land, byte for byte, then the image is stored. */
static void test_two_files_and_an_image(void **state)
{
    (void)state;
    char h_cert[65], h_page[65], e1[512], e2[512], img[512], manifest[4096];
    serve_file("ca_cert.crt", 1415, 1, h_cert);
    serve_file("index.html", 40000, 2, h_page);
    harness_pack(2, 30000);
    file_entry(e1, sizeof e1, 2, 1415, "ca_cert.crt", h_cert, "");
    file_entry(e2, sizeof e2, 0, 40000, "index.html", h_page, ",\"comment\":\"unknown\"");
    image_entry(img, sizeof img, 2);
    snprintf(manifest, sizeof manifest, "{\"ota\":[{\"files\":[%s,%s]},%s]}", e1, e2, img);
    write_manifest(manifest);

    agent_device_t *d = files_device(NULL, 1);
    assert_true(agent_device_run_until(d, OTA_EVT_RESET_PENDING, 1, 20000));
    assert_int_equal(event_log_count(&d->log, OTA_EVT_FILE_STARTED), 2);
    assert_int_equal(event_log_count(&d->log, OTA_EVT_FILE_DONE), 2);
    assert_int_equal(event_log_count(&d->log, OTA_EVT_FILE_FAILED), 0);
    assert_int_equal(event_log_last(&d->log, OTA_EVT_FILE_DONE)->file_slot, 0);
    assert_int_equal(event_log_last(&d->log, OTA_EVT_FILE_DONE)->total, 40000);
    /* The files came before the image (which ends in a reset). */
    assert_true(event_log_find_from(&d->log, 0, OTA_EVT_FILE_DONE) <
                event_log_find_from(&d->log, 0, OTA_EVT_UPDATE_AVAILABLE));
    assert_slot_holds(d, 2, "ca_cert.crt");
    assert_slot_holds(d, 0, "index.html");
    ota_file_info_t info;
    assert_int_equal(ota_file_info(&d->fx->store, 1, &info), OTA_FILE_ERR_EMPTY);
    harness_assert_slot_is_file(d, 2);
    agent_device_free(d);
}

/* A wrong digest is refused and the old file kept, and not fetched again while the manifest
 * offers it; an unknown slot and a malformed entry are refused alone, and the image update
 * goes on through all of it; a file already there is not fetched again. */
static void test_refusals_keep_old_files(void **state)
{
    (void)state;
    char h_a[65], h_b[65], e1[512], e2[512], e3[512], img[512], manifest[4096];
    serve_file("a.bin", 3000, 3, h_a);
    file_entry(e1, sizeof e1, 1, 3000, "a.bin", h_a, "");
    snprintf(manifest, sizeof manifest, "{\"ota\":[{\"files\":[%s]}]}", e1);
    write_manifest(manifest);
    agent_device_t *d = files_device(NULL, 1);
    assert_true(agent_device_run_until(d, OTA_EVT_NO_UPDATE, 1, 10000));
    assert_int_equal(event_log_count(&d->log, OTA_EVT_FILE_DONE), 1);
    assert_slot_holds(d, 1, "a.bin");
    /* Already there: not fetched again. */
    assert_int_equal(ota_agent_check_now(&d->agent), OTA_AGENT_OK);
    assert_true(agent_device_run_until(d, OTA_EVT_NO_UPDATE, 2, 10000));
    assert_int_equal(event_log_count(&d->log, OTA_EVT_FILE_STARTED), 1);

    /* b.bin announced with a digest that is not its own: refused, a.bin stays. */
    serve_file("b.bin", 3000, 4, h_b);
    h_b[63] = h_b[63] == '0' ? '1' : '0';
    file_entry(e1, sizeof e1, 1, 3000, "b.bin", h_b, "");
    snprintf(manifest, sizeof manifest, "{\"ota\":[{\"files\":[%s]}]}", e1);
    write_manifest(manifest);
    assert_int_equal(ota_agent_check_now(&d->agent), OTA_AGENT_OK);
    assert_true(agent_device_run_until(d, OTA_EVT_NO_UPDATE, 3, 10000));
    assert_int_equal(event_log_count(&d->log, OTA_EVT_FILE_STARTED), 2);
    const ota_event_t *f = nth_file_failure(d, 0);
    assert_non_null(f);
    assert_int_equal(f->file_slot, 1);
    assert_int_equal(f->source, OTA_SRC_FILE);
    assert_int_equal(f->status, OTA_FILE_ERR_DIGEST);
    assert_slot_holds(d, 1, "a.bin");

    /* The same entry again, with a slot the store does not have, an entry without URL and an
     * image: the refused file is not requested again, the two others are refused alone, the
     * image is stored. */
    harness_pack(3, 20000);
    file_entry(e2, sizeof e2, 7, 3000, "a.bin", h_a, "");
    snprintf(e3, sizeof e3, "{\"slot_number\":2,\"length\":5,\"digest\":\"%s\"}", h_a);
    image_entry(img, sizeof img, 3);
    snprintf(manifest, sizeof manifest, "{\"ota\":[{\"files\":[%s,%s,%s]},%s]}", e1, e2, e3,
             img);
    write_manifest(manifest);
    assert_int_equal(ota_agent_check_now(&d->agent), OTA_AGENT_OK);
    assert_true(agent_device_run_until(d, OTA_EVT_RESET_PENDING, 1, 20000));
    assert_int_equal(event_log_count(&d->log, OTA_EVT_FILE_STARTED), 2);
    assert_int_equal(event_log_count(&d->log, OTA_EVT_FILE_FAILED), 4);
    assert_int_equal(nth_file_failure(d, 1)->status, OTA_FILE_ERR_REFUSED_BEFORE);
    f = nth_file_failure(d, 2);
    assert_int_equal(f->file_slot, 7);
    assert_int_equal(f->status, OTA_FILE_ERR_NO_SLOT);
    f = nth_file_failure(d, 3);
    assert_int_equal(f->source, OTA_SRC_MANIFEST);
    assert_int_equal(f->status, OTA_MANIFEST_ERR_MISSING_URL);
    assert_slot_holds(d, 1, "a.bin");
    harness_assert_slot_is_file(d, 3);
    agent_device_free(d);
}

/* The Signature member of a file whose SHA-256 (hex) is given, made with key. */
static void signature_member(tool_key_t *key, const char *hex, char *out, size_t cap)
{
    uint8_t d[32];
    for (int i = 0; i < 32; i++) {
        unsigned v;
        assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
        d[i] = (uint8_t)v;
    }
    char text[100];
    assert_int_equal(test_keys_original_signature(key, d, text), 0);
    snprintf(out, cap, ",\"Signature\":\"%s\"", text);
}

static void test_signed_files(void **state)
{
    (void)state;
    tool_key_t trusted, other;
    ota_sig_key_t entry;
    assert_int_equal(test_keys_make(&trusted, &other, &entry), 0);
    ota_sig_keyring_t ring = {.keys = &entry, .count = 1};
    char h_good[65], h_key[65], h_bad[65], h_none[65], sig[200], key_sig[200], e[4][1024];
    char manifest[5000];
    serve_file("signed.bin", 2000, 5, h_good);
    serve_file("public_key.der", 91, 6, h_key);
    serve_file("other.bin", 2000, 7, h_bad);
    serve_file("unsigned.bin", 2000, 8, h_none);
    /* Signed by the trusted key, with a public_key entry (a file like any other). */
    char keys[600], extra[900];
    signature_member(&trusted, h_good, sig, sizeof sig);
    file_entry(keys, sizeof keys, 2, 91, "public_key.der", h_key, "");
    snprintf(extra, sizeof extra, "%s,\"public_key\":[%s]", sig, keys);
    file_entry(e[0], sizeof e[0], 0, 2000, "signed.bin", h_good, extra);
    /* Signed by a key the device does not trust, whatever public_key the entry brings. */
    signature_member(&other, h_bad, key_sig, sizeof key_sig);
    file_entry(e[1], sizeof e[1], 1, 2000, "other.bin", h_bad, key_sig);
    snprintf(manifest, sizeof manifest, "{\"ota\":[{\"files\":[%s,%s]}]}", e[0], e[1]);
    write_manifest(manifest);

    agent_device_t *d = files_device(&ring, 1);
    assert_true(agent_device_run_until(d, OTA_EVT_NO_UPDATE, 1, 10000));
    /* signed.bin lands. Its public_key entry is a file like any other, and unsigned: refused
     * while keys are trusted (and never used to check anything). other.bin is refused before
     * any request. */
    assert_int_equal(event_log_count(&d->log, OTA_EVT_FILE_DONE), 1);
    assert_int_equal(event_log_count(&d->log, OTA_EVT_FILE_STARTED), 1);
    assert_int_equal(event_log_count(&d->log, OTA_EVT_FILE_FAILED), 2);
    assert_int_equal(nth_file_failure(d, 0)->file_slot, 2);
    assert_int_equal(nth_file_failure(d, 0)->status, OTA_FILE_ERR_UNSIGNED);
    assert_int_equal(nth_file_failure(d, 1)->file_slot, 1);
    assert_int_equal(nth_file_failure(d, 1)->status, OTA_FILE_ERR_SIGNATURE);
    assert_slot_holds(d, 0, "signed.bin");
    ota_file_info_t info;
    assert_int_equal(ota_file_info(&d->fx->store, 1, &info), OTA_FILE_ERR_EMPTY);
    assert_int_equal(ota_file_info(&d->fx->store, 2, &info), OTA_FILE_ERR_EMPTY);

    /* Unsigned: refused while keys are trusted. */
    file_entry(e[2], sizeof e[2], 1, 2000, "unsigned.bin", h_none, "");
    snprintf(manifest, sizeof manifest, "{\"ota\":[{\"files\":[%s]}]}", e[2]);
    write_manifest(manifest);
    assert_int_equal(ota_agent_check_now(&d->agent), OTA_AGENT_OK);
    assert_true(agent_device_run_until(d, OTA_EVT_NO_UPDATE, 2, 10000));
    assert_int_equal(nth_file_failure(d, 2)->status, OTA_FILE_ERR_UNSIGNED);
    assert_int_equal(ota_file_info(&d->fx->store, 1, &info), OTA_FILE_ERR_EMPTY);
    agent_device_free(d);
    test_keys_free(&trusted, &other);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_files_and_an_image),
        cmocka_unit_test(test_refusals_keep_old_files),
        cmocka_unit_test(test_signed_files),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
