/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Intel HEX to the flat bytes of one region (hex2bin, pack): what is inside the region is kept;
 * data in the PIC32 boot flash segment (XC32's configuration words) is left out, as it cannot
 * be updated over the air; anything else outside is an error unless the caller clips it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ihex.h"
#include "memmap.h"
#include "tool.h"

bool tool_leave_out(const tool_region_t *region, tool_left_out_t *left, uint32_t lo,
                    uint64_t end)
{
    if (lo >= TOOL_PIC32_BOOT_FIRST && end - 1 <= TOOL_PIC32_BOOT_LAST) {
        memmap_span_add(&left->boot, lo, end);
        return true;
    }
    if (region->clip) {
        memmap_span_add(&left->clipped, lo, end);
        return true;
    }
    return false;
}

/* [lo, end) of chunk c lies outside the region: left out, or the reason it is refused. */
static int leave_out(const char *cmd, const char *path, const tool_region_t *region,
                     const memmap_chunk_t *c, uint32_t lo, uint64_t end, uint32_t base,
                     tool_left_out_t *left)
{
    if (tool_leave_out(region, left, lo, end)) {
        return TOOL_EXIT_OK;
    }
    return tool_fail(cmd,
                     "%s:%u: data at 0x%08X-0x%08X is outside the region 0x%08X-0x%08llX "
                     "(--base/--size; --clip leaves it out)",
                     path, c->line, c->addr, (unsigned)(c->addr + c->len - 1), base,
                     (unsigned long long)((uint64_t)base + region->size - 1));
}

/* Keep what map holds inside [base, base + size), record or refuse the rest. */
static int split_by_region(const char *cmd, const char *path, const tool_region_t *region,
                           uint32_t base, memmap_t *map, tool_left_out_t *left)
{
    uint64_t region_end = (uint64_t)base + region->size;
    size_t kept = 0;
    for (size_t i = 0; i < map->n_chunks; i++) {
        memmap_chunk_t c = map->chunks[i];
        uint64_t end = (uint64_t)c.addr + c.len;
        if (c.addr < base) {
            uint64_t below_end = end < base ? end : base;
            if (leave_out(cmd, path, region, &c, c.addr, below_end, base, left) != TOOL_EXIT_OK) {
                return TOOL_EXIT_FAIL;
            }
        }
        if (end > region_end) {
            uint32_t above = c.addr > region_end ? c.addr : (uint32_t)region_end;
            if (leave_out(cmd, path, region, &c, above, end, base, left) != TOOL_EXIT_OK) {
                return TOOL_EXIT_FAIL;
            }
        }
        uint64_t in_lo = c.addr > base ? c.addr : base;
        uint64_t in_end = end < region_end ? end : region_end;
        if (in_lo < in_end) {
            c.offset += (size_t)(in_lo - c.addr);
            c.addr = (uint32_t)in_lo;
            c.len = (uint32_t)(in_end - in_lo);
            map->chunks[kept++] = c;
        }
    }
    map->n_chunks = kept;
    return TOOL_EXIT_OK;
}

int tool_hex_to_region(const char *cmd, const char *path, const tool_region_t *region,
                       uint8_t **out, size_t *out_len, tool_left_out_t *left)
{
    tool_left_out_t unused;
    if (left == NULL) {
        left = &unused;
    }
    memset(left, 0, sizeof *left);
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
    if (split_by_region(cmd, path, region, base, &map, left) != TOOL_EXIT_OK) {
        memmap_free(&map);
        return TOOL_EXIT_FAIL;
    }
    if (map.n_chunks == 0) {
        memmap_free(&map);
        return tool_fail(cmd, "%s: no data inside the region 0x%08X-0x%08llX", path, base,
                         (unsigned long long)((uint64_t)base + region->size - 1));
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

void tool_note_left_out(const char *cmd, const char *path, const tool_left_out_t *left)
{
    if (left->boot.bytes != 0) {
        tool_note(cmd,
                  "%s: left out %llu bytes at 0x%08X-0x%08X, in the PIC32 boot flash and "
                  "configuration words range 0x%08lX-0x%08lX: an update cannot write them "
                  "(the programmer does, with the bootloader)",
                  path, (unsigned long long)left->boot.bytes, left->boot.lo, left->boot.hi,
                  TOOL_PIC32_BOOT_FIRST, TOOL_PIC32_BOOT_LAST);
    }
    if (left->clipped.bytes != 0) {
        tool_note(cmd, "%s: left out %llu bytes at 0x%08X-0x%08X outside the region (--clip)",
                  path, (unsigned long long)left->clipped.bytes, left->clipped.lo,
                  left->clipped.hi);
    }
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
