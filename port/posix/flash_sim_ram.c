/* SPDX-License-Identifier: Apache-2.0 */
/*
 * RAM storage of the host flash model: a device on the heap (tests, tools), and closing any
 * device (a backing releases its own storage).
 */
#include <stdlib.h>
#include <string.h>

#include "flash_sim_internal.h"

ota_flash_status_t ota_sim_flash_open_ram(ota_sim_flash_t *dev, const ota_sim_preset_t *preset,
                                          const ota_flash_geometry_t *geometry_override,
                                          ota_sim_power_t *power)
{
    if (dev == NULL) {
        return OTA_FLASH_ERR_IO;
    }
    ota_flash_status_t st = sim_open_common(dev, preset, geometry_override, power);
    if (st != OTA_FLASH_OK) {
        return st;
    }
    const ota_flash_geometry_t *g = &dev->port.geometry;
    dev->mem = malloc(g->size);
    dev->programmed = calloc(sim_bitmap_bytes(g), 1);
    dev->wear = calloc(sim_erase_units(g), sizeof(uint32_t));
    if (dev->mem == NULL || dev->programmed == NULL || dev->wear == NULL) {
        ota_sim_flash_close(dev);
        return OTA_FLASH_ERR_IO;
    }
    memset(dev->mem, g->erased_value, g->size);
    sim_attach_port(dev);
    return OTA_FLASH_OK;
}

void ota_sim_flash_close(ota_sim_flash_t *dev)
{
    if (dev == NULL) {
        return;
    }
    if (dev->backing != NULL) {
        dev->backing->release(dev);
        dev->backing = NULL;
    } else {
        free(dev->mem);
        free(dev->programmed);
        free(dev->wear);
    }
    dev->mem = NULL;
    dev->programmed = NULL;
    dev->wear = NULL;
    dev->port.ops = NULL;
    dev->port.ctx = NULL;
}
