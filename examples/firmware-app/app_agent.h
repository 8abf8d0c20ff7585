/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The update agent of the firmware application (mps2-an386): lwIP on the LAN9118, the lwIP
 * transport and ota_agent_t, configured from the board's settings (board_args.h), driven by
 * the application's super-loop. What the host example app (examples/app/main.c) does around
 * its agent, on the target:
 *  - agent events are console lines `app: ota: ...`, download progress `app: download
 *    progress B/T` (examples/common/app_events.h);
 *  - after the first good manifest check the application's on_healthy runs (it confirms);
 *  - the agent's reset goes through the system port (SCB AIRCR: QEMU exits, the board
 *    relaunches it).
 */
#ifndef OTAFLOW_APP_AGENT_H
#define OTAFLOW_APP_AGENT_H

#include <stdbool.h>
#include <stdint.h>

#include "board_args.h"
#include "net_stack.h"
#include "otaflow/agent.h"
#include "transport_lwip.h"

/** What the application hands the agent (pointers it keeps). */
typedef struct app_agent_env {
    const board_args_t *args;    /**< the board's settings (manifest_url, period_s, keys...) */
    ota_store_t *store;          /**< the image store, mounted */
    const ota_system_t *system;  /**< reset */
    uint32_t running_version;    /**< from the application's own image header */
    /** A manifest was fetched and understood: the network path works (may be NULL). */
    void (*on_healthy)(void *ctx);
    void *healthy_ctx;
} app_agent_env_t;

/** The agent and its network. One per program (lwIP is a single instance); static. */
typedef struct app_agent {
    app_agent_env_t env;
    ota_cm_net_t net;
    ota_lwip_transport_t transport;
    ota_sig_keyring_t manifest_keys;
    uint32_t start_ms;  /**< now_ms at start (the board's utc= is the UTC of that moment) */
    uint32_t now_ms;    /**< clock of the last poll */
    ota_agent_t agent;
} app_agent_t;

/**
 * Bring the network up and start the agent (its first check runs once the board has an
 * address). Failures are printed on the console. The application gives the crypto backend
 * its arena first (ota_crypto_heap_init), as signed manifests and images need it.
 * @return 0, or -1 (no Ethernet controller, agent configuration refused).
 */
int app_agent_start(app_agent_t *a, const app_agent_env_t *env, uint32_t now_ms);

/**
 * One pass of the super-loop: the network step, then the agent's.
 * @return true when neither has anything to do before the next clock tick (the caller may
 *         sleep until the next interrupt), false when it should call again at once.
 */
bool app_agent_poll(app_agent_t *a, uint32_t now_ms);

#endif /* OTAFLOW_APP_AGENT_H */
