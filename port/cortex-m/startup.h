/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Start-up of a Cortex-M program (startup.c): the symbols the linker script provides and the
 * handlers a program may override. Every program of this port (bootloader, application)
 * links startup.c and a linker script of firmware/ that defines these symbols.
 */
#ifndef OTAFLOW_STARTUP_H
#define OTAFLOW_STARTUP_H

#include <stdint.h>

/* Linker script symbols: the main stack [__stack_bottom, __stack_top), .data's load address
 * and place, .bss. Arrays so that no code takes the address of a single object. */
extern uint8_t __stack_bottom[], __stack_top[];
extern uint8_t __data_load[], __data_start[], __data_end[];
extern uint8_t __bss_start[], __bss_end[];

/** The word the start-up code fills the unused stack with (cm_stack_unused looks for it). */
#define CM_STACK_PAINT 0x5AC35AC3u

/** The program's entry after start-up (C runtime ready, interrupts enabled). */
int main(void);

/** Exception handlers: weak, default to cm_default_handler (report and reset); a program
 *  defines its own to override one. */
void cm_hardfault_handler(void);
void cm_nmi_handler(void);

/** What an unexpected exception does unless the program overrides it: the board's fault
 *  report (cm_fault_report, weak: nothing) then cm_reset. */
void cm_default_handler(void);

/** Called by the default handler with the exception number (IPSR) before the reset. */
void cm_fault_report(uint32_t exception);

#endif /* OTAFLOW_STARTUP_H */
