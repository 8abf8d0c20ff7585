/* SPDX-License-Identifier: Apache-2.0 */
/*
 * otaflow-board run: what the two engines share. cmd_run.c parses the command line, powers
 * the board on and hands the run to an engine: run_host (the bootloader in this process, the
 * application as a host process, cmd_run.c) or run_qemu (the firmware on QEMU, run_qemu.c).
 * Both watch the same goals through the same read-only view of the board's flash files and
 * print the same board lines.
 */
#ifndef OTAFLOW_SIM_RUN_H
#define OTAFLOW_SIM_RUN_H

#include <poll.h>
#include <signal.h>
#include <stdint.h>

#include "app_process.h"
#include "board_view.h"
#include "console.h"
#include "console_input.h"

#define EXIT_INTERRUPTED 130
#define POLL_MS 50
#define GOAL_CHECK_MS 200
#define STOP_GRACE_MS 3000

typedef struct run_goal {
    uint32_t version;          /**< --until-version (0: none) */
    uint32_t rejected;         /**< --until-rejected (0: none) */
    const char *console_text;  /**< --until-console */
} run_goal_t;

typedef struct run_ctx {
    const char *dir;
    char abs_dir[BOARD_PATH_MAX];
    board_config_t cfg;
    ota_sim_power_t *power;    /**< host: DIR/power mapped; qemu: a copy of DIR/power.qemu */
    console_t console;
    console_input_t input;     /**< what the board types on the console (--send, terminal) */
    run_goal_t goal;
    uint64_t deadline_ms;      /**< 0: none */
    uint64_t ops_at_power_on;  /**< power->ops when this run started: --power-cut-at counts
                                    from here */
    unsigned resets;
    board_view_t view;
    board_flashes_t flashes;
    ota_store_t store;
    ota_sig_keyring_t keys; /* trusted image keys of the store (board_store_config) */
    ota_boot_t boot;
} run_ctx_t;

/** Set by SIGINT/SIGTERM during a run. */
extern volatile sig_atomic_t g_run_interrupted;

/** Monotonic milliseconds. */
uint64_t run_mono_ms(void);

/** Is the goal of the run reached now? (reads the board's flash files) */
bool run_goal_reached(run_ctx_t *r);

/** "board: reset #k: why (after flash operation X of this run)". */
void run_announce_reset(run_ctx_t *r, const char *why);

/** Print the power cut and return BOARD_EXIT_POWER_CUT. */
int run_power_cut_exit(run_ctx_t *r, const char *when);

/** Has the child (application or QEMU) ended? If so, its last console output is printed,
 *  its pipes closed, and its wait status in *wait_status. */
bool run_reaped(run_ctx_t *r, app_process_t *p, bool console_open, int *wait_status);

/** Stop the child (the goal, the timeout, an interrupt): SIGTERM, SIGKILL after
 *  STOP_GRACE_MS; what it printed before is shown. */
void run_stop(run_ctx_t *r, app_process_t *p);

/** Poll the child's console (and the terminal, when interactive) for up to POLL_MS; relay
 *  what the terminal typed. Returns whether the console may still be read (false at its
 *  end). pf_extra (may be NULL) is polled too, its revents filled. */
bool run_poll_console(run_ctx_t *r, app_process_t *p, bool console_open, struct pollfd *pf_extra);

/** Print "timeout: goal not reached" and return BOARD_EXIT_TIMEOUT. */
int run_timeout_exit(run_ctx_t *r);

/** The engines: r->power is on (armed as asked); each returns the exit status of the run.
 *  run_qemu writes r->power (with the torn cut's seed) to DIR/power.qemu before the first
 *  launch and disarms the cut there at the end unless it fired. */
int run_host(run_ctx_t *r);
int run_qemu(run_ctx_t *r, uint32_t seed);

#endif /* OTAFLOW_SIM_RUN_H */
