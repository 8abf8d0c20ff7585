/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The core built lean, as a small bootloader links it (CMakeLists.txt compiles this test and
 * the core with OTA_BOOT_LOG 0 and OTA_SIGNATURES 0; docs/configuration.md, docs/security.md):
 * it has no signature algorithm and says so instead of checking anything, it refuses a store
 * config that asks for signatures, it checks images by SHA-256 alone (a signature TLV is
 * neither required nor trusted), and the bootloader never writes a console line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "boot_fixture.h"
#include "le_bytes.h"
#include "otaflow/crypto.h"
#include "otaflow/image_sig.h"
#include "otaflow/manifest_sig.h"
#include "sign_key.h"
#include "test_keys.h"

_Static_assert(OTA_SIGNATURES == 0 && OTA_BOOT_LOG == 0 && OTA_IMAGE_BOOT_PARSE == 1,
               "built with the lean options");

#define IMG 20000u
#define IMG_CAP (IMG + 256u)

static tool_key_t key;
static ota_sig_key_t trusted[1];
static const ota_sig_keyring_t ring = {.keys = trusted, .count = 1};
static uint8_t v1[IMG_CAP], v2[IMG_CAP];
static unsigned log_calls;

/* One trusted key: what a signing device would be configured with. */
static int make_key(void **unused)
{
    (void)unused;
    char why[128];
    if (tool_key_generate(&key, why, sizeof why) != 0) {
        return -1;
    }
    tool_key_trust(&key, &trusted[0]);
    return 0;
}

static int free_key(void **unused)
{
    (void)unused;
    tool_key_free(&key);
    return 0;
}

static uint32_t signed_image(uint8_t *buf, uint32_t version)
{
    uint32_t size = boot_fixture_image(buf, IMG, version, version * 100u);
    size = test_keys_sign_image(&key, buf, size, IMG_CAP);
    assert_true(size > 0);
    return size;
}

/* Where the image's ECDSA signature lies (test_keys_sign_image wrote its TLV), found by a walk
 * of the TLVs here: the lean core's parse (OTA_IMAGE_BOOT_PARSE) skips a signature this build
 * cannot verify. */
static uint32_t signature_at(const uint8_t *img, uint32_t n, uint16_t *len)
{
    uint32_t pos = OTA_IMAGE_HEADER_SIZE + ota_le32_get(img + OTA_IMAGE_OFF_PAYLOAD_SIZE) +
                   OTA_IMAGE_TLV_INFO_SIZE;
    while (pos + OTA_IMAGE_TLV_ENTRY_HDR <= n) {
        *len = ota_le16_get(img + pos + 2u);
        pos += OTA_IMAGE_TLV_ENTRY_HDR;
        if (ota_le16_get(img + pos - OTA_IMAGE_TLV_ENTRY_HDR) == OTA_IMAGE_TLV_ECDSA_P256) {
            return pos;
        }
        pos += *len;
    }
    fail_msg("no signature TLV");
    return 0;
}

static void count_line(void *ctx, const char *line)
{
    (void)ctx;
    (void)line;
    log_calls++;
}

/* A store that would require signatures cannot be mounted: nothing pretends to check them. */
static void test_trusted_keys_refused_at_mount(void **unused)
{
    (void)unused;
    boot_fixture_t *fx = boot_fixture_open();
    fx->store_config.trusted_keys = &ring;
    assert_int_equal(boot_fixture_mount(fx), OTA_STORE_ERR_NO_SIGNATURES);
    assert_false(fx->store.mounted);
    assert_string_equal(ota_store_status_str(OTA_STORE_ERR_NO_SIGNATURES),
                        "trusted keys, but built without signatures");
    /* The bootloader then decides nothing. */
    assert_int_equal(ota_boot_run(&fx->boot, &fx->config, ota_sim_flash_port(&fx->internal),
                                  &fx->store, NULL, NULL, &fx->report),
                     OTA_BOOT_ERR_STORE);
    assert_int_equal(fx->report.store_status, OTA_STORE_ERR_NOT_MOUNTED);
    boot_fixture_close(fx);
}

/* No algorithm is compiled in: a correct signature by a trusted key is not "verified". */
static void test_no_algorithm_verifies(void **unused)
{
    (void)unused;
    assert_false(ota_sig_alg_supported(OTA_SIG_ALG_ECDSA_P256));
    uint32_t n = signed_image(v1, 1);
    ota_image_source_t src;
    ota_image_buffer_t mem;
    ota_image_source_buffer(&src, &mem, v1, n);
    ota_image_info_t info;
    uint8_t work[OTA_SIG_MAX_SIZE];
    ota_image_status_t ist = OTA_IMAGE_ERR_ARG;
    /* The bootloader's parse does not even read a signature this build cannot verify. */
    assert_int_equal(ota_image_sig_verify(&src, &ring, &info, work, sizeof work, &ist),
                     OTA_SIG_ERR_UNSIGNED);
    assert_int_equal(ist, OTA_IMAGE_OK);
    assert_false(info.has_signature);
    uint16_t sig_len = 0;
    uint32_t sig_at = signature_at(v1, n, &sig_len);
    assert_int_equal(ota_sig_verify(OTA_SIG_ALG_ECDSA_P256, trusted[0].key, trusted[0].key_len,
                                    info.sha256, v1 + sig_at, sig_len),
                     OTA_CRYPTO_ERR_ALG);
    /* Nor is a manifest signed by the trusted key (docs/security.md: no verdict, never OK). */
    static const char manifest[] = "{\"ota\":[]}";
    uint8_t msig[OTA_MANIFEST_SIG_MAX];
    size_t msig_len = test_keys_sign_manifest(&key, manifest, sizeof manifest - 1u, msig);
    assert_true(msig_len > 0);
    assert_int_equal(ota_manifest_sig_verify(manifest, sizeof manifest - 1u, msig, msig_len, &ring),
                     OTA_MANIFEST_SIG_ERR_CRYPTO);
}

/* Signed images boot as any image does: by their SHA-256 (the signature TLV is skipped, even
 * a broken one); an image whose hash does not match is still refused. Not one console line. */
static void test_images_checked_by_hash_alone(void **unused)
{
    (void)unused;
    boot_fixture_t *fx = boot_fixture_open();
    uint32_t n1 = signed_image(v1, 1);
    boot_fixture_program(fx, v1, n1);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_true(fx->report.factory_saved);
    assert_int_equal(fx->report.version, 1);

    /* v2 with its signature's last byte changed: not a valid signature, still installed. */
    uint32_t n2 = signed_image(v2, 2);
    uint16_t sig_len = 0;
    uint32_t sig_at = signature_at(v2, n2, &sig_len);
    v2[sig_at + sig_len - 1u] ^= 0x01u;
    assert_int_not_equal(boot_fixture_stage_update(fx, v2, n2, 2), OTA_STORE_SLOT_NONE);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_true(fx->report.installed);
    assert_true(fx->report.trial);
    assert_int_equal(fx->report.version, 2);
    assert_int_equal(boot_fixture_internal_version(fx), 2);
    assert_int_equal(fx->log_lines, 0u);

    /* A payload byte flipped in the slot after it was stored: the hash refuses it. */
    assert_int_equal(ota_confirm(&fx->store, ota_sim_flash_port(&fx->internal), &fx->config),
                     OTA_BOOT_OK);
    uint32_t n3 = signed_image(v1, 3);
    uint8_t slot = boot_fixture_stage_update(fx, v1, n3, 3);
    assert_int_not_equal(slot, OTA_STORE_SLOT_NONE);
    ota_sim_flash_raw(&fx->external)[ota_store_slot_addr(&fx->store, slot) + 1000u] ^= 0x01;
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_true(fx->report.slot_refused);
    assert_false(fx->report.installed);
    assert_int_equal(fx->report.version, 2);
    assert_int_equal(fx->log_lines, 0u);
    boot_fixture_close(fx);
}

/* ota_boot_run never calls the log it is given, whatever it decides. */
static void test_log_never_called(void **unused)
{
    (void)unused;
    boot_fixture_t *fx = boot_fixture_open();
    uint32_t n1 = signed_image(v1, 1);
    boot_fixture_program(fx, v1, n1);
    log_calls = 0;
    assert_int_equal(boot_fixture_mount(fx), OTA_STORE_OK);
    assert_int_equal(ota_boot_run(&fx->boot, &fx->config, ota_sim_flash_port(&fx->internal),
                                  &fx->store, count_line, NULL, &fx->report),
                     OTA_BOOT_OK);
    assert_true(fx->report.factory_saved);
    /* The application image damaged: restored from the factory copy, without a word. */
    ota_sim_flash_raw(&fx->internal)[fx->config.app_offset + 100u] ^= 0x01;
    assert_int_equal(ota_boot_run(&fx->boot, &fx->config, ota_sim_flash_port(&fx->internal),
                                  &fx->store, count_line, NULL, &fx->report),
                     OTA_BOOT_OK);
    assert_true(fx->report.repaired);
    assert_int_equal(log_calls, 0u);
    boot_fixture_close(fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trusted_keys_refused_at_mount),
        cmocka_unit_test(test_no_algorithm_verifies),
        cmocka_unit_test(test_images_checked_by_hash_alone),
        cmocka_unit_test(test_log_never_called),
    };
    return cmocka_run_group_tests(tests, make_key, free_key);
}
