/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The memory-mapped NOR driver of the Cortex-M port (port/cortex-m/nor_mmio.c, the lean
 * bootloader's and the one docs/porting.md says to start from), run on the host over a RAM
 * array: it refuses exactly what the host flash model refuses, on a uniform part and on a
 * part of mixed sector sizes, programs by AND, erases to the erased value, and refuses its
 * write-protected range only while locked. Built again with NOR_MMIO_CHECK_RULES 0 (as the
 * lean bootloader links it; CMakeLists.txt, unit_nor_mmio_trusted) it leaves the rules to its
 * caller and still programs, erases and refuses its protected range as before.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "flash_sim.h"
#include "nor_mmio.h"

#define K 1024u

static uint8_t g_array[4096 * K]; /* the largest part below (sst26vf032b) */

static const ota_sim_preset_t *preset(const char *name)
{
    const ota_sim_preset_t *p = ota_sim_preset(name);
    assert_non_null(p);
    assert_true(p->geometry.size <= sizeof g_array);
    return p;
}

typedef struct {
    uint32_t addr, len;
    ota_flash_status_t want; /* the status port.h's rules give */
} op_t;

#define OK OTA_FLASH_OK
#define RANGE OTA_FLASH_ERR_RANGE
#define ALIGN OTA_FLASH_ERR_ALIGN

#if NOR_MMIO_CHECK_RULES
/* Each operation, on a fresh driver and a fresh model of the same part: the status port.h's
 * rules give, from both (they share ota_flash_check_program/erase, so agreeing alone would
 * not catch a rule both get wrong). */
static void assert_same_verdicts(const char *part, const op_t *programs, size_t n_programs,
                                 const op_t *erases, size_t n_erases)
{
    const ota_sim_preset_t *p = preset(part);
    static uint8_t data[4096];
    memset(data, 0x5A, sizeof data);
    for (size_t i = 0; i < n_programs + n_erases; i++) {
        bool program = i < n_programs;
        op_t op = program ? programs[i] : erases[i - n_programs];
        ota_sim_flash_t dev;
        assert_int_equal(ota_sim_flash_open_ram(&dev, p, NULL, NULL), OTA_FLASH_OK);
        nor_mmio_t n;
        memset(g_array, p->geometry.erased_value, p->geometry.size);
        nor_mmio_init(&n, (uintptr_t)g_array, &p->geometry);
        const ota_flash_t *model = ota_sim_flash_port(&dev), *mmio = nor_mmio_port(&n);
        ota_flash_status_t want = program ? ota_flash_program(model, op.addr, data, op.len)
                                          : ota_flash_erase(model, op.addr, op.len);
        ota_flash_status_t got = program ? ota_flash_program(mmio, op.addr, data, op.len)
                                         : ota_flash_erase(mmio, op.addr, op.len);
        ota_sim_flash_close(&dev);
        if (got != want || want != op.want) {
            fail_msg("%s: %s of %u at 0x%x: expected %d, the model says %d, nor_mmio %d", part,
                     program ? "program" : "erase", (unsigned)op.len, (unsigned)op.addr,
                     (int)op.want, (int)want, (int)got);
        }
    }
}

static void test_refuses_what_the_model_refuses_on_a_uniform_part(void **unused)
{
    (void)unused;
    const op_t programs[] = {{0, 256, OK},      {0, 1, OK},
                             {255, 1, OK},      {250, 10, ALIGN}, /* crosses a page */
                             {0, 257, ALIGN},   {0, 0, ALIGN},
                             {4 * K * K - 1, 1, OK}, {4 * K * K, 1, RANGE},
                             {0xFFFFFFFFu, 2, RANGE}};
    const op_t erases[] = {{0, 4 * K, OK},          {4 * K, 4 * K, OK},
                           {2 * K, 4 * K, ALIGN},   {0, 2 * K, ALIGN},
                           {0, 8 * K, ALIGN},       {0, 64 * K, OK}, /* a block */
                           {4 * K, 64 * K, ALIGN},  {0, 0, ALIGN},
                           {4 * K * K - 4 * K, 4 * K, OK}, {4 * K * K, 4 * K, RANGE},
                           {0, 4 * K * K, ALIGN}};
    assert_same_verdicts("sst26vf032b", programs, sizeof programs / sizeof programs[0], erases,
                         sizeof erases / sizeof erases[0]);
    const op_t pfm_programs[] = {{0, 16, OK},       {8, 16, ALIGN},  {0, 24, ALIGN},
                                 {1008, 32, ALIGN}, {0, 1024, OK},   {0, 2048, ALIGN}};
    assert_same_verdicts("pic32mzw1-pfm", pfm_programs, 6, erases, 3);
}

/* An STM32F4 bank (4 x 16K, 64K, 7 x 128K): an erase is one whole sector of any of its
 * sizes, never an erase unit inside a larger sector. */
static void test_refuses_what_the_model_refuses_on_mixed_sectors(void **unused)
{
    (void)unused;
    const op_t programs[] = {{0, 16, OK}, {64 * K, 16, OK}};
    const op_t erases[] = {{0, 16 * K, OK},          {48 * K, 16 * K, OK},
                           {64 * K, 64 * K, OK},     {128 * K, 128 * K, OK},
                           {128 * K, 16 * K, ALIGN}, {64 * K, 16 * K, ALIGN},
                           {0, 64 * K, ALIGN},       {128 * K, 64 * K, ALIGN},
                           {896 * K, 128 * K, OK},   {0, 4 * K, ALIGN}};
    assert_same_verdicts("stm32f4-1m", programs, 2, erases, sizeof erases / sizeof erases[0]);
}
#endif

static void test_programs_by_and_and_erases_to_the_erased_value(void **unused)
{
    (void)unused;
    const ota_flash_geometry_t *g = &preset("sst26vf032b")->geometry;
    nor_mmio_t n;
    nor_mmio_init(&n, (uintptr_t)g_array, g);
    const ota_flash_t *f = nor_mmio_port(&n);
    memset(g_array, 0x00, 8 * K);
    assert_int_equal(ota_flash_erase(f, 4 * K, 4 * K), OTA_FLASH_OK);
    assert_int_equal(g_array[4 * K - 1], 0x00); /* the sector before is untouched */
    assert_int_equal(g_array[4 * K], g->erased_value);
    assert_int_equal(g_array[8 * K - 1], g->erased_value);
    uint8_t a = 0xF0, b = 0x3C, out = 0;
    assert_int_equal(ota_flash_program(f, 4 * K, &a, 1), OTA_FLASH_OK);
    assert_int_equal(ota_flash_program(f, 4 * K, &b, 1), OTA_FLASH_OK); /* bits only 1 -> 0 */
    assert_int_equal(ota_flash_read(f, 4 * K, &out, 1), OTA_FLASH_OK);
    assert_int_equal(out, 0x30);
#if NOR_MMIO_CHECK_RULES
    assert_int_equal(ota_flash_read(f, g->size - 1u, &out, 2), OTA_FLASH_ERR_RANGE);
#endif
}

static void test_the_protected_range_is_refused_only_while_locked(void **unused)
{
    (void)unused;
    const ota_flash_geometry_t *g = &preset("pic32mzw1-pfm")->geometry;
    nor_mmio_t n;
    volatile bool locked = false;
    nor_mmio_init(&n, (uintptr_t)g_array, g);
    nor_mmio_protect(&n, 8 * K, 8 * K, &locked);
    const ota_flash_t *f = nor_mmio_port(&n);
    uint8_t row[16];
    memset(row, 0, sizeof row);
    memset(g_array, 0xFF, 32 * K);
    assert_int_equal(ota_flash_erase(f, 8 * K, 4 * K), OTA_FLASH_OK);
    locked = true;
    assert_int_equal(ota_flash_erase(f, 12 * K, 4 * K), OTA_FLASH_ERR_PROTECTED);
    assert_int_equal(ota_flash_program(f, 16 * K - 16, row, 16), OTA_FLASH_ERR_PROTECTED);
    assert_int_equal(g_array[16 * K - 16], 0xFF); /* refused: unchanged */
    assert_int_equal(ota_flash_program(f, 16 * K, row, 16), OTA_FLASH_OK); /* just past it */
    assert_int_equal(ota_flash_program(f, 8 * K - 16, row, 16), OTA_FLASH_OK); /* just before */
    assert_int_equal(ota_flash_erase(f, 4 * K, 4 * K), OTA_FLASH_OK);
    locked = false;
    assert_int_equal(ota_flash_program(f, 12 * K, row, 16), OTA_FLASH_OK);
}

/* The constant device (NOR_MMIO_DEVICE, the lean bootloader's) is the one nor_mmio_init and
 * nor_mmio_protect make, and works as one: its protected range refused while locked. */
#define STATIC_GEOMETRY                                                                          \
    {.size = 64u * K, .erase_unit = 4u * K, .program_unit = 16u, .page_size = 1024u,            \
     .erased_value = 0xFFu}
static volatile bool g_static_locked;
static const nor_mmio_t g_static =
    NOR_MMIO_DEVICE(g_static, g_array, STATIC_GEOMETRY, 8u * K, 8u * K, &g_static_locked);

static void test_a_constant_device_is_the_initialised_one(void **unused)
{
    (void)unused;
    static const ota_flash_geometry_t g = STATIC_GEOMETRY;
    nor_mmio_t n;
    nor_mmio_init(&n, (uintptr_t)g_array, &g);
    nor_mmio_protect(&n, 8u * K, 8u * K, &g_static_locked);
    assert_ptr_equal(g_static.port.ops, n.port.ops);
    assert_ptr_equal(g_static.port.ctx, &g_static);
    assert_memory_equal(&g_static.port.geometry, &n.port.geometry, sizeof g);
    assert_ptr_equal(g_static.base, n.base);
    assert_int_equal(g_static.protect_start, n.protect_start);
    assert_int_equal(g_static.protect_end, n.protect_end);
    assert_ptr_equal(g_static.locked, n.locked);

    const ota_flash_t *f = nor_mmio_port(&g_static);
    uint8_t row[16];
    memset(row, 0, sizeof row);
    memset(g_array, 0xFF, 64u * K);
    g_static_locked = true;
    assert_int_equal(ota_flash_erase(f, 8u * K, 4u * K), OTA_FLASH_ERR_PROTECTED);
    assert_int_equal(ota_flash_program(f, 16u * K, row, 16), OTA_FLASH_OK);
    assert_int_equal(g_array[16u * K], 0x00);
    g_static_locked = false;
    assert_int_equal(ota_flash_erase(f, 16u * K, 4u * K), OTA_FLASH_OK);
    assert_int_equal(g_array[16u * K], 0xFF);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#if NOR_MMIO_CHECK_RULES
        cmocka_unit_test(test_refuses_what_the_model_refuses_on_a_uniform_part),
        cmocka_unit_test(test_refuses_what_the_model_refuses_on_mixed_sectors),
#endif
        cmocka_unit_test(test_programs_by_and_and_erases_to_the_erased_value),
        cmocka_unit_test(test_the_protected_range_is_refused_only_while_locked),
        cmocka_unit_test(test_a_constant_device_is_the_initialised_one),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
