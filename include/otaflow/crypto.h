/* SPDX-License-Identifier: Apache-2.0 */
/*
 * otaflow crypto backend: the few primitives the core needs. One implementation today
 * (src/crypto_mbedtls.c, mbedTLS); a port with hardware SHA or ECC can provide its own.
 *
 * Memory: SHA-256 uses only the caller's context. ECDSA verification in mbedTLS allocates its
 * big numbers through mbedtls_calloc; the core never calls malloc, so a firmware build gives
 * mbedTLS a static arena once at start-up with ota_crypto_heap_init() (mbedTLS configured with
 * MBEDTLS_PLATFORM_MEMORY + MBEDTLS_MEMORY_BUFFER_ALLOC_C). Host builds against Debian's
 * libmbedcrypto, which has neither, keep the C library's calloc (docs/security.md).
 */
#ifndef OTAFLOW_CRYPTO_H
#define OTAFLOW_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define OTA_SHA256_SIZE 32u

/** SHA-256 streaming context. Opaque storage: the backend's own context lives inside. */
typedef struct ota_sha256 {
    _Alignas(8) unsigned char opaque[128];
} ota_sha256_t;

/** Start a new SHA-256 computation. */
void ota_sha256_start(ota_sha256_t *ctx);

/** Add len bytes to the hash. */
void ota_sha256_update(ota_sha256_t *ctx, const void *data, size_t len);

/** Finish: write the 32-byte digest to out. The context must be started again to reuse it. */
void ota_sha256_finish(ota_sha256_t *ctx, uint8_t out[OTA_SHA256_SIZE]);

/** One-shot SHA-256 of a buffer. */
void ota_sha256(const void *data, size_t len, uint8_t out[OTA_SHA256_SIZE]);

/* ECDSA P-256 -------------------------------------------------------------------------------- */

/** An uncompressed P-256 public key: 0x04, then X and Y (32 bytes each, big-endian). */
#define OTA_ECDSA_P256_PUBKEY_SIZE 65u
/** Longest DER encoding of a P-256 signature: SEQUENCE of two INTEGERs of up to 33 bytes. */
#define OTA_ECDSA_P256_SIG_MAX 72u
/** Arena to give ota_crypto_heap_init() for one ECDSA P-256 verification with mbedTLS's
 *  default ECP settings: the peak measured on the host (4432 B in 75 live blocks,
 *  docs/footprint.md) plus the buffer allocator's header per block (32 B on a 32-bit target),
 *  rounded up for fragmentation. An estimate until mbedTLS is cross-built and measured on the
 *  target; a firmware that also runs TLS adds the TLS needs on top. */
#define OTA_ECDSA_P256_HEAP_SIZE 8192u

/** Result of a crypto operation. */
typedef enum ota_crypto_status {
    OTA_CRYPTO_OK = 0,
    OTA_CRYPTO_ERR_ARG = -1,           /**< NULL pointer, or a zero-length input */
    OTA_CRYPTO_ERR_KEY = -2,           /**< the public key is not a P-256 point in the
                                            uncompressed 65-byte form */
    OTA_CRYPTO_ERR_SIG_FORMAT = -3,    /**< the signature is not a well-formed DER ECDSA
                                            signature (or has bytes after it) */
    OTA_CRYPTO_ERR_BAD_SIGNATURE = -4, /**< well formed, but not made by this key over this
                                            hash */
    OTA_CRYPTO_ERR_NO_MEMORY = -5,     /**< the backend's heap (arena) is too small */
    OTA_CRYPTO_ERR_UNSUPPORTED = -6,   /**< this mbedTLS build has no static-buffer allocator */
    OTA_CRYPTO_ERR_INTERNAL = -7,      /**< any other failure inside the backend */
} ota_crypto_status_t;

/** A short constant English name for a status ("bad signature"), never NULL. */
const char *ota_crypto_status_str(ota_crypto_status_t status);

/**
 * Verify an ECDSA P-256 signature over a 32-byte hash (the hash is signed as is: the signer
 * computed ECDSA over these 32 bytes, as `openssl pkeyutl -sign` does with a 32-byte input).
 * Uses mbedTLS's heap for its big numbers (peak 4.4 KB with the default ECP settings, all
 * freed before returning) and a 208-byte frame of its own on Cortex-M4 plus mbedTLS's frames.
 * @param pubkey  OTA_ECDSA_P256_PUBKEY_SIZE bytes, uncompressed point
 * @param hash    OTA_SHA256_SIZE bytes
 * @param sig     DER signature, sig_len bytes (1..OTA_ECDSA_P256_SIG_MAX)
 * @return OTA_CRYPTO_OK only for a valid signature; ERR_BAD_SIGNATURE; ERR_SIG_FORMAT;
 *         ERR_KEY; ERR_NO_MEMORY; ERR_ARG; ERR_INTERNAL.
 */
ota_crypto_status_t ota_ecdsa_p256_verify(const uint8_t pubkey[OTA_ECDSA_P256_PUBKEY_SIZE],
                                          const uint8_t hash[OTA_SHA256_SIZE],
                                          const uint8_t *sig, size_t sig_len);

/**
 * Give mbedTLS a static arena for all its allocations (ECDSA here, TLS elsewhere). Call once
 * at start-up, before any crypto or TLS, with memory that lives as long as the program (a
 * static array in the bootloader or application image). mbedTLS keeps the arena in its own
 * global allocator state: the one global the core sets up, and only through this call.
 * @return OK; ERR_ARG (NULL or len < 1 KB); ERR_UNSUPPORTED when mbedTLS is built without
 *         MBEDTLS_PLATFORM_MEMORY and MBEDTLS_MEMORY_BUFFER_ALLOC_C (Debian's host library):
 *         it then keeps using the C library's calloc/free.
 */
ota_crypto_status_t ota_crypto_heap_init(void *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* OTAFLOW_CRYPTO_H */
