/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The compact journal codec (OTA_JOURNAL_COMPACT 1, src/journal.c: the lean bootloaders')
 * compiled into the including program under other names (compact_journal_*), beside the
 * default codec that the program links from the core (OTA_JOURNAL_COMPACT 0): so that one
 * program can hold both and compare them (tests/unit/test_journal_compact.c and fuzz target
 * journal_compact). Include it before any other header.
 */
#ifndef OTAFLOW_JOURNAL_COMPACT_TWIN_H
#define OTAFLOW_JOURNAL_COMPACT_TWIN_H

#define OTA_JOURNAL_COMPACT 1
#define ota_journal_crc32 compact_journal_crc32
#define ota_journal_record_bytes compact_journal_record_bytes
#define ota_journal_encode compact_journal_encode
#define ota_journal_decode compact_journal_decode
#define ota_journal_mount compact_journal_mount
#define ota_journal_append compact_journal_append
#include "journal.c"
#undef ota_journal_crc32
#undef ota_journal_record_bytes
#undef ota_journal_encode
#undef ota_journal_decode
#undef ota_journal_mount
#undef ota_journal_append

/* The default codec's functions (journal.h declared them above under the compact names). */
uint32_t ota_journal_crc32(uint32_t crc, const void *data, size_t len);
uint32_t ota_journal_record_bytes(uint8_t slot_count);
void ota_journal_encode(const ota_store_layout_t *layout, const ota_store_state_t *state,
                        uint32_t seq, uint8_t *out);
ota_journal_record_kind_t ota_journal_decode(const ota_store_layout_t *layout, uint8_t erased,
                                             const uint8_t *rec, ota_store_state_t *state,
                                             uint32_t *seq);
ota_store_status_t ota_journal_mount(ota_store_t *store);
ota_store_status_t ota_journal_append(ota_store_t *store);

#endif /* OTAFLOW_JOURNAL_COMPACT_TWIN_H */
