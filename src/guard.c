/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The anti-rollback guard's record log (include/otaflow/guard.h, docs/security.md): two erase
 * units, each a row of record positions. Appends go to the next position of the active unit;
 * when it is full, the other unit is erased, the record is written at its start and read back,
 * and only then is the old unit erased. Mount picks the valid record with the highest sequence.
 */
#include <string.h>

#include "journal.h"
#include "le_bytes.h"
#include "otaflow/guard.h"
#include "status_text.h"

const char *ota_guard_status_str(ota_guard_status_t status)
{
    OTA_STATUS_TEXT_OFF(status);
    switch (status) {
    case OTA_GUARD_OK: return "ok";
    case OTA_GUARD_ERR_ARG: return "bad argument";
    case OTA_GUARD_ERR_GEOMETRY: return "guard storage unusable";
    case OTA_GUARD_ERR_FLASH: return "guard storage failed";
    case OTA_GUARD_ERR_FULL: return "guard storage worn out";
    case OTA_GUARD_ERR_NOT_MOUNTED: return "guard not mounted";
    }
    return "unknown guard status";
}

static uint32_t guard_unit_size(const ota_guard_t *g)
{
    return g->flash->geometry.erase_unit;
}

static uint32_t guard_unit_addr(const ota_guard_t *g, uint8_t unit)
{
    return (uint32_t)unit * guard_unit_size(g);
}

static void guard_encode(ota_guard_t *g, uint32_t seq, const ota_guard_values_t *v)
{
    memset(g->rec, g->flash->geometry.erased_value, sizeof g->rec);
    ota_le32_put(g->rec, (uint32_t)OTA_GUARD_MAGIC);
    ota_le32_put(g->rec + 4, seq);
    ota_le32_put(g->rec + 8, v->security_counter);
    ota_le32_put(g->rec + 12, v->revoked_keys);
    ota_le32_put(g->rec + 16, ota_journal_crc32(0, g->rec, 16));
}

typedef enum pos_kind { POS_ERASED, POS_VALID, POS_CORRUPT } pos_kind_t;

static pos_kind_t guard_classify(const ota_guard_t *g, const uint8_t *rec, uint32_t *seq,
                           ota_guard_values_t *v)
{
    bool erased = true;
    for (uint32_t i = 0; i < g->record_size; i++) {
        erased = erased && rec[i] == g->flash->geometry.erased_value;
    }
    if (erased) {
        return POS_ERASED;
    }
    if (ota_le32_get(rec) != (uint32_t)OTA_GUARD_MAGIC ||
        ota_le32_get(rec + 16) != ota_journal_crc32(0, rec, 16)) {
        return POS_CORRUPT;
    }
    *seq = ota_le32_get(rec + 4);
    v->security_counter = ota_le32_get(rec + 8);
    v->revoked_keys = ota_le32_get(rec + 12);
    return POS_VALID;
}

static ota_guard_status_t guard_flash_failed(ota_guard_t *g, ota_flash_status_t st)
{
    g->flash_status = st;
    return OTA_GUARD_ERR_FLASH;
}

ota_guard_status_t ota_guard_mount(ota_guard_t *guard, const ota_flash_t *flash)
{
    if (!guard || !flash) {
        return OTA_GUARD_ERR_ARG;
    }
    memset(guard, 0, sizeof *guard);
    guard->flash = flash;
    const ota_flash_geometry_t *geo = &flash->geometry;
    if (geo->program_unit == 0 || geo->program_unit > OTA_GUARD_RECORD_BUF) {
        return OTA_GUARD_ERR_GEOMETRY;
    }
    guard->record_size = (OTA_GUARD_RECORD_BYTES + geo->program_unit - 1u) /
                         geo->program_unit * geo->program_unit;
    if (guard->record_size > geo->page_size || geo->erase_unit < 2u * guard->record_size ||
        geo->size / 2u < geo->erase_unit) {
        return OTA_GUARD_ERR_GEOMETRY;
    }
    bool any_written = false, found = false;
    uint32_t last_written[2] = {0, 0}; /* end of the last non-erased position, per unit */
    uint32_t best_end = 0;             /* end of the newest record's position */
    for (uint8_t u = 0; u < 2; u++) {
        for (uint32_t pos = 0; pos + guard->record_size <= geo->erase_unit;
             pos += guard->record_size) {
            ota_flash_status_t fs =
                ota_flash_read(flash, guard_unit_addr(guard, u) + pos, guard->back, guard->record_size);
            if (fs != OTA_FLASH_OK) {
                return guard_flash_failed(guard, fs);
            }
            uint32_t seq = 0;
            ota_guard_values_t v = {0, 0};
            pos_kind_t k = guard_classify(guard, guard->back, &seq, &v);
            if (k == POS_ERASED) {
                continue;
            }
            any_written = true;
            last_written[u] = pos + guard->record_size;
            if (k == POS_VALID && (!found || seq > guard->seq)) {
                found = true;
                guard->seq = seq;
                guard->values = v;
                guard->unit = u;
                best_end = pos + guard->record_size;
            }
        }
    }
    guard->kind = found ? OTA_GUARD_RECORD : any_written ? OTA_GUARD_GARBAGE : OTA_GUARD_ERASED;
    guard->next_pos = found ? last_written[guard->unit] : 0;
    /* Written positions after the newest record (torn appends) may read valid at a later
     * mount: the next record must outnumber them as if the append had passed over them. */
    guard->seq += (guard->next_pos - best_end) / guard->record_size;
    guard->mounted = true;
    return OTA_GUARD_OK;
}

const ota_guard_values_t *ota_guard_values(const ota_guard_t *guard)
{
    static const ota_guard_values_t none = {0, 0};
    return guard && guard->mounted ? &guard->values : &none;
}

ota_guard_kind_t ota_guard_kind(const ota_guard_t *guard)
{
    return guard ? (ota_guard_kind_t)guard->kind : OTA_GUARD_ERASED;
}

static ota_guard_status_t guard_erase_unit(ota_guard_t *g, uint8_t unit)
{
    ota_flash_status_t fs = ota_flash_erase(g->flash, guard_unit_addr(g, unit), guard_unit_size(g));
    return fs == OTA_FLASH_OK ? OTA_GUARD_OK : guard_flash_failed(g, fs);
}

/* Program the record of v at the first position from *pos on in unit that takes it and reads
 * back equal. A position that refuses (programmed before, torn) or reads back different is
 * skipped, and *seq goes up by one for each: it may hold a record after all (its read-back
 * failed, or a weak bit reads right at a later mount), so the one written after it must
 * outnumber it, else the older record, found first, would win the tie at mount (the journal's
 * rule, docs/store.md). */
static ota_guard_status_t guard_append_in(ota_guard_t *g, uint8_t unit, uint32_t *pos,
                                          uint32_t *seq, const ota_guard_values_t *v)
{
    for (; *pos + g->record_size <= guard_unit_size(g); *pos += g->record_size, (*seq)++) {
        guard_encode(g, *seq, v);
        uint32_t addr = guard_unit_addr(g, unit) + *pos;
        ota_flash_status_t fs = ota_flash_program(g->flash, addr, g->rec, g->record_size);
        if (fs == OTA_FLASH_ERR_OVERWRITE) {
            continue;
        }
        if (fs == OTA_FLASH_OK) {
            fs = ota_flash_read(g->flash, addr, g->back, g->record_size);
        }
        if (fs != OTA_FLASH_OK) {
            return guard_flash_failed(g, fs);
        }
        if (memcmp(g->rec, g->back, g->record_size) == 0) {
            *pos += g->record_size;
            return OTA_GUARD_OK;
        }
    }
    return OTA_GUARD_ERR_FULL;
}

/* Move to the other unit: erase it, write the record there, then erase the old unit (its
 * records are older than the one just read back). */
static ota_guard_status_t guard_switch_unit(ota_guard_t *g, uint32_t *seq,
                                            const ota_guard_values_t *v)
{
    uint8_t other = (uint8_t)(1u - g->unit);
    ota_guard_status_t st = guard_erase_unit(g, other);
    uint32_t pos = 0;
    if (st == OTA_GUARD_OK) {
        st = guard_append_in(g, other, &pos, seq, v);
    }
    if (st == OTA_GUARD_OK) {
        st = guard_erase_unit(g, g->unit);
    }
    if (st == OTA_GUARD_OK) {
        g->unit = other;
        g->next_pos = pos;
    }
    return st;
}

ota_guard_status_t ota_guard_raise(ota_guard_t *guard, const ota_guard_values_t *to)
{
    if (!guard || !to) {
        return OTA_GUARD_ERR_ARG;
    }
    if (!guard->mounted) {
        return OTA_GUARD_ERR_NOT_MOUNTED;
    }
    ota_guard_values_t next = guard->values;
    if (to->security_counter > next.security_counter) {
        next.security_counter = to->security_counter;
    }
    next.revoked_keys |= to->revoked_keys;
    if (guard->kind == OTA_GUARD_RECORD &&
        next.security_counter == guard->values.security_counter &&
        next.revoked_keys == guard->values.revoked_keys) {
        return OTA_GUARD_OK;
    }
    uint32_t seq = guard->seq + 1u;
    ota_guard_status_t st;
    if (guard->kind == OTA_GUARD_RECORD) {
        st = guard_append_in(guard, guard->unit, &guard->next_pos, &seq, &next);
        if (st == OTA_GUARD_ERR_FULL) {
            st = guard_switch_unit(guard, &seq, &next);
        }
    } else {
        /* Nothing valid to keep: start clean in unit 0, whatever a torn first write left
         * (unit 1 is cleaned by the first switch). */
        guard->unit = 1;
        st = guard_switch_unit(guard, &seq, &next);
    }
    if (st != OTA_GUARD_OK) {
        return st;
    }
    guard->seq = seq;
    guard->values = next;
    guard->kind = OTA_GUARD_RECORD;
    return OTA_GUARD_OK;
}
