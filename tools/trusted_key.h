/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A public key a device would trust, of either algorithm, read from a file (verify --pubkey,
 * pubkey-c): an ECDSA P-256 key (PEM or DER, or a private key file: its public half), or an
 * HSS/LMS public key (the 60 bytes keygen --lms --pub writes, or a private key file). Host code.
 */
#ifndef OTAFLOW_TOOL_TRUSTED_KEY_H
#define OTAFLOW_TOOL_TRUSTED_KEY_H

#include <stddef.h>
#include <stdint.h>

#include "otaflow/image_sig.h"
#include "otaflow/lms.h"
#include "sign_key.h"

typedef struct tool_trusted {
    tool_key_t ecdsa;                 /**< the ECDSA key (entry.key points into it) */
    uint8_t lms[OTA_LMS_PUBKEY_SIZE]; /**< the HSS/LMS key (entry.key points here) */
    ota_sig_key_t entry;              /**< the device-side entry: algorithm, id, key bytes */
} tool_trusted_t;

/** Load path as one or the other kind. 0, or -1 with why[] set; free it in both cases. */
int tool_trusted_load(tool_trusted_t *t, const char *path, char *why, size_t why_len);

void tool_trusted_free(tool_trusted_t *t);

#endif /* OTAFLOW_TOOL_TRUSTED_KEY_H */
