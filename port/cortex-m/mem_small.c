/* SPDX-License-Identifier: Apache-2.0 */
/*
 * memcpy, memmove, memset and memcmp one byte at a time: about 100 B of code where
 * newlib-nano's word-at-a-time versions take 824 B on a Cortex-M4 (docs/footprint.md). A
 * program that links this file uses these instead of the C library's; the lean bootloader
 * does (firmware/CMakeLists.txt), trading copy speed, which its flash writes dwarf, for flash.
 * Compiled with -fno-tree-loop-distribute-patterns, or gcc would turn the loops back into
 * calls to themselves.
 */
#include <stddef.h>
#include <string.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    while (n-- != 0) {
        *d++ = *s++;
    }
    return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (d < s) {
        while (n-- != 0) {
            *d++ = *s++;
        }
    } else {
        while (n-- != 0) {
            d[n] = s[n];
        }
    }
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;
    while (n-- != 0) {
        *d++ = (unsigned char)c;
    }
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    for (; n != 0; n--, x++, y++) {
        if (*x != *y) {
            return *x - *y;
        }
    }
    return 0;
}
