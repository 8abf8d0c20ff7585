/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the bare-metal measuring programs for QEMU's mps2-an386 share (scripts/cross_verifier.c,
 * scripts/delta_apply_main.c, scripts/sha256_bench_main.c; linked with scripts/qemu_m4.ld,
 * entry cross_reset): semihosting
 * output and exit, and SysTick, which under QEMU's -icount shift=0 counts instructions.
 */
#ifndef OTAFLOW_QEMU_M4_BARE_H
#define OTAFLOW_QEMU_M4_BARE_H

#include <stddef.h>
#include <stdint.h>

extern uint32_t __bss_start__[], __bss_end__[], __stack_bottom__[], __stack_top__[];

/** The stack below the caller is painted with this, to find its high-water mark. */
#define PAINT 0xA5A5A5A5u

/* ARM semihosting: the operation in r0, its argument in r1, BKPT 0xAB. */
static inline void semihost(uint32_t op, const void *arg)
{
    register uint32_t r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
}

static inline void put(const char *s)
{
    semihost(0x04u, s); /* SYS_WRITE0 */
}

static inline void put_num(uint32_t v)
{
    char b[12];
    size_t i = sizeof b - 1u;
    b[i] = '\0';
    do {
        b[--i] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v != 0u);
    put(&b[i]);
}

static inline __attribute__((noreturn)) void stop(uint32_t code)
{
    static uint32_t block[2] = {0x20026u, 0u}; /* ADP_Stopped_ApplicationExit, status */
    block[1] = code;
    semihost(0x20u, block); /* SYS_EXIT_EXTENDED: QEMU exits with the status */
    for (;;) {
    }
}

/* SysTick on the CPU clock, free-running down from 2^24 - 1. Under QEMU's -icount shift=0 a
 * guest instruction is 1 ns of virtual time and the clock is 25 MHz: a tick is 40
 * instructions (an instruction count, not Cortex-M4 cycles). */
#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)

/** At reset, with the stack pointer sp: .bss zeroed, the stack below sp painted. */
static inline void bare_prepare(uint32_t *sp)
{
    for (uint32_t *p = __bss_start__; p < __bss_end__; p++) {
        *p = 0u;
    }
    for (uint32_t *p = __stack_bottom__; p < sp - 16; p++) {
        *p = PAINT;
    }
}

/** SysTick from its top, counting down; returns its start value. */
static inline uint32_t bare_ticks_start(void)
{
    SYST_RVR = 0xFFFFFFu;
    SYST_CVR = 0u;
    SYST_CSR = 5u; /* enabled, processor clock, no interrupt */
    return SYST_CVR;
}

/** Bytes of stack written below sp since bare_prepare. */
static inline uint32_t bare_stack_used(const uint32_t *sp)
{
    const uint32_t *low = __stack_bottom__;
    while (low < sp && *low == PAINT) {
        low++;
    }
    return (uint32_t)((uintptr_t)sp - (uintptr_t)low);
}

/** The end of the report line, " ticks=T result=R", and QEMU's exit with R. */
static inline __attribute__((noreturn)) void bare_finish(uint32_t ticks, int result)
{
    put(" ticks=");
    put_num(ticks);
    put(" result=");
    put_num((uint32_t)result);
    put("\n");
    stop((uint32_t)result);
}

/** The whole run of a measuring program whose work needs no set-up: run() timed, then its
 *  report line "stack=S ticks=T result=R", and QEMU's exit with run()'s result. */
static inline __attribute__((noreturn, always_inline)) void bare_measure(int (*run)(void))
{
    uint32_t *sp;
    __asm__ volatile("mov %0, sp" : "=r"(sp));
    bare_prepare(sp);
    uint32_t t0 = bare_ticks_start();
    int r = run();
    uint32_t ticks = (t0 - SYST_CVR) & 0xFFFFFFu;
    put("stack=");
    put_num(bare_stack_used(sp));
    bare_finish(ticks, r);
}

/** The vector table: the stack's top and the reset handler. */
void cross_reset(void);
__attribute__((section(".vectors"), used)) static const void *const bare_vectors[2] = {
    __stack_top__,
    (const void *)cross_reset,
};

#endif /* OTAFLOW_QEMU_M4_BARE_H */
