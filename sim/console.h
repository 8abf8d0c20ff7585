/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The board's console (UART): bootloader lines, the application's lines relayed from its
 * stdout/stderr, and the board's own lines, each with the time since power-on.
 *
 * The application reports download progress as lines "app: download progress BYTES/TOTAL",
 * the bootloader its copy as "boot: install progress BYTES/TOTAL"; on a terminal the console
 * draws each kind as one progress bar, otherwise it prints them as they come (so logs and tests
 * see plain lines).
 */
#ifndef OTAFLOW_SIM_CONSOLE_H
#define OTAFLOW_SIM_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONSOLE_LINE_MAX 1024u
#define CONSOLE_PROGRESS_PREFIX "app: download progress "
#define CONSOLE_INSTALL_PREFIX "boot: install progress "

typedef struct console {
    uint64_t t0_ms;               /**< power-on time (monotonic) */
    bool tty;                     /**< stdout is a terminal: draw the progress bar */
    bool bar_active;              /**< a bar is drawn on the current terminal line */
    const struct progress_kind *bar_kind; /**< which progress it shows (console.c) */
    const char *watch_text;       /**< set watch_seen when a line contains it (may be NULL) */
    bool watch_seen;
    bool confirm_seen;            /**< a line said "confirmed": the goal may be reached now */
    size_t len;                   /**< bytes of the partial line in buf */
    char buf[CONSOLE_LINE_MAX];
} console_t;

void console_init(console_t *c, const char *watch_text);

/** A whole line (no newline) from the bootloader or the application. */
void console_line(console_t *c, const char *line);

/** A line of the board itself ("board: ..."). */
void console_board(console_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** Read what fd has now and print its complete lines. Returns 1 at end of file, 0 otherwise. */
int console_feed(console_t *c, int fd);

/** Print a partial last line, if any (the application ended without a newline). */
void console_flush(console_t *c);

#endif /* OTAFLOW_SIM_CONSOLE_H */
