/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The bootloaders' crypto arena: mbedTLS's only heap (ota_crypto_heap_init), a static buffer
 * painted after the allocator's set-up so that its high-water mark can be read before the
 * jump (docs/firmware.md, "Measurements"). BearSSL allocates nothing: then there is no arena
 * and every call here is a no-op returning 0.
 */
#ifndef OTAFLOW_FW_CRYPTO_ARENA_H
#define OTAFLOW_FW_CRYPTO_ARENA_H

#include <stdint.h>

/** Bytes of the arena: one ECDSA P-256 verification took 4,560-4,652 B of it on the target
 *  (the bootloader's measured high-water marks over five runs, docs/footprint.md), plus a
 *  margin of about 20 % (980 B) for the run-to-run spread (each signature has its own k) and
 *  the allocator's fragmentation, rounded up to 5.5 KB. */
#define FW_CRYPTO_ARENA_SIZE 5632u

/** Give the arena to the crypto backend and paint it. @return 0, or -1 if it refused. */
int fw_crypto_arena_init(void);

/** Bytes from the arena's start to the highest byte ever written (0 without an arena). */
uint32_t fw_crypto_arena_high_water(void);

/** Bytes reserved for the arena (0 without one). */
uint32_t fw_crypto_arena_size(void);

#endif /* OTAFLOW_FW_CRYPTO_ARENA_H */
