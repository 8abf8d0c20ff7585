/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What one poll of the agent does and when it asks for the next (issue 16), on a scripted
 * transport and a fake clock:
 *  - ota_agent_next_poll_ms(): the time until the next periodic check when idle, 0 while
 *    there is work, OTA_AGENT_POLL_NONE when nothing is scheduled, OTA_AGENT_POLL_IO_MS while
 *    a transfer (a manifest, an image, a patch) waits for the network;
 *  - a request started in a poll is sent in that poll, and a response that arrives whole
 *    in a poll is acted on in it;
 *  - conditional GET: the manifest's ETag (or Last-Modified) goes back as If-None-Match (or
 *    If-Modified-Since) once two reads a second apart agree; a 304 then ends the check with
 *    NO_UPDATE and no .sig fetch; a 304 nobody asked for, or one with a body, fails the check
 *    and the next one reads the manifest in full;
 *  - verification is spread over polls (OTA_AGENT_VERIFY_STEP bytes each) with
 *    VERIFY_PROGRESS events, and an abort in the middle leaves the store usable.
 * Built again with OTA_CONDITIONAL_GET 0 and OTA_VERIFY_OVER_POLLS 0 (unit_agent_poll_polls_off,
 * CMakeLists.txt): every check is a full read, and the verification ends in the poll that
 * received the last byte.
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
#include "otaflow/agent_patch.h"
#include "delta_tool.h"
#include "store_fixture.h"
#include "test_keys.h"
#include "tool.h"

#define MAX_ANSWERS 8

typedef struct world {
    store_fixture_t *fx;
    mock_transport_t mock;
    event_log_t log;
    ota_agent_t agent;
    ota_agent_config_t cfg;
    test_image_t img;
    char digest_hex[65];
    char *answers[MAX_ANSWERS];
    size_t n_answers;
    uint32_t now;
    ota_agent_patch_t *patch; /**< ports.patch (NULL: full images only) */
} world_t;

static ota_sig_key_t any_key; /* the .sig is always 404 here: never used to verify */
static const ota_sig_keyring_t ring = {.keys = &any_key, .count = 1};

static const char NOTHING_NEW[] = "{\"ota\":[{\"Version\":1,\"URL\":\"http://ota.example/1.ota\","
                                  "\"Digest\":\"" "0000000000000000000000000000000000000000000000"
                                  "000000000000000001\"}]}";

/* A world whose agent will check every period_s (0: only when asked). */
static world_t *world_new(uint32_t period_s)
{
    world_t *w = calloc(1, sizeof *w);
    assert_non_null(w);
    w->fx = store_fixture_open(NULL, NULL);
    mock_init(&w->mock);
    ota_agent_config_default(&w->cfg);
    w->cfg.manifest_url = "http://ota.example/ota.json";
    w->cfg.running_version = 1;
    w->cfg.on_event = event_log_record;
    w->cfg.event_user = &w->log;
    w->cfg.auto_reset = false;
    w->cfg.period_s = period_s;
    w->now = 5000;
    return w;
}

static void world_start(world_t *w)
{
    ota_agent_ports_t ports = {.transport = mock_transport(&w->mock), .store = &w->fx->store,
                               .patch = w->patch};
    assert_int_equal(ota_agent_init(&w->agent, &w->cfg, &ports), OTA_AGENT_OK);
}

static void world_free(world_t *w)
{
    for (size_t i = 0; i < w->n_answers; i++) {
        free(w->answers[i]);
    }
    store_fixture_close(w->fx);
    free(w);
}

/* One connection answering one response (status line, extra header lines, body), then
 * closed by the server. */
static void answer(world_t *w, const char *status, const char *extra, const void *body,
                   size_t len)
{
    assert_true(w->n_answers < MAX_ANSWERS);
    char *r = malloc(len + 1024);
    assert_non_null(r);
    int n = snprintf(r, 1024, "HTTP/1.1 %s\r\nContent-Length: %zu\r\n%s\r\n", status, len,
                     extra != NULL ? extra : "");
    memcpy(r + n, body, len);
    w->answers[w->n_answers++] = r;
    mock_conn_t *c = mock_add(&w->mock, r, OTA_NET_ERR_CLOSED);
    c->response_lens[0] = (size_t)n + len;
}

/* A 304 as servers send it: no Content-Length, no body. */
static void answer_304(world_t *w, const char *extra)
{
    assert_true(w->n_answers < MAX_ANSWERS);
    char *r = malloc(512);
    assert_non_null(r);
    snprintf(r, 512, "HTTP/1.1 304 Not Modified\r\n%s\r\n", extra);
    w->answers[w->n_answers++] = r;
    (void)mock_add(&w->mock, r, OTA_NET_ERR_CLOSED);
}

/* Check now and poll (1 ms a poll) until the check ends: NO_UPDATE or CHECK_FAILED. */
static void check_at(world_t *w, uint32_t now)
{
    size_t ends = event_log_count(&w->log, OTA_EVT_NO_UPDATE) +
                  event_log_count(&w->log, OTA_EVT_CHECK_FAILED);
    w->now = now;
    assert_int_equal(ota_agent_check_now(&w->agent), OTA_AGENT_OK);
    for (unsigned i = 0; i < 1000u; i++) {
        ota_agent_poll(&w->agent, w->now++);
        if (event_log_count(&w->log, OTA_EVT_NO_UPDATE) +
                event_log_count(&w->log, OTA_EVT_CHECK_FAILED) > ends) {
            return;
        }
    }
    fail_msg("the check did not end");
}

#if OTA_CONDITIONAL_GET
/* Check now at `now` and poll until the n-th event of type t. */
static void check_until(world_t *w, uint32_t now, ota_event_type_t t, size_t n)
{
    w->now = now;
    assert_int_equal(ota_agent_check_now(&w->agent), OTA_AGENT_OK);
    for (unsigned i = 0; i < 100 && event_log_count(&w->log, t) < n; i++) {
        ota_agent_poll(&w->agent, w->now++);
    }
    assert_int_equal(event_log_count(&w->log, t), n);
}
#endif

/* --- when to poll -------------------------------------------------------------------- */

static void test_next_poll_follows_the_period(void **state)
{
    (void)state;
    world_t *w = world_new(60);
    answer(w, "200 OK", NULL, NOTHING_NEW, strlen(NOTHING_NEW));
    world_start(w);
    assert_int_equal(ota_agent_next_poll_ms(&w->agent), 0); /* never polled: check at once */

    ota_agent_poll(&w->agent, 5000);
    /* The mock answers at once: request, response and verdict in this one poll. */
    assert_int_equal(event_log_count(&w->log, OTA_EVT_NO_UPDATE), 1);
    assert_int_equal(ota_agent_state(&w->agent), OTA_AGENT_IDLE);
    assert_int_equal(ota_agent_next_poll_ms(&w->agent), 60000);

    ota_agent_poll(&w->agent, 25000);
    assert_int_equal(ota_agent_next_poll_ms(&w->agent), 40000);
    assert_int_equal(ota_agent_check_now(&w->agent), OTA_AGENT_OK);
    assert_int_equal(ota_agent_next_poll_ms(&w->agent), 0);
    world_free(w);
}

static void test_next_poll_none_without_a_period(void **state)
{
    (void)state;
    world_t *w = world_new(0);
    world_start(w);
    ota_agent_poll(&w->agent, 5000);
    assert_int_equal(ota_agent_state(&w->agent), OTA_AGENT_IDLE);
    assert_int_equal(ota_agent_next_poll_ms(&w->agent), OTA_AGENT_POLL_NONE);
    assert_int_equal(w->mock.connects, 0);
    world_free(w);
}

static void test_next_poll_waits_for_io(void **state)
{
    (void)state;
    world_t *w = world_new(0);
    answer(w, "200 OK", NULL, NOTHING_NEW, strlen(NOTHING_NEW));
    w->mock.conns[0].connect_blocks = 3; /* the connection takes a while */
    world_start(w);
    assert_int_equal(ota_agent_check_now(&w->agent), OTA_AGENT_OK);
    ota_agent_poll(&w->agent, 5000);
    assert_int_equal(ota_agent_state(&w->agent), OTA_AGENT_CHECKING);
    assert_int_equal(ota_agent_next_poll_ms(&w->agent), OTA_AGENT_POLL_IO_MS);
    for (uint32_t t = 5001; ota_agent_state(&w->agent) == OTA_AGENT_CHECKING && t < 5100; t++) {
        ota_agent_poll(&w->agent, t);
    }
    assert_int_equal(event_log_count(&w->log, OTA_EVT_NO_UPDATE), 1);
    assert_int_equal(ota_agent_next_poll_ms(&w->agent), OTA_AGENT_POLL_NONE);
    world_free(w);
}

static void test_next_poll_when_the_network_is_down(void **state)
{
    (void)state;
    world_t *w = world_new(60);
    world_start(w);
    w->mock.link_up = false;
    ota_agent_poll(&w->agent, 5000);
    assert_int_equal(ota_agent_state(&w->agent), OTA_AGENT_WAIT_NETWORK);
    assert_int_equal(ota_agent_next_poll_ms(&w->agent), OTA_AGENT_POLL_NETWORK_MS);
    world_free(w);
}

/* A patch's transfer waiting for the network asks for the next poll after OTA_AGENT_POLL_IO_MS,
 * as an image's does: the application does not spin while a patch is fetched. */
static void test_next_poll_waits_for_io_while_patching(void **state)
{
    (void)state;
    world_t *w = world_new(0);
    static ota_agent_patch_t patch_ram;
    w->patch = &patch_ram;
    uint8_t base = store_fixture_store_version(w->fx, 1, 6000);
    char base_hex[65];
    tool_hex(ota_store_slot(&w->fx->store, base)->digest, OTA_SHA256_SIZE, base_hex);
#define HEX2 "00000000000000000000000000000000000000000000000000000000000000a2"
    char m[1024];
    snprintf(m, sizeof m,
             "{\"ota\":[{\"Version\":2,\"URL\":\"http://ota.example/2.ota\",\"Digest\":\"" HEX2
             "\",\"Patch\":[{\"BaseVersion\":1,\"BaseVerDigest\":\"%s\",\"PatchURL\":"
             "\"http://ota.example/1to2.patch\",\"PatchDigest\":\"" HEX2 "\",\"TargetDigest\":\""
             HEX2 "\"}]}]}",
             base_hex);
    answer(w, "200 OK", NULL, m, strlen(m));
    answer(w, "200 OK", NULL, "x", 1);
    w->mock.conns[1].connect_blocks = 1000; /* the patch's server is slow to answer */
    world_start(w);
    assert_int_equal(ota_agent_check_now(&w->agent), OTA_AGENT_OK);
    for (unsigned i = 0; i < 20 && event_log_count(&w->log, OTA_EVT_PATCH_STARTED) == 0; i++) {
        ota_agent_poll(&w->agent, w->now++);
    }
    assert_int_equal(event_log_count(&w->log, OTA_EVT_PATCH_STARTED), 1);
    for (unsigned i = 0; i < 3; i++) {
        assert_int_equal(ota_agent_state(&w->agent), OTA_AGENT_DOWNLOADING);
        assert_int_equal(ota_agent_next_poll_ms(&w->agent), OTA_AGENT_POLL_IO_MS);
        ota_agent_poll(&w->agent, w->now++);
    }
    world_free(w);
}

/* A patch whose connection drops mid-way is fetched again from its last note (a Range
 * request), also when the store checkpoints at every sector by itself (checkpoint_interval
 * 4096): its record there comes before the agent's note, which must still be made. */
static void test_patch_resumes_from_its_note(void **state)
{
    (void)state;
    world_t *w = world_new(0);
    store_fixture_close(w->fx);
    ota_store_config_t scfg = {.checkpoint_interval = 4096};
    w->fx = store_fixture_open(NULL, &scfg);
    static ota_agent_patch_t patch_ram;
    w->patch = &patch_ram;
    enum { BASE_LEN = 6000, NEW_LEN = 24000 };
    uint8_t base = store_fixture_store_version(w->fx, 1, BASE_LEN);
    const uint8_t *old = ota_sim_flash_raw(&w->fx->dev) + ota_store_slot_addr(&w->fx->store, base);
    static uint8_t new_image[NEW_LEN];
    store_fixture_image(new_image, NEW_LEN, 2);
    delta_op_t *ops = NULL;
    size_t n_ops = 0;
    assert_int_equal(delta_match(old, BASE_LEN, new_image, NEW_LEN, &ops, &n_ops), 0);
    delta_buf_t patch = {0};
    delta_encode_ofd(old, BASE_LEN, new_image, NEW_LEN, ops, n_ops, 12u, &patch); /* 4 KB blocks */
    free(ops);
    uint8_t digest[OTA_SHA256_SIZE];
    char base_hex[65], target_hex[65], patch_hex[65];
    tool_hex(ota_store_slot(&w->fx->store, base)->digest, OTA_SHA256_SIZE, base_hex);
    ota_sha256(new_image, NEW_LEN, digest);
    tool_hex(digest, OTA_SHA256_SIZE, target_hex);
    ota_sha256(patch.data, patch.len, digest);
    tool_hex(digest, OTA_SHA256_SIZE, patch_hex);
    char m[1024];
    snprintf(m, sizeof m,
             "{\"ota\":[{\"Version\":2,\"URL\":\"http://ota.example/2.ota\",\"Digest\":\"%s\","
             "\"Patch\":[{\"BaseVersion\":1,\"BaseVerDigest\":\"%s\",\"PatchURL\":"
             "\"http://ota.example/1to2.patch\",\"PatchDigest\":\"%s\",\"TargetDigest\":\"%s\"}]}]}",
             target_hex, base_hex, patch_hex, target_hex);
    answer(w, "200 OK", NULL, m, strlen(m));
    answer(w, "200 OK", NULL, patch.data, patch.len);
    w->mock.conns[1].response_lens[0] -= patch.len / 3; /* two thirds, then the server closes */
    world_start(w);
    assert_int_equal(ota_agent_check_now(&w->agent), OTA_AGENT_OK);
    for (unsigned i = 0; i < 2000 && event_log_count(&w->log, OTA_EVT_DOWNLOAD_FAILED) == 0; i++) {
        ota_agent_poll(&w->agent, w->now++);
    }
    assert_int_equal(event_log_count(&w->log, OTA_EVT_DOWNLOAD_FAILED), 1);
    assert_int_equal(event_log_count(&w->log, OTA_EVT_PATCH_FAILED), 0);

    /* after a reset: the patch asked for from a note past its start, answered in full */
    assert_int_equal(store_fixture_remount(w->fx), OTA_STORE_OK);
    answer(w, "200 OK", NULL, m, strlen(m));
    answer(w, "200 OK", NULL, patch.data, patch.len);
    world_start(w);
    assert_int_equal(ota_agent_check_now(&w->agent), OTA_AGENT_OK);
    for (unsigned i = 0; i < 5000 && event_log_count(&w->log, OTA_EVT_IMAGE_STORED) == 0; i++) {
        ota_agent_poll(&w->agent, w->now++);
    }
    assert_int_equal(event_log_count(&w->log, OTA_EVT_PATCH_DONE), 1);
    assert_int_equal(event_log_count(&w->log, OTA_EVT_IMAGE_STORED), 1);
    assert_int_equal(mock_sent_count(&w->mock, "Range: bytes="), 1);
    assert_int_equal(mock_sent_count(&w->mock, "Range: bytes=0-"), 0);
    free(patch.data);
    world_free(w);
}

/* --- conditional GET ----------------------------------------------------------------- */

#define ETAG "ETag: \"5f3a1c2b-4d\"\r\n"

/* Three checks (at t0, t1, t2) of the same manifest with the same ETag, manifest keys
 * and no .sig: answered in full each time, unless a check sends the ETag back. */
static world_t *world_checked_three_times(uint32_t t0, uint32_t t1, uint32_t t2)
{
    world_t *w = world_new(0);
    w->cfg.manifest_keys = &ring; /* .sig 404: used unsigned */
    for (int i = 0; i < 3; i++) {
        answer(w, "200 OK", ETAG, NOTHING_NEW, strlen(NOTHING_NEW));
        answer(w, "404 Not Found", NULL, "", 0);
    }
    world_start(w);
    check_at(w, t0);
    check_at(w, t1);
    check_at(w, t2);
    return w;
}

#if OTA_CONDITIONAL_GET
/* Two full reads 2 s apart, the same manifest and ETag both times: armed. */
static world_t *world_with_armed_etag(bool keys)
{
    world_t *w = world_new(0);
    if (keys) {
        w->cfg.manifest_keys = &ring; /* .sig 404: used unsigned */
    }
    for (int i = 0; i < 2; i++) {
        answer(w, "200 OK", ETAG, NOTHING_NEW, strlen(NOTHING_NEW));
        if (keys) {
            answer(w, "404 Not Found", NULL, "", 0);
        }
    }
    world_start(w);
    check_at(w, 5000);
    check_at(w, 7000);
    assert_int_equal(event_log_count(&w->log, OTA_EVT_NO_UPDATE), 2);
    assert_int_equal(mock_sent_count(&w->mock, "If-None-Match"), 0);
    return w;
}

static void test_304_is_nothing_new(void **state)
{
    (void)state;
    world_t *w = world_with_armed_etag(true);
    answer_304(w, ETAG);
    size_t sent_before = w->mock.sent_len;
    check_at(w, 70000);
    assert_int_equal(event_log_count(&w->log, OTA_EVT_NO_UPDATE), 3);
    assert_int_equal(event_log_count(&w->log, OTA_EVT_CHECK_FAILED), 0);
    assert_int_equal(mock_sent_count(&w->mock, "If-None-Match: \"5f3a1c2b-4d\"\r\n"), 1);
    assert_int_equal(mock_sent_count(&w->mock, "GET /ota.json.sig"), 2); /* not for the 304 */
    /* One request, and a small one. */
    assert_int_equal(mock_sent_count(&w->mock, "GET /ota.json "), 3);
    assert_true(w->mock.sent_len - sent_before < 200u);
    /* Again: still conditional. */
    answer_304(w, ETAG);
    check_at(w, 130000);
    assert_int_equal(event_log_count(&w->log, OTA_EVT_NO_UPDATE), 4);
    assert_int_equal(mock_sent_count(&w->mock, "If-None-Match"), 2);
    world_free(w);
}

static void test_changed_manifest_is_read_and_acted_on(void **state)
{
    (void)state;
    world_t *w = world_with_armed_etag(false);
    static const char UPDATE[] = "{\"ota\":[{\"Version\":2,\"URL\":\"http://ota.example/2.ota\","
                                 "\"Digest\":\"" "00000000000000000000000000000000000000000000"
                                 "00000000000000000002\"}]}";
    w->agent.config.auto_update = false;
    answer(w, "200 OK", "ETag: \"5f3a1c2b-60\"\r\n", UPDATE, strlen(UPDATE));
    check_until(w, 70000, OTA_EVT_UPDATE_AVAILABLE, 1);
    assert_int_equal(mock_sent_count(&w->mock, "If-None-Match"), 1);
    /* Something to do: the next check reads the manifest in full. */
    answer(w, "200 OK", "ETag: \"5f3a1c2b-60\"\r\n", UPDATE, strlen(UPDATE));
    check_until(w, 130000, OTA_EVT_UPDATE_AVAILABLE, 2);
    assert_int_equal(mock_sent_count(&w->mock, "If-None-Match"), 1);
    world_free(w);
}

/* Reads less than a second apart could both precede a rewrite in the same second, which
 * would keep the ETag: not sent. */
static void test_reads_within_a_second_do_not_arm(void **state)
{
    (void)state;
    world_t *w = world_checked_three_times(5000, 5500, 5900);
    assert_int_equal(event_log_count(&w->log, OTA_EVT_NO_UPDATE), 3);
    assert_int_equal(mock_sent_count(&w->mock, "If-None-Match"), 0);
    world_free(w);
}

static void test_last_modified_goes_back_as_if_modified_since(void **state)
{
    (void)state;
    world_t *w = world_new(0);
#define LM "Wed, 02 Dec 2026 10:15:31 GMT"
    for (int i = 0; i < 2; i++) {
        answer(w, "200 OK", "Last-Modified: " LM "\r\n", NOTHING_NEW, strlen(NOTHING_NEW));
    }
    answer_304(w, "");
    world_start(w);
    check_at(w, 5000);
    check_at(w, 7000);
    check_at(w, 9000);
    assert_int_equal(event_log_count(&w->log, OTA_EVT_NO_UPDATE), 3);
    assert_int_equal(mock_sent_count(&w->mock, "If-Modified-Since: " LM "\r\n"), 1);
    assert_int_equal(mock_sent_count(&w->mock, "If-None-Match"), 0);
    world_free(w);
}

#endif /* OTA_CONDITIONAL_GET */

static void test_304_not_asked_for_fails_the_check(void **state)
{
    (void)state;
    world_t *w = world_new(0);
    answer_304(w, ETAG);
    world_start(w);
    check_at(w, 5000);
    const ota_event_t *e = event_log_last(&w->log, OTA_EVT_CHECK_FAILED);
    assert_non_null(e);
    assert_int_equal(e->source, OTA_SRC_HTTP);
    assert_int_equal(e->status, OTA_HTTP_ERR_STATUS);
    assert_int_equal(e->http_status, 304);
    assert_int_equal(event_log_count(&w->log, OTA_EVT_NO_UPDATE), 0);
    world_free(w);
}

#if OTA_CONDITIONAL_GET
static void test_304_with_a_body_fails_and_the_next_check_is_full(void **state)
{
    (void)state;
    world_t *w = world_with_armed_etag(false);
    answer(w, "304 Not Modified", ETAG, "{\"ota\":[]}", 10); /* a body after a 304 */
    check_at(w, 70000);
    const ota_event_t *e = event_log_last(&w->log, OTA_EVT_CHECK_FAILED);
    assert_non_null(e);
    assert_int_equal(e->source, OTA_SRC_HTTP);
    assert_int_equal(e->status, OTA_HTTP_ERR_BODY_LONG);
    assert_int_equal(mock_sent_count(&w->mock, "If-None-Match"), 1);
    /* Forgotten: the next check reads the manifest in full. */
    answer(w, "200 OK", ETAG, NOTHING_NEW, strlen(NOTHING_NEW));
    check_at(w, 200000);
    assert_int_equal(event_log_count(&w->log, OTA_EVT_NO_UPDATE), 3);
    assert_int_equal(mock_sent_count(&w->mock, "If-None-Match"), 1);
    world_free(w);
}

/* A signed manifest answered 304 is still held to its age: once its Sequence has been the
 * same for longer than manifest_max_age_s, the 304 fails the check (stale), as a full read
 * would. */
static void test_304_keeps_a_signed_manifest_to_its_age(void **state)
{
    (void)state;
    tool_key_t key, other;
    ota_sig_key_t trusted;
    assert_int_equal(test_keys_make(&key, &other, &trusted), 0);
    const ota_sig_keyring_t keys = {.keys = &trusted, .count = 1};
    static const char SIGNED[] =
        "{\"ota\":[{\"Version\":1,\"URL\":\"http://ota.example/1.ota\",\"Digest\":\""
        "0000000000000000000000000000000000000000000000000000000000000001\"}],"
        "\"Sequence\":5,\"Expires\":4000000000}";
    uint8_t sig[OTA_MANIFEST_SIG_MAX];
    size_t sig_len = test_keys_sign_manifest(&key, SIGNED, strlen(SIGNED), sig);
    assert_true(sig_len > 0);
    world_t *w = world_new(0);
    w->cfg.manifest_keys = &keys;
    w->cfg.manifest_max_age_s = 100;
    for (int i = 0; i < 2; i++) {
        answer(w, "200 OK", ETAG, SIGNED, strlen(SIGNED));
        answer(w, "200 OK", NULL, sig, sig_len);
    }
    answer_304(w, ETAG);
    answer_304(w, ETAG);
    world_start(w);
    check_at(w, 5000);
    check_at(w, 7000);
    check_at(w, 70000); /* the Sequence first seen 65 s ago: fresh */
    assert_int_equal(event_log_count(&w->log, OTA_EVT_NO_UPDATE), 3);
    assert_int_equal(mock_sent_count(&w->mock, "If-None-Match"), 1);
    check_at(w, 200000); /* 195 s: stale */
    assert_int_equal(mock_sent_count(&w->mock, "If-None-Match"), 2);
    assert_int_equal(mock_sent_count(&w->mock, "GET /ota.json.sig"), 2);
    const ota_event_t *e = event_log_last(&w->log, OTA_EVT_CHECK_FAILED);
    assert_non_null(e);
    assert_int_equal(e->source, OTA_SRC_MANIFEST_SIG);
    assert_int_equal(e->status, OTA_MANIFEST_SIG_ERR_STALE);
    world_free(w);
    test_keys_free(&key, &other);
}

#else
/* Built without conditional GET the HTTP client has none either: a validator given to it is
 * not sent, and a 304 is a status like any other that is not 2xx. */
static void test_http_client_sends_no_validator(void **state)
{
    (void)state;
    world_t *w = world_new(0);
    answer_304(w, ETAG);
    static uint8_t buf[1024];
    ota_http_config_t hc;
    ota_http_config_default(&hc);
    hc.buf = buf;
    hc.buf_size = sizeof buf;
    ota_http_client_t http;
    ota_transport_t t = mock_transport(&w->mock);
    assert_int_equal(ota_http_init(&http, &hc, &t), OTA_HTTP_OK);
    ota_http_request_t req = {.url = "http://ota.example/ota.json",
                              .validator = "\"5f3a1c2b-4d\""};
    assert_int_equal(ota_http_get(&http, &req), OTA_HTTP_IN_PROGRESS);
    ota_http_status_t hs = OTA_HTTP_IN_PROGRESS;
    for (uint32_t now = 0; now < 100u; now++) {
        hs = ota_http_poll(&http, now);
        if (hs != OTA_HTTP_IN_PROGRESS && hs != OTA_HTTP_WOULD_BLOCK) {
            break;
        }
    }
    assert_int_equal(hs, OTA_HTTP_ERR_STATUS);
    assert_int_equal(ota_http_response(&http)->status_code, 304);
    assert_false(ota_http_response(&http)->not_modified);
    assert_int_equal(mock_sent_count(&w->mock, "If-None-Match"), 0);
    assert_int_equal(mock_sent_count(&w->mock, "GET /ota.json HTTP/1.1"), 1);
    ota_http_close(&http);
    world_free(w);
}

/* Built without conditional GET: the same manifest with the same ETag, read again and again,
 * is never asked for conditionally; every check reads it (and its .sig) in full. */
static void test_every_check_is_a_full_read(void **state)
{
    (void)state;
    world_t *w = world_checked_three_times(5000, 7000, 70000);
    assert_int_equal(event_log_count(&w->log, OTA_EVT_NO_UPDATE), 3);
    assert_int_equal(mock_sent_count(&w->mock, "GET /ota.json "), 3);
    assert_int_equal(mock_sent_count(&w->mock, "GET /ota.json.sig"), 3);
    assert_int_equal(mock_sent_count(&w->mock, "If-None-Match"), 0);
    assert_int_equal(mock_sent_count(&w->mock, "If-Modified-Since"), 0);
    world_free(w);
}
#endif /* OTA_CONDITIONAL_GET */

/* --- verification over polls --------------------------------------------------------- */

#define PAYLOAD 60000u

static void world_serving_update(world_t *w)
{
    ota_image_header_t h = test_image_header(PAYLOAD);
    h.version = 2;
    h.flags = 0;
    test_image_start(&w->img, &h, NULL);
    test_image_tlv_sha256(&w->img);
    test_image_end(&w->img);
    uint8_t digest[32];
    ota_sha256(w->img.bytes, w->img.len, digest);
    tool_hex(digest, sizeof digest, w->digest_hex);
    char m[512];
    snprintf(m, sizeof m,
             "{\"ota\":[{\"Version\":2,\"URL\":\"http://ota.example/2.ota\",\"Digest\":\"%s\"}]}",
             w->digest_hex);
    answer(w, "200 OK", NULL, m, strlen(m));
    answer(w, "200 OK", NULL, w->img.bytes, w->img.len);
}

/* An update served, progress every verify step, and a check asked for. */
static world_t *world_checking_an_update(void)
{
    world_t *w = world_new(0);
    w->cfg.progress_step = OTA_AGENT_VERIFY_STEP;
    world_serving_update(w);
    world_start(w);
    assert_int_equal(ota_agent_check_now(&w->agent), OTA_AGENT_OK);
    return w;
}

#if OTA_VERIFY_OVER_POLLS
/* Poll until VERIFYING; then count the polls it lasts. */
static unsigned verify_polls(world_t *w, unsigned stop_after)
{
    for (unsigned i = 0; i < 5000 && ota_agent_state(&w->agent) != OTA_AGENT_VERIFYING; i++) {
        ota_agent_poll(&w->agent, w->now++);
    }
    assert_int_equal(ota_agent_state(&w->agent), OTA_AGENT_VERIFYING);
    unsigned polls = 0;
    while (ota_agent_state(&w->agent) == OTA_AGENT_VERIFYING && polls < stop_after) {
        assert_int_equal(ota_agent_next_poll_ms(&w->agent), 0);
        ota_agent_poll(&w->agent, w->now++);
        polls++;
    }
    return polls;
}

static void test_verify_is_spread_over_polls(void **state)
{
    (void)state;
    world_t *w = world_checking_an_update();
    unsigned polls = verify_polls(w, 1000);
    uint32_t total = w->img.len;
    assert_int_equal(polls, (total + OTA_AGENT_VERIFY_STEP - 1u) / OTA_AGENT_VERIFY_STEP);
    assert_int_equal(ota_agent_state(&w->agent), OTA_AGENT_RESET_PENDING);
    assert_int_equal(event_log_count(&w->log, OTA_EVT_VERIFY_OK), 1);
    assert_int_equal(event_log_count(&w->log, OTA_EVT_IMAGE_STORED), 1);
    /* Progress after every step but the last, each a step further. */
    assert_int_equal(event_log_count(&w->log, OTA_EVT_VERIFY_PROGRESS), polls - 1u);
    uint32_t k = 1;
    for (size_t i = 0; i < w->log.n; i++) {
        if (w->log.ev[i].type == OTA_EVT_VERIFY_PROGRESS) {
            assert_int_equal(w->log.ev[i].bytes, k * OTA_AGENT_VERIFY_STEP);
            assert_int_equal(w->log.ev[i].total, total);
            k++;
        }
    }
    world_free(w);
}

static void test_abort_while_verifying_leaves_the_store_usable(void **state)
{
    (void)state;
    world_t *w = world_new(0);
    world_serving_update(w);
    world_serving_update(w); /* the second attempt */
    world_start(w);
    assert_int_equal(ota_agent_check_now(&w->agent), OTA_AGENT_OK);
    assert_int_equal(verify_polls(w, 2), 2);
    assert_int_equal(ota_agent_state(&w->agent), OTA_AGENT_VERIFYING);
    assert_int_equal(ota_agent_abort(&w->agent), OTA_AGENT_OK);
    assert_int_equal(ota_agent_state(&w->agent), OTA_AGENT_IDLE);
    assert_int_equal(event_log_count(&w->log, OTA_EVT_VERIFY_OK), 0);

    assert_int_equal(ota_agent_check_now(&w->agent), OTA_AGENT_OK);
    for (unsigned i = 0; i < 5000 && ota_agent_state(&w->agent) != OTA_AGENT_RESET_PENDING; i++) {
        ota_agent_poll(&w->agent, w->now++);
    }
    assert_int_equal(ota_agent_state(&w->agent), OTA_AGENT_RESET_PENDING);
    assert_int_equal(event_log_count(&w->log, OTA_EVT_IMAGE_STORED), 1);
    assert_int_equal(store_fixture_check_invariants(w->fx), 0);
    world_free(w);
}

/* The application empties the slot behind the agent's back while it verifies: the check is
 * over (a failure), not a poll loop that never ends. */
static void test_slot_emptied_while_verifying(void **state)
{
    (void)state;
    world_t *w = world_new(0);
    world_serving_update(w);
    world_start(w);
    assert_int_equal(ota_agent_check_now(&w->agent), OTA_AGENT_OK);
    assert_int_equal(verify_polls(w, 1), 1);
    assert_int_equal(ota_store_download_abort(&w->fx->store), OTA_STORE_OK);
    ota_agent_poll(&w->agent, w->now++);
    assert_int_equal(ota_agent_state(&w->agent), OTA_AGENT_IDLE);
    const ota_event_t *e = event_log_last(&w->log, OTA_EVT_DOWNLOAD_FAILED);
    assert_non_null(e);
    assert_int_equal(e->source, OTA_SRC_STORE);
    assert_int_equal(e->status, OTA_STORE_ERR_STATE);
    assert_int_equal(event_log_count(&w->log, OTA_EVT_IMAGE_STORED), 0);
    world_free(w);
}

#else
/* Built without verification over polls: the read-back runs in the poll that received the
 * last byte, and no poll ends in VERIFYING. */
static void test_verify_in_the_poll_of_the_last_byte(void **state)
{
    (void)state;
    world_t *w = world_checking_an_update();
    for (unsigned i = 0; i < 5000 && ota_agent_state(&w->agent) != OTA_AGENT_RESET_PENDING; i++) {
        size_t received = event_log_count(&w->log, OTA_EVT_DOWNLOAD_OK);
        assert_int_not_equal(ota_agent_poll(&w->agent, w->now++), OTA_AGENT_VERIFYING);
        if (event_log_count(&w->log, OTA_EVT_DOWNLOAD_OK) > received) {
            /* that very poll verified and stored it */
            assert_int_equal(event_log_count(&w->log, OTA_EVT_IMAGE_STORED), 1);
        }
    }
    assert_int_equal(ota_agent_state(&w->agent), OTA_AGENT_RESET_PENDING);
    assert_int_equal(event_log_count(&w->log, OTA_EVT_VERIFY_OK), 1);
    assert_int_equal(event_log_count(&w->log, OTA_EVT_VERIFY_PROGRESS), 0);
    world_free(w);
}
#endif /* OTA_VERIFY_OVER_POLLS */

/* The store's own side: a check in progress keeps other downloads out of its slot, and reads
 * the slot once. */
static void test_store_busy_while_checking(void **state)
{
    (void)state;
    store_fixture_t *fx = store_fixture_open(NULL, NULL);
    static uint8_t image[20000];
    store_fixture_image(image, sizeof image, 4);
    uint8_t digest[32];
    ota_sha256(image, sizeof image, digest);
    uint8_t slot;
    uint32_t resume;
    assert_int_equal(ota_store_download_begin(&fx->store, 4, sizeof image, digest, &slot, &resume),
                     OTA_STORE_OK);
    assert_int_equal(ota_store_download_write(&fx->store, 0, image, sizeof image), OTA_STORE_OK);
    static ota_store_check_t check;
    uint64_t read_before = fx->dev.stats.bytes_read;
    assert_int_equal(ota_store_check_begin(&fx->store, &check), OTA_STORE_OK);
    bool done = false;
    assert_int_equal(ota_store_check_step(&fx->store, &check, 4096, &done), OTA_STORE_OK);
    assert_false(done);
    assert_int_equal(ota_store_download_begin(&fx->store, 5, 100, digest, &slot, &resume),
                     OTA_STORE_ERR_BUSY);
    assert_int_equal(ota_store_erase_version(&fx->store, 4), OTA_STORE_ERR_BUSY);
    unsigned steps = 1;
    while (!done) {
        assert_int_equal(ota_store_check_step(&fx->store, &check, 4096, &done), OTA_STORE_OK);
        steps++;
    }
    assert_int_equal(steps, (sizeof image + 4095u) / 4096u);
    /* One read of the slot for both hashes: the image once, plus the header and TLV area the
     * parse reads and the journal record's read-back (620 B in all here); a second pass
     * would read the image twice. */
    uint64_t read = fx->dev.stats.bytes_read - read_before;
    assert_true(read >= sizeof image);
    assert_true(read < sizeof image + 1024u);
    assert_int_equal(ota_store_slot(&fx->store, slot)->state, OTA_SLOT_STORED);
    assert_int_equal(ota_store_check_step(&fx->store, &check, 4096, &done), OTA_STORE_ERR_STATE);
    store_fixture_close(fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_next_poll_follows_the_period),
        cmocka_unit_test(test_next_poll_none_without_a_period),
        cmocka_unit_test(test_next_poll_waits_for_io),
        cmocka_unit_test(test_next_poll_when_the_network_is_down),
        cmocka_unit_test(test_next_poll_waits_for_io_while_patching),
        cmocka_unit_test(test_patch_resumes_from_its_note),
#if OTA_CONDITIONAL_GET
        cmocka_unit_test(test_304_is_nothing_new),
        cmocka_unit_test(test_changed_manifest_is_read_and_acted_on),
        cmocka_unit_test(test_reads_within_a_second_do_not_arm),
        cmocka_unit_test(test_last_modified_goes_back_as_if_modified_since),
        cmocka_unit_test(test_304_with_a_body_fails_and_the_next_check_is_full),
        cmocka_unit_test(test_304_keeps_a_signed_manifest_to_its_age),
#else
        cmocka_unit_test(test_every_check_is_a_full_read),
        cmocka_unit_test(test_http_client_sends_no_validator),
#endif
        cmocka_unit_test(test_304_not_asked_for_fails_the_check),
#if OTA_VERIFY_OVER_POLLS
        cmocka_unit_test(test_verify_is_spread_over_polls),
        cmocka_unit_test(test_abort_while_verifying_leaves_the_store_usable),
        cmocka_unit_test(test_slot_emptied_while_verifying),
#else
        cmocka_unit_test(test_verify_in_the_poll_of_the_last_byte),
#endif
        cmocka_unit_test(test_store_busy_while_checking),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
