/* SPDX-License-Identifier: Apache-2.0 */
/* ARMv7-M system control: reset, jump, SysTick clock, stack high-water mark (cortex_m.h). */
#include "cortex_m.h"

#include "cortex_m_regs.h"
#include "startup.h"

static volatile uint32_t g_millis;

_Noreturn void cm_reset(void)
{
    __asm volatile("dsb" ::: "memory");
    CM_SCB_AIRCR = CM_AIRCR_VECTKEY | (CM_SCB_AIRCR & CM_AIRCR_PRIGROUP_MASK) |
                   CM_AIRCR_SYSRESETREQ;
    __asm volatile("dsb" ::: "memory");
    for (;;) {
        /* the reset takes a few cycles to arrive */
    }
}

void cm_fatal(int status)
{
    (void)status;
    cm_reset();
}

_Noreturn void cm_jump(uint32_t vector_table)
{
    const volatile uint32_t *table = (const volatile uint32_t *)vector_table;
    uint32_t sp = table[0];
    uint32_t entry = table[1];
#if !CM_NO_INTERRUPTS
    __asm volatile("cpsid i" ::: "memory");
    CM_SYST_CSR = 0;                   /* the application starts its own clock */
    CM_SCB_ICSR = CM_ICSR_PENDSTCLR | CM_ICSR_PENDSVCLR;
    for (unsigned i = 0; i < CM_NVIC_WORDS; i++) {
        CM_NVIC_ICER(i) = 0xFFFFFFFFu; /* no interrupt of ours fires into its table */
        CM_NVIC_ICPR(i) = 0xFFFFFFFFu;
    }
#endif
    CM_SCB_VTOR = vector_table;
    __asm volatile("dsb\n isb" ::: "memory");
    /* MSP from the table, interrupts enabled again (the application's reset state), and a
     * branch (not a call: nothing of the bootloader's stack survives) to its reset handler. */
    __asm volatile("msr msp, %0\n"
                   "cpsie i\n"
                   "bx %1\n"
                   :
                   : "r"(sp), "r"(entry)
                   : "memory");
    for (;;) {
    }
}

void cm_clock_start(uint32_t cpu_hz)
{
    g_millis = 0;
    CM_SYST_RVR = cpu_hz / 1000u - 1u;
    CM_SYST_CVR = 0;
    CM_SYST_CSR = CM_SYST_CSR_ENABLE | CM_SYST_CSR_TICKINT | CM_SYST_CSR_CLKSOURCE;
}

uint32_t cm_millis(void)
{
    return g_millis;
}

uint64_t cm_clock_cycles(void)
{
    uint32_t ms, left;
    do { /* a tick between the two reads would pair a count with the wrong value */
        ms = g_millis;
        left = CM_SYST_CVR;
    } while (ms != g_millis);
    uint32_t per_ms = CM_SYST_RVR + 1u;
    return (uint64_t)ms * per_ms + (per_ms - 1u - left);
}

void cm_systick_handler(void)
{
    g_millis++;
}

uint32_t cm_stack_size(void)
{
    return (uint32_t)(__stack_top - __stack_bottom);
}

uint32_t cm_stack_unused(void)
{
    const uint32_t *p = (const uint32_t *)(void *)__stack_bottom;
    const uint32_t *top = (const uint32_t *)(void *)__stack_top;
    while (p < top && *p == CM_STACK_PAINT) {
        p++;
    }
    return (uint32_t)((const uint8_t *)(const void *)p - __stack_bottom);
}
