/* SPDX-License-Identifier: Apache-2.0 */
/* The team's application: otaflow::core's update agent on the team's port (a network that is
 * never up: this test only links it). */
#include <stddef.h>

#include "otaflow/agent.h"
#include "otaflow/boot.h"
#include "otaflow/store.h"
#include "port.h"

static bool net_down(void *ctx)
{
    (void)ctx;
    return false;
}

static ota_net_status_t net_connect(void *ctx, const char *host, uint16_t port, bool tls)
{
    (void)ctx;
    (void)host;
    (void)port;
    (void)tls;
    return OTA_NET_ERR_DOWN;
}

static ota_net_status_t net_io(void *ctx, const void *buf, size_t len, size_t *done)
{
    (void)ctx;
    (void)buf;
    (void)len;
    *done = 0;
    return OTA_NET_ERR_DOWN;
}

static ota_net_status_t net_recv(void *ctx, void *buf, size_t len, size_t *done)
{
    return net_io(ctx, buf, len, done);
}

static void net_close(void *ctx)
{
    (void)ctx;
}

static const ota_transport_ops_t net_ops = {net_down, net_connect, net_io, net_recv, net_close};
static ota_store_t store;
static ota_agent_t agent;

int main(void)
{
    ota_store_config_t sc = {0};
    if (ota_store_mount(&store, &team_store_flash, &sc) != OTA_STORE_OK) {
        return 1;
    }
    ota_agent_config_t cfg;
    ota_agent_config_default(&cfg);
    cfg.manifest_url = "https://updates.example.com/ota.json";
    ota_agent_ports_t ports = {.transport = {&net_ops, NULL}, .store = &store};
    if (ota_agent_init(&agent, &cfg, &ports) != OTA_AGENT_OK) {
        return 1;
    }
    (void)ota_confirm(&store, &team_internal_flash, &team_boot_config); /* healthy once started */
    for (uint32_t ms = 0;; ms += 10u) {
        ota_agent_poll(&agent, ms);
    }
}
