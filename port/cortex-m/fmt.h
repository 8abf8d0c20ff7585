/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A small formatter for console lines: newlib's printf family allocates (its reentrancy
 * structure and buffers come from malloc), and the firmware has no heap: the link fails on
 * any malloc (no _sbrk is provided), so a use of it cannot slip in.
 *
 * Conversions: %s %c %% and the integers %d %u %x %X with the l and ll length modifiers,
 * an optional '0' flag and a width (e.g. %08lx). Output is always NUL-terminated, cut at len.
 */
#ifndef OTAFLOW_FMT_H
#define OTAFLOW_FMT_H

#include <stdarg.h>
#include <stddef.h>

/** vsnprintf for the conversions above; returns the length written (without the NUL). */
size_t fmt_vformat(char *buf, size_t len, const char *fmt, va_list ap);

/** snprintf for the conversions above. */
size_t fmt_format(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif /* OTAFLOW_FMT_H */
