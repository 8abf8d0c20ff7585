/* SPDX-License-Identifier: Apache-2.0 */
/*
 * otaflow HTTP/1.x response parser: the bytes a server sends, in any segmentation, turned into
 * a head (status, framing, the header values a downloader needs) and body pieces. No I/O, no
 * allocation: all state in the caller's ota_http_resp_parser_t. The HTTP client (http.h) runs
 * one per response; a program with its own transport can use it alone:
 *
 *   ota_http_resp_parser_t rx;
 *   ota_http_resp_config_t cfg = { .on_head = on_head, .on_body = on_body, .user = &me };
 *   ota_http_resp_init(&rx, &cfg);
 *   while (!ota_http_resp_done(&rx) && (n = read_some(buf, sizeof buf)) > 0) {
 *       if ((st = ota_http_resp_feed(&rx, buf, n)) != OTA_HTTP_RESP_OK) { ...named error... }
 *   }
 *   if (n == 0) st = ota_http_resp_finish(&rx);   (the peer closed: ends a body read to close)
 *
 * What it enforces (each with its own error): an HTTP/1.x status line with a 3-digit code; header
 * syntax (token names, no control byte but HTAB in a value, no line folding, CR only before
 * LF); one Content-Length, a number below 2^64 - 1, not with any Transfer-Encoding; a
 * Transfer-Encoding ending in chunked; chunk sizes in hex below 2^64 with optional extensions,
 * chunk data followed by a line end, trailers; 1xx interim responses skipped (101 refused); 204
 * and 304 without body; the status line + headers (and the trailers) within max_header_bytes,
 * exact whatever the segmentation; nothing but line breaks after the end of the response; a
 * stream ending early. A line ends with CRLF or a bare LF (RFC 9112 §2.2).
 *
 * It reads one byte at a time through the head, the chunk size lines and the trailers, and
 * hands body bytes on in spans: the outcome never depends on how the stream is cut. A purpose-
 * built parser (docs/decisions.md): it replaced Node's http-parser, ten times its code size.
 */
#ifndef OTAFLOW_HTTP_RESPONSE_H
#define OTAFLOW_HTTP_RESPONSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "otaflow/url.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A length the server did not announce. */
#define OTA_HTTP_LENGTH_UNKNOWN UINT64_MAX

/* OTA_HTTP_RESP_HEADERS_DEFAULT and the room for the kept header values,
 * OTA_HTTP_CONTENT_RANGE_MAX, OTA_HTTP_ETAG_MAX, OTA_HTTP_LAST_MODIFIED_MAX: config.h. */

/** Outcome of feeding bytes. 0: fine so far; negative: the response is unusable. */
typedef enum ota_http_resp_status {
    OTA_HTTP_RESP_OK = 0,                    /**< all bytes consumed (see ota_http_resp_done) */
    OTA_HTTP_RESP_ERR_ARG = -1,              /**< NULL parser, or NULL data with len > 0 */
    OTA_HTTP_RESP_ERR_STOPPED = -2,          /**< on_head or on_body returned non-zero */
    OTA_HTTP_RESP_ERR_HEADERS_TOO_LARGE = -3,/**< status line + headers over max_header_bytes */
    OTA_HTTP_RESP_ERR_STATUS_LINE = -4,      /**< not "HTTP/d.d ddd reason" */
    OTA_HTTP_RESP_ERR_VERSION = -5,          /**< a well-formed status line, not HTTP/1.x */
    OTA_HTTP_RESP_ERR_UPGRADE = -6,          /**< 101 Switching Protocols */
    OTA_HTTP_RESP_ERR_HEADER = -7,           /**< a header line that is not "name: value" */
    OTA_HTTP_RESP_ERR_CONTENT_LENGTH = -8,   /**< not a number, repeated, or with chunked */
    OTA_HTTP_RESP_ERR_TRANSFER_ENCODING = -9,/**< a Transfer-Encoding not ending in chunked */
    OTA_HTTP_RESP_ERR_CHUNK = -10,           /**< chunked framing broken (size line, CRLF) */
    OTA_HTTP_RESP_ERR_AFTER_END = -11,       /**< bytes other than line breaks after the end */
    OTA_HTTP_RESP_ERR_EOF_HEADERS = -12,     /**< the stream ended before the end of the headers */
    OTA_HTTP_RESP_ERR_EOF_BODY = -13,        /**< the stream ended before the end of the body */
} ota_http_resp_status_t;

/** The header values kept (all others are parsed and dropped). */
typedef enum ota_http_field {
    OTA_HTTP_FIELD_LOCATION = 0,
    OTA_HTTP_FIELD_CONTENT_RANGE,
    OTA_HTTP_FIELD_ETAG,
    OTA_HTTP_FIELD_LAST_MODIFIED,
    OTA_HTTP_FIELD_COUNT
} ota_http_field_t;

/** Whether a kept value can be used. */
typedef enum ota_http_field_state {
    OTA_HTTP_FIELD_ABSENT = 0,   /**< not sent */
    OTA_HTTP_FIELD_PRESENT,      /**< sent once, fits: the text is in the head */
    OTA_HTTP_FIELD_TOO_LONG,     /**< sent, longer than its room: text empty */
    OTA_HTTP_FIELD_REPEATED,     /**< sent twice or more (ambiguous): text empty */
} ota_http_field_state_t;

/** What the headers of the final (non-1xx) response said. */
typedef struct ota_http_resp_head {
    uint16_t status_code;       /**< 0 until a status line was read */
    uint8_t version_minor;      /**< x of HTTP/1.x */
    bool chunked;               /**< Transfer-Encoding: chunked */
    bool keep_alive;            /**< HTTP/1.1, no "Connection: close", body not read to close:
                                     the connection can carry another request afterwards */
    uint64_t content_length;    /**< Content-Length; 0 for a 204 or 304 (no body, whatever
                                     the headers say); OTA_HTTP_LENGTH_UNKNOWN when absent or
                                     chunked */
    bool range_valid;           /**< Content-Range is "bytes first-last/complete" (complete
                                     may be '*'), last >= first, complete > last */
    uint64_t range_first;       /**< valid only with range_valid */
    uint64_t range_last;
    uint64_t range_complete;    /**< OTA_HTTP_LENGTH_UNKNOWN for '*' */
    uint8_t field_state[OTA_HTTP_FIELD_COUNT]; /**< ota_http_field_state_t of each kept value */
    uint16_t field_len[OTA_HTTP_FIELD_COUNT];  /**< its length (trailing blanks removed) */
    char location[OTA_URL_MAX];                 /**< NUL-terminated values */
    char content_range[OTA_HTTP_CONTENT_RANGE_MAX];
    char etag[OTA_HTTP_ETAG_MAX];
    char last_modified[OTA_HTTP_LAST_MODIFIED_MAX];
} ota_http_resp_head_t;

/** Headers of the final response are known. Return 0 to read its body, non-zero to stop
 *  (the feed returns OTA_HTTP_RESP_ERR_STOPPED). */
typedef int (*ota_http_resp_head_fn)(void *user, const ota_http_resp_head_t *head);

/** `len` (> 0) body bytes, de-chunked, in order; valid during the call only. Return 0 to go on,
 *  non-zero to stop (OTA_HTTP_RESP_ERR_STOPPED). */
typedef int (*ota_http_resp_body_fn)(void *user, const uint8_t *data, size_t len);

/** Settings; zero means default. */
typedef struct ota_http_resp_config {
    size_t max_header_bytes;     /**< status line + headers; 0 = OTA_HTTP_RESP_HEADERS_DEFAULT */
    ota_http_resp_head_fn on_head; /**< optional */
    ota_http_resp_body_fn on_body; /**< optional (NULL: the body is parsed and dropped) */
    void *user;                  /**< passed to the callbacks */
} ota_http_resp_config_t;

/** Parser state; caller-owned, fields private (read them through the functions below). */
typedef struct ota_http_resp_parser {
    ota_http_resp_config_t config;
    ota_http_resp_head_t head;
    uint64_t remaining;      /**< body bytes left (Content-Length or chunk); chunk size read */
    size_t header_bytes;     /**< bytes of the current head (or trailer section) so far */
    ota_http_resp_status_t error; /**< not OK once an error was returned: every later feed
                                       returns it again */
    uint8_t state;           /**< where in the response (http_response.c) */
    uint8_t step;            /**< progress inside the state (bytes matched, digits read) */
    uint8_t field;           /**< header whose value is being read (http_response.c) */
    uint8_t token;           /**< the list element or number in that value: length, flags */
    uint8_t flags;           /**< what the headers said so far (http_response.c) */
    uint8_t detail;          /**< the syntax rule behind the error (parser_error_str) */
    bool headers_done;       /**< the final response's headers are complete */
    bool done;               /**< the final response is complete */
    uint8_t name_len;        /**< bytes of the current header name kept (past name: too long) */
    char name[17];           /**< the current header name, lower case ("transfer-encoding") */
} ota_http_resp_parser_t;

/** Prepare a parser for one response (config copied; NULL config = all defaults). */
void ota_http_resp_init(ota_http_resp_parser_t *p, const ota_http_resp_config_t *config);
/* Every call checks at link time that the caller's ota_http_resp_parser_t matches the library's. */
#define ota_http_resp_init(...) OTA_LAYOUT_CHECKED(ota_http_resp_init, __VA_ARGS__)

/**
 * Parse the next `len` bytes of the response. Callbacks run from inside this call.
 * @return OTA_HTTP_RESP_OK when all were consumed (the response may be complete:
 *         ota_http_resp_done), or the named error; after an error every feed returns it again.
 */
ota_http_resp_status_t ota_http_resp_feed(ota_http_resp_parser_t *p, const uint8_t *data,
                                          size_t len);

/**
 * The stream ended (the peer closed). A body delimited by the close ends here.
 * @return OTA_HTTP_RESP_OK (the response is complete), OTA_HTTP_RESP_ERR_EOF_HEADERS,
 *         OTA_HTTP_RESP_ERR_EOF_BODY, or the error of an earlier feed.
 */
ota_http_resp_status_t ota_http_resp_finish(ota_http_resp_parser_t *p);

/** True once the headers of the final response have been parsed (on_head has run). */
bool ota_http_resp_headers_done(const ota_http_resp_parser_t *p);

/** True once the final response is complete (its body ended as its framing says). */
bool ota_http_resp_done(const ota_http_resp_parser_t *p);

/** The head: status_code is set from the status line on; the rest once the headers are done. */
const ota_http_resp_head_t *ota_http_resp_head(const ota_http_resp_parser_t *p);

/** A kept value: its text if PRESENT, else NULL; *state (may be NULL) gets its state. */
const char *ota_http_resp_field(const ota_http_resp_head_t *head, ota_http_field_t field,
                                ota_http_field_state_t *state);

/** Short English name of a status ("ok", "chunked framing broken", ...); never NULL. */
const char *ota_http_resp_status_str(ota_http_resp_status_t status);

/** The syntax rule behind the last error, for logs, in the names Node's http-parser gave the
 *  same refusals ("HPE_INVALID_CHUNK_SIZE", "HPE_LF_EXPECTED", ...); "HPE_OK" when the error is
 *  not one of syntax (version, 101, header limit, end of stream, a callback); never NULL. */
const char *ota_http_resp_parser_error_str(const ota_http_resp_parser_t *p);

#ifdef __cplusplus
}
#endif

#endif /* OTAFLOW_HTTP_RESPONSE_H */
