/* SPDX-License-Identifier: Apache-2.0 */
/*
 * otaflow HTTP/1.1 client: non-blocking GET (and a small POST) over the port's transport
 * (ota_transport_t).
 *
 * One request at a time per client. All state lives in the caller's ota_http_client_t and one
 * caller buffer; nothing is allocated. The caller starts a request with ota_http_get() and then
 * calls ota_http_poll(client, now_ms) until it returns something other than
 * OTA_HTTP_IN_PROGRESS / OTA_HTTP_WOULD_BLOCK. Each poll does a bounded amount of work (at most
 * config.steps_per_poll transport calls, and one more to see that nothing follows a response
 * completed in it, which then ends in that poll) and never blocks.
 *
 * The body is pushed to the caller's on_body callback as it arrives, with the file offset of
 * each piece, so that a caller streaming into flash just writes `data` at `offset`: resuming with
 * a Range request needs no special case (a server that ignores the Range sends 200 and the
 * offsets start again at 0). Responses are parsed by ota_http_resp (http_response.h).
 *
 * Followed: redirects 301/302/303/307/308 (absolute or relative Location), up to
 * config.max_redirects hops. Kept: the connection, when the response was complete, HTTP/1.1 and
 * not "Connection: close"; the next request to the same scheme, host and port reuses it.
 * A POST (ota_http_post: the agent's status reports) sends a body that fits the I/O buffer with
 * the request; a redirect repeats it. Not supported: HTTP/1.0 keep-alive, proxies, cookies,
 * authentication, compression, methods other than GET and POST, pipelining. https:// needs a transport with TLS.
 *
 * Do not move (memcpy) a client while a request is running or a connection is kept.
 */
#ifndef OTAFLOW_HTTP_H
#define OTAFLOW_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "otaflow/http_response.h"
#include "otaflow/port.h"
#include "otaflow/url.h"

#ifdef __cplusplus
extern "C" {
#endif

/* OTA_HTTP_USER_AGENT (config.h) is sent with every request. */

/** Smallest I/O buffer accepted by ota_http_init(). */
#define OTA_HTTP_BUF_MIN 256u

/** A redirect response with a body larger than this is not drained (the connection is closed
 *  instead of being kept for the next hop). */
#define OTA_HTTP_DRAIN_MAX 4096u

/** Result of an HTTP operation. Positive: still running; 0: done; negative: failed. */
typedef enum ota_http_status {
    OTA_HTTP_OK = 0,                      /**< response received completely (2xx) */
    OTA_HTTP_IN_PROGRESS = 1,             /**< work was done; poll again soon */
    OTA_HTTP_WOULD_BLOCK = 2,             /**< waiting for the network; poll again later */
    OTA_HTTP_ERR_ARG = -1,                /**< NULL argument, buffer too small, or a request
                                               started while another is running */
    OTA_HTTP_ERR_URL = -2,                /**< the request URL is refused (see url_status) */
    OTA_HTTP_ERR_REQUEST_TOO_LARGE = -3,  /**< the request does not fit the I/O buffer */
    OTA_HTTP_ERR_DNS = -4,                /**< host name could not be resolved */
    OTA_HTTP_ERR_REFUSED = -5,            /**< connection refused or host unreachable */
    OTA_HTTP_ERR_TLS = -6,                /**< TLS failed (or the transport has no TLS) */
    OTA_HTTP_ERR_NETWORK_DOWN = -7,       /**< the network interface is down */
    OTA_HTTP_ERR_IO = -8,                 /**< local transport failure */
    OTA_HTTP_ERR_RESET = -9,              /**< connection reset or broken by the peer */
    OTA_HTTP_ERR_CLOSED = -10,            /**< peer closed before the response headers ended */
    OTA_HTTP_ERR_TIMEOUT_CONNECT = -11,   /**< connect took longer than connect_timeout_ms */
    OTA_HTTP_ERR_TIMEOUT_IDLE = -12,      /**< nothing sent or received for idle_timeout_ms */
    OTA_HTTP_ERR_TIMEOUT_TOTAL = -13,     /**< the whole request took total_timeout_ms */
    OTA_HTTP_ERR_STATUS = -14,            /**< final status not 2xx (see response.status_code) */
    OTA_HTTP_ERR_BODY_SHORT = -15,        /**< connection closed before the body was complete */
    OTA_HTTP_ERR_BODY_LONG = -16,         /**< bytes after the announced end of the body */
    OTA_HTTP_ERR_HEADERS_TOO_LARGE = -17, /**< response headers over max_header_bytes */
    OTA_HTTP_ERR_TOO_MANY_REDIRECTS = -18,/**< more than max_redirects redirects */
    OTA_HTTP_ERR_REDIRECT_NO_LOCATION = -19, /**< redirect status without a Location header */
    OTA_HTTP_ERR_REDIRECT_BAD_LOCATION = -20, /**< Location unusable (see url_status) */
    OTA_HTTP_ERR_MALFORMED = -21,         /**< not valid HTTP/1.x (ota_http_parser_error_str) */
    OTA_HTTP_ERR_RANGE = -22,             /**< 206 whose Content-Range does not match the
                                               requested range, or 206 without a Range */
    OTA_HTTP_ERR_ABORTED = -23,           /**< a callback returned non-zero, or ota_http_abort */
    OTA_HTTP_ERR_INSECURE = -24,          /**< require_tls: an http:// URL or a redirect to
                                               one was refused */
} ota_http_status_t;

/** What is known about the response being received (or the last one). */
typedef struct ota_http_response {
    uint16_t status_code;    /**< status of the last response seen (0 before any) */
    bool resumed;            /**< 206 with a Content-Range matching range_from: the body starts
                                  at range_from. False: the body is the file from offset 0. */
    bool chunked;            /**< Transfer-Encoding: chunked */
    bool reused_connection;  /**< the final hop ran on a kept-alive connection */
    bool not_modified;       /**< a 304 to a request with a validator: no body */
    uint8_t redirects;       /**< redirects followed */
    uint64_t body_offset;    /**< file offset of the first body byte (range_from or 0) */
    uint64_t content_length; /**< body bytes announced for this response, or UNKNOWN */
    uint64_t total_length;   /**< size of the whole file (Content-Length of a 200, the
                                  complete-length of a 206's Content-Range), or UNKNOWN */
    uint64_t received;       /**< body bytes delivered to on_body so far */
} ota_http_response_t;

/**
 * Body callback: `len` bytes (len > 0) of the body at file offset `offset`. The bytes live in
 * the client's buffer and are valid only during the call. Return 0 to continue, non-zero to
 * stop the request with OTA_HTTP_ERR_ABORTED.
 */
typedef int (*ota_http_body_fn)(void *user, uint64_t offset, const uint8_t *data, size_t len);

/**
 * Response callback (optional): called once, after the headers of the final 2xx response and
 * before its first body byte, so the caller learns where the body starts (resp->body_offset)
 * and how long it is. Return 0 to accept, non-zero to stop with OTA_HTTP_ERR_ABORTED.
 */
typedef int (*ota_http_response_fn)(void *user, const ota_http_response_t *resp);

/** Settings of a client. Start from ota_http_config_default(). */
typedef struct ota_http_config {
    uint8_t *buf;               /**< I/O buffer: holds the request, then the received bytes */
    size_t buf_size;            /**< its size, at least OTA_HTTP_BUF_MIN */
    size_t max_header_bytes;    /**< limit on the status line + headers of a response;
                                     0 = buf_size */
    uint32_t connect_timeout_ms;/**< per connection attempt (DNS included); 0 = none */
    uint32_t idle_timeout_ms;   /**< longest wait for progress while sending / receiving;
                                     0 = none */
    uint32_t total_timeout_ms;  /**< whole request, redirects included; 0 = none */
    uint8_t max_redirects;      /**< redirects followed before TOO_MANY_REDIRECTS */
    uint8_t steps_per_poll;     /**< transport calls per poll (>= 1); bounds each poll */
    bool require_tls;           /**< refuse plain http://, for the request and every redirect
                                     (OTA_HTTP_ERR_INSECURE); default false */
} ota_http_config_t;

/** One GET (or POST). */
typedef struct ota_http_request {
    const char *url;                  /**< absolute http(s) URL; copied by ota_http_get() */
    uint64_t range_from;              /**< 0: whole file; N: ask for bytes N.. (Range) */
    ota_http_body_fn on_body;         /**< receives the body (may be NULL to discard it) */
    ota_http_response_fn on_response; /**< optional */
    void *user;                       /**< passed to the callbacks */
    /** A validator from an earlier response to this URL (NULL: none), held by the caller
     *  while the request runs: an entity tag ('"' or "W/" first) is sent as If-None-Match,
     *  anything else (a Last-Modified date) as If-Modified-Since. With it, a 304 ends the
     *  request with OTA_HTTP_OK and no body (response.not_modified); without it a 304 is
     *  OTA_HTTP_ERR_STATUS, as any status other than 2xx. Ignored (never sent) in a core built
     *  with OTA_CONDITIONAL_GET 0 (config.h). */
    const char *validator;
    /** ota_http_post(): the body (body_len bytes, held by the caller while the request runs),
     *  sent after the headers in the same buffer (request and body must fit it, else
     *  OTA_HTTP_ERR_REQUEST_TOO_LARGE), with Content-Length and content_type (NULL:
     *  application/octet-stream). NULL for a GET. */
    const uint8_t *body;
    size_t body_len;
    const char *content_type;
} ota_http_request_t;

/** Where a client is; internal, shown for debugging. */
typedef enum ota_http_state {
    OTA_HTTP_STATE_IDLE = 0,   /**< no request (a kept-alive connection may be open) */
    OTA_HTTP_STATE_HOP,        /**< about to start a hop (first request or a redirect) */
    OTA_HTTP_STATE_PROBE,      /**< checking that a kept-alive connection is still usable */
    OTA_HTTP_STATE_CONNECT,    /**< connecting */
    OTA_HTTP_STATE_SEND,       /**< sending the request */
    OTA_HTTP_STATE_RECV,       /**< receiving the response */
    OTA_HTTP_STATE_CHECK_END,  /**< response complete: checking nothing follows it */
    OTA_HTTP_STATE_DONE,       /**< finished; result holds the outcome */
} ota_http_state_t;

/** A client. Caller-owned; all fields are private except through the functions below. */
typedef struct ota_http_client {
    ota_transport_t transport;
    ota_http_config_t config;
    ota_http_request_t request;
    ota_http_response_t response;
    ota_http_state_t state;
    ota_http_status_t result;      /**< outcome once DONE */
    ota_url_status_t url_status;   /**< detail of ERR_URL / ERR_REDIRECT_BAD_LOCATION */

    /* Timing (now_ms of the caller, wrap-safe differences). */
    bool clock_started;
    uint32_t t_request;            /**< first poll of the request */
    uint32_t t_phase;              /**< start of the current connect */
    uint32_t t_progress;           /**< last byte sent or received */

    /* The connection. */
    bool conn_open;                /**< transport holds a connection (or is connecting) */
    bool conn_reusable;            /**< previous response left it clean and kept-alive */
    bool conn_reused;              /**< the current hop runs on a reused connection */
    bool conn_tls;
    uint16_t conn_port;            /**< its host: NUL-terminated in buf, after the request */

    /* The current hop. */
    char url[OTA_URL_MAX];         /**< URL of the current hop */
    size_t req_len;                /**< request bytes in buf */
    size_t req_sent;
    uint64_t hop_bytes;            /**< response bytes received on this hop */

    /* The response being parsed (src/http_response.c) and what the client makes of it. */
    ota_http_resp_parser_t rx;
    bool redirecting;              /**< a redirect: drain its body, then next hop */
    bool drain_abandoned;          /**< redirect body too big: close instead of draining */
    ota_http_status_t cb_error;    /**< error raised inside a parser callback */
    uint32_t drained;
} ota_http_client_t;

/** Defaults: no buffer (set buf / buf_size), connect 10 s, idle 15 s, total 10 min (so that
 *  a server trickling bytes cannot hold the client forever), 5 redirects, 4 steps per poll,
 *  headers limited to the buffer size. */
void ota_http_config_default(ota_http_config_t *config);

/**
 * Prepare a client on a transport. The transport (ops and ctx) is copied; config is copied.
 * @return OTA_HTTP_OK, or OTA_HTTP_ERR_ARG (NULL, no buffer, buffer below OTA_HTTP_BUF_MIN,
 *         max_header_bytes above buf_size, steps_per_poll 0).
 */
ota_http_status_t ota_http_init(ota_http_client_t *client, const ota_http_config_t *config,
                                const ota_transport_t *transport);
/* Every call checks at link time that the caller's ota_http_client_t matches the library's. */
#define ota_http_init(...) OTA_LAYOUT_CHECKED(ota_http_init, __VA_ARGS__)

/**
 * Start a GET (request->body must be NULL: ERR_ARG). Nothing is sent until the next poll. A connection kept from the previous request
 * is reused when scheme, host and port match; otherwise it is closed.
 * @return OTA_HTTP_IN_PROGRESS, OTA_HTTP_ERR_ARG (NULL request or URL, or a request is already
 *         running), OTA_HTTP_ERR_URL (then url_status tells why; nothing started), or
 *         OTA_HTTP_ERR_INSECURE (require_tls and an http:// URL; nothing started).
 */
ota_http_status_t ota_http_get(ota_http_client_t *client, const ota_http_request_t *request);

/**
 * Start a POST of request->body to request->url (range_from 0, no validator); the response
 * is read as a GET's (its body to on_body, OK on 2xx). Nothing is sent until the next poll.
 * Only in a core built with OTA_HTTP_POST (config.h; by default as OTA_FLEET).
 * @return as ota_http_get(); OTA_HTTP_ERR_ARG also without a body or with a range or
 *         validator.
 */
#if OTA_HTTP_POST
ota_http_status_t ota_http_post(ota_http_client_t *client, const ota_http_request_t *request);
#endif

/**
 * Advance the request. now_ms is the caller's monotonic clock in milliseconds (wrapping is
 * fine); every timeout is measured against it.
 * @return OTA_HTTP_IN_PROGRESS or OTA_HTTP_WOULD_BLOCK while running; then OTA_HTTP_OK or an
 *         error, repeated by every later poll until the next ota_http_get(). OTA_HTTP_ERR_ARG
 *         if no request was ever started.
 */
ota_http_status_t ota_http_poll(ota_http_client_t *client, uint32_t now_ms);

/** The response being received, or the last one (status code, offsets, lengths). */
const ota_http_response_t *ota_http_response(const ota_http_client_t *client);

/** Stop the running request (if any) with OTA_HTTP_ERR_ABORTED and close the connection. */
void ota_http_abort(ota_http_client_t *client);

/** Close a kept-alive connection (e.g. before a long sleep). The client stays usable. */
void ota_http_close(ota_http_client_t *client);

/** Short English name of a status ("ok", "timeout (idle)", ...); never NULL. */
const char *ota_http_status_str(ota_http_status_t status);

/** Headers of the response being received, or the last one: status, framing and the kept
 *  values (Location, Content-Range, ETag, Last-Modified; see ota_http_resp_field()). */
const ota_http_resp_head_t *ota_http_head(const ota_http_client_t *client);

/** A validator ('"' or "W/" first) is an entity tag, which request.validator sends as
 *  If-None-Match; anything else goes as If-Modified-Since. NULL: false. */
bool ota_http_is_entity_tag(const char *validator);

/** The syntax rule behind OTA_HTTP_ERR_MALFORMED, as ota_http_resp_parser_error_str() names it
 *  (e.g. "HPE_INVALID_CONSTANT"); "HPE_OK" after any other outcome; "none" for NULL. */
const char *ota_http_parser_error_str(const ota_http_client_t *client);

#ifdef __cplusplus
}
#endif

#endif /* OTAFLOW_HTTP_H */
