/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mbedTLS configuration of the firmware (MBEDTLS_CONFIG_FILE): only what the core's crypto
 * needs on the target, SHA-256, ECDSA P-256 verification and the decryption of images
 * (AES-128 and ECDH P-256: src/crypto_enc_mbedtls.c), with a static buffer as its
 * only heap (ota_crypto_heap_init) and no C library allocation, file or time functions.
 * Built from Debian's mbedtls source package (2.28), unpacked into build/debian-src by
 * scripts/debian_source.sh. TLS on the target (the network port) adds to this file.
 */
#ifndef OTAFLOW_MBEDTLS_CONFIG_TARGET_H
#define OTAFLOW_MBEDTLS_CONFIG_TARGET_H

/* System: no OS, no libc heap; the bignum multiply in Thumb-2 assembly (bn_mul.h). */
#define MBEDTLS_HAVE_ASM
#define MBEDTLS_NO_PLATFORM_ENTROPY
#define MBEDTLS_PLATFORM_C
#define MBEDTLS_PLATFORM_MEMORY
#define MBEDTLS_PLATFORM_NO_STD_FUNCTIONS
#define MBEDTLS_MEMORY_BUFFER_ALLOC_C
/* The allocator stops the program when it finds its heap corrupted: here a reset
 * (port/cortex-m/cortex_m.h), never the C library's exit. */
void cm_fatal(int status);
#define MBEDTLS_PLATFORM_EXIT_MACRO cm_fatal

/* SHA-256: the smaller, slower loop (a bootloader's flash matters more than its speed). */
#define MBEDTLS_SHA256_C
#define MBEDTLS_SHA256_SMALLER

/* ECDSA P-256 verification. */
#define MBEDTLS_BIGNUM_C
#define MBEDTLS_ASN1_PARSE_C
#define MBEDTLS_ASN1_WRITE_C
#define MBEDTLS_ECP_C
#define MBEDTLS_ECP_DP_SECP256R1_ENABLED
#define MBEDTLS_ECP_NIST_OPTIM
#define MBEDTLS_ECDSA_C
/* RAM over speed: a 4-point window and no precomputed table of the generator kept. */
#define MBEDTLS_ECP_WINDOW_SIZE 4
#define MBEDTLS_ECP_FIXED_POINT_OPTIM 0
/* The internal DRBG blinds private-key operations against side channels. The verifier handles
 * public data only; the one private-key operation, the ECDH of a decrypting install, goes
 * unblinded: a DRBG (HMAC_DRBG and the MD layer) for one multiplication per encrypted image,
 * and the emulated board has no entropy to seed it with (docs/security.md, "Encrypted
 * images"). */
#define MBEDTLS_ECP_NO_INTERNAL_RNG
#define MBEDTLS_MPI_MAX_SIZE 32
/* Decryption of images: ECDH on the curve above, AES-128 as the block cipher of CTR mode
 * (src/crypto_enc_mbedtls.c runs the counter itself). The tables in flash rather than
 * computed into 8 KB of RAM at the first key set-up, and one table per direction instead of
 * four (a few more rotations per round). */
#define MBEDTLS_ECDH_C
#define MBEDTLS_AES_C
#define MBEDTLS_AES_ROM_TABLES
#define MBEDTLS_AES_FEWER_TABLES

/* The bignum's double-word division in C instead of libgcc's __aeabi_uldivmod (760 B). */
#define MBEDTLS_NO_UDBL_DIVISION

#include "mbedtls/check_config.h"

#endif /* OTAFLOW_MBEDTLS_CONFIG_TARGET_H */
