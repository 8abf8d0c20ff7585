/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Host system port (include/otaflow/port.h, "System"): what a chip gives the bootloader
 * besides flash, modeled for the simulated board and the tests.
 *
 *  - The guard storage is a window of two erase units of the internal flash device, just
 *    below the application region (the end of the bootloader's part of internal flash).
 *  - guard_protect() sets a write-protect latch that, like a flash page lock register, holds
 *    until reset(): from then on program/erase of that range fails with
 *    OTA_FLASH_ERR_PROTECTED through the guard window and through ota_posix_system_internal()
 *    (the whole internal flash as the application sees it). Reads always work.
 *  - The watchdog and the jump are recorded (armed timeout, kicks, jumps) for the board and
 *    the tests to act on: the host cannot reset itself.
 */
#ifndef OTAFLOW_SYSTEM_POSIX_H
#define OTAFLOW_SYSTEM_POSIX_H

#include <stdbool.h>
#include <stdint.h>

#include "otaflow/port.h"

/** The host system port. Fields after `system` are for inspection by the board and tests. */
typedef struct ota_posix_system {
    ota_system_t system;         /**< hand &system to the bootloader */
    ota_flash_t guard_port;      /**< the guard window (system.guard_flash points here) */
    ota_flash_t internal_port;   /**< the whole internal flash, write-protect enforced */
    const ota_flash_t *internal; /**< the device underneath */
    uint32_t guard_offset;       /**< first byte of the guard window in internal flash */
    uint32_t guard_size;         /**< two erase units */
    bool locked;                 /**< write-protect latch (until reset) */
    bool watchdog_armed;
    uint32_t watchdog_ms;        /**< timeout given to watchdog_arm */
    uint32_t kicks;              /**< watchdog_kick calls since the last reset */
    uint32_t resets;             /**< reset calls */
    uint32_t jumps;              /**< jump calls */
    uint32_t jump_offset;        /**< app_offset of the last jump */
} ota_posix_system_t;

/**
 * Set up the system port of a board whose internal flash is internal; the guard window is the
 * two erase units that end at app_offset (app_offset >= 2 erase units). Unlocked, watchdog off.
 * Returns 0, or -1 if the window does not fit below app_offset.
 */
int ota_posix_system_init(ota_posix_system_t *sys, const ota_flash_t *internal,
                          uint32_t app_offset);

/** The internal flash with the write-protect latch enforced (what the application gets). */
const ota_flash_t *ota_posix_system_internal(const ota_posix_system_t *sys);

/** Set the latch as it was saved elsewhere (the board keeps it in a file across processes). */
void ota_posix_system_set_locked(ota_posix_system_t *sys, bool locked);

#endif /* OTAFLOW_SYSTEM_POSIX_H */
