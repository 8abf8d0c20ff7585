/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The bootloader when a flash operation fails (an SPI transfer error, a program or erase the
 * device reports as failed): every read, program and erase of both devices during a boot is
 * made to fail once, in turn. That boot must either start a valid image or stop with a flash
 * or store error naming the flash (never "no valid image", never a damaged image started),
 * and once the device works again the next power-ons finish what the boot was doing, with no
 * image lost because of the error.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "boot_fixture.h"
#include "faulty_flash.h"
#include "store_fixture.h"

#define IMG 11000u

static uint8_t v1[IMG], v2[IMG];

/* Both devices of a board behind one operation counter. */
typedef struct faults {
    faulty_domain_t domain;
    faulty_flash_t internal, external;
} faults_t;

static void wrap(boot_fixture_t *fx, faults_t *f)
{
    memset(&f->domain, 0, sizeof f->domain);
    faulty_flash_wrap(&f->internal, &f->domain, ota_sim_flash_port(&fx->internal));
    faulty_flash_wrap(&f->external, &f->domain, ota_sim_flash_port(&fx->external));
}

/* Mount and boot as the bootloader does, through the faulty devices; operation fail_at
 * fails. */
static ota_boot_status_t run(boot_fixture_t *fx, faults_t *f, uint64_t fail_at,
                             ota_store_status_t *mount)
{
    f->domain.ops = 0;
    f->domain.fail_at = fail_at;
    fx->log_lines = 0;
    *mount = ota_store_mount(&fx->store, &f->external.port, &fx->store_config);
    if (*mount != OTA_STORE_OK) {
        return OTA_BOOT_ERR_STORE;
    }
    return ota_boot_run(&fx->boot, &fx->config, &f->internal.port, &fx->store, NULL, NULL,
                        &fx->report);
}

typedef struct scenario {
    const char *name;
    bool cheap_check;
    boot_fixture_t *(*setup)(void);
    int (*done)(boot_fixture_t *fx); /* 0 when the board is where the boot should bring it */
    uint32_t old_version, new_version;
} scenario_t;

static const ota_store_boot_t *fields(boot_fixture_t *fx)
{
    return ota_store_boot(&fx->store);
}

static boot_fixture_t *board_with_v1(void)
{
    boot_fixture_t *fx = boot_fixture_open();
    boot_fixture_image(v1, IMG, 1, 0);
    boot_fixture_program(fx, v1, IMG);
    return fx;
}

static boot_fixture_t *board_running_v1(void)
{
    boot_fixture_t *fx = board_with_v1();
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    return fx;
}

static boot_fixture_t *board_with_v2_pending(void)
{
    boot_fixture_t *fx = board_running_v1();
    boot_fixture_image(v2, IMG, 2, 4321);
    assert_int_not_equal(boot_fixture_stage_update(fx, v2, IMG, 2), OTA_STORE_SLOT_NONE);
    return fx;
}

static boot_fixture_t *board_with_v2_out_of_trials(void)
{
    boot_fixture_t *fx = board_with_v2_pending();
    for (unsigned i = 0; i < 3; i++) {
        assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    }
    return fx;
}

static boot_fixture_t *board_with_v1_damaged(void)
{
    boot_fixture_t *fx = board_running_v1();
    /* The magic (the header, after the region) and a payload byte. */
    ota_sim_flash_raw(&fx->internal)[fx->config.app_offset + fx->config.app_size] ^= 0x20;
    ota_sim_flash_raw(&fx->internal)[fx->config.app_offset + 5000u] ^= 0x20;
    return fx;
}

static bool factory_copy_kept(boot_fixture_t *fx)
{
    const ota_store_slot_t *f = ota_store_slot(&fx->store, OTA_STORE_FACTORY_SLOT);
    return f->state == OTA_SLOT_STORED && f->version == 1 &&
           ota_store_slot_verify(&fx->store, OTA_STORE_FACTORY_SLOT) == OTA_STORE_OK;
}

static int done_v1_running(boot_fixture_t *fx)
{
    return fields(fx)->state == OTA_BOOT_CONFIRMED && fields(fx)->running_version == 1 &&
                   factory_copy_kept(fx)
               ? 0
               : -1;
}

static int done_v2_on_trial(boot_fixture_t *fx)
{
    return fields(fx)->state == OTA_BOOT_TRIAL && fields(fx)->running_version == 2 &&
                   factory_copy_kept(fx)
               ? 0
               : -1;
}

static int done_v2_rejected(boot_fixture_t *fx)
{
    return done_v1_running(fx) == 0 && ota_store_is_rejected(&fx->store, 2) ? 0 : -1;
}

/* Boots (without faults) until the bootloader says OK, at most n times. */
static ota_boot_status_t boot_until_ok(boot_fixture_t *fx, unsigned n)
{
    ota_boot_status_t st = OTA_BOOT_ERR_FLASH;
    for (unsigned i = 0; i < n && st != OTA_BOOT_OK; i++) {
        st = boot_fixture_boot(fx);
    }
    return st;
}

static void sweep(const scenario_t *sc)
{
    faults_t f;
    ota_store_status_t mount;
    /* A clean run counts the operations of the boot. */
    boot_fixture_t *fx = sc->setup();
    fx->config.verify_each_boot = !sc->cheap_check;
    wrap(fx, &f);
    assert_int_equal(run(fx, &f, 0, &mount), OTA_BOOT_OK);
    assert_int_equal(fx->report.version, sc->new_version);
    assert_int_equal(sc->done(fx), 0);
    uint64_t ops = f.domain.ops;
    boot_fixture_close(fx);

    boot_fixture_t *start = sc->setup();
    start->config.verify_each_boot = !sc->cheap_check;
    fx = boot_fixture_open();
    unsigned failures = 0, stopped = 0;
    for (uint64_t n = 1; n <= ops; n++) {
        boot_fixture_clone(fx, start);
        wrap(fx, &f);
        ota_boot_status_t st = run(fx, &f, n, &mount);
        const char *bad = NULL;
        if (mount != OTA_STORE_OK) {
            if (mount != OTA_STORE_ERR_FLASH) {
                bad = "mount failed without naming the flash";
            }
        } else if (st == OTA_BOOT_OK) {
            if (fx->report.version != sc->old_version && fx->report.version != sc->new_version) {
                bad = "started an unexpected version";
            } else if (boot_fixture_internal_version(fx) != fx->report.version) {
                bad = "started an image that is not valid in internal flash";
            }
        } else if (st == OTA_BOOT_ERR_FLASH) {
            /* Internal flash only: a failed read of the running image's copy in the store
             * (the cheap check) is the store's error (docs/reliability.md, "Coverage"). */
            if (fx->report.flash_status != OTA_FLASH_ERR_IO ||
                fx->report.store_status != OTA_STORE_OK) {
                bad = "flash error that does not name the internal flash";
            }
        } else if (st == OTA_BOOT_ERR_STORE) {
            if (fx->report.store_status != OTA_STORE_ERR_FLASH) {
                bad = "store error that does not name the flash";
            }
        } else {
            bad = "a flash error reported as something else";
        }
        stopped += st != OTA_BOOT_OK;
        /* The device works again: the next power-ons finish the job, nothing lost. */
        if (!bad && boot_until_ok(fx, 3) != OTA_BOOT_OK) {
            bad = "does not boot once the flash works again";
        }
        if (!bad && sc->done(fx) != 0 && (boot_until_ok(fx, 3) != OTA_BOOT_OK || sc->done(fx) != 0)) {
            bad = "did not finish (or lost an image) once the flash works again";
        }
        if (bad) {
            failures++;
            printf("%s: operation %llu/%llu failed: boot %s (mount %s): %s\n", sc->name,
                   (unsigned long long)n, (unsigned long long)ops, ota_boot_status_str(st),
                   ota_store_status_str(mount), bad);
        }
    }
    boot_fixture_close(fx);
    boot_fixture_close(start);
    print_message("%s: %llu flash operations, each failed once: %u boots stopped with a flash "
                  "error, %u failures\n",
                  sc->name, (unsigned long long)ops, stopped, failures);
    assert_int_equal(failures, 0);
    assert_true(stopped > 0);
}

static void test_io_error_during_ordinary_boot(void **unused)
{
    (void)unused;
    scenario_t sc = {"ordinary boot", false, board_running_v1, done_v1_running, 1, 1};
    sweep(&sc);
    scenario_t cheap = {"ordinary boot, cheap check", true, board_running_v1, done_v1_running, 1, 1};
    sweep(&cheap);
}

static void test_io_error_during_first_boot(void **unused)
{
    (void)unused;
    scenario_t sc = {"first boot", false, board_with_v1, done_v1_running, 1, 1};
    sweep(&sc);
}

static void test_io_error_during_install(void **unused)
{
    (void)unused;
    scenario_t sc = {"install", false, board_with_v2_pending, done_v2_on_trial, 1, 2};
    sweep(&sc);
}

static void test_io_error_during_trial_rollback(void **unused)
{
    (void)unused;
    scenario_t sc = {"trial roll back", false, board_with_v2_out_of_trials, done_v2_rejected, 2, 1};
    sweep(&sc);
}

static void test_io_error_during_repair(void **unused)
{
    (void)unused;
    scenario_t sc = {"repair", false, board_with_v1_damaged, done_v1_running, 1, 1};
    sweep(&sc);
    scenario_t cheap = {"repair, cheap check", true, board_with_v1_damaged, done_v1_running, 1, 1};
    sweep(&cheap);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_io_error_during_ordinary_boot),
        cmocka_unit_test(test_io_error_during_first_boot),
        cmocka_unit_test(test_io_error_during_install),
        cmocka_unit_test(test_io_error_during_trial_rollback),
        cmocka_unit_test(test_io_error_during_repair),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
