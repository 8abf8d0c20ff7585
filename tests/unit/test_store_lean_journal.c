/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The agent's store (this default build) reads what the minimal lean bootloader writes: the
 * boards tests/lean/test_boot_minimal.c saves after that bootloader's boots (its own build,
 * one record per boot; ctest runs it first, CMakeLists.txt) are mounted here and acted on as
 * an application and its agent would: the version that runs, confirmed, the install gone,
 * nothing left for ota_confirm to write, and downloads that follow from that state.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "boot_fixture.h"

/* A fresh board whose flashes are the ones test_boot_minimal saved as `name`, mounted. */
static boot_fixture_t *saved_board(const char *name)
{
    boot_fixture_t *fx = boot_fixture_open();
    char full[64];
    snprintf(full, sizeof full, "lean_minimal_%s", name);
    assert_true(boot_fixture_files(fx, full, false)); /* OTA_BUILD_DIR: set by ctest */
    assert_int_equal(boot_fixture_mount(fx), OTA_STORE_OK);
    return fx;
}

/* The application's confirmation at its start: nothing left to record. */
static void assert_confirm_writes_nothing(boot_fixture_t *fx)
{
    assert_int_equal(ota_confirm(&fx->store, ota_sim_flash_port(&fx->internal), &fx->config),
                     OTA_BOOT_OK);
    assert_int_equal(fx->store.journal.appends, 0);
}

static void test_first_boot(void **unused)
{
    (void)unused;
    boot_fixture_t *fx = saved_board("first_boot");
    const ota_store_boot_t *b = ota_store_boot(&fx->store);
    assert_int_equal(b->state, OTA_BOOT_CONFIRMED);
    assert_int_equal(b->running_version, 1);
    assert_int_equal(b->running_slot, OTA_STORE_SLOT_NONE);
    assert_int_equal(b->install_slot, OTA_STORE_SLOT_NONE);
    assert_int_equal(b->security_counter, 1);
    assert_int_equal(b->report_pending, 0);
    assert_int_equal(boot_fixture_internal_version(fx), 1);
    assert_confirm_writes_nothing(fx);
    boot_fixture_close(fx);
}

/* v2 (security counter 7) installed: running, confirmed, its slot its copy, the install gone,
 * its version change to be reported once; v2 is not downloaded again, v3 goes elsewhere. */
static void test_installed(void **unused)
{
    (void)unused;
    boot_fixture_t *fx = saved_board("installed");
    const ota_store_boot_t *b = ota_store_boot(&fx->store);
    assert_int_equal(b->state, OTA_BOOT_CONFIRMED);
    assert_int_equal(b->running_version, 2);
    assert_int_equal(b->previous_version, 1);
    assert_int_equal(b->install_slot, OTA_STORE_SLOT_NONE);
    assert_int_equal(b->security_counter, 7);
    assert_int_equal(b->report_pending, 1);
    uint8_t running = b->running_slot;
    assert_int_not_equal(running, OTA_STORE_SLOT_NONE);
    assert_int_equal(ota_store_slot(&fx->store, running)->state, OTA_SLOT_INSTALLED);
    assert_int_equal(ota_store_slot(&fx->store, running)->version, 2);
    assert_int_equal(ota_store_find_version(&fx->store, 2), running);
    assert_int_equal(ota_store_slot_verify(&fx->store, running), OTA_STORE_OK);
    assert_int_equal(boot_fixture_internal_version(fx), 2);
    assert_confirm_writes_nothing(fx);
    assert_int_equal(ota_store_report_done(&fx->store), OTA_STORE_OK);
    assert_int_equal(ota_store_boot(&fx->store)->report_pending, 0);

    uint8_t digest[OTA_SHA256_SIZE] = {1};
    uint8_t slot = OTA_STORE_SLOT_NONE;
    uint32_t resume = 0;
    assert_int_equal(ota_store_download_begin(&fx->store, 2, 1000u, digest, &slot, &resume),
                     OTA_STORE_ERR_EXISTS);
    assert_int_equal(ota_store_download_begin(&fx->store, 3, 1000u, digest, &slot, &resume),
                     OTA_STORE_OK);
    assert_int_not_equal(slot, running);
    /* A floor of 7: an image below it is not taken (the policy of every finish). */
    assert_int_equal(ota_store_security_floor(&fx->store), 7);
    boot_fixture_close(fx);
}

/* An untrusted v2 refused: v1 runs, confirmed, the install cancelled and its slot empty; v2
 * is not rejected (a fixed image of that version may come). */
static void test_refused(void **unused)
{
    (void)unused;
    boot_fixture_t *fx = saved_board("refused");
    const ota_store_boot_t *b = ota_store_boot(&fx->store);
    assert_int_equal(b->state, OTA_BOOT_CONFIRMED);
    assert_int_equal(b->running_version, 1);
    assert_int_equal(b->install_slot, OTA_STORE_SLOT_NONE);
    assert_int_equal(ota_store_find_version(&fx->store, 2), OTA_STORE_SLOT_NONE);
    assert_false(ota_store_is_rejected(&fx->store, 2));
    assert_int_equal(boot_fixture_internal_version(fx), 1);
    assert_confirm_writes_nothing(fx);
    uint8_t digest[OTA_SHA256_SIZE] = {1};
    uint8_t slot = OTA_STORE_SLOT_NONE;
    uint32_t resume = 0;
    assert_int_equal(ota_store_download_begin(&fx->store, 2, 1000u, digest, &slot, &resume),
                     OTA_STORE_OK);
    boot_fixture_close(fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_boot),
        cmocka_unit_test(test_installed),
        cmocka_unit_test(test_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
