/* SPDX-License-Identifier: Apache-2.0 */
/* The team's port of the consumer test: its two flashes and its chip (port_ram.c). */
#ifndef TEAM_PORT_H
#define TEAM_PORT_H

#include "otaflow/port.h"

/** The chip's internal flash (application region at TEAM_APP_OFFSET). */
extern const ota_flash_t team_internal_flash;
/** The external SPI flash of the image store. */
extern const ota_flash_t team_store_flash;
/** Watchdog, guard lock, jump. */
extern const ota_system_t team_system;

#define TEAM_APP_OFFSET 0x8000u
#define TEAM_APP_SIZE 0x37000u
/** The installed image's header and TLVs: the sector right after the region. */
#define TEAM_DESC_SIZE 0x1000u

#endif
