/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The emulated board's two flashes: the host's strict NOR model (port/posix/flash_sim*.c,
 * the same code) over guest memory, written through to the board directory's files by
 * semihosting after every program and erase, so that the files are current even if QEMU is
 * killed, and `otaflow-board status` reads them after a run (docs/firmware.md, "Flash").
 *
 *  - internal.flash (pic32mzw1-pfm, 1 MB) is the code memory at guest address 0: QEMU's
 *    -device loader put the file there at launch, so its contents are not read again.
 *  - external.flash (the board's ext_flash preset) is read at open into the PSRAM
 *    (.flashmodel section).
 *  - Each .meta (programmed bits, wear, counters) is read into .flashmodel too, or made
 *    from the contents if missing, as the host's file backing does.
 *  - DIR/power.qemu is the power domain shared by both flashes (one line:
 *    `ops=K cut_at=N mode=before|after|torn seed=S dead=0|1`): read at open, where a
 *    launch is a power-on (dead=1 from the last run is cleared with its cut), rewritten after
 *    every modifying operation; when the armed cut fires the line says dead=1 and the
 *    firmware exits QEMU with status BOARD_EXIT_POWER_CUT, the operation done as far as the
 *    cut mode says.
 */
#ifndef OTAFLOW_BOARD_FLASH_H
#define OTAFLOW_BOARD_FLASH_H

#include <stdbool.h>
#include <stddef.h>

#include "board_args.h"
#include "flash_sim.h"

/** QEMU's exit status when the armed power cut fired (the contract with the QEMU engine). */
#define BOARD_EXIT_POWER_CUT 3

struct board_flashes;

/** One flash: the model and the write-through port handed to the core. */
typedef struct board_flash {
    ota_sim_flash_t model;
    ota_flash_t port;
    struct board_flashes *board;
    int fh;       /**< semihosting handle of the contents file */
    int meta_fh;  /**< of its .meta */
} board_flash_t;

/** Both flashes and their power domain. Only one instance exists (its storage is static). */
typedef struct board_flashes {
    board_flash_t internal;
    board_flash_t external;
    ota_sim_power_t power;
    uint64_t seed;  /**< seed= of power.qemu, written back unchanged */
    int power_fh;
} board_flashes_t;

/**
 * Open the flashes of the board directory args->dir and its power domain.
 * @return 0, or -1 with a one-line reason in err (a file missing or of the wrong size, a
 *         .meta of another geometry, a malformed power.qemu).
 */
int board_flashes_open(board_flashes_t *f, const board_args_t *args, char *err, size_t err_len);

/** The port of a flash (what the core gets). */
const ota_flash_t *board_flash_port(const board_flash_t *flash);

/** Write the counters of both flashes (kept in RAM between modifying operations: reads
 *  count too) to their .meta files: before a reset, a jump or an exit. */
void board_flashes_sync(board_flashes_t *f);

#endif /* OTAFLOW_BOARD_FLASH_H */
