/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Erase-sector tables (port.h): the core's sector helpers, and the host flash model enforcing
 * a mixed layout (the STM32F4 bank: 4 x 16K, 64K, 7 x 128K) the way a real chip would.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "flash_sim.h"

#define K 1024u

static const ota_sim_preset_t *stm32f4(void)
{
    const ota_sim_preset_t *p = ota_sim_preset("stm32f4-1m");
    assert_non_null(p);
    return p;
}

static void assert_sector(const ota_flash_geometry_t *g, uint32_t addr, uint32_t start,
                          uint32_t size)
{
    ota_flash_sector_t s;
    assert_true(ota_flash_sector_at(g, addr, &s));
    assert_int_equal(s.start, start);
    assert_int_equal(s.size, size);
}

static void test_sector_at_on_the_mixed_table(void **unused)
{
    (void)unused;
    const ota_flash_geometry_t *g = &stm32f4()->geometry;
    assert_sector(g, 0, 0, 16 * K);
    assert_sector(g, 16 * K - 1, 0, 16 * K);
    assert_sector(g, 48 * K + 5, 48 * K, 16 * K);
    assert_sector(g, 64 * K, 64 * K, 64 * K);
    assert_sector(g, 127 * K, 64 * K, 64 * K);
    assert_sector(g, 128 * K, 128 * K, 128 * K);
    assert_sector(g, 300 * K, 256 * K, 128 * K);
    assert_sector(g, 1024 * K - 1, 896 * K, 128 * K);
    ota_flash_sector_t s = {7, 7};
    assert_false(ota_flash_sector_at(g, 1024 * K, &s));
    assert_int_equal(s.size, 0);
}

static void test_sector_next_walks_all_twelve(void **unused)
{
    (void)unused;
    const ota_flash_geometry_t *g = &stm32f4()->geometry;
    ota_flash_sector_t s;
    assert_true(ota_flash_sector_at(g, 0, &s));
    uint32_t n = 1, bytes = s.size;
    while (ota_flash_sector_next(g, &s)) {
        n++;
        bytes += s.size;
    }
    assert_int_equal(n, 12);
    assert_int_equal(bytes, g->size);
    assert_int_equal(s.start, 896 * K); /* unchanged at the end */
}

static void test_on_sectors_boundaries(void **unused)
{
    (void)unused;
    const ota_flash_geometry_t *g = &stm32f4()->geometry;
    assert_true(ota_flash_on_sectors(g, 64 * K, 64 * K));
    assert_true(ota_flash_on_sectors(g, 64 * K, 960 * K));  /* to the end */
    assert_true(ota_flash_on_sectors(g, 0, 1024 * K));
    assert_true(ota_flash_on_sectors(g, 32 * K, 96 * K));   /* 16K, 16K, 64K */
    assert_false(ota_flash_on_sectors(g, 64 * K, 96 * K));  /* ends inside a 128K */
    assert_false(ota_flash_on_sectors(g, 80 * K, 48 * K));  /* starts inside the 64K */
    assert_false(ota_flash_on_sectors(g, 0, 0));
    assert_false(ota_flash_on_sectors(g, 896 * K, 256 * K)); /* past the end */
}

static void test_uniform_geometry_needs_no_table(void **unused)
{
    (void)unused;
    const ota_flash_geometry_t *g = &ota_sim_preset("sst26vf064b")->geometry;
    assert_null(g->sectors);
    assert_true(ota_flash_sectors_valid(g));
    assert_sector(g, 4097, 4096, 4096);
    ota_flash_sector_t s = {g->size - 4096, 4096};
    assert_false(ota_flash_sector_next(g, &s));
    assert_true(ota_flash_on_sectors(g, 8192, 65536));
    assert_false(ota_flash_on_sectors(g, 8192, 100));
}

/* A uniform device is checked by alignments alone (flash_sectors.c; all a build without
 * tables keeps): every range and erase answer equals the walk's over the same device
 * described as one run of its sectors, block erase included. */
static void test_uniform_checks_agree_with_a_one_run_table(void **unused)
{
    (void)unused;
    static const ota_flash_sector_run_t run[] = {{16, 4 * K}};
    const ota_flash_geometry_t uniform = {.size = 64 * K, .erase_unit = 4 * K,
                                          .block_size = 16 * K, .program_unit = 1,
                                          .page_size = 256, .erased_value = 0xFF};
    ota_flash_geometry_t table = uniform;
    table.sectors = run;
    table.sector_runs = 1;
    static const uint32_t lens[] = {0, 1, 2 * K, 4 * K, 6 * K, 8 * K, 12 * K, 16 * K, 32 * K,
                                    60 * K, 64 * K, 68 * K, 0xFFFFF000u};
    unsigned blocks = 0, refused = 0;
    for (uint32_t addr = 0; addr <= 68 * K; addr += 2 * K) {
        for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
            uint32_t len = lens[i];
            assert_int_equal(ota_flash_on_sectors(&uniform, addr, len),
                             ota_flash_on_sectors(&table, addr, len));
            bool block_u = false, block_t = false;
            ota_flash_status_t su = ota_flash_check_erase(&uniform, addr, len, &block_u);
            assert_int_equal(su, ota_flash_check_erase(&table, addr, len, &block_t));
            assert_int_equal(block_u, block_t);
            blocks += block_u;
            refused += su != OTA_FLASH_OK;
        }
    }
    assert_int_equal(blocks, 4); /* the four aligned 16K blocks */
    assert_true(refused > 0);
    /* A device whose last sector is cut short still ends on a sector boundary. */
    const ota_flash_geometry_t short_end = {.size = 10 * K, .erase_unit = 4 * K,
                                            .program_unit = 1, .page_size = 256};
    assert_true(ota_flash_on_sectors(&short_end, 8 * K, 2 * K));
    assert_false(ota_flash_on_sectors(&short_end, 4 * K, 2 * K));
}

static void test_bad_tables_are_refused(void **unused)
{
    (void)unused;
    ota_flash_geometry_t g = stm32f4()->geometry;
    ota_sim_flash_t dev;
    static const ota_flash_sector_run_t short_table[] = {{4, 16 * K}, {1, 64 * K}, {6, 128 * K}};
    static const ota_flash_sector_run_t misaligned[] = {{1, 16 * K}, {1, 64 * K}, {1, 16 * K},
                                                        {7, 128 * K}, {1, 64 * K}};
    static const ota_flash_sector_run_t no_smallest[] = {{2, 64 * K}, {7, 128 * K},
                                                         {1, 128 * K}};
    static const ota_flash_sector_run_t odd_size[] = {{1, 48 * K}, {1, 16 * K}, {1, 64 * K},
                                                      {7, 128 * K}};
    const ota_flash_sector_run_t *bad[] = {short_table, misaligned, no_smallest, odd_size};
    uint32_t runs[] = {3, 5, 3, 4};
    for (size_t i = 0; i < 4; i++) {
        g.sectors = bad[i];
        g.sector_runs = runs[i];
        assert_int_equal(ota_sim_flash_open_ram(&dev, stm32f4(), &g, NULL), OTA_FLASH_ERR_ALIGN);
        ota_sim_flash_close(&dev);
    }
    g = stm32f4()->geometry;
    g.sector_runs = 0; /* a table without entries */
    assert_int_equal(ota_sim_flash_open_ram(&dev, stm32f4(), &g, NULL), OTA_FLASH_ERR_ALIGN);
    ota_sim_flash_close(&dev);
}

/* The STM32F4 bank, RAM-backed, alone on a board of its own. */
static const ota_flash_t *open_stm32f4_board(ota_sim_flash_t *dev, ota_sim_power_t *pw)
{
    ota_sim_power_init(pw);
    assert_int_equal(ota_sim_flash_open_ram(dev, stm32f4(), NULL, pw), OTA_FLASH_OK);
    return ota_sim_flash_port(dev);
}

/* A refused erase changes nothing: contents, counters, board operations. */
static void assert_erase_refused(ota_sim_flash_t *dev, ota_sim_power_t *pw, uint32_t addr,
                                 uint32_t len, ota_flash_status_t want)
{
    ota_sim_stats_t before = ota_sim_flash_stats(dev);
    uint64_t ops = pw->ops;
    uint8_t probe = ota_sim_flash_raw(dev)[addr < 1024 * K ? addr : 0];
    assert_int_equal(ota_flash_erase(ota_sim_flash_port(dev), addr, len), want);
    ota_sim_stats_t after = ota_sim_flash_stats(dev);
    assert_memory_equal(&before, &after, sizeof after);
    assert_int_equal(pw->ops, ops);
    assert_int_equal(ota_sim_flash_raw(dev)[addr < 1024 * K ? addr : 0], probe);
}

static void test_erase_is_exactly_one_sector_at_its_start(void **unused)
{
    (void)unused;
    ota_sim_power_t pw;
    ota_sim_flash_t dev;
    const ota_flash_t *f = open_stm32f4_board(&dev, &pw);
    uint8_t word[4] = {0, 0, 0, 0};
    assert_int_equal(ota_flash_program(f, 100 * K, word, 4), OTA_FLASH_OK);

    assert_erase_refused(&dev, &pw, 64 * K, 16 * K, OTA_FLASH_ERR_ALIGN);  /* part of the 64K */
    assert_erase_refused(&dev, &pw, 80 * K, 16 * K, OTA_FLASH_ERR_ALIGN);
    assert_erase_refused(&dev, &pw, 96 * K, 64 * K, OTA_FLASH_ERR_ALIGN);  /* not its start */
    assert_erase_refused(&dev, &pw, 0, 64 * K, OTA_FLASH_ERR_ALIGN);       /* four 16K at once */
    assert_erase_refused(&dev, &pw, 128 * K, 256 * K, OTA_FLASH_ERR_ALIGN);/* two 128K */
    assert_erase_refused(&dev, &pw, 128 * K, 64 * K, OTA_FLASH_ERR_ALIGN); /* half a 128K */
    assert_erase_refused(&dev, &pw, 64 * K, 128 * K, OTA_FLASH_ERR_ALIGN); /* 64K as a 128K */
    assert_erase_refused(&dev, &pw, 1024 * K, 128 * K, OTA_FLASH_ERR_RANGE);
    assert_erase_refused(&dev, &pw, 0, 4 * K, OTA_FLASH_ERR_ALIGN);        /* no such size */

    assert_int_equal(ota_flash_erase(f, 64 * K, 64 * K), OTA_FLASH_OK);
    assert_int_equal(ota_sim_flash_raw(&dev)[100 * K], 0xFF);
    assert_false(ota_sim_flash_programmed(&dev, 100 * K));
    assert_int_equal(ota_flash_erase(f, 48 * K, 16 * K), OTA_FLASH_OK);
    assert_int_equal(ota_flash_erase(f, 896 * K, 128 * K), OTA_FLASH_OK);
    assert_int_equal(pw.ops, 4); /* one program, three erases */
    ota_sim_flash_close(&dev);
}

static void test_erase_clears_exactly_its_sector(void **unused)
{
    (void)unused;
    ota_sim_flash_t dev;
    assert_int_equal(ota_sim_flash_open_ram(&dev, stm32f4(), NULL, NULL), OTA_FLASH_OK);
    const ota_flash_t *f = ota_sim_flash_port(&dev);
    uint8_t word[4] = {0x12, 0x34, 0x56, 0x78};
    /* the last word before, the first and last of, and the first after the 128K at 128K */
    uint32_t at[] = {128 * K - 4, 128 * K, 256 * K - 4, 256 * K};
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(ota_flash_program(f, at[i], word, 4), OTA_FLASH_OK);
    }
    assert_int_equal(ota_flash_erase(f, 128 * K, 128 * K), OTA_FLASH_OK);
    const uint8_t *raw = ota_sim_flash_raw(&dev);
    assert_memory_equal(raw + at[0], word, 4);
    assert_int_equal(raw[at[1]], 0xFF);
    assert_int_equal(raw[at[2]], 0xFF);
    assert_memory_equal(raw + at[3], word, 4);
    assert_int_equal(ota_flash_program(f, at[2], word, 4), OTA_FLASH_OK); /* erased again */
    assert_int_equal(ota_flash_program(f, at[3], word, 4), OTA_FLASH_ERR_OVERWRITE);
    ota_sim_flash_close(&dev);
}

static void test_counters_wear_and_time_per_sector_size(void **unused)
{
    (void)unused;
    ota_sim_flash_t dev;
    const ota_sim_preset_t *p = stm32f4();
    assert_int_equal(ota_sim_flash_open_ram(&dev, p, NULL, NULL), OTA_FLASH_OK);
    const ota_flash_t *f = ota_sim_flash_port(&dev);
    uint64_t t0 = ota_sim_flash_stats(&dev).modeled_ns;
    assert_int_equal(ota_flash_erase(f, 16 * K, 16 * K), OTA_FLASH_OK);
    uint64_t t16 = ota_sim_flash_stats(&dev).modeled_ns - t0;
    assert_int_equal(ota_flash_erase(f, 64 * K, 64 * K), OTA_FLASH_OK);
    uint64_t t64 = ota_sim_flash_stats(&dev).modeled_ns - t0 - t16;
    assert_int_equal(ota_flash_erase(f, 256 * K, 128 * K), OTA_FLASH_OK);
    assert_int_equal(ota_flash_erase(f, 256 * K, 128 * K), OTA_FLASH_OK);
    ota_sim_stats_t st = ota_sim_flash_stats(&dev);
    uint64_t t128 = (st.modeled_ns - t0 - t16 - t64) / 2u;
    /* the preset's figures: 250 ms, then 100 ms per further 16K */
    assert_int_equal(t16, 250000000u);
    assert_int_equal(t64, 550000000u);
    assert_int_equal(t128, 950000000u);
    assert_int_equal(st.erases, 4);
    assert_int_equal(st.bytes_erased, (16 + 64 + 128 + 128) * K);
    /* wear: every address of a sector reports the sector's erases, its neighbours none */
    assert_int_equal(ota_sim_flash_wear(&dev, 256 * K), 2);
    assert_int_equal(ota_sim_flash_wear(&dev, 384 * K - 1), 2);
    assert_int_equal(ota_sim_flash_wear(&dev, 384 * K), 0);
    assert_int_equal(ota_sim_flash_wear(&dev, 127 * K), 1);
    assert_int_equal(ota_sim_flash_wear(&dev, 0), 0);
    assert_int_equal(st.max_wear, 2);
    ota_sim_flash_close(&dev);
}

static void test_torn_erase_stays_inside_its_sector(void **unused)
{
    (void)unused;
    ota_sim_power_t pw;
    ota_sim_flash_t dev;
    const ota_flash_t *f = open_stm32f4_board(&dev, &pw);
    uint8_t *raw = ota_sim_flash_raw(&dev);
    uint8_t word[4] = {1, 2, 3, 4};
    assert_int_equal(ota_flash_program(f, 64 * K - 4, word, 4), OTA_FLASH_OK);
    assert_int_equal(ota_flash_program(f, 128 * K, word, 4), OTA_FLASH_OK);
    ota_sim_power_arm(&pw, pw.ops + 1u, OTA_SIM_CUT_TORN, 7);
    assert_int_equal(ota_flash_erase(f, 64 * K, 64 * K), OTA_FLASH_ERR_POWER);
    assert_memory_equal(raw + 64 * K - 4, word, 4);
    assert_memory_equal(raw + 128 * K, word, 4);
    ota_sim_power_on(&pw);
    /* every unit of the torn sector must be erased before use */
    assert_true(ota_sim_flash_programmed(&dev, 64 * K));
    assert_true(ota_sim_flash_programmed(&dev, 128 * K - 4));
    assert_int_equal(ota_flash_erase(f, 64 * K, 64 * K), OTA_FLASH_OK);
    assert_false(ota_sim_flash_programmed(&dev, 100 * K));
    ota_sim_flash_close(&dev);
}

/* A table with a block size: a block erase must cover whole sectors. */
static void test_block_erase_covers_whole_sectors(void **unused)
{
    (void)unused;
    static const ota_flash_sector_run_t runs[] = {{4, 8 * K}, {1, 32 * K}, {6, 64 * K},
                                                  {1, 32 * K}, {4, 8 * K}};
    ota_flash_geometry_t g = {.size = 512 * K, .erase_unit = 8 * K, .block_size = 64 * K,
                              .program_unit = 1, .page_size = 256, .erased_value = 0xFF,
                              .sectors = runs, .sector_runs = 5};
    ota_sim_power_t pw;
    ota_sim_power_init(&pw);
    ota_sim_flash_t dev;
    assert_int_equal(ota_sim_flash_open_ram(&dev, ota_sim_preset("sst26vf064b"), &g, &pw),
                     OTA_FLASH_OK);
    const ota_flash_t *f = ota_sim_flash_port(&dev);
    assert_int_equal(ota_flash_erase(f, 0, 64 * K), OTA_FLASH_OK);        /* 4x8K + 32K */
    assert_int_equal(ota_flash_erase(f, 64 * K, 64 * K), OTA_FLASH_OK);   /* one sector */
    assert_erase_refused(&dev, &pw, 32 * K, 64 * K, OTA_FLASH_ERR_ALIGN); /* not aligned */
    assert_erase_refused(&dev, &pw, 0, 8 * K + 8 * K, OTA_FLASH_ERR_ALIGN);
    assert_int_equal(ota_flash_erase(f, 448 * K, 64 * K), OTA_FLASH_OK);  /* 32K + 4x8K */
    assert_int_equal(ota_sim_flash_wear(&dev, 0), 1);
    assert_int_equal(ota_sim_flash_wear(&dev, 511 * K), 1);
    assert_int_equal(ota_sim_flash_wear(&dev, 128 * K), 0);
    ota_sim_flash_close(&dev);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sector_at_on_the_mixed_table),
        cmocka_unit_test(test_sector_next_walks_all_twelve),
        cmocka_unit_test(test_on_sectors_boundaries),
        cmocka_unit_test(test_uniform_geometry_needs_no_table),
        cmocka_unit_test(test_uniform_checks_agree_with_a_one_run_table),
        cmocka_unit_test(test_bad_tables_are_refused),
        cmocka_unit_test(test_erase_is_exactly_one_sector_at_its_start),
        cmocka_unit_test(test_erase_clears_exactly_its_sector),
        cmocka_unit_test(test_counters_wear_and_time_per_sector_size),
        cmocka_unit_test(test_torn_erase_stays_inside_its_sector),
        cmocka_unit_test(test_block_erase_covers_whole_sectors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
