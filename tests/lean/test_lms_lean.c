/* SPDX-License-Identifier: Apache-2.0 */
/*
 * HSS/LMS as the lean HSS/LMS bootloaders build it (OTA_LMS_LEAN_PARAMS: LM-OTS W8 only, its
 * constants built in), on the core of the overwrite-only one. What they must verify, they
 * verify: otaflow-image's default 2 levels of H10/W8 (tests/unit/lms_signer_vectors.h, the
 * same verdicts as tests/unit/test_lms.c gives in the full build), the lean test key's shape
 * (2 levels of H5/W8) signed here, and RFC 8554's test case 1 (H5/W8). What they left out is
 * refused by name, never given a verdict: RFC 8554's test case 2 (its top tree LM-OTS W4) is a
 * valid signature in the full build, and here a key of no parameter set.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../unit/lms_rfc8554_vectors.h"
#include "../unit/lms_signer_vectors.h"
#include "../unit/lms_test_util.h"
#include "lms_internal.h"
#include "lms_key.h"
#include "otaflow/crypto.h"
#include "otaflow/lms.h"

#if !OTA_LMS_LEAN_PARAMS
#error "test_lms_lean checks the core built with OTA_LMS_LEAN_PARAMS 1"
#endif

#define SIG_CAP 4096u

typedef struct lean_vector {
    uint8_t key[OTA_LMS_PUBKEY_SIZE];
    uint8_t sig[SIG_CAP + 64u]; /* room to make it oversized */
    uint32_t sig_len;
    uint8_t msg[256];
    size_t msg_len;
} lean_vector_t;

static ota_lms_status_t lean_verify_len(const lean_vector_t *v, uint32_t sig_len)
{
    return lms_test_verify(v->key, v->msg, v->msg_len, v->sig, sig_len);
}

static ota_lms_status_t lean_verify(const lean_vector_t *v)
{
    return lean_verify_len(v, v->sig_len);
}

static void load_signer_vector(lean_vector_t *v)
{
    memset(v, 0, sizeof *v);
    assert_int_equal(lms_test_unhex(SIGNER_H10W8_PUBKEY, v->key, sizeof v->key), OTA_LMS_PUBKEY_SIZE);
    v->sig_len = (uint32_t)lms_test_unhex(SIGNER_H10W8_SIGNATURE, v->sig, SIG_CAP);
    assert_int_equal(v->sig_len, SIGNER_H10W8_SIG_SIZE);
    v->msg_len = lms_test_unhex(SIGNER_H10W8_MESSAGE, v->msg, sizeof v->msg);
    assert_int_equal(v->msg_len, OTA_SHA256_SIZE);
}

static void load_rfc_case(lean_vector_t *v, int test_case)
{
    memset(v, 0, sizeof *v);
    lms_test_unhex(test_case == 1 ? RFC8554_TC1_PUBKEY : RFC8554_TC2_PUBKEY, v->key, sizeof v->key);
    v->sig_len = (uint32_t)lms_test_unhex(test_case == 1 ? RFC8554_TC1_SIGNATURE : RFC8554_TC2_SIGNATURE,
                                    v->sig, SIG_CAP);
    const char *msg = test_case == 1 ? RFC8554_TC1_MESSAGE : RFC8554_TC2_MESSAGE;
    v->msg_len = strlen(msg);
    assert_true(v->msg_len <= sizeof v->msg);
    memcpy(v->msg, msg, v->msg_len);
}

/* otaflow-image's default key (2 levels of H10/W8): valid, another key, another message,
 * truncated, oversized, each by its status. */
static void test_signer_default_h10_w8(void **unused)
{
    (void)unused;
    static lean_vector_t v;
    load_signer_vector(&v);
    assert_int_equal(lean_verify(&v), OTA_LMS_OK);
    /* as an image's signature is checked: the 32-byte hash as the message */
    assert_int_equal(ota_sig_verify(OTA_SIG_ALG_HSS_LMS, v.key, sizeof v.key, v.msg, v.sig,
                                    v.sig_len), OTA_CRYPTO_OK);

    v.msg[7] ^= 0x04u;
    assert_int_equal(lean_verify(&v), OTA_LMS_ERR_BAD_SIGNATURE);
    v.msg[7] ^= 0x04u;

    const size_t key_bytes[] = {12, 27, 28, 59}; /* I (first, last), T[1] (first, last) */
    for (size_t i = 0; i < sizeof key_bytes / sizeof key_bytes[0]; i++) {
        v.key[key_bytes[i]] ^= 0x80u;
        assert_int_equal(lean_verify(&v), OTA_LMS_ERR_BAD_SIGNATURE);
        v.key[key_bytes[i]] ^= 0x80u;
    }

    /* cut inside Nspk, the top signature, the lower key, the lower signature, its last byte */
    const uint32_t cuts[] = {0, 3, 4, 700, 1452, 1460, 1508, 2000, SIGNER_H10W8_SIG_SIZE - 1u};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        assert_int_equal(lean_verify_len(&v, cuts[i]), OTA_LMS_ERR_TRUNCATED);
    }
    assert_int_equal(lean_verify_len(&v, v.sig_len + 1u), OTA_LMS_ERR_OVERSIZED);
    assert_int_equal(lean_verify_len(&v, v.sig_len + 64u), OTA_LMS_ERR_OVERSIZED);

    v.sig[1000] ^= 0x01u; /* a chain value of the top signature */
    assert_int_equal(lean_verify(&v), OTA_LMS_ERR_BAD_SIGNATURE);
    v.sig[1000] ^= 0x01u;
    assert_int_equal(lean_verify(&v), OTA_LMS_OK);
}

/* The lean test key's shape (2 levels of H5/W8, firmware/lean_keys_lms.c), signed here by the
 * signer linked with this same core, at leaves on both sides of both trees. */
static void test_lean_key_shape_signs_and_verifies(void **unused)
{
    (void)unused;
    uint8_t seed[OTA_LMS_N], id[OTA_LMS_I_SIZE];
    for (unsigned i = 0; i < sizeof seed; i++) {
        seed[i] = (uint8_t)(0x33u * i + 1u);
    }
    memset(id, 0xC3, sizeof id);
    static tool_lms_key_t key;
    char why[256];
    assert_int_equal(tool_lms_derive(&key, 2, OTA_LMS_SHA256_M32_H5, OTA_LMOTS_SHA256_N32_W8, seed,
                                     id, why, sizeof why), 0);
    static lean_vector_t v;
    memset(&v, 0, sizeof v);
    memcpy(v.key, key.pub, sizeof v.key);
    v.sig_len = (uint32_t)tool_lms_sig_size(&key);
    assert_int_equal(v.sig_len, 2644u);
    v.msg_len = OTA_SHA256_SIZE;
    const uint64_t indices[] = {1u, 31u * 32u + 30u}; /* right, left; left, right */
    for (size_t i = 0; i < sizeof indices / sizeof indices[0]; i++) {
        memset(v.msg, (int)(0x70u + i), v.msg_len);
        assert_int_equal(tool_lms_sign(&key, indices[i], v.msg, v.msg_len, v.sig, why, sizeof why),
                         0);
        assert_int_equal(lean_verify(&v), OTA_LMS_OK);
        v.msg[0] ^= 1u;
        assert_int_equal(lean_verify(&v), OTA_LMS_ERR_BAD_SIGNATURE);
    }
}

static void test_rfc8554_test_case_1_verifies(void **unused)
{
    (void)unused;
    static lean_vector_t v;
    load_rfc_case(&v, 1); /* two levels of H5/W8: inside the lean set */
    assert_int_equal(lean_verify(&v), OTA_LMS_OK);
    v.msg[0] ^= 1u;
    assert_int_equal(lean_verify(&v), OTA_LMS_ERR_BAD_SIGNATURE);
}

/* A parameter set left out: refused by name, before any hash, never BAD_SIGNATURE or OK. */
static void test_left_out_parameter_sets_refused_by_name(void **unused)
{
    (void)unused;
    static lean_vector_t v;
    load_rfc_case(&v, 2); /* valid in the full build (tests/unit/test_lms.c) */
    assert_int_equal(lean_verify(&v), OTA_LMS_ERR_KEY);
    assert_int_equal(ota_sig_verify(OTA_SIG_ALG_HSS_LMS, v.key, sizeof v.key,
                                    (const uint8_t *)"01234567890123456789012345678901", v.sig,
                                    v.sig_len), OTA_CRYPTO_ERR_KEY);

    /* Our H10/W8 key and signature with W1, W2 or W4 in place of W8: in the key, at the
     * signed lower key, or at a signature's own type (which then is not its key's). */
    load_signer_vector(&v);
    const uint32_t lower_ots = 4u + 1452u + 7u; /* Nspk, the top signature, the lower LMS type */
    for (uint8_t ots = OTA_LMOTS_SHA256_N32_W1; ots < OTA_LMOTS_SHA256_N32_W8; ots++) {
        v.key[11] = ots;
        assert_int_equal(lean_verify(&v), OTA_LMS_ERR_KEY);
        v.key[11] = OTA_LMOTS_SHA256_N32_W8;
        v.sig[lower_ots] = ots;
        assert_int_equal(lean_verify(&v), OTA_LMS_ERR_PARAMS);
        v.sig[lower_ots] = OTA_LMOTS_SHA256_N32_W8;
        v.sig[11] = ots; /* the top signature's LM-OTS type */
        assert_int_equal(lean_verify(&v), OTA_LMS_ERR_PARAMS);
        v.sig[11] = OTA_LMOTS_SHA256_N32_W8;
    }
    assert_int_equal(lean_verify(&v), OTA_LMS_OK);
    /* the signer built the same way makes no key of them either */
    static tool_lms_key_t key;
    char why[256];
    uint8_t seed[OTA_LMS_N] = {0}, id[OTA_LMS_I_SIZE] = {0};
    assert_int_equal(tool_lms_derive(&key, 1, OTA_LMS_SHA256_M32_H5, OTA_LMOTS_SHA256_N32_W4, seed,
                                     id, why, sizeof why), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_signer_default_h10_w8),
        cmocka_unit_test(test_lean_key_shape_signs_and_verifies),
        cmocka_unit_test(test_rfc8554_test_case_1_verifies),
        cmocka_unit_test(test_left_out_parameter_sets_refused_by_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
