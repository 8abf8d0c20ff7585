/* SPDX-License-Identifier: Apache-2.0 */
/* HTTP client against a scripted transport: framing, redirects, errors, timeouts, reuse. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mock_transport.h"
#include "otaflow/http.h"

#define BODY "0123456789abcdefghijklmnopqrstuvwxyz"
#define BODY_LEN 36u

static const char resp_cl[] = "HTTP/1.1 200 OK\r\n"
                              "Content-Type: application/octet-stream\r\n"
                              "Content-Length: 36\r\n"
                              "\r\n" BODY;

static const char resp_chunked[] = "HTTP/1.1 200 OK\r\n"
                                   "Transfer-Encoding: chunked\r\n"
                                   "Trailer: X-Checksum\r\n"
                                   "\r\n"
                                   "a;name=value;other\r\n0123456789\r\n"
                                   "1A\r\nabcdefghijklmnopqrstuvwxyz\r\n"
                                   "0\r\nX-Checksum: abc\r\nX-Other: 1\r\n\r\n";

static const char resp_until_close[] = "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" BODY;

/* What the body callback saw. */
typedef struct sink {
    uint8_t data[70000];
    uint64_t end;             /**< highest offset + len written */
    uint64_t next;            /**< expected next offset */
    uint64_t total;           /**< bytes delivered */
    unsigned calls;
    bool gap;                 /**< a piece did not follow the previous one */
    unsigned abort_at_call;   /**< return non-zero on this call (0 = never) */
    bool response_seen;
    ota_http_response_t response;
    bool refuse_response;
} sink_t;

typedef struct fixture {
    mock_transport_t mock;
    ota_transport_t transport;
    ota_http_config_t config;
    ota_http_client_t client;
    uint8_t buf[1024];
    sink_t sink;
    uint32_t now;
    uint32_t tick;            /**< ms added before every poll */
    unsigned polls;
} fixture_t;

static int on_body(void *user, uint64_t offset, const uint8_t *data, size_t len)
{
    sink_t *s = user;
    s->calls++;
    if (s->calls > 1 && offset != s->next) {
        s->gap = true;
    }
    if (offset + len <= sizeof s->data) {
        memcpy(s->data + offset, data, len);
    }
    s->next = offset + len;
    s->total += len;
    if (s->next > s->end) {
        s->end = s->next;
    }
    return s->abort_at_call != 0 && s->calls == s->abort_at_call;
}

static int on_response(void *user, const ota_http_response_t *resp)
{
    sink_t *s = user;
    s->response_seen = true;
    s->response = *resp;
    s->next = resp->body_offset;
    return s->refuse_response;
}

static void reinit_client(fixture_t *f)
{
    f->transport = mock_transport(&f->mock);
    assert_int_equal(ota_http_init(&f->client, &f->config, &f->transport), OTA_HTTP_OK);
}

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    if (f == NULL) {
        return -1;
    }
    mock_init(&f->mock);
    ota_http_config_default(&f->config);
    f->config.buf = f->buf;
    f->config.buf_size = sizeof f->buf;
    f->config.connect_timeout_ms = 2000;
    f->config.idle_timeout_ms = 1000;
    f->config.total_timeout_ms = 60000;
    f->tick = 1;
    f->now = 0xFFFFF000u; /* the clock wraps during the tests: differences must cope */
    f->transport = mock_transport(&f->mock);
    if (ota_http_init(&f->client, &f->config, &f->transport) != OTA_HTTP_OK) {
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    free(*state);
    return 0;
}

/* Start one GET (not polled yet). */
static ota_http_status_t start_get(fixture_t *f, const char *url, uint64_t range_from)
{
    memset(&f->sink, 0, sizeof f->sink);
    ota_http_request_t req = {
        .url = url,
        .range_from = range_from,
        .on_body = on_body,
        .on_response = on_response,
        .user = &f->sink,
    };
    return ota_http_get(&f->client, &req);
}

/* Poll the started GET to its end with the fake clock; checks that every poll stays bounded. */
static ota_http_status_t finish_get(fixture_t *f)
{
    ota_http_status_t st;
    for (unsigned i = 0; i < 1000000u; i++) {
        f->now += f->tick;
        unsigned calls_before = f->mock.calls;
        st = ota_http_poll(&f->client, f->now);
        f->polls++;
        /* steps_per_poll, and the end check of a response completed in this poll */
        assert_true(f->mock.calls - calls_before <= f->client.config.steps_per_poll + 1u);
        if (st != OTA_HTTP_IN_PROGRESS && st != OTA_HTTP_WOULD_BLOCK) {
            /* Finished: later polls repeat the result without touching the transport. */
            unsigned calls_after = f->mock.calls;
            assert_int_equal(ota_http_poll(&f->client, f->now), st);
            assert_int_equal(f->mock.calls, calls_after);
            return st;
        }
    }
    fail_msg("request did not finish");
    return OTA_HTTP_ERR_ARG;
}

/* Run one GET to the end. */
static ota_http_status_t run_get(fixture_t *f, const char *url, uint64_t range_from)
{
    ota_http_status_t st = start_get(f, url, range_from);
    return st == OTA_HTTP_IN_PROGRESS ? finish_get(f) : st;
}

static void expect_status(fixture_t *f, const char *url, uint64_t range, ota_http_status_t want)
{
    ota_http_status_t got = run_get(f, url, range);
    if (got != want) {
        print_error("%s: got %s, want %s\n", url, ota_http_status_str(got),
                    ota_http_status_str(want));
    }
    assert_int_equal(got, want);
}

static void assert_body(const fixture_t *f, const char *want)
{
    size_t n = strlen(want);
    assert_int_equal(f->sink.total, n);
    assert_false(f->sink.gap);
    assert_memory_equal(f->sink.data, want, n);
}

/* ---- framing ---------------------------------------------------------------------------- */

/* The same response delivered in every segmentation, with and without WOULD_BLOCK between
 * calls, gives the same body. */
static void body_in_every_delivery_mode(void **state, const char *response, ota_net_status_t end)
{
    fixture_t *f = *state;
    static const size_t chunks[] = { 0, 1, 2, 7, 64 };
    for (size_t i = 0; i < sizeof chunks / sizeof chunks[0]; i++) {
        for (int blocking = 0; blocking <= 1; blocking++) {
            mock_init(&f->mock);
            f->mock.recv_chunk = chunks[i];
            f->mock.send_chunk = chunks[i];
            f->mock.block_between = blocking != 0;
            mock_add(&f->mock, response, end);
            reinit_client(f);
            expect_status(f, "http://h/fw.bin", 0, OTA_HTTP_OK);
            assert_body(f, BODY);
            assert_int_equal(f->client.response.status_code, 200);
            assert_int_equal(f->client.response.received, BODY_LEN);
            if (chunks[i] == 1) {
                assert_int_equal(f->sink.calls, BODY_LEN); /* streamed as it arrived */
            }
        }
    }
}

static void test_content_length_every_mode(void **state)
{
    body_in_every_delivery_mode(state, resp_cl, OTA_NET_WOULD_BLOCK);
    fixture_t *f = *state;
    assert_true(f->sink.response_seen);
    assert_int_equal(f->sink.response.content_length, BODY_LEN);
    assert_int_equal(f->sink.response.total_length, BODY_LEN);
    assert_false(f->sink.response.chunked);
}

static void test_chunked_every_mode(void **state)
{
    body_in_every_delivery_mode(state, resp_chunked, OTA_NET_WOULD_BLOCK);
    fixture_t *f = *state;
    assert_true(f->sink.response.chunked);
    assert_int_equal(f->sink.response.content_length, OTA_HTTP_LENGTH_UNKNOWN);
    assert_int_equal(f->sink.response.total_length, OTA_HTTP_LENGTH_UNKNOWN);
}

static void test_body_until_close_every_mode(void **state)
{
    body_in_every_delivery_mode(state, resp_until_close, OTA_NET_ERR_CLOSED);
}

static void test_request_format(void **state)
{
    fixture_t *f = *state;
    mock_add(&f->mock, resp_cl, OTA_NET_WOULD_BLOCK);
    expect_status(f, "http://Example.com:8080/fw/a.bin?v=1&x=%41#frag", 0, OTA_HTTP_OK);
    const char want[] = "GET /fw/a.bin?v=1&x=%41 HTTP/1.1\r\n"
                        "Host: Example.com:8080\r\n"
                        "User-Agent: " OTA_HTTP_USER_AGENT "\r\n"
                        "Accept: */*\r\n"
                        "Connection: keep-alive\r\n"
                        "\r\n";
    assert_int_equal(f->mock.sent_len, strlen(want));
    assert_memory_equal(f->mock.sent, want, strlen(want));
    assert_string_equal(f->mock.host, "Example.com");
    assert_int_equal(f->mock.port, 8080);
    assert_false(f->mock.tls);
    assert_int_equal(strncmp(OTA_HTTP_USER_AGENT, "otaflow/", 8), 0);
}

static void test_request_host_forms(void **state)
{
    fixture_t *f = *state;
    mock_add(&f->mock, resp_cl, OTA_NET_ERR_CLOSED);
    mock_add(&f->mock, resp_cl, OTA_NET_ERR_CLOSED);
    mock_add(&f->mock, resp_cl, OTA_NET_ERR_CLOSED);
    expect_status(f, "http://[::1]/x", 0, OTA_HTTP_OK);
    assert_string_equal(f->mock.host, "::1");
    assert_int_equal(mock_sent_count(&f->mock, "Host: [::1]\r\n"), 1);
    expect_status(f, "http://[2001:db8::1]:81", 0, OTA_HTTP_OK);
    assert_int_equal(mock_sent_count(&f->mock, "GET / HTTP/1.1\r\nHost: [2001:db8::1]:81\r\n"), 1);
    expect_status(f, "https://secure.example/x", 0, OTA_HTTP_OK);
    assert_true(f->mock.tls);
    assert_int_equal(f->mock.port, 443);
    assert_int_equal(mock_sent_count(&f->mock, "Host: secure.example\r\n"), 1);
}

static void test_interim_response_skipped(void **state)
{
    fixture_t *f = *state;
    mock_add(&f->mock, "HTTP/1.1 100 Continue\r\n\r\n" "HTTP/1.1 200 OK\r\nContent-Length: 36\r\n\r\n" BODY,
             OTA_NET_WOULD_BLOCK);
    expect_status(f, "http://h/f", 0, OTA_HTTP_OK);
    assert_body(f, BODY);
}

static void test_empty_bodies(void **state)
{
    fixture_t *f = *state;
    mock_add(&f->mock, "HTTP/1.1 204 No Content\r\n\r\n", OTA_NET_WOULD_BLOCK);
    expect_status(f, "http://h/f", 0, OTA_HTTP_OK);
    assert_int_equal(f->sink.calls, 0);
    assert_int_equal(f->client.response.status_code, 204);
    mock_init(&f->mock);
    mock_add(&f->mock, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", OTA_NET_WOULD_BLOCK);
    reinit_client(f);
    expect_status(f, "http://h/f", 0, OTA_HTTP_OK);
    assert_int_equal(f->sink.calls, 0);
    assert_int_equal(f->client.response.content_length, 0);
}

/* ---- errors in the response ------------------------------------------------------------- */

static void test_status_404_and_500(void **state)
{
    fixture_t *f = *state;
    mock_add(&f->mock, "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found", OTA_NET_WOULD_BLOCK);
    mock_add(&f->mock, "HTTP/1.0 500 Oops\r\n\r\n", OTA_NET_ERR_CLOSED);
    expect_status(f, "http://h/missing.bin", 0, OTA_HTTP_ERR_STATUS);
    assert_int_equal(ota_http_response(&f->client)->status_code, 404);
    assert_int_equal(f->sink.calls, 0); /* an error page is never delivered as the body */
    assert_false(f->sink.response_seen);
    assert_int_equal(f->mock.closes, 1);
    expect_status(f, "http://h/x", 0, OTA_HTTP_ERR_STATUS);
    assert_int_equal(ota_http_response(&f->client)->status_code, 500);
    assert_int_equal(f->mock.connects, 2); /* no reuse after an error */
}

static void test_short_body(void **state)
{
    fixture_t *f = *state;
    static const char *responses[] = {
        "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" BODY,
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n24\r\n" BODY "\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n30\r\n" BODY,
    };
    for (size_t i = 0; i < 3; i++) {
        for (size_t chunk = 0; chunk <= 1; chunk++) {
            mock_init(&f->mock);
            f->mock.recv_chunk = chunk;
            mock_add(&f->mock, responses[i], OTA_NET_ERR_CLOSED);
            reinit_client(f);
            expect_status(f, "http://h/f", 0, OTA_HTTP_ERR_BODY_SHORT);
            assert_int_equal(f->sink.total, BODY_LEN); /* what came was delivered */
        }
    }
}

static void test_long_body(void **state)
{
    fixture_t *f = *state;
    static const char *responses[] = {
        "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n" BODY,
        "HTTP/1.1 200 OK\r\nContent-Length: 10\r\nConnection: close\r\n\r\n" BODY,
        "HTTP/1.0 200 OK\r\nContent-Length: 10\r\n\r\n" BODY,
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\ngarbage",
    };
    static const ota_net_status_t ends[] = { OTA_NET_WOULD_BLOCK, OTA_NET_ERR_CLOSED };
    for (size_t i = 0; i < 4; i++) {
        for (size_t chunk = 0; chunk <= 1; chunk++) {
            for (size_t e = 0; e < 2; e++) {
                mock_init(&f->mock);
                f->mock.recv_chunk = chunk;
                mock_add(&f->mock, responses[i], ends[e]);
                reinit_client(f);
                expect_status(f, "http://h/f", 0, OTA_HTTP_ERR_BODY_LONG);
            }
        }
    }
}

static void test_closed_before_headers(void **state)
{
    fixture_t *f = *state;
    mock_add(&f->mock, "", OTA_NET_ERR_CLOSED);
    mock_add(&f->mock, "HTTP/1.1 200 OK\r\nContent-Le", OTA_NET_ERR_CLOSED);
    expect_status(f, "http://h/f", 0, OTA_HTTP_ERR_CLOSED);
    expect_status(f, "http://h/f", 0, OTA_HTTP_ERR_CLOSED);
}

static void test_reset_mid_body(void **state)
{
    fixture_t *f = *state;
    mock_add(&f->mock, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" BODY, OTA_NET_ERR_RESET);
    expect_status(f, "http://h/f", 0, OTA_HTTP_ERR_RESET);
    assert_int_equal(f->sink.total, BODY_LEN);
}

static void test_malformed_responses(void **state)
{
    fixture_t *f = *state;
    static const char *responses[] = {
        "ICY 200 OK\r\n\r\n",
        "HTTP/1.1 abc OK\r\n\r\n",
        "garbage\r\n\r\n",
        "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", /* a TLS ServerHello-like start */
        "HTTP/1.1 2000 OK\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 12x\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nabcdef",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        "HTTP/1.1 200 OK\r\nBad Header\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof responses / sizeof responses[0]; i++) {
        for (size_t chunk = 0; chunk <= 1; chunk++) {
            mock_init(&f->mock);
            f->mock.recv_chunk = chunk;
            mock_add(&f->mock, responses[i], OTA_NET_ERR_CLOSED);
            reinit_client(f);
            expect_status(f, "http://h/f", 0, OTA_HTTP_ERR_MALFORMED);
            assert_int_equal(strncmp(ota_http_parser_error_str(&f->client), "HPE_", 4), 0);
            assert_string_not_equal(ota_http_parser_error_str(&f->client), "HPE_OK");
            /* The rule belongs to that outcome: the next request runs without it. */
            assert_int_equal(start_get(f, "http://h/g", 0), OTA_HTTP_IN_PROGRESS);
            assert_string_equal(ota_http_parser_error_str(&f->client), "HPE_OK");
        }
    }
    /* Status lines of other HTTP versions, which http-parser accepts: their framing is not
     * the one we read (found by tests/faults: "HTTP/9.9 200 OK" was taken as a 200). */
    static const char *versions[] = {
        "HTTP/9.9 200 OK\r\nContent-Length: 0\r\n\r\n",
        "HTTP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n",
        "HTTP/0.9 200 OK\r\nContent-Length: 0\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof versions / sizeof versions[0]; i++) {
        mock_init(&f->mock);
        mock_add(&f->mock, versions[i], OTA_NET_ERR_CLOSED);
        reinit_client(f);
        expect_status(f, "http://h/f", 0, OTA_HTTP_ERR_MALFORMED);
        assert_int_equal(ota_http_response(&f->client)->status_code, 200);
    }
    /* A 101 Switching Protocols is not an answer to a GET for a file. */
    mock_init(&f->mock);
    mock_add(&f->mock, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: upgrade\r\n\r\n",
             OTA_NET_WOULD_BLOCK);
    reinit_client(f);
    expect_status(f, "http://h/f", 0, OTA_HTTP_ERR_MALFORMED);
}

/* A response whose status line + headers take exactly `size` bytes. */
static void make_response_with_header_size(char *out, size_t out_size, size_t size)
{
    const char *head = "HTTP/1.1 200 OK\r\nContent-Length: 36\r\nX-Pad: ";
    size_t fixed = strlen(head) + strlen("\r\n\r\n");
    assert_true(size > fixed && size + BODY_LEN < out_size);
    strcpy(out, head);
    memset(out + strlen(head), 'p', size - fixed);
    strcpy(out + strlen(head) + (size - fixed), "\r\n\r\n" BODY);
}

static void test_headers_over_the_buffer(void **state)
{
    fixture_t *f = *state;
    static char at_limit[2048];
    static char over_limit[2048];
    make_response_with_header_size(at_limit, sizeof at_limit, sizeof f->buf);
    make_response_with_header_size(over_limit, sizeof over_limit, sizeof f->buf + 1);
    for (size_t chunk = 0; chunk <= 1; chunk++) {
        mock_init(&f->mock);
        f->mock.recv_chunk = chunk;
        mock_add(&f->mock, at_limit, OTA_NET_WOULD_BLOCK);
        mock_add(&f->mock, over_limit, OTA_NET_WOULD_BLOCK);
        reinit_client(f);
        expect_status(f, "http://h/f", 0, OTA_HTTP_OK);
        assert_body(f, BODY);
        ota_http_close(&f->client);
        expect_status(f, "http://h/f", 0, OTA_HTTP_ERR_HEADERS_TOO_LARGE);
    }
    /* A configured limit below the buffer size is honoured too. */
    mock_init(&f->mock);
    make_response_with_header_size(at_limit, sizeof at_limit, 301);
    mock_add(&f->mock, at_limit, OTA_NET_WOULD_BLOCK);
    f->config.max_header_bytes = 300;
    reinit_client(f);
    expect_status(f, "http://h/f", 0, OTA_HTTP_ERR_HEADERS_TOO_LARGE);
    assert_int_equal(f->sink.calls, 0);
}

static void test_callbacks_can_abort(void **state)
{
    fixture_t *f = *state;
    mock_add(&f->mock, resp_cl, OTA_NET_WOULD_BLOCK);
    mock_add(&f->mock, resp_cl, OTA_NET_WOULD_BLOCK);
    f->mock.recv_chunk = 50; /* headers+body span several recvs */
    ota_http_request_t req = { .url = "http://h/f", .on_body = on_body, .user = &f->sink };
    memset(&f->sink, 0, sizeof f->sink);
    f->sink.abort_at_call = 1;
    assert_int_equal(ota_http_get(&f->client, &req), OTA_HTTP_IN_PROGRESS);
    ota_http_status_t st;
    do {
        st = ota_http_poll(&f->client, ++f->now);
    } while (st == OTA_HTTP_IN_PROGRESS || st == OTA_HTTP_WOULD_BLOCK);
    assert_int_equal(st, OTA_HTTP_ERR_ABORTED);
    assert_int_equal(f->sink.calls, 1);
    assert_int_equal(f->mock.closes, 1);

    /* on_response refusing the response. */
    memset(&f->sink, 0, sizeof f->sink);
    req.on_response = on_response;
    f->sink.refuse_response = true;
    assert_int_equal(ota_http_get(&f->client, &req), OTA_HTTP_IN_PROGRESS);
    do {
        st = ota_http_poll(&f->client, ++f->now);
    } while (st == OTA_HTTP_IN_PROGRESS || st == OTA_HTTP_WOULD_BLOCK);
    assert_int_equal(st, OTA_HTTP_ERR_ABORTED);
    assert_int_equal(f->sink.calls, 0);
}

static void test_abort_mid_transfer(void **state)
{
    fixture_t *f = *state;
    mock_add(&f->mock, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" BODY, OTA_NET_WOULD_BLOCK);
    ota_http_request_t req = { .url = "http://h/f", .on_body = on_body, .user = &f->sink };
    assert_int_equal(ota_http_get(&f->client, &req), OTA_HTTP_IN_PROGRESS);
    for (int i = 0; i < 10; i++) {
        (void)ota_http_poll(&f->client, ++f->now);
    }
    assert_int_equal(ota_http_get(&f->client, &req), OTA_HTTP_ERR_ARG); /* busy */
    ota_http_abort(&f->client);
    assert_int_equal(ota_http_poll(&f->client, ++f->now), OTA_HTTP_ERR_ABORTED);
    assert_false(f->mock.open);
}

/* ---- redirects -------------------------------------------------------------------------- */

static void test_redirect_relative_on_same_connection(void **state)
{
    fixture_t *f = *state;
    mock_conn_t *c = mock_add(&f->mock,
                              "HTTP/1.1 302 Found\r\nLocation: ../b/new.bin?x=1\r\n"
                              "Content-Length: 20\r\n\r\nmoved, see elsewhere",
                              OTA_NET_WOULD_BLOCK);
    c->responses[1] = resp_cl;
    expect_status(f, "http://h:8080/a/x/old.bin", 0, OTA_HTTP_OK);
    assert_body(f, BODY);
    assert_int_equal(mock_sent_count(&f->mock, "GET /a/x/old.bin HTTP/1.1\r\n"), 1);
    assert_int_equal(mock_sent_count(&f->mock, "GET /a/b/new.bin?x=1 HTTP/1.1\r\nHost: h:8080\r\n"), 1);
    assert_int_equal(f->mock.connects, 1); /* the redirect body was drained, connection kept */
    assert_int_equal(f->client.response.redirects, 1);
    assert_true(f->client.response.reused_connection);
    assert_string_equal(f->client.url, "http://h:8080/a/b/new.bin?x=1");
}

static void test_redirect_absolute_to_other_host(void **state)
{
    fixture_t *f = *state;
    static const int codes[] = { 301, 302, 303, 307, 308 };
    for (size_t i = 0; i < 5; i++) {
        char resp[200];
        snprintf(resp, sizeof resp,
                 "HTTP/1.1 %d Moved\r\nLocation: http://mirror.example:8081/img.ota \r\n"
                 "Content-Length: 0\r\n\r\n", codes[i]);
        mock_init(&f->mock);
        mock_add(&f->mock, resp, OTA_NET_WOULD_BLOCK);
        mock_add(&f->mock, resp_chunked, OTA_NET_WOULD_BLOCK);
        reinit_client(f);
        expect_status(f, "http://h/img.ota", 0, OTA_HTTP_OK);
        assert_body(f, BODY);
        assert_int_equal(f->mock.connects, 2);
        assert_string_equal(f->mock.host, "mirror.example");
        assert_int_equal(f->mock.port, 8081);
        assert_int_equal(mock_sent_count(&f->mock, "Host: mirror.example:8081\r\n"), 1);
        assert_int_equal(f->client.response.redirects, 1);
    }
}

static void test_redirect_with_large_body_closes(void **state)
{
    fixture_t *f = *state;
    /* Too big to drain (announced or chunked): the client closes and reconnects. */
    mock_add(&f->mock, "HTTP/1.1 302 Found\r\nLocation: /b\r\nContent-Length: 100000\r\n\r\nxx",
             OTA_NET_WOULD_BLOCK);
    mock_add(&f->mock, resp_cl, OTA_NET_WOULD_BLOCK);
    expect_status(f, "http://h/a", 0, OTA_HTTP_OK);
    assert_body(f, BODY);
    assert_int_equal(f->mock.connects, 2);

    mock_init(&f->mock);
    static char chunked_big[8000];
    strcpy(chunked_big, "HTTP/1.1 302 Found\r\nLocation: /b\r\nTransfer-Encoding: chunked\r\n\r\n");
    for (int i = 0; i < 60; i++) {
        strcat(chunked_big, "64\r\n");
        size_t n = strlen(chunked_big);
        memset(chunked_big + n, 'z', 100);
        strcpy(chunked_big + n + 100, "\r\n");
    }
    strcat(chunked_big, "0\r\n\r\n");
    mock_add(&f->mock, chunked_big, OTA_NET_WOULD_BLOCK);
    mock_add(&f->mock, resp_cl, OTA_NET_WOULD_BLOCK);
    reinit_client(f);
    expect_status(f, "http://h/a", 0, OTA_HTTP_OK);
    assert_body(f, BODY);
    assert_int_equal(f->mock.connects, 2);
}

static void test_redirect_loop(void **state)
{
    fixture_t *f = *state;
    for (int i = 0; i < 7; i++) {
        mock_add(&f->mock, "HTTP/1.1 302 Found\r\nLocation: /loop\r\nConnection: close\r\n"
                           "Content-Length: 0\r\n\r\n", OTA_NET_ERR_CLOSED);
    }
    expect_status(f, "http://h/loop", 0, OTA_HTTP_ERR_TOO_MANY_REDIRECTS);
    assert_int_equal(mock_sent_count(&f->mock, "GET /loop HTTP/1.1"), 6); /* 1 + 5 hops */
    assert_int_equal(f->client.response.redirects, 5);
    assert_int_equal(f->client.response.status_code, 302);

    /* max_redirects = 0: the first redirect is already too many. */
    mock_init(&f->mock);
    mock_add(&f->mock, "HTTP/1.1 301 Moved\r\nLocation: /x\r\nContent-Length: 0\r\n\r\n",
             OTA_NET_WOULD_BLOCK);
    f->config.max_redirects = 0;
    reinit_client(f);
    expect_status(f, "http://h/loop", 0, OTA_HTTP_ERR_TOO_MANY_REDIRECTS);
}

static void test_redirect_without_or_with_bad_location(void **state)
{
    fixture_t *f = *state;
    mock_add(&f->mock, "HTTP/1.1 302 Found\r\nContent-Length: 0\r\n\r\n", OTA_NET_WOULD_BLOCK);
    mock_add(&f->mock, "HTTP/1.1 307 Temporary\r\nLocation: ftp://h/x\r\nContent-Length: 0\r\n\r\n",
             OTA_NET_WOULD_BLOCK);
    mock_add(&f->mock, "HTTP/1.1 302 Found\r\nLocation: /a\r\nLocation: /b\r\nContent-Length: 0\r\n\r\n",
             OTA_NET_WOULD_BLOCK);
    mock_add(&f->mock, "HTTP/1.1 300 Multiple Choices\r\nLocation: /a\r\nContent-Length: 0\r\n\r\n",
             OTA_NET_WOULD_BLOCK);
    expect_status(f, "http://h/a", 0, OTA_HTTP_ERR_REDIRECT_NO_LOCATION);
    expect_status(f, "http://h/a", 0, OTA_HTTP_ERR_REDIRECT_BAD_LOCATION);
    assert_int_equal(f->client.url_status, OTA_URL_ERR_SCHEME);
    expect_status(f, "http://h/a", 0, OTA_HTTP_ERR_REDIRECT_BAD_LOCATION);
    expect_status(f, "http://h/a", 0, OTA_HTTP_ERR_STATUS);
    assert_int_equal(f->client.response.status_code, 300);

    /* A Location longer than any URL the client can hold. */
    static char resp[1024];
    strcpy(resp, "HTTP/1.1 302 Found\r\nContent-Length: 0\r\nLocation: /");
    memset(resp + strlen(resp), 'L', OTA_URL_MAX + 10);
    strcat(resp, "\r\n\r\n");
    mock_init(&f->mock);
    mock_add(&f->mock, resp, OTA_NET_WOULD_BLOCK);
    reinit_client(f);
    expect_status(f, "http://h/a", 0, OTA_HTTP_ERR_REDIRECT_BAD_LOCATION);
    assert_int_equal(f->client.url_status, OTA_URL_ERR_TOO_LONG);
}

/* require_tls: http:// is refused at once (nothing sent), https:// works, and an https
 * redirect down to http:// stops the request without connecting there. */
static void test_require_tls(void **state)
{
    fixture_t *f = *state;
    f->config.require_tls = true;
    mock_add(&f->mock, "HTTP/1.1 302 Found\r\nLocation: http://h/plain\r\nContent-Length: 0\r\n\r\n",
             OTA_NET_WOULD_BLOCK);
    mock_add(&f->mock, resp_cl, OTA_NET_WOULD_BLOCK);
    reinit_client(f);
    expect_status(f, "http://h/a", 0, OTA_HTTP_ERR_INSECURE);
    assert_int_equal(f->mock.calls, 0);

    expect_status(f, "https://h/a", 0, OTA_HTTP_ERR_INSECURE);
    assert_true(f->mock.tls);
    assert_int_equal(f->mock.connects, 1);
    assert_int_equal(mock_sent_count(&f->mock, "GET /plain"), 0);
    assert_string_equal(ota_http_status_str(OTA_HTTP_ERR_INSECURE),
                        "plain http refused (TLS required)");

    /* A redirect that stays on https is followed. */
    mock_init(&f->mock);
    mock_add(&f->mock, "HTTP/1.1 301 Moved\r\nLocation: https://m/b\r\nContent-Length: 0\r\n\r\n",
             OTA_NET_WOULD_BLOCK);
    mock_add(&f->mock, resp_cl, OTA_NET_WOULD_BLOCK);
    reinit_client(f);
    expect_status(f, "https://h/a", 0, OTA_HTTP_OK);
    assert_body(f, BODY);
    assert_string_equal(f->mock.host, "m");
}

/* ---- timeouts --------------------------------------------------------------------------- */

static void test_connect_timeout(void **state)
{
    fixture_t *f = *state;
    mock_conn_t *c = mock_add(&f->mock, resp_cl, OTA_NET_WOULD_BLOCK);
    c->connect_blocks = MOCK_NEVER;
    f->tick = 10;
    uint32_t start = f->now;
    expect_status(f, "http://h/f", 0, OTA_HTTP_ERR_TIMEOUT_CONNECT);
    uint32_t took = f->now - start;
    assert_true(took >= 2000 && took <= 2020);
    assert_false(f->mock.open);
}

static void test_idle_timeout(void **state)
{
    fixture_t *f = *state;
    /* Headers and part of the body, then silence. */
    mock_add(&f->mock, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" BODY, OTA_NET_WOULD_BLOCK);
    f->tick = 10;
    uint32_t start = f->now;
    expect_status(f, "http://h/f", 0, OTA_HTTP_ERR_TIMEOUT_IDLE);
    uint32_t took = f->now - start;
    assert_true(took >= 1000 && took <= 1030);
    assert_int_equal(f->sink.total, BODY_LEN);

    /* Silence before any byte of the response. */
    mock_init(&f->mock);
    mock_add(&f->mock, "", OTA_NET_WOULD_BLOCK);
    reinit_client(f);
    expect_status(f, "http://h/f", 0, OTA_HTTP_ERR_TIMEOUT_IDLE);
}

static void test_total_timeout(void **state)
{
    fixture_t *f = *state;
    /* A server that trickles: always some progress, never done in time. */
    static char slow[60000];
    snprintf(slow, sizeof slow, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n", 50000);
    size_t n = strlen(slow);
    memset(slow + n, 's', 50000);
    slow[n + 50000] = '\0';
    mock_add(&f->mock, slow, OTA_NET_WOULD_BLOCK);
    f->mock.recv_chunk = 1;
    f->mock.block_between = true;
    f->config.total_timeout_ms = 5000;
    reinit_client(f);
    f->tick = 10;
    uint32_t start = f->now;
    expect_status(f, "http://h/f", 0, OTA_HTTP_ERR_TIMEOUT_TOTAL);
    uint32_t took = f->now - start;
    assert_true(took >= 5000 && took <= 5010);
    assert_true(f->sink.total > 0 && f->sink.total < 50000);
    assert_false(f->mock.open);
}

/* ---- transport errors -------------------------------------------------------------------- */

static void test_transport_errors_are_named(void **state)
{
    fixture_t *f = *state;
    static const struct {
        ota_net_status_t net;
        ota_http_status_t http;
    } map[] = {
        { OTA_NET_ERR_DNS, OTA_HTTP_ERR_DNS },
        { OTA_NET_ERR_REFUSED, OTA_HTTP_ERR_REFUSED },
        { OTA_NET_ERR_TLS, OTA_HTTP_ERR_TLS },
        { OTA_NET_ERR_DOWN, OTA_HTTP_ERR_NETWORK_DOWN },
        { OTA_NET_ERR_IO, OTA_HTTP_ERR_IO },
        { OTA_NET_ERR_RESET, OTA_HTTP_ERR_RESET },
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        mock_init(&f->mock);
        mock_conn_t *c = mock_add(&f->mock, resp_cl, OTA_NET_WOULD_BLOCK);
        c->connect_result = map[i].net;
        c->connect_blocks = 2;
        reinit_client(f);
        expect_status(f, "http://h/f", 0, map[i].http);
    }
    /* A send failing on a fresh connection. */
    mock_init(&f->mock);
    mock_conn_t *c = mock_add(&f->mock, resp_cl, OTA_NET_WOULD_BLOCK);
    c->send_result = OTA_NET_ERR_RESET;
    reinit_client(f);
    expect_status(f, "http://h/f", 0, OTA_HTTP_ERR_RESET);
}

/* ---- keep-alive -------------------------------------------------------------------------- */

static void test_keep_alive_reuse(void **state)
{
    fixture_t *f = *state;
    mock_conn_t *c = mock_add(&f->mock, resp_cl, OTA_NET_WOULD_BLOCK);
    c->responses[1] = resp_chunked;
    mock_add(&f->mock, resp_cl, OTA_NET_WOULD_BLOCK);
    expect_status(f, "http://h/manifest.json", 0, OTA_HTTP_OK);
    assert_false(f->client.response.reused_connection);
    expect_status(f, "http://H:80/image.ota", 0, OTA_HTTP_OK); /* same endpoint, other spelling */
    assert_body(f, BODY);
    assert_true(f->client.response.reused_connection);
    assert_int_equal(f->mock.connects, 1);
    assert_int_equal(f->mock.closes, 0);
    /* Another port is another endpoint. */
    expect_status(f, "http://h:81/image.ota", 0, OTA_HTTP_OK);
    assert_int_equal(f->mock.connects, 2);
    assert_int_equal(f->mock.closes, 1);
    ota_http_close(&f->client);
    assert_int_equal(f->mock.closes, 2);
}

/* Same host and port, other scheme: an https request never rides a kept plain connection. */
static void test_keep_alive_other_scheme(void **state)
{
    fixture_t *f = *state;
    mock_conn_t *c = mock_add(&f->mock, resp_cl, OTA_NET_WOULD_BLOCK);
    c->responses[1] = resp_cl;
    mock_add(&f->mock, resp_chunked, OTA_NET_WOULD_BLOCK);
    expect_status(f, "http://h:8443/a", 0, OTA_HTTP_OK);
    assert_false(f->mock.tls);
    expect_status(f, "https://h:8443/b", 0, OTA_HTTP_OK);
    assert_body(f, BODY);
    assert_false(f->client.response.reused_connection);
    assert_int_equal(f->mock.connects, 2);
    assert_int_equal(f->mock.closes, 1);
    assert_true(f->mock.tls);
}

/* A kept connection is closed as soon as the next request names another host. */
static void test_keep_alive_other_host(void **state)
{
    fixture_t *f = *state;
    mock_conn_t *c = mock_add(&f->mock, resp_cl, OTA_NET_WOULD_BLOCK);
    c->responses[1] = resp_cl;
    mock_add(&f->mock, resp_chunked, OTA_NET_WOULD_BLOCK);
    expect_status(f, "http://h/a", 0, OTA_HTTP_OK);
    assert_int_equal(start_get(f, "http://hh/b", 0), OTA_HTTP_IN_PROGRESS);
    assert_int_equal(f->mock.closes, 1);
    assert_int_equal(finish_get(f), OTA_HTTP_OK);
    assert_body(f, BODY);
    assert_int_equal(f->mock.connects, 2);
    assert_string_equal(f->mock.host, "hh");
    assert_false(f->client.response.reused_connection);
}

static void test_no_reuse_when_not_kept_alive(void **state)
{
    fixture_t *f = *state;
    static const char *responses[] = {
        "HTTP/1.0 200 OK\r\nContent-Length: 36\r\n\r\n" BODY,
        "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 36\r\n\r\n" BODY,
        "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 36\r\n\r\n" BODY,
        resp_until_close,
    };
    for (size_t i = 0; i < 4; i++) {
        mock_init(&f->mock);
        mock_conn_t *c = mock_add(&f->mock, responses[i], OTA_NET_WOULD_BLOCK);
        c->responses[1] = resp_cl;
        mock_add(&f->mock, resp_cl, OTA_NET_WOULD_BLOCK);
        reinit_client(f);
        expect_status(f, "http://h/a", 0, i == 3 ? OTA_HTTP_ERR_TIMEOUT_IDLE : OTA_HTTP_OK);
        if (i == 3) {
            continue; /* body until close on a silent connection: never ends */
        }
        expect_status(f, "http://h/b", 0, OTA_HTTP_OK);
        assert_int_equal(f->mock.connects, 2);
    }
}

/* A stray line break after a complete body (some servers send one) is not an error. */
static void test_trailing_line_break_tolerated(void **state)
{
    fixture_t *f = *state;
    for (size_t chunk = 0; chunk <= 1; chunk++) {
        mock_init(&f->mock);
        f->mock.recv_chunk = chunk;
        mock_conn_t *c = mock_add(&f->mock, "HTTP/1.1 200 OK\r\nContent-Length: 36\r\n\r\n" BODY "\r\n",
                                  OTA_NET_WOULD_BLOCK);
        c->responses[1] = resp_cl;
        mock_add(&f->mock, resp_cl, OTA_NET_WOULD_BLOCK);
        reinit_client(f);
        expect_status(f, "http://h/a", 0, OTA_HTTP_OK);
        assert_body(f, BODY);
        expect_status(f, "http://h/b", 0, OTA_HTTP_OK);
        /* Swallowed with the body (one segment): the connection is clean and kept. Seen
         * afterwards: closed, and the next request connects again. */
        assert_int_equal(f->mock.connects, chunk == 0 ? 1 : 2);
    }
}

static void test_server_closed_idle_connection(void **state)
{
    fixture_t *f = *state;
    /* The server closes the kept connection after the first response (seen by the probe). */
    mock_add(&f->mock, resp_cl, OTA_NET_ERR_CLOSED);
    mock_add(&f->mock, resp_chunked, OTA_NET_WOULD_BLOCK);
    expect_status(f, "http://h/a", 0, OTA_HTTP_OK);
    expect_status(f, "http://h/b", 0, OTA_HTTP_OK);
    assert_body(f, BODY);
    assert_int_equal(f->mock.connects, 2);
    assert_false(f->client.response.reused_connection);

    /* The kept connection looks fine but breaks on the request: one retry, fresh. */
    mock_init(&f->mock);
    mock_conn_t *c = mock_add(&f->mock, resp_cl, OTA_NET_WOULD_BLOCK);
    mock_add(&f->mock, resp_chunked, OTA_NET_WOULD_BLOCK);
    reinit_client(f);
    expect_status(f, "http://h/a", 0, OTA_HTTP_OK);
    c->send_result = OTA_NET_ERR_RESET;
    expect_status(f, "http://h/b", 0, OTA_HTTP_OK);
    assert_body(f, BODY);
    assert_int_equal(f->mock.connects, 2);
}

/* ---- ranges ------------------------------------------------------------------------------ */

static void test_range_206_resumes(void **state)
{
    fixture_t *f = *state;
    mock_add(&f->mock, "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 10-35/36\r\n"
                       "Content-Length: 26\r\n\r\n" "abcdefghijklmnopqrstuvwxyz",
             OTA_NET_WOULD_BLOCK);
    memset(f->sink.data, 0, sizeof f->sink.data);
    expect_status(f, "http://h/img", 10, OTA_HTTP_OK);
    assert_int_equal(mock_sent_count(&f->mock, "\r\nRange: bytes=10-\r\n"), 1);
    const ota_http_response_t *r = ota_http_response(&f->client);
    assert_true(r->resumed);
    assert_int_equal(r->status_code, 206);
    assert_int_equal(r->body_offset, 10);
    assert_int_equal(r->content_length, 26);
    assert_int_equal(r->total_length, 36);
    assert_true(f->sink.response_seen && f->sink.response.resumed);
    assert_int_equal(f->sink.end, 36); /* written at offsets 10..35 */
    assert_memory_equal(f->sink.data + 10, BODY + 10, 26);

    /* Unknown complete length, chunked 206. */
    mock_init(&f->mock);
    mock_add(&f->mock, "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 30-35/*\r\n"
                       "Transfer-Encoding: chunked\r\n\r\n6\r\nuvwxyz\r\n0\r\n\r\n",
             OTA_NET_WOULD_BLOCK);
    reinit_client(f);
    expect_status(f, "http://h/img", 30, OTA_HTTP_OK);
    assert_true(f->client.response.resumed);
    assert_int_equal(f->client.response.total_length, OTA_HTTP_LENGTH_UNKNOWN);
    assert_int_equal(f->sink.end, 36);
}

static void test_range_ignored_200_restarts_from_zero(void **state)
{
    fixture_t *f = *state;
    mock_add(&f->mock, resp_cl, OTA_NET_WOULD_BLOCK);
    expect_status(f, "http://h/img", 10, OTA_HTTP_OK);
    assert_int_equal(mock_sent_count(&f->mock, "Range: bytes=10-"), 1);
    assert_false(f->client.response.resumed);
    assert_int_equal(f->client.response.body_offset, 0);
    assert_false(f->sink.response.resumed);
    assert_body(f, BODY); /* the whole file, from offset 0 */
}

/* The head of the response is there for the caller: ETag and Last-Modified to check that a
 * resumed download continues the same file, the framing the client read. */
static void test_head_values(void **state)
{
    fixture_t *f = *state;
    mock_add(&f->mock,
             "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 100-135/136\r\n"
             "ETag: \"5f1c-88\"\r\nLast-Modified: Tue, 01 Dec 2026 21:00:00 GMT\r\n"
             "Content-Length: 36\r\n\r\n" BODY,
             OTA_NET_WOULD_BLOCK);
    expect_status(f, "http://h/f", 100, OTA_HTTP_OK);
    const ota_http_resp_head_t *h = ota_http_head(&f->client);
    assert_non_null(h);
    assert_int_equal(h->status_code, 206);
    assert_string_equal(ota_http_resp_field(h, OTA_HTTP_FIELD_ETAG, NULL), "\"5f1c-88\"");
    assert_string_equal(ota_http_resp_field(h, OTA_HTTP_FIELD_LAST_MODIFIED, NULL),
                        "Tue, 01 Dec 2026 21:00:00 GMT");
    assert_true(h->range_valid);
    assert_int_equal(h->range_complete, 136);
    assert_true(h->keep_alive);
    assert_null(ota_http_head(NULL));
}

static void test_range_mismatch(void **state)
{
    fixture_t *f = *state;
    static const char *responses[] = {
        "HTTP/1.1 206 Partial\r\nContent-Range: bytes 0-35/36\r\nContent-Length: 36\r\n\r\n" BODY,
        "HTTP/1.1 206 Partial\r\nContent-Range: bytes 10-35/36\r\nContent-Length: 20\r\n\r\n",
        "HTTP/1.1 206 Partial\r\nContent-Range: bytes 10-9/36\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 206 Partial\r\nContent-Range: bytes 10-35/20\r\nContent-Length: 26\r\n\r\n",
        "HTTP/1.1 206 Partial\r\nContent-Range: items 10-35/36\r\nContent-Length: 26\r\n\r\n",
        "HTTP/1.1 206 Partial\r\nContent-Range: bytes 10-35/36x\r\nContent-Length: 26\r\n\r\n",
        "HTTP/1.1 206 Partial\r\nContent-Length: 26\r\n\r\n",
        "HTTP/1.1 206 Partial\r\nContent-Range: bytes 10-99999999999999999999999/36\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof responses / sizeof responses[0]; i++) {
        mock_init(&f->mock);
        mock_add(&f->mock, responses[i], OTA_NET_WOULD_BLOCK);
        reinit_client(f);
        expect_status(f, "http://h/img", 10, OTA_HTTP_ERR_RANGE);
        assert_int_equal(f->sink.calls, 0);
    }
    /* 206 to a request without Range. */
    mock_init(&f->mock);
    mock_add(&f->mock, responses[0], OTA_NET_WOULD_BLOCK);
    reinit_client(f);
    expect_status(f, "http://h/img", 0, OTA_HTTP_ERR_RANGE);
    /* A chunked 206 sending more or less than its Content-Range. */
    mock_init(&f->mock);
    mock_add(&f->mock, "HTTP/1.1 206 Partial\r\nContent-Range: bytes 30-35/36\r\n"
                       "Transfer-Encoding: chunked\r\n\r\n8\r\nuvwxyz!!\r\n0\r\n\r\n",
             OTA_NET_WOULD_BLOCK);
    mock_add(&f->mock, "HTTP/1.1 206 Partial\r\nContent-Range: bytes 30-35/36\r\n"
                       "Transfer-Encoding: chunked\r\n\r\n2\r\nuv\r\n0\r\n\r\n",
             OTA_NET_WOULD_BLOCK);
    reinit_client(f);
    expect_status(f, "http://h/img", 30, OTA_HTTP_ERR_BODY_LONG);
    expect_status(f, "http://h/img", 30, OTA_HTTP_ERR_BODY_SHORT);
}

/* ---- robustness ------------------------------------------------------------------------- */

/* Valid responses with random bytes flipped, cut or repeated, in random segmentations: every
 * run must end (no hang) with a defined status, and ASan/UBSan must stay quiet (no crash). */
static void test_mangled_responses_always_end(void **state)
{
    fixture_t *f = *state;
    static const char *seeds[] = {
        resp_cl, resp_chunked, resp_until_close,
        "HTTP/1.1 302 Found\r\nLocation: ../x\r\nContent-Length: 3\r\n\r\nabc",
        "HTTP/1.1 206 Partial\r\nContent-Range: bytes 5-35/36\r\nContent-Length: 31\r\n\r\n" BODY,
    };
    static const char alphabet[] = "HTP/1.0 2\r\n:;-xX09aFf\x00\xff";
    static char mangled[512];
    uint64_t rng = 42;
    f->config.total_timeout_ms = 20000;
    for (unsigned round = 0; round < 600; round++) {
        const char *seed = seeds[round % (sizeof seeds / sizeof seeds[0])];
        size_t n = strlen(seed);
        memcpy(mangled, seed, n);
        unsigned edits = 1 + (unsigned)(round % 5);
        for (unsigned e = 0; e < edits; e++) {
            rng = rng * 6364136223846793005u + 1442695040888963407u;
            size_t pos = (size_t)(rng >> 33) % n;
            unsigned kind = (unsigned)(rng >> 20) % 3;
            if (kind == 0) {
                mangled[pos] = alphabet[(rng >> 40) % (sizeof alphabet - 1)];
            } else if (kind == 1) {
                n = pos + 1; /* cut */
            } else if (n + 8 < sizeof mangled) {
                memmove(mangled + pos + 8, mangled + pos, n - pos);
                memcpy(mangled + pos, seed, 8); /* repeat */
                n += 8;
            }
        }
        mock_init(&f->mock);
        f->mock.recv_chunk = (size_t)(rng >> 50) % 9;
        f->mock.block_between = (rng >> 13) & 1;
        for (int c = 0; c < 7; c++) {
            mock_conn_t *conn = mock_add(&f->mock, mangled, (rng >> 7) & 1 ? OTA_NET_ERR_CLOSED
                                                                           : OTA_NET_WOULD_BLOCK);
            conn->response_lens[0] = n;
        }
        reinit_client(f);
        f->tick = 50;
        ota_http_status_t st = run_get(f, "http://h/a/b", (rng >> 3) & 1 ? 5 : 0);
        assert_true(st <= OTA_HTTP_OK && st >= OTA_HTTP_ERR_ABORTED);
        assert_string_not_equal(ota_http_status_str(st), "unknown HTTP status");
    }
}

/* ---- API misuse -------------------------------------------------------------------------- */

static void test_api_misuse(void **state)
{
    fixture_t *f = *state;
    ota_http_client_t c;
    ota_http_config_t cfg;
    ota_http_config_default(&cfg);
    assert_int_equal(ota_http_init(&c, &cfg, &f->transport), OTA_HTTP_ERR_ARG); /* no buffer */
    cfg.buf = f->buf;
    cfg.buf_size = OTA_HTTP_BUF_MIN - 1;
    assert_int_equal(ota_http_init(&c, &cfg, &f->transport), OTA_HTTP_ERR_ARG);
    cfg.buf_size = sizeof f->buf;
    cfg.max_header_bytes = sizeof f->buf + 1;
    assert_int_equal(ota_http_init(&c, &cfg, &f->transport), OTA_HTTP_ERR_ARG);
    cfg.max_header_bytes = 0;
    cfg.steps_per_poll = 0;
    assert_int_equal(ota_http_init(&c, &cfg, &f->transport), OTA_HTTP_ERR_ARG);
    cfg.steps_per_poll = 1;
    assert_int_equal(ota_http_init(NULL, &cfg, &f->transport), OTA_HTTP_ERR_ARG);
    assert_int_equal(ota_http_init(&c, &cfg, NULL), OTA_HTTP_ERR_ARG);
    assert_int_equal(ota_http_init(&c, &cfg, &f->transport), OTA_HTTP_OK);
    assert_int_equal(ota_http_poll(&c, 0), OTA_HTTP_ERR_ARG); /* nothing started */
    assert_int_equal(ota_http_poll(NULL, 0), OTA_HTTP_ERR_ARG);
    assert_int_equal(ota_http_get(&c, NULL), OTA_HTTP_ERR_ARG);
    ota_http_request_t req = { .url = NULL };
    assert_int_equal(ota_http_get(&c, &req), OTA_HTTP_ERR_ARG);
    req.url = "ftp://h/x";
    assert_int_equal(ota_http_get(&c, &req), OTA_HTTP_ERR_URL);
    assert_int_equal(c.url_status, OTA_URL_ERR_SCHEME);
    req.url = "http://u:p@h/x";
    assert_int_equal(ota_http_get(&c, &req), OTA_HTTP_ERR_URL);
    assert_int_equal(c.url_status, OTA_URL_ERR_USERINFO);
    assert_null(ota_http_response(NULL));
    ota_http_abort(NULL);
    ota_http_close(NULL);
    assert_string_equal(ota_http_parser_error_str(NULL), "none");
}

static void test_request_too_large(void **state)
{
    fixture_t *f = *state;
    uint8_t small[OTA_HTTP_BUF_MIN];
    f->config.buf = small;
    f->config.buf_size = sizeof small;
    reinit_client(f);
    mock_add(&f->mock, resp_cl, OTA_NET_WOULD_BLOCK);
    char url[OTA_URL_MAX];
    strcpy(url, "http://h/");
    memset(url + 9, 'p', 220);
    url[229] = '\0';
    expect_status(f, url, 0, OTA_HTTP_ERR_REQUEST_TOO_LARGE);
    assert_int_equal(f->mock.connects, 0);
    f->config.buf = f->buf;
    f->config.buf_size = sizeof f->buf;
}

/* The request and, after it, the host for the transport's connect share the I/O buffer:
 * both must fit, to the byte. */
static void test_request_and_host_fit(void **state)
{
    fixture_t *f = *state;
    uint8_t small[OTA_HTTP_BUF_MIN];
    f->config.buf = small;
    f->config.buf_size = sizeof small;
    static const char rest[] = " HTTP/1.1\r\nHost: h\r\nUser-Agent: " OTA_HTTP_USER_AGENT
                               "\r\nAccept: */*\r\nConnection: keep-alive\r\n\r\n";
    size_t fixed = strlen("GET /") + strlen(rest) + strlen("h") + 1u; /* + the path's p's */
    for (size_t extra = 0; extra <= 1; extra++) {
        char url[OTA_URL_MAX];
        size_t ps = sizeof small - fixed + extra;
        strcpy(url, "http://h/");
        memset(url + 9, 'p', ps);
        url[9 + ps] = '\0';
        mock_init(&f->mock);
        mock_add(&f->mock, resp_cl, OTA_NET_WOULD_BLOCK);
        reinit_client(f);
        expect_status(f, url, 0, extra == 0 ? OTA_HTTP_OK : OTA_HTTP_ERR_REQUEST_TOO_LARGE);
        assert_int_equal(f->mock.connects, extra == 0 ? 1 : 0);
        if (extra == 0) {
            assert_string_equal(f->mock.host, "h");
        }
    }
    f->config.buf = f->buf;
    f->config.buf_size = sizeof f->buf;
}

static void test_status_strings(void **state)
{
    (void)state;
    for (int s = 2; s >= -23; s--) {
        const char *str = ota_http_status_str((ota_http_status_t)s);
        assert_string_not_equal(str, "unknown HTTP status");
    }
    assert_string_equal(ota_http_status_str((ota_http_status_t)-100), "unknown HTTP status");
    assert_string_equal(ota_http_status_str(OTA_HTTP_ERR_TIMEOUT_IDLE), "timeout (idle)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_content_length_every_mode, setup, teardown),
        cmocka_unit_test_setup_teardown(test_chunked_every_mode, setup, teardown),
        cmocka_unit_test_setup_teardown(test_body_until_close_every_mode, setup, teardown),
        cmocka_unit_test_setup_teardown(test_request_format, setup, teardown),
        cmocka_unit_test_setup_teardown(test_request_host_forms, setup, teardown),
        cmocka_unit_test_setup_teardown(test_interim_response_skipped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_bodies, setup, teardown),
        cmocka_unit_test_setup_teardown(test_status_404_and_500, setup, teardown),
        cmocka_unit_test_setup_teardown(test_short_body, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_body, setup, teardown),
        cmocka_unit_test_setup_teardown(test_closed_before_headers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reset_mid_body, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed_responses, setup, teardown),
        cmocka_unit_test_setup_teardown(test_headers_over_the_buffer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_callbacks_can_abort, setup, teardown),
        cmocka_unit_test_setup_teardown(test_abort_mid_transfer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_redirect_relative_on_same_connection, setup, teardown),
        cmocka_unit_test_setup_teardown(test_redirect_absolute_to_other_host, setup, teardown),
        cmocka_unit_test_setup_teardown(test_redirect_with_large_body_closes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_redirect_loop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_redirect_without_or_with_bad_location, setup, teardown),
        cmocka_unit_test_setup_teardown(test_require_tls, setup, teardown),
        cmocka_unit_test_setup_teardown(test_connect_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_idle_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_total_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transport_errors_are_named, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keep_alive_reuse, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keep_alive_other_scheme, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keep_alive_other_host, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_reuse_when_not_kept_alive, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trailing_line_break_tolerated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_server_closed_idle_connection, setup, teardown),
        cmocka_unit_test_setup_teardown(test_range_206_resumes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_range_ignored_200_restarts_from_zero, setup, teardown),
        cmocka_unit_test_setup_teardown(test_range_mismatch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mangled_responses_always_end, setup, teardown),
        cmocka_unit_test_setup_teardown(test_api_misuse, setup, teardown),
        cmocka_unit_test_setup_teardown(test_request_too_large, setup, teardown),
        cmocka_unit_test_setup_teardown(test_request_and_host_fit, setup, teardown),
        cmocka_unit_test(test_status_strings),
        cmocka_unit_test_setup_teardown(test_head_values, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
