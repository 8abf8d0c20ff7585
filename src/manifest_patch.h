/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The seam between the manifest reader (src/manifest.c) and an entry's "Patch" array
 * (src/manifest_patch.c), as manifest_files.h is for file entries: the reader calls these at
 * its points of decision; each ignores roles that are not its own. Not part of the contract.
 */
#ifndef OTAFLOW_MANIFEST_PATCH_H
#define OTAFLOW_MANIFEST_PATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "otaflow/manifest.h"

/** Roles of the values and keys of "Patch": above every role of manifest.c and
 *  manifest_files.h. */
enum {
    MANIFEST_R_PATCHES = 60, /* the value of an entry's "Patch" */
    MANIFEST_R_PATCH_ELEM,   /* an element of "Patch" */
    MANIFEST_R_PATCH_KEY,    /* a key of a patch object */
    MANIFEST_R_PATCH_FIELD,  /* + n: the value of a patch object's field n */
};

/** Refuse the entry being read (manifest.c's first-fault rule). */
void ota_manifest_entry_refuse(ota_manifest_parser_t *p, ota_manifest_status_t st,
                               uint32_t offset);

/** An entry's '{': it has no patch yet. */
void ota_manifest_patch_entry_begins(ota_manifest_parser_t *p);

/** The key just read in an entry (none of its own fields) or in a patch object: the role of
 *  its value (0: not ours). */
uint32_t ota_manifest_patch_key(ota_manifest_parser_t *p);

/** The role of the next value (key: of the next key) inside "Patch"; 0 elsewhere. */
uint32_t ota_manifest_patch_role_here(const ota_manifest_parser_t *p, bool key);

/** A value of a patch role begins with c at `at`. */
void ota_manifest_patch_value_begins(ota_manifest_parser_t *p, uint32_t role, unsigned char c,
                                     uint32_t at);

/** A number just ended in a patch role. */
void ota_manifest_patch_number(ota_manifest_parser_t *p, uint32_t role);

/** A string character as written (digests) / as decoded (PatchURL), and the string's end. */
void ota_manifest_patch_string_raw(ota_manifest_parser_t *p, unsigned char c);
void ota_manifest_patch_string_unit(ota_manifest_parser_t *p, uint32_t unit);
void ota_manifest_patch_string_end(ota_manifest_parser_t *p);

/** A closing bracket at p->depth_ (before it is left). */
void ota_manifest_patch_close(ota_manifest_parser_t *p);

/** The entry being read became the best update (its patch, if usable, goes with it); with
 *  `best` false, the best update was dropped (an EraseVer of its version, a new pass). */
void ota_manifest_patch_best(ota_manifest_parser_t *p, bool best);

#endif /* OTAFLOW_MANIFEST_PATCH_H */
