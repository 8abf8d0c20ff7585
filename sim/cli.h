/* SPDX-License-Identifier: Apache-2.0 */
/*
 * otaflow-board: what the subcommands share (exit codes, messages, option parsing).
 *
 * Every subcommand is `int cmd_<name>(int argc, char **argv)` with argv[0] = its name and
 * returns the exit status. Errors are one line on stderr: "otaflow-board: <cmd>: <reason>".
 */
#ifndef OTAFLOW_SIM_CLI_H
#define OTAFLOW_SIM_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BOARD_EXIT_OK 0
#define BOARD_EXIT_FAIL 1      /**< the board or the input is wrong */
#define BOARD_EXIT_USAGE 2     /**< the command line is wrong */
#define BOARD_EXIT_TIMEOUT 3   /**< run: --timeout passed before the goal */
#define BOARD_EXIT_POWER_CUT 4 /**< run: the board died by the requested power cut */
#define BOARD_EXIT_HALTED 5    /**< run: the bootloader found no valid image and stopped */

int board_fail(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int board_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/** One option: "--name VALUE" / "--name=VALUE" (value != NULL) or a flag "--name". */
typedef struct cli_opt {
    const char *name;
    const char **value;
    bool *flag;
} cli_opt_t;

/** Parse argv[1..argc) against opts (ended by {NULL}); words go to pos[0..npos). Prints
 *  help (and returns 1) on --help; returns -1 after a one-line error; 0 otherwise. */
int cli_parse(int argc, char **argv, const cli_opt_t *opts, const char **pos, int npos,
              const char *help);

/** Read a whole file (up to 64 MB) into *out (malloc'd, the caller frees). 0, or -1 with
 *  errno set. */
int board_read_file(const char *path, uint8_t **out, size_t *len);

/** The path of this otaflow-board executable (/proc/self/exe). 0, or -1 when it does not
 *  fit in len or cannot be read. */
int board_self_path(char *out, size_t len);

/** Decimal number in [min, max]. */
bool cli_u32(const char *text, uint32_t min, uint32_t max, uint32_t *out);

int cmd_create(int argc, char **argv);
int cmd_set(int argc, char **argv);
int cmd_flash(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_file(int argc, char **argv);
int cmd_request(int argc, char **argv);
int cmd_attack(int argc, char **argv);
int cmd_relay(int argc, char **argv);

#endif /* OTAFLOW_SIM_CLI_H */
