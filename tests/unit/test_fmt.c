/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Cortex-M port's console formatter (port/cortex-m/fmt.c), run on the host: its integers
 * against the C library's snprintf, above all 64-bit values, which it divides without
 * libgcc's 64-bit division (the bootloader prints emulated nanoseconds with %llu).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "fmt.h"

static void test_integers_as_snprintf_prints_them(void **unused)
{
    (void)unused;
    const unsigned long long values[] = {0u, 9u, 10u, 4294967295ull, 4294967296ull,
                                         4294967306ull, 12345678901234567ull,
                                         18446744073709551615ull, 0x8000000000000000ull};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        char got[64], want[64];
        fmt_format(got, sizeof got, "%llu %llx %016llX|", values[i], values[i], values[i]);
        snprintf(want, sizeof want, "%llu %llx %016llX|", values[i], values[i], values[i]);
        assert_string_equal(got, want);
        long long s = (long long)values[i];
        fmt_format(got, sizeof got, "%lld %d %ld", s, (int)s, (long)s);
        snprintf(want, sizeof want, "%lld %d %ld", s, (int)s, (long)s);
        assert_string_equal(got, want);
    }
}

static void test_output_is_cut_and_terminated(void **unused)
{
    (void)unused;
    char buf[6];
    assert_int_equal(fmt_format(buf, sizeof buf, "%s=%05u", "ab", 42u), 5);
    assert_string_equal(buf, "ab=00");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_integers_as_snprintf_prints_them),
        cmocka_unit_test(test_output_is_cut_and_terminated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
