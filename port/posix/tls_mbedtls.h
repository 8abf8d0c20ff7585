/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TLS client over mbedTLS 2.28 for a transport: the part of TLS that is not POSIX-specific.
 *
 * Reusable by a firmware port as is: it lives in port/posix only because that is the one port
 * today. It has no OS dependency: bytes go through the caller's raw stream (ota_tls_io_t, e.g.
 * a non-blocking TCP socket of the device's IP stack), entropy through mbedtls_entropy_func
 * (on a device: MBEDTLS_ENTROPY_HARDWARE_ALT with the chip's TRNG), time for the certificate
 * validity check through mbedTLS's platform time (MBEDTLS_HAVE_TIME_DATE; a device without a
 * calendar clock must provide one or it cannot detect an expired certificate). Only the
 * optional ca_file needs MBEDTLS_FS_IO.
 *
 * What a connection checks (no option turns any of these off):
 *  - TLS 1.2 or newer (mbedtls_ssl_conf_min_version);
 *  - the server's chain up to a CA of the configured bundle, each certificate in its validity
 *    period (when mbedTLS knows the time), usable for a TLS server (key usage);
 *  - the server name: the host of the URL, also sent as SNI; an IP literal host (IPv4, or
 *    IPv6 without brackets) instead must equal an iPAddress entry of the subjectAltName
 *    (tls_ip_san.c: mbedTLS 2.28 does not check those) and is not sent as SNI;
 *  - when pins are configured: the SHA-256 of the server certificate's SubjectPublicKeyInfo
 *    (DER) equals one of them (on top of the chain check, not instead of it).
 *
 * Every call is non-blocking: WANT_READ / WANT_WRITE of mbedTLS come back as
 * OTA_NET_WOULD_BLOCK; the caller calls again with the same arguments.
 *
 * Memory: the configuration (CA chain, DRBG, entropy, ssl config) lives from ota_tls_init()
 * to ota_tls_free(); the connection's record buffers (about 2 x 16 KB with mbedTLS's default
 * MBEDTLS_SSL_IN/OUT_CONTENT_LEN) are allocated by ota_tls_start() and freed by
 * ota_tls_close(). mbedTLS allocates with its platform calloc; numbers in docs/https.md.
 */
#ifndef OTAFLOW_TLS_MBEDTLS_H
#define OTAFLOW_TLS_MBEDTLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

#include "otaflow/port.h"
#include "otaflow/url.h"
#include "tls_ip_san.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Size of a pin: SHA-256 of the server's SubjectPublicKeyInfo (DER). */
#define OTA_TLS_PIN_SIZE 32u
/** Pins accepted at once (the current key and the next one, for a key rollover). */
#define OTA_TLS_PINS_MAX 2u

/** Why TLS failed: the detail behind OTA_NET_ERR_TLS. */
typedef enum ota_tls_status {
    OTA_TLS_OK = 0,
    OTA_TLS_ERR_CONFIG = -1,        /**< no CA bundle, CA bundle unparsable or unreadable, bad
                                         setting (max_fragment), or TLS not configured */
    OTA_TLS_ERR_MEMORY = -2,        /**< mbedTLS could not allocate (heap too small) */
    OTA_TLS_ERR_UNKNOWN_CA = -3,    /**< the chain does not lead to a CA of the bundle */
    OTA_TLS_ERR_SELF_SIGNED = -4,   /**< the server certificate is self-signed, not in the bundle */
    OTA_TLS_ERR_EXPIRED = -5,       /**< a certificate of the chain has expired */
    OTA_TLS_ERR_NOT_YET_VALID = -6, /**< a certificate of the chain is not valid yet */
    OTA_TLS_ERR_HOSTNAME = -7,      /**< the certificate is not for the host of the URL */
    OTA_TLS_ERR_PIN = -8,           /**< the server's public key matches no configured pin */
    OTA_TLS_ERR_BAD_CHAIN = -9,     /**< any other certificate fault: bad signature, key usage,
                                         weak hash or key, missing certificate */
    OTA_TLS_ERR_HANDSHAKE = -10,    /**< protocol failure: not TLS, no common version or cipher
                                         suite (below TLS 1.2), fatal alert */
    OTA_TLS_ERR_RECORD = -11,       /**< after the handshake: corrupt record, fatal alert */
} ota_tls_status_t;

/** Settings. Start from ota_tls_config_default(); copied by ota_tls_init(). */
typedef struct ota_tls_config {
    const unsigned char *ca;        /**< CA bundle in memory: PEM (ca_len counts the final NUL,
                                         as mbedtls_x509_crt_parse wants) or one DER certificate */
    size_t ca_len;
    const char *ca_file;            /**< or a PEM/DER file (needs MBEDTLS_FS_IO); used when ca is
                                         NULL */
    uint8_t pin_count;              /**< 0: no pinning; else pins[0..pin_count-1] */
    uint8_t pins[OTA_TLS_PINS_MAX][OTA_TLS_PIN_SIZE]; /**< SHA-256 of SubjectPublicKeyInfo DER */
    uint8_t max_fragment;           /**< MBEDTLS_SSL_MAX_FRAG_LEN_* code asked of the server, or
                                         MBEDTLS_SSL_MAX_FRAG_LEN_NONE (0) */
} ota_tls_config_t;

/** The raw byte stream under TLS (a TCP socket), with port.h's transport conventions. */
typedef struct ota_tls_io {
    ota_net_status_t (*send)(void *ctx, const void *buf, size_t len, size_t *sent);
    ota_net_status_t (*recv)(void *ctx, void *buf, size_t len, size_t *received);
    void *ctx;
} ota_tls_io_t;

/** A TLS client: configuration plus at most one connection. Fields are private. */
typedef struct ota_tls {
    bool configured;                /**< ota_tls_init() succeeded */
    bool open;                      /**< ssl holds a connection (ota_tls_start() .. close) */
    bool ready;                     /**< handshake finished */
    ota_tls_status_t last_error;    /**< reason of the last OTA_NET_ERR_TLS */
    int last_ret;                   /**< the mbedTLS code behind it (for logs) */
    uint32_t verify_flags;          /**< MBEDTLS_X509_BADCERT_* of the last verification */
    bool pin_mismatch;              /**< set by the verify callback */
    bool peer_self_signed;          /**< set by the verify callback */
    bool want_write;                /**< the last WOULD_BLOCK waits to write, not to read */
    uint8_t peer_ip_len;            /**< 4 or 16 when the host is an IP literal, else 0 */
    uint8_t peer_ip[OTA_URL_IP_MAX]; /**< that address: matched against iPAddress names */
    ota_net_status_t io_status;     /**< last failure of the raw stream */
    ota_tls_io_t io;
    uint8_t pin_count;
    uint8_t pins[OTA_TLS_PINS_MAX][OTA_TLS_PIN_SIZE];
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
    mbedtls_x509_crt ca;
    mbedtls_ssl_config conf;
    mbedtls_ssl_context ssl;
} ota_tls_t;

/** Defaults: no CA (must be set), no pins, no max fragment length. */
void ota_tls_config_default(ota_tls_config_t *config);

/**
 * Load the CA bundle, seed the DRBG, prepare the TLS 1.2+ client configuration.
 * @return OTA_TLS_OK; OTA_TLS_ERR_CONFIG (no CA given, CA unparsable or unreadable, bad
 *         max_fragment, DRBG seeding failed); OTA_TLS_ERR_MEMORY. On error tls holds nothing
 *         to free (ota_tls_free() is still safe).
 */
ota_tls_status_t ota_tls_init(ota_tls_t *tls, const ota_tls_config_t *config);

/** Release everything (a connection included). Safe on a zeroed or already freed struct. */
void ota_tls_free(ota_tls_t *tls);

/**
 * Begin a connection to host over io (already connected): allocates the record buffers,
 * sets the server name. The handshake runs in ota_tls_handshake().
 * @return OTA_NET_OK; OTA_NET_ERR_TLS (see ota_tls_last_error(): CONFIG when not configured,
 *         MEMORY).
 */
ota_net_status_t ota_tls_start(ota_tls_t *tls, const char *host, const ota_tls_io_t *io);

/**
 * Advance the handshake (and the verification that is part of it).
 * @return OTA_NET_OK (done), OTA_NET_WOULD_BLOCK, OTA_NET_ERR_TLS (ota_tls_last_error() says
 *         why), or the raw stream's failure (ERR_RESET, ERR_CLOSED -> ERR_RESET, ...).
 */
ota_net_status_t ota_tls_handshake(ota_tls_t *tls);

/** Send application data (after the handshake); port.h's send contract. */
ota_net_status_t ota_tls_send(ota_tls_t *tls, const void *buf, size_t len, size_t *sent);

/** Receive application data; port.h's recv contract (ERR_CLOSED at close_notify or EOF). */
ota_net_status_t ota_tls_recv(ota_tls_t *tls, void *buf, size_t len, size_t *received);

/** Decrypted bytes waiting inside TLS (a caller that polls the socket must not wait then). */
size_t ota_tls_pending(const ota_tls_t *tls);

/** True while the handshake waits for the peer to send (false: it waits to write). */
bool ota_tls_wants_read(const ota_tls_t *tls);

/** Send close_notify (best effort, not waiting) and free the connection's buffers. The raw
 *  stream is the caller's to close. */
void ota_tls_close(ota_tls_t *tls);

/** Reason of the last OTA_NET_ERR_TLS (OTA_TLS_OK if none since ota_tls_start()). */
ota_tls_status_t ota_tls_last_error(const ota_tls_t *tls);

/** Short English name of a status ("certificate expired", ...); never NULL. */
const char *ota_tls_status_str(ota_tls_status_t status);

/** SHA-256 of the SubjectPublicKeyInfo of a certificate (PEM with its NUL, or DER): the pin
 *  to configure for a server. @return OTA_TLS_OK or OTA_TLS_ERR_CONFIG (unparsable). */
ota_tls_status_t ota_tls_pin_of_cert(const unsigned char *cert, size_t len,
                                     uint8_t pin[OTA_TLS_PIN_SIZE]);

#ifdef __cplusplus
}
#endif

#endif /* OTAFLOW_TLS_MBEDTLS_H */
