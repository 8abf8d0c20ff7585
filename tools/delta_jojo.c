/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The original's jojodiff format (jdiff 0.7/0.8), written from the operations of delta_match.c
 * so that tests and users can make patches in that format without jdiff (not in Debian):
 * a move in the base is DEL (forward) or BKT (back); an add is EQL for runs of unchanged bytes
 * and MOD for the rest; extra bytes are INS. Data bytes equal to the escape are doubled.
 */
#include "delta_format.h"
#include "delta_tool.h"

/* Runs of equal bytes at least this long become EQL: shorter ones cost less inside a MOD. */
#define EQL_MIN 6u

typedef struct jojo_writer {
    delta_buf_t *out;
    unsigned op; /* the operation data bytes currently belong to (0: none) */
} jojo_writer_t;

static void put_byte(jojo_writer_t *w, unsigned b)
{
    uint8_t c = (uint8_t)b;
    delta_buf_put(w->out, &c, 1);
}

static void put_op(jojo_writer_t *w, unsigned op)
{
    put_byte(w, DELTA_JOJO_ESC);
    put_byte(w, op);
    w->op = op;
}

/* A length: 1..252 in one byte, 253..508 as 252 + one byte, then 2 or 4 big-endian bytes. */
static void put_length_op(jojo_writer_t *w, unsigned op, uint32_t n)
{
    put_op(w, op);
    if (n <= 252u) {
        put_byte(w, n - 1u);
    } else if (n <= 508u) {
        put_byte(w, 252u);
        put_byte(w, n - 253u);
    } else if (n <= 0xFFFFu) {
        put_byte(w, 253u);
        put_byte(w, n >> 8);
        put_byte(w, n & 0xFFu);
    } else {
        put_byte(w, 254u);
        for (int shift = 24; shift >= 0; shift -= 8) {
            put_byte(w, (n >> shift) & 0xFFu);
        }
    }
    w->op = 0;
}

static void put_data(jojo_writer_t *w, unsigned op, const uint8_t *data, uint32_t n)
{
    if (n == 0) {
        return;
    }
    if (w->op != op) {
        put_op(w, op);
    }
    for (uint32_t i = 0; i < n; i++) {
        if (data[i] == DELTA_JOJO_ESC) {
            put_byte(w, DELTA_JOJO_ESC);
        }
        put_byte(w, data[i]);
    }
}

void delta_encode_jojo(const uint8_t *old, size_t old_size, const uint8_t *new_data,
                       size_t new_size, const delta_op_t *ops, size_t n_ops, delta_buf_t *out)
{
    jojo_writer_t w = {out, 0};
    uint32_t base = 0, at = 0;
    (void)old_size;
    for (size_t i = 0; i < n_ops; i++) {
        const delta_op_t *op = &ops[i];
        if (op->add > 0 && op->base_pos != base) {
            if (op->base_pos > base) {
                put_length_op(&w, DELTA_JOJO_DEL, op->base_pos - base);
            } else {
                put_length_op(&w, DELTA_JOJO_BKT, base - op->base_pos);
            }
            base = op->base_pos;
        }
        uint32_t j = 0;
        while (j < op->add) {
            uint32_t eq = 0;
            while (j + eq < op->add && new_data[at + j + eq] == old[base + eq]) {
                eq++;
            }
            if (eq >= EQL_MIN || (eq > 0 && j + eq == op->add && w.op != DELTA_JOJO_MOD)) {
                put_length_op(&w, DELTA_JOJO_EQL, eq);
            } else {
                /* differing bytes, with short equal runs between them, as one MOD */
                uint32_t k = j + eq;
                while (k < op->add) {
                    uint32_t e2 = 0;
                    while (k + e2 < op->add && new_data[at + k + e2] == old[base + (k - j) + e2]) {
                        e2++;
                    }
                    if (e2 >= EQL_MIN) {
                        break;
                    }
                    k += e2 > 0 ? e2 : 1;
                }
                eq = k - j;
                put_data(&w, DELTA_JOJO_MOD, new_data + at + j, eq);
            }
            j += eq;
            base += eq;
        }
        at += op->add;
        put_data(&w, DELTA_JOJO_INS, new_data + at, op->extra);
        at += op->extra;
    }
    if (new_size == 0) {
        put_op(&w, DELTA_JOJO_INS); /* an empty target: one operation with no data */
    }
}
