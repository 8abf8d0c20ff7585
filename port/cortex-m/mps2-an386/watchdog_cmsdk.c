/* SPDX-License-Identifier: Apache-2.0 */
/* CMSDK APB watchdog (watchdog_cmsdk.h). */
#include "watchdog_cmsdk.h"

#include "an386.h"

#define WDOG_LOAD(b) (*(volatile uint32_t *)((b) + 0x000u))
#define WDOG_CTRL(b) (*(volatile uint32_t *)((b) + 0x008u))
#define WDOG_INTCLR(b) (*(volatile uint32_t *)((b) + 0x00Cu))
#define WDOG_LOCK(b) (*(volatile uint32_t *)((b) + 0xC00u))
#define WDOG_CTRL_INTEN 1u
#define WDOG_CTRL_RESEN 2u
#define WDOG_UNLOCK_KEY 0x1ACCE551u

void watchdog_cmsdk_arm(uint32_t base, uint32_t clock_hz, uint32_t timeout_ms)
{
    uint64_t load = (uint64_t)(clock_hz / 1000u) * timeout_ms; /* no 64-bit division */
    if (load > 0xFFFFFFFFu) {
        load = 0xFFFFFFFFu;
    }
    WDOG_LOCK(base) = WDOG_UNLOCK_KEY;
    WDOG_LOAD(base) = load == 0 ? 1u : (uint32_t)load;
    WDOG_INTCLR(base) = 1u;
    WDOG_CTRL(base) = WDOG_CTRL_INTEN | WDOG_CTRL_RESEN;
    WDOG_LOCK(base) = 0;
}

void watchdog_cmsdk_kick(uint32_t base)
{
    WDOG_LOCK(base) = WDOG_UNLOCK_KEY;
    /* Writing LOAD restarts the count (a pending interrupt cannot be: it resets at once). */
    WDOG_INTCLR(base) = 1u;
    WDOG_LOAD(base) = WDOG_LOAD(base);
    WDOG_LOCK(base) = 0;
}

void watchdog_an386_arm(void *ctx, uint32_t timeout_ms)
{
    (void)ctx;
    watchdog_cmsdk_arm(AN386_WATCHDOG, AN386_CPU_HZ, timeout_ms);
}

void watchdog_an386_kick(void *ctx)
{
    (void)ctx;
    watchdog_cmsdk_kick(AN386_WATCHDOG);
}
