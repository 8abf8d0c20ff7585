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

/* One tree's public key, decoded. */
typedef struct lms_key {
    ota_lms_params_t pr;
    uint8_t I[OTA_LMS_I_SIZE];
    uint8_t T[OTA_LMS_N];
} lms_key_t;

/* The signature's bytes: [start, end) of src. */
typedef struct lms_walk {
    const ota_image_source_t *src;
    uint32_t start;
    uint32_t end;
} lms_walk_t;

static bool lms_key_decode(const uint8_t raw[OTA_LMS_LMS_PUB_SIZE], lms_key_t *k)
{
    for (unsigned i = 0; i < OTA_LMS_I_SIZE; i++) {
        k->I[i] = raw[8u + i];
    }
    for (unsigned i = 0; i < OTA_LMS_N; i++) {
        k->T[i] = raw[8u + OTA_LMS_I_SIZE + i];
    }
    return ota_lms_params_get(ota_be32_get(raw), ota_be32_get(raw + 4), &k->pr);
}

static ota_lms_status_t lms_read(const lms_walk_t *wk, uint32_t pos, void *buf, uint32_t len)
{
    if (pos > wk->end || len > wk->end - pos) {
        return OTA_LMS_ERR_TRUNCATED;
    }
    return wk->src->read(wk->src->ctx, pos, buf, len) == 0 ? OTA_LMS_OK : OTA_LMS_ERR_READ;
}

static ota_lms_status_t lms_read_u32(const lms_walk_t *wk, uint32_t pos, uint32_t *out)
{
    uint8_t b[4];
    ota_lms_status_t st = lms_read(wk, pos, b, sizeof b);
    *out = ota_be32_get(b);
    return st;
}

/* The LMS signature at pos by key k: its types must be k's, its leaf inside k's tree, and it
 * must fit before the end; *size receives its length. */
static ota_lms_status_t lms_sig_shape(const lms_walk_t *wk, uint32_t pos, const lms_key_t *k,
                                      uint32_t *size)
{
    *size = ota_lms_sig_size(&k->pr);
    if (pos > wk->end || *size > wk->end - pos) {
        return OTA_LMS_ERR_TRUNCATED;
    }
    uint32_t q = 0, ots_type = 0, lms_type = 0;
    ota_lms_status_t st = lms_read_u32(wk, pos, &q);
    if (st == OTA_LMS_OK) {
        st = lms_read_u32(wk, pos + 4u, &ots_type);
    }
    if (st == OTA_LMS_OK) {
        st = lms_read_u32(wk, pos + 4u + ota_lmots_sig_size(&k->pr), &lms_type);
    }
    if (st != OTA_LMS_OK) {
        return st;
    }
    if (ots_type != k->pr.ots_type || lms_type != k->pr.lms_type) {
        return OTA_LMS_ERR_PARAMS;
    }
    return (q >> k->pr.h) != 0u ? OTA_LMS_ERR_LEAF : OTA_LMS_OK;
}

static ota_lms_status_t lms_hashed(ota_crypto_status_t st)
{
    return st == OTA_CRYPTO_OK ? OTA_LMS_OK : OTA_LMS_ERR_HASH;
}

/* The LM-OTS candidate public key Kc of the signature at pos (RFC 8554 Algorithm 4b), into kc. */
static ota_lms_status_t lms_ots_candidate(const lms_walk_t *wk, uint32_t pos, const lms_key_t *k,
                                          uint32_t q, const uint8_t *msg, size_t msg_len,
                                          uint8_t kc[OTA_LMS_N])
{
    const ota_lms_params_t *pr = &k->pr;
    uint8_t digest[OTA_LMS_N + 2u];
    ota_lms_status_t st = lms_read(wk, pos + 8u, kc, OTA_LMS_N); /* C, for a moment */
    if (st == OTA_LMS_OK) {
        st = lms_hashed(ota_lmots_digest(pr, k->I, q, kc, msg, msg_len, digest));
    }
    if (st != OTA_LMS_OK) {
        return st;
    }
    ota_sha256_t pub;
    st = lms_hashed(ota_lmots_pub_start(&pub, k->I, q));
    const unsigned top = (1u << pr->w) - 1u;
    uint32_t y = pos + 8u + OTA_LMS_N;
    for (uint16_t i = 0; st == OTA_LMS_OK && i < pr->p; i++, y += OTA_LMS_N) {
        st = lms_read(wk, y, kc, OTA_LMS_N);
        if (st == OTA_LMS_OK) {
            st = lms_hashed(ota_lmots_chain(k->I, q, i, ota_lmots_coef(digest, i, pr->w), top, kc));
        }
        if (st == OTA_LMS_OK) {
            st = lms_hashed(ota_sha256_update(&pub, kc, OTA_LMS_N));
        }
    }
    /* finish releases the context whatever happened since its start */
    ota_lms_status_t fin = lms_hashed(ota_sha256_finish(&pub, kc));
    return st != OTA_LMS_OK ? st : fin;
}

/* The LMS signature at pos (its shape checked) of msg by key k (RFC 8554 Algorithm 6a). */
static ota_lms_status_t lms_sig_verify(const lms_walk_t *wk, uint32_t pos, const lms_key_t *k,
                                       const uint8_t *msg, size_t msg_len)
{
    uint32_t q = 0;
    ota_lms_status_t st = lms_read_u32(wk, pos, &q);
    uint8_t node[OTA_LMS_N];
    if (st == OTA_LMS_OK) {
        st = lms_ots_candidate(wk, pos, k, q, msg, msg_len, node);
    }
    uint32_t r = (1u << k->pr.h) + q;
    if (st == OTA_LMS_OK) {
        st = lms_hashed(ota_lms_node(k->I, r, node, NULL, node));
    }
    uint32_t path = pos + 4u + ota_lmots_sig_size(&k->pr) + 4u;
    for (unsigned i = 0; st == OTA_LMS_OK && i < k->pr.h; i++, path += OTA_LMS_N, r >>= 1) {
        uint8_t sibling[OTA_LMS_N];
        st = lms_read(wk, path, sibling, OTA_LMS_N);
        if (st == OTA_LMS_OK) {
            st = lms_hashed((r & 1u) != 0u ? ota_lms_node(k->I, r >> 1, sibling, node, node)
                                           : ota_lms_node(k->I, r >> 1, node, sibling, node));
        }
    }
    if (st != OTA_LMS_OK) {
        return st;
    }
    uint8_t diff = 0;
    for (unsigned i = 0; i < OTA_LMS_N; i++) {
        diff |= (uint8_t)(node[i] ^ k->T[i]);
    }
    return diff == 0u ? OTA_LMS_OK : OTA_LMS_ERR_BAD_SIGNATURE;
}

/* The HSS signature (RFC 8554 Algorithm 6): with verify false only its shape, with verify true
 * (after a shape pass succeeded) every level's LMS signature. */
static ota_lms_status_t lms_hss_walk(const lms_walk_t *wk, const lms_key_t *top, uint32_t levels,
                                     const uint8_t *msg, size_t msg_len, bool verify)
{
    uint32_t nspk = 0;
    ota_lms_status_t st = lms_read_u32(wk, wk->start, &nspk);
    if (st != OTA_LMS_OK) {
        return st;
    }
    if (nspk != levels - 1u) {
        return OTA_LMS_ERR_LEVELS;
    }
    lms_key_t key = *top;
    uint32_t pos = wk->start + 4u;
    for (uint32_t level = 0;; level++) {
        uint32_t size = 0;
        st = lms_sig_shape(wk, pos, &key, &size);
        if (st != OTA_LMS_OK) {
            return st;
        }
        if (level == nspk) {
            if (verify) {
                return lms_sig_verify(wk, pos, &key, msg, msg_len);
            }
            return wk->end - pos == size ? OTA_LMS_OK : OTA_LMS_ERR_OVERSIZED;
        }
        /* The signed public key of the level below: the message of this level's signature. */
        uint8_t lower[OTA_LMS_LMS_PUB_SIZE];
        st = lms_read(wk, pos + size, lower, sizeof lower);
        if (st != OTA_LMS_OK) {
            return st;
        }
        if (verify) {
            st = lms_sig_verify(wk, pos, &key, lower, sizeof lower);
            if (st != OTA_LMS_OK) {
                return st;
            }
        }
        if (!lms_key_decode(lower, &key)) {
            return OTA_LMS_ERR_PARAMS;
        }
        pos += size + OTA_LMS_LMS_PUB_SIZE;
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
    lms_key_t top;
    if (key_len != OTA_LMS_PUBKEY_SIZE) {
        return OTA_LMS_ERR_KEY;
    }
    const uint32_t levels = ota_be32_get(key);
    if (levels < 1u || levels > OTA_LMS_LEVELS_MAX || !lms_key_decode(key + 4, &top)) {
        return OTA_LMS_ERR_KEY;
    }
    const lms_walk_t wk = {src, sig_offset, sig_offset + sig_len};
    ota_lms_status_t st = lms_hss_walk(&wk, &top, levels, msg, msg_len, false);
    return st == OTA_LMS_OK ? lms_hss_walk(&wk, &top, levels, msg, msg_len, true) : st;
}
