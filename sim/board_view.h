/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the board process sees of a board without owning its flashes: the image store (mounted
 * read-only through flash views), the header of the image in internal flash, the flash
 * counters from the .meta files and the power domain. Used by `status` and by `run` while the
 * application (another process) owns the flashes.
 */
#ifndef OTAFLOW_SIM_BOARD_VIEW_H
#define OTAFLOW_SIM_BOARD_VIEW_H

#include <stdbool.h>

#include "board.h"
#include "flash_view.h"

typedef struct board_view {
    board_config_t cfg;
    char dir[BOARD_PATH_MAX];
    flash_view_t internal, external;
    ota_store_t store;
    ota_sig_keyring_t keys; /* trusted image keys of the store (board_store_config) */
    ota_store_status_t store_status;  /**< result of the last mount */
    ota_posix_system_t system;        /**< guard window over the internal view */
    ota_guard_t guard;                /**< the guard, mounted read-only at each refresh */
    ota_guard_status_t guard_status;  /**< result of its last mount */
    ota_image_header_t running;       /**< header in the application region */
    ota_image_status_t running_status;
} board_view_t;

/** Open the views of DIR (configuration already loaded into cfg) and read everything once. */
int board_view_open(board_view_t *v, const char *dir, const board_config_t *cfg, char *err,
                    size_t err_len);

/** Mount the store again and read the running header again (cheap: two journal sectors). */
void board_view_refresh(board_view_t *v);

void board_view_close(board_view_t *v);

/** Counters of one flash from its .meta file (no device opened, nothing written). */
int board_flash_stats(const char *dir, const char *name, ota_sim_stats_t *out);

#endif /* OTAFLOW_SIM_BOARD_VIEW_H */
