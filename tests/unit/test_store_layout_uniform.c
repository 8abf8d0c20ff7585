/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The store's layout on uniform flashes, over a grid of geometries and configs: the status of
 * the mount and where the slots go, against the rule docs/store.md gives (the journal in the
 * first two sectors, the factory slot at the first block-aligned sector start after them where
 * a slot fits, as many slots as asked when they fit). Run twice: as unit_store_layout_uniform
 * on the default core, which walks the sectors, and as unit_store_layout_uniform_tables_off on
 * a core built with OTA_FLASH_SECTOR_TABLES 0, which computes the same without the walk
 * (src/store.c): both must give the same layouts and the same refusals.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "flash_sim.h"
#include "otaflow/store.h"

typedef struct expected {
    ota_store_status_t status;
    uint32_t data_base;
    uint8_t download_slots;
} expected_t;

/* The rule, stated by sector starts on a uniform device. */
static expected_t expect(const ota_flash_geometry_t *g, uint32_t slot, uint8_t asked)
{
    expected_t e = {OTA_STORE_ERR_GEOMETRY, 0, 0};
    if (slot % g->erase_unit != 0 || g->size / 2u < g->erase_unit) {
        return e;
    }
    uint32_t align = g->block_size > g->erase_unit ? g->block_size : g->erase_unit;
    uint32_t base = g->size; /* no sector where a slot fits */
    for (uint32_t s = 2u * g->erase_unit; s < g->size && slot <= g->size - s; s += g->erase_unit) {
        if (s % align == 0) {
            base = s;
            break;
        }
    }
    uint32_t fit = (g->size - base) / slot;
    uint32_t n = asked;
    if (asked == OTA_STORE_SLOTS_AS_MANY_AS_FIT) {
        n = fit > OTA_STORE_MAX_DOWNLOAD_SLOTS ? OTA_STORE_MAX_DOWNLOAD_SLOTS : fit > 1 ? fit - 1u : 0u;
    }
    e.status = (n == 0 || n >= fit) ? OTA_STORE_ERR_NO_SPACE : OTA_STORE_OK;
    e.data_base = base;
    e.download_slots = (uint8_t)n;
    return e;
}

static void test_layouts_follow_the_rule(void **unused)
{
    (void)unused;
    static const uint32_t sizes[] = {16384, 65536, 98304, 262144, 1048576};
    static const uint32_t units[] = {4096, 32768};
    static const uint32_t blocks[] = {0, 16384, 65536};
    static const uint32_t slots[] = {4096, 8192, 12288, 65536, 131072, 196608, 327680};
    static const uint8_t asked[] = {1, 2, 3, OTA_STORE_SLOTS_AS_MANY_AS_FIT};
    unsigned ok = 0, refused = 0;
    for (unsigned a = 0; a < sizeof sizes / sizeof sizes[0]; a++) {
        for (unsigned b = 0; b < sizeof units / sizeof units[0]; b++) {
            for (unsigned c = 0; c < sizeof blocks / sizeof blocks[0]; c++) {
                ota_flash_geometry_t g = {.size = sizes[a], .erase_unit = units[b],
                                          .block_size = blocks[c], .program_unit = 1,
                                          .page_size = 256, .erased_value = 0xFF};
                ota_sim_flash_t dev;
                if (ota_sim_flash_open_ram(&dev, ota_sim_preset("sst26vf032b"), &g, NULL) !=
                    OTA_FLASH_OK) {
                    continue; /* a geometry the flash model refuses (a block past the device) */
                }
                for (unsigned d = 0; d < sizeof slots / sizeof slots[0]; d++) {
                    for (unsigned k = 0; k < sizeof asked / sizeof asked[0]; k++) {
                        ota_store_config_t cfg = {.slot_size = slots[d],
                                                  .download_slots = asked[k]};
                        static ota_store_t s;
                        ota_store_status_t st = ota_store_mount(&s, ota_sim_flash_port(&dev), &cfg);
                        expected_t e = expect(&g, slots[d], asked[k]);
                        if (st != e.status) {
                            fail_msg("size %u unit %u block %u slot %u asked %u: %s, expected %s",
                                     (unsigned)g.size, (unsigned)g.erase_unit,
                                     (unsigned)g.block_size, (unsigned)slots[d],
                                     (unsigned)asked[k], ota_store_status_str(st),
                                     ota_store_status_str(e.status));
                        }
                        if (st == OTA_STORE_OK) {
                            assert_int_equal(ota_store_layout(&s)->data_base, e.data_base);
                            assert_int_equal(ota_store_layout(&s)->download_slots,
                                             e.download_slots);
                            assert_int_equal(ota_store_layout(&s)->journal_sector_size,
                                             g.erase_unit);
                            ok++;
                        } else {
                            refused++;
                        }
                    }
                }
                ota_sim_flash_close(&dev);
            }
        }
    }
    print_message("%u layouts, %u refusals\n", ok, refused);
    assert_true(ok > 50u && refused > 50u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layouts_follow_the_rule),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
