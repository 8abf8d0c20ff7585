/* SPDX-License-Identifier: Apache-2.0 */
/* Unsigned integers as decimal text (see num_text.h). */
#include "num_text.h"

size_t ota_u64_to_dec(uint64_t v, char *out, size_t size)
{
    char digits[OTA_DEC_U64_SIZE - 1u];
    size_t n = 0;
    do {
        digits[sizeof digits - 1u - n] = (char)('0' + (v % 10u));
        v /= 10u;
        n++;
    } while (v != 0u);
    if (out == NULL || size == 0) {
        return 0;
    }
    if (n >= size) {
        out[0] = '\0';
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        out[i] = digits[sizeof digits - n + i];
    }
    out[n] = '\0';
    return n;
}

size_t ota_dec_to_u64(const char *s, size_t n, uint64_t *out)
{
    uint64_t v = 0;
    size_t i = 0;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
        unsigned digit = (unsigned)(s[i] - '0');
        if (v > (UINT64_MAX - digit) / 10u) {
            return 0;
        }
        v = v * 10u + digit;
    }
    if (i != 0) {
        *out = v;
    }
    return i;
}
