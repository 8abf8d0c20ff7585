/* SPDX-License-Identifier: Apache-2.0 */
/* lwIP bring-up and the super-loop's network step (see net_stack.h). */
#include "net_stack.h"

#include "lwip/dhcp.h"
#include "lwip/init.h"
#include "lwip/ip4_addr.h"
#include "lwip/sys.h"
#include "lwip/timeouts.h"
#include "netif/ethernet.h"

/* lwIP's clock (sys_now) and random source: its state is global, so are these. */
static uint32_t g_now_ms;
static uint32_t g_rand_state = 0x6f746166u;
static bool g_lwip_started;

uint32_t sys_now(void)
{
    return g_now_ms;
}

/* xorshift32: enough to spread sequence numbers and ports, not a cryptographic source. */
uint32_t ota_cm_net_rand(void)
{
    uint32_t x = g_rand_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    g_rand_state = x;
    return x;
}

static void say(const ota_cm_net_t *n, const char *line)
{
    if (n->log != NULL) {
        n->log(n->log_ctx, line);
    }
}

static bool is_zero(const uint8_t a[4])
{
    return (a[0] | a[1] | a[2] | a[3]) == 0;
}

static void to_ip4(ip4_addr_t *out, const uint8_t a[4])
{
    IP4_ADDR(out, a[0], a[1], a[2], a[3]);
}

ota_cm_net_status_t ota_cm_net_init(ota_cm_net_t *n, const ota_cm_net_config_t *config,
                                    uint32_t now_ms)
{
    if (n == NULL || config == NULL || g_lwip_started) {
        return OTA_CM_NET_ERR_ARG;
    }
    *n = (ota_cm_net_t){.log = config->log, .log_ctx = config->log_ctx};
    g_now_ms = now_ms;
    if (config->rand_seed != 0) {
        g_rand_state ^= config->rand_seed;
        if (g_rand_state == 0) {
            g_rand_state = 1; /* xorshift's one fixed point */
        }
    }
    n->eth.base = config->lan9118_base != 0 ? config->lan9118_base : OTA_LAN9118_MPS2_BASE;
    lwip_init();
    g_lwip_started = true;

    ip4_addr_t ip, mask, gw;
    n->dhcp = is_zero(config->ip);
    to_ip4(&ip, n->dhcp ? (const uint8_t[4]){0, 0, 0, 0} : config->ip);
    to_ip4(&mask, config->netmask);
    to_ip4(&gw, config->gateway);
    if (netif_add(&n->netif, &ip, &mask, &gw, &n->eth, ota_lan9118_netif_init,
                  ethernet_input) == NULL) {
        return OTA_CM_NET_ERR_DEVICE;
    }
    netif_set_default(&n->netif);
    netif_set_up(&n->netif);
    if (n->dhcp && dhcp_start(&n->netif) != ERR_OK) {
        return OTA_CM_NET_ERR_DHCP;
    }
    n->next_link_check_ms = now_ms;
    return OTA_CM_NET_OK;
}

static void check_link(ota_cm_net_t *n)
{
    bool link = ota_lan9118_link_up(&n->eth.dev);
    if (link == n->link) {
        return;
    }
    n->link = link;
    if (link) {
        netif_set_link_up(&n->netif); /* (re)starts DHCP discovery */
        say(n, "net: link up");
    } else {
        netif_set_link_down(&n->netif);
        n->announced = false;
        say(n, "net: link down");
    }
}

static void announce_address(ota_cm_net_t *n)
{
    if (n->announced || !ota_cm_net_up(n)) {
        return;
    }
    n->announced = true;
    char line[48];
    const char *parts[] = {"net: address ", ip4addr_ntoa(netif_ip4_addr(&n->netif)),
                           n->dhcp ? " (dhcp)" : " (static)"};
    size_t len = 0;
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        for (const char *c = parts[i]; *c != '\0' && len + 1 < sizeof line; c++) {
            line[len++] = *c;
        }
    }
    line[len] = '\0';
    say(n, line);
}

unsigned ota_cm_net_poll(ota_cm_net_t *n, uint32_t now_ms)
{
    g_now_ms = now_ms;
    if ((int32_t)(now_ms - n->next_link_check_ms) >= 0) {
        n->next_link_check_ms = now_ms + OTA_CM_NET_LINK_CHECK_MS;
        check_link(n);
    }
    unsigned frames = ota_lan9118_netif_poll(&n->netif, OTA_CM_NET_FRAMES_PER_POLL);
    sys_check_timeouts();
    announce_address(n);
    return frames;
}

bool ota_cm_net_up(const ota_cm_net_t *n)
{
    return n->link && netif_is_up(&n->netif) && netif_is_link_up(&n->netif) &&
           !ip4_addr_isany_val(*netif_ip4_addr(&n->netif));
}

const char *ota_cm_net_status_str(ota_cm_net_status_t status)
{
    switch (status) {
    case OTA_CM_NET_OK:
        return "ok";
    case OTA_CM_NET_ERR_ARG:
        return "bad argument or network already started";
    case OTA_CM_NET_ERR_DEVICE:
        return "no Ethernet controller";
    case OTA_CM_NET_ERR_DHCP:
        return "DHCP client could not start";
    }
    return "unknown network status";
}
