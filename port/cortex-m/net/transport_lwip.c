/* SPDX-License-Identifier: Apache-2.0 */
/* ota_transport_t over lwIP's raw TCP API (see transport_lwip.h). */
#include "transport_lwip.h"

#include <string.h>

#include "lwip/ip_addr.h"
#include "lwip/pbuf.h"
#include "lwip/tcp.h"
#include "otaflow/url.h"

/* lwIP has freed the pcb when it calls this: forget it, keep the reason. */
static void on_error(void *arg, err_t err)
{
    ota_lwip_transport_t *t = arg;
    (void)err;
    /* A reset answering the SYN is a refusal; any loss after that is a broken connection. */
    t->failure = t->state == OTA_LWIP_CONNECTING ? OTA_NET_ERR_REFUSED : OTA_NET_ERR_RESET;
    t->state = OTA_LWIP_FAILED;
    t->pcb = NULL;
    t->resets++;
}

static err_t on_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
    ota_lwip_transport_t *t = arg;
    (void)pcb;
    (void)err; /* always ERR_OK in lwIP 2.1 */
    t->state = OTA_LWIP_CONNECTED;
    t->connects++;
    return ERR_OK;
}

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    ota_lwip_transport_t *t = arg;
    (void)pcb;
    (void)err;
    if (p == NULL) {
        t->peer_closed = true;
        return ERR_OK;
    }
    if (t->rx == NULL) {
        t->rx = p;
    } else {
        pbuf_cat(t->rx, p); /* the window (below 64 KB) bounds the chain's u16 length */
    }
    return ERR_OK;
}

static void drop_rx(ota_lwip_transport_t *t)
{
    if (t->rx != NULL) {
        pbuf_free(t->rx);
    }
    t->rx = NULL;
}

void ota_lwip_transport_close(ota_lwip_transport_t *t)
{
    if (t->pcb != NULL) {
        struct tcp_pcb *pcb = t->pcb;
        tcp_arg(pcb, NULL);
        tcp_err(pcb, NULL);
        tcp_recv(pcb, NULL);
        if (t->state != OTA_LWIP_CONNECTED || tcp_close(pcb) != ERR_OK) {
            tcp_abort(pcb); /* a SYN in flight, or no memory for the FIN: send a RST */
        }
    }
    drop_rx(t);
    t->pcb = NULL;
    t->state = OTA_LWIP_IDLE;
    t->failure = OTA_NET_OK;
    t->peer_closed = false;
}

void ota_lwip_transport_init(ota_lwip_transport_t *t, const ota_cm_net_t *net)
{
    memset(t, 0, sizeof *t);
    t->net = net;
}

bool ota_lwip_transport_pending(const ota_lwip_transport_t *t)
{
    return t->rx != NULL;
}

static bool net_up(void *ctx)
{
    const ota_lwip_transport_t *t = ctx;
    return ota_cm_net_up(t->net);
}

static ota_net_status_t start_connect(ota_lwip_transport_t *t, const char *host, uint16_t port)
{
    uint8_t addr[OTA_URL_IP_MAX];
    size_t n = ota_url_ip_parse(host, strlen(host), addr);
    if (n == 0) {
        return OTA_NET_ERR_DNS;
    }
    if (n != 4) {
        return OTA_NET_ERR_REFUSED; /* IPv6: no route on an IPv4-only stack */
    }
    ip_addr_t ip;
    IP_ADDR4(&ip, addr[0], addr[1], addr[2], addr[3]);
    struct tcp_pcb *pcb = tcp_new_ip_type(IPADDR_TYPE_V4);
    if (pcb == NULL) {
        return OTA_NET_ERR_IO;
    }
    tcp_arg(pcb, t);
    tcp_err(pcb, on_error);
    tcp_recv(pcb, on_recv);
    t->pcb = pcb;
    t->state = OTA_LWIP_CONNECTING;
    if (tcp_connect(pcb, &ip, port, on_connected) != ERR_OK) {
        ota_lwip_transport_close(t);
        return OTA_NET_ERR_IO;
    }
    return OTA_NET_WOULD_BLOCK;
}

static ota_net_status_t net_connect(void *ctx, const char *host, uint16_t port, bool tls)
{
    ota_lwip_transport_t *t = ctx;
    if (tls) {
        return OTA_NET_ERR_TLS; /* no TLS on the target yet (docs/firmware.md) */
    }
    if (!ota_cm_net_up(t->net)) {
        return OTA_NET_ERR_DOWN;
    }
    switch (t->state) {
    case OTA_LWIP_IDLE:
        return start_connect(t, host, port);
    case OTA_LWIP_CONNECTING:
        return OTA_NET_WOULD_BLOCK;
    case OTA_LWIP_CONNECTED:
        return OTA_NET_OK;
    case OTA_LWIP_FAILED:
        break;
    }
    ota_net_status_t st = t->failure;
    ota_lwip_transport_close(t);
    return st;
}

static ota_net_status_t net_send(void *ctx, const void *buf, size_t len, size_t *sent)
{
    ota_lwip_transport_t *t = ctx;
    *sent = 0;
    if (t->state == OTA_LWIP_FAILED) {
        return t->failure;
    }
    if (t->state != OTA_LWIP_CONNECTED) {
        return OTA_NET_ERR_IO;
    }
    u16_t room = tcp_sndbuf(t->pcb); /* a u16 whatever the window scaling: fits tcp_write */
    u16_t n = len < room ? (u16_t)len : room;
    if (n == 0) {
        (void)tcp_output(t->pcb);
        return len == 0 ? OTA_NET_OK : OTA_NET_WOULD_BLOCK;
    }
    err_t err = tcp_write(t->pcb, buf, n, TCP_WRITE_FLAG_COPY);
    if (err == ERR_MEM) {
        (void)tcp_output(t->pcb);
        return OTA_NET_WOULD_BLOCK;
    }
    if (err != ERR_OK) {
        return OTA_NET_ERR_IO;
    }
    (void)tcp_output(t->pcb);
    *sent = n;
    return OTA_NET_OK;
}

static ota_net_status_t net_recv(void *ctx, void *buf, size_t len, size_t *received)
{
    ota_lwip_transport_t *t = ctx;
    *received = 0;
    if (t->rx != NULL && len > 0) {
        u16_t n = (u16_t)(len < t->rx->tot_len ? len : t->rx->tot_len);
        (void)pbuf_copy_partial(t->rx, buf, n, 0);
        t->rx = pbuf_free_header(t->rx, n); /* frees what was read, trims a partial pbuf */
        if (t->pcb != NULL) {
            tcp_recved(t->pcb, n);
        }
        *received = n;
        return OTA_NET_OK;
    }
    if (t->state == OTA_LWIP_FAILED) {
        return t->failure;
    }
    if (t->state != OTA_LWIP_CONNECTED) {
        return OTA_NET_ERR_IO;
    }
    if (t->peer_closed) {
        return len > 0 ? OTA_NET_ERR_CLOSED : OTA_NET_OK;
    }
    return OTA_NET_WOULD_BLOCK;
}

static void net_close(void *ctx)
{
    ota_lwip_transport_close(ctx);
}

static const ota_transport_ops_t lwip_ops = {
    .network_up = net_up,
    .connect = net_connect,
    .send = net_send,
    .recv = net_recv,
    .close = net_close,
};

ota_transport_t ota_lwip_transport(ota_lwip_transport_t *t)
{
    ota_transport_t tr = {&lwip_ops, t};
    return tr;
}
