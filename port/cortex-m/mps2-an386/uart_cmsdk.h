/* SPDX-License-Identifier: Apache-2.0 */
/* CMSDK APB UART, polled (no interrupts): the console (ARM CoreLink SDK, "APB UART"). Its
 * receiver holds one byte; QEMU holds back the next ones until it is read. */
#ifndef OTAFLOW_UART_CMSDK_H
#define OTAFLOW_UART_CMSDK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Enable the transmitter and the receiver of the UART at base (baud divisor: any legal value; QEMU ignores
 *  the rate). */
void uart_cmsdk_init(uint32_t base);

/** Send len bytes, waiting while the transmit buffer is full. */
void uart_cmsdk_write(uint32_t base, const char *s, size_t len);

/** The received byte in *ch and true, or false when none waits. */
bool uart_cmsdk_read(uint32_t base, char *ch);

#endif /* OTAFLOW_UART_CMSDK_H */
