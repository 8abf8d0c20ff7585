/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The signature verifier alone, for a Cortex-M4 (QEMU mps2-an386), linked by
 * scripts/cross-check.sh once per crypto backend: its linked size is what SHA-256 + ECDSA
 * P-256 verify cost a firmware, and run under QEMU it proves the target build of the backend
 * verifies (a real signature passes, a changed hash fails) and measures the stack the check
 * takes (painted, then read back), with mbedTLS how much of its arena was written, and how
 * many instructions the check ran (SysTick under QEMU's instruction counting).
 * No C library start-up: its own vector table and reset handler; results over semihosting.
 * The key, signature and message come from cross_vector.h, which cross-check.sh writes
 * (CROSS_VERIFIER_LMS: HSS/LMS, RFC 8554 Test Case 1 from cross_vector_lms.h, one verify timed).
 * Built with CROSS_VERIFIER_EMPTY, it is the baseline that the figures are taken against.
 */
#include <stddef.h>
#include <stdint.h>

#include "otaflow/crypto.h"

#if defined(CROSS_VERIFIER_LMS)
#include "otaflow/lms.h"

#include "cross_vector_lms.h"

/* HSS/LMS: RFC 8554 Test Case 1 (cross_vector_lms.h), verified in place from its buffer. */
static ota_lms_status_t cross_lms(const uint8_t *msg)
{
    ota_image_source_t src;
    ota_image_buffer_t buf;
    ota_image_source_buffer(&src, &buf, cross_lms_sig, sizeof cross_lms_sig);
    return ota_lms_verify(cross_lms_key, sizeof cross_lms_key, msg, sizeof cross_lms_msg, &src,
                          0, sizeof cross_lms_sig);
}
#else
#include "cross_vector.h"
#endif

#include "qemu_m4_bare.h"

#if defined(CROSS_VERIFIER_MBEDTLS)
static uint8_t arena[OTA_ECDSA_P256_HEAP_SIZE] __attribute__((aligned(8)));
#define ARENA_FIRST_HEADER 32u
void cross_exit(int status);
void cross_exit(int status) /* mbedTLS's exit: a corrupted heap */
{
    stop((uint32_t)status + 10u);
}
#endif


/* 0: the signature verifies and a changed hash does not. */
static __attribute__((noinline)) int check(void)
{
#if defined(CROSS_VERIFIER_EMPTY)
    return 0;
#elif defined(CROSS_VERIFIER_LMS)
    return cross_lms(cross_lms_msg) == OTA_LMS_OK ? 0 : 2; /* one verify: the one timed */
#else
    uint8_t hash[OTA_SHA256_SIZE];
    if (ota_sha256(cross_msg, sizeof cross_msg, hash) != OTA_CRYPTO_OK) {
        return 1;
    }
    if (ota_sig_verify(OTA_SIG_ALG_ECDSA_P256, cross_key, sizeof cross_key, hash, cross_sig,
                       sizeof cross_sig) != OTA_CRYPTO_OK) {
        return 2;
    }
    hash[5] ^= 1u;
    return ota_sig_verify(OTA_SIG_ALG_ECDSA_P256, cross_key, sizeof cross_key, hash, cross_sig,
                          sizeof cross_sig) == OTA_CRYPTO_ERR_BAD_SIGNATURE
               ? 0
               : 3;
#endif
}

void cross_reset(void)
{
    uint32_t *sp;
    __asm__ volatile("mov %0, sp" : "=r"(sp));
    bare_prepare(sp);
#if defined(CROSS_VERIFIER_MBEDTLS)
    /* The allocator zeroes its arena, writes its first block header (8 words) and takes
     * blocks from the start; the rest is painted after that: the highest byte written (a
     * freed big number is zeroed, a merged header too) bounds the peak, headers included. */
    if (ota_crypto_heap_init(arena, sizeof arena) != OTA_CRYPTO_OK) {
        stop(4u);
    }
    for (size_t i = ARENA_FIRST_HEADER; i < sizeof arena; i++) {
        arena[i] = 0xA5u;
    }
#endif
    uint32_t t0 = bare_ticks_start();
    int r = check();
    uint32_t ticks = (t0 - SYST_CVR) & 0xFFFFFFu;
#if defined(CROSS_VERIFIER_LMS)
    static uint8_t changed[sizeof cross_lms_msg];
    for (size_t i = 0; i < sizeof changed; i++) {
        changed[i] = (uint8_t)(cross_lms_msg[i] ^ (i == 5u ? 1u : 0u));
    }
    if (r == 0 && cross_lms(changed) != OTA_LMS_ERR_BAD_SIGNATURE) {
        r = 3;
    }
#endif
    put("stack=");
    put_num(bare_stack_used(sp));
#if defined(CROSS_VERIFIER_MBEDTLS)
    size_t top = sizeof arena;
    while (top > ARENA_FIRST_HEADER && arena[top - 1u] == 0xA5u) {
        top--;
    }
    put(" arena=");
    put_num((uint32_t)top);
#endif
    bare_finish(ticks, r);
}
