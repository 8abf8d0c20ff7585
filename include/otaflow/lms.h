/* SPDX-License-Identifier: Apache-2.0 */
/*
 * otaflow LMS/HSS signatures (RFC 8554): hash-based, so a quantum computer that breaks ECDSA
 * does not forge them (docs/security.md). Verification needs only SHA-256 (the crypto port's),
 * no heap and a fixed stack: the signature is read from its source a few dozen bytes at a
 * time, so a 2.9 KB signature needs no buffer of its size (the bootloader checks it in place,
 * in the slot).
 *
 * Keys and signatures are always the HSS encodings (RFC 8554 §6.2, as RFC 8708 and CNSA 2.0
 * use them): a single LMS tree is HSS with one level.
 *   public key: u32 L, then the top tree's LMS public key (u32 lms type, u32 lmots type,
 *               I (16 bytes), T[1] (32 bytes)): OTA_LMS_PUBKEY_SIZE bytes
 *   signature:  u32 Nspk (= L - 1), Nspk times (LMS signature, LMS public key of the level
 *               below), then the LMS signature of the message by the lowest tree
 * Every RFC 8554 parameter set with SHA-256 and 32-byte hashes is verified: LMS_SHA256_M32_H5
 * to _H25 and LMOTS_SHA256_N32_W1 to _W8, 1 to OTA_LMS_LEVELS_MAX levels; a build with
 * OTA_LMS_LEAN_PARAMS (config.h) LMOTS_SHA256_N32_W8 only, any other LM-OTS type being of no
 * parameter set there. otaflow-image signs with LMS_SHA256_M32_H10 / LMOTS_SHA256_N32_W8 by
 * default (docs/tools.md).
 */
#ifndef OTAFLOW_LMS_H
#define OTAFLOW_LMS_H

#include <stddef.h>
#include <stdint.h>

#include "otaflow/image.h"

#ifdef __cplusplus
extern "C" {
#endif

/** An HSS public key: u32 levels and one LMS public key (56 bytes). */
#define OTA_LMS_PUBKEY_SIZE 60u
/** Most HSS levels verified (RFC 8554 allows 8). */
#define OTA_LMS_LEVELS_MAX 8u
/** Shortest HSS signature of any parameter set: one level, H5, W8 (1,296 bytes); a shorter
 *  one is truncated whatever its key. */
#define OTA_LMS_SIG_MIN 1296u

/** Longest signature accepted: what an image TLV can carry (its length field is 16 bits). */
#define OTA_LMS_SIG_MAX 65535u

/* The RFC 8554 type codes (IANA "Leighton-Micali Signatures" registry). */
#define OTA_LMS_SHA256_M32_H5 5u
#define OTA_LMS_SHA256_M32_H10 6u
#define OTA_LMS_SHA256_M32_H15 7u
#define OTA_LMS_SHA256_M32_H20 8u
#define OTA_LMS_SHA256_M32_H25 9u
#define OTA_LMOTS_SHA256_N32_W1 1u
#define OTA_LMOTS_SHA256_N32_W2 2u
#define OTA_LMOTS_SHA256_N32_W4 3u
#define OTA_LMOTS_SHA256_N32_W8 4u

/** Result of an LMS/HSS verification: each way a signature can be refused has its name. */
typedef enum ota_lms_status {
    OTA_LMS_OK = 0,
    OTA_LMS_ERR_BAD_SIGNATURE = -1, /**< well formed, but not made by this key over this
                                         message (another key, another message, a bit flipped) */
    OTA_LMS_ERR_TRUNCATED = -2,     /**< shorter than its parameter sets say it is */
    OTA_LMS_ERR_OVERSIZED = -3,     /**< bytes after the last LMS signature */
    OTA_LMS_ERR_KEY = -4,           /**< the public key is not one: not OTA_LMS_PUBKEY_SIZE
                                         bytes, levels outside 1..OTA_LMS_LEVELS_MAX, or a
                                         type code of no SHA-256 parameter set (of this
                                         build's: OTA_LMS_LEAN_PARAMS) */
    OTA_LMS_ERR_LEVELS = -5,        /**< its Nspk is not the key's levels - 1 */
    OTA_LMS_ERR_PARAMS = -6,        /**< a type code inside it that is not its key's (or, for
                                         a signed lower key, of no parameter set) */
    OTA_LMS_ERR_LEAF = -7,          /**< a leaf index q outside its tree (q >= 2^h) */
    OTA_LMS_ERR_READ = -8,          /**< the source failed to read: no verdict */
    OTA_LMS_ERR_HASH = -9,          /**< the hash engine failed: no verdict */
    OTA_LMS_ERR_ARG = -10,          /**< NULL pointer, or a range outside the source */
} ota_lms_status_t;

/** A short constant English name for a status ("signature truncated"), never NULL. */
const char *ota_lms_status_str(ota_lms_status_t status);

/**
 * Verify an HSS/LMS signature of msg, reading the signature from src at [sig_offset,
 * sig_offset + sig_len). Its shape (levels, types, length) is checked in full before any
 * hash is computed, so a malformed signature costs a few reads. Stack: 1.2 KB on a Cortex-M4
 * with BearSSL's SHA-256 (scripts/cross-check.sh), the same for every parameter set; no heap.
 * @param key, key_len  the HSS public key (OTA_LMS_PUBKEY_SIZE bytes)
 * @param msg, msg_len  the message (an image's: its 32-byte SHA-256 TLV); msg may be NULL
 *                      when msg_len is 0
 * @return OTA_LMS_OK only for a valid signature; otherwise the first problem found.
 */
ota_lms_status_t ota_lms_verify(const uint8_t *key, size_t key_len, const uint8_t *msg,
                                size_t msg_len, const ota_image_source_t *src,
                                uint32_t sig_offset, uint32_t sig_len);

#ifdef __cplusplus
}
#endif

#endif /* OTAFLOW_LMS_H */
