/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the patch appliers' fuzz targets (fuzz_delta_ota.c, fuzz_delta_jojo.c) share.
 *
 * Input: byte 0 picks the feed chunking (1 + byte % 97 bytes), the rest is the patch (of the
 * target's format: inputs whose first patch byte is the other format's are skipped). The base
 * is FUZZ_DELTA_BASE bytes of a fixed formula (the seeds in corpus/delta_* are patches against
 * it, made by otaflow-image diff); the output limit is FUZZ_DELTA_OUT.
 *
 * Oracles beyond "no crash, no UB, no hang": every call ends in a named status; writes are
 * consecutive and within the limit; every checkpoint recorded has all of its output written;
 * an applied patch, resumed from its last checkpoint (output garbled past it, as after a power
 * cut), ends OK with the same output.
 */
#ifndef OTAFLOW_FUZZ_DELTA_RIG_H
#define OTAFLOW_FUZZ_DELTA_RIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "otaflow/delta.h"

#define FUZZ_DELTA_BASE 4096u
#define FUZZ_DELTA_OUT 65536u

typedef struct fuzz_out {
    uint8_t bytes[FUZZ_DELTA_OUT];
    uint32_t len;
} fuzz_out_t;

static uint8_t fuzz_base[FUZZ_DELTA_BASE];

static void fuzz_delta_base(void)
{
    for (uint32_t i = 0; i < FUZZ_DELTA_BASE; i++) {
        fuzz_base[i] = (uint8_t)(i * 31u + (i >> 7));
    }
}

static int fuzz_read(void *ctx, uint32_t offset, uint8_t *buf, uint32_t len)
{
    (void)ctx;
    if (offset > FUZZ_DELTA_BASE || len > FUZZ_DELTA_BASE - offset) {
        abort(); /* the applier must check the range first */
    }
    memcpy(buf, fuzz_base + offset, len);
    return 0;
}

static int fuzz_write(void *ctx, uint32_t offset, const uint8_t *data, uint32_t len)
{
    fuzz_out_t *o = ctx;
    if (offset != o->len || len > FUZZ_DELTA_OUT - offset) {
        abort();
    }
    memcpy(o->bytes + offset, data, len);
    o->len = offset + len;
    return 0;
}

static ota_delta_status_t fuzz_feed(ota_delta_t *d, const uint8_t *p, size_t from, size_t n,
                                    size_t chunk, const fuzz_out_t *out)
{
    for (size_t at = from; at < n; at += chunk) {
        size_t len = n - at < chunk ? n - at : chunk;
        ota_delta_status_t st = ota_delta_feed(d, p + at, len);
        ota_delta_checkpoint_t cp;
        ota_delta_checkpoint(d, &cp);
        if (cp.output_offset > out->len) {
            abort(); /* a checkpoint before its output is written */
        }
        if (st != OTA_DELTA_OK) {
            return st;
        }
    }
    return ota_delta_finish(d);
}

static void fuzz_named(ota_delta_status_t st)
{
    if (strcmp(ota_delta_status_str(st), "?") == 0) {
        abort();
    }
}

/* One run, then (when it applied) a resumed run from the last checkpoint. */
static void fuzz_delta_one(const uint8_t *data, size_t size, ota_delta_format_t format)
{
    static fuzz_out_t out, again;
    static ota_delta_t d;
    static bool base_ready; /* the base is the same for every input: computed once */
    if (size < 2) {
        return;
    }
    if (!base_ready) {
        fuzz_delta_base();
        base_ready = true;
    }
    size_t chunk = 1u + data[0] % 97u;
    const uint8_t *p = data + 1;
    size_t n = size - 1;
    if (p[0] != (format == OTA_DELTA_FORMAT_OTAFLOW ? 'O' : 0xA7u)) {
        return; /* the other format: its own target fuzzes it */
    }
    out.len = 0;
    /* half the inputs with checkpoints every 64 output bytes: within jojodiff's operations */
    uint32_t every = (data[0] & 0x80u) ? 64u : 0u;
    ota_delta_io_t io = {fuzz_read, fuzz_write, &out, FUZZ_DELTA_BASE, FUZZ_DELTA_OUT, every, NULL};
    if (ota_delta_init(&d, &io) != OTA_DELTA_OK) {
        abort();
    }
    ota_delta_status_t st = fuzz_feed(&d, p, 0, n, chunk, &out);
    fuzz_named(st);
    if (st != OTA_DELTA_OK) {
        return;
    }
    ota_delta_checkpoint_t cp;
    ota_delta_checkpoint(&d, &cp);
    memcpy(again.bytes, out.bytes, cp.output_offset);
    memset(again.bytes + cp.output_offset, 0x5A, FUZZ_DELTA_OUT - cp.output_offset);
    again.len = cp.output_offset;
    io.ctx = &again;
    if (ota_delta_resume(&d, &io, &cp) != OTA_DELTA_OK || cp.patch_offset > n ||
        fuzz_feed(&d, p, cp.patch_offset, n, chunk, &again) != OTA_DELTA_OK ||
        again.len != out.len || memcmp(again.bytes, out.bytes, out.len) != 0) {
        abort();
    }
}

#endif /* OTAFLOW_FUZZ_DELTA_RIG_H */
