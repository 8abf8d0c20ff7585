/* SPDX-License-Identifier: Apache-2.0 */
/* lwIP netif over the LAN9118 (see netif_lan9118.h). */
#include "netif_lan9118.h"

#include "lwip/etharp.h"
#include "lwip/pbuf.h"
#include "netif/ethernet.h"

static err_t linkoutput(struct netif *netif, struct pbuf *p)
{
    ota_lan9118_netif_t *e = netif->state;
    if (p->tot_len > sizeof e->tx_buf) {
        return ERR_ARG;
    }
    (void)pbuf_copy_partial(p, e->tx_buf, p->tot_len, 0);
    ota_lan9118_status_t st = ota_lan9118_send(&e->dev, e->tx_buf, p->tot_len);
    /* A full FIFO loses this frame like a busy wire would: TCP retransmits it. */
    return st == OTA_LAN9118_OK ? ERR_OK : ERR_IF;
}

err_t ota_lan9118_netif_init(struct netif *netif)
{
    ota_lan9118_netif_t *e = netif->state;
    if (ota_lan9118_init(&e->dev, e->base) != OTA_LAN9118_OK) {
        return ERR_IF;
    }
    netif->name[0] = 'e';
    netif->name[1] = 'n';
    netif->output = etharp_output;
    netif->linkoutput = linkoutput;
    netif->mtu = 1500;
    netif->hwaddr_len = ETH_HWADDR_LEN;
    for (unsigned i = 0; i < ETH_HWADDR_LEN; i++) {
        netif->hwaddr[i] = e->dev.mac[i];
    }
    netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET;
    return ERR_OK;
}

unsigned ota_lan9118_netif_poll(struct netif *netif, unsigned max_frames)
{
    ota_lan9118_netif_t *e = netif->state;
    unsigned n = 0;
    while (n < max_frames && ota_lan9118_rx_waiting(&e->dev)) {
        /* One pool buffer holds a whole frame (lwipopts.h): the FIFO is read straight into
         * it, 4-byte aligned. Without one, the frame is still drained, into nothing. */
        struct pbuf *p = pbuf_alloc(PBUF_RAW, OTA_LAN9118_FRAME_MAX, PBUF_POOL);
        int32_t len = ota_lan9118_receive(&e->dev, p != NULL ? p->payload : NULL,
                                          p != NULL ? OTA_LAN9118_FRAME_MAX : 0);
        n++;
        if (p == NULL) {
            e->rx_no_pbuf++;
            continue;
        }
        if (len <= 0) {
            pbuf_free(p);
            continue;
        }
        pbuf_realloc(p, (u16_t)len);
        if (netif->input(p, netif) != ERR_OK) {
            pbuf_free(p);
        }
    }
    return n;
}
