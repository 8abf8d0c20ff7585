/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The update agent against real HTTP servers on 127.0.0.1: python3 -m http.server (what the
 * original tells its users to run), nginx (started with a private config), and the project's
 * own HTTP/1.1 test server for chunked bodies. Images and manifests are made by the
 * otaflow-image tool; the store is the strict RAM flash model of an SST26VF032B.
 */
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agent_harness.h"

static void url_base(char *out, size_t cap, const test_server_t *s)
{
    snprintf(out, cap, "http://127.0.0.1:%u", (unsigned)s->port);
}

/* ---- servers ------------------------------------------------------------------------------ */

static void python_start(test_server_t *s, uint16_t port)
{
    char portstr[8];
    snprintf(portstr, sizeof portstr, "%u", (unsigned)port);
    char *argv[] = {"python3", "-u", "-m", "http.server", portstr, "--bind", "127.0.0.1", NULL};
    assert_true(test_server_start(s, argv, harness_www, NULL, "127.0.0.1", 10000));
}

static void own_server_start(test_server_t *s)
{
    char script[512];
    snprintf(script, sizeof script, "%s/tests/support/http_test_server.py", test_source_dir());
    char *argv[] = {"python3", "-u", script, "--dir", harness_www, NULL};
    assert_true(test_server_start(s, argv, NULL, NULL, "127.0.0.1", 10000));
}

/* nginx serving www, with a 301 from an old path to the image. */
static void nginx_www_start(test_server_t *s)
{
    uint16_t port = test_server_closed_port();
    assert_int_not_equal(port, 0);
    char servers[600];
    snprintf(servers, sizeof servers,
             "  server {\n"
             "    listen 127.0.0.1:%u;\n"
             "    root %s;\n"
             "    location = /old/app_v3.ota { return 301 /app_v3.ota; }\n"
             "  }\n",
             (unsigned)port, harness_www);
    harness_nginx_start(s, port, servers);
}

/* ---- cases -------------------------------------------------------------------------------- */

/* Entries in any order: the highest newer version is downloaded, verified, stored. */
static void test_python_picks_highest_and_stores_it(void **state)
{
    (void)state;
    test_server_t srv = {0};
    python_start(&srv, 0);
    char base[64], murl[128];
    url_base(base, sizeof base, &srv);
    harness_pack(3, 300000);
    harness_pack(2, 200000);
    harness_manifest_reset();
    harness_manifest_add(3, base, "app_v3.ota", "app_v3.ota", false);
    harness_manifest_add(2, base, "app_v2.ota", "app_v2.ota", false);
    snprintf(murl, sizeof murl, "%s/ota.json", base);

    agent_device_t *d = agent_device_new();
    harness_device_start(d, murl, 1, 60);
    assert_true(agent_device_run_until(d, OTA_EVT_RESET_PENDING, 1, 20000));
    assert_int_equal(event_log_last(&d->log, OTA_EVT_UPDATE_AVAILABLE)->version, 3);
    assert_int_equal(event_log_count(&d->log, OTA_EVT_VERIFY_OK), 1);
    assert_int_equal(event_log_count(&d->log, OTA_EVT_DOWNLOAD_FAILED), 0);
    harness_assert_slot_is_file(d, 3);
    assert_int_equal(ota_store_find_version(&d->fx->store, 2), OTA_STORE_SLOT_NONE);
    assert_int_equal(ota_store_boot(&d->fx->store)->state, OTA_BOOT_INSTALL_PENDING);
    agent_device_free(d);
    test_server_stop(&srv);
}

static void test_python_no_update(void **state)
{
    (void)state;
    test_server_t srv = {0};
    python_start(&srv, 0);
    char base[64], murl[128];
    url_base(base, sizeof base, &srv);
    harness_pack(1, 1000);
    harness_manifest_reset();
    harness_manifest_add(1, base, "app_v1.ota", "app_v1.ota", false);
    snprintf(murl, sizeof murl, "%s/ota.json", base);

    agent_device_t *d = agent_device_new();
    harness_device_start(d, murl, 1, 60);
    assert_true(agent_device_run_until(d, OTA_EVT_NO_UPDATE, 1, 10000));
    assert_int_equal(event_log_count(&d->log, OTA_EVT_DOWNLOAD_STARTED), 0);
    agent_device_free(d);
    test_server_stop(&srv);
}

/* A 404 for the image is reported with its code; once the file appears, the next period
 * fetches it, without a reset. */
static void test_python_image_404_then_present(void **state)
{
    (void)state;
    test_server_t srv = {0};
    python_start(&srv, 0);
    char base[64], murl[128];
    url_base(base, sizeof base, &srv);
    harness_pack(4, 50000);
    harness_manifest_reset();
    harness_manifest_add(4, base, "late_v4.ota", "app_v4.ota", false);
    snprintf(murl, sizeof murl, "%s/ota.json", base);

    agent_device_t *d = agent_device_new();
    harness_device_start(d, murl, 1, 1);
    assert_true(agent_device_run_until(d, OTA_EVT_DOWNLOAD_FAILED, 1, 10000));
    const ota_event_t *f = event_log_last(&d->log, OTA_EVT_DOWNLOAD_FAILED);
    assert_int_equal(f->source, OTA_SRC_HTTP);
    assert_int_equal(f->http_status, 404);
    assert_int_equal(ota_store_find_version(&d->fx->store, 4), OTA_STORE_SLOT_NONE);

    harness_sh("cp %s/app_v4.ota %s/late_v4.ota", harness_www, harness_www);
    assert_true(agent_device_run_until(d, OTA_EVT_IMAGE_STORED, 1, 15000));
    harness_assert_slot_is_file(d, 4);
    agent_device_free(d);
    test_server_stop(&srv);
}

/* The manifest's digest is not the file's: reported, nothing stored, no install asked. */
static void test_python_digest_mismatch(void **state)
{
    (void)state;
    test_server_t srv = {0};
    python_start(&srv, 0);
    char base[64], murl[128];
    url_base(base, sizeof base, &srv);
    harness_pack(5, 40000);
    harness_pack(6, 40000);
    /* The tool refuses to describe a file by another file's digest, so this manifest is
     * written by hand: v5 served from app_v5.ota with the digest of app_v6.ota. */
    char path[400];
    snprintf(path, sizeof path, "%s/app_v6.ota", harness_www);
    size_t len;
    uint8_t *data = harness_read_file(path, &len);
    uint8_t dg[32];
    ota_sha256(data, len, dg);
    free(data);
    snprintf(path, sizeof path, "%s/ota.json", harness_www);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "{\"ota\":[{\"Version\":5,\"URL\":\"%s/app_v5.ota\",\"Digest\":\"", base);
    for (int i = 0; i < 32; i++) {
        fprintf(f, "%02x", dg[i]);
    }
    fprintf(f, "\",\"EraseVer\":false}]}\n");
    fclose(f);
    snprintf(murl, sizeof murl, "%s/ota.json", base);

    agent_device_t *d = agent_device_new();
    harness_device_start(d, murl, 1, 60);
    assert_true(agent_device_run_until(d, OTA_EVT_VERIFY_FAILED, 1, 10000));
    assert_int_equal(event_log_last(&d->log, OTA_EVT_VERIFY_FAILED)->status, OTA_STORE_ERR_DIGEST);
    assert_int_equal(event_log_count(&d->log, OTA_EVT_IMAGE_STORED), 0);
    assert_int_equal(ota_store_find_version(&d->fx->store, 5), OTA_STORE_SLOT_NONE);
    assert_int_not_equal(ota_store_boot(&d->fx->store)->state, OTA_BOOT_INSTALL_PENDING);
    agent_device_free(d);
    test_server_stop(&srv);
}

/* Store www/app_vN.ota directly into a download slot (as an earlier update would have). */
static uint8_t prestore(agent_device_t *d, uint32_t version)
{
    char path[400];
    snprintf(path, sizeof path, "%s/app_v%u.ota", harness_www, version);
    size_t len;
    uint8_t *data = harness_read_file(path, &len);
    uint8_t slot;
    assert_int_equal(store_fixture_download(&d->fx->store, version, data, len, 1000, &slot),
                     OTA_STORE_OK);
    free(data);
    return slot;
}

static void test_python_erase_ver_of_stored_version(void **state)
{
    (void)state;
    test_server_t srv = {0};
    python_start(&srv, 0);
    char base[64], murl[128];
    url_base(base, sizeof base, &srv);
    harness_pack(2, 30000);
    harness_manifest_reset();
    harness_manifest_add(2, base, "app_v2.ota", "app_v2.ota", true);
    snprintf(murl, sizeof murl, "%s/ota.json", base);

    agent_device_t *d = agent_device_new();
    uint8_t slot = prestore(d, 2);
    harness_device_start(d, murl, 1, 60);
    assert_true(agent_device_run_until(d, OTA_EVT_NO_UPDATE, 1, 10000));
    assert_int_equal(event_log_last(&d->log, OTA_EVT_IMAGE_ERASED)->version, 2);
    assert_int_equal(ota_store_slot(&d->fx->store, slot)->state, OTA_SLOT_EMPTY);
    assert_int_equal(ota_store_find_version(&d->fx->store, 2), OTA_STORE_SLOT_NONE);
    agent_device_free(d);
    test_server_stop(&srv);
}

/* EraseVer of the running version: the device asks to roll back (to the factory image). */
static void test_python_erase_ver_of_running_version(void **state)
{
    (void)state;
    test_server_t srv = {0};
    python_start(&srv, 0);
    char base[64], murl[128];
    url_base(base, sizeof base, &srv);
    harness_pack(1, 20000);
    harness_pack(2, 20000);
    harness_manifest_reset();
    harness_manifest_add(2, base, "app_v2.ota", "app_v2.ota", true);
    snprintf(murl, sizeof murl, "%s/ota.json", base);

    agent_device_t *d = agent_device_new();
    ota_store_t *st = &d->fx->store;
    /* Factory v1 saved by the bootloader, then v2 installed and confirmed. */
    char path[400];
    snprintf(path, sizeof path, "%s/app_v1.ota", harness_www);
    size_t len;
    uint8_t *data = harness_read_file(path, &len);
    uint8_t dg[32];
    ota_sha256(data, len, dg);
    uint32_t resume;
    assert_int_equal(ota_store_factory_begin(st, 1, (uint32_t)len, dg, &resume), OTA_STORE_OK);
    assert_int_equal(ota_store_download_write(st, 0, data, len), OTA_STORE_OK);
    assert_int_equal(ota_store_download_finish(st), OTA_STORE_OK);
    free(data);
    assert_int_equal(ota_store_set_running(st, 1, OTA_STORE_FACTORY_SLOT), OTA_STORE_OK);
    uint8_t slot2 = prestore(d, 2);
    assert_int_equal(ota_store_request_install(st, slot2), OTA_STORE_OK);
    assert_int_equal(ota_store_install_begin(st), OTA_STORE_OK);
    assert_int_equal(ota_store_install_done(st), OTA_STORE_OK);
    assert_int_equal(ota_store_confirm(st, 0), OTA_STORE_OK);
    assert_int_equal(ota_store_boot(st)->running_version, 2);

    harness_device_start(d, murl, 2, 60);
    assert_true(agent_device_run_until(d, OTA_EVT_RESET_PENDING, 1, 10000));
    assert_int_equal(event_log_last(&d->log, OTA_EVT_IMAGE_ERASED)->version, 2);
    const ota_store_boot_t *b = ota_store_boot(st);
    assert_int_equal(b->state, OTA_BOOT_INSTALL_PENDING);
    assert_int_equal(b->install_slot, OTA_STORE_FACTORY_SLOT);
    /* Still bootable until the reset: the running image's bytes are untouched. */
    assert_int_equal(ota_store_slot_verify(st, slot2), OTA_STORE_OK);
    agent_device_free(d);
    test_server_stop(&srv);
}

/* nginx: plain fetch, and a 301 from an old path to the image. */
static void test_nginx_redirected_image(void **state)
{
    (void)state;
    test_server_t srv = {0};
    nginx_www_start(&srv);
    char base[64], murl[128];
    url_base(base, sizeof base, &srv);
    harness_pack(3, 250000);
    harness_manifest_reset();
    harness_manifest_add(3, base, "old/app_v3.ota", "app_v3.ota", false);
    snprintf(murl, sizeof murl, "%s/ota.json", base);

    agent_device_t *d = agent_device_new();
    harness_device_start(d, murl, 2, 60);
    assert_true(agent_device_run_until(d, OTA_EVT_RESET_PENDING, 1, 20000));
    assert_int_equal(event_log_count(&d->log, OTA_EVT_DOWNLOAD_FAILED), 0);
    assert_true(ota_http_response(&d->agent.http)->redirects >= 1);
    harness_assert_slot_is_file(d, 3);
    agent_device_free(d);
    test_server_stop(&srv);
}

/* A chunked body (the project's own HTTP/1.1 server, random chunk sizes and a trailer). */
static void test_chunked_image(void **state)
{
    (void)state;
    test_server_t srv = {0};
    own_server_start(&srv);
    char base[64], murl[128];
    url_base(base, sizeof base, &srv);
    harness_pack(3, 180000);
    harness_manifest_reset();
    harness_manifest_add(3, base, "chunked/app_v3.ota", "app_v3.ota", false);
    snprintf(murl, sizeof murl, "%s/ota.json", base);

    agent_device_t *d = agent_device_new();
    harness_device_start(d, murl, 1, 60);
    assert_true(agent_device_run_until(d, OTA_EVT_RESET_PENDING, 1, 20000));
    assert_true(ota_http_response(&d->agent.http)->chunked);
    harness_assert_slot_is_file(d, 3);
    agent_device_free(d);
    test_server_stop(&srv);
}

/* Server down at first: the check fails (refused) and is retried each period until the
 * server is up; then the update goes through, without a reset. */
static void test_server_down_then_up(void **state)
{
    (void)state;
    uint16_t port = test_server_closed_port();
    assert_int_not_equal(port, 0);
    char base[64], murl[128];
    snprintf(base, sizeof base, "http://127.0.0.1:%u", (unsigned)port);
    harness_pack(2, 60000);
    harness_manifest_reset();
    harness_manifest_add(2, base, "app_v2.ota", "app_v2.ota", false);
    snprintf(murl, sizeof murl, "%s/ota.json", base);

    agent_device_t *d = agent_device_new();
    harness_device_start(d, murl, 1, 1);
    assert_true(agent_device_run_until(d, OTA_EVT_CHECK_FAILED, 2, 10000));
    assert_int_equal(event_log_last(&d->log, OTA_EVT_CHECK_FAILED)->status, OTA_HTTP_ERR_REFUSED);

    test_server_t srv = {0};
    python_start(&srv, port);
    assert_true(agent_device_run_until(d, OTA_EVT_IMAGE_STORED, 1, 15000));
    harness_assert_slot_is_file(d, 2);
    agent_device_free(d);
    test_server_stop(&srv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_python_picks_highest_and_stores_it),
        cmocka_unit_test(test_python_no_update),
        cmocka_unit_test(test_python_image_404_then_present),
        cmocka_unit_test(test_python_digest_mismatch),
        cmocka_unit_test(test_python_erase_ver_of_stored_version),
        cmocka_unit_test(test_python_erase_ver_of_running_version),
        cmocka_unit_test(test_nginx_redirected_image),
        cmocka_unit_test(test_chunked_image),
        cmocka_unit_test(test_server_down_then_up),
    };
    return cmocka_run_group_tests(tests, harness_setup_dir, harness_teardown_dir);
}
