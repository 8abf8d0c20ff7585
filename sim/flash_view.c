/* SPDX-License-Identifier: Apache-2.0 */
/* Read-only ota_flash_t over an mmap of a flash contents file (see flash_view.h). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "flash_view.h"

static ota_flash_status_t view_read(void *ctx, uint32_t addr, void *buf, uint32_t len)
{
    const flash_view_t *v = ctx;
    if ((size_t)addr > v->size || len > v->size - addr || (buf == NULL && len > 0)) {
        return OTA_FLASH_ERR_RANGE;
    }
    if (len > 0) {
        memcpy(buf, v->mem + addr, len);
    }
    return OTA_FLASH_OK;
}

static ota_flash_status_t view_program(void *ctx, uint32_t addr, const void *buf, uint32_t len)
{
    (void)ctx, (void)addr, (void)buf, (void)len;
    return OTA_FLASH_ERR_IO;
}

static ota_flash_status_t view_erase(void *ctx, uint32_t addr, uint32_t len)
{
    (void)ctx, (void)addr, (void)len;
    return OTA_FLASH_ERR_IO;
}

static const ota_flash_ops_t VIEW_OPS = {view_read, view_program, view_erase};

int flash_view_open(flash_view_t *v, const char *path, const ota_flash_geometry_t *geometry)
{
    memset(v, 0, sizeof(*v));
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || (uint64_t)st.st_size != geometry->size) {
        close(fd);
        errno = EINVAL;
        return -1;
    }
    void *p = mmap(NULL, geometry->size, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (p == MAP_FAILED) {
        return -1;
    }
    v->mem = p;
    v->size = geometry->size;
    v->port.ops = &VIEW_OPS;
    v->port.ctx = v;
    v->port.geometry = *geometry;
    return 0;
}

void flash_view_close(flash_view_t *v)
{
    if (v->mem != NULL) {
        munmap((void *)(uintptr_t)v->mem, v->size);
    }
    memset(v, 0, sizeof(*v));
}
