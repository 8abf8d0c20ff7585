/* SPDX-License-Identifier: Apache-2.0 */
/*
 * otaflow URLs: parsing of http:// and https:// URLs and resolution of a redirect's Location.
 *
 * Only what an update agent needs: an absolute URL with scheme http or https (any case), a host
 * (name, IPv4 literal, or IPv6 literal in brackets), an optional port, and a path with its query.
 * The fragment is dropped (it is never sent to a server). user:password@ is refused: credentials
 * do not belong in a URL that ends up in manifests and logs. Percent-encoding is passed through
 * untouched. Parsing never copies: the result is spans into the caller's string.
 */
#ifndef OTAFLOW_URL_H
#define OTAFLOW_URL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "otaflow/config.h"

#ifdef __cplusplus
extern "C" {
#endif

/* OTA_URL_MAX (config.h): size of a buffer that holds any URL this module accepts, NUL
 * included; a URL (or a resolved redirect) of OTA_URL_MAX characters or more is refused. */

/** Longest host name (RFC 1035 limit on a DNS name in text form). */
#define OTA_URL_HOST_MAX 253u

/** Bytes of the longest IP address (IPv6). */
#define OTA_URL_IP_MAX 16u

/** Result of a URL operation. */
typedef enum ota_url_status {
    OTA_URL_OK = 0,
    OTA_URL_ERR_ARG = -1,      /**< a NULL pointer or a zero-size output buffer */
    OTA_URL_ERR_SCHEME = -2,   /**< no scheme, or a scheme other than http / https */
    OTA_URL_ERR_USERINFO = -3, /**< user[:password]@ in the authority (refused) */
    OTA_URL_ERR_HOST = -4,     /**< empty host, bad character, bad IPv4 or IPv6 literal,
                                    host longer than OTA_URL_HOST_MAX */
    OTA_URL_ERR_PORT = -5,     /**< port empty, not decimal digits, 0, or above 65535 */
    OTA_URL_ERR_CHAR = -6,     /**< space, control or non-ASCII byte in the URL */
    OTA_URL_ERR_TOO_LONG = -7, /**< input of OTA_URL_MAX characters or more, or a result that
                                    does not fit the output buffer */
} ota_url_status_t;

/** A parsed URL: spans into the string given to ota_url_parse() (or static text for the
 *  default path), valid as long as that string is. Spans are not NUL-terminated. */
typedef struct ota_url {
    bool tls;            /**< scheme is https */
    bool host_is_ipv6;   /**< host was a bracketed IPv6 literal (host excludes the brackets) */
    uint16_t port;       /**< explicit port, else 80 (http) or 443 (https) */
    bool port_explicit;  /**< the URL named a port (even if it equals the default) */
    const char *host;    /**< host name or literal */
    size_t host_len;
    const char *path;    /**< path, starting with '/'; "/" when the URL has none */
    size_t path_len;
    const char *query;   /**< query including its leading '?', or empty (query_len 0) */
    size_t query_len;
} ota_url_t;

/**
 * Parse an absolute http:// or https:// URL (NUL-terminated).
 *
 * @return OTA_URL_OK and *out filled, or an error (then *out is unspecified).
 */
ota_url_status_t ota_url_parse(const char *url, ota_url_t *out);

/**
 * Read s[0..n) as an IP literal, by the rules ota_url_parse() applies to a host: an IPv4
 * dotted quad (four decimal parts 0..255, no leading zero) or IPv6 text without its brackets
 * ("::1", "fe80::1:2", "::ffff:10.0.0.1"; no zone id). The TLS port uses it to tell an
 * address (matched against a certificate's iPAddress names) from a host name.
 *
 * @return 4 or 16, the address in out (network order); 0 when s is no IP literal (a host name,
 *         or a malformed address), out then unspecified.
 */
size_t ota_url_ip_parse(const char *s, size_t n, uint8_t out[OTA_URL_IP_MAX]);

/** Default port of a scheme: 443 with tls, else 80. */
uint16_t ota_url_default_port(bool tls);

/**
 * Resolve a reference (typically a redirect's Location) against an absolute base URL, as
 * RFC 3986 section 5.2 does for the forms a server sends: an absolute URL, "//host/path"
 * (scheme of the base), "/abs/path", "rel/path" (relative to the base's directory, with "."
 * and ".." segments removed), "?query", or "" / "#frag" (the base itself). The fragment is
 * dropped. The result is checked with ota_url_parse().
 *
 * @param base      absolute URL accepted by ota_url_parse()
 * @param ref       the reference, NUL-terminated
 * @param out       receives the absolute URL, NUL-terminated; must not overlap base or ref
 * @param out_size  size of out (OTA_URL_MAX is always enough)
 * @return OTA_URL_OK, OTA_URL_ERR_TOO_LONG if the result does not fit, or the parse error of
 *         the base or of the result.
 */
ota_url_status_t ota_url_resolve(const char *base, const char *ref, char *out, size_t out_size);

/** Short English name of a status ("ok", "bad host", ...); never NULL. */
const char *ota_url_status_str(ota_url_status_t status);

#ifdef __cplusplus
}
#endif

#endif /* OTAFLOW_URL_H */
