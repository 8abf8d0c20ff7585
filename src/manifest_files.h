/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The seam between the manifest reader (src/manifest.c) and its file entries
 * (src/manifest_files.c): the reader calls these at its points of decision when a value, key
 * or closing bracket is none of its own. Not part of the public contract.
 */
#ifndef OTAFLOW_MANIFEST_FILES_H
#define OTAFLOW_MANIFEST_FILES_H

#include <stdbool.h>
#include <stdint.h>

#include "otaflow/manifest.h"

/** Roles of the values and keys of file entries: above every role of manifest.c. */
enum {
    MANIFEST_R_FILES = 40, /* the value of an entry's "files" */
    MANIFEST_R_FILE_ELEM,  /* an element of "files" */
    MANIFEST_R_KEY_ELEM,   /* an element of "public_key" */
    MANIFEST_R_FILE_KEY,   /* a key of a file entry */
    MANIFEST_R_FILE_FIELD, /* + n: the value of a file entry's field n ("public_key" too) */
};

/** The key just read has these letters, whatever their case (ASCII): the original reads
 *  the keys of file and patch entries with cJSON's case-blind lookup. */
bool ota_manifest_key_is(const ota_manifest_parser_t *p, const char *name);

/** The hex digit c is the n-th (from 0) of a 64-digit SHA-256 written as text: its nibble
 *  goes into digest (NULL: only checked). False when c is no hex digit or n is past the
 *  last; the Digest of an entry, of a file entry and the digests of a patch are read so. */
bool ota_manifest_digest_digit(uint8_t *digest, uint32_t n, unsigned char c);

/** The key just read (p->key_, p->key_len_) in an entry that none of the entry's fields took,
 *  or in a file entry (p->role_ == MANIFEST_R_FILE_KEY): the role of its value (0: none). */
uint32_t ota_manifest_files_key(ota_manifest_parser_t *p);

/** The role of the next value (key: of the next key) inside "files"; 0 elsewhere. */
uint32_t ota_manifest_files_role_here(const ota_manifest_parser_t *p, bool key);

/** A value of a file role begins with c at `at` (for a string, its first character). */
void ota_manifest_files_value_begins(ota_manifest_parser_t *p, uint32_t role, unsigned char c,
                                     uint32_t at);

/** A number just ended in a file role. */
void ota_manifest_files_number(ota_manifest_parser_t *p, uint32_t role);

/** A string character as written (digest, Signature) / as decoded (URL), and the string's
 *  end, in a file role. */
void ota_manifest_files_string_raw(ota_manifest_parser_t *p, unsigned char c);
void ota_manifest_files_string_unit(ota_manifest_parser_t *p, uint32_t unit);
void ota_manifest_files_string_end(ota_manifest_parser_t *p);

/** A closing bracket at p->depth_ (before it is left). */
void ota_manifest_files_close(ota_manifest_parser_t *p);

#endif /* OTAFLOW_MANIFEST_FILES_H */
