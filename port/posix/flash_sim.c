/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Host flash model: the rules of a NOR device (port.h) enforced strictly, counters, wear,
 * modeled time, and what a power cut does to the operation it hits.
 *
 * Every operation first checks power, then every rule, and only then counts as a modifying
 * operation of the board: a refused operation changes nothing anywhere, so a power-cut sweep
 * numbers exactly the operations that reach the chip.
 *
 * No allocation and no OS call here: the same code runs on the target (port/cortex-m) over
 * memory its caller provides; RAM storage is flash_sim_ram.c's, file storage flash_sim_file.c's.
 */
#include <string.h>

#include "flash_sim_internal.h"

/* ---- geometry --------------------------------------------------------------------------- */

static bool is_pow2(uint32_t v)
{
    return v != 0 && (v & (v - 1)) == 0;
}

static bool geometry_valid(const ota_flash_geometry_t *g)
{
    if (!is_pow2(g->size) || !is_pow2(g->erase_unit) || !is_pow2(g->program_unit) ||
        !is_pow2(g->page_size)) {
        return false;
    }
    /* A page lies inside one erase unit, so "programmed since its erase" is well defined. */
    if (g->program_unit > g->page_size || g->page_size > g->erase_unit ||
        g->erase_unit > g->size) {
        return false;
    }
    if (g->block_size != 0 &&
        (!is_pow2(g->block_size) || g->block_size < g->erase_unit || g->block_size > g->size)) {
        return false;
    }
    /* With a table, erase_unit is its smallest sector (wear and time are kept per unit). */
    return ota_flash_sectors_valid(g) && ota_flash_is_sector_size(g, g->erase_unit);
}

/* addr + len inside the device, without computing addr + len (it could wrap). */
static bool in_range(const ota_flash_geometry_t *g, uint32_t addr, uint32_t len)
{
    return len <= g->size && addr <= g->size - len;
}

size_t sim_bitmap_bytes(const ota_flash_geometry_t *g)
{
    return ((size_t)(g->size / g->program_unit) + 7u) / 8u;
}

uint32_t sim_erase_units(const ota_flash_geometry_t *g)
{
    return g->size / g->erase_unit;
}

/* ---- programmed bitmap ------------------------------------------------------------------ */

/* The programmed bitmap by ranges of units [first, end): the bits of the partial bytes at the
 * ends one by one, the whole bytes between at once, so that the model's bookkeeping costs
 * little next to what it models (bench/: a 16 MB download marks 16 M units). */
static bool bits_any(const uint8_t *map, uint32_t first, uint32_t end)
{
    uint32_t u = first;
    for (; u < end && u % 8u != 0u; u++) {
        if ((map[u / 8u] >> (u % 8u)) & 1u) {
            return true;
        }
    }
    for (; end - u >= 8u && u < end; u += 8u) {
        if (map[u / 8u] != 0u) {
            return true;
        }
    }
    for (; u < end; u++) {
        if ((map[u / 8u] >> (u % 8u)) & 1u) {
            return true;
        }
    }
    return false;
}

static void bits_put(uint8_t *map, uint32_t first, uint32_t end, bool on)
{
    uint32_t u = first;
    for (; u < end && (u % 8u != 0u || end - u < 8u); u++) {
        uint8_t bit = (uint8_t)(1u << (u % 8u));
        map[u / 8u] = (uint8_t)(on ? map[u / 8u] | bit : map[u / 8u] & ~bit);
    }
    uint32_t whole = (end - u) / 8u;
    memset(map + u / 8u, on ? 0xFF : 0x00, whole);
    for (u += whole * 8u; u < end; u++) {
        uint8_t bit = (uint8_t)(1u << (u % 8u));
        map[u / 8u] = (uint8_t)(on ? map[u / 8u] | bit : map[u / 8u] & ~bit);
    }
}

static bool unit_programmed(const ota_sim_flash_t *dev, uint32_t unit)
{
    return (dev->programmed[unit / 8u] >> (unit % 8u)) & 1u;
}

static bool any_programmed(const ota_sim_flash_t *dev, uint32_t addr, uint32_t len)
{
    uint32_t pu = dev->port.geometry.program_unit;
    return bits_any(dev->programmed, addr / pu, (addr + len) / pu);
}

void sim_mark_programmed(ota_sim_flash_t *dev, uint32_t addr, uint32_t len)
{
    uint32_t pu = dev->port.geometry.program_unit;
    bits_put(dev->programmed, addr / pu, (addr + len) / pu, true);
}

static void clear_programmed(ota_sim_flash_t *dev, uint32_t addr, uint32_t len)
{
    uint32_t pu = dev->port.geometry.program_unit;
    bits_put(dev->programmed, addr / pu, (addr + len) / pu, false);
}

/* ---- timing ----------------------------------------------------------------------------- */

static uint64_t program_time_ns(const ota_sim_timing_t *t, uint32_t len, uint32_t units)
{
    uint64_t cells = t->program_op_ns;
    if (t->program_unit_ns != 0 && (uint64_t)units * t->program_unit_ns < cells) {
        cells = (uint64_t)units * t->program_unit_ns;
    }
    return t->program_setup_ns + (uint64_t)len * t->program_byte_ns + cells;
}

/* A sector of len bytes: erase_unit_ns for the smallest; a larger one adds
 * erase_more_unit_ns per further erase unit, or (0) costs erase_unit_ns per erase unit. */
static uint64_t sector_erase_ns(const ota_sim_timing_t *t, const ota_flash_geometry_t *g,
                                uint32_t len)
{
    uint64_t units = len / g->erase_unit;
    uint64_t more = t->erase_more_unit_ns != 0 ? t->erase_more_unit_ns : t->erase_unit_ns;
    return t->erase_unit_ns + (units - 1u) * more;
}

/* ---- torn operations -------------------------------------------------------------------- */

/* A program torn by a power cut: a random prefix of the bytes is programmed, the byte at the
 * tear point has only part of the bits it should clear cleared (a strict subset, so the op
 * never looks complete there), the rest is untouched. */
static void torn_program(ota_sim_flash_t *dev, uint32_t addr, const uint8_t *data, uint32_t len)
{
    uint8_t *cell = dev->mem + addr;
    uint32_t tear = sim_random_below(dev->power, len);
    for (uint32_t i = 0; i < tear; i++) {
        cell[i] &= data[i];
    }
    uint8_t to_clear = (uint8_t)(cell[tear] & ~data[tear]);
    uint8_t cleared = (uint8_t)(sim_random(dev->power) & to_clear);
    if (cleared == to_clear && cleared != 0) {
        cleared &= (uint8_t)(cleared - 1u); /* keep one bit unprogrammed */
    }
    cell[tear] &= (uint8_t)~cleared;
}

/* An erase torn by a power cut: seen as a ring starting at a random offset, the range holds
 * a run of erased bytes (at least one, never all), then a run of random garbage, then the old
 * contents. So it is neither erased nor intact, and where the erased part lies is random. */
static void torn_erase(ota_sim_flash_t *dev, uint32_t addr, uint32_t len)
{
    uint8_t *cell = dev->mem + addr;
    uint8_t erased = dev->port.geometry.erased_value;
    if (len < 2u) {
        cell[0] = (uint8_t)sim_random(dev->power);
        return;
    }
    uint32_t start = sim_random_below(dev->power, len);
    uint32_t erased_len = 1u + sim_random_below(dev->power, len - 1u);
    uint32_t garbage_len = sim_random_below(dev->power, len - erased_len + 1u);
    uint64_t noise = 0;
    for (uint32_t i = 0; i < erased_len + garbage_len; i++) {
        uint32_t at = (start + i) % len;
        if (i < erased_len) {
            cell[at] = erased;
        } else {
            if ((i - erased_len) % 8u == 0) {
                noise = sim_random(dev->power);
            }
            cell[at] = (uint8_t)(noise >> (8u * ((i - erased_len) % 8u)));
        }
    }
}

/* ---- the three operations --------------------------------------------------------------- */

static ota_flash_status_t finish_op(ota_sim_flash_t *dev, sim_fate_t fate)
{
    if (dev->backing != NULL) {
        dev->backing->store_stats(dev);
    }
    /* Cut AFTER: the op is done, but the caller never learns it. */
    return fate == SIM_FATE_RUN ? OTA_FLASH_OK : OTA_FLASH_ERR_POWER;
}

static ota_flash_status_t sim_read(void *ctx, uint32_t addr, void *buf, uint32_t len)
{
    ota_sim_flash_t *dev = ctx;
    const ota_flash_geometry_t *g = &dev->port.geometry;

    if (sim_power_dead(dev->power)) {
        return OTA_FLASH_ERR_POWER;
    }
    if (!in_range(g, addr, len) || (buf == NULL && len != 0)) {
        return OTA_FLASH_ERR_RANGE;
    }
    if (len != 0) {
        memcpy(buf, dev->mem + addr, len);
        sim_fault_read(dev, addr, buf, len);
    }
    dev->stats.reads++;
    dev->stats.bytes_read += len;
    dev->stats.modeled_ns +=
        dev->preset.timing.read_setup_ns + (uint64_t)len * dev->preset.timing.read_byte_ns;
    return finish_op(dev, SIM_FATE_RUN);
}

static ota_flash_status_t sim_program(void *ctx, uint32_t addr, const void *buf, uint32_t len)
{
    ota_sim_flash_t *dev = ctx;
    const ota_flash_geometry_t *g = &dev->port.geometry;

    if (sim_power_dead(dev->power)) {
        return OTA_FLASH_ERR_POWER;
    }
    ota_flash_status_t st = ota_flash_check_program(g, addr, len);
    if (st != OTA_FLASH_OK) {
        return st;
    }
    if (buf == NULL) {
        return OTA_FLASH_ERR_RANGE;
    }
    if (any_programmed(dev, addr, len)) {
        return OTA_FLASH_ERR_OVERWRITE;
    }

    sim_fate_t fate = sim_power_begin_op(dev->power);
    if (fate == SIM_FATE_BEFORE) {
        return OTA_FLASH_ERR_POWER;
    }
    const uint8_t *data = buf;
    if (fate == SIM_FATE_TORN) {
        torn_program(dev, addr, data, len);
    } else {
        for (uint32_t i = 0; i < len; i++) {
            dev->mem[addr + i] &= data[i]; /* NOR: bits only go 1 -> 0 */
        }
        sim_fault_programmed(dev, addr, data, len, dev->power ? dev->power->ops : 0u);
    }
    /* Torn units count as programmed too: their cells hold charge until the next erase. */
    sim_mark_programmed(dev, addr, len);
    dev->stats.programs++;
    dev->stats.bytes_programmed += len;
    dev->stats.modeled_ns += program_time_ns(&dev->preset.timing, len, len / g->program_unit);
    return finish_op(dev, fate);
}

static ota_flash_status_t sim_erase(void *ctx, uint32_t addr, uint32_t len)
{
    ota_sim_flash_t *dev = ctx;
    const ota_flash_geometry_t *g = &dev->port.geometry;

    if (sim_power_dead(dev->power)) {
        return OTA_FLASH_ERR_POWER;
    }
    bool block = false;
    ota_flash_status_t st = ota_flash_check_erase(g, addr, len, &block);
    if (st != OTA_FLASH_OK) {
        return st;
    }

    sim_fate_t fate = sim_power_begin_op(dev->power);
    if (fate == SIM_FATE_BEFORE) {
        return OTA_FLASH_ERR_POWER;
    }
    sim_fault_erased(dev, addr, len);
    if (fate == SIM_FATE_TORN) {
        torn_erase(dev, addr, len);
        sim_mark_programmed(dev, addr, len); /* unknown state: must be erased before use */
    } else {
        memset(dev->mem + addr, g->erased_value, len);
        clear_programmed(dev, addr, len);
    }
    for (uint32_t u = addr / g->erase_unit; u < (addr + len) / g->erase_unit; u++) {
        dev->wear[u]++;
        if (dev->wear[u] > dev->stats.max_wear) {
            dev->stats.max_wear = dev->wear[u];
        }
    }
    dev->stats.erases++;
    dev->stats.bytes_erased += len;
    dev->stats.modeled_ns += block ? dev->preset.timing.erase_block_ns
                                   : sector_erase_ns(&dev->preset.timing, g, len);
    return finish_op(dev, fate);
}

static const ota_flash_ops_t sim_ops = {
    .read = sim_read,
    .program = sim_program,
    .erase = sim_erase,
};

/* ---- open / close / inspect ------------------------------------------------------------- */

ota_flash_status_t sim_open_common(ota_sim_flash_t *dev, const ota_sim_preset_t *preset,
                                   const ota_flash_geometry_t *geometry,
                                   ota_sim_power_t *power)
{
    memset(dev, 0, sizeof(*dev));
    dev->fd = -1;
    dev->meta_fd = -1;
    if (preset == NULL) {
        return OTA_FLASH_ERR_IO;
    }
    dev->preset = *preset;
    if (geometry != NULL) {
        dev->preset.geometry = *geometry;
    }
    if (!geometry_valid(&dev->preset.geometry)) {
        return OTA_FLASH_ERR_ALIGN;
    }
    dev->port.geometry = dev->preset.geometry;
    dev->power = power;
    return OTA_FLASH_OK;
}

void sim_attach_port(ota_sim_flash_t *dev)
{
    dev->port.ops = &sim_ops;
    dev->port.ctx = dev;
}

ota_sim_stats_t ota_sim_flash_stats(const ota_sim_flash_t *dev)
{
    return dev->stats;
}

uint32_t ota_sim_flash_wear(const ota_sim_flash_t *dev, uint32_t addr)
{
    if (addr >= dev->port.geometry.size) {
        return 0;
    }
    return dev->wear[addr / dev->port.geometry.erase_unit];
}

bool ota_sim_flash_programmed(const ota_sim_flash_t *dev, uint32_t addr)
{
    if (addr >= dev->port.geometry.size) {
        return false;
    }
    return unit_programmed(dev, addr / dev->port.geometry.program_unit);
}

uint8_t *ota_sim_flash_raw(ota_sim_flash_t *dev)
{
    return dev->mem;
}
