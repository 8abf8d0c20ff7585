/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The core built as the overwrite-only lean bootloaders link it (CMakeLists.txt: the minimal
 * options and OTA_BOOT_JOURNAL 0, with signatures; include/otaflow/config.h): the bootloader
 * never writes the external flash, installs the pending image again from the start at every
 * reset until the copy verifies, survives a power cut at every flash operation of that
 * install, refuses what it must (corrupt, untrusted, below the running image's security
 * counter) without retrying it forever, and the application's side records the install once
 * (ota_store_settle_install, ota_confirm).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mock_transport.h"
#include "otaflow/agent.h"
#include "signed_board.h"

_Static_assert(OTA_BOOT_JOURNAL == 0 && OTA_BOOT_FACTORY_IMAGE == 0 && OTA_BOOT_TRIAL_BOOTS == 0 &&
                   OTA_BOOT_REPAIR == 0 && OTA_BOOT_GUARD == 0 && OTA_SIGNATURES == 1 &&
                   OTA_BOOT_CHEAP_CHECK == 0,
               "built with the overwrite-only bootloader's options");

/* A copy of the external flash, to tell that a boot wrote nothing there. */
static uint8_t *external_copy(boot_fixture_t *fx)
{
    size_t n = fx->external.port.geometry.size;
    uint8_t *copy = malloc(n);
    assert_non_null(copy);
    memcpy(copy, ota_sim_flash_raw(&fx->external), n);
    return copy;
}

static void assert_external_is(boot_fixture_t *fx, const uint8_t *copy)
{
    assert_memory_equal(ota_sim_flash_raw(&fx->external), copy, fx->external.port.geometry.size);
    assert_int_equal(fx->store.journal.appends, 0);
}

/* The application's side after a boot: mount, record what the bootloader did. */
static ota_store_status_t settle(boot_fixture_t *fx, uint32_t running_version)
{
    assert_int_equal(boot_fixture_mount(fx), OTA_STORE_OK);
    return ota_store_settle_install(&fx->store, running_version);
}

/* The install writes nothing but internal flash, and is done again at every reset while the
 * journal still calls it pending: the second time every unit is already equal. */
static void test_install_writes_no_journal(void **unused)
{
    (void)unused;
    boot_fixture_t *fx = signed_board_open();
    assert_int_equal(ota_store_boot(&fx->store)->state, OTA_BOOT_NONE); /* the first boot too */
    uint8_t slot = signed_board_stage_v2(fx, 0, &signed_board.key);
    uint8_t *before = external_copy(fx);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_true(fx->report.installed);
    assert_true(fx->report.sectors_written > 0);
    assert_int_equal(fx->report.version, 2);
    assert_true(boot_fixture_internal_holds(fx, signed_board.v2, signed_board.v2_size));
    assert_external_is(fx, before);
    assert_int_equal(ota_store_boot(&fx->store)->state, OTA_BOOT_INSTALL_PENDING);
    assert_int_equal(ota_store_boot(&fx->store)->install_slot, slot);

    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK); /* the application never ran */
    assert_int_equal(fx->report.version, 2);
    assert_int_equal(fx->report.sectors_written, 0);
    assert_true(fx->report.sectors_skipped > 0);
    assert_external_is(fx, before);
    free(before);
    boot_fixture_close(fx);
}

/* The application's side records the install once: the slot INSTALLED and running,
 * confirmed, the journal's counter raised to the image's; again it writes nothing, and the
 * next boot installs nothing. ota_confirm (the application's call) records it the same. */
static void test_install_recorded_once(void **unused)
{
    (void)unused;
    for (int by_confirm = 0; by_confirm < 2; by_confirm++) {
        boot_fixture_t *fx = signed_board_open();
        uint8_t slot = signed_board_stage_v2(fx, 7, &signed_board.key);
        assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
        assert_int_equal(fx->report.version, 2);
        if (by_confirm) {
            assert_int_equal(boot_fixture_mount(fx), OTA_STORE_OK);
            assert_int_equal(ota_confirm(&fx->store, ota_sim_flash_port(&fx->internal),
                                         &fx->config),
                             OTA_BOOT_OK);
        } else {
            assert_int_equal(settle(fx, 2), OTA_STORE_OK);
        }
        assert_int_equal(fx->store.journal.appends, 1);
        const ota_store_boot_t *b = ota_store_boot(&fx->store);
        assert_int_equal(b->state, OTA_BOOT_CONFIRMED);
        assert_int_equal(b->running_version, 2);
        assert_int_equal(b->running_slot, slot);
        assert_int_equal(b->install_slot, OTA_STORE_SLOT_NONE);
        assert_int_equal(b->security_counter, 7);
        assert_int_equal(ota_store_slot(&fx->store, slot)->state, OTA_SLOT_INSTALLED);
        assert_int_equal(ota_store_settle_install(&fx->store, 2), OTA_STORE_OK);
        assert_int_equal(fx->store.journal.appends, 1);

        uint8_t *before = external_copy(fx);
        assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
        assert_false(fx->report.installed);
        assert_int_equal(fx->report.sectors_written + fx->report.sectors_skipped, 0);
        assert_int_equal(fx->report.version, 2);
        assert_external_is(fx, before);
        assert_int_equal(settle(fx, 2), OTA_STORE_OK);
        assert_int_equal(fx->store.journal.appends, 0);
        free(before);
        boot_fixture_close(fx);
    }
}

/* OTA_BOOT_CHEAP_CHECK 0 (the minimal options): verify_each_boot false still hashes the
 * running image, so a payload changed under an intact header (which the cheap check, the
 * header against its copy in the recorded slot, lets through) starts nothing. */
static void test_cheap_check_still_hashes(void **unused)
{
    (void)unused;
    boot_fixture_t *fx = signed_board_open_v2();
    assert_int_equal(settle(fx, 2), OTA_STORE_OK);
    fx->config.verify_each_boot = false;
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK); /* intact: starts as before */
    assert_int_equal(fx->report.version, 2);
    signed_board_break_payload(fx);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_ERR_NO_IMAGE);
    boot_fixture_close(fx);
}

/* The agent records it at its start, given the running version (once: a second start writes
 * nothing). */
static void test_agent_init_records_install(void **unused)
{
    (void)unused;
    boot_fixture_t *fx = signed_board_open();
    uint8_t slot = signed_board_stage_v2(fx, 0, &signed_board.key);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_int_equal(boot_fixture_mount(fx), OTA_STORE_OK);
    mock_transport_t net;
    mock_init(&net);
    ota_agent_config_t cfg;
    ota_agent_config_default(&cfg);
    cfg.running_version = 2;
    ota_agent_ports_t ports = {.transport = mock_transport(&net), .store = &fx->store};
    static ota_agent_t agent;
    for (int start = 0; start < 2; start++) {
        assert_int_equal(ota_agent_init(&agent, &cfg, &ports), OTA_AGENT_OK);
        assert_int_equal(fx->store.journal.appends, 1);
        const ota_store_boot_t *b = ota_store_boot(&fx->store);
        assert_int_equal(b->state, OTA_BOOT_CONFIRMED);
        assert_int_equal(b->running_version, 2);
        assert_int_equal(ota_store_slot(&fx->store, slot)->state, OTA_SLOT_INSTALLED);
    }
    boot_fixture_close(fx);
}

/* A staged image the bootloader refuses (one payload byte changed in the slot, signed by a
 * key it does not trust, or below the running image's security counter while the journal's
 * is lower) leaves v1 running, with nothing written; the application's side then cancels it
 * and rejects its version, so it is neither checked at the next reset nor downloaded again. */
static void test_refused_image_not_retried(void **unused)
{
    (void)unused;
    for (int kind = 0; kind < 3; kind++) {
        boot_fixture_t *fx = boot_fixture_open();
        fx->store_config.trusted_keys = &signed_board.ring;
        /* v1 with counter 5, a journal that never heard of it (counter 0) */
        boot_fixture_program(fx, signed_board.v1,
                             signed_board_image(signed_board.v1, 1, 5, &signed_board.key));
        /* Only kind 2 is below v1's counter: the others are refused for their own defect. */
        uint8_t slot = signed_board_stage_v2(fx, kind == 2 ? 4u : 6u,
                                             kind == 1 ? &signed_board.other : &signed_board.key);
        if (kind == 0) {
            ota_sim_flash_raw(&fx->external)[ota_store_slot_addr(&fx->store, slot) + 5000u] ^= 1;
        }
        assert_int_equal(ota_store_boot(&fx->store)->security_counter, 0);
        uint8_t *before = external_copy(fx);
        assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
        assert_true(fx->report.slot_refused);
        assert_false(fx->report.installed);
        assert_int_equal(fx->report.sectors_written, 0);
        assert_int_equal(fx->report.version, 1);
        assert_int_equal(boot_fixture_internal_version(fx), 1);
        assert_external_is(fx, before);
        free(before);

        assert_int_equal(settle(fx, 1), OTA_STORE_OK);
        const ota_store_boot_t *b = ota_store_boot(&fx->store);
        assert_int_equal(b->state, OTA_BOOT_NONE); /* the journal never knew v1 */
        assert_int_equal(ota_store_slot(&fx->store, slot)->state, OTA_SLOT_EMPTY);
        assert_true(ota_store_is_rejected(&fx->store, 2));
        uint8_t again = OTA_STORE_SLOT_NONE;
        uint32_t resume = 0;
        uint8_t digest[OTA_SHA256_SIZE] = {0};
        assert_int_equal(ota_store_download_begin(&fx->store, 2, signed_board.v2_size, digest,
                                                  &again, &resume),
                         OTA_STORE_ERR_REJECTED);

        assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
        assert_false(fx->report.slot_refused);
        assert_int_equal(fx->report.version, 1);
        boot_fixture_close(fx);
    }
}

/* A power cut at every flash operation of the journal-less install (each one torn, N = 1):
 * the next reset starts the install again and v2 runs at once; the external flash is never
 * written; the application's side then records the install with one record. */
static void test_power_cut_at_every_operation(void **unused)
{
    (void)unused;
    boot_fixture_t *start = signed_board_open();
    signed_board_stage_v2(start, 0, &signed_board.key);
    uint8_t *before = external_copy(start);
    boot_fixture_t *fx = boot_fixture_open();
    boot_fixture_clone(fx, start);
    uint64_t base = fx->power.ops;
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    unsigned ops = (unsigned)(fx->power.ops - base);
    assert_true(ops > 8u);
    unsigned torn_internal = 0;
    for (unsigned n = 1; n <= ops; n++) {
        boot_fixture_clone(fx, start);
        ota_sim_power_arm(&fx->power, fx->power.ops + n, OTA_SIM_CUT_TORN, n);
        assert_int_not_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
        torn_internal += boot_fixture_internal_version(fx) == 0u;
        assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
        assert_int_equal(fx->report.version, 2);
        assert_true(boot_fixture_internal_holds(fx, signed_board.v2, signed_board.v2_size));
        assert_external_is(fx, before);
        assert_int_equal(settle(fx, 2), OTA_STORE_OK);
        assert_int_equal(fx->store.journal.appends, 1);
        assert_int_equal(ota_store_boot(&fx->store)->running_version, 2);
    }
    /* Most cuts leave no image that parses in internal flash: the reset repaired those. */
    assert_true(torn_internal > ops / 2u);
    free(before);
    boot_fixture_close(fx);
    boot_fixture_close(start);
}

/* A power cut at every flash operation of the application's record: the next boot starts v2
 * (pending or recorded, the same bytes), and the record is made once by the next settle. */
static void test_power_cut_while_recording(void **unused)
{
    (void)unused;
    boot_fixture_t *start = signed_board_open();
    signed_board_stage_v2(start, 0, &signed_board.key);
    assert_int_equal(boot_fixture_boot(start), OTA_BOOT_OK);
    boot_fixture_t *fx = boot_fixture_open();
    boot_fixture_clone(fx, start);
    assert_int_equal(boot_fixture_mount(fx), OTA_STORE_OK);
    uint64_t base = fx->power.ops;
    assert_int_equal(ota_store_settle_install(&fx->store, 2), OTA_STORE_OK);
    unsigned ops = (unsigned)(fx->power.ops - base);
    assert_true(ops >= 1u);
    for (unsigned n = 1; n <= ops; n++) {
        boot_fixture_clone(fx, start);
        assert_int_equal(boot_fixture_mount(fx), OTA_STORE_OK);
        ota_sim_power_arm(&fx->power, fx->power.ops + n, OTA_SIM_CUT_TORN, n);
        assert_int_not_equal(ota_store_settle_install(&fx->store, 2), OTA_STORE_OK);
        assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
        assert_int_equal(fx->report.version, 2);
        assert_int_equal(settle(fx, 2), OTA_STORE_OK);
        const ota_store_boot_t *b = ota_store_boot(&fx->store);
        assert_int_equal(b->state, OTA_BOOT_CONFIRMED);
        assert_int_equal(b->running_version, 2);
        assert_int_equal(settle(fx, 2), OTA_STORE_OK);
        assert_int_equal(fx->store.journal.appends, 0);
    }
    boot_fixture_close(fx);
    boot_fixture_close(start);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_install_writes_no_journal),
        cmocka_unit_test(test_install_recorded_once),
        cmocka_unit_test(test_cheap_check_still_hashes),
        cmocka_unit_test(test_agent_init_records_install),
        cmocka_unit_test(test_refused_image_not_retried),
        cmocka_unit_test(test_power_cut_at_every_operation),
        cmocka_unit_test(test_power_cut_while_recording),
    };
    return cmocka_run_group_tests(tests, signed_board_keys_make, signed_board_keys_free);
}
