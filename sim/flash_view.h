/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A read-only look at a board's flash contents file, as an ota_flash_t.
 *
 * The board process watches the image store while the application (another process) owns the
 * flashes: it must neither count operations on the devices' counters nor write anything, so it
 * reads the contents file through its own read-only mapping. program and erase are refused
 * with OTA_FLASH_ERR_IO. Reads see the application's writes at once (shared mapping); a record
 * being written at that moment fails its CRC, so the store's mount takes the previous one.
 */
#ifndef OTAFLOW_SIM_FLASH_VIEW_H
#define OTAFLOW_SIM_FLASH_VIEW_H

#include <stddef.h>
#include <stdint.h>

#include "otaflow/port.h"

typedef struct flash_view {
    ota_flash_t port;
    const uint8_t *mem;
    size_t size;
} flash_view_t;

/** Map path (a flash contents file of the given geometry) read-only. Returns 0 or -1 (errno). */
int flash_view_open(flash_view_t *v, const char *path, const ota_flash_geometry_t *geometry);

/** Unmap. Safe on a view whose open failed. */
void flash_view_close(flash_view_t *v);

#endif /* OTAFLOW_SIM_FLASH_VIEW_H */
