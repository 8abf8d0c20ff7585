/* SPDX-License-Identifier: Apache-2.0 */
/*
 * otaflow manifest signatures and freshness: is this manifest from our publisher, and is it
 * not an old one replayed?
 *
 * The signature is detached: the manifest is served as it always was, and a second file at
 * the manifest URL + ".sig" holds
 *
 *   offset 0   4 bytes   magic "OTMS"
 *   offset 4   32 bytes  key id: SHA-256 of the signer's 65-byte public key (as for images)
 *   offset 36  8..72     ECDSA P-256 signature, DER, over SHA-256 of the manifest bytes
 *
 * The magic names the algorithm (a key of another algorithm in the ring does not verify it);
 * another algorithm would get a magic of its own. The check goes through ota_sig_verify_hash
 * and so ota_sig_verify, like an image's.
 *
 * The signature covers the manifest's bytes exactly as served, so no JSON canonicalisation is
 * needed and devices without keys read the manifest unchanged (docs/security.md says why this
 * was chosen over an envelope). Freshness lives in the signed bytes: the top-level fields
 * "Sequence" (rises with every publication) and "Expires" (UTC seconds), which
 * ota_manifest_select() reads into the plan.
 */
#ifndef OTAFLOW_MANIFEST_SIG_H
#define OTAFLOW_MANIFEST_SIG_H

#include <stddef.h>
#include <stdint.h>

#include "otaflow/crypto.h"
#include "otaflow/image_sig.h"
#include "otaflow/manifest.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The .sig file's first 4 bytes. */
#define OTA_MANIFEST_SIG_MAGIC "OTMS"
#define OTA_MANIFEST_SIG_MAGIC_SIZE 4u
/** Offset of the DER signature in the .sig file. */
#define OTA_MANIFEST_SIG_DER_OFFSET (OTA_MANIFEST_SIG_MAGIC_SIZE + OTA_SHA256_SIZE)
/** Largest .sig file: magic, key id, the longest DER signature. */
#define OTA_MANIFEST_SIG_MAX (OTA_MANIFEST_SIG_DER_OFFSET + OTA_ECDSA_P256_SIG_MAX)
/** What is appended to the manifest URL to fetch its signature. */
#define OTA_MANIFEST_SIG_SUFFIX ".sig"

/** Result of a manifest signature or freshness check (CHECK_FAILED reasons of the agent). */
typedef enum ota_manifest_sig_status {
    OTA_MANIFEST_SIG_OK = 0,
    OTA_MANIFEST_SIG_ERR_ARG = -1,           /**< NULL pointer, or a keyring with no keys */
    OTA_MANIFEST_SIG_ERR_UNSIGNED = -2,      /**< no signature (no .sig: HTTP 404, or empty) */
    OTA_MANIFEST_SIG_ERR_FORMAT = -3,        /**< the .sig is not magic + key id + DER */
    OTA_MANIFEST_SIG_ERR_UNKNOWN_KEY = -4,   /**< its key id names no trusted manifest key */
    OTA_MANIFEST_SIG_ERR_BAD_SIGNATURE = -5, /**< the named key did not sign these bytes */
    OTA_MANIFEST_SIG_ERR_NO_FRESHNESS = -6,  /**< signed, but no "Sequence" or no "Expires" */
    OTA_MANIFEST_SIG_ERR_REPLAYED = -7,      /**< Sequence below the highest one accepted */
    OTA_MANIFEST_SIG_ERR_EXPIRED = -8,       /**< the device's UTC time is at or past Expires */
    OTA_MANIFEST_SIG_ERR_STALE = -9,         /**< no clock: the same Sequence for longer than
                                                  the configured maximum age */
    OTA_MANIFEST_SIG_ERR_CRYPTO = -10,       /**< the crypto backend failed: no verdict */
} ota_manifest_sig_status_t;

/** A short constant English name ("manifest replayed (old Sequence)"), never NULL. */
const char *ota_manifest_sig_status_str(ota_manifest_sig_status_t status);

/**
 * Verify a detached manifest signature.
 * @param manifest, len  the manifest bytes exactly as received
 * @param sig, sig_len   the .sig file (sig_len 0: unsigned; sig may then be NULL)
 * @param ring           the trusted manifest keys
 * @return OK; ERR_UNSIGNED; ERR_FORMAT; ERR_UNKNOWN_KEY; ERR_BAD_SIGNATURE; ERR_CRYPTO;
 *         ERR_ARG.
 */
ota_manifest_sig_status_t ota_manifest_sig_verify(const void *manifest, size_t len,
                                                  const uint8_t *sig, size_t sig_len,
                                                  const ota_sig_keyring_t *ring);

/**
 * Verify a detached manifest signature over the manifest's SHA-256, for a manifest hashed as
 * it arrived (the agent never holds the whole text). Same results as ota_manifest_sig_verify;
 * hashing is the caller's, and so is a failure of the hash engine.
 * @param hash           SHA-256 of the manifest bytes exactly as received
 */
ota_manifest_sig_status_t ota_manifest_sig_verify_hash(const uint8_t hash[OTA_SHA256_SIZE],
                                                       const uint8_t *sig, size_t sig_len,
                                                       const ota_sig_keyring_t *ring);

/**
 * Freshness of a signed manifest already parsed into plan (ota_manifest_select OK).
 * @param highest_sequence  the highest Sequence this device accepted (the store keeps it)
 * @param utc_now           the device's UTC seconds, 0 when it does not know the time
 * @return OK; ERR_NO_FRESHNESS (Sequence or Expires missing); ERR_REPLAYED (Sequence below
 *         highest_sequence; equal is the same manifest fetched again and is fine);
 *         ERR_EXPIRED (utc_now != 0 and utc_now >= Expires); ERR_ARG.
 */
ota_manifest_sig_status_t ota_manifest_freshness(const ota_manifest_plan_t *plan,
                                                 uint32_t highest_sequence, uint64_t utc_now);

#ifdef __cplusplus
}
#endif

#endif /* OTAFLOW_MANIFEST_SIG_H */
