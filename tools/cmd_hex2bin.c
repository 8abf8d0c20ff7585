/* SPDX-License-Identifier: Apache-2.0 */
/* otaflow-image hex2bin: Intel HEX to a flat binary of the application region. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ihex.h"
#include "memmap.h"
#include "tool.h"

static const char HELP[] =
    "usage: otaflow-image hex2bin IN.hex -o OUT.bin [--base ADDR] [--size N] [--no-kseg]\n"
    "\n"
    "Convert Intel HEX (record types 00-05) to a flat binary that starts at --base.\n"
    "Gaps are filled with 0xFF. The output ends at the highest address written, unless\n"
    "--size is given: then it is padded with 0xFF to exactly N bytes.\n"
    "\n"
    "  -o, --output OUT   binary to write\n"
    "  --base ADDR        first address of the region (default 0x10020000)\n"
    "  --size N           region size (default 0xDF000); data outside the region is an error\n"
    "  --no-kseg          take addresses as they are; by default PIC32 KSEG0/KSEG1 addresses\n"
    "                     (0x80000000-0xBFFFFFFF) are mapped to physical (& 0x1FFFFFFF),\n"
    "                     in the records and in --base\n"
    "\n"
    "Errors (exit 1): malformed or truncated lines, checksum errors, unknown record types,\n"
    "a missing EOF record, a byte written twice (overlapping records), data outside the region.\n"
    "Start address records (03, 05) are accepted and ignored.\n";

int tool_hex_to_region(const char *cmd, const char *path, const tool_region_t *region,
                       uint8_t **out, size_t *out_len)
{
    memmap_t map;
    memmap_init(&map);
    ihex_error_t err;
    ihex_status_t st = ihex_read_file(path, 0, &map, NULL, &err);
    if (st != IHEX_OK) {
        memmap_free(&map);
        if (err.line > 0) {
            return tool_fail(cmd, "%s:%u: %s", path, err.line, err.msg);
        }
        return tool_fail(cmd, "%s: %s", path, err.msg);
    }
    uint32_t base = region->base;
    if (region->kseg) {
        memmap_remap(&map, tool_kseg_to_physical);
        base = tool_kseg_to_physical(base);
    }
    const memmap_chunk_t *a = NULL;
    const memmap_chunk_t *b = NULL;
    uint32_t at = 0;
    if (memmap_sort_check(&map, &a, &b, &at) != MEMMAP_OK) {
        int rc = tool_fail(cmd, "%s: overlapping records: lines %u and %u both write 0x%08X", path,
                           a->line, b->line, at);
        memmap_free(&map);
        return rc;
    }
    if (map.n_chunks == 0) {
        memmap_free(&map);
        return tool_fail(cmd, "%s: no data records", path);
    }
    uint64_t end_of_region = (uint64_t)base + region->size;
    for (size_t i = 0; i < map.n_chunks; i++) {
        const memmap_chunk_t *c = &map.chunks[i];
        if (c->addr < base || (uint64_t)c->addr + c->len > end_of_region) {
            int rc = tool_fail(cmd,
                               "%s:%u: data at 0x%08X-0x%08X is outside the region "
                               "0x%08X-0x%08llX (--base/--size)",
                               path, c->line, c->addr, (unsigned)(c->addr + c->len - 1), base,
                               (unsigned long long)(end_of_region - 1));
            memmap_free(&map);
            return rc;
        }
    }
    uint64_t lowest = 0;
    uint64_t end = 0;
    memmap_bounds(&map, &lowest, &end);
    size_t len = region->pad ? region->size : (size_t)(end - base);
    uint8_t *bin = malloc(len == 0 ? 1 : len);
    if (bin == NULL) {
        memmap_free(&map);
        return tool_fail(cmd, "out of memory");
    }
    memset(bin, 0xFF, len);
    for (size_t i = 0; i < map.n_chunks; i++) {
        const memmap_chunk_t *c = &map.chunks[i];
        memcpy(bin + (c->addr - base), map.bytes + c->offset, c->len);
    }
    memmap_free(&map);
    *out = bin;
    *out_len = len;
    return TOOL_EXIT_OK;
}

int tool_hex_lowest(const char *path, uint32_t *lowest)
{
    memmap_t map;
    memmap_init(&map);
    ihex_error_t err;
    uint64_t low = 0, end = 0;
    const memmap_chunk_t *a = NULL, *b = NULL;
    uint32_t at = 0;
    int rc = -1;
    if (ihex_read_file(path, 0, &map, NULL, &err) == IHEX_OK &&
        memmap_sort_check(&map, &a, &b, &at) == MEMMAP_OK && map.n_chunks != 0) {
        memmap_bounds(&map, &low, &end);
        *lowest = (uint32_t)low;
        rc = 0;
    }
    memmap_free(&map);
    return rc;
}

int cmd_hex2bin(int argc, char **argv)
{
    const char *cmd = "hex2bin";
    const char *output = NULL;
    const char *base_text = NULL;
    const char *size_text = NULL;
    bool no_kseg = false;
    const tool_option_t opts[] = {
        {.name = "output", .takes_value = true, .value = &output},
        {.name = "base", .takes_value = true, .value = &base_text},
        {.name = "size", .takes_value = true, .value = &size_text},
        {.name = "no-kseg", .takes_value = false, .flag = &no_kseg},
        {.name = NULL},
    };
    const char *input = NULL;
    tool_args_result_t r = tool_parse_args(argc, argv, opts, &input, 1);
    if (r == TOOL_ARGS_HELP) {
        fputs(HELP, stdout);
        return TOOL_EXIT_OK;
    }
    if (r != TOOL_ARGS_OK) {
        return TOOL_EXIT_USAGE;
    }
    if (output == NULL) {
        return tool_usage_error(cmd, "missing -o OUT.bin");
    }
    tool_region_t region = {.base = TOOL_DEFAULT_BASE, .size = TOOL_DEFAULT_SIZE,
                            .pad = size_text != NULL, .kseg = !no_kseg};
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
    uint8_t *bin = NULL;
    size_t len = 0;
    int rc = tool_hex_to_region(cmd, input, &region, &bin, &len);
    if (rc != TOOL_EXIT_OK) {
        return rc;
    }
    if (tool_write_file(output, bin, len) != 0) {
        rc = tool_fail(cmd, "cannot write %s: %s", output, strerror(errno));
        free(bin);
        return rc;
    }
    free(bin);
    printf("%s: %zu bytes, 0x%08X-0x%08llX\n", output, len, base,
           (unsigned long long)((uint64_t)base + len - 1));
    return TOOL_EXIT_OK;
}
