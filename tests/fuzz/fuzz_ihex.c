/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target 5: Intel HEX parsing in otaflow-image (tools/ihex.c, issue 7). The input is the
 * HEX text.
 *
 * Oracles beyond "no crash, no UB, no leak": the status has a name and the error message is a
 * terminated string; an accepted file gives chunks inside the 32-bit space whose bytes are all
 * in the map; a file without overlaps survives a round trip: written back with ihex_write
 * (16 and 255 bytes per line) and parsed again, it gives the same bytes at the same addresses
 * and the same start record.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ihex.h"
#include "memmap.h"

/* An oracle failed: say which, then crash so that libFuzzer keeps the input. */
static void fail(int line, const char *what)
{
    fprintf(stderr, "%s:%d: oracle failed: %s\n", __FILE__, line, what);
    abort();
}
#define die_if(cond) ((cond) ? fail(__LINE__, #cond) : (void)0)

/* Same addresses, same bytes: both maps sorted and overlap-free, compared byte by byte. */
static void same_content(const memmap_t *a, const memmap_t *b)
{
    size_t ia = 0, ib = 0;
    uint32_t ka = 0, kb = 0;
    while (ia < a->n_chunks && ib < b->n_chunks) {
        const memmap_chunk_t *ca = &a->chunks[ia], *cb = &b->chunks[ib];
        die_if(ca->addr + ka != cb->addr + kb);
        die_if(a->bytes[ca->offset + ka] != b->bytes[cb->offset + kb]);
        if (++ka == ca->len) {
            ia++;
            ka = 0;
        }
        if (++kb == cb->len) {
            ib++;
            kb = 0;
        }
    }
    die_if(ia != a->n_chunks || ib != b->n_chunks);
}

static void round_trip(const memmap_t *map, const ihex_start_t *start, unsigned width)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    die_if(f == NULL);
    ihex_status_t st = ihex_write(f, map, start, width);
    die_if(fclose(f) != 0 || st != IHEX_OK);

    memmap_t again;
    memmap_init(&again);
    ihex_start_t start2;
    ihex_error_t err;
    memset(&start2, 0, sizeof start2);
    die_if(ihex_parse(text, len, 0, &again, &start2, &err) != IHEX_OK);
    const memmap_chunk_t *x, *y;
    uint32_t at;
    die_if(memmap_sort_check(&again, &x, &y, &at) != MEMMAP_OK);
    same_content(map, &again);
    die_if(start2.present != start->present ||
           (start->present && (start2.type != start->type || start2.value != start->value)));
    memmap_free(&again);
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    memmap_t map;
    memmap_init(&map);
    ihex_start_t start;
    ihex_error_t err;
    memset(&start, 0, sizeof start);
    memset(&err, 0xA5, sizeof err);
    ihex_status_t st = ihex_parse((const char *)data, size, 3, &map, &start, &err);
    die_if(ihex_status_str(st) == NULL);
    if (st != IHEX_OK) {
        die_if(memchr(err.msg, '\0', sizeof err.msg) == NULL);
        memmap_free(&map);
        return 0;
    }
    size_t total = 0;
    for (size_t i = 0; i < map.n_chunks; i++) {
        const memmap_chunk_t *c = &map.chunks[i];
        die_if(c->len == 0 || (uint64_t)c->addr + c->len > (1ull << 32) || c->source != 3);
        die_if(c->offset + c->len > map.n_bytes);
        total += c->len;
    }
    die_if(total != map.n_bytes);
    die_if(start.present && start.type != 3 && start.type != 5);

    const memmap_chunk_t *first, *second;
    uint32_t at;
    if (memmap_sort_check(&map, &first, &second, &at) == MEMMAP_OK) {
        uint64_t lo, end;
        memmap_bounds(&map, &lo, &end);
        die_if(map.n_chunks > 0 && (lo > end || end > (1ull << 32)));
        round_trip(&map, &start, 16);
        round_trip(&map, &start, 255);
    }
    memmap_free(&map);
    return 0;
}
