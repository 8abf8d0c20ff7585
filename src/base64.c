/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Streaming base64 decoder (include/otaflow/base64.h). Compiled only with OTA_RAW_IMAGES or
 * OTA_FILE_SLOTS: the Signatures of the original's manifests (an entry's, src/manifest.c; a
 * file entry's, src/manifest_files.c) are its only users in the core.
 */
#include "otaflow/config.h"

#if OTA_RAW_IMAGES || OTA_FILE_SLOTS
#include "otaflow/base64.h"

static int base64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    return c == '+' ? 62 : c == '/' ? 63 : -1;
}

void ota_base64_begin(ota_base64_t *d)
{
    if (d != NULL) {
        *d = (ota_base64_t){0};
    }
}

/* Write the top n bytes of the quantum's `bits` bits. */
static bool base64_emit(ota_base64_t *d, uint32_t bits, uint32_t n, uint8_t *out, size_t cap)
{
    if (out == NULL || d->len + n > cap) {
        return false;
    }
    for (uint32_t i = 0; i < n; i++) {
        out[d->len++] = (uint8_t)(d->acc >> (bits - 8u * (i + 1u)));
    }
    return true;
}

bool ota_base64_feed(ota_base64_t *d, unsigned char c, uint8_t *out, size_t cap)
{
    if (d == NULL || d->bad) {
        return false;
    }
    if (d->done) {
        d->bad = true;
        return false;
    }
    if (c == '=') {
        /* '=' stands for the third or fourth character of the last quantum only. */
        if (d->chars < 2u) {
            d->bad = true;
            return false;
        }
        d->pad++;
        if (d->chars + d->pad < 4u) {
            return true;
        }
        uint32_t bits = 6u * d->chars;         /* 12 or 18 */
        uint32_t n = d->chars - 1u;            /* 1 or 2 bytes */
        uint32_t spare = bits - 8u * n;        /* 4 or 2 bits that must be zero */
        d->bad = (d->acc & ((1u << spare) - 1u)) != 0u ||
                 !base64_emit(d, bits, n, out, cap);
        d->done = true;
        d->chars = 0;
        d->pad = 0;
        return !d->bad;
    }
    int v = base64_value(c);
    if (v < 0 || d->pad != 0u) {
        d->bad = true;
        return false;
    }
    d->acc = (d->acc << 6) | (uint32_t)v;
    if (++d->chars == 4u) {
        d->bad = !base64_emit(d, 24u, 3u, out, cap);
        d->chars = 0;
        d->acc = 0;
    }
    return !d->bad;
}

bool ota_base64_end(const ota_base64_t *d, size_t *len)
{
    if (d == NULL || d->bad || d->chars != 0u || d->pad != 0u) {
        return false;
    }
    if (len != NULL) {
        *len = d->len;
    }
    return true;
}
#else
typedef int ota_base64_unused_; /* ISO C: a translation unit is never empty */
#endif /* OTA_RAW_IMAGES || OTA_FILE_SLOTS */
