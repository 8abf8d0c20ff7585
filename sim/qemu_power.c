/* SPDX-License-Identifier: Apache-2.0 */
/* DIR/power.qemu, the QEMU engine's power domain as a text line (see qemu_power.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "board.h"
#include "qemu_power.h"

static const char *const MODE_NAMES[] = {"before", "after", "torn"};

const char *qemu_power_mode_str(ota_sim_cut_mode_t mode)
{
    return (unsigned)mode < 3u ? MODE_NAMES[mode] : "?";
}

int qemu_power_mode_parse(const char *name, ota_sim_cut_mode_t *out)
{
    for (unsigned i = 0; i < 3u; i++) {
        if (strcmp(name, MODE_NAMES[i]) == 0) {
            *out = (ota_sim_cut_mode_t)i;
            return 0;
        }
    }
    return -1;
}

int qemu_power_read(const char *dir, ota_sim_power_t *p, uint32_t *seed, char *err,
                    size_t err_len)
{
    char path[BOARD_PATH_MAX];
    memset(p, 0, sizeof(*p));
    *seed = 1;
    if (board_path(path, dir, BOARD_POWER_QEMU) != 0) {
        snprintf(err, err_len, "board directory path too long");
        return -1;
    }
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        if (errno == ENOENT) {
            return 0;
        }
        snprintf(err, err_len, "cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    char mode[16];
    unsigned dead;
    int n = fscanf(f, "ops=%" SCNu64 " cut_at=%" SCNu64 " mode=%15s seed=%" SCNu32 " dead=%u",
                   &p->ops, &p->cut_at, mode, seed, &dead);
    fclose(f);
    if (n != 5 || qemu_power_mode_parse(mode, &p->mode) != 0 || dead > 1u) {
        snprintf(err, err_len, "%s is not 'ops=K cut_at=N mode=M seed=S dead=0|1'", path);
        return -1;
    }
    p->dead = dead != 0;
    return 0;
}

int qemu_power_write(const char *dir, const ota_sim_power_t *p, uint32_t seed, char *err,
                     size_t err_len)
{
    char path[BOARD_PATH_MAX], tmp[BOARD_PATH_MAX];
    if (board_path(path, dir, BOARD_POWER_QEMU) != 0 ||
        board_path(tmp, dir, BOARD_POWER_QEMU ".tmp") != 0) {
        snprintf(err, err_len, "board directory path too long");
        return -1;
    }
    FILE *f = fopen(tmp, "w");
    int failed = f == NULL;
    if (f != NULL) {
        failed = fprintf(f, "ops=%" PRIu64 " cut_at=%" PRIu64 " mode=%s seed=%" PRIu32
                         " dead=%d\n", p->ops, p->cut_at, qemu_power_mode_str(p->mode), seed,
                         p->dead ? 1 : 0) < 0;
        failed = fclose(f) != 0 || failed;
    }
    if (failed || rename(tmp, path) != 0) {
        snprintf(err, err_len, "cannot write %s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}
