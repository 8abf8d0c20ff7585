/*
 * otaflow crypto backend: the few primitives the core needs. One implementation today
 * (src/crypto_mbedtls.c, mbedTLS); a port with hardware SHA can provide its own.
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

#ifdef __cplusplus
}
#endif

#endif /* OTAFLOW_CRYPTO_H */
