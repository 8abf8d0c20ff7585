/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Encrypted images on the simulated board (internal program flash + external SST26): the
 * agent's store keeps the ciphertext, the bootloader decrypts it into internal flash only,
 * refuses another device's image, a changed key wrap and a changed ciphertext before it
 * erases anything, keeps the factory copy encrypted, and survives a power cut at every flash
 * operation of a decrypting install. Images are encrypted by the code of `otaflow-image pack
 * --encrypt-to` (OpenSSL) and decrypted by the core's (the crypto port), so every install
 * also checks that the two agree byte for byte.
 */
#define _GNU_SOURCE /* memmem */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "boot_fixture.h"
#include "enc_image.h"
#include "otaflow/image_enc.h"

#define IMG 20000u
#define CAP (IMG + 512u)

static enc_test_key_t keys[2]; /* [0] this device's, [1] another device's */
static uint8_t v1[CAP], v2_plain[CAP], v2_enc[CAP], v2_installed[CAP];
static uint32_t v1_len, v2_plain_len, v2_len;

static int setup_keys(void **unused)
{
    (void)unused;
    return enc_test_keys_make(keys, 2);
}

static int free_keys(void **unused)
{
    (void)unused;
    enc_test_keys_free(keys, 2);
    return 0;
}

/* v2 with a pseudo-random payload (no run of it is in v1's pattern), encrypted for key k. */
static void make_v2(unsigned k)
{
    v2_plain_len = boot_fixture_image(v2_plain, IMG, 2, 0);
    uint32_t payload = v2_plain_len - OTA_IMAGE_HEADER_SIZE - OTA_IMAGE_TLV_INFO_SIZE -
                       OTA_IMAGE_TLV_ENTRY_HDR - OTA_SHA256_SIZE;
    uint32_t x = 0x9E3779B9u;
    for (uint32_t i = 0; i < payload; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        v2_plain[OTA_IMAGE_HEADER_SIZE + i] = (uint8_t)x;
    }
    /* The SHA-256 TLV is the fixture image's only entry. */
    uint8_t *sha = v2_plain + OTA_IMAGE_HEADER_SIZE + payload + OTA_IMAGE_TLV_INFO_SIZE +
                   OTA_IMAGE_TLV_ENTRY_HDR;
    assert_int_equal(ota_sha256(v2_plain, OTA_IMAGE_HEADER_SIZE + payload, sha), OTA_CRYPTO_OK);
    v2_len = enc_test_encrypt(&keys[k], v2_plain, v2_plain_len, v2_enc, v2_installed, CAP);
    assert_true(v2_len > v2_plain_len);
}

/* A board factory-programmed with plain v1, booted once; the bootloader holds key 0. */
static boot_fixture_t *board(void)
{
    boot_fixture_t *fx = boot_fixture_open();
    fx->config.decrypt_key = &keys[0].key;
    v1_len = boot_fixture_image(v1, IMG, 1, 0);
    boot_fixture_program(fx, v1, v1_len);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    return fx;
}

/* Whether any 64-byte run of v2's plaintext payload is anywhere on the external flash. */
static bool external_holds_plaintext(boot_fixture_t *fx)
{
    const uint8_t *ext = ota_sim_flash_raw(&fx->external);
    size_t size = ota_sim_flash_port(&fx->external)->geometry.size;
    for (uint32_t at = OTA_IMAGE_HEADER_SIZE; at + 64u <= v2_plain_len - 64u; at += 4096u) {
        if (memmem(ext, size, v2_plain + at, 64) != NULL) {
            return true;
        }
    }
    return false;
}

static void test_ctr_from_any_offset(void **unused)
{
    (void)unused;
    /* A resumed install decrypts from where it stands: any split gives the same stream. */
    static const uint8_t key[16] = {1, 2, 3}, nonce[12] = {9, 8, 7};
    uint8_t whole[300] = {0}, parts[300] = {0};
    assert_int_equal(ota_aes128_ctr(key, nonce, 5, whole, sizeof whole), OTA_CRYPTO_OK);
    static const uint32_t cuts[] = {0, 1, 15, 16, 17, 40, 131, 255, 300};
    for (size_t i = 0; i + 1 < sizeof cuts / sizeof cuts[0]; i++) {
        assert_int_equal(ota_aes128_ctr(key, nonce, 5 + cuts[i], parts + cuts[i],
                                        cuts[i + 1] - cuts[i]),
                         OTA_CRYPTO_OK);
    }
    assert_memory_equal(whole, parts, sizeof whole);
    assert_int_equal(ota_aes128_ctr(key, nonce, UINT32_MAX, whole, 2), OTA_CRYPTO_ERR_ARG);
}

static void test_encrypted_update_installed(void **unused)
{
    (void)unused;
    make_v2(0);
    boot_fixture_t *fx = board();
    /* The store takes the ciphertext: its digest is of the file as served. */
    uint8_t slot = boot_fixture_stage_update(fx, v2_enc, v2_len, 2);
    assert_int_not_equal(slot, OTA_STORE_SLOT_NONE);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_true(fx->report.installed);
    assert_int_equal(fx->report.version, 2);
    /* Internal flash holds the plaintext, the slot still the ciphertext, and no plaintext
     * ever reached the external flash. */
    assert_true(boot_fixture_internal_holds(fx, v2_installed, v2_len));
    assert_int_equal(boot_fixture_internal_version(fx), 2);
    uint8_t back[CAP];
    assert_int_equal(ota_store_slot_read(&fx->store, slot, 0, back, v2_len), OTA_STORE_OK);
    assert_memory_equal(back, v2_enc, v2_len);
    assert_false(external_holds_plaintext(fx));
    /* No content key is left in the bootloader's memory for the application. */
    static const ota_image_enc_t wiped;
    assert_memory_equal(&fx->boot.enc, &wiped, sizeof wiped);
    /* Later boots hash the running (plaintext) image, as for any image. */
    assert_int_equal(ota_confirm(&fx->store, ota_sim_flash_port(&fx->internal), &fx->config),
                     OTA_BOOT_OK);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_int_equal(fx->report.version, 2);
    boot_fixture_close(fx);
}

/* v2's file changed by change(), staged (its digest taken as served), refused at boot with
 * reason before internal flash is erased or programmed. */
static void refused(void (*change)(uint8_t *img), const ota_enc_key_t *boot_key,
                    const char *reason)
{
    boot_fixture_t *fx = board();
    fx->config.decrypt_key = boot_key;
    if (change != NULL) {
        change(v2_enc);
    }
    assert_int_not_equal(boot_fixture_stage_update(fx, v2_enc, v2_len, 2), OTA_STORE_SLOT_NONE);
    ota_sim_stats_t before = ota_sim_flash_stats(&fx->internal);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_true(fx->report.slot_refused);
    assert_false(fx->report.installed);
    assert_int_equal(fx->report.version, 1);
    char line[160];
    snprintf(line, sizeof line, "boot: slot 1 (v2) refused: %s; not installed", reason);
    assert_true(BOOT_SAID(fx, line));
    ota_sim_stats_t after = ota_sim_flash_stats(&fx->internal);
    assert_int_equal(after.erases, before.erases);
    assert_int_equal(after.programs, before.programs);
    assert_int_equal(boot_fixture_internal_version(fx), 1);
    assert_int_equal(ota_store_slot(&fx->store, 1)->state, OTA_SLOT_EMPTY);
    boot_fixture_close(fx);
}

static void test_other_device_key_refused(void **unused)
{
    (void)unused;
    make_v2(1);
    refused(NULL, &keys[0].key, "encrypted for another device key");
}

static void test_no_key_refused(void **unused)
{
    (void)unused;
    make_v2(0);
    refused(NULL, NULL, "encrypted, and no decryption key configured");
}

static void flip_ciphertext(uint8_t *img)
{
    img[OTA_IMAGE_HEADER_SIZE + 12345u] ^= 0x20u;
}

static void test_tampered_ciphertext_refused(void **unused)
{
    (void)unused;
    make_v2(0);
    refused(flip_ciphertext, &keys[0].key, "hash mismatch");
}

/* Byte i of the ENC TLV's value (the last entry: it ends the image). */
static uint8_t *enc_value(uint8_t *img)
{
    return img + v2_len - OTA_IMAGE_ENC_TLV_SIZE;
}

static void flip_wrapped_key(uint8_t *img)
{
    enc_value(img)[OTA_IMAGE_ENC_OFF_WRAPPED] ^= 0x01u;
}

static void flip_ephemeral_key(uint8_t *img)
{
    enc_value(img)[OTA_IMAGE_ENC_OFF_EPHEMERAL + 20] ^= 0x01u;
}

static void test_tampered_key_wrap_refused(void **unused)
{
    (void)unused;
    make_v2(0);
    refused(flip_wrapped_key, &keys[0].key, "encryption key check failed");
    make_v2(0);
    refused(flip_ephemeral_key, &keys[0].key, "encryption key check failed");
}

static void test_first_boot_factory_copy_stays_encrypted(void **unused)
{
    (void)unused;
    /* A board programmed with an encrypted release as installed (plaintext payload, the ENC
     * TLV kept): its factory copy is the ciphertext file, byte for byte. */
    make_v2(0);
    boot_fixture_t *fx = boot_fixture_open();
    fx->config.decrypt_key = &keys[0].key;
    boot_fixture_program(fx, v2_installed, v2_len);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_true(fx->report.factory_saved);
    assert_int_equal(fx->report.version, 2);
    uint8_t back[CAP];
    assert_int_equal(ota_store_slot(&fx->store, OTA_STORE_FACTORY_SLOT)->size, v2_len);
    assert_int_equal(ota_store_slot_read(&fx->store, OTA_STORE_FACTORY_SLOT, 0, back, v2_len),
                     OTA_STORE_OK);
    assert_memory_equal(back, v2_enc, v2_len);
    assert_false(external_holds_plaintext(fx));
    boot_fixture_close(fx);
}

/* A board with plain v1 running and encrypted v2 staged, as a power-cut sweep starts it. */
static boot_fixture_t *staged(void)
{
    boot_fixture_t *fx = board();
    assert_int_not_equal(boot_fixture_stage_update(fx, v2_enc, v2_len, 2), OTA_STORE_SLOT_NONE);
    return fx;
}

static void test_power_cut_during_decrypting_install(void **unused)
{
    (void)unused;
    make_v2(0);
    boot_fixture_t *fx = staged();
    uint64_t base = fx->power.ops;
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    unsigned ops = (unsigned)(fx->power.ops - base);
    boot_fixture_close(fx);
    assert_true(ops > 4);
    boot_fixture_t *start = staged();
    fx = boot_fixture_open();
    unsigned failures = 0, cuts = 0;
    for (unsigned n = 1; n <= ops; n++) {
        for (int mode = OTA_SIM_CUT_BEFORE; mode <= OTA_SIM_CUT_TORN; mode++) {
            boot_fixture_clone(fx, start);
            ota_sim_power_arm(&fx->power, fx->power.ops + n, (ota_sim_cut_mode_t)mode, n * 7u + 1u);
            (void)boot_fixture_boot(fx);
            cuts++;
            /* The next power-ons resume (decrypting from where the copy stood) and end with
             * v2 installed, or v1 still running until the one after. */
            ota_boot_status_t st = OTA_BOOT_ERR_FLASH;
            for (unsigned i = 0; i < 4 && (st != OTA_BOOT_OK || fx->report.version != 2); i++) {
                st = boot_fixture_boot(fx);
            }
            bool ok = st == OTA_BOOT_OK && fx->report.version == 2 &&
                      boot_fixture_internal_holds(fx, v2_installed, v2_len) &&
                      !external_holds_plaintext(fx);
            if (!ok) {
                failures++;
                printf("cut at op %u/%u mode %d: status %s, running v%u\n", n, ops, mode,
                       ota_boot_status_str(st), (unsigned)fx->report.version);
            }
        }
    }
    boot_fixture_close(fx);
    boot_fixture_close(start);
    print_message("decrypting install: %u flash ops, %u cuts, %u failures\n", ops, cuts,
                  failures);
    assert_int_equal(failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ctr_from_any_offset),
        cmocka_unit_test(test_encrypted_update_installed),
        cmocka_unit_test(test_other_device_key_refused),
        cmocka_unit_test(test_no_key_refused),
        cmocka_unit_test(test_tampered_ciphertext_refused),
        cmocka_unit_test(test_tampered_key_wrap_refused),
        cmocka_unit_test(test_first_boot_factory_copy_stays_encrypted),
        cmocka_unit_test(test_power_cut_during_decrypting_install),
    };
    return cmocka_run_group_tests(tests, setup_keys, free_keys);
}
