/* SPDX-License-Identifier: Apache-2.0 */
/* Console lines built in a caller's buffer (see app_text.h). */
#include "app_text.h"

void app_text_init(app_text_t *t, char *buf, size_t size)
{
    t->buf = buf;
    t->size = size;
    t->len = 0;
    buf[0] = '\0';
}

void app_text_str(app_text_t *t, const char *s)
{
    while (*s != '\0' && t->len + 1u < t->size) {
        t->buf[t->len++] = *s++;
    }
    t->buf[t->len] = '\0';
}

void app_text_u32(app_text_t *t, uint32_t v)
{
    uint32_t unit = 1u;
    while (v / unit >= 10u) {
        unit *= 10u;
    }
    for (; unit != 0u; unit /= 10u) {
        const char digit[2] = {(char)('0' + v / unit % 10u), '\0'};
        app_text_str(t, digit);
    }
}
