/* SPDX-License-Identifier: Apache-2.0 */
/* The bootloaders' crypto arena (crypto_arena.h). */
#include "crypto_arena.h"

#include <string.h>

#include "otaflow/crypto.h"

#if defined(OTA_FW_CRYPTO_BEARSSL)

int fw_crypto_arena_init(void)
{
    return 0;
}

uint32_t fw_crypto_arena_high_water(void)
{
    return 0u;
}

uint32_t fw_crypto_arena_size(void)
{
    return 0u;
}

#else

#define ARENA_PAINT 0xA5u
/* mbedTLS's buffer allocator keeps its first block header at the start of the arena
 * (memory_buffer_alloc.c: 8 words on a 32-bit target); the rest is painted. */
#define ARENA_FIRST_HEADER 32u

static uint8_t g_arena[FW_CRYPTO_ARENA_SIZE] __attribute__((aligned(8)));

int fw_crypto_arena_init(void)
{
    if (ota_crypto_heap_init(g_arena, sizeof g_arena) != OTA_CRYPTO_OK) {
        return -1;
    }
    memset(g_arena + ARENA_FIRST_HEADER, ARENA_PAINT, sizeof g_arena - ARENA_FIRST_HEADER);
    return 0;
}

uint32_t fw_crypto_arena_high_water(void)
{
    uint32_t top = FW_CRYPTO_ARENA_SIZE;
    while (top > ARENA_FIRST_HEADER && g_arena[top - 1u] == ARENA_PAINT) {
        top--;
    }
    return top;
}

uint32_t fw_crypto_arena_size(void)
{
    return FW_CRYPTO_ARENA_SIZE;
}

#endif
