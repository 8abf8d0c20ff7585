/* SPDX-License-Identifier: Apache-2.0 */
/*
 * otaflow example application: the firmware that gets updated on the virtual board.
 *
 * The board starts it from internal flash (memfd + fexecve) after the bootloader. It is what a
 * Harmony application with the OTA service would be: a super-loop that polls the update agent,
 * confirms itself once healthy, feeds the watchdog, and resets when the agent says so.
 *
 *  - its version comes from its own image header in internal flash (one build, any version);
 *  - it prints `app: running version N` first;
 *  - it confirms itself (ota_confirm) after its first successful manifest check, or at start
 *    with confirm_on_start;
 *  - agent events are console lines; download progress is `app: download progress B/T`;
 *  - a request file in the board directory (otaflow-board request) acts like a button
 *    (factory-reset, rollback, check, reset; hang simulates a stuck firmware for the watchdog);
 *  - its stdin is the board's console input (`otaflow-board run --send`): `sysota` commands
 *    (examples/common/app_console.h);
 *  - the agent's reset port ends the program with status 0: the board resets.
 * Built with -DOTA_APP_CRASH_AT_START it aborts right after printing its version (the
 * rollback tests' bad release).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app_console.h"
#include "app_events.h"
#include "app_request.h"
#include "board.h"
#include "clock_posix.h"
#include "otaflow/agent.h"
#include "otaflow/agent_patch.h"
#include "transport_posix.h"

#define HEARTBEAT_MS 500u
#define REQUEST_POLL_MS 200u
#define IDLE_WAIT_MS 20

typedef struct app {
    const char *dir;
    board_config_t cfg;
    ota_boot_config_t boot_cfg;
    ota_sim_power_t *power;
    board_flashes_t flashes;
    ota_store_t store;
    ota_sig_keyring_t image_keys;    /* the store's trusted image keys */
    ota_sig_keyring_t manifest_keys; /* the agent's trusted manifest keys */
    ota_posix_transport_t transport;
    ota_agent_t agent;
    uint32_t version;
    int heartbeat_fd;
    bool confirmed;
    bool reset;       /**< the agent (or a request) asked for a reset */
    bool console_open; /**< stdin (the board's console input) not yet at its end */
    app_console_t console;
    ota_agent_patch_t patch; /* delta updates: the manifest's patches are applied */
} app_t;

static app_t g_app; /* the application's one instance (large: agent buffers, store) */
static volatile sig_atomic_t g_stop;

static void on_sigterm(int sig)
{
    (void)sig;
    g_stop = 1;
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("app: ", stdout);
    vprintf(fmt, ap);
    fputc('\n', stdout);
    fflush(stdout);
    va_end(ap);
}

/* Internal flash as the chip gives it to the application: with the guard pages' write-protect
 * latch the bootloader set (DIR/guard.lock), not the raw device. */
static const ota_flash_t *app_internal(const app_t *a)
{
    return ota_posix_system_internal(&a->flashes.system);
}

static void confirm(app_t *a, const char *why)
{
    if (a->confirmed) {
        return;
    }
    ota_boot_status_t st = ota_confirm(&a->store, app_internal(a), &a->boot_cfg);
    if (st == OTA_BOOT_OK) {
        a->confirmed = true;
        say("version %u confirmed (%s)", (unsigned)a->version, why);
    } else {
        say("confirm failed: %s", ota_boot_status_str(st));
    }
}

static void on_event(void *user, const ota_event_t *e)
{
    app_t *a = user;
    char line[APP_EVENT_FILE_LINE_MAX];
    if (app_event_progress(e, line) || app_event_file(e, &a->store, line)) {
        say("%s", line);
    } else if (app_event_confirms(e)) {
        confirm(a, "first successful manifest check");
    }
}

/* The agent's lines as they are, but its progress lines (on_event prints those). */
static void on_log(void *ctx, const char *line)
{
    (void)ctx;
    if (app_agent_line_shown(line)) {
        say("%s", line);
    }
}

static void on_reset(void *ctx)
{
    app_t *a = ctx;
    a->reset = true;
}

static void heartbeat(const app_t *a)
{
    if (a->heartbeat_fd >= 0) {
        ssize_t ignored = write(a->heartbeat_fd, "h", 1);
        (void)ignored;
    }
}

/* A button press from `otaflow-board request`: read and remove DIR/request, then act. */
static void handle_request(app_t *a)
{
    char path[BOARD_PATH_MAX], action[32] = "";
    if (board_path(path, a->dir, BOARD_REQUEST) != 0) {
        return;
    }
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        return;
    }
    if (fgets(action, sizeof action, f) == NULL) {
        action[0] = '\0';
    }
    fclose(f);
    unlink(path);
    action[strcspn(action, "\r\n")] = '\0';
    say("request: %s", action);
    ota_agent_status_t st;
    switch (app_request_apply(&a->agent, action, &st)) {
    case APP_REQUEST_RESET:
        a->reset = true;
        return;
    case APP_REQUEST_HANG:
        /* a firmware bug: stuck in a loop that never feeds the watchdog */
        for (;;) {
            pause();
        }
    case APP_REQUEST_UNKNOWN:
        say("request: unknown action ignored");
        return;
    case APP_REQUEST_DONE:
        break;
    }
    if (st != OTA_AGENT_OK) {
        say("request %s refused: %s", action, ota_agent_status_str(st));
    }
}

static void console_answer(void *ctx, const char *line)
{
    (void)ctx;
    say("%s", line);
}

/* What the board typed on the console since the last call (stdin, non-blocking). */
static void handle_console(app_t *a)
{
    char chunk[64];
    while (a->console_open && !a->reset) {
        ssize_t n = read(STDIN_FILENO, chunk, sizeof chunk);
        if (n <= 0) {
            a->console_open = n < 0 && (errno == EAGAIN || errno == EINTR);
            return;
        }
        for (ssize_t i = 0; i < n && !a->reset; i++) {
            a->reset = app_console_putc(&a->console, chunk[i]) == APP_REQUEST_RESET;
        }
    }
}

/* The board's clock: the host's UTC, standing in for an RTC set by authenticated time. */
static uint64_t host_utc(void *ctx)
{
    (void)ctx;
    time_t now = time(NULL);
    return now > 0 ? (uint64_t)now : 0u;
}

static int open_board(app_t *a)
{
    char err[BOARD_ERR_MAX];
    if (board_config_load(a->dir, &a->cfg, err, sizeof err) != 0 ||
        board_power_map(a->dir, false, &a->power, err, sizeof err) != 0 ||
        board_flashes_open(&a->flashes, a->dir, &a->cfg, a->power, false, err, sizeof err)) {
        say("cannot open the board: %s", err);
        return -1;
    }
    board_boot_config(&a->cfg, &a->boot_cfg);
    ota_store_config_t sc;
    board_store_config(&a->cfg, &a->image_keys, &sc);
    sc.guard = &a->flashes.guard; /* read-only here: the bootloader locked its pages */
    ota_store_status_t st = ota_store_mount(&a->store, ota_sim_flash_port(&a->flashes.external),
                                            &sc);
    if (st != OTA_STORE_OK) {
        say("cannot mount the image store: %s", ota_store_status_str(st));
        return -1;
    }
    ota_image_header_t hdr;
    ota_image_status_t ist = ota_boot_running_header(app_internal(a), &a->boot_cfg, &hdr);
    if (ist != OTA_IMAGE_OK) {
        say("cannot read my own image header: %s", ota_image_status_str(ist));
        return -1;
    }
    a->version = hdr.version;
    return 0;
}

static int start_agent(app_t *a)
{
    ota_agent_config_t ac;
    ota_agent_config_default(&ac);
    ac.manifest_url = a->cfg.manifest_url[0] != '\0' ? a->cfg.manifest_url : NULL;
    ac.period_s = a->cfg.period_s;
    ac.auto_reset = a->cfg.auto_reset;
    ac.running_version = a->version;
    ac.hw_id = a->cfg.hw_id;
    ac.accept_raw_images = a->cfg.accept_raw_images;
    ac.device_id = a->cfg.device_id;
    ac.report_url = a->cfg.report_url;
    board_manifest_keys(&a->cfg, &a->manifest_keys);
    if (a->cfg.has_manifest_key) {
        ac.manifest_keys = &a->manifest_keys;
        ac.require_signed_manifest = true;
    }
    ac.on_event = on_event;
    ac.event_user = a;
    ota_posix_transport_init(&a->transport);
    ota_agent_ports_t ports = {
        .transport = ota_posix_transport(&a->transport),
        .store = &a->store,
        .log = on_log,
        .log_ctx = a,
        .reset = on_reset,
        .reset_ctx = a,
        .utc_now = host_utc,
        .patch = &a->patch,
    };
    ota_agent_status_t st = ota_agent_init(&a->agent, &ac, &ports);
    if (st != OTA_AGENT_OK) {
        say("agent init failed: %s", ota_agent_status_str(st));
        return -1;
    }
    return 0;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {0, (long)ms * 1000000L};
    nanosleep(&ts, NULL);
}

int main(int argc, char **argv)
{
    app_t *a = &g_app;
    a->dir = getenv(BOARD_ENV_DIR);
    if (a->dir == NULL && argc > 1) {
        a->dir = argv[1];
    }
    if (a->dir == NULL) {
        fprintf(stderr, "app: no board (run me with otaflow-board run)\n");
        return 2;
    }
    const char *hb = getenv(BOARD_ENV_HEARTBEAT_FD);
    a->heartbeat_fd = hb != NULL ? atoi(hb) : -1;
    if (a->heartbeat_fd >= 0) {
        fcntl(a->heartbeat_fd, F_SETFL, O_NONBLOCK);
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigterm;
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (open_board(a) != 0) {
        return 1;
    }
    say("running version %u", (unsigned)a->version);
#ifdef OTA_APP_CRASH_AT_START
    say("this build crashes at start (test variant)");
    abort();
#endif
    if (a->cfg.confirm_on_start) {
        confirm(a, "confirm on start");
    }
    if (start_agent(a) != 0) {
        return 1;
    }
    app_console_init(&a->console, &a->agent, &a->store, a->version, console_answer, a);
    a->console_open = fcntl(STDIN_FILENO, F_SETFL, O_NONBLOCK) == 0;
    uint32_t last_beat = ota_posix_now_ms() - HEARTBEAT_MS, last_request = 0;
    while (!g_stop && !a->reset) {
        uint32_t now = ota_posix_now_ms();
        ota_agent_state_t state = ota_agent_poll(&a->agent, now);
        if (now - last_beat >= HEARTBEAT_MS) {
            heartbeat(a);
            last_beat = now;
        }
        if (now - last_request >= REQUEST_POLL_MS) {
            handle_request(a);
            last_request = now;
        }
        handle_console(a);
        /* The agent says when it needs the next poll; the console, the requests and the
         * heartbeat need the loop every IDLE_WAIT_MS at the latest. */
        uint32_t next = ota_agent_next_poll_ms(&a->agent);
        int wait = next < (uint32_t)IDLE_WAIT_MS ? (int)next : IDLE_WAIT_MS;
        if (wait == 0) {
            continue; /* work waiting (a verify step, a response in hand): no sleep */
        }
        if (state == OTA_AGENT_CHECKING || state == OTA_AGENT_DOWNLOADING ||
            state == OTA_AGENT_FETCHING_FILES) {
            ota_posix_transport_wait(&a->transport, wait); /* wakes when bytes arrive */
        } else {
            sleep_ms(wait);
        }
    }
    if (a->reset) {
        say("reset");
    }
    ota_posix_transport_close(&a->transport);
    board_flashes_close(&a->flashes);
    board_power_unmap(a->power);
    return 0;
}
