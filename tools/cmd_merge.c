/* SPDX-License-Identifier: Apache-2.0 */
/* otaflow-image merge: one Intel HEX from two (bootloader + application, a factory image). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image_file.h"
#include "ihex.h"
#include "memmap.h"
#include "tool.h"

static const char HELP[] =
    "usage: otaflow-image merge A B -o UNIFIED.hex [--width 16|32] [--region ADDR]\n"
    "\n"
    "Write one Intel HEX file holding the data of both inputs (e.g. bootloader + application).\n"
    "A and B are Intel HEX files, or otaflow images (.ota): an image is placed whole (header,\n"
    "payload, TLVs) at the start of the application region, where the bootloader finds it at\n"
    "first boot and saves it as the factory image. An address written by both inputs (or twice\n"
    "by one) with the same value is kept once, with a note on stderr; with different values it\n"
    "is an error. Addresses are kept as they are (no KSEG mapping). Output: --width data bytes\n"
    "per line (default 16), type 04 records where the upper 16 address bits change, the start\n"
    "address of A (else of B) if any, EOF.\n"
    "\n"
    "  -o, --output OUT   Intel HEX file to write\n"
    "  --width N          data bytes per line: 16 (default) or 32\n"
    "  --region ADDR      where an .ota input goes: the application region's first address\n"
    "                     (default 0x10020000; 0x00020000 for an image whose load address is\n"
    "                     0x00020040, the emulated Cortex-M4 board's)\n";

/* The application region an image goes to: --region, else the board its load address names. */
static uint32_t image_region(const tool_image_t *img, bool region_given, uint32_t region)
{
    if (region_given) {
        return region;
    }
    if (img->info.header.load_addr == TOOL_CM_PAYLOAD_BASE) {
        return TOOL_CM_PAYLOAD_BASE - OTA_IMAGE_HEADER_SIZE;
    }
    return TOOL_DEFAULT_BASE;
}

static int read_image(const char *cmd, const char *path, unsigned source, bool region_given,
                      uint32_t region, memmap_t *map)
{
    tool_image_t img;
    int rc = tool_image_load_intact(cmd, path, &img);
    if (rc != TOOL_EXIT_OK) {
        return rc;
    }
    uint32_t at = image_region(&img, region_given, region);
    if (img.len > TOOL_DEFAULT_SIZE || (uint64_t)at + img.len > 0x100000000ULL) {
        rc = tool_fail(cmd, "%s: %zu bytes do not fit the 0x%lX-byte application region at 0x%08X",
                       path, img.len, TOOL_DEFAULT_SIZE, at);
    } else if (memmap_add(map, at, img.bytes, (uint32_t)img.len, 0, source) != MEMMAP_OK) {
        rc = tool_fail(cmd, "out of memory");
    }
    tool_image_free(&img);
    return rc;
}

static int read_input(const char *cmd, const char *path, unsigned source, bool region_given,
                      uint32_t region, memmap_t *map, ihex_start_t *start)
{
    memset(start, 0, sizeof *start);
    if (tool_name_ends_with(path, ".ota")) {
        return read_image(cmd, path, source, region_given, region, map);
    }
    ihex_error_t err;
    if (ihex_read_file(path, source, map, start, &err) != IHEX_OK) {
        return err.line > 0 ? tool_fail(cmd, "%s:%u: %s", path, err.line, err.msg)
                            : tool_fail(cmd, "%s: %s", path, err.msg);
    }
    return TOOL_EXIT_OK;
}

/* "file:line" for a record of a HEX input, "file" for an image. */
static void where(char *out, size_t cap, const char *const *inputs, const memmap_chunk_t *c)
{
    if (c->line == 0) {
        snprintf(out, cap, "%s", inputs[c->source]);
    } else {
        snprintf(out, cap, "%s:%u", inputs[c->source], c->line);
    }
}

/* Sort, keep identical bytes written twice once, refuse different ones. */
static int dedupe(const char *cmd, const char *const *inputs, memmap_t *map)
{
    const memmap_chunk_t *a = NULL;
    const memmap_chunk_t *b = NULL;
    uint32_t at = 0;
    memmap_span_t dups;
    if (memmap_sort_dedupe(map, &a, &b, &at, &dups) != MEMMAP_OK) {
        char wa[300];
        char wb[300];
        where(wa, sizeof wa, inputs, a);
        where(wb, sizeof wb, inputs, b);
        return tool_fail(cmd, "overlapping addresses: %s and %s both write 0x%08X, with "
                         "different values (0x%02X and 0x%02X)", wa, wb, at,
                         map->bytes[a->offset + (at - a->addr)],
                         map->bytes[b->offset + (at - b->addr)]);
    }
    if (dups.bytes != 0) {
        tool_note(cmd, "%llu bytes at 0x%08X-0x%08X written twice with the same values: kept once",
                  (unsigned long long)dups.bytes, dups.lo, dups.hi);
    }
    return TOOL_EXIT_OK;
}

static int write_merged(const char *cmd, const char *output, const memmap_t *map,
                        const ihex_start_t start[2], unsigned width)
{
    char *text = NULL;
    size_t text_len = 0;
    int rc = TOOL_EXIT_OK;
    FILE *mem = open_memstream(&text, &text_len);
    if (mem == NULL) {
        return tool_fail(cmd, "out of memory");
    }
    const ihex_start_t *keep = start[0].present ? &start[0] : &start[1];
    ihex_status_t st = ihex_write(mem, map, keep, width);
    if (fclose(mem) != 0 || st != IHEX_OK) {
        rc = tool_fail(cmd, "cannot format the output: %s", ihex_status_str(st));
    } else if (tool_write_output(output, text, text_len) != 0) {
        rc = tool_fail(cmd, "cannot write %s: %s", output, strerror(errno));
    }
    free(text);
    return rc;
}

int cmd_merge(int argc, char **argv)
{
    const char *cmd = "merge";
    const char *output = NULL;
    const char *width_text = NULL;
    const char *region_text = NULL;
    const tool_option_t opts[] = {
        {.name = "output", .takes_value = true, .value = &output},
        {.name = "width", .takes_value = true, .value = &width_text},
        {.name = "region", .takes_value = true, .value = &region_text},
        {.name = NULL},
    };
    const char *inputs[2] = {NULL, NULL};
    int status;
    if (!tool_args(argc, argv, opts, inputs, 2, HELP, &status)) {
        return status;
    }
    if (output == NULL) {
        return tool_usage_error(cmd, "missing -o UNIFIED.hex");
    }
    uint32_t width = 16;
    if (width_text != NULL && (!tool_parse_u32(width_text, &width) || (width != 16 && width != 32))) {
        return tool_usage_error(cmd, "--width must be 16 or 32");
    }
    uint32_t region = TOOL_DEFAULT_BASE;
    if (region_text != NULL && !tool_parse_u32(region_text, &region)) {
        return tool_usage_error(cmd, "--region '%s' is not a 32-bit number", region_text);
    }

    memmap_t map;
    memmap_init(&map);
    ihex_start_t start[2];
    int rc = TOOL_EXIT_OK;
    for (unsigned i = 0; i < 2 && rc == TOOL_EXIT_OK; i++) {
        rc = read_input(cmd, inputs[i], i, region_text != NULL, region, &map, &start[i]);
    }
    if (rc == TOOL_EXIT_OK) {
        rc = dedupe(cmd, inputs, &map);
    }
    if (rc == TOOL_EXIT_OK) {
        rc = write_merged(cmd, output, &map, start, width);
    }
    if (rc == TOOL_EXIT_OK) {
        uint64_t lowest = 0;
        uint64_t end = 0;
        uint64_t bytes = 0;
        memmap_bounds(&map, &lowest, &end);
        for (size_t i = 0; i < map.n_chunks; i++) {
            bytes += map.chunks[i].len;
        }
        printf("%s: %llu data bytes from 2 files, 0x%08llX-0x%08llX\n", output,
               (unsigned long long)bytes, (unsigned long long)lowest,
               (unsigned long long)(end - (end > 0 ? 1 : 0)));
    }
    memmap_free(&map);
    return rc;
}
