/* SPDX-License-Identifier: Apache-2.0 */
/* Unsigned integers as decimal text (see num_text.h). */
#include "num_text.h"

/* v / 10, returning v % 10, in 32-bit divisions of 16 bits at a time (the remainder < 10
 * ahead of each 16 bits always fits): a 64-bit division would call the compiler's library
 * routine (__aeabi_uldivmod, 784 B linked on a Cortex-M4), which the core does without. */
static unsigned num_divmod10(uint64_t *v)
{
    uint64_t q = 0;
    uint32_t r = 0;
    for (int shift = 48; shift >= 0; shift -= 16) {
        uint32_t cur = (r << 16) | (uint32_t)((*v >> shift) & 0xFFFFu);
        q |= (uint64_t)(cur / 10u) << shift;
        r = cur % 10u;
    }
    *v = q;
    return r;
}

size_t ota_u64_to_dec(uint64_t v, char *out, size_t size)
{
    char digits[OTA_DEC_U64_SIZE - 1u];
    size_t n = 0;
    do {
        digits[sizeof digits - 1u - n] = (char)('0' + num_divmod10(&v));
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
        /* v * 10 + digit <= UINT64_MAX, with the division done by the compiler */
        if (v > UINT64_MAX / 10u || (v == UINT64_MAX / 10u && digit > UINT64_MAX % 10u)) {
            return 0;
        }
        v = v * 10u + digit;
    }
    if (i != 0) {
        *out = v;
    }
    return i;
}
