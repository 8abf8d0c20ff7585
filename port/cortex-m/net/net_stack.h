/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The firmware's network: lwIP (NO_SYS, raw API) on the LAN9118, brought up and driven from
 * the super-loop. ota_cm_net_poll() does everything lwIP needs (received frames, timers,
 * link changes) in a bounded step; the transport (transport_lwip.h) runs over it.
 *
 * lwIP is a single instance (its state is global): one ota_cm_net_t per program.
 */
#ifndef OTAFLOW_CM_NET_STACK_H
#define OTAFLOW_CM_NET_STACK_H

#include <stdbool.h>
#include <stdint.h>

#include "lwip/netif.h"
#include "netif_lan9118.h"
#include "otaflow/port.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Frames handed to lwIP per poll at most (bounds the time one poll takes). */
#define OTA_CM_NET_FRAMES_PER_POLL 8u
/** Milliseconds between two reads of the PHY's link state. */
#define OTA_CM_NET_LINK_CHECK_MS 250u

/** Result of ota_cm_net_init(). */
typedef enum ota_cm_net_status {
    OTA_CM_NET_OK = 0,
    OTA_CM_NET_ERR_ARG = -1,    /**< NULL pointer, or init called a second time */
    OTA_CM_NET_ERR_DEVICE = -2, /**< the LAN9118 did not answer (no NIC on the machine) */
    OTA_CM_NET_ERR_DHCP = -3,   /**< lwIP could not start its DHCP client */
} ota_cm_net_status_t;

/** Configuration; all zero means: LAN9118 of the MPS2 board, DHCP. */
typedef struct ota_cm_net_config {
    uintptr_t lan9118_base; /**< 0 = OTA_LAN9118_MPS2_BASE */
    uint8_t ip[4];          /**< static address; 0.0.0.0 = DHCP */
    uint8_t netmask[4];     /**< with a static address */
    uint8_t gateway[4];     /**< with a static address */
    uint32_t rand_seed;     /**< entropy for TCP sequence numbers, local ports, DHCP ids (a
                                 device that resets must not reuse its last connection's) */
    ota_log_fn log;         /**< "net: ..." lines (link, address); may be NULL */
    void *log_ctx;
} ota_cm_net_config_t;

/** The network. Caller-owned (static: lwIP keeps pointers into it). */
typedef struct ota_cm_net {
    ota_lan9118_netif_t eth;
    struct netif netif;
    bool dhcp;
    bool link;          /**< last link state read from the PHY */
    bool announced;     /**< the address was logged since the link came up */
    uint32_t next_link_check_ms;
    ota_log_fn log;
    void *log_ctx;
} ota_cm_net_t;

/**
 * Start lwIP and the interface; DHCP (or the static address) starts once the link is up.
 * now_ms: the caller's monotonic milliseconds (lwIP's clock is the last value given here or
 * to ota_cm_net_poll).
 * @return OK; ERR_ARG; ERR_DEVICE; ERR_DHCP.
 */
ota_cm_net_status_t ota_cm_net_init(ota_cm_net_t *n, const ota_cm_net_config_t *config,
                                    uint32_t now_ms);

/** One bounded step: received frames to lwIP, link changes, lwIP's timers. Call it from
 *  the super-loop as often as possible (every pass), now_ms monotonic.
 *  @return the frames received in this step (0: the wire was quiet). */
unsigned ota_cm_net_poll(ota_cm_net_t *n, uint32_t now_ms);

/** True when the link is up and the interface has an address (what network_up reports). */
bool ota_cm_net_up(const ota_cm_net_t *n);

/** Short constant English name of a status, never NULL. */
const char *ota_cm_net_status_str(ota_cm_net_status_t status);

#ifdef __cplusplus
}
#endif

#endif /* OTAFLOW_CM_NET_STACK_H */
