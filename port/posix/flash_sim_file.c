/* SPDX-License-Identifier: Apache-2.0 */
/*
 * File backing of the host flash model: a virtual board keeps its flash across power-offs.
 *
 * PATH holds the contents, byte for byte. PATH.meta holds what a real chip keeps in its cells
 * but a flat image cannot show: which program units were programmed since their erase, the
 * erase count of every erase unit, and the device's counters. Both files are mmap'ed shared,
 * so they are current on disk after every operation, even if the process is killed.
 *
 * PATH.meta's layout and upkeep are flash_sim_meta.c's (shared with the target port).
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "flash_sim_internal.h"

#define META_SUFFIX ".meta"

static void sim_file_release(ota_sim_flash_t *dev)
{
    /* port.ops is set only once open succeeded: never write counters into a .meta that was
     * rejected (it may belong to another device). */
    if (dev->port.ops != NULL) {
        sim_meta_store_stats(dev);
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
    .store_stats = sim_meta_store_stats,
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

static ota_flash_status_t open_meta(ota_sim_flash_t *dev, bool contents_created)
{
    const ota_flash_geometry_t *g = &dev->port.geometry;
    char meta_path[sizeof(dev->path)];
    memcpy(meta_path, dev->path, sizeof(meta_path));
    strcat(meta_path, META_SUFFIX); /* fits: checked by the caller */

    bool created;
    dev->meta_size = ota_sim_meta_size(g);
    dev->meta_fd = open_or_create(meta_path, (off_t)dev->meta_size, contents_created, &created);
    if (dev->meta_fd < 0 || !file_has_size(dev->meta_fd, dev->meta_size)) {
        return OTA_FLASH_ERR_IO;
    }
    dev->meta_map = map_shared(dev->meta_fd, dev->meta_size);
    if (dev->meta_map == NULL) {
        return OTA_FLASH_ERR_IO;
    }
    /* A fresh .meta beside existing contents marks what they hold as programmed; beside new
     * (all erased) contents it marks nothing. */
    return sim_meta_attach(dev, dev->meta_map, created);
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
