/* SPDX-License-Identifier: Apache-2.0 */
/*
 * otaflow image store: slots for update images on an external NOR flash, and the power-safe
 * state journal that says what each slot holds and what the bootloader must do.
 *
 * Layout (docs/store.md has the picture and the byte-level record format):
 *
 *   journal sector A | journal sector B | pad to block | factory slot | slot 1 | ... | slot N
 *
 * Every change of state is one journal record: a full snapshot of the store (all slot
 * descriptors + boot fields) with a sequence number and a CRC-32. The newest valid record
 * wins, so each change is atomic: after a power cut at any point, mounting yields either the
 * state before the change or the state after it. A record is written only after the flash
 * data it describes is durable (a slot becomes STORED only after its bytes were read back from
 * flash and their SHA-256 matched), and data is erased only after a record says nobody needs it.
 *
 * The agent (application side) downloads into slots; the bootloader (reset side) installs
 * from them and keeps the boot fields. Both mount the same store with the same config.
 *
 * Everything lives in a caller-owned ota_store_t; no allocation, no globals. Not thread-safe:
 * one owner at a time.
 */
#ifndef OTAFLOW_STORE_H
#define OTAFLOW_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "otaflow/config.h"
#include "otaflow/crypto.h"
#include "otaflow/guard.h"
#include "otaflow/image.h"
#include "otaflow/image_sig.h"
#include "otaflow/port.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Limits and defaults ---------------------------------------------------------------------- */

/* OTA_STORE_MAX_DOWNLOAD_SLOTS, OTA_STORE_REJECTED_MAX, OTA_STORE_WORK_SIZE: config.h. */
/** Slot indices: 0 is the factory slot, 1..N the download slots. */
#define OTA_STORE_FACTORY_SLOT 0u
/** "No slot" in the boot fields. */
#define OTA_STORE_SLOT_NONE 0xFFu
/** Slot descriptors in one snapshot at most (factory + download slots). */
#define OTA_STORE_MAX_SLOTS (OTA_STORE_MAX_DOWNLOAD_SLOTS + 1u)
/** Default slot size: application region 0xDF000 + room for header and TLVs, 64 KB aligned. */
#define OTA_STORE_DEFAULT_SLOT_SIZE 0xE0000u
/** Default number of download slots (the original's default). */
#define OTA_STORE_DEFAULT_DOWNLOAD_SLOTS 2u
/** config.download_slots value meaning "as many as fit the device" (at most the maximum). */
#define OTA_STORE_SLOTS_AS_MANY_AS_FIT 0xFFu
/** Default size of each area of a file slot (config.file_slot_size 0; files.h): 64 KB. */
#define OTA_FILE_SLOT_SIZE_DEFAULT 0x10000u
/** Default automatic checkpoint interval of a download (bytes; rounded up to an erase unit). */
#define OTA_STORE_DEFAULT_CHECKPOINT 0x10000u

/** Largest record (snapshot) in bytes, before rounding to the program unit. */
#define OTA_STORE_RECORD_HEADER 80u
#define OTA_STORE_RECORD_SLOT 48u
#define OTA_STORE_RECORD_MAX                                                                     \
    (OTA_STORE_RECORD_HEADER + OTA_STORE_MAX_SLOTS * OTA_STORE_RECORD_SLOT + 4u)
/* The power of two at or above x, for 1 <= x <= 65536. */
#define OTA_POW2_SMEAR_(v, s) ((v) | ((v) >> (s)))
#define OTA_POW2_CEIL_(x)                                                                        \
    (OTA_POW2_SMEAR_(OTA_POW2_SMEAR_(OTA_POW2_SMEAR_(OTA_POW2_SMEAR_((x) - 1u, 1), 2), 4), 8) + 1u)
/** Record buffer: holds a record position of any geometry. A record of n bytes takes a
 *  power-of-two position (n <= page size) or whole pages (n > page size); both are at most the
 *  power of two at or above n, and at least the program unit (<= 64). */
#define OTA_STORE_RECORD_BUF OTA_POW2_CEIL_(OTA_STORE_RECORD_MAX)

/* Status ----------------------------------------------------------------------------------- */

/** Result of a store operation. */
typedef enum ota_store_status {
    OTA_STORE_OK = 0,
    OTA_STORE_ERR_ARG = -1,            /**< NULL pointer, bad slot index, zero length... */
    OTA_STORE_ERR_GEOMETRY = -2,       /**< flash geometry or config the store cannot use */
    OTA_STORE_ERR_NO_SPACE = -3,       /**< journal + the requested slots do not fit the device */
    OTA_STORE_ERR_FLASH = -4,          /**< the flash failed: see ota_store_flash_status() */
    OTA_STORE_ERR_JOURNAL_FULL = -5,   /**< no record position could be programmed in either
                                            journal sector (worn-out or failing flash) */
    OTA_STORE_ERR_LAYOUT = -6,         /**< the journal was written with another layout/config */
    OTA_STORE_ERR_STATE = -7,          /**< operation not allowed in the current state */
    OTA_STORE_ERR_NO_SLOT = -8,        /**< no slot may take a download now */
    OTA_STORE_ERR_TOO_LARGE = -9,      /**< image larger than a slot (or than announced) */
    OTA_STORE_ERR_OFFSET = -10,        /**< write not at the next expected offset */
    OTA_STORE_ERR_SIZE = -11,          /**< finished with fewer bytes than announced */
    OTA_STORE_ERR_DIGEST = -12,        /**< bytes in flash do not match the expected SHA-256 */
    OTA_STORE_ERR_IMAGE = -13,         /**< bytes match the digest but are not a valid image */
    OTA_STORE_ERR_NOT_FOUND = -14,     /**< no slot holds that version */
    OTA_STORE_ERR_PROTECTED = -15,     /**< that image must be kept (running, rollback, install) */
    OTA_STORE_ERR_NO_ROLLBACK = -16,   /**< nothing valid would be left to boot */
    OTA_STORE_ERR_REJECTED = -17,      /**< that version was rejected on this device */
    OTA_STORE_ERR_EXISTS = -18,        /**< that version is already stored */
    OTA_STORE_ERR_BUSY = -19,          /**< a download is already in progress */
    OTA_STORE_ERR_NOT_MOUNTED = -20,   /**< ota_store_mount() has not succeeded */
    OTA_STORE_ERR_UNSIGNED = -21,      /**< signatures required: the image has none */
    OTA_STORE_ERR_UNKNOWN_KEY = -22,   /**< signed by a key not in config.trusted_keys */
    OTA_STORE_ERR_SIGNATURE = -23,     /**< the signature does not verify with its key */
    OTA_STORE_ERR_SECURITY_COUNTER = -24, /**< image security counter below the device's
                                            (anti-rollback) */
    OTA_STORE_ERR_CRYPTO = -25,        /**< the crypto backend failed (e.g. its heap is too
                                            small): no verdict on the image */
    OTA_STORE_ERR_HW_ID = -26,         /**< the image header's hw_id is not config.hw_id
                                            (built for another board) */
    OTA_STORE_ERR_BELOW_FLOOR = -27,   /**< EraseVer of the running version refused: the image
                                            it would roll back to is below the device's
                                            security counter (nothing changed) */
    OTA_STORE_ERR_KEY_REVOKED = -28,   /**< signed by a keyring entry the guard records as
                                            revoked (docs/security.md, key rotation) */
    OTA_STORE_ERR_REVOCATION = -29,    /**< the image would revoke the key that signed it, or
                                            every key of the keyring */
    OTA_STORE_ERR_SECTORS = -30,       /**< mixed erase sectors the store cannot use: the
                                            first two sectors (the journal) are not both
                                            erase_unit bytes, or no slot layout covers whole
                                            sectors (mount fails, nothing written) */
    OTA_STORE_ERR_NO_SIGNATURES = -31, /**< config.trusted_keys given to a core built with
                                            OTA_SIGNATURES 0, which cannot check a signature
                                            (mount fails, nothing read) */
} ota_store_status_t;

/** A short constant English name for a status ("digest mismatch"), never NULL. */
const char *ota_store_status_str(ota_store_status_t status);

/* State ------------------------------------------------------------------------------------ */

/** What a slot holds. */
typedef enum ota_slot_state {
    OTA_SLOT_EMPTY = 0,       /**< nothing; its bytes are garbage and may be erased any time */
    OTA_SLOT_DOWNLOADING = 1, /**< a download in progress; offset bytes are durable */
    OTA_SLOT_STORED = 2,      /**< a complete image whose bytes matched its digest */
    OTA_SLOT_INSTALLED = 3,   /**< the copy of the image running from internal flash */
    OTA_SLOT_REJECTED = 4,    /**< an image that failed its trial boot (reusable space) */
} ota_slot_state_t;

/** Slot flag: when this slot stops being the running one, it becomes EMPTY (EraseVer of the
 *  running version), instead of STORED. */
#define OTA_SLOT_FLAG_DISCARD 0x01u
/** Slot flag: DOWNLOADING one of the original's raw images (no header): the store writes the
 *  header before its bytes and the TLV area after them (ota_store_raw_start/finish); cleared
 *  when the slot becomes STORED. */
#define OTA_SLOT_FLAG_RAW 0x02u

/** One slot's descriptor, as in the newest record. */
typedef struct ota_store_slot {
    uint8_t state;               /**< ota_slot_state_t */
    uint8_t flags;               /**< OTA_SLOT_FLAG_* */
    uint32_t version;            /**< image version (manifest Version) */
    uint32_t size;               /**< image size in bytes (0 while unknown during download) */
    uint32_t offset;             /**< DOWNLOADING: durable bytes (resume point) */
    uint8_t digest[OTA_SHA256_SIZE]; /**< SHA-256 of the whole image file as served */
} ota_store_slot_t;

/** What the bootloader does at the next reset. */
typedef enum ota_boot_state {
    OTA_BOOT_NONE = 0,            /**< fresh device: nothing known about the running image */
    OTA_BOOT_INSTALL_PENDING = 1, /**< install install_slot at the next reset */
    OTA_BOOT_INSTALLING = 2,      /**< install in progress (install_progress bytes done) */
    OTA_BOOT_TRIAL = 3,           /**< new image on trial; attempts boots counted so far */
    OTA_BOOT_CONFIRMED = 4,       /**< the running image is confirmed */
} ota_boot_state_t;

/** Why an install was requested (for the bootloader's decisions and its log). */
typedef enum ota_install_reason {
    OTA_INSTALL_UPDATE = 0,   /**< a newer image the agent downloaded */
    OTA_INSTALL_ROLLBACK = 1, /**< going back (trial failed, EraseVer of the running, request) */
    OTA_INSTALL_FACTORY = 2,  /**< factory reset */
} ota_install_reason_t;

/** Boot fields of the snapshot: shared by agent and bootloader. */
typedef struct ota_store_boot {
    uint32_t running_version;    /**< version in internal flash (0 = unknown) */
    uint32_t previous_version;   /**< version the running one replaced (0 = none) */
    uint32_t security_counter;   /**< highest security counter confirmed */
    uint32_t install_progress;   /**< INSTALLING: bytes of internal flash done */
    uint8_t running_slot;        /**< slot holding a copy of the running image, or NONE */
    uint8_t previous_slot;       /**< slot of the replaced image while not confirmed, or NONE */
    uint8_t install_slot;        /**< INSTALL_PENDING/INSTALLING: slot to install, or NONE */
    uint8_t state;               /**< ota_boot_state_t */
    uint8_t attempts;            /**< TRIAL: boots counted */
    uint8_t install_reason;      /**< ota_install_reason_t of the pending install; kept
                                      after install_done until the next request, so the
                                      bootloader still knows after a power cut that the image
                                      running came from a roll back or factory reset */
    uint8_t rejected_count;      /**< entries used in rejected[] */
    uint8_t report_pending;      /**< 1: the version change of the last install (previous ->
                                      running, install_reason) is not yet reported to the
                                      fleet's report URL (set by install_done, cleared by
                                      ota_store_report_done); kept across power cuts */
    uint32_t manifest_sequence;  /**< highest signed-manifest Sequence accepted (0 = none):
                                      an older manifest is a replay (docs/security.md) */
    uint32_t rejected[OTA_STORE_REJECTED_MAX]; /**< rejected versions, oldest first */
} ota_store_boot_t;

/** A whole snapshot: what one journal record holds. */
typedef struct ota_store_state {
    ota_store_boot_t boot;
    ota_store_slot_t slots[OTA_STORE_MAX_SLOTS]; /**< [0] factory, [1..N] download slots */
} ota_store_state_t;

/* Configuration and layout ----------------------------------------------------------------- */

/** Store configuration. Agent and bootloader must use the same values (mount checks them
 *  against the journal and fails with OTA_STORE_ERR_LAYOUT otherwise). Zero = default. */
typedef struct ota_store_config {
    uint32_t slot_size;           /**< bytes per slot, multiple of the erase unit
                                       (0: OTA_STORE_DEFAULT_SLOT_SIZE) */
    uint8_t download_slots;       /**< 1..OTA_STORE_MAX_DOWNLOAD_SLOTS, or
                                       OTA_STORE_SLOTS_AS_MANY_AS_FIT (0: default 2) */
    uint32_t checkpoint_interval; /**< automatic download checkpoint every this many bytes
                                       (0: OTA_STORE_DEFAULT_CHECKPOINT; UINT32_MAX: never) */
    /** Keys whose signatures the device accepts (`otaflow-image pubkey-c` writes the table).
     *  NULL: signatures are not required. Otherwise a download becomes STORED only when its
     *  image is signed by one of them, and the bootloader checks the same (docs/security.md).
     *  Not part of the layout: the pointer is kept, the keys must outlive the store.
     *  A core built with OTA_SIGNATURES 0 refuses any (OTA_STORE_ERR_NO_SIGNATURES). */
    const ota_sig_keyring_t *trusted_keys;
    /** This board's hardware id (0 = accept any): an image whose header hw_id differs is
     *  never recorded STORED nor installed (OTA_STORE_ERR_HW_ID). Not part of the layout. */
    uint32_t hw_id;
    /** The device's anti-rollback guard (include/otaflow/guard.h), mounted by the caller;
     *  NULL: none. With a guard, the image policy takes the security counter floor and the
     *  revoked keys from it, and the journal's security_counter is only a hint; the store
     *  never writes it (the bootloader raises it, docs/security.md). Not part of the layout. */
    ota_guard_t *guard;
    /** File slots (include/otaflow/files.h): 0 (default) none, and the layout is the one
     *  without them; else 1..OTA_FILE_SLOTS_MAX slots of two areas each at the top of the
     *  device, below which the image slots must fit. Not part of the journal's layout check,
     *  but the bootloader must use the same value when it counts on as many slots as fit.
     *  A core built with OTA_FILE_SLOTS 0 refuses any (OTA_STORE_ERR_ARG). */
    uint8_t file_slots;
    /** Bytes of each of a file slot's two areas, a multiple of the erase unit (0: 64 KB,
     *  OTA_FILE_SLOT_SIZE_DEFAULT): a file takes up to this minus a 64-byte header. */
    uint32_t file_slot_size;
} ota_store_config_t;

/** Where things are on the device (computed by ota_store_mount). */
typedef struct ota_store_layout {
    uint32_t journal_sector_size; /**< one erase sector per journal sector (the device's
                                       first two sectors, erase_unit bytes each) */
    uint32_t record_size;         /**< bytes per record position (multiple of program unit) */
    uint32_t records_per_sector;
    uint32_t write_chunk;         /**< bytes programmed at once by a download (<= a page) */
    uint32_t data_base;           /**< address of the factory slot */
    uint32_t slot_size;
    uint8_t download_slots;
    uint32_t checkpoint_interval;
    uint32_t file_base;           /**< address of the first file slot's first area (the
                                       device size when there are none) */
    uint32_t file_slot_size;      /**< bytes per file area (0: no file slots) */
    uint8_t file_slots;           /**< file slots (two areas each) */
} ota_store_layout_t;

/** How the last mount found the journal. */
typedef enum ota_store_mount_kind {
    OTA_STORE_MOUNT_FRESH = 0,     /**< both journal sectors erased: a new, empty store */
    OTA_STORE_MOUNT_RECORD = 1,    /**< the newest valid record was loaded */
    OTA_STORE_MOUNT_GARBAGE = 2,   /**< no valid record among non-erased bytes: empty store
                                        (nothing is claimed, so nothing unsafe is trusted) */
} ota_store_mount_kind_t;

/** Journal bookkeeping (private to the store; read it only for diagnostics). */
typedef struct ota_store_journal {
    uint32_t seq;            /**< sequence number of the newest record (0: none yet) */
    uint32_t next_pos;       /**< next record position to try in the active sector */
    uint8_t sector;          /**< active journal sector (0 or 1) */
    uint8_t mount_kind;      /**< ota_store_mount_kind_t */
    uint32_t valid_records;  /**< valid records seen at mount (both sectors) */
    uint32_t bad_records;    /**< non-erased positions that failed CRC or checks at mount */
    uint32_t appends;        /**< records written since mount */
    uint32_t compactions;    /**< sector switches since mount */
} ota_store_journal_t;

/** The download in progress (private to the store). */
typedef struct ota_store_download {
    bool active;
    uint8_t slot;
    bool checking;      /**< a check (ota_store_check_begin) reads the slot back */
    uint32_t next;      /**< next byte offset the caller must write */
    uint32_t base;      /**< slot offset of work[0]; everything before it is programmed */
    uint32_t fill;      /**< bytes staged in work[] */
    uint32_t erased_to; /**< slot offset up to which the slot is erased in this session */
} ota_store_download_t;

/** The store. Caller-owned; fields are private, use the functions. */
typedef struct ota_store {
    const ota_flash_t *flash;
    ota_store_layout_t layout;
    ota_store_state_t state;   /**< newest durable snapshot */
    ota_store_state_t staged;  /**< snapshot being prepared for the next record */
    ota_store_journal_t journal;
    ota_store_download_t dl;
    ota_flash_status_t flash_status; /**< the flash error behind the last OTA_STORE_ERR_FLASH */
    const ota_sig_keyring_t *trusted_keys; /**< config.trusted_keys */
    uint32_t hw_id;                        /**< config.hw_id */
    ota_guard_t *guard;                    /**< config.guard */
    bool mounted;
    uint8_t record[OTA_STORE_RECORD_BUF];
    _Alignas(8) uint8_t work[OTA_STORE_WORK_SIZE];
} ota_store_t;

/* Mount and inspect ------------------------------------------------------------------------ */

/**
 * Mount the store on flash: compute the layout, read both journal sectors and load the newest
 * valid record (or an empty state if there is none). Reads only; writes nothing.
 * Call again after every power-on: the RAM state of a store is not valid after a cut.
 * @param config NULL for all defaults
 * @return OK; ERR_ARG; ERR_GEOMETRY (erase unit/program unit/page unusable, slot size not a
 *         multiple of the erase unit, work buffer smaller than a program unit); ERR_NO_SPACE
 *         (slots do not fit); ERR_LAYOUT (the newest record was written with another config);
 *         ERR_FLASH (read failed); ERR_NO_SIGNATURES (trusted keys in config, core built
 *         with OTA_SIGNATURES 0).
 */
ota_store_status_t ota_store_mount(ota_store_t *store, const ota_flash_t *flash,
                                   const ota_store_config_t *config);
/* Every call checks at link time that the caller's ota_store_t matches the library's. */
#define ota_store_mount(...) OTA_LAYOUT_CHECKED(ota_store_mount, __VA_ARGS__)

/** The layout in use (valid after a successful mount). */
const ota_store_layout_t *ota_store_layout(const ota_store_t *store);

/** The newest durable state (valid after a successful mount). */
const ota_store_state_t *ota_store_state(const ota_store_t *store);

/** The boot fields of the newest durable state. */
const ota_store_boot_t *ota_store_boot(const ota_store_t *store);

/** Descriptor of slot (0 = factory, 1..download_slots); NULL if the index is out of range. */
const ota_store_slot_t *ota_store_slot(const ota_store_t *store, uint8_t slot);

/** Number of slots including the factory slot (download_slots + 1). */
uint8_t ota_store_slot_count(const ota_store_t *store);

/** Flash address of the first byte of slot. */
uint32_t ota_store_slot_addr(const ota_store_t *store, uint8_t slot);

/** How the last mount found the journal (ota_store_mount_kind_t). */
ota_store_mount_kind_t ota_store_mount_kind(const ota_store_t *store);

/** The flash status behind the last OTA_STORE_ERR_FLASH. */
ota_flash_status_t ota_store_flash_status(const ota_store_t *store);

/** The trusted keys of the config (NULL: signatures not required), for the bootloader. */
const ota_sig_keyring_t *ota_store_trusted_keys(const ota_store_t *store);

/** The guard of the config (NULL: none), for the bootloader, which raises it. */
ota_guard_t *ota_store_guard(const ota_store_t *store);

/**
 * The image checks a slot must pass before it may be STORED or installed, on an image already
 * parsed and hash-verified (ota_image_parse + ota_image_verify returned OK on these bytes):
 * it is built for this board (header hw_id equals config.hw_id, unless that is 0), its
 * security counter is not below the device's floor (the guard's counter with config.guard,
 * else boot.security_counter), and, when the config has trusted keys, it is signed by one of
 * them that the guard does not record as revoked, and its revoke_keys mask neither revokes
 * that key nor, with the revocations already recorded, every key of the keyring. Reads only
 * the signature, from src (the source info was parsed from) into work (ota_image_sig_check).
 * @param work, work_len  scratch for the signature (OTA_SIG_MAX_SIZE bytes take any)
 * @return OK; ERR_HW_ID; ERR_SECURITY_COUNTER; ERR_UNSIGNED; ERR_UNKNOWN_KEY; ERR_SIGNATURE;
 *         ERR_KEY_REVOKED; ERR_REVOCATION; ERR_CRYPTO (also a work buffer too small for the
 *         signature); ERR_FLASH (the signature could not be read); ERR_ARG. ERR_CRYPTO and
 *         ERR_FLASH are no verdict.
 */
ota_store_status_t ota_store_image_policy(const ota_store_t *store,
                                          const ota_image_source_t *src,
                                          const ota_image_info_t *info, uint8_t *work,
                                          size_t work_len);

/**
 * The device's security counter as the store sees it: the floor below which no image may be
 * stored, installed or rolled back to. Every store decision that compares a counter reads it
 * here, so a floor kept elsewhere (bootloader-owned internal flash) plugs in at one place:
 * the guard's counter with config.guard, else the journal's boot.security_counter. 0 for NULL.
 */
uint32_t ota_store_security_floor(const ota_store_t *store);

/** True if version is in the rejected list. */
bool ota_store_is_rejected(const ota_store_t *store, uint32_t version);

/** A slot holding version in state STORED or INSTALLED (download slots first, then
 *  factory), or OTA_STORE_SLOT_NONE. */
uint8_t ota_store_find_version(const ota_store_t *store, uint32_t version);

/**
 * Read len bytes of slot at offset (bounded by the slot size).
 * @return OK, ERR_ARG (out of the slot), ERR_FLASH.
 */
ota_store_status_t ota_store_slot_read(ota_store_t *store, uint8_t slot, uint32_t offset,
                                       void *buf, uint32_t len);

/** An image source over one slot (ota_image_parse / ota_image_verify read through .src). */
typedef struct ota_store_slot_source {
    ota_image_source_t src;
    ota_store_t *store;
    uint8_t slot;
} ota_store_slot_source_t;

/**
 * Set out up to read slot as an image source, sized to the slot's recorded image size (the
 * slot size while it is unknown). Pass &out->src to the image functions; out must outlive it.
 * @return OK; ERR_ARG (bad slot).
 */
ota_store_status_t ota_store_image_source(ota_store_t *store, uint8_t slot,
                                          ota_store_slot_source_t *out);

/**
 * Read the slot's image back from flash and compare its SHA-256 with the recorded digest.
 * Uses the work buffer: not during a download. Changes nothing.
 * @return OK when the bytes match; ERR_STATE (slot not STORED/INSTALLED); ERR_DIGEST; ERR_FLASH;
 *         ERR_CRYPTO (the hash engine failed: no verdict).
 */
ota_store_status_t ota_store_slot_verify(ota_store_t *store, uint8_t slot);

/* Download (agent side) -------------------------------------------------------------------- */

/**
 * Start (or resume) downloading an image into a download slot.
 *
 * Resume: if a slot is DOWNLOADING this same version with this same digest, the download
 * continues there and *resume_offset is its durable offset (re-request the rest from there).
 * Otherwise a slot is chosen: never the running image's slot, the pending install's slot, nor
 * (while an install is pending or the running image is on trial) the image it would roll back
 * to; among the others an EMPTY, REJECTED or stale DOWNLOADING slot first (lowest index), else
 * the STORED slot with the lowest version. The slot is recorded DOWNLOADING at offset 0 before
 * any byte of it is erased or written; *resume_offset is 0.
 *
 * @param total_size  expected size (e.g. Content-Length), 0 if unknown
 * @param digest      SHA-256 of the whole file, as the manifest gives it
 * @param slot_out    may be NULL; receives the slot index
 * @param resume_offset may be NULL; receives where to continue
 * @return OK; ERR_BUSY (a download is active); ERR_ARG (version 0); ERR_TOO_LARGE;
 *         ERR_REJECTED (version in the rejected list); ERR_EXISTS (already STORED/INSTALLED);
 *         ERR_NO_SLOT; ERR_FLASH / ERR_JOURNAL_FULL (record not written: nothing changed).
 */
ota_store_status_t ota_store_download_begin(ota_store_t *store, uint32_t version,
                                            uint32_t total_size,
                                            const uint8_t digest[OTA_SHA256_SIZE],
                                            uint8_t *slot_out, uint32_t *resume_offset);

/**
 * Start (or resume) writing the factory image into the factory slot (bootloader, first boot
 * of a factory-programmed board). Same contract as ota_store_download_begin, for slot 0; only
 * allowed while the factory slot is EMPTY or DOWNLOADING (resume).
 * @return as ota_store_download_begin; ERR_STATE if the factory slot already holds an image.
 */
ota_store_status_t ota_store_factory_begin(ota_store_t *store, uint32_t version,
                                           uint32_t total_size,
                                           const uint8_t digest[OTA_SHA256_SIZE],
                                           uint32_t *resume_offset);

/**
 * Write len bytes at offset of the image being downloaded. Offsets must follow each other
 * (offset == bytes written so far, starting at the resume offset); chunk sizes are free.
 * Bytes are staged in the work buffer and programmed a page at a time; each erase unit (or
 * block, when a whole block of the slot is ahead) is erased just before its first program.
 * Every checkpoint_interval bytes a checkpoint record is appended automatically.
 * @return OK; ERR_STATE (no download); ERR_OFFSET; ERR_TOO_LARGE (past the slot or past the
 *         announced size); ERR_FLASH / ERR_JOURNAL_FULL: the session is over (which of the
 *         bytes are programmed is unknown): call ota_store_download_begin with the same version
 *         and digest to resume from the durable offset.
 */
ota_store_status_t ota_store_download_write(ota_store_t *store, uint32_t offset,
                                            const void *data, size_t len);

/**
 * Record the durable offset now: the last erase-unit boundary below which every byte is
 * programmed (only there can a resume erase the next unit again). Writes a record only when
 * that offset moved. *durable may be NULL.
 * @return OK; ERR_STATE (no download); ERR_FLASH / ERR_JOURNAL_FULL.
 */
ota_store_status_t ota_store_download_checkpoint(ota_store_t *store, uint32_t *durable);

/**
 * Finish: program the staged tail, read the whole image back from flash, hash it and compare
 * with the digest. On a match (and a valid image, see docs/store.md, that passes
 * ota_store_image_policy: security counter, signature) the slot is recorded STORED; otherwise
 * it is recorded EMPTY. The download is over in both cases.
 * @return OK (STORED); ERR_SIZE (fewer bytes than announced: download still active, write
 *         the rest); ERR_DIGEST / ERR_IMAGE / ERR_HW_ID / ERR_SECURITY_COUNTER / ERR_UNSIGNED /
 *         ERR_UNKNOWN_KEY / ERR_SIGNATURE (slot recorded EMPTY); ERR_STATE; ERR_FLASH /
 *         ERR_JOURNAL_FULL / ERR_CRYPTO (slot still DOWNLOADING: download_begin with the same
 *         version and digest resumes; after a power cut remount and resume).
 */
ota_store_status_t ota_store_download_finish(ota_store_t *store);

/** A download's check spread over calls (ota_store_check_begin, ota_store_check_step): the
 *  read-back's hashes and what the image says of itself, in the caller's memory (the store's
 *  own RAM does not grow). Fields private. */
typedef struct ota_store_check {
    ota_sha256_t file_sha;   /**< every byte: compared with the recorded digest */
    ota_sha256_t image_sha;  /**< header + payload: compared with the image's SHA-256 TLV */
    ota_image_info_t info;   /**< the image's header and TLV area (parsed) */
    uint32_t total;          /**< bytes to read back */
    uint32_t done;           /**< bytes read and hashed so far */
    uint8_t slot;
    bool parsed;             /**< the bytes parse as an image */
    bool header_same;        /**< the header read back is the one parsed */
    bool one_context;        /**< file_sha alone is fed; image_sha is copied from it */
    bool raw_hashing;        /**< a raw image's first pass (ota_store_raw_check_begin) */
    bool digest_from_bytes;  /**< a raw image's second pass: the digest is the bytes' */
    const uint8_t *raw_signature; /**< the raw image's signature (or NULL), until its TLV */
} ota_store_check_t;

/**
 * ota_store_download_finish() in steps, so that a caller reading back megabytes keeps doing
 * other work: program the staged tail, end the session and parse the image; then each
 * ota_store_check_step() reads and hashes a bounded part. Until the last step, the slot stays
 * DOWNLOADING and the store refuses a new download (ERR_BUSY); check must not move.
 * @return OK (steps follow); else as ota_store_download_finish (ERR_SIZE, ERR_STATE,
 *         ERR_FLASH / ERR_JOURNAL_FULL: no check runs).
 */
ota_store_status_t ota_store_check_begin(ota_store_t *store, ota_store_check_t *check);

/**
 * Read back and hash at most max_bytes more (in work-buffer pieces); after the last byte,
 * judge and record as ota_store_download_finish does. *done: the check is over (the status is
 * its verdict, or why there is none); false: OK, call again.
 * @return OK; ERR_ARG / ERR_STATE (no check runs: over, or ended by the store, e.g. a
 *         download_abort of its slot, whose hash contexts it then releases); the verdicts
 *         and failures of ota_store_download_finish.
 */
ota_store_status_t ota_store_check_step(ota_store_t *store, ota_store_check_t *check,
                                        uint32_t max_bytes, bool *done);

/** Stop a check before its last step: nothing is recorded (the slot stays DOWNLOADING, a
 *  download_begin of the same image resumes it from its durable offset). A check already
 *  over is left as it is. */
void ota_store_check_cancel(ota_store_t *store, ota_store_check_t *check);

/**
 * Abort the active download (or, with none active, a DOWNLOADING slot left from before a
 * power cut): the slot is recorded EMPTY. Its bytes stay until the slot is reused.
 * @return OK; ERR_STATE (nothing downloading); ERR_FLASH / ERR_JOURNAL_FULL.
 */
ota_store_status_t ota_store_download_abort(ota_store_t *store);

/** True while a download is active in this mounted store; *next receives the next offset. */
bool ota_store_download_active(const ota_store_t *store, uint8_t *slot, uint32_t *next);

/* The original's raw images (OTA_RAW_IMAGES) ------------------------------------------------ */

/** Bytes the store puts before a raw image's bytes: an otaflow header (OTA_IMAGE_HEADER_SIZE). */
#define OTA_STORE_RAW_HEAD 64u

/**
 * The download just begun (ota_store_download_begin, nothing written yet) is one of the
 * original's raw images (hex2bin output, no header) of raw_size bytes: the slot is recorded
 * DOWNLOADING with OTA_SLOT_FLAG_RAW and size OTA_STORE_RAW_HEAD + raw_size (one record; none
 * when it already is, e.g. a resume from offset 0), and the header the `.ota` would have had is
 * staged as its first bytes: the slot's version, security counter 0, load_addr, payload_size
 * raw_size, config.hw_id. The raw file's byte i then goes to offset OTA_STORE_RAW_HEAD + i
 * (ota_store_download_write). A resumed raw download (the slot flagged RAW, its durable offset
 * past the header) needs no call.
 * @return OK; ERR_STATE (no download, or bytes already written to a slot not flagged RAW);
 *         ERR_ARG (raw_size 0); ERR_TOO_LARGE (header, raw_size and the TLV area the store
 *         will add do not fit a slot); ERR_SIZE (the size recorded at begin or for the RAW
 *         slot is another one); ERR_FLASH / ERR_JOURNAL_FULL (the download is then over).
 */
ota_store_status_t ota_store_raw_start(ota_store_t *store, uint32_t raw_size, uint32_t load_addr);

/** True while the active download is a raw image (its slot flagged OTA_SLOT_FLAG_RAW). */
bool ota_store_download_is_raw(const ota_store_t *store);

/**
 * Finish a raw download: read the bytes back (all of them, from flash, but for the tail still
 * staged in RAM), compare the SHA-256 of the raw file with the digest given at begin (the
 * manifest's Digest); with config.trusted_keys, check `signature` (the original's r||s, NULL:
 * none) over that SHA-256 with each trusted key; then write the TLV area the `.ota` would have
 * had (SHA256 of header + payload; with keys KEY_HASH of the key that verified and the
 * signature as ECDSA_P256_PAYLOAD) and finish as ota_store_download_finish does, the image
 * policy included (the bootloader checks the same). STORED records the digest of the image
 * as stored, which the bootloader checks from then on.
 * @return as ota_store_download_finish; ERR_DIGEST (raw bytes differ from the digest),
 *         ERR_UNSIGNED (keys and no signature), ERR_SIGNATURE (no trusted key made it): slot
 *         recorded EMPTY; ERR_STATE (not a raw download); ERR_SIZE (fewer bytes than
 *         announced: the download stays active); ERR_CRYPTO / ERR_FLASH: no verdict, the slot
 *         stays DOWNLOADING (resume).
 */
ota_store_status_t ota_store_raw_finish(ota_store_t *store,
                                        const uint8_t signature[OTA_RAW_SIG_SIZE]);

/**
 * ota_store_raw_finish() in steps, as ota_store_check_begin() is ota_store_download_finish()'s:
 * each ota_store_check_step() reads back and hashes a bounded part of the raw bytes; after
 * the last, the digest and signature are checked and the TLV area written, and the steps go
 * on with the check of the whole image (a second read). signature (or NULL) must stay where
 * it is until the check is over. ota_store_check_cancel() stops it (the download stays
 * active: resumable).
 * @return OK (steps follow); ERR_ARG; ERR_STATE (not a raw download); ERR_SIZE (fewer bytes
 *         than announced); ERR_CRYPTO (the hash engine: no verdict).
 */
ota_store_status_t ota_store_raw_check_begin(ota_store_t *store,
                                             const uint8_t signature[OTA_RAW_SIG_SIZE],
                                             ota_store_check_t *check);

/* EraseVer --------------------------------------------------------------------------------- */

/**
 * EraseVer: remove the stored image(s) of version from the download slots.
 *
 * Not running: each slot holding version is recorded EMPTY first, then its bytes are erased
 * (a cut in between leaves an EMPTY slot with stale bytes, which is harmless). Refused with
 * ERR_PROTECTED if that image is the pending install or, before confirmation, the rollback
 * target.
 * Running: a roll back. The running slot is flagged DISCARD (it becomes EMPTY once another
 * image runs) and an install of the best remaining image is requested (the previous image
 * while on trial, else the highest STORED version below the running one, else the factory
 * image); ERR_NO_ROLLBACK if there is none; ERR_BELOW_FLOOR if that image's header security
 * counter is below ota_store_security_floor() (the bootloader would refuse it, and a refused
 * slot is lost: better refuse the EraseVer with nothing written). The running image's bytes
 * are never erased here. The factory slot (0) is never erased nor emptied by EraseVer.
 * @return OK; ERR_ARG (version 0); ERR_NOT_FOUND; ERR_PROTECTED; ERR_NO_ROLLBACK;
 *         ERR_BELOW_FLOOR; ERR_IMAGE (the target's header does not decode); ERR_BUSY
 *         (the download in progress is that version: abort it first); ERR_FLASH /
 *         ERR_JOURNAL_FULL.
 */
ota_store_status_t ota_store_erase_version(ota_store_t *store, uint32_t version);

/* Boot fields (bootloader and agent) ------------------------------------------------------- */

/**
 * Declare the image running from internal flash (bootloader, first boot of a programmed board,
 * or after copying it to the factory slot): running_version = version, running_slot = slot
 * (OTA_STORE_SLOT_NONE, or a slot holding version), boot state CONFIRMED.
 * @return OK; ERR_STATE (an install is pending/in progress or on trial); ERR_ARG.
 */
ota_store_status_t ota_store_set_running(ota_store_t *store, uint32_t version, uint8_t slot);

/**
 * Ask for slot to be installed at the next reset (agent, after a download): INSTALL_PENDING.
 * @return OK; ERR_ARG; ERR_STATE (slot not STORED, or install already in progress);
 *         ERR_PROTECTED (slot is the running one); ERR_REJECTED.
 */
ota_store_status_t ota_store_request_install(ota_store_t *store, uint8_t slot);

/** Bootloader: the pending install starts (INSTALL_PENDING -> INSTALLING, progress 0).
 *  @return OK; ERR_STATE. Calling it in INSTALLING (a resumed install) writes nothing. */
ota_store_status_t ota_store_install_begin(ota_store_t *store);

/**
 * Bootloader: the pending install cannot be done (its slot failed verification before a
 * byte of internal flash was written). The slot is recorded EMPTY and the install request
 * dropped; the running image stays: TRIAL if the image it replaced is still kept, else
 * CONFIRMED (NONE on a store that never knew a running image), attempts back to 0.
 * @return OK; ERR_STATE (no install pending or in progress); ERR_FLASH / ERR_JOURNAL_FULL.
 */
ota_store_status_t ota_store_install_cancel(ota_store_t *store);

/** Bootloader: record install progress (bytes of internal flash done). @return OK; ERR_STATE. */
ota_store_status_t ota_store_install_progress(ota_store_t *store, uint32_t bytes_done);

/**
 * Bootloader: the install is complete and verified: the installed slot becomes the running
 * one (INSTALLED, or the factory slot), the replaced one becomes the rollback target (STORED;
 * EMPTY if flagged DISCARD), state TRIAL with 0 attempts. @return OK; ERR_STATE.
 */
ota_store_status_t ota_store_install_done(ota_store_t *store);

/** Bootloader: count one trial boot; *attempts (may be NULL) receives the new count.
 *  @return OK; ERR_STATE (not on trial). */
ota_store_status_t ota_store_trial_attempt(ota_store_t *store, uint8_t *attempts);

/**
 * Application, once per boot before anything else changes the store: record what a
 * bootloader built with OTA_BOOT_JOURNAL 0 (include/otaflow/config.h), which never writes the
 * journal, did with the install the journal still calls pending. running_version is the
 * version of the image that runs (its header's). That version's install: one record as
 * ota_store_install_done + ota_store_confirm would make (the slot INSTALLED and running,
 * CONFIRMED, the security counter raised to the slot's image's). Another version runs: the
 * bootloader, which tries a pending install before it starts anything, refused the image;
 * its install is cancelled (slot EMPTY) and its version rejected (ota_store_is_rejected), so
 * that it is neither refused again at every reset nor downloaded again. No install pending
 * (every journal-writing bootloader leaves none): nothing written. Called in the same boot
 * as the request (before the reset that installs it), it would cancel it: a build with
 * OTA_BOOT_JOURNAL 0 calls it from ota_agent_init and ota_confirm, others never do.
 * @return OK; ERR_ARG (running_version 0); ERR_IMAGE (the installed slot's header no longer
 * parses: nothing written); ERR_FLASH / ERR_JOURNAL_FULL.
 */
ota_store_status_t ota_store_settle_install(ota_store_t *store, uint32_t running_version);

/**
 * Application: the running image is healthy (TRIAL or NONE -> CONFIRMED; CONFIRMED: no-op
 * unless the counter rises). The security counter rises to security_counter if higher; the
 * previous image becomes an ordinary stored version.
 * @return OK; ERR_STATE (an install is pending or in progress).
 */
ota_store_status_t ota_store_confirm(ota_store_t *store, uint32_t security_counter);

/**
 * Roll back: request an install of the best remaining image (the previous one while not
 * confirmed, else the highest STORED version below the running one, else the factory image).
 * With reject, the running version is added to the rejected list and its slot recorded
 * REJECTED (bootloader after the trial limit; the agent will not fetch it again).
 * @return OK; ERR_NO_ROLLBACK (nothing valid to go to: nothing is changed); ERR_STATE.
 */
ota_store_status_t ota_store_rollback(ota_store_t *store, bool reject);

/**
 * Agent: the report of the last install's version change was delivered: clears
 * boot.report_pending (one record; none when it is clear already).
 * @return OK; ERR_NOT_MOUNTED; ERR_FLASH / ERR_JOURNAL_FULL (still pending).
 */
ota_store_status_t ota_store_report_done(ota_store_t *store);

/**
 * Agent: a signed manifest with this Sequence was accepted. Raises boot.manifest_sequence to
 * sequence (one record) when it is higher; equal or lower writes nothing. The agent checks
 * the sequence before calling this: the store only keeps the highest.
 * @return OK; ERR_ARG (sequence 0); ERR_NOT_MOUNTED; ERR_FLASH / ERR_JOURNAL_FULL (not raised).
 */
ota_store_status_t ota_store_raise_manifest_sequence(ota_store_t *store, uint32_t sequence);

/** Factory reset: request an install of the factory image. @return OK; ERR_NO_ROLLBACK
 *  (factory slot not valid); ERR_STATE (install in progress). */
ota_store_status_t ota_store_factory_reset(ota_store_t *store);

/* Delta updates (src/store_patch.c) -------------------------------------------------------- */

/** A slot holding the image version whose file has the SHA-256 digest, STORED or INSTALLED
 *  (download slots first, then factory): a patch's base. OTA_STORE_SLOT_NONE: none. */
uint8_t ota_store_find_image(const ota_store_t *store, uint32_t version,
                             const uint8_t digest[OTA_SHA256_SIZE]);

/** The slot ota_store_download_begin would write this image into now (the one it resumes, or
 *  the one it would choose), so that a patch never rebuilds over its own base.
 *  OTA_STORE_SLOT_NONE: none. */
uint8_t ota_store_download_slot(const ota_store_t *store, uint32_t version,
                                const uint8_t digest[OTA_SHA256_SIZE]);

/* Resume notes: a download's own small records (a patch's checkpoint, docs/delta.md), kept in
 * the last erase sector of the slot it writes, which the image then may not reach. Each
 * append takes the next free position (a power of two of at least len + 4 bytes: the note
 * and its CRC-32); a full sector is erased and starts again. A note that a cut tore fails its
 * CRC and is passed over, so the last one read back is the last one completed. */

/** Largest note ota_store_note_append takes. */
#define OTA_STORE_NOTE_MAX 124u

/** Bytes of the download's slot before its note sector: the largest file the download may
 *  write when it keeps notes. 0 without a download, or when the slot is one sector. */
uint32_t ota_store_note_limit(const ota_store_t *store);

/** Erase the download's note sector (a download that starts from its first byte: no note of
 *  an earlier one may be read). @return OK; ERR_STATE (no download); ERR_FLASH. */
ota_store_status_t ota_store_note_clear(ota_store_t *store);

/** Append a note of len (1..OTA_STORE_NOTE_MAX) bytes in the download's note sector.
 *  @return OK; ERR_ARG; ERR_STATE (no download, or the slot is one sector); ERR_FLASH. */
ota_store_status_t ota_store_note_append(ota_store_t *store, const void *note, uint32_t len);

/** The download's last complete note of len bytes into note.
 *  @return OK; ERR_NOT_FOUND (none); ERR_ARG; ERR_STATE (no download); ERR_FLASH. */
ota_store_status_t ota_store_note_last(ota_store_t *store, void *note, uint32_t len);

/** Short English names, never NULL. */
const char *ota_slot_state_str(uint8_t state);
const char *ota_boot_state_str(uint8_t state);

#ifdef __cplusplus
}
#endif

#endif /* OTAFLOW_STORE_H */
