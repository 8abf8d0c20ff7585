/* SPDX-License-Identifier: Apache-2.0 */
/* The team's port of the consumer test: its two flashes, its chip and the flash layout its
 * bootloader and application share (port_ram.c). */
#ifndef TEAM_PORT_H
#define TEAM_PORT_H

#include "otaflow/boot.h"
#include "otaflow/port.h"

/** The chip's internal flash (application region at TEAM_APP_OFFSET). */
extern const ota_flash_t team_internal_flash;
/** The external SPI flash of the image store. */
extern const ota_flash_t team_store_flash;
/** Watchdog, guard lock, jump. */
extern const ota_system_t team_system;
/** The application region and its descriptor page: one definition, so that the bootloader
 *  installs where the application confirms. */
extern const ota_boot_config_t team_boot_config;

#define TEAM_APP_OFFSET 0x8000u
#define TEAM_APP_SIZE 0x37000u
/** The installed image's header and TLVs: the sector right after the region. */
#define TEAM_DESC_SIZE 0x1000u

#endif
