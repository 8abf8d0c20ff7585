/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Manifest signatures (detached .sig over the manifest bytes) and freshness (Sequence,
 * Expires): include/otaflow/manifest_sig.h, docs/security.md.
 */
#include "otaflow/manifest_sig.h"
#include "status_text.h"

#include <string.h>

const char *ota_manifest_sig_status_str(ota_manifest_sig_status_t status)
{
    OTA_STATUS_TEXT_OFF(status);
    switch (status) {
    case OTA_MANIFEST_SIG_OK: return "ok";
    case OTA_MANIFEST_SIG_ERR_ARG: return "invalid argument";
    case OTA_MANIFEST_SIG_ERR_UNSIGNED: return "manifest not signed";
    case OTA_MANIFEST_SIG_ERR_FORMAT: return "malformed manifest signature";
    case OTA_MANIFEST_SIG_ERR_UNKNOWN_KEY: return "manifest signed by an unknown key";
    case OTA_MANIFEST_SIG_ERR_BAD_SIGNATURE: return "bad manifest signature";
    case OTA_MANIFEST_SIG_ERR_NO_FRESHNESS: return "signed manifest without Sequence/Expires";
    case OTA_MANIFEST_SIG_ERR_REPLAYED: return "manifest replayed (old Sequence)";
    case OTA_MANIFEST_SIG_ERR_EXPIRED: return "manifest expired";
    case OTA_MANIFEST_SIG_ERR_STALE: return "no newer manifest within the maximum age";
    case OTA_MANIFEST_SIG_ERR_CRYPTO: return "crypto backend error";
    }
    return "unknown manifest signature status";
}

/** What can be said before hashing: a bad argument, no signature, or not a .sig at all. */
static ota_manifest_sig_status_t manifest_sig_precheck(const uint8_t *sig, size_t sig_len,
                                                       const ota_sig_keyring_t *ring)
{
    if ((sig == NULL && sig_len != 0u) || ring == NULL || ring->keys == NULL ||
        ring->count == 0u) {
        return OTA_MANIFEST_SIG_ERR_ARG;
    }
    if (sig_len == 0u) {
        return OTA_MANIFEST_SIG_ERR_UNSIGNED;
    }
    if (sig_len <= OTA_MANIFEST_SIG_DER_OFFSET || sig_len > OTA_MANIFEST_SIG_MAX ||
        memcmp(sig, OTA_MANIFEST_SIG_MAGIC, OTA_MANIFEST_SIG_MAGIC_SIZE) != 0) {
        return OTA_MANIFEST_SIG_ERR_FORMAT;
    }
    return OTA_MANIFEST_SIG_OK;
}

ota_manifest_sig_status_t ota_manifest_sig_verify(const void *manifest, size_t len,
                                                  const uint8_t *sig, size_t sig_len,
                                                  const ota_sig_keyring_t *ring)
{
    if (manifest == NULL && len != 0u) {
        return OTA_MANIFEST_SIG_ERR_ARG;
    }
    ota_manifest_sig_status_t st = manifest_sig_precheck(sig, sig_len, ring);
    if (st != OTA_MANIFEST_SIG_OK) {
        return st;
    }
    uint8_t hash[OTA_SHA256_SIZE];
    if (ota_sha256(manifest, len, hash) != OTA_CRYPTO_OK) {
        return OTA_MANIFEST_SIG_ERR_CRYPTO; /* the hash engine failed: no verdict */
    }
    return ota_manifest_sig_verify_hash(hash, sig, sig_len, ring);
}

ota_manifest_sig_status_t ota_manifest_sig_verify_hash(const uint8_t hash[OTA_SHA256_SIZE],
                                                       const uint8_t *sig, size_t sig_len,
                                                       const ota_sig_keyring_t *ring)
{
    ota_manifest_sig_status_t st = manifest_sig_precheck(sig, sig_len, ring);
    if (hash == NULL) {
        return OTA_MANIFEST_SIG_ERR_ARG;
    }
    if (st != OTA_MANIFEST_SIG_OK) {
        return st;
    }
    /* The .sig format (magic "OTMS") holds an ECDSA P-256 signature: the magic names the
     * algorithm, as a TLV type does in an image. */
    switch (ota_sig_verify_hash(ring, sig + OTA_MANIFEST_SIG_MAGIC_SIZE, OTA_SIG_ALG_ECDSA_P256,
                                hash, sig + OTA_MANIFEST_SIG_DER_OFFSET,
                                sig_len - OTA_MANIFEST_SIG_DER_OFFSET)) {
    case OTA_SIG_OK: return OTA_MANIFEST_SIG_OK;
    case OTA_SIG_ERR_UNKNOWN_KEY: return OTA_MANIFEST_SIG_ERR_UNKNOWN_KEY;
    case OTA_SIG_ERR_BAD_SIGNATURE: return OTA_MANIFEST_SIG_ERR_BAD_SIGNATURE;
    default: return OTA_MANIFEST_SIG_ERR_CRYPTO;
    }
}

ota_manifest_sig_status_t ota_manifest_freshness(const ota_manifest_plan_t *plan,
                                                 uint32_t highest_sequence, uint64_t utc_now)
{
    if (plan == NULL) {
        return OTA_MANIFEST_SIG_ERR_ARG;
    }
    /* A signed manifest without an expiry would be good forever: whoever keeps a copy could
     * freeze the device on it. Both fields are part of what a signature vouches for. */
    if (!plan->has_sequence || !plan->has_expires) {
        return OTA_MANIFEST_SIG_ERR_NO_FRESHNESS;
    }
    if (plan->sequence < highest_sequence) {
        return OTA_MANIFEST_SIG_ERR_REPLAYED;
    }
    if (utc_now != 0u && utc_now >= plan->expires) {
        return OTA_MANIFEST_SIG_ERR_EXPIRED;
    }
    return OTA_MANIFEST_SIG_OK;
}
