/*
 * Host transport: ota_transport_t over non-blocking BSD sockets (TCP, IPv4 and IPv6).
 *
 * connect() resolves the host with getaddrinfo(), which blocks: acceptable on a host (tests,
 * tools, the simulator), not a model for a device port. Then a non-blocking connect is started
 * on each resolved address in turn until one succeeds. TLS is not implemented yet (issue 6):
 * connect with tls=true returns OTA_NET_ERR_TLS.
 */
#ifndef OTAFLOW_TRANSPORT_POSIX_H
#define OTAFLOW_TRANSPORT_POSIX_H

#include <stdbool.h>
#include <stdint.h>

#include "otaflow/port.h"

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
} ota_posix_transport_t;

/** Initialise: no socket, link up. */
void ota_posix_transport_init(ota_posix_transport_t *t);

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
