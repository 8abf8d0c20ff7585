/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hex2bin's fast path: Intel HEX streamed into the output file. The HEX is read in 1 MB
 * pieces and each record's bytes go to the file as they come (through a small run buffer),
 * so memory stays a few MB whatever the size; gaps are filled with 0xFF at the end. Any
 * problem at all (a bad line, an overlap, data outside the region that is not left out) stops
 * it without a word: the caller then runs the in-memory conversion (hex_region.c), which
 * reports the problem exactly as it always has. Only what that conversion would accept is
 * written here, byte for byte the same.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ihex.h"
#include "tool.h"

#define STREAM_BLOCK (1024u * 1024u) /* HEX text read at a time */
#define STREAM_RUN (256u * 1024u)    /* contiguous output bytes written at a time */

/* Addresses written so far, [lo, end): sorted, disjoint, touching ones merged. */
typedef struct span {
    uint64_t lo, end;
} span_t;

typedef struct stream {
    const tool_region_t *region;
    uint32_t base;
    uint64_t region_end;
    tool_left_out_t *left;
    int fd;
    uint8_t *run; /* output bytes [run_at, run_at + run_len) of the file, not written yet */
    uint64_t run_at;
    size_t run_len;
    span_t *spans;
    size_t n_spans, cap_spans;
} stream_t;

static int stream_flush(stream_t *s)
{
    const uint8_t *p = s->run;
    uint64_t at = s->run_at;
    while (s->run_len > 0) {
        ssize_t n = pwrite(s->fd, p, s->run_len, (off_t)at);
        if (n <= 0) {
            return -1;
        }
        p += n;
        at += (uint64_t)n;
        s->run_len -= (size_t)n;
    }
    return 0;
}

/* Record [lo, end) as written; -1 if any of it was written before (an overlap). */
static int stream_span(stream_t *s, uint64_t lo, uint64_t end)
{
    size_t n = s->n_spans;
    if (n > 0 && lo == s->spans[n - 1].end) {
        s->spans[n - 1].end = end; /* the usual case: the next record of a sorted file */
        return 0;
    }
    size_t i = n; /* first span starting after lo */
    while (i > 0 && s->spans[i - 1].lo > lo) {
        i--;
    }
    if ((i > 0 && s->spans[i - 1].end > lo) || (i < n && s->spans[i].lo < end)) {
        return -1;
    }
    if (n == s->cap_spans) {
        size_t cap = s->cap_spans == 0 ? 64 : s->cap_spans * 2;
        span_t *bigger = realloc(s->spans, cap * sizeof *bigger);
        if (bigger == NULL) {
            return -1;
        }
        s->spans = bigger;
        s->cap_spans = cap;
    }
    memmove(&s->spans[i + 1], &s->spans[i], (n - i) * sizeof *s->spans);
    s->spans[i] = (span_t){lo, end};
    s->n_spans++;
    return 0;
}

static ihex_status_t stream_data(void *ctx, uint32_t addr, const uint8_t *data, uint32_t len,
                                 unsigned line)
{
    (void)line;
    stream_t *s = ctx;
    if (s->region->kseg) {
        addr = tool_kseg_to_physical(addr);
    }
    uint64_t end = (uint64_t)addr + len;
    if (end > 0x100000000ULL || stream_span(s, addr, end) != 0) {
        return IHEX_ERR_RANGE;
    }
    if (addr < s->base &&
        !tool_leave_out(s->region, s->left, addr, end < s->base ? end : s->base)) {
        return IHEX_ERR_RANGE;
    }
    if (end > s->region_end &&
        !tool_leave_out(s->region, s->left, addr > s->region_end ? addr : (uint32_t)s->region_end,
                        end)) {
        return IHEX_ERR_RANGE;
    }
    uint64_t in_lo = addr > s->base ? addr : s->base;
    uint64_t in_end = end < s->region_end ? end : s->region_end;
    if (in_lo >= in_end) {
        return IHEX_OK;
    }
    uint64_t at = in_lo - s->base;
    size_t n = (size_t)(in_end - in_lo);
    if (s->run_len > 0 && (at != s->run_at + s->run_len || s->run_len + n > STREAM_RUN)) {
        if (stream_flush(s) != 0) {
            return IHEX_ERR_IO;
        }
    }
    if (s->run_len == 0) {
        s->run_at = at;
    }
    memcpy(s->run + s->run_len, data + (in_lo - addr), n);
    s->run_len += n;
    return IHEX_OK;
}

/* Every line of the file through the reader; 0 if it read to a clean end. */
static int stream_read(FILE *in, ihex_reader_t *r)
{
    char *buf = malloc(STREAM_BLOCK);
    if (buf == NULL) {
        return -1;
    }
    size_t have = 0;
    int rc = 0;
    for (;;) {
        size_t got = fread(buf + have, 1, STREAM_BLOCK - have, in);
        have += got;
        bool last = got == 0;
        size_t pos = 0;
        for (;;) {
            char *nl = memchr(buf + pos, '\n', have - pos);
            if (nl == NULL && !(last && pos < have)) {
                break;
            }
            size_t n = nl != NULL ? (size_t)(nl - (buf + pos)) : have - pos;
            if (ihex_reader_line(r, buf + pos, n) != IHEX_OK) {
                rc = -1;
                break;
            }
            pos += n + (nl != NULL ? 1 : 0);
        }
        if (rc != 0 || last || ferror(in)) {
            break;
        }
        if (pos == 0 && have == STREAM_BLOCK) {
            rc = -1; /* a line longer than a block: no record is */
            break;
        }
        memmove(buf, buf + pos, have - pos);
        have -= pos;
    }
    free(buf);
    return rc != 0 || ferror(in) || ihex_reader_end(r) != IHEX_OK ? -1 : 0;
}

/* 0xFF over [from, to) of the output. */
static int stream_fill(int fd, uint64_t from, uint64_t to)
{
    static uint8_t stream_erased[64 * 1024];
    if (stream_erased[0] != 0xFF) {
        memset(stream_erased, 0xFF, sizeof stream_erased);
    }
    while (from < to) {
        size_t n = to - from < sizeof stream_erased ? (size_t)(to - from) : sizeof stream_erased;
        ssize_t w = pwrite(fd, stream_erased, n, (off_t)from);
        if (w <= 0) {
            return -1;
        }
        from += (uint64_t)w;
    }
    return 0;
}

/* The gaps between the bytes written inside the region, and up to len. */
static int stream_fill_gaps(stream_t *s, uint64_t len)
{
    uint64_t at = 0;
    for (size_t i = 0; i < s->n_spans; i++) {
        uint64_t lo = s->spans[i].lo > s->base ? s->spans[i].lo - s->base : 0;
        uint64_t end = s->spans[i].end > s->base ? s->spans[i].end - s->base : 0;
        end = end < len ? end : len;
        if (lo >= end) {
            continue;
        }
        if (stream_fill(s->fd, at, lo) != 0) {
            return -1;
        }
        at = end;
    }
    return stream_fill(s->fd, at, len);
}

/* One past the highest offset written inside the region, or 0 if none was. */
static uint64_t stream_data_end(const stream_t *s)
{
    for (size_t i = s->n_spans; i > 0; i--) {
        const span_t *sp = &s->spans[i - 1];
        if (sp->lo < s->region_end && sp->end > s->base) {
            return (sp->end < s->region_end ? sp->end : s->region_end) - s->base;
        }
    }
    return 0;
}

int tool_hex_to_file(const char *path, const tool_region_t *region, const char *out_path,
                     size_t *out_len, tool_left_out_t *left)
{
    memset(left, 0, sizeof *left);
    FILE *in = fopen(path, "rb");
    if (in == NULL) {
        return -1;
    }
    tool_output_t out;
    if (tool_output_open(&out, out_path) != 0) {
        fclose(in);
        return -1;
    }
    stream_t s = {.region = region, .left = left, .fd = fileno(out.f)};
    s.base = region->kseg ? tool_kseg_to_physical(region->base) : region->base;
    s.region_end = (uint64_t)s.base + region->size;
    s.run = malloc(STREAM_RUN);
    ihex_reader_t r;
    ihex_reader_init(&r, stream_data, &s, NULL, NULL);
    int rc = s.run != NULL ? stream_read(in, &r) : -1;
    fclose(in);
    uint64_t end = rc == 0 ? stream_data_end(&s) : 0;
    uint64_t len = region->pad ? region->size : end;
    if (end == 0 || stream_flush(&s) != 0 || stream_fill_gaps(&s, len) != 0) {
        rc = -1;
    }
    free(s.run);
    free(s.spans);
    if (rc != 0) {
        tool_output_abort(&out);
        return -1;
    }
    if (tool_output_commit(&out, 0666, false) != 0) {
        return -1;
    }
    *out_len = (size_t)len;
    return 0;
}
