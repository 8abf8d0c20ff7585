/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The patch applier alone on a Cortex-M4 (QEMU mps2-an386), for scripts/delta_apply_bench.sh:
 * applies one patch (delta_vector.h: base, patch, target) fed in 1,460-byte pieces (a TCP
 * segment), reading the base from memory and comparing each written byte with the target,
 * and reports the instructions it ran (SysTick under QEMU's instruction counting, as
 * scripts/cross_verifier.c does) and the stack it took. No C library start-up; results over
 * semihosting.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "otaflow/delta.h"

#include "delta_vector.h"
#include "qemu_m4_bare.h"

#define PIECE 1460u

static ota_delta_t applier;
static uint32_t mismatches;

static int read_base(void *ctx, uint32_t offset, uint8_t *buf, uint32_t len)
{
    (void)ctx;
    memcpy(buf, delta_base + offset, len);
    return 0;
}

static int write_out(void *ctx, uint32_t offset, const uint8_t *data, uint32_t len)
{
    (void)ctx;
    if (offset + len > sizeof delta_target || memcmp(data, delta_target + offset, len) != 0) {
        mismatches++;
    }
    return 0;
}

static __attribute__((noinline)) int apply(void)
{
    ota_delta_io_t io = {read_base, write_out, NULL, sizeof delta_base, 0, 0, NULL};
    if (ota_delta_init(&applier, &io) != OTA_DELTA_OK) {
        return 1;
    }
    for (uint32_t at = 0; at < sizeof delta_patch; at += PIECE) {
        uint32_t n = sizeof delta_patch - at < PIECE ? sizeof delta_patch - at : PIECE;
        if (ota_delta_feed(&applier, delta_patch + at, n) != OTA_DELTA_OK) {
            return 2;
        }
    }
    if (ota_delta_finish(&applier) != OTA_DELTA_OK) {
        return 3;
    }
    return mismatches == 0u && ota_delta_output_size(&applier) == sizeof delta_target ? 0 : 4;
}

void cross_reset(void)
{
    bare_measure(apply);
}
