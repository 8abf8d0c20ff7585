/* SPDX-License-Identifier: Apache-2.0 */
/*
 * HSS/LMS signing (RFC 8554 §4.5, §5.4.1, §6.2) and key derivation (tools/lms_key.h): each
 * tree is rebuilt from its seed when it signs (2^h leaves of p chains of 2^w - 1 hashes), so
 * the key file holds a seed and a counter, never a tree. The hashes themselves are the
 * verifier's (src/lms_common.c), so signer and verifier cannot disagree on a layout.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lms_key.h"
#include "tool.h"

/* Derivation indices above any chain index (p <= 265): lms_key.h. */
#define LMS_DERIVE_C 0xFFFDu
#define LMS_DERIVE_SEED 0xFFFEu
#define LMS_DERIVE_I 0xFFFFu

/* One tree: its parameters, secret seed, identifier, and (once built) its nodes, node r at
 * nodes[r] for r in [1, 2^(h+1)) as RFC 8554 numbers them. */
typedef struct lms_tree {
    const ota_lms_params_t *pr;
    uint8_t seed[OTA_LMS_N];
    uint8_t I[OTA_LMS_I_SIZE];
    uint8_t (*nodes)[OTA_LMS_N];
} lms_tree_t;

/* H(I || u32 q || u16 i || u8 0xff || SEED): RFC 8554 Appendix A, and lms_key.h's uses. */
static void lms_derive(const lms_tree_t *t, uint32_t q, uint16_t i, uint8_t out[OTA_LMS_N])
{
    uint8_t in[OTA_LMS_I_SIZE + 7u + OTA_LMS_N];
    memcpy(in, t->I, OTA_LMS_I_SIZE);
    ota_be32_put(in + OTA_LMS_I_SIZE, q);
    in[OTA_LMS_I_SIZE + 4u] = (uint8_t)(i >> 8);
    in[OTA_LMS_I_SIZE + 5u] = (uint8_t)(i & 0xFFu);
    in[OTA_LMS_I_SIZE + 6u] = 0xFFu;
    memcpy(in + OTA_LMS_I_SIZE + 7u, t->seed, OTA_LMS_N);
    tool_sha256(in, sizeof in, out);
}

/* A host hash engine does not fail; if one did, no signature must come out of it. */
static void lms_check(ota_crypto_status_t st)
{
    if (st != OTA_CRYPTO_OK) {
        fprintf(stderr, "otaflow-image: SHA-256 failed while signing\n");
        abort();
    }
}

static int lms_tree_build(lms_tree_t *t, char *why, size_t why_len)
{
    const uint32_t leaves = 1u << t->pr->h;
    t->nodes = calloc(2u * (size_t)leaves, OTA_LMS_N);
    if (t->nodes == NULL) {
        return tool_why(why, why_len, "out of memory for a tree of %u leaves", (unsigned)leaves);
    }
    const unsigned top = (1u << t->pr->w) - 1u;
    for (uint32_t q = 0; q < leaves; q++) {
        ota_sha256_t k;
        lms_check(ota_lmots_pub_start(&k, t->I, q));
        for (uint16_t i = 0; i < t->pr->p; i++) {
            uint8_t z[OTA_LMS_N];
            lms_derive(t, q, i, z);
            lms_check(ota_lmots_chain(t->I, q, i, 0, top, z));
            lms_check(ota_sha256_update(&k, z, sizeof z));
        }
        uint8_t kq[OTA_LMS_N];
        lms_check(ota_sha256_finish(&k, kq));
        lms_check(ota_lms_node(t->I, leaves + q, kq, OTA_LMS_N, t->nodes[leaves + q]));
    }
    for (uint32_t r = leaves - 1u; r >= 1u; r--) {
        lms_check(ota_lms_node(t->I, r, t->nodes[2u * r], 2u * OTA_LMS_N, t->nodes[r]));
    }
    return 0;
}

/* The tree's LMS public key: types, I, T[1] (56 bytes). */
static void lms_tree_public(const lms_tree_t *t, uint8_t out[OTA_LMS_LMS_PUB_SIZE])
{
    ota_be32_put(out, t->pr->lms_type);
    ota_be32_put(out + 4, t->pr->ots_type);
    memcpy(out + 8, t->I, OTA_LMS_I_SIZE);
    memcpy(out + 8 + OTA_LMS_I_SIZE, t->nodes[1], OTA_LMS_N);
}

/* The tree under leaf q of parent. */
static void lms_tree_child(const lms_tree_t *parent, uint32_t q, const ota_lms_params_t *pr,
                           lms_tree_t *child)
{
    uint8_t id[OTA_LMS_N];
    child->pr = pr;
    child->nodes = NULL;
    lms_derive(parent, q, LMS_DERIVE_SEED, child->seed);
    lms_derive(parent, q, LMS_DERIVE_I, id);
    memcpy(child->I, id, OTA_LMS_I_SIZE);
}

/* The LMS signature of msg by leaf q of the built tree t, into out (ota_lms_sig_size). */
static void lms_tree_sign(const lms_tree_t *t, uint32_t q, const uint8_t *msg, size_t msg_len,
                          uint8_t *out)
{
    const ota_lms_params_t *pr = t->pr;
    uint8_t *c = out + 8;
    ota_be32_put(out, q);
    ota_be32_put(out + 4, pr->ots_type);
    lms_derive(t, q, LMS_DERIVE_C, c);
    uint8_t digest[OTA_LMS_N + 2u];
    lms_check(ota_lmots_digest(pr, t->I, q, c, msg, msg_len, digest));
    uint8_t *y = c + OTA_LMS_N;
    for (uint16_t i = 0; i < pr->p; i++, y += OTA_LMS_N) {
        lms_derive(t, q, i, y);
        lms_check(ota_lmots_chain(t->I, q, i, 0, ota_lmots_coef(digest, i, pr->w), y));
    }
    ota_be32_put(y, pr->lms_type);
    uint8_t *path = y + 4;
    for (uint32_t r = (1u << pr->h) + q; r > 1u; r >>= 1, path += OTA_LMS_N) {
        memcpy(path, t->nodes[r ^ 1u], OTA_LMS_N);
    }
}

int tool_lms_types(uint32_t levels, uint32_t height, uint32_t w, uint32_t *lms_type,
                   uint32_t *ots_type, char *why, size_t why_len)
{
    ota_lms_params_t pr;
    *lms_type = height % 5u == 0u ? 4u + height / 5u : 0u;
    *ots_type = w == 1u ? 1u : w == 2u ? 2u : w == 4u ? 3u : w == 8u ? 4u : 0u;
    if (levels < 1u || levels > OTA_LMS_LEVELS_MAX || height > TOOL_LMS_HEIGHT_MAX ||
        !ota_lms_params_get(*lms_type, *ots_type, &pr) || height * levels > 62u) {
        return tool_why(why, why_len, "%u level%s of height %u, w %u: the signer makes 1 to %u "
                        "levels of trees of height 5, 10 or 15 (at most 62 in all) with w 1, 2, "
                        "4 or 8", (unsigned)levels, levels == 1u ? "" : "s", (unsigned)height,
                        (unsigned)w, (unsigned)OTA_LMS_LEVELS_MAX);
    }
    return 0;
}

int tool_lms_derive(tool_lms_key_t *key, uint32_t levels, uint32_t lms_type, uint32_t ots_type,
                    const uint8_t seed[OTA_LMS_N], const uint8_t I[OTA_LMS_I_SIZE], char *why,
                    size_t why_len)
{
    memset(key, 0, sizeof *key);
    ota_lms_params_t pr;
    uint32_t lt = 0, ot = 0;
    if (!ota_lms_params_get(lms_type, ots_type, &pr) ||
        tool_lms_types(levels, pr.h, pr.w, &lt, &ot, why, why_len) != 0) {
        return tool_why(why, why_len, "LMS type %u / LM-OTS type %u, %u levels: not a parameter "
                        "set the signer makes", (unsigned)lms_type, (unsigned)ots_type,
                        (unsigned)levels);
    }
    key->levels = levels;
    for (uint32_t k = 0; k < levels; k++) {
        key->params[k] = pr;
    }
    memcpy(key->seed, seed, OTA_LMS_N);
    memcpy(key->I, I, OTA_LMS_I_SIZE);
    lms_tree_t top = {.pr = &key->params[0]};
    memcpy(top.seed, seed, OTA_LMS_N);
    memcpy(top.I, I, OTA_LMS_I_SIZE);
    if (lms_tree_build(&top, why, why_len) != 0) {
        return -1;
    }
    ota_be32_put(key->pub, levels);
    lms_tree_public(&top, key->pub + 4);
    free(top.nodes);
    tool_sha256(key->pub, sizeof key->pub, key->key_id);
    return 0;
}

int tool_lms_sign(const tool_lms_key_t *key, uint64_t index, const uint8_t *msg, size_t msg_len,
                  uint8_t *sig, char *why, size_t why_len)
{
    if (index >= tool_lms_total(key)) {
        return tool_why(why, why_len, "signature index %llu outside the key's %llu",
                        (unsigned long long)index, (unsigned long long)tool_lms_total(key));
    }
    /* The index's bits, top level first: the leaf each level signs with. */
    uint32_t leaf[OTA_LMS_LEVELS_MAX];
    uint64_t rest = index;
    for (uint32_t k = key->levels; k-- > 0;) {
        leaf[k] = (uint32_t)(rest & ((1u << key->params[k].h) - 1u));
        rest >>= key->params[k].h;
    }
    ota_be32_put(sig, key->levels - 1u);
    uint8_t *out = sig + 4;
    lms_tree_t tree = {.pr = &key->params[0]};
    memcpy(tree.seed, key->seed, OTA_LMS_N);
    memcpy(tree.I, key->I, OTA_LMS_I_SIZE);
    if (lms_tree_build(&tree, why, why_len) != 0) {
        return -1;
    }
    for (uint32_t k = 0; k + 1u < key->levels; k++) {
        lms_tree_t child;
        lms_tree_child(&tree, leaf[k], &key->params[k + 1u], &child);
        if (lms_tree_build(&child, why, why_len) != 0) {
            free(tree.nodes);
            return -1;
        }
        uint8_t child_pub[OTA_LMS_LMS_PUB_SIZE];
        lms_tree_public(&child, child_pub);
        lms_tree_sign(&tree, leaf[k], child_pub, sizeof child_pub, out);
        out += ota_lms_sig_size(tree.pr);
        memcpy(out, child_pub, sizeof child_pub);
        out += sizeof child_pub;
        free(tree.nodes);
        tree = child;
    }
    lms_tree_sign(&tree, leaf[key->levels - 1u], msg, msg_len, out);
    free(tree.nodes);
    return 0;
}

uint64_t tool_lms_total(const tool_lms_key_t *key)
{
    unsigned bits = 0;
    for (uint32_t k = 0; k < key->levels; k++) {
        bits += key->params[k].h;
    }
    return (uint64_t)1u << bits;
}

uint64_t tool_lms_left(const tool_lms_key_t *key)
{
    uint64_t total = tool_lms_total(key);
    return key->next < total ? total - key->next : 0u;
}

size_t tool_lms_sig_size(const tool_lms_key_t *key)
{
    size_t n = 4u;
    for (uint32_t k = 0; k < key->levels; k++) {
        n += ota_lms_sig_size(&key->params[k]) + (k + 1u < key->levels ? OTA_LMS_LMS_PUB_SIZE : 0u);
    }
    return n;
}

void tool_lms_params_name(const ota_lms_params_t *pr, char *out, size_t out_len)
{
    snprintf(out, out_len, "LMS_SHA256_M32_H%u/LMOTS_SHA256_N32_W%u", (unsigned)pr->h,
             (unsigned)pr->w);
}
