/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Signatures at their edges: a configuration that trusts no key (an empty keyring) is an
 * error everywhere, never "trust nothing, so accept unsigned" nor "trust everything"; a key
 * that is not a point of the curve, a signature that is not DER, a .sig of the wrong size or
 * magic, or missing arguments are each refused by name, and nothing is accepted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "otaflow/crypto.h"
#include "otaflow/image_sig.h"
#include "otaflow/manifest_sig.h"
#include "store_fixture.h"

#define IMG 3000u
#define P256 OTA_SIG_ALG_ECDSA_P256

static uint8_t img[IMG];

static const uint8_t hash[OTA_SHA256_SIZE] = {1, 2, 3};

/* A real P-256 point: the generator G, uncompressed. */
static const uint8_t g_point[OTA_ECDSA_P256_PUBKEY_SIZE] = {
    0x04, 0x6B, 0x17, 0xD1, 0xF2, 0xE1, 0x2C, 0x42, 0x47, 0xF8, 0xBC, 0xE6, 0xE5, 0x63, 0xA4,
    0x40, 0xF2, 0x77, 0x03, 0x7D, 0x81, 0x2D, 0xEB, 0x33, 0xA0, 0xF4, 0xA1, 0x39, 0x45, 0xD8,
    0x98, 0xC2, 0x96, 0x4F, 0xE3, 0x42, 0xE2, 0xFE, 0x1A, 0x7F, 0x9B, 0x8E, 0xE7, 0xEB, 0x4A,
    0x7C, 0x0F, 0x9E, 0x16, 0x2B, 0xCE, 0x33, 0x57, 0x6B, 0x31, 0x5E, 0xCE, 0xCB, 0xB6, 0x40,
    0x68, 0x37, 0xBF, 0x51, 0xF5};

/* A keyring trusting one "key" that is key with a bit of its point flipped: off the curve, so
 * no verification with it can be made. Lives until the next call. */
static const ota_sig_keyring_t *ring_of_a_broken_point(const ota_sig_key_t *key)
{
    static uint8_t point[sizeof g_point];
    static ota_sig_key_t broken;
    static ota_sig_keyring_t ring = {.keys = &broken, .count = 1};
    memcpy(point, key->key, sizeof point);
    point[10] ^= 0x40;
    broken = *key;
    broken.key = point;
    return &ring;
}

/* A DER signature (r = s = 1): well formed, and wrong for any key and hash. */
static const uint8_t der_sig[] = {0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01};

static void test_ecdsa_refusals_are_named(void **unused)
{
    (void)unused;
    assert_int_equal(ota_sig_verify(P256, NULL, 65, hash, der_sig, sizeof der_sig), OTA_CRYPTO_ERR_ARG);
    assert_int_equal(ota_sig_verify(P256, g_point, 65, hash, NULL, 8), OTA_CRYPTO_ERR_ARG);
    assert_int_equal(ota_sig_verify(P256, g_point, 65, hash, der_sig, 0), OTA_CRYPTO_ERR_SIG_FORMAT);
    static uint8_t long_sig[OTA_ECDSA_P256_SIG_MAX + 1];
    assert_int_equal(ota_sig_verify(P256, g_point, 65, hash, long_sig, sizeof long_sig),
                     OTA_CRYPTO_ERR_SIG_FORMAT);
    uint8_t compressed[OTA_ECDSA_P256_PUBKEY_SIZE];
    memcpy(compressed, g_point, sizeof compressed);
    compressed[0] = 0x02;
    assert_int_equal(ota_sig_verify(P256, compressed, 65, hash, der_sig, sizeof der_sig),
                     OTA_CRYPTO_ERR_KEY);
    uint8_t off_curve[OTA_ECDSA_P256_PUBKEY_SIZE];
    memcpy(off_curve, g_point, sizeof off_curve);
    off_curve[64] ^= 0x01;
    assert_int_equal(ota_sig_verify(P256, off_curve, 65, hash, der_sig, sizeof der_sig),
                     OTA_CRYPTO_ERR_KEY);
    assert_int_equal(ota_sig_verify(P256, g_point, 65, hash, der_sig, sizeof der_sig),
                     OTA_CRYPTO_ERR_BAD_SIGNATURE);
    const uint8_t not_der[] = {0x31, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01};
    assert_int_equal(ota_sig_verify(P256, g_point, 65, hash, not_der, sizeof not_der),
                     OTA_CRYPTO_ERR_SIG_FORMAT);
    assert_int_equal(ota_crypto_heap_init(NULL, 4096), OTA_CRYPTO_ERR_ARG);
}

static ota_crypto_status_t g_verify(const uint8_t *sig, size_t len)
{
    return ota_sig_verify(P256, g_point, sizeof g_point, hash, sig, len);
}

/* DER at its edges. A value no P-256 signature has (zero, negative, wider than the order) is
 * well formed: a bad signature with either backend. An encoding that is not DER (a redundant
 * leading zero, a long-form length, an empty INTEGER, a third element) is refused either way:
 * as malformed by the BearSSL backend's strict reader, as a bad signature by mbedTLS, which
 * reads it leniently and verifies before it looks at what follows s. */
static void test_der_edges(void **unused)
{
    (void)unused;
    const uint8_t zero_r[] = {0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x01};
    const uint8_t negative_s[] = {0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x80};
    uint8_t wide_r[2 + 2 + 33 + 3] = {0x30, 2 + 33 + 3, 0x02, 33, 0x01};
    wide_r[2 + 2 + 33] = 0x02;
    wide_r[2 + 2 + 33 + 1] = 0x01;
    wide_r[2 + 2 + 33 + 2] = 0x01;
    assert_int_equal(g_verify(zero_r, sizeof zero_r), OTA_CRYPTO_ERR_BAD_SIGNATURE);
    assert_int_equal(g_verify(negative_s, sizeof negative_s), OTA_CRYPTO_ERR_BAD_SIGNATURE);
    assert_int_equal(g_verify(wide_r, sizeof wide_r), OTA_CRYPTO_ERR_BAD_SIGNATURE);

    const uint8_t padded_r[] = {0x30, 0x07, 0x02, 0x02, 0x00, 0x01, 0x02, 0x01, 0x01};
    const uint8_t long_form[] = {0x30, 0x81, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01};
    const uint8_t empty_s[] = {0x30, 0x06, 0x02, 0x02, 0x01, 0x01, 0x02, 0x00};
    const uint8_t three[] = {0x30, 0x09, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01};
#if defined(OTA_TEST_CRYPTO_BEARSSL)
    const ota_crypto_status_t ber = OTA_CRYPTO_ERR_SIG_FORMAT;
#else
    const ota_crypto_status_t ber = OTA_CRYPTO_ERR_BAD_SIGNATURE;
#endif
    assert_int_equal(g_verify(padded_r, sizeof padded_r), ber);
    assert_int_equal(g_verify(long_form, sizeof long_form), ber);
    assert_int_equal(g_verify(empty_s, sizeof empty_s), ber);
    assert_int_equal(g_verify(three, sizeof three), ber);

    /* Structure: an INTEGER running past the SEQUENCE, another inner tag, no s at all. */
    const uint8_t overrun[] = {0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x02, 0x01, 0x01};
    const uint8_t r_only[] = {0x30, 0x06, 0x02, 0x04, 0x01, 0x02, 0x03, 0x04};
    const uint8_t octets[] = {0x30, 0x06, 0x02, 0x01, 0x01, 0x04, 0x01, 0x01};
    assert_int_equal(g_verify(overrun, sizeof overrun), OTA_CRYPTO_ERR_SIG_FORMAT);
    assert_int_equal(g_verify(octets, sizeof octets), OTA_CRYPTO_ERR_SIG_FORMAT);
    assert_int_equal(g_verify(r_only, sizeof r_only), OTA_CRYPTO_ERR_SIG_FORMAT);
}

static void test_empty_keyring_is_an_error_not_a_policy(void **unused)
{
    (void)unused;
    ota_sig_key_t key = {.alg = P256, .key = g_point, .key_len = sizeof g_point};
    const ota_sig_keyring_t none = {.keys = NULL, .count = 0};
    const ota_sig_keyring_t zero = {.keys = &key, .count = 0};
    const ota_sig_keyring_t one = {.keys = &key, .count = 1};

    /* An image, parsed (unsigned). */
    store_fixture_image(img, IMG, 2);
    ota_image_buffer_t b;
    ota_image_source_t src;
    ota_image_source_buffer(&src, &b, img, IMG);
    ota_image_info_t info;
    uint8_t work[256];
    assert_int_equal(ota_image_parse(&src, &info), OTA_IMAGE_OK);
    assert_int_equal(ota_image_sig_check(&src, &info, &one, work, sizeof work), OTA_SIG_ERR_UNSIGNED);
    assert_int_equal(ota_image_sig_check(&src, NULL, &one, work, sizeof work), OTA_SIG_ERR_ARG);
    assert_int_equal(ota_image_sig_check(&src, &info, &none, work, sizeof work), OTA_SIG_ERR_ARG);
    assert_int_equal(ota_image_sig_check(&src, &info, &zero, work, sizeof work), OTA_SIG_ERR_ARG);
    assert_int_equal(ota_image_sig_verify(&src, &zero, &info, work, sizeof work, NULL),
                     OTA_SIG_ERR_ARG);
    assert_int_equal(ota_image_sig_verify(NULL, &one, &info, work, sizeof work, NULL),
                     OTA_SIG_ERR_ARG);
    ota_image_status_t ist;
    assert_int_equal(ota_image_sig_verify(&src, &one, &info, work, sizeof work, &ist),
                     OTA_SIG_ERR_UNSIGNED);
    assert_int_equal(ist, OTA_IMAGE_OK);
    assert_int_equal(ota_image_sig_verify(&src, &one, &info, NULL, 0, &ist), OTA_SIG_ERR_ARG);
    assert_int_equal(ist, OTA_IMAGE_ERR_ARG);
    assert_int_equal(ota_sig_verify_hash(&zero, key.key_id, P256, hash, der_sig, sizeof der_sig),
                     OTA_SIG_ERR_ARG);
    assert_int_equal(ota_sig_verify_hash(&one, key.key_id, P256, NULL, der_sig, sizeof der_sig),
                     OTA_SIG_ERR_ARG);
    assert_int_equal(ota_sig_verify_hash(&one, NULL, P256, hash, der_sig, sizeof der_sig),
                     OTA_SIG_ERR_UNKNOWN_KEY);
    assert_int_equal(ota_sig_verify_hash(&one, key.key_id, P256, hash, der_sig, sizeof der_sig),
                     OTA_SIG_ERR_BAD_SIGNATURE);
    /* A trusted "key" that is no key: the verification cannot be made, and says so. */
    assert_int_equal(ota_sig_verify_hash(ring_of_a_broken_point(&key), key.key_id, P256, hash,
                                         der_sig, sizeof der_sig),
                     OTA_SIG_ERR_CRYPTO);

    /* A store configured with an empty keyring stores no image at all. */
    ota_store_config_t cfg = {.trusted_keys = &zero};
    store_fixture_t *fx = store_fixture_open(NULL, &cfg);
    assert_int_equal(ota_store_image_policy(&fx->store, &src, &info, work, sizeof work), OTA_STORE_ERR_ARG);
    assert_int_equal(ota_store_image_policy(&fx->store, &src, NULL, work, sizeof work), OTA_STORE_ERR_ARG);
    assert_int_equal(ota_store_image_policy(NULL, &src, &info, work, sizeof work), OTA_STORE_ERR_ARG);
    uint8_t slot;
    assert_int_equal(store_fixture_download(&fx->store, 2, img, IMG, 1000, &slot),
                     OTA_STORE_ERR_ARG);
    assert_int_equal(ota_store_find_version(&fx->store, 2), OTA_STORE_SLOT_NONE);
    store_fixture_close(fx);
}

static void test_manifest_signature_refusals(void **unused)
{
    (void)unused;
    ota_sig_key_t key = {.alg = P256, .key = g_point, .key_len = sizeof g_point};
    const ota_sig_keyring_t one = {.keys = &key, .count = 1};
    const ota_sig_keyring_t zero = {.keys = &key, .count = 0};
    const char *m = "{\"ota\":[]}";
    size_t ml = strlen(m);
    uint8_t sig[OTA_MANIFEST_SIG_MAX + 1];
    memset(sig, 0, sizeof sig);
    memcpy(sig, OTA_MANIFEST_SIG_MAGIC, OTA_MANIFEST_SIG_MAGIC_SIZE);
    memcpy(sig + OTA_MANIFEST_SIG_MAGIC_SIZE, key.key_id, OTA_SHA256_SIZE);
    memcpy(sig + OTA_MANIFEST_SIG_DER_OFFSET, der_sig, sizeof der_sig);
    size_t sl = OTA_MANIFEST_SIG_DER_OFFSET + sizeof der_sig;

    assert_int_equal(ota_manifest_sig_verify(NULL, 5, sig, sl, &one), OTA_MANIFEST_SIG_ERR_ARG);
    assert_int_equal(ota_manifest_sig_verify(m, ml, NULL, 5, &one), OTA_MANIFEST_SIG_ERR_ARG);
    assert_int_equal(ota_manifest_sig_verify(m, ml, sig, sl, &zero), OTA_MANIFEST_SIG_ERR_ARG);
    assert_int_equal(ota_manifest_sig_verify(m, ml, sig, sl, NULL), OTA_MANIFEST_SIG_ERR_ARG);
    assert_int_equal(ota_manifest_sig_verify(m, ml, sig, 0, &one), OTA_MANIFEST_SIG_ERR_UNSIGNED);
    assert_int_equal(ota_manifest_sig_verify(m, ml, sig, OTA_MANIFEST_SIG_DER_OFFSET, &one),
                     OTA_MANIFEST_SIG_ERR_FORMAT);
    assert_int_equal(ota_manifest_sig_verify(m, ml, sig, OTA_MANIFEST_SIG_MAX + 1, &one),
                     OTA_MANIFEST_SIG_ERR_FORMAT);
    assert_int_equal(ota_manifest_sig_verify(m, ml, sig, sl, &one),
                     OTA_MANIFEST_SIG_ERR_BAD_SIGNATURE);
    assert_int_equal(ota_manifest_sig_verify(m, ml, sig, sl, ring_of_a_broken_point(&key)),
                     OTA_MANIFEST_SIG_ERR_CRYPTO);
    sig[0] ^= 0xFF;
    assert_int_equal(ota_manifest_sig_verify(m, ml, sig, sl, &one), OTA_MANIFEST_SIG_ERR_FORMAT);
    assert_int_equal(ota_manifest_freshness(NULL, 0, 0), OTA_MANIFEST_SIG_ERR_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ecdsa_refusals_are_named),
        cmocka_unit_test(test_der_edges),
        cmocka_unit_test(test_empty_keyring_is_an_error_not_a_policy),
        cmocka_unit_test(test_manifest_signature_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
