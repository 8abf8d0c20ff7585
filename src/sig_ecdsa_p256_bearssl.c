/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ECDSA P-256 behind ota_sig_verify, on BearSSL: heap-free, constant-time, its big numbers on
 * the stack. The dispatcher (sig_verify.c) has checked the lengths: a 65-byte key, a signature
 * of 8..72 bytes.
 *
 * BearSSL answers a verification with one bit, so the statuses the contract names are found
 * here, in the order mbedTLS finds them (sig_ecdsa_p256.c): the key (decoded, on the curve)
 * first, then the DER form, then the verdict. The generic prime-curve code on 31-bit words
 * (i31) is the default: half the instructions of the 15-bit one for 276 B more code on a
 * Cortex-M4 (docs/decisions.md); OTA_BEARSSL_I15 picks the 15-bit one, the smallest.
 */
#include <string.h>

#include <bearssl.h>

#include "sig_alg.h"

#if defined(OTA_BEARSSL_I15)
#define SIG_EC_IMPL br_ec_prime_i15
#define SIG_VRFY_RAW br_ecdsa_i15_vrfy_raw
#else
#define SIG_EC_IMPL br_ec_prime_i31
#define SIG_VRFY_RAW br_ecdsa_i31_vrfy_raw
#endif

#define SIG_P256_SCALAR 32u /* bytes of r, s and of the curve order */
#define DER_SEQUENCE 0x30u
#define DER_INTEGER 0x02u

typedef struct sig_der_reader {
    const uint8_t *p;
    const uint8_t *end;
    bool out_of_range; /* a value no P-256 signature has: negative, or wider than the order */
} sig_der_reader_t;

/* Reads one INTEGER into a 32-byte big-endian field. DER only: short-form length (every
 * P-256 signature is shorter than 128 bytes), at least one byte, no redundant leading zero. A
 * negative or too wide value is well formed but no signature: noted, refused as a bad one. */
static ota_crypto_status_t sig_der_integer(sig_der_reader_t *r, uint8_t out[SIG_P256_SCALAR])
{
    if (r->end - r->p < 2 || r->p[0] != DER_INTEGER) {
        return OTA_CRYPTO_ERR_SIG_FORMAT;
    }
    size_t len = r->p[1];
    const uint8_t *v = r->p + 2;
    if (len == 0u || len > (size_t)(r->end - v)) {
        return OTA_CRYPTO_ERR_SIG_FORMAT; /* also every long-form length (0x80 and above) */
    }
    r->p = v + len;
    if (len > 1u && v[0] == 0u && (v[1] & 0x80u) == 0u) {
        return OTA_CRYPTO_ERR_SIG_FORMAT;
    }
    if ((v[0] & 0x80u) != 0u) {
        r->out_of_range = true;
        return OTA_CRYPTO_OK;
    }
    if (v[0] == 0u && len > 1u) {
        v++;
        len--;
    }
    if (len > SIG_P256_SCALAR) {
        r->out_of_range = true;
        return OTA_CRYPTO_OK;
    }
    memset(out, 0, SIG_P256_SCALAR - len);
    memcpy(out + (SIG_P256_SCALAR - len), v, len);
    return OTA_CRYPTO_OK;
}

/* DER SEQUENCE { r INTEGER, s INTEGER } with nothing after it -> r || s, 32 bytes each. */
static ota_crypto_status_t sig_der_to_raw(const uint8_t *sig, size_t sig_len,
                                          uint8_t raw[2u * SIG_P256_SCALAR])
{
    if (sig[0] != DER_SEQUENCE || (size_t)sig[1] != sig_len - 2u) {
        return OTA_CRYPTO_ERR_SIG_FORMAT; /* another tag, truncated, or bytes after the end */
    }
    sig_der_reader_t r = {.p = sig + 2, .end = sig + sig_len, .out_of_range = false};
    ota_crypto_status_t st = sig_der_integer(&r, raw);
    if (st == OTA_CRYPTO_OK) {
        st = sig_der_integer(&r, raw + SIG_P256_SCALAR);
    }
    if (st == OTA_CRYPTO_OK && r.p != r.end) {
        st = OTA_CRYPTO_ERR_SIG_FORMAT;
    }
    if (st == OTA_CRYPTO_OK && r.out_of_range) {
        st = OTA_CRYPTO_ERR_BAD_SIGNATURE;
    }
    return st;
}

/* BearSSL's point decoder checks the form (0x04, X and Y below p) and the curve equation;
 * multiplying by 1 runs it alone, on a copy (the product overwrites its input). */
#if defined(__GNUC__)
__attribute__((noinline)) /* its copy of the point is not on the stack during the verify */
#endif
static bool sig_key_is_p256_point(const uint8_t *key)
{
    static const unsigned char one = 1u;
    unsigned char point[OTA_ECDSA_P256_PUBKEY_SIZE];
    memcpy(point, key, sizeof point);
    return SIG_EC_IMPL.mul(point, sizeof point, &one, 1u, BR_EC_secp256r1) == 1u;
}

ota_crypto_status_t ota_sig_ecdsa_p256_verify(const uint8_t *pubkey,
                                              const uint8_t hash[OTA_SHA256_SIZE],
                                              const uint8_t *sig, size_t sig_len)
{
    if (!sig_key_is_p256_point(pubkey)) {
        return OTA_CRYPTO_ERR_KEY;
    }
    uint8_t raw[2u * SIG_P256_SCALAR];
    ota_crypto_status_t st = sig_der_to_raw(sig, sig_len, raw);
    if (st != OTA_CRYPTO_OK) {
        return st;
    }
    const br_ec_public_key pk = {
        .curve = BR_EC_secp256r1,
        .q = (unsigned char *)(uintptr_t)pubkey, /* BearSSL only reads it */
        .qlen = OTA_ECDSA_P256_PUBKEY_SIZE,
    };
    return SIG_VRFY_RAW(&SIG_EC_IMPL, hash, OTA_SHA256_SIZE, &pk, raw, sizeof raw) == 1u
               ? OTA_CRYPTO_OK
               : OTA_CRYPTO_ERR_BAD_SIGNATURE;
}
