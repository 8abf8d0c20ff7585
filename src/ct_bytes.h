/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Secret bytes: compared in a time that does not depend on where they differ, and wiped in a
 * way the optimiser does not drop as a dead store. Private to src/; static inline, so each
 * user has its own copy (a few instructions each).
 */
#ifndef OTAFLOW_CT_BYTES_H
#define OTAFLOW_CT_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Whether a[0, len) equals b[0, len), in a time that depends on len alone. */
static inline bool ct_equal(const uint8_t *a, const uint8_t *b, size_t len)
{
    volatile uint8_t diff = 0;
    for (size_t i = 0; i < len; i++) {
        diff = (uint8_t)(diff | (a[i] ^ b[i]));
    }
    return diff == 0u;
}

/** Zero n secret bytes at p. */
static inline void ct_wipe(void *p, size_t n)
{
    volatile uint8_t *v = p;
    while (n-- > 0u) {
        *v++ = 0;
    }
}

#endif /* OTAFLOW_CT_BYTES_H */
