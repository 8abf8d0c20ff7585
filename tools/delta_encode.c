/* SPDX-License-Identifier: Apache-2.0 */
/*
 * otaflow's patch format, written (docs/delta.md): the encoder side of src/delta_ofd.c's
 * decoder, with the same models in the same order, and the constants of src/delta_format.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "delta_format.h"
#include "delta_tool.h"
#include "otaflow/delta.h"

void delta_buf_put(delta_buf_t *b, const void *data, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n) {
            cap *= 2;
        }
        uint8_t *grown = realloc(b->data, cap);
        if (grown == NULL) {
            fputs("otaflow-image: out of memory\n", stderr);
            abort();
        }
        b->data = grown;
        b->cap = cap;
    }
    memcpy(b->data + b->len, data, n);
    b->len += n;
}

static void put_le32(delta_buf_t *b, uint32_t v)
{
    uint8_t le[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    delta_buf_put(b, le, 4);
}

/* --- range encoder (LZMA's carry-propagating one) ------------------------------------------ */

typedef struct rc_enc {
    uint64_t low;
    uint32_t range;
    uint8_t cache;
    uint64_t pending; /* bytes held back: the cache and the 0xFF bytes after it */
    int first;        /* the very first byte (always 0) is not stored */
    delta_buf_t *out;
    ota_delta_models_t m; /* the decoder's, in the same order */
} rc_enc_t;

static void rc_emit(rc_enc_t *e, uint8_t b)
{
    if (e->first) {
        e->first = 0;
        if (b != 0) {
            fputs("otaflow-image: range coder: first byte not zero\n", stderr);
            abort();
        }
        return;
    }
    delta_buf_put(e->out, &b, 1);
}

static void rc_shift_low(rc_enc_t *e)
{
    if ((uint32_t)e->low < 0xFF000000u || (e->low >> 32) != 0) {
        uint8_t carry = (uint8_t)(e->low >> 32);
        uint8_t b = e->cache;
        do {
            rc_emit(e, (uint8_t)(b + carry));
            b = 0xFF;
        } while (--e->pending != 0);
        e->cache = (uint8_t)(e->low >> 24);
    }
    e->pending++;
    e->low = (e->low & 0x00FFFFFFu) << 8;
}

static void rc_normalize(rc_enc_t *e)
{
    while (e->range < DELTA_RC_TOP) {
        e->range <<= 8;
        rc_shift_low(e);
    }
}

static void rc_start(rc_enc_t *e, delta_buf_t *out)
{
    e->low = 0;
    e->range = 0xFFFFFFFFu;
    e->cache = 0;
    e->pending = 1;
    e->first = 1;
    e->out = out;
    delta_models_reset(&e->m);
}

static void rc_finish(rc_enc_t *e)
{
    for (int i = 0; i < 5; i++) {
        rc_shift_low(e);
    }
}

static void rc_bit(rc_enc_t *e, uint16_t *p, unsigned bit)
{
    uint32_t bound = (e->range >> DELTA_RC_PROB_BITS) * *p;
    if (bit == 0) {
        e->range = bound;
    } else {
        e->low += bound;
        e->range -= bound;
    }
    *p = delta_rc_adapt(*p, bit);
    rc_normalize(e);
}

static void rc_tree(rc_enc_t *e, uint16_t *probs, unsigned levels, uint32_t value)
{
    uint32_t m = 1;
    while (levels-- > 0) {
        unsigned bit = (value >> levels) & 1u;
        rc_bit(e, &probs[m], bit);
        m = (m << 1) | bit;
    }
}

static void rc_number(rc_enc_t *e, unsigned model, uint32_t v)
{
    uint32_t x = v + 1u; /* v < 2^32 - 1: lengths and seeks of files under 2 GB */
    unsigned bits = 0;
    while ((x >> bits) > 1u) {
        bits++;
    }
    bits++;
    rc_tree(e, e->m.num[model], DELTA_NUM_LEN_BITS, bits);
    if (bits > 1) {
        rc_bit(e, &e->m.num[model][(1u << DELTA_NUM_LEN_BITS) + bits - 1u],
               (x >> (bits - 2u)) & 1u);
        bits--;
    }
    while (--bits > 0) {
        e->range >>= 1;
        if ((x >> (bits - 1u)) & 1u) {
            e->low += e->range;
        }
        rc_normalize(e);
    }
}

/* --- blocks ---------------------------------------------------------------------------------- */

typedef struct ofd_src {
    const uint8_t *old, *new_data;
    uint32_t old_size;
    const delta_op_t *ops;
    size_t n_ops;
    size_t op;      /* current operation */
    uint32_t done;  /* bytes of it already coded */
} ofd_src_t;

/* Code the add part of a piece: runs of unchanged bytes, each followed by one difference. */
static void code_add(rc_enc_t *e, const ofd_src_t *s, uint32_t out, uint32_t base, uint32_t n)
{
    uint32_t j = 0;
    while (j < n) {
        uint32_t run = 0;
        while (j + run < n && s->new_data[out + j + run] == s->old[base + j + run]) {
            run++;
        }
        rc_number(e, DELTA_NUM_RUN, run);
        j += run;
        if (j < n) {
            uint8_t diff = (uint8_t)(s->new_data[out + j] - s->old[base + j]);
            rc_tree(e, e->m.diff[(out + j) & (OTA_DELTA_DIFF_CTX - 1u)], 8, diff);
            j++;
        }
    }
}

static void code_block(rc_enc_t *e, ofd_src_t *s, uint32_t out, uint32_t end)
{
    uint32_t base = out < s->old_size ? out : s->old_size; /* the decoder's, at a block start */
    while (out < end) {
        const delta_op_t *op = &s->ops[s->op];
        uint32_t add = 0, extra, piece_base = base;
        if (s->done < op->add) {
            add = op->add - s->done;
            if (add > end - out) {
                add = end - out;
            }
            piece_base = op->base_pos + s->done;
        }
        extra = 0;
        if (s->done + add >= op->add) {
            extra = op->add + op->extra - (s->done + add);
            if (extra > end - out - add) {
                extra = end - out - add;
            }
        }
        rc_number(e, DELTA_NUM_SEEK, delta_zigzag((int32_t)(piece_base - base)));
        rc_number(e, DELTA_NUM_ADD, add);
        code_add(e, s, out, piece_base, add);
        rc_number(e, DELTA_NUM_EXTRA, extra);
        for (uint32_t j = 0; j < extra; j++) {
            rc_tree(e, e->m.lit[(out + add + j) & (OTA_DELTA_LIT_CTX - 1u)], 8,
                    s->new_data[out + add + j]);
        }
        base = piece_base + add;
        out += add + extra;
        s->done += add + extra;
        if (s->done == op->add + op->extra) {
            s->op++;
            s->done = 0;
        }
    }
}

void delta_encode_ofd(const uint8_t *old, size_t old_size, const uint8_t *new_data,
                      size_t new_size, const delta_op_t *ops, size_t n_ops, unsigned block_log2,
                      delta_buf_t *out)
{
    uint8_t head[8] = {'O', 'F', 'D', 'P', DELTA_OFD_VERSION, (uint8_t)block_log2, 0, 0};
    delta_buf_put(out, head, sizeof head);
    put_le32(out, (uint32_t)new_size);
    put_le32(out, (uint32_t)old_size);
    ofd_src_t s = {old, new_data, (uint32_t)old_size, ops, n_ops, 0, 0};
    rc_enc_t *e = malloc(sizeof *e);
    delta_buf_t block = {0};
    if (e == NULL) {
        fputs("otaflow-image: out of memory\n", stderr);
        abort();
    }
    uint32_t size = 1u << block_log2;
    for (uint32_t at = 0; at < new_size; at += size) {
        uint32_t end = new_size - at < size ? (uint32_t)new_size : at + size;
        block.len = 0;
        rc_start(e, &block);
        code_block(e, &s, at, end);
        rc_finish(e);
        put_le32(out, (uint32_t)block.len);
        delta_buf_put(out, block.data, block.len);
    }
    free(block.data);
    free(e);
}
