/* SPDX-License-Identifier: Apache-2.0 */
/* CMSDK APB UART, polled (uart_cmsdk.h). */
#include "uart_cmsdk.h"

#define UART_DATA(b) (*(volatile uint32_t *)((b) + 0x00u))
#define UART_STATE(b) (*(volatile uint32_t *)((b) + 0x04u))
#define UART_CTRL(b) (*(volatile uint32_t *)((b) + 0x08u))
#define UART_BAUDDIV(b) (*(volatile uint32_t *)((b) + 0x10u))
#define UART_STATE_TX_FULL 1u
#define UART_STATE_RX_FULL 2u
#define UART_CTRL_TX_EN 1u
#define UART_CTRL_RX_EN 2u
#define UART_MIN_BAUDDIV 16u /* the smallest divisor the UART accepts */

void uart_cmsdk_init(uint32_t base)
{
    UART_BAUDDIV(base) = UART_MIN_BAUDDIV;
    UART_CTRL(base) = UART_CTRL_TX_EN | UART_CTRL_RX_EN;
}

void uart_cmsdk_write(uint32_t base, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        while (UART_STATE(base) & UART_STATE_TX_FULL) {
        }
        UART_DATA(base) = (uint8_t)s[i];
    }
}

bool uart_cmsdk_read(uint32_t base, char *ch)
{
    if ((UART_STATE(base) & UART_STATE_RX_FULL) == 0u) {
        return false;
    }
    *ch = (char)(UART_DATA(base) & 0xFFu);
    return true;
}
