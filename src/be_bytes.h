/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Big-endian 32-bit field access, byte by byte (the network and SHA-2 byte order): no casts
 * of buffers, no unaligned loads, the same result on a little- or big-endian CPU. Private to
 * src/ and the host tool; le_bytes.h is its little-endian twin.
 */
#ifndef OTAFLOW_BE_BYTES_H
#define OTAFLOW_BE_BYTES_H

#include <stdint.h>

static inline uint32_t ota_be32_get(const uint8_t *b)
{
    return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) | b[3];
}

static inline void ota_be32_put(uint8_t *b, uint32_t v)
{
    b[0] = (uint8_t)(v >> 24);
    b[1] = (uint8_t)((v >> 16) & 0xFFu);
    b[2] = (uint8_t)((v >> 8) & 0xFFu);
    b[3] = (uint8_t)(v & 0xFFu);
}

#endif /* OTAFLOW_BE_BYTES_H */
