/* SPDX-License-Identifier: Apache-2.0 */
/*
 * otaflow-board run: power the board on and watch it. Each power-on or reset runs the
 * bootloader (in this process, on the board's flashes), then starts the application image
 * from internal flash as a child process and relays its console. The application's exit is a
 * reset (exit 0 after the agent's reset = soft reset; anything else = crash); a watchdog
 * resets an application that stops sending heartbeats. Meanwhile the image store is watched
 * read-only for the goal (--until-*), and the power domain for the requested cut.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "app_process.h"
#include "cli.h"
#include "qemu_power.h"
#include "run.h"

static const char HELP[] =
    "usage: otaflow-board run DIR [options]\n"
    "\n"
    "Power the board on and print its console: bootloader lines (boot:), the application's\n"
    "lines (app:) and the board's own (board:). Resets (the application exiting, crashing or\n"
    "hanging past the watchdog) run the bootloader again, within the same run.\n"
    "\n"
    "  --until-version N     stop (exit 0) once version N runs and is confirmed\n"
    "  --until-rejected N    stop (exit 0) once version N is rejected and the running image\n"
    "                        is confirmed (a failed trial was rolled back)\n"
    "  --until-console TEXT  stop (exit 0) once a console line contains TEXT\n"
    "  --timeout SEC         give up after SEC seconds (exit 3)\n"
    "  --power-cut-at N      cut the power at the N-th flash program/erase of this run,\n"
    "                        counted over both flashes from power-on (exit 4 when it happens)\n"
    "  --cut-mode MODE       before (op N does not happen, default), after (it completes),\n"
    "                        torn (it is left half done)\n"
    "  --seed N              seed of the torn operation's random damage (default 1)\n"
    "\n"
    "Without a goal the board runs until --timeout or Ctrl-C. When run from a terminal, lines\n"
    "typed on it go to the board's console too.\n"
    "On a qemu board (create --engine qemu) the firmware runs on QEMU's mps2-an386, launched\n"
    "again at each reset; the watchdog is the firmware's own (docs/board.md, Engines).\n"
    "exit status: 0 goal reached, 1 failure, 2 bad usage, 3 timeout, 4 power cut,\n"
    "5 the bootloader found no valid image and halted, 130 interrupted.\n";

volatile sig_atomic_t g_run_interrupted;

static void on_signal(int sig)
{
    (void)sig;
    g_run_interrupted = 1;
}

uint64_t run_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void boot_log(void *ctx, const char *line)
{
    if (strncmp(line, "boot:", 5) == 0) {
        console_line(ctx, line);
        return;
    }
    char buf[CONSOLE_LINE_MAX];
    snprintf(buf, sizeof buf, "boot: %s", line);
    console_line(ctx, buf);
}

bool run_goal_reached(run_ctx_t *r)
{
    const run_goal_t *g = &r->goal;
    if (g->console_text != NULL && r->console.watch_seen) {
        return true;
    }
    if (g->version == 0 && g->rejected == 0) {
        return false;
    }
    board_view_refresh(&r->view);
    if (r->view.store_status != OTA_STORE_OK) {
        return false;
    }
    const ota_store_boot_t *b = ota_store_boot(&r->view.store);
    if (b->state != OTA_BOOT_CONFIRMED) {
        return false;
    }
    if (g->version != 0) {
        return r->view.running_status == OTA_IMAGE_OK && r->view.running.version == g->version &&
               b->running_version == g->version;
    }
    return ota_store_is_rejected(&r->view.store, g->rejected);
}

/* The operation count lets a test aim a power cut at what happens after this reset. */
void run_announce_reset(run_ctx_t *r, const char *why)
{
    r->resets++;
    console_board(&r->console, "reset #%u: %s (after flash operation %llu of this run)",
                  r->resets, why, (unsigned long long)(r->power->ops - r->ops_at_power_on));
}

int run_power_cut_exit(run_ctx_t *r, const char *when)
{
    console_board(&r->console,
                  "power cut at flash operation %llu of this run (as requested, %s): the "
                  "board is dead until the next run",
                  (unsigned long long)(r->power->cut_at - r->ops_at_power_on), when);
    return BOARD_EXIT_POWER_CUT;
}

bool run_reaped(run_ctx_t *r, app_process_t *p, bool console_open, int *wait_status)
{
    if (!app_reaped(p, wait_status)) {
        return false;
    }
    /* once: reads to the end, unless something the child started still holds the pipe
     * (then its later lines are lost, not waited for) */
    if (console_open) {
        console_feed(&r->console, p->console_fd);
    }
    console_flush(&r->console);
    app_release(p);
    return true;
}

bool run_poll_console(run_ctx_t *r, app_process_t *p, bool console_open, struct pollfd *pf_extra)
{
    struct pollfd pf[3] = {{console_open ? p->console_fd : -1, POLLIN, 0},
                           {console_input_terminal_fd(&r->input), POLLIN, 0},
                           {-1, 0, 0}};
    if (pf_extra != NULL) {
        pf[2] = *pf_extra;
    }
    poll(pf, 3, POLL_MS);
    if (pf_extra != NULL) {
        *pf_extra = pf[2];
    }
    if (pf[1].revents != 0) {
        console_input_forward(&r->input, &r->console, p->input_fd);
    }
    return console_open && console_feed(&r->console, p->console_fd) == 0;
}

void run_stop(run_ctx_t *r, app_process_t *p)
{
    console_feed(&r->console, p->console_fd);
    app_stop(p, STOP_GRACE_MS);
    console_flush(&r->console);
}

int run_timeout_exit(run_ctx_t *r)
{
    console_board(&r->console, "timeout: goal not reached");
    return BOARD_EXIT_TIMEOUT;
}

/* One bootloader pass. Returns -1 to go on (start the app), else the exit status. */
static int boot_once(run_ctx_t *r)
{
    char err[BOARD_ERR_MAX];
    /* A power-on or reset clears the guard's write-protect latch: only the bootloader runs. */
    if (board_guard_latch(r->dir, false, err, sizeof err) != 0 ||
        board_flashes_open(&r->flashes, r->dir, &r->cfg, r->power, false, err, sizeof err)) {
        console_board(&r->console, "%s", err);
        return BOARD_EXIT_FAIL;
    }
    const ota_system_t *sys = &r->flashes.system.system;
    ota_store_config_t sc;
    ota_boot_config_t bc;
    ota_boot_report_t report;
    board_store_config(&r->cfg, &r->keys, &sc);
    sc.guard = &r->flashes.guard;
    board_boot_config(&r->cfg, &bc);
    ota_store_status_t mst =
        ota_store_mount(&r->store, ota_sim_flash_port(&r->flashes.external), &sc);
    ota_boot_status_t bst = OTA_BOOT_ERR_STORE;
    if (mst == OTA_STORE_OK) {
        /* watchdog, decisions, guard write-protect, jump: the port records the jump, the
         * latch goes to DIR/guard.lock for the application's process, then it starts */
        bst = ota_boot_start(&r->boot, &bc, sys, r->cfg.watchdog_s * 1000u,
                             ota_sim_flash_port(&r->flashes.internal), &r->store, boot_log,
                             &r->console, &report);
    }
    if (bst == OTA_BOOT_OK && (!r->flashes.system.locked || r->flashes.system.jumps != 1 ||
                               board_guard_latch(r->dir, true, err, sizeof err) != 0)) {
        bst = OTA_BOOT_ERR_FLASH; /* never start the application with the guard writable */
    }
    if (bst == OTA_BOOT_OK) {
        console_board(&r->console,
                      "watchdog armed (%u s), guard pages write-protected (security counter "
                      "%u, revoked keys mask %u): starting the application",
                      (unsigned)(r->flashes.system.watchdog_ms / 1000u),
                      (unsigned)report.guard_counter, (unsigned)report.guard_revoked);
    }
    board_flashes_close(&r->flashes);
    if (r->power->dead) {
        return run_power_cut_exit(r, "in the bootloader");
    }
    if (mst != OTA_STORE_OK) {
        console_board(&r->console, "the image store cannot be mounted: %s",
                      ota_store_status_str(mst));
        return BOARD_EXIT_FAIL;
    }
    if (bst == OTA_BOOT_ERR_NO_IMAGE) {
        console_board(&r->console, "halted: the bootloader found no valid image to start");
        return BOARD_EXIT_HALTED;
    }
    if (bst != OTA_BOOT_OK) {
        console_board(&r->console, "bootloader failed: %s (store: %s, flash status %d)",
                      ota_boot_status_str(bst), ota_store_status_str(report.store_status),
                      report.flash_status);
        return BOARD_EXIT_FAIL;
    }
    return -1;
}

static int start_app(run_ctx_t *r, app_process_t *app)
{
    char err[BOARD_ERR_MAX];
    ota_boot_config_t bc;
    board_boot_config(&r->cfg, &bc);
    board_view_refresh(&r->view);
    if (r->view.running_status != OTA_IMAGE_OK) {
        console_board(&r->console, "no application header in internal flash: %s",
                      ota_image_status_str(r->view.running_status));
        return BOARD_EXIT_FAIL;
    }
    const uint8_t *payload = r->view.internal.mem + bc.app_offset; /* the region's start */
    if (app_start(app, r->abs_dir, payload, r->view.running.payload_size, err, sizeof err)) {
        console_board(&r->console, "%s", err);
        return BOARD_EXIT_FAIL;
    }
    console_input_started(&r->input, &r->console, app->input_fd);
    return -1;
}

static void describe_exit(run_ctx_t *r, int ws)
{
    char why[96];
    if (WIFEXITED(ws) && WEXITSTATUS(ws) == 0) {
        snprintf(why, sizeof why, "the application asked for it");
    } else if (WIFEXITED(ws)) {
        snprintf(why, sizeof why, "the application crashed (exit status %d)", WEXITSTATUS(ws));
    } else {
        snprintf(why, sizeof why, "the application crashed (%s)",
                 strsignal(WIFSIGNALED(ws) ? WTERMSIG(ws) : 0));
    }
    run_announce_reset(r, why);
}

static void drain(int fd)
{
    char buf[256];
    while (fd >= 0 && read(fd, buf, sizeof buf) > 0) {
    }
}

/* Watch the running application. Returns -1 after a reset (boot again), else the exit
 * status of the run. */
static int supervise(run_ctx_t *r, app_process_t *app)
{
    uint64_t last_heartbeat = run_mono_ms(), next_goal_check = 0;
    bool console_open = true;
    for (;;) {
        struct pollfd hb = {app->heartbeat_fd, POLLIN, 0};
        console_open = run_poll_console(r, app, console_open, &hb);
        uint64_t now = run_mono_ms();
        if (hb.revents & POLLIN) {
            drain(app->heartbeat_fd);
            last_heartbeat = now;
        }
        if (r->power->dead) {
            app_kill(app);
            console_flush(&r->console);
            return run_power_cut_exit(r, "while the application ran");
        }
        int ws;
        if (run_reaped(r, app, console_open, &ws)) {
            if (r->power->dead) {
                return run_power_cut_exit(r, "while the application ran");
            }
            describe_exit(r, ws);
            return -1;
        }
        if (now - last_heartbeat > (uint64_t)r->cfg.watchdog_s * 1000u) {
            app_kill(app);
            console_flush(&r->console);
            char why[64];
            snprintf(why, sizeof why, "watchdog: no heartbeat for %u s",
                     (unsigned)r->cfg.watchdog_s);
            run_announce_reset(r, why);
            return -1;
        }
        if (now >= next_goal_check || r->console.watch_seen || r->console.confirm_seen) {
            r->console.confirm_seen = false;
            next_goal_check = now + GOAL_CHECK_MS;
            if (run_goal_reached(r)) {
                run_stop(r, app);
                return BOARD_EXIT_OK;
            }
        }
        if (r->deadline_ms != 0 && now >= r->deadline_ms) {
            run_stop(r, app);
            return run_timeout_exit(r);
        }
        if (g_run_interrupted) {
            run_stop(r, app);
            console_board(&r->console, "interrupted: application stopped");
            return EXIT_INTERRUPTED;
        }
    }
}

int run_host(run_ctx_t *r)
{
    for (;;) {
        int rc = boot_once(r);
        if (rc >= 0) {
            return rc;
        }
        if (run_goal_reached(r)) {
            return BOARD_EXIT_OK;
        }
        app_process_t app;
        rc = start_app(r, &app);
        if (rc >= 0) {
            return rc;
        }
        rc = supervise(r, &app);
        if (rc >= 0) {
            return rc;
        }
        if (r->deadline_ms != 0 && run_mono_ms() >= r->deadline_ms) {
            return run_timeout_exit(r);
        }
        if (g_run_interrupted) {
            return EXIT_INTERRUPTED;
        }
    }
}

static void describe_goal(run_ctx_t *r, int rc)
{
    if (rc != BOARD_EXIT_OK) {
        return;
    }
    if (r->goal.version != 0) {
        console_board(&r->console, "goal reached: version %u is running and confirmed",
                      (unsigned)r->goal.version);
    } else if (r->goal.rejected != 0) {
        console_board(&r->console,
                      "goal reached: version %u was rejected, version %u runs confirmed",
                      (unsigned)r->goal.rejected, (unsigned)r->view.running.version);
    } else if (r->goal.console_text != NULL) {
        console_board(&r->console, "goal reached: the console said \"%s\"",
                      r->goal.console_text);
    }
}

int cmd_run(int argc, char **argv)
{
    const char *dir = NULL, *until_version = NULL, *until_rejected = NULL, *until_console = NULL;
    const char *timeout = NULL, *cut_at = NULL, *cut_mode = NULL, *seed = NULL;
    const cli_opt_t opts[] = {
        {"until-version", &until_version, NULL}, {"until-rejected", &until_rejected, NULL},
        {"until-console", &until_console, NULL}, {"timeout", &timeout, NULL},
        {"power-cut-at", &cut_at, NULL},         {"cut-mode", &cut_mode, NULL},
        {"seed", &seed, NULL},                   {NULL, NULL, NULL},
    };
    static run_ctx_t r;
    memset(&r, 0, sizeof r);
    argc = console_input_take(&r.input, argc, argv);
    if (argc < 0) {
        return BOARD_EXIT_USAGE;
    }
    int p = cli_parse(argc, argv, opts, &dir, 1, HELP);
    if (p != 0) {
        return p > 0 ? BOARD_EXIT_OK : BOARD_EXIT_USAGE;
    }
    r.dir = dir;
    uint32_t timeout_s = 0, cut = 0, seed_v = 1;
    ota_sim_cut_mode_t mode = OTA_SIM_CUT_BEFORE;
    if ((until_version && !cli_u32(until_version, 1, UINT32_MAX, &r.goal.version)) ||
        (until_rejected && !cli_u32(until_rejected, 1, UINT32_MAX, &r.goal.rejected))) {
        return board_usage_error(argv[0], "a version is a number from 1 to 4294967295");
    }
    if (timeout && !cli_u32(timeout, 1, 86400, &timeout_s)) {
        return board_usage_error(argv[0], "--timeout must be 1..86400 seconds, not '%s'",
                                 timeout);
    }
    if (cut_at && !cli_u32(cut_at, 1, UINT32_MAX, &cut)) {
        return board_usage_error(argv[0], "--power-cut-at must be a number from 1, not '%s'",
                                 cut_at);
    }
    if (cut_mode && (cut_at == NULL || qemu_power_mode_parse(cut_mode, &mode) != 0)) {
        return board_usage_error(argv[0], "--cut-mode needs --power-cut-at and one of "
                                 "before, after, torn");
    }
    if (seed && !cli_u32(seed, 0, UINT32_MAX, &seed_v)) {
        return board_usage_error(argv[0], "--seed must be a number, not '%s'", seed);
    }
    r.goal.console_text = until_console;

    char err[BOARD_ERR_MAX];
    static ota_sim_power_t qemu_power; /* the QEMU engine's copy of DIR/power.qemu */
    uint32_t old_seed;
    if (board_config_load(dir, &r.cfg, err, sizeof err) != 0 ||
        board_view_open(&r.view, dir, &r.cfg, err, sizeof err) != 0) {
        board_view_close(&r.view);
        return board_fail(argv[0], "%s", err);
    }
    bool qemu = r.cfg.engine == BOARD_ENGINE_QEMU;
    r.power = qemu ? &qemu_power : NULL;
    if (qemu ? qemu_power_read(dir, &qemu_power, &old_seed, err, sizeof err) != 0
             : board_power_map(dir, false, &r.power, err, sizeof err) != 0) {
        board_view_close(&r.view);
        return board_fail(argv[0], "%s", err);
    }
    if (realpath(dir, r.abs_dir) == NULL) {
        int saved = errno;
        board_view_close(&r.view);
        board_power_unmap(qemu ? NULL : r.power);
        return board_fail(argv[0], "%s: %s", dir, strerror(saved));
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    console_init(&r.console, until_console);
    if (timeout_s != 0) {
        r.deadline_ms = run_mono_ms() + (uint64_t)timeout_s * 1000u;
    }
    ota_sim_power_on(r.power);
    r.ops_at_power_on = r.power->ops;
    console_board(&r.console, "power on (%s, %llu flash operations so far)", r.cfg.ext_flash,
                  (unsigned long long)r.power->ops);
    if (cut != 0) {
        ota_sim_power_arm(r.power, r.power->ops + cut, mode, seed_v);
        console_board(&r.console, "power cut armed at flash operation %u of this run (%s)",
                      (unsigned)cut, qemu_power_mode_str(mode));
    }
    int rc = qemu ? run_qemu(&r, seed_v) : run_host(&r);
    describe_goal(&r, rc);
    if (!qemu && !r.power->dead) {
        ota_sim_power_arm(r.power, 0, OTA_SIM_CUT_BEFORE, 0); /* no cut left for later runs */
    }
    board_view_close(&r.view);
    board_power_unmap(qemu ? NULL : r.power);
    return rc;
}
