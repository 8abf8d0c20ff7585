/* SPDX-License-Identifier: Apache-2.0 */
/* Seeds for target ihex: every HEX text test_ihex.c parses (see capture.h). */
#include "capture.h"
#include "ihex.h"

ihex_status_t __real_ihex_parse(const char *text, size_t len, unsigned source, memmap_t *map,
                                ihex_start_t *start, ihex_error_t *err);
ihex_status_t __wrap_ihex_parse(const char *text, size_t len, unsigned source, memmap_t *map,
                                ihex_start_t *start, ihex_error_t *err);

ihex_status_t __wrap_ihex_parse(const char *text, size_t len, unsigned source, memmap_t *map,
                                ihex_start_t *start, ihex_error_t *err)
{
    fuzz_capture("ihex", NULL, 0, text, len);
    return __real_ihex_parse(text, len, source, map, start, err);
}
