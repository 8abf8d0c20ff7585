/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The original's raw r||s ECDSA P-256 signatures as DER (src/sig_raw.c): leading zero bytes
 * dropped, a 0x00 put back before a top bit, and a round trip against the DER that a real
 * signer writes (400 signatures of the tool's key), each verifying after the conversion.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sig_raw.h"
#include "test_keys.h"

static void test_integer_forms(void **unused)
{
    (void)unused;
    uint8_t raw[64], der[OTA_ECDSA_P256_SIG_MAX];
    memset(raw, 0, sizeof raw);
    raw[2] = 0x01; /* r = 0x01 followed by 29 bytes: two leading zeros dropped */
    memset(raw + 3, 0x11, 29);
    raw[32] = 0x80; /* s with its top bit set: a 0x00 in front */
    memset(raw + 33, 0x22, 31);
    size_t n = ota_sig_raw_to_der(raw, der);
    assert_int_equal(n, 2 + 2 + 30 + 2 + 33);
    assert_int_equal(der[0], 0x30);
    assert_int_equal(der[1], n - 2);
    assert_int_equal(der[2], 0x02);
    assert_int_equal(der[3], 30);
    assert_int_equal(der[4], 0x01);
    assert_int_equal(der[34], 0x02);
    assert_int_equal(der[35], 33);
    assert_int_equal(der[36], 0x00);
    assert_int_equal(der[37], 0x80);
    /* All zero: INTEGER 0, one byte each. */
    memset(raw, 0, sizeof raw);
    assert_int_equal(ota_sig_raw_to_der(raw, der), 8);
    static const uint8_t zero[8] = {0x30, 6, 2, 1, 0, 2, 1, 0};
    assert_memory_equal(der, zero, 8);
}

/* A real signer's DER -> raw (as the original's ecdsaSign.py writes it) -> DER: the same
 * bytes, and they verify. */
static void test_round_trip_of_real_signatures(void **unused)
{
    (void)unused;
    tool_key_t trusted, other;
    ota_sig_key_t entry;
    assert_int_equal(test_keys_make(&trusted, &other, &entry), 0);
    unsigned padded = 0;
    for (unsigned i = 0; i < 400; i++) {
        uint8_t hash[32], der[OTA_ECDSA_P256_SIG_MAX], raw[64], back[OTA_ECDSA_P256_SIG_MAX];
        char why[128];
        size_t n = 0;
        ota_sha256(&i, sizeof i, hash);
        assert_int_equal(tool_key_sign_hash(&trusted, hash, der, &n, why, sizeof why), 0);
        assert_int_equal(test_keys_der_to_rs(der, n, raw), 0);
        padded += (raw[0] >> 7) + (raw[32] >> 7); /* DER put a 0x00 before each */
        size_t m = ota_sig_raw_to_der(raw, back);
        assert_int_equal(m, n);
        assert_memory_equal(back, der, n);
        assert_int_equal(ota_sig_verify(entry.alg, entry.key, entry.key_len, hash, back, m),
                         OTA_CRYPTO_OK);
    }
    assert_true(padded > 0); /* the 0x00 before a top bit was met */
    test_keys_free(&trusted, &other);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_integer_forms),
        cmocka_unit_test(test_round_trip_of_real_signatures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
