/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target 2: HTTP response handling (issue 7). The input is what the server sends,
 * delivered through the real client (src/http.c) by a transport whose recv hands out the
 * bytes in chunk sizes taken from the input. Redirects and keep-alive work as with a real
 * server: every connection (first, after a redirect, reused) reads on in the same stream.
 *
 * Input: flags byte, then the chunk sizes, then the stream.
 *   flags bits 0-1  range_from of the request: 0, 1, 100, 4096 (Range answers)
 *   flags bit  2    every other transport call says WOULD_BLOCK
 *   flags bits 3-4  end of the stream: 0/1 closed, 2 reset, 3 silence (timeouts run)
 *   flags bits 5-7  k: number of chunk-size bytes that follow (each recv gives at most
 *                   size + 1 bytes, cycling through them; k = 0: as much as asked)
 * After the first request ends, a second GET runs on the same client (connection reuse).
 *
 * Oracles beyond "no crash, no UB": the client ends every request in bounded polls (no hang);
 * body pieces are non-empty, contiguous, start where on_response said, and never more than
 * the stream holds; a 206 accepted is one whose offset is the requested range_from; a success
 * delivered exactly the announced Content-Length.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "otaflow/http.h"

#define POLL_MS 10u
#define TOTAL_TIMEOUT_MS 30000u
/* Every request ends by the total timeout at the latest: more polls than that is a hang. */
#define MAX_POLLS (TOTAL_TIMEOUT_MS / POLL_MS + 100u)

typedef struct fuzz_net {
    const uint8_t *stream;
    size_t len, pos;
    const uint8_t *chunks;
    size_t n_chunks, next_chunk;
    bool block_between, toggle;
    ota_net_status_t end;
    bool open;
} fuzz_net_t;

static bool net_up(void *ctx)
{
    (void)ctx;
    return true;
}

static bool block_now(fuzz_net_t *n)
{
    if (!n->block_between) {
        return false;
    }
    n->toggle = !n->toggle;
    return n->toggle;
}

static ota_net_status_t net_connect(void *ctx, const char *host, uint16_t port, bool tls)
{
    fuzz_net_t *n = ctx;
    if (host == NULL || host[0] == '\0') {
        abort(); /* the client must not connect to an empty host */
    }
    (void)port;
    if (tls) {
        return OTA_NET_ERR_TLS; /* this transport has no TLS, like a port built without it */
    }
    if (block_now(n)) {
        return OTA_NET_WOULD_BLOCK;
    }
    n->open = true;
    return OTA_NET_OK;
}

static ota_net_status_t net_send(void *ctx, const void *buf, size_t len, size_t *sent)
{
    fuzz_net_t *n = ctx;
    if (!n->open || buf == NULL || len == 0) {
        abort(); /* sending without a connection, or nothing */
    }
    if (block_now(n)) {
        *sent = 0;
        return OTA_NET_WOULD_BLOCK;
    }
    *sent = len;
    return OTA_NET_OK;
}

static ota_net_status_t net_recv(void *ctx, void *buf, size_t len, size_t *received)
{
    fuzz_net_t *n = ctx;
    *received = 0;
    if (!n->open || len == 0) {
        abort();
    }
    if (block_now(n)) {
        return OTA_NET_WOULD_BLOCK;
    }
    if (n->pos == n->len) {
        return n->end;
    }
    size_t take = n->len - n->pos;
    if (n->n_chunks > 0) {
        size_t limit = (size_t)n->chunks[n->next_chunk] + 1u;
        n->next_chunk = (n->next_chunk + 1u) % n->n_chunks;
        take = take < limit ? take : limit;
    }
    take = take < len ? take : len;
    memcpy(buf, n->stream + n->pos, take);
    n->pos += take;
    *received = take;
    return OTA_NET_OK;
}

static void net_close(void *ctx)
{
    fuzz_net_t *n = ctx;
    n->open = false;
}

static const ota_transport_ops_t g_ops = {
    .network_up = net_up,
    .connect = net_connect,
    .send = net_send,
    .recv = net_recv,
    .close = net_close,
};

typedef struct fuzz_sink {
    const fuzz_net_t *net;
    uint64_t range_from;
    bool responded;
    uint64_t start;    /* body_offset told by on_response */
    uint64_t next;     /* offset the next body piece must have */
    uint64_t total;    /* body bytes received for the final response */
} fuzz_sink_t;

static int on_response(void *user, const ota_http_response_t *resp)
{
    fuzz_sink_t *s = user;
    if (s->responded || resp->status_code < 200 || resp->status_code > 299) {
        abort(); /* once, and only for the final 2xx */
    }
    if (resp->resumed ? resp->body_offset != s->range_from || s->range_from == 0
                      : resp->body_offset != 0) {
        abort(); /* a resumed body starts where we asked, any other at 0 */
    }
    s->responded = true;
    s->start = s->next = resp->body_offset;
    return 0;
}

static int on_body(void *user, uint64_t offset, const uint8_t *data, size_t len)
{
    fuzz_sink_t *s = user;
    if (!s->responded || len == 0 || data == NULL || offset != s->next) {
        abort(); /* body only after on_response, in non-empty contiguous pieces */
    }
    s->next += len;
    s->total += len;
    if (s->total > s->net->len) {
        abort(); /* more body than the server sent */
    }
    return 0;
}

static ota_http_status_t run_request(ota_http_client_t *c, fuzz_sink_t *sink, uint64_t range_from,
                                     uint32_t *now)
{
    memset(sink, 0, sizeof *sink);
    sink->range_from = range_from;
    ota_http_request_t req = {
        .url = "http://fuzz.test/app.ota",
        .range_from = range_from,
        .on_body = on_body,
        .on_response = on_response,
        .user = sink,
    };
    sink->net = c->transport.ctx;
    ota_http_status_t st = ota_http_get(c, &req);
    if (st != OTA_HTTP_IN_PROGRESS) {
        abort();
    }
    for (uint32_t polls = 0; st == OTA_HTTP_IN_PROGRESS || st == OTA_HTTP_WOULD_BLOCK; polls++) {
        if (polls > MAX_POLLS) {
            abort(); /* the client hangs */
        }
        st = ota_http_poll(c, *now);
        *now += POLL_MS;
    }
    if (ota_http_status_str(st) == NULL || ota_http_parser_error_str(c) == NULL) {
        abort();
    }
    const ota_http_response_t *r = ota_http_response(c);
    if (st == OTA_HTTP_OK) {
        if (!sink->responded || r->received != sink->total ||
            (r->content_length != OTA_HTTP_LENGTH_UNKNOWN && r->content_length != sink->total)) {
            abort(); /* success means the announced body, all of it */
        }
    }
    return st;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint64_t ranges[4] = {0u, 1u, 100u, 4096u};
    static const ota_net_status_t ends[4] = {OTA_NET_ERR_CLOSED, OTA_NET_ERR_CLOSED,
                                             OTA_NET_ERR_RESET, OTA_NET_WOULD_BLOCK};
    if (size < 1) {
        return 0;
    }
    uint8_t flags = data[0];
    size_t k = flags >> 5;
    if (size < 1 + k) {
        return 0;
    }
    fuzz_net_t net = {
        .stream = data + 1 + k,
        .len = size - 1 - k,
        .chunks = data + 1,
        .n_chunks = k,
        .block_between = (flags & 0x04u) != 0,
        .end = ends[(flags >> 3) & 3u],
    };

    static uint8_t buf[1024];
    static ota_http_client_t client;
    ota_http_config_t cfg;
    ota_http_config_default(&cfg);
    cfg.buf = buf;
    cfg.buf_size = sizeof buf;
    cfg.idle_timeout_ms = 2000u;
    cfg.connect_timeout_ms = 2000u;
    cfg.total_timeout_ms = TOTAL_TIMEOUT_MS;
    ota_transport_t tr = {.ops = &g_ops, .ctx = &net};
    if (ota_http_init(&client, &cfg, &tr) != OTA_HTTP_OK) {
        abort();
    }
    uint32_t now = 1000u;
    fuzz_sink_t sink;
    run_request(&client, &sink, ranges[flags & 3u], &now);
    /* The same client again: a kept connection is probed and reused, or a new one opened. */
    run_request(&client, &sink, 0u, &now);
    ota_http_close(&client);
    return 0;
}
