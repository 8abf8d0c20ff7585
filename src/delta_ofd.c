/* SPDX-License-Identifier: Apache-2.0 */
/*
 * otaflow's patch format (docs/delta.md, "otaflow format"): a 16-byte header, then blocks of
 * target bytes, each range-coded on its own. Within a block, operations: seek (move in the
 * base), add (base bytes plus differences, coded as runs of zeros and non-zero bytes), extra
 * (literal bytes). At a block start the coder and its models restart and the base position is
 * the output position (or the base's end, if smaller), so that a checkpoint there is just "block k" plus the patch offset.
 *
 * Patch bytes go into a small ring; a decoding step (one number or one byte) runs only when
 * the ring holds all it can need (DELTA_OFD_STEP_MAX, or the rest of the block), so any
 * chunking of the patch decodes the same.
 */
#include <string.h>

#include "delta_format.h"
#include "delta_internal.h"

enum {
    ST_HEADER, /* the 16-byte header */
    ST_BLOCK,  /* a block's coded length and the coder's first bytes */
    ST_SEEK,
    ST_ADD,
    ST_RUN,    /* unchanged bytes of an add */
    ST_DIFF,   /* one non-zero difference */
    ST_EXTRA_LEN,
    ST_EXTRA,
    ST_DONE,
};

#define RING_MASK (OTA_DELTA_RING - 1u)

static uint8_t delta_ofd_ring_take(ota_delta_t *d)
{
    uint8_t b = d->ring[d->ring_rd];
    d->ring_rd = (uint8_t)((d->ring_rd + 1u) & RING_MASK);
    d->ring_n--;
    return b;
}

static uint32_t delta_ofd_ring_le32(ota_delta_t *d)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < 4; i++) {
        v |= (uint32_t)delta_ofd_ring_take(d) << (8u * i);
    }
    return v;
}

/* --- range decoder -------------------------------------------------------------------------- */

static uint8_t delta_ofd_rc_byte(ota_delta_ofd_t *o, ota_delta_t *d)
{
    if (o->block_left == 0 || d->ring_n == 0) {
        o->overrun = 1; /* the block's bytes cannot decode to its length */
        return 0;
    }
    o->block_left--;
    return delta_ofd_ring_take(d);
}

static void delta_ofd_rc_normalize(ota_delta_ofd_t *o, ota_delta_t *d)
{
    if (o->range < DELTA_RC_TOP) {
        o->range <<= 8;
        o->code = (o->code << 8) | delta_ofd_rc_byte(o, d);
    }
}

static unsigned delta_ofd_rc_bit(ota_delta_ofd_t *o, ota_delta_t *d, uint16_t *p)
{
    uint32_t bound = (o->range >> DELTA_RC_PROB_BITS) * *p;
    unsigned bit;
    if (o->code < bound) {
        o->range = bound;
        bit = 0;
    } else {
        o->code -= bound;
        o->range -= bound;
        bit = 1;
    }
    *p = delta_rc_adapt(*p, bit);
    delta_ofd_rc_normalize(o, d);
    return bit;
}

/* A bit tree of `levels` decisions over probs[1 .. 2^levels): returns 2^levels + the value. */
static uint32_t delta_ofd_rc_tree(ota_delta_ofd_t *o, ota_delta_t *d, uint16_t *probs, unsigned levels)
{
    uint32_t m = 1;
    while (levels-- > 0) {
        m = (m << 1) | delta_ofd_rc_bit(o, d, &probs[m]);
    }
    return m;
}

/* A number: its bit count (1..32) of value + 1 by a tree, then the bits below the top one. */
static bool delta_ofd_rc_number(ota_delta_ofd_t *o, ota_delta_t *d, unsigned model, uint32_t *v)
{
    uint32_t bits = delta_ofd_rc_tree(o, d, o->m.num[model], DELTA_NUM_LEN_BITS) -
                    (1u << DELTA_NUM_LEN_BITS);
    if (bits == 0 || bits > 32) {
        return false;
    }
    uint32_t x = 1;
    if (bits > 1) {
        /* the bit below the top one is adaptive (by bit count): small numbers are common */
        x = 2u | delta_ofd_rc_bit(o, d, &o->m.num[model][(1u << DELTA_NUM_LEN_BITS) + bits - 1u]);
        bits--;
    }
    while (--bits > 0) {
        o->range >>= 1;
        unsigned bit = o->code >= o->range;
        if (bit) {
            o->code -= o->range;
        }
        delta_ofd_rc_normalize(o, d);
        x = (x << 1) | bit;
    }
    *v = x - 1u;
    return true;
}

/* --- blocks and operations ------------------------------------------------------------------ */

/* Bytes the current state needs in the ring before it can run. */
static uint32_t delta_ofd_step_need(const ota_delta_t *d)
{
    const ota_delta_ofd_t *o = &d->u.ofd;
    switch (o->state) {
    case ST_HEADER: return DELTA_OFD_HEADER_SIZE;
    case ST_BLOCK: return 4u + DELTA_RC_INIT_BYTES;
    case ST_DONE: return 1; /* any byte there is one too many */
    default: return o->block_left < DELTA_OFD_STEP_MAX ? o->block_left : DELTA_OFD_STEP_MAX;
    }
}

static ota_delta_status_t delta_ofd_block_start(ota_delta_t *d)
{
    ota_delta_ofd_t *o = &d->u.ofd;
    if (d->out_off == d->cp.target_size) {
        o->state = ST_DONE;
        return ota_delta_out_flush(d);
    }
    o->state = ST_BLOCK;
    d->base_pos = d->out_off < d->io.base_size ? d->out_off : d->io.base_size;
    /* Mid-block the state holds the adaptive models (3,840 B): checkpoints only here. */
    return ota_delta_at_boundary(d) ? ota_delta_mark(d, d->patch_off - d->ring_n, 0, 0)
                                    : OTA_DELTA_OK;
}

static ota_delta_status_t delta_ofd_parse_header(ota_delta_t *d)
{
    uint8_t h[8];
    for (unsigned i = 0; i < 8; i++) {
        h[i] = delta_ofd_ring_take(d);
    }
    uint32_t target_size = delta_ofd_ring_le32(d);
    uint32_t base_size = delta_ofd_ring_le32(d);
    if (h[4] != DELTA_OFD_VERSION) {
        return OTA_DELTA_ERR_VERSION;
    }
    if (h[5] < DELTA_OFD_BLOCK_LOG2_MIN || h[5] > DELTA_OFD_BLOCK_LOG2_MAX || h[6] != 0 ||
        h[7] != 0) {
        return OTA_DELTA_ERR_HEADER;
    }
    if (base_size != d->io.base_size) {
        return OTA_DELTA_ERR_BASE_SIZE;
    }
    if (d->io.output_max != 0 && target_size > d->io.output_max) {
        return OTA_DELTA_ERR_OVERSIZE;
    }
    d->cp.target_size = target_size;
    d->cp.block_log2 = h[5];
    return delta_ofd_block_start(d);
}

static ota_delta_status_t delta_ofd_enter_block(ota_delta_t *d)
{
    ota_delta_ofd_t *o = &d->u.ofd;
    o->block_left = delta_ofd_ring_le32(d);
    if (o->block_left < DELTA_RC_INIT_BYTES) {
        return OTA_DELTA_ERR_CORRUPT;
    }
    uint32_t room = d->cp.target_size - d->out_off;
    uint32_t size = 1u << d->cp.block_log2;
    o->block_end = d->out_off + (room < size ? room : size);
    o->overrun = 0;
    o->range = 0xFFFFFFFFu;
    o->code = 0;
    for (unsigned i = 0; i < DELTA_RC_INIT_BYTES; i++) {
        o->code = (o->code << 8) | delta_ofd_rc_byte(o, d);
    }
    delta_models_reset(&o->m);
    o->state = ST_SEEK;
    return OTA_DELTA_OK;
}

static ota_delta_status_t delta_ofd_op_seek(ota_delta_t *d, uint32_t z)
{
    /* zigzag back to a signed move, kept unsigned: a move of -n is n with neg set */
    uint32_t n = (z >> 1) + (z & 1u);
    bool neg = (z & 1u) != 0;
    if (neg ? n > d->base_pos : (n > d->io.base_size || d->base_pos > d->io.base_size - n)) {
        return OTA_DELTA_ERR_SEEK;
    }
    d->base_pos = neg ? d->base_pos - n : d->base_pos + n;
    d->u.ofd.state = ST_ADD;
    return OTA_DELTA_OK;
}

static ota_delta_status_t delta_ofd_op_add(ota_delta_t *d, uint32_t n)
{
    ota_delta_ofd_t *o = &d->u.ofd;
    if (n > d->io.base_size || d->base_pos > d->io.base_size - n) {
        return OTA_DELTA_ERR_BASE_RANGE;
    }
    ota_delta_status_t st = ota_delta_out_room(d, n, o->block_end);
    o->add_left = n;
    o->extra_left = n; /* remembers whether this operation has added anything */
    o->state = n > 0 ? ST_RUN : ST_EXTRA_LEN;
    return st;
}

static ota_delta_status_t delta_ofd_op_run(ota_delta_t *d, uint32_t n)
{
    ota_delta_ofd_t *o = &d->u.ofd;
    if (n > o->add_left) {
        return OTA_DELTA_ERR_CORRUPT;
    }
    o->add_left -= n;
    o->state = o->add_left > 0 ? ST_DIFF : ST_EXTRA_LEN;
    return ota_delta_out_base(d, n);
}

static ota_delta_status_t delta_ofd_op_diff(ota_delta_t *d, uint32_t diff)
{
    ota_delta_ofd_t *o = &d->u.ofd;
    if (diff == 0) {
        return OTA_DELTA_ERR_CORRUPT; /* zeros are coded as runs */
    }
    ota_delta_status_t st = ota_delta_out_base(d, 1);
    if (st != OTA_DELTA_OK) {
        return st;
    }
    d->outbuf[d->out_n - 1u] = (uint8_t)(d->outbuf[d->out_n - 1u] + diff);
    o->add_left--;
    o->state = o->add_left > 0 ? ST_RUN : ST_EXTRA_LEN;
    return OTA_DELTA_OK;
}

static ota_delta_status_t delta_ofd_op_extra_len(ota_delta_t *d, uint32_t n)
{
    ota_delta_ofd_t *o = &d->u.ofd;
    if (n == 0 && o->extra_left == 0) {
        return OTA_DELTA_ERR_CORRUPT; /* an operation that writes nothing */
    }
    o->extra_left = n;
    o->state = n > 0 ? ST_EXTRA : ST_SEEK;
    return ota_delta_out_room(d, n, o->block_end);
}

/* After an operation's last byte: the next operation, or the block's end. */
static ota_delta_status_t delta_ofd_op_end(ota_delta_t *d)
{
    ota_delta_ofd_t *o = &d->u.ofd;
    if (o->overrun) {
        return OTA_DELTA_ERR_CORRUPT;
    }
    if (o->state != ST_SEEK || d->out_off != o->block_end) {
        return OTA_DELTA_OK;
    }
    if (o->block_left != 0) {
        return OTA_DELTA_ERR_CORRUPT; /* coded bytes left over */
    }
    return delta_ofd_block_start(d);
}

static ota_delta_status_t delta_ofd_step(ota_delta_t *d)
{
    ota_delta_ofd_t *o = &d->u.ofd;
    uint32_t v = 0;
    ota_delta_status_t st;
    switch (o->state) {
    case ST_HEADER: return delta_ofd_parse_header(d);
    case ST_BLOCK: return delta_ofd_enter_block(d);
    case ST_DONE: return OTA_DELTA_ERR_CORRUPT;
    case ST_DIFF:
        v = delta_ofd_rc_tree(o, d, o->m.diff[d->out_off & (OTA_DELTA_DIFF_CTX - 1u)], 8) - 256u;
        st = delta_ofd_op_diff(d, v);
        break;
    case ST_EXTRA:
        v = delta_ofd_rc_tree(o, d, o->m.lit[d->out_off & (OTA_DELTA_LIT_CTX - 1u)], 8) - 256u;
        st = ota_delta_out_byte(d, (uint8_t)v);
        if (--o->extra_left == 0) {
            o->state = ST_SEEK;
        }
        break;
    default: {
        static const uint8_t model[] = {[ST_SEEK] = DELTA_NUM_SEEK, [ST_ADD] = DELTA_NUM_ADD,
                                        [ST_RUN] = DELTA_NUM_RUN, [ST_EXTRA_LEN] = DELTA_NUM_EXTRA};
        if (!delta_ofd_rc_number(o, d, model[o->state], &v)) {
            return OTA_DELTA_ERR_CORRUPT;
        }
        switch (o->state) {
        case ST_SEEK: st = delta_ofd_op_seek(d, v); break;
        case ST_ADD: st = delta_ofd_op_add(d, v); break;
        case ST_RUN: st = delta_ofd_op_run(d, v); break;
        default: st = delta_ofd_op_extra_len(d, v); break;
        }
    }
    }
    return st == OTA_DELTA_OK ? delta_ofd_op_end(d) : st;
}

ota_delta_status_t ota_delta_ofd_feed(ota_delta_t *d, const uint8_t *data, size_t len)
{
    if (d->phase == DELTA_PHASE_START) {
        /* Check the magic as soon as its bytes arrive: a foreign file fails at once. */
        for (size_t i = 0; i < len && d->patch_off + i < 4u; i++) {
            if (data[i] != (uint8_t)DELTA_OFD_MAGIC[d->patch_off + i]) {
                return OTA_DELTA_ERR_FORMAT;
            }
        }
    }
    for (;;) {
        while (len > 0 && d->ring_n < OTA_DELTA_RING) {
            if (d->patch_off == UINT32_MAX) {
                return OTA_DELTA_ERR_OVERSIZE;
            }
            d->ring[(d->ring_rd + d->ring_n) & RING_MASK] = *data++;
            d->ring_n++;
            d->patch_off++;
            len--;
        }
        /* A step whose block has no coded byte left may still run: it needs none, or it
         * fails as corrupt. */
        while (d->ring_n >= delta_ofd_step_need(d)) {
            d->phase = DELTA_PHASE_BODY;
            ota_delta_status_t st = delta_ofd_step(d);
            if (st != OTA_DELTA_OK) {
                return st;
            }
        }
        if (len == 0) {
            return OTA_DELTA_OK;
        }
    }
}

ota_delta_status_t ota_delta_ofd_finish(ota_delta_t *d)
{
    return d->u.ofd.state == ST_DONE ? OTA_DELTA_OK : OTA_DELTA_ERR_TRUNCATED;
}

ota_delta_status_t ota_delta_ofd_resume(ota_delta_t *d, const ota_delta_checkpoint_t *cp)
{
    uint32_t mask = (1u << (cp->block_log2 & 31u)) - 1u;
    if (cp->block_log2 < DELTA_OFD_BLOCK_LOG2_MIN || cp->block_log2 > DELTA_OFD_BLOCK_LOG2_MAX ||
        cp->patch_offset < DELTA_OFD_HEADER_SIZE || (cp->output_offset & mask) != 0 ||
        cp->output_offset >= cp->target_size ||
        cp->base_pos != (cp->output_offset < cp->base_size ? cp->output_offset : cp->base_size) ||
        (d->io.output_max != 0 && cp->target_size > d->io.output_max)) {
        return OTA_DELTA_ERR_CHECKPOINT;
    }
    d->u.ofd.state = ST_BLOCK; /* d->cp is cp: the header's fields are there */
    return OTA_DELTA_OK;
}
