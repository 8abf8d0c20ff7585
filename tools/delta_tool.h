/* SPDX-License-Identifier: Apache-2.0 */
/*
 * otaflow-image diff: the host side of patches (docs/delta.md). Matching (delta_match.c) finds
 * bsdiff-style operations; delta_encode.c writes them in otaflow's format, delta_jojo.c in the
 * original's jojodiff format. Host code (malloc).
 */
#ifndef OTAFLOW_DELTA_TOOL_H
#define OTAFLOW_DELTA_TOOL_H

#include <stddef.h>
#include <stdint.h>

#include "otaflow/delta.h"

/** One operation: add bytes from the base at base_pos (new = base + difference), then extra
 *  literal bytes. Operations cover the new file in order, without gaps. */
typedef struct delta_op {
    uint32_t base_pos;
    uint32_t add;
    uint32_t extra;
} delta_op_t;

/** A growing byte buffer. */
typedef struct delta_buf {
    uint8_t *data;
    size_t len, cap;
} delta_buf_t;

/** Append n bytes (aborts the tool when memory runs out). */
void delta_buf_put(delta_buf_t *b, const void *data, size_t n);

/**
 * The operations that turn old into new: suffix array of old (libdivsufsort), then bsdiff's
 * approximate matching. *ops is malloc'd (free it). Returns 0, or -1 (out of memory, or a
 * file of 2 GB or more).
 */
int delta_match(const uint8_t *old, size_t old_size, const uint8_t *new_data, size_t new_size,
                delta_op_t **ops, size_t *n_ops);

/** otaflow's format of the operations, blocks of 2^block_log2 target bytes, into out. */
void delta_encode_ofd(const uint8_t *old, size_t old_size, const uint8_t *new_data,
                      size_t new_size, const delta_op_t *ops, size_t n_ops, unsigned block_log2,
                      delta_buf_t *out);

/** The jojodiff format (jdiff 0.7/0.8) of the operations into out. */
void delta_encode_jojo(const uint8_t *old, size_t old_size, const uint8_t *new_data,
                       size_t new_size, const delta_op_t *ops, size_t n_ops, delta_buf_t *out);

/** Apply patch to base with the device's applier, in memory: the target into *out (malloc'd,
 *  also after an error: free it), the patch's format into *format. */
ota_delta_status_t delta_apply(const uint8_t *base, size_t base_size, const uint8_t *patch,
                               size_t patch_size, delta_buf_t *out, ota_delta_format_t *format);

#endif /* OTAFLOW_DELTA_TOOL_H */
