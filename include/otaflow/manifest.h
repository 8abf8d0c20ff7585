/* SPDX-License-Identifier: Apache-2.0 */
/*
 * otaflow manifest: parse the server's JSON manifest and choose what to do with it.
 *
 * The format is the original's (docs/manifest.md has the full rules):
 *
 *   {"ota":[{"Version":3,"URL":"http://host/app_v3.ota","Digest":"<64 hex>","EraseVer":false},
 *           ...]}
 *
 * One call, ota_manifest_select(), validates the whole text and returns a plan: the versions
 * to erase first, then at most one update to download. Any error leaves the plan empty, so a
 * caller that acts only on an OK plan downloads nothing and erases nothing.
 *
 * The text can also be fed as it arrives (ota_manifest_begin, ota_manifest_feed,
 * ota_manifest_end): a state machine reads it byte by byte, so neither the manifest nor a
 * token array is ever held. ota_manifest_select() is those three calls over a whole buffer.
 *
 * Memory: no allocation. The reader's state is the caller's ota_manifest_parser_t (the entry
 * being read, with its URL), the plan (with the chosen URL) a caller-owned struct. No
 * recursion: the stack use does not depend on the input.
 */
#ifndef OTAFLOW_MANIFEST_H
#define OTAFLOW_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "otaflow/base64.h"
#include "otaflow/config.h"
#include "otaflow/crypto.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Limits: OTA_MANIFEST_MAX_SIZE_DEFAULT, OTA_MANIFEST_MAX_DEPTH_DEFAULT and _LIMIT,
 * OTA_MANIFEST_URL_MAX, OTA_MANIFEST_ERASE_MAX: config.h. */

/* Status ---------------------------------------------------------------------------------- */

/** Result of ota_manifest_select() and ota_manifest_end(). Every error leaves the plan empty. */
typedef enum ota_manifest_status {
    OTA_MANIFEST_AGAIN = 1,                 /**< ota_manifest_end(): feed the same text once
                                                 more (an EraseVer entry came after the update
                                                 it removes; the erase list is now known) */
    OTA_MANIFEST_OK = 0,
    OTA_MANIFEST_ERR_ARG = -1,              /**< NULL pointer */
    OTA_MANIFEST_ERR_TOO_LARGE = -2,        /**< manifest longer than parser.max_size */
    OTA_MANIFEST_ERR_JSON = -3,             /**< not valid JSON (RFC 8259), or bytes after it */
    OTA_MANIFEST_ERR_CHANGED = -4,          /**< fed again after OTA_MANIFEST_AGAIN, the text
                                                 differed from the first time */
    OTA_MANIFEST_ERR_TOO_DEEP = -5,         /**< objects/arrays nested deeper than max_depth */
    OTA_MANIFEST_ERR_NOT_OBJECT = -6,       /**< the top level is not a JSON object */
    OTA_MANIFEST_ERR_NO_OTA = -7,           /**< no "ota" key, or its value is not an array */
    OTA_MANIFEST_ERR_DUPLICATE_KEY = -8,    /**< a known key twice in one object */
    OTA_MANIFEST_ERR_ENTRY_NOT_OBJECT = -9, /**< an element of "ota" is not an object */
    OTA_MANIFEST_ERR_MISSING_VERSION = -10, /**< entry without "Version" */
    OTA_MANIFEST_ERR_MISSING_URL = -11,     /**< update entry (EraseVer false) without "URL" */
    OTA_MANIFEST_ERR_MISSING_DIGEST = -12,  /**< update entry (EraseVer false) without "Digest" */
    OTA_MANIFEST_ERR_VERSION = -13,         /**< Version not an integer in 1..4294967295 */
    OTA_MANIFEST_ERR_URL_TYPE = -14,        /**< URL is not a string */
    OTA_MANIFEST_ERR_URL_EMPTY = -15,       /**< URL is "" */
    OTA_MANIFEST_ERR_URL_TOO_LONG = -16,    /**< URL longer than OTA_MANIFEST_URL_MAX */
    OTA_MANIFEST_ERR_URL_CHAR = -17,        /**< URL has a byte outside printable ASCII 0x21-0x7E */
    OTA_MANIFEST_ERR_DIGEST = -18,          /**< Digest not a string of exactly 64 hex digits */
    OTA_MANIFEST_ERR_ERASE_VER = -19,       /**< EraseVer is not true or false */
    OTA_MANIFEST_ERR_SIZE = -20,            /**< Size not an integer in 1..4294967295 */
    OTA_MANIFEST_ERR_TOO_MANY_ERASE = -21,  /**< more than OTA_MANIFEST_ERASE_MAX erase versions */
    OTA_MANIFEST_ERR_AMBIGUOUS = -22,       /**< the chosen version has entries that disagree */
    OTA_MANIFEST_ERR_HW_ID = -23,           /**< HwId not an integer in 1..4294967295 */
    OTA_MANIFEST_ERR_SEQUENCE = -24,        /**< top-level Sequence not an integer 1..4294967295 */
    OTA_MANIFEST_ERR_EXPIRES = -25,         /**< top-level Expires not a positive integer that
                                                 fits 64 bits (UTC seconds) */
    OTA_MANIFEST_ERR_SIGNATURE = -26,       /**< Signature not the base64 of 64 bytes (the
                                                 original's ECDSA r||s; OTA_RAW_IMAGES) */
    /* A file entry's own refusals (ota_manifest_file_t.status): they refuse that file entry
     * only, never the manifest. */
    OTA_MANIFEST_ERR_FILE_SLOT = -27,       /**< slot_number missing or not an integer 0..255 */
    OTA_MANIFEST_ERR_FILE_LENGTH = -28,     /**< length missing or not an integer 1..4294967295 */
    OTA_MANIFEST_ERR_FILE_SIGNATURE = -29,  /**< Signature not the base64 of 64 bytes (r||s) */
    OTA_MANIFEST_ERR_FILE_ENTRY = -30,      /**< "files" or "public_key" not an array of
                                                 objects, or more file entries than
                                                 OTA_FILE_ENTRIES_MAX */
    OTA_MANIFEST_ERR_PATCH = -31,           /**< a "Patch" of an entry is not an array of
                                                 objects each with BaseVersion (integer
                                                 1..4294967295), BaseVerDigest, PatchDigest,
                                                 TargetDigest (64 hex digits) and PatchURL (a
                                                 URL as "URL"), or has a key twice */
    OTA_MANIFEST_ERR_ROLLOUT = -32,         /**< Rollout not an integer 0..100 */
} ota_manifest_status_t;

/** Short English name of a status ("ok", "invalid JSON", ...); never NULL. */
const char *ota_manifest_status_str(ota_manifest_status_t status);

/* Device state and plan ------------------------------------------------------------------- */

/** Return true if this version has been rejected on this device (never to be installed). */
typedef bool (*ota_manifest_rejected_fn)(void *ctx, uint32_t version);

/** Staged rollout: true if this device is among the first `percent` % (1..99) of devices
 *  for `version` (the agent's answer: ota_rollout_member(), include/otaflow/rollout.h). */
typedef bool (*ota_manifest_rollout_fn)(void *ctx, uint32_t version, uint32_t percent);

/* Patches (delta updates, docs/delta.md) ----------------------------------------------------- */

/** ota_manifest_base_fn's answer when the device does not hold that base. */
#define OTA_MANIFEST_NO_BASE 0xFFu

/** Where the device holds the image `version` whose file has the SHA-256 `digest` (a store
 *  slot), or OTA_MANIFEST_NO_BASE. Asked once per well-formed patch entry. */
typedef uint8_t (*ota_manifest_base_fn)(void *ctx, uint32_t version,
                                        const uint8_t digest[OTA_SHA256_SIZE]);

/** One element of an entry's "Patch" array (the original's shape): the patch at url turns the
 *  image base_version, held in base_slot, into the entry's image. */
typedef struct ota_manifest_patch {
    uint32_t base_version;                   /**< BaseVersion */
    uint8_t base_slot;                       /**< where the device holds it (find_base) */
    uint16_t url_len;                        /**< strlen(url) */
    uint8_t base_digest[OTA_SHA256_SIZE];    /**< BaseVerDigest: SHA-256 of the base file */
    uint8_t patch_digest[OTA_SHA256_SIZE];   /**< PatchDigest: SHA-256 of the patch file */
    uint8_t target_digest[OTA_SHA256_SIZE];  /**< TargetDigest: SHA-256 of the file the patch
                                                  rebuilds */
    char url[OTA_MANIFEST_URL_MAX + 1];      /**< PatchURL, unescaped, NUL-terminated */
} ota_manifest_patch_t;

/**
 * A device that applies patches gives the reader this (ota_manifest_device_t.patches): its
 * base lookup in, the chosen update's patch out. Caller-owned, outside the parser: it is
 * needed only while a manifest is read (the agent lays it over the patch applier's RAM).
 */
typedef struct ota_manifest_patches {
    ota_manifest_base_fn find_base; /**< required */
    void *base_ctx;                 /**< passed to find_base */
    bool chosen;                    /**< out: the plan's update has a patch whose base the
                                         device holds: best */
    ota_manifest_patch_t best;      /**< out, valid if chosen */
    /* Private: the entry being read. */
    ota_manifest_patch_t entry_;    /**< its patch being read, or its first usable one */
    bool entry_has_;                /**< entry_ is a usable patch of that entry */
    uint8_t seen_;                  /**< fields of the patch being read */
    uint8_t hex_len_;               /**< hex digits of the digest being read */
    uint16_t url_len_;              /**< characters of the PatchURL being read */
    uint32_t version_;              /**< BaseVersion of the patch being read */
} ota_manifest_patches_t;

/** What the device knows that selection depends on. */
typedef struct ota_manifest_device {
    uint32_t running_version;          /**< version of the application running now */
    bool allow_downgrade;              /**< false (default): only versions > running_version */
    ota_manifest_rejected_fn is_rejected; /**< NULL: no version is rejected */
    void *rejected_ctx;                /**< passed to is_rejected */
    uint32_t hw_id;                    /**< this board's hardware id; entries whose HwId
                                            differs are ignored (0: every entry counts) */
    ota_manifest_patches_t *patches;   /**< NULL: "Patch" members are ignored, unread;
                                            otherwise they are read and checked, and the
                                            update's first patch whose base find_base finds
                                            is chosen (written there) */
    ota_manifest_rollout_fn in_rollout; /**< asked for an update entry whose Rollout is
                                            below 100; NULL: such entries are ignored (a
                                            device without an id takes only 100 %) */
    void *rollout_ctx;                 /**< passed to in_rollout */
} ota_manifest_device_t;

/** One image to download. */
typedef struct ota_manifest_update {
    uint32_t version;
    uint8_t digest[OTA_SHA256_SIZE]; /**< SHA-256 of the .ota file as served */
    bool has_size;                   /**< the entry carried "Size" */
    uint32_t size;                   /**< bytes of the .ota file, if has_size */
    uint32_t url_len;                /**< strlen(url) */
    char url[OTA_MANIFEST_URL_MAX + 1]; /**< unescaped, NUL-terminated */
#if OTA_RAW_IMAGES
    bool has_signature;              /**< the entry carried "Signature" (the original's) */
    uint8_t signature[OTA_RAW_SIG_SIZE]; /**< its r||s: ECDSA P-256 over SHA-256 of the file,
                                          checked when the file is a raw image (agent.h) */
#endif
} ota_manifest_update_t;

/** ota_manifest_file_t.key_of of a file that is no public_key of another. */
#define OTA_MANIFEST_FILE_NONE 0xFFu
#if OTA_FILE_SLOTS
/** Bytes of a file entry's Signature once decoded: ECDSA P-256 r||s. */
#define OTA_MANIFEST_FILE_SIG_SIZE 64u

/** One file entry of a `files` array, or of the `public_key` array inside one
 *  (docs/manifest.md, "File entries"). */
typedef struct ota_manifest_file {
    int8_t status;        /**< ota_manifest_status_t: OK, or why this entry is refused */
    uint8_t slot;         /**< slot_number */
    uint8_t key_of;       /**< index (in files[]) of the file this is the public_key of, or
                               OTA_MANIFEST_FILE_NONE */
    uint8_t seen;         /**< private: the fields read */
    uint8_t sig_len;      /**< OTA_MANIFEST_FILE_SIG_SIZE with a Signature, else 0 */
    uint16_t url_len;     /**< strlen(url) */
    uint32_t length;      /**< bytes of the file */
    uint32_t start;       /**< offset of the entry's '{' in the manifest */
    uint8_t digest[OTA_SHA256_SIZE];           /**< SHA-256 of the file */
    uint8_t sig[OTA_MANIFEST_FILE_SIG_SIZE];   /**< the Signature, decoded */
    char url[OTA_FILE_URL_MAX + 1];            /**< unescaped, NUL-terminated */
} ota_manifest_file_t;
#endif

/** What to do, in this order: erase each listed version, then download the update if any. */
typedef struct ota_manifest_plan {
    uint32_t entry_count;                          /**< elements in the "ota" array */
    uint32_t erase_count;                          /**< versions in erase_versions */
    uint32_t erase_versions[OTA_MANIFEST_ERASE_MAX]; /**< manifest order, no repeats */
    bool has_update;                               /**< false: nothing to download */
    ota_manifest_update_t update;                  /**< valid if has_update */
    uint32_t other_hw_entries;  /**< update entries ignored: HwId of another board */
    uint32_t other_rollout_entries; /**< update entries for this board ignored: their
                                         Rollout share does not include this device */
    /* Freshness (top-level fields, covered by a manifest signature: manifest_sig.h). */
    bool has_sequence;          /**< "Sequence" present */
    uint32_t sequence;          /**< the publisher's manifest sequence number */
    bool has_expires;           /**< "Expires" present */
    uint64_t expires;           /**< UTC seconds after which the manifest is stale */
#if OTA_FILE_SLOTS
    /* File entries (the original's File Download): none of them refuses the manifest. */
    uint32_t file_count;                           /**< entries in files[] */
    uint32_t files_dropped;    /**< file entries not kept: past OTA_FILE_ENTRIES_MAX, or a
                                    "files"/"public_key" element that is no object */
    ota_manifest_file_t files[OTA_FILE_ENTRIES_MAX]; /**< manifest order (a public_key entry
                                                          after the file it belongs to) */
#endif
} ota_manifest_plan_t;

/* Reader ---------------------------------------------------------------------------------- */

/** The reader: limits, diagnostics, and its state between ota_manifest_feed() calls;
 *  caller-owned, reusable across manifests. */
typedef struct ota_manifest_parser {
    uint32_t max_size;     /**< longest manifest accepted (bytes) */
    uint32_t max_depth;    /**< deepest nesting accepted, 1..OTA_MANIFEST_MAX_DEPTH_LIMIT */

    /* Set by ota_manifest_end() (and so ota_manifest_select()), for logs and events. */
    uint32_t error_offset; /**< byte offset in the manifest where the error was found */
    int32_t error_entry;   /**< index in "ota" of the entry at fault, or -1 */

    /* Private: the reader's state (src/manifest.c). */
    ota_manifest_device_t device_;
    ota_manifest_plan_t *plan_;
    uint64_t object_bits_; /* bit n set: nesting level n+1 is an object */
    uint64_t number_;      /* the integer being read (digits before any '.' or 'e') */
    uint32_t pos_;         /* bytes fed so far in this pass */
    uint32_t first_len_;   /* bytes of the first pass (to tell a changed text) */
    uint32_t value_start_; /* offset of the value, key or entry being read */
    uint32_t key_start_;   /* offset of the top-level key whose value is being read */
    uint32_t ota_offset_;  /* offset of the value of "ota" */
    uint32_t entry_index_; /* index in "ota" of the next entry */
    uint32_t fault_offset_[3];
    int32_t fault_entry_;
    int32_t disagree_entry_;
    uint32_t disagree_offset_;
    int8_t fault_[3];        /* first error of: the syntax (ends the reading), the top-level
                                fields, the entries */
    uint8_t want_, lex_, depth_, role_, value_role_, ota_state_;
    uint8_t key_len_, lit_, lit_pos_, hex_left_, bom_, pass_;
    bool number_plain_, number_over_, entry_open_, again_;
    bool passed_over_;       /* an eligible version lost to a higher one: erasing the best
                                then asks for a second pass */
    uint16_t hex_;
    char key_[13];           /* the longest key told apart: "BaseVerDigest" */
    /* File entries (src/manifest_files.c): the depth of the open "files" array, file object,
     * "public_key" array and key object (0: none), the plan index of the file and key
     * objects being read (OTA_MANIFEST_FILE_NONE: not kept), the digest's hex digits read. */
    uint8_t files_depth_, file_depth_, keys_depth_, key_depth_, file_idx_, key_idx_;
    uint8_t fhex_len_;
    /* Patch entries (src/manifest_patch.c): depth of the open "Patch" array and patch object
     * (0: none). */
    uint8_t patches_depth_, patch_depth_;
#if OTA_RAW_IMAGES || OTA_FILE_SLOTS
    ota_base64_t sig_b64_; /* the Signature being read: an image entry's or a file entry's */
#endif
    struct {
        uint32_t version, size, hw_id, start;
        uint16_t url_len, digest_len;
        uint8_t seen;
        uint8_t rollout;      /* Rollout, percent (100 when absent) */
        bool erase;
        bool files;           /* the entry has "files": it needs no Version */
        uint8_t digest[OTA_SHA256_SIZE];
        char url[OTA_MANIFEST_URL_MAX];
#if OTA_RAW_IMAGES
        uint8_t signature[OTA_RAW_SIG_SIZE];
#endif
    } entry_;
} ota_manifest_parser_t;

/**
 * Prepare a parser with the default limits (OTA_MANIFEST_MAX_SIZE_DEFAULT,
 * OTA_MANIFEST_MAX_DEPTH_DEFAULT). The caller may change max_size and max_depth afterwards.
 */
void ota_manifest_parser_init(ota_manifest_parser_t *parser);

/**
 * Start reading a manifest fed in pieces. The plan is cleared; device is copied; plan is
 * written by the calls that follow and must stay valid until ota_manifest_end().
 * @return OK; ERR_ARG (NULL).
 */
ota_manifest_status_t ota_manifest_begin(ota_manifest_parser_t *parser,
                                         const ota_manifest_device_t *device,
                                         ota_manifest_plan_t *plan);
/* Every call checks at link time that the caller's structs match the library's. */
#define ota_manifest_begin(...) OTA_LAYOUT_CHECKED(ota_manifest_begin, __VA_ARGS__)

/**
 * Feed the next bytes of the manifest (any split; a leading UTF-8 BOM is skipped). Errors are
 * kept for ota_manifest_end(); after one that ends the reading (invalid JSON, too deep, too
 * large), further bytes are ignored. Does nothing with a NULL parser or data.
 */
void ota_manifest_feed(ota_manifest_parser_t *parser, const void *data, size_t len);

/**
 * The manifest is complete: the verdict of ota_manifest_select() for the bytes fed.
 * @return OK (the plan is final); OTA_MANIFEST_AGAIN: feed the same bytes once more from the
 *         start and call ota_manifest_end() again (only ever once per manifest; a text that
 *         differs then gives ERR_CHANGED); or an error, the plan then all zero.
 */
ota_manifest_status_t ota_manifest_end(ota_manifest_parser_t *parser);

/* Selection ------------------------------------------------------------------------------- */

/**
 * Validate a whole manifest and choose what to do on this device.
 *
 * Rules (docs/manifest.md has them step by step):
 *  - every entry is validated, whether or not it is chosen; one bad entry refuses the manifest;
 *  - entries whose HwId is not device->hw_id (both non-zero) are ignored, erase entries too;
 *  - update entries whose Rollout (0..100, absent = 100) is below 100 count only if
 *    device->in_rollout says this device is in that share (erase entries always count);
 *  - top-level "Sequence" and "Expires" are read into the plan when present (checked by the
 *    caller against the device's state: ota_manifest_freshness());
 *  - entries with EraseVer true give the erase list (each version once, manifest order);
 *  - the update is, among entries with EraseVer false, the highest Version that is not in the
 *    erase list, not rejected (device->is_rejected), not the running version, and greater than
 *    the running version unless device->allow_downgrade;
 *  - if entries for the chosen version disagree on URL, Digest, Size or Signature:
 *    OTA_MANIFEST_ERR_AMBIGUOUS.
 *
 * @param parser  the reader and its limits (ota_manifest_parser_init); diagnostics are written back
 * @param json    the manifest bytes; need not be NUL-terminated; a leading UTF-8 BOM is skipped
 * @param len     number of bytes in json
 * @param device  running version, rejected-version predicate, downgrade policy
 * @param plan    out: the plan; on any error it is all zero (nothing to erase, no update)
 * @return OTA_MANIFEST_OK (plan->has_update says whether there is an update), or the first error.
 */
ota_manifest_status_t ota_manifest_select(ota_manifest_parser_t *parser, const char *json,
                                          size_t len, const ota_manifest_device_t *device,
                                          ota_manifest_plan_t *plan);
/* Every call checks at link time that the caller's ota_manifest_plan_t matches the library's. */
#define ota_manifest_select(...) OTA_LAYOUT_CHECKED(ota_manifest_select, __VA_ARGS__)

#ifdef __cplusplus
}
#endif

#endif /* OTAFLOW_MANIFEST_H */
