/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The update manifest as the original OTA service reads it:
 *   {"ota":[{"Version":3,"URL":"http://...","Digest":"<64 hex>","EraseVer":false}, ...]}
 * read from JSON (jsmn), edited, and written back pretty-printed in a stable layout.
 *
 * Members otaflow does not know (an entry's "Patch", a top-level key other than "ota") are kept
 * verbatim: their JSON text is copied as it was, after the known members.
 */
#ifndef OTAFLOW_TOOL_MANIFEST_DOC_H
#define OTAFLOW_TOOL_MANIFEST_DOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/** A member kept as raw JSON text: "key" (escaped, no quotes) and its value. */
typedef struct manifest_extra {
    char *key;   /**< key as written in the JSON, without the quotes */
    char *value; /**< value's JSON text (strings with their quotes) */
} manifest_extra_t;

typedef struct manifest_entry {
    uint32_t version;
    char *url;         /**< JSON-escaped URL text, without the quotes */
    char digest[65];   /**< 64 lowercase hex characters */
    bool erase;        /**< EraseVer (false when absent) */
    manifest_extra_t *extras;
    size_t n_extras;
} manifest_entry_t;

typedef struct manifest_doc {
    manifest_entry_t *entries; /**< in version order once manifest_doc_put has run */
    size_t n_entries;
    manifest_extra_t *extras;  /**< top-level members other than "ota" */
    size_t n_extras;
} manifest_doc_t;

/** Outcome of reading or editing a manifest. */
typedef enum manifest_doc_status {
    MANIFEST_DOC_OK = 0,
    MANIFEST_DOC_ERR_JSON = -1,   /**< not valid JSON */
    MANIFEST_DOC_ERR_SHAPE = -2,  /**< valid JSON, but not a manifest (member missing, wrong type) */
    MANIFEST_DOC_ERR_NOMEM = -3,  /**< out of memory */
} manifest_doc_status_t;

void manifest_doc_init(manifest_doc_t *doc);
void manifest_doc_free(manifest_doc_t *doc);

/**
 * Parse a manifest. On error, why (size why_len) says what is wrong in one line and doc is
 * left empty.
 */
manifest_doc_status_t manifest_doc_parse(const char *json, size_t len, manifest_doc_t *doc,
                                         char *why, size_t why_len);

/**
 * Put an entry (url is plain text: it is escaped here): replaces every entry with the same
 * version, keeps the entries in ascending version order. The new entry has no extra members
 * but "Size" when size is not 0 (the file's length: devices refuse any other length at the
 * response headers, so a server cannot send an endless body) and "HwId" when hw_id is not 0.
 */
manifest_doc_status_t manifest_doc_put(manifest_doc_t *doc, uint32_t version, const char *url,
                                       const char digest[65], bool erase, uint32_t size,
                                       uint32_t hw_id);

/** The raw JSON value of a top-level member other than "ota", or NULL. */
const char *manifest_doc_top(const manifest_doc_t *doc, const char *key);

/** Set a top-level member (value is JSON text, e.g. "42"): replaced in place, or appended. */
manifest_doc_status_t manifest_doc_set_top(manifest_doc_t *doc, const char *key,
                                           const char *value);

/** Set a member of the entry with this version (value is JSON text): replaced in place, or
 *  appended. MANIFEST_DOC_ERR_SHAPE when no entry has that version. */
manifest_doc_status_t manifest_doc_set_entry(manifest_doc_t *doc, uint32_t version,
                                             const char *key, const char *value);

/** Write doc as pretty-printed JSON (two-space indent, trailing newline). */
void manifest_doc_write(const manifest_doc_t *doc, FILE *f);

#endif /* OTAFLOW_TOOL_MANIFEST_DOC_H */
