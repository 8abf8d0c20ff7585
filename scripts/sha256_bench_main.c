/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SHA-256 alone on a Cortex-M4 (QEMU mps2-an386), for scripts/sha256_bench.sh: hashes 1 MiB
 * of zeros (SHA-256 takes the same steps whatever the bytes; the digest still checks every
 * block), in 4 KiB updates as the bootloader's reads come, through the contract of
 * include/otaflow/crypto.h with whichever SHA-256 it is linked with, compares the digest with
 * the expected one (sha256_bench_vector.h, written by the script with Python's hashlib), and
 * reports the instructions it ran (SysTick under QEMU's instruction counting, as
 * scripts/cross_verifier.c does) and the stack it took. Built with SHA256_BENCH_EMPTY it is
 * the baseline that the text figure is taken against. No C library start-up.
 */
#include <stddef.h>
#include <stdint.h>

#include "otaflow/crypto.h"

#include "qemu_m4_bare.h"
#include "sha256_bench_vector.h"

#define BENCH_PIECE 4096u
#define BENCH_PIECES 256u

static uint8_t bench_piece[BENCH_PIECE];

static __attribute__((noinline)) int bench(void)
{
#if defined(SHA256_BENCH_EMPTY)
    return 0;
#else
    ota_sha256_t ctx;
    uint8_t digest[OTA_SHA256_SIZE];
    if (ota_sha256_start(&ctx) != OTA_CRYPTO_OK) {
        return 1;
    }
    for (uint32_t i = 0; i < BENCH_PIECES; i++) {
        if (ota_sha256_update(&ctx, bench_piece, sizeof bench_piece) != OTA_CRYPTO_OK) {
            return 2;
        }
    }
    if (ota_sha256_finish(&ctx, digest) != OTA_CRYPTO_OK) {
        return 3;
    }
    for (size_t i = 0; i < sizeof digest; i++) {
        if (digest[i] != sha256_bench_expected[i]) {
            return 4;
        }
    }
    return 0;
#endif
}

void cross_reset(void)
{
    bare_measure(bench);
}
