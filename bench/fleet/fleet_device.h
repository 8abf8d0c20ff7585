/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One simulated device of the fleet: the real agent and image store, on a small RAM flash of
 * the strict model, over the POSIX socket transport (plain HTTP: no TLS state), with a device
 * id of its own (its place in a staged rollout) and a random generator of its own (the
 * jitter of its first check and of its retries). A counting layer between the agent and the socket feeds fleet_stats. The
 * reset port does not reset anything at once: the simulation boots the device after the poll
 * that asked (fleet_device_boot), the way its bootloader would: install the stored image,
 * run it, confirm it.
 */
#ifndef OTAFLOW_FLEET_DEVICE_H
#define OTAFLOW_FLEET_DEVICE_H

#include <stdbool.h>
#include <stdint.h>

#include "flash_sim.h"
#include "fleet_stats.h"
#include "otaflow/agent.h"
#include "otaflow/store.h"
#include "transport_posix.h"

/** Bytes of a device id, NUL included ("dev-00042"). */
#define FLEET_DEVICE_ID_SIZE 16u

/** What every device of the fleet shares. */
typedef struct fleet_common {
    const char *manifest_url;
    const char *report_url;     /**< NULL: no reports */
    uint32_t period_s;          /**< seconds between checks */
    uint32_t first_check_jitter_s; /**< the first check after power on comes within this */
    uint32_t retry_first_s, retry_max_s; /**< backoff (0: the agent's defaults) */
    uint32_t seed;              /**< of the devices' random generators (each its own) */
    bool no_jitter;             /**< give the agents no ports.random32: no jitter at all */
    uint32_t running_version;   /**< what every device runs at power on */
    fleet_stats_t *stats;       /**< where the counts go */
} fleet_common_t;

typedef struct fleet_device {
    ota_sim_flash_t flash;
    ota_store_t store;
    ota_posix_transport_t sock;
    ota_agent_t agent;
    const fleet_common_t *common;
    char id[FLEET_DEVICE_ID_SIZE];
    uint32_t now_ms;            /**< fake clock of the current poll */
    uint32_t running_version;
    uint32_t random_state;      /**< its ports.random32 generator (jitter) */
    bool counted_open;          /**< its socket counts as open in the stats */
    bool request_next;          /**< the next bytes sent start a new request */
    bool boot_requested;        /**< the agent called the reset port */
    bool taken;                 /**< stored the update (RESET_PENDING seen) */
} fleet_device_t;

/** The flash every device has: 64 KB, 4 KB sectors (two for the store's journal, then the
 *  factory slot and two download slots of FLEET_SLOT_SIZE). */
#define FLEET_FLASH_SIZE (64u * 1024u)
#define FLEET_SLOT_SIZE (16u * 1024u)

/**
 * Power the device on for the first time: open its flash, mount an empty store declaring
 * common->running_version running, name it "dev-<index>", start the agent. The device must
 * not move in memory afterwards. Returns false (after printing why) on failure.
 */
bool fleet_device_open(fleet_device_t *d, uint32_t index, const fleet_common_t *common);

/** Release its socket and flash. */
void fleet_device_close(fleet_device_t *d);

/** One ota_agent_poll() at fake time now_ms; a reset the agent asked for is carried out (a
 *  boot into the stored image) before it returns. */
void fleet_device_poll(fleet_device_t *d, uint32_t now_ms);

/** True while the agent has a transfer (or its verification) in hand: the simulation keeps
 *  polling it before fake time moves on. */
bool fleet_device_busy(const fleet_device_t *d);

/** When the device wants its next poll, in fake ms (UINT32_MAX: never). */
uint32_t fleet_device_due_ms(const fleet_device_t *d);

/** Bytes of host RAM one device takes, by part. */
typedef struct fleet_device_ram {
    uint32_t agent, store, socket; /**< ota_agent_t, ota_store_t, ota_posix_transport_t */
    uint32_t flash_model;          /**< ota_sim_flash_t */
    uint32_t flash_buffers;        /**< its contents, programmed bitmap and wear counts */
    uint32_t rest;                 /**< the rest of fleet_device_t */
    uint32_t total;
} fleet_device_ram_t;

/** What one device takes: fleet_device_t plus the flash model's buffers. */
fleet_device_ram_t fleet_device_ram(void);

#endif /* OTAFLOW_FLEET_DEVICE_H */
