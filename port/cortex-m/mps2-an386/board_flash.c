/* SPDX-License-Identifier: Apache-2.0 */
/* The emulated board's flashes with semihosting write-through (board_flash.h). */
#include "board_flash.h"

#include <string.h>

#include "fmt.h"
#include "semihost.h"

#define INTERNAL_PRESET "pic32mzw1-pfm"
#define PATH_MAX_LEN 300u
#define POWER_LINE_LEN 96u /* fixed: a rewrite never leaves the end of a longer line */

/* Storage for the largest parts: 8 MB of external contents (sst26vf064b) and the .meta
 * images, in the PSRAM (firmware/sections.ld's .flashmodel). */
#define EXT_MAX (8u * 1024u * 1024u)
#define EXT_META_MAX OTA_SIM_META_SIZE(EXT_MAX, 4096u, 1u)
#define INT_META_MAX OTA_SIM_META_SIZE(1024u * 1024u, 4096u, 16u)

__attribute__((section(".flashmodel.ext"))) static uint8_t g_ext_mem[EXT_MAX];
__attribute__((section(".flashmodel.extmeta"), aligned(8))) static uint8_t g_ext_meta[EXT_META_MAX];
__attribute__((section(".flashmodel.intmeta"), aligned(8))) static uint8_t g_int_meta[INT_META_MAX];

/* The internal flash is the code memory from address 0 (firmware/sections.ld). */
extern uint8_t __internal_flash[];

static int fail(char *err, size_t err_len, const char *what, const char *path)
{
    fmt_format(err, err_len, "%s: %s", path, what);
    return -1;
}

/* ---- power.qemu ------------------------------------------------------------------------- */

static const char *const MODE_NAMES[] = {"before", "after", "torn"};

static bool read_field(const char **s, const char *name, uint64_t *out)
{
    size_t n = strlen(name);
    while (**s == ' ') {
        (*s)++;
    }
    if (strncmp(*s, name, n) != 0 || (*s)[n] != '=') {
        return false;
    }
    *s += n + 1u;
    uint64_t v = 0;
    const char *start = *s;
    while (**s >= '0' && **s <= '9') {
        v = v * 10u + (uint64_t)(**s - '0');
        (*s)++;
    }
    *out = v;
    return *s != start;
}

static bool parse_power(board_flashes_t *f, const char *line)
{
    uint64_t ops, cut_at, dead;
    const char *s = line;
    if (!read_field(&s, "ops", &ops) || !read_field(&s, "cut_at", &cut_at)) {
        return false;
    }
    while (*s == ' ') {
        s++;
    }
    if (strncmp(s, "mode=", 5) != 0) {
        return false;
    }
    s += 5;
    int mode = -1;
    for (int m = 0; m < 3; m++) {
        size_t n = strlen(MODE_NAMES[m]);
        if (strncmp(s, MODE_NAMES[m], n) == 0 && (s[n] == ' ' || s[n] == '\0')) {
            mode = m;
            s += n;
        }
    }
    if (mode < 0 || !read_field(&s, "seed", &f->seed) || !read_field(&s, "dead", &dead) ||
        dead > 1) {
        return false;
    }
    ota_sim_power_init(&f->power);
    f->power.ops = ops;
    ota_sim_power_arm(&f->power, cut_at, (ota_sim_cut_mode_t)mode, f->seed);
    /* A launch is a power-on: a cut that fired in the last run is over. */
    if (dead) {
        ota_sim_power_on(&f->power);
    }
    return true;
}

static int write_power(board_flashes_t *f)
{
    char line[POWER_LINE_LEN + 1u];
    const ota_sim_power_t *p = &f->power;
    size_t n = fmt_format(line, sizeof line, "ops=%llu cut_at=%llu mode=%s seed=%llu dead=%u",
                          (unsigned long long)p->ops, (unsigned long long)p->cut_at,
                          MODE_NAMES[p->mode <= OTA_SIM_CUT_TORN ? p->mode : 0],
                          (unsigned long long)f->seed, p->dead ? 1u : 0u);
    while (n < POWER_LINE_LEN - 1u) {
        line[n++] = ' ';
    }
    line[n++] = '\n';
    return sh_write_at(f->power_fh, 0, line, n);
}

static int open_power(board_flashes_t *f, const char *dir, char *err, size_t err_len)
{
    char path[PATH_MAX_LEN];
    fmt_format(path, sizeof path, "%s/power.qemu", dir);
    char line[POWER_LINE_LEN + 1u] = "";
    int fh = sh_open(path, SH_MODE_RB);
    if (fh >= 0) {
        int32_t len = sh_flen(fh);
        size_t n = len > 0 && (size_t)len <= POWER_LINE_LEN ? (size_t)len : 0u;
        if (n == 0 || sh_read(fh, line, n) != 0) {
            sh_close(fh);
            return fail(err, err_len, "unreadable", path);
        }
        line[n] = '\0';
        sh_close(fh);
        char *nl = strchr(line, '\n');
        if (nl != NULL) {
            *nl = '\0';
        }
        if (!parse_power(f, line)) {
            return fail(err, err_len, "not ops=K cut_at=N mode=M seed=S dead=D", path);
        }
        fh = sh_open(path, SH_MODE_RPB);
    } else {
        ota_sim_power_init(&f->power); /* no file: powered, no cut armed */
        f->seed = 1;
        fh = sh_open(path, SH_MODE_WB);
    }
    f->power_fh = fh;
    if (fh < 0 || write_power(f) != 0) {
        return fail(err, err_len, "cannot write", path);
    }
    return 0;
}

/* ---- write-through ---------------------------------------------------------------------- */

static uint8_t *meta_of(board_flash_t *fl)
{
    return fl->model.meta_map;
}

static int write_meta_range(board_flash_t *fl, const void *from, size_t len)
{
    const uint8_t *p = from;
    return sh_write_at(fl->meta_fh, (uint32_t)(p - meta_of(fl)), p, len);
}

/* After an operation that reached the chip: its bytes, the programmed bits and wear of the
 * range, the counters, then the power domain; exit if the cut fired. */
static void write_through(board_flash_t *fl, uint32_t addr, uint32_t len, bool erase)
{
    const ota_flash_geometry_t *g = &fl->model.port.geometry;
    uint32_t first = addr / g->program_unit / 8u;
    uint32_t last = (addr + len - 1u) / g->program_unit / 8u;
    int rc = sh_write_at(fl->fh, addr, fl->model.mem + addr, len);
    rc |= write_meta_range(fl, fl->model.programmed + first, last - first + 1u);
    if (erase) {
        uint32_t u0 = addr / g->erase_unit, u1 = (addr + len - 1u) / g->erase_unit;
        rc |= write_meta_range(fl, fl->model.wear + u0, (u1 - u0 + 1u) * sizeof(uint32_t));
    }
    rc |= write_meta_range(fl, meta_of(fl), OTA_SIM_META_HEADER_SIZE);
    rc |= write_power(fl->board);
    if (fl->board->power.dead) {
        sh_exit(BOARD_EXIT_POWER_CUT);
    }
    if (rc != 0) {
        /* The board directory no longer mirrors the flash: stop rather than diverge. */
        sh_exit(1);
    }
}

static ota_flash_status_t wt_read(void *ctx, uint32_t addr, void *buf, uint32_t len)
{
    board_flash_t *fl = ctx;
    return ota_flash_read(&fl->model.port, addr, buf, len);
}

static ota_flash_status_t wt_program(void *ctx, uint32_t addr, const void *buf, uint32_t len)
{
    board_flash_t *fl = ctx;
    uint64_t before = fl->board->power.ops;
    ota_flash_status_t st = ota_flash_program(&fl->model.port, addr, buf, len);
    if (fl->board->power.ops != before) {
        write_through(fl, addr, len, false);
    }
    return st;
}

static ota_flash_status_t wt_erase(void *ctx, uint32_t addr, uint32_t len)
{
    board_flash_t *fl = ctx;
    uint64_t before = fl->board->power.ops;
    ota_flash_status_t st = ota_flash_erase(&fl->model.port, addr, len);
    if (fl->board->power.ops != before) {
        write_through(fl, addr, len, true);
    }
    return st;
}

static const ota_flash_ops_t WRITE_THROUGH_OPS = {wt_read, wt_program, wt_erase};

/* ---- open ------------------------------------------------------------------------------- */

static int open_flash(board_flashes_t *f, board_flash_t *fl, const char *dir, const char *name,
                      const char *preset_name, uint8_t *mem, bool load, uint8_t *meta,
                      size_t meta_max, char *err, size_t err_len)
{
    char path[PATH_MAX_LEN], meta_path[PATH_MAX_LEN];
    fmt_format(path, sizeof path, "%s/%s", dir, name);
    fmt_format(meta_path, sizeof meta_path, "%s/%s.meta", dir, name);
    const ota_sim_preset_t *preset = ota_sim_preset(preset_name);
    if (preset == NULL || preset->geometry.size > EXT_MAX ||
        ota_sim_meta_size(&preset->geometry) > meta_max) {
        return fail(err, err_len, "flash part not supported by this firmware", path);
    }
    uint32_t size = preset->geometry.size;
    fl->board = f;
    fl->fh = sh_open(path, SH_MODE_RPB);
    if (fl->fh < 0 || sh_flen(fl->fh) != (int32_t)size) {
        return fail(err, err_len, "missing or not the size of its flash part", path);
    }
    if (load && sh_read(fl->fh, mem, size) != 0) {
        return fail(err, err_len, "cannot read", path);
    }
    size_t meta_size = ota_sim_meta_size(&preset->geometry);
    bool fresh = false;
    fl->meta_fh = sh_open(meta_path, SH_MODE_RPB);
    if (fl->meta_fh >= 0) {
        if (sh_flen(fl->meta_fh) != (int32_t)meta_size || sh_read(fl->meta_fh, meta, meta_size)) {
            return fail(err, err_len, "not the .meta of this flash part", meta_path);
        }
    } else {
        fresh = true; /* written by a tool without its .meta: made from the contents */
        memset(meta, 0, meta_size);
        fl->meta_fh = sh_open(meta_path, SH_MODE_WB);
    }
    if (ota_sim_flash_open_meta(&fl->model, preset, &f->power, mem, meta, fresh) !=
        OTA_FLASH_OK) {
        return fail(err, err_len, "not the .meta of this flash part", meta_path);
    }
    if (fl->meta_fh < 0 || (fresh && sh_write_at(fl->meta_fh, 0, meta, meta_size) != 0)) {
        return fail(err, err_len, "cannot write", meta_path);
    }
    fl->port.ops = &WRITE_THROUGH_OPS;
    fl->port.ctx = fl;
    fl->port.geometry = fl->model.port.geometry;
    return 0;
}

int board_flashes_open(board_flashes_t *f, const board_args_t *args, char *err, size_t err_len)
{
    memset(f, 0, sizeof *f);
    if (open_power(f, args->dir, err, err_len) != 0) {
        return -1;
    }
    if (open_flash(f, &f->internal, args->dir, "internal.flash", INTERNAL_PRESET,
                   __internal_flash, false, g_int_meta, sizeof g_int_meta, err, err_len) != 0) {
        return -1;
    }
    return open_flash(f, &f->external, args->dir, "external.flash", args->ext_flash, g_ext_mem,
                      true, g_ext_meta, sizeof g_ext_meta, err, err_len);
}

const ota_flash_t *board_flash_port(const board_flash_t *flash)
{
    return &flash->port;
}

void board_flashes_sync(board_flashes_t *f)
{
    board_flash_t *both[2] = {&f->internal, &f->external};
    for (unsigned i = 0; i < 2; i++) {
        if (both[i]->meta_fh >= 0 && both[i]->model.meta_map != NULL) {
            (void)write_meta_range(both[i], meta_of(both[i]), OTA_SIM_META_HEADER_SIZE);
        }
    }
}
