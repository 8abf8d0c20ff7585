/* SPDX-License-Identifier: Apache-2.0 */
/*
 * HTTP/1.x response parser (see include/otaflow/http_response.h).
 *
 * http-parser tokenises; the callbacks below keep the few header values a downloader needs,
 * skip 1xx interim responses and apply the rules http-parser does not (only HTTP/1.x, no 101,
 * a Transfer-Encoding must end in chunked). The header limit is enforced here, not by
 * http-parser's 80 KiB one: while the headers are incomplete, only the bytes that still fit the
 * limit are fed, so the limit is exact whatever the segmentation.
 */
#include "otaflow/http_response.h"

#include "num_text.h"

#include <limits.h>
#include <stddef.h>
#include <string.h>

#define HTTP_RESP_NAME_OVERFLOW 0xFFu

/* The kept header values: name (lower case) and where the text lives in the head. */
#define HTTP_RESP_FIELD(name, member)                                                            \
    { name, offsetof(ota_http_resp_head_t, member), sizeof(((ota_http_resp_head_t *)0)->member) }
static const struct {
    const char *name;
    size_t offset;
    size_t room; /* NUL included */
} http_resp_fields[OTA_HTTP_FIELD_COUNT] = {
    [OTA_HTTP_FIELD_LOCATION] = HTTP_RESP_FIELD("location", location),
    [OTA_HTTP_FIELD_CONTENT_RANGE] = HTTP_RESP_FIELD("content-range", content_range),
    [OTA_HTTP_FIELD_ETAG] = HTTP_RESP_FIELD("etag", etag),
    [OTA_HTTP_FIELD_LAST_MODIFIED] = HTTP_RESP_FIELD("last-modified", last_modified),
};

static char http_resp_lower(char ch)
{
    return (ch >= 'A' && ch <= 'Z') ? (char)(ch - 'A' + 'a') : ch;
}

static ota_http_resp_parser_t *http_resp_of(http_parser *hp)
{
    return (ota_http_resp_parser_t *)hp->data;
}

static char *http_resp_field_text(ota_http_resp_head_t *h, unsigned field)
{
    return (char *)h + http_resp_fields[field].offset;
}

static void http_resp_clear_head(ota_http_resp_parser_t *p)
{
    memset(&p->head, 0, sizeof p->head);
    p->head.content_length = OTA_HTTP_LENGTH_UNKNOWN;
    p->head.range_complete = OTA_HTTP_LENGTH_UNKNOWN;
    p->in_value = true; /* the next field callback starts a new header */
    p->field = OTA_HTTP_FIELD_COUNT;
    p->name_len = 0;
}

static int http_resp_fail(ota_http_resp_parser_t *p, ota_http_resp_status_t st)
{
    p->own_error = (int8_t)st;
    return -1;
}

/* ---- header values ----------------------------------------------------------------------- */

static int http_resp_on_header_field(http_parser *hp, const char *at, size_t len)
{
    ota_http_resp_parser_t *p = http_resp_of(hp);
    if (p->in_value) {
        p->in_value = false;
        p->name_len = 0;
    }
    for (size_t i = 0; i < len && p->name_len != HTTP_RESP_NAME_OVERFLOW; i++) {
        if (p->name_len == sizeof p->name) {
            p->name_len = HTTP_RESP_NAME_OVERFLOW; /* longer than any header we keep */
        } else {
            p->name[p->name_len++] = http_resp_lower(at[i]);
        }
    }
    return 0;
}

static unsigned http_resp_field_of_name(const ota_http_resp_parser_t *p)
{
    for (unsigned f = 0; f < OTA_HTTP_FIELD_COUNT; f++) {
        size_t n = strlen(http_resp_fields[f].name);
        if (p->name_len == n && memcmp(p->name, http_resp_fields[f].name, n) == 0) {
            return f;
        }
    }
    return OTA_HTTP_FIELD_COUNT;
}

/* The first byte of a value: a kept header seen twice is ambiguous and kept as REPEATED. */
static void http_resp_start_value(ota_http_resp_parser_t *p)
{
    p->in_value = true;
    p->field = (uint8_t)http_resp_field_of_name(p);
    if (p->field == OTA_HTTP_FIELD_COUNT) {
        return;
    }
    ota_http_resp_head_t *h = &p->head;
    char *text = http_resp_field_text(h, p->field);
    if (h->field_state[p->field] != OTA_HTTP_FIELD_ABSENT) {
        h->field_state[p->field] = OTA_HTTP_FIELD_REPEATED;
    } else {
        h->field_state[p->field] = OTA_HTTP_FIELD_PRESENT;
    }
    h->field_len[p->field] = 0;
    text[0] = '\0';
}

static void http_resp_append_value(ota_http_resp_parser_t *p, const char *at, size_t len)
{
    ota_http_resp_head_t *h = &p->head;
    if (h->field_state[p->field] != OTA_HTTP_FIELD_PRESENT) {
        return;
    }
    char *text = http_resp_field_text(h, p->field);
    size_t have = h->field_len[p->field];
    if (len >= http_resp_fields[p->field].room - have) {
        h->field_state[p->field] = OTA_HTTP_FIELD_TOO_LONG;
        h->field_len[p->field] = 0;
        text[0] = '\0';
        return;
    }
    memcpy(text + have, at, len);
    have += len;
    text[have] = '\0';
    h->field_len[p->field] = (uint16_t)have;
}

static int http_resp_on_header_value(http_parser *hp, const char *at, size_t len)
{
    ota_http_resp_parser_t *p = http_resp_of(hp);
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)at[i];
        if ((ch < 0x20u && ch != '\t') || ch == 0x7Fu) {
            /* RFC 9110 §5.5; http-parser lets NUL through, which would cut a kept value short
             * ("Location: \0x" read as an empty Location: a redirect to itself). */
            return http_resp_fail(p, OTA_HTTP_RESP_ERR_HEADER);
        }
    }
    if (!p->in_value) {
        http_resp_start_value(p);
    }
    if (p->field != OTA_HTTP_FIELD_COUNT) {
        http_resp_append_value(p, at, len);
    }
    return 0;
}

/* http-parser strips leading blanks of a value, not trailing ones. */
static void http_resp_trim_values(ota_http_resp_head_t *h)
{
    for (unsigned f = 0; f < OTA_HTTP_FIELD_COUNT; f++) {
        char *text = http_resp_field_text(h, f);
        size_t n = h->field_len[f];
        while (n > 0 && (text[n - 1u] == ' ' || text[n - 1u] == '\t')) {
            text[--n] = '\0';
        }
        h->field_len[f] = (uint16_t)n;
    }
}

/* ---- Content-Range ----------------------------------------------------------------------- */

/* Decimal number at *s, before end (advanced past it); false if none or above UINT64_MAX. */
static bool http_resp_take_u64(const char **s, const char *end, uint64_t *out)
{
    size_t digits = ota_dec_to_u64(*s, (size_t)(end - *s), out);
    *s += digits;
    return digits != 0;
}

/* "bytes first-last/complete" (RFC 9110 §14.4; complete may be '*'). */
static void http_resp_parse_content_range(ota_http_resp_head_t *h)
{
    if (h->field_state[OTA_HTTP_FIELD_CONTENT_RANGE] != OTA_HTTP_FIELD_PRESENT) {
        return;
    }
    static const char unit[] = "bytes ";
    const char *s = h->content_range;
    const char *end = s + h->field_len[OTA_HTTP_FIELD_CONTENT_RANGE];
    for (size_t i = 0; i < sizeof unit - 1u; i++) {
        if (http_resp_lower(s[i]) != unit[i]) {
            return;
        }
    }
    s += sizeof unit - 1u;
    uint64_t first;
    uint64_t last;
    uint64_t complete = OTA_HTTP_LENGTH_UNKNOWN;
    if (!http_resp_take_u64(&s, end, &first) || *s++ != '-' ||
        !http_resp_take_u64(&s, end, &last) || *s++ != '/') {
        return;
    }
    if (*s == '*') {
        s++;
    } else if (!http_resp_take_u64(&s, end, &complete) || complete <= last ||
               complete == OTA_HTTP_LENGTH_UNKNOWN) {
        return;
    }
    if (*s != '\0' || last < first) {
        return;
    }
    h->range_valid = true;
    h->range_first = first;
    h->range_last = last;
    h->range_complete = complete;
}

/* ---- message boundaries ------------------------------------------------------------------ */

static int http_resp_on_message_begin(http_parser *hp)
{
    ota_http_resp_parser_t *p = http_resp_of(hp);
    /* A second response on the same bytes: the server sent more than it announced. */
    return p->done ? http_resp_fail(p, OTA_HTTP_RESP_ERR_AFTER_END) : 0;
}

/* 0 = parse the body, 1 = no body (a 1xx), -1 = stop. */
static int http_resp_on_headers_complete(http_parser *hp)
{
    ota_http_resp_parser_t *p = http_resp_of(hp);
    ota_http_resp_head_t *h = &p->head;
    h->status_code = (uint16_t)hp->status_code;
    h->version_minor = (uint8_t)(hp->http_minor <= UINT8_MAX ? hp->http_minor : UINT8_MAX);
    if (hp->http_major != 1u) {
        /* http-parser takes any digits ("HTTP/9.9"): only HTTP/1.x speaks the framing we read. */
        return http_resp_fail(p, OTA_HTTP_RESP_ERR_VERSION);
    }
    if (h->status_code < 100u) {
        /* http-parser takes 1 to 3 digits ("HTTP/1.1 5"); a status code is exactly 3. */
        return http_resp_fail(p, OTA_HTTP_RESP_ERR_STATUS_LINE);
    }
    if (h->status_code / 100u == 1u) {
        if (h->status_code == 101u) {
            return http_resp_fail(p, OTA_HTTP_RESP_ERR_UPGRADE); /* no upgrades on a GET */
        }
        p->interim = true;
        return 1;
    }
    p->headers_done = true;
    h->chunked = (hp->flags & F_CHUNKED) != 0;
    if (hp->uses_transfer_encoding && !h->chunked) {
        return http_resp_fail(p, OTA_HTTP_RESP_ERR_TRANSFER_ENCODING); /* e.g. gzip alone */
    }
    h->content_length = (h->chunked || hp->content_length == ULLONG_MAX)
                            ? OTA_HTTP_LENGTH_UNKNOWN
                            : (uint64_t)hp->content_length;
    h->keep_alive = hp->http_minor >= 1u && http_should_keep_alive(hp) != 0;
    http_resp_trim_values(h);
    http_resp_parse_content_range(h);
    if (p->config.on_head != NULL && p->config.on_head(p->config.user, h) != 0) {
        return http_resp_fail(p, OTA_HTTP_RESP_ERR_STOPPED);
    }
    return 0;
}

static int http_resp_on_body(http_parser *hp, const char *at, size_t len)
{
    ota_http_resp_parser_t *p = http_resp_of(hp);
    if (p->config.on_body != NULL &&
        p->config.on_body(p->config.user, (const uint8_t *)at, len) != 0) {
        return http_resp_fail(p, OTA_HTTP_RESP_ERR_STOPPED);
    }
    return 0;
}

static int http_resp_on_message_complete(http_parser *hp)
{
    ota_http_resp_parser_t *p = http_resp_of(hp);
    if (p->interim) {
        /* 1xx: the real response follows on the same bytes, with a fresh header budget. The
         * parser pauses here so that the feed knows how many bytes the 1xx took. */
        p->interim = false;
        p->interim_ended = true;
        http_resp_clear_head(p);
        http_parser_pause(hp, 1);
        return 0;
    }
    p->done = true;
    return 0;
}

static const http_parser_settings http_resp_settings = {
    .on_message_begin = http_resp_on_message_begin,
    .on_header_field = http_resp_on_header_field,
    .on_header_value = http_resp_on_header_value,
    .on_headers_complete = http_resp_on_headers_complete,
    .on_body = http_resp_on_body,
    .on_message_complete = http_resp_on_message_complete,
};

/* ---- outcomes ---------------------------------------------------------------------------- */

/* The name of an http-parser refusal, by what it was reading. */
static ota_http_resp_status_t http_resp_classify(const ota_http_resp_parser_t *p,
                                                 enum http_errno err)
{
    if (p->done) {
        return OTA_HTTP_RESP_ERR_AFTER_END; /* whatever follows a complete response is excess */
    }
    if (err == HPE_INVALID_EOF_STATE) {
        return p->headers_done ? OTA_HTTP_RESP_ERR_EOF_BODY : OTA_HTTP_RESP_ERR_EOF_HEADERS;
    }
    if (err == HPE_HEADER_OVERFLOW) {
        return OTA_HTTP_RESP_ERR_HEADERS_TOO_LARGE; /* http-parser's own limit, on trailers */
    }
    if (p->headers_done) {
        /* In the body only the chunked framing (size lines, trailers) can be malformed. */
        return OTA_HTTP_RESP_ERR_CHUNK;
    }
    switch (err) {
    case HPE_INVALID_CONSTANT:
    case HPE_INVALID_VERSION:
    case HPE_INVALID_STATUS: return OTA_HTTP_RESP_ERR_STATUS_LINE;
    case HPE_INVALID_CONTENT_LENGTH:
    case HPE_UNEXPECTED_CONTENT_LENGTH: return OTA_HTTP_RESP_ERR_CONTENT_LENGTH;
    case HPE_INVALID_TRANSFER_ENCODING: return OTA_HTTP_RESP_ERR_TRANSFER_ENCODING;
    case HPE_INVALID_HEADER_TOKEN:
    case HPE_LF_EXPECTED: return OTA_HTTP_RESP_ERR_HEADER;
    default: return OTA_HTTP_RESP_ERR_MALFORMED;
    }
}

static ota_http_resp_status_t http_resp_error(ota_http_resp_parser_t *p, ota_http_resp_status_t st,
                                              enum http_errno err)
{
    p->error = st;
    p->parser_errno = (uint8_t)err;
    return st;
}

/* What a stopped http-parser means. */
static ota_http_resp_status_t http_resp_outcome(ota_http_resp_parser_t *p)
{
    enum http_errno err = HTTP_PARSER_ERRNO(&p->hp);
    if (err == HPE_PAUSED && p->interim_ended) {
        http_parser_pause(&p->hp, 0);
        return OTA_HTTP_RESP_OK;
    }
    if (err == HPE_OK) {
        return OTA_HTTP_RESP_OK;
    }
    if (p->own_error != OTA_HTTP_RESP_OK) {
        return http_resp_error(p, (ota_http_resp_status_t)p->own_error, HPE_OK);
    }
    return http_resp_error(p, http_resp_classify(p, err), err);
}

/* ---- public API -------------------------------------------------------------------------- */

/* Name in parentheses: the header's macro of that name adds the link-time layout check. */
void (ota_http_resp_init)(ota_http_resp_parser_t *p, const ota_http_resp_config_t *config)
{
    if (p == NULL) {
        return;
    }
    memset(p, 0, sizeof *p);
    if (config != NULL) {
        p->config = *config;
    }
    if (p->config.max_header_bytes == 0) {
        p->config.max_header_bytes = OTA_HTTP_RESP_HEADERS_DEFAULT;
    }
    http_parser_init(&p->hp, HTTP_RESPONSE);
    p->hp.data = p;
    p->error = OTA_HTTP_RESP_OK;
    http_resp_clear_head(p);
}

ota_http_resp_status_t ota_http_resp_feed(ota_http_resp_parser_t *p, const uint8_t *data,
                                          size_t len)
{
    if (p == NULL || (data == NULL && len > 0)) {
        return OTA_HTTP_RESP_ERR_ARG;
    }
    if (p->error != OTA_HTTP_RESP_OK) {
        return p->error;
    }
    p->hp.data = p; /* the struct may have been copied since init */
    size_t off = 0;
    while (off < len) {
        size_t n = len - off;
        bool in_headers = !p->headers_done;
        if (in_headers) {
            size_t limit = p->config.max_header_bytes;
            size_t room = limit > p->header_bytes ? limit - p->header_bytes : 0;
            if (room == 0) {
                return http_resp_error(p, OTA_HTTP_RESP_ERR_HEADERS_TOO_LARGE, HPE_OK);
            }
            n = n < room ? n : room;
        }
        size_t used = http_parser_execute(&p->hp, &http_resp_settings, (const char *)data + off, n);
        ota_http_resp_status_t st = http_resp_outcome(p);
        if (st != OTA_HTTP_RESP_OK) {
            return st;
        }
        off += used;
        if (p->interim_ended) {
            p->interim_ended = false;
            p->header_bytes = 0; /* a 1xx ended: the next response starts its budget */
            continue;
        }
        if (in_headers && !p->headers_done) {
            p->header_bytes += used;
        }
        if (used < n) {
            return http_resp_error(p, OTA_HTTP_RESP_ERR_MALFORMED, HPE_UNKNOWN); /* no reason */
        }
    }
    return OTA_HTTP_RESP_OK;
}

ota_http_resp_status_t ota_http_resp_finish(ota_http_resp_parser_t *p)
{
    if (p == NULL) {
        return OTA_HTTP_RESP_ERR_ARG;
    }
    if (p->error != OTA_HTTP_RESP_OK || p->done) {
        return p->error;
    }
    if (!p->headers_done) {
        return http_resp_error(p, OTA_HTTP_RESP_ERR_EOF_HEADERS, HPE_OK);
    }
    p->hp.data = p;
    (void)http_parser_execute(&p->hp, &http_resp_settings, NULL, 0);
    ota_http_resp_status_t st = http_resp_outcome(p);
    if (st == OTA_HTTP_RESP_OK && !p->done) {
        st = http_resp_error(p, OTA_HTTP_RESP_ERR_EOF_BODY, HPE_OK);
    }
    return st;
}

bool ota_http_resp_headers_done(const ota_http_resp_parser_t *p)
{
    return p != NULL && p->headers_done;
}

bool ota_http_resp_done(const ota_http_resp_parser_t *p)
{
    return p != NULL && p->done;
}

const ota_http_resp_head_t *ota_http_resp_head(const ota_http_resp_parser_t *p)
{
    return p != NULL ? &p->head : NULL;
}

const char *ota_http_resp_field(const ota_http_resp_head_t *head, ota_http_field_t field,
                                ota_http_field_state_t *state)
{
    ota_http_field_state_t st = OTA_HTTP_FIELD_ABSENT;
    const char *text = NULL;
    if (head != NULL && (unsigned)field < OTA_HTTP_FIELD_COUNT) {
        st = (ota_http_field_state_t)head->field_state[field];
        text = (const char *)head + http_resp_fields[field].offset;
    }
    if (state != NULL) {
        *state = st;
    }
    return st == OTA_HTTP_FIELD_PRESENT ? text : NULL;
}

const char *ota_http_resp_status_str(ota_http_resp_status_t status)
{
    switch (status) {
    case OTA_HTTP_RESP_OK: return "ok";
    case OTA_HTTP_RESP_ERR_ARG: return "bad argument";
    case OTA_HTTP_RESP_ERR_STOPPED: return "stopped by a callback";
    case OTA_HTTP_RESP_ERR_HEADERS_TOO_LARGE: return "response headers too large";
    case OTA_HTTP_RESP_ERR_STATUS_LINE: return "malformed status line";
    case OTA_HTTP_RESP_ERR_VERSION: return "not HTTP/1.x";
    case OTA_HTTP_RESP_ERR_UPGRADE: return "101 switching protocols";
    case OTA_HTTP_RESP_ERR_HEADER: return "malformed header line";
    case OTA_HTTP_RESP_ERR_CONTENT_LENGTH: return "bad Content-Length";
    case OTA_HTTP_RESP_ERR_TRANSFER_ENCODING: return "Transfer-Encoding not ending in chunked";
    case OTA_HTTP_RESP_ERR_CHUNK: return "chunked framing broken";
    case OTA_HTTP_RESP_ERR_AFTER_END: return "bytes after the end of the response";
    case OTA_HTTP_RESP_ERR_EOF_HEADERS: return "ended before the end of the headers";
    case OTA_HTTP_RESP_ERR_EOF_BODY: return "ended before the end of the body";
    case OTA_HTTP_RESP_ERR_MALFORMED: return "malformed response";
    }
    return "unknown response parser status";
}

const char *ota_http_resp_parser_error_str(const ota_http_resp_parser_t *p)
{
    return http_errno_name((enum http_errno)(p != NULL ? p->parser_errno : HPE_OK));
}
