/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Host transport: ota_transport_t over non-blocking BSD sockets (TCP, IPv4 and IPv6).
 *
 * connect() resolves the host with getaddrinfo(), which blocks: acceptable on a host (tests,
 * tools, the simulator), not a model for a device port. Then a non-blocking connect is started
 * on each resolved address in turn until one succeeds.
 *
 * TLS (connect with tls=true, i.e. https:// URLs): give the transport a CA bundle with
 * ota_posix_transport_set_tls() first; without it such a connect fails with OTA_NET_ERR_TLS
 * (last_tls_error = OTA_TLS_ERR_CONFIG). The TLS itself is tls_mbedtls.c, which a firmware
 * port reuses over its own sockets; this file only hands it the socket. After OTA_NET_ERR_TLS,
 * last_tls_error names the reason (unknown CA, expired, host name, pin, ...).
 *
 * Memory: the TLS state (about 40 KB with mbedTLS 2.28) is allocated by set_tls, never for a
 * transport that only speaks plain HTTP, which stays a few dozen bytes: a host program can
 * hold thousands of them (bench/fleet_sim.c, one per simulated device).
 */
#ifndef OTAFLOW_TRANSPORT_POSIX_H
#define OTAFLOW_TRANSPORT_POSIX_H

#include <stdbool.h>
#include <stdint.h>

#include "otaflow/port.h"
#include "tls_mbedtls.h"

#ifdef __cplusplus
extern "C" {
#endif

struct addrinfo;

/** One socket connection. Initialise with ota_posix_transport_init(). */
typedef struct ota_posix_transport {
    int fd;                     /**< socket, or -1 */
    bool connected;             /**< connect finished */
    bool link_up;               /**< what network_up() reports; tests flip it */
    struct addrinfo *addrs;     /**< resolved addresses while connecting (getaddrinfo list) */
    struct addrinfo *next_addr; /**< next address to try */
    int last_error;             /**< errno of the last failed attempt (for messages) */
    uint32_t connects;          /**< connections established (tests count keep-alive reuse) */
    bool tls_wanted;            /**< the connection being made or held uses TLS */
    ota_tls_status_t last_tls_error; /**< why the last connect failed with OTA_NET_ERR_TLS */
    ota_tls_t *tls;             /**< TLS configuration and session, allocated by
                                     ota_posix_transport_set_tls(); NULL: plain HTTP only */
} ota_posix_transport_t;

/** Initialise: no socket, link up, no TLS configured. */
void ota_posix_transport_init(ota_posix_transport_t *t);

/**
 * Enable https: allocate the TLS state and load the CA bundle (and pins) of config. May be
 * called again to replace it.
 * @return OTA_TLS_OK, or OTA_TLS_ERR_CONFIG / OTA_TLS_ERR_MEMORY (then TLS stays disabled and
 *         nothing stays allocated).
 */
ota_tls_status_t ota_posix_transport_set_tls(ota_posix_transport_t *t,
                                             const ota_tls_config_t *config);

/** Close and release everything, the TLS configuration included (what set_tls allocated). */
void ota_posix_transport_free(ota_posix_transport_t *t);

/** The ota_transport_t to hand to the core, bound to t. */
ota_transport_t ota_posix_transport(ota_posix_transport_t *t);

/** Block until the socket is readable or writable, or timeout_ms passed (host loops use this
 *  instead of spinning between two polls). Returns at once when there is no socket. */
void ota_posix_transport_wait(ota_posix_transport_t *t, int timeout_ms);

/** Close the socket and free the address list (same as the close op). */
void ota_posix_transport_close(ota_posix_transport_t *t);

#ifdef __cplusplus
}
#endif

#endif /* OTAFLOW_TRANSPORT_POSIX_H */
