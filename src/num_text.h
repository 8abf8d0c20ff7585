/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unsigned integers as decimal text, the one formatter and the one reader of the core: the
 * agent's log lines, the bootloader's console, the HTTP request's port and Range; the
 * manifest's numbers, a response's Content-Range, a URL's port. No printf or strtoul in
 * firmware: this is the few bytes of code they need. Private to src/.
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

/**
 * Read the decimal digits at the start of s[0..n) (no sign, no blank) into *out.
 * @return how many digits were read, *out holding their value; 0 when s[0] is no digit or
 *         the number is above UINT64_MAX (*out then untouched). The caller decides whether
 *         the digits had to fill s, and what range the value must be in.
 */
size_t ota_dec_to_u64(const char *s, size_t n, uint64_t *out);

#endif /* OTAFLOW_NUM_TEXT_H */
