/* SPDX-License-Identifier: Apache-2.0 */
/*
 * HSS/LMS signing keys for otaflow-image (keygen --lms, pack --lms-key, info, pubkey-c),
 * written from RFC 8554 (Debian packages no LMS signer). Host code.
 *
 * An LMS key signs each of its leaves once: the private key file holds the index of the next
 * unused signature, and a signature is only written after that index has been advanced on
 * disk and read back (tool_lms_reserve): a crash, a full disk or a copy of the key file can
 * waste leaves, never reuse one. Everything else is derived from one secret seed:
 *   - the top tree: SEED and I as stored (RFC 8554 Appendix A: x_q[i] = H(I || u32 q ||
 *     u16 i || u8 0xff || SEED));
 *   - the tree below leaf q of a tree (SEED, I): its SEED = H(I || u32 q || u16 0xFFFE ||
 *     u8 0xff || SEED), its I the first 16 bytes of the same with 0xFFFF;
 *   - the randomiser C of leaf q: H(I || u32 q || u16 0xFFFD || u8 0xff || SEED), so that an
 *     upper leaf signing the same lower key again makes the very same signature.
 * (No chain index reaches 0xFFFD: p is at most 265.)
 *
 * Files: the private key is text (mode 0600, docs/tools.md), the public key the 60 bytes of
 * RFC 8554's HSS public key.
 */
#ifndef OTAFLOW_TOOL_LMS_KEY_H
#define OTAFLOW_TOOL_LMS_KEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lms_internal.h"
#include "otaflow/image.h"
#include "otaflow/lms.h"

/** First line of a private key file. */
#define TOOL_LMS_KEY_MAGIC "otaflow-hss-private-key 1"

/** An HSS private key and its state. */
typedef struct tool_lms_key {
    uint32_t levels;
    ota_lms_params_t params[OTA_LMS_LEVELS_MAX]; /**< per level, top first */
    uint8_t seed[OTA_LMS_N];
    uint8_t I[OTA_LMS_I_SIZE];
    uint64_t next;                    /**< the next signature's index: 0..total */
    uint8_t pub[OTA_LMS_PUBKEY_SIZE]; /**< the HSS public key */
    uint8_t key_id[OTA_SHA256_SIZE];  /**< SHA-256 of pub: the LMS_KEY_HASH TLV */
} tool_lms_key_t;

/** Heights the signer makes trees of: 5, 10 or 15 (a tree of 2^20 leaves takes hours). */
#define TOOL_LMS_HEIGHT_MAX 15u

/**
 * The type codes of trees of height (5, 10, 15) and Winternitz w (1, 2, 4, 8), checked with
 * the number of levels. 0, or -1 with why[] set.
 */
int tool_lms_types(uint32_t levels, uint32_t height, uint32_t w, uint32_t *lms_type,
                   uint32_t *ots_type, char *why, size_t why_len);

/**
 * A key from seed and I (the top tree's), every level of the same parameter set; computes its
 * public key (the whole top tree). 0, or -1 with why[] set (unsupported parameters).
 */
int tool_lms_derive(tool_lms_key_t *key, uint32_t levels, uint32_t lms_type, uint32_t ots_type,
                    const uint8_t seed[OTA_LMS_N], const uint8_t I[OTA_LMS_I_SIZE], char *why,
                    size_t why_len);

/** A new key, seed and I from /dev/urandom. 0, or -1 with why[] set. */
int tool_lms_generate(tool_lms_key_t *key, uint32_t levels, uint32_t lms_type, uint32_t ots_type,
                      char *why, size_t why_len);

/** Signatures the key can make in all, and those left. */
uint64_t tool_lms_total(const tool_lms_key_t *key);
uint64_t tool_lms_left(const tool_lms_key_t *key);

/** Length of each of its signatures. */
size_t tool_lms_sig_size(const tool_lms_key_t *key);

/** Whether data is the start of a private key file. */
bool tool_lms_is_private(const uint8_t *data, size_t len);

/** Whether data is an HSS public key (60 bytes, levels and types in range). */
bool tool_lms_is_public(const uint8_t *data, size_t len);

/** Load a private key file. 0, or -1 with why[] set. */
int tool_lms_load_private(tool_lms_key_t *key, const char *path, char *why, size_t why_len);

/**
 * Write the private key file durably (tool_write_file_mode: temp, fsync, rename, directory
 * fsync; mode 0600) and read it back: 0 only when the file now holds exactly key. -1 with why[].
 */
int tool_lms_save_private(const tool_lms_key_t *key, const char *path, char *why, size_t why_len);

/** Write the 60-byte public key. 0, or -1 with why[] set. */
int tool_lms_save_public(const tool_lms_key_t *key, const char *path, char *why, size_t why_len);

/**
 * Take the next signature index of the key at path: refused when none is left (exhausted),
 * else key->next is advanced and saved (tool_lms_save_private) before *index is given. A
 * state that cannot be saved gives no index, so no signature.
 */
int tool_lms_reserve(tool_lms_key_t *key, const char *path, uint64_t *index, char *why,
                     size_t why_len);

/**
 * The HSS signature with index (reserved) of msg into sig (tool_lms_sig_size bytes).
 * 0, or -1 with why[] set.
 */
int tool_lms_sign(const tool_lms_key_t *key, uint64_t index, const uint8_t *msg, size_t msg_len,
                  uint8_t *sig, char *why, size_t why_len);

/**
 * Sign an image's digest with the key at path: reserve a leaf (tool_lms_reserve: the state is
 * saved first), sign, and add the LMS_KEY_HASH and HSS_LMS TLVs to w. 0, or -1 with why[] set
 * (then nothing was added).
 */
int tool_lms_add_tlvs(tool_lms_key_t *key, const char *path, ota_image_tlv_writer_t *w,
                      const uint8_t digest[OTA_SHA256_SIZE], char *why, size_t why_len);

/** "LMS_SHA256_M32_H10/LMOTS_SHA256_N32_W8" for a level's parameters, into out. */
void tool_lms_params_name(const ota_lms_params_t *pr, char *out, size_t out_len);

#endif /* OTAFLOW_TOOL_LMS_KEY_H */
