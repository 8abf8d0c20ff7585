/* SPDX-License-Identifier: Apache-2.0 */
/* The team's port: flashes as RAM arrays and a chip that does nothing, enough to link. */
#include <string.h>

#include "port.h"

typedef struct ram_flash {
    uint8_t *mem;
} ram_flash_t;

static ota_flash_status_t ram_read(void *ctx, uint32_t addr, void *buf, uint32_t len)
{
    memcpy(buf, ((ram_flash_t *)ctx)->mem + addr, len);
    return OTA_FLASH_OK;
}

static ota_flash_status_t ram_program(void *ctx, uint32_t addr, const void *buf, uint32_t len)
{
    uint8_t *mem = ((ram_flash_t *)ctx)->mem + addr;
    const uint8_t *src = buf;
    for (uint32_t i = 0; i < len; i++) {
        mem[i] &= src[i]; /* NOR: programming only clears bits */
    }
    return OTA_FLASH_OK;
}

static ota_flash_status_t ram_erase(void *ctx, uint32_t addr, uint32_t len)
{
    memset(((ram_flash_t *)ctx)->mem + addr, 0xFF, len);
    return OTA_FLASH_OK;
}

static const ota_flash_ops_t ram_ops = {ram_read, ram_program, ram_erase};
static uint8_t internal_mem[0x40000];
static uint8_t store_mem[0x100000];
static ram_flash_t internal_dev = {internal_mem};
static ram_flash_t store_dev = {store_mem};

const ota_flash_t team_internal_flash = {&ram_ops, &internal_dev,
                                         {sizeof internal_mem, 4096u, 0u, 16u, 256u, 0xFF,
                                          NULL, 0u}};
const ota_flash_t team_store_flash = {&ram_ops, &store_dev,
                                      {sizeof store_mem, 4096u, 0u, 1u, 256u, 0xFF, NULL, 0u}};

const ota_boot_config_t team_boot_config = {.app_offset = TEAM_APP_OFFSET,
                                            .app_size = TEAM_APP_SIZE,
                                            .desc_size = TEAM_DESC_SIZE,
                                            .max_attempts = 3u,
                                            .hw_id = 0u,
                                            .verify_each_boot = true,
                                            .confirm_on_start = false};

static void chip_reset(void *ctx)
{
    (void)ctx;
}

static void chip_watchdog_arm(void *ctx, uint32_t timeout_ms)
{
    (void)ctx;
    (void)timeout_ms;
}

static ota_flash_status_t chip_guard_protect(void *ctx)
{
    (void)ctx;
    return OTA_FLASH_OK;
}

static void chip_jump(void *ctx, uint32_t app_offset)
{
    (void)ctx;
    (void)app_offset;
}

static const ota_system_ops_t chip_ops = {chip_reset, chip_watchdog_arm, chip_reset,
                                          chip_guard_protect, chip_jump};
const ota_system_t team_system = {&chip_ops, NULL, NULL};

/* The fatal-error hook the mbedTLS configuration names (MBEDTLS_PLATFORM_EXIT_MACRO): on a
 * real chip a reset. */
void cm_fatal(int status);
void cm_fatal(int status)
{
    (void)status;
    for (;;) {
    }
}
