/* SPDX-License-Identifier: Apache-2.0 */
/*
 * otaflow anti-rollback guard: the values that must never go backwards (the security counter
 * floor and the revoked keyring entries), kept in storage the bootloader owns instead of in the
 * image store's journal on external flash, which anyone with the SPI bus (or the application)
 * can erase or rewrite (docs/security.md, "Guarded floor").
 *
 * Storage: a power-safe record log in the first two erase units of an ota_flash_t the system
 * port gives (ota_system_t.guard_flash: on the board, two 4 KB pages of internal flash just
 * below the application region, write-protected before the application starts). Each record
 * holds the whole value set, a sequence number and a CRC-32; the newest valid record wins. A
 * new record is programmed and read back before the unit holding the old one is erased, so a
 * power cut at any point leaves the old values or the new ones, never less.
 *
 * The values only rise: ota_guard_raise() takes the maximum of the counter and the union of
 * the revocation masks. A part with OTP fuses would keep the same two values as thermometer
 * bits behind this same API (mount, values, raise); only this file's backend would change.
 *
 * Caller-owned ota_guard_t, no allocation, bounded stack (two 64-byte record buffers live in
 * the struct). Not thread-safe.
 */
#ifndef OTAFLOW_GUARD_H
#define OTAFLOW_GUARD_H

#include <stdbool.h>
#include <stdint.h>

#include "otaflow/port.h"

#ifdef __cplusplus
extern "C" {
#endif

/** "OTGD" read as a little-endian u32: the first bytes of every guard record. */
#define OTA_GUARD_MAGIC 0x4447544FUL
/** Bytes of a record: magic, sequence, security counter, revoked keys, CRC-32 (all u32 LE). */
#define OTA_GUARD_RECORD_BYTES 20u
/** Record buffer: a record rounded up to a program unit of up to 64 bytes. */
#define OTA_GUARD_RECORD_BUF 64u

/** What must never go backwards on this device. */
typedef struct ota_guard_values {
    uint32_t security_counter; /**< images below it are refused */
    uint32_t revoked_keys;     /**< bit i: keyring entry i is revoked */
} ota_guard_values_t;

/** Result of a guard operation. */
typedef enum ota_guard_status {
    OTA_GUARD_OK = 0,
    OTA_GUARD_ERR_ARG = -1,         /**< NULL pointer */
    OTA_GUARD_ERR_GEOMETRY = -2,    /**< the flash cannot hold two units of records */
    OTA_GUARD_ERR_FLASH = -3,       /**< the flash failed (ota_guard_t.flash_status says how);
                                         write-protected storage answers this too */
    OTA_GUARD_ERR_FULL = -4,        /**< no position of either unit could be programmed and
                                         read back (worn-out flash): nothing changed */
    OTA_GUARD_ERR_NOT_MOUNTED = -5, /**< ota_guard_mount() has not succeeded */
} ota_guard_status_t;

/** How the last mount found the storage. */
typedef enum ota_guard_kind {
    OTA_GUARD_ERASED = 0,  /**< both units erased: never written (first boot) */
    OTA_GUARD_RECORD = 1,  /**< the newest valid record was loaded */
    OTA_GUARD_GARBAGE = 2, /**< written, but no valid record (the first write was torn) */
} ota_guard_kind_t;

/** The guard. Caller-owned; fields are private, use the functions. */
typedef struct ota_guard {
    const ota_flash_t *flash;
    ota_guard_values_t values;     /**< newest durable values (0, 0 without a record) */
    uint32_t seq;                  /**< highest sequence number a record may carry: the
                                        newest valid one's, plus one per written position
                                        after it (the next record outnumbers them all) */
    uint32_t record_size;          /**< bytes per record position (multiple of program unit) */
    uint32_t next_pos;             /**< next position to try in the active unit (byte offset) */
    uint8_t unit;                  /**< active unit, 0 or 1 */
    uint8_t kind;                  /**< ota_guard_kind_t */
    bool mounted;
    ota_flash_status_t flash_status; /**< the flash error behind the last ERR_FLASH */
    uint8_t rec[OTA_GUARD_RECORD_BUF];
    uint8_t back[OTA_GUARD_RECORD_BUF];
} ota_guard_t;

/**
 * Read the storage and load the newest valid record. Reads only. Call after every power-on.
 * @param flash  the guard storage: its first two erase units are used; erase_unit must hold at
 *               least two records and program_unit be at most OTA_GUARD_RECORD_BUF
 * @return OK (see ota_guard_kind() for what was found); ERR_ARG; ERR_GEOMETRY; ERR_FLASH.
 */
ota_guard_status_t ota_guard_mount(ota_guard_t *guard, const ota_flash_t *flash);

/** The newest durable values; all zero before a successful mount or without a record. */
const ota_guard_values_t *ota_guard_values(const ota_guard_t *guard);

/** How the last mount found the storage (ota_guard_kind_t). */
ota_guard_kind_t ota_guard_kind(const ota_guard_t *guard);

/**
 * Raise the values: security counter to max(current, to->security_counter), revoked keys to
 * current | to->revoked_keys. Writes one record, only when something rises (or when the
 * storage holds no valid record yet). Never lowers anything.
 * @return OK (durable: read back); ERR_NOT_MOUNTED; ERR_ARG; ERR_FLASH (e.g. power lost or
 *         write-protected: the storage holds the old values or the new ones, remount to know);
 *         ERR_FULL.
 */
ota_guard_status_t ota_guard_raise(ota_guard_t *guard, const ota_guard_values_t *to);

/** Short constant English name, never NULL. */
const char *ota_guard_status_str(ota_guard_status_t status);

#ifdef __cplusplus
}
#endif

#endif /* OTAFLOW_GUARD_H */
