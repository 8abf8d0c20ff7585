/* SPDX-License-Identifier: Apache-2.0 */
/*
 * otaflow-board request: press a button on the board. The request is a small file in the
 * board directory that the application picks up (and removes) within a fraction of a second,
 * or at its next start; it carries it out through the agent's API, as firmware would from a
 * button handler or a command line.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "board.h"
#include "cli.h"

static const char HELP[] =
    "usage: otaflow-board request DIR ACTION\n"
    "\n"
    "Ask the application on the board to do something (it acts at once while running, else\n"
    "at its next start):\n"
    "  factory-reset   install the factory image at the next reset (agent factory reset)\n"
    "  rollback        go back to the previous image at the next reset (agent rollback)\n"
    "  check           check the manifest now, whatever the period\n"
    "  reset           reset the board now (e.g. with auto-reset off)\n"
    "  hang            make the application hang without feeding the watchdog (a test of\n"
    "                  the watchdog: the board resets it after watchdog_s seconds)\n";

static const char *const ACTIONS[] = {"factory-reset", "rollback", "check", "reset", "hang"};

int cmd_request(int argc, char **argv)
{
    const char *pos[2];
    const cli_opt_t opts[] = {{NULL, NULL, NULL}};
    int p = cli_parse(argc, argv, opts, pos, 2, HELP);
    if (p != 0) {
        return p > 0 ? BOARD_EXIT_OK : BOARD_EXIT_USAGE;
    }
    bool known = false;
    for (size_t i = 0; i < sizeof ACTIONS / sizeof ACTIONS[0]; i++) {
        known = known || strcmp(pos[1], ACTIONS[i]) == 0;
    }
    if (!known) {
        return board_usage_error(argv[0], "unknown action '%s' (see --help)", pos[1]);
    }
    board_config_t cfg;
    char err[BOARD_ERR_MAX], path[BOARD_PATH_MAX], tmp[BOARD_PATH_MAX];
    if (board_config_load(pos[0], &cfg, err, sizeof err) != 0) {
        return board_fail(argv[0], "%s", err);
    }
    if (board_path(path, pos[0], BOARD_REQUEST) != 0 ||
        board_path(tmp, pos[0], BOARD_REQUEST ".tmp") != 0) {
        return board_fail(argv[0], "directory path too long");
    }
    FILE *f = fopen(tmp, "w");
    if (f == NULL || fprintf(f, "%s\n", pos[1]) < 0 || fclose(f) != 0 || rename(tmp, path)) {
        return board_fail(argv[0], "cannot write %s: %s", path, strerror(errno));
    }
    return BOARD_EXIT_OK;
}
