/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Conditional GET of the manifest against real servers on 127.0.0.1: python3 -m http.server
 * (Last-Modified only: If-Modified-Since) and nginx (ETag: If-None-Match). Two full reads a
 * second apart arm the validator; the third check is one request answered 304, counted on the
 * wire; a manifest changed later is read in full and acted on. The bytes of a full "nothing
 * new" check and of a 304 one are printed for docs/agent.md.
 */
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "agent_harness.h"

/* The socket transport, counting what crosses it. */
typedef struct counted {
    ota_transport_t inner;
    size_t bytes;     /* sent + received */
    unsigned connects;
    size_t requests;  /* "GET " sent */
} counted_t;

static counted_t g_count;

static bool counted_up(void *ctx)
{
    counted_t *c = ctx;
    return c->inner.ops->network_up == NULL || c->inner.ops->network_up(c->inner.ctx);
}

static ota_net_status_t counted_connect(void *ctx, const char *host, uint16_t port, bool tls)
{
    counted_t *c = ctx;
    ota_net_status_t st = c->inner.ops->connect(c->inner.ctx, host, port, tls);
    if (st == OTA_NET_OK) {
        c->connects++;
    }
    return st;
}

static ota_net_status_t counted_send(void *ctx, const void *buf, size_t len, size_t *sent)
{
    counted_t *c = ctx;
    ota_net_status_t st = c->inner.ops->send(c->inner.ctx, buf, len, sent);
    if (st == OTA_NET_OK) {
        c->bytes += *sent;
        c->requests += len >= 4 && memcmp(buf, "GET ", 4) == 0;
    }
    return st;
}

static ota_net_status_t counted_recv(void *ctx, void *buf, size_t len, size_t *received)
{
    counted_t *c = ctx;
    ota_net_status_t st = c->inner.ops->recv(c->inner.ctx, buf, len, received);
    if (st == OTA_NET_OK) {
        c->bytes += *received;
    }
    return st;
}

static void counted_close(void *ctx)
{
    counted_t *c = ctx;
    c->inner.ops->close(c->inner.ctx);
}

static const ota_transport_ops_t counted_ops = {
    .network_up = counted_up,
    .connect = counted_connect,
    .send = counted_send,
    .recv = counted_recv,
    .close = counted_close,
};

static void device_start_counted(agent_device_t *d, const char *murl)
{
    ota_agent_config_t cfg;
    agent_device_config(d, &cfg, murl, 1, 0);
    cfg.auto_update = false;
    memset(&g_count, 0, sizeof g_count);
    g_count.inner = ota_posix_transport(&d->sock);
    ota_agent_ports_t ports = {.transport = {.ops = &counted_ops, .ctx = &g_count},
                               .store = &d->fx->store};
    assert_int_equal(ota_agent_init(&d->agent, &cfg, &ports), OTA_AGENT_OK);
}

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {.tv_sec = ms / 1000u, .tv_nsec = (long)(ms % 1000u) * 1000000L};
    nanosleep(&ts, NULL);
}

typedef struct check_cost {
    size_t bytes;
    size_t requests;
} check_cost_t;

/* One check on demand that ends in event `end` (the n-th of its kind); what it cost. */
static check_cost_t check(agent_device_t *d, ota_event_type_t end, size_t n)
{
    size_t bytes = g_count.bytes, requests = g_count.requests;
    assert_int_equal(ota_agent_check_now(&d->agent), OTA_AGENT_OK);
    assert_true(agent_device_run_until(d, end, n, 10000));
    assert_int_equal(event_log_count(&d->log, OTA_EVT_CHECK_FAILED), 0);
    check_cost_t c = {g_count.bytes - bytes, g_count.requests - requests};
    return c;
}

/* The scenario on a server already serving harness_www at murl. */
static void conditional_scenario(const char *server, const char *murl, const char *base)
{
    agent_device_t *d = agent_device_new();
    device_start_counted(d, murl);
    check_cost_t full = check(d, OTA_EVT_NO_UPDATE, 1);
    sleep_ms(1100);
    check_cost_t again = check(d, OTA_EVT_NO_UPDATE, 2);
    assert_int_equal(again.requests, 1);
    check_cost_t cond = check(d, OTA_EVT_NO_UPDATE, 3);
    assert_int_equal(cond.requests, 1);
    assert_true(cond.bytes < again.bytes);
    assert_true(cond.bytes <= 400u);
    printf("%s: nothing-new check: full %zu B in %zu request(s); conditional (304) %zu B in "
           "%zu request(s)\n",
           server, again.bytes, again.requests, cond.bytes, cond.requests);
    (void)full;

    /* A new manifest (written a second or more after the last): read in full, acted on. */
    harness_pack(2, 1000);
    harness_manifest_add(2, base, "app_v2.ota", "app_v2.ota", false);
    check_cost_t changed = check(d, OTA_EVT_UPDATE_AVAILABLE, 1);
    assert_int_equal(changed.requests, 1);
    assert_int_equal(event_log_last(&d->log, OTA_EVT_UPDATE_AVAILABLE)->version, 2);
    agent_device_free(d);
}

static void write_first_manifest(const char *base)
{
    harness_pack(1, 1000);
    harness_manifest_reset();
    harness_manifest_add(1, base, "app_v1.ota", "app_v1.ota", false);
}

static void test_python_if_modified_since(void **state)
{
    (void)state;
    test_server_t srv = {0};
    char *argv[] = {"python3", "-u", "-m", "http.server", "0", "--bind", "127.0.0.1", NULL};
    assert_true(test_server_start(&srv, argv, harness_www, NULL, "127.0.0.1", 10000));
    char base[64], murl[128];
    snprintf(base, sizeof base, "http://127.0.0.1:%u", (unsigned)srv.port);
    snprintf(murl, sizeof murl, "%s/ota.json", base);
    write_first_manifest(base);
    sleep_ms(1100); /* the manifest's second is over before it is first read */
    conditional_scenario("python3 -m http.server", murl, base);
    test_server_stop(&srv);
}

static void test_nginx_if_none_match(void **state)
{
    (void)state;
    test_server_t srv = {0};
    uint16_t port = test_server_closed_port();
    assert_int_not_equal(port, 0);
    char servers[400];
    snprintf(servers, sizeof servers,
             "  server {\n    listen 127.0.0.1:%u;\n    root %s;\n  }\n", (unsigned)port,
             harness_www);
    harness_nginx_start(&srv, port, servers);
    char base[64], murl[128];
    snprintf(base, sizeof base, "http://127.0.0.1:%u", (unsigned)port);
    snprintf(murl, sizeof murl, "%s/ota.json", base);
    write_first_manifest(base);
    sleep_ms(1100);
    conditional_scenario("nginx", murl, base);
    test_server_stop(&srv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_python_if_modified_since),
        cmocka_unit_test(test_nginx_if_none_match),
    };
    return cmocka_run_group_tests(tests, harness_setup_dir, harness_teardown_dir);
}
