/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: HSS/LMS signature parsing and verification (src/lms.c), the signature read in
 * place from a slot as the bootloader reads an image's.
 *
 * Input layout: byte 0 picks the key: 0 RFC 8554 Test Case 1's, 1 Test Case 2's (each with its
 * message), anything else a key made of the next 60 input bytes (with Test Case 2's message).
 * The rest is the signature, placed 8 bytes into a slot with 8 more bytes after it.
 *
 * Oracles beyond "no crash, no UB": nothing is read outside the signature's bytes; the status
 * is one of the named ones; a fixed key accepts only its RFC signature, byte for byte (any
 * other acceptance is a forgery); the verdict is the same twice.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/lms_rfc8554_vectors.h"
#include "otaflow/lms.h"

#define FUZZ_PAD 8u
#define FUZZ_SIG_MAX 8192u

typedef struct fuzz_sig {
    const uint8_t *slot;
    uint32_t first, end; /* the signature's bytes in the slot */
} fuzz_sig_t;

static int fuzz_read(void *ctx, uint32_t offset, void *buf, uint32_t len)
{
    const fuzz_sig_t *s = ctx;
    if (offset < s->first || offset > s->end || len > s->end - offset) {
        abort(); /* the verifier read outside the signature it was given */
    }
    memcpy(buf, s->slot + offset, len);
    return 0;
}

typedef struct fuzz_vector {
    uint8_t key[OTA_LMS_PUBKEY_SIZE];
    uint8_t sig[FUZZ_SIG_MAX];
    size_t sig_len;
    const char *msg;
} fuzz_vector_t;

static size_t fuzz_unhex(const char *hex, uint8_t *out)
{
    size_t n = strlen(hex) / 2u;
    for (size_t i = 0; i < n; i++) {
        unsigned v = 0;
        if (sscanf(hex + 2u * i, "%2x", &v) != 1) {
            abort();
        }
        out[i] = (uint8_t)v;
    }
    return n;
}

static const fuzz_vector_t *fuzz_vectors(void)
{
    static fuzz_vector_t v[2];
    static bool ready;
    if (!ready) {
        fuzz_unhex(RFC8554_TC1_PUBKEY, v[0].key);
        v[0].sig_len = fuzz_unhex(RFC8554_TC1_SIGNATURE, v[0].sig);
        v[0].msg = RFC8554_TC1_MESSAGE;
        fuzz_unhex(RFC8554_TC2_PUBKEY, v[1].key);
        v[1].sig_len = fuzz_unhex(RFC8554_TC2_SIGNATURE, v[1].sig);
        v[1].msg = RFC8554_TC2_MESSAGE;
        ready = true;
    }
    return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1u) {
        return 0;
    }
    const fuzz_vector_t *vec = fuzz_vectors();
    const uint8_t *key;
    const fuzz_vector_t *fixed = NULL;
    if (data[0] < 2u) {
        fixed = &vec[data[0]];
        key = fixed->key;
        data++;
        size--;
    } else {
        if (size < 1u + OTA_LMS_PUBKEY_SIZE) {
            return 0;
        }
        key = data + 1;
        data += 1u + OTA_LMS_PUBKEY_SIZE;
        size -= 1u + OTA_LMS_PUBKEY_SIZE;
    }
    if (size > FUZZ_SIG_MAX) {
        return 0;
    }
    static uint8_t slot[FUZZ_PAD + FUZZ_SIG_MAX + FUZZ_PAD];
    memset(slot, 0xFF, sizeof slot);
    memcpy(slot + FUZZ_PAD, data, size);
    fuzz_sig_t sig = {slot, FUZZ_PAD, FUZZ_PAD + (uint32_t)size};
    ota_image_source_t src = {fuzz_read, &sig, (uint32_t)sizeof slot};
    const char *msg = fixed != NULL ? fixed->msg : vec[1].msg;
    ota_lms_status_t st = ota_lms_verify(key, OTA_LMS_PUBKEY_SIZE, (const uint8_t *)msg,
                                         strlen(msg), &src, FUZZ_PAD, (uint32_t)size);
    if (st > OTA_LMS_OK || st < OTA_LMS_ERR_ARG || st == OTA_LMS_ERR_READ ||
        st == OTA_LMS_ERR_HASH || st == OTA_LMS_ERR_ARG) {
        abort(); /* not a status this input can give */
    }
    if (st == OTA_LMS_OK && fixed != NULL &&
        (size != fixed->sig_len || memcmp(data, fixed->sig, size) != 0)) {
        abort(); /* accepted a signature the key's owner never made */
    }
    if (ota_lms_verify(key, OTA_LMS_PUBKEY_SIZE, (const uint8_t *)msg, strlen(msg), &src,
                       FUZZ_PAD, (uint32_t)size) != st) {
        abort();
    }
    return 0;
}
