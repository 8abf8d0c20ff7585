/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The agent in a fleet (OTA_FLEET, docs/agent.md "Fleets"): its device id and place in a
 * staged rollout, and the randomness that keeps a fleet's retries and first checks apart.
 */
#include <string.h>

#include "agent_internal.h"

uint32_t ota_agent_xorshift32(void *ctx)
{
    uint32_t *state = ctx;
    uint32_t x = *state != 0u ? *state : 1u; /* 0 is xorshift's one fixed point */
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *state = x;
    return x;
}

#if OTA_FLEET

ota_agent_status_t ota_agent_fleet_check(const ota_agent_config_t *config)
{
    if (config->device_id != NULL && strlen(config->device_id) > OTA_ROLLOUT_ID_MAX) {
        return OTA_AGENT_ERR_CONFIG;
    }
    return config->first_check_jitter_s > OTA_AGENT_PERIOD_MAX_S ||
                   config->defer_retry_s > OTA_AGENT_PERIOD_MAX_S
               ? OTA_AGENT_ERR_CONFIG
               : OTA_AGENT_OK;
}

void ota_agent_fleet_init(ota_agent_t *a, const ota_agent_config_t *config)
{
    if (config->device_id != NULL) {
        /* checked by ota_agent_fleet_check: it fits with its NUL */
        memcpy(a->device_id, config->device_id, strlen(config->device_id) + 1u);
    }
    a->config.device_id = a->device_id[0] != '\0' ? a->device_id : NULL;
    if (a->config.defer_retry_s == 0u) {
        a->config.defer_retry_s = OTA_AGENT_DEFER_RETRY_DEFAULT_S;
    }
}

uint32_t ota_agent_jitter_ms(const ota_agent_t *a, uint32_t max_ms)
{
    if (a->ports.random32 == NULL) {
        return max_ms;
    }
    /* Uniform in [0, max_ms): the high bits of a 32x32 product, no division. */
    return (uint32_t)(((uint64_t)max_ms * a->ports.random32(a->ports.random_ctx)) >> 32);
}

uint32_t ota_agent_first_check_ms(const ota_agent_t *a)
{
    return a->ports.random32 != NULL ? ota_agent_jitter_ms(a, a->config.first_check_jitter_s * 1000u)
                                     : 0u;
}

bool ota_agent_in_rollout(void *ctx, uint32_t version, uint32_t percent)
{
    const ota_agent_t *a = ctx;
    return ota_rollout_member(a->config.device_id, version, percent);
}

/* ---- deferral ----------------------------------------------------------------------------- */

bool ota_agent_defers(ota_agent_t *a, ota_agent_defer_what_t what, uint32_t version)
{
    bool download = what == OTA_AGENT_DEFER_DOWNLOAD;
    bool *deferred = download ? &a->download_deferred : &a->reset_deferred;
    uint32_t *ask_ms = download ? &a->download_ask_ms : &a->reset_ask_ms;
    if (*deferred && (int32_t)(a->now_ms - *ask_ms) < 0) {
        return true; /* asked already: not before the time it was told */
    }
    *deferred = a->config.defer != NULL && a->config.defer(a->config.defer_user, what, version);
    if (!*deferred) {
        return false;
    }
    *ask_ms = a->now_ms + a->config.defer_retry_s * 1000u;
    ota_event_t e = {.type = download ? OTA_EVT_DOWNLOAD_DEFERRED : OTA_EVT_RESET_DEFERRED,
                     .version = version, .retry_s = a->config.defer_retry_s, .reason = ""};
    ota_agent_deliver(a, &e);
    return true;
}

bool ota_agent_deferred_download_due(ota_agent_t *a)
{
    if (!a->have_update) {
        a->download_deferred = false; /* nothing left to ask about */
    }
    return a->download_deferred && (int32_t)(a->now_ms - a->download_ask_ms) >= 0;
}

uint32_t ota_agent_defer_wait_ms(const ota_agent_t *a, ota_agent_defer_what_t what)
{
    bool download = what == OTA_AGENT_DEFER_DOWNLOAD;
    if (download ? !(a->download_deferred && a->have_update) : !a->reset_deferred) {
        return OTA_AGENT_POLL_NONE;
    }
    int32_t left = (int32_t)((download ? a->download_ask_ms : a->reset_ask_ms) - a->now_ms);
    return left > 0 ? (uint32_t)left : 0u;
}

#endif /* OTA_FLEET */
