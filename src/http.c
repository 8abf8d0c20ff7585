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
 * http-parser, whose callbacks deliver the body; the only header values kept are Location and
 * Content-Range.
 */
#include "otaflow/http.h"

#include <limits.h>
#include <string.h>

/* ---- small helpers -------------------------------------------------------------------- */

static uint32_t elapsed(uint32_t now, uint32_t since)
{
    return now - since; /* wrap-safe for intervals below 2^32 ms */
}

static char lower(char ch)
{
    return (ch >= 'A' && ch <= 'Z') ? (char)(ch - 'A' + 'a') : ch;
}

static bool host_equals(const char *a, const char *b, size_t b_len)
{
    for (size_t i = 0; i < b_len; i++) {
        if (a[i] == '\0' || lower(a[i]) != lower(b[i])) {
            return false;
        }
    }
    return a[b_len] == '\0';
}

static ota_http_status_t from_net(ota_net_status_t st)
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

typedef struct writer {
    uint8_t *p;
    size_t size;
    size_t len;
    bool overflow;
} writer_t;

static void emit(writer_t *w, const char *s, size_t n)
{
    if (w->overflow || n > w->size - w->len) {
        w->overflow = true;
        return;
    }
    memcpy(w->p + w->len, s, n);
    w->len += n;
}

static void emit_str(writer_t *w, const char *s)
{
    emit(w, s, strlen(s));
}

static void emit_u64(writer_t *w, uint64_t v)
{
    char digits[20];
    size_t n = 0;
    do {
        digits[sizeof digits - 1u - n] = (char)('0' + (v % 10u));
        v /= 10u;
        n++;
    } while (v != 0);
    emit(w, digits + sizeof digits - n, n);
}

/* Write the GET for url u into the I/O buffer. */
static bool build_request(ota_http_client_t *c, const ota_url_t *u)
{
    writer_t w = { c->config.buf, c->config.buf_size, 0, false };
    emit_str(&w, "GET ");
    emit(&w, u->path, u->path_len);
    emit(&w, u->query, u->query_len);
    emit_str(&w, " HTTP/1.1\r\nHost: ");
    if (u->host_is_ipv6) {
        emit_str(&w, "[");
    }
    emit(&w, u->host, u->host_len);
    if (u->host_is_ipv6) {
        emit_str(&w, "]");
    }
    if (u->port != ota_url_default_port(u->tls)) {
        emit_str(&w, ":");
        emit_u64(&w, u->port);
    }
    emit_str(&w, "\r\nUser-Agent: " OTA_HTTP_USER_AGENT "\r\nAccept: */*\r\n");
    if (c->request.range_from > 0) {
        emit_str(&w, "Range: bytes=");
        emit_u64(&w, c->request.range_from);
        emit_str(&w, "-\r\n");
    }
    emit_str(&w, "Connection: keep-alive\r\n\r\n");
    c->req_len = w.len;
    return !w.overflow;
}

/* ---- response parsing (http-parser callbacks) ------------------------------------------ */

enum header_id { HDR_OTHER = 0, HDR_LOCATION = 1, HDR_CONTENT_RANGE = 2 };

#define NAME_OVERFLOW 0xFFu
#define CONTENT_RANGE_BAD 0xFFu

static ota_http_client_t *client_of(http_parser *p)
{
    return (ota_http_client_t *)p->data;
}

static void reset_header_capture(ota_http_client_t *c)
{
    c->in_value = true; /* the next field callback starts a new header */
    c->header_id = HDR_OTHER;
    c->name_len = 0;
    c->location_len = 0;
    c->location[0] = '\0';
    c->content_range_len = 0;
    c->content_range[0] = '\0';
}

static int on_message_begin(http_parser *p)
{
    ota_http_client_t *c = client_of(p);
    if (c->message_done) {
        /* A second response on the same bytes: the server sent more than it announced. */
        c->cb_error = OTA_HTTP_ERR_BODY_LONG;
        return -1;
    }
    return 0;
}

static int on_header_field(http_parser *p, const char *at, size_t len)
{
    ota_http_client_t *c = client_of(p);
    if (c->in_value) {
        c->in_value = false;
        c->name_len = 0;
    }
    for (size_t i = 0; i < len && c->name_len != NAME_OVERFLOW; i++) {
        if (c->name_len == sizeof c->name) {
            c->name_len = NAME_OVERFLOW; /* longer than any header we keep */
        } else {
            c->name[c->name_len++] = lower(at[i]);
        }
    }
    return 0;
}

static bool name_is(const ota_http_client_t *c, const char *lit)
{
    size_t n = strlen(lit);
    return c->name_len == n && memcmp(c->name, lit, n) == 0;
}

static void append_location(ota_http_client_t *c, const char *at, size_t len)
{
    if (c->location_len == SIZE_MAX) {
        return;
    }
    if (len >= sizeof c->location - c->location_len) {
        c->location_len = SIZE_MAX; /* too long: reported as a bad Location */
        return;
    }
    memcpy(c->location + c->location_len, at, len);
    c->location_len += len;
    c->location[c->location_len] = '\0';
}

static void append_content_range(ota_http_client_t *c, const char *at, size_t len)
{
    if (c->content_range_len == CONTENT_RANGE_BAD) {
        return;
    }
    if (len >= sizeof c->content_range - c->content_range_len) {
        c->content_range_len = CONTENT_RANGE_BAD;
        return;
    }
    memcpy(c->content_range + c->content_range_len, at, len);
    c->content_range_len = (uint8_t)(c->content_range_len + len);
    c->content_range[c->content_range_len] = '\0';
}

static int on_header_value(http_parser *p, const char *at, size_t len)
{
    ota_http_client_t *c = client_of(p);
    if (!c->in_value) {
        c->in_value = true;
        c->header_id = HDR_OTHER;
        if (name_is(c, "location")) {
            /* A second Location makes the redirect ambiguous: refuse it as unusable. */
            c->location_len = c->location_len == 0 ? 0 : SIZE_MAX;
            c->header_id = HDR_LOCATION;
        } else if (name_is(c, "content-range")) {
            c->content_range_len = c->content_range_len == 0 ? 0 : CONTENT_RANGE_BAD;
            c->header_id = HDR_CONTENT_RANGE;
        }
    }
    if (c->header_id == HDR_LOCATION) {
        append_location(c, at, len);
    } else if (c->header_id == HDR_CONTENT_RANGE) {
        append_content_range(c, at, len);
    }
    return 0;
}

static void trim_location(ota_http_client_t *c)
{
    if (c->location_len == SIZE_MAX) {
        return;
    }
    while (c->location_len > 0 && (c->location[c->location_len - 1] == ' ' ||
                                    c->location[c->location_len - 1] == '\t')) {
        c->location[--c->location_len] = '\0';
    }
}

/* Decimal number at *s (advanced past it); false if none or above UINT64_MAX / 10. */
static bool parse_u64(const char **s, uint64_t *out)
{
    const char *p = *s;
    uint64_t v = 0;
    if (*p < '0' || *p > '9') {
        return false;
    }
    while (*p >= '0' && *p <= '9') {
        if (v > (UINT64_MAX - 9u) / 10u) {
            return false;
        }
        v = v * 10u + (uint64_t)(*p - '0');
        p++;
    }
    *s = p;
    *out = v;
    return true;
}

/* Check "bytes first-last/complete" (complete may be '*') against the request. */
static bool accept_content_range(ota_http_client_t *c)
{
    ota_http_response_t *r = &c->response;
    if (c->content_range_len == CONTENT_RANGE_BAD || c->content_range_len < 6u) {
        return false;
    }
    const char *s = c->content_range;
    static const char unit[] = "bytes ";
    for (size_t i = 0; i < sizeof unit - 1u; i++) {
        if (lower(s[i]) != unit[i]) {
            return false;
        }
    }
    s += sizeof unit - 1u;
    uint64_t first;
    uint64_t last;
    uint64_t complete = OTA_HTTP_LENGTH_UNKNOWN;
    if (!parse_u64(&s, &first) || *s++ != '-' || !parse_u64(&s, &last) || *s++ != '/') {
        return false;
    }
    if (*s == '*') {
        s++;
    } else if (!parse_u64(&s, &complete) || complete <= last) {
        return false;
    }
    while (*s == ' ' || *s == '\t') {
        s++;
    }
    if (*s != '\0' || first != c->request.range_from || last < first) {
        return false;
    }
    uint64_t span = last - first + 1u;
    if (r->content_length != OTA_HTTP_LENGTH_UNKNOWN && r->content_length != span) {
        return false;
    }
    r->content_length = span;
    r->total_length = complete;
    r->body_offset = first;
    r->resumed = true;
    return true;
}

static bool is_redirect(unsigned status)
{
    return status == 301u || status == 302u || status == 303u || status == 307u ||
           status == 308u;
}

/* HTTP/1.1 with a length-delimited body and no "Connection: close". */
static bool connection_reusable(const http_parser *p)
{
    return p->http_major == 1 && p->http_minor >= 1 && http_should_keep_alive(p) != 0;
}

static int fail_in_callback(ota_http_client_t *c, ota_http_status_t st)
{
    c->cb_error = st;
    return -1;
}

/* Decide what the response is, now that its headers are known. Return values follow
 * http-parser: 0 = parse the body, 1 = no body, other = stop (reason in cb_error or flags). */
static int on_headers_complete(http_parser *p)
{
    ota_http_client_t *c = client_of(p);
    ota_http_response_t *r = &c->response;
    unsigned status = p->status_code;
    c->headers_done = true;
    r->status_code = (uint16_t)status;
    if (p->http_major != 1u) {
        /* http-parser takes any digits ("HTTP/9.9"): only HTTP/1.x speaks the framing we read. */
        return fail_in_callback(c, OTA_HTTP_ERR_MALFORMED);
    }
    if (status / 100u == 1u) {
        if (status == 101u) {
            return fail_in_callback(c, OTA_HTTP_ERR_MALFORMED); /* no upgrades on a GET */
        }
        c->interim = true;
        return 1;
    }
    r->chunked = (p->flags & F_CHUNKED) != 0;
    r->content_length = (r->chunked || p->content_length == ULLONG_MAX)
                            ? OTA_HTTP_LENGTH_UNKNOWN
                            : (uint64_t)p->content_length;
    trim_location(c);

    if (is_redirect(status)) {
        if (c->location_len == 0) {
            return fail_in_callback(c, OTA_HTTP_ERR_REDIRECT_NO_LOCATION);
        }
        if (r->redirects >= c->config.max_redirects) {
            return fail_in_callback(c, OTA_HTTP_ERR_TOO_MANY_REDIRECTS);
        }
        c->redirecting = true;
        bool small = r->chunked || r->content_length <= OTA_HTTP_DRAIN_MAX;
        if (!connection_reusable(p) || !small) {
            /* Not worth reading: close and go to the next hop. */
            c->drain_abandoned = true;
            return -1;
        }
        return 0;
    }
    if (status / 100u != 2u) {
        return fail_in_callback(c, OTA_HTTP_ERR_STATUS);
    }
    if (status == 206u) {
        if (c->request.range_from == 0 || !accept_content_range(c)) {
            return fail_in_callback(c, OTA_HTTP_ERR_RANGE);
        }
    } else {
        r->resumed = false;
        r->body_offset = 0;
        r->total_length = r->content_length;
    }
    if (c->request.on_response != NULL && c->request.on_response(c->request.user, r) != 0) {
        return fail_in_callback(c, OTA_HTTP_ERR_ABORTED);
    }
    return 0;
}

static int on_body(http_parser *p, const char *at, size_t len)
{
    ota_http_client_t *c = client_of(p);
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
        return fail_in_callback(c, OTA_HTTP_ERR_BODY_LONG);
    }
    uint64_t offset = r->body_offset + r->received;
    r->received += len;
    if (c->request.on_body != NULL &&
        c->request.on_body(c->request.user, offset, (const uint8_t *)at, len) != 0) {
        return fail_in_callback(c, OTA_HTTP_ERR_ABORTED);
    }
    return 0;
}

static int on_message_complete(http_parser *p)
{
    ota_http_client_t *c = client_of(p);
    ota_http_response_t *r = &c->response;
    if (c->interim) {
        /* 1xx: the real response follows on the same connection. */
        c->interim = false;
        c->headers_done = false;
        c->header_bytes = 0;
        reset_header_capture(c);
        return 0;
    }
    c->message_done = true;
    if (!c->redirecting && r->content_length != OTA_HTTP_LENGTH_UNKNOWN &&
        r->received < r->content_length) {
        return fail_in_callback(c, OTA_HTTP_ERR_BODY_SHORT); /* chunked 206 cut short */
    }
    return 0;
}

static const http_parser_settings parser_settings = {
    .on_message_begin = on_message_begin,
    .on_header_field = on_header_field,
    .on_header_value = on_header_value,
    .on_headers_complete = on_headers_complete,
    .on_body = on_body,
    .on_message_complete = on_message_complete,
};

/* What a stopped parser means. */
static ota_http_status_t parser_outcome(ota_http_client_t *c)
{
    enum http_errno err = HTTP_PARSER_ERRNO(&c->parser);
    if (err == HPE_OK || c->drain_abandoned) {
        return OTA_HTTP_OK;
    }
    if (c->cb_error != OTA_HTTP_OK) {
        return c->cb_error;
    }
    if (c->message_done) {
        return OTA_HTTP_ERR_BODY_LONG; /* whatever follows a complete response is excess */
    }
    switch (err) {
    case HPE_INVALID_EOF_STATE:
        return c->headers_done ? OTA_HTTP_ERR_BODY_SHORT : OTA_HTTP_ERR_CLOSED;
    case HPE_HEADER_OVERFLOW: return OTA_HTTP_ERR_HEADERS_TOO_LARGE;
    default: break;
    }
    c->parser_error = (uint8_t)err;
    return OTA_HTTP_ERR_MALFORMED;
}

/* Feed received bytes to the parser. While the headers are incomplete, at most the bytes that
 * still fit the header limit are fed, so the limit is exact whatever the segmentation. */
static ota_http_status_t feed(ota_http_client_t *c, const uint8_t *data, size_t len)
{
    size_t limit = c->config.max_header_bytes;
    size_t off = 0;
    c->parser.data = c;
    while (off < len && !c->drain_abandoned) {
        size_t n = len - off;
        bool in_headers = !c->headers_done;
        if (in_headers) {
            size_t room = limit > c->header_bytes ? limit - c->header_bytes : 0;
            if (room == 0) {
                return OTA_HTTP_ERR_HEADERS_TOO_LARGE;
            }
            if (n > room) {
                n = room;
            }
        }
        size_t used = http_parser_execute(&c->parser, &parser_settings,
                                          (const char *)data + off, n);
        ota_http_status_t st = parser_outcome(c);
        if (st != OTA_HTTP_OK) {
            return st;
        }
        if (in_headers && !c->headers_done) {
            c->header_bytes += used;
        }
        off += used;
        if (used < n && !c->drain_abandoned) {
            c->parser_error = (uint8_t)HPE_UNKNOWN;
            return OTA_HTTP_ERR_MALFORMED; /* the parser stopped without saying why */
        }
    }
    return OTA_HTTP_OK;
}

/* The peer closed the stream: a body delimited by the close ends here. */
static ota_http_status_t feed_eof(ota_http_client_t *c)
{
    if (!c->headers_done) {
        return OTA_HTTP_ERR_CLOSED;
    }
    c->parser.data = c;
    (void)http_parser_execute(&c->parser, &parser_settings, NULL, 0);
    ota_http_status_t st = parser_outcome(c);
    if (st == OTA_HTTP_OK && !c->message_done) {
        st = OTA_HTTP_ERR_BODY_SHORT;
    }
    return st;
}

/* ---- connection and state machine ------------------------------------------------------ */

static void close_connection(ota_http_client_t *c)
{
    if (c->conn_open) {
        c->transport.ops->close(c->transport.ctx);
    }
    c->conn_open = false;
    c->conn_reusable = false;
    c->conn_reused = false;
}

static ota_http_status_t finish(ota_http_client_t *c, ota_http_status_t st)
{
    if (st != OTA_HTTP_OK) {
        close_connection(c);
    }
    c->result = st;
    c->state = OTA_HTTP_STATE_DONE;
    return st;
}

static void begin_response(ota_http_client_t *c)
{
    ota_http_response_t *r = &c->response;
    http_parser_init(&c->parser, HTTP_RESPONSE);
    c->parser.data = c;
    c->header_bytes = 0;
    c->headers_done = false;
    c->message_done = false;
    c->interim = false;
    c->redirecting = false;
    c->drain_abandoned = false;
    c->cb_error = OTA_HTTP_OK;
    c->drained = 0;
    reset_header_capture(c);
    r->status_code = 0;
    r->resumed = false;
    r->chunked = false;
    r->reused_connection = c->conn_reused;
    r->body_offset = 0;
    r->content_length = OTA_HTTP_LENGTH_UNKNOWN;
    r->total_length = OTA_HTTP_LENGTH_UNKNOWN;
    r->received = 0;
}

static void connect_fresh(ota_http_client_t *c, uint32_t now)
{
    close_connection(c);
    c->conn_open = true;
    c->req_sent = 0;
    c->hop_bytes = 0;
    c->t_phase = now;
    c->state = OTA_HTTP_STATE_CONNECT;
}

/* A kept-alive connection may have been closed by the server while idle; that shows only when
 * we use it. GET is idempotent, so one retry on a fresh connection is safe. */
static bool retry_on_fresh(ota_http_client_t *c, uint32_t now)
{
    if (!c->conn_reused || c->hop_bytes != 0) {
        return false;
    }
    connect_fresh(c, now);
    return true;
}

static ota_http_status_t idle_check(ota_http_client_t *c, uint32_t now)
{
    uint32_t limit = c->config.idle_timeout_ms;
    if (limit != 0 && elapsed(now, c->t_progress) >= limit) {
        return finish(c, OTA_HTTP_ERR_TIMEOUT_IDLE);
    }
    return OTA_HTTP_WOULD_BLOCK;
}

static ota_http_status_t step_hop(ota_http_client_t *c, uint32_t now)
{
    ota_url_t u;
    ota_url_status_t ust = ota_url_parse(c->url, &u);
    if (ust != OTA_URL_OK) {
        c->url_status = ust;
        return finish(c, OTA_HTTP_ERR_URL);
    }
    if (u.host_len > OTA_URL_HOST_MAX) {
        c->url_status = OTA_URL_ERR_HOST;
        return finish(c, OTA_HTTP_ERR_URL);
    }
    if (c->config.require_tls && !u.tls) {
        return finish(c, OTA_HTTP_ERR_INSECURE); /* a redirect from https down to http */
    }
    if (!build_request(c, &u)) {
        return finish(c, OTA_HTTP_ERR_REQUEST_TOO_LARGE);
    }
    bool same_endpoint = c->conn_open && c->conn_reusable && c->conn_tls == u.tls &&
                         c->conn_port == u.port && host_equals(c->conn_host, u.host, u.host_len);
    if (same_endpoint) {
        c->conn_reusable = false; /* until this response proves it again */
        c->conn_reused = true;
        c->req_sent = 0;
        c->hop_bytes = 0;
        c->state = OTA_HTTP_STATE_PROBE;
        return OTA_HTTP_IN_PROGRESS;
    }
    connect_fresh(c, now);
    memcpy(c->conn_host, u.host, u.host_len);
    c->conn_host[u.host_len] = '\0';
    c->conn_port = u.port;
    c->conn_tls = u.tls;
    return OTA_HTTP_IN_PROGRESS;
}

static ota_http_status_t step_probe(ota_http_client_t *c, uint32_t now)
{
    uint8_t stray;
    size_t n = 0;
    ota_net_status_t st = c->transport.ops->recv(c->transport.ctx, &stray, 1, &n);
    if (st == OTA_NET_WOULD_BLOCK) {
        c->t_progress = now;
        c->state = OTA_HTTP_STATE_SEND;
    } else {
        /* Closed, reset, or bytes nobody asked for: start over on a new connection. */
        connect_fresh(c, now);
    }
    return OTA_HTTP_IN_PROGRESS;
}

static ota_http_status_t step_connect(ota_http_client_t *c, uint32_t now)
{
    ota_net_status_t st =
        c->transport.ops->connect(c->transport.ctx, c->conn_host, c->conn_port, c->conn_tls);
    if (st == OTA_NET_OK) {
        c->t_progress = now;
        c->state = OTA_HTTP_STATE_SEND;
        return OTA_HTTP_IN_PROGRESS;
    }
    if (st == OTA_NET_WOULD_BLOCK) {
        uint32_t limit = c->config.connect_timeout_ms;
        if (limit != 0 && elapsed(now, c->t_phase) >= limit) {
            return finish(c, OTA_HTTP_ERR_TIMEOUT_CONNECT);
        }
        return OTA_HTTP_WOULD_BLOCK;
    }
    ota_http_status_t err = from_net(st);
    return finish(c, err == OTA_HTTP_ERR_CLOSED ? OTA_HTTP_ERR_RESET : err);
}

static ota_http_status_t step_send(ota_http_client_t *c, uint32_t now)
{
    size_t n = 0;
    ota_net_status_t st = c->transport.ops->send(c->transport.ctx, c->config.buf + c->req_sent,
                                                 c->req_len - c->req_sent, &n);
    if (st == OTA_NET_OK && n > 0) {
        c->req_sent += n <= c->req_len - c->req_sent ? n : c->req_len - c->req_sent;
        c->t_progress = now;
        if (c->req_sent == c->req_len) {
            begin_response(c);
            c->state = OTA_HTTP_STATE_RECV;
        }
        return OTA_HTTP_IN_PROGRESS;
    }
    if (st == OTA_NET_OK || st == OTA_NET_WOULD_BLOCK) {
        return idle_check(c, now);
    }
    if ((st == OTA_NET_ERR_RESET || st == OTA_NET_ERR_CLOSED) && retry_on_fresh(c, now)) {
        return OTA_HTTP_IN_PROGRESS;
    }
    ota_http_status_t err = from_net(st);
    return finish(c, err == OTA_HTTP_ERR_CLOSED ? OTA_HTTP_ERR_RESET : err);
}

static ota_http_status_t follow_redirect(ota_http_client_t *c)
{
    /* The I/O buffer is free between hops: resolve into it, then make it the current URL. */
    char *target = (char *)c->config.buf;
    size_t size = c->config.buf_size < OTA_URL_MAX ? c->config.buf_size : OTA_URL_MAX;
    ota_url_status_t ust = c->location_len == SIZE_MAX
                               ? OTA_URL_ERR_TOO_LONG
                               : ota_url_resolve(c->url, c->location, target, size);
    if (ust != OTA_URL_OK) {
        c->url_status = ust;
        return finish(c, OTA_HTTP_ERR_REDIRECT_BAD_LOCATION);
    }
    memcpy(c->url, target, strlen(target) + 1u);
    c->response.redirects++;
    c->state = OTA_HTTP_STATE_HOP;
    return OTA_HTTP_IN_PROGRESS;
}

/* After the parser has consumed a segment: next hop, end check, or keep receiving. */
static ota_http_status_t after_feed(ota_http_client_t *c)
{
    if (c->drain_abandoned) {
        close_connection(c);
        return follow_redirect(c);
    }
    if (!c->message_done) {
        return OTA_HTTP_IN_PROGRESS;
    }
    if (c->redirecting) {
        c->conn_reusable = c->conn_open && connection_reusable(&c->parser);
        if (!c->conn_reusable) {
            close_connection(c);
        }
        return follow_redirect(c);
    }
    if (!c->conn_open) {
        return finish(c, OTA_HTTP_OK);
    }
    c->state = OTA_HTTP_STATE_CHECK_END;
    return OTA_HTTP_IN_PROGRESS;
}

static ota_http_status_t step_recv(ota_http_client_t *c, uint32_t now)
{
    size_t n = 0;
    ota_net_status_t st =
        c->transport.ops->recv(c->transport.ctx, c->config.buf, c->config.buf_size, &n);
    if (st == OTA_NET_OK && n > 0) {
        n = n <= c->config.buf_size ? n : c->config.buf_size;
        c->t_progress = now;
        c->hop_bytes += n;
        ota_http_status_t fst = feed(c, c->config.buf, n);
        return fst != OTA_HTTP_OK ? finish(c, fst) : after_feed(c);
    }
    if (st == OTA_NET_OK || st == OTA_NET_WOULD_BLOCK) {
        return idle_check(c, now);
    }
    if ((st == OTA_NET_ERR_CLOSED || st == OTA_NET_ERR_RESET) && retry_on_fresh(c, now)) {
        return OTA_HTTP_IN_PROGRESS;
    }
    if (st == OTA_NET_ERR_CLOSED) {
        close_connection(c);
        ota_http_status_t fst = feed_eof(c);
        return fst != OTA_HTTP_OK ? finish(c, fst) : after_feed(c);
    }
    return finish(c, from_net(st));
}

/* The body is complete. Anything already waiting behind it is a body longer than announced;
 * a quiet connection can be kept for the next request. */
static ota_http_status_t step_check_end(ota_http_client_t *c, uint32_t now)
{
    size_t n = 0;
    ota_net_status_t st =
        c->transport.ops->recv(c->transport.ctx, c->config.buf, c->config.buf_size, &n);
    if (st == OTA_NET_WOULD_BLOCK || (st == OTA_NET_OK && n == 0)) {
        c->conn_reusable = connection_reusable(&c->parser);
        if (!c->conn_reusable) {
            close_connection(c);
        }
        return finish(c, OTA_HTTP_OK);
    }
    if (st == OTA_NET_OK) {
        c->t_progress = now;
        ota_http_status_t fst = feed(c, c->config.buf, n <= c->config.buf_size ? n : 0);
        if (fst != OTA_HTTP_OK) {
            return finish(c, fst);
        }
        /* Only line breaks (which http-parser skips): harmless for this response, but the
         * connection is not clean enough to keep. */
        close_connection(c);
        return finish(c, OTA_HTTP_OK);
    }
    /* Closed or reset after a complete response: the transfer itself succeeded. */
    close_connection(c);
    return finish(c, OTA_HTTP_OK);
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

ota_http_status_t ota_http_get(ota_http_client_t *client, const ota_http_request_t *request)
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
    memcpy(client->url, request->url, strlen(request->url) + 1u); /* < OTA_URL_MAX: parsed */
    client->request = *request;
    memset(&client->response, 0, sizeof client->response);
    client->response.content_length = OTA_HTTP_LENGTH_UNKNOWN;
    client->response.total_length = OTA_HTTP_LENGTH_UNKNOWN;
    client->parser_error = 0;
    client->clock_started = false;
    client->result = OTA_HTTP_IN_PROGRESS;
    client->state = OTA_HTTP_STATE_HOP;
    return OTA_HTTP_IN_PROGRESS;
}

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
    if (total != 0 && elapsed(now_ms, client->t_request) >= total) {
        return finish(client, OTA_HTTP_ERR_TIMEOUT_TOTAL);
    }
    for (unsigned step = 0; step < client->config.steps_per_poll; step++) {
        ota_http_status_t st;
        switch (client->state) {
        case OTA_HTTP_STATE_HOP: st = step_hop(client, now_ms); break;
        case OTA_HTTP_STATE_PROBE: st = step_probe(client, now_ms); break;
        case OTA_HTTP_STATE_CONNECT: st = step_connect(client, now_ms); break;
        case OTA_HTTP_STATE_SEND: st = step_send(client, now_ms); break;
        case OTA_HTTP_STATE_RECV: st = step_recv(client, now_ms); break;
        case OTA_HTTP_STATE_CHECK_END: st = step_check_end(client, now_ms); break;
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
    close_connection(client);
    if (client->state != OTA_HTTP_STATE_IDLE && client->state != OTA_HTTP_STATE_DONE) {
        client->result = OTA_HTTP_ERR_ABORTED;
        client->state = OTA_HTTP_STATE_DONE;
    }
}

void ota_http_close(ota_http_client_t *client)
{
    if (client != NULL &&
        (client->state == OTA_HTTP_STATE_IDLE || client->state == OTA_HTTP_STATE_DONE)) {
        close_connection(client);
    }
}

const char *ota_http_status_str(ota_http_status_t status)
{
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

const char *ota_http_parser_error_str(const ota_http_client_t *client)
{
    if (client == NULL) {
        return "none";
    }
    return http_errno_name((enum http_errno)client->parser_error);
}
