/* SPDX-License-Identifier: Apache-2.0 */
/* Memory-mapped NOR flash driver (nor_mmio.h). */
#include "nor_mmio.h"

#include <string.h>

static bool in_range(const nor_mmio_t *n, uint32_t addr, uint32_t len)
{
    return !NOR_MMIO_CHECK_RULES ||
           (len <= n->port.geometry.size && addr <= n->port.geometry.size - len);
}

static bool is_protected(const nor_mmio_t *n, uint32_t addr, uint32_t len)
{
    return n->locked != NULL && *n->locked && addr < n->protect_end &&
           addr + len > n->protect_start;
}

static ota_flash_status_t mmio_read(void *ctx, uint32_t addr, void *buf, uint32_t len)
{
    const nor_mmio_t *n = ctx;
    if (!in_range(n, addr, len)) {
        return OTA_FLASH_ERR_RANGE;
    }
    memcpy(buf, n->base + addr, len);
    return OTA_FLASH_OK;
}

static ota_flash_status_t mmio_program(void *ctx, uint32_t addr, const void *buf, uint32_t len)
{
    const nor_mmio_t *n = ctx;
    ota_flash_status_t st =
        NOR_MMIO_CHECK_RULES ? ota_flash_check_program(&n->port.geometry, addr, len) : OTA_FLASH_OK;
    if (st != OTA_FLASH_OK) {
        return st;
    }
    if (is_protected(n, addr, len)) {
        return OTA_FLASH_ERR_PROTECTED;
    }
    const uint8_t *src = buf;
    volatile uint8_t *dst = n->base + addr;
    for (uint32_t i = 0; i < len; i++) {
        dst[i] &= src[i];
    }
    return OTA_FLASH_OK;
}

static ota_flash_status_t mmio_erase(void *ctx, uint32_t addr, uint32_t len)
{
    const nor_mmio_t *n = ctx;
    bool block;
    ota_flash_status_t st = NOR_MMIO_CHECK_RULES
                                ? ota_flash_check_erase(&n->port.geometry, addr, len, &block)
                                : OTA_FLASH_OK;
    if (st != OTA_FLASH_OK) {
        return st;
    }
    if (is_protected(n, addr, len)) {
        return OTA_FLASH_ERR_PROTECTED;
    }
    memset(n->base + addr, n->port.geometry.erased_value, len);
    return OTA_FLASH_OK;
}

const ota_flash_ops_t nor_mmio_ops = {mmio_read, mmio_program, mmio_erase};

void nor_mmio_init(nor_mmio_t *n, uintptr_t base, const ota_flash_geometry_t *g)
{
    memset(n, 0, sizeof *n);
    n->base = (uint8_t *)base;
    n->port.ops = &nor_mmio_ops;
    n->port.ctx = n;
    n->port.geometry = *g;
}

void nor_mmio_protect(nor_mmio_t *n, uint32_t start, uint32_t len, const volatile bool *locked)
{
    n->protect_start = start;
    n->protect_end = start + len;
    n->locked = locked;
}

const ota_flash_t *nor_mmio_port(const nor_mmio_t *n)
{
    return &n->port;
}
