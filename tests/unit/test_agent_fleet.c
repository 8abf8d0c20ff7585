/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The agent in a fleet (issue 17), on a fake clock: retries after failures wait a random
 * time up to the doubling backoff ("full jitter"), never less than the period, and start
 * again from the first delay after a success; the first check after power on comes at a
 * random time up to first_check_jitter_s; a staged manifest entry is taken by the devices in
 * its share only.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agent_internal.h"
#include "mock_device.h"

#define NOT_FOUND "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
#define NO_UPDATE "HTTP/1.1 200 OK\r\nContent-Length: 10\r\nConnection: close\r\n\r\n{\"ota\":[]}"
#define STEP_MS MOCK_DEVICE_STEP_MS

/* ports.random32 that always gives the uint32_t ctx points to. */
static uint32_t fixed_random(void *ctx)
{
    return *(const uint32_t *)ctx;
}

static mock_device_t *fleet_device(uint32_t *random_value, uint32_t first_jitter_s)
{
    ota_agent_config_t cfg;
    mock_device_config(&cfg);
    cfg.period_s = 5; /* shorter than the backoff: the backoff decides when the next check is */
    cfg.retry_first_s = 10;
    cfg.retry_max_s = 80;
    cfg.auto_update = false;
    cfg.first_check_jitter_s = first_jitter_s;
    return mock_device_open_random(&cfg, false, random_value != NULL ? fixed_random : NULL,
                                   random_value);
}

/* The largest random draw waits the whole backoff: 10, 20, 40, 80, 80 s (the cap), and the
 * agent's next check comes exactly then; a successful check resets it to the first delay. */
static void backoff_doubles_to_its_cap_and_resets_on_success(void **unused)
{
    (void)unused;
    uint32_t most = UINT32_MAX;
    mock_device_t *d = fleet_device(&most, 0);
    static const uint32_t want[] = {10, 20, 40, 80, 80};
    for (size_t i = 0; i < 5u; i++) {
        mock_add(&d->net, NOT_FOUND, OTA_NET_ERR_CLOSED);
    }
    mock_add(&d->net, NO_UPDATE, OTA_NET_ERR_CLOSED);
    mock_add(&d->net, NOT_FOUND, OTA_NET_ERR_CLOSED);
    uint32_t t = 0;
    uint32_t failed_at = 0;
    for (size_t i = 0; i < 5u; i++) {
        assert_true(mock_device_poll_until(d, &t, OTA_EVT_CHECK_STARTED, i + 1u, 200000u));
        if (i > 0) { /* the retry came when the last failure said, to the poll */
            uint32_t waited = t - failed_at;
            assert_true(waited >= want[i - 1] * 1000u - 1000u && waited <= want[i - 1] * 1000u);
        }
        assert_true(mock_device_poll_until(d, &t, OTA_EVT_CHECK_FAILED, i + 1u, 1000u));
        failed_at = t;
        assert_int_equal(event_log_last(&d->events, OTA_EVT_CHECK_FAILED)->retry_s, want[i]);
    }
    assert_true(mock_device_poll_until(d, &t, OTA_EVT_NO_UPDATE, 1u, 100000u));
    assert_true(mock_device_poll_until(d, &t, OTA_EVT_CHECK_FAILED, 6u, 10000u));
    assert_int_equal(event_log_last(&d->events, OTA_EVT_CHECK_FAILED)->retry_s, 10);
    mock_device_free(d);
}

/* The smallest draw: no wait beyond the period already scheduled (the check started 5 s
 * before the next periodic one); full jitter never makes a device check more often. */
static void smallest_draw_waits_the_period(void **unused)
{
    (void)unused;
    uint32_t least = 0;
    mock_device_t *d = fleet_device(&least, 0);
    mock_add(&d->net, NOT_FOUND, OTA_NET_ERR_CLOSED);
    mock_add(&d->net, NOT_FOUND, OTA_NET_ERR_CLOSED);
    uint32_t t = 0;
    assert_true(mock_device_poll_until(d, &t, OTA_EVT_CHECK_FAILED, 1u, 1000u));
    uint32_t retry_s = event_log_last(&d->events, OTA_EVT_CHECK_FAILED)->retry_s;
    assert_true(retry_s >= 1u && retry_s <= 5u);
    uint32_t failed_at = t;
    assert_true(mock_device_poll_until(d, &t, OTA_EVT_CHECK_STARTED, 2u, 10000u));
    assert_true(t - failed_at <= 5000u);
    assert_true(t >= 5000u); /* the period, counted from the first check at 0 */
    mock_device_free(d);
}

/* Over many draws of the deterministic generator, the delays lie in [0, max) and fill it
 * evenly: each tenth of the range holds a tenth of the draws within 4 standard deviations. */
static void jitter_spreads_evenly_below_the_backoff(void **unused)
{
    (void)unused;
    static ota_agent_t agent; /* only its ports are read */
    uint32_t seed = 20260512u;
    agent.ports.random32 = ota_agent_xorshift32;
    agent.ports.random_ctx = &seed;
    enum { DRAWS = 100000, BINS = 10 };
    const uint32_t max_ms = 80000u;
    unsigned bins[BINS] = {0};
    for (int i = 0; i < DRAWS; i++) {
        uint32_t ms = ota_agent_jitter_ms(&agent, max_ms);
        assert_true(ms < max_ms);
        bins[ms / (max_ms / BINS)]++;
    }
    for (int b = 0; b < BINS; b++) {
        double off = bins[b] - DRAWS / (double)BINS;
        assert_true(off * off <= 16.0 * DRAWS * 0.1 * 0.9);
    }
    agent.ports.random32 = NULL; /* no randomness: the whole backoff */
    assert_int_equal(ota_agent_jitter_ms(&agent, max_ms), max_ms);
    uint32_t zero = 0;
    assert_int_not_equal(ota_agent_xorshift32(&zero), 0); /* 0 is no stuck state */
}

/* The first check after power on comes at the drawn time (half the range here), not at
 * once; without randomness it comes at once. */
static void first_check_is_jittered(void **unused)
{
    (void)unused;
    uint32_t half = 0x80000000u;
    mock_device_t *d = fleet_device(&half, 100);
    mock_add(&d->net, NO_UPDATE, OTA_NET_ERR_CLOSED);
    uint32_t t = 0;
    (void)ota_agent_poll(&d->agent, t);
    assert_int_equal(ota_agent_next_poll_ms(&d->agent), 50000u);
    assert_true(mock_device_poll_until(d, &t, OTA_EVT_CHECK_STARTED, 1u, 100000u));
    assert_int_equal(t, 50000u);
    mock_device_free(d);

    d = fleet_device(NULL, 100);
    mock_add(&d->net, NO_UPDATE, OTA_NET_ERR_CLOSED);
    t = 0;
    assert_true(mock_device_poll_until(d, &t, OTA_EVT_CHECK_STARTED, 1u, 0u));
    mock_device_free(d);
}

/* init refuses a device id longer than OTA_ROLLOUT_ID_MAX and a jitter over the period
 * maximum; the id is copied. */
static void fleet_config_is_checked(void **unused)
{
    (void)unused;
    ota_agent_config_t cfg;
    mock_device_config(&cfg);
    mock_device_t *d = mock_device_open(&cfg, false);
    ota_agent_ports_t ports = d->agent.ports;
    ota_agent_t *a = calloc(1, sizeof *a);
    assert_non_null(a);
    char id[OTA_ROLLOUT_ID_MAX + 2];
    memset(id, 'i', sizeof id - 1u);
    id[sizeof id - 1u] = '\0';
    cfg.device_id = id;
    assert_int_equal(ota_agent_init(a, &cfg, &ports), OTA_AGENT_ERR_CONFIG);
    id[OTA_ROLLOUT_ID_MAX] = '\0';
    assert_int_equal(ota_agent_init(a, &cfg, &ports), OTA_AGENT_OK);
    id[0] = 'X'; /* the agent kept its own copy */
    assert_int_equal(a->config.device_id[0], 'i');
    cfg.first_check_jitter_s = OTA_AGENT_PERIOD_MAX_S + 1u;
    assert_int_equal(ota_agent_init(a, &cfg, &ports), OTA_AGENT_ERR_CONFIG);
    free(a);
    mock_device_free(d);
}

/* "dev-0042" has bucket 6385 for version 7: a Rollout of 64 % includes it, 63 % not. */
static void staged_entry_is_taken_by_its_share_only(void **unused)
{
    (void)unused;
    static const char *const rollouts[] = {"64", "63"};
    for (size_t i = 0; i < 2u; i++) {
        char response[512];
        char body[256];
        int n = snprintf(body, sizeof body,
                         "{\"ota\":[{\"Version\":7,\"Rollout\":%s,\"URL\":\"http://h/7.ota\","
                         "\"Digest\":\"%064d\"}]}",
                         rollouts[i], 0);
        (void)snprintf(response, sizeof response,
                       "HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", n,
                       body);
        ota_agent_config_t cfg;
        mock_device_config(&cfg);
        cfg.auto_update = false;
        cfg.device_id = "dev-0042";
        mock_device_t *d = mock_device_open(&cfg, false);
        mock_add(&d->net, response, OTA_NET_ERR_CLOSED);
        uint32_t t = 0;
        assert_true(mock_device_poll_until(d, &t, i == 0 ? OTA_EVT_UPDATE_AVAILABLE : OTA_EVT_NO_UPDATE,
                                     1u, 2000u));
        if (i == 0) {
            assert_int_equal(event_log_last(&d->events, OTA_EVT_UPDATE_AVAILABLE)->version, 7);
        }
        mock_device_free(d);
    }
}

/* ---- deferral -------------------------------------------------------------------------- */

typedef struct busy_app {
    unsigned not_now;          /* answers "not now" this many times, then "go" */
    unsigned asked;
    ota_agent_defer_what_t what;
    uint32_t version;
} busy_app_t;

static bool busy_defer(void *user, ota_agent_defer_what_t what, uint32_t version)
{
    busy_app_t *app = user;
    app->asked++;
    app->what = what;
    app->version = version;
    if (app->not_now == 0u) {
        return false;
    }
    app->not_now--;
    return true;
}

#define OFFER_V3                                                                              \
    "HTTP/1.1 200 OK\r\nContent-Length: 132\r\nConnection: close\r\n\r\n"                     \
    "{\"ota\":[{\"Version\":3,\"URL\":\"http://ota.example/3.ota\",\"Digest\":\""                 \
    "0000000000000000000000000000000000000000000000000000000000000000\"}]}"

/* "Not now" to a download: no request for the image; asked again defer_retry_s later, and
 * the download starts at the first "go". */
static void download_waits_for_the_application(void **unused)
{
    (void)unused;
    busy_app_t app = {.not_now = 2};
    ota_agent_config_t cfg;
    mock_device_config(&cfg);
    cfg.period_s = 3600;
    cfg.defer = busy_defer;
    cfg.defer_user = &app;
    cfg.defer_retry_s = 30;
    mock_device_t *d = mock_device_open(&cfg, false);
    mock_add(&d->net, OFFER_V3, OTA_NET_ERR_CLOSED);
    mock_add(&d->net, NOT_FOUND, OTA_NET_ERR_CLOSED);
    uint32_t t = 0;
    assert_true(mock_device_poll_until(d, &t, OTA_EVT_DOWNLOAD_DEFERRED, 1u, 2000u));
    assert_int_equal(app.what, OTA_AGENT_DEFER_DOWNLOAD);
    assert_int_equal(app.version, 3);
    assert_int_equal(event_log_last(&d->events, OTA_EVT_DOWNLOAD_DEFERRED)->retry_s, 30);
    assert_int_equal(ota_agent_state(&d->agent), OTA_AGENT_IDLE);
    uint32_t deferred_at = t;
    assert_int_equal(ota_agent_next_poll_ms(&d->agent), 30000u);
    assert_true(mock_device_poll_until(d, &t, OTA_EVT_DOWNLOAD_DEFERRED, 2u, 40000u));
    assert_int_equal(t - deferred_at, 30000u);
    assert_int_equal(mock_sent_count(&d->net, "GET /3.ota"), 0);
    assert_true(mock_device_poll_until(d, &t, OTA_EVT_DOWNLOAD_STARTED, 1u, 40000u));
    assert_int_equal(t - deferred_at, 60000u);
    assert_int_equal(app.asked, 3);
    assert_true(mock_device_poll_until(d, &t, OTA_EVT_DOWNLOAD_FAILED, 1u, 2000u));
    assert_int_equal(mock_sent_count(&d->net, "GET /3.ota"), 1);
    mock_device_free(d);
}

/* "Not now" to the reset: RESET_PENDING stays, no reset until the application says go. */
static void reset_waits_for_the_application(void **unused)
{
    (void)unused;
    busy_app_t app = {.not_now = 1};
    ota_agent_config_t cfg;
    mock_device_config(&cfg);
    cfg.manifest_url = NULL;
    cfg.defer = busy_defer;
    cfg.defer_user = &app;
    cfg.defer_retry_s = 30;
    mock_device_t *d = mock_device_open(&cfg, true);
    assert_int_equal(ota_agent_factory_reset(&d->agent), OTA_AGENT_OK);
    uint32_t t = 0;
    assert_true(mock_device_poll_until(d, &t, OTA_EVT_RESET_DEFERRED, 1u, 100u));
    assert_int_equal(app.what, OTA_AGENT_DEFER_RESET);
    assert_int_equal(app.version, 1); /* the factory image is what the reset installs */
    assert_int_equal(d->resets, 0);
    assert_int_equal(ota_agent_state(&d->agent), OTA_AGENT_RESET_PENDING);
    assert_int_equal(ota_agent_next_poll_ms(&d->agent), 30000u);
    uint32_t deferred_at = t;
    for (; d->resets == 0u && t < deferred_at + 40000u; t += STEP_MS) {
        (void)ota_agent_poll(&d->agent, t);
    }
    assert_int_equal(d->resets, 1);
    assert_int_equal(t - STEP_MS - deferred_at, 30000u);
    assert_int_equal(app.asked, 2);
    mock_device_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(backoff_doubles_to_its_cap_and_resets_on_success),
        cmocka_unit_test(smallest_draw_waits_the_period),
        cmocka_unit_test(jitter_spreads_evenly_below_the_backoff),
        cmocka_unit_test(first_check_is_jittered),
        cmocka_unit_test(fleet_config_is_checked),
        cmocka_unit_test(staged_entry_is_taken_by_its_share_only),
        cmocka_unit_test(download_waits_for_the_application),
        cmocka_unit_test(reset_waits_for_the_application),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
