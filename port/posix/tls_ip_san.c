/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The iPAddress entries of a certificate's subjectAltName (tls_ip_san.h).
 */
#include "tls_ip_san.h"

#include <string.h>

#include <mbedtls/asn1.h>
#include <mbedtls/oid.h>

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
