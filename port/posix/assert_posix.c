/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The host's assertion hook: an internal invariant of the core broke, so say where on stderr
 * and abort (a test run fails loudly, a sanitizer or debugger shows the stack).
 */
#include <stdio.h>
#include <stdlib.h>

#include "otaflow/port.h"

void ota_port_assert_failed(const char *file, int line, const char *expr)
{
    fprintf(stderr, "otaflow: internal assertion failed: %s (%s:%d)\n", expr, file, line);
    fflush(stderr);
    abort();
}
