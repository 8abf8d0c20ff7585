/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Which slot a download takes (ota_store_choose_slot, src/store_policy.c) with 1, 2 and 3
 * download slots, and whole lives of a board with one download slot: updates in a row, each
 * confirmed; a failed trial with and without a factory image; a reset during the download that
 * gave up the running image's copy; internal flash going bad once that copy is gone. (Until the policy could give up a confirmed image's copy,
 * one slot took one update and then answered "no slot available" for good.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "boot_fixture.h"
#include "store_fixture.h"
#include "store_internal.h"

#define NONE OTA_STORE_SLOT_NONE

/* ---- the policy alone ------------------------------------------------------------------ */

/* A store state: boot state, running / previous / install slot; slots 1..n described by
 * (state, version) pairs. */
static ota_store_state_t state_of(uint8_t boot_state, uint8_t running, uint8_t previous,
                                  uint8_t install, const uint8_t *states,
                                  const uint32_t *versions, unsigned n)
{
    ota_store_state_t st;
    memset(&st, 0, sizeof st);
    st.boot.state = boot_state;
    st.boot.running_version = 50;
    st.boot.running_slot = running;
    st.boot.previous_slot = previous;
    st.boot.install_slot = install;
    st.slots[0].state = OTA_SLOT_STORED; /* a factory image: never a candidate */
    st.slots[0].version = 1;
    for (unsigned i = 0; i < n; i++) {
        st.slots[i + 1].state = states[i];
        st.slots[i + 1].version = versions[i];
    }
    return st;
}

static uint8_t choose(uint8_t boot_state, uint8_t running, uint8_t previous, uint8_t install,
                      const uint8_t *states, const uint32_t *versions, unsigned n)
{
    ota_store_state_t st = state_of(boot_state, running, previous, install, states, versions, n);
    return ota_store_choose_slot(&st, (uint8_t)n);
}

static void test_one_slot(void **unused)
{
    (void)unused;
    const uint8_t empty[] = {OTA_SLOT_EMPTY}, stored[] = {OTA_SLOT_STORED},
                  installed[] = {OTA_SLOT_INSTALLED}, rejected[] = {OTA_SLOT_REJECTED},
                  downloading[] = {OTA_SLOT_DOWNLOADING};
    const uint32_t v[] = {40};
    /* Running from the factory slot (first update): the slot is free or holds an old one. */
    assert_int_equal(choose(OTA_BOOT_CONFIRMED, 0, NONE, NONE, empty, v, 1), 1);
    assert_int_equal(choose(OTA_BOOT_CONFIRMED, 0, NONE, NONE, stored, v, 1), 1);
    assert_int_equal(choose(OTA_BOOT_CONFIRMED, 0, NONE, NONE, rejected, v, 1), 1);
    assert_int_equal(choose(OTA_BOOT_CONFIRMED, NONE, NONE, NONE, downloading, v, 1), 1);
    /* The slot holds the running image's copy: given up once that image is confirmed... */
    assert_int_equal(choose(OTA_BOOT_CONFIRMED, 1, NONE, NONE, installed, v, 1), 1);
    /* ...never while it is on trial, nor with an install pending or under way. */
    assert_int_equal(choose(OTA_BOOT_TRIAL, 1, 0, NONE, installed, v, 1), NONE);
    assert_int_equal(choose(OTA_BOOT_TRIAL, 1, NONE, NONE, installed, v, 1), NONE);
    assert_int_equal(choose(OTA_BOOT_INSTALL_PENDING, 1, NONE, 0, installed, v, 1), NONE);
    assert_int_equal(choose(OTA_BOOT_INSTALLING, 0, NONE, 1, stored, v, 1), NONE);
    /* A stored image that a trial would roll back to is kept. */
    assert_int_equal(choose(OTA_BOOT_TRIAL, 0, 1, NONE, stored, v, 1), NONE);
}

static void test_two_slots(void **unused)
{
    (void)unused;
    const uint8_t both_empty[] = {OTA_SLOT_EMPTY, OTA_SLOT_EMPTY},
                  run1_stored2[] = {OTA_SLOT_INSTALLED, OTA_SLOT_STORED},
                  stored1_run2[] = {OTA_SLOT_STORED, OTA_SLOT_INSTALLED},
                  run1_rejected2[] = {OTA_SLOT_INSTALLED, OTA_SLOT_REJECTED};
    const uint32_t v[] = {40, 30};
    assert_int_equal(choose(OTA_BOOT_CONFIRMED, 0, NONE, NONE, both_empty, v, 2), 1);
    /* Confirmed: the other slot's older image goes, never the running copy. */
    assert_int_equal(choose(OTA_BOOT_CONFIRMED, 1, NONE, NONE, run1_stored2, v, 2), 2);
    assert_int_equal(choose(OTA_BOOT_CONFIRMED, 2, NONE, NONE, stored1_run2, v, 2), 1);
    assert_int_equal(choose(OTA_BOOT_CONFIRMED, 1, NONE, NONE, run1_rejected2, v, 2), 2);
    /* On trial, slot 2 is the rollback target: nothing may be taken. */
    assert_int_equal(choose(OTA_BOOT_TRIAL, 1, 2, NONE, run1_stored2, v, 2), NONE);
    /* Slot 2 is the pending install: likewise. */
    assert_int_equal(choose(OTA_BOOT_INSTALL_PENDING, 1, NONE, 2, run1_stored2, v, 2), NONE);
}

static void test_three_slots(void **unused)
{
    (void)unused;
    const uint8_t stored_run_stored[] = {OTA_SLOT_STORED, OTA_SLOT_INSTALLED, OTA_SLOT_STORED},
                  run_stored_empty[] = {OTA_SLOT_INSTALLED, OTA_SLOT_STORED, OTA_SLOT_EMPTY},
                  run_stored_stored[] = {OTA_SLOT_INSTALLED, OTA_SLOT_STORED, OTA_SLOT_STORED};
    const uint32_t v[] = {47, 50, 45};
    /* The oldest image that is neither running nor protected. */
    assert_int_equal(choose(OTA_BOOT_CONFIRMED, 2, NONE, NONE, stored_run_stored, v, 3), 3);
    /* Slot 3 is the rollback target while slot 2 is on trial: the next oldest goes. */
    assert_int_equal(choose(OTA_BOOT_TRIAL, 2, 3, NONE, stored_run_stored, v, 3), 1);
    /* Free space before any stored image. */
    assert_int_equal(choose(OTA_BOOT_CONFIRMED, 1, NONE, NONE, run_stored_empty, v, 3), 3);
    const uint32_t w[] = {50, 47, 45};
    assert_int_equal(choose(OTA_BOOT_CONFIRMED, 1, NONE, NONE, run_stored_stored, w, 3), 3);
    /* Both others protected (on trial with slot 3 as target, slot 2 pending is not a state
     * the store makes, but the rule holds): the running copy is kept. */
    assert_int_equal(choose(OTA_BOOT_TRIAL, 1, 3, 2, run_stored_stored, w, 3), NONE);
}

/* ---- a board with one download slot ---------------------------------------------------- */

#define IMG 12000u

static uint8_t images[5][IMG];

static const ota_store_boot_t *fields(boot_fixture_t *fx)
{
    return ota_store_boot(&fx->store);
}

static void confirm(boot_fixture_t *fx)
{
    assert_int_equal(ota_confirm(&fx->store, ota_sim_flash_port(&fx->internal), &fx->config),
                     OTA_BOOT_OK);
}

static boot_fixture_t *one_slot_board(void)
{
    boot_fixture_t *fx = boot_fixture_open();
    fx->store_config.download_slots = 1;
    assert_int_equal(boot_fixture_mount(fx), OTA_STORE_OK); /* with this layout */
    for (uint32_t v = 1; v <= 4; v++) {
        boot_fixture_image(images[v], IMG, v, 0);
        /* One security epoch, so that going back to an older image is allowed. */
        boot_fixture_set_security_counter(images[v], IMG, 1);
    }
    return fx;
}

/* The agent's part of an update (download into the slot the store chooses, install
 * requested), then the boot that installs it and the application's confirm. */
static void update_to(boot_fixture_t *fx, uint32_t v)
{
    assert_int_equal(boot_fixture_mount(fx), OTA_STORE_OK);
    assert_int_equal(boot_fixture_stage_update(fx, images[v], IMG, v), 1);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_true(fx->report.installed);
    assert_int_equal(fx->report.version, v);
    confirm(fx);
    assert_int_equal(fields(fx)->state, OTA_BOOT_CONFIRMED);
    assert_int_equal(fields(fx)->running_version, v);
    assert_int_equal(fields(fx)->running_slot, 1);
    assert_int_equal(boot_fixture_internal_version(fx), v);
}

/* v1 factory-programmed (saved as the factory image at its first boot), then v2. */
static boot_fixture_t *one_slot_board_running_v2(void)
{
    boot_fixture_t *fx = one_slot_board();
    boot_fixture_program(fx, images[1], IMG);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_true(fx->report.factory_saved);
    update_to(fx, 2);
    return fx;
}

/* The agent begins downloading images[v] (nothing written yet); the slot it was given. */
static uint8_t begin_download(boot_fixture_t *fx, uint32_t v)
{
    uint8_t digest[OTA_SHA256_SIZE];
    assert_int_equal(ota_sha256(images[v], IMG, digest), OTA_CRYPTO_OK);
    uint8_t slot = NONE;
    assert_int_equal(ota_store_download_begin(&fx->store, v, IMG, digest, &slot, NULL),
                     OTA_STORE_OK);
    return slot;
}

/* v installed on one slot and never confirmed: three trial boots, then the fourth boot. */
static void fail_trial(boot_fixture_t *fx, uint32_t v)
{
    assert_int_equal(boot_fixture_mount(fx), OTA_STORE_OK);
    assert_int_equal(boot_fixture_stage_update(fx, images[v], IMG, v), 1);
    for (unsigned i = 1; i <= 3; i++) {
        assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
        assert_int_equal(fx->report.version, v);
        assert_true(fx->report.trial);
    }
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
}

static void test_updates_in_a_row_with_a_factory_image(void **unused)
{
    (void)unused;
    boot_fixture_t *fx = one_slot_board_running_v2();
    /* v2 confirmed: its copy in slot 1 is what v3's download takes. */
    update_to(fx, 3);
    update_to(fx, 4);
    const ota_store_slot_t *f = ota_store_slot(&fx->store, OTA_STORE_FACTORY_SLOT);
    assert_int_equal(f->state, OTA_SLOT_STORED);
    assert_int_equal(f->version, 1);
    /* A rollback on request now goes to the factory image: v3's copy was given up. */
    assert_int_equal(ota_store_rollback(&fx->store, false), OTA_STORE_OK);
    assert_int_equal(fields(fx)->install_slot, OTA_STORE_FACTORY_SLOT);
    boot_fixture_close(fx);
}

static void test_download_records_that_the_running_image_has_no_copy(void **unused)
{
    (void)unused;
    boot_fixture_t *fx = one_slot_board_running_v2();
    assert_int_equal(begin_download(fx, 3), 1);
    /* In the same record: slot 1 downloads v3, and v2 (still running) has no copy. */
    assert_int_equal(boot_fixture_mount(fx), OTA_STORE_OK);
    assert_int_equal(ota_store_slot(&fx->store, 1)->state, OTA_SLOT_DOWNLOADING);
    assert_int_equal(ota_store_slot(&fx->store, 1)->version, 3);
    assert_int_equal(fields(fx)->running_version, 2);
    assert_int_equal(fields(fx)->running_slot, NONE);
    assert_int_equal(fields(fx)->state, OTA_BOOT_CONFIRMED);
    /* A reset before the download ends: v2 still boots, hashed in full, no copy needed. */
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_int_equal(fx->report.version, 2);
    assert_false(fx->report.installed);
    assert_int_equal(boot_fixture_internal_version(fx), 2);
    boot_fixture_close(fx);
}

static void test_damaged_internal_image_without_its_copy_goes_to_the_factory_image(void **unused)
{
    (void)unused;
    boot_fixture_t *fx = one_slot_board_running_v2();
    assert_int_equal(begin_download(fx, 3), 1);
    /* v2's copy is gone (v3 downloads over it), and a bit of v2 in internal flash goes bad. */
    ota_sim_flash_raw(&fx->internal)[fx->config.app_offset + 7000u] ^= 0x04;
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_true(BOOT_SAID(fx, "boot: internal image invalid (hash mismatch)"));
    assert_true(BOOT_SAID(fx, "boot: rolling back: installing v1 from slot 0"));
    assert_int_equal(fx->report.version, 1);
    assert_int_equal(boot_fixture_internal_version(fx), 1);
    assert_int_equal(fields(fx)->running_slot, OTA_STORE_FACTORY_SLOT);
    boot_fixture_close(fx);
}

static void test_failed_trial_goes_back_to_the_factory_image(void **unused)
{
    (void)unused;
    boot_fixture_t *fx = one_slot_board_running_v2();
    fail_trial(fx, 3);
    /* v2 had no copy left: the rollback goes to the factory image, and v3 is rejected. */
    assert_true(fx->report.rolled_back);
    assert_int_equal(fx->report.rejected_version, 3);
    assert_int_equal(fx->report.version, 1);
    assert_true(BOOT_SAID(fx, "boot: rolling back: installing v1 from slot 0"));
    assert_int_equal(boot_fixture_internal_version(fx), 1);
    assert_int_equal(fields(fx)->running_slot, OTA_STORE_FACTORY_SLOT);
    assert_true(ota_store_is_rejected(&fx->store, 3));
    assert_int_equal(fields(fx)->state, OTA_BOOT_CONFIRMED);
    /* The slot is free again for the next update. */
    update_to(fx, 4);
    boot_fixture_close(fx);
}

/* No factory image (the store never got one: here the first image came through the store):
 * the bootloader keeps the image that failed its trial rather than stop. */
static boot_fixture_t *one_slot_board_without_factory(void)
{
    boot_fixture_t *fx = one_slot_board();
    uint8_t slot = NONE;
    assert_int_equal(store_fixture_download(&fx->store, 1, images[1], IMG, 1000, &slot),
                     OTA_STORE_OK);
    assert_int_equal(slot, 1);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_int_equal(fx->report.version, 1);
    confirm(fx);
    assert_int_equal(ota_store_slot(&fx->store, OTA_STORE_FACTORY_SLOT)->state, OTA_SLOT_EMPTY);
    return fx;
}

static void test_without_factory_updates_and_a_failed_trial_keeps_the_image(void **unused)
{
    (void)unused;
    boot_fixture_t *fx = one_slot_board_without_factory();
    update_to(fx, 2);
    update_to(fx, 3);
    fail_trial(fx, 4);
    assert_false(fx->report.rolled_back);
    assert_int_equal(fx->report.version, 4);
    assert_true(BOOT_SAID(fx, "boot: v4 failed its trial but nothing else can boot: keeping it"));
    assert_int_equal(fields(fx)->state, OTA_BOOT_CONFIRMED);
    assert_int_equal(fields(fx)->running_slot, 1);
    assert_false(ota_store_is_rejected(&fx->store, 4));
    /* Bootable for good: later boots start v4 from a verified internal image. */
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_int_equal(fx->report.version, 4);
    assert_int_equal(boot_fixture_internal_version(fx), 4);
    boot_fixture_close(fx);
}

static void test_without_factory_a_reset_during_the_download_saves_one(void **unused)
{
    (void)unused;
    boot_fixture_t *fx = one_slot_board_without_factory();
    update_to(fx, 2);
    assert_int_equal(begin_download(fx, 3), 1);
    assert_int_equal(ota_store_download_write(&fx->store, 0, images[3], 5000), OTA_STORE_OK);
    /* Reset: the running v2 has no copy and there is no factory image: the bootloader makes
     * v2 the factory image, so a failed trial of v3 has somewhere to go. */
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_true(fx->report.factory_saved);
    assert_int_equal(fx->report.version, 2);
    assert_int_equal(fields(fx)->running_slot, OTA_STORE_FACTORY_SLOT);
    assert_int_equal(ota_store_slot(&fx->store, 1)->state, OTA_SLOT_DOWNLOADING);
    fail_trial(fx, 3); /* the download resumes in slot 1 and completes */
    assert_true(fx->report.rolled_back);
    assert_int_equal(fx->report.version, 2);
    assert_true(ota_store_is_rejected(&fx->store, 3));
    boot_fixture_close(fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_slot),
        cmocka_unit_test(test_two_slots),
        cmocka_unit_test(test_three_slots),
        cmocka_unit_test(test_updates_in_a_row_with_a_factory_image),
        cmocka_unit_test(test_download_records_that_the_running_image_has_no_copy),
        cmocka_unit_test(test_damaged_internal_image_without_its_copy_goes_to_the_factory_image),
        cmocka_unit_test(test_failed_trial_goes_back_to_the_factory_image),
        cmocka_unit_test(test_without_factory_updates_and_a_failed_trial_keeps_the_image),
        cmocka_unit_test(test_without_factory_a_reset_during_the_download_saves_one),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
