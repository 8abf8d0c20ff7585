/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The parts of RFC 8554 that verifying and signing share: the parameter sets, the hashes of a
 * Winternitz chain, of a tree's leaves and nodes, and the message digest with its checksum.
 * Used by the verifier (lms.c) and by otaflow-image's signer (tools/lms_sign.c), so that the
 * two cannot hash differently. Private to src/ and the host tool.
 */
#ifndef OTAFLOW_LMS_INTERNAL_H
#define OTAFLOW_LMS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "otaflow/crypto.h"
#include "otaflow/lms.h"

#include "be_bytes.h"

#define OTA_LMS_N 32u      /* n = m: SHA-256 output bytes */
#define OTA_LMS_I_SIZE 16u /* the key pair identifier I */
#define OTA_LMS_LMS_PUB_SIZE 56u /* one tree's public key: types, I, T[1] */
#define OTA_LMS_PUB_I 8u         /* ... its I at this offset */
#define OTA_LMS_PUB_T 24u        /* ... its T[1] at this offset */

/* Domain separators (RFC 8554 §3). */
#define OTA_LMS_D_PBLC 0x8080u
#define OTA_LMS_D_MESG 0x8181u
#define OTA_LMS_D_LEAF 0x8282u
#define OTA_LMS_D_INTR 0x8383u

/** One tree's parameter set: LMS type (height h) and LM-OTS type (Winternitz w, p chains,
 *  checksum shift ls). Read w, p and ls through OTA_LMOTS_W/P/LS: constants in a build with
 *  OTA_LMS_LEAN_PARAMS, where LMOTS_SHA256_N32_W8 is the only LM-OTS type. */
typedef struct ota_lms_params {
    uint32_t lms_type;
    uint32_t ots_type;
    uint8_t h;
    uint8_t w;
    uint16_t p;
    uint8_t ls;
} ota_lms_params_t;

#if OTA_LMS_LEAN_PARAMS
#define OTA_LMOTS_W(pr) 8u
#define OTA_LMOTS_P(pr) 34u
#define OTA_LMOTS_LS(pr) 0u
#else
#define OTA_LMOTS_W(pr) ((unsigned)(pr)->w)
#define OTA_LMOTS_P(pr) ((unsigned)(pr)->p)
#define OTA_LMOTS_LS(pr) ((unsigned)(pr)->ls)
#endif

/** The parameter set of a pair of type codes; false when either has none (with
 *  OTA_LMS_LEAN_PARAMS: none in this build). */
bool ota_lms_params_get(uint32_t lms_type, uint32_t ots_type, ota_lms_params_t *out);

/** Bytes of an LM-OTS signature (type, C, p chain values) and of an LMS signature (q, the
 *  LM-OTS signature, type, h path nodes) of these parameters. */
uint32_t ota_lmots_sig_size(const ota_lms_params_t *pr);
uint32_t ota_lms_sig_size(const ota_lms_params_t *pr);

/** Q || Cksm(Q) (RFC 8554 §4.4): Q = H(I || u32 q || D_MESG || C || msg), then the 16-bit
 *  checksum of its w-bit digits, shifted left by ls. out: OTA_LMS_N + 2 bytes. */
ota_crypto_status_t ota_lmots_digest(const ota_lms_params_t *pr, const uint8_t I[OTA_LMS_I_SIZE],
                                     uint32_t q, const uint8_t C[OTA_LMS_N], const uint8_t *msg,
                                     size_t msg_len, uint8_t out[OTA_LMS_N + 2u]);

/** The i-th w-bit digit of s (coef, RFC 8554 §3.1.3): inline, so that with w a constant 8
 *  (OTA_LMS_LEAN_PARAMS) it is s[i]. */
static inline unsigned ota_lmots_coef(const uint8_t *s, unsigned i, unsigned w)
{
    const unsigned per_byte = 8u / w;
    const unsigned shift = 8u - (w * (i % per_byte) + w);
    return ((unsigned)s[i / per_byte] >> shift) & ((1u << w) - 1u);
}

/** Walk chain i of leaf q from step `from` to step `to` (exclusive): tmp = H(I || u32 q ||
 *  u16 i || u8 j || tmp) for j in [from, to). */
ota_crypto_status_t ota_lmots_chain(const uint8_t I[OTA_LMS_I_SIZE], uint32_t q, uint16_t i,
                                    unsigned from, unsigned to, uint8_t tmp[OTA_LMS_N]);

/** Start the LM-OTS public key hash K = H(I || u32 q || D_PBLC || z[0] || ... ): the caller
 *  adds the p chain ends and finishes. */
ota_crypto_status_t ota_lmots_pub_start(ota_sha256_t *ctx, const uint8_t I[OTA_LMS_I_SIZE],
                                        uint32_t q);

/** A tree node: node r = H(I || u32 r || D_LEAF || K) for a leaf (in: its LM-OTS public key K,
 *  OTA_LMS_N bytes), else H(I || u32 r || D_INTR || left || right) (in: the two children side
 *  by side, 2 * OTA_LMS_N bytes). out may overlap in. */
ota_crypto_status_t ota_lms_node(const uint8_t I[OTA_LMS_I_SIZE], uint32_t r, const uint8_t *in,
                                 size_t in_len, uint8_t out[OTA_LMS_N]);

#endif /* OTAFLOW_LMS_INTERNAL_H */
