/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The core built without status names (CMakeLists.txt compiles this test and the core with
 * OTA_STATUS_STRINGS 0; include/otaflow/config.h, docs/configuration.md), as a small agent
 * links it: no *_str() gives a name any more, every one returns OTA_STATUS_TEXT_NONE, and a
 * failure is still told in full by numbers, in the event and in the agent's log line. Built
 * as issue 13's agent part is measured (docs/footprint.md), without issue 14's options
 * (OTA_RAW_IMAGES 0, OTA_FILE_SLOTS 0): a raw image is still refused at its first bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "event_log.h"
#include "mock_transport.h"
#include "otaflow/agent.h"
#include "otaflow/boot.h"
#include "otaflow/crypto.h"
#include "otaflow/guard.h"
#include "otaflow/http.h"
#include "otaflow/http_response.h"
#include "otaflow/image.h"
#include "otaflow/image_sig.h"
#include "otaflow/agent_patch.h"
#include "otaflow/manifest.h"
#include "otaflow/manifest_sig.h"
#include "otaflow/store.h"
#include "otaflow/url.h"
#include "store_fixture.h"

_Static_assert(OTA_STATUS_STRINGS == 0 && OTA_RAW_IMAGES == 0 && OTA_FILE_SLOTS == 0 &&
                   OTA_DELTA_PATCHES == 0,
               "built as the agent part is measured");

/* The success, a failure and a value outside the enum of each module: all the same text. */
static void no_names_compiled_in(void **unused)
{
    (void)unused;
    const char *texts[] = {
        ota_agent_status_str(OTA_AGENT_OK),
        ota_agent_status_str(OTA_AGENT_ERR_URL),
        ota_agent_status_str((ota_agent_status_t)-999),
        ota_agent_state_str(OTA_AGENT_DOWNLOADING),
        ota_event_type_str(OTA_EVT_CHECK_FAILED),
        ota_boot_status_str(OTA_BOOT_ERR_NO_IMAGE),
        ota_crypto_status_str(OTA_CRYPTO_OK),
        ota_guard_status_str(OTA_GUARD_OK),
        ota_http_status_str(OTA_HTTP_ERR_STATUS),
        ota_http_parser_error_str(NULL),
        ota_http_resp_status_str(OTA_HTTP_RESP_ERR_CHUNK),
        ota_http_resp_parser_error_str(NULL),
        ota_image_status_str(OTA_IMAGE_OK),
        ota_sig_status_str(OTA_SIG_OK),
        ota_manifest_status_str(OTA_MANIFEST_OK),
        ota_manifest_sig_status_str(OTA_MANIFEST_SIG_OK),
        ota_store_status_str(OTA_STORE_ERR_DIGEST),
        ota_file_status_str(OTA_FILE_ERR_DIGEST),
        ota_slot_state_str(OTA_SLOT_STORED),
        ota_boot_state_str(OTA_BOOT_TRIAL),
        ota_url_status_str(OTA_URL_OK),
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        assert_non_null(texts[i]);
        assert_string_equal(texts[i], OTA_STATUS_TEXT_NONE);
    }
}

typedef struct lines {
    char line[8][128];
    size_t n;
} lines_t;

static void keep_line(void *ctx, const char *line)
{
    lines_t *l = ctx;
    if (l->n < 8) {
        snprintf(l->line[l->n++], sizeof l->line[0], "%s", line);
    }
}

/* The agent of these tests: v1 runs, one manifest URL, events recorded. */
static ota_agent_config_t agent_config(event_log_t *events)
{
    ota_agent_config_t cfg;
    ota_agent_config_default(&cfg);
    cfg.manifest_url = "http://ota.example:8000/ota.json";
    cfg.running_version = 1;
    cfg.on_event = event_log_record;
    cfg.event_user = events;
    return cfg;
}

/* A manifest answered 404: the event and the log line still say which module failed how. */
static void failure_told_by_numbers(void **unused)
{
    (void)unused;
    store_fixture_t *fx = store_fixture_open(NULL, NULL);
    static mock_transport_t mock;
    static event_log_t events;
    static lines_t lines;
    static ota_agent_t agent;
    mock_init(&mock);
    mock_add(&mock, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", OTA_NET_ERR_CLOSED);
    ota_agent_config_t cfg = agent_config(&events);
    cfg.retry_first_s = 60;
    cfg.retry_max_s = 60;
    ota_agent_ports_t ports = {
        .transport = mock_transport(&mock),
        .store = &fx->store,
        .log = keep_line,
        .log_ctx = &lines,
    };
    assert_int_equal(ota_agent_init(&agent, &cfg, &ports), OTA_AGENT_OK);
    assert_int_equal(ota_agent_check_now(&agent), OTA_AGENT_OK);
    for (uint32_t now = 1000; now < 2000 && event_log_failures(&events) == 0; now++) {
        (void)ota_agent_poll(&agent, now);
    }
    const ota_event_t *e = event_log_last(&events, OTA_EVT_CHECK_FAILED);
    assert_non_null(e);
    assert_int_equal(e->source, OTA_SRC_HTTP);
    assert_int_equal(e->status, OTA_HTTP_ERR_STATUS);
    assert_int_equal(e->http_status, 404);
    assert_string_equal(e->reason, OTA_STATUS_TEXT_NONE);

    char want[128];
    snprintf(want, sizeof want, "ota: event %d", (int)OTA_EVT_CHECK_STARTED);
    assert_true(lines.n >= 2);
    assert_string_equal(lines.line[0], want);
    snprintf(want, sizeof want, "ota: event %d: source %d status %d http 404, retry in %u s",
             (int)OTA_EVT_CHECK_FAILED, (int)OTA_SRC_HTTP, (int)OTA_HTTP_ERR_STATUS,
             (unsigned)e->retry_s);
    assert_int_not_equal(e->retry_s, 0);
    assert_string_equal(lines.line[lines.n - 1], want);
    store_fixture_close(fx);
}

/* One connection: the manifest, then a file that is no .ota (an ELF's first bytes). */
static void serve_manifest_and_file(mock_transport_t *mock, const uint8_t *file, size_t len)
{
    static char manifest[256], head1[512], head2[2048];
    uint8_t digest[OTA_SHA256_SIZE];
    ota_sha256(file, len, digest);
    int n = snprintf(manifest, sizeof manifest,
                     "{\"ota\":[{\"Version\":3,\"URL\":\"http://ota.example:8000/app.bin\","
                     "\"Digest\":\"");
    for (size_t i = 0; i < sizeof digest; i++) {
        n += snprintf(manifest + n, sizeof manifest - (size_t)n, "%02x", digest[i]);
    }
    snprintf(manifest + n, sizeof manifest - (size_t)n, "\"}]}");
    snprintf(head1, sizeof head1, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n%s",
             strlen(manifest), manifest);
    int h = snprintf(head2, sizeof head2, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", len);
    memcpy(head2 + h, file, len);
    mock_conn_t *c = mock_add(mock, head1, OTA_NET_WOULD_BLOCK);
    c->responses[1] = head2;
    c->response_lens[1] = (size_t)h + len;
}

/* Without OTA_RAW_IMAGES nothing is held back to tell a raw image from an .ota, yet one is
 * refused at its first byte: ERR_RAW_IMAGE, not one byte written, no slot taken. */
static void raw_image_refused_at_its_first_byte(void **unused)
{
    (void)unused;
    store_fixture_t *fx = store_fixture_open(NULL, NULL);
    static mock_transport_t mock;
    static event_log_t events;
    static ota_agent_t agent;
    static uint8_t file[1000];
    for (size_t i = 0; i < sizeof file; i++) {
        file[i] = (uint8_t)(i * 13u);
    }
    memcpy(file, "\x7f" "ELF", 4);
    mock_init(&mock);
    serve_manifest_and_file(&mock, file, sizeof file);
    ota_agent_config_t cfg = agent_config(&events);
    cfg.auto_reset = false;
    cfg.accept_raw_images = true; /* asked for, but not compiled in */
    ota_agent_ports_t ports = {.transport = mock_transport(&mock), .store = &fx->store};
    assert_int_equal(ota_agent_init(&agent, &cfg, &ports), OTA_AGENT_OK);
    uint64_t erases = ota_sim_flash_stats(&fx->dev).erases;
    for (uint32_t now = 1000; now < 30000 && event_log_failures(&events) == 0; now++) {
        (void)ota_agent_poll(&agent, now);
    }
    const ota_event_t *e = event_log_last(&events, OTA_EVT_DOWNLOAD_FAILED);
    assert_non_null(e);
    assert_int_equal(e->source, OTA_SRC_AGENT);
    assert_int_equal(e->status, OTA_AGENT_ERR_RAW_IMAGE);
    assert_int_equal(ota_sim_flash_stats(&fx->dev).erases, erases); /* no slot sector erased */
    for (uint8_t s = 1; s < ota_store_slot_count(&fx->store); s++) {
        assert_int_equal(ota_store_slot(&fx->store, s)->state, OTA_SLOT_EMPTY);
    }
    store_fixture_close(fx);
}

/* Without OTA_DELTA_PATCHES a manifest's Patch entry is read and ignored, even with patch RAM
 * given and its base in the store: the full image is fetched. */
static void patch_entries_ignored(void **unused)
{
    (void)unused;
    store_fixture_t *fx = store_fixture_open(NULL, NULL);
    static mock_transport_t mock;
    static event_log_t events;
    static ota_agent_t agent;
    static ota_agent_patch_t patch_ram;
    static char manifest[1024], response[1200];
    uint8_t base = store_fixture_store_version(fx, 1, 4000);
    char base_hex[2 * OTA_SHA256_SIZE + 1];
    for (unsigned i = 0; i < OTA_SHA256_SIZE; i++) {
        snprintf(base_hex + 2 * i, 3, "%02x", ota_store_slot(&fx->store, base)->digest[i]);
    }
    const char *other = "1111111111111111111111111111111111111111111111111111111111111111";
    int n = snprintf(manifest, sizeof manifest,
                     "{\"ota\":[{\"Version\":2,\"URL\":\"http://ota.example:8000/app_v2.ota\","
                     "\"Digest\":\"%s\",\"Patch\":[{\"BaseVersion\":1,\"BaseVerDigest\":\"%s\","
                     "\"PatchURL\":\"http://ota.example:8000/1to2.patch\",\"PatchDigest\":\"%s\","
                     "\"TargetDigest\":\"%s\"}]}]}",
                     other, base_hex, other, other);
    assert_true(n > 0 && (size_t)n < sizeof manifest);
    snprintf(response, sizeof response, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n%s",
             strlen(manifest), manifest);
    mock_init(&mock);
    mock_conn_t *c = mock_add(&mock, response, OTA_NET_WOULD_BLOCK);
    c->responses[1] = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
    ota_agent_config_t cfg = agent_config(&events);
    cfg.retry_first_s = 60;
    cfg.retry_max_s = 60;
    ota_agent_ports_t ports = {
        .transport = mock_transport(&mock), .store = &fx->store, .patch = &patch_ram};
    assert_int_equal(ota_agent_init(&agent, &cfg, &ports), OTA_AGENT_OK);
    for (uint32_t now = 1000; now < 30000 && event_log_failures(&events) == 0; now++) {
        (void)ota_agent_poll(&agent, now);
    }
    assert_int_equal(mock_sent_count(&mock, "GET /app_v2.ota"), 1);
    assert_int_equal(mock_sent_count(&mock, "1to2.patch"), 0);
    assert_null(event_log_last(&events, OTA_EVT_PATCH_STARTED));
    store_fixture_close(fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(no_names_compiled_in),
        cmocka_unit_test(failure_told_by_numbers),
        cmocka_unit_test(raw_image_refused_at_its_first_byte),
        cmocka_unit_test(patch_entries_ignored),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
