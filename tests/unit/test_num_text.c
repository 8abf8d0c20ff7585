/* SPDX-License-Identifier: Apache-2.0 */
/* The core's one number formatter (src/num_text.c): digits at every width, 0, UINT32_MAX,
 * UINT64_MAX, and buffers one byte too small. */
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zero),
        cmocka_unit_test(test_every_width),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_no_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
