/* SPDX-License-Identifier: Apache-2.0 */
/*
 * otaflow-image's HSS/LMS signer (tools/lms_*.c) against the device's verifier: the signer
 * derives RFC 8554 Test Case 2's top-level public key from its SEED and I; every signature it
 * makes verifies, by its key only, of its message only; its state is saved before an index is
 * given out, and an exhausted or unsaveable key gives none. Then the hybrid policy: images
 * signed with ECDSA, HSS/LMS or both, checked against keyrings requiring each, both or any.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "lms_key.h"
#include "lms_rfc8554_vectors.h"
#include "otaflow/image_sig.h"
#include "otaflow/lms.h"
#include "store_fixture.h"
#include "test_keys.h"
#include "tool.h"

static void unhex(const char *hex, uint8_t *out, size_t n)
{
    assert_int_equal(strlen(hex), 2u * n);
    for (size_t i = 0; i < n; i++) {
        unsigned v = 0;
        assert_int_equal(sscanf(hex + 2u * i, "%2x", &v), 1);
        out[i] = (uint8_t)v;
    }
}

static ota_lms_status_t verify(const uint8_t pub[OTA_LMS_PUBKEY_SIZE], const uint8_t *msg,
                               size_t msg_len, const uint8_t *sig, size_t sig_len)
{
    ota_image_source_t src;
    ota_image_buffer_t buf;
    ota_image_source_buffer(&src, &buf, sig, (uint32_t)sig_len);
    return ota_lms_verify(pub, OTA_LMS_PUBKEY_SIZE, msg, msg_len, &src, 0, (uint32_t)sig_len);
}

/* A small key: 2 levels of H5 (1,024 signatures), every tree built in a blink. */
static void small_key(tool_lms_key_t *key, uint32_t levels, uint32_t ots_type)
{
    uint8_t seed[OTA_LMS_N], id[OTA_LMS_I_SIZE];
    for (unsigned i = 0; i < sizeof seed; i++) {
        seed[i] = (uint8_t)(i * 7u + levels + ots_type);
    }
    memset(id, 0x5A, sizeof id);
    char why[256];
    assert_int_equal(tool_lms_derive(key, levels, OTA_LMS_SHA256_M32_H5, ots_type, seed, id, why,
                                     sizeof why), 0);
}

static void test_derives_rfc8554_test_case_2_public_key(void **unused)
{
    (void)unused;
    uint8_t seed[OTA_LMS_N], id[OTA_LMS_I_SIZE], expected[OTA_LMS_PUBKEY_SIZE];
    unhex(RFC8554_TC2_TOP_SEED, seed, sizeof seed);
    unhex(RFC8554_TC2_TOP_I, id, sizeof id);
    unhex(RFC8554_TC2_PUBKEY, expected, sizeof expected);
    tool_lms_key_t key;
    char why[256];
    assert_int_equal(tool_lms_derive(&key, 1, OTA_LMS_SHA256_M32_H10, OTA_LMOTS_SHA256_N32_W4,
                                     seed, id, why, sizeof why), 0);
    /* Its one level's LMS public key is the RFC's top level (levels field aside). */
    assert_memory_equal(key.pub + 4, expected + 4, OTA_LMS_PUBKEY_SIZE - 4);
}

static void test_own_signatures_verify(void **unused)
{
    (void)unused;
    const uint32_t ots[] = {OTA_LMOTS_SHA256_N32_W8, OTA_LMOTS_SHA256_N32_W4,
                            OTA_LMOTS_SHA256_N32_W2};
    for (size_t t = 0; t < sizeof ots / sizeof ots[0]; t++) {
        for (uint32_t levels = 1; levels <= 2; levels++) {
            tool_lms_key_t key;
            small_key(&key, levels, ots[t]);
            size_t len = tool_lms_sig_size(&key);
            uint8_t *sig = malloc(len);
            assert_non_null(sig);
            const uint64_t indices[] = {0, 1, 31, tool_lms_total(&key) - 1u};
            for (size_t i = 0; i < sizeof indices / sizeof indices[0]; i++) {
                uint8_t msg[OTA_SHA256_SIZE];
                memset(msg, (int)i, sizeof msg);
                char why[256];
                assert_int_equal(tool_lms_sign(&key, indices[i], msg, sizeof msg, sig, why,
                                               sizeof why), 0);
                assert_int_equal(verify(key.pub, msg, sizeof msg, sig, len), OTA_LMS_OK);
                /* the hash-as-message contract every algorithm has (crypto.h) */
                assert_int_equal(ota_sig_verify(OTA_SIG_ALG_HSS_LMS, key.pub, sizeof key.pub, msg,
                                                sig, len), OTA_CRYPTO_OK);
                msg[31] ^= 1u;
                assert_int_equal(verify(key.pub, msg, sizeof msg, sig, len),
                                 OTA_LMS_ERR_BAD_SIGNATURE);
                msg[31] ^= 1u;
                assert_int_equal(verify(key.pub, msg, sizeof msg, sig, len - 1u),
                                 OTA_LMS_ERR_TRUNCATED);
                /* another key of the same parameters did not make it */
                tool_lms_key_t other = key;
                other.pub[30] ^= 0x80u;
                assert_int_equal(verify(other.pub, msg, sizeof msg, sig, len),
                                 OTA_LMS_ERR_BAD_SIGNATURE);
            }
            char why[256];
            assert_int_equal(tool_lms_sign(&key, tool_lms_total(&key), (const uint8_t *)"x", 1,
                                           sig, why, sizeof why), -1);
            free(sig);
        }
    }
}

/* Two leaves under the same upper leaf carry the very same upper signature: an upper one-time
 * key never signs two different things. */
static void test_upper_leaf_signs_one_thing(void **unused)
{
    (void)unused;
    tool_lms_key_t key;
    small_key(&key, 2, OTA_LMOTS_SHA256_N32_W8);
    size_t len = tool_lms_sig_size(&key);
    uint8_t *a = malloc(len), *b = malloc(len);
    char why[256];
    assert_int_equal(tool_lms_sign(&key, 32, (const uint8_t *)"a", 1, a, why, sizeof why), 0);
    assert_int_equal(tool_lms_sign(&key, 33, (const uint8_t *)"b", 1, b, why, sizeof why), 0);
    size_t upper = 4u + 1292u + OTA_LMS_LMS_PUB_SIZE;
    assert_memory_equal(a, b, upper);
    assert_memory_not_equal(a + upper, b + upper, 8); /* leaf 0 and leaf 1 below */
    free(a);
    free(b);
}

static char key_dir[] = "/tmp/otaflow-lms-XXXXXX";

static void key_path(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "%s/%s", key_dir, name);
}

static void test_state_saved_before_the_index_is_given(void **unused)
{
    (void)unused;
    tool_lms_key_t key;
    small_key(&key, 1, OTA_LMOTS_SHA256_N32_W8);
    char path[256], why[256];
    key_path(path, sizeof path, "k.lms");
    assert_int_equal(tool_lms_save_private(&key, path, why, sizeof why), 0);
    for (uint64_t expect = 0; expect < 32u; expect++) {
        uint64_t index = 99;
        assert_int_equal(tool_lms_reserve(&key, path, &index, why, sizeof why), 0);
        assert_int_equal(index, expect);
        tool_lms_key_t on_disk;
        assert_int_equal(tool_lms_load_private(&on_disk, path, why, sizeof why), 0);
        assert_int_equal(on_disk.next, expect + 1u); /* saved: a crash now wastes, not reuses */
        assert_memory_equal(on_disk.pub, key.pub, sizeof key.pub);
    }
    /* Exhausted: no index, the file untouched. */
    uint64_t index = 99;
    assert_int_equal(tool_lms_left(&key), 0u);
    assert_int_equal(tool_lms_reserve(&key, path, &index, why, sizeof why), -1);
    assert_non_null(strstr(why, "exhausted"));
    assert_int_equal(index, 99u);
    unlink(path);
}

static void test_unsaveable_state_gives_no_index(void **unused)
{
    (void)unused;
    tool_lms_key_t key;
    small_key(&key, 1, OTA_LMOTS_SHA256_N32_W8);
    char path[256], why[256];
    key_path(path, sizeof path, "no-such-dir/k.lms");
    uint64_t index = 99;
    assert_int_equal(tool_lms_reserve(&key, path, &index, why, sizeof why), -1);
    assert_int_equal(index, 99u);
    assert_int_equal(key.next, 0u);
    assert_non_null(strstr(why, "cannot save"));
}

/* Hybrid images --------------------------------------------------------------------------- */

#define PAYLOAD 600u
static uint8_t image[OTA_IMAGE_HEADER_SIZE + PAYLOAD + OTA_IMAGE_TLV_MAX];

/* An image signed by ecdsa and/or lms (NULL: not by that one), its length returned. */
/* The keyring entries the next make_image's header revokes (0: none). */
static uint32_t image_revoke_keys;

static uint32_t make_image(tool_key_t *ecdsa, const tool_lms_key_t *lms, uint64_t leaf)
{
    ota_image_header_t h = {.version = 7, .payload_size = PAYLOAD,
                            .revoke_keys = image_revoke_keys};
    ota_image_header_encode(&h, image);
    for (uint32_t i = 0; i < PAYLOAD; i++) {
        image[OTA_IMAGE_HEADER_SIZE + i] = (uint8_t)(i * 13u);
    }
    uint8_t digest[OTA_SHA256_SIZE];
    tool_sha256(image, OTA_IMAGE_HEADER_SIZE + PAYLOAD, digest);
    ota_image_tlv_writer_t w;
    uint8_t *tlv = image + OTA_IMAGE_HEADER_SIZE + PAYLOAD;
    ota_image_tlv_begin(&w, tlv, OTA_IMAGE_TLV_MAX);
    ota_image_tlv_add(&w, OTA_IMAGE_TLV_SHA256, digest, sizeof digest);
    char why[256];
    if (ecdsa != NULL) {
        assert_int_equal(tool_key_add_tlvs(ecdsa, &w, digest, why, sizeof why), 0);
    }
    if (lms != NULL) {
        static uint8_t sig[OTA_IMAGE_TLV_MAX];
        size_t len = tool_lms_sig_size(lms);
        assert_int_equal(tool_lms_sign(lms, leaf, digest, sizeof digest, sig, why, sizeof why), 0);
        ota_image_tlv_add(&w, OTA_IMAGE_TLV_LMS_KEY_HASH, lms->key_id, sizeof lms->key_id);
        ota_image_tlv_add(&w, OTA_IMAGE_TLV_HSS_LMS, sig, len);
    }
    uint32_t tlv_len = 0;
    assert_int_equal(ota_image_tlv_finish(&w, &tlv_len), OTA_IMAGE_OK);
    return OTA_IMAGE_HEADER_SIZE + PAYLOAD + tlv_len;
}

static ota_sig_status_t check(uint32_t len, const ota_sig_keyring_t *ring)
{
    ota_image_source_t src;
    ota_image_buffer_t buf;
    ota_image_source_buffer(&src, &buf, image, len);
    ota_image_info_t info;
    uint8_t work[OTA_SIG_MAX_SIZE]; /* an ECDSA signature's room: the LMS one is read in place */
    return ota_image_sig_verify(&src, ring, &info, work, sizeof work, NULL);
}

typedef struct hybrid {
    tool_key_t ecdsa, other;
    tool_lms_key_t lms, lms_other;
    ota_sig_key_t entries[2]; /* ECDSA, LMS */
} hybrid_t;

static int hybrid_setup(void **state)
{
    static hybrid_t h;
    if (test_keys_make(&h.ecdsa, &h.other, &h.entries[0]) != 0) {
        return -1;
    }
    small_key(&h.lms, 2, OTA_LMOTS_SHA256_N32_W8);
    small_key(&h.lms_other, 1, OTA_LMOTS_SHA256_N32_W8);
    h.entries[1] = (ota_sig_key_t){.alg = OTA_SIG_ALG_HSS_LMS, .key = h.lms.pub,
                                   .key_len = sizeof h.lms.pub};
    memcpy(h.entries[1].key_id, h.lms.key_id, sizeof h.lms.key_id);
    *state = &h;
    return 0;
}

static int hybrid_teardown(void **state)
{
    hybrid_t *h = *state;
    test_keys_free(&h->ecdsa, &h->other);
    return 0;
}

static void test_lms_only_image(void **state)
{
    hybrid_t *h = *state;
    const ota_sig_keyring_t lms_ring = {.keys = &h->entries[1], .count = 1};
    const ota_sig_keyring_t ecdsa_ring = {.keys = &h->entries[0], .count = 1};
    const ota_sig_keyring_t both_ring = {.keys = h->entries, .count = 2};
    uint32_t len = make_image(NULL, &h->lms, 5);
    assert_int_equal(check(len, &lms_ring), OTA_SIG_OK);
    assert_int_equal(check(len, &both_ring), OTA_SIG_OK);
    assert_int_equal(check(len, &ecdsa_ring), OTA_SIG_ERR_UNKNOWN_KEY);
    /* signed by another LMS key, or the signature cut or grown */
    len = make_image(NULL, &h->lms_other, 3);
    assert_int_equal(check(len, &lms_ring), OTA_SIG_ERR_UNKNOWN_KEY);
    len = make_image(NULL, &h->lms, 6);
    const size_t sig_len = tool_lms_sig_size(&h->lms);
    const uint8_t *sig_len_field = image + len - sig_len - 2u; /* the HSS_LMS TLV comes last */
    assert_int_equal((size_t)(sig_len_field[0] | sig_len_field[1] << 8), sig_len);
    image[len - 1] ^= 0x01u; /* the last path node */
    assert_int_equal(check(len, &lms_ring), OTA_SIG_ERR_BAD_SIGNATURE);
}

static void test_hybrid_policy(void **state)
{
    hybrid_t *h = *state;
    const uint32_t need_ecdsa = OTA_SIG_REQUIRE(OTA_SIG_ALG_ECDSA_P256);
    const uint32_t need_lms = OTA_SIG_REQUIRE(OTA_SIG_ALG_HSS_LMS);
    const ota_sig_keyring_t any = {.keys = h->entries, .count = 2};
    const ota_sig_keyring_t ecdsa = {.keys = h->entries, .count = 2, .required = need_ecdsa};
    const ota_sig_keyring_t lms = {.keys = h->entries, .count = 2, .required = need_lms};
    const ota_sig_keyring_t both = {.keys = h->entries, .count = 2,
                                    .required = need_ecdsa | need_lms};
    const ota_sig_keyring_t both_lms_key_only = {.keys = &h->entries[1], .count = 1,
                                                 .required = need_ecdsa | need_lms};

    uint32_t hybrid = make_image(&h->ecdsa, &h->lms, 9);
    assert_int_equal(check(hybrid, &any), OTA_SIG_OK);
    assert_int_equal(check(hybrid, &ecdsa), OTA_SIG_OK);
    assert_int_equal(check(hybrid, &lms), OTA_SIG_OK);
    assert_int_equal(check(hybrid, &both), OTA_SIG_OK);
    assert_int_equal(check(hybrid, &both_lms_key_only), OTA_SIG_ERR_UNKNOWN_KEY);

    uint32_t ecdsa_only = make_image(&h->ecdsa, NULL, 0);
    assert_int_equal(check(ecdsa_only, &any), OTA_SIG_OK);
    assert_int_equal(check(ecdsa_only, &ecdsa), OTA_SIG_OK);
    assert_int_equal(check(ecdsa_only, &lms), OTA_SIG_ERR_REQUIRED);
    assert_int_equal(check(ecdsa_only, &both), OTA_SIG_ERR_REQUIRED);

    uint32_t lms_only = make_image(NULL, &h->lms, 10);
    assert_int_equal(check(lms_only, &any), OTA_SIG_OK);
    assert_int_equal(check(lms_only, &lms), OTA_SIG_OK);
    assert_int_equal(check(lms_only, &ecdsa), OTA_SIG_ERR_REQUIRED);
    assert_int_equal(check(lms_only, &both), OTA_SIG_ERR_REQUIRED);

    /* A hybrid image whose LMS half is broken is refused whatever the policy: a trusted key's
     * signature that does not verify is never passed over. */
    hybrid = make_image(&h->ecdsa, &h->lms, 11);
    image[hybrid - 40] ^= 0x04u;
    assert_int_equal(check(hybrid, &any), OTA_SIG_ERR_BAD_SIGNATURE);
    assert_int_equal(check(hybrid, &ecdsa), OTA_SIG_ERR_BAD_SIGNATURE);
    /* Its ECDSA half by a key the ring lacks: passed over unless ECDSA is required. */
    hybrid = make_image(&h->other, &h->lms, 12);
    assert_int_equal(check(hybrid, &any), OTA_SIG_OK);
    assert_int_equal(check(hybrid, &lms), OTA_SIG_OK);
    assert_int_equal(check(hybrid, &both), OTA_SIG_ERR_UNKNOWN_KEY);
    uint32_t unsigned_len = make_image(NULL, NULL, 0);
    assert_int_equal(check(unsigned_len, &both), OTA_SIG_ERR_UNSIGNED);
    assert_string_equal(ota_sig_status_str(OTA_SIG_ERR_REQUIRED), "a required signature is missing");
}

/* The store's revocation rule covers the HSS/LMS signer too: an image may not revoke the
 * entry whose key signed it, whichever algorithm that key is. */
static void test_image_may_not_revoke_its_lms_signer(void **state)
{
    hybrid_t *h = *state;
    const ota_sig_keyring_t ring = {.keys = h->entries, .count = 2}; /* 0 ECDSA, 1 LMS */
    ota_store_config_t cfg = {.trusted_keys = &ring};
    store_fixture_t *fx = store_fixture_open(NULL, &cfg);
    assert_non_null(fx);
    const uint32_t revokes[] = {0x2u, 0x1u, 0x2u};
    const bool with_ecdsa[] = {false, false, true};
    const ota_store_status_t expected[] = {OTA_STORE_ERR_REVOCATION, OTA_STORE_OK,
                                           OTA_STORE_ERR_REVOCATION};
    for (size_t i = 0; i < sizeof revokes / sizeof revokes[0]; i++) {
        image_revoke_keys = revokes[i];
        uint32_t len = make_image(with_ecdsa[i] ? &h->ecdsa : NULL, &h->lms, 13u + i);
        image_revoke_keys = 0;
        ota_image_source_t src;
        ota_image_buffer_t buf;
        ota_image_source_buffer(&src, &buf, image, len);
        ota_image_info_t info;
        uint8_t work[OTA_SIG_MAX_SIZE];
        assert_int_equal(ota_image_sig_verify(&src, &ring, &info, work, sizeof work, NULL),
                         OTA_SIG_OK);
        assert_int_equal(ota_store_image_policy(&fx->store, &src, &info, work, sizeof work),
                         expected[i]);
    }
    store_fixture_close(fx);
}

static int make_dir(void **state)
{
    (void)state;
    return mkdtemp(key_dir) != NULL ? 0 : -1;
}

static int remove_dir(void **state)
{
    (void)state;
    return rmdir(key_dir);
}

int main(void)
{
    const struct CMUnitTest signer[] = {
        cmocka_unit_test(test_derives_rfc8554_test_case_2_public_key),
        cmocka_unit_test(test_own_signatures_verify),
        cmocka_unit_test(test_upper_leaf_signs_one_thing),
        cmocka_unit_test(test_state_saved_before_the_index_is_given),
        cmocka_unit_test(test_unsaveable_state_gives_no_index),
    };
    const struct CMUnitTest hybrid[] = {
        cmocka_unit_test(test_lms_only_image),
        cmocka_unit_test(test_hybrid_policy),
        cmocka_unit_test(test_image_may_not_revoke_its_lms_signer),
    };
    int failed = cmocka_run_group_tests(signer, make_dir, remove_dir);
    return failed + cmocka_run_group_tests(hybrid, hybrid_setup, hybrid_teardown);
}
