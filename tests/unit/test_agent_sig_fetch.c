/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The agent's second fetch of a check.
 *
 * A manifest's detached signature (manifest_url + ".sig") when that fetch goes wrong: a server
 * error, a .sig larger than any signature, a connection that drops. The check fails by name
 * (CHECK_FAILED with the module and status), nothing is downloaded or stored, and the agent is
 * idle, ready for its next period.
 *
 * The manifest itself, read a second time: the agent reads the manifest as it arrives and
 * never holds it, so when an EraseVer entry comes after the update it removes, the versions
 * passed over for that update are found by fetching the manifest again. The second copy must
 * hash the same as the first or the check fails by name: a server that changes the manifest
 * between the two reads does not get a plan mixed from both.
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
#include "store_fixture.h"

typedef struct device {
    store_fixture_t *fx;
    mock_transport_t net;
    event_log_t events;
    ota_agent_t agent;
    char answers[2][1024];
} device_t;

static ota_sig_key_t key; /* any key: these checks fail before a signature is verified */
static const ota_sig_keyring_t ring = {.keys = &key, .count = 1};

static const char manifest[] = "{\"ota\":[]}";

#define DA "745189cbb24b752a0175de1f9d5d61433ba47d89aff5b5a3686f54ca2d5dfb22"
#define DB "0000000000000000000000000000000000000000000000000000000000000001"
#define UPD(v, url, dig) "{\"Version\":" #v ",\"URL\":\"" url "\",\"Digest\":\"" dig "\"}"
#define ERASE(v) "{\"Version\":" #v ",\"EraseVer\":true}"
#define OTA(...) "{\"ota\":[" __VA_ARGS__ "]}"

/* 4 is passed over for 9, which the last entry erases: only a second read finds 4. */
static const char LATE_ERASE[] =
    OTA(UPD(4, "http://ota.example/4.ota", DA) "," UPD(9, "http://ota.example/9.ota", DB) ","
        ERASE(9));

/* One keep-alive connection: the manifest (200), then the second answer (`status`, `body`):
 * the .sig with `keys`, else the manifest's second read. */
static device_t *device_serving(const char *first, const char *status, const char *body,
                                size_t len, ota_net_status_t end, bool keys)
{
    device_t *d = calloc(1, sizeof *d);
    assert_non_null(d);
    d->fx = store_fixture_open(NULL, NULL);
    mock_init(&d->net);
    snprintf(d->answers[0], sizeof d->answers[0],
             "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n%s", strlen(first), first);
    int n = snprintf(d->answers[1], sizeof d->answers[1],
                     "HTTP/1.1 %s\r\nContent-Length: %zu\r\n\r\n", status, len);
    assert_true((size_t)n + len < sizeof d->answers[1]);
    memcpy(d->answers[1] + n, body, len);
    mock_conn_t *c = mock_add(&d->net, d->answers[0], end);
    c->responses[1] = d->answers[1];
    c->response_lens[1] = (size_t)n + len;

    ota_agent_config_t cfg;
    ota_agent_config_default(&cfg);
    cfg.manifest_url = "http://ota.example/ota.json";
    cfg.running_version = 1;
    cfg.manifest_keys = keys ? &ring : NULL;
    cfg.require_signed_manifest = keys;
    cfg.auto_update = false;
    cfg.on_event = event_log_record;
    cfg.event_user = &d->events;
    ota_agent_ports_t ports = {.transport = mock_transport(&d->net), .store = &d->fx->store};
    assert_int_equal(ota_agent_init(&d->agent, &cfg, &ports), OTA_AGENT_OK);
    return d;
}

static device_t *device_with_sig_answer(const char *status, const char *sig_body, size_t sig_len,
                                        ota_net_status_t end)
{
    return device_serving(manifest, status, sig_body, sig_len, end, true);
}

static void device_free(device_t *d)
{
    store_fixture_close(d->fx);
    free(d);
}

/* Check once; the failure it ends with. */
static const ota_event_t *check_fails(device_t *d)
{
    assert_int_equal(ota_agent_check_now(&d->agent), OTA_AGENT_OK);
    uint32_t now = 1000;
    for (unsigned i = 0; i < 2000 && event_log_count(&d->events, OTA_EVT_CHECK_FAILED) == 0; i++) {
        ota_agent_poll(&d->agent, now++);
    }
    const ota_event_t *e = event_log_last(&d->events, OTA_EVT_CHECK_FAILED);
    assert_non_null(e);
    assert_int_equal(ota_agent_state(&d->agent), OTA_AGENT_IDLE);
    assert_int_equal(event_log_count(&d->events, OTA_EVT_DOWNLOAD_STARTED), 0);
    assert_int_equal(mock_sent_count(&d->net, "GET /ota.json.sig"), 1);
    uint8_t slot;
    uint32_t next;
    assert_false(ota_store_download_active(&d->fx->store, &slot, &next));
    return e;
}

static void test_sig_server_error(void **unused)
{
    (void)unused;
    device_t *d = device_with_sig_answer("500 Internal Server Error", "oops", 4,
                                         OTA_NET_WOULD_BLOCK);
    const ota_event_t *e = check_fails(d);
    assert_int_equal(e->source, OTA_SRC_HTTP);
    assert_int_equal(e->status, OTA_HTTP_ERR_STATUS);
    device_free(d);
}

static void test_sig_larger_than_any_signature(void **unused)
{
    (void)unused;
    static char big[OTA_MANIFEST_SIG_MAX + 40];
    memset(big, 'A', sizeof big);
    device_t *d = device_with_sig_answer("200 OK", big, sizeof big, OTA_NET_WOULD_BLOCK);
    const ota_event_t *e = check_fails(d);
    assert_int_equal(e->source, OTA_SRC_MANIFEST_SIG);
    assert_int_equal(e->status, OTA_MANIFEST_SIG_ERR_FORMAT);
    device_free(d);
}

static void test_sig_connection_reset(void **unused)
{
    (void)unused;
    /* The .sig is announced as 64 bytes, 10 come, then the connection is reset. */
    device_t *d = device_with_sig_answer("200 OK", "0123456789", 10, OTA_NET_ERR_RESET);
    char *hdr = strstr(d->answers[1], "Content-Length: 10");
    assert_non_null(hdr);
    memcpy(hdr, "Content-Length: 64", 18);
    const ota_event_t *e = check_fails(d);
    assert_int_equal(e->source, OTA_SRC_HTTP);
    assert_int_equal(e->status, OTA_HTTP_ERR_RESET); /* mid-body: no retry on a fresh connection */
    device_free(d);
}

/* Check once, until the check's verdict (an update, no update, or a failure). */
static void check(device_t *d)
{
    assert_int_equal(ota_agent_check_now(&d->agent), OTA_AGENT_OK);
    uint32_t now = 1000;
    for (unsigned i = 0; i < 4000; i++) {
        ota_agent_poll(&d->agent, now++);
        if (event_log_count(&d->events, OTA_EVT_CHECK_FAILED) +
                event_log_count(&d->events, OTA_EVT_UPDATE_AVAILABLE) +
                event_log_count(&d->events, OTA_EVT_NO_UPDATE) >
            0) {
            break;
        }
    }
    assert_int_equal(ota_agent_state(&d->agent), OTA_AGENT_IDLE);
}

static void test_late_erase_reads_the_manifest_twice(void **unused)
{
    (void)unused;
    device_t *d = device_serving(LATE_ERASE, "200 OK", LATE_ERASE, strlen(LATE_ERASE), OTA_NET_WOULD_BLOCK, false);
    check(d);
    assert_int_equal(mock_sent_count(&d->net, "GET /ota.json"), 2);
    const ota_event_t *e = event_log_last(&d->events, OTA_EVT_UPDATE_AVAILABLE);
    assert_non_null(e);
    assert_int_equal(e->version, 4);
    assert_string_equal(d->agent.update.url, "http://ota.example/4.ota");
    assert_int_equal(event_log_count(&d->events, OTA_EVT_CHECK_FAILED), 0);
    device_free(d);
}

static void test_manifest_changed_between_reads_fails_the_check(void **unused)
{
    (void)unused;
    /* Same length, same erase list, another host for 4: only the hash tells the copies apart,
     * and a plan from the second would download what the first (perhaps signed) never said. */
    static const char other[] =
        OTA(UPD(4, "http://bad.example/4.ota", DA) "," UPD(9, "http://ota.example/9.ota", DB) ","
            ERASE(9));
    assert_int_equal(strlen(other), strlen(LATE_ERASE));
    device_t *d = device_serving(LATE_ERASE, "200 OK", other, strlen(other), OTA_NET_WOULD_BLOCK, false);
    check(d);
    assert_int_equal(mock_sent_count(&d->net, "GET /ota.json"), 2);
    const ota_event_t *e = event_log_last(&d->events, OTA_EVT_CHECK_FAILED);
    assert_non_null(e);
    assert_int_equal(e->source, OTA_SRC_MANIFEST);
    assert_int_equal(e->status, OTA_MANIFEST_ERR_CHANGED);
    assert_int_equal(event_log_count(&d->events, OTA_EVT_UPDATE_AVAILABLE), 0);
    assert_false(d->agent.have_update);
    device_free(d);
}

static void test_one_read_when_nothing_was_passed_over(void **unused)
{
    (void)unused;
    /* 9 is erased before anything competed with it: one read is exact. */
    static const char m[] = OTA(UPD(9, "http://ota.example/9.ota", DB) "," ERASE(9) ","
                                    UPD(4, "http://ota.example/4.ota", DA));
    device_t *d = device_serving(m, "200 OK", "never asked for", 15, OTA_NET_WOULD_BLOCK, false);
    check(d);
    assert_int_equal(mock_sent_count(&d->net, "GET /ota.json"), 1);
    const ota_event_t *e = event_log_last(&d->events, OTA_EVT_UPDATE_AVAILABLE);
    assert_non_null(e);
    assert_int_equal(e->version, 4);
    device_free(d);
}

int main(void)
{
    static uint8_t point[65] = {0x04};
    key.alg = OTA_SIG_ALG_ECDSA_P256;
    key.key = point;
    key.key_len = sizeof point;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sig_server_error),
        cmocka_unit_test(test_sig_larger_than_any_signature),
        cmocka_unit_test(test_sig_connection_reset),
        cmocka_unit_test(test_late_erase_reads_the_manifest_twice),
        cmocka_unit_test(test_manifest_changed_between_reads_fails_the_check),
        cmocka_unit_test(test_one_read_when_nothing_was_passed_over),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
