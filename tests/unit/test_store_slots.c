/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Stores with every download slot count the configuration allows, on devices with small and
 * large pages: the journal record fits the store's record buffer, and a download whose
 * checkpoints come while bytes are staged in the work buffer stores exactly its image.
 * (Until the record buffer was sized for every geometry, 3 or more download slots on a
 * 256-byte page made 512-byte records in a 384-byte buffer: each record written zeroed the
 * first 128 staged download bytes.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "store_fixture.h"

#define IMAGE_LEN 70000u /* more than one 64 KB erase unit, not a multiple of a page */
#define CHUNK 1000u      /* writes that leave bytes staged when a checkpoint comes */

static uint8_t img[IMAGE_LEN];

static void check_every_slot_count(const ota_flash_geometry_t *g)
{
    store_fixture_image(img, IMAGE_LEN, 7);
    for (unsigned n = 1; n <= OTA_STORE_MAX_DOWNLOAD_SLOTS; n++) {
        ota_store_config_t cfg = {.slot_size = 0x20000u, .download_slots = (uint8_t)n,
                                  .checkpoint_interval = 1u /* every erase unit */};
        store_fixture_t *fx = store_fixture_open(g, &cfg);
        const ota_store_layout_t *l = ota_store_layout(&fx->store);
        assert_int_equal(l->download_slots, n);
        assert_true(l->record_size <= sizeof fx->store.record);
        uint8_t slot = OTA_STORE_SLOT_NONE;
        assert_int_equal(store_fixture_download(&fx->store, 7, img, IMAGE_LEN, CHUNK, &slot),
                         OTA_STORE_OK);
        assert_true(fx->store.journal.appends > 2u); /* checkpoints were written */
        assert_int_equal(store_fixture_remount(fx), OTA_STORE_OK);
        assert_int_equal(ota_store_slot(&fx->store, slot)->state, OTA_SLOT_STORED);
        const uint8_t *raw = ota_sim_flash_raw(&fx->dev) + ota_store_slot_addr(&fx->store, slot);
        assert_memory_equal(raw, img, IMAGE_LEN);
        store_fixture_close(fx);
    }
}

/* SST26: 4 KB sectors, 64 KB blocks, 256-byte pages, byte programming. */
static void test_sst26(void **unused)
{
    (void)unused;
    check_every_slot_count(NULL);
}

/* 64 KB erase units, 16-byte program unit, 256-byte pages. */
static void test_big_erase(void **unused)
{
    (void)unused;
    check_every_slot_count(&store_fixture_big_erase);
}

/* Pages as large as a sector: every record fits one page. */
static void test_page_is_sector(void **unused)
{
    (void)unused;
    static const ota_flash_geometry_t g = {.size = 4u * 1024u * 1024u, .erase_unit = 4096u,
                                           .program_unit = 4u, .page_size = 4096u,
                                           .erased_value = 0xFF};
    check_every_slot_count(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sst26),
        cmocka_unit_test(test_big_erase),
        cmocka_unit_test(test_page_is_sector),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
