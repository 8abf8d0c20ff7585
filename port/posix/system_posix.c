/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Host system port: guard window and write-protect latch over the internal flash, recorded
 * watchdog and jump (port/posix/system_posix.h).
 */
#include "system_posix.h"

#include <stddef.h>
#include <string.h>

/* True when [addr, addr + len) of internal flash touches the locked guard range. */
static bool hits_lock(const ota_posix_system_t *s, uint32_t addr, uint32_t len)
{
    return s->locked && addr < s->guard_offset + s->guard_size && addr + len > s->guard_offset;
}

static ota_flash_status_t internal_read(void *ctx, uint32_t addr, void *buf, uint32_t len)
{
    ota_posix_system_t *s = ctx;
    return ota_flash_read(s->internal, addr, buf, len);
}

static ota_flash_status_t internal_program(void *ctx, uint32_t addr, const void *buf,
                                           uint32_t len)
{
    ota_posix_system_t *s = ctx;
    return hits_lock(s, addr, len) ? OTA_FLASH_ERR_PROTECTED
                                   : ota_flash_program(s->internal, addr, buf, len);
}

static ota_flash_status_t internal_erase(void *ctx, uint32_t addr, uint32_t len)
{
    ota_posix_system_t *s = ctx;
    return hits_lock(s, addr, len) ? OTA_FLASH_ERR_PROTECTED
                                   : ota_flash_erase(s->internal, addr, len);
}

static const ota_flash_ops_t INTERNAL_OPS = {internal_read, internal_program, internal_erase};

/* The guard window: addresses relative to guard_offset, bounded to guard_size, through the
 * latched internal port. */
static bool in_window(const ota_posix_system_t *s, uint32_t addr, uint32_t len)
{
    return addr <= s->guard_size && len <= s->guard_size - addr;
}

static ota_flash_status_t window_read(void *ctx, uint32_t addr, void *buf, uint32_t len)
{
    ota_posix_system_t *s = ctx;
    return in_window(s, addr, len) ? internal_read(ctx, s->guard_offset + addr, buf, len)
                                   : OTA_FLASH_ERR_RANGE;
}

static ota_flash_status_t window_program(void *ctx, uint32_t addr, const void *buf, uint32_t len)
{
    ota_posix_system_t *s = ctx;
    return in_window(s, addr, len) ? internal_program(ctx, s->guard_offset + addr, buf, len)
                                   : OTA_FLASH_ERR_RANGE;
}

static ota_flash_status_t window_erase(void *ctx, uint32_t addr, uint32_t len)
{
    ota_posix_system_t *s = ctx;
    return in_window(s, addr, len) ? internal_erase(ctx, s->guard_offset + addr, len)
                                   : OTA_FLASH_ERR_RANGE;
}

static const ota_flash_ops_t WINDOW_OPS = {window_read, window_program, window_erase};

static void sys_reset(void *ctx)
{
    ota_posix_system_t *s = ctx;
    s->resets++;
    s->locked = false;
    s->watchdog_armed = false;
    s->kicks = 0;
}

static void sys_watchdog_arm(void *ctx, uint32_t timeout_ms)
{
    ota_posix_system_t *s = ctx;
    s->watchdog_armed = true;
    s->watchdog_ms = timeout_ms;
}

static void sys_watchdog_kick(void *ctx)
{
    ota_posix_system_t *s = ctx;
    s->kicks++;
}

static ota_flash_status_t sys_guard_protect(void *ctx)
{
    ota_posix_system_t *s = ctx;
    s->locked = true;
    return OTA_FLASH_OK;
}

static void sys_jump(void *ctx, uint32_t app_offset)
{
    ota_posix_system_t *s = ctx;
    s->jumps++;
    s->jump_offset = app_offset;
}

static const ota_system_ops_t SYSTEM_OPS = {sys_reset, sys_watchdog_arm, sys_watchdog_kick,
                                            sys_guard_protect, sys_jump};

int ota_posix_system_init(ota_posix_system_t *sys, const ota_flash_t *internal,
                          uint32_t app_offset)
{
    memset(sys, 0, sizeof *sys);
    uint32_t eu = internal->geometry.erase_unit;
    if (eu == 0 || app_offset < 2u * eu || app_offset % eu != 0) {
        return -1;
    }
    sys->internal = internal;
    sys->guard_offset = app_offset - 2u * eu;
    sys->guard_size = 2u * eu;
    sys->internal_port.ops = &INTERNAL_OPS;
    sys->internal_port.ctx = sys;
    sys->internal_port.geometry = internal->geometry;
    sys->guard_port.ops = &WINDOW_OPS;
    sys->guard_port.ctx = sys;
    sys->guard_port.geometry = internal->geometry;
    sys->guard_port.geometry.size = sys->guard_size;
    sys->system.ops = &SYSTEM_OPS;
    sys->system.ctx = sys;
    sys->system.guard_flash = &sys->guard_port;
    return 0;
}

const ota_flash_t *ota_posix_system_internal(const ota_posix_system_t *sys)
{
    return &sys->internal_port;
}

void ota_posix_system_set_locked(ota_posix_system_t *sys, bool locked)
{
    sys->locked = locked;
}
