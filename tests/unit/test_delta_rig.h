/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the patch applier's tests share (tests/unit/test_delta*.c): file pairs, patches made by
 * the host encoder, and an applier run over a base in memory with a chosen feed chunking,
 * failing callbacks and resumption from a checkpoint.
 */
#ifndef OTAFLOW_TEST_DELTA_RIG_H
#define OTAFLOW_TEST_DELTA_RIG_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "delta_format.h"
#include "delta_tool.h"
#include "otaflow/delta.h"

typedef struct rig {
    const uint8_t *base;
    uint32_t base_size;
    uint8_t *out;
    uint32_t out_cap;
    uint32_t out_len;    /* where the next write must start */
    int bad_offsets;     /* a write that did not continue where the last ended */
    long reads_left;     /* read calls that succeed before one fails (-1: all) */
    long writes_left;
} rig_t;

static int rig_read(void *ctx, uint32_t offset, uint8_t *buf, uint32_t len)
{
    rig_t *r = ctx;
    if (r->reads_left == 0 || offset > r->base_size || len > r->base_size - offset) {
        return -1;
    }
    r->reads_left -= r->reads_left > 0;
    memcpy(buf, r->base + offset, len);
    return 0;
}

static int rig_write(void *ctx, uint32_t offset, const uint8_t *data, uint32_t len)
{
    rig_t *r = ctx;
    if (r->writes_left == 0) {
        return -1;
    }
    r->writes_left -= r->writes_left > 0;
    if (offset != r->out_len || len > r->out_cap - offset) {
        r->bad_offsets++;
        return -1;
    }
    memcpy(r->out + offset, data, len);
    r->out_len = offset + len;
    return 0;
}

static void rig_setup(rig_t *r, const uint8_t *base, size_t base_size, uint32_t out_cap)
{
    memset(r, 0, sizeof *r);
    r->base = base;
    r->base_size = (uint32_t)base_size;
    r->out = malloc(out_cap ? out_cap : 1);
    r->out_cap = out_cap;
    r->reads_left = -1;
    r->writes_left = -1;
}

static ota_delta_io_t rig_io(rig_t *r, uint32_t output_max)
{
    ota_delta_io_t io = {rig_read, rig_write, r, r->base_size, output_max, 0, NULL};
    return io;
}

/* Feed patch[from..n) in chunks of `chunk` bytes, then finish. */
static ota_delta_status_t rig_feed(ota_delta_t *d, const uint8_t *patch, size_t from, size_t n,
                                   size_t chunk)
{
    for (size_t at = from; at < n; at += chunk) {
        size_t len = n - at < chunk ? n - at : chunk;
        ota_delta_status_t st = ota_delta_feed(d, patch + at, len);
        if (st != OTA_DELTA_OK) {
            return st;
        }
    }
    return ota_delta_finish(d);
}

/* Patch of old -> new in a format (block_log2 for otaflow), malloc'd. */
static delta_buf_t rig_make_patch(const uint8_t *old, size_t old_size, const uint8_t *new_data,
                                  size_t new_size, ota_delta_format_t format, unsigned block_log2)
{
    delta_op_t *ops = NULL;
    size_t n_ops = 0;
    delta_buf_t patch = {0};
    if (delta_match(old, old_size, new_data, new_size, &ops, &n_ops) != 0) {
        abort();
    }
    if (format == OTA_DELTA_FORMAT_JOJODIFF) {
        delta_encode_jojo(old, old_size, new_data, new_size, ops, n_ops, &patch);
    } else {
        delta_encode_ofd(old, old_size, new_data, new_size, ops, n_ops, block_log2, &patch);
    }
    free(ops);
    return patch;
}

/* Deterministic pseudo-random bytes (xorshift32). */
static uint32_t rig_rand(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

/* Code-like content: 32-bit words, many alike (instructions, pointers into one region). */
static void rig_fill_code(uint8_t *p, size_t n, uint32_t seed)
{
    for (size_t i = 0; i + 4 <= n; i += 4) {
        uint32_t r = rig_rand(&seed);
        uint32_t w = (r & 3u) == 0 ? 0x20000000u + (r >> 20) * 4u : 0x4600BF00u | (r >> 24);
        memcpy(p + i, &w, 4);
    }
    for (size_t i = n & ~(size_t)3; i < n; i++) {
        p[i] = (uint8_t)i;
    }
}

#endif /* OTAFLOW_TEST_DELTA_RIG_H */
