/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Console lines built piece by piece into a caller's buffer, for the example applications'
 * common code, which the firmware (no printf) shares: text and decimal numbers appended,
 * cut at the buffer's end, always NUL-terminated.
 */
#ifndef OTAFLOW_APP_TEXT_H
#define OTAFLOW_APP_TEXT_H

#include <stddef.h>
#include <stdint.h>

/** A line being built in buf[size] (size >= 1); len bytes so far. */
typedef struct app_text {
    char *buf;
    size_t size;
    size_t len;
} app_text_t;

/** Start an empty line in buf[size]. */
void app_text_init(app_text_t *t, char *buf, size_t size);

/** Append s (what does not fit is cut). */
void app_text_str(app_text_t *t, const char *s);

/** Append v in decimal (cut like text). */
void app_text_u32(app_text_t *t, uint32_t v);

#endif /* OTAFLOW_APP_TEXT_H */
