/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: the original's jojodiff format through the streaming applier
 * (src/delta_jojo.c), with any chunking and a resume from the last checkpoint
 * (fuzz_delta_rig.h says how).
 */
#include "fuzz_delta_rig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_delta_one(data, size, OTA_DELTA_FORMAT_JOJODIFF);
    return 0;
}
