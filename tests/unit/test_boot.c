/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The bootloader on a simulated board (internal program flash + external SST26 on one power
 * domain): first boot, install, skip-equal units, trial and roll back, confirm, factory reset,
 * EraseVer of the running version, corrupt slot, corrupt internal image, nothing valid, and a
 * power cut before/after/torn at every flash operation of an install, of the first-boot
 * factory copy and of a trial roll back. The main paths and sweeps run again on an STM32F4
 * internal flash of mixed sector sizes (region rule: ERR_REGION).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "boot_fixture.h"
#include "store_fixture.h"

/* Small images for the tests (not a multiple of the erase unit, to cover the padded tail). */
#define IMG 24000u
/* The exhaustive sweeps use one of 3 erase units: cost is ops x 3 boots. */
#define CUT_IMG 11000u

/* The STM32F4 board's images: past its 64K sector into the first 128K one. */
#define STM_IMG 66000u
/* Image sizes of the tests run now (the STM32F4 tests switch them). */
static uint32_t img = IMG, cut_img = CUT_IMG;

static uint8_t v1[STM_IMG], v2[STM_IMG];

static boot_fixture_t *board_with_v1(uint32_t size)
{
    boot_fixture_t *fx = boot_fixture_open();
    boot_fixture_image(v1, size, 1, 0);
    boot_fixture_program(fx, v1, size);
    return fx;
}

/* v1 factory-programmed and booted once (factory copy saved), v2 staged for install, with
 * security counter `counter` (the fixture gives each image its version as its counter). */
static boot_fixture_t *board_with_v2_counter_pending(uint32_t size, uint32_t counter)
{
    boot_fixture_t *fx = board_with_v1(size);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    boot_fixture_image(v2, size, 2, 4321);
    boot_fixture_set_security_counter(v2, size, counter);
    assert_int_not_equal(boot_fixture_stage_update(fx, v2, size, 2), OTA_STORE_SLOT_NONE);
    return fx;
}

static boot_fixture_t *board_with_v2_pending(uint32_t size)
{
    return board_with_v2_counter_pending(size, 2);
}

/* The same, v2 in v1's security epoch (counter 1): going back to v1 stays allowed after v2 is
 * confirmed (test_boot_sig.c has the refusals when it is not). */
static boot_fixture_t *board_with_v2_same_epoch_pending(uint32_t size)
{
    return board_with_v2_counter_pending(size, 1);
}

/* The descriptor area of internal flash: the installed image's header, then its TLV area. */
static uint8_t *desc_area(boot_fixture_t *fx)
{
    return ota_sim_flash_raw(&fx->internal) + fx->config.app_offset + fx->config.app_size;
}

/* Erase sectors an image of size bytes takes: its payload's, and the descriptor's (one). */
static uint32_t image_units(uint32_t size)
{
    const uint32_t tlv = OTA_IMAGE_TLV_INFO_SIZE + OTA_IMAGE_TLV_ENTRY_HDR + OTA_SHA256_SIZE;
    return (size - OTA_IMAGE_HEADER_SIZE - tlv + 4095u) / 4096u + 1u;
}

static const ota_store_boot_t *fields(boot_fixture_t *fx)
{
    return ota_store_boot(&fx->store);
}

static ota_boot_status_t confirm(boot_fixture_t *fx)
{
    return ota_confirm(&fx->store, ota_sim_flash_port(&fx->internal), &fx->config);
}

/* Boots until the bootloader says OK (at most n power-ons); the last status. */
static ota_boot_status_t boot_until_ok(boot_fixture_t *fx, unsigned n)
{
    ota_boot_status_t st = OTA_BOOT_ERR_FLASH;
    for (unsigned i = 0; i < n && st != OTA_BOOT_OK; i++) {
        st = boot_fixture_boot(fx);
    }
    return st;
}

/* Basics --------------------------------------------------------------------------------- */

static void test_status_names_and_defaults(void **unused)
{
    (void)unused;
    assert_string_equal(ota_boot_status_str(OTA_BOOT_ERR_NO_IMAGE), "no valid image");
    assert_string_equal(ota_boot_status_str((ota_boot_status_t)-99), "unknown boot status");
    ota_boot_config_t c;
    ota_boot_config_default(&c);
    assert_int_equal(c.app_offset, 0x20000);
    assert_int_equal(c.app_size, 0xDF000);
    assert_int_equal(c.flash_address + c.app_offset, 0x10020000u); /* images' load_addr */
    assert_int_equal(c.desc_size, 0x1000); /* the page 0x100FF000 after the region */
    assert_int_equal(c.max_attempts, 3);
    assert_true(c.verify_each_boot);
    assert_false(c.confirm_on_start);
}

static void test_bad_arguments(void **unused)
{
    (void)unused;
    boot_fixture_t *fx = boot_fixture_open();
    const ota_flash_t *in = ota_sim_flash_port(&fx->internal);
    ota_boot_report_t r;
    assert_int_equal(ota_boot_run(NULL, NULL, in, &fx->store, NULL, NULL, &r), OTA_BOOT_ERR_ARG);
    assert_int_equal(ota_boot_run(&fx->boot, NULL, NULL, &fx->store, NULL, NULL, &r),
                     OTA_BOOT_ERR_ARG);
    ota_boot_config_t c = fx->config;
    c.app_offset = 0x20100; /* not on an erase unit */
    assert_int_equal(ota_boot_run(&fx->boot, &c, in, &fx->store, NULL, NULL, &r),
                     OTA_BOOT_ERR_REGION);
    c = fx->config;
    c.app_size = 0x100000; /* past the end of the device */
    assert_int_equal(ota_boot_run(&fx->boot, &c, in, &fx->store, NULL, NULL, &r),
                     OTA_BOOT_ERR_REGION);
    c = fx->config;
    c.max_attempts = 0;
    assert_int_equal(ota_boot_run(&fx->boot, &c, in, &fx->store, NULL, NULL, &r), OTA_BOOT_ERR_ARG);
    ota_store_t unmounted;
    memset(&unmounted, 0, sizeof unmounted);
    assert_int_equal(ota_boot_run(&fx->boot, NULL, in, &unmounted, NULL, NULL, &r),
                     OTA_BOOT_ERR_STORE);
    assert_int_equal(r.store_status, OTA_STORE_ERR_NOT_MOUNTED);
    assert_int_equal(ota_confirm(NULL, in, NULL), OTA_BOOT_ERR_ARG);
    boot_fixture_close(fx);
}

/* First boot ------------------------------------------------------------------------------- */

static void test_first_boot_saves_factory_image(void **unused)
{
    (void)unused;
    boot_fixture_t *fx = board_with_v1(img);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_int_equal(fx->report.version, 1);
    assert_true(fx->report.factory_saved);
    assert_false(fx->report.trial);
    assert_true(BOOT_SAID(fx, "boot: first boot: saving v1 as the factory image"));
    assert_true(BOOT_SAID(fx, "boot: starting v1"));
    const ota_store_slot_t *f = ota_store_slot(&fx->store, OTA_STORE_FACTORY_SLOT);
    assert_int_equal(f->state, OTA_SLOT_STORED);
    assert_int_equal(f->version, 1);
    assert_int_equal(f->size, img);
    assert_int_equal(ota_store_slot_verify(&fx->store, OTA_STORE_FACTORY_SLOT), OTA_STORE_OK);
    assert_int_equal(fields(fx)->state, OTA_BOOT_CONFIRMED);
    assert_int_equal(fields(fx)->running_version, 1);
    assert_int_equal(fields(fx)->running_slot, OTA_STORE_FACTORY_SLOT);

    /* The next boot only checks and starts. */
    uint64_t ops = fx->power.ops;
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_false(fx->report.factory_saved);
    assert_int_equal(fx->report.version, 1);
    assert_int_equal(fx->power.ops, ops);
    boot_fixture_close(fx);
}

static void test_running_header_and_confirm(void **unused)
{
    (void)unused;
    boot_fixture_t *fx = board_with_v1(img);
    ota_image_header_t h;
    assert_int_equal(ota_boot_running_header(ota_sim_flash_port(&fx->internal), NULL, &h),
                     OTA_IMAGE_OK);
    assert_int_equal(h.version, 1);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_int_equal(confirm(fx), OTA_BOOT_OK); /* already confirmed: no-op */
    assert_int_equal(fields(fx)->security_counter, 1);
    desc_area(fx)[0] ^= 0xFF; /* magic */
    assert_int_equal(confirm(fx), OTA_BOOT_ERR_NO_IMAGE);
    assert_int_equal(ota_boot_running_header(ota_sim_flash_port(&fx->internal), NULL, &h),
                     OTA_IMAGE_ERR_MAGIC);
    boot_fixture_close(fx);
}

/* Install ---------------------------------------------------------------------------------- */

static void test_install_of_a_stored_update(void **unused)
{
    (void)unused;
    boot_fixture_t *fx = board_with_v2_pending(img);
    assert_int_equal(fields(fx)->state, OTA_BOOT_INSTALL_PENDING);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_true(fx->report.installed);
    assert_false(fx->report.rolled_back);
    assert_int_equal(fx->report.version, 2);
    assert_true(fx->report.trial);
    assert_int_equal(fx->report.attempts, 1);
    assert_true(BOOT_SAID(fx, "boot: installing v2 from slot 1"));
    assert_true(BOOT_SAID(fx, "boot: trial 1/3 v2"));
    assert_true(BOOT_SAID(fx, "boot: starting v2"));
    assert_int_equal(boot_fixture_internal_version(fx), 2);
    assert_int_equal(fields(fx)->state, OTA_BOOT_TRIAL);
    assert_int_equal(fields(fx)->running_slot, 1);
    assert_int_equal(ota_store_slot(&fx->store, 1)->state, OTA_SLOT_INSTALLED);
    boot_fixture_close(fx);
}

static void test_install_skips_equal_erase_units(void **unused)
{
    (void)unused;
    /* v2 differs from v1 in its header and hash TLV (the descriptor page) and one payload
     * byte (payload unit 1): 2 of the 7 units (6 of payload, the descriptor) are rewritten,
     * 5 are left alone. */
    boot_fixture_t *fx = board_with_v2_same_epoch_pending(img);
    uint32_t units = image_units(IMG);
    assert_int_equal(units, 7);
    ota_sim_stats_t before = ota_sim_flash_stats(&fx->internal);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    ota_sim_stats_t after = ota_sim_flash_stats(&fx->internal);
    assert_int_equal(fx->report.sectors_written, 2);
    assert_int_equal(fx->report.sectors_skipped, units - 2);
    assert_int_equal(after.erases - before.erases, 2);
    assert_int_equal(boot_fixture_internal_version(fx), 2);

    /* Back and forth between the two: 2 units each way. */
    assert_int_equal(confirm(fx), OTA_BOOT_OK);
    assert_int_equal(ota_store_factory_reset(&fx->store), OTA_STORE_OK);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK); /* v1 back: 2 units again */
    assert_int_equal(fx->report.sectors_written, 2);
    assert_int_equal(ota_store_request_install(&fx->store, 1), OTA_STORE_OK);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_int_equal(fx->report.version, 2);
    assert_int_equal(fx->report.sectors_written, 2);
    boot_fixture_close(fx);
}

/* Trial ------------------------------------------------------------------------------------ */

static void test_trial_without_confirm_rolls_back_and_rejects(void **unused)
{
    (void)unused;
    boot_fixture_t *fx = board_with_v2_pending(img);
    for (unsigned i = 1; i <= 3; i++) {
        assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
        assert_int_equal(fx->report.version, 2);
        assert_int_equal(fx->report.attempts, i);
    }
    assert_true(BOOT_SAID(fx, "boot: trial 3/3 v2"));
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_int_equal(fx->report.version, 1);
    assert_true(fx->report.rolled_back);
    assert_true(fx->report.installed);
    assert_false(fx->report.trial);
    assert_int_equal(fx->report.rejected_version, 2);
    assert_true(BOOT_SAID(fx, "boot: rolled back to v1 (v2 rejected after 3 attempts)"));
    assert_int_equal(boot_fixture_internal_version(fx), 1);
    assert_true(ota_store_is_rejected(&fx->store, 2));
    assert_int_equal(ota_store_slot(&fx->store, 1)->state, OTA_SLOT_REJECTED);
    /* The image rolled back to ran confirmed before: it is confirmed again, not on trial. */
    assert_int_equal(fields(fx)->state, OTA_BOOT_CONFIRMED);
    assert_int_equal(fields(fx)->running_version, 1);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_false(fx->report.installed);
    assert_int_equal(fx->report.version, 1);
    boot_fixture_close(fx);
}

static void test_confirm_stops_counting(void **unused)
{
    (void)unused;
    boot_fixture_t *fx = board_with_v2_pending(img);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_true(fx->report.trial);
    assert_int_equal(confirm(fx), OTA_BOOT_OK);
    assert_int_equal(fields(fx)->state, OTA_BOOT_CONFIRMED);
    assert_int_equal(fields(fx)->security_counter, 2);
    for (unsigned i = 0; i < 5; i++) {
        assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
        assert_int_equal(fx->report.version, 2);
        assert_false(fx->report.trial);
        assert_false(fx->report.rolled_back);
    }
    boot_fixture_close(fx);
}

static void test_confirm_on_start_skips_the_trial(void **unused)
{
    (void)unused;
    boot_fixture_t *fx = board_with_v2_pending(img);
    fx->config.confirm_on_start = true;
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_int_equal(fx->report.version, 2);
    assert_false(fx->report.trial);
    assert_int_equal(fields(fx)->state, OTA_BOOT_CONFIRMED);
    boot_fixture_close(fx);
}

/* Requested roll backs --------------------------------------------------------------------- */

static void test_factory_reset(void **unused)
{
    (void)unused;
    boot_fixture_t *fx = board_with_v2_same_epoch_pending(img);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_int_equal(confirm(fx), OTA_BOOT_OK);
    assert_int_equal(ota_store_factory_reset(&fx->store), OTA_STORE_OK);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_true(fx->report.factory_reset);
    assert_int_equal(fx->report.version, 1);
    assert_true(BOOT_SAID(fx, "boot: factory reset: installing v1 from slot 0"));
    assert_int_equal(boot_fixture_internal_version(fx), 1);
    assert_int_equal(fields(fx)->state, OTA_BOOT_CONFIRMED);
    assert_int_equal(fields(fx)->running_slot, OTA_STORE_FACTORY_SLOT);
    boot_fixture_close(fx);
}

static void test_erase_version_of_the_running_rolls_back(void **unused)
{
    (void)unused;
    boot_fixture_t *fx = board_with_v2_same_epoch_pending(img);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_int_equal(confirm(fx), OTA_BOOT_OK);
    assert_int_equal(ota_store_erase_version(&fx->store, 2), OTA_STORE_OK);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_true(fx->report.rolled_back);
    assert_int_equal(fx->report.version, 1);
    assert_int_equal(boot_fixture_internal_version(fx), 1);
    assert_int_equal(ota_store_slot(&fx->store, 1)->state, OTA_SLOT_EMPTY);
    assert_int_equal(fields(fx)->state, OTA_BOOT_CONFIRMED);
    assert_false(ota_store_is_rejected(&fx->store, 2));
    boot_fixture_close(fx);
}

/* Corruption ------------------------------------------------------------------------------- */

static void test_corrupt_slot_is_not_installed(void **unused)
{
    (void)unused;
    boot_fixture_t *fx = board_with_v2_pending(img);
    uint32_t at = ota_store_slot_addr(&fx->store, 1) + 5000u;
    ota_sim_flash_raw(&fx->external)[at] ^= 0x01;
    uint64_t erases = ota_sim_flash_stats(&fx->internal).erases;
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_false(fx->report.installed);
    assert_true(fx->report.slot_refused);
    assert_int_equal(fx->report.version, 1);
    assert_true(BOOT_SAID(fx, "boot: slot 1 (v2) refused: hash mismatch; not installed"));
    assert_int_equal(ota_sim_flash_stats(&fx->internal).erases, erases);
    assert_int_equal(boot_fixture_internal_version(fx), 1);
    assert_int_equal(ota_store_slot(&fx->store, 1)->state, OTA_SLOT_EMPTY);
    assert_int_equal(fields(fx)->state, OTA_BOOT_CONFIRMED);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_int_equal(fx->report.version, 1);
    boot_fixture_close(fx);
}

static void test_image_for_another_board_is_not_installed(void **unused)
{
    (void)unused;
    boot_fixture_t *fx = board_with_v1(img);
    fx->config.hw_id = 0x57310001u; /* the images' id */
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    boot_fixture_image(v2, IMG, 2, 0);
    assert_int_not_equal(boot_fixture_stage_update(fx, v2, IMG, 2), OTA_STORE_SLOT_NONE);
    fx->config.hw_id = 0x1234u;
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_ERR_NO_IMAGE);
    assert_true(fx->report.slot_refused);
    assert_true(BOOT_SAID(fx, "boot: no valid image"));
    fx->config.hw_id = 0;
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_int_equal(fx->report.version, 1);
    boot_fixture_close(fx);
}

/* Give an image built by the fixture another load address: header re-encoded, SHA-256 TLV
 * (its first) recomputed. */
static void set_load_addr(uint8_t *image, uint32_t size, uint32_t load_addr)
{
    ota_image_header_t h;
    assert_int_equal(ota_image_header_decode(image, size, size, &h), OTA_IMAGE_OK);
    h.load_addr = load_addr;
    ota_image_header_encode(&h, image);
    uint32_t tlv = OTA_IMAGE_HEADER_SIZE + h.payload_size;
    ota_sha256(image, tlv, image + tlv + OTA_IMAGE_TLV_INFO_SIZE + OTA_IMAGE_TLV_ENTRY_HDR);
}

/* An image the region cannot take is refused before internal flash is touched, with the
 * reason named, and the running image keeps running. */
static void test_image_that_does_not_fit_the_region_is_refused(void **unused)
{
    (void)unused;
    /* Linked for another address: 0x10020040, where the payload went before the descriptor
     * area existed (64 bytes after the region's start). */
    boot_fixture_t *fx = board_with_v1(IMG);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    boot_fixture_image(v2, IMG, 2, 0);
    set_load_addr(v2, IMG, 0x10020040u);
    assert_int_not_equal(boot_fixture_stage_update(fx, v2, IMG, 2), OTA_STORE_SLOT_NONE);
    ota_sim_stats_t before = ota_sim_flash_stats(&fx->internal);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_true(fx->report.slot_refused);
    assert_int_equal(fx->report.refused_because, OTA_IMAGE_ERR_LOAD_ADDR);
    assert_false(fx->report.installed);
    assert_int_equal(fx->report.version, 1);
    assert_true(BOOT_SAID(fx, "boot: slot 1 (v2) refused: load address is not the application "
                              "region's start; not installed"));
    assert_int_equal(ota_sim_flash_stats(&fx->internal).erases, before.erases);
    assert_int_equal(ota_sim_flash_stats(&fx->internal).programs, before.programs);
    assert_int_equal(boot_fixture_internal_version(fx), 1);
    assert_int_equal(ota_store_slot(&fx->store, 1)->state, OTA_SLOT_EMPTY);
    boot_fixture_close(fx);

    /* A payload larger than the region: a 16 KB region takes v1's 8,000 bytes, not 24,000. */
    fx = boot_fixture_open();
    fx->config.app_size = 0x4000u;
    boot_fixture_image(v1, 8000u, 1, 0);
    boot_fixture_program(fx, v1, 8000u);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    boot_fixture_image(v2, IMG, 2, 0);
    assert_int_not_equal(boot_fixture_stage_update(fx, v2, IMG, 2), OTA_STORE_SLOT_NONE);
    before = ota_sim_flash_stats(&fx->internal);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_true(fx->report.slot_refused);
    assert_int_equal(fx->report.refused_because, OTA_IMAGE_ERR_REGION);
    assert_int_equal(fx->report.version, 1);
    assert_true(BOOT_SAID(fx, "boot: slot 1 (v2) refused: does not fit the application region; "
                              "not installed"));
    assert_int_equal(ota_sim_flash_stats(&fx->internal).erases, before.erases);
    assert_int_equal(boot_fixture_internal_version(fx), 1);
    boot_fixture_close(fx);

    /* The check itself: a header and TLV area one byte over the descriptor area. */
    ota_boot_config_t c;
    ota_boot_config_default(&c);
    ota_image_info_t info = {.header = {.load_addr = 0x10020000u, .payload_size = 0xDF000u},
                             .total_size = 0xDF000u + 0x1000u};
    assert_int_equal(ota_boot_image_fits(&c, &info), OTA_IMAGE_OK);
    info.total_size++;
    assert_int_equal(ota_boot_image_fits(&c, &info), OTA_IMAGE_ERR_REGION);
    info.total_size--;
    info.header.payload_size++;
    assert_int_equal(ota_boot_image_fits(&c, &info), OTA_IMAGE_ERR_REGION);
}

static void test_corrupt_internal_image_is_restored(void **unused)
{
    (void)unused;
    boot_fixture_t *fx = board_with_v1(img);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    /* A payload byte in the last unit (sector) of the image. */
    ota_sim_flash_raw(&fx->internal)[fx->config.app_offset + img - 200u] ^= 0x10;
    assert_int_equal(boot_fixture_internal_version(fx), 0);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_true(fx->report.repaired);
    assert_int_equal(fx->report.version, 1);
    assert_true(BOOT_SAID(fx, "boot: restoring v1 from slot 0"));
    assert_int_equal(boot_fixture_internal_version(fx), 1);
    /* Only the damaged unit (and unit 0, rewritten last) were written. */
    assert_int_equal(fx->report.sectors_written, 2);
    boot_fixture_close(fx);
}

static void test_cheap_boot_check_still_catches_a_torn_header(void **unused)
{
    (void)unused;
    boot_fixture_t *fx = board_with_v1(img);
    fx->config.verify_each_boot = false;
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    memset(desc_area(fx), 0xFF, 16); /* the header's first program unit */
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_true(fx->report.repaired);
    assert_int_equal(boot_fixture_internal_version(fx), 1);
    boot_fixture_close(fx);
}

static void test_nothing_valid_anywhere(void **unused)
{
    (void)unused;
    /* A board never programmed. */
    boot_fixture_t *fx = boot_fixture_open();
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_ERR_NO_IMAGE);
    assert_true(BOOT_SAID(fx, "boot: no valid image"));
    assert_false(boot_fixture_said(fx, "boot: starting v0"));
    boot_fixture_close(fx);

    /* Internal image and factory copy both damaged. */
    fx = board_with_v1(img);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    ota_sim_flash_raw(&fx->internal)[fx->config.app_offset + 100u] ^= 0x01;
    ota_sim_flash_raw(&fx->external)[ota_store_slot_addr(&fx->store, 0) + 100u] ^= 0x01;
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_ERR_NO_IMAGE);
    assert_true(BOOT_SAID(fx, "boot: no valid image"));
    boot_fixture_close(fx);
}

static void test_fresh_store_with_bad_internal_installs_stored_image(void **unused)
{
    (void)unused;
    /* The journal knows nothing, internal flash is garbage, but a download slot holds v2. */
    boot_fixture_t *fx = boot_fixture_open();
    boot_fixture_image(v2, IMG, 2, 0);
    uint8_t slot = OTA_STORE_SLOT_NONE;
    assert_int_equal(store_fixture_download(&fx->store, 2, v2, IMG, 1000, &slot), OTA_STORE_OK);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_int_equal(fx->report.version, 2);
    assert_int_equal(boot_fixture_internal_version(fx), 2);
    boot_fixture_close(fx);
}

/* Modeled time of a full-size install ------------------------------------------------------ */

typedef struct span {
    ota_sim_stats_t in, ex;
} span_t;

static span_t span_start(boot_fixture_t *fx)
{
    span_t s = {ota_sim_flash_stats(&fx->internal), ota_sim_flash_stats(&fx->external)};
    return s;
}

static void span_print(boot_fixture_t *fx, const char *what, const span_t *s)
{
    ota_sim_stats_t in = ota_sim_flash_stats(&fx->internal);
    ota_sim_stats_t ex = ota_sim_flash_stats(&fx->external);
    print_message("%-34s internal: %4llu erases %5llu programs %8llu B read %8.1f ms | "
                  "external: %4llu erases %5llu programs %8llu B read %8.1f ms | total %8.1f ms\n",
                  what, (unsigned long long)(in.erases - s->in.erases),
                  (unsigned long long)(in.programs - s->in.programs),
                  (unsigned long long)(in.bytes_read - s->in.bytes_read),
                  (double)(in.modeled_ns - s->in.modeled_ns) / 1e6,
                  (unsigned long long)(ex.erases - s->ex.erases),
                  (unsigned long long)(ex.programs - s->ex.programs),
                  (unsigned long long)(ex.bytes_read - s->ex.bytes_read),
                  (double)(ex.modeled_ns - s->ex.modeled_ns) / 1e6,
                  (double)(in.modeled_ns - s->in.modeled_ns + ex.modeled_ns - s->ex.modeled_ns) /
                      1e6);
}

static void test_modeled_times_of_a_full_size_install(void **unused)
{
    (void)unused;
    /* An image that fills the application region exactly: 913,408 bytes. */
    const uint32_t size = OTA_BOOT_APP_SIZE_DEFAULT;
    uint8_t *a = malloc(size), *b = malloc(size);
    assert_non_null(a);
    assert_non_null(b);
    boot_fixture_t *fx = boot_fixture_open();
    boot_fixture_image_seeded(a, size, 1, 0, 0);
    boot_fixture_program(fx, a, size);

    span_t s = span_start(fx);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_true(fx->report.factory_saved);
    span_print(fx, "first boot (factory copy)", &s);

    s = span_start(fx);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    span_print(fx, "ordinary boot (full hash)", &s);

    fx->config.verify_each_boot = false;
    s = span_start(fx);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    span_print(fx, "ordinary boot (cheap check)", &s);
    fx->config.verify_each_boot = true;

    boot_fixture_image_seeded(b, size, 2, 0, 0x55);
    assert_int_not_equal(boot_fixture_stage_update(fx, b, size, 2), OTA_STORE_SLOT_NONE);
    s = span_start(fx);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_int_equal(fx->report.version, 2);
    assert_int_equal(fx->report.sectors_written, image_units(size)); /* 223 + descriptor */
    span_print(fx, "install of a new image (all units)", &s);

    s = span_start(fx);
    for (unsigned i = 0; i < 3; i++) {
        assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    }
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_int_equal(fx->report.version, 1);
    span_print(fx, "3 trial boots + roll back", &s);
    assert_int_equal(boot_fixture_internal_version(fx), 1);
    boot_fixture_close(fx);
    free(a);
    free(b);
}

/* Power cuts ------------------------------------------------------------------------------- */

typedef struct sweep {
    const char *name;
    bool cheap_check; /* config.verify_each_boot = false */
    boot_fixture_t *(*setup)(void);
    /* After recovery: 0 if the board is where the operation should have brought it. */
    int (*done)(boot_fixture_t *fx);
    uint32_t old_version, new_version;
} sweep_t;

static boot_fixture_t *setup_install(void)
{
    return board_with_v2_pending(cut_img);
}

static int done_install(boot_fixture_t *fx)
{
    return fields(fx)->running_version == 2 && fields(fx)->state == OTA_BOOT_TRIAL ? 0 : -1;
}

static boot_fixture_t *setup_first_boot(void)
{
    return board_with_v1(cut_img);
}

static int done_first_boot(boot_fixture_t *fx)
{
    const ota_store_slot_t *f = ota_store_slot(&fx->store, OTA_STORE_FACTORY_SLOT);
    return fields(fx)->state == OTA_BOOT_CONFIRMED && fields(fx)->running_slot == 0 &&
                   f->state == OTA_SLOT_STORED && f->version == 1 &&
                   ota_store_slot_verify(&fx->store, 0) == OTA_STORE_OK
               ? 0
               : -1;
}

static boot_fixture_t *setup_rollback(void)
{
    boot_fixture_t *fx = board_with_v2_pending(cut_img);
    for (unsigned i = 0; i < 3; i++) {
        assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
        assert_int_equal(fx->report.version, 2);
    }
    return fx;
}

static int done_rollback(boot_fixture_t *fx)
{
    return fields(fx)->running_version == 1 && fields(fx)->state == OTA_BOOT_CONFIRMED &&
                   ota_store_is_rejected(&fx->store, 2)
               ? 0
               : -1;
}

static boot_fixture_t *setup_repair(void)
{
    boot_fixture_t *fx = board_with_v1(cut_img);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    /* A damaged magic (found by the cheap check) and a damaged payload byte further on. */
    desc_area(fx)[0] ^= 0x20;
    ota_sim_flash_raw(&fx->internal)[fx->config.app_offset + 5000u] ^= 0x20;
    return fx;
}

static int done_repair(boot_fixture_t *fx)
{
    return fields(fx)->running_version == 1 && boot_fixture_internal_version(fx) == 1 ? 0 : -1;
}

static void run_sweep(const sweep_t *sw)
{
    /* A clean run first: how many modifying operations does the boot make? */
    boot_fixture_t *fx = sw->setup();
    fx->config.verify_each_boot = !sw->cheap_check;
    uint64_t base = fx->power.ops;
    uint64_t erases = ota_sim_flash_stats(&fx->internal).erases;
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    unsigned ops = (unsigned)(fx->power.ops - base);
    unsigned clean_erases = (unsigned)(ota_sim_flash_stats(&fx->internal).erases - erases);
    assert_int_equal(fx->report.version, sw->new_version);
    assert_int_equal(sw->done(fx), 0);
    boot_fixture_close(fx);
    assert_true(ops > 0);

    /* Each cut starts from a copy of one prepared board (much cheaper than a new one). */
    boot_fixture_t *start = sw->setup();
    start->config.verify_each_boot = !sw->cheap_check;
    fx = boot_fixture_open();
    unsigned cuts = 0, failures = 0, old_seen = 0, max_extra_erases = 0;
    for (unsigned n = 1; n <= ops; n++) {
        for (int mode = OTA_SIM_CUT_BEFORE; mode <= OTA_SIM_CUT_TORN; mode++) {
            boot_fixture_clone(fx, start);
            erases = ota_sim_flash_stats(&fx->internal).erases;
            ota_sim_power_arm(&fx->power, fx->power.ops + n, (ota_sim_cut_mode_t)mode, n * 7u + 1u);
            ota_boot_status_t st = boot_fixture_boot(fx);
            cuts++;
            /* Whatever the cut left, every following power-on boots something valid, and the
             * operation completes. */
            st = boot_until_ok(fx, 3);
            int bad = st != OTA_BOOT_OK;
            uint32_t running = fx->report.version;
            bad |= running != sw->old_version && running != sw->new_version;
            bad |= boot_fixture_internal_version(fx) != running;
            old_seen += running == sw->old_version && sw->old_version != sw->new_version;
            if (!bad && sw->done(fx) != 0) {
                /* The old image ran once more (cut before the decisive record): the next
                 * power-on carries the operation out. */
                st = boot_until_ok(fx, 3);
                bad |= st != OTA_BOOT_OK || sw->done(fx) != 0 ||
                       boot_fixture_internal_version(fx) != fx->report.version;
            }
            unsigned extra = (unsigned)(ota_sim_flash_stats(&fx->internal).erases - erases);
            extra = extra > clean_erases ? extra - clean_erases : 0;
            if (extra > max_extra_erases) {
                max_extra_erases = extra;
            }
            if (bad) {
                failures++;
                printf("%s: cut at op %u/%u mode %d: status %s, running v%u, internal v%u\n",
                       sw->name, n, ops, mode, ota_boot_status_str(st), (unsigned)running,
                       (unsigned)boot_fixture_internal_version(fx));
            }
        }
    }
    boot_fixture_close(fx);
    boot_fixture_close(start);
    print_message("%s: %u flash ops, %u cuts, %u failures, old image booted after %u, "
                  "at most %u extra internal erases\n",
                  sw->name, ops, cuts, failures, old_seen, max_extra_erases);
    assert_int_equal(failures, 0);
    /* Internal flash is written once per install: a cut costs at most unit 0 and the unit
     * it interrupted again. */
    assert_true(max_extra_erases <= 2);
}

static void test_power_cut_during_install(void **unused)
{
    (void)unused;
    sweep_t sw = {"install", false, setup_install, done_install, 1, 2};
    run_sweep(&sw);
    sweep_t cheap = {"install, cheap boot check", true, setup_install, done_install, 1, 2};
    run_sweep(&cheap);
}

static void test_power_cut_during_repair_with_cheap_check(void **unused)
{
    (void)unused;
    /* A repair writes no record: only "the magic is programmed last" keeps a torn copy from
     * parsing when the boot check does not hash. */
    sweep_t sw = {"repair, cheap boot check", true, setup_repair, done_repair, 1, 1};
    run_sweep(&sw);
}

static void test_power_cut_during_first_boot_factory_copy(void **unused)
{
    (void)unused;
    sweep_t sw = {"first boot", false, setup_first_boot, done_first_boot, 1, 1};
    run_sweep(&sw);
}

static void test_power_cut_during_trial_rollback(void **unused)
{
    (void)unused;
    sweep_t sw = {"trial roll back", false, setup_rollback, done_rollback, 2, 1};
    run_sweep(&sw);
}

/* STM32F4 internal flash (16K x 4, 64K, 128K x 7) ------------------------------------------ */

/* The region is the 64K sector and the first 128K one; images cross from one into the other. */
#define STM_APP_OFFSET 0x10000u
#define STM_APP_SIZE 0x30000u

static int stm32f4_board(void **state)
{
    (void)state;
    boot_fixture_select_internal("stm32f4-1m", STM_APP_OFFSET, STM_APP_SIZE);
    img = STM_IMG;
    cut_img = STM_IMG;
    return 0;
}

static int default_board(void **state)
{
    (void)state;
    boot_fixture_select_internal(NULL, 0, 0);
    img = IMG;
    cut_img = CUT_IMG;
    return 0;
}

static void test_stm32f4_region_must_be_on_sectors(void **unused)
{
    (void)unused;
    boot_fixture_t *fx = board_with_v1(img);
    const ota_flash_t *in = ota_sim_flash_port(&fx->internal);
    ota_boot_report_t r;
    /* Each ends or starts inside a sector: an install would erase outside the region. */
    const uint32_t bad[][2] = {{0x10000, 0x20000}, {0x14000, 0x2C000}, {0x0C000, 0x30000},
                               {0x10000, 0x18000}, {0x20000, 0x10000}, {0x10000, 0xF8000}};
    ota_sim_stats_t before = ota_sim_flash_stats(&fx->internal);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ota_boot_config_t c = fx->config;
        c.app_offset = bad[i][0];
        c.app_size = bad[i][1];
        assert_int_equal(ota_boot_run(&fx->boot, &c, in, &fx->store, NULL, NULL, &r),
                         OTA_BOOT_ERR_REGION);
    }
    /* The region on sectors, the descriptor area after it not: half a 128K sector, or
     * past the device's end. */
    const uint32_t bad_desc[][3] = {{0x10000, 0x30000, 0x10000}, {0x20000, 0xE0000, 0x20000},
                                    {0x10000, 0x30000, 0}};
    for (size_t i = 0; i < sizeof bad_desc / sizeof bad_desc[0]; i++) {
        ota_boot_config_t c = fx->config;
        c.app_offset = bad_desc[i][0];
        c.app_size = bad_desc[i][1];
        c.desc_size = bad_desc[i][2];
        assert_int_equal(ota_boot_run(&fx->boot, &c, in, &fx->store, NULL, NULL, &r),
                         OTA_BOOT_ERR_REGION);
    }
    ota_sim_stats_t after = ota_sim_flash_stats(&fx->internal);
    assert_int_equal(after.programs + after.erases, before.programs + before.erases);
    assert_string_equal(ota_boot_status_str(OTA_BOOT_ERR_REGION),
                        "application region or descriptor area not on sector boundaries");
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK); /* the real region: 64K + 128K */
    boot_fixture_close(fx);
}

static void test_stm32f4_install_erases_sector_by_sector(void **unused)
{
    (void)unused;
    /* v2 differs from v1 in its header and hash TLV (the 128K descriptor sector after the
     * region) and in one payload byte of the region's 128K sector; its 64K sector is equal. */
    boot_fixture_image(v2, img, 2, 0x10100u);
    boot_fixture_set_security_counter(v2, img, 1);
    boot_fixture_t *fx = board_with_v1(img);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_int_not_equal(boot_fixture_stage_update(fx, v2, img, 2), OTA_STORE_SLOT_NONE);
    ota_sim_stats_t before = ota_sim_flash_stats(&fx->internal);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    ota_sim_stats_t after = ota_sim_flash_stats(&fx->internal);
    assert_int_equal(fx->report.version, 2);
    assert_int_equal(fx->report.sectors_written, 2);
    assert_int_equal(fx->report.sectors_skipped, 1);
    assert_int_equal(after.erases - before.erases, 2);
    assert_int_equal(after.bytes_erased - before.bytes_erased, 0x20000u + 0x20000u);
    assert_true(BOOT_SAID(fx, "boot: installed v2 (2 sectors written, 1 already equal)"));
    assert_int_equal(boot_fixture_internal_version(fx), 2);
    /* Nothing outside the region and its descriptor sector was erased: the 16K sectors below,
     * the 128K one after the descriptor's. */
    const uint32_t desc_end = STM_APP_OFFSET + STM_APP_SIZE + 0x20000u;
    assert_int_equal(ota_sim_flash_wear(&fx->internal, STM_APP_OFFSET - 1u), 0);
    assert_int_equal(ota_sim_flash_wear(&fx->internal, desc_end), 0);
    /* The factory programmer erased each once, this install the two that differ. */
    assert_int_equal(ota_sim_flash_wear(&fx->internal, STM_APP_OFFSET), 1);
    assert_int_equal(ota_sim_flash_wear(&fx->internal, STM_APP_OFFSET + STM_APP_SIZE - 1u), 2);
    assert_int_equal(ota_sim_flash_wear(&fx->internal, desc_end - 1u), 2);
    /* Installing the same image again (v1 back, then v2) skips nothing it need not. */
    assert_int_equal(confirm(fx), OTA_BOOT_OK);
    assert_int_equal(ota_store_factory_reset(&fx->store), OTA_STORE_OK);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_int_equal(fx->report.version, 1);
    assert_int_equal(fx->report.sectors_written, 2);
    boot_fixture_close(fx);
}

/* The main paths of the uniform board, run again on the STM32F4 board (setup/teardown). */
#define STM32F4_TEST(fn) cmocka_unit_test_setup_teardown(fn, stm32f4_board, default_board)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_names_and_defaults),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_first_boot_saves_factory_image),
        cmocka_unit_test(test_running_header_and_confirm),
        cmocka_unit_test(test_install_of_a_stored_update),
        cmocka_unit_test(test_install_skips_equal_erase_units),
        cmocka_unit_test(test_image_that_does_not_fit_the_region_is_refused),
        cmocka_unit_test(test_trial_without_confirm_rolls_back_and_rejects),
        cmocka_unit_test(test_confirm_stops_counting),
        cmocka_unit_test(test_confirm_on_start_skips_the_trial),
        cmocka_unit_test(test_factory_reset),
        cmocka_unit_test(test_erase_version_of_the_running_rolls_back),
        cmocka_unit_test(test_corrupt_slot_is_not_installed),
        cmocka_unit_test(test_image_for_another_board_is_not_installed),
        cmocka_unit_test(test_corrupt_internal_image_is_restored),
        cmocka_unit_test(test_cheap_boot_check_still_catches_a_torn_header),
        cmocka_unit_test(test_nothing_valid_anywhere),
        cmocka_unit_test(test_fresh_store_with_bad_internal_installs_stored_image),
        cmocka_unit_test(test_modeled_times_of_a_full_size_install),
        cmocka_unit_test(test_power_cut_during_install),
        cmocka_unit_test(test_power_cut_during_repair_with_cheap_check),
        cmocka_unit_test(test_power_cut_during_first_boot_factory_copy),
        cmocka_unit_test(test_power_cut_during_trial_rollback),
        STM32F4_TEST(test_stm32f4_region_must_be_on_sectors),
        STM32F4_TEST(test_stm32f4_install_erases_sector_by_sector),
        STM32F4_TEST(test_first_boot_saves_factory_image),
        STM32F4_TEST(test_install_of_a_stored_update),
        STM32F4_TEST(test_trial_without_confirm_rolls_back_and_rejects),
        STM32F4_TEST(test_factory_reset),
        STM32F4_TEST(test_corrupt_internal_image_is_restored),
        STM32F4_TEST(test_power_cut_during_install),
        STM32F4_TEST(test_power_cut_during_first_boot_factory_copy),
        STM32F4_TEST(test_power_cut_during_trial_rollback),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
