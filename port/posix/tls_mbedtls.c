/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TLS client over mbedTLS 2.28 (see tls_mbedtls.h). No POSIX call in this file: a firmware
 * port compiles it unchanged and hands it its own raw stream.
 */
#include "tls_mbedtls.h"

#include <string.h>

#include <mbedtls/net_sockets.h> /* MBEDTLS_ERR_NET_* constants only */
#include <mbedtls/sha256.h>

static const char drbg_personalisation[] = "otaflow tls";

void ota_tls_config_default(ota_tls_config_t *config)
{
    memset(config, 0, sizeof *config);
    config->max_fragment = MBEDTLS_SSL_MAX_FRAG_LEN_NONE;
}

/* ---- raw stream under mbedTLS ------------------------------------------------------------ */

/* mbedTLS BIO callbacks: the context is the ota_tls_t, whose io holds the caller's stream. A
 * failure of the stream is remembered so the caller sees RESET/REFUSED, not a TLS error. */
static int bio_send(void *ctx, const unsigned char *buf, size_t len)
{
    ota_tls_t *tls = ctx;
    size_t sent = 0;
    ota_net_status_t st = tls->io.send(tls->io.ctx, buf, len, &sent);
    if (st == OTA_NET_OK && sent > 0) {
        return (int)(sent <= len ? sent : len);
    }
    if (st == OTA_NET_OK || st == OTA_NET_WOULD_BLOCK) {
        return MBEDTLS_ERR_SSL_WANT_WRITE;
    }
    tls->io_status = st;
    return MBEDTLS_ERR_NET_SEND_FAILED;
}

static int bio_recv(void *ctx, unsigned char *buf, size_t len)
{
    ota_tls_t *tls = ctx;
    size_t got = 0;
    ota_net_status_t st = tls->io.recv(tls->io.ctx, buf, len, &got);
    if (st == OTA_NET_OK && got > 0) {
        return (int)(got <= len ? got : len);
    }
    if (st == OTA_NET_OK || st == OTA_NET_WOULD_BLOCK) {
        return MBEDTLS_ERR_SSL_WANT_READ;
    }
    if (st == OTA_NET_ERR_CLOSED) {
        return 0; /* end of stream: mbedTLS reports CONN_EOF */
    }
    tls->io_status = st;
    return MBEDTLS_ERR_NET_RECV_FAILED;
}

/* ---- verification ------------------------------------------------------------------------ */

static bool pin_matches(const ota_tls_t *tls, const mbedtls_x509_crt *crt)
{
    uint8_t digest[OTA_TLS_PIN_SIZE];
    if (mbedtls_sha256_ret(crt->pk_raw.p, crt->pk_raw.len, digest, 0) != 0) {
        return false;
    }
    for (uint8_t i = 0; i < tls->pin_count; i++) {
        if (memcmp(digest, tls->pins[i], OTA_TLS_PIN_SIZE) == 0) {
            return true;
        }
    }
    return false;
}

/* Called by mbedTLS for each certificate of the chain, after its own checks. Depth 0 is the
 * server's certificate: note whether it signed itself (to name the failure), match an IP
 * literal host against its iPAddress names and check the pin.
 * A pin mismatch fails the handshake before any application byte is exchanged. */
static int verify_cb(void *ctx, mbedtls_x509_crt *crt, int depth, uint32_t *flags)
{
    ota_tls_t *tls = ctx;
    if (depth != 0) {
        return 0;
    }
    tls->peer_self_signed = crt->issuer_raw.len == crt->subject_raw.len &&
                            memcmp(crt->issuer_raw.p, crt->subject_raw.p, crt->subject_raw.len) == 0;
    if (tls->peer_ip_len != 0 && !ota_tls_cert_has_ip(crt, tls->peer_ip, tls->peer_ip_len)) {
        *flags |= MBEDTLS_X509_BADCERT_CN_MISMATCH; /* mbedTLS 2.28 does not check IP names */
    }
    if (tls->pin_count > 0 && !pin_matches(tls, crt)) {
        tls->pin_mismatch = true;
        *flags |= MBEDTLS_X509_BADCERT_OTHER;
    }
    return 0;
}

/* The most useful single name for a set of verification flags: trust first (nothing else
 * matters in an untrusted chain), then time, then name, then the pin. */
static ota_tls_status_t from_verify_flags(const ota_tls_t *tls, uint32_t flags)
{
    if (flags & MBEDTLS_X509_BADCERT_NOT_TRUSTED) {
        return tls->peer_self_signed ? OTA_TLS_ERR_SELF_SIGNED : OTA_TLS_ERR_UNKNOWN_CA;
    }
    if (flags & MBEDTLS_X509_BADCERT_EXPIRED) {
        return OTA_TLS_ERR_EXPIRED;
    }
    if (flags & MBEDTLS_X509_BADCERT_FUTURE) {
        return OTA_TLS_ERR_NOT_YET_VALID;
    }
    if (flags & MBEDTLS_X509_BADCERT_CN_MISMATCH) {
        return OTA_TLS_ERR_HOSTNAME;
    }
    if (tls->pin_mismatch && flags == MBEDTLS_X509_BADCERT_OTHER) {
        return OTA_TLS_ERR_PIN;
    }
    return OTA_TLS_ERR_BAD_CHAIN;
}

static bool is_alloc_failure(int ret)
{
    return ret == MBEDTLS_ERR_SSL_ALLOC_FAILED || ret == MBEDTLS_ERR_X509_ALLOC_FAILED ||
           ret == MBEDTLS_ERR_MPI_ALLOC_FAILED || ret == MBEDTLS_ERR_ECP_ALLOC_FAILED ||
           ret == MBEDTLS_ERR_PK_ALLOC_FAILED;
}

static ota_net_status_t tls_fail(ota_tls_t *tls, ota_tls_status_t why, int ret)
{
    tls->last_error = why;
    tls->last_ret = ret;
    return OTA_NET_ERR_TLS;
}

/* Map what an mbedTLS call returned (ret <= 0) to the transport's status. */
static ota_net_status_t from_mbedtls(ota_tls_t *tls, int ret, ota_tls_status_t otherwise)
{
    if (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE ||
        ret == MBEDTLS_ERR_SSL_ASYNC_IN_PROGRESS || ret == MBEDTLS_ERR_SSL_CRYPTO_IN_PROGRESS) {
        tls->want_write = ret == MBEDTLS_ERR_SSL_WANT_WRITE;
        return OTA_NET_WOULD_BLOCK;
    }
    if (tls->io_status != OTA_NET_OK) {
        return tls->io_status; /* the network failed, not TLS */
    }
    if (ret == 0 || ret == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY || ret == MBEDTLS_ERR_SSL_CONN_EOF) {
        return OTA_NET_ERR_CLOSED;
    }
    if (is_alloc_failure(ret)) {
        return tls_fail(tls, OTA_TLS_ERR_MEMORY, ret);
    }
    return tls_fail(tls, otherwise, ret);
}

/* ---- configuration ----------------------------------------------------------------------- */

static int load_ca(ota_tls_t *tls, const ota_tls_config_t *config)
{
    if (config->ca != NULL && config->ca_len > 0) {
        return mbedtls_x509_crt_parse(&tls->ca, config->ca, config->ca_len);
    }
#if defined(MBEDTLS_FS_IO)
    if (config->ca_file != NULL) {
        return mbedtls_x509_crt_parse_file(&tls->ca, config->ca_file);
    }
#endif
    return MBEDTLS_ERR_X509_BAD_INPUT_DATA;
}

ota_tls_status_t ota_tls_init(ota_tls_t *tls, const ota_tls_config_t *config)
{
    memset(tls, 0, sizeof *tls);
    if (config == NULL || config->pin_count > OTA_TLS_PINS_MAX ||
        config->max_fragment >= MBEDTLS_SSL_MAX_FRAG_LEN_INVALID) {
        tls->last_error = OTA_TLS_ERR_CONFIG;
        return OTA_TLS_ERR_CONFIG;
    }
    mbedtls_entropy_init(&tls->entropy);
    mbedtls_ctr_drbg_init(&tls->drbg);
    mbedtls_x509_crt_init(&tls->ca);
    mbedtls_ssl_config_init(&tls->conf);
    mbedtls_ssl_init(&tls->ssl);
    tls->configured = true; /* from here ota_tls_free() has something to release */

    ota_tls_status_t why = OTA_TLS_ERR_CONFIG;
    /* A bundle of which some certificates parse returns > 0: accept it only if none failed. */
    int ret = load_ca(tls, config);
    if (ret == 0) {
        ret = mbedtls_ctr_drbg_seed(&tls->drbg, mbedtls_entropy_func, &tls->entropy,
                                    (const unsigned char *)drbg_personalisation,
                                    sizeof drbg_personalisation - 1u);
    }
    if (ret == 0) {
        ret = mbedtls_ssl_config_defaults(&tls->conf, MBEDTLS_SSL_IS_CLIENT,
                                          MBEDTLS_SSL_TRANSPORT_STREAM, MBEDTLS_SSL_PRESET_DEFAULT);
    }
    if (ret == 0 && config->max_fragment != MBEDTLS_SSL_MAX_FRAG_LEN_NONE) {
        ret = mbedtls_ssl_conf_max_frag_len(&tls->conf, config->max_fragment);
    }
    if (ret != 0) {
        if (is_alloc_failure(ret)) {
            why = OTA_TLS_ERR_MEMORY;
        }
        ota_tls_free(tls);
        tls->last_error = why;
        tls->last_ret = ret;
        return why;
    }
    mbedtls_ssl_conf_min_version(&tls->conf, MBEDTLS_SSL_MAJOR_VERSION_3,
                                 MBEDTLS_SSL_MINOR_VERSION_3); /* TLS 1.2 */
    mbedtls_ssl_conf_authmode(&tls->conf, MBEDTLS_SSL_VERIFY_REQUIRED);
    mbedtls_ssl_conf_ca_chain(&tls->conf, &tls->ca, NULL);
    mbedtls_ssl_conf_rng(&tls->conf, mbedtls_ctr_drbg_random, &tls->drbg);
    mbedtls_ssl_conf_verify(&tls->conf, verify_cb, tls);
    tls->pin_count = config->pin_count;
    memcpy(tls->pins, config->pins, sizeof tls->pins);
    return OTA_TLS_OK;
}

void ota_tls_free(ota_tls_t *tls)
{
    if (!tls->configured) {
        return;
    }
    ota_tls_close(tls);
    mbedtls_ssl_free(&tls->ssl);
    mbedtls_ssl_config_free(&tls->conf);
    mbedtls_x509_crt_free(&tls->ca);
    mbedtls_ctr_drbg_free(&tls->drbg);
    mbedtls_entropy_free(&tls->entropy);
    tls->configured = false;
}

/* ---- connection -------------------------------------------------------------------------- */

ota_net_status_t ota_tls_start(ota_tls_t *tls, const char *host, const ota_tls_io_t *io)
{
    ota_tls_close(tls);
    tls->last_error = OTA_TLS_OK;
    tls->last_ret = 0;
    tls->verify_flags = 0;
    tls->pin_mismatch = false;
    tls->peer_self_signed = false;
    tls->want_write = false;
    tls->io_status = OTA_NET_OK;
    if (!tls->configured) {
        return tls_fail(tls, OTA_TLS_ERR_CONFIG, 0);
    }
    tls->io = *io;
    mbedtls_ssl_init(&tls->ssl);
    int ret = mbedtls_ssl_setup(&tls->ssl, &tls->conf); /* allocates the record buffers */
    /* An IP literal is no host name: not sent as SNI (RFC 6066 3), and matched by the verify
     * callback against iPAddress names, never against DNS names or the CN (RFC 6125 6.2.1). */
    tls->peer_ip_len = (uint8_t)ota_url_ip_parse(host, strlen(host), tls->peer_ip);
    if (ret == 0) {
        ret = mbedtls_ssl_set_hostname(&tls->ssl, tls->peer_ip_len != 0 ? NULL : host);
    }
    if (ret != 0) {
        mbedtls_ssl_free(&tls->ssl);
        return tls_fail(tls, is_alloc_failure(ret) ? OTA_TLS_ERR_MEMORY : OTA_TLS_ERR_CONFIG, ret);
    }
    mbedtls_ssl_set_bio(&tls->ssl, tls, bio_send, bio_recv, NULL);
    tls->open = true;
    return OTA_NET_OK;
}

ota_net_status_t ota_tls_handshake(ota_tls_t *tls)
{
    if (!tls->open) {
        return tls_fail(tls, OTA_TLS_ERR_CONFIG, 0);
    }
    if (tls->ready) {
        return OTA_NET_OK;
    }
    int ret = mbedtls_ssl_handshake(&tls->ssl);
    if (ret == 0) {
        tls->ready = true;
        return OTA_NET_OK;
    }
    if (ret == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED) {
        tls->verify_flags = mbedtls_ssl_get_verify_result(&tls->ssl);
        return tls_fail(tls, from_verify_flags(tls, tls->verify_flags), ret);
    }
    ota_net_status_t st = from_mbedtls(tls, ret, OTA_TLS_ERR_HANDSHAKE);
    /* A peer that hangs up mid-handshake (a plain HTTP server answering 400, a server that
     * refuses our versions) broke the connection: for the caller that is a TLS failure. */
    return st == OTA_NET_ERR_CLOSED ? tls_fail(tls, OTA_TLS_ERR_HANDSHAKE, ret) : st;
}

ota_net_status_t ota_tls_send(ota_tls_t *tls, const void *buf, size_t len, size_t *sent)
{
    *sent = 0;
    if (!tls->ready) {
        return OTA_NET_ERR_IO;
    }
    int ret = mbedtls_ssl_write(&tls->ssl, buf, len);
    if (ret >= 0) {
        *sent = (size_t)ret;
        return OTA_NET_OK;
    }
    ota_net_status_t st = from_mbedtls(tls, ret, OTA_TLS_ERR_RECORD);
    return st == OTA_NET_ERR_CLOSED ? OTA_NET_ERR_RESET : st;
}

ota_net_status_t ota_tls_recv(ota_tls_t *tls, void *buf, size_t len, size_t *received)
{
    *received = 0;
    if (!tls->ready) {
        return OTA_NET_ERR_IO;
    }
    if (len == 0) {
        return OTA_NET_OK;
    }
    int ret = mbedtls_ssl_read(&tls->ssl, buf, len);
    if (ret > 0) {
        *received = (size_t)ret;
        return OTA_NET_OK;
    }
    return from_mbedtls(tls, ret, OTA_TLS_ERR_RECORD);
}

size_t ota_tls_pending(const ota_tls_t *tls)
{
    return tls->ready ? mbedtls_ssl_get_bytes_avail(&tls->ssl) : 0u;
}

bool ota_tls_wants_read(const ota_tls_t *tls)
{
    return !tls->want_write;
}

void ota_tls_close(ota_tls_t *tls)
{
    if (!tls->open) {
        return;
    }
    if (tls->ready && tls->io_status == OTA_NET_OK) {
        (void)mbedtls_ssl_close_notify(&tls->ssl); /* one try: never waits */
    }
    mbedtls_ssl_free(&tls->ssl);
    tls->open = false;
    tls->ready = false;
}

ota_tls_status_t ota_tls_last_error(const ota_tls_t *tls)
{
    return tls->last_error;
}

ota_tls_status_t ota_tls_pin_of_cert(const unsigned char *cert, size_t len,
                                     uint8_t pin[OTA_TLS_PIN_SIZE])
{
    mbedtls_x509_crt crt;
    mbedtls_x509_crt_init(&crt);
    int ret = mbedtls_x509_crt_parse(&crt, cert, len);
    if (ret == 0) {
        ret = mbedtls_sha256_ret(crt.pk_raw.p, crt.pk_raw.len, pin, 0);
    }
    mbedtls_x509_crt_free(&crt);
    return ret == 0 ? OTA_TLS_OK : OTA_TLS_ERR_CONFIG;
}

const char *ota_tls_status_str(ota_tls_status_t status)
{
    switch (status) {
    case OTA_TLS_OK: return "ok";
    case OTA_TLS_ERR_CONFIG: return "TLS not configured (CA bundle missing or unusable)";
    case OTA_TLS_ERR_MEMORY: return "out of memory for TLS";
    case OTA_TLS_ERR_UNKNOWN_CA: return "certificate from an unknown CA";
    case OTA_TLS_ERR_SELF_SIGNED: return "self-signed certificate";
    case OTA_TLS_ERR_EXPIRED: return "certificate expired";
    case OTA_TLS_ERR_NOT_YET_VALID: return "certificate not yet valid";
    case OTA_TLS_ERR_HOSTNAME: return "certificate is for another host name";
    case OTA_TLS_ERR_PIN: return "server key does not match the pin";
    case OTA_TLS_ERR_BAD_CHAIN: return "invalid certificate chain";
    case OTA_TLS_ERR_HANDSHAKE: return "TLS handshake failed";
    case OTA_TLS_ERR_RECORD: return "TLS record error";
    }
    return "unknown TLS status";
}
