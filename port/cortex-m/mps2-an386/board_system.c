/* SPDX-License-Identifier: Apache-2.0 */
/* The emulated board's system port (board_system.h). */
#include "board_system.h"

#include <string.h>

#include "cortex_m.h"
#include "otaflow/boot.h"
#include "watchdog_cmsdk.h"

#define HANDOFF_MAGIC 0x4F544147u /* "OTAG" */

/* What the bootloader leaves for the application across the jump, at a fixed address both
 * programs link (firmware/sections.ld, .handoff). Zero after QEMU starts. */
typedef struct board_handoff {
    uint32_t magic;
    uint32_t guard_locked;
} board_handoff_t;

__attribute__((section(".handoff"))) static volatile board_handoff_t g_handoff;

static void sys_reset(void *ctx)
{
    board_system_t *s = ctx;
    board_flashes_sync(s->flashes);
    cm_reset();
}

static ota_flash_status_t sys_guard_protect(void *ctx)
{
    board_system_t *s = ctx;
    ota_posix_system_set_locked(&s->latch, true);
    g_handoff.magic = HANDOFF_MAGIC;
    g_handoff.guard_locked = 1u;
    return OTA_FLASH_OK;
}

static void sys_jump(void *ctx, uint32_t app_offset)
{
    board_system_t *s = ctx;
    uint32_t vectors = app_offset;
    board_flashes_sync(s->flashes);
    if (s->before_jump != NULL) {
        s->before_jump(s->before_jump_ctx, vectors);
    }
    cm_jump(vectors);
}

static const ota_system_ops_t BOARD_SYSTEM_OPS = {sys_reset, watchdog_an386_arm,
                                                  watchdog_an386_kick, sys_guard_protect,
                                                  sys_jump};

int board_system_init(board_system_t *s, board_flashes_t *flashes, bool power_on)
{
    memset(s, 0, sizeof *s);
    if (ota_posix_system_init(&s->latch, board_flash_port(&flashes->internal),
                              OTA_BOOT_APP_OFFSET_DEFAULT) != 0) {
        return -1;
    }
    if (power_on) {
        g_handoff.magic = 0;
        g_handoff.guard_locked = 0;
    }
    ota_posix_system_set_locked(&s->latch,
                                g_handoff.magic == HANDOFF_MAGIC && g_handoff.guard_locked != 0);
    s->flashes = flashes;
    s->system.ops = &BOARD_SYSTEM_OPS;
    s->system.ctx = s;
    s->system.guard_flash = s->latch.system.guard_flash;
    return 0;
}

const ota_flash_t *board_system_internal(const board_system_t *s)
{
    return ota_posix_system_internal(&s->latch);
}
