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
    "usage: otaflow-image merge A B -o UNIFIED.hex [--width 16|32] [--region-size SIZE]\n"
    "\n"
    "Write one Intel HEX file holding the data of both inputs (e.g. bootloader + application).\n"
    "A and B are Intel HEX files, or otaflow images (.ota): an image is placed as the\n"
    "bootloader installs it (docs/image-format.md, \"In internal flash\"): its payload at its\n"
    "load address (the application region's start), its header and TLVs in the descriptor\n"
    "page right after the region; the bootloader finds it there at first boot and saves it as\n"
    "the factory image. An address written by both inputs (or twice by one) with the same\n"
    "value is kept once, with a note on stderr; with different values it is an error.\n"
    "Addresses are kept as they are (no KSEG mapping). Output: --width data bytes per line\n"
    "(default 16), type 04 records where the upper 16 address bits change, the start address\n"
    "of A (else of B) if any, EOF.\n"
    "\n"
    "  -o, --output OUT     Intel HEX file to write\n"
    "  --width N            data bytes per line: 16 (default) or 32\n"
    "  --region-size SIZE   bytes of the application region, after which the descriptor page\n"
    "                       starts (default 0xDF000: 0x100FF000 on the PIC32MZ W1, 0x000FF000\n"
    "                       on the emulated Cortex-M4)\n";

/* Payload at the load address, header then TLV area at the region's end (the bootloader's
 * layout, ota_boot_image_at). */
static int read_image(const char *cmd, const char *path, unsigned source, uint32_t region_size,
                      memmap_t *map)
{
    tool_image_t img;
    int rc = tool_image_load_intact(cmd, path, &img);
    if (rc != TOOL_EXIT_OK) {
        return rc;
    }
    if (img.info.has_encryption) { /* internal flash holds plaintext: the bootloader's job */
        tool_image_free(&img);
        return tool_fail(cmd, "%s: encrypted: a factory image is programmed as plaintext "
                         "(pack it without --encrypt-to)", path);
    }
    const ota_image_info_t *info = &img.info;
    uint32_t at = info->header.load_addr;
    uint32_t payload = info->header.payload_size;
    uint32_t desc_len = OTA_IMAGE_HEADER_SIZE + info->tlv_size;
    if (payload > region_size || (uint64_t)at + region_size + desc_len > 0x100000000ULL) {
        rc = tool_fail(cmd, "%s: a %u-byte payload at 0x%08X does not fit the 0x%X-byte "
                       "application region", path, (unsigned)payload, (unsigned)at,
                       (unsigned)region_size);
    } else if (memmap_add(map, at, img.bytes + OTA_IMAGE_HEADER_SIZE, payload, 0, source) !=
                   MEMMAP_OK ||
               memmap_add(map, at + region_size, img.bytes, OTA_IMAGE_HEADER_SIZE, 0, source) !=
                   MEMMAP_OK ||
               memmap_add(map, at + region_size + OTA_IMAGE_HEADER_SIZE,
                          img.bytes + info->tlv_offset, info->tlv_size, 0, source) !=
                   MEMMAP_OK) {
        rc = tool_fail(cmd, "out of memory");
    }
    tool_image_free(&img);
    return rc;
}

static int read_input(const char *cmd, const char *path, unsigned source, uint32_t region_size,
                      memmap_t *map, ihex_start_t *start)
{
    memset(start, 0, sizeof *start);
    if (tool_name_ends_with(path, ".ota")) {
        return read_image(cmd, path, source, region_size, map);
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
        {.name = "region-size", .takes_value = true, .value = &region_text},
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
    uint32_t region_size = TOOL_DEFAULT_SIZE;
    if (region_text != NULL && !tool_parse_u32(region_text, &region_size)) {
        return tool_usage_error(cmd, "--region-size '%s' is not a 32-bit number", region_text);
    }

    memmap_t map;
    memmap_init(&map);
    ihex_start_t start[2];
    int rc = TOOL_EXIT_OK;
    for (unsigned i = 0; i < 2 && rc == TOOL_EXIT_OK; i++) {
        rc = read_input(cmd, inputs[i], i, region_size, &map, &start[i]);
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
