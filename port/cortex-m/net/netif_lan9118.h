/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lwIP network interface over the polled LAN9118 driver: frames are copied between lwIP's
 * pbufs and two word-aligned frame buffers of this struct (one receive, one transmit).
 */
#ifndef OTAFLOW_CM_NETIF_LAN9118_H
#define OTAFLOW_CM_NETIF_LAN9118_H

#include "lan9118.h"
#include "lwip/netif.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The interface: the controller and its transmit frame buffer. Give it to netif_add as state. */
typedef struct ota_lan9118_netif {
    ota_lan9118_t dev; /**< initialised by ota_lan9118_netif_init (base set by the caller) */
    uintptr_t base;    /**< register block, set before netif_add */
    uint32_t rx_no_pbuf; /**< frames dropped for want of a pool buffer (also in dev.rx_errors) */
    uint32_t tx_buf[OTA_LAN9118_FRAME_MAX / 4];
} ota_lan9118_netif_t;

/** netif_add's init function: starts the controller (ERR_IF if it does not answer) and
 *  fills in the netif (Ethernet, MTU 1500, broadcast and ARP). netif->state is the
 *  ota_lan9118_netif_t. */
err_t ota_lan9118_netif_init(struct netif *netif);

/** Hand up to max_frames received frames to lwIP. @return the frames handed over. */
unsigned ota_lan9118_netif_poll(struct netif *netif, unsigned max_frames);

#ifdef __cplusplus
}
#endif

#endif /* OTAFLOW_CM_NETIF_LAN9118_H */
