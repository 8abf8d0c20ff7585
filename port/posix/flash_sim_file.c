/* SPDX-License-Identifier: Apache-2.0 */
/*
 * File backing of the host flash model: a virtual board keeps its flash across power-offs.
 *
 * PATH holds the contents, byte for byte. PATH.meta holds what a real chip keeps in its cells
 * but a flat image cannot show: which program units were programmed since their erase, the
 * erase count of every erase unit, and the device's counters. Both files are mmap'ed shared,
 * so they are current on disk after every operation, even if the process is killed.
 *
 * PATH.meta layout (native byte order, i.e. little-endian on our hosts):
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
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "flash_sim_internal.h"

#define META_MAGIC "OTAFSIM1"
#define META_VERSION 1u
#define META_SUFFIX ".meta"

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

_Static_assert(sizeof(sim_meta_header_t) == 104, "meta header layout is documented");
_Static_assert(offsetof(sim_meta_header_t, reads) == 40, "meta header layout is documented");
_Static_assert(offsetof(sim_meta_header_t, max_wear) == 96, "meta header layout is documented");

static size_t bitmap_padded(const ota_flash_geometry_t *g)
{
    return (sim_bitmap_bytes(g) + 3u) & ~(size_t)3u;
}

static size_t meta_size(const ota_flash_geometry_t *g)
{
    return sizeof(sim_meta_header_t) + bitmap_padded(g) +
           (size_t)sim_erase_units(g) * sizeof(uint32_t);
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

/* Only on an open device (finish_op after sim_attach_port, release when port.ops is set), so
 * meta_map is mapped. */
static void sim_file_store_stats(ota_sim_flash_t *dev)
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

static void sim_file_release(ota_sim_flash_t *dev)
{
    /* port.ops is set only once open succeeded: never write counters into a .meta that was
     * rejected (it may belong to another device). */
    if (dev->port.ops != NULL) {
        sim_file_store_stats(dev);
    }
    if (dev->meta_map != NULL) {
        msync(dev->meta_map, dev->meta_size, MS_SYNC);
        munmap(dev->meta_map, dev->meta_size);
        dev->meta_map = NULL;
    }
    if (dev->mem != NULL) {
        msync(dev->mem, dev->port.geometry.size, MS_SYNC);
        munmap(dev->mem, dev->port.geometry.size);
        dev->mem = NULL;
    }
    if (dev->meta_fd >= 0) {
        close(dev->meta_fd);
        dev->meta_fd = -1;
    }
    if (dev->fd >= 0) {
        close(dev->fd);
        dev->fd = -1;
    }
    /* programmed and wear pointed into meta_map */
    dev->programmed = NULL;
    dev->wear = NULL;
}

static const sim_backing_ops_t sim_file_backing = {
    .store_stats = sim_file_store_stats,
    .release = sim_file_release,
};

/* Open path read-write; create it with `size` bytes if it does not exist. */
static int open_or_create(const char *path, off_t size, bool force_create, bool *created)
{
    int fd = -1;
    *created = false;
    if (!force_create) {
        fd = open(path, O_RDWR | O_CLOEXEC);
        if (fd >= 0 || errno != ENOENT) {
            return fd;
        }
    }
    fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        return -1;
    }
    if (ftruncate(fd, size) != 0) {
        close(fd);
        return -1;
    }
    *created = true;
    return fd;
}

static bool file_has_size(int fd, size_t size)
{
    struct stat st;
    return fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size == size;
}

static void *map_shared(int fd, size_t size)
{
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    return p == MAP_FAILED ? NULL : p;
}

/* A contents file that came without its .meta (written by a tool): a unit that is not all
 * erased must have been programmed. An all-erased one may have been programmed with the erased
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

static ota_flash_status_t open_meta(ota_sim_flash_t *dev, bool contents_created)
{
    const ota_flash_geometry_t *g = &dev->port.geometry;
    char meta_path[sizeof(dev->path)];
    memcpy(meta_path, dev->path, sizeof(meta_path));
    strcat(meta_path, META_SUFFIX); /* fits: checked by the caller */

    bool created;
    dev->meta_size = meta_size(g);
    dev->meta_fd = open_or_create(meta_path, (off_t)dev->meta_size, contents_created, &created);
    if (dev->meta_fd < 0 || !file_has_size(dev->meta_fd, dev->meta_size)) {
        return OTA_FLASH_ERR_IO;
    }
    dev->meta_map = map_shared(dev->meta_fd, dev->meta_size);
    if (dev->meta_map == NULL) {
        return OTA_FLASH_ERR_IO;
    }
    uint8_t *base = dev->meta_map;
    dev->programmed = base + sizeof(sim_meta_header_t);
    dev->wear = (uint32_t *)(void *)(base + sizeof(sim_meta_header_t) + bitmap_padded(g));
    if (created) {
        header_fill(dev->meta_map, g); /* the rest of a fresh file is zero: no wear */
        if (!contents_created) {
            derive_programmed(dev);
        }
        return OTA_FLASH_OK;
    }
    if (!header_matches(dev->meta_map, g)) {
        return OTA_FLASH_ERR_IO;
    }
    stats_from_header(&dev->stats, dev->meta_map);
    return OTA_FLASH_OK;
}

ota_flash_status_t ota_sim_flash_open_file(ota_sim_flash_t *dev, const char *path,
                                           const ota_sim_preset_t *preset,
                                           ota_sim_power_t *power)
{
    if (dev == NULL) {
        return OTA_FLASH_ERR_IO;
    }
    ota_flash_status_t st = sim_open_common(dev, preset, NULL, power);
    if (st != OTA_FLASH_OK) {
        return st;
    }
    if (path == NULL || strlen(path) + sizeof(META_SUFFIX) > sizeof(dev->path)) {
        return OTA_FLASH_ERR_IO;
    }
    strcpy(dev->path, path);
    dev->backing = &sim_file_backing;

    const ota_flash_geometry_t *g = &dev->port.geometry;
    bool created;
    dev->fd = open_or_create(path, (off_t)g->size, false, &created);
    if (dev->fd < 0 || !file_has_size(dev->fd, g->size)) {
        ota_sim_flash_close(dev);
        return OTA_FLASH_ERR_IO;
    }
    dev->mem = map_shared(dev->fd, g->size);
    if (dev->mem == NULL) {
        ota_sim_flash_close(dev);
        return OTA_FLASH_ERR_IO;
    }
    if (created) {
        memset(dev->mem, g->erased_value, g->size);
    }
    st = open_meta(dev, created);
    if (st != OTA_FLASH_OK) {
        ota_sim_flash_close(dev);
        return st;
    }
    sim_attach_port(dev);
    return OTA_FLASH_OK;
}
