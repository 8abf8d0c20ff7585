/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unsigned integers as decimal text, the one formatter of the core (the agent's log lines, the
 * bootloader's console, the HTTP request's port and Range). No printf in firmware: this is the
 * few bytes of code it needs. Private to src/.
 */
#ifndef OTAFLOW_NUM_TEXT_H
#define OTAFLOW_NUM_TEXT_H

#include <stddef.h>
#include <stdint.h>

/** Room for any uint64_t in decimal: 20 digits (UINT64_MAX) + NUL. */
#define OTA_DEC_U64_SIZE 21u

/**
 * Write `v` in decimal, NUL-terminated, into `out` (`size` bytes, NUL included).
 * @return the number of digits written (1..20), or 0 when they and the NUL do not fit: then
 *         `out` holds "" (if size > 0), never a cut number.
 */
size_t ota_u64_to_dec(uint64_t v, char *out, size_t size);

#endif /* OTAFLOW_NUM_TEXT_H */
