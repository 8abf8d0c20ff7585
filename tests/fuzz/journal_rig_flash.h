/* SPDX-License-Identifier: Apache-2.0 */
/*
 * How the journal fuzz targets (journal, journal_compact) and the journal's differential test
 * turn an input into flash content: its non-erased runs programmed as a writer would have,
 * after an optional CRC fix-up of every record position (flags bit 0). Not for make_seeds.c,
 * which has no src/ on its include path (journal.h).
 */
#ifndef OTAFLOW_FUZZ_JOURNAL_RIG_FLASH_H
#define OTAFLOW_FUZZ_JOURNAL_RIG_FLASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "journal.h"
#include "journal_rig.h"
#include "otaflow/port.h"
#include "otaflow/store.h"

/* An input's flags byte, bit 0: give every record position that starts with the magic a
 * correct CRC (journal_rig_fix_crcs), so that mutations inside records reach the content
 * checks. */
#define JOURNAL_RIG_FIX_CRCS 0x01u

/* Program the non-erased runs of content at base, page by page, as a writer would have;
 * false when the flash refused a program. */
static inline bool journal_rig_program(const ota_flash_t *f, uint32_t base, const uint8_t *content,
                                       uint32_t len)
{
    uint32_t page = f->geometry.page_size;
    for (uint32_t at = 0; at < len;) {
        if (content[at] == f->geometry.erased_value) {
            at++;
            continue;
        }
        uint32_t end = at;
        uint32_t page_end = ((base + at) / page + 1u) * page - base;
        while (end < len && end < page_end && content[end] != f->geometry.erased_value) {
            end++;
        }
        if (ota_flash_program(f, base + at, content + at, end - at) != OTA_FLASH_OK) {
            return false;
        }
        at = end;
    }
    return true;
}

/* Give each record position of layout l in content that starts with the magic the CRC of
 * its bytes. */
static inline void journal_rig_fix_crcs(const ota_store_layout_t *l, uint8_t *content,
                                        uint32_t len)
{
    uint32_t body = ota_journal_record_bytes((uint8_t)(l->download_slots + 1u)) - 4u;
    for (uint32_t sector = 0; sector < 2u; sector++) {
        for (uint32_t k = 0; k < l->records_per_sector; k++) {
            uint32_t at = sector * l->journal_sector_size + k * l->record_size;
            if (at + body + 4u > len || content[at] != 'O' || content[at + 1u] != 'T' ||
                content[at + 2u] != 'A' || content[at + 3u] != 'J') {
                continue;
            }
            uint32_t crc = ota_journal_crc32(0, content + at, body);
            for (uint32_t i = 0; i < 4u; i++) {
                content[at + body + i] = (uint8_t)(crc >> (8u * i));
            }
        }
    }
}

/* An input (flags byte, then journal content) as content (JOURNAL_RIG_JOURNAL bytes) of
 * layout l: *len bytes taken, CRCs fixed when the flags say. Returns the flags byte; -1 for an
 * empty input. */
static inline int journal_rig_input(const uint8_t *data, size_t size, const ota_store_layout_t *l,
                                    uint8_t *content, uint32_t *len)
{
    if (size < 1) {
        return -1;
    }
    uint8_t flags = data[0];
    *len = (uint32_t)(size - 1u < JOURNAL_RIG_JOURNAL ? size - 1u : JOURNAL_RIG_JOURNAL);
    memcpy(content, data + 1, *len);
    if (flags & JOURNAL_RIG_FIX_CRCS) {
        journal_rig_fix_crcs(l, content, *len);
    }
    return flags;
}

#endif /* OTAFLOW_FUZZ_JOURNAL_RIG_FLASH_H */
