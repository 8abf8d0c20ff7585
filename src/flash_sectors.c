/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Erase sectors of a flash geometry (rules in include/otaflow/port.h). A uniform device needs
 * no table, so the many uniform ports stay as they were; a mixed one is walked run by run:
 * a handful of runs, so a linear walk is cheaper than anything cleverer. The range and erase
 * checks of a uniform device are plain alignments (flash_uniform): the only code a build for
 * uniform devices (OTA_FLASH_SECTOR_TABLES 0, the lean bootloaders) keeps of them.
 */
#include "otaflow/config.h"
#include "otaflow/port.h"

/* The device has no table to walk: built without tables, or a uniform one. */
static bool flash_uniform(const ota_flash_geometry_t *g)
{
    return !OTA_FLASH_SECTOR_TABLES || g->sectors == NULL;
}

/* addr + len inside the device, without computing addr + len (it could wrap). */
static bool flash_in_range(const ota_flash_geometry_t *g, uint32_t addr, uint32_t len)
{
    return len <= g->size && addr <= g->size - len;
}

bool ota_flash_sector_at(const ota_flash_geometry_t *g, uint32_t addr, ota_flash_sector_t *out)
{
    out->start = 0;
    out->size = 0;
    if (addr >= g->size) {
        return false;
    }
    if (flash_uniform(g)) {
        if (g->erase_unit == 0) {
            return false;
        }
        out->start = addr - addr % g->erase_unit;
        out->size = g->erase_unit;
        return true;
    }
    uint32_t base = 0;
    for (uint32_t r = 0; r < g->sector_runs; r++) {
        const ota_flash_sector_run_t *run = &g->sectors[r];
        if (run->size == 0) {
            return false;
        }
        uint64_t run_bytes = (uint64_t)run->count * run->size;
        if ((uint64_t)addr < base + run_bytes) {
            out->start = base + (addr - base) / run->size * run->size;
            out->size = run->size;
            return true;
        }
        if (base + run_bytes > g->size) {
            return false;
        }
        base += (uint32_t)run_bytes;
    }
    return false;
}

bool ota_flash_sector_next(const ota_flash_geometry_t *g, ota_flash_sector_t *s)
{
    if (s->size == 0 || s->start >= g->size || g->size - s->start <= s->size) {
        return false;
    }
    ota_flash_sector_t n;
    if (!ota_flash_sector_at(g, s->start + s->size, &n)) {
        return false;
    }
    *s = n;
    return true;
}

bool ota_flash_on_sectors(const ota_flash_geometry_t *g, uint32_t addr, uint32_t len)
{
    if (len == 0 || !flash_in_range(g, addr, len)) {
        return false;
    }
    if (flash_uniform(g)) {
        /* both ends on erase_unit (the end may be the device's: size is one's multiple) */
        return g->erase_unit != 0 && addr % g->erase_unit == 0 &&
               (len % g->erase_unit == 0 || addr + len == g->size);
    }
    ota_flash_sector_t first;
    if (!ota_flash_sector_at(g, addr, &first) || first.start != addr) {
        return false;
    }
    if (addr + len == g->size) {
        return true;
    }
    ota_flash_sector_t after;
    return ota_flash_sector_at(g, addr + len, &after) && after.start == addr + len;
}

static bool flash_pow2(uint32_t v)
{
    return v != 0 && (v & (v - 1u)) == 0;
}

bool ota_flash_sectors_valid(const ota_flash_geometry_t *g)
{
    if (flash_uniform(g)) {
        /* config.h: built for uniform devices only, a table is refused, never half read */
        return g->sectors == NULL && g->sector_runs == 0;
    }
    uint64_t base = 0; /* 64 bits: a table may add up past 4 GB, and is then refused */
    for (uint32_t r = 0; r < g->sector_runs; r++) {
        const ota_flash_sector_run_t *run = &g->sectors[r];
        /* whether base is aligned to the run's size, a power of two (tested first): a mask,
         * not a 64-bit modulo, which would need the compiler's library routine */
        if (run->count == 0 || !flash_pow2(run->size) || g->erase_unit == 0 ||
            run->size % g->erase_unit != 0 || (base & (run->size - 1u)) != 0) {
            return false;
        }
        base += (uint64_t)run->count * run->size;
    }
    return g->sector_runs > 0 && base == g->size;
}

bool ota_flash_is_sector_size(const ota_flash_geometry_t *g, uint32_t len)
{
    if (flash_uniform(g)) {
        return len == g->erase_unit;
    }
    for (uint32_t r = 0; r < g->sector_runs; r++) {
        if (g->sectors[r].size == len) {
            return true;
        }
    }
    return false;
}

ota_flash_status_t ota_flash_check_program(const ota_flash_geometry_t *g, uint32_t addr,
                                           uint32_t len)
{
    if (len == 0) {
        return OTA_FLASH_ERR_ALIGN;
    }
    if (!flash_in_range(g, addr, len)) {
        return OTA_FLASH_ERR_RANGE;
    }
    if (addr % g->program_unit != 0 || len % g->program_unit != 0 || len > g->page_size ||
        addr / g->page_size != (addr + len - 1u) / g->page_size) {
        return OTA_FLASH_ERR_ALIGN;
    }
    return OTA_FLASH_OK;
}

/* Exactly one sector at its start, or one aligned block made of whole sectors. */
ota_flash_status_t ota_flash_check_erase(const ota_flash_geometry_t *g, uint32_t addr,
                                         uint32_t len, bool *block)
{
    *block = false;
    bool block_len = g->block_size != 0 && len == g->block_size;
    if (!ota_flash_is_sector_size(g, len) && !block_len) {
        return OTA_FLASH_ERR_ALIGN;
    }
    if (!flash_in_range(g, addr, len)) {
        return OTA_FLASH_ERR_RANGE;
    }
    if (flash_uniform(g)) {
        /* one sector at its start, or one block at a multiple of its size that is whole
         * sectors (ota_flash_on_sectors: ends on erase_unit, or at the device's end) */
        if (len == 0 || addr % len != 0 || !ota_flash_on_sectors(g, addr, len)) {
            return OTA_FLASH_ERR_ALIGN;
        }
        *block = len != g->erase_unit;
        return OTA_FLASH_OK;
    }
    ota_flash_sector_t s;
    if (ota_flash_sector_at(g, addr, &s) && s.start == addr && s.size == len) {
        return OTA_FLASH_OK;
    }
    if (block_len && addr % len == 0 && ota_flash_on_sectors(g, addr, len)) {
        *block = true;
        return OTA_FLASH_OK;
    }
    return OTA_FLASH_ERR_ALIGN;
}
