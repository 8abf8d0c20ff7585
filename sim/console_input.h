/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the board types on its console (the application's stdin on the host engine, the
 * UART's receiver on QEMU): the lines of `otaflow-board run --send LINE`, typed once, in
 * order, when the first application (host) or firmware (QEMU) starts, each shown as a line
 * `board: console input: LINE`; and, when the run is interactive (stdin is a terminal and the
 * board runs in its foreground), the lines typed on that terminal, as they come.
 */
#ifndef OTAFLOW_SIM_CONSOLE_INPUT_H
#define OTAFLOW_SIM_CONSOLE_INPUT_H

#include <stdbool.h>
#include <stddef.h>

#include "console.h"

#define CONSOLE_INPUT_SEND_MAX 32u   /**< --send lines per run */
#define CONSOLE_INPUT_LINE_MAX 512u  /**< characters of one --send line */

typedef struct console_input {
    const char *send[CONSOLE_INPUT_SEND_MAX]; /**< the --send lines (argv strings) */
    size_t n_send;
    bool sent;        /**< the --send lines were typed */
    bool terminal;    /**< stdin is an interactive terminal: its lines are typed */
} console_input_t;

/**
 * Take every `--send LINE` / `--send=LINE` out of argv (the other words stay, in order, for
 * cli_parse), decide whether stdin is interactive. Returns the new argc, or -1 after a usage
 * error (a --send without a value, more than CONSOLE_INPUT_SEND_MAX, a line too long or
 * holding a line break).
 */
int console_input_take(console_input_t *in, int argc, char **argv);

/** The application (host) or QEMU started with its console input on fd: the --send lines,
 *  the first time. */
void console_input_started(console_input_t *in, console_t *con, int fd);

/** The terminal to watch for typed lines (poll it for POLLIN), or -1. */
int console_input_terminal_fd(const console_input_t *in);

/** The terminal is readable: what it has goes to fd (-1: nothing runs, it waits). */
void console_input_forward(console_input_t *in, console_t *con, int fd);

#endif /* OTAFLOW_SIM_CONSOLE_INPUT_H */
