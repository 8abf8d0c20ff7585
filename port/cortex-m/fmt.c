/* SPDX-License-Identifier: Apache-2.0 */
/* Console formatter without a heap (fmt.h). */
#include "fmt.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct out {
    char *buf;
    size_t len, at;
} out_t;

static void put(out_t *o, char c)
{
    if (o->at + 1u < o->len) {
        o->buf[o->at++] = c;
    }
}

/* v / base with the remainder in *rem, without a 64-bit division: a 32-bit one when v fits
 * (every value but a 64-bit one), else shift and subtract. libgcc's __aeabi_uldivmod, which
 * `v % base` on a 64-bit v would call, is 760 B of flash. */
static unsigned long long div_base(unsigned long long v, unsigned base, unsigned *rem)
{
    if ((v >> 32) == 0) {
        uint32_t v32 = (uint32_t)v;
        *rem = v32 % base;
        return v32 / base;
    }
    unsigned long long q = 0;
    unsigned r = 0;
    for (int bit = 63; bit >= 0; bit--) {
        r = (r << 1) | (unsigned)((v >> bit) & 1u);
        q <<= 1;
        if (r >= base) {
            r -= base;
            q |= 1u;
        }
    }
    *rem = r;
    return q;
}

static void put_number(out_t *o, unsigned long long v, bool negative, unsigned base, bool upper,
                       unsigned width, char pad)
{
    char digits[24];
    unsigned n = 0;
    const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    do {
        unsigned digit;
        v = div_base(v, base, &digit);
        digits[n++] = set[digit];
    } while (v != 0 && n < sizeof digits);
    unsigned total = n + (negative ? 1u : 0u);
    if (negative && pad == '0') {
        put(o, '-');
    }
    for (; total < width; total++) {
        put(o, pad);
    }
    if (negative && pad != '0') {
        put(o, '-');
    }
    while (n > 0) {
        put(o, digits[--n]);
    }
}

size_t fmt_vformat(char *buf, size_t len, const char *fmt, va_list ap)
{
    out_t o = {buf, len, 0};
    for (const char *p = fmt; *p != '\0'; p++) {
        if (*p != '%') {
            put(&o, *p);
            continue;
        }
        p++;
        char pad = ' ';
        unsigned width = 0, longs = 0;
        if (*p == '0') {
            pad = '0';
            p++;
        }
        while (*p >= '0' && *p <= '9') {
            width = width * 10u + (unsigned)(*p++ - '0');
        }
        while (*p == 'l') {
            longs++;
            p++;
        }
        switch (*p) {
        case 's': {
            const char *s = va_arg(ap, const char *);
            for (s = s != NULL ? s : "(null)"; *s != '\0'; s++) {
                put(&o, *s);
            }
            break;
        }
        case 'c':
            put(&o, (char)va_arg(ap, int));
            break;
        case 'd': {
            long long v = longs >= 2 ? va_arg(ap, long long)
                          : longs == 1 ? va_arg(ap, long) : va_arg(ap, int);
            unsigned long long mag = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
            put_number(&o, mag, v < 0, 10u, false, width, pad);
            break;
        }
        case 'u':
        case 'x':
        case 'X': {
            unsigned long long v = longs >= 2 ? va_arg(ap, unsigned long long)
                                   : longs == 1 ? va_arg(ap, unsigned long)
                                                : va_arg(ap, unsigned);
            put_number(&o, v, false, *p == 'u' ? 10u : 16u, *p == 'X', width, pad);
            break;
        }
        case '\0':
            p--; /* a lone '%' at the end */
            break;
        default:
            put(&o, *p);
            break;
        }
    }
    if (len != 0) {
        o.buf[o.at] = '\0';
    }
    return o.at;
}

size_t fmt_format(char *buf, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t n = fmt_vformat(buf, len, fmt, ap);
    va_end(ap);
    return n;
}
