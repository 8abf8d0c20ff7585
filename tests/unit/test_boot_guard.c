/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The anti-rollback guard (include/otaflow/guard.h) and the bootloader with it: what an
 * attacker who owns the external flash (erase the journal, forge it) can no longer do, key
 * revocation through the guard, the guard's power safety, its write-protect, and the header
 * binding of the bootloader's image check (a source that changes between two reads).
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
#include "boot_internal.h"
#include "faulty_flash.h"
#include "image_builder.h"
#include "otaflow/guard.h"
#include "signed_image.h"
#include "store_fixture.h"
#include "system_posix.h"
#include "test_keys.h"

#define IMG 20000u
#define IMG_CAP (IMG + 256u)

static tool_key_t key_a, key_b;
static ota_sig_key_t trusted[2]; /* entry 0: key A, entry 1: key B */
static const ota_sig_keyring_t ring = {.keys = trusted, .count = 2};
static uint8_t img1[IMG_CAP], img2[IMG_CAP], img3[IMG_CAP];

static int make_keys(void **unused)
{
    (void)unused;
    ota_sig_key_t entry_b;
    if (test_keys_make(&key_a, &key_b, &trusted[0]) != 0) {
        return -1;
    }
    tool_key_trust(&key_b, &entry_b);
    trusted[1] = entry_b;
    return 0;
}

static int free_keys(void **unused)
{
    (void)unused;
    test_keys_free(&key_a, &key_b);
    return 0;
}

/* Image of version with this counter, revocation mask and signer. */
static uint32_t image(uint8_t *buf, uint32_t version, uint32_t counter, uint32_t revoke,
                      tool_key_t *key)
{
    uint32_t size = boot_fixture_image(buf, IMG, version, version * 100u);
    return signed_image_make(buf, IMG_CAP, size, counter, revoke, key);
}

/* A board with the host system port: guard in the two pages below the application region. */
typedef struct guarded {
    boot_fixture_t *fx;
    ota_posix_system_t sys;
    ota_guard_t guard;
} guarded_t;

static ota_boot_status_t power_on(guarded_t *g)
{
    if (g->fx->power.dead) {
        ota_sim_power_on(&g->fx->power);
    }
    ota_posix_system_set_locked(&g->sys, false); /* a reset clears the write-protect latch */
    assert_int_equal(ota_guard_mount(&g->guard, g->sys.system.guard_flash), OTA_GUARD_OK);
    return boot_fixture_boot(g->fx);
}

/* A guarded board factory-programmed with v1 (counter 1, key A) and booted once. */
static guarded_t *board(void)
{
    guarded_t *g = calloc(1, sizeof *g);
    assert_non_null(g);
    g->fx = boot_fixture_open();
    assert_int_equal(ota_posix_system_init(&g->sys, ota_sim_flash_port(&g->fx->internal),
                                           g->fx->config.app_offset),
                     0);
    g->fx->store_config.trusted_keys = &ring;
    g->fx->store_config.guard = &g->guard;
    uint32_t n = image(img1, 1, 1, 0, &key_a);
    boot_fixture_program(g->fx, img1, n);
    assert_int_equal(power_on(g), OTA_BOOT_OK);
    assert_true(g->fx->report.factory_saved);
    assert_true(g->fx->report.guard_raised); /* initialised from the verified factory image */
    assert_int_equal(g->fx->report.guard_counter, 1);
    return g;
}

static void close_board(guarded_t *g)
{
    boot_fixture_close(g->fx);
    free(g);
}

/* The application confirms what runs (as examples/app does), then the board resets. */
static void confirm(guarded_t *g)
{
    assert_int_equal(boot_fixture_mount(g->fx), OTA_STORE_OK);
    assert_int_equal(ota_confirm(&g->fx->store, ota_sim_flash_port(&g->fx->internal),
                                 &g->fx->config),
                     OTA_BOOT_OK);
}

/* Install and confirm an update; the guard follows at the next boot. */
static void update(guarded_t *g, const uint8_t *img, uint32_t n, uint32_t version)
{
    assert_int_equal(boot_fixture_mount(g->fx), OTA_STORE_OK);
    assert_int_not_equal(boot_fixture_stage_update(g->fx, img, n, version), OTA_STORE_SLOT_NONE);
    assert_int_equal(power_on(g), OTA_BOOT_OK);
    assert_true(g->fx->report.installed);
    confirm(g);
    assert_int_equal(power_on(g), OTA_BOOT_OK);
    assert_int_equal(g->fx->report.version, version);
}

/* What an attacker with the SPI bus does: erase both journal sectors. */
static void erase_journal(guarded_t *g)
{
    const ota_flash_t *ext = ota_sim_flash_port(&g->fx->external);
    uint32_t sector = ota_store_layout(&g->fx->store)->journal_sector_size;
    assert_int_equal(ota_flash_erase(ext, 0, sector), OTA_FLASH_OK);
    assert_int_equal(ota_flash_erase(ext, sector, sector), OTA_FLASH_OK);
}

/* The attacker's own store code (no guard) plants an image as a pending install. */
static void plant(guarded_t *g, const uint8_t *img, uint32_t n, uint32_t version)
{
    ota_store_config_t attacker = g->fx->store_config;
    attacker.guard = NULL;
    attacker.trusted_keys = NULL;
    assert_int_equal(ota_store_mount(&g->fx->store, ota_sim_flash_port(&g->fx->external),
                                     &attacker),
                     OTA_STORE_OK);
    assert_int_not_equal(boot_fixture_stage_update(g->fx, img, n, version), OTA_STORE_SLOT_NONE);
}

/* Hole 1: v3 (counter 2) confirmed; the journal erased; old signed v1 (counter 1) planted as
 * a pending install: refused by the bootloader, v3 keeps running, the journal's counter is
 * put back, and the agent-side store refuses v1 too. */
static void test_erased_journal_does_not_reopen_rollback(void **unused)
{
    (void)unused;
    guarded_t *g = board();
    uint32_t n3 = image(img3, 3, 2, 0, &key_a);
    update(g, img3, n3, 3);
    assert_int_equal(g->fx->report.guard_counter, 2);
    assert_true(g->guard.values.security_counter == 2);

    erase_journal(g);
    assert_int_equal(boot_fixture_mount(g->fx), OTA_STORE_OK);
    assert_int_equal(ota_store_mount_kind(&g->fx->store), OTA_STORE_MOUNT_FRESH);
    uint32_t n1 = image(img1, 1, 1, 0, &key_a);
    plant(g, img1, n1, 1);

    assert_int_equal(power_on(g), OTA_BOOT_OK);
    assert_true(g->fx->report.slot_refused);
    assert_false(g->fx->report.installed);
    assert_true(BOOT_SAID(
        g->fx, "boot: slot 1 (v1) refused: security counter below the device's; not installed"));
    assert_int_equal(g->fx->report.version, 3);
    assert_int_equal(boot_fixture_internal_version(g->fx), 3);
    assert_int_equal(g->fx->report.guard_counter, 2);
    assert_true(g->fx->report.journal_restored);
    assert_int_equal(ota_store_boot(&g->fx->store)->security_counter, 2);

    /* The agent side (guard mounted read-only) refuses the old image at download. */
    assert_int_equal(boot_fixture_mount(g->fx), OTA_STORE_OK);
    uint8_t slot = OTA_STORE_SLOT_NONE;
    assert_int_equal(store_fixture_download(&g->fx->store, 1, img1, n1, 1000, &slot),
                     OTA_STORE_ERR_SECURITY_COUNTER);
    close_board(g);
}

/* A journal forged with counter 0xFFFFFFFF neither bricks the board nor raises the guard;
 * a genuine newer image still installs. */
static void test_forged_journal_counter_does_not_brick(void **unused)
{
    (void)unused;
    guarded_t *g = board();
    uint32_t n3 = image(img3, 3, 2, 0, &key_a);
    update(g, img3, n3, 3);
    assert_int_equal(boot_fixture_mount(g->fx), OTA_STORE_OK);
    assert_int_equal(ota_store_confirm(&g->fx->store, 0xFFFFFFFFu), OTA_STORE_OK);

    assert_int_equal(power_on(g), OTA_BOOT_OK);
    assert_int_equal(g->fx->report.version, 3);
    assert_int_equal(g->fx->report.guard_counter, 2);
    assert_int_equal(power_on(g), OTA_BOOT_OK);
    assert_int_equal(g->guard.values.security_counter, 2);

    uint32_t n2 = image(img2, 4, 3, 0, &key_a);
    update(g, img2, n2, 4);
    assert_int_equal(g->fx->report.guard_counter, 3);
    close_board(g);
}

/* What an attacker who erases the journal can still do: the manifest Sequence and the
 * rejected list are not guarded (the bootloader cannot verify either). After the erase the
 * store has forgotten the highest Sequence (an older signed manifest would be accepted) and a
 * version that failed its trial (it may be stored again); the guard's floor still holds for
 * every image. */
static void test_erased_journal_forgets_sequence_and_rejected(void **unused)
{
    (void)unused;
    guarded_t *g = board();
    uint32_t n2 = image(img2, 2, 1, 0, &key_a);
    assert_int_equal(boot_fixture_mount(g->fx), OTA_STORE_OK);
    assert_int_not_equal(boot_fixture_stage_update(g->fx, img2, n2, 2), OTA_STORE_SLOT_NONE);
    for (int boots = 0; boots < 8 && g->fx->report.rejected_version != 2; boots++) {
        assert_int_equal(power_on(g), OTA_BOOT_OK); /* v2 never confirms its trial */
    }
    assert_int_equal(g->fx->report.rejected_version, 2);
    assert_int_equal(boot_fixture_mount(g->fx), OTA_STORE_OK);
    assert_int_equal(ota_store_raise_manifest_sequence(&g->fx->store, 7), OTA_STORE_OK);
    uint8_t slot = OTA_STORE_SLOT_NONE;
    assert_int_equal(store_fixture_download(&g->fx->store, 2, img2, n2, 1000, &slot),
                     OTA_STORE_ERR_REJECTED);

    erase_journal(g);
    assert_int_equal(boot_fixture_mount(g->fx), OTA_STORE_OK);
    assert_int_equal(ota_store_boot(&g->fx->store)->manifest_sequence, 0);
    assert_false(ota_store_is_rejected(&g->fx->store, 2));
    assert_int_equal(store_fixture_download(&g->fx->store, 2, img2, n2, 1000, &slot),
                     OTA_STORE_OK);
    uint32_t n3 = image(img3, 5, 0, 0, &key_a); /* below the floor: still refused */
    assert_int_equal(store_fixture_download(&g->fx->store, 5, img3, n3, 1000, &slot),
                     OTA_STORE_ERR_SECURITY_COUNTER);
    assert_int_equal(power_on(g), OTA_BOOT_OK);
    assert_int_equal(g->fx->report.version, 1);
    assert_int_equal(g->fx->report.guard_counter, 1);
    close_board(g);
}

/* Hole 4: v2 signed with key B revokes key A (entry 0); once confirmed, A-signed images are
 * refused by the store and by the bootloader, B-signed ones still install. */
static void test_rotation_revokes_old_key(void **unused)
{
    (void)unused;
    guarded_t *g = board();
    uint32_t n2 = image(img2, 2, 1, 1u << 0, &key_b);
    update(g, img2, n2, 2);
    assert_int_equal(g->fx->report.guard_revoked, 1u);

    uint32_t n3 = image(img3, 3, 1, 0, &key_a);
    assert_int_equal(boot_fixture_mount(g->fx), OTA_STORE_OK);
    uint8_t slot = OTA_STORE_SLOT_NONE;
    assert_int_equal(store_fixture_download(&g->fx->store, 3, img3, n3, 1000, &slot),
                     OTA_STORE_ERR_KEY_REVOKED);
    plant(g, img3, n3, 3);
    assert_int_equal(power_on(g), OTA_BOOT_OK);
    assert_true(BOOT_SAID(
        g->fx, "boot: slot 2 (v3) refused: image signed by a revoked key; not installed"));
    assert_int_equal(g->fx->report.version, 2);

    n3 = image(img3, 3, 1, 0, &key_b);
    update(g, img3, n3, 3);
    assert_int_equal(g->fx->report.guard_revoked, 1u);
    close_board(g);
}

/* An image that revokes the key that signed it, or every key, is refused. */
static void test_self_revocation_refused(void **unused)
{
    (void)unused;
    guarded_t *g = board();
    uint32_t n2 = image(img2, 2, 1, 1u << 0, &key_a);
    assert_int_equal(boot_fixture_mount(g->fx), OTA_STORE_OK);
    uint8_t slot = OTA_STORE_SLOT_NONE;
    assert_int_equal(store_fixture_download(&g->fx->store, 2, img2, n2, 1000, &slot),
                     OTA_STORE_ERR_REVOCATION);
    n2 = image(img2, 2, 1, 0x3u, &key_b); /* A and B: the whole keyring */
    assert_int_equal(store_fixture_download(&g->fx->store, 2, img2, n2, 1000, &slot),
                     OTA_STORE_ERR_REVOCATION);
    plant(g, img2, n2, 2);
    assert_int_equal(power_on(g), OTA_BOOT_OK);
    assert_true(g->fx->report.slot_refused);
    assert_int_equal(g->fx->report.version, 1);
    assert_int_equal(g->fx->report.guard_revoked, 0u);
    close_board(g);
}

/* System port: once protected, neither the guard window nor the internal flash as the
 * application sees it can change the guard; a reset lifts the latch. */
static void test_write_protect_until_reset(void **unused)
{
    (void)unused;
    guarded_t *g = board();
    const ota_system_t *sys = &g->sys.system;
    sys->ops->watchdog_arm(sys->ctx, 30000);
    assert_int_equal(sys->ops->guard_protect(sys->ctx), OTA_FLASH_OK);
    ota_guard_values_t up = {9, 0};
    assert_int_equal(ota_guard_raise(&g->guard, &up), OTA_GUARD_ERR_FLASH);
    assert_int_equal(g->guard.flash_status, OTA_FLASH_ERR_PROTECTED);
    const ota_flash_t *app_view = ota_posix_system_internal(&g->sys);
    assert_int_equal(ota_flash_erase(app_view, g->sys.guard_offset, 4096), OTA_FLASH_ERR_PROTECTED);
    uint8_t zeros[16] = {0};
    assert_int_equal(ota_flash_program(app_view, g->sys.guard_offset + 4096 - 16, zeros, 16),
                     OTA_FLASH_ERR_PROTECTED);
    assert_int_equal(ota_guard_mount(&g->guard, sys->guard_flash), OTA_GUARD_OK);
    assert_int_equal(g->guard.values.security_counter, 1);
    sys->ops->reset(sys->ctx);
    assert_false(g->sys.locked);
    assert_false(g->sys.watchdog_armed);
    assert_int_equal(ota_guard_raise(&g->guard, &up), OTA_GUARD_OK);
    close_board(g);
}

/* ota_boot_start on the host system port: mount everything as a power-on does, then start. */
static ota_boot_status_t start(guarded_t *g, const ota_system_t *sys)
{
    ota_posix_system_set_locked(&g->sys, false);
    assert_int_equal(ota_guard_mount(&g->guard, g->sys.system.guard_flash), OTA_GUARD_OK);
    assert_int_equal(boot_fixture_mount(g->fx), OTA_STORE_OK);
    return ota_boot_start(&g->fx->boot, &g->fx->config, sys, 5000,
                          ota_sim_flash_port(&g->fx->internal), &g->fx->store, NULL, NULL,
                          &g->fx->report);
}

/* The bootloader arms the watchdog and write-protects the guard before it starts the
 * application; the application then cannot write the guard. */
static void test_start_arms_watchdog_and_protects_guard_before_jump(void **unused)
{
    (void)unused;
    guarded_t *g = board();
    assert_int_equal(start(g, &g->sys.system), OTA_BOOT_OK);
    assert_true(g->sys.watchdog_armed);
    assert_int_equal(g->sys.watchdog_ms, 5000);
    assert_true(g->sys.locked);
    assert_int_equal(g->sys.jumps, 1);
    assert_int_equal(g->sys.jump_offset, g->fx->config.app_offset);
    /* The application, through the only internal flash it gets. */
    const ota_flash_t *app_view = ota_posix_system_internal(&g->sys);
    assert_int_equal(ota_flash_erase(app_view, g->sys.guard_offset, 4096), OTA_FLASH_ERR_PROTECTED);
    ota_guard_values_t up = {9, 0x3};
    assert_int_equal(ota_guard_raise(&g->guard, &up), OTA_GUARD_ERR_FLASH);
    assert_int_equal(ota_guard_mount(&g->guard, g->sys.system.guard_flash), OTA_GUARD_OK);
    assert_int_equal(g->guard.values.security_counter, 1);
    close_board(g);
}

static bool protect_fails_called;
static ota_flash_status_t protect_fails(void *ctx)
{
    (void)ctx;
    protect_fails_called = true;
    return OTA_FLASH_ERR_IO;
}

/* No jump when nothing can boot, when the guard cannot be protected, or when the guard is
 * not mounted (the floor is unknown). */
static void test_start_does_not_jump_unless_protected(void **unused)
{
    (void)unused;
    guarded_t *g = board();
    ota_system_ops_t ops = *g->sys.system.ops;
    ops.guard_protect = protect_fails;
    ota_system_t bad = g->sys.system;
    bad.ops = &ops;
    assert_int_equal(start(g, &bad), OTA_BOOT_ERR_FLASH);
    assert_true(protect_fails_called);
    assert_int_equal(g->fx->report.flash_status, OTA_FLASH_ERR_IO);
    assert_int_equal(g->sys.jumps, 0);

    assert_int_equal(boot_fixture_mount(g->fx), OTA_STORE_OK);
    g->guard.mounted = false;
    assert_int_equal(ota_boot_start(&g->fx->boot, &g->fx->config, &g->sys.system, 0,
                                    ota_sim_flash_port(&g->fx->internal), &g->fx->store, NULL,
                                    NULL, &g->fx->report),
                     OTA_BOOT_ERR_FLASH);
    assert_int_equal(g->sys.jumps, 0);

    const ota_flash_t *in = ota_sim_flash_port(&g->fx->internal);
    for (uint32_t off = 0; off < IMG_CAP; off += 4096) { /* the application region lost */
        assert_int_equal(ota_flash_erase(in, g->fx->config.app_offset + off, 4096), OTA_FLASH_OK);
    }
    erase_journal(g); /* and no copy left in the store */
    assert_int_equal(start(g, &g->sys.system), OTA_BOOT_ERR_NO_IMAGE);
    assert_false(g->sys.locked);
    assert_int_equal(g->sys.jumps, 0);
    close_board(g);
}

/* Guard log ------------------------------------------------------------------------------ */

typedef struct log_rig {
    ota_sim_power_t power;
    ota_sim_flash_t flash;
    ota_posix_system_t sys;
    ota_guard_t guard;
} log_rig_t;

static log_rig_t *rig_open(void)
{
    log_rig_t *r = calloc(1, sizeof *r);
    assert_non_null(r);
    ota_sim_power_init(&r->power);
    assert_int_equal(ota_sim_flash_open_ram(&r->flash, ota_sim_preset("pic32mzw1-pfm"), NULL,
                                            &r->power),
                     OTA_FLASH_OK);
    assert_int_equal(ota_posix_system_init(&r->sys, ota_sim_flash_port(&r->flash), 0x20000u), 0);
    return r;
}

static void rig_close(log_rig_t *r)
{
    ota_sim_flash_close(&r->flash);
    free(r);
}

static ota_guard_values_t rig_mount(log_rig_t *r)
{
    if (r->power.dead) {
        ota_sim_power_on(&r->power);
    }
    assert_int_equal(ota_guard_mount(&r->guard, r->sys.system.guard_flash), OTA_GUARD_OK);
    return r->guard.values;
}

static void test_log_rises_and_never_lowers(void **unused)
{
    (void)unused;
    log_rig_t *r = rig_open();
    rig_mount(r);
    assert_int_equal(ota_guard_kind(&r->guard), OTA_GUARD_ERASED);
    ota_guard_values_t v = {5, 0x4};
    assert_int_equal(ota_guard_raise(&r->guard, &v), OTA_GUARD_OK);
    ota_guard_values_t low = {3, 0x1};
    assert_int_equal(ota_guard_raise(&r->guard, &low), OTA_GUARD_OK);
    ota_guard_values_t got = rig_mount(r);
    assert_int_equal(ota_guard_kind(&r->guard), OTA_GUARD_RECORD);
    assert_int_equal(got.security_counter, 5);
    assert_int_equal(got.revoked_keys, 0x5);
    /* Far more raises than one unit holds (4096 / 32 = 128): the log moves between units. */
    for (uint32_t i = 6; i < 600; i++) {
        ota_guard_values_t up = {i, 0x5};
        assert_int_equal(ota_guard_raise(&r->guard, &up), OTA_GUARD_OK);
        if (i % 97 == 0) {
            assert_int_equal(rig_mount(r).security_counter, i);
        }
    }
    assert_int_equal(rig_mount(r).security_counter, 599);
    assert_true(ota_sim_flash_stats(&r->flash).erases >= 4);
    rig_close(r);
}

static void test_log_torn_first_write_is_garbage(void **unused)
{
    (void)unused;
    log_rig_t *r = rig_open();
    rig_mount(r);
    ota_sim_power_arm(&r->power, r->power.ops + 2, OTA_SIM_CUT_TORN, 3); /* erase, program */
    ota_guard_values_t v = {4, 0};
    assert_int_equal(ota_guard_raise(&r->guard, &v), OTA_GUARD_ERR_FLASH);
    /* A torn program may also complete; the one this seed tears does not. */
    rig_mount(r);
    assert_int_equal(ota_guard_kind(&r->guard), OTA_GUARD_GARBAGE);
    assert_int_equal(ota_guard_raise(&r->guard, &v), OTA_GUARD_OK);
    assert_int_equal(rig_mount(r).security_counter, 4);
    rig_close(r);
}

/* A raise whose read-back failed may have left its record in flash; a raise made after it
 * without a remount is acknowledged, so the next mount must read that one, not the older
 * record before it (which once had the same sequence number and, found first, won). */
static void test_log_acknowledged_raise_outnumbers_unread_record(void **unused)
{
    (void)unused;
    log_rig_t *r = rig_open();
    faulty_domain_t domain;
    memset(&domain, 0, sizeof domain);
    faulty_flash_t dev;
    faulty_flash_wrap(&dev, &domain, r->sys.system.guard_flash);
    assert_int_equal(ota_guard_mount(&r->guard, &dev.port), OTA_GUARD_OK);
    ota_guard_values_t first = {5, 0};
    assert_int_equal(ota_guard_raise(&r->guard, &first), OTA_GUARD_OK);
    ota_guard_values_t unread = {6, 0};
    domain.fail_at = domain.ops + 2u; /* the program takes, its read-back fails */
    assert_int_equal(ota_guard_raise(&r->guard, &unread), OTA_GUARD_ERR_FLASH);
    ota_guard_values_t revoke = {5, 0x2};
    assert_int_equal(ota_guard_raise(&r->guard, &revoke), OTA_GUARD_OK);
    ota_guard_values_t got = rig_mount(r);
    assert_int_equal(got.security_counter, 5);
    assert_int_equal(got.revoked_keys, 0x2);
    rig_close(r);
}

/* A torn append that a later mount reads right after all (a weak bit): the record acknowledged
 * after the remount that saw it torn must still win over it. */
static void test_log_torn_record_read_right_later_loses(void **unused)
{
    (void)unused;
    log_rig_t *r = rig_open();
    rig_mount(r);
    ota_guard_values_t first = {5, 0};
    assert_int_equal(ota_guard_raise(&r->guard, &first), OTA_GUARD_OK);
    uint8_t *torn_at = ota_sim_flash_raw(&r->flash) + r->sys.guard_offset +
                       (uint32_t)r->guard.unit * r->sys.guard_size / 2u + r->guard.next_pos;
    ota_sim_power_arm(&r->power, r->power.ops + 1, OTA_SIM_CUT_TORN, 1); /* the program */
    ota_guard_values_t torn = {6, 0};
    assert_int_equal(ota_guard_raise(&r->guard, &torn), OTA_GUARD_ERR_FLASH);
    uint8_t intended[OTA_GUARD_RECORD_BUF];
    memcpy(intended, r->guard.rec, sizeof intended);
    assert_int_equal(rig_mount(r).security_counter, 5); /* torn: not a valid record, */
    bool written = false;                                /* but not erased either */
    for (uint32_t i = 0; i < r->guard.record_size; i++) {
        written = written || torn_at[i] != 0xFFu;
    }
    assert_true(written);
    ota_guard_values_t revoke = {5, 0x2};
    assert_int_equal(ota_guard_raise(&r->guard, &revoke), OTA_GUARD_OK);
    memcpy(torn_at, intended, r->guard.record_size); /* the weak cell now reads right */
    ota_guard_values_t got = rig_mount(r);
    assert_int_equal(got.security_counter, 5);
    assert_int_equal(got.revoked_keys, 0x2);
    rig_close(r);
}

/* A power cut at every flash operation of a raise, before / after / torn, at fill levels
 * that append in place, fill the last position, and move to the other unit: after power-on
 * the guard holds the old values or the new ones, never less than the old; a retry reaches
 * the new ones. */
static void test_log_power_cut_sweep(void **unused)
{
    (void)unused;
    const uint32_t fills[] = {0, 1, 60, 126, 127, 128, 200, 255, 256};
    const ota_sim_cut_mode_t modes[] = {OTA_SIM_CUT_BEFORE, OTA_SIM_CUT_AFTER, OTA_SIM_CUT_TORN};
    unsigned cases = 0;
    for (size_t f = 0; f < sizeof fills / sizeof fills[0]; f++) {
        for (size_t m = 0; m < 3; m++) {
            for (uint64_t cut = 1;; cut++) {
                log_rig_t *r = rig_open();
                rig_mount(r);
                for (uint32_t i = 1; i <= fills[f]; i++) {
                    ota_guard_values_t up = {i, i & 1u};
                    assert_int_equal(ota_guard_raise(&r->guard, &up), OTA_GUARD_OK);
                }
                ota_guard_values_t old = rig_mount(r);
                ota_guard_values_t want = {fills[f] + 10u, old.revoked_keys | 0x8u};
                uint64_t base = r->power.ops;
                ota_sim_power_arm(&r->power, base + cut, modes[m], cut * 7u + f);
                ota_guard_status_t st = ota_guard_raise(&r->guard, &want);
                bool fired = r->power.dead;
                ota_guard_values_t got = rig_mount(r);
                cases++;
                bool is_old = got.security_counter == old.security_counter &&
                              got.revoked_keys == old.revoked_keys;
                bool is_new = got.security_counter == want.security_counter &&
                              got.revoked_keys == want.revoked_keys;
                if (!(is_old || is_new) || (st == OTA_GUARD_OK && !is_new) ||
                    (fills[f] > 0 && ota_guard_kind(&r->guard) != OTA_GUARD_RECORD)) {
                    fail_msg("fill %u mode %zu cut %llu: got %u/%u (old %u/%u new %u/%u)",
                             (unsigned)fills[f], m, (unsigned long long)cut,
                             (unsigned)got.security_counter, (unsigned)got.revoked_keys,
                             (unsigned)old.security_counter, (unsigned)old.revoked_keys,
                             (unsigned)want.security_counter, (unsigned)want.revoked_keys);
                }
                assert_int_equal(ota_guard_raise(&r->guard, &want), OTA_GUARD_OK);
                assert_int_equal(rig_mount(r).security_counter, want.security_counter);
                rig_close(r);
                if (!fired) {
                    break; /* the raise finished before the cut point: every op was covered */
                }
            }
        }
    }
    printf("guard power-cut sweep: %u cases\n", cases);
}

/* Hole 5a ---------------------------------------------------------------------------------- */

static void test_check_refuses_header_changed_between_reads(void **unused)
{
    (void)unused;
    boot_fixture_t *fx = boot_fixture_open();
    static uint8_t good[IMG_CAP], other[IMG_CAP];
    uint32_t n = boot_fixture_image(good, IMG, 2, 0);
    memcpy(other, good, n);
    /* The other header claims a higher counter: parsed it would pass a floor the image's
     * own hash does not vouch for. */
    other[OTA_IMAGE_OFF_SECURITY_COUNTER] ^= 0x40;
    fx->boot.store = &fx->store;
    fx->boot.internal = ota_sim_flash_port(&fx->internal);
    fx->boot.report = &fx->report;
    ota_boot_config_default(&fx->boot.config);
    test_two_faced_t t = {other, good, n, 0};
    ota_image_source_t src = {test_two_faced_read, &t, n};
    const char *why = "";
    assert_int_equal(boot_check_image(&fx->boot, &src, BOOT_HASH, NULL, 0, &why), BOOT_CHECK_BAD);
    assert_string_equal(why, "header changed while it was read");
    t = (test_two_faced_t){good, good, n, 0};
    assert_int_equal(boot_check_image(&fx->boot, &src, BOOT_HASH, NULL, 0, &why), BOOT_CHECK_OK);
    boot_fixture_close(fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_erased_journal_does_not_reopen_rollback),
        cmocka_unit_test(test_forged_journal_counter_does_not_brick),
        cmocka_unit_test(test_erased_journal_forgets_sequence_and_rejected),
        cmocka_unit_test(test_rotation_revokes_old_key),
        cmocka_unit_test(test_self_revocation_refused),
        cmocka_unit_test(test_write_protect_until_reset),
        cmocka_unit_test(test_start_arms_watchdog_and_protects_guard_before_jump),
        cmocka_unit_test(test_start_does_not_jump_unless_protected),
        cmocka_unit_test(test_log_rises_and_never_lowers),
        cmocka_unit_test(test_log_torn_first_write_is_garbage),
        cmocka_unit_test(test_log_acknowledged_raise_outnumbers_unread_record),
        cmocka_unit_test(test_log_torn_record_read_right_later_loses),
        cmocka_unit_test(test_log_power_cut_sweep),
        cmocka_unit_test(test_check_refuses_header_changed_between_reads),
    };
    return cmocka_run_group_tests(tests, make_keys, free_keys);
}
