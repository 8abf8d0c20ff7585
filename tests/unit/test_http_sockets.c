/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The HTTP client on real sockets against servers this test starts on 127.0.0.1:
 * `python3 -m http.server` (HTTP/1.0, no ranges) and tests/support/http_test_server.py
 * (HTTP/1.1 keep-alive, chunked, ranges, redirects, a short body).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "http_blocking.h"
#include "otaflow/crypto.h"
#include "otaflow/http.h"
#include "test_server.h"
#include "transport_posix.h"

#define FILE_SIZE (1024u * 1024u)

typedef struct world {
    char dir[64];
    uint8_t *file;                  /**< the 1 MB file as written to dir/img.bin */
    uint8_t digest[OTA_SHA256_SIZE];
    test_server_t py;               /**< python3 -m http.server */
    test_server_t own;              /**< http_test_server.py */
    ota_posix_transport_t sock;
    ota_transport_t transport;
    uint8_t buf[2048];
    ota_http_client_t client;
} world_t;

/* Body receiver: hashes the bytes in offset order, as a flash writer would store them. */
typedef struct receiver {
    ota_sha256_t sha;
    uint64_t next;
    uint64_t bytes;
    bool out_of_order;
    bool response_seen;
    ota_http_response_t response;
} receiver_t;

static int on_body(void *user, uint64_t offset, const uint8_t *data, size_t len)
{
    receiver_t *r = user;
    if (offset != r->next) {
        r->out_of_order = true;
    }
    ota_sha256_update(&r->sha, data, len);
    r->next = offset + len;
    r->bytes += len;
    return 0;
}

static int on_response(void *user, const ota_http_response_t *resp)
{
    receiver_t *r = user;
    r->response_seen = true;
    r->response = *resp;
    r->next = resp->body_offset;
    return 0;
}

static ota_http_status_t fetch(world_t *w, const char *url, uint64_t range_from, receiver_t *r)
{
    memset(r, 0, sizeof *r);
    ota_sha256_start(&r->sha);
    ota_http_request_t req = {
        .url = url, .range_from = range_from, .on_body = on_body,
        .on_response = on_response, .user = r,
    };
    return ota_http_get_blocking(&w->client, &w->sock, &req);
}

/* GET `path` from a test server. */
static ota_http_status_t fetch_from(world_t *w, const test_server_t *srv, const char *path,
                                    uint64_t range_from, receiver_t *r)
{
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%u%s", (unsigned)srv->port, path);
    return fetch(w, url, range_from, r);
}

static void assert_digest_of(receiver_t *r, const uint8_t *data, size_t len)
{
    uint8_t want[OTA_SHA256_SIZE];
    uint8_t got[OTA_SHA256_SIZE];
    ota_sha256(data, len, want);
    ota_sha256_finish(&r->sha, got);
    assert_false(r->out_of_order);
    assert_int_equal(r->bytes, len);
    assert_memory_equal(got, want, sizeof want);
}

static void write_file(const char *dir, const char *name, const uint8_t *data, size_t len)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static void reset_client(world_t *w)
{
    ota_posix_transport_close(&w->sock);
    ota_posix_transport_init(&w->sock);
    w->transport = ota_posix_transport(&w->sock);
    ota_http_config_t cfg;
    ota_http_config_default(&cfg);
    cfg.buf = w->buf;
    cfg.buf_size = sizeof w->buf;
    cfg.connect_timeout_ms = 3000;
    cfg.idle_timeout_ms = 5000;
    cfg.total_timeout_ms = 30000;
    cfg.steps_per_poll = 8;
    assert_int_equal(ota_http_init(&w->client, &cfg, &w->transport), OTA_HTTP_OK);
}

static int setup(void **state)
{
    world_t *w = calloc(1, sizeof *w);
    if (w == NULL) {
        return -1;
    }
    snprintf(w->dir, sizeof w->dir, "/tmp/otaflow-http-XXXXXX");
    if (mkdtemp(w->dir) == NULL) {
        free(w);
        return -1;
    }
    w->file = malloc(FILE_SIZE);
    uint64_t x = 0x9E3779B97F4A7C15u; /* xorshift: reproducible "random" content */
    for (size_t i = 0; i < FILE_SIZE; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        w->file[i] = (uint8_t)(x >> 32);
    }
    write_file(w->dir, "img.bin", w->file, FILE_SIZE);
    ota_sha256(w->file, FILE_SIZE, w->digest);

    char *py_argv[] = { test_python(), "-u", "-m", "http.server", "0", "--bind", "127.0.0.1",
                        "--directory", w->dir, NULL };
    char script[512];
    snprintf(script, sizeof script, "%s/tests/support/http_test_server.py", test_source_dir());
    char *own_argv[] = { test_python(), "-u", script, "--dir", w->dir, "--bind", "127.0.0.1", NULL };
    if (!test_server_start(&w->py, py_argv, w->dir, NULL, "127.0.0.1", 10000) ||
        !test_server_start(&w->own, own_argv, w->dir, NULL, "127.0.0.1", 10000)) {
        fprintf(stderr, "could not start the test servers\n");
        test_server_stop(&w->py);
        free(w->file);
        free(w);
        return -1;
    }
    ota_posix_transport_init(&w->sock);
    *state = w;
    return 0;
}

static int teardown(void **state)
{
    world_t *w = *state;
    test_server_stop(&w->py);
    test_server_stop(&w->own);
    ota_posix_transport_close(&w->sock);
    char path[128];
    snprintf(path, sizeof path, "%s/img.bin", w->dir);
    unlink(path);
    rmdir(w->dir);
    free(w->file);
    free(w);
    return 0;
}

static int per_test(void **state)
{
    reset_client(*state);
    return 0;
}

static void test_python_server_1mb_sha256(void **state)
{
    world_t *w = *state;
    receiver_t r;
    assert_int_equal(fetch_from(w, &w->py, "/img.bin", 0, &r), OTA_HTTP_OK);
    assert_digest_of(&r, w->file, FILE_SIZE);
    assert_int_equal(r.response.status_code, 200);
    assert_int_equal(r.response.total_length, FILE_SIZE);
}

static void test_python_server_ignores_range(void **state)
{
    world_t *w = *state;
    receiver_t r;
    /* http.server has no Range support: 200 and the whole file from offset 0. */
    assert_int_equal(fetch_from(w, &w->py, "/img.bin", 500000, &r), OTA_HTTP_OK);
    assert_false(r.response.resumed);
    assert_int_equal(r.response.body_offset, 0);
    assert_digest_of(&r, w->file, FILE_SIZE);
}

static void test_python_server_404(void **state)
{
    world_t *w = *state;
    receiver_t r;
    assert_int_equal(fetch_from(w, &w->py, "/no-such-image.bin", 0, &r), OTA_HTTP_ERR_STATUS);
    assert_int_equal(ota_http_response(&w->client)->status_code, 404);
    assert_int_equal(r.bytes, 0);
}

static void test_refused_on_closed_port(void **state)
{
    world_t *w = *state;
    uint16_t port = test_server_closed_port();
    assert_true(port != 0);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/img.bin", (unsigned)port);
    receiver_t r;
    assert_int_equal(fetch(w, url, 0, &r), OTA_HTTP_ERR_REFUSED);
}

static void test_own_server_chunked_1mb(void **state)
{
    world_t *w = *state;
    receiver_t r;
    assert_int_equal(fetch_from(w, &w->own, "/chunked/img.bin", 0, &r), OTA_HTTP_OK);
    assert_true(r.response.chunked);
    assert_int_equal(r.response.total_length, OTA_HTTP_LENGTH_UNKNOWN);
    assert_digest_of(&r, w->file, FILE_SIZE);
}

static void test_own_server_range_resume(void **state)
{
    world_t *w = *state;
    receiver_t r;
    assert_int_equal(fetch_from(w, &w->own, "/img.bin", 700001, &r), OTA_HTTP_OK);
    assert_true(r.response.resumed);
    assert_int_equal(r.response.status_code, 206);
    assert_int_equal(r.response.body_offset, 700001);
    assert_int_equal(r.response.total_length, FILE_SIZE);
    assert_int_equal(r.next, FILE_SIZE);
    assert_digest_of(&r, w->file + 700001, FILE_SIZE - 700001);
}

static void test_own_server_keep_alive(void **state)
{
    world_t *w = *state;
    receiver_t r;
    assert_int_equal(fetch_from(w, &w->own, "/stats", 0, &r), OTA_HTTP_OK);
    assert_int_equal(fetch_from(w, &w->own, "/img.bin", 0, &r), OTA_HTTP_OK);
    assert_digest_of(&r, w->file, FILE_SIZE);
    assert_true(w->client.response.reused_connection);
    assert_int_equal(fetch_from(w, &w->own, "/img.bin", 1000, &r), OTA_HTTP_OK);
    assert_true(w->client.response.reused_connection);
    assert_int_equal(w->sock.connects, 1); /* three requests, one connection */
}

static void test_own_server_redirects(void **state)
{
    world_t *w = *state;
    receiver_t r;
    /* Relative Location. */
    assert_int_equal(fetch_from(w, &w->own, "/old/img.bin", 0, &r), OTA_HTTP_OK);
    assert_digest_of(&r, w->file, FILE_SIZE);
    assert_int_equal(w->client.response.redirects, 1);
    /* Absolute Location. */
    assert_int_equal(fetch_from(w, &w->own, "/abs/chunked/img.bin", 0, &r), OTA_HTTP_OK);
    assert_digest_of(&r, w->file, FILE_SIZE);
    assert_int_equal(w->client.response.redirects, 1);
    assert_int_equal(w->sock.connects, 1); /* same endpoint all along */
}

static void test_own_server_short_body(void **state)
{
    world_t *w = *state;
    receiver_t r;
    assert_int_equal(fetch_from(w, &w->own, "/short/img.bin", 0, &r), OTA_HTTP_ERR_BODY_SHORT);
    assert_int_equal(r.bytes, FILE_SIZE);
}

static void test_link_down_and_tls(void **state)
{
    world_t *w = *state;
    receiver_t r;
    w->sock.link_up = false;
    assert_false(w->transport.ops->network_up(w->transport.ctx));
    assert_int_equal(fetch_from(w, &w->own, "/img.bin", 0, &r), OTA_HTTP_ERR_NETWORK_DOWN);
    w->sock.link_up = true;
    assert_true(w->transport.ops->network_up(w->transport.ctx));
    char url[128];
    snprintf(url, sizeof url, "https://127.0.0.1:%u/img.bin", (unsigned)w->own.port);
    assert_int_equal(fetch(w, url, 0, &r), OTA_HTTP_ERR_TLS); /* TLS: issue 6 */
}

static void test_ipv6_loopback(void **state)
{
    world_t *w = *state;
    char script[512];
    snprintf(script, sizeof script, "%s/tests/support/http_test_server.py", test_source_dir());
    char *argv[] = { test_python(), "-u", script, "--dir", w->dir, "--bind", "::1", NULL };
    test_server_t v6;
    if (!test_server_start(&v6, argv, w->dir, NULL, "::1", 5000)) {
        skip(); /* no IPv6 loopback on this machine */
    }
    char url[128];
    snprintf(url, sizeof url, "http://[::1]:%u/abs/img.bin", (unsigned)v6.port);
    receiver_t r;
    ota_http_status_t st = fetch(w, url, 0, &r);
    test_server_stop(&v6);
    assert_int_equal(st, OTA_HTTP_OK);
    assert_digest_of(&r, w->file, FILE_SIZE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_python_server_1mb_sha256, per_test),
        cmocka_unit_test_setup(test_python_server_ignores_range, per_test),
        cmocka_unit_test_setup(test_python_server_404, per_test),
        cmocka_unit_test_setup(test_refused_on_closed_port, per_test),
        cmocka_unit_test_setup(test_own_server_chunked_1mb, per_test),
        cmocka_unit_test_setup(test_own_server_range_resume, per_test),
        cmocka_unit_test_setup(test_own_server_keep_alive, per_test),
        cmocka_unit_test_setup(test_own_server_redirects, per_test),
        cmocka_unit_test_setup(test_own_server_short_body, per_test),
        cmocka_unit_test_setup(test_link_down_and_tls, per_test),
        cmocka_unit_test_setup(test_ipv6_loopback, per_test),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
