/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The image store on external flash of mixed erase sectors: journal in the first two sectors,
 * slots on sector boundaries, the download's erase-ahead and its resume point one sector at a
 * time; and the named refusal (OTA_STORE_ERR_SECTORS) of a layout it cannot use.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "otaflow/image.h"
#include "otaflow/store.h"
#include "store_fixture.h"

#define K 1024u

/* Boot sectors at both ends, 64K blocks: 8K x 4, 32K, 64K x 62, 32K, 8K x 4 (4 MB). */
static const ota_flash_sector_run_t boot_sectors[] = {
    {4, 8 * K}, {1, 32 * K}, {62, 64 * K}, {1, 32 * K}, {4, 8 * K}};
static const ota_flash_geometry_t boot_sector_flash = {
    .size = 4096 * K, .erase_unit = 8 * K, .block_size = 64 * K, .program_unit = 1,
    .page_size = 256, .erased_value = 0xFF, .sectors = boot_sectors, .sector_runs = 5};

/* An STM32F4-like bank used as the store's flash: 16K x 4, 64K, 128K x 7 (1 MB). */
static const ota_flash_sector_run_t f4_sectors[] = {{4, 16 * K}, {1, 64 * K}, {7, 128 * K}};
static const ota_flash_geometry_t f4_flash = {
    .size = 1024 * K, .erase_unit = 16 * K, .block_size = 0, .program_unit = 4,
    .page_size = 256, .erased_value = 0xFF, .sectors = f4_sectors, .sector_runs = 3};

static void test_boot_sector_layout(void **unused)
{
    (void)unused;
    /* Slots of 21 x 64K: the last one ends at the top of the device, over its 32K and 8K
     * sectors, which the download must erase one by one. */
    ota_store_config_t cfg = {.slot_size = 1344 * K, .download_slots = 2};
    store_fixture_t *fx = store_fixture_open(&boot_sector_flash, &cfg);
    const ota_store_layout_t *l = ota_store_layout(&fx->store);
    assert_int_equal(l->journal_sector_size, 8 * K);
    assert_int_equal(l->data_base, 64 * K);
    assert_int_equal(ota_store_slot_addr(&fx->store, 2) + l->slot_size, 4096 * K);

    /* Fill slots 1 and 2 with images reaching their last byte. */
    size_t len = l->slot_size;
    ota_sim_stats_t before = ota_sim_flash_stats(&fx->dev);
    assert_int_equal(store_fixture_store_version(fx, 2, len), 1);
    ota_sim_stats_t mid = ota_sim_flash_stats(&fx->dev);
    assert_int_equal(store_fixture_store_version(fx, 3, len), 2);
    ota_sim_stats_t after = ota_sim_flash_stats(&fx->dev);
    /* Slot 1 lies in 64K sectors only: 21 erases. Slot 2 ends with 32K + 4 x 8K, which is
     * one 64K block made of whole sectors: 21 erases as well. */
    uint64_t journal = 2u; /* at most this many journal sector erases per download */
    assert_in_range(mid.erases - before.erases, 21, 21 + journal);
    assert_in_range(after.erases - mid.erases, 21, 21 + journal);
    assert_int_equal(ota_sim_flash_wear(&fx->dev, 4096 * K - 1), 1);
    assert_int_equal(ota_sim_flash_wear(&fx->dev, 4032 * K), 1);
    assert_int_equal(ota_store_slot_verify(&fx->store, 1), OTA_STORE_OK);
    assert_int_equal(ota_store_slot_verify(&fx->store, 2), OTA_STORE_OK);

    /* Survives a remount with the same table. */
    assert_int_equal(store_fixture_remount(fx), OTA_STORE_OK);
    assert_int_equal(ota_store_slot(&fx->store, 2)->state, OTA_SLOT_STORED);
    assert_int_equal(store_fixture_check_invariants(fx), 0);
    store_fixture_close(fx);
}

/* A download interrupted by a power cut resumes at a sector start: erase-ahead of a 128K
 * sector, checkpoint, cut, remount, resume, finish. */
static void test_resume_on_mixed_sectors(void **unused)
{
    (void)unused;
    ota_store_config_t cfg = {.slot_size = 256 * K, .download_slots = 1,
                              .checkpoint_interval = 0xFFFFFFFFu};
    store_fixture_t *fx = store_fixture_open(&f4_flash, &cfg);
    const ota_store_layout_t *l = ota_store_layout(&fx->store);
    /* Journal in the 16K sectors 0-1; slots move past the 16K and 64K sectors they would
     * straddle: the factory slot at 128K, download slot 1 at 384K. */
    assert_int_equal(l->journal_sector_size, 16 * K);
    assert_int_equal(l->data_base, 128 * K);

    size_t len = 200 * K;
    uint8_t *img = malloc(len);
    assert_non_null(img);
    store_fixture_image(img, len, 5);
    uint8_t digest[32];
    ota_sha256(img, len, digest);
    uint8_t slot = 0;
    uint32_t resume = 1;
    assert_int_equal(ota_store_download_begin(&fx->store, 5, (uint32_t)len, digest, &slot,
                                              &resume), OTA_STORE_OK);
    assert_int_equal(resume, 0);
    /* 160K written: the first 128K sector is full, the second half written. */
    assert_int_equal(ota_store_download_write(&fx->store, 0, img, 160 * K), OTA_STORE_OK);
    uint32_t durable = 0;
    assert_int_equal(ota_store_download_checkpoint(&fx->store, &durable), OTA_STORE_OK);
    assert_int_equal(durable, 128 * K); /* the sector start below 160K, not a 16K multiple */
    /* Power cut while writing on: the next program never happens. */
    ota_sim_power_arm(&fx->power, fx->power.ops + 1u, OTA_SIM_CUT_BEFORE, 1);
    assert_int_not_equal(ota_store_download_write(&fx->store, 160 * K, img + 160 * K, 40 * K),
                         OTA_STORE_OK);
    assert_int_equal(store_fixture_remount(fx), OTA_STORE_OK);
    assert_int_equal(ota_store_download_begin(&fx->store, 5, (uint32_t)len, digest, &slot,
                                              &resume), OTA_STORE_OK);
    assert_int_equal(resume, 128 * K);
    uint32_t wear = ota_sim_flash_wear(&fx->dev, ota_store_slot_addr(&fx->store, slot) + resume);
    assert_int_equal(ota_store_download_write(&fx->store, resume, img + resume, len - resume),
                     OTA_STORE_OK);
    assert_int_equal(ota_store_download_finish(&fx->store), OTA_STORE_OK);
    /* The resumed sector (128K) was erased again, whole, before its first program. */
    assert_int_equal(
        ota_sim_flash_wear(&fx->dev, ota_store_slot_addr(&fx->store, slot) + resume), wear + 1);
    assert_int_equal(ota_store_slot_verify(&fx->store, slot), OTA_STORE_OK);
    free(img);
    store_fixture_close(fx);
}

static void test_layouts_it_cannot_use_are_named(void **unused)
{
    (void)unused;
    ota_sim_power_t pw;
    ota_sim_power_init(&pw);
    ota_sim_flash_t dev;
    ota_store_t store;
    /* 96K slots: the factory slot fits 32K..128K, slot 1 would end inside a 128K sector,
     * and no later start fits both. */
    ota_flash_geometry_t g = f4_flash;
    assert_int_equal(ota_sim_flash_open_ram(&dev, ota_sim_preset("sst26vf032b"), &g, &pw),
                     OTA_FLASH_OK);
    ota_store_config_t cfg = {.slot_size = 96 * K, .download_slots = 1};
    assert_int_equal(ota_store_mount(&store, ota_sim_flash_port(&dev), &cfg),
                     OTA_STORE_ERR_SECTORS);
    assert_int_equal(pw.ops, 0); /* nothing written */
    assert_string_equal(ota_store_status_str(OTA_STORE_ERR_SECTORS),
                        "journal or slots not on erase sector boundaries");
    ota_sim_flash_close(&dev);

    /* The journal needs two sectors of erase_unit bytes at the bottom; here they are 32K
     * and the 16K ones are at the top. */
    static const ota_flash_sector_run_t top_boot[] = {{2, 32 * K}, {14, 64 * K}, {1, 32 * K},
                                                      {2, 16 * K}};
    g.sectors = top_boot;
    g.sector_runs = 4;
    assert_int_equal(ota_sim_flash_open_ram(&dev, ota_sim_preset("sst26vf032b"), &g, &pw),
                     OTA_FLASH_OK);
    cfg.slot_size = 128 * K;
    assert_int_equal(ota_store_mount(&store, ota_sim_flash_port(&dev), &cfg),
                     OTA_STORE_ERR_SECTORS);
    ota_sim_flash_close(&dev);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_boot_sector_layout),
        cmocka_unit_test(test_resume_on_mixed_sectors),
        cmocka_unit_test(test_layouts_it_cannot_use_are_named),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
