/* SPDX-License-Identifier: Apache-2.0 */
/*
 * otaflow crypto backend: the few primitives the core needs. Two backends implement this
 * contract, one per build (docs/security.md, "Crypto backends"): mbedTLS (src/crypto_mbedtls.c,
 * src/sig_ecdsa_p256.c; the host default, and what TLS uses) and BearSSL
 * (src/crypto_bearssl.c, src/sig_ecdsa_p256_bearssl.c; heap-free, the smaller verifier on a
 * Cortex-M4). Each has SHA-256 and the heap set-up in its crypto_ file and each signature
 * algorithm in a file of its own behind ota_sig_verify (src/sig_verify.c); status names are
 * shared (src/crypto_common.c). With OTA_SHA256_SMALL (config.h) SHA-256 is instead
 * src/crypto_sha256_small.c's, the same contract on either backend (the lean bootloaders).
 * A port with hardware SHA or ECC replaces the file concerned.
 *
 * Memory: SHA-256 uses only the caller's context. ECDSA verification in mbedTLS allocates its
 * big numbers through mbedtls_calloc; the core never calls malloc, so a firmware build gives
 * mbedTLS a static arena once at start-up with ota_crypto_heap_init() (mbedTLS configured with
 * MBEDTLS_PLATFORM_MEMORY + MBEDTLS_MEMORY_BUFFER_ALLOC_C). Host builds against Debian's
 * libmbedcrypto, which has neither, keep the C library's calloc. BearSSL allocates nothing:
 * its big numbers are on the stack (3.8 KB measured on a Cortex-M4).
 */
#ifndef OTAFLOW_CRYPTO_H
#define OTAFLOW_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "otaflow/config.h"

#ifdef __cplusplus
extern "C" {
#endif

#define OTA_SHA256_SIZE 32u

/** SHA-256 streaming context. Opaque storage: the backend's own context lives inside. */
typedef struct ota_sha256 {
    _Alignas(8) unsigned char opaque[128];
} ota_sha256_t;

/** Result of a crypto operation. */
typedef enum ota_crypto_status {
    OTA_CRYPTO_OK = 0,
    OTA_CRYPTO_ERR_ARG = -1,           /**< NULL pointer, or a zero-length input */
    OTA_CRYPTO_ERR_KEY = -2,           /**< the public key is not one of the algorithm: wrong
                                            length, or (P-256) not a point in the uncompressed
                                            65-byte form */
    OTA_CRYPTO_ERR_SIG_FORMAT = -3,    /**< the signature's length is out of the algorithm's
                                            range, or it is not well formed (P-256: not DER,
                                            or bytes after it; the BearSSL backend reads DER
                                            strictly, mbedTLS leniently: docs/security.md) */
    OTA_CRYPTO_ERR_BAD_SIGNATURE = -4, /**< well formed, but not made by this key over this
                                            hash */
    OTA_CRYPTO_ERR_NO_MEMORY = -5,     /**< the backend's heap (arena) is too small */
    OTA_CRYPTO_ERR_UNSUPPORTED = -6,   /**< this mbedTLS build has no static-buffer allocator */
    OTA_CRYPTO_ERR_INTERNAL = -7,      /**< any other failure inside the backend */
    OTA_CRYPTO_ERR_ALG = -8,           /**< ota_sig_verify: an algorithm this build does not
                                            have */
    OTA_CRYPTO_ERR_HASH = -9,          /**< the hash engine failed: no digest */
} ota_crypto_status_t;

/** A short constant English name for a status ("bad signature"), never NULL. */
const char *ota_crypto_status_str(ota_crypto_status_t status);

/*
 * The hash functions return a status because a hardware SHA block can fail (a bus error, a
 * DMA fault). A failure is sticky: once a call failed, update does nothing and returns the
 * error again, and finish returns it and writes no digest (out is zeroed). finish always
 * releases the backend's context, so a caller that stops early calls it once and is done.
 * Callers treat OTA_CRYPTO_ERR_HASH like a read failure: no verdict on the data hashed.
 */

/** 1 when this build's SHA-256 can fail on arguments that are not NULL (a backend's, which
 *  may drive a hardware block); 0 with the compact one (OTA_SHA256_SMALL, software only: every
 *  call below returns OK unless an argument is NULL). The core's hashing paths, whose
 *  arguments never are, leave out their handling of ERR_HASH where it is 0, so that a lean
 *  build does not carry code for a failure its hash cannot have. */
#define OTA_SHA256_CAN_FAIL (!OTA_SHA256_SMALL)

/** Start a new SHA-256 computation. @return OK; ERR_ARG (NULL); ERR_HASH. */
ota_crypto_status_t ota_sha256_start(ota_sha256_t *ctx);

/** Add len bytes to the hash. @return OK; ERR_ARG (NULL ctx, or NULL data with len > 0);
 *  ERR_HASH (now, or an earlier call failed). */
ota_crypto_status_t ota_sha256_update(ota_sha256_t *ctx, const void *data, size_t len);

/** Finish: write the 32-byte digest to out. The context must be started again to reuse it.
 *  @return OK; ERR_ARG (NULL); ERR_HASH (out zeroed: no digest). */
ota_crypto_status_t ota_sha256_finish(ota_sha256_t *ctx, uint8_t out[OTA_SHA256_SIZE]);

/** A SHA-256 computation paused after a multiple of 64 bytes: what a journal keeps to go on
 *  with it after a reset (a resumed patch's PatchDigest, docs/delta.md). 36 bytes. */
typedef struct ota_sha256_midstate {
    uint8_t chaining[OTA_SHA256_SIZE]; /**< the chaining value, as big-endian words */
    uint32_t bytes;                    /**< bytes hashed before it: a multiple of 64 */
} ota_sha256_midstate_t;

/** The state of ctx, which has hashed a multiple of 64 bytes (under 4 GB), into out.
 *  @return OK; ERR_ARG (NULL, or another count); ERR_HASH (an earlier call failed, or the
 *  backend keeps its state where it cannot be read, e.g. a hardware block). */
ota_crypto_status_t ota_sha256_save(const ota_sha256_t *ctx, ota_sha256_midstate_t *out);

/** Start ctx where a saved state left off: update it with the bytes after in->bytes.
 *  @return OK; ERR_ARG (NULL, or a count that is not a multiple of 64); ERR_HASH. */
ota_crypto_status_t ota_sha256_restore(ota_sha256_t *ctx, const ota_sha256_midstate_t *in);

/** Make dst, a started context, continue from where src is: both then hash independently
 *  (src is left as it was). dst's own state is dropped; it stays a started context either way
 *  and is finished as usual. This is what lets one pass over an image give the hash of a
 *  prefix (header + payload) and of the whole file: the state at the prefix's end is copied
 *  and finished while the original goes on (src/image.c). A hardware engine that cannot copy
 *  its state returns ERR_UNSUPPORTED, and callers then hash the bytes twice.
 *  @return OK; ERR_ARG (NULL); ERR_UNSUPPORTED (dst unchanged); ERR_HASH (src had failed:
 *          dst fails too). */
ota_crypto_status_t ota_sha256_copy(ota_sha256_t *dst, const ota_sha256_t *src);

/** One-shot SHA-256 of a buffer. @return OK; ERR_ARG (NULL out, or NULL data with len > 0);
 *  ERR_HASH (out zeroed: no digest). */
ota_crypto_status_t ota_sha256(const void *data, size_t len, uint8_t out[OTA_SHA256_SIZE]);

/* Signature algorithms ----------------------------------------------------------------------- */

/**
 * The signature algorithms a key or a signature can be of. One source file per algorithm
 * (src/sig_<alg>.c) behind ota_sig_verify; a build has the ones its files provide. The values
 * are stored nowhere (images name their algorithm by TLV type, key tables are compiled), so
 * they may be renumbered, except that 0 stays ECDSA P-256: a key entry that does not set its
 * algorithm is of the algorithm every key was before there was a choice.
 */
typedef enum ota_sig_alg {
    OTA_SIG_ALG_ECDSA_P256 = 0, /**< ECDSA P-256 over the 32-byte hash as is; key: uncompressed
                                     point (65 bytes); signature: DER (8..72 bytes) */
    OTA_SIG_ALG_HSS_LMS = 1,    /**< HSS/LMS (RFC 8554, include/otaflow/lms.h) over the 32-byte
                                     hash as its message; key: the HSS public key (60 bytes);
                                     signature: HSS (1,296 bytes and up; 2,964 for two levels
                                     of H10/W8) */
    OTA_SIG_ALG_COUNT           /**< how many there are: not an algorithm */
} ota_sig_alg_t;

/** An uncompressed P-256 public key: 0x04, then X and Y (32 bytes each, big-endian). */
#define OTA_ECDSA_P256_PUBKEY_SIZE 65u
/** Shortest DER encoding of a P-256 signature: SEQUENCE of two one-byte INTEGERs. */
#define OTA_ECDSA_P256_SIG_MIN 8u
/** Longest DER encoding of a P-256 signature: SEQUENCE of two INTEGERs of up to 33 bytes. */
#define OTA_ECDSA_P256_SIG_MAX 72u
/** Longest signature a buffer must receive: a manifest .sig, the work buffer given to
 *  ota_image_sig_check. HSS/LMS signatures are longer, but are never copied: the verifier
 *  reads them in place from the image (ota_lms_verify), a few dozen bytes at a time. */
#define OTA_SIG_MAX_SIZE OTA_ECDSA_P256_SIG_MAX
/** Arena to give ota_crypto_heap_init() for one ECDSA P-256 verification with mbedTLS's
 *  default ECP settings: the peak measured on the host (4432 B in 75 live blocks,
 *  docs/footprint.md) plus the buffer allocator's header per block (32 B on a 32-bit target),
 *  rounded up for fragmentation. An estimate until mbedTLS is cross-built and measured on the
 *  target; a firmware that also runs TLS adds the TLS needs on top. */
#define OTA_ECDSA_P256_HEAP_SIZE 8192u

/**
 * Verify a signature over a 32-byte hash: the one entry point of every algorithm. Checks the
 * key length and the signature length against the algorithm's before the algorithm runs.
 * ECDSA P-256 signs the hash as is (as `openssl pkeyutl -sign` does with a 32-byte input);
 * HSS/LMS takes the 32 bytes as its message (ota_lms_verify's statuses map to these: wrong
 * key or message BAD_SIGNATURE, truncated, oversized or of other parameters SIG_FORMAT).
 * With mbedTLS it uses mbedTLS's heap for its big numbers (peak 4.4 KB on the host with the
 * default ECP settings, 4.6 KB of arena written on a Cortex-M4 with the firmware's; all freed
 * before returning) and 1.3 KB of stack; with BearSSL no heap and 3.8 KB of stack (Cortex-M4,
 * measured by make cross-check).
 * @param alg            the algorithm key and sig are of
 * @param key, key_len   the public key (P-256: OTA_ECDSA_P256_PUBKEY_SIZE bytes, uncompressed)
 * @param hash           OTA_SHA256_SIZE bytes
 * @param sig, sig_len   the signature (P-256: DER, OTA_ECDSA_P256_SIG_MIN..SIG_MAX bytes)
 * @return OTA_CRYPTO_OK only for a valid signature; ERR_BAD_SIGNATURE; ERR_SIG_FORMAT
 *         (length out of range, or malformed); ERR_KEY (wrong length, or not a key of alg);
 *         ERR_ALG (alg unknown to this build); ERR_NO_MEMORY; ERR_ARG (NULL); ERR_INTERNAL.
 */
ota_crypto_status_t ota_sig_verify(ota_sig_alg_t alg, const uint8_t *key, size_t key_len,
                                   const uint8_t hash[OTA_SHA256_SIZE], const uint8_t *sig,
                                   size_t sig_len);

/** Whether this build verifies signatures of alg. */
bool ota_sig_alg_supported(ota_sig_alg_t alg);

/** A short constant name of an algorithm ("ECDSA P-256"; "unknown" for others), never NULL. */
const char *ota_sig_alg_str(ota_sig_alg_t alg);

/* Image decryption (include/otaflow/image_enc.h, docs/image-format.md) -------------------- */

#define OTA_AES128_KEY_SIZE 16u  /**< an AES-128 key */
#define OTA_AES_CTR_NONCE_SIZE 12u /**< the fixed part of a CTR counter block */
#define OTA_ECDH_P256_PRIV_SIZE 32u /**< a P-256 private scalar, big-endian */
#define OTA_ECDH_P256_SHARED_SIZE 32u /**< the x coordinate of the shared point */

/**
 * XOR the AES-128-CTR keystream of key into data, as the bytes at offset..offset+len of a
 * stream whose counter block for byte i is nonce (12 bytes) followed by the big-endian 32-bit
 * block number i / 16, starting at 0 (BearSSL's br_aes_*_ctr_run layout; OpenSSL's
 * EVP_aes_128_ctr with the IV nonce || 0 gives the same stream up to 64 GiB). Encryption and
 * decryption are the same call, and any offset can be started at: an install resumed after
 * a power cut decrypts from where it stands. The key schedule lives on the stack for the
 * call (about 280 bytes with mbedTLS, 256 with BearSSL's aes_small) and is wiped after it.
 * @return OK; ERR_ARG (NULL, or offset + len past 2^32); ERR_INTERNAL.
 */
ota_crypto_status_t ota_aes128_ctr(const uint8_t key[OTA_AES128_KEY_SIZE],
                                   const uint8_t nonce[OTA_AES_CTR_NONCE_SIZE], uint32_t offset,
                                   uint8_t *data, size_t len);

/**
 * ECDH on P-256: the x coordinate of priv * peer. peer must be an uncompressed point on the
 * curve and priv a scalar in [1, n-1].
 * @return OK; ERR_KEY (peer not a point of the curve, or priv out of range); ERR_NO_MEMORY
 *         (mbedTLS's heap); ERR_ARG (NULL); ERR_INTERNAL. shared is zeroed unless OK.
 */
ota_crypto_status_t ota_ecdh_p256(const uint8_t priv[OTA_ECDH_P256_PRIV_SIZE],
                                  const uint8_t peer[OTA_ECDSA_P256_PUBKEY_SIZE],
                                  uint8_t shared[OTA_ECDH_P256_SHARED_SIZE]);

/**
 * Give mbedTLS a static arena for all its allocations (ECDSA here, TLS elsewhere). Call once
 * at start-up, before any crypto or TLS, with memory that lives as long as the program (a
 * static array in the bootloader or application image). mbedTLS keeps the arena in its own
 * global allocator state: the one global the core sets up, and only through this call.
 * The BearSSL backend allocates nothing: it checks the arguments and leaves the arena unused,
 * so a firmware calls this the same way whichever backend it links.
 * @return OK (BearSSL: always, for valid arguments); ERR_ARG (NULL or len < 1 KB);
 *         ERR_UNSUPPORTED when mbedTLS is built without MBEDTLS_PLATFORM_MEMORY and
 *         MBEDTLS_MEMORY_BUFFER_ALLOC_C (Debian's host library): it then keeps using the C
 *         library's calloc/free.
 */
ota_crypto_status_t ota_crypto_heap_init(void *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* OTAFLOW_CRYPTO_H */
