/* SPDX-License-Identifier: Apache-2.0 */
/* The part of crypto.h every backend shares: the status names. (The one-shot SHA-256 is in
 * crypto_oneshot.h, which each backend file includes.) */
#include "otaflow/crypto.h"
#include "status_text.h"

const char *ota_crypto_status_str(ota_crypto_status_t status)
{
    OTA_STATUS_TEXT_OFF(status);
    switch (status) {
    case OTA_CRYPTO_OK: return "ok";
    case OTA_CRYPTO_ERR_ARG: return "invalid argument";
    case OTA_CRYPTO_ERR_KEY: return "invalid public key";
    case OTA_CRYPTO_ERR_SIG_FORMAT: return "malformed signature";
    case OTA_CRYPTO_ERR_BAD_SIGNATURE: return "bad signature";
    case OTA_CRYPTO_ERR_NO_MEMORY: return "crypto heap exhausted";
    case OTA_CRYPTO_ERR_UNSUPPORTED: return "not supported by this mbedTLS build";
    case OTA_CRYPTO_ERR_INTERNAL: return "crypto backend error";
    case OTA_CRYPTO_ERR_ALG: return "unknown signature algorithm";
    case OTA_CRYPTO_ERR_HASH: return "hash engine failed";
    }
    return "unknown crypto status";
}
