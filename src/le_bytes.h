/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Little-endian field access, byte by byte: no casts of buffers to structs, no unaligned
 * loads, the same result on a little- or big-endian CPU. Private to src/.
 */
#ifndef OTAFLOW_LE_BYTES_H
#define OTAFLOW_LE_BYTES_H

#include <stdint.h>

static inline uint16_t ota_le16_get(const uint8_t *p)
{
    return (uint16_t)((unsigned)p[0] | ((unsigned)p[1] << 8));
}

static inline uint32_t ota_le32_get(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}

static inline void ota_le16_put(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v & 0xFFu);
    p[1] = (uint8_t)(v >> 8);
}

static inline void ota_le32_put(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v & 0xFFu);
    p[1] = (uint8_t)((v >> 8) & 0xFFu);
    p[2] = (uint8_t)((v >> 16) & 0xFFu);
    p[3] = (uint8_t)(v >> 24);
}

#endif /* OTAFLOW_LE_BYTES_H */
