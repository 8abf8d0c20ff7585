/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The bootloader's rarer decisions (docs/bootloader.md's table), each from the user's side:
 * which image runs, what the report and the console say, what the journal holds afterwards.
 * A failed trial with nothing to roll back to, an internal image that goes bad during a trial,
 * a confirmed version that is on the rejected list, a valid internal image that is not the
 * journal's version, a slot whose image is not the version its record names, and the bound
 * on the number of steps of one boot.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "boot_fixture.h"
#include "faulty_flash.h"
#include "journal.h"
#include "store_fixture.h"

#define IMG 12000u

static uint8_t v1[IMG], v2[IMG], v3[IMG], v4[IMG];

static const ota_store_boot_t *fields(boot_fixture_t *fx)
{
    return ota_store_boot(&fx->store);
}

static ota_boot_status_t confirm(boot_fixture_t *fx)
{
    return ota_confirm(&fx->store, ota_sim_flash_port(&fx->internal), &fx->config);
}

/* v1 factory-programmed and booted once: confirmed, its copy in the factory slot. */
static boot_fixture_t *board_running_v1(void)
{
    boot_fixture_t *fx = boot_fixture_open();
    boot_fixture_image(v1, IMG, 1, 0);
    boot_fixture_program(fx, v1, IMG);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_int_equal(fx->report.version, 1);
    return fx;
}

/* Write a state the API would not produce (as a damaged or foreign journal might hold it)
 * as the journal's newest record. */
static void journal_says(boot_fixture_t *fx, const ota_store_state_t *state)
{
    fx->store.staged = *state;
    assert_int_equal(ota_journal_append(&fx->store), OTA_STORE_OK);
}

/* Trials ------------------------------------------------------------------------------------ */

static void test_failed_trial_with_nothing_to_roll_back_to_keeps_the_image(void **unused)
{
    (void)unused;
    /* A board whose internal flash was never programmed, but whose store holds v2 (e.g. it
     * was programmed through the store only): v2 is installed on trial, with no factory image
     * and no older version anywhere. */
    boot_fixture_t *fx = boot_fixture_open();
    boot_fixture_image(v2, IMG, 2, 0);
    uint8_t slot = OTA_STORE_SLOT_NONE;
    assert_int_equal(store_fixture_download(&fx->store, 2, v2, IMG, 1000, &slot), OTA_STORE_OK);
    for (unsigned i = 1; i <= 3; i++) {
        assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
        assert_int_equal(fx->report.version, 2);
        assert_true(fx->report.trial);
        assert_int_equal(fx->report.attempts, i);
    }
    /* The application never confirmed: the trial has failed, but v2 is all there is. */
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_int_equal(fx->report.version, 2);
    assert_false(fx->report.trial);
    assert_false(fx->report.rolled_back);
    assert_int_equal(fx->report.rejected_version, 0);
    assert_true(BOOT_SAID(fx, "boot: v2 failed its trial but nothing else can boot: keeping it"));
    assert_int_equal(boot_fixture_internal_version(fx), 2);
    assert_int_equal(fields(fx)->state, OTA_BOOT_CONFIRMED);
    assert_int_equal(fields(fx)->running_version, 2);
    assert_int_equal(fields(fx)->running_slot, slot);
    assert_false(ota_store_is_rejected(&fx->store, 2));
    assert_int_equal(ota_store_slot(&fx->store, slot)->state, OTA_SLOT_INSTALLED);
    /* Kept for good: later boots start it without counting trials. */
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_int_equal(fx->report.version, 2);
    assert_false(fx->report.trial);
    boot_fixture_close(fx);
}

static void test_internal_image_damaged_during_trial_is_restored_and_counted(void **unused)
{
    (void)unused;
    boot_fixture_t *fx = board_running_v1();
    boot_fixture_image(v2, IMG, 2, 77);
    uint8_t slot = boot_fixture_stage_update(fx, v2, IMG, 2);
    assert_int_not_equal(slot, OTA_STORE_SLOT_NONE);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_int_equal(fx->report.attempts, 1);

    /* A bit of v2's payload in internal flash goes bad while it is on trial. */
    ota_sim_flash_raw(&fx->internal)[fx->config.app_offset + 7000u] ^= 0x04;
    assert_int_equal(boot_fixture_internal_version(fx), 0);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_true(fx->report.repaired);
    assert_true(BOOT_SAID(fx, "boot: internal image invalid (hash mismatch)"));
    assert_true(BOOT_SAID(fx, "boot: restoring v2 from slot 1"));
    /* Still the same trial: v2 runs, this boot counted as its second attempt. */
    assert_int_equal(fx->report.version, 2);
    assert_true(fx->report.trial);
    assert_int_equal(fx->report.attempts, 2);
    assert_int_equal(boot_fixture_internal_version(fx), 2);
    assert_int_equal(fields(fx)->state, OTA_BOOT_TRIAL);
    assert_int_equal(fields(fx)->running_slot, slot);
    /* And it can still be confirmed. */
    assert_int_equal(confirm(fx), OTA_BOOT_OK);
    assert_int_equal(fields(fx)->state, OTA_BOOT_CONFIRMED);
    boot_fixture_close(fx);
}

static void test_trial_image_lost_everywhere_rolls_back(void **unused)
{
    (void)unused;
    boot_fixture_t *fx = board_running_v1();
    boot_fixture_image(v2, IMG, 2, 77);
    uint8_t slot = boot_fixture_stage_update(fx, v2, IMG, 2);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_int_equal(fx->report.version, 2);

    /* Both v2's internal copy and its slot go bad during the trial: back to v1. */
    ota_sim_flash_raw(&fx->internal)[fx->config.app_offset + 7000u] ^= 0x04;
    ota_sim_flash_raw(&fx->external)[ota_store_slot_addr(&fx->store, slot) + 7000u] ^= 0x04;
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_int_equal(fx->report.version, 1);
    assert_true(fx->report.rolled_back);
    assert_false(fx->report.trial);
    assert_int_equal(boot_fixture_internal_version(fx), 1);
    assert_int_equal(fields(fx)->state, OTA_BOOT_CONFIRMED);
    assert_int_equal(fields(fx)->running_version, 1);
    /* Its copy is gone (it no longer verified), not rejected: a good download may come back. */
    assert_int_equal(ota_store_slot(&fx->store, slot)->state, OTA_SLOT_EMPTY);
    assert_false(ota_store_is_rejected(&fx->store, 2));
    boot_fixture_close(fx);
}

/* The rejected list --------------------------------------------------------------------------- */

/* v1 in the factory slot, v2 stored in a download slot, v3 staged as the update in the other:
 * v3's trial fails (three boots without a confirm), the roll back goes to v1 (the image v3
 * replaced), and v1's copy turns out damaged. */
static boot_fixture_t *board_v3_rejected_and_v1_damaged(bool with_v2)
{
    boot_fixture_t *fx = board_running_v1();
    if (with_v2) {
        boot_fixture_image(v2, IMG, 2, 22);
        uint8_t s2 = OTA_STORE_SLOT_NONE;
        assert_int_equal(store_fixture_download(&fx->store, 2, v2, IMG, 4096, &s2), OTA_STORE_OK);
    }
    boot_fixture_image(v3, IMG, 3, 33);
    assert_int_not_equal(boot_fixture_stage_update(fx, v3, IMG, 3), OTA_STORE_SLOT_NONE);
    for (unsigned i = 0; i < 3; i++) {
        assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
        assert_int_equal(fx->report.version, 3);
    }
    assert_int_equal(fields(fx)->previous_slot, OTA_STORE_FACTORY_SLOT);
    ota_sim_flash_raw(&fx->external)[ota_store_slot_addr(&fx->store, 0) + 5000u] ^= 0x01;
    return fx;
}

static void test_rejected_version_with_a_bad_rollback_target_goes_to_the_next(void **unused)
{
    (void)unused;
    boot_fixture_t *fx = board_v3_rejected_and_v1_damaged(true);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_true(BOOT_SAID(fx, "boot: v3 not confirmed after 3 trial boots: rejected"));
    assert_true(BOOT_SAID(fx, "boot: slot 0 (v1) refused: hash mismatch; not installed"));
    /* v3 stays rejected although it still runs confirmed for a moment: the next older image
     * that verifies is installed instead. */
    assert_true(BOOT_SAID(fx, "boot: rolling back: installing v2 from slot 1"));
    assert_int_equal(fx->report.version, 2);
    assert_true(fx->report.rolled_back);
    assert_true(fx->report.slot_refused);
    assert_int_equal(fx->report.rejected_version, 3);
    assert_int_equal(boot_fixture_internal_version(fx), 2);
    assert_int_equal(fields(fx)->state, OTA_BOOT_CONFIRMED);
    assert_int_equal(fields(fx)->running_version, 2);
    assert_true(ota_store_is_rejected(&fx->store, 3));
    assert_int_equal(ota_store_slot(&fx->store, OTA_STORE_FACTORY_SLOT)->state, OTA_SLOT_EMPTY);
    /* Settled: the next boot starts v2 without installing anything. */
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_int_equal(fx->report.version, 2);
    assert_false(fx->report.installed);
    boot_fixture_close(fx);
}

static void test_rejected_version_with_nothing_else_keeps_running(void **unused)
{
    (void)unused;
    boot_fixture_t *fx = board_v3_rejected_and_v1_damaged(false);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_true(BOOT_SAID(fx, "boot: slot 0 (v1) refused: hash mismatch; not installed"));
    /* Rejected, but the only image left: it runs (confirmed) rather than nothing. */
    assert_int_equal(fx->report.version, 3);
    assert_false(fx->report.installed);
    assert_int_equal(boot_fixture_internal_version(fx), 3);
    assert_int_equal(fields(fx)->state, OTA_BOOT_CONFIRMED);
    assert_int_equal(fields(fx)->running_version, 3);
    assert_true(ota_store_is_rejected(&fx->store, 3));
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_int_equal(fx->report.version, 3);
    boot_fixture_close(fx);
}

/* The journal and the images disagree --------------------------------------------------------- */

static void test_internal_image_of_another_version_is_replaced(void **unused)
{
    (void)unused;
    /* v2 (same security epoch as v1) installed and confirmed; then a programmer writes v1
     * into the application region behind the bootloader's back. */
    boot_fixture_t *fx = board_running_v1();
    boot_fixture_image(v2, IMG, 2, 77);
    boot_fixture_set_security_counter(v2, IMG, 1);
    uint8_t slot = boot_fixture_stage_update(fx, v2, IMG, 2);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_int_equal(confirm(fx), OTA_BOOT_OK);
    boot_fixture_program(fx, v1, IMG);
    assert_int_equal(boot_fixture_internal_version(fx), 1);

    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_true(BOOT_SAID(
        fx, "boot: internal image invalid (not the version the journal says is running)"));
    assert_true(fx->report.repaired);
    assert_int_equal(fx->report.version, 2);
    assert_int_equal(boot_fixture_internal_version(fx), 2);
    assert_int_equal(fields(fx)->state, OTA_BOOT_CONFIRMED);
    assert_int_equal(fields(fx)->running_version, 2);
    assert_int_equal(fields(fx)->running_slot, slot);
    boot_fixture_close(fx);
}

static void test_slot_whose_image_is_not_its_recorded_version_is_refused(void **unused)
{
    (void)unused;
    /* The journal (damaged, or written by something else) says slot 1 holds v3, and the
     * bytes match the recorded digest, but the image in them is v2. */
    boot_fixture_t *fx = board_running_v1();
    boot_fixture_image(v2, IMG, 2, 77);
    uint8_t slot = boot_fixture_stage_update(fx, v2, IMG, 2);
    ota_store_state_t st = *ota_store_state(&fx->store);
    st.slots[slot].version = 3;
    journal_says(fx, &st);

    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_true(BOOT_SAID(
        fx, "boot: slot 1 (v3) refused: version differs from the record; not installed"));
    assert_true(fx->report.slot_refused);
    assert_false(fx->report.installed);
    assert_int_equal(fx->report.version, 1);
    assert_int_equal(boot_fixture_internal_version(fx), 1);
    assert_int_equal(fields(fx)->state, OTA_BOOT_CONFIRMED);
    assert_int_equal(fields(fx)->running_version, 1);
    assert_int_equal(ota_store_slot(&fx->store, slot)->state, OTA_SLOT_EMPTY);
    boot_fixture_close(fx);
}

/* The bound on one boot ----------------------------------------------------------------------- */

static void test_a_boot_that_cannot_settle_gives_up(void **unused)
{
    (void)unused;
    /* A journal whose three images are all on the rejected list: v3 runs confirmed, v2 and
     * the factory image v4 are stored. Each roll back lands on a rejected version, which rolls
     * back again (v3 -> v2 -> v4 -> v3 ...). The boot must end, and say why, instead of
     * rewriting internal flash forever. */
    boot_fixture_t *fx = boot_fixture_open();
    boot_fixture_image(v2, IMG, 2, 22);
    boot_fixture_image(v3, IMG, 3, 33);
    boot_fixture_image(v4, IMG, 4, 44);
    /* One security epoch: anti-rollback would break the cycle otherwise. */
    boot_fixture_set_security_counter(v2, IMG, 1);
    boot_fixture_set_security_counter(v3, IMG, 1);
    boot_fixture_set_security_counter(v4, IMG, 1);
    boot_fixture_program(fx, v4, IMG);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK); /* factory slot: v4 */
    uint8_t s2 = OTA_STORE_SLOT_NONE, s3 = OTA_STORE_SLOT_NONE;
    assert_int_equal(store_fixture_download(&fx->store, 2, v2, IMG, 4096, &s2), OTA_STORE_OK);
    assert_int_equal(store_fixture_download(&fx->store, 3, v3, IMG, 4096, &s3), OTA_STORE_OK);
    boot_fixture_program(fx, v3, IMG);
    ota_store_state_t st = *ota_store_state(&fx->store);
    st.boot.running_version = 3;
    st.boot.running_slot = s3;
    st.slots[s3].state = OTA_SLOT_INSTALLED;
    st.boot.rejected_count = 3;
    st.boot.rejected[0] = 2;
    st.boot.rejected[1] = 3;
    st.boot.rejected[2] = 4;
    journal_says(fx, &st);

    uint64_t erases = ota_sim_flash_stats(&fx->internal).erases;
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_ERR_NO_IMAGE);
    assert_true(BOOT_SAID(fx, "boot: no valid image (gave up)"));
    /* Bounded work: a handful of installs of a 3-unit image, not an endless loop. */
    uint64_t spent = ota_sim_flash_stats(&fx->internal).erases - erases;
    assert_true(spent > 0 && spent <= 8u * 3u);
    boot_fixture_close(fx);
}

/* The API's edges ------------------------------------------------------------------------------ */

static void test_calls_the_bootloader_refuses_or_defaults(void **unused)
{
    (void)unused;
    boot_fixture_t *fx = board_running_v1();
    const ota_flash_t *in = ota_sim_flash_port(&fx->internal);
    ota_boot_config_default(NULL); /* nothing to fill */
    ota_image_header_t h;
    assert_int_equal(ota_boot_running_header(NULL, NULL, &h), OTA_IMAGE_ERR_ARG);
    assert_int_equal(ota_boot_running_header(in, NULL, NULL), OTA_IMAGE_ERR_ARG);
    assert_int_equal(ota_confirm(&fx->store, NULL, NULL), OTA_BOOT_ERR_ARG);
    assert_int_equal(ota_boot_run(&fx->boot, NULL, in, NULL, NULL, NULL, NULL), OTA_BOOT_ERR_ARG);
    /* No config: the defaults; no report: none written. */
    assert_int_equal(ota_boot_run(&fx->boot, NULL, in, &fx->store, NULL, NULL, NULL), OTA_BOOT_OK);

    /* Configurations it cannot work with. */
    ota_boot_config_t c = fx->config;
    c.app_size = 100; /* less than one erase unit */
    assert_int_equal(ota_boot_run(&fx->boot, &c, in, &fx->store, NULL, NULL, NULL),
                     OTA_BOOT_ERR_REGION);
    c = fx->config;
    c.app_size += 0x100; /* not whole erase units */
    assert_int_equal(ota_boot_run(&fx->boot, &c, in, &fx->store, NULL, NULL, NULL),
                     OTA_BOOT_ERR_REGION);
    ota_flash_t odd = *in;
    odd.geometry.program_unit = 2u * OTA_BOOT_BUF_SIZE; /* larger than its buffer */
    assert_int_equal(ota_boot_run(&fx->boot, NULL, &odd, &fx->store, NULL, NULL, NULL),
                     OTA_BOOT_ERR_ARG);
    odd.geometry.program_unit = 96; /* does not divide its buffer */
    assert_int_equal(ota_boot_run(&fx->boot, NULL, &odd, &fx->store, NULL, NULL, NULL),
                     OTA_BOOT_ERR_ARG);
    odd.geometry.program_unit = in->geometry.program_unit;
    odd.geometry.erase_unit = 0;
    assert_int_equal(ota_boot_run(&fx->boot, NULL, &odd, &fx->store, NULL, NULL, NULL),
                     OTA_BOOT_ERR_ARG);
    /* Nothing was changed by the refusals. */
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_int_equal(fx->report.version, 1);
    assert_false(fx->report.installed);
    boot_fixture_close(fx);
}

static void test_confirm_when_internal_flash_cannot_be_read(void **unused)
{
    (void)unused;
    boot_fixture_t *fx = board_running_v1();
    faulty_domain_t d = {.fail_at = 1};
    faulty_flash_t in;
    faulty_flash_wrap(&in, &d, ota_sim_flash_port(&fx->internal));
    assert_int_equal(ota_confirm(&fx->store, &in.port, &fx->config), OTA_BOOT_ERR_FLASH);
    boot_fixture_close(fx);
}

static void test_journal_that_takes_no_record_stops_the_install(void **unused)
{
    (void)unused;
    boot_fixture_t *fx = board_running_v1();
    boot_fixture_image(v2, IMG, 2, 77);
    assert_int_not_equal(boot_fixture_stage_update(fx, v2, IMG, 2), OTA_STORE_SLOT_NONE);
    /* Every program of the store's flash fails to take (worn cells), for this boot. */
    faulty_domain_t d = {.weak_programs = 1000u};
    faulty_flash_t ext;
    faulty_flash_wrap(&ext, &d, ota_sim_flash_port(&fx->external));
    assert_int_equal(ota_store_mount(&fx->store, &ext.port, NULL), OTA_STORE_OK);
    ota_boot_report_t r;
    assert_int_equal(ota_boot_run(&fx->boot, &fx->config, ota_sim_flash_port(&fx->internal),
                                  &fx->store, NULL, NULL, &r),
                     OTA_BOOT_ERR_STORE);
    assert_int_equal(r.store_status, OTA_STORE_ERR_JOURNAL_FULL);
    assert_false(r.installed);
    /* Internal flash was not touched before the journal said INSTALLING: v1 is intact. */
    assert_int_equal(boot_fixture_internal_version(fx), 1);
    /* The flash takes records again: the install happens. */
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_int_equal(fx->report.version, 2);
    assert_true(fx->report.installed);
    boot_fixture_close(fx);
}

static void test_factory_image_that_does_not_fit_a_slot_is_not_saved(void **unused)
{
    (void)unused;
    /* Slots configured smaller than the application (8 KB, the image 12,000 B). */
    boot_fixture_t *fx = boot_fixture_open();
    fx->store_config.slot_size = 8192;
    boot_fixture_image(v1, IMG, 1, 0);
    boot_fixture_program(fx, v1, IMG);
    for (unsigned i = 0; i < 2; i++) {
        assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
        assert_int_equal(fx->report.version, 1);
        assert_false(fx->report.factory_saved);
        assert_true(BOOT_SAID(fx, "boot: factory image not saved: image too large"));
        assert_int_equal(fields(fx)->state, OTA_BOOT_CONFIRMED);
        assert_int_equal(fields(fx)->running_version, 1);
        assert_int_equal(fields(fx)->running_slot, OTA_STORE_SLOT_NONE);
        assert_int_equal(ota_store_slot(&fx->store, OTA_STORE_FACTORY_SLOT)->state, OTA_SLOT_EMPTY);
    }
    boot_fixture_close(fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_failed_trial_with_nothing_to_roll_back_to_keeps_the_image),
        cmocka_unit_test(test_internal_image_damaged_during_trial_is_restored_and_counted),
        cmocka_unit_test(test_trial_image_lost_everywhere_rolls_back),
        cmocka_unit_test(test_rejected_version_with_a_bad_rollback_target_goes_to_the_next),
        cmocka_unit_test(test_rejected_version_with_nothing_else_keeps_running),
        cmocka_unit_test(test_internal_image_of_another_version_is_replaced),
        cmocka_unit_test(test_slot_whose_image_is_not_its_recorded_version_is_refused),
        cmocka_unit_test(test_a_boot_that_cannot_settle_gives_up),
        cmocka_unit_test(test_calls_the_bootloader_refuses_or_defaults),
        cmocka_unit_test(test_confirm_when_internal_flash_cannot_be_read),
        cmocka_unit_test(test_journal_that_takes_no_record_stops_the_install),
        cmocka_unit_test(test_factory_image_that_does_not_fit_a_slot_is_not_saved),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
