/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SHA-256 (FIPS 180-4) written for this project, rolled for size: one round loop over the K
 * table, a 16-word rolling message schedule, the padding fed through the update path. It
 * replaces the crypto backend's SHA-256 when OTA_SHA256_SMALL is 1 (include/otaflow/config.h):
 * the backend then does only the signatures. Chosen by the lean bootloaders, where it is
 * smaller than BearSSL's SHA-256 and slower per byte (docs/decisions.md, "A compact SHA-256
 * for the lean bootloaders"). Software only: it cannot fail, so there is no sticky failure
 * to keep. Stack: the block function's 16 schedule words and 8 working words; no heap.
 * Byte-wise loads and stores: the same digest on either byte order.
 */
#include "otaflow/crypto.h"

#if OTA_SHA256_SMALL

#include "be_bytes.h"
#include "crypto_oneshot.h"
#include "ota_noinline.h"

#include <string.h>

typedef struct sha256_small {
    uint32_t h[8];    /* the chaining value H(i) */
    uint64_t count;   /* bytes hashed so far */
    uint8_t buf[64];  /* the block being filled: count % 64 bytes of it */
} sha256_small_t;

_Static_assert(sizeof(sha256_small_t) <= sizeof(((ota_sha256_t *)0)->opaque),
               "ota_sha256_t too small for the compact SHA-256");

/* FIPS 180-4 §4.2.2: the first 32 bits of the fractional parts of the cube roots of the
 * first 64 primes. */
static const uint32_t sha256_small_k[64] = {
    0x428a2f98u, 0x71374491u, 0xb5c0fbcfu, 0xe9b5dba5u, 0x3956c25bu, 0x59f111f1u, 0x923f82a4u,
    0xab1c5ed5u, 0xd807aa98u, 0x12835b01u, 0x243185beu, 0x550c7dc3u, 0x72be5d74u, 0x80deb1feu,
    0x9bdc06a7u, 0xc19bf174u, 0xe49b69c1u, 0xefbe4786u, 0x0fc19dc6u, 0x240ca1ccu, 0x2de92c6fu,
    0x4a7484aau, 0x5cb0a9dcu, 0x76f988dau, 0x983e5152u, 0xa831c66du, 0xb00327c8u, 0xbf597fc7u,
    0xc6e00bf3u, 0xd5a79147u, 0x06ca6351u, 0x14292967u, 0x27b70a85u, 0x2e1b2138u, 0x4d2c6dfcu,
    0x53380d13u, 0x650a7354u, 0x766a0abbu, 0x81c2c92eu, 0x92722c85u, 0xa2bfe8a1u, 0xa81a664bu,
    0xc24b8b70u, 0xc76c51a3u, 0xd192e819u, 0xd6990624u, 0xf40e3585u, 0x106aa070u, 0x19a4c116u,
    0x1e376c08u, 0x2748774cu, 0x34b0bcb5u, 0x391c0cb3u, 0x4ed8aa4au, 0x5b9cca4fu, 0x682e6ff3u,
    0x748f82eeu, 0x78a5636fu, 0x84c87814u, 0x8cc70208u, 0x90befffau, 0xa4506cebu, 0xbef9a3f7u,
    0xc67178f2u,
};

/* FIPS 180-4 §5.3.3: the first 32 bits of the fractional parts of the square roots of the
 * first 8 primes. */
static const uint32_t sha256_small_h0[8] = {
    0x6a09e667u, 0xbb67ae85u, 0x3c6ef372u, 0xa54ff53au,
    0x510e527fu, 0x9b05688cu, 0x1f83d9abu, 0x5be0cd19u,
};

static uint32_t sha256_small_rotr(uint32_t x, unsigned n)
{
    return (x >> n) | (x << (32u - n));
}

static uint32_t sha256_small_sigma(uint32_t x, unsigned r1, unsigned r2, unsigned r3)
{
    return sha256_small_rotr(x, r1) ^ sha256_small_rotr(x, r2) ^ sha256_small_rotr(x, r3);
}

/* The 64 rounds of §6.2.2 on one 64-byte block, in one loop (no unrolling: the size is the
 * point). The schedule keeps only W[t-16..t-1]: W[t] overwrites W[t-16] in the same slot
 * (t mod 16). The working variables are eight named locals that the compiler keeps in
 * registers: an array shifted by a loop each round was 52 B smaller on a Cortex-M4 and
 * 1.7 times slower (docs/decisions.md). */
static void sha256_small_block(uint32_t h[8], const uint8_t *block)
{
    uint32_t w[16];
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    for (unsigned t = 0; t < 64u; t++) {
        uint32_t wt;
        if (t < 16u) {
            wt = ota_be32_get(block + 4u * t);
        } else {
            uint32_t w15 = w[(t - 15u) & 15u];
            uint32_t w2 = w[(t - 2u) & 15u];
            uint32_t s0 = sha256_small_rotr(w15, 7) ^ sha256_small_rotr(w15, 18) ^ (w15 >> 3);
            uint32_t s1 = sha256_small_rotr(w2, 17) ^ sha256_small_rotr(w2, 19) ^ (w2 >> 10);
            wt = w[t & 15u] + s0 + w[(t - 7u) & 15u] + s1;
        }
        w[t & 15u] = wt;
        uint32_t t1 = hh + sha256_small_sigma(e, 6, 11, 25) + ((e & f) ^ (~e & g)) +
                      sha256_small_k[t] + wt;
        uint32_t t2 = sha256_small_sigma(a, 2, 13, 22) + ((a & b) ^ (a & c) ^ (b & c));
        hh = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
    h[5] += f;
    h[6] += g;
    h[7] += hh;
}

/* The chaining value as the digest's (or a midstate's) 32 big-endian bytes. */
static void sha256_small_put(uint8_t out[OTA_SHA256_SIZE], const uint32_t h[8])
{
    for (unsigned i = 0; i < 8u; i++) {
        ota_be32_put(out + 4u * i, h[i]);
    }
}

static sha256_small_t *sha256_small_of(ota_sha256_t *ctx)
{
    return (sha256_small_t *)(void *)ctx->opaque;
}

static const sha256_small_t *sha256_small_of_const(const ota_sha256_t *ctx)
{
    return (const sha256_small_t *)(const void *)ctx->opaque;
}

/* The computation itself cannot fail: the public functions below only refuse NULL
 * arguments and then return OK. Kept apart so that a caller whose pointers are known (the
 * lean bootloaders' hash pass, whose contexts are static) sees, once -flto inlines the
 * check, a status that is always OK, and drops its own handling of a failed hash. */
static OTA_NOINLINE void sha256_small_start(sha256_small_t *s)
{
    memcpy(s->h, sha256_small_h0, sizeof s->h);
    s->count = 0;
}

ota_crypto_status_t ota_sha256_start(ota_sha256_t *ctx)
{
    if (ctx == NULL) {
        return OTA_CRYPTO_ERR_ARG;
    }
    sha256_small_start(sha256_small_of(ctx));
    return OTA_CRYPTO_OK;
}

/* Whole blocks are hashed from the caller's buffer; only a partial block is copied. */
static OTA_NOINLINE void sha256_small_feed(sha256_small_t *s, const uint8_t *p, size_t len)
{
    size_t used = (size_t)(s->count & 63u);
    s->count += len;
    while (len > 0u) {
        if (used == 0u && len >= 64u) {
            sha256_small_block(s->h, p);
            p += 64;
            len -= 64u;
            continue;
        }
        size_t n = 64u - used < len ? 64u - used : len;
        memcpy(s->buf + used, p, n);
        used += n;
        p += n;
        len -= n;
        if (used == 64u) {
            sha256_small_block(s->h, s->buf);
            used = 0;
        }
    }
}

ota_crypto_status_t ota_sha256_update(ota_sha256_t *ctx, const void *data, size_t len)
{
    if (ctx == NULL || (data == NULL && len != 0u)) {
        return OTA_CRYPTO_ERR_ARG;
    }
    sha256_small_feed(sha256_small_of(ctx), (const uint8_t *)data, len);
    return OTA_CRYPTO_OK;
}

static OTA_NOINLINE void sha256_small_finish(sha256_small_t *s, uint8_t out[OTA_SHA256_SIZE])
{
    /* §5.1.1: a 1 bit, zeros up to 56 bytes into a block, the length in bits as 64 bits
     * big-endian; fed like data, which costs no code of its own. */
    uint64_t bits = s->count << 3;
    uint8_t pad = 0x80u;
    do {
        sha256_small_feed(s, &pad, 1u);
        pad = 0u;
    } while ((s->count & 63u) != 56u);
    uint8_t len_be[8];
    ota_be32_put(len_be, (uint32_t)(bits >> 32));
    ota_be32_put(len_be + 4, (uint32_t)bits);
    sha256_small_feed(s, len_be, sizeof len_be);
    sha256_small_put(out, s->h);
}

ota_crypto_status_t ota_sha256_finish(ota_sha256_t *ctx, uint8_t out[OTA_SHA256_SIZE])
{
    if (ctx == NULL || out == NULL) {
        return OTA_CRYPTO_ERR_ARG;
    }
    sha256_small_finish(sha256_small_of(ctx), out);
    return OTA_CRYPTO_OK;
}

ota_crypto_status_t ota_sha256_save(const ota_sha256_t *ctx, ota_sha256_midstate_t *out)
{
    if (ctx == NULL || out == NULL) {
        return OTA_CRYPTO_ERR_ARG;
    }
    const sha256_small_t *s = sha256_small_of_const(ctx);
    if ((s->count & 63u) != 0u || s->count > UINT32_MAX) {
        return OTA_CRYPTO_ERR_ARG;
    }
    sha256_small_put(out->chaining, s->h);
    out->bytes = (uint32_t)s->count;
    return OTA_CRYPTO_OK;
}

ota_crypto_status_t ota_sha256_restore(ota_sha256_t *ctx, const ota_sha256_midstate_t *in)
{
    if (ctx == NULL || in == NULL || (in->bytes & 63u) != 0u) {
        return OTA_CRYPTO_ERR_ARG;
    }
    sha256_small_t *s = sha256_small_of(ctx);
    for (unsigned i = 0; i < 8u; i++) {
        s->h[i] = ota_be32_get(in->chaining + 4u * i);
    }
    s->count = in->bytes;
    return OTA_CRYPTO_OK;
}

ota_crypto_status_t ota_sha256_copy(ota_sha256_t *dst, const ota_sha256_t *src)
{
    if (dst == NULL || src == NULL) {
        return OTA_CRYPTO_ERR_ARG;
    }
    /* No pointer into itself: a byte copy is a clone. */
    *sha256_small_of(dst) = *sha256_small_of_const(src);
    return OTA_CRYPTO_OK;
}

#else
/* ISO C wants a declaration in every translation unit. */
typedef int crypto_sha256_small_unused_t;
#endif /* OTA_SHA256_SMALL */
