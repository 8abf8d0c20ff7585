/* SPDX-License-Identifier: Apache-2.0 */
/* One simulated device of the fleet (see fleet_device.h). */
#include "fleet_device.h"

#include <stdio.h>
#include <string.h>

/* A small NOR part: the SST26VF032B's rules and timings on 64 KB. */
static const ota_flash_geometry_t fleet_flash_geometry = {
    .size = FLEET_FLASH_SIZE,
    .erase_unit = 4096u,
    .block_size = 0,
    .program_unit = 16u,
    .page_size = 256u,
    .erased_value = 0xFF,
};

/* ---- the counting layer between the agent and the socket -------------------------------- */

static ota_transport_t fleet_inner(fleet_device_t *d)
{
    return ota_posix_transport(&d->sock);
}

static void fleet_count_closed(fleet_device_t *d)
{
    if (d->counted_open) {
        d->counted_open = false;
        fleet_stats_closed(d->common->stats);
    }
}

static bool fleet_net_up(void *ctx)
{
    ota_transport_t in = fleet_inner(ctx);
    return in.ops->network_up(in.ctx);
}

static ota_net_status_t fleet_net_connect(void *ctx, const char *host, uint16_t port, bool tls)
{
    fleet_device_t *d = ctx;
    ota_transport_t in = fleet_inner(d);
    ota_net_status_t st = in.ops->connect(in.ctx, host, port, tls);
    if (st == OTA_NET_OK && !d->counted_open) {
        d->counted_open = true;
        d->request_next = true;
        fleet_stats_opened(d->common->stats, d->now_ms);
    }
    return st;
}

static ota_net_status_t fleet_net_send(void *ctx, const void *buf, size_t len, size_t *sent)
{
    fleet_device_t *d = ctx;
    ota_transport_t in = fleet_inner(d);
    ota_net_status_t st = in.ops->send(in.ctx, buf, len, sent);
    fleet_second_t *sec = fleet_stats_at(d->common->stats, d->now_ms);
    if (*sent > 0u && d->request_next) {
        /* The first bytes after a response (or a new connection) start a request. */
        sec->requests++;
        d->request_next = false;
    }
    sec->bytes_out += *sent;
    return st;
}

static ota_net_status_t fleet_net_recv(void *ctx, void *buf, size_t len, size_t *received)
{
    fleet_device_t *d = ctx;
    ota_transport_t in = fleet_inner(d);
    ota_net_status_t st = in.ops->recv(in.ctx, buf, len, received);
    if (*received > 0u) {
        fleet_stats_at(d->common->stats, d->now_ms)->bytes_in += *received;
        d->request_next = true;
    }
    return st;
}

static void fleet_net_close(void *ctx)
{
    fleet_device_t *d = ctx;
    ota_transport_t in = fleet_inner(d);
    in.ops->close(in.ctx);
    fleet_count_closed(d);
}

static const ota_transport_ops_t fleet_net_ops = {
    .network_up = fleet_net_up,
    .connect = fleet_net_connect,
    .send = fleet_net_send,
    .recv = fleet_net_recv,
    .close = fleet_net_close,
};

/* ---- events and the reset port ------------------------------------------------------------ */

static void fleet_on_event(void *user, const ota_event_t *e)
{
    fleet_device_t *d = user;
    fleet_second_t *sec = fleet_stats_at(d->common->stats, d->now_ms);
    switch (e->type) {
    case OTA_EVT_CHECK_STARTED:
        sec->checks++;
        break;
    case OTA_EVT_CHECK_FAILED:
        sec->check_failures++;
        fleet_stats_failed(d->common->stats, e->reason, e->http_status);
        break;
    case OTA_EVT_DOWNLOAD_STARTED:
        sec->downloads++;
        break;
    case OTA_EVT_DOWNLOAD_FAILED:
    case OTA_EVT_VERIFY_FAILED:
        sec->download_failures++;
        fleet_stats_failed(d->common->stats, e->reason, e->http_status);
        break;
    case OTA_EVT_REPORT_SENT:
        sec->reports++;
        break;
    case OTA_EVT_REPORT_FAILED:
        sec->report_failures++;
        break;
    case OTA_EVT_RESET_PENDING:
        if (!d->taken) {
            d->taken = true;
            sec->taken++;
        }
        break;
    default:
        break;
    }
}

static void fleet_on_reset(void *ctx)
{
    ((fleet_device_t *)ctx)->boot_requested = true;
}

/* ---- power on, boot ---------------------------------------------------------------------- */

static const ota_store_config_t fleet_store_config = {
    .slot_size = FLEET_SLOT_SIZE,
    .download_slots = 2,
};

static bool fleet_fail(const fleet_device_t *d, const char *what, int code)
{
    fprintf(stderr, "fleet: %s: %s failed (%d)\n", d->id, what, code);
    return false;
}

/* Start the agent on the running version (power on). */
static bool fleet_agent_start(fleet_device_t *d)
{
    const fleet_common_t *c = d->common;
    ota_agent_config_t cfg;
    ota_agent_config_default(&cfg);
    cfg.manifest_url = c->manifest_url;
    cfg.running_version = d->running_version;
    cfg.period_s = c->period_s;
    cfg.retry_first_s = c->retry_first_s;
    cfg.retry_max_s = c->retry_max_s;
    cfg.on_event = fleet_on_event;
    cfg.event_user = d;
    cfg.device_id = d->id;
    cfg.report_url = c->report_url;
    cfg.first_check_jitter_s = c->first_check_jitter_s;
    ota_agent_ports_t ports = {
        .transport = {&fleet_net_ops, d},
        .store = &d->store,
        .reset = fleet_on_reset,
        .reset_ctx = d,
        .random32 = c->no_jitter ? NULL : ota_agent_xorshift32,
        .random_ctx = &d->random_state,
    };
    ota_agent_status_t st = ota_agent_init(&d->agent, &cfg, &ports);
    return st == OTA_AGENT_OK || fleet_fail(d, "ota_agent_init", st);
}

bool fleet_device_open(fleet_device_t *d, uint32_t index, const fleet_common_t *common)
{
    memset(d, 0, sizeof *d);
    d->common = common;
    d->running_version = common->running_version;
    snprintf(d->id, sizeof d->id, "dev-%05u", (unsigned)index);
    d->random_state = (index + 1u) * 2654435761u ^ common->seed; /* never 0 for a fleet < 2^32 */
    ota_posix_transport_init(&d->sock);
    ota_flash_status_t fs = ota_sim_flash_open_ram(&d->flash, ota_sim_preset("sst26vf032b"),
                                                   &fleet_flash_geometry, NULL);
    if (fs != OTA_FLASH_OK) {
        return fleet_fail(d, "ota_sim_flash_open_ram", fs);
    }
    ota_store_status_t st = ota_store_mount(&d->store, ota_sim_flash_port(&d->flash),
                                            &fleet_store_config);
    if (st == OTA_STORE_OK) {
        st = ota_store_set_running(&d->store, d->running_version, OTA_STORE_SLOT_NONE);
    }
    if (st != OTA_STORE_OK) {
        return fleet_fail(d, ota_store_status_str(st), st);
    }
    return fleet_agent_start(d);
}

void fleet_device_close(fleet_device_t *d)
{
    ota_posix_transport_free(&d->sock);
    fleet_count_closed(d);
    ota_sim_flash_close(&d->flash);
}

/* The reset: the network goes, the bootloader installs the pending image (recorded only: the
 * simulation has no internal flash), the new application confirms itself and starts its
 * agent on the new version. */
static void fleet_device_boot(fleet_device_t *d)
{
    d->boot_requested = false;
    fleet_net_close(d);
    ota_store_status_t st = ota_store_mount(&d->store, ota_sim_flash_port(&d->flash),
                                            &fleet_store_config);
    /* The version the install runs, read before it clears the pending slot (NULL: nothing
     * pending, or the mount failed; install_begin then refuses). */
    const ota_store_slot_t *pending =
        ota_store_slot(&d->store, ota_store_boot(&d->store)->install_slot);
    uint32_t version = pending != NULL ? pending->version : 0u;
    if (st == OTA_STORE_OK) {
        st = ota_store_install_begin(&d->store);
    }
    if (st == OTA_STORE_OK) {
        st = ota_store_install_done(&d->store);
    }
    if (st == OTA_STORE_OK) {
        st = ota_store_confirm(&d->store, 0);
    }
    if (st != OTA_STORE_OK) {
        (void)fleet_fail(d, "boot", st);
        return;
    }
    d->running_version = version;
    (void)fleet_agent_start(d);
}

void fleet_device_poll(fleet_device_t *d, uint32_t now_ms)
{
    d->now_ms = now_ms;
    (void)ota_agent_poll(&d->agent, now_ms);
    if (d->boot_requested) {
        fleet_device_boot(d);
    }
}

bool fleet_device_busy(const fleet_device_t *d)
{
    ota_agent_state_t s = ota_agent_state(&d->agent);
    return s == OTA_AGENT_CHECKING || s == OTA_AGENT_DOWNLOADING || s == OTA_AGENT_VERIFYING ||
           s == OTA_AGENT_FETCHING_FILES || s == OTA_AGENT_REPORTING;
}

uint32_t fleet_device_due_ms(const fleet_device_t *d)
{
    uint32_t wait = ota_agent_next_poll_ms(&d->agent);
    return wait == OTA_AGENT_POLL_NONE ? UINT32_MAX : d->now_ms + wait;
}

fleet_device_ram_t fleet_device_ram(void)
{
    const ota_flash_geometry_t *g = &fleet_flash_geometry;
    fleet_device_ram_t r = {
        .agent = (uint32_t)sizeof(ota_agent_t),
        .store = (uint32_t)sizeof(ota_store_t),
        .socket = (uint32_t)sizeof(ota_posix_transport_t),
        .flash_model = (uint32_t)sizeof(ota_sim_flash_t),
        /* Contents, one programmed bit per program unit, one wear count per erase unit. */
        .flash_buffers = g->size + g->size / g->program_unit / 8u + g->size / g->erase_unit * 4u,
    };
    r.rest = (uint32_t)sizeof(fleet_device_t) - r.agent - r.store - r.socket - r.flash_model;
    r.total = (uint32_t)sizeof(fleet_device_t) + r.flash_buffers;
    return r;
}
