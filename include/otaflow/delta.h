/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Streaming patch applier (issue 15, docs/delta.md).
 *
 * A patch turns a base file (the running image, or a stored slot) into a target file. The
 * caller feeds the patch in any chunking; the applier reads the base through a callback (read
 * at an offset) and hands the target's bytes, in order and each exactly once, to a write
 * callback. Two formats, told apart by their first bytes:
 *   - otaflow's own ("OFDP" magic): bsdiff-style seek/add/extra operations compressed with an
 *     adaptive binary range coder, cut into blocks of target bytes whose coder state is reset
 *     at each block start;
 *   - the original's jojodiff format (jdiff 0.7/0.8: escape codes and opcodes; first byte 0xA7).
 * No heap, no OS call; the whole state is the caller-owned ota_delta_t (4,044 B on a Cortex-M4).
 *
 * Power safety: at defined boundaries (an otaflow block start; a jojodiff operation start, or
 * with io.checkpoint_every a multiple of it in the output) the applier has handed every
 * earlier output byte to the write callback and records a checkpoint (ota_delta_checkpoint):
 * positions and a few bytes of decoder state. A caller that saved one resumes with
 * ota_delta_resume after a reset, rewrites the target from checkpoint.output_offset on and
 * feeds the patch again from checkpoint.patch_offset on: the output is byte for byte what an
 * uninterrupted run writes.
 */
#ifndef OTAFLOW_DELTA_H
#define OTAFLOW_DELTA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Result of every applier call. */
typedef enum ota_delta_status {
    OTA_DELTA_OK = 0,
    OTA_DELTA_ERR_ARG = -1,        /**< NULL pointer or missing callback */
    OTA_DELTA_ERR_FORMAT = -2,     /**< first bytes are neither format's (bad magic) */
    OTA_DELTA_ERR_VERSION = -3,    /**< otaflow header version this code does not read */
    OTA_DELTA_ERR_HEADER = -4,     /**< otaflow header field out of range (block size,
                                        reserved bytes) */
    OTA_DELTA_ERR_BASE_SIZE = -5,  /**< the header's base size is not the caller's base */
    OTA_DELTA_ERR_OVERSIZE = -6,   /**< target larger than the caller's output limit, a
                                        jojodiff length that needs more than 32 bits, or a
                                        patch of 4 GB or more */
    OTA_DELTA_ERR_BASE_RANGE = -7, /**< an operation reads past the end of the base */
    OTA_DELTA_ERR_OUTPUT_RANGE = -8, /**< an operation writes past the target size (or the
                                          output limit) */
    OTA_DELTA_ERR_SEEK = -9,       /**< a seek/skip/backtrack leaves [0, base size] */
    OTA_DELTA_ERR_CORRUPT = -10,   /**< a block's coded bytes do not decode to exactly its
                                        length, an empty operation, bytes after the last
                                        block, or jojodiff data outside MOD/INS */
    OTA_DELTA_ERR_TRUNCATED = -11, /**< ota_delta_finish before the patch was complete */
    OTA_DELTA_ERR_READ = -12,      /**< the base read callback failed */
    OTA_DELTA_ERR_WRITE = -13,     /**< the output write callback failed */
    OTA_DELTA_ERR_CHECKPOINT = -14, /**< ota_delta_resume: the checkpoint is not one this
                                         applier could have recorded */
    OTA_DELTA_ERR_STATE = -15,     /**< call after an error or after finish */
} ota_delta_status_t;

/** Name of a status ("OTA_DELTA_ERR_SEEK"), "?" for a value that is none;
 *  OTA_STATUS_TEXT_NONE in a core built with OTA_STATUS_STRINGS 0 (include/otaflow/config.h). */
const char *ota_delta_status_str(ota_delta_status_t status);

/** Patch formats. */
typedef enum ota_delta_format {
    OTA_DELTA_FORMAT_UNKNOWN = 0, /**< nothing decided yet (no byte fed) */
    OTA_DELTA_FORMAT_OTAFLOW = 1, /**< otaflow's own ("OFDP" magic) */
    OTA_DELTA_FORMAT_JOJODIFF = 2, /**< jdiff 0.7/0.8 (first byte 0xA7) */
} ota_delta_format_t;

/**
 * Read len bytes of the base at offset into buf (offset + len <= base_size is guaranteed).
 * Returns 0, or non-zero on a read error (the applier stops with OTA_DELTA_ERR_READ).
 */
typedef int (*ota_delta_read_fn)(void *ctx, uint32_t offset, uint8_t *buf, uint32_t len);

/**
 * Take len target bytes that belong at offset; offsets are consecutive (each call continues
 * where the previous ended, from 0 or from the resumed checkpoint's output_offset). Returns 0,
 * or non-zero on a write error (the applier stops with OTA_DELTA_ERR_WRITE).
 */
typedef int (*ota_delta_write_fn)(void *ctx, uint32_t offset, const uint8_t *data, uint32_t len);

typedef struct ota_delta_checkpoint ota_delta_checkpoint_t;

/**
 * A checkpoint was just recorded (every earlier output byte handed to write_out): the caller
 * may save it (optional). Returns 0, or non-zero to stop the applier with OTA_DELTA_ERR_WRITE
 * (a caller whose saving failed).
 */
typedef int (*ota_delta_checkpoint_fn)(void *ctx, const ota_delta_checkpoint_t *cp);

/** The caller's side of an applier. */
typedef struct ota_delta_io {
    ota_delta_read_fn read_base;   /**< required */
    ota_delta_write_fn write_out;  /**< required */
    void *ctx;                     /**< passed to both callbacks */
    uint32_t base_size;            /**< bytes of base readable (0: an empty base) */
    uint32_t output_max;           /**< largest target accepted (a slot's size); 0: no limit */
    /** 0: checkpoints at every boundary where the state is positions only (an otaflow block
     *  start, a jojodiff operation start). A power of two: only where the output offset is a
     *  multiple of it (an erase sector, so that a checkpoint's output ends on a durable
     *  sector): otaflow block starts there, and jojodiff anywhere there, within an operation
     *  too (its state is then the operation and the bytes it still copies). */
    uint32_t checkpoint_every;
    ota_delta_checkpoint_fn on_checkpoint; /**< optional (NULL): told of each checkpoint */
} ota_delta_io_t;

/**
 * Where applying can restart: small, plain data for the caller's journal. Only meaningful as
 * filled by ota_delta_checkpoint; resuming checks that it is consistent.
 */
struct ota_delta_checkpoint {
    uint32_t patch_offset;  /**< feed the patch again from this byte */
    uint32_t output_offset; /**< every target byte before it was written */
    uint32_t base_pos;      /**< base position there (otaflow: output_offset or base_size,
                                 the smaller) */
    uint32_t target_size;   /**< otaflow: from the header (jojodiff: 0, unknown) */
    uint32_t base_size;     /**< otaflow: from the header */
    uint32_t copy_left;     /**< jojodiff: bytes of the EQL in progress still to copy */
    uint8_t format;         /**< ota_delta_format_t; UNKNOWN = start from scratch */
    uint8_t block_log2;     /**< otaflow: log2 of the block size */
    uint8_t op;             /**< jojodiff: the operation in progress (MOD, INS, EQL opcode),
                                 0 at an operation's start */
    uint8_t reserved;       /**< 0 */
};

/* --- internal state: read only through the functions below -------------------------------- */
#define OTA_DELTA_RING 64u        /**< patch bytes buffered for one decoding step */
#define OTA_DELTA_OUTBUF 32u      /**< target bytes gathered before a write (32: with the
                                       agent's patch state, ota_agent_patch_t is 4 KB) */
#define OTA_DELTA_DIFF_CTX 4u     /**< otaflow: diff-byte models (by output offset mod 4) */
#define OTA_DELTA_LIT_CTX 2u      /**< otaflow: literal models (by output offset mod 2) */
#define OTA_DELTA_NUM_MODELS 4u   /**< otaflow: seek, add, extra, zero run */
#define OTA_DELTA_NUM_PROBS 96u   /**< otaflow: probabilities of one number: its bit count
                                       (a 6-level tree), then the bit below its top one */

/** otaflow format: the coder's adaptive probabilities, reset at each block start (internal;
 *  the host's encoder keeps the same set). */
typedef struct ota_delta_models {
    uint16_t diff[OTA_DELTA_DIFF_CTX][256];
    uint16_t lit[OTA_DELTA_LIT_CTX][256];
    uint16_t num[OTA_DELTA_NUM_MODELS][OTA_DELTA_NUM_PROBS];
} ota_delta_models_t;

/** otaflow format decoder (internal). */
typedef struct ota_delta_ofd {
    uint32_t range, code;            /**< range decoder */
    uint32_t block_left;             /**< coded bytes of the current block not yet read */
    uint32_t block_end;              /**< output offset where the current block ends */
    uint32_t add_left, extra_left;   /**< of the current operation */
    uint8_t state;
    uint8_t overrun;                 /**< the decoder asked for a byte past its block */
    ota_delta_models_t m;
} ota_delta_ofd_t;

/** jojodiff decoder (internal). */
typedef struct ota_delta_jojo {
    uint32_t len;        /**< length being assembled */
    uint32_t copy_left;  /**< bytes of the current EQL not copied yet */
    uint8_t op;          /**< current operation (0: none yet) */
    uint8_t esc;         /**< the previous byte was an unresolved escape */
    uint8_t len_op;      /**< operation whose length is being read (0: none) */
    uint8_t len_need;    /**< length bytes still to read */
    uint8_t len_high;    /**< 64-bit length: high bytes still to read */
    uint8_t len_bias;    /**< the 252 form: the next byte is added to 253 */
} ota_delta_jojo_t;

/** One applier. Caller-owned; set up by ota_delta_init or ota_delta_resume. */
typedef struct ota_delta {
    ota_delta_io_t io;
    ota_delta_checkpoint_t cp;   /**< the last boundary passed; its target_size and
                                      block_log2 are the otaflow header's from the header on */
    uint32_t patch_off;          /**< patch bytes taken in */
    uint32_t out_off;            /**< target bytes produced (written or in outbuf) */
    uint32_t base_pos;
    uint8_t format;
    uint8_t phase;               /**< internal: header, body, done, failed */
    uint8_t ring_rd, ring_n;     /**< patch bytes in ring[] */
    uint8_t out_n;               /**< bytes in outbuf[] */
    uint8_t ring[OTA_DELTA_RING];
    uint8_t outbuf[OTA_DELTA_OUTBUF];
    union {
        ota_delta_ofd_t ofd;
        ota_delta_jojo_t jojo;
    } u;
} ota_delta_t;

/** Start applying a patch from its first byte. io is copied. */
ota_delta_status_t ota_delta_init(ota_delta_t *d, const ota_delta_io_t *io);

/**
 * Restart from a checkpoint saved by the caller (after a reset): io as for ota_delta_init;
 * then feed the patch from cp->patch_offset on; writes continue at cp->output_offset.
 * OTA_DELTA_ERR_CHECKPOINT if cp is inconsistent (unknown format, offsets out of range,
 * reserved bytes set, a block start that is not one).
 */
ota_delta_status_t ota_delta_resume(ota_delta_t *d, const ota_delta_io_t *io,
                                    const ota_delta_checkpoint_t *cp);

/**
 * Take the next len patch bytes (any chunking, len 0 allowed). Decodes as far as the bytes
 * allow and writes target bytes as they are complete. After an error every call returns
 * OTA_DELTA_ERR_STATE.
 */
ota_delta_status_t ota_delta_feed(ota_delta_t *d, const uint8_t *data, size_t len);

/**
 * The patch has ended: write the last target bytes and check the patch was complete (otaflow:
 * every block decoded, target_size bytes written; jojodiff: not inside an escape or a
 * length). OTA_DELTA_ERR_TRUNCATED otherwise.
 */
ota_delta_status_t ota_delta_finish(ota_delta_t *d);

/** The last checkpoint passed (after init: the start of the patch). */
void ota_delta_checkpoint(const ota_delta_t *d, ota_delta_checkpoint_t *cp);

/** Patch bytes taken in so far (after a resume: counted from the patch's first byte), i.e.
 *  the offset in the patch of the next byte ota_delta_feed expects. */
uint32_t ota_delta_patch_offset(const ota_delta_t *d);

/** Format of the patch fed so far (UNKNOWN before its first byte). */
ota_delta_format_t ota_delta_format(const ota_delta_t *d);

/** Target bytes produced so far (after a successful finish: the target's size). */
uint32_t ota_delta_output_size(const ota_delta_t *d);

#ifdef __cplusplus
}
#endif

#endif /* OTAFLOW_DELTA_H */
