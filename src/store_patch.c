/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What a delta update asks of the store (docs/delta.md, "On the device"): where an image of a
 * given version and digest is (a patch's base), which slot a download of the rebuilt image
 * would take, which must not be the base's, and the resume notes in that slot's last sector
 * (the applier's checkpoint and the PatchDigest's state, which a journal record has no room
 * for).
 */
#include <string.h>

#include "journal.h"
#include "le_bytes.h"
#include "store_internal.h"

#if OTA_DELTA_PATCHES

static bool store_slot_holds(const ota_store_slot_t *s, uint32_t version,
                             const uint8_t digest[OTA_SHA256_SIZE], bool complete)
{
    bool state_ok = complete ? (s->state == OTA_SLOT_STORED || s->state == OTA_SLOT_INSTALLED)
                             : s->state == OTA_SLOT_DOWNLOADING;
    return state_ok && s->version == version &&
           memcmp(s->digest, digest, OTA_SHA256_SIZE) == 0;
}

uint8_t ota_store_find_image(const ota_store_t *store, uint32_t version,
                             const uint8_t digest[OTA_SHA256_SIZE])
{
    if (store == NULL || digest == NULL || !store->mounted) {
        return OTA_STORE_SLOT_NONE;
    }
    /* Download slots first, then the factory slot, as ota_store_find_version. */
    uint8_t n = store->layout.download_slots;
    for (uint32_t k = 1; k <= (uint32_t)n + 1u; k++) {
        uint8_t slot = (uint8_t)(k <= n ? k : OTA_STORE_FACTORY_SLOT);
        if (store_slot_holds(&store->state.slots[slot], version, digest, true)) {
            return slot;
        }
    }
    return OTA_STORE_SLOT_NONE;
}

uint8_t ota_store_download_slot(const ota_store_t *store, uint32_t version,
                                const uint8_t digest[OTA_SHA256_SIZE])
{
    if (store == NULL || digest == NULL || !store->mounted) {
        return OTA_STORE_SLOT_NONE;
    }
    for (uint8_t i = 1; i <= store->layout.download_slots; i++) {
        if (store_slot_holds(&store->state.slots[i], version, digest, false)) {
            return i; /* ota_store_download_begin resumes there */
        }
    }
    return ota_store_choose_slot(&store->state, store->layout.download_slots);
}

/* --- resume notes (include/otaflow/store.h) ------------------------------------------------ */

/* The download's note sector: its slot's last erase sector (not its first). */
static bool store_note_sector(const ota_store_t *store, uint32_t *start, uint32_t *size)
{
    if (store == NULL || !store->mounted || !store->dl.active) {
        return false;
    }
    uint32_t slot_addr = ota_store_slot_addr(store, store->dl.slot);
    ota_flash_sector_t sector;
    if (!ota_flash_sector_at(&store->flash->geometry, slot_addr + store->layout.slot_size - 1u,
                             &sector) ||
        sector.start <= slot_addr) {
        return false;
    }
    *start = sector.start;
    *size = sector.size;
    return true;
}

/* A note's position: a power of two (so none crosses a page) for the note and its CRC. */
static uint32_t store_note_position(const ota_store_t *store, uint32_t len)
{
    uint32_t pos = store->flash->geometry.program_unit;
    while (pos < len + 4u) {
        pos <<= 1;
    }
    return pos;
}

/* Where the download's notes of len bytes are, and what the sector holds. */
typedef struct store_note_where {
    uint32_t start, size; /* the note sector */
    uint32_t pos;         /* bytes per position */
    bool found;           /* a position's note passes its CRC */
    uint32_t free_pos;    /* the position after the last one that is not erased */
} store_note_where_t;

/* Check the arguments and read every position, each into store->record (a scratch buffer
 * between journal appends); the last note that passes its CRC into last (or NULL). */
static ota_store_status_t store_note_find(ota_store_t *store, const void *note, uint32_t len,
                                          store_note_where_t *w, void *last)
{
    if (store == NULL || note == NULL || len == 0 || len > OTA_STORE_NOTE_MAX) {
        return OTA_STORE_ERR_ARG;
    }
    if (!store_note_sector(store, &w->start, &w->size)) {
        return OTA_STORE_ERR_STATE;
    }
    _Static_assert(OTA_STORE_NOTE_MAX + 4u <= 128u && 128u <= OTA_STORE_RECORD_BUF,
                   "a note's position fits the record buffer");
    w->pos = store_note_position(store, len);
    w->found = false;
    w->free_pos = 0;
    uint8_t ev = store->flash->geometry.erased_value;
    for (uint32_t i = 0; i < w->size / w->pos; i++) {
        ota_flash_status_t fs =
            ota_flash_read(store->flash, w->start + i * w->pos, store->record, w->pos);
        if (fs != OTA_FLASH_OK) {
            return ota_store_flash_failed(store, fs);
        }
        bool erased = true;
        for (uint32_t k = 0; k < w->pos && erased; k++) {
            erased = store->record[k] == ev;
        }
        if (!erased) {
            w->free_pos = i + 1u;
            if (ota_le32_get(store->record + len) == ota_journal_crc32(0, store->record, len)) {
                w->found = true;
                if (last != NULL) {
                    memcpy(last, store->record, len);
                }
            }
        }
    }
    return OTA_STORE_OK;
}

uint32_t ota_store_note_limit(const ota_store_t *store)
{
    uint32_t start = 0;
    uint32_t size = 0;
    return store_note_sector(store, &start, &size)
               ? start - ota_store_slot_addr(store, store->dl.slot)
               : 0u;
}

ota_store_status_t ota_store_note_clear(ota_store_t *store)
{
    uint32_t start = 0;
    uint32_t size = 0;
    if (!store_note_sector(store, &start, &size)) {
        return store == NULL ? OTA_STORE_ERR_ARG : OTA_STORE_ERR_STATE;
    }
    uint32_t slot_addr = ota_store_slot_addr(store, store->dl.slot);
    return ota_store_erase_slot_range(store, store->dl.slot, start - slot_addr,
                                      start - slot_addr + size);
}

ota_store_status_t ota_store_note_append(ota_store_t *store, const void *note, uint32_t len)
{
    store_note_where_t w;
    ota_store_status_t st = store_note_find(store, note, len, &w, NULL);
    if (st == OTA_STORE_OK && w.free_pos >= w.size / w.pos) {
        w.free_pos = 0; /* full: the notes so far go; a cut now leaves none (no resume point) */
        st = ota_store_note_clear(store);
    }
    if (st != OTA_STORE_OK) {
        return st;
    }
    memset(store->record, store->flash->geometry.erased_value, w.pos);
    memcpy(store->record, note, len);
    ota_le32_put(store->record + len, ota_journal_crc32(0, note, len));
    uint32_t page = store->flash->geometry.page_size;
    uint32_t piece = page < w.pos ? page : w.pos;
    for (uint32_t done = 0; done < w.pos; done += piece) {
        ota_flash_status_t fs = ota_flash_program(
            store->flash, w.start + w.free_pos * w.pos + done, store->record + done, piece);
        if (fs != OTA_FLASH_OK) {
            return ota_store_flash_failed(store, fs);
        }
    }
    return OTA_STORE_OK;
}

ota_store_status_t ota_store_note_last(ota_store_t *store, void *note, uint32_t len)
{
    store_note_where_t w;
    ota_store_status_t st = store_note_find(store, note, len, &w, note);
    return st != OTA_STORE_OK || w.found ? st : OTA_STORE_ERR_NOT_FOUND;
}

#endif /* OTA_DELTA_PATCHES */
