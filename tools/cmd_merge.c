/* SPDX-License-Identifier: Apache-2.0 */
/* otaflow-image merge: one Intel HEX from two (bootloader + application, a factory image). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ihex.h"
#include "memmap.h"
#include "tool.h"

static const char HELP[] =
    "usage: otaflow-image merge A.hex B.hex -o UNIFIED.hex [--width 16|32]\n"
    "\n"
    "Write one Intel HEX file holding the data of both inputs (e.g. bootloader + application).\n"
    "A byte written by both inputs (or twice by one) is an error; addresses are kept as they\n"
    "are (no KSEG mapping). Output: --width data bytes per line (default 16), type 04 records\n"
    "where the upper 16 address bits change, the start address of A (else of B) if any, EOF.\n"
    "\n"
    "  -o, --output OUT   Intel HEX file to write\n"
    "  --width N          data bytes per line: 16 (default) or 32\n";

static int read_input(const char *cmd, const char *path, unsigned source, memmap_t *map,
                      ihex_start_t *start)
{
    ihex_error_t err;
    if (ihex_read_file(path, source, map, start, &err) != IHEX_OK) {
        return err.line > 0 ? tool_fail(cmd, "%s:%u: %s", path, err.line, err.msg)
                            : tool_fail(cmd, "%s: %s", path, err.msg);
    }
    return TOOL_EXIT_OK;
}

int cmd_merge(int argc, char **argv)
{
    const char *cmd = "merge";
    const char *output = NULL;
    const char *width_text = NULL;
    const tool_option_t opts[] = {
        {.name = "output", .takes_value = true, .value = &output},
        {.name = "width", .takes_value = true, .value = &width_text},
        {.name = NULL},
    };
    const char *inputs[2] = {NULL, NULL};
    tool_args_result_t r = tool_parse_args(argc, argv, opts, inputs, 2);
    if (r == TOOL_ARGS_HELP) {
        fputs(HELP, stdout);
        return TOOL_EXIT_OK;
    }
    if (r != TOOL_ARGS_OK) {
        return TOOL_EXIT_USAGE;
    }
    if (output == NULL) {
        return tool_usage_error(cmd, "missing -o UNIFIED.hex");
    }
    uint32_t width = 16;
    if (width_text != NULL && (!tool_parse_u32(width_text, &width) || (width != 16 && width != 32))) {
        return tool_usage_error(cmd, "--width must be 16 or 32");
    }

    memmap_t map;
    memmap_init(&map);
    ihex_start_t start[2];
    int rc = read_input(cmd, inputs[0], 0, &map, &start[0]);
    if (rc == TOOL_EXIT_OK) {
        rc = read_input(cmd, inputs[1], 1, &map, &start[1]);
    }
    const memmap_chunk_t *a = NULL;
    const memmap_chunk_t *b = NULL;
    uint32_t at = 0;
    if (rc == TOOL_EXIT_OK && memmap_sort_check(&map, &a, &b, &at) != MEMMAP_OK) {
        rc = tool_fail(cmd, "overlapping addresses: %s:%u and %s:%u both write 0x%08X",
                       inputs[a->source], a->line, inputs[b->source], b->line, at);
    }
    char *text = NULL;
    size_t text_len = 0;
    if (rc == TOOL_EXIT_OK) {
        FILE *mem = open_memstream(&text, &text_len);
        if (mem == NULL) {
            rc = tool_fail(cmd, "out of memory");
        } else {
            const ihex_start_t *keep = start[0].present ? &start[0] : &start[1];
            ihex_status_t st = ihex_write(mem, &map, keep, width);
            if (fclose(mem) != 0 || st != IHEX_OK) {
                rc = tool_fail(cmd, "cannot format the output: %s", ihex_status_str(st));
            }
        }
    }
    if (rc == TOOL_EXIT_OK && tool_write_file(output, text, text_len) != 0) {
        rc = tool_fail(cmd, "cannot write %s: %s", output, strerror(errno));
    }
    if (rc == TOOL_EXIT_OK) {
        uint64_t lowest = 0;
        uint64_t end = 0;
        memmap_bounds(&map, &lowest, &end);
        printf("%s: %zu data bytes from 2 files, 0x%08llX-0x%08llX\n", output, map.n_bytes,
               (unsigned long long)lowest, (unsigned long long)(end - (end > 0 ? 1 : 0)));
    }
    free(text);
    memmap_free(&map);
    return rc;
}
