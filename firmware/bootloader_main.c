/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The bootloader of the emulated board (mps2-an386): on the target, what the host engine's
 * board process does in boot_once (sim/cmd_run.c) with the host system port: read the
 * board's settings, open both flashes, mount the guard and the image store, then
 * ota_boot_start (watchdog, decisions, guard write-protect, jump). Built with decryption
 * (OTA_BOOT_DECRYPT): the board's device key (decrypt_key), if it has one, opens images
 * encrypted for it, and is wiped before the jump. Before the jump it prints
 * its stack high-water mark, the crypto heap's, and the emulated time it took
 * (docs/firmware.md, "Measurements").
 *
 * Exit statuses of QEMU (the contract with the QEMU engine, docs/firmware.md): a reset ends
 * it with 0, a power cut with 3, no valid image with 5, a broken board directory or a
 * bootloader error with 1.
 */
#include <string.h>

#include "an386.h"
#include "board_args.h"
#include "board_flash.h"
#include "board_system.h"
#include "console.h"
#include "cortex_m.h"
#include "crypto_arena.h"
#include "otaflow/boot.h"
#include "otaflow/crypto.h"
#include "otaflow/guard.h"
#include "otaflow/store.h"
#include "semihost.h"

#define EXIT_FAIL 1
#define EXIT_NO_IMAGE 5

static board_args_t g_args;
static board_flashes_t g_flashes;
static board_system_t g_sys;
static ota_guard_t g_guard;
static ota_store_t g_store;
static ota_boot_t g_boot;
static ota_boot_report_t g_report;
static uint64_t g_mount_cycles; /* cm_clock_cycles() when the store's mount began */

#define NS_PER_CYCLE (1000000000u / AN386_CPU_HZ)

static void boot_log(void *ctx, const char *line)
{
    (void)ctx;
    console_log(strncmp(line, "boot:", 5) == 0 ? "" : "boot: ", line);
}

static _Noreturn void stop(int status)
{
    board_flashes_sync(&g_flashes);
    sh_exit(status);
}

static void before_jump(void *ctx, uint32_t vectors)
{
    (void)ctx;
    /* The application starts with this RAM as the bootloader left it. */
    board_args_forget_decrypt_key(&g_args);
    console_printf("boot: ",
                   "watchdog armed (%lu s), guard pages write-protected (security counter %lu, "
                   "revoked keys mask %lu): starting the application (vector table 0x%05lx)",
                   (unsigned long)g_args.watchdog_s, (unsigned long)g_report.guard_counter,
                   (unsigned long)g_report.guard_revoked, (unsigned long)vectors);
    uint64_t now = cm_clock_cycles();
    console_printf("boot: ", "measured: stack high-water mark %lu of %lu bytes, crypto heap "
                   "high-water mark %lu of %lu bytes",
                   (unsigned long)(cm_stack_size() - cm_stack_unused()),
                   (unsigned long)cm_stack_size(), (unsigned long)fw_crypto_arena_high_water(),
                   (unsigned long)fw_crypto_arena_size());
    /* With QEMU's -icount shift=0 one nanosecond of emulated time is one instruction. */
    console_printf("boot: ", "measured: %llu ns of emulated time from main, %llu ns from the "
                   "store's mount to the jump",
                   (unsigned long long)(now * NS_PER_CYCLE),
                   (unsigned long long)((now - g_mount_cycles) * NS_PER_CYCLE));
}

int main(void)
{
    char err[160];
    console_init();
    cm_clock_start(AN386_CPU_HZ);
    if (board_args_read(&g_args, err, sizeof err) != 0 ||
        board_flashes_open(&g_flashes, &g_args, err, sizeof err) != 0) {
        console_printf("boot: ", "board: %s", err);
        sh_exit(EXIT_FAIL);
    }
    if (fw_crypto_arena_init() != 0) {
        console_printf("boot: ", "bootloader failed: no crypto heap");
        stop(EXIT_FAIL);
    }
    if (board_system_init(&g_sys, &g_flashes, true) != 0) {
        console_printf("boot: ", "bootloader failed: no guard window");
        stop(EXIT_FAIL);
    }
    g_sys.before_jump = before_jump;

    /* A mount failure (power cut) leaves the guard unmounted: the bootloader then stops with
     * a flash error rather than boot without its floor (as the host board does). */
    (void)ota_guard_mount(&g_guard, g_sys.system.guard_flash);
    static ota_sig_keyring_t ring;
    ota_store_config_t sc;
    board_args_store_config(&g_args, &ring, &g_guard, &sc);
    ota_boot_config_t bc;
    board_args_boot_config(&g_args, &bc);
    bc.decrypt_key = board_args_decrypt_key(&g_args);

    g_mount_cycles = cm_clock_cycles();
    ota_store_status_t mst =
        ota_store_mount(&g_store, board_flash_port(&g_flashes.external), &sc);
    if (mst != OTA_STORE_OK) {
        console_printf("boot: ", "the image store cannot be mounted: %s",
                       ota_store_status_str(mst));
        stop(EXIT_FAIL);
    }
    ota_boot_status_t bst = ota_boot_start(&g_boot, &bc, &g_sys.system,
                                           g_args.watchdog_s * 1000u,
                                           board_flash_port(&g_flashes.internal), &g_store,
                                           boot_log, NULL, &g_report);
    if (bst == OTA_BOOT_ERR_NO_IMAGE) {
        console_printf("boot: ", "halted: the bootloader found no valid image to start");
        stop(EXIT_NO_IMAGE);
    }
    /* OK returns only if the jump did not happen: never run on without an application. */
    console_printf("boot: ", "bootloader failed: %s (store: %s, flash status %d)",
                   ota_boot_status_str(bst), ota_store_status_str(g_report.store_status),
                   (int)g_report.flash_status);
    stop(EXIT_FAIL);
}
