/* SPDX-License-Identifier: Apache-2.0 */
/*
 * IP literals and the iPAddress entries of a certificate's subjectAltName (tls_ip_san.h).
 */
#include "tls_ip_san.h"

#include <string.h>

#include <mbedtls/asn1.h>
#include <mbedtls/oid.h>

/* Value of a hex digit of either case, -1 for anything else. */
static int hex_digit(char c)
{
    static const char digits[] = "0123456789abcdef";
    char lower = (c >= 'A' && c <= 'F') ? (char)(c - 'A' + 'a') : c;
    const char *at = lower != '\0' ? strchr(digits, lower) : NULL;
    return at != NULL ? (int)(at - digits) : -1;
}

/* Dotted quad at s, up to end; exactly four decimal octets without leading zeros. */
static bool parse_v4(const char *s, const char *end, uint8_t out[4])
{
    for (int i = 0; i < 4; i++) {
        if (s >= end || *s < '0' || *s > '9') {
            return false;
        }
        unsigned v = 0;
        const char *start = s;
        while (s < end && *s >= '0' && *s <= '9') {
            v = v * 10u + (unsigned)(*s - '0');
            if (v > 255u || (s != start && *start == '0')) {
                return false;
            }
            s++;
        }
        out[i] = (uint8_t)v;
        if (i < 3) {
            if (s >= end || *s != '.') {
                return false;
            }
            s++;
        }
    }
    return s == end;
}

/* IPv6 text: up to 8 groups of 1-4 hex digits, at most one "::", optionally ending in a
 * dotted quad (two groups). */
static bool parse_v6(const char *s, const char *end, uint8_t out[16])
{
    uint8_t words[16];
    size_t n = 0;  /* bytes written to words */
    long gap = -1; /* byte index of "::" */
    if (end - s >= 2 && s[0] == ':' && s[1] == ':') {
        gap = 0;
        s += 2;
    } else if (s < end && *s == ':') {
        return false;
    }
    while (s < end) {
        const char *g = s;
        unsigned v = 0;
        while (s < end && hex_digit(*s) >= 0 && s - g < 5) {
            v = v * 16u + (unsigned)hex_digit(*s);
            s++;
        }
        if (s < end && *s == '.') { /* the last 32 bits as a dotted quad */
            if (n + 4u > 16u || !parse_v4(g, end, words + n)) {
                return false;
            }
            n += 4u;
            s = end;
            break;
        }
        if (s == g || s - g > 4 || n + 2u > 16u) {
            return false;
        }
        words[n++] = (uint8_t)(v >> 8);
        words[n++] = (uint8_t)v;
        if (s == end) {
            break;
        }
        if (*s != ':') {
            return false;
        }
        s++;
        if (s < end && *s == ':') {
            if (gap >= 0) {
                return false;
            }
            gap = (long)n;
            s++;
        } else if (s == end) {
            return false; /* a trailing single colon */
        }
    }
    if (gap < 0) {
        if (n != 16u) {
            return false;
        }
        memcpy(out, words, 16);
        return true;
    }
    if (n > 14u) {
        return false; /* "::" stands for at least one group */
    }
    size_t head = (size_t)gap, tail = n - head;
    memset(out, 0, 16);
    memcpy(out, words, head);
    memcpy(out + 16u - tail, words + head, tail);
    return true;
}

size_t ota_tls_ip_parse(const char *host, uint8_t out[OTA_TLS_IP_MAX])
{
    if (host == NULL) {
        return 0;
    }
    const char *end = host + strlen(host);
    if (strchr(host, ':') != NULL) {
        return parse_v6(host, end, out) ? 16u : 0u;
    }
    return parse_v4(host, end, out) ? 4u : 0u;
}

/* In the GeneralNames at [p, end): an iPAddress ([7], primitive) equal to ip? */
static bool names_have_ip(unsigned char *p, const unsigned char *end, const uint8_t *ip,
                          size_t len)
{
    size_t seq_len;
    if (mbedtls_asn1_get_tag(&p, end, &seq_len, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) !=
            0 ||
        p + seq_len != end) {
        return false;
    }
    while (p < end) {
        unsigned char tag = *p++;
        size_t n;
        if (mbedtls_asn1_get_len(&p, end, &n) != 0) {
            return false;
        }
        if (tag == (MBEDTLS_ASN1_CONTEXT_SPECIFIC | 7) && n == len && memcmp(p, ip, len) == 0) {
            return true;
        }
        p += n;
    }
    return false;
}

bool ota_tls_cert_has_ip(const mbedtls_x509_crt *crt, const uint8_t *ip, size_t len)
{
    if (crt == NULL || ip == NULL || (len != 4u && len != 16u) || crt->v3_ext.p == NULL) {
        return false;
    }
    /* v3_ext holds the Extensions SEQUENCE (mbedTLS took off the [3] wrapper). */
    unsigned char *p = crt->v3_ext.p;
    const unsigned char *end = p + crt->v3_ext.len;
    size_t n;
    if (mbedtls_asn1_get_tag(&p, end, &n, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) != 0) {
        return false;
    }
    end = p + n;
    while (p < end) {
        size_t ext_len;
        if (mbedtls_asn1_get_tag(&p, end, &ext_len,
                                 MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) != 0) {
            return false;
        }
        const unsigned char *ext_end = p + ext_len;
        unsigned char *q = p;
        p += ext_len;
        mbedtls_x509_buf oid;
        if (mbedtls_asn1_get_tag(&q, ext_end, &oid.len, MBEDTLS_ASN1_OID) != 0) {
            return false;
        }
        oid.p = q;
        q += oid.len;
        if (MBEDTLS_OID_CMP(MBEDTLS_OID_SUBJECT_ALT_NAME, &oid) != 0) {
            continue;
        }
        int critical = 0;
        (void)mbedtls_asn1_get_bool(&q, ext_end, &critical); /* optional */
        size_t value_len;
        if (mbedtls_asn1_get_tag(&q, ext_end, &value_len, MBEDTLS_ASN1_OCTET_STRING) != 0 ||
            q + value_len != ext_end) {
            return false;
        }
        return names_have_ip(q, ext_end, ip, len);
    }
    return false;
}
