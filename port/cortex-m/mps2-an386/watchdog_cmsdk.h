/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CMSDK APB watchdog (ARM CoreLink SDK): counts down from LOAD at the watchdog clock; the
 * first time it reaches zero it raises its interrupt and reloads, the second time (interrupt
 * still pending) it resets the chip. On the AN386 the interrupt is the NMI, whose handler
 * (startup.c's default) resets at once: so the timeout is LOAD, and the hardware reset at
 * twice LOAD catches a program whose NMI handler cannot run.
 */
#ifndef OTAFLOW_WATCHDOG_CMSDK_H
#define OTAFLOW_WATCHDOG_CMSDK_H

#include <stdint.h>

/** Start the watchdog at base: no kick for timeout_ms resets the chip (clock_hz: its input
 *  clock). Longer timeouts than the 32-bit counter holds (171 s at 25 MHz) are cut to the
 *  longest it does.
 *  Locks the registers again afterwards, as a careful driver does. */
void watchdog_cmsdk_arm(uint32_t base, uint32_t clock_hz, uint32_t timeout_ms);

/** Restart the countdown (reload LOAD). */
void watchdog_cmsdk_kick(uint32_t base);

/** The system port's watchdog_arm (include/otaflow/port.h) on the mps2-an386's watchdog
 *  (AN386_WATCHDOG at AN386_CPU_HZ); ctx is not used. Both bootloaders' system ports use it. */
void watchdog_an386_arm(void *ctx, uint32_t timeout_ms);

/** The system port's watchdog_kick on the mps2-an386's watchdog; ctx is not used. */
void watchdog_an386_kick(void *ctx);

#endif /* OTAFLOW_WATCHDOG_CMSDK_H */
