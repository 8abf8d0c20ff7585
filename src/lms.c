/* SPDX-License-Identifier: Apache-2.0 */
/*
 * HSS/LMS verification (RFC 8554 §5.4.2, §6.3), reading the signature from its source as it
 * goes: one 32-byte chain value or path node at a time, so the stack is the same for every
 * parameter set and nothing of the signature's size is ever buffered. Two passes over the
 * signature: the first reads only its type codes and leaf indices and checks its length
 * against them (a malformed signature is refused before any hashing, and the second pass
 * never reads out of bounds), the second hashes.
 */
#include "otaflow/lms.h"

#include <string.h>

#include "lms_internal.h"
#include "status_text.h"

const char *ota_lms_status_str(ota_lms_status_t status)
{
    OTA_STATUS_TEXT_OFF(status);
    switch (status) {
    case OTA_LMS_OK: return "ok";
    case OTA_LMS_ERR_BAD_SIGNATURE: return "bad signature";
    case OTA_LMS_ERR_TRUNCATED: return "signature truncated";
    case OTA_LMS_ERR_OVERSIZED: return "bytes after the signature";
    case OTA_LMS_ERR_KEY: return "not an HSS/LMS public key";
    case OTA_LMS_ERR_LEVELS: return "signature levels differ from the key's";
    case OTA_LMS_ERR_PARAMS: return "parameter set differs from the key's";
    case OTA_LMS_ERR_LEAF: return "leaf index outside the tree";
    case OTA_LMS_ERR_READ: return "signature read failed";
    case OTA_LMS_ERR_HASH: return "hash engine failed";
    case OTA_LMS_ERR_ARG: return "invalid argument";
    }
    return "unknown LMS status";
}

/* The signature's source, its end, and the message its lowest tree signs. */
typedef struct lms_walk {
    const ota_image_source_t *src;
    uint32_t end;
    const uint8_t *msg;
    size_t msg_len;
} lms_walk_t;

/* A read inside the signature: the caller has bounded it (lms_hss_walk, once per level). */
static ota_lms_status_t lms_read(const lms_walk_t *wk, uint32_t pos, void *buf, uint32_t len)
{
    return wk->src->read(wk->src->ctx, pos, buf, len) == 0 ? OTA_LMS_OK : OTA_LMS_ERR_READ;
}

/* The LMS signature at pos of msg by the tree whose public key is pub (56 bytes; pr its
 * parameters), inside bounds the caller checked. With verify false its type codes and leaf
 * index only; with verify true (after such a pass) the whole: RFC 8554 Algorithm 6a, and 4b
 * for the LM-OTS candidate key. */
static ota_lms_status_t lms_tree_check(const lms_walk_t *wk, uint32_t pos, const uint8_t *pub,
                                       const ota_lms_params_t *pr, const uint8_t *msg,
                                       size_t msg_len, bool verify)
{
    const uint8_t *I = pub + OTA_LMS_PUB_I;
    const uint32_t lms_at = pos + ota_lmots_sig_size(pr) + 4u; /* its LMS type, then the path */
    uint8_t head[8];                                            /* q, LM-OTS type */
    uint8_t lms_type[4];
    ota_lms_status_t st = lms_read(wk, pos, head, sizeof head);
    if (st == OTA_LMS_OK) {
        st = lms_read(wk, lms_at, lms_type, sizeof lms_type);
    }
    if (st != OTA_LMS_OK) {
        return st;
    }
    const uint32_t q = ota_be32_get(head);
    /* the types as the key has them: u32 LMS type, u32 LM-OTS type */
    if (memcmp(head + 4, pub + 4, 4) != 0 || memcmp(lms_type, pub, 4) != 0) {
        return OTA_LMS_ERR_PARAMS;
    }
    if ((q >> pr->h) != 0u) {
        return OTA_LMS_ERR_LEAF;
    }
    if (!verify) {
        return OTA_LMS_OK;
    }
    /* C, then each chain, Kc, and the path's nodes: two children side by side, the node
     * computed last on its side (the right one when its number is odd), its sibling read
     * into the other */
    uint8_t pair[2u * OTA_LMS_N];
    uint8_t d[OTA_LMS_N + 2u]; /* Q || Cksm(Q) */
    st = lms_read(wk, pos + 8u, pair, OTA_LMS_N);
    if (st != OTA_LMS_OK) {
        return st;
    }
    /* hash statuses are ORed: OTA_CRYPTO_OK is 0, every failure another value */
    int bad = (int)ota_lmots_digest(pr, I, q, pair, msg, msg_len, d);
    ota_sha256_t kc;
    bad |= (int)ota_lmots_pub_start(&kc, I, q);
    uint32_t at = pos + 8u;
    for (unsigned i = 0; st == OTA_LMS_OK && i < OTA_LMOTS_P(pr); i++) {
        at += OTA_LMS_N;
        st = lms_read(wk, at, pair, OTA_LMS_N);
        bad |= (int)ota_lmots_chain(I, q, (uint16_t)i, ota_lmots_coef(d, i, OTA_LMOTS_W(pr)),
                                    (1u << OTA_LMOTS_W(pr)) - 1u, pair);
        bad |= (int)ota_sha256_update(&kc, pair, OTA_LMS_N);
    }
    /* finish releases the context whatever happened since its start */
    bad |= (int)ota_sha256_finish(&kc, pair);
    uint32_t r = (1u << pr->h) + q;
    bad |= (int)ota_lms_node(I, r, pair, OTA_LMS_N, pair + OTA_LMS_N * (r & 1u));
    for (at = lms_at + 4u; st == OTA_LMS_OK && r > 1u; at += OTA_LMS_N, r >>= 1) {
        st = lms_read(wk, at, pair + OTA_LMS_N * (~r & 1u), OTA_LMS_N);
        bad |= (int)ota_lms_node(I, r >> 1, pair, sizeof pair,
                                 pair + OTA_LMS_N * ((r >> 1) & 1u));
    }
    if (st != OTA_LMS_OK) {
        return st;
    }
    if (OTA_SHA256_CAN_FAIL && bad != 0) { /* crypto.h */
        return OTA_LMS_ERR_HASH;
    }
    /* the root: node 1, odd */
    return memcmp(pair + OTA_LMS_N, pub + OTA_LMS_PUB_T, OTA_LMS_N) == 0
               ? OTA_LMS_OK
               : OTA_LMS_ERR_BAD_SIGNATURE;
}

/* The HSS signature at pos by the HSS public key `key` (RFC 8554 Algorithm 6), one level at a
 * time: each level's bounds are checked once, here, before its fields are read. With verify
 * false its shape only (the signature's length, levels, type codes, leaf indices), with
 * verify true (after a shape pass succeeded) every level's LMS signature. */
static ota_lms_status_t lms_hss_walk(const lms_walk_t *wk, uint32_t pos, const uint8_t *key,
                                     bool verify)
{
    if (wk->end - pos < 4u) {
        return OTA_LMS_ERR_TRUNCATED;
    }
    uint8_t nspk[4];
    ota_lms_status_t st = lms_read(wk, pos, nspk, sizeof nspk);
    if (st != OTA_LMS_OK) {
        return st;
    }
    const uint32_t levels = ota_be32_get(key);
    if (ota_be32_get(nspk) != levels - 1u) {
        return OTA_LMS_ERR_LEVELS;
    }
    pos += 4u;
    const uint8_t *pub = key + 4;
    uint8_t lower[2][OTA_LMS_LMS_PUB_SIZE]; /* the level below's key: this level's message */
    for (uint32_t level = 0;; level++) {
        ota_lms_params_t pr;
        if (!ota_lms_params_get(ota_be32_get(pub), ota_be32_get(pub + 4), &pr)) {
            return level == 0u ? OTA_LMS_ERR_KEY : OTA_LMS_ERR_PARAMS;
        }
        const bool last = level + 1u == levels;
        const uint32_t size = ota_lms_sig_size(&pr);
        const uint32_t need = size + (last ? 0u : OTA_LMS_LMS_PUB_SIZE);
        if (need > wk->end - pos) {
            return OTA_LMS_ERR_TRUNCATED;
        }
        if (last && need != wk->end - pos) {
            return OTA_LMS_ERR_OVERSIZED;
        }
        const uint8_t *msg = wk->msg;
        size_t msg_len = wk->msg_len;
        if (!last) {
            msg = lower[level & 1u];
            msg_len = OTA_LMS_LMS_PUB_SIZE;
            st = lms_read(wk, pos + size, lower[level & 1u], OTA_LMS_LMS_PUB_SIZE);
        }
        if (st == OTA_LMS_OK) {
            st = lms_tree_check(wk, pos, pub, &pr, msg, msg_len, verify);
        }
        if (st != OTA_LMS_OK || last) {
            return st;
        }
        pub = msg;
        pos += need;
    }
}

ota_lms_status_t ota_lms_verify(const uint8_t *key, size_t key_len, const uint8_t *msg,
                                size_t msg_len, const ota_image_source_t *src,
                                uint32_t sig_offset, uint32_t sig_len)
{
    if (key == NULL || src == NULL || src->read == NULL || (msg == NULL && msg_len != 0u) ||
        sig_offset > src->size || sig_len > src->size - sig_offset) {
        return OTA_LMS_ERR_ARG;
    }
    /* levels 1 to OTA_LMS_LEVELS_MAX (0 wraps round); the top tree's types: lms_hss_walk */
    if (key_len != OTA_LMS_PUBKEY_SIZE || ota_be32_get(key) - 1u >= OTA_LMS_LEVELS_MAX) {
        return OTA_LMS_ERR_KEY;
    }
    const lms_walk_t wk = {src, sig_offset + sig_len, msg, msg_len};
    ota_lms_status_t st = OTA_LMS_OK;
    /* one call in a loop rather than two calls: the walk is not inlined twice */
    for (unsigned verify = 0; st == OTA_LMS_OK && verify < 2u; verify++) {
        st = lms_hss_walk(&wk, sig_offset, key, verify != 0u);
    }
    return st;
}
