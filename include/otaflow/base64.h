/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Base64 (RFC 4648, standard alphabet, '=' padding) decoded one character at a time, for
 * values that arrive inside a streamed JSON string (the original's manifest "Signature", of
 * an entry or of a file entry: the base64 of a 64-byte ECDSA r||s). No allocation: the state is the caller's, the bytes go to
 * the caller's buffer as each 4-character quantum completes.
 *
 * Strict: only the 64 alphabet characters and '=' as the last one or two characters of the
 * last quantum; no white space, no line breaks, no missing padding, and the bits left over by
 * a padded quantum must be zero (one text per byte string, as base64.b64encode writes it).
 */
#ifndef OTAFLOW_BASE64_H
#define OTAFLOW_BASE64_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Decoder state; start it with ota_base64_begin(). */
typedef struct ota_base64 {
    uint32_t acc;  /**< bits of the quantum being read */
    uint16_t len;  /**< bytes written to the output so far */
    uint8_t chars; /**< alphabet characters of the quantum being read (0..3) */
    uint8_t pad;   /**< '=' characters of the quantum being read (0..2) */
    bool done;     /**< a padded quantum ended the text: nothing may follow */
    bool bad;      /**< the text is not base64 (or does not fit the output) */
} ota_base64_t;

/** Start decoding a new text. Does nothing for NULL. */
void ota_base64_begin(ota_base64_t *d);

/**
 * Decode the next character c, writing completed bytes to out (cap bytes in all, counted from
 * the text's first byte; d->len says how many are written).
 * @return true while the text may still be base64; false from the first character that makes
 *         it invalid (outside the alphabet, misplaced '=', non-zero padding bits, anything
 *         after the padding) or the first byte that does not fit cap; it stays false.
 */
bool ota_base64_feed(ota_base64_t *d, unsigned char c, uint8_t *out, size_t cap);

/**
 * The text has ended: true when it was whole base64 (every quantum complete), *len (may be
 * NULL) then receiving the decoded length; false otherwise (and for NULL).
 */
bool ota_base64_end(const ota_base64_t *d, size_t *len);

#ifdef __cplusplus
}
#endif

#endif /* OTAFLOW_BASE64_H */
