/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PC_PATCH (docs/delta.md): the v1 -> v2 patch the manifest offers, made as otaflow-image diff
 * makes it: otaflow's format with 4 KB blocks so that a cut falls between many of them, or
 * (PC_PATCH_JOJO) the jojodiff format.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "delta_tool.h"
#include "otaflow/crypto.h"
#include "powercut.h"

void pc_patch_world(pc_world_t *w)
{
    delta_op_t *ops = NULL;
    size_t n_ops = 0;
    if (delta_match(w->img[1], w->len[1], w->img[2], w->len[2], &ops, &n_ops) != 0) {
        abort();
    }
    delta_buf_t patch = {0};
    if (w->scenario->features & PC_PATCH_JOJO) {
        delta_encode_jojo(w->img[1], w->len[1], w->img[2], w->len[2], ops, n_ops, &patch);
    } else {
        delta_encode_ofd(w->img[1], w->len[1], w->img[2], w->len[2], ops, n_ops, 12u, &patch);
    }
    free(ops);
    w->patch = patch.data;
    w->patch_len = (uint32_t)patch.len;
    uint8_t d[OTA_SHA256_SIZE];
    ota_sha256(w->patch, w->patch_len, d);
    for (unsigned i = 0; i < OTA_SHA256_SIZE; i++) {
        snprintf(w->patch_hex + 2 * i, 3, "%02x", d[i]);
    }
    w->patch_response = malloc(w->patch_len + 512u);
    if (!w->patch_response) {
        abort();
    }
}
