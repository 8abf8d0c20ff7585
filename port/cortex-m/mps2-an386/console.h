/* SPDX-License-Identifier: Apache-2.0 */
/* The board's console: one line per call on UART0 (QEMU's -serial stdio), and what is typed
 * on it, a byte at a time. */
#ifndef OTAFLOW_AN386_CONSOLE_H
#define OTAFLOW_AN386_CONSOLE_H

#include <stdbool.h>

/** Enable UART0. */
void console_init(void);

/** Print one line: prefix (e.g. "boot: "), the formatted text, a newline. Lines longer than
 *  the console's buffer (256 bytes) are cut. */
void console_printf(const char *prefix, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** A byte typed on the console in *ch and true; false when none waits (never blocks). */
bool console_getc(char *ch);

/** An ota_log_fn (port.h): prints line after the prefix given as ctx (a const char *). */
void console_log(void *ctx, const char *line);

#endif /* OTAFLOW_AN386_CONSOLE_H */
