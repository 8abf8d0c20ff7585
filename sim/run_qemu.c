/* SPDX-License-Identifier: Apache-2.0 */
/*
 * otaflow-board run, QEMU engine: the board's firmware (bootloader at address 0 of internal
 * flash, then the application it starts) runs on QEMU's mps2-an386. QEMU exits at every reset
 * (-no-reboot) and is launched again with the same flash files: a real reset. Its exit status
 * says what happened (docs/firmware.md): 0 a reset (SYSRESETREQ or the watchdog), 3 the
 * requested power cut, 5 the bootloader found no valid image; anything else is a failure of
 * QEMU itself, whose stderr (DIR/qemu.log) is then shown. The UART is relayed as the host
 * engine relays the application's output (and typed on as it types on the application's
 * stdin), and the same goals are watched.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "qemu_launch.h"
#include "qemu_power.h"
#include "run.h"

#define QEMU_LOG "qemu.log"
#define QEMU_EXIT_RESET 0
#define QEMU_EXIT_POWER_CUT 3
#define QEMU_EXIT_HALTED 5
#define QEMU_LOG_LINES_SHOWN 10

/* QEMU's own complaints (it failed, not the firmware), as board lines. */
static void show_log(run_ctx_t *r)
{
    char path[BOARD_PATH_MAX], line[CONSOLE_LINE_MAX];
    FILE *f = board_path(path, r->abs_dir, QEMU_LOG) == 0 ? fopen(path, "r") : NULL;
    for (unsigned i = 0; f != NULL && i < QEMU_LOG_LINES_SHOWN && fgets(line, sizeof line, f);
         i++) {
        line[strcspn(line, "\r\n")] = '\0';
        console_board(&r->console, "qemu: %s", line);
    }
    if (f != NULL) {
        fclose(f);
    }
}

/* What QEMU's end means. Returns -1 after a reset (launch again), else the run's status. */
static int qemu_ended(run_ctx_t *r, int ws)
{
    char err[BOARD_ERR_MAX];
    uint32_t seed;
    ota_sim_power_t now;
    if (qemu_power_read(r->abs_dir, &now, &seed, err, sizeof err) == 0) {
        *r->power = now; /* the firmware counted its operations there */
    } else {
        console_board(&r->console, "%s", err);
    }
    int status = WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;
    if (status == QEMU_EXIT_POWER_CUT && r->power->dead) {
        return run_power_cut_exit(r, "in the firmware");
    }
    if (status == QEMU_EXIT_RESET) {
        run_announce_reset(r, "system reset (software reset or watchdog)");
        return -1;
    }
    if (status == QEMU_EXIT_HALTED) {
        console_board(&r->console, "halted: the bootloader found no valid image to start");
        return BOARD_EXIT_HALTED;
    }
    if (status >= 0) {
        console_board(&r->console, "QEMU failed (exit status %d)%s", status,
                      status == QEMU_EXIT_POWER_CUT ? ": power cut without dead=1 in "
                                                      BOARD_POWER_QEMU : "");
    } else {
        console_board(&r->console, "QEMU was killed (%s)",
                      strsignal(WIFSIGNALED(ws) ? WTERMSIG(ws) : 0));
    }
    show_log(r);
    return BOARD_EXIT_FAIL;
}

/* Watch one QEMU launch. Returns -1 after a reset, else the exit status of the run. QEMU
 * stopped by run_stop exits between two instructions: a semihosting write completes. */
static int watch(run_ctx_t *r, app_process_t *q)
{
    uint64_t next_goal_check = 0;
    bool console_open = true;
    for (;;) {
        console_open = run_poll_console(r, q, console_open, NULL);
        int ws;
        if (run_reaped(r, q, console_open, &ws)) {
            return qemu_ended(r, ws);
        }
        uint64_t now = run_mono_ms();
        if (now >= next_goal_check || r->console.watch_seen || r->console.confirm_seen) {
            r->console.confirm_seen = false;
            next_goal_check = now + GOAL_CHECK_MS;
            if (run_goal_reached(r)) {
                run_stop(r, q);
                return BOARD_EXIT_OK;
            }
        }
        if (r->deadline_ms != 0 && now >= r->deadline_ms) {
            run_stop(r, q);
            return run_timeout_exit(r);
        }
        if (g_run_interrupted) {
            run_stop(r, q);
            console_board(&r->console, "interrupted: QEMU stopped");
            return EXIT_INTERRUPTED;
        }
    }
}

static int launch_loop(run_ctx_t *r)
{
    char self[PATH_MAX], err[BOARD_ERR_MAX], log_path[BOARD_PATH_MAX];
    if (board_self_path(self, sizeof self) != 0 ||
        board_path(log_path, r->abs_dir, QEMU_LOG) != 0) {
        console_board(&r->console, "cannot find otaflow-board itself or the QEMU log path");
        return BOARD_EXIT_FAIL;
    }
    for (;;) {
        static qemu_cmdline_t cmd;
        app_process_t q;
        if (qemu_cmdline_build(&cmd, r->abs_dir, &r->cfg, (uint64_t)time(NULL), self, err,
                               sizeof err) != 0 ||
            qemu_start(&q, &cmd, log_path, err, sizeof err) != 0) {
            console_board(&r->console, "%s", err);
            return BOARD_EXIT_FAIL;
        }
        console_input_started(&r->input, &r->console, q.input_fd);
        int rc = watch(r, &q);
        if (rc >= 0) {
            return rc;
        }
        if (run_goal_reached(r)) {
            return BOARD_EXIT_OK;
        }
        if (r->deadline_ms != 0 && run_mono_ms() >= r->deadline_ms) {
            return run_timeout_exit(r);
        }
        if (g_run_interrupted) {
            return EXIT_INTERRUPTED;
        }
    }
}

int run_qemu(run_ctx_t *r, uint32_t seed)
{
    char err[BOARD_ERR_MAX];
    if (qemu_power_write(r->abs_dir, r->power, seed, err, sizeof err) != 0) {
        console_board(&r->console, "%s", err);
        return BOARD_EXIT_FAIL;
    }
    int rc = launch_loop(r);
    /* no cut left for later runs, unless it fired (the board stays dead until the next run) */
    ota_sim_power_t now;
    uint32_t now_seed;
    if (qemu_power_read(r->abs_dir, &now, &now_seed, err, sizeof err) == 0 && !now.dead &&
        now.cut_at != 0) {
        now.cut_at = 0;
        if (qemu_power_write(r->abs_dir, &now, now_seed, err, sizeof err) != 0) {
            console_board(&r->console, "%s", err);
        }
    }
    return rc;
}
