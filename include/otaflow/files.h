/* SPDX-License-Identifier: Apache-2.0 */
/*
 * otaflow file slots: the original's File Download. Numbered slots of the image store's flash
 * (certificates, web pages: a few KB each) that the agent fills from a manifest's `files`
 * entries and the application reads (docs/store.md, "File slots"; docs/agent.md, "Files").
 *
 * Each file slot is two areas of config.file_slot_size bytes at the top of the store's flash.
 * An area is a 64-byte header (sequence number, length, SHA-256, CRC-32) followed by the
 * file. A replacement erases and writes the area that does not hold the current file, reads
 * it back, checks its SHA-256, and only then programs its header with the next sequence
 * number: the valid header with the highest sequence number is the file. A power cut at any
 * flash operation leaves the old file or the new one, never neither; the journal is not
 * written.
 *
 * Built only with OTA_FILE_SLOTS 1 (config.h). Caller-owned state, no allocation; not
 * thread-safe (the store's owner calls these).
 */
#ifndef OTAFLOW_FILES_H
#define OTAFLOW_FILES_H

#include <stdbool.h>
#include <stdint.h>

#include "otaflow/config.h"
#include "otaflow/crypto.h"
#include "otaflow/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Bytes of an area's header: the file starts this far into the area. */
#define OTA_FILE_HEADER_SIZE 64u
/* OTA_FILE_SLOT_SIZE_DEFAULT (store.h): 64 KB areas, files of up to 65,472 bytes (the
 * original's 4-60 KB with room to spare). */

/** Result of a file slot operation. */
typedef enum ota_file_status {
    OTA_FILE_OK = 0,
    OTA_FILE_ERR_ARG = -1,       /**< NULL pointer, or a writer used out of order */
    OTA_FILE_ERR_NO_SLOT = -2,   /**< no such file slot (slot >= ota_file_slot_count()) */
    OTA_FILE_ERR_EMPTY = -3,     /**< the slot holds no file */
    OTA_FILE_ERR_TOO_LARGE = -4, /**< longer than the slot's capacity (ota_file_capacity()) */
    OTA_FILE_ERR_SIZE = -5,      /**< more or fewer bytes written than announced */
    OTA_FILE_ERR_DIGEST = -6,    /**< the bytes read back do not match the SHA-256: the old
                                      file stays */
    OTA_FILE_ERR_FLASH = -7,     /**< the flash failed (ota_store_flash_status() says how) */
    OTA_FILE_ERR_CRYPTO = -8,    /**< the hash engine failed: no verdict, the old file stays */
    OTA_FILE_ERR_NOT_MOUNTED = -9, /**< the store is not mounted */
    /* The agent's refusals of a manifest file entry (docs/agent.md, "Files"). */
    OTA_FILE_ERR_UNSIGNED = -10,  /**< the store trusts keys and the entry has no Signature */
    OTA_FILE_ERR_SIGNATURE = -11, /**< the Signature is by none of the trusted keys */
    OTA_FILE_ERR_REFUSED_BEFORE = -12, /**< this slot refused this digest before (in this
                                            power cycle): not fetched again */
} ota_file_status_t;

/** A short constant English name ("digest mismatch"), never NULL. */
const char *ota_file_status_str(ota_file_status_t status);

/** What a file slot holds. */
typedef struct ota_file_info {
    uint32_t length;                 /**< bytes of the file */
    uint8_t digest[OTA_SHA256_SIZE]; /**< its SHA-256, as the manifest gave it and checked */
    uint32_t sequence;               /**< replacements of this slot so far (1: first file) */
} ota_file_info_t;

/** A file being written (caller-owned; ota_file_begin() prepares it). */
typedef struct ota_file_writer {
    ota_store_t *store;
    uint32_t area;      /**< flash address of the area being written */
    uint32_t length;    /**< bytes announced */
    uint32_t written;   /**< bytes taken so far */
    uint32_t sequence;  /**< the header's sequence number */
    uint8_t slot;
    bool open;
    uint8_t fill;       /**< bytes staged in buf */
    uint8_t digest[OTA_SHA256_SIZE];
    uint8_t buf[64];    /**< staging: programs never cross a page nor a program unit */
} ota_file_writer_t;

/** Number of file slots of the mounted store (config.file_slots; 0 without any). */
uint8_t ota_file_slot_count(const ota_store_t *store);

/** Longest file a slot takes: config.file_slot_size - OTA_FILE_HEADER_SIZE (0 without). */
uint32_t ota_file_capacity(const ota_store_t *store);

/**
 * What slot holds: the valid header with the highest sequence number of its two areas.
 * Reads the headers only (ota_file_verify() hashes the file too).
 * @return OK; ERR_EMPTY (no valid header: never written, or both erased); ERR_NO_SLOT;
 *         ERR_ARG; ERR_FLASH; ERR_NOT_MOUNTED.
 */
ota_file_status_t ota_file_info(ota_store_t *store, uint8_t slot, ota_file_info_t *info);

/**
 * Read up to len bytes of the file in slot from offset into buf (caller-owned). *got receives
 * the bytes read: fewer than len at the end of the file, 0 at or past it.
 * @return OK; ERR_EMPTY; ERR_NO_SLOT; ERR_ARG (NULL); ERR_FLASH; ERR_NOT_MOUNTED.
 */
ota_file_status_t ota_file_read(ota_store_t *store, uint8_t slot, uint32_t offset, void *buf,
                                uint32_t len, uint32_t *got);

/**
 * Read the whole file of slot back and compare its SHA-256 with the header's.
 * @return OK; ERR_DIGEST (the bytes changed since they were written); ERR_EMPTY; ERR_CRYPTO;
 *         ERR_FLASH; ERR_NO_SLOT; ERR_ARG; ERR_NOT_MOUNTED.
 */
ota_file_status_t ota_file_verify(ota_store_t *store, uint8_t slot);

/**
 * Start replacing the file of slot with `length` bytes whose SHA-256 is `digest`: erases the
 * area that does not hold the current file (the current one is never touched).
 * @return OK; ERR_NO_SLOT; ERR_TOO_LARGE; ERR_ARG (NULL, length 0); ERR_FLASH;
 *         ERR_NOT_MOUNTED.
 */
ota_file_status_t ota_file_begin(ota_store_t *store, ota_file_writer_t *w, uint8_t slot,
                                 uint32_t length, const uint8_t digest[OTA_SHA256_SIZE]);

/**
 * Add the next len bytes of the file (any split).
 * @return OK; ERR_SIZE (more than announced); ERR_ARG (no ota_file_begin); ERR_FLASH.
 */
ota_file_status_t ota_file_write(ota_file_writer_t *w, const void *data, uint32_t len);

/**
 * All bytes are in: program the rest, read the area back, and when its SHA-256 is the one
 * announced, program the header: from then on the new file is the slot's. Any error leaves
 * the old file (if any) the slot's. The writer is closed either way.
 * @return OK; ERR_SIZE (fewer bytes than announced); ERR_DIGEST; ERR_CRYPTO; ERR_FLASH;
 *         ERR_ARG.
 */
ota_file_status_t ota_file_finish(ota_file_writer_t *w);

#ifdef __cplusplus
}
#endif

#endif /* OTAFLOW_FILES_H */
