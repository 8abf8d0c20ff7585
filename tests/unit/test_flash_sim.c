/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The host flash model is the ground truth of every power-fail test: here each rule, each
 * counter and each cut mode is checked the way a user of the model would see it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "flash_sim.h"

/* ---- helpers ---------------------------------------------------------------------------- */

static const ota_sim_preset_t *preset(const char *name)
{
    const ota_sim_preset_t *p = ota_sim_preset(name);
    assert_non_null(p);
    return p;
}

static void open_ram(ota_sim_flash_t *dev, const char *name, ota_sim_power_t *power)
{
    assert_int_equal(ota_sim_flash_open_ram(dev, preset(name), NULL, power), OTA_FLASH_OK);
}

static void fill_pattern(uint8_t *buf, size_t len, uint8_t seed)
{
    for (size_t i = 0; i < len; i++) {
        buf[i] = (uint8_t)(seed + i * 37u);
    }
}

static bool all_equal(const uint8_t *p, size_t len, uint8_t v)
{
    for (size_t i = 0; i < len; i++) {
        if (p[i] != v) {
            return false;
        }
    }
    return true;
}

/* A refused operation must leave everything as it was: contents, counters, board op count. */
typedef struct snapshot {
    uint8_t *mem;
    ota_sim_stats_t stats;
    uint64_t ops;
} snapshot_t;

static void snap(snapshot_t *s, ota_sim_flash_t *dev, const ota_sim_power_t *power)
{
    size_t size = ota_sim_flash_port(dev)->geometry.size;
    s->mem = malloc(size);
    assert_non_null(s->mem);
    memcpy(s->mem, ota_sim_flash_raw(dev), size);
    s->stats = ota_sim_flash_stats(dev);
    s->ops = power ? power->ops : 0;
}

static void assert_unchanged(snapshot_t *s, ota_sim_flash_t *dev, const ota_sim_power_t *power)
{
    size_t size = ota_sim_flash_port(dev)->geometry.size;
    assert_memory_equal(s->mem, ota_sim_flash_raw(dev), size);
    ota_sim_stats_t now = ota_sim_flash_stats(dev);
    assert_memory_equal(&s->stats, &now, sizeof(now));
    assert_int_equal(s->ops, power ? power->ops : 0);
    free(s->mem);
    s->mem = NULL;
}

/* ---- presets and geometry --------------------------------------------------------------- */

static void test_presets(void **state)
{
    (void)state;
    const ota_sim_preset_t *a = preset("sst26vf032b");
    const ota_sim_preset_t *b = preset("sst26vf064b");
    const ota_sim_preset_t *c = preset("pic32mzw1-pfm");
    assert_int_equal(a->geometry.size, 4u << 20);
    assert_int_equal(b->geometry.size, 8u << 20);
    assert_int_equal(c->geometry.size, 1u << 20);
    for (const ota_sim_preset_t *p = a; p != NULL; p = (p == a ? b : NULL)) {
        assert_int_equal(p->geometry.erase_unit, 4096);
        assert_int_equal(p->geometry.block_size, 65536);
        assert_int_equal(p->geometry.program_unit, 1);
        assert_int_equal(p->geometry.page_size, 256);
        assert_int_equal(p->geometry.erased_value, 0xFF);
        assert_int_equal(p->timing.erase_unit_ns, 18000000u); /* 18 ms typ, datasheet */
        assert_int_equal(p->timing.erase_block_ns, 18000000u);
    }
    assert_int_equal(c->geometry.erase_unit, 4096);
    assert_int_equal(c->geometry.block_size, 0);
    assert_int_equal(c->geometry.program_unit, 16);
    assert_int_equal(c->geometry.page_size, 1024);
    assert_null(ota_sim_preset("sst26vf016b"));
    assert_null(ota_sim_preset(NULL));
}

static void test_bad_geometry_rejected(void **state)
{
    (void)state;
    ota_sim_flash_t dev;
    const ota_flash_geometry_t bad[] = {
        {.size = 3u << 20, .erase_unit = 4096, .program_unit = 1, .page_size = 256},
        {.size = 1u << 20, .erase_unit = 4096, .program_unit = 32, .page_size = 16},
        {.size = 1u << 20, .erase_unit = 256, .program_unit = 1, .page_size = 1024},
        {.size = 1u << 20, .erase_unit = 4096, .block_size = 2048, .program_unit = 1,
         .page_size = 256},
        {.size = 1u << 20, .erase_unit = 4096, .block_size = 3u << 12, .program_unit = 1,
         .page_size = 256},
        {.size = 1u << 20, .erase_unit = 0, .program_unit = 1, .page_size = 256},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(ota_sim_flash_open_ram(&dev, preset("sst26vf032b"), &bad[i], NULL),
                         OTA_FLASH_ERR_ALIGN);
        ota_sim_flash_close(&dev); /* safe after a failed open */
    }
    assert_int_equal(ota_sim_flash_open_ram(&dev, NULL, NULL, NULL), OTA_FLASH_ERR_IO);
}

static void test_fresh_device_is_erased(void **state)
{
    (void)state;
    ota_sim_flash_t dev;
    open_ram(&dev, "pic32mzw1-pfm", NULL);
    const ota_flash_t *f = ota_sim_flash_port(&dev);
    assert_true(all_equal(ota_sim_flash_raw(&dev), f->geometry.size, 0xFF));
    uint8_t buf[64];
    assert_int_equal(ota_flash_read(f, f->geometry.size - 64, buf, 64), OTA_FLASH_OK);
    assert_true(all_equal(buf, sizeof(buf), 0xFF));
    ota_sim_flash_close(&dev);
    ota_sim_flash_close(&dev); /* twice is harmless */
}

/* ---- program rules ---------------------------------------------------------------------- */

/* Each case is one rule violation; each must give its named error and change nothing. */
typedef struct bad_program {
    const char *part;
    uint32_t addr, len;
    ota_flash_status_t want;
} bad_program_t;

static void test_program_rule_violations(void **state)
{
    (void)state;
    const bad_program_t cases[] = {
        {"sst26vf032b", 0, 0, OTA_FLASH_ERR_ALIGN},             /* len 0 */
        {"sst26vf032b", 250, 10, OTA_FLASH_ERR_ALIGN},          /* crosses a 256 B page */
        {"sst26vf032b", 0, 257, OTA_FLASH_ERR_ALIGN},           /* > page_size */
        {"sst26vf032b", 0, 512, OTA_FLASH_ERR_ALIGN},           /* > page_size, aligned */
        {"pic32mzw1-pfm", 8, 16, OTA_FLASH_ERR_ALIGN},          /* addr not quad-word */
        {"pic32mzw1-pfm", 0, 24, OTA_FLASH_ERR_ALIGN},          /* len not quad-words */
        {"pic32mzw1-pfm", 1008, 32, OTA_FLASH_ERR_ALIGN},       /* crosses a 1 KB row */
        {"pic32mzw1-pfm", 0, 2048, OTA_FLASH_ERR_ALIGN},        /* > row */
        {"pic32mzw1-pfm", 0, 0, OTA_FLASH_ERR_ALIGN},           /* len 0 */
        {"sst26vf032b", (4u << 20) - 1, 2, OTA_FLASH_ERR_RANGE},  /* runs past the end */
        {"sst26vf032b", 4u << 20, 1, OTA_FLASH_ERR_RANGE},        /* starts at the end */
        {"sst26vf032b", 0xFFFFFF00u, 0x100, OTA_FLASH_ERR_RANGE}, /* addr+len wraps to 0 */
        {"sst26vf032b", 0xFFFFFFFFu, 1, OTA_FLASH_ERR_RANGE},
        {"pic32mzw1-pfm", 1u << 20, 16, OTA_FLASH_ERR_RANGE},
    };
    uint8_t data[2048];
    memset(data, 0x00, sizeof(data));
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ota_sim_power_t power;
        ota_sim_power_init(&power);
        ota_sim_flash_t dev;
        open_ram(&dev, cases[i].part, &power);
        snapshot_t s;
        snap(&s, &dev, &power);
        ota_flash_status_t st = ota_flash_program(ota_sim_flash_port(&dev), cases[i].addr, data,
                                                  cases[i].len);
        if (st != cases[i].want) {
            fail_msg("case %zu (%s addr %u len %u): got %d, want %d", i, cases[i].part,
                     cases[i].addr, cases[i].len, st, cases[i].want);
        }
        assert_unchanged(&s, &dev, &power);
        ota_sim_flash_close(&dev);
    }
}

static void test_program_overwrite_refused_and_nothing_written(void **state)
{
    (void)state;
    ota_sim_power_t power;
    ota_sim_power_init(&power);
    ota_sim_flash_t dev;
    open_ram(&dev, "sst26vf032b", &power);
    const ota_flash_t *f = ota_sim_flash_port(&dev);
    const uint8_t first[4] = {0xA5, 0xA5, 0xA5, 0xA5};
    assert_int_equal(ota_flash_program(f, 100, first, 4), OTA_FLASH_OK);

    /* overlaps two programmed bytes; the other 4 bytes must not be written either */
    const uint8_t second[6] = {0, 0, 0, 0, 0, 0};
    snapshot_t s;
    snap(&s, &dev, &power);
    assert_int_equal(ota_flash_program(f, 102, second, 6), OTA_FLASH_ERR_OVERWRITE);
    assert_unchanged(&s, &dev, &power);
    assert_true(all_equal(ota_sim_flash_raw(&dev) + 104, 4, 0xFF));

    /* programming 0xFF (no bit changes) is still a program of that unit */
    const uint8_t ff = 0xFF;
    assert_int_equal(ota_flash_program(f, 200, &ff, 1), OTA_FLASH_OK);
    assert_int_equal(ota_flash_program(f, 200, &ff, 1), OTA_FLASH_ERR_OVERWRITE);
    ota_sim_flash_close(&dev);

    /* PIC32 quad words: a second program anywhere inside a programmed quad word */
    open_ram(&dev, "pic32mzw1-pfm", NULL);
    f = ota_sim_flash_port(&dev);
    uint8_t qw[32];
    fill_pattern(qw, sizeof(qw), 1);
    assert_int_equal(ota_flash_program(f, 4096 + 16, qw, 16), OTA_FLASH_OK);
    assert_int_equal(ota_flash_program(f, 4096, qw, 32), OTA_FLASH_ERR_OVERWRITE);
    assert_true(all_equal(ota_sim_flash_raw(&dev) + 4096, 16, 0xFF));
    assert_int_equal(ota_flash_program(f, 4096, qw, 16), OTA_FLASH_OK);
    assert_true(ota_sim_flash_programmed(&dev, 4096 + 31));
    assert_false(ota_sim_flash_programmed(&dev, 4096 + 32));
    ota_sim_flash_close(&dev);
}

static void test_program_ands_bits(void **state)
{
    (void)state;
    ota_sim_flash_t dev;
    open_ram(&dev, "sst26vf032b", NULL);
    const ota_flash_t *f = ota_sim_flash_port(&dev);
    /* a cell that already holds zeros (written behind the model's back, as a bad chip would) */
    ota_sim_flash_raw(&dev)[10] = 0x0F;
    const uint8_t data[2] = {0xF5, 0x3C};
    assert_int_equal(ota_flash_program(f, 10, data, 2), OTA_FLASH_OK);
    uint8_t back[2];
    assert_int_equal(ota_flash_read(f, 10, back, 2), OTA_FLASH_OK);
    assert_int_equal(back[0], 0x05); /* 0x0F & 0xF5: a program never sets a bit */
    assert_int_equal(back[1], 0x3C);
    ota_sim_flash_close(&dev);
}

static void test_read_rules(void **state)
{
    (void)state;
    ota_sim_flash_t dev;
    open_ram(&dev, "pic32mzw1-pfm", NULL);
    const ota_flash_t *f = ota_sim_flash_port(&dev);
    uint8_t buf[32];
    /* reads have no alignment rule */
    assert_int_equal(ota_flash_read(f, 3, buf, 5), OTA_FLASH_OK);
    assert_int_equal(ota_flash_read(f, 1u << 20, buf, 0), OTA_FLASH_OK);
    assert_int_equal(ota_flash_read(f, (1u << 20) - 4, buf, 8), OTA_FLASH_ERR_RANGE);
    assert_int_equal(ota_flash_read(f, 16, buf, 0xFFFFFFF8u), OTA_FLASH_ERR_RANGE); /* wraps */
    assert_int_equal(ota_flash_read(f, 0xFFFFFFFFu, buf, 1), OTA_FLASH_ERR_RANGE);
    assert_int_equal(ota_flash_read(f, 0, NULL, 4), OTA_FLASH_ERR_RANGE);
    assert_int_equal(ota_sim_flash_stats(&dev).reads, 2);
    ota_sim_flash_close(&dev);
}

/* ---- erase ------------------------------------------------------------------------------ */

static void test_erase_restores_erased_value(void **state)
{
    (void)state;
    ota_sim_flash_t dev;
    open_ram(&dev, "sst26vf032b", NULL);
    const ota_flash_t *f = ota_sim_flash_port(&dev);
    uint8_t page[256];
    fill_pattern(page, sizeof(page), 7);
    assert_int_equal(ota_flash_program(f, 8192, page, 256), OTA_FLASH_OK);
    assert_int_equal(ota_flash_program(f, 8192 + 3840, page, 256), OTA_FLASH_OK);
    assert_int_equal(ota_flash_program(f, 12288, page, 256), OTA_FLASH_OK); /* next sector */

    assert_int_equal(ota_flash_erase(f, 8192, 4096), OTA_FLASH_OK);
    assert_true(all_equal(ota_sim_flash_raw(&dev) + 8192, 4096, 0xFF));
    assert_memory_equal(ota_sim_flash_raw(&dev) + 12288, page, 256); /* neighbour intact */
    /* erased units may be programmed again, the neighbour's may not */
    assert_int_equal(ota_flash_program(f, 8192, page, 256), OTA_FLASH_OK);
    assert_int_equal(ota_flash_program(f, 12288, page, 1), OTA_FLASH_ERR_OVERWRITE);
    ota_sim_flash_close(&dev);
}

typedef struct bad_erase {
    const char *part;
    uint32_t addr, len;
    ota_flash_status_t want;
} bad_erase_t;

static void test_erase_rule_violations(void **state)
{
    (void)state;
    const bad_erase_t cases[] = {
        {"sst26vf032b", 2048, 4096, OTA_FLASH_ERR_ALIGN},       /* not sector aligned */
        {"sst26vf032b", 0, 2048, OTA_FLASH_ERR_ALIGN},          /* part of a sector */
        {"sst26vf032b", 0, 8192, OTA_FLASH_ERR_ALIGN},          /* two sectors */
        {"sst26vf032b", 0, 0, OTA_FLASH_ERR_ALIGN},
        {"sst26vf032b", 4096, 65536, OTA_FLASH_ERR_ALIGN},      /* block not block aligned */
        {"sst26vf032b", 0, 4u << 20, OTA_FLASH_ERR_ALIGN},      /* no chip erase */
        {"pic32mzw1-pfm", 0, 65536, OTA_FLASH_ERR_ALIGN},       /* no block erase there */
        {"sst26vf032b", 4u << 20, 4096, OTA_FLASH_ERR_RANGE},
        {"sst26vf032b", 0xFFFFF000u, 4096, OTA_FLASH_ERR_RANGE}, /* addr+len wraps to 0 */
        {"sst26vf032b", 0xFFFF0000u, 65536, OTA_FLASH_ERR_RANGE},
        {"pic32mzw1-pfm", 1u << 20, 4096, OTA_FLASH_ERR_RANGE},
    };
    uint8_t page[256];
    fill_pattern(page, sizeof(page), 3);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ota_sim_power_t power;
        ota_sim_power_init(&power);
        ota_sim_flash_t dev;
        open_ram(&dev, cases[i].part, &power);
        const ota_flash_t *f = ota_sim_flash_port(&dev);
        assert_int_equal(ota_flash_program(f, 0, page, 256), OTA_FLASH_OK);
        assert_int_equal(ota_flash_program(f, 4096, page, 256), OTA_FLASH_OK);
        snapshot_t s;
        snap(&s, &dev, &power);
        ota_flash_status_t st = ota_flash_erase(f, cases[i].addr, cases[i].len);
        if (st != cases[i].want) {
            fail_msg("case %zu (%s addr %u len %u): got %d, want %d", i, cases[i].part,
                     cases[i].addr, cases[i].len, st, cases[i].want);
        }
        assert_unchanged(&s, &dev, &power);
        assert_int_equal(ota_sim_flash_wear(&dev, 0), 0);
        ota_sim_flash_close(&dev);
    }
}

static void test_block_erase(void **state)
{
    (void)state;
    ota_sim_flash_t dev;
    open_ram(&dev, "sst26vf064b", NULL);
    const ota_flash_t *f = ota_sim_flash_port(&dev);
    uint8_t page[256];
    fill_pattern(page, sizeof(page), 9);
    for (uint32_t a = 65536; a < 2 * 65536 + 4096; a += 4096) {
        assert_int_equal(ota_flash_program(f, a + 256, page, 256), OTA_FLASH_OK);
    }
    assert_int_equal(ota_flash_erase(f, 65536, 65536), OTA_FLASH_OK);
    assert_true(all_equal(ota_sim_flash_raw(&dev) + 65536, 65536, 0xFF));
    /* the first sector of the next block is untouched */
    assert_memory_equal(ota_sim_flash_raw(&dev) + 2 * 65536 + 256, page, 256);
    for (uint32_t a = 65536; a < 2 * 65536; a += 4096) {
        assert_int_equal(ota_sim_flash_wear(&dev, a), 1); /* every unit of the block */
        assert_false(ota_sim_flash_programmed(&dev, a + 256));
    }
    assert_int_equal(ota_sim_flash_wear(&dev, 65536 - 1), 0);
    assert_int_equal(ota_sim_flash_wear(&dev, 2 * 65536), 0);
    ota_sim_stats_t s = ota_sim_flash_stats(&dev);
    assert_int_equal(s.erases, 1);
    assert_int_equal(s.bytes_erased, 65536);
    ota_sim_flash_close(&dev);
}

/* ---- counters, wear, time --------------------------------------------------------------- */

static void test_counters_and_wear(void **state)
{
    (void)state;
    ota_sim_flash_t dev;
    open_ram(&dev, "sst26vf032b", NULL);
    const ota_flash_t *f = ota_sim_flash_port(&dev);
    uint8_t buf[256];
    fill_pattern(buf, sizeof(buf), 1);
    assert_int_equal(ota_flash_program(f, 0, buf, 256), OTA_FLASH_OK);
    assert_int_equal(ota_flash_program(f, 256, buf, 10), OTA_FLASH_OK);
    assert_int_equal(ota_flash_read(f, 0, buf, 100), OTA_FLASH_OK);
    assert_int_equal(ota_flash_read(f, 5, buf, 1), OTA_FLASH_OK);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(ota_flash_erase(f, 4096, 4096), OTA_FLASH_OK);
    }
    assert_int_equal(ota_flash_erase(f, 0, 4096), OTA_FLASH_OK);
    assert_int_equal(ota_flash_program(f, 0, buf, 0), OTA_FLASH_ERR_ALIGN); /* not counted */

    ota_sim_stats_t s = ota_sim_flash_stats(&dev);
    assert_int_equal(s.programs, 2);
    assert_int_equal(s.bytes_programmed, 266);
    assert_int_equal(s.reads, 2);
    assert_int_equal(s.bytes_read, 101);
    assert_int_equal(s.erases, 4);
    assert_int_equal(s.bytes_erased, 4 * 4096);
    assert_int_equal(s.max_wear, 3);
    assert_int_equal(ota_sim_flash_wear(&dev, 4096 + 4095), 3);
    assert_int_equal(ota_sim_flash_wear(&dev, 0), 1);
    assert_int_equal(ota_sim_flash_wear(&dev, 8192), 0);
    assert_int_equal(ota_sim_flash_wear(&dev, 4u << 20), 0); /* outside: 0 */
    ota_sim_flash_close(&dev);
}

static void test_modeled_time_sst26(void **state)
{
    (void)state;
    ota_sim_flash_t dev;
    open_ram(&dev, "sst26vf064b", NULL);
    const ota_flash_t *f = ota_sim_flash_port(&dev);
    uint8_t buf[256] = {0};
    assert_int_equal(ota_flash_read(f, 0, buf, 100), OTA_FLASH_OK);
    assert_int_equal(ota_sim_flash_stats(&dev).modeled_ns, 385u + 100u * 77u);
    assert_int_equal(ota_flash_program(f, 0, buf, 256), OTA_FLASH_OK);
    assert_int_equal(ota_flash_erase(f, 4096, 4096), OTA_FLASH_OK);
    assert_int_equal(ota_flash_erase(f, 65536, 65536), OTA_FLASH_OK);
    const ota_sim_timing_t *t = &preset("sst26vf064b")->timing;
    uint64_t want = 385u + 100u * 77u                               /* read */
                    + t->program_setup_ns + 256u * 77u + t->program_op_ns /* page program */
                    + 18000000u + 18000000u;                        /* sector + block erase */
    assert_int_equal(ota_sim_flash_stats(&dev).modeled_ns, want);
    ota_sim_flash_close(&dev);
}

static void test_modeled_time_pic32(void **state)
{
    (void)state;
    ota_sim_flash_t dev;
    open_ram(&dev, "pic32mzw1-pfm", NULL);
    const ota_flash_t *f = ota_sim_flash_port(&dev);
    const ota_sim_timing_t *t = &preset("pic32mzw1-pfm")->timing;
    uint8_t buf[1024] = {0};
    assert_int_equal(ota_flash_program(f, 0, buf, 16), OTA_FLASH_OK); /* one quad word */
    assert_int_equal(ota_sim_flash_stats(&dev).modeled_ns, t->program_unit_ns);
    assert_int_equal(ota_flash_program(f, 32, buf, 32), OTA_FLASH_OK); /* two quad words */
    assert_int_equal(ota_sim_flash_stats(&dev).modeled_ns, 3 * t->program_unit_ns);
    assert_int_equal(ota_flash_program(f, 1024, buf, 1024), OTA_FLASH_OK); /* a whole row */
    assert_int_equal(ota_sim_flash_stats(&dev).modeled_ns,
                     3 * t->program_unit_ns + t->program_op_ns);
    assert_int_equal(ota_flash_erase(f, 0, 4096), OTA_FLASH_OK);
    assert_int_equal(ota_flash_read(f, 0, buf, 1000), OTA_FLASH_OK);
    assert_int_equal(ota_sim_flash_stats(&dev).modeled_ns,
                     3 * t->program_unit_ns + t->program_op_ns + t->erase_unit_ns +
                         1000 * t->read_byte_ns);
    ota_sim_flash_close(&dev);
}

/* ---- power cuts ------------------------------------------------------------------------- */

/* A device on a board with one completed program (op 1) before the cut is armed at op 2. */
typedef struct cut_rig {
    ota_sim_power_t power;
    ota_sim_flash_t dev;
    uint8_t old[256], data[256];
} cut_rig_t;

static cut_rig_t *rig_new(const char *part, ota_sim_cut_mode_t mode, uint64_t seed)
{
    cut_rig_t *r = calloc(1, sizeof(*r));
    assert_non_null(r);
    ota_sim_power_init(&r->power);
    /* the part's shape, only smaller: hundreds of rigs stay fast */
    ota_flash_geometry_t g = preset(part)->geometry;
    g.size = 256u * 1024u;
    assert_int_equal(ota_sim_flash_open_ram(&r->dev, preset(part), &g, &r->power), OTA_FLASH_OK);
    fill_pattern(r->old, sizeof(r->old), 0x11);
    fill_pattern(r->data, sizeof(r->data), 0x5A);
    const ota_flash_t *f = ota_sim_flash_port(&r->dev);
    assert_int_equal(ota_flash_program(f, 0, r->old, 256), OTA_FLASH_OK); /* op 1 */
    ota_sim_power_arm(&r->power, r->power.ops + 1, mode, seed);
    return r;
}

static void rig_free(cut_rig_t *r)
{
    ota_sim_flash_close(&r->dev);
    free(r);
}

static void test_cut_program_before(void **state)
{
    (void)state;
    cut_rig_t *r = rig_new("sst26vf032b", OTA_SIM_CUT_BEFORE, 1);
    const ota_flash_t *f = ota_sim_flash_port(&r->dev);
    ota_sim_stats_t before = ota_sim_flash_stats(&r->dev);
    assert_int_equal(ota_flash_program(f, 256, r->data, 256), OTA_FLASH_ERR_POWER);
    assert_true(r->power.dead);
    assert_int_equal(r->power.ops, 2);
    assert_true(all_equal(ota_sim_flash_raw(&r->dev) + 256, 256, 0xFF)); /* old content */
    assert_false(ota_sim_flash_programmed(&r->dev, 256));
    assert_int_equal(ota_sim_flash_stats(&r->dev).programs, before.programs);
    ota_sim_power_on(&r->power);
    assert_int_equal(ota_flash_program(f, 256, r->data, 256), OTA_FLASH_OK);
    rig_free(r);
}

static void test_cut_program_after(void **state)
{
    (void)state;
    cut_rig_t *r = rig_new("sst26vf032b", OTA_SIM_CUT_AFTER, 1);
    const ota_flash_t *f = ota_sim_flash_port(&r->dev);
    /* the op completes, yet the caller is told the power went */
    assert_int_equal(ota_flash_program(f, 256, r->data, 256), OTA_FLASH_ERR_POWER);
    assert_true(r->power.dead);
    assert_memory_equal(ota_sim_flash_raw(&r->dev) + 256, r->data, 256);
    ota_sim_power_on(&r->power);
    assert_int_equal(ota_flash_program(f, 256, r->data, 1), OTA_FLASH_ERR_OVERWRITE);
    rig_free(r);
}

/* The torn program of r->data at 256 (onto erased flash): a prefix written, the byte at the
 * tear point between old and new, the rest untouched. Returns the tear point. */
static uint32_t check_torn_program_shape(cut_rig_t *r, uint32_t len)
{
    const uint8_t *cell = ota_sim_flash_raw(&r->dev) + 256;
    uint32_t tear = 0;
    while (tear < len && cell[tear] == r->data[tear]) {
        tear++;
    }
    assert_true(tear < len || all_equal(r->data, len, 0xFF));
    if (tear < len) {
        /* only bits the program clears may be cleared, and not all of them */
        assert_int_equal(cell[tear] & r->data[tear], r->data[tear]);
        for (uint32_t i = tear + 1; i < len; i++) {
            assert_int_equal(cell[i], 0xFF);
        }
    }
    return tear;
}

static void test_cut_program_torn(void **state)
{
    (void)state;
    uint8_t first[256];
    bool seen_neither = false;
    for (uint64_t seed = 1; seed <= 200; seed++) {
        cut_rig_t *r = rig_new("sst26vf032b", OTA_SIM_CUT_TORN, seed);
        const ota_flash_t *f = ota_sim_flash_port(&r->dev);
        assert_int_equal(ota_flash_program(f, 256, r->data, 256), OTA_FLASH_ERR_POWER);
        assert_true(r->power.dead);
        uint32_t tear = check_torn_program_shape(r, 256);
        const uint8_t *cell = ota_sim_flash_raw(&r->dev) + 256;
        if (memcmp(cell, r->data, 256) != 0 && !all_equal(cell, 256, 0xFF)) {
            seen_neither = true;
        }
        if (seed == 42) {
            memcpy(first, cell, 256);
            assert_true(tear > 0); /* this seed tears inside the page: neither old nor new */
            assert_memory_not_equal(cell, r->data, 256);
        }
        /* torn units are programmed: the caller must erase before writing them again */
        ota_sim_power_on(&r->power);
        assert_true(ota_sim_flash_programmed(&r->dev, 256 + 255));
        assert_int_equal(ota_flash_program(f, 256 + 255, r->data, 1), OTA_FLASH_ERR_OVERWRITE);
        rig_free(r);
    }
    assert_true(seen_neither);

    /* same seed, same operations: the same torn bytes */
    cut_rig_t *r = rig_new("sst26vf032b", OTA_SIM_CUT_TORN, 42);
    assert_int_equal(ota_flash_program(ota_sim_flash_port(&r->dev), 256, r->data, 256),
                     OTA_FLASH_ERR_POWER);
    assert_memory_equal(ota_sim_flash_raw(&r->dev) + 256, first, 256);
    rig_free(r);

    /* PIC32: a torn quad-word row program marks all its quad words */
    r = rig_new("pic32mzw1-pfm", OTA_SIM_CUT_TORN, 7);
    const ota_flash_t *f = ota_sim_flash_port(&r->dev);
    assert_int_equal(ota_flash_program(f, 256, r->data, 64), OTA_FLASH_ERR_POWER);
    check_torn_program_shape(r, 64);
    ota_sim_power_on(&r->power);
    for (uint32_t a = 256; a < 256 + 64; a += 16) {
        assert_int_equal(ota_flash_program(f, a, r->data, 16), OTA_FLASH_ERR_OVERWRITE);
    }
    assert_int_equal(ota_flash_program(f, 256 + 64, r->data, 16), OTA_FLASH_OK);
    rig_free(r);
}

/* A torn program must never pass for a completed one (that is what AFTER is for): with a
 * one-byte program the tear is always at that byte, which keeps at least one bit set. */
static void test_torn_program_never_looks_complete(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 300; seed++) {
        cut_rig_t *r = rig_new("sst26vf032b", OTA_SIM_CUT_TORN, seed);
        const uint8_t zero = 0x00;
        assert_int_equal(ota_flash_program(ota_sim_flash_port(&r->dev), 300, &zero, 1),
                         OTA_FLASH_ERR_POWER);
        assert_int_not_equal(ota_sim_flash_raw(&r->dev)[300], 0x00);
        rig_free(r);
    }
}

static void test_cut_erase_before(void **state)
{
    (void)state;
    cut_rig_t *r = rig_new("sst26vf032b", OTA_SIM_CUT_BEFORE, 1);
    const ota_flash_t *f = ota_sim_flash_port(&r->dev);
    assert_int_equal(ota_flash_erase(f, 0, 4096), OTA_FLASH_ERR_POWER);
    assert_memory_equal(ota_sim_flash_raw(&r->dev), r->old, 256);
    assert_int_equal(ota_sim_flash_wear(&r->dev, 0), 0);
    assert_int_equal(ota_sim_flash_stats(&r->dev).erases, 0);
    ota_sim_power_on(&r->power);
    assert_int_equal(ota_flash_program(f, 0, r->data, 1), OTA_FLASH_ERR_OVERWRITE);
    rig_free(r);
}

static void test_cut_erase_after(void **state)
{
    (void)state;
    cut_rig_t *r = rig_new("sst26vf032b", OTA_SIM_CUT_AFTER, 1);
    const ota_flash_t *f = ota_sim_flash_port(&r->dev);
    assert_int_equal(ota_flash_erase(f, 0, 4096), OTA_FLASH_ERR_POWER);
    assert_true(all_equal(ota_sim_flash_raw(&r->dev), 4096, 0xFF));
    assert_int_equal(ota_sim_flash_wear(&r->dev, 0), 1);
    ota_sim_power_on(&r->power);
    assert_int_equal(ota_flash_program(f, 0, r->data, 256), OTA_FLASH_OK);
    rig_free(r);
}

static void test_cut_erase_torn(void **state)
{
    (void)state;
    uint8_t first[4096];
    for (uint64_t seed = 1; seed <= 100; seed++) {
        cut_rig_t *r = rig_new("sst26vf032b", OTA_SIM_CUT_TORN, seed);
        const ota_flash_t *f = ota_sim_flash_port(&r->dev);
        ota_sim_power_arm(&r->power, 0, OTA_SIM_CUT_TORN, seed); /* not yet */
        /* fill the whole sector so "intact" and "erased" differ everywhere */
        for (uint32_t a = 256; a < 4096; a += 256) {
            assert_int_equal(ota_flash_program(f, a, r->old, 256), OTA_FLASH_OK);
        }
        ota_sim_power_arm(&r->power, r->power.ops + 1, OTA_SIM_CUT_TORN, seed);
        assert_int_equal(ota_flash_erase(f, 0, 4096), OTA_FLASH_ERR_POWER);
        const uint8_t *cell = ota_sim_flash_raw(&r->dev);
        assert_false(all_equal(cell, 4096, 0xFF)); /* not erased */
        bool intact = true;
        for (uint32_t a = 0; a < 4096; a += 256) {
            intact = intact && memcmp(cell + a, r->old, 256) == 0;
        }
        assert_false(intact);
        assert_int_equal(ota_sim_flash_wear(&r->dev, 0), 1);
        assert_memory_equal(cell + 4096, (uint8_t[256]){[0 ... 255] = 0xFF}, 256);
        if (seed == 5) {
            memcpy(first, cell, 4096);
        }
        ota_sim_power_on(&r->power);
        /* the torn sector counts as programmed everywhere, until a real erase */
        for (uint32_t a = 0; a < 4096; a += 512) {
            assert_int_equal(ota_flash_program(f, a, r->data, 1), OTA_FLASH_ERR_OVERWRITE);
        }
        assert_int_equal(ota_flash_erase(f, 0, 4096), OTA_FLASH_OK);
        assert_int_equal(ota_flash_program(f, 0, r->data, 256), OTA_FLASH_OK);
        rig_free(r);
    }

    cut_rig_t *r = rig_new("sst26vf032b", OTA_SIM_CUT_TORN, 5);
    const ota_flash_t *f = ota_sim_flash_port(&r->dev);
    ota_sim_power_arm(&r->power, 0, OTA_SIM_CUT_TORN, 5);
    for (uint32_t a = 256; a < 4096; a += 256) {
        assert_int_equal(ota_flash_program(f, a, r->old, 256), OTA_FLASH_OK);
    }
    ota_sim_power_arm(&r->power, r->power.ops + 1, OTA_SIM_CUT_TORN, 5);
    assert_int_equal(ota_flash_erase(f, 0, 4096), OTA_FLASH_ERR_POWER);
    assert_memory_equal(ota_sim_flash_raw(&r->dev), first, 4096);
    rig_free(r);
}

static void test_cut_block_erase_torn_wears_all_units(void **state)
{
    (void)state;
    cut_rig_t *r = rig_new("sst26vf032b", OTA_SIM_CUT_TORN, 3);
    const ota_flash_t *f = ota_sim_flash_port(&r->dev);
    assert_int_equal(ota_flash_erase(f, 0, 65536), OTA_FLASH_ERR_POWER);
    for (uint32_t a = 0; a < 65536; a += 4096) {
        assert_int_equal(ota_sim_flash_wear(&r->dev, a), 1);
        assert_true(ota_sim_flash_programmed(&r->dev, a + 4095));
    }
    rig_free(r);
}

static void test_board_dead_after_cut_until_power_on(void **state)
{
    (void)state;
    ota_sim_power_t power;
    ota_sim_power_init(&power);
    ota_sim_flash_t ext, pfm;
    open_ram(&ext, "sst26vf032b", &power);
    open_ram(&pfm, "pic32mzw1-pfm", &power);
    const ota_flash_t *e = ota_sim_flash_port(&ext);
    const ota_flash_t *p = ota_sim_flash_port(&pfm);
    uint8_t buf[16] = {0};

    /* one numbering across the board; reads and refused ops are not numbered */
    assert_int_equal(ota_flash_program(e, 0, buf, 16), OTA_FLASH_OK);
    assert_int_equal(ota_flash_read(p, 0, buf, 16), OTA_FLASH_OK);
    assert_int_equal(ota_flash_program(p, 1, buf, 16), OTA_FLASH_ERR_ALIGN);
    assert_int_equal(ota_flash_erase(p, 0, 4096), OTA_FLASH_OK);
    assert_int_equal(power.ops, 2);

    ota_sim_power_arm(&power, 3, OTA_SIM_CUT_AFTER, 0);
    assert_int_equal(ota_flash_program(p, 0, buf, 16), OTA_FLASH_ERR_POWER); /* op 3 */
    assert_true(power.dead);

    ota_sim_stats_t es = ota_sim_flash_stats(&ext);
    assert_int_equal(ota_flash_read(e, 0, buf, 16), OTA_FLASH_ERR_POWER);
    assert_int_equal(ota_flash_read(p, 0, buf, 16), OTA_FLASH_ERR_POWER);
    assert_int_equal(ota_flash_program(e, 16, buf, 16), OTA_FLASH_ERR_POWER);
    assert_int_equal(ota_flash_erase(e, 4096, 4096), OTA_FLASH_ERR_POWER);
    assert_int_equal(ota_flash_program(e, 1, buf, 0), OTA_FLASH_ERR_POWER); /* even bad args */
    assert_int_equal(power.ops, 3);
    ota_sim_stats_t es2 = ota_sim_flash_stats(&ext);
    assert_memory_equal(&es, &es2, sizeof(es));

    ota_sim_power_on(&power);
    assert_false(power.dead);
    assert_int_equal(ota_flash_read(e, 0, buf, 16), OTA_FLASH_OK);
    assert_int_equal(ota_flash_program(e, 16, buf, 16), OTA_FLASH_OK);
    assert_int_equal(ota_flash_program(p, 16, buf, 16), OTA_FLASH_OK);
    assert_int_equal(power.ops, 5); /* not reset by power-on; the cut is disarmed */
    ota_sim_flash_close(&ext);
    ota_sim_flash_close(&pfm);
}

static void test_arm_in_the_past_never_fires(void **state)
{
    (void)state;
    ota_sim_power_t power;
    ota_sim_power_init(&power);
    ota_sim_flash_t dev;
    open_ram(&dev, "sst26vf032b", &power);
    const ota_flash_t *f = ota_sim_flash_port(&dev);
    uint8_t b = 0;
    assert_int_equal(ota_flash_program(f, 0, &b, 1), OTA_FLASH_OK);
    ota_sim_power_arm(&power, 1, OTA_SIM_CUT_BEFORE, 0);
    assert_int_equal(ota_flash_program(f, 1, &b, 1), OTA_FLASH_OK);
    ota_sim_power_arm(&power, 0, OTA_SIM_CUT_BEFORE, 0); /* 0 = disarmed */
    assert_int_equal(ota_flash_program(f, 2, &b, 1), OTA_FLASH_OK);
    ota_sim_flash_close(&dev);
}

/* ---- file backing ----------------------------------------------------------------------- */

typedef struct tmpdir {
    char dir[64];
    char flash[128];
    char meta[160];
} tmpdir_t;

static void tmp_make(tmpdir_t *t)
{
    strcpy(t->dir, "/tmp/ota_flash_sim_XXXXXX");
    assert_non_null(mkdtemp(t->dir));
    snprintf(t->flash, sizeof(t->flash), "%s/ext.bin", t->dir);
    snprintf(t->meta, sizeof(t->meta), "%s.meta", t->flash);
}

static void tmp_remove(tmpdir_t *t)
{
    unlink(t->flash);
    unlink(t->meta);
    assert_int_equal(rmdir(t->dir), 0);
}

static off_t file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? st.st_size : -1;
}

static void test_file_persists_across_reopen(void **state)
{
    (void)state;
    tmpdir_t t;
    tmp_make(&t);
    const ota_sim_preset_t *pre = preset("pic32mzw1-pfm");
    ota_sim_flash_t dev;
    assert_int_equal(ota_sim_flash_open_file(&dev, t.flash, pre, NULL), OTA_FLASH_OK);
    assert_int_equal(file_size(t.flash), 1 << 20);
    assert_true(all_equal(ota_sim_flash_raw(&dev), 1u << 20, 0xFF)); /* created erased */
    const ota_flash_t *f = ota_sim_flash_port(&dev);
    uint8_t row[1024];
    fill_pattern(row, sizeof(row), 77);
    assert_int_equal(ota_flash_erase(f, 8192, 4096), OTA_FLASH_OK);
    assert_int_equal(ota_flash_erase(f, 8192, 4096), OTA_FLASH_OK);
    assert_int_equal(ota_flash_program(f, 8192, row, 1024), OTA_FLASH_OK);
    assert_int_equal(ota_flash_program(f, 0, row, 16), OTA_FLASH_OK);
    ota_sim_stats_t before = ota_sim_flash_stats(&dev);
    ota_sim_flash_close(&dev);

    /* the contents file alone holds the bytes */
    int fd = open(t.flash, O_RDONLY);
    assert_true(fd >= 0);
    uint8_t back[1024];
    assert_int_equal(pread(fd, back, sizeof(back), 8192), (ssize_t)sizeof(back));
    close(fd);
    assert_memory_equal(back, row, sizeof(row));

    assert_int_equal(ota_sim_flash_open_file(&dev, t.flash, pre, NULL), OTA_FLASH_OK);
    f = ota_sim_flash_port(&dev);
    assert_memory_equal(ota_sim_flash_raw(&dev) + 8192, row, sizeof(row));
    ota_sim_stats_t after = ota_sim_flash_stats(&dev);
    assert_memory_equal(&before, &after, sizeof(before));
    assert_int_equal(ota_sim_flash_wear(&dev, 8192), 2);
    assert_int_equal(ota_sim_flash_wear(&dev, 0), 0);
    /* the programmed bitmap survived: no second program without an erase */
    assert_int_equal(ota_flash_program(f, 8192 + 512, row, 16), OTA_FLASH_ERR_OVERWRITE);
    assert_int_equal(ota_flash_program(f, 0, row, 16), OTA_FLASH_ERR_OVERWRITE);
    assert_int_equal(ota_flash_program(f, 16, row, 16), OTA_FLASH_OK);
    assert_int_equal(ota_flash_erase(f, 8192, 4096), OTA_FLASH_OK);
    assert_int_equal(ota_sim_flash_stats(&dev).max_wear, 3);
    ota_sim_flash_close(&dev);

    assert_int_equal(ota_sim_flash_open_file(&dev, t.flash, pre, NULL), OTA_FLASH_OK);
    assert_int_equal(ota_sim_flash_wear(&dev, 8192), 3);
    assert_int_equal(ota_flash_program(ota_sim_flash_port(&dev), 8192, row, 1024), OTA_FLASH_OK);
    ota_sim_flash_close(&dev);
    tmp_remove(&t);
}

static void test_file_torn_state_survives_power_off(void **state)
{
    (void)state;
    tmpdir_t t;
    tmp_make(&t);
    const ota_sim_preset_t *pre = preset("sst26vf032b");
    ota_sim_power_t power;
    ota_sim_power_init(&power);
    ota_sim_flash_t dev;
    assert_int_equal(ota_sim_flash_open_file(&dev, t.flash, pre, &power), OTA_FLASH_OK);
    uint8_t page[256];
    fill_pattern(page, sizeof(page), 5);
    ota_sim_power_arm(&power, 1, OTA_SIM_CUT_TORN, 99);
    assert_int_equal(ota_flash_program(ota_sim_flash_port(&dev), 512, page, 256),
                     OTA_FLASH_ERR_POWER);
    ota_sim_flash_close(&dev); /* the board is switched off */

    ota_sim_power_on(&power);
    assert_int_equal(ota_sim_flash_open_file(&dev, t.flash, pre, &power), OTA_FLASH_OK);
    assert_int_equal(ota_flash_program(ota_sim_flash_port(&dev), 512 + 200, page, 1),
                     OTA_FLASH_ERR_OVERWRITE);
    ota_sim_flash_close(&dev);
    tmp_remove(&t);
}

static void test_file_wrong_size_rejected(void **state)
{
    (void)state;
    tmpdir_t t;
    tmp_make(&t);
    const ota_sim_preset_t *pre = preset("pic32mzw1-pfm");
    int fd = open(t.flash, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, (1 << 20) - 1), 0);
    close(fd);
    ota_sim_flash_t dev;
    assert_int_equal(ota_sim_flash_open_file(&dev, t.flash, pre, NULL), OTA_FLASH_ERR_IO);
    ota_sim_flash_close(&dev);
    assert_int_equal(file_size(t.flash), (1 << 20) - 1); /* left alone */
    assert_int_equal(file_size(t.meta), -1);

    /* an 8 MB image is no 4 MB part */
    assert_int_equal(ota_sim_flash_open_file(&dev, t.flash, preset("sst26vf064b"), NULL),
                     OTA_FLASH_ERR_IO);
    tmp_remove(&t);
}

static void test_file_bad_meta_rejected(void **state)
{
    (void)state;
    tmpdir_t t;
    tmp_make(&t);
    const ota_sim_preset_t *pre = preset("pic32mzw1-pfm");
    ota_sim_flash_t dev;
    assert_int_equal(ota_sim_flash_open_file(&dev, t.flash, pre, NULL), OTA_FLASH_OK);
    ota_sim_flash_close(&dev);
    off_t meta_len = file_size(t.meta);
    assert_true(meta_len > 104);

    /* a damaged header: rejected, and not "repaired" by close */
    int fd = open(t.meta, O_WRONLY);
    assert_true(fd >= 0);
    assert_int_equal(pwrite(fd, "XXXX", 4, 0), 4);
    close(fd);
    assert_int_equal(ota_sim_flash_open_file(&dev, t.flash, pre, NULL), OTA_FLASH_ERR_IO);
    ota_sim_flash_close(&dev);
    char magic[4];
    fd = open(t.meta, O_RDONLY);
    assert_int_equal(pread(fd, magic, 4, 0), 4);
    close(fd);
    assert_memory_equal(magic, "XXXX", 4);

    /* a truncated .meta */
    assert_int_equal(truncate(t.meta, meta_len - 4), 0);
    assert_int_equal(ota_sim_flash_open_file(&dev, t.flash, pre, NULL), OTA_FLASH_ERR_IO);

    /* a path with no room for ".meta" */
    char longpath[600];
    memset(longpath, 'a', sizeof(longpath) - 1);
    longpath[sizeof(longpath) - 1] = '\0';
    assert_int_equal(ota_sim_flash_open_file(&dev, longpath, pre, NULL), OTA_FLASH_ERR_IO);
    assert_int_equal(ota_sim_flash_open_file(&dev, NULL, pre, NULL), OTA_FLASH_ERR_IO);
    tmp_remove(&t);
}

static void test_file_without_meta_derives_programmed(void **state)
{
    (void)state;
    tmpdir_t t;
    tmp_make(&t);
    const ota_sim_preset_t *pre = preset("pic32mzw1-pfm");
    /* an image written by a tool: some data at 0x2000, the rest erased */
    uint8_t *img = malloc(1u << 20);
    assert_non_null(img);
    memset(img, 0xFF, 1u << 20);
    fill_pattern(img + 0x2000, 40, 1);
    int fd = open(t.flash, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, img, 1u << 20), 1 << 20);
    close(fd);

    ota_sim_flash_t dev;
    assert_int_equal(ota_sim_flash_open_file(&dev, t.flash, pre, NULL), OTA_FLASH_OK);
    const ota_flash_t *f = ota_sim_flash_port(&dev);
    assert_memory_equal(ota_sim_flash_raw(&dev), img, 1u << 20);
    uint8_t qw[16] = {0};
    assert_int_equal(ota_flash_program(f, 0x2000, qw, 16), OTA_FLASH_ERR_OVERWRITE);
    assert_int_equal(ota_flash_program(f, 0x2020, qw, 16), OTA_FLASH_ERR_OVERWRITE);
    assert_int_equal(ota_flash_program(f, 0x2030, qw, 16), OTA_FLASH_OK);
    ota_sim_flash_close(&dev);
    free(img);
    tmp_remove(&t);
}

/* ---- silent bad writes ------------------------------------------------------------------ */

/* Bits in which two buffers differ. */
static unsigned bits_differing(const uint8_t *a, const uint8_t *b, size_t len)
{
    unsigned n = 0;
    for (size_t i = 0; i < len; i++) {
        n += (unsigned)__builtin_popcount((unsigned)(a[i] ^ b[i]));
    }
    return n;
}

/* Program the nth page of 256 bytes at 0x1000 + n * 256 with pattern n; its status. */
static ota_flash_status_t program_page(ota_sim_flash_t *dev, unsigned n, uint8_t *data)
{
    fill_pattern(data, 256, (uint8_t)(n + 1u));
    return ota_flash_program(ota_sim_flash_port(dev), 0x1000u + n * 256u, data, 256);
}

static void test_bad_write_flip_reports_ok_reads_wrong_until_erased(void **state)
{
    (void)state;
    ota_sim_flash_t dev;
    open_ram(&dev, "sst26vf032b", NULL);
    const ota_flash_t *f = ota_sim_flash_port(&dev);
    /* The second program overlapping [0x1000, 0x1400) goes bad; one outside does not count. */
    ota_sim_flash_arm_bad_write(&dev, OTA_SIM_BAD_FLIP, 0x1000u, 0x1400u, 2, 42);
    uint8_t data[256], back[256];
    fill_pattern(data, sizeof data, 9);
    assert_int_equal(ota_flash_program(f, 0x8000u, data, 256), OTA_FLASH_OK);
    assert_int_equal(program_page(&dev, 0, data), OTA_FLASH_OK);
    assert_false(ota_sim_flash_fault(&dev)->fired);
    assert_int_equal(program_page(&dev, 1, data), OTA_FLASH_OK); /* reports success */
    const ota_sim_fault_t *fault = ota_sim_flash_fault(&dev);
    assert_true(fault->fired);
    assert_int_equal(fault->seen, 2);
    assert_true(fault->bad_addr >= 0x1100u && fault->bad_addr < 0x1200u);
    /* The bit is one the program had to clear, and it stayed set: wrong on every read. */
    assert_int_equal(data[fault->bad_addr - 0x1100u] & fault->bad_mask, 0);
    for (int r = 0; r < 3; r++) {
        assert_int_equal(ota_flash_read(f, 0x1100u, back, 256), OTA_FLASH_OK);
        assert_int_equal(bits_differing(back, data, 256), 1);
        assert_int_equal(back[fault->bad_addr - 0x1100u] & fault->bad_mask, fault->bad_mask);
    }
    /* The program counts as a normal one, and the unit is programmed. */
    assert_int_equal(ota_sim_flash_stats(&dev).programs, 3);
    assert_true(ota_sim_flash_programmed(&dev, 0x1100u));
    assert_int_equal(ota_flash_program(f, 0x1100u, data, 256), OTA_FLASH_ERR_OVERWRITE);
    /* Only the nth: later programs in the window are good; an erase makes the cell usable. */
    assert_int_equal(program_page(&dev, 2, data), OTA_FLASH_OK);
    assert_int_equal(ota_flash_read(f, 0x1200u, back, 256), OTA_FLASH_OK);
    assert_memory_equal(back, data, 256);
    assert_int_equal(ota_flash_erase(f, 0x1000u, 4096), OTA_FLASH_OK);
    assert_int_equal(program_page(&dev, 1, data), OTA_FLASH_OK);
    assert_int_equal(ota_flash_read(f, 0x1100u, back, 256), OTA_FLASH_OK);
    assert_memory_equal(back, data, 256);
    ota_sim_flash_close(&dev);
}

static void test_bad_write_weak_alternates_until_erased(void **state)
{
    (void)state;
    ota_sim_flash_t dev;
    open_ram(&dev, "sst26vf032b", NULL);
    const ota_flash_t *f = ota_sim_flash_port(&dev);
    ota_sim_flash_arm_bad_write(&dev, OTA_SIM_BAD_WEAK, 0x1000u, 0x2000u, 1, 7);
    uint8_t data[256], back[256];
    assert_int_equal(program_page(&dev, 0, data), OTA_FLASH_OK);
    const ota_sim_fault_t *fault = ota_sim_flash_fault(&dev);
    assert_true(fault->fired);
    uint32_t off = fault->bad_addr - 0x1000u;
    /* The cell itself is right (a raw view shows the data) ... */
    assert_memory_equal(ota_sim_flash_raw(&dev) + 0x1000u, data, 256);
    /* ... but reads of it alternate: wrong first (what a read-back right after the program
     * sees), then right, then wrong. Reads that miss the byte do not count. */
    assert_int_equal(ota_flash_read(f, 0x1000u, back, 256), OTA_FLASH_OK);
    assert_int_equal(bits_differing(back, data, 256), 1);
    assert_int_equal((back[off] ^ data[off]), fault->bad_mask);
    uint8_t other[8];
    assert_int_equal(ota_flash_read(f, off < 128 ? 0x1080u : 0x1000u, other, 8), OTA_FLASH_OK);
    assert_int_equal(ota_flash_read(f, 0x1000u, back, 256), OTA_FLASH_OK);
    assert_memory_equal(back, data, 256);
    assert_int_equal(ota_flash_read(f, fault->bad_addr, back, 1), OTA_FLASH_OK);
    assert_int_equal(back[0], data[off] ^ fault->bad_mask);
    /* An erase of its unit ends it: reads are steady again. */
    assert_int_equal(ota_flash_erase(f, 0x1000u, 4096), OTA_FLASH_OK);
    assert_int_equal(dev.fault.weak_count, 0);
    for (int r = 0; r < 2; r++) {
        assert_int_equal(ota_flash_read(f, 0x1000u, back, 256), OTA_FLASH_OK);
        assert_true(all_equal(back, 256, 0xFF));
    }
    ota_sim_flash_close(&dev);
}

static void test_bad_write_counts_only_completed_programs_in_window(void **state)
{
    (void)state;
    ota_sim_power_t board;
    ota_sim_power_init(&board);
    ota_sim_flash_t dev;
    open_ram(&dev, "sst26vf032b", &board);
    const ota_flash_t *f = ota_sim_flash_port(&dev);
    uint8_t data[256];
    /* Counting only (nth 0): nothing goes bad. */
    ota_sim_flash_arm_bad_write(&dev, OTA_SIM_BAD_FLIP, 0x1000u, 0x2000u, 0, 1);
    assert_int_equal(program_page(&dev, 0, data), OTA_FLASH_OK);
    assert_int_equal(ota_flash_erase(f, 0x1000u, 4096), OTA_FLASH_OK);
    assert_int_equal(ota_sim_flash_fault(&dev)->seen, 1);
    assert_false(ota_sim_flash_fault(&dev)->fired);
    /* A program cut before it runs or torn is not a completed program: the bad write waits
     * for the next one, and knows its board operation number. */
    ota_sim_flash_arm_bad_write(&dev, OTA_SIM_BAD_FLIP, 0x1000u, 0x2000u, 1, 1);
    ota_sim_power_arm(&board, board.ops + 1, OTA_SIM_CUT_BEFORE, 3);
    assert_int_equal(program_page(&dev, 0, data), OTA_FLASH_ERR_POWER);
    ota_sim_power_on(&board);
    ota_sim_power_arm(&board, board.ops + 1, OTA_SIM_CUT_TORN, 3);
    assert_int_equal(program_page(&dev, 1, data), OTA_FLASH_ERR_POWER);
    ota_sim_power_on(&board);
    assert_false(ota_sim_flash_fault(&dev)->fired);
    assert_int_equal(program_page(&dev, 2, data), OTA_FLASH_OK);
    assert_true(ota_sim_flash_fault(&dev)->fired);
    assert_int_equal(ota_sim_flash_fault(&dev)->fired_op, board.ops);
    /* The same seed picks the same bit. */
    uint32_t where = ota_sim_flash_fault(&dev)->bad_addr;
    uint8_t mask = ota_sim_flash_fault(&dev)->bad_mask;
    assert_int_equal(ota_flash_erase(f, 0x1000u, 4096), OTA_FLASH_OK);
    ota_sim_flash_arm_bad_write(&dev, OTA_SIM_BAD_FLIP, 0x1000u, 0x2000u, 1, 1);
    assert_int_equal(program_page(&dev, 2, data), OTA_FLASH_OK);
    assert_int_equal(ota_sim_flash_fault(&dev)->bad_addr, where);
    assert_int_equal(ota_sim_flash_fault(&dev)->bad_mask, mask);
    ota_sim_flash_close(&dev);
}

static unsigned cut_calls;
static uint64_t ops_at_cut;
static void note_cut(void *ctx)
{
    cut_calls++;
    ops_at_cut = ((ota_sim_power_t *)ctx)->ops;
}

static void test_on_cut_called_once_at_the_cut(void **state)
{
    (void)state;
    ota_sim_power_t board;
    ota_sim_power_init(&board);
    ota_sim_flash_t dev;
    open_ram(&dev, "sst26vf032b", &board);
    board.on_cut = note_cut;
    board.on_cut_ctx = &board;
    uint8_t data[256];
    cut_calls = 0;
    assert_int_equal(program_page(&dev, 0, data), OTA_FLASH_OK);
    assert_int_equal(cut_calls, 0);
    ota_sim_power_arm(&board, board.ops + 2, OTA_SIM_CUT_AFTER, 1);
    assert_int_equal(program_page(&dev, 1, data), OTA_FLASH_OK);
    assert_int_equal(cut_calls, 0);
    assert_int_equal(program_page(&dev, 2, data), OTA_FLASH_ERR_POWER);
    assert_int_equal(cut_calls, 1);
    assert_int_equal(ops_at_cut, 3);
    assert_int_equal(program_page(&dev, 3, data), OTA_FLASH_ERR_POWER);
    assert_int_equal(cut_calls, 1);
    ota_sim_flash_close(&dev);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_presets),
        cmocka_unit_test(test_bad_geometry_rejected),
        cmocka_unit_test(test_fresh_device_is_erased),
        cmocka_unit_test(test_program_rule_violations),
        cmocka_unit_test(test_program_overwrite_refused_and_nothing_written),
        cmocka_unit_test(test_program_ands_bits),
        cmocka_unit_test(test_read_rules),
        cmocka_unit_test(test_erase_restores_erased_value),
        cmocka_unit_test(test_erase_rule_violations),
        cmocka_unit_test(test_block_erase),
        cmocka_unit_test(test_counters_and_wear),
        cmocka_unit_test(test_modeled_time_sst26),
        cmocka_unit_test(test_modeled_time_pic32),
        cmocka_unit_test(test_cut_program_before),
        cmocka_unit_test(test_cut_program_after),
        cmocka_unit_test(test_cut_program_torn),
        cmocka_unit_test(test_torn_program_never_looks_complete),
        cmocka_unit_test(test_cut_erase_before),
        cmocka_unit_test(test_cut_erase_after),
        cmocka_unit_test(test_cut_erase_torn),
        cmocka_unit_test(test_cut_block_erase_torn_wears_all_units),
        cmocka_unit_test(test_board_dead_after_cut_until_power_on),
        cmocka_unit_test(test_arm_in_the_past_never_fires),
        cmocka_unit_test(test_file_persists_across_reopen),
        cmocka_unit_test(test_file_torn_state_survives_power_off),
        cmocka_unit_test(test_file_wrong_size_rejected),
        cmocka_unit_test(test_file_bad_meta_rejected),
        cmocka_unit_test(test_file_without_meta_derives_programmed),
        cmocka_unit_test(test_bad_write_flip_reports_ok_reads_wrong_until_erased),
        cmocka_unit_test(test_bad_write_weak_alternates_until_erased),
        cmocka_unit_test(test_bad_write_counts_only_completed_programs_in_window),
        cmocka_unit_test(test_on_cut_called_once_at_the_cut),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
