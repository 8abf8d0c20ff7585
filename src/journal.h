/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Journal of the image store (internal to src/store.c and its tests): CRC-32, the snapshot
 * record format, mounting (find the newest valid record) and appending (with compaction into
 * the other sector). docs/store.md describes the format byte by byte.
 */
#ifndef OTAFLOW_JOURNAL_H
#define OTAFLOW_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "otaflow/store.h"

/** "OTAJ" read as a little-endian u32. */
#define OTA_JOURNAL_MAGIC 0x4A41544FUL
/** Record format version written in byte 8: 2 since the manifest sequence (offset 44). */
#define OTA_JOURNAL_FORMAT 2u
/** The previous format, still read (a device keeps its state across the upgrade; its next
 *  record is written in the current format). */
#define OTA_JOURNAL_FORMAT_1 1u

/** What a record position holds. */
typedef enum ota_journal_record_kind {
    OTA_JOURNAL_VALID = 0,    /**< magic, CRC, layout and content all good */
    OTA_JOURNAL_ERASED = 1,   /**< every byte erased: free position */
    OTA_JOURNAL_CORRUPT = 2,  /**< anything else that is not a usable record */
    OTA_JOURNAL_FOREIGN = 3,  /**< valid CRC but written with another layout */
} ota_journal_record_kind_t;

/** CRC-32 (IEEE 802.3, reflected, as zlib): crc32(0, "123456789", 9) == 0xCBF43926. */
uint32_t ota_journal_crc32(uint32_t crc, const void *data, size_t len);

/** Bytes of a record with slot_count descriptors, before rounding to the program unit. */
uint32_t ota_journal_record_bytes(uint8_t slot_count);

/** Encode state as a record with sequence number seq into out (layout->record_size bytes). */
void ota_journal_encode(const ota_store_layout_t *layout, const ota_store_state_t *state,
                        uint32_t seq, uint8_t *out);

/** Classify and decode the record_size bytes at rec; state and seq are filled when VALID. */
ota_journal_record_kind_t ota_journal_decode(const ota_store_layout_t *layout, uint8_t erased,
                                             const uint8_t *rec, ota_store_state_t *state,
                                             uint32_t *seq);

/** Scan both journal sectors into store->state and store->journal (layout already set). */
ota_store_status_t ota_journal_mount(ota_store_t *store);

/** Append store->staged as the next record; on success store->state = store->staged. */
ota_store_status_t ota_journal_append(ota_store_t *store);

#endif /* OTAFLOW_JOURNAL_H */
