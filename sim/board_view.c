/* SPDX-License-Identifier: Apache-2.0 */
/* Read-only views of a board (see board_view.h). */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "board_view.h"

static int open_view(flash_view_t *v, const char *dir, const char *name, const char *preset,
                     char *err, size_t err_len)
{
    char path[BOARD_PATH_MAX];
    const ota_sim_preset_t *p = ota_sim_preset(preset);
    if (board_path(path, dir, name) != 0 || p == NULL || flash_view_open(v, path, &p->geometry)) {
        snprintf(err, err_len, "cannot read %s/%s as %s flash", dir, name, preset);
        return -1;
    }
    return 0;
}

int board_view_open(board_view_t *v, const char *dir, const board_config_t *cfg, char *err,
                    size_t err_len)
{
    memset(v, 0, sizeof(*v));
    board_config_copy(&v->cfg, cfg);
    snprintf(v->dir, sizeof v->dir, "%s", dir);
    if (open_view(&v->internal, dir, BOARD_INTERNAL, BOARD_INTERNAL_PRESET, err, err_len) != 0 ||
        open_view(&v->external, dir, BOARD_EXTERNAL, cfg->ext_flash, err, err_len) != 0) {
        board_view_close(v);
        return -1;
    }
    board_view_refresh(v);
    return 0;
}

void board_view_refresh(board_view_t *v)
{
    ota_store_config_t sc;
    ota_boot_config_t bc;
    board_store_config(&v->cfg, &v->keys, &sc);
    board_boot_config(&v->cfg, &bc);
    v->guard_status = OTA_GUARD_ERR_GEOMETRY;
    if (ota_posix_system_init(&v->system, &v->internal.port, bc.app_offset) == 0) {
        v->guard_status = ota_guard_mount(&v->guard, v->system.system.guard_flash);
        sc.guard = &v->guard;
    }
    v->store_status = ota_store_mount(&v->store, &v->external.port, &sc);
    v->running_status = ota_boot_running_header(&v->internal.port, &bc, &v->running);
}

void board_view_close(board_view_t *v)
{
    flash_view_close(&v->internal);
    flash_view_close(&v->external);
}

/* The .meta header layout is documented in port/posix/flash_sim_file.c: counters as seven
 * u64 at offset 40 (reads, programs, erases, bytes read/programmed/erased, modeled ns), then
 * max_wear u32 at 96. */
int board_flash_stats(const char *dir, const char *name, ota_sim_stats_t *out)
{
    char path[BOARD_PATH_MAX], meta[BOARD_PATH_MAX + 8];
    if (board_path(path, dir, name) != 0) {
        return -1;
    }
    snprintf(meta, sizeof meta, "%s.meta", path);
    int fd = open(meta, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return -1;
    }
    uint8_t hdr[104];
    ssize_t n = pread(fd, hdr, sizeof hdr, 0);
    close(fd);
    if (n != (ssize_t)sizeof hdr || memcmp(hdr, "OTAFSIM1", 8) != 0) {
        return -1;
    }
    uint64_t c[7];
    memcpy(c, hdr + 40, sizeof c);
    memset(out, 0, sizeof(*out));
    out->reads = c[0];
    out->programs = c[1];
    out->erases = c[2];
    out->bytes_read = c[3];
    out->bytes_programmed = c[4];
    out->bytes_erased = c[5];
    out->modeled_ns = c[6];
    memcpy(&out->max_wear, hdr + 96, sizeof out->max_wear);
    return 0;
}
