/* SPDX-License-Identifier: Apache-2.0 */
/*
 * otaflow's patch format (docs/delta.md): the constants the device's decoder (src/delta_ofd.c)
 * and the host's encoder (tools/delta_encode.c) must agree on. Kept in one place so that the
 * two cannot drift apart.
 */
#ifndef OTAFLOW_DELTA_FORMAT_H
#define OTAFLOW_DELTA_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "otaflow/delta.h"

/* Header: "OFDP", version, log2(block size), 2 reserved zero bytes, target size (u32 LE),
 * base size (u32 LE). Then one block per block_size target bytes (the last one shorter): its
 * coded length (u32 LE), then that many range-coded bytes. */
#define DELTA_OFD_MAGIC "OFDP"
#define DELTA_OFD_VERSION 1u
#define DELTA_OFD_HEADER_SIZE 16u
#define DELTA_OFD_BLOCK_LOG2_MIN 10u /* 1 KB */
#define DELTA_OFD_BLOCK_LOG2_MAX 16u /* 64 KB */
#define DELTA_OFD_BLOCK_LOG2_DEFAULT 15u

/* The jojodiff format's escape and opcodes. */
#define DELTA_JOJO_ESC 0xA7u
#define DELTA_JOJO_MOD 0xA6u
#define DELTA_JOJO_INS 0xA5u
#define DELTA_JOJO_DEL 0xA4u
#define DELTA_JOJO_EQL 0xA3u
#define DELTA_JOJO_BKT 0xA2u

/* Adaptive binary range coder (the LZMA family's): 11-bit probabilities of a 0, adapted by
 * 1/16 of the distance each time (blocks are short: models must learn fast), so that each
 * stays in [15, 2033] and every decision leaves at least 2^16.9 of range: one normalisation
 * (one coded byte) per decision at most. */
#define DELTA_RC_PROB_BITS 11u
#define DELTA_RC_PROB_INIT (1u << (DELTA_RC_PROB_BITS - 1u))
#define DELTA_RC_MOVE_BITS 4u
#define DELTA_RC_TOP (1u << 24)
#define DELTA_RC_INIT_BYTES 4u /* the encoder's first byte is always 0 and is not stored */

/** A probability after coding bit: 1/2^DELTA_RC_MOVE_BITS of the way towards it. */
static inline uint16_t delta_rc_adapt(uint16_t p, unsigned bit)
{
    uint32_t q = p;
    return (uint16_t)(bit == 0 ? q + (((1u << DELTA_RC_PROB_BITS) - q) >> DELTA_RC_MOVE_BITS)
                               : q - (q >> DELTA_RC_MOVE_BITS));
}

/** Every probability back to 1/2, as at a block start. */
static inline void delta_models_reset(ota_delta_models_t *m)
{
    _Static_assert(sizeof *m == sizeof(uint16_t) * 256u * (OTA_DELTA_DIFF_CTX + OTA_DELTA_LIT_CTX) +
                                    sizeof m->num,
                   "ota_delta_models_t is uint16_t arrays without padding");
    uint16_t *p = &m->diff[0][0];
    for (size_t i = 0; i < sizeof *m / sizeof *p; i++) {
        p[i] = (uint16_t)DELTA_RC_PROB_INIT;
    }
}

/* Number models (ota_delta_models_t.num): which one codes what. */
#define DELTA_NUM_SEEK 0u  /* zigzag of the signed base move before an operation */
#define DELTA_NUM_ADD 1u   /* bytes added to the base */
#define DELTA_NUM_EXTRA 2u /* literal bytes after them */
#define DELTA_NUM_RUN 3u   /* unchanged bytes before the next non-zero difference */
#define DELTA_NUM_LEN_BITS 6u /* a number's bit count is coded with a 6-level bit tree */

/* The most coded bytes one decoding step can take: a number (6 tree decisions, 1 adaptive
 * bit, 30 direct bits), one byte per decision at most. */
#define DELTA_OFD_STEP_MAX 40u

/** Zigzag: signed seeks as unsigned numbers (0, -1, 1, -2, ... -> 0, 1, 2, 3, ...). */
static inline uint32_t delta_zigzag(int32_t v)
{
    return ((uint32_t)v << 1) ^ (v < 0 ? 0xFFFFFFFFu : 0u);
}

#endif /* OTAFLOW_DELTA_FORMAT_H */
