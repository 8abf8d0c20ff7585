/* SPDX-License-Identifier: Apache-2.0 */
/* otaflow-image hex2bin: Intel HEX to a flat binary of the application region. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

static const char HELP[] =
    "usage: otaflow-image hex2bin IN.hex -o OUT.bin [--base ADDR] [--size N] [--no-kseg]\n"
    "                             [--clip]\n"
    "\n"
    "Convert Intel HEX (record types 00-05) to a flat binary that starts at --base.\n"
    "Gaps are filled with 0xFF. The output ends at the highest address written, unless\n"
    "--size is given: then it is padded with 0xFF to exactly N bytes.\n"
    "\n"
    "  -o, --output OUT   binary to write\n"
    "  --base ADDR        first address of the region (default 0x10020000)\n"
    "  --size N           region size (default 0xDF000); data outside the region is an error,\n"
    "                     except in the PIC32 boot flash segment 0x1FC00000-0x1FFFFFFF\n"
    "                     (configuration words: left out, with a note on stderr)\n"
    "  --clip             leave out any data outside the region (with a note) instead\n"
    "  --no-kseg          take addresses as they are; by default PIC32 KSEG0/KSEG1 addresses\n"
    "                     (0x80000000-0xBFFFFFFF) are mapped to physical (& 0x1FFFFFFF),\n"
    "                     in the records and in --base\n"
    "\n"
    "Errors (exit 1): malformed or truncated lines, checksum errors, unknown record types,\n"
    "a missing EOF record, a byte written twice (overlapping records), data outside the region\n"
    "(unless left out as above), no data inside the region.\n"
    "Start address records (03, 05) are accepted and ignored.\n";

int cmd_hex2bin(int argc, char **argv)
{
    const char *cmd = "hex2bin";
    const char *output = NULL;
    const char *base_text = NULL;
    const char *size_text = NULL;
    bool no_kseg = false;
    bool clip = false;
    const tool_option_t opts[] = {
        {.name = "output", .takes_value = true, .value = &output},
        {.name = "base", .takes_value = true, .value = &base_text},
        {.name = "size", .takes_value = true, .value = &size_text},
        {.name = "no-kseg", .takes_value = false, .flag = &no_kseg},
        {.name = "clip", .takes_value = false, .flag = &clip},
        {.name = NULL},
    };
    const char *input = NULL;
    int status;
    if (!tool_args(argc, argv, opts, &input, 1, HELP, &status)) {
        return status;
    }
    if (output == NULL) {
        return tool_usage_error(cmd, "missing -o OUT.bin");
    }
    tool_region_t region = {.base = TOOL_DEFAULT_BASE, .size = TOOL_DEFAULT_SIZE,
                            .pad = size_text != NULL, .kseg = !no_kseg, .clip = clip};
    if (base_text != NULL && !tool_parse_u32(base_text, &region.base)) {
        return tool_usage_error(cmd, "--base '%s' is not a 32-bit number", base_text);
    }
    if (size_text != NULL && (!tool_parse_u32(size_text, &region.size) || region.size == 0)) {
        return tool_usage_error(cmd, "--size '%s' is not a number from 1 to 0xFFFFFFFF", size_text);
    }
    uint32_t base = region.kseg ? tool_kseg_to_physical(region.base) : region.base;
    if ((uint64_t)base + region.size > 0x100000000ULL) {
        return tool_usage_error(cmd, "region 0x%08X + 0x%X runs past 0xFFFFFFFF", base,
                                region.size);
    }
    size_t len = 0;
    tool_left_out_t left;
    if (tool_hex_to_file(input, &region, output, &len, &left) != 0) {
        /* The in-memory conversion says what is wrong (or does it, if only the fast path
         * could not: a file it cannot seek in, memory). */
        uint8_t *bin = NULL;
        int rc = tool_hex_to_region(cmd, input, &region, &bin, &len, &left);
        if (rc != TOOL_EXIT_OK) {
            return rc;
        }
        if (tool_write_output(output, bin, len) != 0) {
            rc = tool_fail(cmd, "cannot write %s: %s", output, strerror(errno));
            free(bin);
            return rc;
        }
        free(bin);
    }
    tool_note_left_out(cmd, input, &left);
    printf("%s: %zu bytes, 0x%08X-0x%08llX\n", output, len, base,
           (unsigned long long)((uint64_t)base + len - 1));
    return TOOL_EXIT_OK;
}
