/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The .meta image of a flash model device: what a real chip keeps in its cells but a flat
 * contents image cannot show (programmed bits since the last erase, erase counts) and the
 * device's counters, in one block of memory that the device keeps current after every
 * operation. The host's file backing maps it from PATH.meta (flash_sim_file.c); a target
 * holds it in RAM and writes it through to the same file (port/cortex-m/mps2-an386). No
 * allocation, no OS call.
 *
 * Layout (native byte order, i.e. little-endian on our hosts and targets):
 *   0   char[8]  magic "OTAFSIM1"
 *   8   u32      format version (1)
 *   12  u32      header size (104)
 *   16  u32 x5   size, erase_unit, block_size, program_unit, page_size
 *   36  u32      erased_value
 *   40  u64 x7   reads, programs, erases, bytes_read, bytes_programmed, bytes_erased,
 *                modeled_ns
 *   96  u32      max_wear
 *   100 u32      reserved (0)
 *   104 bitmap   one bit per program unit (bit u%8 of byte u/8), padded to a multiple of 4
 *   ..  u32[]    erase count per erase unit
 */
#include <stddef.h>
#include <string.h>

#include "flash_sim_internal.h"

#define META_MAGIC "OTAFSIM1"
#define META_VERSION 1u

typedef struct sim_meta_header {
    char magic[8];
    uint32_t version;
    uint32_t header_size;
    uint32_t size, erase_unit, block_size, program_unit, page_size;
    uint32_t erased_value;
    uint64_t reads, programs, erases, bytes_read, bytes_programmed, bytes_erased, modeled_ns;
    uint32_t max_wear;
    uint32_t reserved;
} sim_meta_header_t;

_Static_assert(sizeof(sim_meta_header_t) == OTA_SIM_META_HEADER_SIZE,
               "meta header layout is documented");
_Static_assert(offsetof(sim_meta_header_t, reads) == 40, "meta header layout is documented");
_Static_assert(offsetof(sim_meta_header_t, max_wear) == 96, "meta header layout is documented");

static size_t bitmap_padded(const ota_flash_geometry_t *g)
{
    return (sim_bitmap_bytes(g) + 3u) & ~(size_t)3u;
}

size_t ota_sim_meta_size(const ota_flash_geometry_t *g)
{
    return OTA_SIM_META_SIZE((size_t)g->size, g->erase_unit, g->program_unit);
}

static void header_fill(sim_meta_header_t *h, const ota_flash_geometry_t *g)
{
    memset(h, 0, sizeof(*h));
    memcpy(h->magic, META_MAGIC, sizeof(h->magic));
    h->version = META_VERSION;
    h->header_size = (uint32_t)sizeof(*h);
    h->size = g->size;
    h->erase_unit = g->erase_unit;
    h->block_size = g->block_size;
    h->program_unit = g->program_unit;
    h->page_size = g->page_size;
    h->erased_value = g->erased_value;
}

static bool header_matches(const sim_meta_header_t *h, const ota_flash_geometry_t *g)
{
    sim_meta_header_t want;
    header_fill(&want, g);
    /* compare the identity part only: everything before the counters */
    return memcmp(h, &want, offsetof(sim_meta_header_t, reads)) == 0 && h->reserved == 0;
}

static void stats_from_header(ota_sim_stats_t *s, const sim_meta_header_t *h)
{
    s->reads = h->reads;
    s->programs = h->programs;
    s->erases = h->erases;
    s->bytes_read = h->bytes_read;
    s->bytes_programmed = h->bytes_programmed;
    s->bytes_erased = h->bytes_erased;
    s->modeled_ns = h->modeled_ns;
    s->max_wear = h->max_wear;
}

void sim_meta_store_stats(ota_sim_flash_t *dev)
{
    sim_meta_header_t *h = dev->meta_map;
    const ota_sim_stats_t *s = &dev->stats;
    h->reads = s->reads;
    h->programs = s->programs;
    h->erases = s->erases;
    h->bytes_read = s->bytes_read;
    h->bytes_programmed = s->bytes_programmed;
    h->bytes_erased = s->bytes_erased;
    h->modeled_ns = s->modeled_ns;
    h->max_wear = s->max_wear;
}

/* Contents that came without their .meta (written by a tool): a unit that is not all erased
 * must have been programmed. An all-erased one may have been programmed with the erased
 * value; that cannot be known, and programming it again is harmless for a NOR cell. */
static void derive_programmed(ota_sim_flash_t *dev)
{
    const ota_flash_geometry_t *g = &dev->port.geometry;
    for (uint32_t addr = 0; addr < g->size; addr += g->program_unit) {
        for (uint32_t i = 0; i < g->program_unit; i++) {
            if (dev->mem[addr + i] != g->erased_value) {
                sim_mark_programmed(dev, addr, g->program_unit);
                break;
            }
        }
    }
}

ota_flash_status_t sim_meta_attach(ota_sim_flash_t *dev, void *meta, bool fresh)
{
    const ota_flash_geometry_t *g = &dev->port.geometry;
    uint8_t *base = meta;
    dev->meta_map = meta;
    dev->meta_size = ota_sim_meta_size(g);
    dev->programmed = base + sizeof(sim_meta_header_t);
    dev->wear = (uint32_t *)(void *)(base + sizeof(sim_meta_header_t) + bitmap_padded(g));
    if (fresh) {
        header_fill(meta, g); /* the rest of a fresh image is zero: no wear */
        derive_programmed(dev);
        return OTA_FLASH_OK;
    }
    if (!header_matches(meta, g)) {
        return OTA_FLASH_ERR_IO;
    }
    stats_from_header(&dev->stats, meta);
    return OTA_FLASH_OK;
}

/* Storage the caller owns: closing only leaves the counters in its image. */
static void meta_release(ota_sim_flash_t *dev)
{
    if (dev->port.ops != NULL) {
        sim_meta_store_stats(dev);
    }
    dev->meta_map = NULL;
}

static const sim_backing_ops_t sim_meta_backing = {
    .store_stats = sim_meta_store_stats,
    .release = meta_release,
};

ota_flash_status_t ota_sim_flash_open_meta(ota_sim_flash_t *dev, const ota_sim_preset_t *preset,
                                           ota_sim_power_t *power, uint8_t *mem, void *meta,
                                           bool fresh)
{
    if (dev == NULL) {
        return OTA_FLASH_ERR_IO;
    }
    ota_flash_status_t st = sim_open_common(dev, preset, NULL, power);
    if (st != OTA_FLASH_OK) {
        return st;
    }
    /* mem is not checked: on a target the contents may be the memory at address 0 (the
     * Cortex-M port's internal flash). */
    if (meta == NULL) {
        return OTA_FLASH_ERR_IO;
    }
    dev->mem = mem;
    dev->backing = &sim_meta_backing;
    st = sim_meta_attach(dev, meta, fresh);
    if (st != OTA_FLASH_OK) {
        dev->meta_map = NULL;
        return st;
    }
    sim_attach_port(dev);
    return OTA_FLASH_OK;
}
