/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Generic Cortex-M3/M4 support (ARMv7-M): the system control block's reset, the jump to an
 * application's vector table, a millisecond clock on SysTick, and the painted stack that
 * measures its own high-water mark. Nothing here knows the board: the SysTick input clock
 * comes from the caller.
 */
#ifndef OTAFLOW_CORTEX_M_H
#define OTAFLOW_CORTEX_M_H

#include <stdint.h>

/* 1: the program enables no interrupt and does not start SysTick (cm_clock_start): its vector
 * table holds the 16 system entries only (startup.c), and cm_jump has nothing of it to undo:
 * the NVIC and SysTick are as reset left them. The lean bootloader builds its own start-up
 * and jump so (firmware/CMakeLists.txt); 0 (default) for every other program. */
#ifndef CM_NO_INTERRUPTS
#define CM_NO_INTERRUPTS 0
#endif

/** Reset the chip through SCB AIRCR.SYSRESETREQ (what a watchdog-less reset does on any
 *  ARMv7-M part). Does not return. */
_Noreturn void cm_reset(void);

/** A library found the program's state broken (mbedTLS's heap check): reset, as an
 *  assertion does on a part in the field. status is not kept. Does not return. */
void cm_fatal(int status);

/**
 * Start the program whose vector table is at vector_table: what a real part needs before it
 * runs a second program's reset handler: interrupts masked, SysTick stopped, pending
 * exceptions cleared, VTOR set to the table, MSP loaded from its word 0, then a branch to its
 * reset handler (word 1) in thread mode. vector_table must be aligned as VTOR requires
 * (the table's size rounded up to a power of two, at least 128 bytes). Built with
 * CM_NO_INTERRUPTS it only sets VTOR and MSP and branches. Does not return.
 */
_Noreturn void cm_jump(uint32_t vector_table);

/** Start SysTick at 1 kHz from the processor clock of cpu_hz: cm_millis() counts from here. */
void cm_clock_start(uint32_t cpu_hz);

/** Milliseconds since cm_clock_start (wraps after 49 days). */
uint32_t cm_millis(void);

/** Processor clock cycles since cm_clock_start, from the millisecond count and SysTick's
 *  current value (exact to one cycle of SysTick's input). Under QEMU it is the emulated
 *  clock: with -icount shift=0, one instruction per nanosecond (docs/firmware.md). */
uint64_t cm_clock_cycles(void);

/** The SysTick handler of the vector table (counts milliseconds). */
void cm_systick_handler(void);

/** Bytes of the main stack never written since reset (the startup code paints it): the
 *  stack's size minus its high-water mark. */
uint32_t cm_stack_unused(void);

/** Size of the main stack in bytes (from the linker script). */
uint32_t cm_stack_size(void);

#endif /* OTAFLOW_CORTEX_M_H */
