/* SPDX-License-Identifier: Apache-2.0 */
/*
 * otaflow example firmware application for the emulated board (QEMU mps2-an386, Cortex-M4):
 * the target twin of examples/app, started by the bootloader's jump (docs/firmware.md).
 *
 *  - its version comes from its own image header in internal flash (one build, any version);
 *  - it prints `app: running version N` first;
 *  - it kicks the watchdog from its super-loop, so a hang resets the board;
 *  - it runs the update agent (app_agent.c: lwIP on the LAN9118) in its super-loop, and
 *    confirms itself (ota_confirm) after the agent's first good manifest check, or at start
 *    with confirm_on_start;
 *  - the agent's reset goes through the system port;
 *  - `otaflow-board request` (the board's buttons) reaches it as DIR/request, read and
 *    removed through semihosting every REQUEST_POLL_MS (docs/firmware.md, "Requests");
 *  - what is typed on the UART is its `sysota` console (examples/common/app_console.h).
 * Built with OTA_APP_CRASH_AT_START it faults right after printing its version (a HardFault
 * whose handler hangs without kicking the watchdog): the rollback tests' bad release, which
 * the watchdog resets in every trial boot until the bootloader rolls it back.
 */
#include <string.h>

#include "an386.h"
#include "app_agent.h"
#include "app_console.h"
#include "app_request.h"
#include "board_args.h"
#include "board_flash.h"
#include "board_system.h"
#include "console.h"
#include "cortex_m.h"
#include "fmt.h"
#include "otaflow/boot.h"
#include "otaflow/crypto.h"
#include "otaflow/guard.h"
#include "otaflow/store.h"
#include "semihost.h"

#define KICK_MS 500u
#define REQUEST_POLL_MS 200u
#define REQUEST_MAX 32u
#define CONSOLE_BYTES_PER_LOOP 64u /* bounds one pass of the super-loop */
#define EXIT_FAIL 1

typedef struct app {
    board_args_t args;
    board_flashes_t flashes;
    board_system_t sys;
    ota_guard_t guard;
    ota_sig_keyring_t image_keys;
    ota_store_t store;
    ota_boot_config_t boot_cfg;
    uint32_t version;
    bool confirmed;
    app_agent_t agent;
    app_console_t console;
} app_t;

static app_t g_app;
#if !defined(OTA_FW_CRYPTO_BEARSSL)
/* mbedTLS's arena for the store's signature checks (crypto.h): without it every verify of a
 * signed download fails as a crypto backend error */
static uint8_t g_crypto_heap[OTA_ECDSA_P256_HEAP_SIZE] __attribute__((aligned(8)));
#endif

static _Noreturn void fail(const char *what, const char *why)
{
    console_printf("app: ", "%s: %s", what, why);
    board_flashes_sync(&g_app.flashes);
    sh_exit(EXIT_FAIL);
}

/* The fault of the crash variant lands here: report it once, then hang without kicking the
 * watchdog, as a firmware stuck in a fault handler does. */
void cm_hardfault_handler(void)
{
    console_printf("app: ", "HardFault: hanging until the watchdog resets the board");
    for (;;) {
    }
}

static void open_board(app_t *a)
{
    char err[160];
    if (board_args_read(&a->args, err, sizeof err) != 0 ||
        board_flashes_open(&a->flashes, &a->args, err, sizeof err) != 0) {
        fail("cannot open the board", err);
    }
    board_args_forget_decrypt_key(&a->args); /* the bootloader's key, not the application's */
    if (board_system_init(&a->sys, &a->flashes, false) != 0) {
        fail("cannot open the board", "no guard window");
    }
    board_args_boot_config(&a->args, &a->boot_cfg);
    ota_store_config_t sc;
    /* read-only here: the bootloader locked its pages */
    (void)ota_guard_mount(&a->guard, a->sys.system.guard_flash);
    board_args_store_config(&a->args, &a->image_keys, &a->guard, &sc);
    ota_store_status_t st =
        ota_store_mount(&a->store, board_flash_port(&a->flashes.external), &sc);
    if (st != OTA_STORE_OK) {
        fail("cannot mount the image store", ota_store_status_str(st));
    }
    ota_image_header_t hdr;
    ota_image_status_t ist =
        ota_boot_running_header(board_system_internal(&a->sys), &a->boot_cfg, &hdr);
    if (ist != OTA_IMAGE_OK) {
        fail("cannot read my own image header", ota_image_status_str(ist));
    }
    a->version = hdr.version;
}

static void confirm(app_t *a, const char *why)
{
    if (a->confirmed) {
        return;
    }
    ota_boot_status_t st = ota_confirm(&a->store, board_system_internal(&a->sys), &a->boot_cfg);
    if (st == OTA_BOOT_OK) {
        a->confirmed = true;
        console_printf("app: ", "version %lu confirmed (%s)", (unsigned long)a->version, why);
    } else {
        console_printf("app: ", "confirm failed: %s", ota_boot_status_str(st));
    }
}

/* A button press: DIR/request, read and removed before acting (so it is done once). */
static void handle_request(app_t *a, bool agent)
{
    char path[BOARD_ARGS_DIR_MAX + 16u], action[REQUEST_MAX] = "";
    fmt_format(path, sizeof path, "%s/request", a->args.dir);
    int fh = sh_open(path, SH_MODE_RB);
    if (fh < 0) {
        return;
    }
    int32_t len = sh_flen(fh);
    if (len <= 0 || len >= (int32_t)REQUEST_MAX || sh_read(fh, action, (size_t)len) != 0) {
        action[0] = '\0';
    }
    sh_close(fh);
    (void)sh_remove(path);
    action[strcspn(action, "\r\n")] = '\0';
    console_printf("app: ", "request: %s", action);
    ota_agent_status_t st;
    const ota_system_t *sys = &a->sys.system;
    /* without a running agent its calls refuse (ERR_ARG); reset and hang still work */
    switch (app_request_apply(agent ? &a->agent.agent : NULL, action, &st)) {
    case APP_REQUEST_RESET:
        sys->ops->reset(sys->ctx);
        break;
    case APP_REQUEST_HANG:
        for (;;) { /* a firmware bug: stuck where nothing kicks the watchdog */
        }
    case APP_REQUEST_UNKNOWN:
        console_printf("app: ", "request: unknown action ignored");
        break;
    case APP_REQUEST_DONE:
        if (st != OTA_AGENT_OK) {
            console_printf("app: ", "request %s refused: %s", action, ota_agent_status_str(st));
        }
        break;
    }
}

/* What was typed on the UART: the sysota console. */
static void handle_console(app_t *a)
{
    char ch;
    for (unsigned i = 0; i < CONSOLE_BYTES_PER_LOOP && console_getc(&ch); i++) {
        if (app_console_putc(&a->console, ch) == APP_REQUEST_RESET) {
            a->sys.system.ops->reset(a->sys.system.ctx);
        }
    }
}

static void on_healthy(void *ctx)
{
    confirm(ctx, "first successful manifest check");
}

int main(void)
{
    app_t *a = &g_app;
    console_init();
    cm_clock_start(AN386_CPU_HZ);
#if !defined(OTA_FW_CRYPTO_BEARSSL)
    (void)ota_crypto_heap_init(g_crypto_heap, sizeof g_crypto_heap);
#endif
    open_board(a);
    console_printf("app: ", "running version %lu", (unsigned long)a->version);
#ifdef OTA_APP_CRASH_AT_START
    console_printf("app: ", "this build crashes at start (test variant)");
    __asm volatile("udf #0"); /* UsageFault, escalated to HardFault */
#endif
    if (a->args.confirm_on_start) {
        confirm(a, "confirm on start");
    }
    const ota_system_t *sys = &a->sys.system;
    uint32_t last_kick = cm_millis();
    sys->ops->watchdog_kick(sys->ctx);
    const app_agent_env_t env = {
        .args = &a->args,
        .store = &a->store,
        .system = sys,
        .running_version = a->version,
        .on_healthy = on_healthy,
        .healthy_ctx = a,
    };
    bool agent = app_agent_start(&a->agent, &env, last_kick) == 0; /* else: runs without */
    uint32_t last_request = last_kick;
    app_console_init(&a->console, agent ? &a->agent.agent : NULL, &a->store, a->version,
                     console_log, "app: ");
    handle_request(a, agent);
    for (;;) {
        uint32_t now = cm_millis();
        if (now - last_kick >= KICK_MS) {
            sys->ops->watchdog_kick(sys->ctx);
            last_kick = now;
        }
        if (now - last_request >= REQUEST_POLL_MS) {
            handle_request(a, agent);
            last_request = now;
        }
        handle_console(a);
        if (!agent || app_agent_poll(&a->agent, now)) {
            __asm volatile("wfi"); /* nothing to do: the next SysTick wakes the loop */
        }
    }
}
