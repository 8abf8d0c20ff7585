/* SPDX-License-Identifier: Apache-2.0 */
/* Console lines on the CMSDK UART 0 (console.h). */
#include "console.h"

#include <stdarg.h>
#include <string.h>

#include "an386.h"
#include "fmt.h"
#include "uart_cmsdk.h"

#define CONSOLE_LINE_MAX 256u

void console_init(void)
{
    uart_cmsdk_init(AN386_UART0);
}

static void put_line(const char *prefix, const char *text)
{
    uart_cmsdk_write(AN386_UART0, prefix, strlen(prefix));
    uart_cmsdk_write(AN386_UART0, text, strlen(text));
    uart_cmsdk_write(AN386_UART0, "\n", 1u);
}

void console_printf(const char *prefix, const char *fmt, ...)
{
    char line[CONSOLE_LINE_MAX];
    va_list ap;
    va_start(ap, fmt);
    fmt_vformat(line, sizeof line, fmt, ap);
    va_end(ap);
    put_line(prefix, line);
}

void console_log(void *ctx, const char *line)
{
    put_line(ctx != NULL ? (const char *)ctx : "", line);
}

bool console_getc(char *ch)
{
    return uart_cmsdk_read(AN386_UART0, ch);
}
