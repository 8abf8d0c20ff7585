/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The agent's settings at run time (ota_agent_get_settings / ota_agent_set_settings): what
 * the console's `sysota set` changes. A refused setting is named and changes nothing; an
 * accepted one shows in what the agent does next (its requests, its checks, its reset).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mock_device.h"

#define NO_UPDATE_RESPONSE                                                                    \
    "HTTP/1.1 200 OK\r\nContent-Length: 10\r\nConnection: close\r\n\r\n{\"ota\":[]}"

typedef mock_device_t device_t;

static device_t *device_open(const ota_agent_config_t *cfg)
{
    return mock_device_open(cfg, false);
}

static device_t *device_default(const char *url, uint32_t period_s)
{
    ota_agent_config_t cfg;
    ota_agent_config_default(&cfg);
    cfg.manifest_url = url;
    cfg.period_s = period_s;
    return device_open(&cfg);
}

static void device_free(device_t *d)
{
    mock_device_free(d);
}

static void poll_until(device_t *d, uint32_t from_ms, uint32_t to_ms)
{
    for (uint32_t t = from_ms; t <= to_ms; t += 10u) {
        (void)ota_agent_poll(&d->agent, t);
    }
}

static void assert_settings(const device_t *d, const char *url, uint32_t period_s,
                            bool auto_update, bool auto_reset)
{
    ota_agent_settings_t s;
    assert_int_equal(ota_agent_get_settings(&d->agent, &s), OTA_AGENT_OK);
    if (url == NULL) {
        assert_null(s.manifest_url);
    } else {
        assert_non_null(s.manifest_url);
        assert_string_equal(s.manifest_url, url);
    }
    assert_int_equal(s.period_s, period_s);
    assert_int_equal(s.auto_update, auto_update);
    assert_int_equal(s.auto_reset, auto_reset);
}

static void test_get_gives_the_config_of_init(void **unused)
{
    (void)unused;
    device_t *d = device_default("http://ota.example/ota.json", 30);
    assert_settings(d, "http://ota.example/ota.json", 30, true, true);
    device_free(d);
    d = device_default(NULL, 0);
    assert_settings(d, NULL, 0, true, true);
    assert_int_equal(ota_agent_get_settings(NULL, &(ota_agent_settings_t){0}), OTA_AGENT_ERR_ARG);
    assert_int_equal(ota_agent_get_settings(&d->agent, NULL), OTA_AGENT_ERR_ARG);
    device_free(d);
}

/* Each refusal is named, and nothing changed. */
static void test_refused_settings_change_nothing(void **unused)
{
    (void)unused;
    ota_agent_config_t cfg;
    ota_agent_config_default(&cfg);
    cfg.manifest_url = "https://ota.example/ota.json";
    cfg.require_tls = true;
    device_t *d = device_open(&cfg);
    ota_agent_settings_t s;
    assert_int_equal(ota_agent_get_settings(&d->agent, &s), OTA_AGENT_OK);
    s.auto_update = false; /* would be accepted alone: must not apply with a refused field */

    s.period_s = OTA_AGENT_PERIOD_MAX_S + 1u;
    assert_int_equal(ota_agent_set_settings(&d->agent, &s), OTA_AGENT_ERR_CONFIG);
    s.period_s = 60;
    const char *bad_urls[] = {"ftp://ota.example/ota.json", "ota.example/ota.json",
                              "http://", "https://ota.example:99999/x"};
    for (size_t i = 0; i < sizeof bad_urls / sizeof bad_urls[0]; i++) {
        s.manifest_url = bad_urls[i];
        assert_int_equal(ota_agent_set_settings(&d->agent, &s), OTA_AGENT_ERR_URL);
    }
    static char too_long[OTA_URL_MAX + 8];
    strcpy(too_long, "https://ota.example/");
    memset(too_long + strlen(too_long), 'a', sizeof too_long - strlen(too_long) - 1u);
    s.manifest_url = too_long;
    assert_int_equal(ota_agent_set_settings(&d->agent, &s), OTA_AGENT_ERR_URL);
    s.manifest_url = "http://ota.example/ota.json";
    assert_int_equal(ota_agent_set_settings(&d->agent, &s), OTA_AGENT_ERR_INSECURE_URL);
    assert_int_equal(ota_agent_set_settings(&d->agent, NULL), OTA_AGENT_ERR_ARG);
    assert_int_equal(ota_agent_set_settings(NULL, &s), OTA_AGENT_ERR_ARG);
    assert_settings(d, "https://ota.example/ota.json", 60, true, true);
    device_free(d);
}

/* With manifest keys the .sig URL must fit too: a URL that fits alone but not with ".sig"
 * is refused, as ota_agent_init refuses it. */
static void test_url_too_long_for_its_sig_is_refused(void **unused)
{
    (void)unused;
    static const ota_sig_key_t key = {.alg = OTA_SIG_ALG_ECDSA_P256};
    static const ota_sig_keyring_t ring = {.keys = &key, .count = 1};
    ota_agent_config_t cfg;
    ota_agent_config_default(&cfg);
    cfg.manifest_keys = &ring;
    device_t *d = device_open(&cfg);
    static char url[OTA_URL_MAX];
    strcpy(url, "http://ota.example/");
    memset(url + strlen(url), 'a', OTA_URL_MAX - 1u - strlen(url));
    url[OTA_URL_MAX - 2u] = '\0'; /* fits OTA_URL_MAX, not with ".sig" */
    ota_agent_settings_t s = {.manifest_url = url, .period_s = 60};
    assert_int_equal(ota_agent_set_settings(&d->agent, &s), OTA_AGENT_ERR_URL);
    url[OTA_URL_MAX - 1u - sizeof OTA_MANIFEST_SIG_SUFFIX] = '\0';
    assert_int_equal(ota_agent_set_settings(&d->agent, &s), OTA_AGENT_OK);
    device_free(d);
}

/* A new URL is where the next check goes, at once; the old one is not asked again. */
static void test_new_url_is_checked_at_once(void **unused)
{
    (void)unused;
    device_t *d = device_default(NULL, 3600);
    mock_add(&d->net, NO_UPDATE_RESPONSE, OTA_NET_ERR_CLOSED);
    poll_until(d, 0, 2000);
    assert_int_equal(event_log_count(&d->events, OTA_EVT_CHECK_STARTED), 0);
    assert_int_equal(ota_agent_check_now(&d->agent), OTA_AGENT_ERR_CONFIG);

    ota_agent_settings_t s;
    assert_int_equal(ota_agent_get_settings(&d->agent, &s), OTA_AGENT_OK);
    s.manifest_url = "http://ota.example/new.json";
    assert_int_equal(ota_agent_set_settings(&d->agent, &s), OTA_AGENT_OK);
    poll_until(d, 2010, 4000);
    assert_int_equal(event_log_count(&d->events, OTA_EVT_CHECK_STARTED), 1);
    assert_int_equal(event_log_count(&d->events, OTA_EVT_NO_UPDATE), 1);
    assert_int_equal(mock_sent_count(&d->net, "GET /new.json "), 1);
    assert_string_equal(d->net.host, "ota.example");

    /* settings given back as get returned them (the URL inside the agent): no change */
    assert_int_equal(ota_agent_get_settings(&d->agent, &s), OTA_AGENT_OK);
    assert_int_equal(ota_agent_set_settings(&d->agent, &s), OTA_AGENT_OK);
    assert_settings(d, "http://ota.example/new.json", 3600, true, true);

    /* no URL: checks stop, on demand too */
    s.manifest_url = "";
    assert_int_equal(ota_agent_set_settings(&d->agent, &s), OTA_AGENT_OK);
    assert_settings(d, NULL, 3600, true, true);
    assert_int_equal(ota_agent_check_now(&d->agent), OTA_AGENT_ERR_CONFIG);
    device_free(d);
}

/* A new URL forgets the old server's failures: the new server's first failure waits
 * retry_first_s, not the backoff the old one had reached. */
static void test_new_url_forgets_the_backoff(void **unused)
{
    (void)unused;
    ota_agent_config_t cfg;
    ota_agent_config_default(&cfg);
    cfg.manifest_url = "http://ota.example/ota.json";
    cfg.period_s = 5; /* shorter than the backoff: the backoff decides when the next check is */
    cfg.retry_first_s = 10;
    cfg.retry_max_s = 3600;
    device_t *d = device_open(&cfg);
    for (int i = 0; i < 4; i++) {
        mock_add(&d->net, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n",
                 OTA_NET_ERR_CLOSED);
    }
    uint32_t t = 0;
    for (size_t failed = 1; failed <= 3; failed++) {
        if (failed > 1) {
            assert_int_equal(ota_agent_check_now(&d->agent), OTA_AGENT_OK);
        }
        poll_until(d, t, t + 1000u);
        t += 1010u;
        assert_int_equal(event_log_count(&d->events, OTA_EVT_CHECK_FAILED), failed);
    }
    assert_int_equal(event_log_last(&d->events, OTA_EVT_CHECK_FAILED)->retry_s, 40);

    ota_agent_settings_t s;
    assert_int_equal(ota_agent_get_settings(&d->agent, &s), OTA_AGENT_OK);
    s.manifest_url = "http://ota.example/new.json";
    assert_int_equal(ota_agent_set_settings(&d->agent, &s), OTA_AGENT_OK);
    poll_until(d, t, t + 1000u);
    assert_int_equal(mock_sent_count(&d->net, "GET /new.json "), 1);
    assert_int_equal(event_log_count(&d->events, OTA_EVT_CHECK_FAILED), 4);
    assert_int_equal(event_log_last(&d->events, OTA_EVT_CHECK_FAILED)->retry_s, 10);
    device_free(d);
}

/* A new period counts from the call; 0 stops periodic checks. */
static void test_period_applies_from_the_call(void **unused)
{
    (void)unused;
    device_t *d = device_default("http://ota.example/ota.json", 3600);
    for (int i = 0; i < 3; i++) {
        mock_add(&d->net, NO_UPDATE_RESPONSE, OTA_NET_ERR_CLOSED);
    }
    poll_until(d, 0, 1000); /* the first check, at once */
    assert_int_equal(event_log_count(&d->events, OTA_EVT_NO_UPDATE), 1);

    ota_agent_settings_t s;
    assert_int_equal(ota_agent_get_settings(&d->agent, &s), OTA_AGENT_OK);
    s.period_s = 5;
    assert_int_equal(ota_agent_set_settings(&d->agent, &s), OTA_AGENT_OK);
    poll_until(d, 1010, 5900);
    assert_int_equal(event_log_count(&d->events, OTA_EVT_CHECK_STARTED), 1);
    poll_until(d, 5910, 7000); /* 5 s after the call (made at 1000 ms) */
    assert_int_equal(event_log_count(&d->events, OTA_EVT_CHECK_STARTED), 2);

    s.period_s = 0;
    assert_int_equal(ota_agent_set_settings(&d->agent, &s), OTA_AGENT_OK);
    poll_until(d, 7010, 30000);
    assert_int_equal(event_log_count(&d->events, OTA_EVT_CHECK_STARTED), 2);
    assert_int_equal(ota_agent_check_now(&d->agent), OTA_AGENT_OK); /* on demand still */
    poll_until(d, 30010, 31000);
    assert_int_equal(event_log_count(&d->events, OTA_EVT_CHECK_STARTED), 3);
    device_free(d);
}

/* While a check runs the URL may not change (ERR_BUSY); the other settings may. */
static void test_new_url_refused_while_checking(void **unused)
{
    (void)unused;
    device_t *d = device_default("http://ota.example/ota.json", 60);
    mock_conn_t *c = mock_add(&d->net, NO_UPDATE_RESPONSE, OTA_NET_ERR_CLOSED);
    c->connect_result = OTA_NET_OK;
    c->connect_blocks = 1000000u; /* the connect never completes during this test */
    (void)ota_agent_poll(&d->agent, 0);
    assert_int_equal(ota_agent_state(&d->agent), OTA_AGENT_CHECKING);
    ota_agent_settings_t s;
    assert_int_equal(ota_agent_get_settings(&d->agent, &s), OTA_AGENT_OK);
    s.manifest_url = "http://other.example/ota.json";
    assert_int_equal(ota_agent_set_settings(&d->agent, &s), OTA_AGENT_ERR_BUSY);
    s.manifest_url = "http://ota.example/ota.json";
    s.period_s = 120;
    s.auto_update = false;
    assert_int_equal(ota_agent_set_settings(&d->agent, &s), OTA_AGENT_OK);
    assert_settings(d, "http://ota.example/ota.json", 120, false, true);
    device_free(d);
}

/* auto_reset turned on while a reset waits: the reset follows at the next poll. */
static void test_auto_reset_turned_on_resets(void **unused)
{
    (void)unused;
    ota_agent_config_t cfg;
    ota_agent_config_default(&cfg);
    cfg.auto_reset = false;
    device_t *d = device_open(&cfg);
    assert_int_not_equal(store_fixture_store_version(d->fx, 1, 6000), OTA_STORE_SLOT_NONE);
    assert_int_equal(ota_agent_rollback(&d->agent), OTA_AGENT_OK); /* to v1 */
    poll_until(d, 0, 500);
    assert_int_equal(ota_agent_state(&d->agent), OTA_AGENT_RESET_PENDING);
    assert_int_equal(d->resets, 0);
    ota_agent_settings_t s;
    assert_int_equal(ota_agent_get_settings(&d->agent, &s), OTA_AGENT_OK);
    s.auto_reset = true;
    assert_int_equal(ota_agent_set_settings(&d->agent, &s), OTA_AGENT_OK);
    (void)ota_agent_poll(&d->agent, 510);
    assert_int_equal(d->resets, 1);
    device_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_get_gives_the_config_of_init),
        cmocka_unit_test(test_refused_settings_change_nothing),
        cmocka_unit_test(test_url_too_long_for_its_sig_is_refused),
        cmocka_unit_test(test_new_url_forgets_the_backoff),
        cmocka_unit_test(test_new_url_is_checked_at_once),
        cmocka_unit_test(test_period_applies_from_the_call),
        cmocka_unit_test(test_new_url_refused_while_checking),
        cmocka_unit_test(test_auto_reset_turned_on_resets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
