/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The original's patch format: jojodiff 0.7/0.8 (docs/delta.md, "jojodiff format"), decoded
 * from its published description one byte at a time, so any chunking works without a buffer.
 * A checkpoint is recorded at each operation's escape byte, where the decoder's state is just
 * the base and output positions; with io.checkpoint_every, instead, where the output offset is
 * a multiple of it, inside MOD and INS data or an EQL too: the state there is the operation
 * and, in an EQL, the bytes it still copies.
 */
#include "delta_format.h"
#include "delta_internal.h"

/* Length op being read: its first byte still to come. */
#define LEN_FIRST 0xFFu

/* With io.checkpoint_every, at a multiple of it: a checkpoint inside the operation; the patch
 * goes on at byte `next` on resume. */
static ota_delta_status_t delta_jojo_boundary(ota_delta_t *d, uint32_t next)
{
    const ota_delta_jojo_t *j = &d->u.jojo;
    if (d->io.checkpoint_every == 0 || !ota_delta_at_boundary(d)) {
        return OTA_DELTA_OK;
    }
    return ota_delta_mark(d, next, j->op, j->copy_left);
}

/* The rest of the current EQL, in pieces that end at the checkpoint boundaries. */
static ota_delta_status_t delta_jojo_copy(ota_delta_t *d)
{
    ota_delta_jojo_t *j = &d->u.jojo;
    while (j->copy_left > 0) {
        uint32_t n = ota_delta_to_boundary(d, j->copy_left);
        ota_delta_status_t st = ota_delta_out_base(d, n);
        j->copy_left -= n;
        if (st == OTA_DELTA_OK) {
            st = delta_jojo_boundary(d, d->patch_off);
        }
        if (st != OTA_DELTA_OK) {
            return st;
        }
    }
    return OTA_DELTA_OK;
}

/* next: the patch byte after this data byte (it differs when an escape's byte follows). */
static ota_delta_status_t delta_jojo_data_byte(ota_delta_t *d, uint8_t b, uint32_t next)
{
    ota_delta_jojo_t *j = &d->u.jojo;
    ota_delta_status_t st;
    if (j->op == DELTA_JOJO_MOD) {
        /* MOD replaces a base byte without reading it: the base position moves on. */
        if (d->base_pos == UINT32_MAX) {
            return OTA_DELTA_ERR_SEEK;
        }
        d->base_pos++;
    } else if (j->op != DELTA_JOJO_INS) {
        return OTA_DELTA_ERR_CORRUPT; /* data outside MOD and INS */
    }
    st = ota_delta_out_room(d, 1, 0);
    if (st == OTA_DELTA_OK) {
        st = ota_delta_out_byte(d, b);
    }
    return st == OTA_DELTA_OK ? delta_jojo_boundary(d, next) : st;
}

static ota_delta_status_t delta_jojo_run_length_op(ota_delta_t *d)
{
    ota_delta_jojo_t *j = &d->u.jojo;
    uint32_t n = j->len;
    uint8_t op = j->len_op;
    j->len_op = 0;
    if (op == DELTA_JOJO_EQL) {
        if (n > d->io.base_size || d->base_pos > d->io.base_size - n) {
            return OTA_DELTA_ERR_BASE_RANGE;
        }
        ota_delta_status_t st = ota_delta_out_room(d, n, 0);
        j->copy_left = n;
        return st == OTA_DELTA_OK ? delta_jojo_copy(d) : st;
    }
    if (op == DELTA_JOJO_DEL) {
        if (n > d->io.base_size || d->base_pos > d->io.base_size - n) {
            return OTA_DELTA_ERR_SEEK;
        }
        d->base_pos += n;
        return OTA_DELTA_OK;
    }
    if (n > d->base_pos) { /* BKT */
        return OTA_DELTA_ERR_SEEK;
    }
    d->base_pos -= n;
    return OTA_DELTA_OK;
}

/* One byte of a length: 0..251 -> 1..252; 252 x -> 253 + x; 253, 254, 255 -> a 2-, 4- or
 * 8-byte big-endian value (of which 32 bits are accepted). */
static ota_delta_status_t delta_jojo_length_byte(ota_delta_t *d, uint8_t b)
{
    ota_delta_jojo_t *j = &d->u.jojo;
    if (j->len_need == LEN_FIRST) {
        j->len = 0;
        j->len_high = 0;
        j->len_bias = 0;
        if (b < 252u) {
            j->len = b + 1u;
            j->len_need = 0;
        } else if (b == 252u) {
            j->len = 253u;
            j->len_need = 1;
            j->len_bias = 1;
        } else {
            j->len_need = b == 253u ? 2u : 4u;
            j->len_high = b == 255u ? 4u : 0u;
        }
    } else if (j->len_high > 0) {
        if (b != 0) {
            return OTA_DELTA_ERR_OVERSIZE;
        }
        j->len_high--;
    } else if (j->len_bias) {
        j->len += b; /* the 252 form: a bias, not a shift */
        j->len_need = 0;
    } else {
        j->len = (j->len << 8) | b;
        j->len_need--;
    }
    return j->len_need == 0 ? delta_jojo_run_length_op(d) : OTA_DELTA_OK;
}

static ota_delta_status_t delta_jojo_escaped(ota_delta_t *d, uint8_t b)
{
    ota_delta_jojo_t *j = &d->u.jojo;
    if (b >= DELTA_JOJO_BKT && b <= DELTA_JOJO_MOD) {
        /* An operation starts at its escape byte, the one before b (patch_off counts b). */
        ota_delta_status_t st =
            d->io.checkpoint_every == 0 ? ota_delta_mark(d, d->patch_off - 2u, 0, 0) : OTA_DELTA_OK;
        j->op = b;
        if (b <= DELTA_JOJO_DEL) {
            j->len_op = b;
            j->len_need = LEN_FIRST;
        }
        return st;
    }
    if (b == DELTA_JOJO_ESC) {
        return delta_jojo_data_byte(d, b, d->patch_off); /* ESC ESC: one data byte 0xA7 */
    }
    /* ESC then an ordinary byte: both are data; a resume between them starts at b. */
    ota_delta_status_t st = delta_jojo_data_byte(d, DELTA_JOJO_ESC, d->patch_off - 1u);
    return st == OTA_DELTA_OK ? delta_jojo_data_byte(d, b, d->patch_off) : st;
}

ota_delta_status_t ota_delta_jojo_feed(ota_delta_t *d, const uint8_t *data, size_t len)
{
    ota_delta_jojo_t *j = &d->u.jojo;
    d->phase = DELTA_PHASE_BODY;
    ota_delta_status_t copied = delta_jojo_copy(d); /* an EQL resumed in its middle */
    if (copied != OTA_DELTA_OK) {
        return copied;
    }
    for (size_t i = 0; i < len; i++) {
        uint8_t b = data[i];
        ota_delta_status_t st = OTA_DELTA_OK;
        if (d->patch_off == UINT32_MAX) {
            return OTA_DELTA_ERR_OVERSIZE;
        }
        d->patch_off++;
        if (j->len_op != 0) {
            st = delta_jojo_length_byte(d, b);
        } else if (j->esc) {
            j->esc = 0;
            st = delta_jojo_escaped(d, b);
        } else if (b == DELTA_JOJO_ESC) {
            j->esc = 1;
        } else {
            st = delta_jojo_data_byte(d, b, d->patch_off);
        }
        if (st != OTA_DELTA_OK) {
            return st;
        }
    }
    return OTA_DELTA_OK;
}

ota_delta_status_t ota_delta_jojo_finish(ota_delta_t *d)
{
    const ota_delta_jojo_t *j = &d->u.jojo;
    ota_delta_status_t st = delta_jojo_copy(d);
    if (st != OTA_DELTA_OK) {
        return st;
    }
    return (j->esc || j->len_op != 0) ? OTA_DELTA_ERR_TRUNCATED : OTA_DELTA_OK;
}

ota_delta_status_t ota_delta_jojo_resume(ota_delta_t *d, const ota_delta_checkpoint_t *cp)
{
    ota_delta_jojo_t *j = &d->u.jojo;
    bool in_data = cp->op == DELTA_JOJO_MOD || cp->op == DELTA_JOJO_INS;
    bool in_copy = cp->op == DELTA_JOJO_EQL && cp->base_pos <= cp->base_size &&
                   cp->copy_left <= cp->base_size - cp->base_pos;
    if (cp->target_size != 0 || cp->block_log2 != 0 ||
        (cp->op != 0 && !in_data && !in_copy) || (cp->copy_left != 0 && !in_copy)) {
        return OTA_DELTA_ERR_CHECKPOINT;
    }
    j->op = cp->op;
    j->copy_left = cp->copy_left;
    return OTA_DELTA_OK;
}
