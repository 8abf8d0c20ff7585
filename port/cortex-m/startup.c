/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Vector table and reset handler of every program of the Cortex-M port. The reset handler
 * paints the main stack (so cm_stack_unused can measure its high-water mark), copies .data,
 * zeroes .bss and calls main. The table holds the 16 system exceptions and CM_IRQS external
 * interrupts; the linker script places .vectors first and aligns it as VTOR requires.
 *
 * Built with CM_NO_INTERRUPTS=1 (cortex_m.h: a program that enables no interrupt and not
 * SysTick, the lean bootloader) the table ends after HardFault's entry (below): no external
 * interrupt can be taken, every NVIC enable being clear from reset on (ARMv7-M ARM B3.4), and
 * the one interrupt the bootloader's watchdog raises is the NMI, entry 2 (the mps2-an386's
 * wiring in QEMU's hw/arm/mps2.c as on the board). The stack is
 * painted unless CM_PAINT_STACK=0 (the lean bootloader paints it only in its console
 * variant, which prints the high-water mark).
 */
#include <stdint.h>
#include <string.h>

#include "cortex_m.h"
#include "cortex_m_regs.h"
#include "startup.h"

#ifndef CM_PAINT_STACK
#define CM_PAINT_STACK 1
#endif

/* External interrupts in the table: the mps2-an386 has 32 (QEMU hw/arm/mps2.c); more are
 * harmless. 16 + 32 words = 192 bytes: VTOR needs 256-byte alignment. */
#define CM_IRQS 32

void cm_reset_handler(void);

__attribute__((weak)) void cm_fault_report(uint32_t exception)
{
    (void)exception;
}

void cm_default_handler(void)
{
    uint32_t ipsr;
    __asm volatile("mrs %0, ipsr" : "=r"(ipsr));
    cm_fault_report(ipsr & 0x1FFu);
    cm_reset();
}

void cm_nmi_handler(void) __attribute__((weak, alias("cm_default_handler")));
void cm_hardfault_handler(void) __attribute__((weak, alias("cm_default_handler")));
void cm_svc_handler(void) __attribute__((weak, alias("cm_default_handler")));
void cm_pendsv_handler(void) __attribute__((weak, alias("cm_default_handler")));
void cm_irq_handler(void) __attribute__((weak, alias("cm_default_handler")));

typedef void (*cm_vector_t)(void);

/* A program that enables no interrupt (CM_NO_INTERRUPTS) can take only the first three
 * exceptions (ARMv7-M ARM B1.5): reset, the NMI (its watchdog's) and HardFault.
 * MemManage, BusFault and UsageFault are disabled from reset (SHCSR) and escalate to
 * HardFault; SVCall needs an SVC instruction, PendSV and SysTick a write to ICSR or SYST_CSR,
 * DebugMonitor DEMCR.MON_EN, none of which such a program has. Its table ends there, and its
 * code follows: 48 bytes of flash. */
#if CM_NO_INTERRUPTS
#define CM_VECTORS 4
#else
#define CM_VECTORS (16 + CM_IRQS)
#endif

__attribute__((section(".vectors"), used)) static const cm_vector_t g_vectors[CM_VECTORS] = {
    [0] = (cm_vector_t)(uintptr_t)__stack_top,
    [1] = cm_reset_handler,
    [2] = cm_nmi_handler,
    [3] = cm_hardfault_handler,
#if !CM_NO_INTERRUPTS
    [4] = cm_default_handler,  /* MemManage */
    [5] = cm_default_handler,  /* BusFault */
    [6] = cm_default_handler,  /* UsageFault */
    [11] = cm_svc_handler,
    [12] = cm_default_handler, /* DebugMonitor */
    [14] = cm_pendsv_handler,
    [15] = cm_systick_handler,
    [16 ... 16 + CM_IRQS - 1] = cm_irq_handler,
#endif
};

#if CM_PAINT_STACK
/* Paint from the bottom of the stack up to a little below where this function's frame is:
 * nothing above that point has been used yet, nothing below it is live. */
__attribute__((noinline)) static void paint_stack(void)
{
    uint32_t *p = (uint32_t *)(void *)__stack_bottom;
    uint32_t here;
    __asm volatile("mov %0, sp" : "=r"(here));
    uint32_t *end = (uint32_t *)(uintptr_t)(here - 64u);
    while (p < end) {
        *p++ = CM_STACK_PAINT;
    }
}
#else
#define paint_stack() ((void)0)
#endif

void cm_reset_handler(void)
{
    /* A jump from a bootloader arrives with its MSP already ours; a cold reset too. */
    paint_stack();
    memcpy(__data_start, __data_load, (size_t)(__data_end - __data_start));
    memset(__bss_start, 0, (size_t)(__bss_end - __bss_start));
    (void)main();
    cm_reset();
}
