/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hex2bin's streamed conversion (tools/hex_stream.c) on its own. The command falls back to the
 * in-memory conversion whenever the stream gives up, so its output alone cannot show that the
 * stream works: here every file the in-memory conversion accepts must be streamed to the same
 * bytes and the same left-out spans, and every file it refuses must leave the output untouched.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tool.h"

typedef struct hex_text {
    char s[32768];
    size_t len;
} hex_text_t;

/* One record ":LLAAAATT<data>CC" with its checksum. */
static void record(hex_text_t *t, uint8_t type, uint16_t addr, const uint8_t *data, uint8_t n)
{
    uint8_t sum = (uint8_t)(n + (addr >> 8) + (addr & 0xFF) + type);
    t->len += (size_t)snprintf(t->s + t->len, sizeof t->s - t->len, ":%02X%04X%02X", n, addr, type);
    for (uint8_t i = 0; i < n; i++) {
        sum = (uint8_t)(sum + data[i]);
        t->len += (size_t)snprintf(t->s + t->len, sizeof t->s - t->len, "%02X", data[i]);
    }
    t->len += (size_t)snprintf(t->s + t->len, sizeof t->s - t->len, "%02X\n", (uint8_t)-sum);
    assert_true(t->len < sizeof t->s);
}

static void linear(hex_text_t *t, uint16_t upper)
{
    uint8_t d[2] = {(uint8_t)(upper >> 8), (uint8_t)upper};
    record(t, 4, 0, d, 2);
}

static void segment(hex_text_t *t, uint16_t seg)
{
    uint8_t d[2] = {(uint8_t)(seg >> 8), (uint8_t)seg};
    record(t, 2, 0, d, 2);
}

/* n bytes counting up from first, at addr (16-bit offset). */
static void data(hex_text_t *t, uint16_t addr, uint8_t n, uint8_t first)
{
    uint8_t d[255];
    for (uint8_t i = 0; i < n; i++) {
        d[i] = (uint8_t)(first + i);
    }
    record(t, 0, addr, d, n);
}

static void eof(hex_text_t *t)
{
    record(t, 1, 0, NULL, 0);
}

static char dir[] = "/tmp/otaflow_hex_stream_XXXXXX";
static char hex_path[64], out_path[64];

static int setup(void **state)
{
    (void)state;
    if (mkdtemp(dir) == NULL) {
        return -1;
    }
    snprintf(hex_path, sizeof hex_path, "%s/in.hex", dir);
    snprintf(out_path, sizeof out_path, "%s/out.bin", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(hex_path);
    unlink(out_path);
    return rmdir(dir); /* fails if a temporary output was left behind */
}

static void write_hex(const hex_text_t *t)
{
    FILE *f = fopen(hex_path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(t->s, 1, t->len, f), t->len);
    assert_int_equal(fclose(f), 0);
}

/* The stream and the in-memory conversion agree on t, which both accept. */
static void expect_same(const hex_text_t *t, const tool_region_t *region)
{
    write_hex(t);
    uint8_t *want = NULL;
    size_t want_len = 0;
    tool_left_out_t want_left;
    assert_int_equal(tool_hex_to_region("test", hex_path, region, &want, &want_len, &want_left),
                     TOOL_EXIT_OK);
    size_t len = 0;
    tool_left_out_t left;
    assert_int_equal(tool_hex_to_file(hex_path, region, out_path, &len, &left), 0);
    assert_int_equal(len, want_len);
    assert_memory_equal(&left, &want_left, sizeof left);
    uint8_t *got = NULL;
    size_t got_len = 0;
    assert_int_equal(tool_read_file(out_path, &got, &got_len), 0);
    assert_int_equal(got_len, want_len);
    assert_memory_equal(got, want, want_len);
    free(got);
    free(want);
    unlink(out_path);
}

/* The stream gives up on t without a word and without touching the output. */
static void expect_refused(const hex_text_t *t, const tool_region_t *region)
{
    write_hex(t);
    FILE *f = fopen(out_path, "wb");
    assert_non_null(f);
    fputs("old", f);
    assert_int_equal(fclose(f), 0);
    size_t len = 0;
    tool_left_out_t left;
    assert_int_equal(tool_hex_to_file(hex_path, region, out_path, &len, &left), -1);
    uint8_t *got = NULL;
    size_t got_len = 0;
    assert_int_equal(tool_read_file(out_path, &got, &got_len), 0);
    assert_int_equal(got_len, 3);
    assert_memory_equal(got, "old", 3);
    free(got);
    unlink(out_path);
}

static const tool_region_t PIC32 = {.base = 0x10020000u, .size = 0xDF000u};

static void test_sorted_records_with_gaps(void **state)
{
    (void)state;
    hex_text_t t = {.len = 0};
    linear(&t, 0x1002);
    for (uint16_t a = 0; a < 0x2000; a += 0x20) {
        data(&t, a, 0x20, (uint8_t)a);
    }
    data(&t, 0x8000, 0x10, 0xA0); /* a gap of 0xFF before it */
    eof(&t);
    expect_same(&t, &PIC32);
    tool_region_t padded = PIC32;
    padded.pad = true;
    expect_same(&t, &padded);
}

static void test_unsorted_records_and_segments(void **state)
{
    (void)state;
    hex_text_t t = {.len = 0};
    linear(&t, 0x1003);
    data(&t, 0x0100, 0x10, 0x10); /* the last bytes first */
    linear(&t, 0x1002);
    data(&t, 0x0010, 0x08, 0x20);
    data(&t, 0x0000, 0x10, 0x30); /* touches the one above, before it */
    eof(&t);
    expect_same(&t, &PIC32);
    tool_region_t low = {.base = 0x10000u, .size = 0x10000u, .pad = false};
    hex_text_t seg = {.len = 0};
    segment(&seg, 0x1000);          /* segment addressing: 0x10000 + offset */
    data(&seg, 0xFFF8, 0x10, 0x40); /* wraps inside its 64 KB segment */
    data(&seg, 0x0100, 0x04, 0x50);
    eof(&seg);
    expect_same(&seg, &low);
}

static void test_kseg_and_left_out_data(void **state)
{
    (void)state;
    hex_text_t t = {.len = 0};
    linear(&t, 0x9002); /* KSEG0 alias of 0x10020000 */
    data(&t, 0x0000, 0x20, 0x01);
    linear(&t, 0xBFC5); /* configuration words: the PIC32 boot flash, always left out */
    data(&t, 0x5E80, 0x10, 0x02);
    eof(&t);
    tool_region_t kseg = {.base = 0x90020000u, .size = 0xDF000u, .kseg = true};
    expect_same(&t, &kseg);

    hex_text_t outside = {.len = 0};
    linear(&outside, 0x1002);
    data(&outside, 0x0000, 0x10, 0x01);
    linear(&outside, 0x1010); /* past the region: left out with clip */
    data(&outside, 0x0000, 0x10, 0x02);
    eof(&outside);
    tool_region_t clip = PIC32;
    clip.clip = true;
    expect_same(&outside, &clip);
    expect_refused(&outside, &PIC32); /* without clip: refused */
}

static void test_problems_leave_the_output_alone(void **state)
{
    (void)state;
    hex_text_t overlap = {.len = 0};
    linear(&overlap, 0x1002);
    data(&overlap, 0x0000, 0x10, 0x01);
    data(&overlap, 0x0008, 0x10, 0x01);
    eof(&overlap);
    expect_refused(&overlap, &PIC32);

    hex_text_t no_eof = {.len = 0};
    linear(&no_eof, 0x1002);
    data(&no_eof, 0x0000, 0x10, 0x01);
    expect_refused(&no_eof, &PIC32);

    hex_text_t bad = {.len = 0};
    linear(&bad, 0x1002);
    data(&bad, 0x0000, 0x10, 0x01);
    bad.s[bad.len - 2] = bad.s[bad.len - 2] == '0' ? '1' : '0'; /* checksum */
    eof(&bad);
    expect_refused(&bad, &PIC32);

    hex_text_t nothing_inside = {.len = 0};
    linear(&nothing_inside, 0xBFC5);
    data(&nothing_inside, 0x5E80, 0x10, 0x02);
    eof(&nothing_inside);
    expect_refused(&nothing_inside, &PIC32);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sorted_records_with_gaps),
        cmocka_unit_test(test_unsorted_records_and_segments),
        cmocka_unit_test(test_kseg_and_left_out_data),
        cmocka_unit_test(test_problems_leave_the_output_alone),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
