/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Non-blocking HTTP/1.1 GET client (see include/otaflow/http.h).
 *
 * State machine, one hop per request or redirect:
 *
 *   HOP ──(kept connection to the same endpoint)──► PROBE ──(still clean)──► SEND
 *    │                                                 └──(closed / stray bytes)──► CONNECT
 *    └──(otherwise)──────────────────────────────────────────────────────────────► CONNECT
 *   CONNECT ──► SEND ──► RECV ──(redirect complete)──► HOP
 *                         └──(final 2xx complete)──► CHECK_END ──► DONE
 *   any error ──► DONE (connection closed)
 *
 * Every state does at most one transport call per step; a poll runs at most steps_per_poll
 * steps. Response bytes go straight from the transport into the caller's buffer and through
 * the response parser (src/http_response.c), whose callbacks decide what the response means
 * (http_on_head: redirect, error, range) and deliver the body with its file offset
 * (http_on_body).
 */
#include "otaflow/http.h"

#include "num_text.h"
#include "ota_noinline.h"
#include "status_text.h"

#include <string.h>

/* ---- small helpers -------------------------------------------------------------------- */

static uint32_t http_elapsed(uint32_t now, uint32_t since)
{
    return now - since; /* wrap-safe for intervals below 2^32 ms */
}

static char http_lower(char ch)
{
    return (ch >= 'A' && ch <= 'Z') ? (char)(ch - 'A' + 'a') : ch;
}

/* Whether two URLs name the same connection: scheme, host (in any case) and port. */
static bool http_same_endpoint(const char *url_a, const char *url_b)
{
    ota_url_t a;
    ota_url_t b;
    if (ota_url_parse(url_a, &a) != OTA_URL_OK || ota_url_parse(url_b, &b) != OTA_URL_OK ||
        a.tls != b.tls || a.port != b.port || a.host_len != b.host_len) {
        return false;
    }
    for (size_t i = 0; i < a.host_len; i++) {
        if (http_lower(a.host[i]) != http_lower(b.host[i])) {
            return false;
        }
    }
    return true;
}

static ota_http_status_t http_from_net(ota_net_status_t st)
{
    switch (st) {
    case OTA_NET_OK: return OTA_HTTP_OK;
    case OTA_NET_WOULD_BLOCK: return OTA_HTTP_WOULD_BLOCK;
    case OTA_NET_ERR_DNS: return OTA_HTTP_ERR_DNS;
    case OTA_NET_ERR_REFUSED: return OTA_HTTP_ERR_REFUSED;
    case OTA_NET_ERR_CLOSED: return OTA_HTTP_ERR_CLOSED;
    case OTA_NET_ERR_RESET: return OTA_HTTP_ERR_RESET;
    case OTA_NET_ERR_TLS: return OTA_HTTP_ERR_TLS;
    case OTA_NET_ERR_DOWN: return OTA_HTTP_ERR_NETWORK_DOWN;
    case OTA_NET_ERR_IO: return OTA_HTTP_ERR_IO;
    }
    return OTA_HTTP_ERR_IO;
}

/* ---- request building ------------------------------------------------------------------ */

typedef struct http_writer {
    uint8_t *p;
    size_t size;
    size_t len;
    bool overflow;
} http_writer_t;

static void http_emit(http_writer_t *w, const char *s, size_t n)
{
    if (w->overflow || n > w->size - w->len) {
        w->overflow = true;
        return;
    }
    memcpy(w->p + w->len, s, n);
    w->len += n;
}

static void http_emit_str(http_writer_t *w, const char *s)
{
    http_emit(w, s, strlen(s));
}

static void http_emit_u64(http_writer_t *w, uint64_t v)
{
    char digits[OTA_DEC_U64_SIZE];
    http_emit(w, digits, ota_u64_to_dec(v, digits, sizeof digits));
}

/* The request's validator, NULL when it has none; always NULL in a core built without
 * OTA_CONDITIONAL_GET, so that its header and its 304 are compiled out. */
static const char *http_validator(const ota_http_client_t *c)
{
    const char *v = c->request.validator;
    return OTA_CONDITIONAL_GET && v != NULL && v[0] != '\0' ? v : NULL;
}

/* The request is a POST (never in a core built without OTA_HTTP_POST: its part of the request
 * is compiled out). */
static bool http_posting(const ota_http_client_t *c)
{
    return OTA_HTTP_POST && c->request.body != NULL;
}

/* Write the GET for url u into the I/O buffer, and after it the host, NUL-terminated, for the
 * transport's connect (the buffer is not needed for anything else until the request is sent). */
static bool http_build_request(ota_http_client_t *c, const ota_url_t *u)
{
    http_writer_t w = { c->config.buf, c->config.buf_size, 0, false };
    const ota_http_request_t *r = &c->request;
    http_emit_str(&w, http_posting(c) ? "POST " : "GET ");
    http_emit(&w, u->path, u->path_len);
    http_emit(&w, u->query, u->query_len);
    http_emit_str(&w, " HTTP/1.1\r\nHost: ");
    if (u->host_is_ipv6) {
        http_emit_str(&w, "[");
    }
    http_emit(&w, u->host, u->host_len);
    if (u->host_is_ipv6) {
        http_emit_str(&w, "]");
    }
    if (u->port != ota_url_default_port(u->tls)) {
        http_emit_str(&w, ":");
        http_emit_u64(&w, u->port);
    }
    http_emit_str(&w, "\r\nUser-Agent: " OTA_HTTP_USER_AGENT "\r\nAccept: */*\r\n");
    if (c->request.range_from > 0) {
        http_emit_str(&w, "Range: bytes=");
        http_emit_u64(&w, c->request.range_from);
        http_emit_str(&w, "-\r\n");
    }
    const char *v = http_validator(c);
    if (v != NULL) {
        http_emit_str(&w, ota_http_is_entity_tag(v) ? "If-None-Match: " : "If-Modified-Since: ");
        http_emit_str(&w, v);
        http_emit_str(&w, "\r\n");
    }
    if (http_posting(c)) {
        http_emit_str(&w, "Content-Type: ");
        http_emit_str(&w, r->content_type != NULL ? r->content_type : "application/octet-stream");
        http_emit_str(&w, "\r\nContent-Length: ");
        http_emit_u64(&w, r->body_len);
        http_emit_str(&w, "\r\n");
    }
    http_emit_str(&w, "Connection: keep-alive\r\n\r\n");
    if (http_posting(c)) {
        http_emit(&w, (const char *)r->body, r->body_len);
    }
    c->req_len = w.len;
    http_emit(&w, u->host, u->host_len);
    http_emit(&w, "", 1);
    return !w.overflow;
}

/* ---- the response (parsed by src/http_response.c) -------------------------------------- */

/* Check a 206's Content-Range against the request and its Content-Length. */
static bool http_accept_content_range(ota_http_client_t *c, const ota_http_resp_head_t *h)
{
    ota_http_response_t *r = &c->response;
    if (!h->range_valid || h->range_first != c->request.range_from) {
        return false;
    }
    uint64_t span = h->range_last - h->range_first + 1u;
    if (r->content_length != OTA_HTTP_LENGTH_UNKNOWN && r->content_length != span) {
        return false;
    }
    r->content_length = span;
    r->total_length = h->range_complete;
    r->body_offset = h->range_first;
    r->resumed = true;
    return true;
}

static bool http_is_redirect(unsigned status)
{
    return status == 301u || status == 302u || status == 303u || status == 307u ||
           status == 308u;
}

static int http_fail_in_callback(ota_http_client_t *c, ota_http_status_t st)
{
    c->cb_error = st;
    return -1;
}

/* Decide what the final response is, now that its headers are known: 0 = read its body,
 * non-zero = stop (reason in cb_error, or drain_abandoned for a redirect not worth reading). */
static int http_on_head(void *user, const ota_http_resp_head_t *h)
{
    ota_http_client_t *c = user;
    ota_http_response_t *r = &c->response;
    unsigned status = h->status_code;
    r->status_code = h->status_code;
    r->chunked = h->chunked;
    r->content_length = h->content_length;

    if (http_is_redirect(status)) {
        if (h->field_state[OTA_HTTP_FIELD_LOCATION] == OTA_HTTP_FIELD_ABSENT ||
            (h->field_state[OTA_HTTP_FIELD_LOCATION] == OTA_HTTP_FIELD_PRESENT &&
             h->field_len[OTA_HTTP_FIELD_LOCATION] == 0)) {
            return http_fail_in_callback(c, OTA_HTTP_ERR_REDIRECT_NO_LOCATION);
        }
        if (r->redirects >= c->config.max_redirects) {
            return http_fail_in_callback(c, OTA_HTTP_ERR_TOO_MANY_REDIRECTS);
        }
        c->redirecting = true;
        bool small = r->chunked || r->content_length <= OTA_HTTP_DRAIN_MAX;
        if (!h->keep_alive || !small) {
            /* Not worth reading: close and go to the next hop. */
            c->drain_abandoned = true;
            return -1;
        }
        return 0;
    }
    if (status == 304u && http_validator(c) != NULL) {
        r->not_modified = true; /* no body (the parser reads none after a 304) */
        return 0;
    }
    if (status / 100u != 2u) {
        return http_fail_in_callback(c, OTA_HTTP_ERR_STATUS);
    }
    if (status == 206u) {
        if (c->request.range_from == 0 || !http_accept_content_range(c, h)) {
            return http_fail_in_callback(c, OTA_HTTP_ERR_RANGE);
        }
    } else {
        r->resumed = false;
        r->body_offset = 0;
        r->total_length = r->content_length;
    }
    if (c->request.on_response != NULL && c->request.on_response(c->request.user, r) != 0) {
        return http_fail_in_callback(c, OTA_HTTP_ERR_ABORTED);
    }
    return 0;
}

static int http_on_body(void *user, const uint8_t *data, size_t len)
{
    ota_http_client_t *c = user;
    ota_http_response_t *r = &c->response;
    if (c->redirecting) {
        c->drained += (uint32_t)len;
        if (c->drained > OTA_HTTP_DRAIN_MAX) {
            c->drain_abandoned = true;
            return -1;
        }
        return 0;
    }
    if (r->content_length != OTA_HTTP_LENGTH_UNKNOWN && len > r->content_length - r->received) {
        /* Only reachable with a chunked 206: more than its Content-Range announced. */
        return http_fail_in_callback(c, OTA_HTTP_ERR_BODY_LONG);
    }
    uint64_t offset = r->body_offset + r->received;
    r->received += len;
    if (c->request.on_body != NULL && c->request.on_body(c->request.user, offset, data, len) != 0) {
        return http_fail_in_callback(c, OTA_HTTP_ERR_ABORTED);
    }
    return 0;
}

/* The client's error for what the parser said about the bytes so far. */
static ota_http_status_t http_parse_outcome(ota_http_client_t *c, ota_http_resp_status_t st)
{
    ota_http_response_t *r = &c->response;
    if (c->rx.head.status_code != 0) {
        r->status_code = c->rx.head.status_code; /* also of a response refused at its head */
    }
    if (ota_http_resp_done(&c->rx) && !c->redirecting &&
        r->content_length != OTA_HTTP_LENGTH_UNKNOWN && r->received < r->content_length) {
        return OTA_HTTP_ERR_BODY_SHORT; /* chunked 206 ended before its Content-Range's end */
    }
    switch (st) {
    case OTA_HTTP_RESP_OK: return OTA_HTTP_OK;
    case OTA_HTTP_RESP_ERR_STOPPED: return c->drain_abandoned ? OTA_HTTP_OK : c->cb_error;
    case OTA_HTTP_RESP_ERR_HEADERS_TOO_LARGE: return OTA_HTTP_ERR_HEADERS_TOO_LARGE;
    case OTA_HTTP_RESP_ERR_AFTER_END: return OTA_HTTP_ERR_BODY_LONG;
    case OTA_HTTP_RESP_ERR_EOF_HEADERS: return OTA_HTTP_ERR_CLOSED;
    case OTA_HTTP_RESP_ERR_EOF_BODY: return OTA_HTTP_ERR_BODY_SHORT;
    default: return OTA_HTTP_ERR_MALFORMED;
    }
}

static ota_http_status_t http_feed(ota_http_client_t *c, const uint8_t *data, size_t len)
{
    return http_parse_outcome(c, ota_http_resp_feed(&c->rx, data, len));
}

/* The peer closed the stream: a body delimited by the close ends here. */
static ota_http_status_t http_feed_eof(ota_http_client_t *c)
{
    return http_parse_outcome(c, ota_http_resp_finish(&c->rx));
}

/* ---- connection and state machine ------------------------------------------------------ */

static void http_close_connection(ota_http_client_t *c)
{
    if (c->conn_open) {
        c->transport.ops->close(c->transport.ctx);
    }
    c->conn_open = false;
    c->conn_reusable = false;
    c->conn_reused = false;
}

/* Out of line: LTO inlined it (the connection's close with it) at each of its twenty calls,
 * 180 B more in the agent part (docs/footprint-agent.md). */
static OTA_NOINLINE ota_http_status_t http_finish(ota_http_client_t *c, ota_http_status_t st)
{
    if (st != OTA_HTTP_OK) {
        http_close_connection(c);
    }
    c->result = st;
    c->state = OTA_HTTP_STATE_DONE;
    return st;
}

/* The request ends on the transport's error st; closed_is_reset: a close before the response
 * could be read is a reset. One call site for the three states that can fail so. */
static OTA_NOINLINE ota_http_status_t http_fail_net(ota_http_client_t *c, ota_net_status_t st,
                                                    bool closed_is_reset)
{
    ota_http_status_t err = http_from_net(st);
    return http_finish(c, closed_is_reset && err == OTA_HTTP_ERR_CLOSED ? OTA_HTTP_ERR_RESET
                                                                         : err);
}

static void http_begin_response(ota_http_client_t *c)
{
    ota_http_response_t *r = &c->response;
    const ota_http_resp_config_t rx_config = {
        .max_header_bytes = c->config.max_header_bytes,
        .on_head = http_on_head,
        .on_body = http_on_body,
        .user = c,
    };
    ota_http_resp_init(&c->rx, &rx_config);
    c->redirecting = false;
    c->drain_abandoned = false;
    c->cb_error = OTA_HTTP_OK;
    c->drained = 0;
    r->status_code = 0;
    r->resumed = false;
    r->chunked = false;
    r->not_modified = false;
    r->reused_connection = c->conn_reused;
    r->body_offset = 0;
    r->content_length = OTA_HTTP_LENGTH_UNKNOWN;
    r->total_length = OTA_HTTP_LENGTH_UNKNOWN;
    r->received = 0;
}

static void http_connect_fresh(ota_http_client_t *c, uint32_t now)
{
    http_close_connection(c);
    c->conn_open = true;
    c->req_sent = 0;
    c->hop_bytes = 0;
    c->t_phase = now;
    c->state = OTA_HTTP_STATE_CONNECT;
}

/* A kept-alive connection may have been closed by the server while idle; that shows only when
 * we use it. GET is idempotent, so one retry on a fresh connection is safe. */
static bool http_retry_on_fresh(ota_http_client_t *c, uint32_t now)
{
    if (!c->conn_reused || c->hop_bytes != 0) {
        return false;
    }
    http_connect_fresh(c, now);
    return true;
}

static ota_http_status_t http_idle_check(ota_http_client_t *c, uint32_t now)
{
    uint32_t limit = c->config.idle_timeout_ms;
    if (limit != 0 && http_elapsed(now, c->t_progress) >= limit) {
        return http_finish(c, OTA_HTTP_ERR_TIMEOUT_IDLE);
    }
    return OTA_HTTP_WOULD_BLOCK;
}

static ota_http_status_t http_step_hop(ota_http_client_t *c, uint32_t now)
{
    ota_url_t u;
    ota_url_status_t ust = ota_url_parse(c->url, &u);
    if (ust != OTA_URL_OK) {
        c->url_status = ust;
        return http_finish(c, OTA_HTTP_ERR_URL);
    }
    if (u.host_len > OTA_URL_HOST_MAX) {
        c->url_status = OTA_URL_ERR_HOST;
        return http_finish(c, OTA_HTTP_ERR_URL);
    }
    if (c->config.require_tls && !u.tls) {
        return http_finish(c, OTA_HTTP_ERR_INSECURE); /* a redirect from https down to http */
    }
    if (!http_build_request(c, &u)) {
        return http_finish(c, OTA_HTTP_ERR_REQUEST_TOO_LARGE);
    }
    if (c->conn_open && c->conn_reusable) { /* same endpoint: see http_set_url */
        c->conn_reusable = false; /* until this response proves it again */
        c->conn_reused = true;
        c->req_sent = 0;
        c->hop_bytes = 0;
        c->state = OTA_HTTP_STATE_PROBE;
        return OTA_HTTP_IN_PROGRESS;
    }
    http_connect_fresh(c, now);
    c->conn_port = u.port;
    c->conn_tls = u.tls;
    return OTA_HTTP_IN_PROGRESS;
}

static ota_http_status_t http_step_probe(ota_http_client_t *c, uint32_t now)
{
    uint8_t stray;
    size_t n = 0;
    ota_net_status_t st = c->transport.ops->recv(c->transport.ctx, &stray, 1, &n);
    if (st == OTA_NET_WOULD_BLOCK) {
        c->t_progress = now;
        c->state = OTA_HTTP_STATE_SEND;
    } else {
        /* Closed, reset, or bytes nobody asked for: start over on a new connection. */
        http_connect_fresh(c, now);
    }
    return OTA_HTTP_IN_PROGRESS;
}

static ota_http_status_t http_step_connect(ota_http_client_t *c, uint32_t now)
{
    ota_net_status_t st =
        c->transport.ops->connect(c->transport.ctx, (const char *)c->config.buf + c->req_len,
                                 c->conn_port, c->conn_tls);
    if (st == OTA_NET_OK) {
        c->t_progress = now;
        c->state = OTA_HTTP_STATE_SEND;
        return OTA_HTTP_IN_PROGRESS;
    }
    if (st == OTA_NET_WOULD_BLOCK) {
        uint32_t limit = c->config.connect_timeout_ms;
        if (limit != 0 && http_elapsed(now, c->t_phase) >= limit) {
            return http_finish(c, OTA_HTTP_ERR_TIMEOUT_CONNECT);
        }
        return OTA_HTTP_WOULD_BLOCK;
    }
    return http_fail_net(c, st, true);
}

static ota_http_status_t http_step_send(ota_http_client_t *c, uint32_t now)
{
    size_t n = 0;
    ota_net_status_t st = c->transport.ops->send(c->transport.ctx, c->config.buf + c->req_sent,
                                                 c->req_len - c->req_sent, &n);
    if (st == OTA_NET_OK && n > 0) {
        c->req_sent += n <= c->req_len - c->req_sent ? n : c->req_len - c->req_sent;
        c->t_progress = now;
        if (c->req_sent == c->req_len) {
            http_begin_response(c);
            c->state = OTA_HTTP_STATE_RECV;
        }
        return OTA_HTTP_IN_PROGRESS;
    }
    if (st == OTA_NET_OK || st == OTA_NET_WOULD_BLOCK) {
        return http_idle_check(c, now);
    }
    if ((st == OTA_NET_ERR_RESET || st == OTA_NET_ERR_CLOSED) && http_retry_on_fresh(c, now)) {
        return OTA_HTTP_IN_PROGRESS;
    }
    return http_fail_net(c, st, true);
}

/* The next hop's URL. An open connection is the current URL's: it is kept for the next hop
 * only when that goes to the same endpoint. */
static void http_set_url(ota_http_client_t *c, const char *url)
{
    if (c->conn_open && !http_same_endpoint(c->url, url)) {
        http_close_connection(c);
    }
    memcpy(c->url, url, strlen(url) + 1u); /* < OTA_URL_MAX: parsed */
}

static ota_http_status_t http_follow_redirect(ota_http_client_t *c)
{
    /* The I/O buffer is free between hops: resolve into it, then make it the current URL. */
    char *target = (char *)c->config.buf;
    size_t size = c->config.buf_size < OTA_URL_MAX ? c->config.buf_size : OTA_URL_MAX;
    const char *location = ota_http_resp_field(&c->rx.head, OTA_HTTP_FIELD_LOCATION, NULL);
    ota_url_status_t ust = location == NULL ? OTA_URL_ERR_TOO_LONG /* too long, or two */
                                            : ota_url_resolve(c->url, location, target, size);
    if (ust != OTA_URL_OK) {
        c->url_status = ust;
        return http_finish(c, OTA_HTTP_ERR_REDIRECT_BAD_LOCATION);
    }
    http_set_url(c, target);
    c->response.redirects++;
    c->state = OTA_HTTP_STATE_HOP;
    return OTA_HTTP_IN_PROGRESS;
}

/* After the parser has consumed a segment: next hop, end check, or keep receiving. */
static ota_http_status_t http_after_feed(ota_http_client_t *c)
{
    if (c->drain_abandoned) {
        http_close_connection(c);
        return http_follow_redirect(c);
    }
    if (!ota_http_resp_done(&c->rx)) {
        return OTA_HTTP_IN_PROGRESS;
    }
    if (c->redirecting) {
        c->conn_reusable = c->conn_open && c->rx.head.keep_alive;
        if (!c->conn_reusable) {
            http_close_connection(c);
        }
        return http_follow_redirect(c);
    }
    if (!c->conn_open) {
        return http_finish(c, OTA_HTTP_OK);
    }
    c->state = OTA_HTTP_STATE_CHECK_END;
    return OTA_HTTP_IN_PROGRESS;
}

static ota_http_status_t http_step_recv(ota_http_client_t *c, uint32_t now)
{
    size_t n = 0;
    ota_net_status_t st =
        c->transport.ops->recv(c->transport.ctx, c->config.buf, c->config.buf_size, &n);
    if (st == OTA_NET_OK && n > 0) {
        n = n <= c->config.buf_size ? n : c->config.buf_size;
        c->t_progress = now;
        c->hop_bytes += n;
        ota_http_status_t fst = http_feed(c, c->config.buf, n);
        return fst != OTA_HTTP_OK ? http_finish(c, fst) : http_after_feed(c);
    }
    if (st == OTA_NET_OK || st == OTA_NET_WOULD_BLOCK) {
        return http_idle_check(c, now);
    }
    if ((st == OTA_NET_ERR_CLOSED || st == OTA_NET_ERR_RESET) && http_retry_on_fresh(c, now)) {
        return OTA_HTTP_IN_PROGRESS;
    }
    if (st == OTA_NET_ERR_CLOSED) {
        http_close_connection(c);
        ota_http_status_t fst = http_feed_eof(c);
        return fst != OTA_HTTP_OK ? http_finish(c, fst) : http_after_feed(c);
    }
    return http_fail_net(c, st, false);
}

/* The body is complete. Anything already waiting behind it is a body longer than announced;
 * a quiet connection can be kept for the next request. */
static ota_http_status_t http_step_check_end(ota_http_client_t *c, uint32_t now)
{
    size_t n = 0;
    ota_net_status_t st =
        c->transport.ops->recv(c->transport.ctx, c->config.buf, c->config.buf_size, &n);
    if (st == OTA_NET_WOULD_BLOCK || (st == OTA_NET_OK && n == 0)) {
        c->conn_reusable = c->rx.head.keep_alive;
        if (!c->conn_reusable) {
            http_close_connection(c);
        }
        return http_finish(c, OTA_HTTP_OK);
    }
    if (st == OTA_NET_OK) {
        c->t_progress = now;
        ota_http_status_t fst = http_feed(c, c->config.buf, n <= c->config.buf_size ? n : 0);
        if (fst != OTA_HTTP_OK) {
            return http_finish(c, fst);
        }
        /* Only line breaks (which the parser skips): harmless for this response, but the
         * connection is not clean enough to keep. */
        http_close_connection(c);
        return http_finish(c, OTA_HTTP_OK);
    }
    /* Closed or reset after a complete response: the transfer itself succeeded. */
    http_close_connection(c);
    return http_finish(c, OTA_HTTP_OK);
}

/* ---- public API ------------------------------------------------------------------------ */

void ota_http_config_default(ota_http_config_t *config)
{
    if (config == NULL) {
        return;
    }
    memset(config, 0, sizeof *config);
    config->connect_timeout_ms = 10000u;
    config->idle_timeout_ms = 15000u;
    config->total_timeout_ms = 600000u;
    config->max_redirects = 5u;
    config->steps_per_poll = 4u;
}

/* Name in parentheses: the header's macro of that name adds the link-time layout check. */
ota_http_status_t (ota_http_init)(ota_http_client_t *client, const ota_http_config_t *config,
                                const ota_transport_t *transport)
{
    if (client == NULL || config == NULL || transport == NULL || transport->ops == NULL ||
        config->buf == NULL || config->buf_size < OTA_HTTP_BUF_MIN ||
        config->max_header_bytes > config->buf_size || config->steps_per_poll == 0) {
        return OTA_HTTP_ERR_ARG;
    }
    memset(client, 0, sizeof *client);
    client->transport = *transport;
    client->config = *config;
    if (client->config.max_header_bytes == 0) {
        client->config.max_header_bytes = config->buf_size;
    }
    client->state = OTA_HTTP_STATE_IDLE;
    client->result = OTA_HTTP_ERR_ARG;
    return OTA_HTTP_OK;
}

/* Start a request: GET, or POST when request->body is set (ota_http_post). */
static ota_http_status_t http_start(ota_http_client_t *client, const ota_http_request_t *request)
{
    if (client == NULL || request == NULL || request->url == NULL ||
        (client->state != OTA_HTTP_STATE_IDLE && client->state != OTA_HTTP_STATE_DONE)) {
        return OTA_HTTP_ERR_ARG;
    }
    ota_url_t u;
    ota_url_status_t ust = ota_url_parse(request->url, &u);
    client->url_status = ust;
    if (ust != OTA_URL_OK) {
        return OTA_HTTP_ERR_URL;
    }
    if (client->config.require_tls && !u.tls) {
        return OTA_HTTP_ERR_INSECURE;
    }
    http_set_url(client, request->url);
    client->request = *request;
    memset(&client->response, 0, sizeof client->response);
    client->response.content_length = OTA_HTTP_LENGTH_UNKNOWN;
    client->response.total_length = OTA_HTTP_LENGTH_UNKNOWN;
    client->clock_started = false;
    client->result = OTA_HTTP_IN_PROGRESS;
    client->state = OTA_HTTP_STATE_HOP;
    return OTA_HTTP_IN_PROGRESS;
}

ota_http_status_t ota_http_get(ota_http_client_t *client, const ota_http_request_t *request)
{
    if (request == NULL || request->body != NULL) {
        return OTA_HTTP_ERR_ARG;
    }
    return http_start(client, request);
}

#if OTA_HTTP_POST
ota_http_status_t ota_http_post(ota_http_client_t *client, const ota_http_request_t *request)
{
    if (request == NULL || request->body == NULL || request->range_from != 0u ||
        request->validator != NULL) {
        return OTA_HTTP_ERR_ARG;
    }
    return http_start(client, request);
}
#endif

ota_http_status_t ota_http_poll(ota_http_client_t *client, uint32_t now_ms)
{
    if (client == NULL || client->state == OTA_HTTP_STATE_IDLE) {
        return OTA_HTTP_ERR_ARG;
    }
    if (client->state == OTA_HTTP_STATE_DONE) {
        return client->result;
    }
    if (!client->clock_started) {
        client->clock_started = true;
        client->t_request = now_ms;
        client->t_phase = now_ms;
        client->t_progress = now_ms;
    }
    uint32_t total = client->config.total_timeout_ms;
    if (total != 0 && http_elapsed(now_ms, client->t_request) >= total) {
        return http_finish(client, OTA_HTTP_ERR_TIMEOUT_TOTAL);
    }
    /* A response completed in this poll ends in it: the end check is one more call. */
    for (unsigned step = 0;
         step < client->config.steps_per_poll || client->state == OTA_HTTP_STATE_CHECK_END;
         step++) {
        ota_http_status_t st;
        switch (client->state) {
        case OTA_HTTP_STATE_HOP: st = http_step_hop(client, now_ms); break;
        case OTA_HTTP_STATE_PROBE: st = http_step_probe(client, now_ms); break;
        case OTA_HTTP_STATE_CONNECT: st = http_step_connect(client, now_ms); break;
        case OTA_HTTP_STATE_SEND: st = http_step_send(client, now_ms); break;
        case OTA_HTTP_STATE_RECV: st = http_step_recv(client, now_ms); break;
        case OTA_HTTP_STATE_CHECK_END: st = http_step_check_end(client, now_ms); break;
        case OTA_HTTP_STATE_IDLE:
        case OTA_HTTP_STATE_DONE:
        default: st = client->result; break;
        }
        if (st != OTA_HTTP_IN_PROGRESS) {
            return st;
        }
    }
    return OTA_HTTP_IN_PROGRESS;
}

const ota_http_response_t *ota_http_response(const ota_http_client_t *client)
{
    return client != NULL ? &client->response : NULL;
}

void ota_http_abort(ota_http_client_t *client)
{
    if (client == NULL) {
        return;
    }
    http_close_connection(client);
    if (client->state != OTA_HTTP_STATE_IDLE && client->state != OTA_HTTP_STATE_DONE) {
        client->result = OTA_HTTP_ERR_ABORTED;
        client->state = OTA_HTTP_STATE_DONE;
    }
}

void ota_http_close(ota_http_client_t *client)
{
    if (client != NULL &&
        (client->state == OTA_HTTP_STATE_IDLE || client->state == OTA_HTTP_STATE_DONE)) {
        http_close_connection(client);
    }
}

const char *ota_http_status_str(ota_http_status_t status)
{
    OTA_STATUS_TEXT_OFF(status);
    switch (status) {
    case OTA_HTTP_OK: return "ok";
    case OTA_HTTP_IN_PROGRESS: return "in progress";
    case OTA_HTTP_WOULD_BLOCK: return "waiting for the network";
    case OTA_HTTP_ERR_ARG: return "bad argument";
    case OTA_HTTP_ERR_URL: return "bad URL";
    case OTA_HTTP_ERR_REQUEST_TOO_LARGE: return "request too large for the buffer";
    case OTA_HTTP_ERR_DNS: return "DNS failure";
    case OTA_HTTP_ERR_REFUSED: return "connection refused";
    case OTA_HTTP_ERR_TLS: return "TLS failure";
    case OTA_HTTP_ERR_NETWORK_DOWN: return "network down";
    case OTA_HTTP_ERR_IO: return "transport I/O error";
    case OTA_HTTP_ERR_RESET: return "connection reset";
    case OTA_HTTP_ERR_CLOSED: return "closed before the response";
    case OTA_HTTP_ERR_TIMEOUT_CONNECT: return "timeout (connect)";
    case OTA_HTTP_ERR_TIMEOUT_IDLE: return "timeout (idle)";
    case OTA_HTTP_ERR_TIMEOUT_TOTAL: return "timeout (total)";
    case OTA_HTTP_ERR_STATUS: return "HTTP status not 2xx";
    case OTA_HTTP_ERR_BODY_SHORT: return "body shorter than announced";
    case OTA_HTTP_ERR_BODY_LONG: return "body longer than announced";
    case OTA_HTTP_ERR_HEADERS_TOO_LARGE: return "response headers too large";
    case OTA_HTTP_ERR_TOO_MANY_REDIRECTS: return "too many redirects";
    case OTA_HTTP_ERR_INSECURE: return "plain http refused (TLS required)";
    case OTA_HTTP_ERR_REDIRECT_NO_LOCATION: return "redirect without Location";
    case OTA_HTTP_ERR_REDIRECT_BAD_LOCATION: return "redirect to an unusable Location";
    case OTA_HTTP_ERR_MALFORMED: return "malformed response";
    case OTA_HTTP_ERR_RANGE: return "range response does not match";
    case OTA_HTTP_ERR_ABORTED: return "aborted";
    }
    return "unknown HTTP status";
}

const ota_http_resp_head_t *ota_http_head(const ota_http_client_t *client)
{
    return client != NULL ? ota_http_resp_head(&client->rx) : NULL;
}

const char *ota_http_parser_error_str(const ota_http_client_t *client)
{
    OTA_STATUS_TEXT_OFF(client);
    if (client == NULL) {
        return "none";
    }
    /* The parser keeps its error until the next response of a later request starts. */
    return client->result == OTA_HTTP_ERR_MALFORMED ? ota_http_resp_parser_error_str(&client->rx)
                                                   : "HPE_OK";
}

bool ota_http_is_entity_tag(const char *validator)
{
    return validator != NULL &&
           (validator[0] == '"' || (validator[0] == 'W' && validator[1] == '/'));
}
