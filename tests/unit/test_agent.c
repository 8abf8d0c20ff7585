/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Update agent on a scripted transport and the strict RAM flash model: the event sequence a
 * user sees, what ends up in the store, and that every failure leaves the agent ready to try
 * again without a reset.
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
#include "image_builder.h"
#include "mock_transport.h"
#include "otaflow/agent.h"
#include "sign_key.h"
#include "store_fixture.h"
#include "test_keys.h"
#include "tool.h"

typedef struct world {
    store_fixture_t *fx;
    mock_transport_t mock;
    event_log_t log;
    unsigned resets; /* calls of the reset port */
    ota_agent_t agent;
    ota_agent_config_t cfg;
    test_image_t img;
    char digest_hex[65];
    uint8_t digest[32];
    char responses[8][80 * 1024];
    size_t n_responses;
    uint32_t now;
} world_t;

static void on_reset(void *ctx)
{
    ((world_t *)ctx)->resets++;
}

/* A valid image of the given version; its file digest goes to w->digest(_hex). */
static void make_image(world_t *w, uint32_t version, uint32_t payload)
{
    ota_image_header_t h = test_image_header(payload);
    h.version = version;
    h.flags = 0;
    test_image_start(&w->img, &h, NULL);
    test_image_tlv_sha256(&w->img);
    test_image_end(&w->img);
    ota_sha256(w->img.bytes, w->img.len, w->digest);
    tool_hex(w->digest, sizeof w->digest, w->digest_hex);
}

/* A scripted response: status line, headers, body (binary allowed). */
static const char *response(world_t *w, const char *status, const char *extra, const void *body,
                            size_t len, size_t *out_len)
{
    char *r = w->responses[w->n_responses++];
    int n = snprintf(r, 1024, "HTTP/1.1 %s\r\nContent-Length: %zu\r\n%s\r\n", status, len,
                     extra ? extra : "");
    memcpy(r + n, body, len);
    *out_len = (size_t)n + len;
    return r;
}

static mock_conn_t *serve(world_t *w, const char *status, const char *extra, const void *body,
                          size_t len, ota_net_status_t end)
{
    size_t rl;
    const char *r = response(w, status, extra, body, len, &rl);
    mock_conn_t *c = mock_add(&w->mock, r, end);
    c->response_lens[0] = rl;
    return c;
}

/* Add a second response on the same connection (keep-alive). */
static void also(world_t *w, mock_conn_t *c, int i, const char *status, const void *body,
                 size_t len)
{
    size_t rl;
    c->responses[i] = response(w, status, NULL, body, len, &rl);
    c->response_lens[i] = rl;
}

static char manifest_buf[4096];

static const char *manifest_one(uint32_t version, const char *url, const char *digest_hex)
{
    snprintf(manifest_buf, sizeof manifest_buf,
             "{\"ota\":[{\"Version\":%u,\"URL\":\"%s\",\"Digest\":\"%s\",\"EraseVer\":false}]}",
             version, url, digest_hex);
    return manifest_buf;
}

/* A copy of a manifest the test keeps while manifest_one builds another; the test fails if
 * it does not fit (a silent cut would test a different manifest). */
static const char *manifest_copy(char *dst, size_t cap, const char *manifest)
{
    size_t len = strlen(manifest);
    assert_true(len < cap);
    memcpy(dst, manifest, len + 1);
    return dst;
}

static world_t *world_new(void)
{
    world_t *w = calloc(1, sizeof *w);
    assert_non_null(w);
    w->fx = store_fixture_open(NULL, NULL);
    mock_init(&w->mock);
    ota_agent_config_default(&w->cfg);
    w->cfg.manifest_url = "http://ota.example:8000/ota.json";
    w->cfg.running_version = 1;
    w->cfg.on_event = event_log_record;
    w->cfg.event_user = &w->log;
    /* Tests that are not about the backoff retry at the next period. */
    w->cfg.retry_first_s = 1;
    w->cfg.retry_max_s = 1;
    w->now = 1000;
    return w;
}

static void world_start(world_t *w)
{
    ota_agent_ports_t ports = {
        .transport = mock_transport(&w->mock),
        .store = &w->fx->store,
        .reset = on_reset,
        .reset_ctx = w,
    };
    assert_int_equal(ota_agent_init(&w->agent, &w->cfg, &ports), OTA_AGENT_OK);
}

static void world_free(world_t *w)
{
    store_fixture_close(w->fx);
    free(w);
}

/* Poll (advancing the clock 1 ms a step) until the agent is in state, or steps run out. */
static ota_agent_state_t run_until(world_t *w, ota_agent_state_t state, unsigned steps)
{
    ota_agent_state_t s = ota_agent_state(&w->agent);
    for (unsigned i = 0; i < steps; i++) {
        s = ota_agent_poll(&w->agent, w->now++);
        if (s == state) {
            break;
        }
    }
    return s;
}

/* Poll until an event of type t has been seen n times in total. */
static void run_until_event(world_t *w, ota_event_type_t t, size_t n, unsigned steps)
{
    for (unsigned i = 0; i < steps && event_log_count(&w->log, t) < n; i++) {
        ota_agent_poll(&w->agent, w->now++);
    }
    assert_true(event_log_count(&w->log, t) >= n);
}

/* --- configuration ------------------------------------------------------------------- */

static void test_init_refuses_bad_config(void **state)
{
    (void)state;
    world_t *w = world_new();
    ota_agent_ports_t ports = {.transport = mock_transport(&w->mock), .store = &w->fx->store};

    w->cfg.period_s = OTA_AGENT_PERIOD_MAX_S + 1;
    assert_int_equal(ota_agent_init(&w->agent, &w->cfg, &ports), OTA_AGENT_ERR_CONFIG);
    w->cfg.period_s = OTA_AGENT_PERIOD_MAX_S;
    assert_int_equal(ota_agent_init(&w->agent, &w->cfg, &ports), OTA_AGENT_OK);

    w->cfg.manifest_url = "ftp://x/ota.json";
    assert_int_equal(ota_agent_init(&w->agent, &w->cfg, &ports), OTA_AGENT_ERR_CONFIG);
    w->cfg.manifest_url = "http://x/ota.json";

    ports.store = NULL;
    assert_int_equal(ota_agent_init(&w->agent, &w->cfg, &ports), OTA_AGENT_ERR_CONFIG);
    assert_int_equal(ota_agent_init(NULL, &w->cfg, &ports), OTA_AGENT_ERR_ARG);
    world_free(w);
}

/* --- the whole update path ------------------------------------------------------------ */

static void test_update_stored_and_reset_requested(void **state)
{
    (void)state;
    world_t *w = world_new();
    make_image(w, 3, 20000);
    /* v2 and v3 offered, in that order, plus v1 (running): v3 is the one. */
    char m[1024];
    snprintf(m, sizeof m,
             "{\"ota\":[{\"Version\":3,\"URL\":\"http://ota.example:8000/app_v3.ota\","
             "\"Digest\":\"%s\"},{\"Version\":2,\"URL\":\"http://ota.example:8000/v2.ota\","
             "\"Digest\":\"%064d\",\"EraseVer\":false},{\"Version\":1,\"URL\":\"http://o/1\","
             "\"Digest\":\"%064d\"}]}",
             w->digest_hex, 0, 0);
    mock_conn_t *c = serve(w, "200 OK", NULL, m, strlen(m), OTA_NET_WOULD_BLOCK);
    also(w, c, 1, "200 OK", w->img.bytes, w->img.len);
    world_start(w);

    assert_int_equal(run_until(w, OTA_AGENT_RESET_PENDING, 5000), OTA_AGENT_RESET_PENDING);

    /* The order a user sees. */
    int i = event_log_find_from(&w->log, 0, OTA_EVT_CHECK_STARTED);
    assert_true(i >= 0);
    i = event_log_find_from(&w->log, (size_t)i, OTA_EVT_UPDATE_AVAILABLE);
    assert_true(i >= 0);
    assert_int_equal(w->log.ev[i].version, 3);
    i = event_log_find_from(&w->log, (size_t)i, OTA_EVT_DOWNLOAD_STARTED);
    assert_true(i >= 0);
    assert_int_equal(w->log.ev[i].bytes, 0);
    i = event_log_find_from(&w->log, (size_t)i, OTA_EVT_DOWNLOAD_OK);
    assert_true(i >= 0);
    assert_int_equal(w->log.ev[i].version, 3);
    assert_int_equal(w->log.ev[i].bytes, w->img.len);
    assert_int_equal(w->log.ev[i].total, w->img.len);
    assert_int_equal(event_log_count(&w->log, OTA_EVT_DOWNLOAD_OK), 1);
    i = event_log_find_from(&w->log, (size_t)i, OTA_EVT_VERIFY_STARTED);
    assert_true(i >= 0);
    i = event_log_find_from(&w->log, (size_t)i, OTA_EVT_VERIFY_OK);
    assert_true(i >= 0);
    i = event_log_find_from(&w->log, (size_t)i, OTA_EVT_IMAGE_STORED);
    assert_true(i >= 0);
    i = event_log_find_from(&w->log, (size_t)i, OTA_EVT_RESET_PENDING);
    assert_true(i >= 0);
    const ota_event_t *p = event_log_last(&w->log, OTA_EVT_DOWNLOAD_PROGRESS);
    assert_non_null(p);
    assert_int_equal(p->bytes, w->img.len);
    assert_int_equal(p->total, w->img.len);
    assert_int_equal(event_log_count(&w->log, OTA_EVT_DOWNLOAD_FAILED), 0);

    /* In the store: v3 stored with its digest, bytes as served, install pending. */
    uint8_t slot = ota_store_find_version(&w->fx->store, 3);
    assert_int_not_equal(slot, OTA_STORE_SLOT_NONE);
    assert_int_equal(ota_store_slot(&w->fx->store, slot)->state, OTA_SLOT_STORED);
    assert_memory_equal(ota_store_slot(&w->fx->store, slot)->digest, w->digest, 32);
    assert_int_equal(ota_store_slot_verify(&w->fx->store, slot), OTA_STORE_OK);
    assert_int_equal(ota_store_boot(&w->fx->store)->state, OTA_BOOT_INSTALL_PENDING);
    assert_int_equal(ota_store_boot(&w->fx->store)->install_slot, slot);

    /* The store survives a power cycle with that state. */
    assert_int_equal(store_fixture_remount(w->fx), OTA_STORE_OK);
    assert_int_equal(ota_store_boot(&w->fx->store)->state, OTA_BOOT_INSTALL_PENDING);

    /* Auto reset: the reset port is called once, at the poll after the event. */
    assert_int_equal(w->resets, 0);
    ota_agent_poll(&w->agent, w->now++);
    assert_int_equal(w->resets, 1);
    run_until(w, OTA_AGENT_IDLE, 10);
    assert_int_equal(w->resets, 1);
    world_free(w);
}

static void test_no_update_then_periodic_check(void **state)
{
    (void)state;
    world_t *w = world_new();
    const char *m = manifest_one(1, "http://o/app.ota", "00000000000000000000000000000000"
                                                        "00000000000000000000000000000000");
    mock_conn_t *c = serve(w, "200 OK", NULL, m, strlen(m), OTA_NET_WOULD_BLOCK);
    also(w, c, 1, "200 OK", m, strlen(m));
    w->cfg.period_s = 60;
    world_start(w);

    run_until_event(w, OTA_EVT_NO_UPDATE, 1, 1000);
    assert_int_equal(event_log_count(&w->log, OTA_EVT_CHECK_STARTED), 1);
    uint32_t first = w->now;

    /* Nothing more during the period... */
    for (int i = 0; i < 100; i++) {
        ota_agent_poll(&w->agent, first + (uint32_t)i * 500u);
    }
    assert_int_equal(event_log_count(&w->log, OTA_EVT_CHECK_STARTED), 1);
    /* ...and a check once it has passed. */
    w->now = first + 60000u;
    run_until_event(w, OTA_EVT_NO_UPDATE, 2, 1000);
    assert_int_equal(event_log_count(&w->log, OTA_EVT_CHECK_STARTED), 2);
    assert_int_equal(event_log_count(&w->log, OTA_EVT_DOWNLOAD_STARTED), 0);
    world_free(w);
}

static void test_period_zero_checks_only_on_demand(void **state)
{
    (void)state;
    world_t *w = world_new();
    const char *m = "{\"ota\":[]}";
    serve(w, "200 OK", NULL, m, strlen(m), OTA_NET_WOULD_BLOCK);
    w->cfg.period_s = 0;
    world_start(w);
    run_until(w, OTA_AGENT_CHECKING, 500);
    assert_int_equal(event_log_count(&w->log, OTA_EVT_CHECK_STARTED), 0);
    assert_int_equal(w->mock.connects, 0);

    assert_int_equal(ota_agent_check_now(&w->agent), OTA_AGENT_OK);
    run_until_event(w, OTA_EVT_NO_UPDATE, 1, 1000);
    world_free(w);
}

static void test_waits_for_network(void **state)
{
    (void)state;
    world_t *w = world_new();
    const char *m = "{\"ota\":[]}";
    serve(w, "200 OK", NULL, m, strlen(m), OTA_NET_WOULD_BLOCK);
    w->mock.link_up = false;
    world_start(w);
    assert_int_equal(run_until(w, OTA_AGENT_CHECKING, 300), OTA_AGENT_WAIT_NETWORK);
    /* said once, not per poll */
    assert_int_equal(event_log_count(&w->log, OTA_EVT_WAITING_NETWORK), 1);
    assert_int_equal(w->mock.connects, 0);

    w->mock.link_up = true;
    run_until_event(w, OTA_EVT_NO_UPDATE, 1, 1000);
    world_free(w);
}

/* --- failures: named, and retried at the next period ----------------------------------- */

static void test_manifest_404_reports_status(void **state)
{
    (void)state;
    world_t *w = world_new();
    serve(w, "404 Not Found", NULL, "nope", 4, OTA_NET_WOULD_BLOCK);
    world_start(w);
    run_until_event(w, OTA_EVT_CHECK_FAILED, 1, 1000);
    const ota_event_t *e = event_log_last(&w->log, OTA_EVT_CHECK_FAILED);
    assert_int_equal(e->source, OTA_SRC_HTTP);
    assert_int_equal(e->status, OTA_HTTP_ERR_STATUS);
    assert_int_equal(e->http_status, 404);
    assert_true(strlen(e->reason) > 0);
    assert_int_equal(ota_agent_state(&w->agent), OTA_AGENT_IDLE);
    world_free(w);
}

/* A server trickling bytes fast enough to beat the idle timeout is bounded by the agent's
 * total_timeout_ms (without it, by the HTTP client's 10-minute default). */
static void test_total_timeout_bounds_a_trickle(void **state)
{
    (void)state;
    world_t *w = world_new();
    const char *m = manifest_one(2, "http://o/app.ota", "00000000000000000000000000000000"
                                                        "00000000000000000000000000000000");
    serve(w, "200 OK", NULL, m, strlen(m), OTA_NET_WOULD_BLOCK);
    w->mock.recv_chunk = 1;
    w->mock.block_between = true;
    w->cfg.idle_timeout_ms = 1000;
    w->cfg.total_timeout_ms = 40;
    world_start(w);
    uint32_t start = w->now;
    run_until_event(w, OTA_EVT_CHECK_FAILED, 1, 1000);
    const ota_event_t *e = event_log_last(&w->log, OTA_EVT_CHECK_FAILED);
    assert_int_equal(e->source, OTA_SRC_HTTP);
    assert_int_equal(e->status, OTA_HTTP_ERR_TIMEOUT_TOTAL);
    assert_true(w->now - start <= 45u);
    world_free(w);
}

static void test_manifest_too_large_and_invalid(void **state)
{
    (void)state;
    world_t *w = world_new();
    char big[600];
    memset(big, ' ', sizeof big);
    memcpy(big, "{\"ota\":[]}", 10);
    serve(w, "200 OK", NULL, big, sizeof big, OTA_NET_WOULD_BLOCK);
    serve(w, "200 OK", NULL, "{\"ota\":[{]}", 11, OTA_NET_WOULD_BLOCK);
    w->cfg.manifest_max = 512;
    w->cfg.period_s = 1;
    world_start(w);

    run_until_event(w, OTA_EVT_CHECK_FAILED, 1, 1000);
    const ota_event_t *e = event_log_last(&w->log, OTA_EVT_CHECK_FAILED);
    assert_int_equal(e->source, OTA_SRC_AGENT);
    assert_int_equal(e->status, OTA_AGENT_ERR_MANIFEST_TOO_LARGE);

    w->now += 1000; /* next period */
    run_until_event(w, OTA_EVT_CHECK_FAILED, 2, 2000);
    e = event_log_last(&w->log, OTA_EVT_CHECK_FAILED);
    assert_int_equal(e->source, OTA_SRC_MANIFEST);
    assert_int_equal(e->status, OTA_MANIFEST_ERR_JSON);
    assert_int_equal(event_log_count(&w->log, OTA_EVT_DOWNLOAD_STARTED), 0);
    world_free(w);
}

/* A file that does not match its Digest is not stored, and the same (version, digest) is not
 * fetched again, which would erase a slot's worth of flash each period: only a manifest that
 * changes the entry (here: the right digest) brings a new download. */
static void test_digest_mismatch_stores_nothing_and_is_not_fetched_again(void **state)
{
    (void)state;
    world_t *w = world_new();
    make_image(w, 2, 8000);
    char wrong[65];
    memcpy(wrong, w->digest_hex, 65);
    wrong[0] = wrong[0] == '0' ? '1' : '0';
    /* With its Size, so the whole file is known to have arrived. */
    char bad[512], good[512];
    static const char fmt[] = "{\"ota\":[{\"Version\":2,\"URL\":\"http://ota.example:8000/"
                              "app.ota\",\"Digest\":\"%s\",\"Size\":%u}]}";
    snprintf(bad, sizeof bad, fmt, wrong, w->img.len);
    snprintf(good, sizeof good, fmt, w->digest_hex, w->img.len);
    mock_conn_t *c = serve(w, "200 OK", NULL, bad, strlen(bad), OTA_NET_ERR_CLOSED);
    also(w, c, 1, "200 OK", w->img.bytes, w->img.len);
    also(w, c, 2, "200 OK", bad, strlen(bad));
    c = serve(w, "200 OK", NULL, good, strlen(good), OTA_NET_WOULD_BLOCK);
    also(w, c, 1, "200 OK", w->img.bytes, w->img.len);
    w->cfg.period_s = 1;
    world_start(w);

    run_until_event(w, OTA_EVT_VERIFY_FAILED, 1, 5000);
    const ota_event_t *e = event_log_last(&w->log, OTA_EVT_VERIFY_FAILED);
    assert_int_equal(e->source, OTA_SRC_STORE);
    assert_int_equal(e->status, OTA_STORE_ERR_DIGEST);
    assert_int_equal(event_log_count(&w->log, OTA_EVT_IMAGE_STORED), 0);
    assert_int_equal(ota_store_find_version(&w->fx->store, 2), OTA_STORE_SLOT_NONE);
    assert_int_not_equal(ota_store_boot(&w->fx->store)->state, OTA_BOOT_INSTALL_PENDING);

    /* Next period, the same entry: refused without a request or a journal record. */
    uint32_t appends = w->fx->store.journal.appends;
    w->now += 1000;
    run_until_event(w, OTA_EVT_CHECK_STARTED, 2, 5000);
    run_until_event(w, OTA_EVT_DOWNLOAD_FAILED, 1, 5000);
    e = event_log_last(&w->log, OTA_EVT_DOWNLOAD_FAILED);
    assert_int_equal(e->source, OTA_SRC_AGENT);
    assert_int_equal(e->status, OTA_AGENT_ERR_REFUSED_BEFORE);
    assert_string_equal(e->reason, "refused before (same version and digest)");
    assert_int_equal(event_log_count(&w->log, OTA_EVT_DOWNLOAD_STARTED), 1);
    assert_int_equal(mock_sent_count(&w->mock, "GET /app.ota"), 1);
    assert_int_equal(w->fx->store.journal.appends, appends);

    /* The manifest changes the digest: fetched again and stored, no reset needed. */
    w->now += 1000;
    assert_int_equal(run_until(w, OTA_AGENT_RESET_PENDING, 10000), OTA_AGENT_RESET_PENDING);
    assert_int_equal(event_log_count(&w->log, OTA_EVT_DOWNLOAD_STARTED), 2);
    assert_int_equal(mock_sent_count(&w->mock, "GET /app.ota"), 2);
    assert_int_not_equal(ota_store_find_version(&w->fx->store, 2), OTA_STORE_SLOT_NONE);
    world_free(w);
}

/* Serve the rest of the image from `from` as a 206 on a new connection, after the manifest. */
static void serve_rest(world_t *w, const char *manifest, uint32_t from)
{
    mock_conn_t *c = serve(w, "200 OK", NULL, manifest, strlen(manifest), OTA_NET_WOULD_BLOCK);
    char extra[128];
    snprintf(extra, sizeof extra, "Content-Range: bytes %u-%u/%u\r\n", from, w->img.len - 1,
             w->img.len);
    size_t rl;
    c->responses[1] =
        response(w, "206 Partial Content", extra, w->img.bytes + from, w->img.len - from, &rl);
    c->response_lens[1] = rl;
}

/* The image is cut after `cut` bytes by a connection reset; returns the manifest used. */
static const char *serve_cut(world_t *w, uint32_t cut, char *mcopy, size_t mcap)
{
    manifest_copy(mcopy, mcap, manifest_one(2, "http://ota.example:8000/app.ota", w->digest_hex));
    mock_conn_t *c = serve(w, "200 OK", NULL, mcopy, strlen(mcopy), OTA_NET_ERR_RESET);
    size_t rl;
    c->responses[1] = response(w, "200 OK", NULL, w->img.bytes, w->img.len, &rl);
    c->response_lens[1] = rl - (w->img.len - cut);
    return mcopy;
}

static uint8_t downloading_slot(world_t *w)
{
    for (uint8_t s = 1; s < ota_store_slot_count(&w->fx->store); s++) {
        if (ota_store_slot(&w->fx->store, s)->state == OTA_SLOT_DOWNLOADING) {
            return s;
        }
    }
    return OTA_STORE_SLOT_NONE;
}

static void test_dropped_download_resumes_with_range(void **state)
{
    (void)state;
    world_t *w = world_new();
    make_image(w, 2, 60000);
    char m[512];
    uint32_t cut = 45000;
    serve_cut(w, cut, m, sizeof m);
    w->cfg.period_s = 1;
    w->cfg.auto_reset = false;
    world_start(w);

    run_until_event(w, OTA_EVT_DOWNLOAD_FAILED, 1, 10000);
    const ota_event_t *f = event_log_last(&w->log, OTA_EVT_DOWNLOAD_FAILED);
    assert_int_equal(f->source, OTA_SRC_HTTP);
    assert_int_equal(f->bytes, cut);
    assert_int_not_equal(downloading_slot(w), OTA_STORE_SLOT_NONE);

    /* Without a reset, the next period continues exactly where the bytes stopped. */
    serve_rest(w, m, cut);
    w->now += 1000;
    assert_int_equal(run_until(w, OTA_AGENT_RESET_PENDING, 10000), OTA_AGENT_RESET_PENDING);
    assert_int_equal(event_log_last(&w->log, OTA_EVT_DOWNLOAD_STARTED)->bytes, cut);
    assert_int_equal(mock_sent_count(&w->mock, "Range: bytes=45000-"), 1);
    uint8_t stored = ota_store_find_version(&w->fx->store, 2);
    assert_int_not_equal(stored, OTA_STORE_SLOT_NONE);
    assert_int_equal(ota_store_slot_verify(&w->fx->store, stored), OTA_STORE_OK);
    assert_int_equal(w->resets, 0); /* auto reset off */
    world_free(w);
}

/* A failed attempt that received every byte (junk after the body): the resume's Range is past
 * the end and the server answers 416. The agent verifies what it has instead of asking again
 * forever (found by tests/faults: the agent retried the 416 at every period). */
static void test_range_past_the_end_verifies_what_is_there(void **state)
{
    (void)state;
    world_t *w = world_new();
    make_image(w, 2, 30000);
    char m[512];
    manifest_copy(m, sizeof m, manifest_one(2, "http://ota.example:8000/app.ota", w->digest_hex));
    mock_conn_t *c = serve(w, "200 OK", NULL, m, strlen(m), OTA_NET_ERR_CLOSED);
    size_t rl;
    c->responses[1] = response(w, "200 OK", NULL, w->img.bytes, w->img.len, &rl);
    c->response_lens[1] = rl + 16; /* 16 zero bytes past Content-Length */
    w->cfg.period_s = 1;
    w->cfg.auto_reset = false;
    world_start(w);
    run_until_event(w, OTA_EVT_DOWNLOAD_FAILED, 1, 10000);
    assert_int_equal(event_log_last(&w->log, OTA_EVT_DOWNLOAD_FAILED)->status,
                     OTA_HTTP_ERR_BODY_LONG);
    assert_int_equal(ota_store_find_version(&w->fx->store, 2), OTA_STORE_SLOT_NONE);

    c = serve(w, "200 OK", NULL, m, strlen(m), OTA_NET_WOULD_BLOCK);
    char extra[64];
    snprintf(extra, sizeof extra, "Content-Range: bytes */%u\r\n", w->img.len);
    c->responses[1] = response(w, "416 Range Not Satisfiable", extra, "", 0, &rl);
    c->response_lens[1] = rl;
    w->now += 1000;
    assert_int_equal(run_until(w, OTA_AGENT_RESET_PENDING, 10000), OTA_AGENT_RESET_PENDING);
    char range[64];
    snprintf(range, sizeof range, "Range: bytes=%u-", w->img.len);
    assert_int_equal(mock_sent_count(&w->mock, range), 1);
    assert_int_equal(event_log_count(&w->log, OTA_EVT_DOWNLOAD_FAILED), 1);
    assert_int_equal(event_log_count(&w->log, OTA_EVT_VERIFY_OK), 1);
    uint8_t stored = ota_store_find_version(&w->fx->store, 2);
    assert_int_not_equal(stored, OTA_STORE_SLOT_NONE);
    assert_int_equal(ota_store_slot_verify(&w->fx->store, stored), OTA_STORE_OK);
    world_free(w);
}

/* The same 416 when the bytes held are not the file: verification fails, the slot is emptied,
 * and the attempt after that starts from zero. */
static void test_range_past_the_end_with_wrong_bytes_starts_over(void **state)
{
    (void)state;
    world_t *w = world_new();
    make_image(w, 2, 30000);
    char m[512];
    manifest_copy(m, sizeof m, manifest_one(2, "http://ota.example:8000/app.ota", w->digest_hex));
    mock_conn_t *c = serve(w, "200 OK", NULL, m, strlen(m), OTA_NET_ERR_CLOSED);
    size_t rl;
    c->responses[1] = response(w, "200 OK", NULL, w->img.bytes, w->img.len, &rl);
    w->responses[w->n_responses - 1][rl - 100] ^= 0x55; /* one byte of the body differs */
    c->response_lens[1] = rl + 16;
    w->cfg.period_s = 1;
    w->cfg.auto_reset = false;
    world_start(w);
    run_until_event(w, OTA_EVT_DOWNLOAD_FAILED, 1, 10000);

    c = serve(w, "200 OK", NULL, m, strlen(m), OTA_NET_WOULD_BLOCK);
    char extra[64];
    snprintf(extra, sizeof extra, "Content-Range: bytes */%u\r\n", w->img.len);
    c->responses[1] = response(w, "416 Range Not Satisfiable", extra, "", 0, &rl);
    c->response_lens[1] = rl;
    w->now += 1000;
    run_until_event(w, OTA_EVT_VERIFY_FAILED, 1, 10000);
    assert_int_equal(event_log_last(&w->log, OTA_EVT_VERIFY_FAILED)->status, OTA_STORE_ERR_DIGEST);
    assert_int_equal(ota_store_find_version(&w->fx->store, 2), OTA_STORE_SLOT_NONE);
    assert_int_equal(downloading_slot(w), OTA_STORE_SLOT_NONE);

    c = serve(w, "200 OK", NULL, m, strlen(m), OTA_NET_WOULD_BLOCK);
    also(w, c, 1, "200 OK", w->img.bytes, w->img.len);
    w->now += 1000;
    assert_int_equal(run_until(w, OTA_AGENT_RESET_PENDING, 10000), OTA_AGENT_RESET_PENDING);
    assert_int_equal(event_log_last(&w->log, OTA_EVT_DOWNLOAD_STARTED)->bytes, 0);
    world_free(w);
}

static void test_download_resumes_after_power_cycle(void **state)
{
    (void)state;
    world_t *w = world_new();
    make_image(w, 2, 60000);
    char m[512];
    serve_cut(w, 45000, m, sizeof m);
    w->cfg.period_s = 1;
    world_start(w);
    run_until_event(w, OTA_EVT_DOWNLOAD_FAILED, 1, 10000);

    /* Power cycle: RAM is gone, the journal says how much is durable. */
    assert_int_equal(store_fixture_remount(w->fx), OTA_STORE_OK);
    uint8_t slot = downloading_slot(w);
    assert_int_not_equal(slot, OTA_STORE_SLOT_NONE);
    uint32_t durable = ota_store_slot(&w->fx->store, slot)->offset;
    assert_true(durable > 0 && durable <= 45000);

    serve_rest(w, m, durable);
    world_start(w);
    assert_int_equal(run_until(w, OTA_AGENT_RESET_PENDING, 10000), OTA_AGENT_RESET_PENDING);
    assert_int_equal(event_log_last(&w->log, OTA_EVT_DOWNLOAD_STARTED)->bytes, durable);
    uint8_t stored = ota_store_find_version(&w->fx->store, 2);
    assert_int_equal(stored, slot);
    assert_int_equal(ota_store_slot_verify(&w->fx->store, stored), OTA_STORE_OK);
    world_free(w);
}

static void test_size_mismatch_refused(void **state)
{
    (void)state;
    world_t *w = world_new();
    make_image(w, 2, 4000);
    char m[512];
    snprintf(m, sizeof m,
             "{\"ota\":[{\"Version\":2,\"URL\":\"http://ota.example:8000/a.ota\",\"Digest\":\"%s\","
             "\"Size\":%u}]}",
             w->digest_hex, w->img.len + 1);
    mock_conn_t *c = serve(w, "200 OK", NULL, m, strlen(m), OTA_NET_WOULD_BLOCK);
    also(w, c, 1, "200 OK", w->img.bytes, w->img.len);
    world_start(w);
    run_until_event(w, OTA_EVT_DOWNLOAD_FAILED, 1, 5000);
    const ota_event_t *f = event_log_last(&w->log, OTA_EVT_DOWNLOAD_FAILED);
    assert_int_equal(f->source, OTA_SRC_AGENT);
    assert_int_equal(f->status, OTA_AGENT_ERR_SIZE);
    assert_int_equal(ota_store_find_version(&w->fx->store, 2), OTA_STORE_SLOT_NONE);
    world_free(w);
}

/* A length no slot can hold (one byte over, or 5 GB) is refused at the headers, named as the
 * store names it, before any of the body is written to flash (found by tests/faults: 5 GB was
 * reported as "size differs from the manifest", which had no Size, and a merely too large
 * image was written up to the end of the slot before being refused). */
static void test_length_over_slot_refused_before_writing(void **state)
{
    (void)state;
    for (size_t i = 0; i < 2; i++) {
        world_t *w = world_new();
        make_image(w, 2, 4000);
        uint64_t lengths[] = {ota_store_layout(&w->fx->store)->slot_size + 1ull, 5ull << 30};
        const char *m = manifest_one(2, "http://ota.example:8000/a.ota", w->digest_hex);
        mock_conn_t *c = serve(w, "200 OK", NULL, m, strlen(m), OTA_NET_WOULD_BLOCK);
        char *r = w->responses[w->n_responses++];
        snprintf(r, 1024, "HTTP/1.1 200 OK\r\nContent-Length: %llu\r\n\r\n",
                 (unsigned long long)lengths[i]);
        memset(r + strlen(r), 0x5a, 8192); /* the start of a body that would never end */
        c->responses[1] = r;
        c->response_lens[1] = strlen(r) + 8192;
        world_start(w);
        uint64_t programmed = ota_sim_flash_stats(&w->fx->dev).bytes_programmed;
        run_until_event(w, OTA_EVT_DOWNLOAD_FAILED, 1, 5000);
        const ota_event_t *f = event_log_last(&w->log, OTA_EVT_DOWNLOAD_FAILED);
        assert_int_equal(f->source, OTA_SRC_STORE);
        assert_int_equal(f->status, OTA_STORE_ERR_TOO_LARGE);
        assert_string_equal(f->reason, ota_store_status_str(OTA_STORE_ERR_TOO_LARGE));
        /* Only journal records were programmed, no image bytes. */
        assert_true(ota_sim_flash_stats(&w->fx->dev).bytes_programmed - programmed < 1024u);
        assert_int_equal(downloading_slot(w), OTA_STORE_SLOT_NONE);
        assert_int_equal(ota_store_find_version(&w->fx->store, 2), OTA_STORE_SLOT_NONE);
        world_free(w);
    }
}

/* Found by the power-cut sweep: the last checkpoint of a download can fall on the file's last
 * byte (its size a multiple of the erase unit). After a power cycle the agent resumes from
 * there, and a real server answers the Range request with 416: nothing is left to fetch, the
 * store holds the whole file, and verifying it completes the update. */
static void test_resume_with_nothing_left_verifies(void **state)
{
    (void)state;
    world_t *w = world_new();
    make_image(w, 2, 1000);
    uint32_t overhead = w->img.len - 1000u;
    make_image(w, 2, 8192u - overhead); /* two SST26 erase units exactly */
    assert_int_equal(w->img.len, 8192);
    uint8_t slot;
    uint32_t off = 1, durable = 0;
    ota_store_t *s = &w->fx->store;
    assert_int_equal(ota_store_download_begin(s, 2, 0, w->digest, &slot, &off), OTA_STORE_OK);
    assert_int_equal(ota_store_download_write(s, 0, w->img.bytes, w->img.len), OTA_STORE_OK);
    assert_int_equal(ota_store_download_checkpoint(s, &durable), OTA_STORE_OK);
    assert_int_equal(durable, 8192);
    assert_int_equal(store_fixture_remount(w->fx), OTA_STORE_OK); /* power cycle */

    char m[512];
    manifest_copy(m, sizeof m, manifest_one(2, "http://ota.example:8000/app.ota", w->digest_hex));
    mock_conn_t *c = serve(w, "200 OK", NULL, m, strlen(m), OTA_NET_WOULD_BLOCK);
    size_t rl;
    c->responses[1] = response(w, "416 Range Not Satisfiable", "Content-Range: bytes */8192\r\n",
                               "", 0, &rl);
    c->response_lens[1] = rl;
    world_start(w);
    assert_int_equal(run_until(w, OTA_AGENT_RESET_PENDING, 10000), OTA_AGENT_RESET_PENDING);
    assert_int_equal(mock_sent_count(&w->mock, "Range: bytes=8192-"), 1);
    assert_int_equal(event_log_count(&w->log, OTA_EVT_DOWNLOAD_FAILED), 0);
    assert_int_equal(ota_store_find_version(s, 2), slot);
    assert_int_equal(ota_store_slot_verify(s, slot), OTA_STORE_OK);
    assert_int_equal(ota_store_boot(s)->state, OTA_BOOT_INSTALL_PENDING);
    world_free(w);
}

/* --- application control --------------------------------------------------------------- */

static void test_manual_download_when_auto_update_off(void **state)
{
    (void)state;
    world_t *w = world_new();
    make_image(w, 5, 3000);
    const char *m = manifest_one(5, "http://ota.example:8000/app.ota", w->digest_hex);
    mock_conn_t *c = serve(w, "200 OK", NULL, m, strlen(m), OTA_NET_WOULD_BLOCK);
    also(w, c, 1, "200 OK", w->img.bytes, w->img.len);
    w->cfg.auto_update = false;
    world_start(w);

    assert_int_equal(ota_agent_download(&w->agent), OTA_AGENT_ERR_NO_UPDATE);
    run_until_event(w, OTA_EVT_UPDATE_AVAILABLE, 1, 1000);
    run_until(w, OTA_AGENT_DOWNLOADING, 100);
    assert_int_equal(event_log_count(&w->log, OTA_EVT_DOWNLOAD_STARTED), 0);

    assert_int_equal(ota_agent_download(&w->agent), OTA_AGENT_OK);
    assert_int_equal(run_until(w, OTA_AGENT_RESET_PENDING, 5000), OTA_AGENT_RESET_PENDING);
    assert_int_not_equal(ota_store_find_version(&w->fx->store, 5), OTA_STORE_SLOT_NONE);
    world_free(w);
}

static void test_start_update_without_manifest(void **state)
{
    (void)state;
    world_t *w = world_new();
    make_image(w, 7, 5000);
    serve(w, "200 OK", NULL, w->img.bytes, w->img.len, OTA_NET_WOULD_BLOCK);
    w->cfg.manifest_url = NULL;
    world_start(w);
    assert_int_equal(ota_agent_check_now(&w->agent), OTA_AGENT_ERR_CONFIG);
    assert_int_equal(ota_agent_start_update(&w->agent, "gopher://x/a", 7, w->digest),
                     OTA_AGENT_ERR_URL);
    assert_int_equal(ota_agent_start_update(&w->agent, "http://h:81/a.ota", 0, w->digest),
                     OTA_AGENT_ERR_ARG);
    assert_int_equal(ota_agent_start_update(&w->agent, "http://h:81/a.ota", 7, w->digest),
                     OTA_AGENT_OK);
    assert_int_equal(run_until(w, OTA_AGENT_RESET_PENDING, 5000), OTA_AGENT_RESET_PENDING);
    assert_string_equal(w->mock.host, "h");
    assert_int_equal(w->mock.port, 81);
    assert_int_not_equal(ota_store_find_version(&w->fx->store, 7), OTA_STORE_SLOT_NONE);
    assert_int_equal(event_log_count(&w->log, OTA_EVT_CHECK_STARTED), 0);
    world_free(w);
}

/* --- require_tls ---------------------------------------------------------------------- */

/* "Enforce TLS": an http:// manifest URL is a configuration error; an http:// image in an
 * https manifest is refused by name before the store is touched; start_update refuses one. */
static void test_require_tls_refuses_plain_http(void **state)
{
    (void)state;
    world_t *w = world_new();
    make_image(w, 2, 4000);
    w->cfg.require_tls = true;
    ota_agent_ports_t ports = {.transport = mock_transport(&w->mock), .store = &w->fx->store};
    w->cfg.manifest_url = "http://ota.example/ota.json";
    assert_int_equal(ota_agent_init(&w->agent, &w->cfg, &ports), OTA_AGENT_ERR_CONFIG);

    w->cfg.manifest_url = "https://ota.example/ota.json";
    const char *m = manifest_one(2, "http://ota.example/app_v2.ota", w->digest_hex);
    serve(w, "200 OK", NULL, m, strlen(m), OTA_NET_WOULD_BLOCK);
    world_start(w);
    run_until_event(w, OTA_EVT_DOWNLOAD_FAILED, 1, 2000);
    const ota_event_t *e = event_log_last(&w->log, OTA_EVT_DOWNLOAD_FAILED);
    assert_int_equal(e->source, OTA_SRC_AGENT);
    assert_int_equal(e->status, OTA_AGENT_ERR_INSECURE_URL);
    assert_int_equal(e->version, 2);
    assert_true(w->mock.tls);
    assert_int_equal(w->mock.connects, 1); /* the manifest only: no plain connection */
    assert_int_equal(mock_sent_count(&w->mock, "GET /app_v2.ota"), 0);
    uint8_t slot;
    uint32_t next;
    assert_false(ota_store_download_active(&w->fx->store, &slot, &next));
    assert_int_equal(ota_store_find_version(&w->fx->store, 2), OTA_STORE_SLOT_NONE);
    assert_int_equal(ota_agent_state(&w->agent), OTA_AGENT_IDLE);

    assert_int_equal(ota_agent_start_update(&w->agent, "http://h/a.ota", 2, w->digest),
                     OTA_AGENT_ERR_INSECURE_URL);
    assert_string_equal(ota_agent_status_str(OTA_AGENT_ERR_INSECURE_URL),
                        "plain http refused (TLS required)");
    world_free(w);
}

/* A redirect from the https image URL down to http:// is not followed. */
static void test_require_tls_refuses_redirect_to_http(void **state)
{
    (void)state;
    world_t *w = world_new();
    make_image(w, 3, 4000);
    w->cfg.require_tls = true;
    w->cfg.manifest_url = "https://ota.example/ota.json";
    const char *m = manifest_one(3, "https://ota.example/app_v3.ota", w->digest_hex);
    mock_conn_t *c = serve(w, "200 OK", NULL, m, strlen(m), OTA_NET_WOULD_BLOCK);
    size_t rl;
    c->responses[1] = response(w, "302 Found", "Location: http://ota.example/app_v3.ota\r\n",
                               "", 0, &rl);
    c->response_lens[1] = rl;
    serve(w, "200 OK", NULL, w->img.bytes, w->img.len, OTA_NET_WOULD_BLOCK); /* never asked */
    world_start(w);
    run_until_event(w, OTA_EVT_DOWNLOAD_FAILED, 1, 2000);
    const ota_event_t *e = event_log_last(&w->log, OTA_EVT_DOWNLOAD_FAILED);
    assert_int_equal(e->source, OTA_SRC_HTTP);
    assert_int_equal(e->status, OTA_HTTP_ERR_INSECURE);
    assert_int_equal(w->mock.connects, 1);
    assert_int_equal(event_log_count(&w->log, OTA_EVT_IMAGE_STORED), 0);
    assert_int_equal(ota_store_find_version(&w->fx->store, 3), OTA_STORE_SLOT_NONE);
    world_free(w);
}

static void test_erase_ver_of_stored_version(void **state)
{
    (void)state;
    world_t *w = world_new();
    make_image(w, 2, 3000);
    uint8_t slot;
    assert_int_equal(store_fixture_download(&w->fx->store, 2, w->img.bytes, w->img.len, 700,
                                            &slot),
                     OTA_STORE_OK);
    assert_int_equal(ota_store_find_version(&w->fx->store, 2), slot);

    const char *m = "{\"ota\":[{\"Version\":2,\"EraseVer\":true},"
                    "{\"Version\":9,\"EraseVer\":true}]}";
    mock_conn_t *c = serve(w, "200 OK", NULL, m, strlen(m), OTA_NET_WOULD_BLOCK);
    also(w, c, 1, "200 OK", m, strlen(m));
    w->cfg.period_s = 1;
    world_start(w);
    run_until_event(w, OTA_EVT_NO_UPDATE, 1, 2000);
    assert_int_equal(event_log_count(&w->log, OTA_EVT_IMAGE_ERASED), 1); /* v9 was never stored */
    assert_int_equal(event_log_last(&w->log, OTA_EVT_IMAGE_ERASED)->version, 2);
    assert_int_equal(event_log_count(&w->log, OTA_EVT_ERASE_FAILED), 0);
    assert_int_equal(ota_store_find_version(&w->fx->store, 2), OTA_STORE_SLOT_NONE);
    assert_int_equal(ota_store_slot(&w->fx->store, slot)->state, OTA_SLOT_EMPTY);

    /* The same manifest next period: already done, nothing reported as failed. */
    w->now += 1000;
    run_until_event(w, OTA_EVT_NO_UPDATE, 2, 2000);
    assert_int_equal(event_log_count(&w->log, OTA_EVT_IMAGE_ERASED), 1);
    assert_int_equal(event_log_count(&w->log, OTA_EVT_ERASE_FAILED), 0);
    world_free(w);
}

/* A download dropped mid-way, then the manifest erases that version: the partial download
 * is given up and nothing of that version remains or is fetched. */
static void test_erase_ver_of_interrupted_download(void **state)
{
    (void)state;
    world_t *w = world_new();
    make_image(w, 2, 60000);
    char m[512];
    serve_cut(w, 45000, m, sizeof m);
    const char *erase = "{\"ota\":[{\"Version\":2,\"EraseVer\":true}]}";
    serve(w, "200 OK", NULL, erase, strlen(erase), OTA_NET_WOULD_BLOCK);
    w->cfg.period_s = 1;
    world_start(w);
    run_until_event(w, OTA_EVT_DOWNLOAD_FAILED, 1, 10000);
    assert_true(ota_store_download_active(&w->fx->store, NULL, NULL));

    w->now += 1000;
    run_until_event(w, OTA_EVT_NO_UPDATE, 1, 5000);
    assert_int_equal(event_log_count(&w->log, OTA_EVT_ERASE_FAILED), 0);
    assert_false(ota_store_download_active(&w->fx->store, NULL, NULL));
    assert_int_equal(downloading_slot(w), OTA_STORE_SLOT_NONE);
    assert_int_equal(event_log_count(&w->log, OTA_EVT_DOWNLOAD_STARTED), 1);
    world_free(w);
}

static void test_store_full_reported(void **state)
{
    (void)state;
    world_t *w = world_new();
    make_image(w, 4, 2000);
    /* Both download slots hold images that must be kept: nowhere to put v4. */
    test_image_t *other = calloc(1, sizeof *other);
    uint8_t s2, s3;
    ota_image_header_t h = test_image_header(1000);
    h.version = 2;
    test_image_start(other, &h, NULL);
    test_image_tlv_sha256(other);
    test_image_end(other);
    assert_int_equal(store_fixture_download(&w->fx->store, 2, other->bytes, other->len, 512, &s2),
                     OTA_STORE_OK);
    h.version = 3;
    test_image_start(other, &h, NULL);
    test_image_tlv_sha256(other);
    test_image_end(other);
    assert_int_equal(store_fixture_download(&w->fx->store, 3, other->bytes, other->len, 512, &s3),
                     OTA_STORE_OK);
    free(other);
    /* v3 is about to be installed, v2 runs (set by a simulated bootloader). */
    assert_int_equal(ota_store_set_running(&w->fx->store, 2, s2), OTA_STORE_OK);
    assert_int_equal(ota_store_request_install(&w->fx->store, s3), OTA_STORE_OK);

    const char *m = manifest_one(4, "http://o/a.ota", w->digest_hex);
    serve(w, "200 OK", NULL, m, strlen(m), OTA_NET_WOULD_BLOCK);
    w->cfg.running_version = 2;
    world_start(w);
    run_until_event(w, OTA_EVT_STORE_FULL, 1, 2000);
    assert_int_equal(event_log_count(&w->log, OTA_EVT_DOWNLOAD_STARTED), 0);
    assert_int_equal(ota_store_boot(&w->fx->store)->install_slot, s3); /* untouched */
    world_free(w);
}

static void test_abort_keeps_durable_part(void **state)
{
    (void)state;
    world_t *w = world_new();
    make_image(w, 2, 60000);
    const char *m = manifest_one(2, "http://ota.example:8000/a.ota", w->digest_hex);
    mock_conn_t *c = serve(w, "200 OK", NULL, m, strlen(m), OTA_NET_WOULD_BLOCK);
    size_t rl;
    char *r = (char *)response(w, "200 OK", NULL, w->img.bytes, w->img.len, &rl);
    c->responses[1] = r;
    c->response_lens[1] = rl - 10000; /* the server stalls before the end */
    w->cfg.auto_reset = false;
    world_start(w);
    run_until(w, OTA_AGENT_DOWNLOADING, 1000);
    for (int i = 0; i < 2000; i++) {
        ota_agent_poll(&w->agent, w->now); /* the clock stands still: no idle timeout */
    }
    uint32_t bytes = 0, total = 0;
    assert_true(ota_agent_progress(&w->agent, &bytes, &total));
    assert_true(bytes > 40000);
    assert_int_equal(total, w->img.len);

    assert_int_equal(ota_agent_abort(&w->agent), OTA_AGENT_OK);
    assert_int_equal(ota_agent_state(&w->agent), OTA_AGENT_IDLE);
    assert_int_equal(event_log_last(&w->log, OTA_EVT_DOWNLOAD_FAILED)->status,
                     OTA_AGENT_ERR_ABORTED);
    assert_int_equal(store_fixture_remount(w->fx), OTA_STORE_OK);
    int downloading = 0;
    for (uint8_t s = 1; s < ota_store_slot_count(&w->fx->store); s++) {
        const ota_store_slot_t *d = ota_store_slot(&w->fx->store, s);
        if (d->state == OTA_SLOT_DOWNLOADING && d->version == 2 && d->offset > 0) {
            downloading = 1;
        }
    }
    assert_true(downloading);
    world_free(w);
}

/* --- signed manifests and hardware id ------------------------------------------------- */

static tool_key_t manifest_key, other_key;
static ota_sig_key_t manifest_trusted[1];
static const ota_sig_keyring_t manifest_ring = {.keys = manifest_trusted, .count = 1};

static int make_manifest_keys(void **unused)
{
    (void)unused;
    return test_keys_make(&manifest_key, &other_key, &manifest_trusted[0]);
}

static int free_manifest_keys(void **unused)
{
    (void)unused;
    test_keys_free(&manifest_key, &other_key);
    return 0;
}

/* The .sig of text made with key, as `otaflow-image manifest sign` writes it. */
static size_t sign_text(const char *text, tool_key_t *key, uint8_t sig[OTA_MANIFEST_SIG_MAX])
{
    size_t n = test_keys_sign_manifest(key, text, strlen(text), sig);
    assert_true(n > 0);
    return n;
}

/* A manifest offering w's image as v3, with freshness fields (sequence 0: none). */
static const char *fresh_manifest(world_t *w, uint32_t sequence, uint64_t expires)
{
    static char m[1024];
    int n = snprintf(m, sizeof m,
                     "{\"ota\":[{\"Version\":3,\"URL\":\"http://ota.example:8000/app_v3.ota\","
                     "\"Digest\":\"%s\"}]",
                     w->digest_hex);
    if (sequence != 0) {
        n += snprintf(m + n, sizeof m - (size_t)n, ",\"Sequence\":%u,\"Expires\":%llu",
                      (unsigned)sequence, (unsigned long long)expires);
    }
    snprintf(m + n, sizeof m - (size_t)n, "}");
    return m;
}

static uint64_t utc_value;
static uint64_t test_utc(void *ctx)
{
    (void)ctx;
    return utc_value;
}

/* A world whose agent trusts manifest_key and requires signed manifests; v3 made. */
static world_t *signed_world(void)
{
    world_t *w = world_new();
    make_image(w, 3, 5000);
    w->cfg.manifest_keys = &manifest_ring;
    w->cfg.require_signed_manifest = true;
    utc_value = 0;
    return w;
}

static void signed_world_start(world_t *w)
{
    ota_agent_ports_t ports = {
        .transport = mock_transport(&w->mock),
        .store = &w->fx->store,
        .reset = on_reset,
        .reset_ctx = w,
        .utc_now = test_utc,
    };
    assert_int_equal(ota_agent_init(&w->agent, &w->cfg, &ports), OTA_AGENT_OK);
}

/* Serve the manifest text and its .sig (sig_len 0: the .sig is a 404) on one connection,
 * then the image; run until the check ends. */
static void serve_signed(world_t *w, const char *m, const uint8_t *sig, size_t sig_len)
{
    mock_conn_t *c = serve(w, "200 OK", NULL, m, strlen(m), OTA_NET_WOULD_BLOCK);
    if (sig_len != 0) {
        also(w, c, 1, "200 OK", sig, sig_len);
        also(w, c, 2, "200 OK", w->img.bytes, w->img.len);
    } else {
        also(w, c, 1, "404 Not Found", "no", 2); /* the client closes after an error */
        serve(w, "200 OK", NULL, w->img.bytes, w->img.len, OTA_NET_WOULD_BLOCK);
    }
}

/* The check failed with a manifest-signature reason; nothing downloaded or erased. */
static void assert_refused(world_t *w, ota_manifest_sig_status_t why)
{
    run_until_event(w, OTA_EVT_CHECK_FAILED, 1, 2000);
    const ota_event_t *e = event_log_last(&w->log, OTA_EVT_CHECK_FAILED);
    assert_int_equal(e->source, OTA_SRC_MANIFEST_SIG);
    assert_int_equal(e->status, why);
    assert_string_equal(e->reason, ota_manifest_sig_status_str(why));
    assert_int_equal(event_log_count(&w->log, OTA_EVT_UPDATE_AVAILABLE), 0);
    assert_int_equal(event_log_count(&w->log, OTA_EVT_DOWNLOAD_STARTED), 0);
    assert_int_equal(ota_agent_state(&w->agent), OTA_AGENT_IDLE);
}

static void test_signed_manifest_accepted_and_sequence_kept(void **state)
{
    (void)state;
    world_t *w = signed_world();
    const char *m = fresh_manifest(w, 7, 4000000000u);
    uint8_t sig[OTA_MANIFEST_SIG_MAX];
    serve_signed(w, m, sig, sign_text(m, &manifest_key, sig));
    utc_value = 1800000000u;
    signed_world_start(w);
    assert_int_equal(run_until(w, OTA_AGENT_RESET_PENDING, 5000), OTA_AGENT_RESET_PENDING);
    assert_int_equal(mock_sent_count(&w->mock, "GET /ota.json.sig HTTP/1.1"), 1);
    assert_int_not_equal(ota_store_find_version(&w->fx->store, 3), OTA_STORE_SLOT_NONE);
    assert_int_equal(store_fixture_remount(w->fx), OTA_STORE_OK);
    assert_int_equal(ota_store_boot(&w->fx->store)->manifest_sequence, 7);
    world_free(w);
}

static void test_unsigned_manifest_refused_when_required(void **state)
{
    (void)state;
    world_t *w = signed_world();
    serve_signed(w, fresh_manifest(w, 7, 4000000000u), NULL, 0);
    signed_world_start(w);
    assert_refused(w, OTA_MANIFEST_SIG_ERR_UNSIGNED);
    world_free(w);

    /* Keys but not required: a manifest without .sig is used as it is (migration). */
    w = signed_world();
    w->cfg.require_signed_manifest = false;
    serve_signed(w, fresh_manifest(w, 0, 0), NULL, 0);
    signed_world_start(w);
    assert_int_equal(run_until(w, OTA_AGENT_RESET_PENDING, 5000), OTA_AGENT_RESET_PENDING);
    world_free(w);
}

static void test_manifest_signed_by_another_key_or_changed_refused(void **state)
{
    (void)state;
    uint8_t sig[OTA_MANIFEST_SIG_MAX];
    world_t *w = signed_world();
    const char *m = fresh_manifest(w, 7, 4000000000u);
    serve_signed(w, m, sig, sign_text(m, &other_key, sig));
    signed_world_start(w);
    assert_refused(w, OTA_MANIFEST_SIG_ERR_UNKNOWN_KEY);
    world_free(w);

    /* Signed, then one entry changed (mix-and-match: another digest for v3). */
    w = signed_world();
    m = fresh_manifest(w, 7, 4000000000u);
    size_t n = sign_text(m, &manifest_key, sig);
    char changed[1024];
    snprintf(changed, sizeof changed, "%s", m);
    char *d = strstr(changed, w->digest_hex);
    d[0] = d[0] == '0' ? '1' : '0';
    serve_signed(w, changed, sig, n);
    signed_world_start(w);
    assert_refused(w, OTA_MANIFEST_SIG_ERR_BAD_SIGNATURE);
    world_free(w);

    /* A .sig that is not one (an HTML error page served with 200). */
    w = signed_world();
    serve_signed(w, m, (const uint8_t *)"<html>oops</html>", 17);
    signed_world_start(w);
    assert_refused(w, OTA_MANIFEST_SIG_ERR_FORMAT);
    world_free(w);
}

static void test_replayed_manifest_refused(void **state)
{
    (void)state;
    uint8_t sig[OTA_MANIFEST_SIG_MAX];
    world_t *w = signed_world();
    assert_int_equal(ota_store_raise_manifest_sequence(&w->fx->store, 8), OTA_STORE_OK);
    const char *m = fresh_manifest(w, 7, 4000000000u); /* signed, valid, but older */
    serve_signed(w, m, sig, sign_text(m, &manifest_key, sig));
    signed_world_start(w);
    assert_refused(w, OTA_MANIFEST_SIG_ERR_REPLAYED);
    assert_int_equal(ota_store_boot(&w->fx->store)->manifest_sequence, 8);
    world_free(w);

    /* Without Sequence/Expires a signature does not make a manifest fresh. */
    w = signed_world();
    m = fresh_manifest(w, 0, 0);
    serve_signed(w, m, sig, sign_text(m, &manifest_key, sig));
    signed_world_start(w);
    assert_refused(w, OTA_MANIFEST_SIG_ERR_NO_FRESHNESS);
    world_free(w);
}

static void test_expired_manifest_refused_when_time_known(void **state)
{
    (void)state;
    uint8_t sig[OTA_MANIFEST_SIG_MAX];
    world_t *w = signed_world();
    const char *m = fresh_manifest(w, 7, 1800000000u);
    serve_signed(w, m, sig, sign_text(m, &manifest_key, sig));
    signed_world_start(w);
    utc_value = 1800000000u;
    assert_refused(w, OTA_MANIFEST_SIG_ERR_EXPIRED);
    assert_int_equal(ota_store_boot(&w->fx->store)->manifest_sequence, 0);
    world_free(w);

    /* The same manifest on a device that does not know the time: accepted. */
    w = signed_world();
    m = fresh_manifest(w, 7, 1800000000u);
    serve_signed(w, m, sig, sign_text(m, &manifest_key, sig));
    signed_world_start(w);
    utc_value = 0;
    assert_int_equal(run_until(w, OTA_AGENT_RESET_PENDING, 5000), OTA_AGENT_RESET_PENDING);
    world_free(w);
}

/* No clock: the same Sequence is good for manifest_max_age_s of monotonic time, then the
 * device reports the freeze until the publisher signs a newer manifest. */
static void test_same_sequence_past_max_age_is_stale(void **state)
{
    (void)state;
    uint8_t sig[OTA_MANIFEST_SIG_MAX];
    world_t *w = signed_world();
    char m[1024];
    snprintf(m, sizeof m, "{\"ota\":[],\"Sequence\":7,\"Expires\":4000000000}");
    size_t n = sign_text(m, &manifest_key, sig);
    mock_conn_t *c = serve(w, "200 OK", NULL, m, strlen(m), OTA_NET_ERR_CLOSED);
    also(w, c, 1, "200 OK", sig, n);
    also(w, c, 2, "200 OK", m, strlen(m));
    also(w, c, 3, "200 OK", sig, n);
    char m2[1024];
    snprintf(m2, sizeof m2, "{\"ota\":[],\"Sequence\":8,\"Expires\":4000000000}");
    uint8_t sig2[OTA_MANIFEST_SIG_MAX];
    c = serve(w, "200 OK", NULL, m2, strlen(m2), OTA_NET_WOULD_BLOCK);
    also(w, c, 1, "200 OK", sig2, sign_text(m2, &manifest_key, sig2));
    w->cfg.manifest_max_age_s = 10;
    w->cfg.period_s = 0;
    signed_world_start(w);
    assert_int_equal(ota_agent_check_now(&w->agent), OTA_AGENT_OK);
    run_until_event(w, OTA_EVT_NO_UPDATE, 1, 2000);
    w->now += 11000; /* 11 s later, the same manifest */
    assert_int_equal(ota_agent_check_now(&w->agent), OTA_AGENT_OK);
    assert_refused(w, OTA_MANIFEST_SIG_ERR_STALE);
    assert_int_equal(ota_agent_check_now(&w->agent), OTA_AGENT_OK);
    run_until_event(w, OTA_EVT_NO_UPDATE, 2, 2000);
    assert_int_equal(ota_store_boot(&w->fx->store)->manifest_sequence, 8);
    world_free(w);
}

static void test_signed_manifest_config_checked(void **state)
{
    (void)state;
    world_t *w = world_new();
    ota_agent_ports_t ports = {.transport = mock_transport(&w->mock), .store = &w->fx->store};
    w->cfg.require_signed_manifest = true;
    assert_int_equal(ota_agent_init(&w->agent, &w->cfg, &ports), OTA_AGENT_ERR_CONFIG);
    const ota_sig_keyring_t empty = {.keys = manifest_trusted, .count = 0};
    w->cfg.manifest_keys = &empty;
    assert_int_equal(ota_agent_init(&w->agent, &w->cfg, &ports), OTA_AGENT_ERR_CONFIG);
    w->cfg.manifest_keys = &manifest_ring;
    w->cfg.manifest_max_age_s = OTA_AGENT_MAX_AGE_LIMIT_S + 1;
    assert_int_equal(ota_agent_init(&w->agent, &w->cfg, &ports), OTA_AGENT_ERR_CONFIG);
    w->cfg.manifest_max_age_s = 0;
    static char url[OTA_URL_MAX];
    memset(url, 'a', sizeof url - 1);
    memcpy(url, "http://h/", 9);
    url[OTA_URL_MAX - 4] = '\0'; /* fits alone, not with ".sig" */
    w->cfg.manifest_url = url;
    assert_int_equal(ota_agent_init(&w->agent, &w->cfg, &ports), OTA_AGENT_ERR_CONFIG);
    w->cfg.manifest_url = "http://h/ota.json";
    assert_int_equal(ota_agent_init(&w->agent, &w->cfg, &ports), OTA_AGENT_OK);
    world_free(w);
}

/* An image whose header names another board: refused once its header is in, the slot not
 * kept; a manifest entry with another HwId is not even considered. */
static void test_image_for_another_board_refused_at_its_header(void **state)
{
    (void)state;
    world_t *w = world_new();
    make_image(w, 3, 60000); /* header hw_id 0x57310001 */
    const char *m = manifest_one(3, "http://ota.example:8000/app_v3.ota", w->digest_hex);
    mock_conn_t *c = serve(w, "200 OK", NULL, m, strlen(m), OTA_NET_WOULD_BLOCK);
    also(w, c, 1, "200 OK", w->img.bytes, w->img.len);
    w->cfg.hw_id = 0x57310002u;
    w->mock.recv_chunk = 16; /* the header arrives in pieces */
    world_start(w);
    run_until_event(w, OTA_EVT_DOWNLOAD_FAILED, 1, 20000);
    const ota_event_t *e = event_log_last(&w->log, OTA_EVT_DOWNLOAD_FAILED);
    assert_int_equal(e->source, OTA_SRC_AGENT);
    assert_int_equal(e->status, OTA_AGENT_ERR_HW_ID);
    assert_true(e->bytes < 1024); /* stopped at the header, not after the image */
    assert_int_equal(ota_store_find_version(&w->fx->store, 3), OTA_STORE_SLOT_NONE);
    assert_false(ota_store_download_active(&w->fx->store, NULL, NULL));
    assert_int_equal(ota_store_slot(&w->fx->store, 1)->state, OTA_SLOT_EMPTY);
    world_free(w);

    w = world_new();
    make_image(w, 3, 5000);
    char m2[1024];
    snprintf(m2, sizeof m2,
             "{\"ota\":[{\"Version\":3,\"HwId\":1234,\"URL\":\"http://o/3\",\"Digest\":\"%s\"}]}",
             w->digest_hex);
    serve(w, "200 OK", NULL, m2, strlen(m2), OTA_NET_WOULD_BLOCK);
    w->cfg.hw_id = 0x57310002u;
    world_start(w);
    run_until_event(w, OTA_EVT_NO_UPDATE, 1, 2000);
    assert_int_equal(event_log_count(&w->log, OTA_EVT_DOWNLOAD_STARTED), 0);
    world_free(w);
}

/* --- EraseVer, TLS downgrade, URLs, backoff (issue 10) --------------------------------- */

/* v1 and v2 stored, v2 running from its slot (so EraseVer(2) has v1 to roll back to). */
static uint8_t running_v2_over_v1(world_t *w)
{
    uint8_t s1 = store_fixture_store_version(w->fx, 1, 1000);
    uint8_t s2 = store_fixture_store_version(w->fx, 2, 1000);
    assert_int_not_equal(s1, OTA_STORE_SLOT_NONE);
    assert_int_equal(ota_store_set_running(&w->fx->store, 2, s2), OTA_STORE_OK);
    w->cfg.running_version = 2;
    return s1;
}

/* A world whose manifest (at manifest_url) offers a 4000-byte v2 at image_url; the manifest's
 * connection then ends with `end`. Not started: the caller adjusts the config first. */
static world_t *world_offering_v2(const char *manifest_url, const char *image_url,
                                  ota_net_status_t end)
{
    world_t *w = world_new();
    make_image(w, 2, 4000);
    w->cfg.manifest_url = manifest_url;
    const char *m = manifest_one(2, image_url, w->digest_hex);
    serve(w, "200 OK", NULL, m, strlen(m), end);
    return w;
}

/* Start w: the download fails with the agent's reason why before the store wrote a record. */
static void assert_refused_before_the_store(world_t *w, ota_agent_status_t why)
{
    world_start(w);
    run_until_event(w, OTA_EVT_DOWNLOAD_FAILED, 1, 2000);
    const ota_event_t *e = event_log_last(&w->log, OTA_EVT_DOWNLOAD_FAILED);
    assert_int_equal(e->source, OTA_SRC_AGENT);
    assert_int_equal(e->status, why);
    assert_int_equal(w->fx->store.journal.appends, 0);
    assert_false(ota_store_download_active(&w->fx->store, NULL, NULL));
}

static const char erase_running[] = "{\"ota\":[{\"Version\":2,\"EraseVer\":true}]}";

/* With manifest keys, an unsigned manifest (accepted: require_signed_manifest is off) cannot
 * roll the device back through EraseVer; the same entry in a signed manifest can. */
static void test_erase_ver_of_running_needs_a_signed_manifest(void **state)
{
    (void)state;
    world_t *w = signed_world();
    w->cfg.require_signed_manifest = false;
    (void)running_v2_over_v1(w);
    serve_signed(w, erase_running, NULL, 0);
    uint32_t appends = w->fx->store.journal.appends;
    signed_world_start(w);
    run_until_event(w, OTA_EVT_NO_UPDATE, 1, 5000);
    const ota_event_t *e = event_log_last(&w->log, OTA_EVT_ERASE_FAILED);
    assert_non_null(e);
    assert_int_equal(e->version, 2);
    assert_int_equal(e->source, OTA_SRC_AGENT);
    assert_int_equal(e->status, OTA_AGENT_ERR_ERASE_UNSIGNED);
    assert_string_equal(e->reason, "EraseVer of the running image needs a signature");
    assert_int_equal(event_log_count(&w->log, OTA_EVT_RESET_PENDING), 0);
    assert_int_equal(w->fx->store.journal.appends, appends);
    assert_int_equal(ota_store_boot(&w->fx->store)->state, OTA_BOOT_CONFIRMED);
    world_free(w);

    w = signed_world();
    uint8_t v1_slot = running_v2_over_v1(w);
    char m[256];
    snprintf(m, sizeof m,
             "{\"ota\":[{\"Version\":2,\"EraseVer\":true}],\"Sequence\":5,\"Expires\":4000000000}");
    uint8_t sig[OTA_MANIFEST_SIG_MAX];
    serve_signed(w, m, sig, sign_text(m, &manifest_key, sig));
    signed_world_start(w);
    assert_int_equal(run_until(w, OTA_AGENT_RESET_PENDING, 5000), OTA_AGENT_RESET_PENDING);
    assert_int_equal(event_log_last(&w->log, OTA_EVT_IMAGE_ERASED)->version, 2);
    assert_int_equal(ota_store_boot(&w->fx->store)->install_slot, v1_slot);
    world_free(w);
}

/* Even unsigned (the default), EraseVer cannot take the device below its security counter:
 * the store refuses with a named status and writes nothing. */
static void test_erase_ver_below_the_floor_refused(void **state)
{
    (void)state;
    world_t *w = world_new();
    (void)running_v2_over_v1(w);
    /* Test images carry counter 7; the device confirmed counter 8. */
    assert_int_equal(ota_store_confirm(&w->fx->store, 8), OTA_STORE_OK);
    serve(w, "200 OK", NULL, erase_running, strlen(erase_running), OTA_NET_WOULD_BLOCK);
    uint32_t appends = w->fx->store.journal.appends;
    world_start(w);
    run_until_event(w, OTA_EVT_NO_UPDATE, 1, 5000);
    const ota_event_t *e = event_log_last(&w->log, OTA_EVT_ERASE_FAILED);
    assert_non_null(e);
    assert_int_equal(e->source, OTA_SRC_STORE);
    assert_int_equal(e->status, OTA_STORE_ERR_BELOW_FLOOR);
    assert_int_equal(event_log_count(&w->log, OTA_EVT_RESET_PENDING), 0);
    assert_int_equal(w->fx->store.journal.appends, appends);
    assert_int_equal(store_fixture_remount(w->fx), OTA_STORE_OK);
    assert_int_equal(ota_store_boot(&w->fx->store)->state, OTA_BOOT_CONFIRMED);
    assert_int_equal(ota_store_boot(&w->fx->store)->running_version, 2);
    world_free(w);
}

/* A manifest fetched over https does not send the image over http, nor may a redirect, unless
 * the configuration allows it; nothing is written to the store. */
static void test_https_manifest_refuses_http_image(void **state)
{
    (void)state;
    world_t *w = world_offering_v2("https://ota.example/ota.json",
                                   "http://ota.example/app_v2.ota", OTA_NET_WOULD_BLOCK);
    assert_refused_before_the_store(w, OTA_AGENT_ERR_TLS_DOWNGRADE);
    assert_int_equal(w->mock.connects, 1);
    assert_int_equal(mock_sent_count(&w->mock, "GET /app_v2.ota"), 0);
    assert_int_equal(ota_agent_start_update(&w->agent, "http://h/a.ota", 2, w->digest),
                     OTA_AGENT_ERR_TLS_DOWNGRADE);
    world_free(w);

    /* A redirect from the https image URL down to http is not followed either. */
    w = world_offering_v2("https://ota.example/ota.json", "https://ota.example/app_v2.ota",
                          OTA_NET_WOULD_BLOCK);
    mock_conn_t *c = &w->mock.conns[0];
    size_t rl;
    c->responses[1] = response(w, "302 Found", "Location: http://ota.example/app_v2.ota\r\n",
                               "", 0, &rl);
    c->response_lens[1] = rl;
    world_start(w);
    run_until_event(w, OTA_EVT_DOWNLOAD_FAILED, 1, 2000);
    const ota_event_t *e = event_log_last(&w->log, OTA_EVT_DOWNLOAD_FAILED);
    assert_int_equal(e->source, OTA_SRC_HTTP);
    assert_int_equal(e->status, OTA_HTTP_ERR_INSECURE);
    assert_int_equal(w->mock.connects, 1);
    world_free(w);

    /* The explicit flag allows it. */
    w = world_offering_v2("https://ota.example/ota.json", "http://ota.example/app_v2.ota",
                          OTA_NET_ERR_CLOSED);
    w->cfg.allow_http_images = true;
    serve(w, "200 OK", NULL, w->img.bytes, w->img.len, OTA_NET_WOULD_BLOCK);
    world_start(w);
    assert_int_equal(run_until(w, OTA_AGENT_RESET_PENDING, 5000), OTA_AGENT_RESET_PENDING);
    assert_false(w->mock.tls);
    world_free(w);
}

/* An image URL the client cannot fetch is refused before the store writes anything. */
static void test_bad_image_url_costs_no_journal_write(void **state)
{
    (void)state;
    world_t *w = world_offering_v2("http://ota.example:8000/ota.json",
                                   "http://ota.example:99999/app.ota", OTA_NET_WOULD_BLOCK);
    assert_refused_before_the_store(w, OTA_AGENT_ERR_URL);
    assert_int_equal(downloading_slot(w), OTA_STORE_SLOT_NONE);
    world_free(w);
}

/* Poll in 100 ms steps until the n-th CHECK_STARTED; returns its time. */
static uint32_t time_of_check(world_t *w, size_t n)
{
    for (unsigned i = 0; i < 100000 && event_log_count(&w->log, OTA_EVT_CHECK_STARTED) < n; i++) {
        ota_agent_poll(&w->agent, w->now);
        w->now += 100;
    }
    assert_int_equal(event_log_count(&w->log, OTA_EVT_CHECK_STARTED), n);
    return w->now;
}

/* Failed checks back off 60, 120, 240, 480 (the maximum), 480 s, whatever the 10 s period;
 * each failure says when it retries; an accepted manifest brings the period back. */
static void test_failed_checks_back_off(void **state)
{
    (void)state;
    world_t *w = world_new();
    const uint32_t want[] = {60, 120, 240, 480, 480};
    for (size_t i = 0; i < 5; i++) {
        serve(w, "404 Not Found", NULL, "no", 2, OTA_NET_ERR_CLOSED);
    }
    const char *m = manifest_one(1, "http://o/app.ota", "00000000000000000000000000000000"
                                                        "00000000000000000000000000000000");
    mock_conn_t *c = serve(w, "200 OK", NULL, m, strlen(m), OTA_NET_WOULD_BLOCK);
    also(w, c, 1, "200 OK", m, strlen(m));
    w->cfg.period_s = 10;
    w->cfg.retry_first_s = 60;
    w->cfg.retry_max_s = 480;
    world_start(w);
    uint32_t t = time_of_check(w, 1);
    for (size_t i = 0; i < 5; i++) {
        uint32_t next = time_of_check(w, i + 2);
        const ota_event_t *e = event_log_failure(&w->log, i);
        assert_int_equal(e->type, OTA_EVT_CHECK_FAILED);
        assert_int_equal(e->retry_s, want[i]);
        assert_true(next - t >= want[i] * 1000u);
        assert_true(next - t <= want[i] * 1000u + 1000u);
        t = next;
    }
    run_until_event(w, OTA_EVT_NO_UPDATE, 1, 1000);
    uint32_t next = time_of_check(w, 7);
    assert_true(next - t <= 11000u); /* back to the period */
    run_until_event(w, OTA_EVT_NO_UPDATE, 2, 1000);
    assert_int_equal(event_log_failures(&w->log), 5);
    world_free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_refuses_bad_config),
        cmocka_unit_test(test_update_stored_and_reset_requested),
        cmocka_unit_test(test_no_update_then_periodic_check),
        cmocka_unit_test(test_period_zero_checks_only_on_demand),
        cmocka_unit_test(test_waits_for_network),
        cmocka_unit_test(test_manifest_404_reports_status),
        cmocka_unit_test(test_total_timeout_bounds_a_trickle),
        cmocka_unit_test(test_manifest_too_large_and_invalid),
        cmocka_unit_test(test_digest_mismatch_stores_nothing_and_is_not_fetched_again),
        cmocka_unit_test(test_dropped_download_resumes_with_range),
        cmocka_unit_test(test_download_resumes_after_power_cycle),
        cmocka_unit_test(test_range_past_the_end_verifies_what_is_there),
        cmocka_unit_test(test_range_past_the_end_with_wrong_bytes_starts_over),
        cmocka_unit_test(test_resume_with_nothing_left_verifies),
        cmocka_unit_test(test_size_mismatch_refused),
        cmocka_unit_test(test_length_over_slot_refused_before_writing),
        cmocka_unit_test(test_manual_download_when_auto_update_off),
        cmocka_unit_test(test_start_update_without_manifest),
        cmocka_unit_test(test_require_tls_refuses_plain_http),
        cmocka_unit_test(test_require_tls_refuses_redirect_to_http),
        cmocka_unit_test(test_erase_ver_of_stored_version),
        cmocka_unit_test(test_erase_ver_of_interrupted_download),
        cmocka_unit_test(test_store_full_reported),
        cmocka_unit_test(test_abort_keeps_durable_part),
        cmocka_unit_test(test_signed_manifest_accepted_and_sequence_kept),
        cmocka_unit_test(test_unsigned_manifest_refused_when_required),
        cmocka_unit_test(test_manifest_signed_by_another_key_or_changed_refused),
        cmocka_unit_test(test_replayed_manifest_refused),
        cmocka_unit_test(test_expired_manifest_refused_when_time_known),
        cmocka_unit_test(test_same_sequence_past_max_age_is_stale),
        cmocka_unit_test(test_signed_manifest_config_checked),
        cmocka_unit_test(test_image_for_another_board_refused_at_its_header),
        cmocka_unit_test(test_erase_ver_of_running_needs_a_signed_manifest),
        cmocka_unit_test(test_erase_ver_below_the_floor_refused),
        cmocka_unit_test(test_https_manifest_refuses_http_image),
        cmocka_unit_test(test_bad_image_url_costs_no_journal_write),
        cmocka_unit_test(test_failed_checks_back_off),
    };
    return cmocka_run_group_tests(tests, make_manifest_keys, free_manifest_keys);
}
