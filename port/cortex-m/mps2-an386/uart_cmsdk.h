/* SPDX-License-Identifier: Apache-2.0 */
/* CMSDK APB UART, transmit only: the console (ARM CoreLink SDK, "APB UART"). */
#ifndef OTAFLOW_UART_CMSDK_H
#define OTAFLOW_UART_CMSDK_H

#include <stddef.h>
#include <stdint.h>

/** Enable the transmitter of the UART at base (baud divisor: any legal value; QEMU ignores
 *  the rate). */
void uart_cmsdk_init(uint32_t base);

/** Send len bytes, waiting while the transmit buffer is full. */
void uart_cmsdk_write(uint32_t base, const char *s, size_t len);

#endif /* OTAFLOW_UART_CMSDK_H */
