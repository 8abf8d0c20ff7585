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
