/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The core built as the minimal lean bootloader links it (CMakeLists.txt: OTA_BOOT_LOG 0 and
 * OTA_BOOT_FACTORY_IMAGE, OTA_BOOT_TRIAL_BOOTS, OTA_BOOT_REPAIR, OTA_BOOT_GUARD all 0, with
 * signatures; include/otaflow/config.h, docs/configuration.md "A minimal bootloader"): what it
 * still does (signature check, power-safe install) is done right, and what it left out is
 * neither half done nor pretended: no factory copy, no trial (an install is confirmed at
 * once, nothing rolls back), no repair (a broken internal image starts nothing), no guard
 * (a store config with one is refused at mount), no sector tables (a flash of mixed sectors
 * is refused, OTA_FLASH_SECTOR_TABLES 0), no boot check without hashing (OTA_BOOT_CHEAP_CHECK
 * 0: every boot hashes). With nothing but the install to do, it takes one pass and writes one
 * journal record of its outcome (src/boot.c, BOOT_ONE_PASS): what that record says, and that
 * a power cut anywhere, before it too, leaves the install to be done again, never half.
 * The journals it writes are also saved for tests/unit/test_store_lean_journal.c, which
 * mounts them with the agent's store (the default build).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "otaflow/guard.h"
#include "signed_board.h"
#include "store_internal.h"

_Static_assert(OTA_BOOT_FACTORY_IMAGE == 0 && OTA_BOOT_TRIAL_BOOTS == 0 && OTA_BOOT_REPAIR == 0 &&
                   OTA_BOOT_GUARD == 0 && OTA_FLASH_SECTOR_TABLES == 0 && OTA_SIGNATURES == 1 &&
                   OTA_BOOT_CHEAP_CHECK == 0,
               "built with the minimal bootloader's options");

/* The journal says `version` runs, confirmed, from `slot` (its copy, INSTALLED; NONE: no
 * copy in the store), with no install pending. */
static void assert_runs(boot_fixture_t *fx, uint32_t version, uint8_t slot)
{
    const ota_store_boot_t *b = ota_store_boot(&fx->store);
    assert_int_equal(b->state, OTA_BOOT_CONFIRMED);
    assert_int_equal(b->running_version, version);
    assert_int_equal(b->running_slot, slot);
    assert_int_equal(b->install_slot, OTA_STORE_SLOT_NONE);
    if (slot != OTA_STORE_SLOT_NONE) {
        assert_int_equal(ota_store_slot(&fx->store, slot)->state, OTA_SLOT_INSTALLED);
    }
}

/* OTA_BOOT_FACTORY_IMAGE 0: the first boot verifies and records the image, copies nothing,
 * and does not try again at later boots; a factory reset has no target. */
static void test_first_boot_saves_no_copy(void **unused)
{
    (void)unused;
    boot_fixture_t *fx = signed_board_open();
    assert_false(fx->report.factory_saved);
    const ota_store_boot_t *b = ota_store_boot(&fx->store);
    assert_runs(fx, 1, OTA_STORE_SLOT_NONE);
    assert_int_equal(b->security_counter, 1); /* v1's: the floor follows what runs */
    assert_int_equal(ota_store_slot(&fx->store, OTA_STORE_FACTORY_SLOT)->state, OTA_SLOT_EMPTY);
    assert_int_equal(fx->store.journal.appends, 1); /* one record */
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK); /* remounts: counters start again */
    assert_int_equal(fx->store.journal.appends, 0);
    assert_false(fx->report.factory_saved);
    assert_int_equal(fx->report.version, 1);
    assert_int_equal(ota_store_factory_reset(&fx->store), OTA_STORE_ERR_NO_ROLLBACK);
    boot_fixture_close(fx);
}

/* OTA_BOOT_TRIAL_BOOTS 0: an installed image is confirmed by the bootloader at once; an
 * application that never confirms keeps it (no trial counted, no roll back). */
static void test_install_confirmed_at_once(void **unused)
{
    (void)unused;
    boot_fixture_t *fx = signed_board_open();
    signed_board_stage_v2(fx, 0, &signed_board.key);
    for (unsigned boot = 0; boot < 2u * OTA_BOOT_MAX_ATTEMPTS_DEFAULT; boot++) {
        assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
        assert_false(fx->report.trial);
        assert_false(fx->report.rolled_back);
        assert_int_equal(fx->report.rejected_version, 0);
        assert_int_equal(fx->report.version, 2);
        assert_int_equal(ota_store_boot(&fx->store)->state, OTA_BOOT_CONFIRMED);
    }
    assert_int_equal(boot_fixture_internal_version(fx), 2);
    boot_fixture_close(fx);
}

/* The install is one record, written after the copy verified: the slot INSTALLED and running,
 * confirmed, the floor raised to the image's counter, the version change to be reported, the
 * install gone; the next boot writes nothing and copies nothing. */
static void test_install_recorded_once(void **unused)
{
    (void)unused;
    boot_fixture_t *fx = signed_board_open();
    uint8_t slot = signed_board_stage_v2(fx, 7, &signed_board.key);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_true(fx->report.installed);
    assert_false(fx->report.rolled_back);
    assert_int_equal(fx->report.version, 2);
    assert_int_equal(fx->store.journal.appends, 1);
    const ota_store_boot_t *b = ota_store_boot(&fx->store);
    assert_runs(fx, 2, slot);
    assert_int_equal(b->previous_version, 1);
    assert_int_equal(b->previous_slot, OTA_STORE_SLOT_NONE);
    assert_int_equal(b->security_counter, 7);
    assert_int_equal(b->report_pending, 1);
    assert_int_equal(b->attempts, 0);
    assert_int_equal(ota_store_slot(&fx->store, slot)->state, OTA_SLOT_INSTALLED);
    assert_true(boot_fixture_internal_holds(fx, signed_board.v2, signed_board.v2_size));

    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_false(fx->report.installed);
    assert_int_equal(fx->report.sectors_written + fx->report.sectors_skipped, 0);
    assert_int_equal(fx->report.version, 2);
    assert_int_equal(fx->store.journal.appends, 0);
    boot_fixture_close(fx);
}

/* A second update after the first: v3 replaces v2, whose slot stays a stored version. */
static void test_second_update(void **unused)
{
    (void)unused;
    boot_fixture_t *fx = signed_board_open_v2();
    uint8_t v2_slot = ota_store_boot(&fx->store)->running_slot;
    uint8_t slot = signed_board_stage(fx, signed_board.v3, &signed_board.v3_size, 3, 0,
                                      &signed_board.key);
    assert_int_not_equal(slot, v2_slot);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_true(fx->report.installed);
    assert_int_equal(fx->report.version, 3);
    assert_int_equal(fx->store.journal.appends, 1);
    const ota_store_boot_t *b = ota_store_boot(&fx->store);
    assert_runs(fx, 3, slot);
    assert_int_equal(b->previous_version, 2);
    assert_int_equal(b->security_counter, 3);
    assert_int_equal(ota_store_slot(&fx->store, v2_slot)->state, OTA_SLOT_STORED);
    assert_true(boot_fixture_internal_holds(fx, signed_board.v3, signed_board.v3_size));

    /* The application asks to go back to v2 (whose counter, 2, is below the floor, 3): the
     * bootloader refuses it as the full one would, and v3 goes on. */
    assert_int_equal(ota_store_rollback(&fx->store, false), OTA_STORE_OK);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_true(fx->report.slot_refused);
    assert_false(fx->report.rolled_back);
    assert_int_equal(fx->report.version, 3);
    boot_fixture_close(fx);
}

/* A roll back the application requests (to an image of the same security counter) is
 * installed and recorded like an update, and reported as a roll back. */
static void test_requested_roll_back(void **unused)
{
    (void)unused;
    boot_fixture_t *fx = signed_board_open();
    uint8_t v2_slot = signed_board_stage_v2(fx, 5, &signed_board.key);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    signed_board_stage(fx, signed_board.v3, &signed_board.v3_size, 3, 5, &signed_board.key);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_int_equal(fx->report.version, 3);
    assert_false(fx->report.rolled_back);
    assert_int_equal(ota_store_rollback(&fx->store, false), OTA_STORE_OK);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_true(fx->report.installed);
    assert_true(fx->report.rolled_back);
    assert_false(fx->report.factory_reset);
    assert_int_equal(fx->report.version, 2);
    assert_int_equal(fx->store.journal.appends, 1);
    assert_runs(fx, 2, v2_slot);
    assert_true(boot_fixture_internal_holds(fx, signed_board.v2, signed_board.v2_size));
    boot_fixture_close(fx);
}

/* What it keeps: an image signed by an untrusted key is refused and v1 goes on running; the
 * install is cancelled in one record (slot emptied, the version not rejected: as the full
 * bootloader cancels it), and the next boot neither checks it again nor writes. */
static void test_untrusted_image_refused(void **unused)
{
    (void)unused;
    boot_fixture_t *fx = signed_board_open();
    uint8_t slot = signed_board_stage_v2(fx, 0, &signed_board.other);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_true(fx->report.slot_refused);
    assert_false(fx->report.installed);
    assert_int_equal(fx->report.version, 1);
    assert_int_equal(boot_fixture_internal_version(fx), 1);
    assert_int_equal(fx->store.journal.appends, 1);
    assert_runs(fx, 1, OTA_STORE_SLOT_NONE);
    assert_int_equal(ota_store_slot(&fx->store, slot)->state, OTA_SLOT_EMPTY);
    assert_false(ota_store_is_rejected(&fx->store, 2));
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_false(fx->report.slot_refused);
    assert_int_equal(fx->store.journal.appends, 0);
    boot_fixture_close(fx);
}

/* The running image's security counter is a floor of its own: v2 below v1's (5) is refused
 * even where the journal's floor is lower (a journal that never knew v1, as one rewritten from
 * outside would say), and the record then raises that floor to v1's. */
static void test_below_running_counter_refused(void **unused)
{
    (void)unused;
    boot_fixture_t *fx = boot_fixture_open();
    fx->store_config.trusted_keys = &signed_board.ring;
    boot_fixture_program(fx, signed_board.v1,
                         signed_board_image(signed_board.v1, 1, 5, &signed_board.key));
    uint8_t slot = signed_board_stage_v2(fx, 4, &signed_board.key);
    assert_int_equal(ota_store_boot(&fx->store)->security_counter, 0);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_true(fx->report.slot_refused);
    assert_false(fx->report.installed);
    assert_int_equal(fx->report.sectors_written, 0);
    assert_int_equal(fx->report.version, 1);
    assert_runs(fx, 1, OTA_STORE_SLOT_NONE);
    assert_int_equal(ota_store_boot(&fx->store)->security_counter, 5);
    assert_int_equal(ota_store_slot(&fx->store, slot)->state, OTA_SLOT_EMPTY);
    boot_fixture_close(fx);
}

/* Journals this bootloader never writes itself, but may find (a full bootloader's, or this
 * one's of an earlier release): a running image in TRIAL is confirmed at once in one record,
 * an install left INSTALLING is done again and recorded like a pending one. */
static void test_trial_and_installing_journals(void **unused)
{
    (void)unused;
    boot_fixture_t *fx = signed_board_open_v2();
    assert_int_equal(boot_fixture_mount(fx), OTA_STORE_OK);
    ota_store_stage(&fx->store);
    fx->store.staged.boot.state = OTA_BOOT_TRIAL;
    fx->store.staged.boot.attempts = 2;
    fx->store.staged.boot.security_counter = 0;
    assert_int_equal(ota_store_commit(&fx->store), OTA_STORE_OK);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_int_equal(fx->report.version, 2);
    assert_false(fx->report.trial);
    assert_int_equal(fx->store.journal.appends, 1);
    const ota_store_boot_t *b = ota_store_boot(&fx->store);
    assert_int_equal(b->state, OTA_BOOT_CONFIRMED);
    assert_int_equal(b->attempts, 0);
    assert_int_equal(b->security_counter, 2);
    boot_fixture_close(fx);

    fx = signed_board_open();
    uint8_t slot = signed_board_stage_v2(fx, 0, &signed_board.key);
    assert_int_equal(ota_store_install_begin(&fx->store), OTA_STORE_OK);
    assert_int_equal(ota_store_boot(&fx->store)->state, OTA_BOOT_INSTALLING);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_true(fx->report.installed);
    assert_int_equal(fx->report.version, 2);
    assert_runs(fx, 2, slot);
    boot_fixture_close(fx);
}

/* Whether the journal of fx (just cut) still has the install pending while internal flash
 * already holds the whole new image: the cut came between the copy's end and its record. */
static bool cut_before_record(boot_fixture_t *fx)
{
    ota_sim_power_on(&fx->power);
    assert_int_equal(boot_fixture_mount(fx), OTA_STORE_OK);
    uint8_t state = ota_store_boot(&fx->store)->state;
    return state == OTA_BOOT_INSTALL_PENDING &&
           boot_fixture_internal_holds(fx, signed_board.v2, signed_board.v2_size);
}

/* What it keeps: the install survives a power cut at every flash operation (each one torn):
 * the boot cut short starts nothing, the next one installs v2 from what is left (never a half
 * image: the copy is checked as it will run) and records it once, and the one after writes
 * nothing. A cut after the copy, before its record is durable, leaves the install pending:
 * the next boot checks the slot and copies again, every unit already equal. */
static void test_install_survives_power_cuts(void **unused)
{
    (void)unused;
    boot_fixture_t *start = signed_board_open();
    uint8_t slot = signed_board_stage_v2(start, 0, &signed_board.key);
    boot_fixture_t *fx = boot_fixture_open();
    boot_fixture_clone(fx, start);
    uint64_t base = fx->power.ops;
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    unsigned ops = (unsigned)(fx->power.ops - base);
    assert_true(ops > 8u);
    unsigned redone = 0;
    for (unsigned n = 1; n <= ops; n++) {
        boot_fixture_clone(fx, start);
        ota_sim_power_arm(&fx->power, fx->power.ops + n, OTA_SIM_CUT_TORN, n);
        assert_int_not_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
        bool before_record = cut_before_record(fx);
        assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
        assert_int_equal(fx->report.version, 2);
        assert_true(boot_fixture_internal_holds(fx, signed_board.v2, signed_board.v2_size));
        if (before_record) {
            redone++;
            assert_true(fx->report.installed);
            assert_int_equal(fx->report.sectors_written, 0);
            assert_true(fx->report.sectors_skipped > 0);
        }
        assert_runs(fx, 2, slot);
        assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
        assert_int_equal(fx->report.version, 2);
        assert_int_equal(fx->store.journal.appends, 0);
    }
    assert_true(redone > 0); /* the record's own operations were cut too */
    boot_fixture_close(fx);
    boot_fixture_close(start);
}

/* The first boot's record survives a cut at each of its flash operations: the next boot
 * records v1 as running. */
static void test_first_boot_survives_power_cuts(void **unused)
{
    (void)unused;
    boot_fixture_t *start = boot_fixture_open();
    start->store_config.trusted_keys = &signed_board.ring;
    boot_fixture_program(start, signed_board.v1,
                         signed_board_image(signed_board.v1, 1, 0, &signed_board.key));
    boot_fixture_t *fx = boot_fixture_open();
    boot_fixture_clone(fx, start);
    uint64_t base = fx->power.ops;
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    unsigned ops = (unsigned)(fx->power.ops - base);
    assert_true(ops >= 1u);
    for (unsigned n = 1; n <= ops; n++) {
        boot_fixture_clone(fx, start);
        ota_sim_power_arm(&fx->power, fx->power.ops + n, OTA_SIM_CUT_TORN, n);
        assert_int_not_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
        assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
        assert_int_equal(fx->report.version, 1);
        assert_runs(fx, 1, OTA_STORE_SLOT_NONE);
    }
    boot_fixture_close(fx);
    boot_fixture_close(start);
}

/* fx's flashes saved for tests/unit/test_store_lean_journal.c (ctest runs this test first:
 * CMakeLists.txt); nothing to hand on when run by hand. */
static void save_board(boot_fixture_t *fx, const char *name)
{
    char full[64];
    snprintf(full, sizeof full, "lean_minimal_%s", name);
    (void)boot_fixture_files(fx, full, true);
}

/* The boards whose journals the agent's store reads back (test_store_lean_journal.c): v1's
 * first boot, v2 (counter 7) installed from it, and an untrusted v2 refused. */
static void test_journals_for_the_agent(void **unused)
{
    (void)unused;
    boot_fixture_t *fx = signed_board_open();
    save_board(fx, "first_boot");
    signed_board_stage_v2(fx, 7, &signed_board.key);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_true(fx->report.installed);
    save_board(fx, "installed");
    boot_fixture_close(fx);

    fx = signed_board_open();
    signed_board_stage_v2(fx, 0, &signed_board.other);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_true(fx->report.slot_refused);
    save_board(fx, "refused");
    boot_fixture_close(fx);
}

/* OTA_BOOT_REPAIR 0: an internal image that no longer verifies is not restored from the
 * stored copy (there is one: v2's slot), and nothing starts. */
static void test_broken_image_not_repaired(void **unused)
{
    (void)unused;
    boot_fixture_t *fx = signed_board_open_v2();
    signed_board_break_payload(fx);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_ERR_NO_IMAGE);
    assert_false(fx->report.repaired);
    assert_false(fx->report.installed);
    assert_int_equal(boot_fixture_internal_version(fx), 0);
    boot_fixture_close(fx);
}

/* OTA_BOOT_CHEAP_CHECK 0: a config asking for the boot check without hashing
 * (verify_each_boot false) still gets the hash, so a payload changed under an intact header,
 * which the cheap check (the header against the running image's copy in its slot) lets
 * through, starts nothing. */
static void test_cheap_check_still_hashes(void **unused)
{
    (void)unused;
    boot_fixture_t *fx = signed_board_open_v2();
    fx->config.verify_each_boot = false;
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK); /* intact: starts as before */
    assert_int_equal(fx->report.version, 2);
    signed_board_break_payload(fx);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_ERR_NO_IMAGE);
    assert_int_equal(boot_fixture_internal_version(fx), 0);
    boot_fixture_close(fx);
}

/* OTA_BOOT_GUARD 0: a store config naming a guard cannot be mounted, so nothing runs as if
 * the floor were kept in write-protected flash. */
static void test_guard_refused_at_mount(void **unused)
{
    (void)unused;
    boot_fixture_t *fx = boot_fixture_open();
    ota_guard_t guard;
    memset(&guard, 0, sizeof guard);
    fx->store_config.guard = &guard;
    assert_int_equal(boot_fixture_mount(fx), OTA_STORE_ERR_ARG);
    assert_false(fx->store.mounted);
    boot_fixture_close(fx);
}

/* OTA_FLASH_SECTOR_TABLES 0: a flash of mixed sectors (an STM32F4-like bank, a table the
 * default build accepts) is refused as not valid, and a store is not mounted on it, rather
 * than its sectors taken for uniform ones (an erase would then cut across a sector). */
static void test_sector_table_refused(void **unused)
{
    (void)unused;
    static const ota_flash_sector_run_t runs[] = {{4, 16384u}, {1, 65536u}, {3, 131072u}};
    static const ota_flash_ops_t no_ops = {0};
    ota_flash_t mixed = {.ops = &no_ops,
                         .geometry = {.size = 524288u, .erase_unit = 16384u, .program_unit = 4u,
                                      .page_size = 256u, .erased_value = 0xFFu,
                                      .sectors = runs, .sector_runs = 3u}};
    assert_false(ota_flash_sectors_valid(&mixed.geometry));
    ota_store_t store;
    assert_int_equal(ota_store_mount(&store, &mixed, NULL), OTA_STORE_ERR_GEOMETRY);
    assert_false(store.mounted);
    /* The same device seen as uniform (no table) is still one. */
    mixed.geometry.sectors = NULL;
    mixed.geometry.sector_runs = 0u;
    assert_true(ota_flash_sectors_valid(&mixed.geometry));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_boot_saves_no_copy),
        cmocka_unit_test(test_install_confirmed_at_once),
        cmocka_unit_test(test_install_recorded_once),
        cmocka_unit_test(test_second_update),
        cmocka_unit_test(test_requested_roll_back),
        cmocka_unit_test(test_untrusted_image_refused),
        cmocka_unit_test(test_below_running_counter_refused),
        cmocka_unit_test(test_trial_and_installing_journals),
        cmocka_unit_test(test_install_survives_power_cuts),
        cmocka_unit_test(test_first_boot_survives_power_cuts),
        cmocka_unit_test(test_journals_for_the_agent),
        cmocka_unit_test(test_broken_image_not_repaired),
        cmocka_unit_test(test_cheap_check_still_hashes),
        cmocka_unit_test(test_guard_refused_at_mount),
        cmocka_unit_test(test_sector_table_refused),
    };
    return cmocka_run_group_tests(tests, signed_board_keys_make, signed_board_keys_free);
}
