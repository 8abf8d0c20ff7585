/* SPDX-License-Identifier: Apache-2.0 */
/* Intel HEX reader/writer and the sparse memory map of otaflow-image (tools/ihex.c, memmap.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ihex.h"
#include "memmap.h"

static ihex_status_t parse(const char *text, memmap_t *map, ihex_error_t *err)
{
    memmap_init(map);
    return ihex_parse(text, strlen(text), 0, map, NULL, err);
}

static void expect_error(const char *text, ihex_status_t want, unsigned line, const char *words)
{
    memmap_t map;
    ihex_error_t err;
    assert_int_equal(parse(text, &map, &err), want);
    assert_int_equal(err.line, line);
    assert_non_null(strstr(err.msg, words));
    memmap_free(&map);
}

/* Byte at addr in a sorted map, or -1 when no chunk holds it. */
static int byte_at(const memmap_t *m, uint32_t addr)
{
    for (size_t i = 0; i < m->n_chunks; i++) {
        const memmap_chunk_t *c = &m->chunks[i];
        if (addr >= c->addr && addr - c->addr < c->len) {
            return m->bytes[c->offset + (addr - c->addr)];
        }
    }
    return -1;
}

static void test_linear_records_place_bytes(void **state)
{
    (void)state;
    memmap_t map;
    ihex_error_t err;
    assert_int_equal(parse(":020000041002E8\n"
                           ":0400100001020304E2\n"
                           ":00000001FF\n",
                           &map, &err),
                     IHEX_OK);
    assert_int_equal(map.n_chunks, 1);
    assert_int_equal(map.chunks[0].addr, 0x10020010);
    assert_int_equal(map.chunks[0].line, 2);
    assert_int_equal(byte_at(&map, 0x10020013), 0x04);
    memmap_free(&map);
}

static void test_segment_record_wraps_inside_segment(void **state)
{
    (void)state;
    memmap_t map;
    ihex_error_t err;
    /* Segment 0x1000 (base 0x10000); 4 bytes at offset 0xFFFE: two at 0x1FFFE, two at 0x10000. */
    assert_int_equal(parse(":020000021000EC\n"
                           ":04FFFE00A1A2A3A475\n"
                           ":00000001FF\n",
                           &map, &err),
                     IHEX_OK);
    const memmap_chunk_t *a = NULL, *b = NULL;
    uint32_t at = 0;
    assert_int_equal(memmap_sort_check(&map, &a, &b, &at), MEMMAP_OK);
    assert_int_equal(byte_at(&map, 0x1FFFE), 0xA1);
    assert_int_equal(byte_at(&map, 0x1FFFF), 0xA2);
    assert_int_equal(byte_at(&map, 0x10000), 0xA3);
    assert_int_equal(byte_at(&map, 0x10001), 0xA4);
    assert_int_equal(byte_at(&map, 0x20000), -1);
    memmap_free(&map);
}

static void test_start_records_are_reported(void **state)
{
    (void)state;
    memmap_t map;
    memmap_init(&map);
    ihex_start_t start;
    ihex_error_t err;
    const char *text = ":0400000510020039AC\r\n:00000001FF\r\n\r\n";
    assert_int_equal(ihex_parse(text, strlen(text), 0, &map, &start, &err), IHEX_OK);
    assert_true(start.present);
    assert_int_equal(start.type, 5);
    assert_int_equal(start.value, 0x10020039);
    assert_int_equal(map.n_chunks, 0);
    memmap_free(&map);
}

static void test_each_malformed_line_is_named(void **state)
{
    (void)state;
    expect_error(":0400100001020304E3\n:00000001FF\n", IHEX_ERR_CHECKSUM, 1, "checksum");
    expect_error(":0400100001020304\n:00000001FF\n", IHEX_ERR_TRUNCATED, 1, "truncated");
    expect_error(":0\n:00000001FF\n", IHEX_ERR_TRUNCATED, 1, "no byte count");
    expect_error(":0400100001020304E200\n:00000001FF\n", IHEX_ERR_LENGTH, 1, "longer");
    expect_error("0400100001020304E2\n", IHEX_ERR_SYNTAX, 1, "':'");
    expect_error(":04001000010203X4E2\n", IHEX_ERR_SYNTAX, 1, "'X'");
    expect_error(":00000006FA\n", IHEX_ERR_TYPE, 1, "0x06");
    expect_error(":0100000401FA\n", IHEX_ERR_LENGTH, 1, "needs 2");
    expect_error(":01000001FFFF\n", IHEX_ERR_LENGTH, 1, "needs 0");
    expect_error(":0400100001020304E2\n", IHEX_ERR_NO_EOF, 0, "no EOF");
    expect_error("", IHEX_ERR_NO_EOF, 0, "no EOF");
    expect_error(":00000001FF\n:0400100001020304E2\n", IHEX_ERR_AFTER_EOF, 2, "after the EOF");
    /* 0xFFFFFFFE + 4 bytes runs past the 32-bit space. */
    expect_error(":02000004FFFFFC\n:04FFFE0001020304F5\n:00000001FF\n", IHEX_ERR_RANGE, 2,
                 "0xFFFFFFFF");
}

static void test_overlap_found_between_records(void **state)
{
    (void)state;
    memmap_t map;
    ihex_error_t err;
    /* Line 2 writes 0x10..0x13, line 3 writes 0x13..0x14: one shared byte. */
    assert_int_equal(parse(":020000040000FA\n"
                           ":0400100001020304E2\n"
                           ":02001300AABB86\n"
                           ":00000001FF\n",
                           &map, &err),
                     IHEX_OK);
    const memmap_chunk_t *a = NULL, *b = NULL;
    uint32_t at = 0;
    assert_int_equal(memmap_sort_check(&map, &a, &b, &at), MEMMAP_ERR_OVERLAP);
    assert_int_equal(a->line, 2);
    assert_int_equal(b->line, 3);
    assert_int_equal(at, 0x13);
    memmap_free(&map);
}

static void test_overlap_hidden_behind_a_long_chunk(void **state)
{
    (void)state;
    memmap_t map;
    memmap_init(&map);
    uint8_t bytes[64] = {0};
    /* A long chunk at 0, a short one inside it after a gap-free neighbour: the checker must
     * compare against the chunk reaching furthest, not just the previous one. */
    assert_int_equal(memmap_add(&map, 0, bytes, 64, 1, 0), MEMMAP_OK);
    assert_int_equal(memmap_add(&map, 10, bytes, 2, 2, 0), MEMMAP_OK);
    assert_int_equal(memmap_add(&map, 40, bytes, 2, 3, 0), MEMMAP_OK);
    const memmap_chunk_t *a = NULL, *b = NULL;
    uint32_t at = 0;
    assert_int_equal(memmap_sort_check(&map, &a, &b, &at), MEMMAP_ERR_OVERLAP);
    assert_int_equal(a->line, 1);
    assert_int_equal(at, 10);
    memmap_free(&map);

    memmap_init(&map);
    assert_int_equal(memmap_add(&map, 8, bytes, 8, 1, 0), MEMMAP_OK);
    assert_int_equal(memmap_add(&map, 0, bytes, 8, 2, 0), MEMMAP_OK); /* adjacent, no overlap */
    assert_int_equal(memmap_sort_check(&map, &a, &b, &at), MEMMAP_OK);
    assert_int_equal(map.chunks[0].addr, 0);
    assert_int_equal(memmap_add(&map, 0xFFFFFFF0u, bytes, 17, 3, 0), MEMMAP_ERR_RANGE);
    memmap_free(&map);
}

/* Bytes that differ from their neighbours: i * mul + 1. */
static void fill_pattern(uint8_t *out, size_t n, unsigned mul)
{
    for (size_t i = 0; i < n; i++) {
        out[i] = (uint8_t)(i * mul + 1u);
    }
}

/* A fresh map with bytes [0, 16) (line 1), [4, 20) (line 2) and, from a second file, [8, 18)
 * (line 7), the last with its byte at `differ_at` changed (0: none), deduplicated. */
static memmap_status_t dedupe_three(memmap_t *map, const uint8_t *bytes, uint32_t differ_at,
                                    const memmap_chunk_t **a, const memmap_chunk_t **b,
                                    uint32_t *at, memmap_span_t *dups)
{
    memmap_init(map);
    uint8_t other[10];
    memcpy(other, bytes + 8, sizeof other);
    if (differ_at != 0) {
        other[differ_at - 8] ^= 0x01;
    }
    assert_int_equal(memmap_add(map, 0, bytes, 16, 1, 0), MEMMAP_OK);
    assert_int_equal(memmap_add(map, 4, bytes + 4, 16, 2, 0), MEMMAP_OK);
    assert_int_equal(memmap_add(map, 8, other, 10, 7, 1), MEMMAP_OK);
    return memmap_sort_dedupe(map, a, b, at, dups);
}

static void test_dedupe_keeps_identical_bytes_once(void **state)
{
    (void)state;
    memmap_t map;
    memmap_init(&map);
    uint8_t bytes[64];
    fill_pattern(bytes, sizeof bytes, 3);
    /* A long chunk [0, 64) and, in another file, [10, 12) and [60, 70) with the same values
     * where they meet it: each byte kept once, the non-shared tail [64, 70) kept too. */
    uint8_t tail[10];
    memcpy(tail, bytes + 60, 4);
    memset(tail + 4, 0xEE, 6);
    assert_int_equal(memmap_add(&map, 60, tail, 10, 3, 1), MEMMAP_OK);
    assert_int_equal(memmap_add(&map, 0, bytes, 64, 1, 0), MEMMAP_OK);
    assert_int_equal(memmap_add(&map, 10, bytes + 10, 2, 2, 1), MEMMAP_OK);
    const memmap_chunk_t *a = NULL, *b = NULL;
    uint32_t at = 0;
    memmap_span_t dups;
    assert_int_equal(memmap_sort_dedupe(&map, &a, &b, &at, &dups), MEMMAP_OK);
    assert_int_equal(dups.bytes, 6);
    assert_int_equal(dups.lo, 10);
    assert_int_equal(dups.hi, 63);
    assert_int_equal(map.n_chunks, 2);
    assert_int_equal(map.chunks[0].addr, 0);
    assert_int_equal(map.chunks[0].len, 64);
    assert_int_equal(map.chunks[1].addr, 64);
    assert_int_equal(map.chunks[1].len, 6);
    assert_int_equal(map.chunks[1].line, 3);
    assert_int_equal(map.bytes[map.chunks[1].offset], 0xEE);
    memmap_free(&map);

    /* [0, 16) and [4, 20), the second kept as [16, 20); then [8, 18) starts before the last
     * kept chunk, so its bytes are compared with the first kept chunk, then the second. */
    assert_int_equal(dedupe_three(&map, bytes, 0, &a, &b, &at, &dups), MEMMAP_OK);
    assert_int_equal(dups.bytes, 12 + 10);
    assert_int_equal(dups.lo, 4);
    assert_int_equal(dups.hi, 17);
    assert_int_equal(map.n_chunks, 2);
    memmap_free(&map);

    /* A different value at 17 is named with the chunk it was compared with. */
    assert_int_equal(dedupe_three(&map, bytes, 17, &a, &b, &at, &dups), MEMMAP_ERR_OVERLAP);
    assert_int_equal(at, 17);
    assert_int_equal(a->line, 2);
    assert_int_equal(a->addr, 16);
    assert_int_equal(b->line, 7);
    memmap_free(&map);

    /* Different at 8: inside the first kept chunk, so that one is named (the second kept
     * chunk's trimmed front holds the same byte, but is no longer its record's). */
    assert_int_equal(dedupe_three(&map, bytes, 8, &a, &b, &at, &dups), MEMMAP_ERR_OVERLAP);
    assert_int_equal(at, 8);
    assert_int_equal(a->line, 1);
    assert_int_equal(a->addr, 0);
    assert_int_equal(b->line, 7);
    memmap_free(&map);
}

static void test_writer_round_trip(void **state)
{
    (void)state;
    memmap_t map;
    memmap_init(&map);
    uint8_t data[300];
    fill_pattern(data, sizeof data, 7);
    /* Straddles the 64 KB boundary at 0x10030000, plus a separate chunk far away. */
    assert_int_equal(memmap_add(&map, 0x1002FF80u, data, 300, 1, 0), MEMMAP_OK);
    assert_int_equal(memmap_add(&map, 0x1FC00000u, data, 5, 2, 0), MEMMAP_OK);
    const memmap_chunk_t *a = NULL, *b = NULL;
    uint32_t at = 0;
    assert_int_equal(memmap_sort_check(&map, &a, &b, &at), MEMMAP_OK);

    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    ihex_start_t start = {.present = true, .type = 5, .value = 0x9D001234u};
    assert_int_equal(ihex_write(f, &map, &start, 16), IHEX_OK);
    assert_int_equal(fclose(f), 0);

    /* Type 04 for 0x1002, 0x1003 and 0x1FC0; a line ends exactly at the 64 KB boundary. */
    assert_non_null(strstr(text, ":020000041002E8\n"));
    assert_non_null(strstr(text, ":020000041003E7\n"));
    assert_non_null(strstr(text, ":020000041FC01B\n"));
    assert_non_null(strstr(text, ":040000059D001234"));
    assert_int_equal(strcmp(text + len - 12, ":00000001FF\n"), 0);

    memmap_t back;
    memmap_init(&back);
    ihex_start_t start_back;
    ihex_error_t err;
    assert_int_equal(ihex_parse(text, len, 0, &back, &start_back, &err), IHEX_OK);
    assert_int_equal(memmap_sort_check(&back, &a, &b, &at), MEMMAP_OK);
    assert_int_equal(back.n_bytes, 305);
    for (uint32_t i = 0; i < 300; i++) {
        assert_int_equal(byte_at(&back, 0x1002FF80u + i), data[i]);
    }
    assert_int_equal(byte_at(&back, 0x1FC00004u), data[4]);
    assert_int_equal(byte_at(&back, 0x1002FF7Fu), -1);
    assert_int_equal(start_back.value, 0x9D001234u);
    free(text);
    memmap_free(&map);
    memmap_free(&back);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_linear_records_place_bytes),
        cmocka_unit_test(test_segment_record_wraps_inside_segment),
        cmocka_unit_test(test_start_records_are_reported),
        cmocka_unit_test(test_each_malformed_line_is_named),
        cmocka_unit_test(test_overlap_found_between_records),
        cmocka_unit_test(test_overlap_hidden_behind_a_long_chunk),
        cmocka_unit_test(test_dedupe_keeps_identical_bytes_once),
        cmocka_unit_test(test_writer_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
