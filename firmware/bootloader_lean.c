/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The lean bootloader: the same decisions as bootloader_main.c (ota_boot_start: watchdog,
 * install, trial boot, rollback, factory image, guard write-protect, jump), with what a
 * product's bootloader has instead of the emulated board's drivers: both flashes driven as
 * memory-mapped NOR (port/cortex-m/nor_mmio.c: internal flash at 0x0, the image store in the
 * PSRAM at 0x21000000, where QEMU's -device loader puts the flash files), its configuration
 * and trusted keys compiled in (lean_config.h, lean_keys.c), no settings parser, no
 * semihosting, no write-through. docs/firmware.md, "The lean bootloader".
 *
 * Build options (firmware/CMakeLists.txt makes each variant): OTA_LEAN_CONSOLE=1 prints the
 * measured stack and crypto-arena high-water marks on UART0 before the jump, why it halted,
 * and the core's lines if the core logs (it is built with OTA_BOOT_LOG=0 here);
 * OTA_LEAN_SIGNED=0 trusts no key (the core is then built with OTA_SIGNATURES=0: images are
 * checked by SHA-256 only). The core's feature options (config.h: OTA_BOOT_FACTORY_IMAGE,
 * OTA_BOOT_TRIAL, OTA_BOOT_REPAIR, OTA_BOOT_GUARD) make its minimal variants; without
 * OTA_BOOT_GUARD no guard is mounted or given to the store.
 * On any failure it halts, and the watchdog resets the chip to try again.
 */
#include <stdbool.h>

#include "an386.h"
#include "cortex_m.h"
#include "crypto_arena.h"
#include "lean_config.h"
#include "nor_mmio.h"
#include "otaflow/boot.h"
#include "otaflow/guard.h"
#include "otaflow/store.h"
#include "watchdog_cmsdk.h"
#if OTA_LEAN_CONSOLE
#include <string.h>

#include "console.h"
#endif

#if OTA_LEAN_SIGNED
extern const ota_sig_keyring_t ota_lean_keys; /* lean_keys.c */
#endif

/* The core is built for this board's slots (firmware/lean_core.cmake), not for the most. */
_Static_assert(LEAN_DOWNLOAD_SLOTS <= OTA_STORE_MAX_DOWNLOAD_SLOTS,
               "lean_core.cmake: OTA_STORE_MAX_DOWNLOAD_SLOTS below the board's slots");

#define GUARD_OFFSET (OTA_BOOT_APP_OFFSET_DEFAULT - LEAN_GUARD_SIZE)

static volatile bool g_guard_locked; /* the page lock: cleared by every reset */
/* The devices are constants (nor_mmio.h, NOR_MMIO_DEVICE): no code sets them up, no RAM. The
 * guard pages are locked in internal flash, and seen as a device of their own (the internal
 * flash's geometry, LEAN_GUARD_SIZE long) by a bootloader that keeps the guard. */
static const nor_mmio_t g_internal =
    NOR_MMIO_DEVICE(g_internal, LEAN_INTERNAL_BASE, LEAN_INTERNAL_GEOMETRY, GUARD_OFFSET,
                    LEAN_GUARD_SIZE, &g_guard_locked);
static const nor_mmio_t g_external =
    NOR_MMIO_DEVICE(g_external, LEAN_EXTERNAL_BASE, LEAN_EXTERNAL_GEOMETRY, 0u, 0u, NULL);
#if OTA_BOOT_GUARD
static const nor_mmio_t g_guard_flash =
    NOR_MMIO_DEVICE(g_guard_flash, LEAN_INTERNAL_BASE + GUARD_OFFSET, LEAN_GUARD_GEOMETRY, 0u,
                    LEAN_GUARD_SIZE, &g_guard_locked);
#define GUARD_FLASH (&g_guard_flash.port)
static ota_guard_t g_guard;
#else
#define GUARD_FLASH NULL /* config.h: no guard kept, none to give (port.h) */
#endif
static ota_store_t g_store;
static ota_boot_t g_boot;
static ota_boot_report_t g_report;

static _Noreturn void halt(void)
{
    watchdog_an386_arm(NULL, LEAN_WATCHDOG_MS); /* the ops' own: one copy of the code */
    for (;;) {
        __asm volatile("wfi");
    }
}

static void sys_reset(void *ctx)
{
    (void)ctx;
    cm_reset();
}

static ota_flash_status_t sys_guard_protect(void *ctx)
{
    (void)ctx;
    g_guard_locked = true;
    return OTA_FLASH_OK;
}

static void sys_jump(void *ctx, uint32_t app_offset)
{
    (void)ctx;
#if OTA_LEAN_CONSOLE
    console_printf("boot: ", "measured: stack high-water mark %lu of %lu bytes, crypto heap "
                   "high-water mark %lu of %lu bytes",
                   (unsigned long)(cm_stack_size() - cm_stack_unused()),
                   (unsigned long)cm_stack_size(),
                   (unsigned long)(OTA_LEAN_SIGNED ? fw_crypto_arena_high_water() : 0u),
                   (unsigned long)(OTA_LEAN_SIGNED ? fw_crypto_arena_size() : 0u));
#endif
    cm_jump(LEAN_INTERNAL_BASE + app_offset); /* the payload's vector table */
}

static const ota_system_ops_t SYSTEM_OPS = {sys_reset, watchdog_an386_arm, watchdog_an386_kick,
                                            sys_guard_protect, sys_jump};

/* The configurations are constants in flash rather than locals of main: main's frame lies
 * under the deepest path of the boot (the signature check), so each byte there is RAM. */
static const ota_system_t SYSTEM = {&SYSTEM_OPS, NULL, GUARD_FLASH};
static const ota_store_config_t STORE_CONFIG = {
    .download_slots = LEAN_DOWNLOAD_SLOTS,
    .hw_id = LEAN_HW_ID,
#if OTA_BOOT_GUARD
    .guard = &g_guard,
#endif
#if OTA_LEAN_SIGNED
    .trusted_keys = &ota_lean_keys,
#endif
};
static const ota_boot_config_t BOOT_CONFIG = {
    .app_offset = OTA_BOOT_APP_OFFSET_DEFAULT,
    .app_size = OTA_BOOT_APP_SIZE_DEFAULT,
    .flash_address = LEAN_FLASH_ADDRESS,
    .desc_size = LEAN_DESC_SIZE,
    .max_attempts = LEAN_ATTEMPTS,
    .hw_id = LEAN_HW_ID,
    .verify_each_boot = true, /* ota_boot_config_default's, as the others not set here */
};

#if OTA_LEAN_CONSOLE
static void boot_log(void *ctx, const char *line)
{
    (void)ctx;
    console_log(strncmp(line, "boot:", 5) == 0 ? "" : "boot: ", line);
}
#define BOOT_LOG boot_log
#else
#define BOOT_LOG NULL
#endif

int main(void)
{
#if OTA_LEAN_CONSOLE
    console_init();
#endif
#if OTA_BOOT_GUARD
    /* A guard that does not mount leaves the floor unknown: ota_boot_start then decides
     * nothing (ERR_FLASH) rather than boot without it. */
    (void)ota_guard_mount(&g_guard, nor_mmio_port(&g_guard_flash));
#endif
#if OTA_LEAN_SIGNED
    if (fw_crypto_arena_init() != 0) {
        halt();
    }
#endif
    ota_store_status_t mst = ota_store_mount(&g_store, nor_mmio_port(&g_external), &STORE_CONFIG);
    if (mst == OTA_STORE_OK) {
        ota_boot_status_t bst =
            ota_boot_start(&g_boot, &BOOT_CONFIG, &SYSTEM, LEAN_WATCHDOG_MS,
                           nor_mmio_port(&g_internal), &g_store, BOOT_LOG, NULL, &g_report);
#if OTA_LEAN_CONSOLE
        console_printf("boot: ", "halted: %s (store: %s, flash status %d)",
                       ota_boot_status_str(bst), ota_store_status_str(g_report.store_status),
                       (int)g_report.flash_status);
#else
        (void)bst;
#endif
    }
#if OTA_LEAN_CONSOLE
    else {
        console_printf("boot: ", "halted: the image store cannot be mounted: %s",
                       ota_store_status_str(mst));
    }
#endif
    halt();
}
