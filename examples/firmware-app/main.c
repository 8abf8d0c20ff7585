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
 *  - the agent's reset goes through the system port.
 * Built with OTA_APP_CRASH_AT_START it faults right after printing its version (a HardFault
 * whose handler hangs without kicking the watchdog): the rollback tests' bad release, which
 * the watchdog resets in every trial boot until the bootloader rolls it back.
 */
#include <string.h>

#include "an386.h"
#include "app_agent.h"
#include "board_args.h"
#include "board_flash.h"
#include "board_system.h"
#include "console.h"
#include "cortex_m.h"
#include "otaflow/boot.h"
#include "otaflow/crypto.h"
#include "otaflow/guard.h"
#include "otaflow/store.h"
#include "semihost.h"

#define KICK_MS 500u
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
} app_t;

static app_t g_app;
#if !defined(OTA_FW_CRYPTO_BEARSSL)
/* mbedTLS's only heap (docs/firmware.md): the store verifies a signed board's downloads. */
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
    if (board_system_init(&a->sys, &a->flashes, false) != 0) {
        fail("cannot open the board", "no guard window");
    }
#if !defined(OTA_FW_CRYPTO_BEARSSL)
    if (ota_crypto_heap_init(g_crypto_heap, sizeof g_crypto_heap) != OTA_CRYPTO_OK) {
        fail("cannot start the crypto", "no heap");
    }
#endif
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

static void on_healthy(void *ctx)
{
    confirm(ctx, "first successful manifest check");
}

/* The agent asked for a reset: its deepest path (download, verification) has run by now. */
static void before_reset(void *ctx)
{
    (void)ctx;
    console_printf("app: ", "measured: stack high-water mark %lu of %lu bytes",
                   (unsigned long)(cm_stack_size() - cm_stack_unused()),
                   (unsigned long)cm_stack_size());
}

int main(void)
{
    app_t *a = &g_app;
    console_init();
    cm_clock_start(AN386_CPU_HZ);
    open_board(a);
    console_printf("app: ", "running version %lu", (unsigned long)a->version);
#ifdef OTA_APP_CRASH_AT_START
    console_printf("app: ", "this build crashes at start (test variant)");
    __asm volatile("udf #0"); /* UsageFault, escalated to HardFault */
#endif
    if (a->args.confirm_on_start) {
        confirm(a, "confirm on start");
    }
    a->sys.before_reset = before_reset;
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
    for (;;) {
        uint32_t now = cm_millis();
        if (now - last_kick >= KICK_MS) {
            sys->ops->watchdog_kick(sys->ctx);
            last_kick = now;
        }
        if (!agent || app_agent_poll(&a->agent, now)) {
            __asm volatile("wfi"); /* nothing to do: the next SysTick wakes the loop */
        }
    }
}
