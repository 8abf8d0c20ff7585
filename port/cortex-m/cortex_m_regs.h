/* SPDX-License-Identifier: Apache-2.0 */
/* ARMv7-M architectural registers this port uses (ARMv7-M Architecture Reference Manual,
 * B3.2 System Control Space, B3.3 SysTick, B3.4 NVIC). */
#ifndef OTAFLOW_CORTEX_M_REGS_H
#define OTAFLOW_CORTEX_M_REGS_H

#include <stdint.h>

#define CM_REG(addr) (*(volatile uint32_t *)(addr))

#define CM_SCB_ICSR CM_REG(0xE000ED04u)
#define CM_SCB_VTOR CM_REG(0xE000ED08u)
#define CM_SCB_AIRCR CM_REG(0xE000ED0Cu)
#define CM_SCB_SHCSR CM_REG(0xE000ED24u)
#define CM_SCB_CFSR CM_REG(0xE000ED28u)
#define CM_SCB_HFSR CM_REG(0xE000ED2Cu)
#define CM_SCB_CPACR CM_REG(0xE000ED88u)

#define CM_ICSR_PENDSTCLR (1u << 25)
#define CM_ICSR_PENDSVCLR (1u << 27)
#define CM_AIRCR_VECTKEY (0x05FAu << 16)
#define CM_AIRCR_PRIGROUP_MASK (7u << 8)
#define CM_AIRCR_SYSRESETREQ (1u << 2)

#define CM_SYST_CSR CM_REG(0xE000E010u)
#define CM_SYST_RVR CM_REG(0xE000E014u)
#define CM_SYST_CVR CM_REG(0xE000E018u)
#define CM_SYST_CSR_ENABLE (1u << 0)
#define CM_SYST_CSR_TICKINT (1u << 1)
#define CM_SYST_CSR_CLKSOURCE (1u << 2) /* processor clock */

/* Enough words for the 240 interrupts ARMv7-M allows: clearing absent ones is harmless. */
#define CM_NVIC_WORDS 8u
#define CM_NVIC_ICER(n) CM_REG(0xE000E180u + 4u * (n))
#define CM_NVIC_ICPR(n) CM_REG(0xE000E280u + 4u * (n))

/* DWT cycle counter (ARMv7-M C1.8), and the debug enable that powers it (DEMCR.TRCENA). */
#define CM_DEMCR CM_REG(0xE000EDFCu)
#define CM_DEMCR_TRCENA (1u << 24)
#define CM_DWT_CTRL CM_REG(0xE0001000u)
#define CM_DWT_CYCCNT CM_REG(0xE0001004u)

#endif /* OTAFLOW_CORTEX_M_REGS_H */
