/* SPDX-License-Identifier: Apache-2.0 */
/* URL parsing and redirect resolution (see include/otaflow/url.h). */
#include "otaflow/url.h"

#include <stdint.h>
#include <string.h>

#include "num_text.h"
#include "status_text.h"

static bool url_is_alpha(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

static bool url_is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

/* Value of a hex digit of either case, -1 for anything else. */
static int url_hex_value(char ch)
{
    if (url_is_digit(ch)) {
        return ch - '0';
    }
    char lower = (char)(ch | 0x20);
    return (lower >= 'a' && lower <= 'f') ? lower - 'a' + 10 : -1;
}

static char url_lower(char ch)
{
    return (ch >= 'A' && ch <= 'Z') ? (char)(ch - 'A' + 'a') : ch;
}

/* Length of a NUL-terminated string, or OTA_URL_MAX if it has that many characters or more. */
static size_t url_bounded_len(const char *s)
{
    size_t n = 0;
    while (n < OTA_URL_MAX && s[n] != '\0') {
        n++;
    }
    return n;
}

/* Every byte must be printable ASCII without space: anything else would need encoding. */
static bool url_printable(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch <= 0x20u || ch >= 0x7Fu) {
            return false;
        }
    }
    return true;
}

/* Length of a URL-ish string into *n, refusing what is too long or would need encoding. */
static ota_url_status_t url_check_text(const char *s, size_t *n)
{
    *n = url_bounded_len(s);
    if (*n >= OTA_URL_MAX) {
        return OTA_URL_ERR_TOO_LONG;
    }
    return url_printable(s, *n) ? OTA_URL_OK : OTA_URL_ERR_CHAR;
}

static bool url_span_equals_nocase(const char *s, size_t n, const char *lit)
{
    size_t i = 0;
    for (; i < n; i++) {
        if (lit[i] == '\0' || url_lower(s[i]) != lit[i]) {
            return false;
        }
    }
    return lit[i] == '\0';
}

/*
 * Length of "scheme:" at the start of s (without the colon), or 0 if s does not start with a
 * scheme. A scheme is ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) followed by ':'.
 */
static size_t url_scheme_len(const char *s, size_t n)
{
    if (n == 0 || !url_is_alpha(s[0])) {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        char ch = s[i];
        if (ch == ':') {
            return i;
        }
        if (!url_is_alpha(ch) && !url_is_digit(ch) && ch != '+' && ch != '-' && ch != '.') {
            return 0;
        }
    }
    return 0;
}

/* Dotted quad: exactly four decimal parts 0..255, no empty part and no leading zero (the
 * resolver's inet_aton reads "010" as octal: "010.0.0.1" would connect to 8.0.0.1). */
static bool url_parse_ipv4(const char *s, size_t n, uint8_t out[4])
{
    size_t i = 0;
    for (unsigned part = 0; part < 4u; part++) {
        if (part > 0u) {
            if (i >= n || s[i] != '.') {
                return false;
            }
            i++;
        }
        size_t start = i;
        unsigned value = 0;
        while (i < n && url_is_digit(s[i]) && i - start < 3u) {
            value = value * 10u + (unsigned)(s[i] - '0');
            i++;
        }
        if (i == start || value > 255u || (s[start] == '0' && i - start > 1u)) {
            return false;
        }
        out[part] = (uint8_t)value;
    }
    return i == n;
}

/* IPv6 text form (RFC 4291 2.2): up to 8 groups of 1-4 hex digits, at most one "::", an
 * optional dotted-quad tail counting as two groups. Zone identifiers are not supported. */
static bool url_parse_ipv6(const char *s, size_t n, uint8_t out[16])
{
    uint8_t bytes[16];
    size_t len = 0;        /* bytes of the groups read */
    size_t gap = SIZE_MAX; /* where the "::" stands, in bytes */
    size_t i = 0;
    if (n >= 2 && s[0] == ':' && s[1] == ':') {
        gap = 0;
        i = 2;
    }
    while (i < n) {
        size_t start = i;
        unsigned value = 0;
        while (i < n && url_hex_value(s[i]) >= 0 && i - start < 5u) {
            value = value * 16u + (unsigned)url_hex_value(s[i]);
            i++;
        }
        if (i < n && s[i] == '.') {
            /* IPv4 tail: must be the last thing, and takes the room of two groups. */
            if (len > 12u || !url_parse_ipv4(s + start, n - start, bytes + len)) {
                return false;
            }
            len += 4u;
            break;
        }
        if (i == start || i - start > 4u || len > 14u) {
            return false;
        }
        bytes[len++] = (uint8_t)(value >> 8);
        bytes[len++] = (uint8_t)value;
        if (i == n) {
            break;
        }
        if (s[i] != ':') {
            return false;
        }
        i++;
        if (i < n && s[i] == ':') {
            if (gap != SIZE_MAX) {
                return false;
            }
            gap = len;
            i++;
        } else if (i == n) {
            return false; /* trailing single colon */
        }
    }
    if (gap == SIZE_MAX ? len != 16u : len > 14u) {
        return false; /* eight groups, or fewer and a "::" that stands for at least one */
    }
    if (gap == SIZE_MAX) {
        gap = len;
    }
    memset(out, 0, 16);
    memcpy(out, bytes, gap);
    memcpy(out + 16u - (len - gap), bytes + gap, len - gap);
    return true;
}

size_t ota_url_ip_parse(const char *s, size_t n, uint8_t out[OTA_URL_IP_MAX])
{
    if (s == NULL || out == NULL) {
        return 0;
    }
    if (memchr(s, ':', n) != NULL) {
        return url_parse_ipv6(s, n, out) ? 16u : 0u;
    }
    return url_parse_ipv4(s, n, out) ? 4u : 0u;
}

/* Host name or IPv4 literal (the brackets of IPv6 are handled by the caller). */
static bool url_valid_host(const char *s, size_t n)
{
    if (n == 0 || n > OTA_URL_HOST_MAX || s[0] == '.' || s[0] == '-') {
        return false;
    }
    bool only_digits_and_dots = true;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (ch == '.') {
            if (i > 0 && s[i - 1] == '.') {
                return false;
            }
        } else if (url_is_digit(ch)) {
            /* fine in both names and literals */
        } else if (url_is_alpha(ch) || ch == '-' || ch == '_') {
            only_digits_and_dots = false;
        } else {
            return false;
        }
    }
    /* All-numeric hosts are IPv4 literals and must be well formed: "256.1.1.1" or "1.2.3"
     * would otherwise reach the resolver and fail there with a less helpful error. */
    uint8_t ip[4];
    return !only_digits_and_dots || url_parse_ipv4(s, n, ip);
}

static ota_url_status_t url_parse_port(const char *s, size_t n, uint16_t *port)
{
    uint64_t value = 0;
    if (n == 0 || n > 5 || ota_dec_to_u64(s, n, &value) != n || value == 0 || value > 65535u) {
        return OTA_URL_ERR_PORT;
    }
    *port = (uint16_t)value;
    return OTA_URL_OK;
}

/* Parse the authority [host | "[" ipv6 "]"] [":" port]. */
static ota_url_status_t url_parse_authority(const char *s, size_t n, ota_url_t *out)
{
    if (memchr(s, '@', n) != NULL) {
        return OTA_URL_ERR_USERINFO;
    }
    size_t host_end;
    if (n > 0 && s[0] == '[') {
        const char *close = memchr(s, ']', n);
        if (close == NULL) {
            return OTA_URL_ERR_HOST;
        }
        host_end = (size_t)(close - s) + 1u;
        out->host = s + 1;
        out->host_len = host_end - 2u;
        out->host_is_ipv6 = true;
        uint8_t ip[OTA_URL_IP_MAX];
        if (!url_parse_ipv6(out->host, out->host_len, ip)) {
            return OTA_URL_ERR_HOST;
        }
        if (host_end < n && s[host_end] != ':') {
            return OTA_URL_ERR_HOST;
        }
    } else {
        const char *colon = memchr(s, ':', n);
        host_end = colon != NULL ? (size_t)(colon - s) : n;
        out->host = s;
        out->host_len = host_end;
        out->host_is_ipv6 = false;
        if (!url_valid_host(out->host, out->host_len)) {
            return OTA_URL_ERR_HOST;
        }
    }
    out->port = ota_url_default_port(out->tls);
    out->port_explicit = false;
    if (host_end < n) {
        /* s[host_end] == ':' here */
        out->port_explicit = true;
        return url_parse_port(s + host_end + 1, n - host_end - 1, &out->port);
    }
    return OTA_URL_OK;
}

uint16_t ota_url_default_port(bool tls)
{
    return tls ? 443u : 80u;
}

/* Offset just past "scheme://authority" of an absolute URL that url_scheme_len() accepted. */
static size_t url_authority_end(const char *s, size_t n, size_t scheme)
{
    size_t i = scheme + 3u;
    while (i < n && s[i] != '/' && s[i] != '?' && s[i] != '#') {
        i++;
    }
    return i;
}

ota_url_status_t ota_url_parse(const char *url, ota_url_t *out)
{
    if (url == NULL || out == NULL) {
        return OTA_URL_ERR_ARG;
    }
    size_t n;
    ota_url_status_t st = url_check_text(url, &n);
    if (st != OTA_URL_OK) {
        return st;
    }
    size_t scheme = url_scheme_len(url, n);
    if (scheme == 0 || scheme + 3u > n || url[scheme + 1] != '/' || url[scheme + 2] != '/') {
        return OTA_URL_ERR_SCHEME;
    }
    if (url_span_equals_nocase(url, scheme, "http")) {
        out->tls = false;
    } else if (url_span_equals_nocase(url, scheme, "https")) {
        out->tls = true;
    } else {
        return OTA_URL_ERR_SCHEME;
    }
    size_t auth_start = scheme + 3u;
    size_t auth_end = url_authority_end(url, n, scheme);
    st = url_parse_authority(url + auth_start, auth_end - auth_start, out);
    if (st != OTA_URL_OK) {
        return st;
    }
    const char *hash = memchr(url + auth_end, '#', n - auth_end);
    size_t end = hash != NULL ? (size_t)(hash - url) : n;
    const char *question = memchr(url + auth_end, '?', end - auth_end);
    size_t path_end = question != NULL ? (size_t)(question - url) : end;
    if (path_end > auth_end) {
        out->path = url + auth_end;
        out->path_len = path_end - auth_end;
    } else {
        out->path = "/";
        out->path_len = 1;
    }
    out->query = url + path_end;
    out->query_len = end - path_end;
    return OTA_URL_OK;
}

/* ---- resolution ---------------------------------------------------------------------- */

/* Output cursor over a caller buffer; overflow is sticky and reported at the end. */
typedef struct out_buf {
    char *p;
    size_t size;
    size_t len;
    bool overflow;
} out_buf_t;

static void url_put(out_buf_t *o, const char *s, size_t n)
{
    if (o->overflow || n >= o->size - o->len) {
        o->overflow = true;
        return;
    }
    memcpy(o->p + o->len, s, n);
    o->len += n;
    o->p[o->len] = '\0';
}

/*
 * Remove "." and ".." segments (RFC 3986 5.2.4) from the path p[0..n), which starts with '/',
 * in place: the output never grows, so writing behind the read position is safe.
 * Returns the new length (at least 1: "/").
 */
static size_t url_remove_dot_segments(char *p, size_t n)
{
    size_t in = 0;
    size_t out = 0;
    while (in < n) {
        /* p[in] == '/' at the top of every iteration. */
        size_t seg = in + 1;
        size_t seg_end = seg;
        while (seg_end < n && p[seg_end] != '/') {
            seg_end++;
        }
        size_t seg_len = seg_end - seg;
        bool last = seg_end == n;
        if (seg_len == 1 && p[seg] == '.') {
            if (last) {
                p[out++] = '/';
            }
        } else if (seg_len == 2 && p[seg] == '.' && p[seg + 1] == '.') {
            while (out > 0 && p[out - 1] != '/') {
                out--;
            }
            if (out > 0) {
                out--; /* drop the '/' that began the removed segment */
            }
            if (last) {
                p[out++] = '/';
            }
        } else {
            memmove(p + out, p + in, seg_end - in);
            out += seg_end - in;
        }
        in = seg_end;
    }
    if (out == 0) {
        p[out++] = '/';
    }
    return out;
}

/* End of the part of a reference before its fragment. */
static size_t url_before_fragment(const char *s, size_t n)
{
    const char *hash = memchr(s, '#', n);
    return hash != NULL ? (size_t)(hash - s) : n;
}

ota_url_status_t ota_url_resolve(const char *base, const char *ref, char *out, size_t out_size)
{
    if (base == NULL || ref == NULL || out == NULL || out_size == 0) {
        return OTA_URL_ERR_ARG;
    }
    out[0] = '\0';
    ota_url_t b;
    ota_url_status_t st = ota_url_parse(base, &b);
    if (st != OTA_URL_OK) {
        return st;
    }
    size_t ref_n;
    st = url_check_text(ref, &ref_n);
    if (st != OTA_URL_OK) {
        return st;
    }
    ref_n = url_before_fragment(ref, ref_n);

    size_t base_n = url_bounded_len(base);
    size_t base_scheme = url_scheme_len(base, base_n);
    size_t base_auth_end = url_authority_end(base, base_n, base_scheme);
    out_buf_t o = { out, out_size, 0, false };

    if (url_scheme_len(ref, ref_n) != 0) {
        url_put(&o, ref, ref_n);                            /* absolute URL */
    } else if (ref_n >= 2 && ref[0] == '/' && ref[1] == '/') {
        url_put(&o, base, base_scheme + 1u);                /* "scheme:" + //host/path */
        url_put(&o, ref, ref_n);
    } else if (ref_n == 0) {
        url_put(&o, base, url_before_fragment(base, base_n));
    } else if (ref[0] == '?') {
        url_put(&o, base, base_auth_end);
        url_put(&o, b.path, b.path_len);
        url_put(&o, ref, ref_n);
    } else {
        url_put(&o, base, base_auth_end);
        size_t path_start = o.len;
        if (ref[0] != '/') {
            /* Merge: the base path up to and including its last '/'. */
            size_t dir = b.path_len;
            while (dir > 0 && b.path[dir - 1] != '/') {
                dir--;
            }
            url_put(&o, b.path, dir);
        }
        const char *q = memchr(ref, '?', ref_n);
        size_t ref_path_n = q != NULL ? (size_t)(q - ref) : ref_n;
        url_put(&o, ref, ref_path_n);
        if (!o.overflow) {
            o.len = path_start + url_remove_dot_segments(out + path_start, o.len - path_start);
            out[o.len] = '\0';
        }
        url_put(&o, ref + ref_path_n, ref_n - ref_path_n);
    }
    if (o.overflow) {
        out[0] = '\0';
        return OTA_URL_ERR_TOO_LONG;
    }
    ota_url_t check;
    st = ota_url_parse(out, &check);
    if (st != OTA_URL_OK) {
        out[0] = '\0';
    }
    return st;
}

const char *ota_url_status_str(ota_url_status_t status)
{
    OTA_STATUS_TEXT_OFF(status);
    switch (status) {
    case OTA_URL_OK: return "ok";
    case OTA_URL_ERR_ARG: return "bad argument";
    case OTA_URL_ERR_SCHEME: return "not an http or https URL";
    case OTA_URL_ERR_USERINFO: return "user info in URL";
    case OTA_URL_ERR_HOST: return "bad host";
    case OTA_URL_ERR_PORT: return "bad port";
    case OTA_URL_ERR_CHAR: return "bad character in URL";
    case OTA_URL_ERR_TOO_LONG: return "URL too long";
    }
    return "unknown URL status";
}
