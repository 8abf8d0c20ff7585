/* SPDX-License-Identifier: Apache-2.0 */
/*
 * IP-address server names for TLS: mbedTLS 2.28 matches a certificate's subjectAltName
 * dNSName entries (and CN) against the host, never its iPAddress entries, so https to an IP
 * literal could not succeed. This function lets tls_mbedtls.c check iPAddress entries
 * itself (RFC 5280 4.2.1.6; RFC 6125 6.2.1: an IP reference identity matches only an
 * iPAddress entry of the same octets, never a dNSName or the CN). The host is read as an
 * address by ota_url_ip_parse() (url.h), the rules the URL was checked by. No POSIX call here
 * either.
 */
#ifndef OTAFLOW_TLS_IP_SAN_H
#define OTAFLOW_TLS_IP_SAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mbedtls/x509_crt.h>

/**
 * True when crt's subjectAltName extension has an iPAddress entry equal to ip (len 4 or 16
 * octets). A certificate without the extension, or with a malformed one, matches nothing.
 */
bool ota_tls_cert_has_ip(const mbedtls_x509_crt *crt, const uint8_t *ip, size_t len);

#endif /* OTAFLOW_TLS_IP_SAN_H */
