/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The agent fetching a manifest's detached signature (manifest_url + ".sig") when that fetch
 * goes wrong: a server error, a .sig larger than any signature, a connection that drops. The
 * check fails by name (CHECK_FAILED with the module and status), nothing is downloaded or
 * stored, and the agent is idle, ready for its next period.
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

/* One keep-alive connection: the manifest (200), then the .sig answer. */
static device_t *device_with_sig_answer(const char *status, const char *sig_body, size_t sig_len,
                                        ota_net_status_t end)
{
    device_t *d = calloc(1, sizeof *d);
    assert_non_null(d);
    d->fx = store_fixture_open(NULL, NULL);
    mock_init(&d->net);
    snprintf(d->answers[0], sizeof d->answers[0],
             "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n%s", strlen(manifest), manifest);
    int n = snprintf(d->answers[1], sizeof d->answers[1],
                     "HTTP/1.1 %s\r\nContent-Length: %zu\r\n\r\n", status, sig_len);
    assert_true((size_t)n + sig_len < sizeof d->answers[1]);
    memcpy(d->answers[1] + n, sig_body, sig_len);
    mock_conn_t *c = mock_add(&d->net, d->answers[0], end);
    c->responses[1] = d->answers[1];
    c->response_lens[1] = (size_t)n + sig_len;

    ota_agent_config_t cfg;
    ota_agent_config_default(&cfg);
    cfg.manifest_url = "http://ota.example/ota.json";
    cfg.running_version = 1;
    cfg.manifest_keys = &ring;
    cfg.require_signed_manifest = true;
    cfg.on_event = event_log_record;
    cfg.event_user = &d->events;
    ota_agent_ports_t ports = {.transport = mock_transport(&d->net), .store = &d->fx->store};
    assert_int_equal(ota_agent_init(&d->agent, &cfg, &ports), OTA_AGENT_OK);
    return d;
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
    assert_int_equal(e->status, OTA_HTTP_ERR_RESET);
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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
