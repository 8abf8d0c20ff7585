/* SPDX-License-Identifier: Apache-2.0 */
/*
 * HSS/LMS verification (src/lms.c) against RFC 8554's own test vectors (Appendix F, both test
 * cases: two levels, H5/W8 and H10/W4 over H5/W8), and every way a signature can be wrong:
 * another message, another key, truncated, oversized, a bit flipped in any field, a type code
 * or a level count changed, a leaf index outside the tree, a source that fails. Each is
 * refused by its own status, and nothing but the untouched signature is accepted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lms_internal.h"
#include "lms_rfc8554_vectors.h"
#include "lms_signer_vectors.h"
#include "lms_test_util.h"
#include "otaflow/crypto.h"
#include "otaflow/lms.h"

#define SIG_CAP 4096u

typedef struct vector {
    uint8_t key[OTA_LMS_PUBKEY_SIZE];
    uint8_t sig[SIG_CAP + 16u]; /* room to make it oversized */
    uint32_t sig_len;
    const uint8_t *msg;
    size_t msg_len;
} vector_t;

static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
    return lms_test_unhex(hex, out, cap);
}

static void load(vector_t *v, int test_case)
{
    memset(v, 0, sizeof *v);
    const char *key = test_case == 1 ? RFC8554_TC1_PUBKEY : RFC8554_TC2_PUBKEY;
    const char *sig = test_case == 1 ? RFC8554_TC1_SIGNATURE : RFC8554_TC2_SIGNATURE;
    const char *msg = test_case == 1 ? RFC8554_TC1_MESSAGE : RFC8554_TC2_MESSAGE;
    assert_int_equal(unhex(key, v->key, sizeof v->key), OTA_LMS_PUBKEY_SIZE);
    v->sig_len = (uint32_t)unhex(sig, v->sig, SIG_CAP);
    v->msg = (const uint8_t *)msg;
    v->msg_len = strlen(msg);
}

/* Test case 1 and a source over its signature. */
static void load_source(vector_t *v, ota_image_source_t *src, ota_image_buffer_t *buf)
{
    load(v, 1);
    ota_image_source_buffer(src, buf, v->sig, v->sig_len);
}

static ota_lms_status_t verify_len(const vector_t *v, uint32_t sig_len)
{
    return lms_test_verify(v->key, v->msg, v->msg_len, v->sig, sig_len);
}

static ota_lms_status_t verify(const vector_t *v)
{
    return verify_len(v, v->sig_len);
}

static void test_rfc8554_test_cases_verify(void **unused)
{
    (void)unused;
    vector_t v;
    load(&v, 1);
    assert_int_equal(v.sig_len, 2644u);
    assert_int_equal(verify(&v), OTA_LMS_OK);
    load(&v, 2);
    assert_int_equal(v.sig_len, 3860u);
    assert_int_equal(verify(&v), OTA_LMS_OK);
}

/* otaflow-image's default parameters (2 levels of H10/W8), as the signer made them: the same
 * verdicts as the lean build gives (tests/lean/test_lms_lean.c). */
static void test_signer_default_h10_w8_verifies(void **unused)
{
    (void)unused;
    static vector_t v;
    memset(&v, 0, sizeof v);
    static uint8_t msg[OTA_SHA256_SIZE];
    assert_int_equal(unhex(SIGNER_H10W8_PUBKEY, v.key, sizeof v.key), OTA_LMS_PUBKEY_SIZE);
    v.sig_len = (uint32_t)unhex(SIGNER_H10W8_SIGNATURE, v.sig, SIG_CAP);
    assert_int_equal(unhex(SIGNER_H10W8_MESSAGE, msg, sizeof msg), sizeof msg);
    v.msg = msg;
    v.msg_len = sizeof msg;
    assert_int_equal(verify(&v), OTA_LMS_OK);
    msg[7] ^= 0x04u;
    assert_int_equal(verify(&v), OTA_LMS_ERR_BAD_SIGNATURE);
    msg[7] ^= 0x04u;
    assert_int_equal(verify_len(&v, v.sig_len - 1u), OTA_LMS_ERR_TRUNCATED);
    assert_int_equal(verify_len(&v, v.sig_len + 1u), OTA_LMS_ERR_OVERSIZED);
}

/* The signature sits anywhere in a larger source (an image's TLV area). */
static void test_signature_read_in_place(void **unused)
{
    (void)unused;
    static vector_t v;
    load(&v, 1);
    static uint8_t image[100u + SIG_CAP];
    memset(image, 0xA5, sizeof image);
    memcpy(image + 100, v.sig, v.sig_len);
    ota_image_source_t src;
    ota_image_buffer_t buf;
    ota_image_source_buffer(&src, &buf, image, 100u + v.sig_len + 7u);
    assert_int_equal(ota_lms_verify(v.key, sizeof v.key, v.msg, v.msg_len, &src, 100, v.sig_len),
                     OTA_LMS_OK);
    assert_int_equal(ota_lms_verify(v.key, sizeof v.key, v.msg, v.msg_len, &src, 99, v.sig_len),
                     OTA_LMS_ERR_LEVELS);
    assert_int_equal(ota_lms_verify(v.key, sizeof v.key, v.msg, v.msg_len, &src, 100,
                                    v.sig_len + 8u), OTA_LMS_ERR_ARG); /* past the source */
}

static void test_wrong_message_refused(void **unused)
{
    (void)unused;
    static vector_t v;
    load(&v, 1);
    uint8_t msg[256];
    memcpy(msg, v.msg, v.msg_len);
    v.msg = msg;
    msg[0] ^= 0x01u;
    assert_int_equal(verify(&v), OTA_LMS_ERR_BAD_SIGNATURE);
    msg[0] ^= 0x01u;
    v.msg_len--; /* a message cut short */
    assert_int_equal(verify(&v), OTA_LMS_ERR_BAD_SIGNATURE);
    v.msg_len++;
    assert_int_equal(verify(&v), OTA_LMS_OK);
    load(&v, 2);
    v.msg = (const uint8_t *)RFC8554_TC1_MESSAGE; /* the other test case's message */
    v.msg_len = strlen(RFC8554_TC1_MESSAGE);
    assert_int_equal(verify(&v), OTA_LMS_ERR_BAD_SIGNATURE);
}

static void test_wrong_key_refused(void **unused)
{
    (void)unused;
    static vector_t v;
    load(&v, 2);
    for (size_t i = 12; i < OTA_LMS_PUBKEY_SIZE; i += 7) { /* I and T[1] */
        v.key[i] ^= 0x10u;
        assert_int_equal(verify(&v), OTA_LMS_ERR_BAD_SIGNATURE);
        v.key[i] ^= 0x10u;
    }
    /* Test case 1's key: the same levels, other parameters. */
    static vector_t other;
    load(&other, 1);
    memcpy(v.key, other.key, sizeof v.key);
    assert_int_equal(verify(&v), OTA_LMS_ERR_PARAMS);
}

static void test_truncated_and_oversized_refused(void **unused)
{
    (void)unused;
    static vector_t v;
    load(&v, 2);
    const uint32_t cuts[] = {0, 3, 4, 100, 2512, 2567, 2568, 3859};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        assert_int_equal(verify_len(&v, cuts[i]), OTA_LMS_ERR_TRUNCATED);
    }
    assert_int_equal(verify_len(&v, v.sig_len + 1u), OTA_LMS_ERR_OVERSIZED);
    assert_int_equal(verify_len(&v, v.sig_len + 16u), OTA_LMS_ERR_OVERSIZED);
    assert_int_equal(verify(&v), OTA_LMS_OK);
}

/* Every 8th byte of the signature, each bit flipped in turn: the field it hits decides the
 * status, and none is accepted. */
static void test_any_flipped_bit_refused(void **unused)
{
    (void)unused;
    static vector_t v;
    load(&v, 1);
    for (uint32_t at = 0; at < v.sig_len; at += 37u) {
        uint8_t bit = (uint8_t)(1u << (at % 8u));
        v.sig[at] ^= bit;
        ota_lms_status_t st = verify(&v);
        assert_int_not_equal(st, OTA_LMS_OK);
        assert_true(st == OTA_LMS_ERR_BAD_SIGNATURE || st == OTA_LMS_ERR_LEVELS ||
                    st == OTA_LMS_ERR_PARAMS || st == OTA_LMS_ERR_LEAF ||
                    st == OTA_LMS_ERR_TRUNCATED || st == OTA_LMS_ERR_OVERSIZED);
        v.sig[at] ^= bit;
    }
    assert_int_equal(verify(&v), OTA_LMS_OK);
}

static void test_malformed_fields_named(void **unused)
{
    (void)unused;
    static vector_t v;
    load(&v, 1);
    v.sig[3] = 0; /* Nspk 0: one level where the key has two */
    assert_int_equal(verify(&v), OTA_LMS_ERR_LEVELS);
    v.sig[3] = 1;
    v.sig[7] = 32; /* q = 32 in a tree of 2^5 leaves */
    assert_int_equal(verify(&v), OTA_LMS_ERR_LEAF);
    v.sig[7] = 5;
    v.sig[11] = 3; /* the top signature's LM-OTS type: W4 where the key says W8 */
    assert_int_equal(verify(&v), OTA_LMS_ERR_PARAMS);
    v.sig[11] = 4;
    /* The signed lower key's LMS type (after Nspk and the 1,292-byte top signature): 10 is
     * no parameter set; 6 is one, but then the signature is too short for it. */
    v.sig[4u + 1292u + 3u] = 10;
    assert_int_equal(verify(&v), OTA_LMS_ERR_PARAMS);
    v.sig[4u + 1292u + 3u] = 6;
    assert_int_equal(verify(&v), OTA_LMS_ERR_TRUNCATED);
    v.sig[4u + 1292u + 3u] = 5;
    assert_int_equal(verify(&v), OTA_LMS_OK);
}

static void test_bad_keys_named(void **unused)
{
    (void)unused;
    static vector_t v;
    ota_image_source_t src;
    ota_image_buffer_t buf;
    load_source(&v, &src, &buf);
    assert_int_equal(ota_lms_verify(v.key, 59, v.msg, v.msg_len, &src, 0, v.sig_len),
                     OTA_LMS_ERR_KEY);
    const struct {
        size_t at;
        uint8_t value;
    } bad[] = {{3, 0}, {3, 9}, {7, 4}, {7, 10}, {11, 0}, {11, 5}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint8_t key[OTA_LMS_PUBKEY_SIZE];
        memcpy(key, v.key, sizeof key);
        key[bad[i].at] = bad[i].value;
        assert_int_equal(ota_lms_verify(key, sizeof key, v.msg, v.msg_len, &src, 0, v.sig_len),
                         OTA_LMS_ERR_KEY);
    }
    assert_int_equal(ota_lms_verify(NULL, 60, v.msg, v.msg_len, &src, 0, v.sig_len),
                     OTA_LMS_ERR_ARG);
    assert_int_equal(ota_lms_verify(v.key, 60, NULL, 1, &src, 0, v.sig_len), OTA_LMS_ERR_ARG);
    assert_int_equal(ota_lms_verify(v.key, 60, v.msg, v.msg_len, NULL, 0, v.sig_len),
                     OTA_LMS_ERR_ARG);
}

static int failing_read_after;
static int failing_read(void *ctx, uint32_t offset, void *out, uint32_t len)
{
    if (failing_read_after-- <= 0) {
        return -1;
    }
    const ota_image_buffer_t *b = ctx;
    memcpy(out, b->data + offset, len);
    return 0;
}

/* A read that fails at any point gives no verdict, never OK nor BAD_SIGNATURE. */
static void test_read_failure_is_no_verdict(void **unused)
{
    (void)unused;
    static vector_t v;
    ota_image_source_t src;
    ota_image_buffer_t buf;
    load_source(&v, &src, &buf);
    src.read = failing_read;
    int after = 0;
    for (;; after++) {
        failing_read_after = after;
        ota_lms_status_t st = ota_lms_verify(v.key, 60, v.msg, v.msg_len, &src, 0, v.sig_len);
        if (st == OTA_LMS_OK) {
            break; /* every read succeeded */
        }
        assert_int_equal(st, OTA_LMS_ERR_READ);
    }
    /* Each pass reads Nspk, the lower key, and per level q with the LM-OTS type, and the LMS
     * type; the second also C, 34 y and 5 path nodes per level: every read was failed once. */
    assert_int_equal(after, 2 * (1 + 1 + 2 * 2) + 2 * (1 + 34 + 5));
}

/* Through ota_sig_verify (a 32-byte hash as the message): the named statuses become the
 * crypto contract's. No RFC vector signs 32 bytes, so the shape checks are what is seen. */
static void test_sig_verify_dispatch(void **unused)
{
    (void)unused;
    static vector_t v;
    load(&v, 1);
    uint8_t hash[OTA_SHA256_SIZE] = {0};
    assert_true(ota_sig_alg_supported(OTA_SIG_ALG_HSS_LMS));
    assert_string_equal(ota_sig_alg_str(OTA_SIG_ALG_HSS_LMS), "HSS/LMS");
    assert_int_equal(ota_sig_verify(OTA_SIG_ALG_HSS_LMS, v.key, 60, hash, v.sig, v.sig_len),
                     OTA_CRYPTO_ERR_BAD_SIGNATURE);
    assert_int_equal(ota_sig_verify(OTA_SIG_ALG_HSS_LMS, v.key, 60, hash, v.sig, v.sig_len - 1),
                     OTA_CRYPTO_ERR_SIG_FORMAT);
    assert_int_equal(ota_sig_verify(OTA_SIG_ALG_HSS_LMS, v.key, 60, hash, v.sig, 100),
                     OTA_CRYPTO_ERR_SIG_FORMAT);
    assert_int_equal(ota_sig_verify(OTA_SIG_ALG_HSS_LMS, v.key, 65, hash, v.sig, v.sig_len),
                     OTA_CRYPTO_ERR_KEY);
}

static void test_status_names_distinct(void **unused)
{
    (void)unused;
    for (int a = OTA_LMS_ERR_ARG; a <= OTA_LMS_OK; a++) {
        const char *na = ota_lms_status_str((ota_lms_status_t)a);
        assert_string_not_equal(na, "unknown LMS status");
        for (int b = a + 1; b <= OTA_LMS_OK; b++) {
            assert_string_not_equal(na, ota_lms_status_str((ota_lms_status_t)b));
        }
    }
    assert_string_equal(ota_lms_status_str((ota_lms_status_t)5), "unknown LMS status");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc8554_test_cases_verify),
        cmocka_unit_test(test_signer_default_h10_w8_verifies),
        cmocka_unit_test(test_signature_read_in_place),
        cmocka_unit_test(test_wrong_message_refused),
        cmocka_unit_test(test_wrong_key_refused),
        cmocka_unit_test(test_truncated_and_oversized_refused),
        cmocka_unit_test(test_any_flipped_bit_refused),
        cmocka_unit_test(test_malformed_fields_named),
        cmocka_unit_test(test_bad_keys_named),
        cmocka_unit_test(test_read_failure_is_no_verdict),
        cmocka_unit_test(test_sig_verify_dispatch),
        cmocka_unit_test(test_status_names_distinct),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
