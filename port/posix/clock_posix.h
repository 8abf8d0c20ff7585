/* SPDX-License-Identifier: Apache-2.0 */
/* Host clock and console for the POSIX port. */
#ifndef OTAFLOW_CLOCK_POSIX_H
#define OTAFLOW_CLOCK_POSIX_H

#include <stdint.h>

/** Monotonic milliseconds (CLOCK_MONOTONIC), truncated to 32 bits like a device tick. */
uint32_t ota_posix_now_ms(void);

/** An ota_log_fn that writes the line and a newline to stderr. */
void ota_posix_log_stderr(void *ctx, const char *line);

#endif
