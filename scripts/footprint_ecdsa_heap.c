/* SPDX-License-Identifier: Apache-2.0 */
/* Peak heap of one ota_sig_verify of ECDSA P-256 (mbedTLS bignums) on the host, measured by wrapping
 * calloc/free at link time (static libmbedcrypto, -Wl,--wrap). Built and run by
 * scripts/footprint.sh; not part of any product. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/entropy.h>

#include "otaflow/crypto.h"

void *__real_calloc(size_t n, size_t size);
void __real_free(void *p);
static size_t current, peak, calls;
static int counting;

static size_t live, peak_live;

/* Every block carries its requested size in a 16-byte prefix, so free knows it exactly. */
void *__wrap_calloc(size_t n, size_t size)
{
    if (size != 0 && n > (SIZE_MAX - 16) / size) return NULL;
    unsigned char *p = __real_calloc(1, n * size + 16);
    if (p == NULL) return NULL;
    memcpy(p, &(size_t){n * size}, sizeof(size_t));
    memcpy(p + sizeof(size_t), &(int){counting}, sizeof(int));
    if (counting) {
        current += n * size;
        live++;
        calls++;
        if (current > peak) peak = current;
        if (live > peak_live) peak_live = live;
    }
    return p + 16;
}

void __wrap_free(void *q)
{
    if (q == NULL) return;
    unsigned char *p = (unsigned char *)q - 16;
    size_t n;
    int counted;
    memcpy(&n, p, sizeof n);
    memcpy(&counted, p + sizeof(size_t), sizeof counted);
    if (counted) {
        current -= n;
        live--;
    }
    __real_free(p);
}

static int rnd(void *ctx, unsigned char *out, size_t len)
{
    (void)ctx;
    for (size_t i = 0; i < len; i++) out[i] = (unsigned char)rand();
    return 0;
}

int main(void)
{
    mbedtls_ecdsa_context key;
    mbedtls_ecdsa_init(&key);
    if (mbedtls_ecdsa_genkey(&key, MBEDTLS_ECP_DP_SECP256R1, rnd, NULL) != 0) return 1;
    uint8_t pub[65], hash[32], sig[80];
    size_t olen = 0, slen = 0;
    mbedtls_ecp_point_write_binary(&key.grp, &key.Q, MBEDTLS_ECP_PF_UNCOMPRESSED, &olen, pub, 65);
    memset(hash, 0xA5, sizeof hash);
    if (mbedtls_ecdsa_write_signature(&key, MBEDTLS_MD_SHA256, hash, 32, sig, &slen, rnd, NULL))
        return 1;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    counting = 1;
    ota_crypto_status_t st = ota_sig_verify(OTA_SIG_ALG_ECDSA_P256, pub, sizeof pub, hash, sig,
                                            slen);
    counting = 0;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    /* status, peak bytes requested, peak live blocks, calloc calls, bytes left, ms */
    printf("%d %zu %zu %zu %zu %.2f\n", (int)st, peak, peak_live, calls, current, ms);
    mbedtls_ecdsa_free(&key);
    return st == OTA_CRYPTO_OK && current == 0 ? 0 : 1;
}
