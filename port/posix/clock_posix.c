/* SPDX-License-Identifier: Apache-2.0 */
/* Host clock and console for the POSIX port. */
#include "clock_posix.h"

#include <stdio.h>
#include <time.h>

uint32_t ota_posix_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    /* Wraps after 49 days, as a 32-bit tick counter on the device does: the core compares
     * times by unsigned difference only. */
    return (uint32_t)((uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u);
}

void ota_posix_log_stderr(void *ctx, const char *line)
{
    (void)ctx;
    fprintf(stderr, "%s\n", line);
}
