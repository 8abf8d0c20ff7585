/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ota_sig_verify: one contract, one file per algorithm behind it. The lengths each algorithm
 * takes are checked here, once, so an algorithm file never sees a key or a signature of a
 * size it cannot hold.
 */
#include "otaflow/crypto.h"
#include "otaflow/lms.h"

#include "sig_alg.h"

typedef struct sig_alg_desc {
    const char *name;
    size_t key_len;
    size_t sig_min;
    size_t sig_max;
    ota_crypto_status_t (*verify)(const uint8_t *key, const uint8_t hash[OTA_SHA256_SIZE],
                                  const uint8_t *sig, size_t sig_len);
} sig_alg_desc_t;

#if OTA_SIGNATURES && OTA_SIG_ECDSA_P256
static const sig_alg_desc_t ecdsa_p256 = {
    .name = "ECDSA P-256",
    .key_len = OTA_ECDSA_P256_PUBKEY_SIZE,
    .sig_min = OTA_ECDSA_P256_SIG_MIN,
    .sig_max = OTA_ECDSA_P256_SIG_MAX,
    .verify = ota_sig_ecdsa_p256_verify,
};
#endif
#if OTA_SIGNATURES && OTA_SIG_HSS_LMS
static const sig_alg_desc_t hss_lms = {
    .name = "HSS/LMS",
    .key_len = OTA_LMS_PUBKEY_SIZE,
    .sig_min = OTA_LMS_SIG_MIN,
    .sig_max = OTA_LMS_SIG_MAX,
    .verify = ota_sig_hss_lms_verify,
};
#endif

_Static_assert(OTA_SIG_MAX_SIZE >= OTA_ECDSA_P256_SIG_MAX,
               "OTA_SIG_MAX_SIZE must hold every algorithm's longest signature");

static const sig_alg_desc_t *sig_find_alg(ota_sig_alg_t alg)
{
    switch (alg) {
#if OTA_SIGNATURES && OTA_SIG_ECDSA_P256
    case OTA_SIG_ALG_ECDSA_P256: return &ecdsa_p256;
#endif
#if OTA_SIGNATURES && OTA_SIG_HSS_LMS
    case OTA_SIG_ALG_HSS_LMS: return &hss_lms;
#endif
    default: return NULL; /* not compiled in: no verifier of it is linked */
    }
}

/* Its own switch rather than sig_find_alg: a bootloader asks only this, and then links
 * neither the descriptors nor, through them, the algorithms' ota_sig_verify side. */
bool ota_sig_alg_supported(ota_sig_alg_t alg)
{
    switch (alg) {
#if OTA_SIGNATURES && OTA_SIG_ECDSA_P256
    case OTA_SIG_ALG_ECDSA_P256: return true;
#endif
#if OTA_SIGNATURES && OTA_SIG_HSS_LMS
    case OTA_SIG_ALG_HSS_LMS: return true;
#endif
    default: return false;
    }
}

const char *ota_sig_alg_str(ota_sig_alg_t alg)
{
    const sig_alg_desc_t *d = sig_find_alg(alg);
    return d != NULL ? d->name : "unknown";
}

ota_crypto_status_t ota_sig_verify(ota_sig_alg_t alg, const uint8_t *key, size_t key_len,
                                   const uint8_t hash[OTA_SHA256_SIZE], const uint8_t *sig,
                                   size_t sig_len)
{
    if (key == NULL || hash == NULL || sig == NULL) {
        return OTA_CRYPTO_ERR_ARG;
    }
    const sig_alg_desc_t *d = sig_find_alg(alg);
    if (d == NULL) {
        return OTA_CRYPTO_ERR_ALG;
    }
    if (key_len != d->key_len) {
        return OTA_CRYPTO_ERR_KEY;
    }
    if (sig_len < d->sig_min || sig_len > d->sig_max) {
        return OTA_CRYPTO_ERR_SIG_FORMAT;
    }
    return d->verify(key, hash, sig, sig_len);
}
