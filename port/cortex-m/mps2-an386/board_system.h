/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The emulated board's system port (include/otaflow/port.h, "System"):
 *  - reset: SCB AIRCR SYSRESETREQ (QEMU -no-reboot then exits with status 0 and the engine
 *    launches it again: RAM is lost, flash is the board's files);
 *  - watchdog: the CMSDK watchdog (its reset ends QEMU the same way);
 *  - guard_protect: the guard pages 0x1E000..0x1FFFF of internal flash become read-only
 *    until the next reset through a driver-level latch, the host port's own
 *    (port/posix/system_posix.c, reused): program/erase there answer
 *    OTA_FLASH_ERR_PROTECTED. A real part sets its flash controller's write-protect bits
 *    instead. The latch survives the jump in a word the application's port reads at start
 *    (the handoff block, see board_system_init), and a reset clears it (RAM is lost);
 *  - jump: to the application's vector table at app_offset, the start of the region and of
 *    the payload (firmware/app.ld links it there), cm_jump.
 */
#ifndef OTAFLOW_BOARD_SYSTEM_H
#define OTAFLOW_BOARD_SYSTEM_H

#include <stdbool.h>
#include <stdint.h>

#include "board_flash.h"
#include "otaflow/port.h"
#include "system_posix.h"

/** The system port of the board. */
typedef struct board_system {
    ota_system_t system;     /**< hand &system to the bootloader */
    ota_posix_system_t latch; /**< guard window and write-protect latch over internal flash */
    board_flashes_t *flashes;
    /** Called (if set) by jump just before the application starts: the bootloader prints
     *  its last lines and measurements there. */
    void (*before_jump)(void *ctx, uint32_t vectors);
    void *before_jump_ctx;
} board_system_t;

/**
 * Set up the system port over the board's flashes. power_on: this is the bootloader after a
 * reset (the latch starts open and the handoff is cleared); otherwise the application,
 * whose latch is what the bootloader left in the handoff. Returns 0, -1 if the guard does
 * not fit below the application region.
 */
int board_system_init(board_system_t *s, board_flashes_t *flashes, bool power_on);

/** The internal flash with the write-protect latch enforced (what the application uses). */
const ota_flash_t *board_system_internal(const board_system_t *s);

#endif /* OTAFLOW_BOARD_SYSTEM_H */
