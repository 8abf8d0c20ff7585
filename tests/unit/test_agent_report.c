/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Status reports (issue 17), on a mock transport and a fake clock: a rolled-back device
 * reports the rollback, with the version it runs and the one it left, even when the first
 * POST fails and the power is cut before the second (the store keeps it pending); a failed
 * download is reported with its named reason; undelivered reports back off.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mock_device.h"

#define CREATED "HTTP/1.1 201 Created\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
#define SERVER_ERROR "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n"
#define NOT_FOUND "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
#define REPORT_URL "http://fleet.example/report"
#define STEP_MS MOCK_DEVICE_STEP_MS

/* The agent again after a power-on: the store mounted anew, running `version`. */
static void power_on(mock_device_t *d, const ota_agent_config_t *cfg_in, uint32_t version)
{
    assert_int_equal(store_fixture_remount(d->fx), OTA_STORE_OK);
    ota_agent_config_t cfg = *cfg_in;
    cfg.running_version = version;
    cfg.on_event = event_log_record;
    cfg.event_user = &d->events;
    ota_agent_ports_t ports = d->agent.ports;
    memset(&d->events, 0, sizeof d->events);
    mock_init(&d->net);
    ports.transport = mock_transport(&d->net);
    assert_int_equal(ota_agent_init(&d->agent, &cfg, &ports), OTA_AGENT_OK);
}

/* Version 2 failed its trial: the bootloader's roll back to the factory version 1. */
static void bootloader_rolls_back(mock_device_t *d)
{
    ota_store_t *s = &d->fx->store;
    assert_int_equal(ota_store_rollback(s, true), OTA_STORE_OK);
    assert_int_equal(ota_store_install_begin(s), OTA_STORE_OK);
    assert_int_equal(ota_store_install_done(s), OTA_STORE_OK);
    assert_int_equal(ota_store_boot(s)->report_pending, 1);
}

/* A device powered on again (running 1) after the bootloader rolled version 2 back: its
 * boot's report is pending. */
static mock_device_t *rolled_back_device(const ota_agent_config_t *cfg)
{
    mock_device_t *d = mock_device_open(cfg, true);
    bootloader_rolls_back(d);
    power_on(d, cfg, 1);
    return d;
}

/* The body of the last POST the device sent ("" if none). */
static const char *last_post_body(const mock_device_t *d)
{
    const char *post = NULL;
    for (const char *p = d->net.sent; (p = strstr(p, "POST /report ")) != NULL; p++) {
        post = p;
    }
    const char *body = post != NULL ? strstr(post, "\r\n\r\n") : NULL;
    return body != NULL ? body + 4 : "";
}

static void report_config(ota_agent_config_t *cfg)
{
    mock_device_config(cfg);
    cfg->manifest_url = NULL; /* reports only: no checks in the way */
    cfg->device_id = "dev-\"7\"";
    cfg->report_url = REPORT_URL;
    cfg->retry_first_s = 10;
    cfg->retry_max_s = 80;
}

static void rollback_is_reported_across_a_power_cut(void **unused)
{
    (void)unused;
    ota_agent_config_t cfg;
    report_config(&cfg);
    mock_device_t *d = rolled_back_device(&cfg);
    mock_add(&d->net, SERVER_ERROR, OTA_NET_ERR_CLOSED);
    uint32_t t = 0;
    assert_true(mock_device_poll_until(d, &t, OTA_EVT_REPORT_FAILED, 1u, 1000u));
    const ota_event_t *failed = event_log_last(&d->events, OTA_EVT_REPORT_FAILED);
    assert_int_equal(failed->http_status, 500);
    assert_int_equal(failed->retry_s, 10); /* no random32: the whole backoff */
    assert_string_equal(last_post_body(d), "{\"device\":\"dev-\\\"7\\\"\",\"running\":1,"
                                           "\"boot\":\"trial\",\"outcome\":\"rolled_back\","
                                           "\"from\":2}");
    assert_int_equal(mock_sent_count(&d->net, "Content-Type: application/json\r\n"), 1);
    assert_int_equal(ota_agent_next_poll_ms(&d->agent), 10000u);

    /* Power cut before the second attempt: the store still has it pending. */
    power_on(d, &cfg, 1);
    mock_add(&d->net, CREATED, OTA_NET_ERR_CLOSED);
    t = 0;
    assert_true(mock_device_poll_until(d, &t, OTA_EVT_REPORT_SENT, 1u, 1000u));
    assert_int_equal(event_log_last(&d->events, OTA_EVT_REPORT_SENT)->version, 1);
    assert_non_null(strstr(last_post_body(d), "\"running\":1,"));
    assert_non_null(strstr(last_post_body(d), "\"outcome\":\"rolled_back\",\"from\":2}"));
    assert_null(strstr(d->net.sent, "\"running\":2")); /* never claims the version it left */
    assert_int_equal(ota_store_boot(&d->fx->store)->report_pending, 0);

    /* Delivered is durable: the next power-on sends nothing. */
    power_on(d, &cfg, 1);
    t = 0;
    mock_device_poll_to(d, &t, 5000u);
    assert_int_equal(d->net.connects, 0);
    assert_int_equal(ota_agent_next_poll_ms(&d->agent), OTA_AGENT_POLL_NONE);
    mock_device_free(d);
}

/* Undelivered reports back off like failed checks: 10, 20, 40 s, then a success resets. */
static void undelivered_reports_back_off(void **unused)
{
    (void)unused;
    ota_agent_config_t cfg;
    report_config(&cfg);
    mock_device_t *d = rolled_back_device(&cfg);
    for (int i = 0; i < 3; i++) {
        mock_add(&d->net, SERVER_ERROR, OTA_NET_ERR_CLOSED);
    }
    mock_add(&d->net, CREATED, OTA_NET_ERR_CLOSED);
    static const uint32_t want[] = {10, 20, 40};
    uint32_t t = 0, failed_at = 0;
    for (size_t i = 0; i < 3u; i++) {
        assert_true(mock_device_poll_until(d, &t, OTA_EVT_REPORT_FAILED, i + 1u, 100000u));
        assert_int_equal(event_log_last(&d->events, OTA_EVT_REPORT_FAILED)->retry_s, want[i]);
        if (i > 0) {
            assert_true(t - failed_at >= want[i - 1] * 1000u);
            assert_true(t - failed_at <= want[i - 1] * 1000u + 100u);
        }
        failed_at = t;
    }
    assert_true(mock_device_poll_until(d, &t, OTA_EVT_REPORT_SENT, 1u, 100000u));
    assert_int_equal(d->agent.report_failures, 0);
    mock_device_free(d);
}

/* A device (running 2, "dev-9") whose manifest offers version 3, whose image is not found:
 * a failed download to report. */
static mock_device_t *device_offered_a_missing_v3(bool factory_v1)
{
    ota_agent_config_t cfg;
    report_config(&cfg);
    cfg.manifest_url = "http://ota.example/ota.json";
    cfg.device_id = "dev-9";
    mock_device_t *d = mock_device_open(&cfg, factory_v1);
    mock_add(&d->net,
             "HTTP/1.1 200 OK\r\nContent-Length: 132\r\nConnection: close\r\n\r\n"
             "{\"ota\":[{\"Version\":3,\"URL\":\"http://ota.example/3.ota\",\"Digest\":\""
             "0000000000000000000000000000000000000000000000000000000000000000\"}]}",
             OTA_NET_ERR_CLOSED);
    mock_add(&d->net, NOT_FOUND, OTA_NET_ERR_CLOSED);
    return d;
}

/* A failed download is reported once with its named reason; the device's version is the one
 * it runs. */
static void failed_download_is_reported(void **unused)
{
    (void)unused;
    mock_device_t *d = device_offered_a_missing_v3(false);
    mock_add(&d->net, CREATED, OTA_NET_ERR_CLOSED);
    uint32_t t = 0;
    assert_true(mock_device_poll_until(d, &t, OTA_EVT_REPORT_SENT, 1u, 2000u));
    assert_int_equal(event_log_count(&d->events, OTA_EVT_DOWNLOAD_FAILED), 1);
    assert_string_equal(last_post_body(d),
                        "{\"device\":\"dev-9\",\"running\":2,\"boot\":\"confirmed\",\"outcome\":"
                        "\"failed\",\"version\":3,\"reason\":\"HTTP status not 2xx\","
                        "\"source\":2,\"status\":-14}");
    mock_device_poll_to(d, &t, 20000u); /* nothing more to say */
    assert_int_equal(mock_sent_count(&d->net, "POST /report "), 1);
    mock_device_free(d);
}

/* A boot's report that becomes pending while another report is on the wire (what an
 * overwrite-only build's ota_confirm does: ota_store_settle_install records the install) is
 * not taken as delivered with it: the failed download's report goes first, the boot's after. */
static void boot_report_pending_during_another_is_sent(void **unused)
{
    (void)unused;
    mock_device_t *d = device_offered_a_missing_v3(true);
    mock_add(&d->net, CREATED, OTA_NET_ERR_CLOSED)->connect_blocks = 5; /* on the wire a while */
    mock_add(&d->net, CREATED, OTA_NET_ERR_CLOSED);
    uint32_t t = 0;
    for (; t < 2000u * STEP_MS && d->agent.state != OTA_AGENT_REPORTING; t += STEP_MS) {
        ota_agent_poll(&d->agent, t);
    }
    assert_int_equal(d->agent.state, OTA_AGENT_REPORTING);
    bootloader_rolls_back(d); /* the boot record changes under the report in flight */
    assert_true(mock_device_poll_until(d, &t, OTA_EVT_REPORT_SENT, 1u, 2000u));
    assert_non_null(strstr(last_post_body(d), "\"outcome\":\"failed\",\"version\":3"));
    assert_int_equal(ota_store_boot(&d->fx->store)->report_pending, 1);
    assert_true(mock_device_poll_until(d, &t, OTA_EVT_REPORT_SENT, 2u, 100000u));
    assert_non_null(strstr(last_post_body(d), "\"outcome\":\"rolled_back\""));
    assert_int_equal(ota_store_boot(&d->fx->store)->report_pending, 0);
    assert_int_equal(mock_sent_count(&d->net, "POST /report "), 2);
    mock_device_free(d);
}

/* The report URL answers to require_tls alone: an https manifest, whose images may then come
 * only over https, does not keep a report from an http:// collector (init took it). */
static void http_report_beside_an_https_manifest(void **unused)
{
    (void)unused;
    ota_agent_config_t cfg;
    report_config(&cfg);
    cfg.manifest_url = "https://ota.example/ota.json";
    mock_device_t *d = rolled_back_device(&cfg);
    mock_add(&d->net, CREATED, OTA_NET_ERR_CLOSED);
    uint32_t t = 0;
    assert_true(mock_device_poll_until(d, &t, OTA_EVT_REPORT_SENT, 1u, 1000u));
    assert_int_equal(event_log_count(&d->events, OTA_EVT_REPORT_FAILED), 0);
    assert_int_equal(mock_sent_count(&d->net, "POST /report "), 1);
    /* The images (and their redirects) still may not come over http. */
    assert_true(d->agent.http.config.require_tls);
    mock_device_free(d);
}

/* An unusable report URL is refused at init. */
static void report_url_is_checked(void **unused)
{
    (void)unused;
    ota_agent_config_t cfg;
    report_config(&cfg);
    mock_device_t *d = mock_device_open(&cfg, false);
    ota_agent_ports_t ports = d->agent.ports;
    static ota_agent_t a;
    cfg.report_url = "ftp://fleet.example/report";
    assert_int_equal(ota_agent_init(&a, &cfg, &ports), OTA_AGENT_ERR_CONFIG);
    cfg.report_url = REPORT_URL;
    cfg.require_tls = true;
    assert_int_equal(ota_agent_init(&a, &cfg, &ports), OTA_AGENT_ERR_CONFIG);
    cfg.report_url = "https://fleet.example/report";
    assert_int_equal(ota_agent_init(&a, &cfg, &ports), OTA_AGENT_OK);
    mock_device_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rollback_is_reported_across_a_power_cut),
        cmocka_unit_test(undelivered_reports_back_off),
        cmocka_unit_test(failed_download_is_reported),
        cmocka_unit_test(boot_report_pending_during_another_is_sent),
        cmocka_unit_test(http_report_beside_an_https_manifest),
        cmocka_unit_test(report_url_is_checked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
