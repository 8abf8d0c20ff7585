/* SPDX-License-Identifier: Apache-2.0 */
/* The core's one number formatter and reader (src/num_text.c): digits at every width, 0,
 * UINT32_MAX, UINT64_MAX, and buffers one byte too small; reading back what was written,
 * where the digits stop, and the first number past UINT64_MAX. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "num_text.h"

/* `v` formats as `want` in a buffer of exactly strlen(want) + 1 bytes, and not in one less. */
static void expect_dec(uint64_t v, const char *want)
{
    char out[OTA_DEC_U64_SIZE + 4];
    size_t n = strlen(want);
    memset(out, 'x', sizeof out);
    assert_int_equal(ota_u64_to_dec(v, out, n + 1u), n);
    assert_string_equal(out, want);
    assert_int_equal(out[n + 1u], 'x'); /* nothing written past the NUL */
    memset(out, 'x', sizeof out);
    assert_int_equal(ota_u64_to_dec(v, out, n), 0);
    assert_int_equal(out[0], '\0'); /* never a cut number */
    assert_int_equal(out[1], 'x');
}

static void test_zero(void **state)
{
    (void)state;
    expect_dec(0, "0");
}

static void test_every_width(void **state)
{
    (void)state;
    /* 9..9 and 10..0 at every width: the carries from one digit count to the next. */
    char nines[24] = "";
    char pow10[24] = "1";
    uint64_t p = 1;
    for (unsigned width = 1; width <= 19; width++) {
        strcat(nines, "9");
        expect_dec(p * 10u - 1u, nines);
        p *= 10u;
        strcat(pow10, "0");
        expect_dec(p, pow10);
    }
    expect_dec(7, "7");
    expect_dec(42, "42");
    expect_dec(65535, "65535");
}

static void test_limits(void **state)
{
    (void)state;
    expect_dec(UINT32_MAX, "4294967295");
    expect_dec((uint64_t)UINT32_MAX + 1u, "4294967296");
    expect_dec(UINT64_MAX, "18446744073709551615");
    char out[OTA_DEC_U64_SIZE];
    assert_int_equal(ota_u64_to_dec(UINT64_MAX, out, sizeof out), 20);
}

static void test_no_buffer(void **state)
{
    (void)state;
    char out[1] = {'x'};
    assert_int_equal(ota_u64_to_dec(5, NULL, 10), 0);
    assert_int_equal(ota_u64_to_dec(5, out, 0), 0);
    assert_int_equal(out[0], 'x'); /* size 0: not even the NUL */
    assert_int_equal(ota_u64_to_dec(5, out, 1), 0);
    assert_int_equal(out[0], '\0');
}

/* `text` reads as `want` from its first `digits` characters. */
static void expect_read(const char *text, size_t digits, uint64_t want)
{
    uint64_t v = 12345;
    assert_int_equal(ota_dec_to_u64(text, strlen(text), &v), digits);
    assert_true(v == want);
}

static void test_read_back(void **state)
{
    (void)state;
    static const uint64_t values[] = {0, 7, 42, 65535, UINT32_MAX, (uint64_t)UINT32_MAX + 1u,
                                      10000000000000000000u, UINT64_MAX - 1u, UINT64_MAX};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        char text[OTA_DEC_U64_SIZE];
        size_t n = ota_u64_to_dec(values[i], text, sizeof text);
        expect_read(text, n, values[i]);
    }
    expect_read("007", 3, 7); /* leading zeros are digits; the caller decides about them */
}

static void test_read_stops(void **state)
{
    (void)state;
    expect_read("123-456/789", 3, 123);
    expect_read("42 ", 2, 42);
    uint64_t v = 99;
    assert_int_equal(ota_dec_to_u64("12345", 2, &v), 2); /* only n characters are looked at */
    assert_true(v == 12);
    static const char *const none[] = {"", "-1", "+1", " 1", "x", "*"};
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
        v = 99;
        assert_int_equal(ota_dec_to_u64(none[i], strlen(none[i]), &v), 0);
        assert_true(v == 99); /* untouched */
    }
}

static void test_read_overflow(void **state)
{
    (void)state;
    uint64_t v = 99;
    /* UINT64_MAX + 1, and UINT64_MAX with one digit more: refused whole, not cut. */
    assert_int_equal(ota_dec_to_u64("18446744073709551616", 20, &v), 0);
    assert_int_equal(ota_dec_to_u64("184467440737095516150", 21, &v), 0);
    assert_int_equal(ota_dec_to_u64("99999999999999999999", 20, &v), 0);
    assert_true(v == 99);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zero),
        cmocka_unit_test(test_read_back),
        cmocka_unit_test(test_read_stops),
        cmocka_unit_test(test_read_overflow),
        cmocka_unit_test(test_every_width),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_no_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
