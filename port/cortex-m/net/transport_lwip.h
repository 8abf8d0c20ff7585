/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Firmware transport: ota_transport_t over lwIP's raw TCP API (NO_SYS), for the agent.
 *
 * Non-blocking as port.h asks: connect starts tcp_connect and reports WOULD_BLOCK until lwIP's
 * connected callback ran (in a later ota_cm_net_poll); received segments wait as a pbuf chain
 * until recv copies them out, and only then is the window reopened (tcp_recved), so a slow
 * consumer (flash writes) slows the server down instead of losing data.
 *
 * Hosts: IPv4 literals only (lwIP's DNS is left out): a host name gives OTA_NET_ERR_DNS, an
 * IPv6 literal OTA_NET_ERR_REFUSED (no IPv6 here). No TLS on the target yet: connect with
 * tls gives OTA_NET_ERR_TLS.
 */
#ifndef OTAFLOW_CM_TRANSPORT_LWIP_H
#define OTAFLOW_CM_TRANSPORT_LWIP_H

#include <stdbool.h>
#include <stdint.h>

#include "net_stack.h"
#include "otaflow/port.h"

#ifdef __cplusplus
extern "C" {
#endif

struct tcp_pcb;
struct pbuf;

/** Where a connection is. */
typedef enum ota_lwip_conn_state {
    OTA_LWIP_IDLE = 0,    /**< no connection */
    OTA_LWIP_CONNECTING,  /**< SYN sent */
    OTA_LWIP_CONNECTED,   /**< established (the peer may have sent its FIN: peer_closed) */
    OTA_LWIP_FAILED,      /**< lwIP dropped the connection (reset, timeout): see failure */
} ota_lwip_conn_state_t;

/** One TCP connection over lwIP. Initialise with ota_lwip_transport_init(). */
typedef struct ota_lwip_transport {
    const ota_cm_net_t *net;    /**< network_up() asks it */
    struct tcp_pcb *pcb;        /**< lwIP's connection, NULL when none */
    ota_lwip_conn_state_t state;
    ota_net_status_t failure;   /**< with FAILED: what recv/send/connect report */
    struct pbuf *rx;            /**< received, not yet read (a chain) */
    bool peer_closed;           /**< FIN received: ERR_CLOSED once rx is drained */
    uint32_t connects;          /**< connections established */
    uint32_t resets;            /**< connections lost to a reset or a timeout */
} ota_lwip_transport_t;

/** Initialise: no connection; network_up() follows net. */
void ota_lwip_transport_init(ota_lwip_transport_t *t, const ota_cm_net_t *net);

/** The ota_transport_t to hand to the agent, bound to t. */
ota_transport_t ota_lwip_transport(ota_lwip_transport_t *t);

/** True when received bytes wait to be read (a caller about to sleep should not). */
bool ota_lwip_transport_pending(const ota_lwip_transport_t *t);

/** Close the connection if any (same as the close op). */
void ota_lwip_transport_close(ota_lwip_transport_t *t);

#ifdef __cplusplus
}
#endif

#endif /* OTAFLOW_CM_TRANSPORT_LWIP_H */
