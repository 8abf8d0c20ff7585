/* SPDX-License-Identifier: Apache-2.0 */
/*
 * HTTP/1.x response parser (see include/otaflow/http_response.h).
 *
 * One state machine, fed a byte at a time through everything that is text (status line,
 * headers, chunk size lines, trailers) and a span at a time through body bytes. All it keeps
 * between two bytes is in the caller's struct, so a response cut anywhere parses the same. The
 * header values that decide the framing (Content-Length, Transfer-Encoding, Connection) are
 * read as they arrive, without a copy; the four a downloader wants are copied into the head.
 * No 64-bit division anywhere (a Cortex-M4 would link libgcc's for it).
 */
#include "otaflow/http_response.h"

#include "num_text.h"
#include "status_text.h"

#include <stddef.h>
#include <string.h>

/* Where in the response. The text states come first (the header limit counts their bytes),
 * the body states after them. */
enum {
    RX_START,       /* before a status line: line breaks skipped */
    RX_VERSION,     /* "HTTP/d.d ", step = bytes matched */
    RX_CODE,        /* step = digits read (3: then SP or the line end) */
    RX_REASON,      /* until the line end */
    RX_LINE,        /* start of a header line, or the empty line ending the section */
    RX_NAME,        /* header name, until ':' */
    RX_VALUE,       /* header value; step 0 while blanks are skipped */
    RX_CHUNK_SIZE,  /* hex digits, step = how many; remaining accumulates the size */
    RX_CHUNK_EXT,   /* blanks, then ";name=value" up to the line end (step 1, then 2) */
    RX_CHUNK_END,   /* the line end after chunk data */
    RX_BODY,        /* Content-Length bytes: remaining */
    RX_BODY_CLOSE,  /* body delimited by the close of the stream */
    RX_CHUNK_DATA,  /* remaining bytes of the chunk */
    RX_DONE,        /* complete: only line breaks may follow */
};

/* Header names read (lower case). The first OTA_HTTP_FIELD_COUNT are the kept values. */
enum { RX_F_CONTENT_LENGTH = OTA_HTTP_FIELD_COUNT, RX_F_TRANSFER_ENCODING, RX_F_CONNECTION,
       RX_F_OTHER };
static const char *const http_rx_names[RX_F_OTHER] = {
    [OTA_HTTP_FIELD_LOCATION] = "location",
    [OTA_HTTP_FIELD_CONTENT_RANGE] = "content-range",
    [OTA_HTTP_FIELD_ETAG] = "etag",
    [OTA_HTTP_FIELD_LAST_MODIFIED] = "last-modified",
    [RX_F_CONTENT_LENGTH] = "content-length",
    [RX_F_TRANSFER_ENCODING] = "transfer-encoding",
    [RX_F_CONNECTION] = "connection",
};

/* Where each kept value lives in the head, and its room (NUL included). */
#define RX_KEPT(member)                                                                          \
    { offsetof(ota_http_resp_head_t, member), sizeof(((ota_http_resp_head_t *)0)->member) }
static const struct {
    uint16_t offset;
    uint16_t room;
} http_rx_kept[OTA_HTTP_FIELD_COUNT] = {
    [OTA_HTTP_FIELD_LOCATION] = RX_KEPT(location),
    [OTA_HTTP_FIELD_CONTENT_RANGE] = RX_KEPT(content_range),
    [OTA_HTTP_FIELD_ETAG] = RX_KEPT(etag),
    [OTA_HTTP_FIELD_LAST_MODIFIED] = RX_KEPT(last_modified),
};

/* p->flags: what the headers of the current message said. */
#define RX_HAS_LENGTH 0x01u   /* a Content-Length (its value in head.content_length) */
#define RX_HAS_CODING 0x02u   /* a Transfer-Encoding (head.chunked: its last coding) */
#define RX_CLOSE 0x04u        /* "close" among the Connection options */
#define RX_CR 0x08u           /* a CR was read: an LF must follow */

/* p->token: the element of a list value (or the number) being read. */
#define RX_TOK_LEN 0x1Fu      /* its bytes so far (saturating) */
#define RX_TOK_ENDED 0x20u    /* blanks followed it */
#define RX_TOK_BAD 0x40u      /* not the word looked for */

/* The syntax rule behind an error (parser_error_str), in http-parser's names. */
enum {
    RX_D_OK,
    RX_D_CONSTANT,
    RX_D_VERSION,
    RX_D_STATUS,
    RX_D_LF,
    RX_D_TOKEN,
    RX_D_CONTENT_LENGTH,
    RX_D_UNEXPECTED_CONTENT_LENGTH,
    RX_D_TRANSFER_ENCODING,
    RX_D_CHUNK_SIZE,
    RX_D_STRICT,
    RX_D_COUNT
};
static const char *const http_rx_detail_names[RX_D_COUNT] = {
    [RX_D_OK] = "HPE_OK",
    [RX_D_CONSTANT] = "HPE_INVALID_CONSTANT",
    [RX_D_VERSION] = "HPE_INVALID_VERSION",
    [RX_D_STATUS] = "HPE_INVALID_STATUS",
    [RX_D_LF] = "HPE_LF_EXPECTED",
    [RX_D_TOKEN] = "HPE_INVALID_HEADER_TOKEN",
    [RX_D_CONTENT_LENGTH] = "HPE_INVALID_CONTENT_LENGTH",
    [RX_D_UNEXPECTED_CONTENT_LENGTH] = "HPE_UNEXPECTED_CONTENT_LENGTH",
    [RX_D_TRANSFER_ENCODING] = "HPE_INVALID_TRANSFER_ENCODING",
    [RX_D_CHUNK_SIZE] = "HPE_INVALID_CHUNK_SIZE",
    [RX_D_STRICT] = "HPE_STRICT",
};

static char http_rx_lower(uint8_t ch)
{
    return (char)((ch >= 'A' && ch <= 'Z') ? ch - 'A' + 'a' : ch);
}

static bool http_rx_blank(uint8_t ch)
{
    return ch == ' ' || ch == '\t';
}

/* RFC 9110 §5.6.2 tchar. */
static bool http_rx_tchar(uint8_t ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           (ch != 0 && strchr("!#$%&'*+-.^_`|~", ch) != NULL);
}

/* Field content: no control byte but HTAB (RFC 9110 §5.5); a NUL would cut a kept value short. */
static bool http_rx_text(uint8_t ch)
{
    return (ch >= 0x20u && ch != 0x7Fu) || ch == '\t';
}

static int http_rx_hex(uint8_t ch)
{
    if (ch >= '0' && ch <= '9') {
        return ch - '0';
    }
    char lc = http_rx_lower(ch);
    return (lc >= 'a' && lc <= 'f') ? lc - 'a' + 10 : -1;
}

static char *http_rx_kept_text(ota_http_resp_head_t *h, unsigned field)
{
    return (char *)h + http_rx_kept[field].offset;
}

static ota_http_resp_status_t http_rx_fail(ota_http_resp_parser_t *p, ota_http_resp_status_t st,
                                      unsigned detail)
{
    p->error = st;
    p->detail = (uint8_t)detail;
    return st;
}

/* Broken syntax: named by the part of the response it is in. */
static ota_http_resp_status_t http_rx_bad(ota_http_resp_parser_t *p, unsigned detail)
{
    ota_http_resp_status_t st = OTA_HTTP_RESP_ERR_HEADER;
    if (p->state <= RX_REASON) {
        st = OTA_HTTP_RESP_ERR_STATUS_LINE;
    } else if (p->headers_done) {
        st = OTA_HTTP_RESP_ERR_CHUNK; /* size lines, chunk ends, trailers */
    }
    return http_rx_fail(p, st, detail);
}

/* A new message (the response, or the one after a 1xx): empty head, fresh header budget. */
static void http_rx_begin_message(ota_http_resp_parser_t *p)
{
    memset(&p->head, 0, sizeof p->head);
    p->head.content_length = OTA_HTTP_LENGTH_UNKNOWN;
    p->head.range_complete = OTA_HTTP_LENGTH_UNKNOWN;
    p->header_bytes = 0;
    p->flags = 0;
    p->state = RX_START;
}

static void http_rx_complete(ota_http_resp_parser_t *p)
{
    p->state = RX_DONE;
    p->done = true;
}

/* ---- Content-Range (once the head is complete) ------------------------------------------- */

/* Decimal number at *s, before end (advanced past it); false if none or above UINT64_MAX. */
static bool http_rx_take_u64(const char **s, const char *end, uint64_t *out)
{
    size_t digits = ota_dec_to_u64(*s, (size_t)(end - *s), out);
    *s += digits;
    return digits != 0;
}

/* "bytes first-last/complete" (RFC 9110 §14.4; complete may be '*'). */
static void http_rx_parse_content_range(ota_http_resp_head_t *h)
{
    if (h->field_state[OTA_HTTP_FIELD_CONTENT_RANGE] != OTA_HTTP_FIELD_PRESENT) {
        return;
    }
    static const char unit[] = "bytes ";
    const char *s = h->content_range;
    const char *end = s + h->field_len[OTA_HTTP_FIELD_CONTENT_RANGE];
    for (size_t i = 0; i < sizeof unit - 1u; i++) {
        if (http_rx_lower((uint8_t)s[i]) != unit[i]) {
            return;
        }
    }
    s += sizeof unit - 1u;
    uint64_t first;
    uint64_t last;
    uint64_t complete = OTA_HTTP_LENGTH_UNKNOWN;
    if (!http_rx_take_u64(&s, end, &first) || *s++ != '-' || !http_rx_take_u64(&s, end, &last) ||
        *s++ != '/') {
        return;
    }
    if (*s == '*') {
        s++;
    } else if (!http_rx_take_u64(&s, end, &complete) || complete <= last ||
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

/* ---- header values ----------------------------------------------------------------------- */

/* The colon: the name is complete. */
static ota_http_resp_status_t http_rx_value_begin(ota_http_resp_parser_t *p)
{
    /* A trailer (after the head) is looked up in no table: nothing in it changes the head. */
    unsigned f = p->headers_done ? RX_F_OTHER : 0u;
    while (f < RX_F_OTHER && !(p->name_len == strlen(http_rx_names[f]) &&
                               memcmp(p->name, http_rx_names[f], p->name_len) == 0)) {
        f++;
    }
    p->field = (uint8_t)f;
    p->token = 0;
    ota_http_resp_head_t *h = &p->head;
    if (f < OTA_HTTP_FIELD_COUNT) {
        /* A kept value sent twice is ambiguous: kept as REPEATED, without text. */
        h->field_state[f] = h->field_state[f] != OTA_HTTP_FIELD_ABSENT ? OTA_HTTP_FIELD_REPEATED
                                                                      : OTA_HTTP_FIELD_PRESENT;
        h->field_len[f] = 0;
        http_rx_kept_text(h, f)[0] = '\0';
    } else if (f == RX_F_CONTENT_LENGTH) {
        if (p->flags & RX_HAS_LENGTH) {
            /* Even an equal second one: two lengths are how responses get smuggled. */
            return http_rx_fail(p, OTA_HTTP_RESP_ERR_CONTENT_LENGTH, RX_D_UNEXPECTED_CONTENT_LENGTH);
        }
        p->flags |= RX_HAS_LENGTH;
        h->content_length = 0;
    } else if (f == RX_F_TRANSFER_ENCODING) {
        p->flags |= RX_HAS_CODING; /* several of them are one list (RFC 9110 §5.3) */
    }
    return OTA_HTTP_RESP_OK;
}

static void http_rx_kept_byte(ota_http_resp_head_t *h, unsigned f, uint8_t ch)
{
    if (h->field_state[f] != OTA_HTTP_FIELD_PRESENT) {
        return;
    }
    char *text = http_rx_kept_text(h, f);
    size_t n = h->field_len[f];
    if (n + 1u >= http_rx_kept[f].room) {
        h->field_state[f] = OTA_HTTP_FIELD_TOO_LONG;
        h->field_len[f] = 0;
        text[0] = '\0';
        return;
    }
    text[n++] = (char)ch;
    text[n] = '\0';
    h->field_len[f] = (uint16_t)n;
}

/* An element of a comma-separated list ends: was it `word`? */
static bool http_rx_token_is(ota_http_resp_parser_t *p, const char *word)
{
    bool is = !(p->token & RX_TOK_BAD) && (p->token & RX_TOK_LEN) == strlen(word);
    p->token = 0;
    return is;
}

/* The element of a list value that ends here. Connection: "close" anywhere closes;
 * Transfer-Encoding: the last coding decides whether the body is chunked. */
static void http_rx_list_element_end(ota_http_resp_parser_t *p)
{
    if (p->field == RX_F_CONNECTION) {
        if (http_rx_token_is(p, "close")) {
            p->flags |= RX_CLOSE;
        }
    } else if (p->field == RX_F_TRANSFER_ENCODING) {
        p->head.chunked = http_rx_token_is(p, "chunked");
    }
}

/* A byte of a list element (case-insensitive match against `word`) or of a number. */
static void http_rx_token_byte(ota_http_resp_parser_t *p, const char *word, uint8_t ch)
{
    unsigned len = p->token & RX_TOK_LEN;
    if ((p->token & RX_TOK_ENDED) || len >= strlen(word) || http_rx_lower(ch) != word[len]) {
        p->token |= RX_TOK_BAD;
    }
    if (len < RX_TOK_LEN) {
        p->token++;
    }
}

static ota_http_resp_status_t http_rx_length_byte(ota_http_resp_parser_t *p, uint8_t ch)
{
    uint64_t *v = &p->head.content_length;
    unsigned digit = (unsigned)ch - '0';
    if (digit > 9u || (p->token & RX_TOK_ENDED) ||
        *v > UINT64_MAX / 10u || (*v == UINT64_MAX / 10u && digit > UINT64_MAX % 10u)) {
        return http_rx_fail(p, OTA_HTTP_RESP_ERR_CONTENT_LENGTH, RX_D_CONTENT_LENGTH);
    }
    *v = *v * 10u + digit;
    p->token = 1; /* digits were read */
    return OTA_HTTP_RESP_OK;
}

/* A byte of a value, leading blanks already skipped. */
static ota_http_resp_status_t http_rx_value_byte(ota_http_resp_parser_t *p, uint8_t ch)
{
    unsigned f = p->field;
    if (f < OTA_HTTP_FIELD_COUNT) {
        http_rx_kept_byte(&p->head, f, ch);
    } else if (f != RX_F_OTHER) {
        if (http_rx_blank(ch)) {
            if (p->token != 0) {
                p->token |= RX_TOK_ENDED;
            }
        } else if (f == RX_F_CONTENT_LENGTH) {
            return http_rx_length_byte(p, ch);
        } else if (ch == ',') {
            http_rx_list_element_end(p);
        } else {
            http_rx_token_byte(p, f == RX_F_CONNECTION ? "close" : "chunked", ch);
        }
    }
    return OTA_HTTP_RESP_OK;
}

static ota_http_resp_status_t http_rx_value_end(ota_http_resp_parser_t *p)
{
    unsigned f = p->field;
    ota_http_resp_head_t *h = &p->head;
    if (f < OTA_HTTP_FIELD_COUNT) {
        char *text = http_rx_kept_text(h, f);
        size_t n = h->field_len[f];
        while (n > 0 && http_rx_blank((uint8_t)text[n - 1u])) {
            text[--n] = '\0';
        }
        h->field_len[f] = (uint16_t)n;
    } else if (f == RX_F_CONTENT_LENGTH) {
        if (p->token == 0 || h->content_length == OTA_HTTP_LENGTH_UNKNOWN) {
            return http_rx_fail(p, OTA_HTTP_RESP_ERR_CONTENT_LENGTH, RX_D_CONTENT_LENGTH);
        }
    } else {
        http_rx_list_element_end(p);
    }
    return OTA_HTTP_RESP_OK;
}

/* ---- message boundaries ------------------------------------------------------------------ */

/* The status code's third digit: the status line says what kind of response this is. */
static ota_http_resp_status_t http_rx_status_code(ota_http_resp_parser_t *p)
{
    unsigned code = p->head.status_code;
    if (code < 100u) {
        return http_rx_bad(p, RX_D_STATUS);
    }
    if (p->token != 1u) {
        /* The major version (p->token on the status line): only 1.x has the framing read here. */
        return http_rx_fail(p, OTA_HTTP_RESP_ERR_VERSION, RX_D_OK);
    }
    if (code == 101u) {
        return http_rx_fail(p, OTA_HTTP_RESP_ERR_UPGRADE, RX_D_OK); /* no upgrades on a GET */
    }
    return OTA_HTTP_RESP_OK;
}

/* The empty line after the headers. */
static ota_http_resp_status_t http_rx_head_end(ota_http_resp_parser_t *p)
{
    ota_http_resp_head_t *h = &p->head;
    unsigned code = h->status_code;
    if (code < 200u) {
        http_rx_begin_message(p); /* a 1xx: the real response follows */
        return OTA_HTTP_RESP_OK;
    }
    p->headers_done = true;
    if ((p->flags & RX_HAS_CODING) && (p->flags & RX_HAS_LENGTH)) {
        /* Two framings: the other side of a smuggled request reads the other one. */
        return http_rx_fail(p, OTA_HTTP_RESP_ERR_CONTENT_LENGTH, RX_D_UNEXPECTED_CONTENT_LENGTH);
    }
    if ((p->flags & RX_HAS_CODING) && !h->chunked) {
        return http_rx_fail(p, OTA_HTTP_RESP_ERR_TRANSFER_ENCODING, RX_D_TRANSFER_ENCODING);
    }
    bool no_body = code == 204u || code == 304u;
    if (no_body) {
        h->chunked = false;
        h->content_length = 0;
    }
    bool to_close = !no_body && !h->chunked && !(p->flags & RX_HAS_LENGTH);
    h->keep_alive = h->version_minor >= 1u && !(p->flags & RX_CLOSE) && !to_close;
    http_rx_parse_content_range(h);
    if (p->config.on_head != NULL && p->config.on_head(p->config.user, h) != 0) {
        return http_rx_fail(p, OTA_HTTP_RESP_ERR_STOPPED, RX_D_OK);
    }
    if (h->chunked) {
        p->state = RX_CHUNK_SIZE;
        p->step = 0;
        p->remaining = 0;
    } else if (to_close) {
        p->state = RX_BODY_CLOSE;
    } else if (h->content_length == 0) {
        http_rx_complete(p);
    } else {
        p->remaining = h->content_length;
        p->state = RX_BODY;
    }
    return OTA_HTTP_RESP_OK;
}

/* A line ended (CRLF or LF). */
static ota_http_resp_status_t http_rx_line_end(ota_http_resp_parser_t *p)
{
    switch (p->state) {
    case RX_CODE: /* a status line without reason phrase */
        if (p->step != 3u) {
            return http_rx_bad(p, RX_D_STATUS);
        }
        p->state = RX_LINE;
        return OTA_HTTP_RESP_OK;
    case RX_REASON: p->state = RX_LINE; return OTA_HTTP_RESP_OK;
    case RX_LINE:
        if (!p->headers_done) {
            return http_rx_head_end(p);
        }
        http_rx_complete(p); /* the end of the trailers */
        return OTA_HTTP_RESP_OK;
    case RX_VALUE: p->state = RX_LINE; return http_rx_value_end(p);
    case RX_CHUNK_SIZE:
        if (p->step == 0) {
            return http_rx_bad(p, RX_D_CHUNK_SIZE);
        }
        /* fall through */
    case RX_CHUNK_EXT:
        if (p->remaining == 0) {
            p->state = RX_LINE; /* the last chunk: trailers, with a header budget of their own */
            p->header_bytes = 0;
        } else {
            p->state = RX_CHUNK_DATA;
        }
        return OTA_HTTP_RESP_OK;
    case RX_CHUNK_END:
        p->state = RX_CHUNK_SIZE;
        p->step = 0;
        return OTA_HTTP_RESP_OK;
    default: return http_rx_bad(p, p->state == RX_NAME ? RX_D_TOKEN : RX_D_VERSION);
    }
}

/* The status line up to its code: "HTTP/" digit "." digit SP. */
static ota_http_resp_status_t http_rx_version_byte(ota_http_resp_parser_t *p, uint8_t ch)
{
    static const char pattern[] = "HTTP/#.# ";
    char want = pattern[p->step];
    bool digit = ch >= '0' && ch <= '9';
    if (want == '#' ? !digit : ch != (uint8_t)want) {
        return http_rx_bad(p, p->step < 5u ? RX_D_CONSTANT : RX_D_VERSION);
    }
    if (p->step == 5u) {
        p->token = (uint8_t)(ch - '0'); /* the major version, until the code is complete */
    } else if (p->step == 7u) {
        p->head.version_minor = (uint8_t)(ch - '0');
    }
    if (++p->step == sizeof pattern - 1u) {
        p->state = RX_CODE;
        p->step = 0;
    }
    return OTA_HTTP_RESP_OK;
}

/* One byte of text (everything but body bytes). */
static ota_http_resp_status_t http_rx_text_byte(ota_http_resp_parser_t *p, uint8_t ch)
{
    if (p->flags & RX_CR) {
        p->flags &= (uint8_t)~RX_CR;
        return ch == '\n' ? http_rx_line_end(p) : http_rx_bad(p, RX_D_LF);
    }
    if (p->state == RX_START || p->state == RX_DONE) {
        if (ch == '\r' || ch == '\n') {
            return OTA_HTTP_RESP_OK; /* line breaks between messages (some servers send them) */
        }
        if (p->state == RX_DONE) {
            return http_rx_fail(p, OTA_HTTP_RESP_ERR_AFTER_END, RX_D_OK);
        }
        p->state = RX_VERSION;
        p->step = 0;
    }
    if (ch == '\r') {
        p->flags |= RX_CR;
        return OTA_HTTP_RESP_OK;
    }
    if (ch == '\n') {
        /* A bare LF ends a line of the head or the trailers, not one of the chunked framing:
         * where a CR is missing, which bytes are data becomes a matter of opinion. */
        return p->state < RX_CHUNK_SIZE ? http_rx_line_end(p) : http_rx_bad(p, RX_D_STRICT);
    }
    switch (p->state) {
    case RX_VERSION: return http_rx_version_byte(p, ch);
    case RX_CODE:
        if (p->step == 3u) {
            if (ch != ' ') {
                return http_rx_bad(p, RX_D_STATUS);
            }
            p->state = RX_REASON;
            return OTA_HTTP_RESP_OK;
        }
        if (ch < '0' || ch > '9') {
            return http_rx_bad(p, RX_D_STATUS);
        }
        p->head.status_code = (uint16_t)(p->head.status_code * 10u + (unsigned)(ch - '0'));
        return ++p->step == 3u ? http_rx_status_code(p) : OTA_HTTP_RESP_OK;
    case RX_REASON: return OTA_HTTP_RESP_OK; /* any byte but CR and LF, as http-parser */
    case RX_LINE:
        p->state = RX_NAME;
        p->name_len = 0;
        /* fall through */
    case RX_NAME:
        if (ch == ':' && p->name_len != 0) {
            p->state = RX_VALUE;
            p->step = 0;
            return http_rx_value_begin(p);
        }
        if (!http_rx_tchar(ch)) {
            return http_rx_bad(p, RX_D_TOKEN); /* also a folded line: a blank at the start */
        }
        if (p->name_len < sizeof p->name) {
            p->name[p->name_len] = http_rx_lower(ch);
        }
        if (p->name_len < UINT8_MAX) {
            p->name_len++; /* past sizeof name: longer than any name looked for */
        }
        return OTA_HTTP_RESP_OK;
    case RX_VALUE:
        if (!http_rx_text(ch)) {
            return http_rx_bad(p, RX_D_TOKEN);
        }
        if (p->step == 0 && http_rx_blank(ch)) {
            return OTA_HTTP_RESP_OK;
        }
        p->step = 1;
        return http_rx_value_byte(p, ch);
    case RX_CHUNK_SIZE: {
        int v = http_rx_hex(ch);
        if (v >= 0 && (p->remaining >> 60) == 0u) {
            p->remaining = (p->remaining << 4) | (uint64_t)v;
            p->step = 1;
            return OTA_HTTP_RESP_OK;
        }
        if (v < 0 && p->step != 0 && (ch == ';' || http_rx_blank(ch))) {
            p->state = RX_CHUNK_EXT;
            p->step = ch == ';' ? 2u : 1u;
            return OTA_HTTP_RESP_OK;
        }
        return http_rx_bad(p, RX_D_CHUNK_SIZE); /* not hex, or 2^64 and more */
    }
    case RX_CHUNK_EXT:
        /* step 1: blanks after the size, until the ';' (step 2) of an extension. */
        if (p->step == 1u && !http_rx_blank(ch)) {
            if (ch != ';') { /* "3 4": 3 to one reader, 0x34 to another */
                return http_rx_bad(p, RX_D_CHUNK_SIZE);
            }
            p->step = 2u;
        }
        return http_rx_text(ch) ? OTA_HTTP_RESP_OK : http_rx_bad(p, RX_D_CHUNK_SIZE);
    default: return http_rx_bad(p, RX_D_STRICT); /* RX_CHUNK_END: data longer than its size */
    }
}

/* Body bytes at data: as many as the framing says belong to the body. */
static size_t http_rx_body(ota_http_resp_parser_t *p, const uint8_t *data, size_t len)
{
    bool counted = p->state != RX_BODY_CLOSE;
    size_t n = counted && p->remaining < len ? (size_t)p->remaining : len;
    if (p->config.on_body != NULL && p->config.on_body(p->config.user, data, n) != 0) {
        http_rx_fail(p, OTA_HTTP_RESP_ERR_STOPPED, RX_D_OK); /* not complete, even at its end */
    } else if (counted && (p->remaining -= n) == 0) {
        if (p->state == RX_BODY) {
            http_rx_complete(p);
        } else {
            p->state = RX_CHUNK_END;
        }
    }
    return n;
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
    http_rx_begin_message(p);
}

ota_http_resp_status_t ota_http_resp_feed(ota_http_resp_parser_t *p, const uint8_t *data,
                                          size_t len)
{
    if (p == NULL || (data == NULL && len > 0)) {
        return OTA_HTTP_RESP_ERR_ARG;
    }
    size_t off = 0;
    while (off < len && p->error == OTA_HTTP_RESP_OK) {
        if (p->state >= RX_BODY && p->state < RX_DONE) {
            off += http_rx_body(p, data + off, len - off);
            continue;
        }
        if (p->state < RX_CHUNK_SIZE) {
            /* The head, or the trailers: counted against the limit byte by byte, so the
             * limit is exact whatever the segmentation. */
            if (p->header_bytes >= p->config.max_header_bytes) {
                return http_rx_fail(p, OTA_HTTP_RESP_ERR_HEADERS_TOO_LARGE, RX_D_OK);
            }
            p->header_bytes++;
        }
        (void)http_rx_text_byte(p, data[off++]);
    }
    return p->error;
}

ota_http_resp_status_t ota_http_resp_finish(ota_http_resp_parser_t *p)
{
    if (p == NULL) {
        return OTA_HTTP_RESP_ERR_ARG;
    }
    if (p->error != OTA_HTTP_RESP_OK || p->done) {
        return p->error;
    }
    if (p->state == RX_BODY_CLOSE) {
        http_rx_complete(p);
        return OTA_HTTP_RESP_OK;
    }
    return http_rx_fail(p, p->headers_done ? OTA_HTTP_RESP_ERR_EOF_BODY : OTA_HTTP_RESP_ERR_EOF_HEADERS,
                   RX_D_OK);
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
        text = (const char *)head + http_rx_kept[field].offset;
    }
    if (state != NULL) {
        *state = st;
    }
    return st == OTA_HTTP_FIELD_PRESENT ? text : NULL;
}

const char *ota_http_resp_status_str(ota_http_resp_status_t status)
{
    OTA_STATUS_TEXT_OFF(status);
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
    }
    return "unknown response parser status";
}

const char *ota_http_resp_parser_error_str(const ota_http_resp_parser_t *p)
{
    OTA_STATUS_TEXT_OFF(p);
    unsigned d = p != NULL ? p->detail : RX_D_OK;
    return http_rx_detail_names[d < RX_D_COUNT ? d : RX_D_OK];
}
