/* SPDX-License-Identifier: Apache-2.0 */
/*
 * RFC 8554's hashes, shared by the verifier (lms.c) and the host signer: each is one short
 * SHA-256 over a fixed layout, written here once.
 */
#include "lms_internal.h"

#include <string.h>

/* LM-OTS with n = 32 (RFC 8554 Table 1): p chains, checksum shift ls, for w = 1, 2, 4, 8. */
static const struct lms_ots_row {
    uint16_t p;
    uint8_t ls;
} LMS_OTS_ROWS[4] = {{265u, 7u}, {133u, 6u}, {67u, 4u}, {34u, 0u}};

bool ota_lms_params_get(uint32_t lms_type, uint32_t ots_type, ota_lms_params_t *out)
{
    if (lms_type < OTA_LMS_SHA256_M32_H5 || lms_type > OTA_LMS_SHA256_M32_H25 ||
        ots_type < OTA_LMOTS_SHA256_N32_W1 || ots_type > OTA_LMOTS_SHA256_N32_W8) {
        return false;
    }
    out->lms_type = lms_type;
    out->ots_type = ots_type;
    out->h = (uint8_t)(5u * (lms_type - 4u));
    out->w = (uint8_t)(1u << (ots_type - 1u));
    out->p = LMS_OTS_ROWS[ots_type - 1u].p;
    out->ls = LMS_OTS_ROWS[ots_type - 1u].ls;
    return true;
}

uint32_t ota_lmots_sig_size(const ota_lms_params_t *pr)
{
    return 4u + OTA_LMS_N * (1u + (uint32_t)pr->p);
}

uint32_t ota_lms_sig_size(const ota_lms_params_t *pr)
{
    return 4u + ota_lmots_sig_size(pr) + 4u + OTA_LMS_N * (uint32_t)pr->h;
}

unsigned ota_lmots_coef(const uint8_t *s, unsigned i, unsigned w)
{
    const unsigned per_byte = 8u / w;
    const unsigned shift = 8u - (w * (i % per_byte) + w);
    return ((unsigned)s[i / per_byte] >> shift) & ((1u << w) - 1u);
}

/* I || u32 q: the prefix of every hash of a leaf's one-time key. */
static void lms_prefix(uint8_t out[OTA_LMS_I_SIZE + 4u], const uint8_t I[OTA_LMS_I_SIZE],
                       uint32_t q)
{
    memcpy(out, I, OTA_LMS_I_SIZE);
    ota_be32_put(out + OTA_LMS_I_SIZE, q);
}

static ota_crypto_status_t lms_start(ota_sha256_t *ctx, const uint8_t I[OTA_LMS_I_SIZE],
                                     uint32_t q, uint16_t d)
{
    uint8_t pre[OTA_LMS_I_SIZE + 6u];
    lms_prefix(pre, I, q);
    pre[OTA_LMS_I_SIZE + 4u] = (uint8_t)(d >> 8);
    pre[OTA_LMS_I_SIZE + 5u] = (uint8_t)(d & 0xFFu);
    ota_crypto_status_t st = ota_sha256_start(ctx);
    return st == OTA_CRYPTO_OK ? ota_sha256_update(ctx, pre, sizeof pre) : st;
}

ota_crypto_status_t ota_lmots_digest(const ota_lms_params_t *pr, const uint8_t I[OTA_LMS_I_SIZE],
                                     uint32_t q, const uint8_t C[OTA_LMS_N], const uint8_t *msg,
                                     size_t msg_len, uint8_t out[OTA_LMS_N + 2u])
{
    ota_sha256_t ctx;
    ota_crypto_status_t st = lms_start(&ctx, I, q, OTA_LMS_D_MESG);
    if (st == OTA_CRYPTO_OK) {
        st = ota_sha256_update(&ctx, C, OTA_LMS_N);
    }
    if (st == OTA_CRYPTO_OK) {
        st = ota_sha256_update(&ctx, msg, msg_len);
    }
    /* finish also releases a context a failed update left. */
    ota_crypto_status_t fin = ota_sha256_finish(&ctx, out);
    if (st != OTA_CRYPTO_OK || fin != OTA_CRYPTO_OK) {
        return st != OTA_CRYPTO_OK ? st : fin;
    }
    const unsigned digits = 8u * OTA_LMS_N / pr->w;
    const unsigned max = (1u << pr->w) - 1u;
    unsigned sum = 0;
    for (unsigned i = 0; i < digits; i++) {
        sum += max - ota_lmots_coef(out, i, pr->w);
    }
    sum <<= pr->ls;
    out[OTA_LMS_N] = (uint8_t)((sum >> 8) & 0xFFu);
    out[OTA_LMS_N + 1u] = (uint8_t)(sum & 0xFFu);
    return OTA_CRYPTO_OK;
}

ota_crypto_status_t ota_lmots_chain(const uint8_t I[OTA_LMS_I_SIZE], uint32_t q, uint16_t i,
                                    unsigned from, unsigned to, uint8_t tmp[OTA_LMS_N])
{
    /* I || q || i || j || tmp: 55 bytes, one SHA-256 block. */
    uint8_t in[OTA_LMS_I_SIZE + 7u + OTA_LMS_N];
    lms_prefix(in, I, q);
    in[OTA_LMS_I_SIZE + 4u] = (uint8_t)(i >> 8);
    in[OTA_LMS_I_SIZE + 5u] = (uint8_t)(i & 0xFFu);
    for (unsigned j = from; j < to; j++) {
        in[OTA_LMS_I_SIZE + 6u] = (uint8_t)j;
        memcpy(in + OTA_LMS_I_SIZE + 7u, tmp, OTA_LMS_N);
        ota_crypto_status_t st = ota_sha256(in, sizeof in, tmp);
        if (st != OTA_CRYPTO_OK) {
            return st;
        }
    }
    return OTA_CRYPTO_OK;
}

ota_crypto_status_t ota_lmots_pub_start(ota_sha256_t *ctx, const uint8_t I[OTA_LMS_I_SIZE],
                                        uint32_t q)
{
    return lms_start(ctx, I, q, OTA_LMS_D_PBLC);
}

ota_crypto_status_t ota_lms_node(const uint8_t I[OTA_LMS_I_SIZE], uint32_t r,
                                 const uint8_t left[OTA_LMS_N], const uint8_t *right,
                                 uint8_t out[OTA_LMS_N])
{
    ota_sha256_t ctx;
    ota_crypto_status_t st = lms_start(&ctx, I, r, right ? OTA_LMS_D_INTR : OTA_LMS_D_LEAF);
    if (st == OTA_CRYPTO_OK) {
        st = ota_sha256_update(&ctx, left, OTA_LMS_N);
    }
    if (st == OTA_CRYPTO_OK && right != NULL) {
        st = ota_sha256_update(&ctx, right, OTA_LMS_N);
    }
    ota_crypto_status_t fin = ota_sha256_finish(&ctx, out);
    return st != OTA_CRYPTO_OK ? st : fin;
}
