/* SPDX-License-Identifier: Apache-2.0 */
/*
 * RFC 8554's hashes, shared by the verifier (lms.c) and the host signer: every one is
 * H(I || u32 q || a 2- or 3-byte tag || data), written here once (lms_hash).
 */
#include "lms_internal.h"

#include <string.h>

#if !OTA_LMS_LEAN_PARAMS
/* LM-OTS with n = 32 (RFC 8554 Table 1): p chains, checksum shift ls, for w = 1, 2, 4, 8. */
static const struct lms_ots_row {
    uint16_t p;
    uint8_t ls;
} LMS_OTS_ROWS[4] = {{265u, 7u}, {133u, 6u}, {67u, 4u}, {34u, 0u}};
#endif

bool ota_lms_params_get(uint32_t lms_type, uint32_t ots_type, ota_lms_params_t *out)
{
#if OTA_LMS_LEAN_PARAMS
    /* Every height costs the same code; only W8's chain count and digits are built in. */
    if (lms_type - OTA_LMS_SHA256_M32_H5 > OTA_LMS_SHA256_M32_H25 - OTA_LMS_SHA256_M32_H5 ||
        ots_type != OTA_LMOTS_SHA256_N32_W8) {
        return false;
    }
    /* filled all the same for the signer's use (the verifier reads the constants) */
    out->w = (uint8_t)OTA_LMOTS_W(out);
    out->p = (uint16_t)OTA_LMOTS_P(out);
    out->ls = (uint8_t)OTA_LMOTS_LS(out);
#else
    if (lms_type - OTA_LMS_SHA256_M32_H5 > OTA_LMS_SHA256_M32_H25 - OTA_LMS_SHA256_M32_H5 ||
        ots_type - OTA_LMOTS_SHA256_N32_W1 > OTA_LMOTS_SHA256_N32_W8 - OTA_LMOTS_SHA256_N32_W1) {
        return false;
    }
    out->w = (uint8_t)(1u << (ots_type - 1u));
    out->p = LMS_OTS_ROWS[ots_type - 1u].p;
    out->ls = LMS_OTS_ROWS[ots_type - 1u].ls;
#endif
    out->lms_type = lms_type;
    out->ots_type = ots_type;
    out->h = (uint8_t)(5u * (lms_type - 4u));
    return true;
}

uint32_t ota_lmots_sig_size(const ota_lms_params_t *pr)
{
    (void)pr; /* a constant with OTA_LMS_LEAN_PARAMS */
    return 4u + OTA_LMS_N * (1u + OTA_LMOTS_P(pr));
}

uint32_t ota_lms_sig_size(const ota_lms_params_t *pr)
{
    return 4u + ota_lmots_sig_size(pr) + 4u + OTA_LMS_N * (uint32_t)pr->h;
}

/* H(I || u32 q || tag || data) into out, where the prefix I || q || tag is pre_len bytes: 23
 * for a 3-byte tag (a chain's u16 i || u8 j), 22 for a 2-byte one (a domain separator D, given
 * as D << 8: LMS_TAG_D); with out NULL, ctx is left open for the caller to add to and finish.
 * Every status is ORed rather than checked (OTA_CRYPTO_OK is 0, every failure another value):
 * the context is always finished (released) by whoever started it, and one failure anywhere
 * fails the whole; with a hash that cannot fail (OTA_SHA256_CAN_FAIL 0: none of the arguments
 * here is NULL) none is looked at, and -flto leaves out the callers' handling of a failure. */
static ota_crypto_status_t lms_hash(ota_sha256_t *ctx, const uint8_t I[OTA_LMS_I_SIZE],
                                    uint32_t q, uint32_t tag, size_t pre_len,
                                    const uint8_t *data, size_t len, uint8_t *out)
{
    uint8_t pre[OTA_LMS_I_SIZE + 7u];
    memcpy(pre, I, OTA_LMS_I_SIZE);
    ota_be32_put(pre + OTA_LMS_I_SIZE, q);
    pre[OTA_LMS_I_SIZE + 4u] = (uint8_t)(tag >> 16);
    pre[OTA_LMS_I_SIZE + 5u] = (uint8_t)(tag >> 8);
    pre[OTA_LMS_I_SIZE + 6u] = (uint8_t)tag;
    int bad = (int)ota_sha256_start(ctx);
    bad |= (int)ota_sha256_update(ctx, pre, pre_len);
    bad |= (int)ota_sha256_update(ctx, data, len);
    if (out != NULL) {
        bad |= (int)ota_sha256_finish(ctx, out);
    }
    return OTA_SHA256_CAN_FAIL && bad != 0 ? OTA_CRYPTO_ERR_HASH : OTA_CRYPTO_OK;
}

/* A domain separator D (RFC 8554 §3) as lms_hash's tag and prefix length. */
#define LMS_TAG_D(d) ((uint32_t)(d) << 8), (OTA_LMS_I_SIZE + 6u)

ota_crypto_status_t ota_lmots_digest(const ota_lms_params_t *pr, const uint8_t I[OTA_LMS_I_SIZE],
                                     uint32_t q, const uint8_t C[OTA_LMS_N], const uint8_t *msg,
                                     size_t msg_len, uint8_t out[OTA_LMS_N + 2u])
{
    (void)pr; /* w and ls are constants with OTA_LMS_LEAN_PARAMS */
    ota_sha256_t ctx;
    int bad = (int)lms_hash(&ctx, I, q, LMS_TAG_D(OTA_LMS_D_MESG), C, OTA_LMS_N, NULL);
    bad |= (int)ota_sha256_update(&ctx, msg, msg_len);
    bad |= (int)ota_sha256_finish(&ctx, out);
    /* On a failure out is zeroed (crypto.h): its checksum is still written, so that no byte
     * of out is left unset whatever the caller does next. */
    const unsigned w = OTA_LMOTS_W(pr);
    const unsigned digits = 8u * OTA_LMS_N / w;
    unsigned sum = 0;
    for (unsigned i = 0; i < digits; i++) {
        sum += ((1u << w) - 1u) - ota_lmots_coef(out, i, w);
    }
    sum <<= OTA_LMOTS_LS(pr);
    out[OTA_LMS_N] = (uint8_t)(sum >> 8);
    out[OTA_LMS_N + 1u] = (uint8_t)sum;
    return OTA_SHA256_CAN_FAIL && bad != 0 ? OTA_CRYPTO_ERR_HASH : OTA_CRYPTO_OK;
}

ota_crypto_status_t ota_lmots_chain(const uint8_t I[OTA_LMS_I_SIZE], uint32_t q, uint16_t i,
                                    unsigned from, unsigned to, uint8_t tmp[OTA_LMS_N])
{
    for (unsigned j = from; j < to; j++) {
        ota_sha256_t ctx;
        /* tag u16 i || u8 j */
        ota_crypto_status_t st = lms_hash(&ctx, I, q, ((uint32_t)i << 8) | j,
                                          OTA_LMS_I_SIZE + 7u, tmp, OTA_LMS_N, tmp);
        if (st != OTA_CRYPTO_OK) {
            return st;
        }
    }
    return OTA_CRYPTO_OK;
}

ota_crypto_status_t ota_lmots_pub_start(ota_sha256_t *ctx, const uint8_t I[OTA_LMS_I_SIZE],
                                        uint32_t q)
{
    return lms_hash(ctx, I, q, LMS_TAG_D(OTA_LMS_D_PBLC), NULL, 0, NULL);
}

ota_crypto_status_t ota_lms_node(const uint8_t I[OTA_LMS_I_SIZE], uint32_t r, const uint8_t *in,
                                 size_t in_len, uint8_t out[OTA_LMS_N])
{
    ota_sha256_t ctx;
    return lms_hash(&ctx, I, r, LMS_TAG_D(in_len == OTA_LMS_N ? OTA_LMS_D_LEAF : OTA_LMS_D_INTR),
                    in, in_len, out);
}
