/* SPDX-License-Identifier: Apache-2.0 */
/*
 * IP-address server names for TLS: mbedTLS 2.28 matches a certificate's subjectAltName
 * dNSName entries (and CN) against the host, never its iPAddress entries, so https to an IP
 * literal could not succeed. These two functions let tls_mbedtls.c check iPAddress entries
 * itself (RFC 5280 4.2.1.6; RFC 6125 6.2.1: an IP reference identity matches only an
 * iPAddress entry of the same octets, never a dNSName or the CN). No POSIX call here either.
 */
#ifndef OTAFLOW_TLS_IP_SAN_H
#define OTAFLOW_TLS_IP_SAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mbedtls/x509_crt.h>

/** Bytes of the largest address (IPv6). */
#define OTA_TLS_IP_MAX 16u

/**
 * Parse host as an IP literal: IPv4 dotted quad ("127.0.0.1") or IPv6 without brackets
 * ("::1", "fe80::1:2", "::ffff:10.0.0.1"; no zone id).
 * @return the address length (4 or 16) with the octets in out, or 0 when host is not an IP
 *         literal (a host name).
 */
size_t ota_tls_ip_parse(const char *host, uint8_t out[OTA_TLS_IP_MAX]);

/**
 * True when crt's subjectAltName extension has an iPAddress entry equal to ip (len 4 or 16
 * octets). A certificate without the extension, or with a malformed one, matches nothing.
 */
bool ota_tls_cert_has_ip(const mbedtls_x509_crt *crt, const uint8_t *ip, size_t len);

#endif /* OTAFLOW_TLS_IP_SAN_H */
