/* SPDX-License-Identifier: Apache-2.0 */
/* otaflow-board: the virtual PIC32MZ W1 Curiosity board. One subcommand per cmd_*.c. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "otaflow/version.h"

static const char HELP[] =
    "usage: otaflow-board <subcommand> [options]   (otaflow-board <subcommand> --help)\n"
    "       otaflow-board --version                      print the release number\n"
    "\n"
    "  create DIR [--ext-flash PART] [--manifest-url URL] [--period SEC] [--slots N] ...\n"
    "                                   a new board with erased flash (--engine qemu: the\n"
    "                                   real firmware on an emulated Cortex-M4)\n"
    "  set DIR KEY=VALUE...             change settings of a board (keys of board.conf)\n"
    "  flash DIR FILE.ota               factory programming of the application\n"
    "  run DIR [--until-version N] [--timeout SEC] [--power-cut-at N [--cut-mode M]]\n"
    "                                   power on: bootloader, then the application\n"
    "  status DIR [--json]              versions, boot state, slots, flash counters\n"
    "  file DIR SLOT [--out FILE]       the file in a file slot (board.conf file_slots)\n"
    "  request DIR ACTION               press a button: factory-reset, rollback, check, reset, hang\n"
    "  attack DIR erase-journal | plant FILE.ota\n"
    "                                   what an attacker with the SPI bus does to the store\n"
    "  relay PORT                       (QEMU engine) the board's connection to 127.0.0.1:PORT\n"
    "\n"
    "exit status: 0 ok, 1 failure, 2 bad usage; run also 3 timeout, 4 power cut, 5 halted\n";

typedef struct subcommand {
    const char *name;
    int (*run)(int argc, char **argv);
} subcommand_t;

static const subcommand_t SUBCOMMANDS[] = {
    {"create", cmd_create}, {"set", cmd_set},       {"flash", cmd_flash},
    {"run", cmd_run},       {"status", cmd_status}, {"request", cmd_request},
    {"attack", cmd_attack}, {"relay", cmd_relay},   {"file", cmd_file},
};

int main(int argc, char **argv)
{
    if (argc < 2) {
        return board_usage_error(NULL, "missing subcommand (try otaflow-board --help)");
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        fputs(HELP, stdout);
        return BOARD_EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("otaflow-board %s\n", OTA_VERSION_STRING);
        return BOARD_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof SUBCOMMANDS / sizeof SUBCOMMANDS[0]; i++) {
        if (strcmp(argv[1], SUBCOMMANDS[i].name) == 0) {
            return SUBCOMMANDS[i].run(argc - 1, argv + 1);
        }
    }
    return board_usage_error(NULL, "unknown subcommand '%s' (try otaflow-board --help)", argv[1]);
}
