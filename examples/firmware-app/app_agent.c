/* SPDX-License-Identifier: Apache-2.0 */
/* The firmware application's update agent (see app_agent.h). */
#include "app_agent.h"

#include "app_events.h"
#include "console.h"
#include "cortex_m.h"

#define APP_PREFIX "app: "

static void on_event(void *user, const ota_event_t *e)
{
    const app_agent_t *a = user;
    char line[APP_EVENT_LINE_MAX];
    if (app_event_progress(e, line)) {
        console_log(APP_PREFIX, line);
    } else if (app_event_confirms(e) && a->env.on_healthy != NULL) {
        a->env.on_healthy(a->env.healthy_ctx);
    }
}

static void on_log(void *ctx, const char *line)
{
    (void)ctx;
    if (app_agent_line_shown(line)) {
        console_log(APP_PREFIX, line);
    }
}

static void on_reset(void *ctx)
{
    const app_agent_t *a = ctx;
    /* The agent has just checked, downloaded and verified: its deepest paths are behind us. */
    console_printf(APP_PREFIX, "measured: stack high-water mark %lu of %lu bytes",
                   (unsigned long)(cm_stack_size() - cm_stack_unused()),
                   (unsigned long)cm_stack_size());
    console_log(APP_PREFIX, "reset");
    a->env.system->ops->reset(a->env.system->ctx);
}

/* UTC now: the host's time at launch (the engine's utc=) plus the seconds since, standing
 * in for an RTC set by authenticated time; 0 (unknown) without it. */
static uint64_t board_utc(void *ctx)
{
    const app_agent_t *a = ctx;
    if (a->env.args->utc == 0) {
        return 0;
    }
    return (uint64_t)a->env.args->utc + (a->now_ms - a->start_ms) / 1000u;
}

static void agent_config(app_agent_t *a, ota_agent_config_t *ac)
{
    const board_args_t *args = a->env.args;
    ota_agent_config_default(ac);
    ac->manifest_url = args->manifest_url[0] != '\0' ? args->manifest_url : NULL;
    ac->period_s = args->period_s;
    ac->auto_reset = args->auto_reset;
    ac->running_version = a->env.running_version;
    ac->hw_id = args->hw_id;
    ac->accept_raw_images = args->accept_raw_images;
    /* A raw image's payload goes where this board's region starts (0x20000, the address
     * the original's application would be linked for here) */
    ota_boot_config_t bc;
    board_args_boot_config(args, &bc);
    ac->raw_load_addr = bc.flash_address + bc.app_offset;
    a->manifest_keys.keys = &args->manifest_key;
    a->manifest_keys.count = args->has_manifest_key ? 1u : 0u;
    if (args->has_manifest_key) {
        ac->manifest_keys = &a->manifest_keys;
        ac->require_signed_manifest = true;
    }
    ac->on_event = on_event;
    ac->event_user = a;
}

int app_agent_start(app_agent_t *a, const app_agent_env_t *env, uint32_t now_ms)
{
    a->env = *env;
    a->start_ms = now_ms;
    a->now_ms = now_ms;
    ota_cm_net_config_t nc = {.rand_seed = env->args->utc ^ now_ms, .log = console_log,
                              .log_ctx = APP_PREFIX};
    ota_cm_net_status_t ns = ota_cm_net_init(&a->net, &nc, now_ms);
    if (ns != OTA_CM_NET_OK) {
        console_printf(APP_PREFIX, "network: %s", ota_cm_net_status_str(ns));
        return -1;
    }
    ota_lwip_transport_init(&a->transport, &a->net);
    ota_agent_config_t ac;
    agent_config(a, &ac);
    ota_agent_ports_t ports = {
        .transport = ota_lwip_transport(&a->transport),
        .store = env->store,
        .log = on_log,
        .reset = on_reset,
        .reset_ctx = a,
        .utc_now = board_utc,
        .utc_ctx = a,
    };
    ota_agent_status_t st = ota_agent_init(&a->agent, &ac, &ports);
    if (st != OTA_AGENT_OK) {
        console_printf(APP_PREFIX, "agent init failed: %s", ota_agent_status_str(st));
        return -1;
    }
    return 0;
}

bool app_agent_poll(app_agent_t *a, uint32_t now_ms)
{
    a->now_ms = now_ms;
    unsigned frames = ota_cm_net_poll(&a->net, now_ms);
    (void)ota_agent_poll(&a->agent, now_ms);
    /* Work waiting (a verify step, a response in hand): no reason to wait. Otherwise wait for
     * the next tick once the wire is quiet and every received byte has been taken: a frame
     * or the agent's next poll time (ota_agent_next_poll_ms, >= 1 ms) wakes the loop then. */
    return ota_agent_next_poll_ms(&a->agent) != 0u && frames == 0 &&
           !ota_lwip_transport_pending(&a->transport);
}
