/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ARM MPS2 with the AN386 image (Cortex-M4), as QEMU 7.2 models it (`-M mps2-an386`;
 * addresses read with `info mtree` on QEMU's monitor, docs/firmware.md "Memory map").
 */
#ifndef OTAFLOW_AN386_H
#define OTAFLOW_AN386_H

#include <stdint.h>

#define AN386_CPU_HZ 25000000u     /* SYSCLK: CPU, SysTick, APB timers and watchdog */
#define AN386_UART0 0x40004000u    /* CMSDK APB UART 0: QEMU's -serial (the console) */
#define AN386_WATCHDOG 0x40008000u /* CMSDK APB watchdog: its interrupt is the NMI */

#endif /* OTAFLOW_AN386_H */
