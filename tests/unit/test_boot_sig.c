/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The bootloader with signed images and anti-rollback: it installs only images signed by a
 * trusted key, checks the internal copy the same way before booting it, and refuses any image
 * below the confirmed security counter, also on roll back and factory reset (the running
 * image then keeps running). Images come from the boot fixture (security counter = version);
 * keys are fresh P-256 keys from the host tool's key code.
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
#include "otaflow/image_sig.h"
#include "sign_key.h"
#include "test_keys.h"

#define IMG 20000u
#define IMG_CAP (IMG + 256u)

static tool_key_t key_a, key_b;
static ota_sig_key_t trusted[1];
static const ota_sig_keyring_t ring = {.keys = trusted, .count = 1};
static uint8_t v1[IMG_CAP], v2[IMG_CAP], v3[IMG_CAP];

static int make_keys(void **unused)
{
    (void)unused;
    return test_keys_make(&key_a, &key_b, &trusted[0]);
}

static int free_keys(void **unused)
{
    (void)unused;
    test_keys_free(&key_a, &key_b);
    return 0;
}

/* A fixture image of version (counter = version), signed by key (NULL: unsigned); its size. */
static uint32_t image(uint8_t *buf, uint32_t version, tool_key_t *key)
{
    uint32_t size = boot_fixture_image(buf, IMG, version, version * 100u);
    if (key == NULL) {
        return size;
    }
    size = test_keys_sign_image(key, buf, size, IMG_CAP);
    assert_true(size > 0);
    return size;
}

/* A board factory-programmed with v1 and booted once (factory copy saved). */
static boot_fixture_t *board(const ota_sig_keyring_t *keys, tool_key_t *v1_key)
{
    boot_fixture_t *fx = boot_fixture_open();
    fx->store_config.trusted_keys = keys;
    uint32_t n = image(v1, 1, v1_key);
    boot_fixture_program(fx, v1, n);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_true(fx->report.factory_saved);
    return fx;
}

static ota_boot_status_t confirm(boot_fixture_t *fx)
{
    return ota_confirm(&fx->store, ota_sim_flash_port(&fx->internal), &fx->config);
}

static const ota_store_boot_t *fields(boot_fixture_t *fx)
{
    return ota_store_boot(&fx->store);
}

/* Stage img as version with a store that does not require signatures (as an application built
 * without keys would), so that only the bootloader's own check stands in the way. */
static void stage_unchecked(boot_fixture_t *fx, const uint8_t *img, uint32_t len,
                            uint32_t version)
{
    fx->store_config.trusted_keys = NULL;
    assert_int_equal(ota_store_mount(&fx->store, ota_sim_flash_port(&fx->external),
                                     &fx->store_config),
                     OTA_STORE_OK);
    assert_int_not_equal(boot_fixture_stage_update(fx, img, len, version), OTA_STORE_SLOT_NONE);
    fx->store_config.trusted_keys = &ring;
}

/* Signatures ------------------------------------------------------------------------------ */

static void test_signed_update_installed(void **unused)
{
    (void)unused;
    boot_fixture_t *fx = board(&ring, &key_a);
    uint32_t n = image(v2, 2, &key_a);
    assert_int_not_equal(boot_fixture_stage_update(fx, v2, n, 2), OTA_STORE_SLOT_NONE);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_true(fx->report.installed);
    assert_int_equal(fx->report.version, 2);
    assert_int_equal(boot_fixture_internal_version(fx), 2);
    /* Each later boot checks the internal copy fully (signature included) and starts it. */
    assert_int_equal(confirm(fx), OTA_BOOT_OK);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_int_equal(fx->report.version, 2);
    boot_fixture_close(fx);
}

static void refused_slot(tool_key_t *key, const char *reason)
{
    boot_fixture_t *fx = board(&ring, &key_a);
    uint32_t n = image(v2, 2, key);
    stage_unchecked(fx, v2, n, 2);
    uint64_t erases = ota_sim_flash_stats(&fx->internal).erases;
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_true(fx->report.slot_refused);
    assert_false(fx->report.installed);
    assert_int_equal(fx->report.version, 1);
    char line[160];
    snprintf(line, sizeof line, "boot: slot 1 (v2) refused: %s; not installed", reason);
    assert_true(boot_fixture_said(fx, line));
    assert_int_equal(ota_sim_flash_stats(&fx->internal).erases, erases);
    assert_int_equal(boot_fixture_internal_version(fx), 1);
    assert_int_equal(ota_store_slot(&fx->store, 1)->state, OTA_SLOT_EMPTY);
    boot_fixture_close(fx);
}

static void test_unsigned_update_refused(void **unused)
{
    (void)unused;
    refused_slot(NULL, "image not signed");
}

static void test_update_signed_by_unknown_key_refused(void **unused)
{
    (void)unused;
    refused_slot(&key_b, "image signed by an unknown key");
}

/* Payload changed, image SHA-256 and the store's digest recomputed (whoever can write the
 * external flash and the journal could do that): only the signature is left to catch it. */
static void test_rehashed_update_refused_by_signature(void **unused)
{
    (void)unused;
    boot_fixture_t *fx = board(&ring, &key_a);
    uint32_t n = image(v2, 2, &key_a);
    v2[OTA_IMAGE_HEADER_SIZE + 50] ^= 0x33u;
    ota_image_buffer_t b;
    ota_image_source_t src;
    ota_image_info_t info;
    ota_image_source_buffer(&src, &b, v2, n);
    assert_int_equal(ota_image_parse(&src, &info), OTA_IMAGE_OK);
    ota_sha256(v2, info.tlv_offset,
               v2 + info.tlv_offset + OTA_IMAGE_TLV_INFO_SIZE + OTA_IMAGE_TLV_ENTRY_HDR);
    stage_unchecked(fx, v2, n, 2);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_true(boot_fixture_said(fx, "boot: slot 1 (v2) refused: bad signature; not installed"));
    assert_int_equal(boot_fixture_internal_version(fx), 1);
    boot_fixture_close(fx);
}

/* A board whose factory-programmed image is unsigned, with a bootloader that requires
 * signatures: nothing is booted, nothing saved as the factory image. */
static void test_unsigned_internal_image_not_booted(void **unused)
{
    (void)unused;
    boot_fixture_t *fx = boot_fixture_open();
    fx->store_config.trusted_keys = &ring;
    uint32_t n = image(v1, 1, NULL);
    boot_fixture_program(fx, v1, n);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_ERR_NO_IMAGE);
    assert_true(boot_fixture_said(fx, "boot: internal image invalid (image not signed)"));
    assert_false(fx->report.factory_saved);
    boot_fixture_close(fx);
}

/* Anti-rollback ---------------------------------------------------------------------------- */

/* v1 (counter 1) is the factory image; v2 (counter 2) installed and confirmed: the device's
 * counter is 2. */
static boot_fixture_t *board_with_v2_confirmed(void)
{
    boot_fixture_t *fx = board(NULL, NULL);
    uint32_t n = image(v2, 2, NULL);
    assert_int_not_equal(boot_fixture_stage_update(fx, v2, n, 2), OTA_STORE_SLOT_NONE);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_int_equal(confirm(fx), OTA_BOOT_OK);
    assert_int_equal(fields(fx)->security_counter, 2);
    return fx;
}

static void test_factory_image_below_counter_refused(void **unused)
{
    (void)unused;
    boot_fixture_t *fx = board_with_v2_confirmed();
    assert_int_equal(ota_store_factory_reset(&fx->store), OTA_STORE_OK);
    uint64_t erases = ota_sim_flash_stats(&fx->internal).erases;
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_true(boot_fixture_said(
        fx, "boot: slot 0 (v1) refused: security counter below the device's; not installed"));
    assert_false(fx->report.factory_reset);
    assert_int_equal(fx->report.version, 2);
    assert_int_equal(ota_sim_flash_stats(&fx->internal).erases, erases);
    assert_int_equal(boot_fixture_internal_version(fx), 2);
    assert_int_equal(fields(fx)->state, OTA_BOOT_CONFIRMED);
    assert_int_equal(fields(fx)->security_counter, 2);
    boot_fixture_close(fx);
}

static void test_rollback_below_counter_refused(void **unused)
{
    (void)unused;
    boot_fixture_t *fx = board_with_v2_confirmed();
    /* A manifest's EraseVer of the running v2 cannot ask for a roll back to v1 (counter
     * 1 < 2): the store refuses it. The application's roll back request can. */
    assert_int_equal(ota_store_erase_version(&fx->store, 2), OTA_STORE_ERR_BELOW_FLOOR);
    assert_int_equal(ota_store_rollback(&fx->store, false), OTA_STORE_OK);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_true(fx->report.slot_refused);
    assert_false(fx->report.rolled_back);
    assert_int_equal(fx->report.version, 2);
    assert_int_equal(boot_fixture_internal_version(fx), 2);
    boot_fixture_close(fx);
}

/* A failed trial still rolls back: the image replaced was confirmed, so it is at the counter. */
static void test_trial_rollback_to_confirmed_image_allowed(void **unused)
{
    (void)unused;
    boot_fixture_t *fx = board_with_v2_confirmed();
    uint32_t n = image(v3, 3, NULL);
    assert_int_not_equal(boot_fixture_stage_update(fx, v3, n, 3), OTA_STORE_SLOT_NONE);
    for (unsigned i = 0; i <= fx->config.max_attempts && fx->report.rejected_version == 0; i++) {
        assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    }
    assert_int_equal(fx->report.rejected_version, 3);
    assert_true(fx->report.rolled_back);
    assert_int_equal(fx->report.version, 2);
    assert_int_equal(boot_fixture_internal_version(fx), 2);
    boot_fixture_close(fx);
}

/* Time of check / time of use ---------------------------------------------------------- */

/* The internal flash as the bootloader sees it, with a hook after every program: the first
 * program of an install (the slot was verified just before) changes a byte of the image in
 * external flash, as an attacker with access to the SPI bus, or a failing part, would. */
typedef struct toctou {
    ota_flash_t real;
    boot_fixture_t *fx;
    uint32_t slot_addr;   /* external address of the slot being installed */
    uint32_t offset;      /* image byte to change */
    unsigned programs;
} toctou_t;

static ota_flash_status_t toctou_read(void *ctx, uint32_t addr, void *buf, uint32_t len)
{
    toctou_t *t = ctx;
    return ota_flash_read(&t->real, addr, buf, len);
}

static ota_flash_status_t toctou_program(void *ctx, uint32_t addr, const void *buf, uint32_t len)
{
    toctou_t *t = ctx;
    ota_flash_status_t st = ota_flash_program(&t->real, addr, buf, len);
    if (++t->programs == 1) {
        ota_sim_flash_raw(&t->fx->external)[t->slot_addr + t->offset] ^= 0x5A;
    }
    return st;
}

static ota_flash_status_t toctou_erase(void *ctx, uint32_t addr, uint32_t len)
{
    toctou_t *t = ctx;
    return t->real.ops->erase(t->real.ctx, addr, len);
}

static const ota_flash_ops_t toctou_ops = {toctou_read, toctou_program, toctou_erase};

/* The bootloader verifies the slot, then programs it: bytes changed in between must never
 * run. It checks the internal copy, as it will run, against the digest and signature it
 * verified (not against the slot again), so the changed copy is refused, and the next boot
 * refuses the slot and restores the image that ran before. */
static void test_image_changed_between_check_and_programming_never_boots(void **unused)
{
    (void)unused;
    boot_fixture_t *fx = board(&ring, &key_a);
    uint32_t n = image(v2, 2, &key_a);
    uint8_t slot = boot_fixture_stage_update(fx, v2, n, 2);
    assert_int_not_equal(slot, OTA_STORE_SLOT_NONE);

    toctou_t t = {.real = *ota_sim_flash_port(&fx->internal), .fx = fx,
                  .slot_addr = ota_store_slot_addr(&fx->store, slot), .offset = n - 200u};
    ota_flash_t hooked = {.ops = &toctou_ops, .ctx = &t, .geometry = t.real.geometry};
    assert_int_equal(ota_store_mount(&fx->store, ota_sim_flash_port(&fx->external),
                                     &fx->store_config),
                     OTA_STORE_OK);
    ota_boot_status_t st = ota_boot_run(&fx->boot, &fx->config, &hooked, &fx->store, NULL, NULL,
                                        &fx->report);
    assert_true(t.programs > 1); /* the change happened during programming */
    if (st == OTA_BOOT_OK) {
        /* Booting is only acceptable with exactly the verified bytes. */
        assert_true(boot_fixture_internal_holds(fx, v2, n));
    } else {
        assert_int_equal(st, OTA_BOOT_ERR_FLASH);
        assert_int_not_equal(boot_fixture_internal_version(fx), 2);
    }

    /* Next power-on: the slot no longer matches its digest: refused; v1 restored and run. */
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_true(fx->report.slot_refused);
    assert_int_equal(fx->report.version, 1);
    assert_int_equal(boot_fixture_internal_version(fx), 1);
    assert_int_equal(ota_store_slot(&fx->store, slot)->state, OTA_SLOT_EMPTY);
    boot_fixture_close(fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_signed_update_installed),
        cmocka_unit_test(test_unsigned_update_refused),
        cmocka_unit_test(test_update_signed_by_unknown_key_refused),
        cmocka_unit_test(test_rehashed_update_refused_by_signature),
        cmocka_unit_test(test_unsigned_internal_image_not_booted),
        cmocka_unit_test(test_factory_image_below_counter_refused),
        cmocka_unit_test(test_rollback_below_counter_refused),
        cmocka_unit_test(test_trial_rollback_to_confirmed_image_allowed),
        cmocka_unit_test(test_image_changed_between_check_and_programming_never_boots),
    };
    return cmocka_run_group_tests(tests, make_keys, free_keys);
}
