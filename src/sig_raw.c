/* SPDX-License-Identifier: Apache-2.0 */
/* Raw r||s ECDSA P-256 signatures to DER (src/sig_raw.h). */
#include "sig_raw.h"

#include <string.h>

/* One INTEGER of 32 big-endian bytes: leading zero bytes dropped, a 0x00 put back in front
 * when the first remaining byte has its top bit set (DER integers are signed). */
static size_t sig_der_integer(const uint8_t v[32], uint8_t *out)
{
    size_t skip = 0;
    while (skip < 31u && v[skip] == 0u) {
        skip++;
    }
    size_t n = 32u - skip;
    size_t pad = (v[skip] & 0x80u) != 0u ? 1u : 0u;
    out[0] = 0x02;
    out[1] = (uint8_t)(n + pad);
    out[2] = 0x00;
    memcpy(out + 2 + pad, v + skip, n);
    return 2u + pad + n;
}

size_t ota_sig_p256_der_from_raw(const uint8_t raw[OTA_SIG_P256_RAW_SIZE],
                                 uint8_t der[OTA_ECDSA_P256_SIG_MAX])
{
    size_t n = 2;
    n += sig_der_integer(raw, der + n);
    n += sig_der_integer(raw + 32, der + n);
    der[0] = 0x30;
    der[1] = (uint8_t)(n - 2u);
    return n;
}
