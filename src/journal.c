/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The store's state journal: two erase units used alternately, each a row of fixed-size
 * record positions. A record is a full snapshot, so the newest valid one is the whole truth;
 * a torn or garbage record fails its CRC and the one before it wins.
 */
#include "journal.h"

#include <stddef.h>
#include <string.h>

#include "le_bytes.h"
#include "ota_assert.h"

/* CRC-32 ---------------------------------------------------------------------------------- */

#if OTA_JOURNAL_COMPACT
/* A bit at a time (config.h): no table. A full journal of the lean board (32 positions, 224
 * bytes under each CRC) is about 57,000 rounds of the inner loop at mount: some 400,000
 * cycles by a count of its instructions, a few milliseconds once per boot. */
uint32_t ota_journal_crc32(uint32_t crc, const void *data, size_t len)
{
    const uint8_t *p = data;
    crc = ~crc;
    for (size_t i = 0; i < len; i++) {
        crc ^= p[i];
        for (unsigned k = 0; k < 8u; k++) {
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
        }
    }
    return ~crc;
}
#else
/* Four bits at a time with a 16-entry table: 64 bytes of constants, fast enough for records. */
static const uint32_t crc_nibble[16] = {
    0x00000000u, 0x1DB71064u, 0x3B6E20C8u, 0x26D930ACu, 0x76DC4190u, 0x6B6B51F4u,
    0x4DB26158u, 0x5005713Cu, 0xEDB88320u, 0xF00F9344u, 0xD6D6A3E8u, 0xCB61B38Cu,
    0x9B64C2B0u, 0x86D3D2D4u, 0xA00AE278u, 0xBDBDF21Cu,
};

uint32_t ota_journal_crc32(uint32_t crc, const void *data, size_t len)
{
    const uint8_t *p = data;
    crc = ~crc;
    for (size_t i = 0; i < len; i++) {
        crc ^= p[i];
        crc = (crc >> 4) ^ crc_nibble[crc & 0x0Fu];
        crc = (crc >> 4) ^ crc_nibble[crc & 0x0Fu];
    }
    return ~crc;
}
#endif

/* Record format (docs/store.md) ----------------------------------------------------------- */

enum {
    REC_MAGIC = 0,
    REC_SEQ = 4,
    REC_FORMAT = 8,
    REC_SLOT_COUNT = 9,
    REC_SIZE = 10,
    REC_SLOT_SIZE = 12,
    REC_DATA_BASE = 16,
    REC_RUNNING_VERSION = 20,
    REC_PREVIOUS_VERSION = 24,
    REC_SECURITY_COUNTER = 28,
    REC_INSTALL_PROGRESS = 32,
    REC_RUNNING_SLOT = 36,
    REC_PREVIOUS_SLOT = 37,
    REC_INSTALL_SLOT = 38,
    REC_BOOT_STATE = 39,
    REC_ATTEMPTS = 40,
    REC_INSTALL_REASON = 41,
    REC_REJECTED_COUNT = 42,
    REC_REPORT_PENDING = 43,
    REC_MANIFEST_SEQUENCE = 44,
    REC_REJECTED = 48,
    REC_SLOTS = 80,
    /* format 1 (read, never written): no manifest sequence, the rejected list at 44 */
    REC1_REJECTED = 44,
    REC1_SLOTS = 76,
    /* per slot descriptor */
    SLOT_STATE = 0,
    SLOT_FLAGS = 1,
    SLOT_RESERVED = 2,
    SLOT_VERSION = 4,
    SLOT_SIZE = 8,
    SLOT_OFFSET = 12,
    SLOT_DIGEST = 16,
};

_Static_assert(REC_SLOTS == OTA_STORE_RECORD_HEADER, "record header size");
_Static_assert(REC_REJECTED + 4 * OTA_STORE_REJECTED_MAX == REC_SLOTS, "rejected list");
_Static_assert(SLOT_DIGEST + OTA_SHA256_SIZE == OTA_STORE_RECORD_SLOT, "slot descriptor size");
_Static_assert(REC_SLOT_COUNT == REC_FORMAT + 1 && REC_SIZE == REC_FORMAT + 2 &&
                   OTA_STORE_RECORD_BUF <= 0xFFFFu,
               "format, slot count and record size share a word");

uint32_t ota_journal_record_bytes(uint8_t slot_count)
{
    return OTA_STORE_RECORD_HEADER + (uint32_t)slot_count * OTA_STORE_RECORD_SLOT + 4u;
}

/* Where the slots start in a record of the given format. */
static uint32_t journal_slots_at(uint8_t format)
{
    return format == OTA_JOURNAL_FORMAT_1 ? REC1_SLOTS : REC_SLOTS;
}

static uint8_t journal_slot_count_of(const ota_store_layout_t *layout)
{
    return (uint8_t)(layout->download_slots + 1u);
}

#if OTA_JOURNAL_COMPACT
/* The compact codec (config.h): a record's boot fields (bytes 20 to 79 in the current format)
 * and its slot descriptors lie exactly as ota_store_boot_t and ota_store_slot_t do in memory
 * on a little-endian target, so each is one copy. Checked here field by field: a struct that
 * changes fails the build rather than the format. */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "OTA_JOURNAL_COMPACT: little-endian only");
#define JOURNAL_BOOT_AT(name, rec)                                                               \
    _Static_assert(offsetof(ota_store_boot_t, name) == (rec) - REC_RUNNING_VERSION, #name)
JOURNAL_BOOT_AT(running_version, REC_RUNNING_VERSION);
JOURNAL_BOOT_AT(previous_version, REC_PREVIOUS_VERSION);
JOURNAL_BOOT_AT(security_counter, REC_SECURITY_COUNTER);
JOURNAL_BOOT_AT(install_progress, REC_INSTALL_PROGRESS);
JOURNAL_BOOT_AT(running_slot, REC_RUNNING_SLOT);
JOURNAL_BOOT_AT(previous_slot, REC_PREVIOUS_SLOT);
JOURNAL_BOOT_AT(install_slot, REC_INSTALL_SLOT);
JOURNAL_BOOT_AT(state, REC_BOOT_STATE);
JOURNAL_BOOT_AT(attempts, REC_ATTEMPTS);
JOURNAL_BOOT_AT(install_reason, REC_INSTALL_REASON);
JOURNAL_BOOT_AT(rejected_count, REC_REJECTED_COUNT);
JOURNAL_BOOT_AT(report_pending, REC_REPORT_PENDING);
JOURNAL_BOOT_AT(manifest_sequence, REC_MANIFEST_SEQUENCE);
JOURNAL_BOOT_AT(rejected, REC_REJECTED);
_Static_assert(sizeof(ota_store_boot_t) == REC_SLOTS - REC_RUNNING_VERSION, "boot fields");
_Static_assert(offsetof(ota_store_slot_t, state) == SLOT_STATE &&
                   offsetof(ota_store_slot_t, flags) == SLOT_FLAGS &&
                   offsetof(ota_store_slot_t, version) == SLOT_VERSION &&
                   offsetof(ota_store_slot_t, size) == SLOT_SIZE &&
                   offsetof(ota_store_slot_t, offset) == SLOT_OFFSET &&
                   offsetof(ota_store_slot_t, digest) == SLOT_DIGEST &&
                   sizeof(ota_store_slot_t) == OTA_STORE_RECORD_SLOT,
               "slot descriptor");
/* Format 1's boot fields up to report_pending lie the same; its rejected list follows them. */
_Static_assert(REC1_REJECTED == REC_MANIFEST_SEQUENCE &&
                   REC1_SLOTS - REC1_REJECTED == REC_SLOTS - REC_REJECTED,
               "format 1 rejected list");

/* And the slots follow the boot fields in ota_store_state_t as in the record: the boot fields
 * and the slot descriptors of the current format are one run of bytes. */
_Static_assert(offsetof(ota_store_state_t, slots) == sizeof(ota_store_boot_t), "state layout");

static void journal_put_state(uint8_t *out, const ota_store_state_t *state, uint8_t count)
{
    uint8_t *end = out + REC_SLOTS + (uint32_t)count * OTA_STORE_RECORD_SLOT;
    memcpy(out + REC_RUNNING_VERSION, state, (size_t)(end - (out + REC_RUNNING_VERSION)));
    for (uint8_t *r = out + REC_SLOTS + SLOT_RESERVED; r < end; r += OTA_STORE_RECORD_SLOT) {
        /* the struct's padding there is no byte of the format: written as zero */
        r[0] = 0;
        r[1] = 0;
    }
}

/* st was zeroed; count and format were checked. */
static void journal_get_state(const uint8_t *rec, uint8_t format, uint8_t count,
                              ota_store_state_t *st)
{
    /* Up to the manifest sequence both formats lie alike; from byte 44 on, format 1 has the
     * rejected list and the slots (as the struct from its rejected list on), format 2 the
     * manifest sequence, the rejected list and the slots (as the struct from its manifest
     * sequence on). */
    uint32_t skip = format == OTA_JOURNAL_FORMAT_1 ? REC_REJECTED - REC_MANIFEST_SEQUENCE : 0u;
    memcpy(st, rec + REC_RUNNING_VERSION, REC_MANIFEST_SEQUENCE - REC_RUNNING_VERSION);
    memcpy((uint8_t *)st + (REC_MANIFEST_SEQUENCE - REC_RUNNING_VERSION) + skip,
           rec + REC_MANIFEST_SEQUENCE,
           REC_SLOTS - REC_MANIFEST_SEQUENCE - skip + (uint32_t)count * OTA_STORE_RECORD_SLOT);
}
#else
/* Where each field of the snapshot goes: one table, read by both encode and decode, instead
 * of a line per field in each (smaller code, and the two directions cannot disagree). */
typedef struct journal_field {
    uint8_t at;    /* offset in the record, or in the slot descriptor */
    uint8_t field; /* offset in ota_store_boot_t or ota_store_slot_t */
    uint8_t size;  /* 4: a little-endian u32; otherwise bytes copied as they are */
} journal_field_t;

#define JOURNAL_BOOT_FIELD(rec, name, size) {rec, offsetof(ota_store_boot_t, name), size}
#define JOURNAL_SLOT_FIELD(rec, name, size) {rec, offsetof(ota_store_slot_t, name), size}

/* The boot fields every format has at the same place (the rest: encode and decode). */
static const journal_field_t journal_boot_fields[] = {
    JOURNAL_BOOT_FIELD(REC_RUNNING_VERSION, running_version, 4),
    JOURNAL_BOOT_FIELD(REC_PREVIOUS_VERSION, previous_version, 4),
    JOURNAL_BOOT_FIELD(REC_SECURITY_COUNTER, security_counter, 4),
    JOURNAL_BOOT_FIELD(REC_INSTALL_PROGRESS, install_progress, 4),
    JOURNAL_BOOT_FIELD(REC_RUNNING_SLOT, running_slot, 1),
    JOURNAL_BOOT_FIELD(REC_PREVIOUS_SLOT, previous_slot, 1),
    JOURNAL_BOOT_FIELD(REC_INSTALL_SLOT, install_slot, 1),
    JOURNAL_BOOT_FIELD(REC_BOOT_STATE, state, 1),
    JOURNAL_BOOT_FIELD(REC_ATTEMPTS, attempts, 1),
    JOURNAL_BOOT_FIELD(REC_INSTALL_REASON, install_reason, 1),
    JOURNAL_BOOT_FIELD(REC_REJECTED_COUNT, rejected_count, 1),
    JOURNAL_BOOT_FIELD(REC_REPORT_PENDING, report_pending, 1),
};

static const journal_field_t journal_slot_fields[] = {
    JOURNAL_SLOT_FIELD(SLOT_STATE, state, 1),
    JOURNAL_SLOT_FIELD(SLOT_FLAGS, flags, 1),
    JOURNAL_SLOT_FIELD(SLOT_VERSION, version, 4),
    JOURNAL_SLOT_FIELD(SLOT_SIZE, size, 4),
    JOURNAL_SLOT_FIELD(SLOT_OFFSET, offset, 4),
    JOURNAL_SLOT_FIELD(SLOT_DIGEST, digest, OTA_SHA256_SIZE),
};

#define JOURNAL_COUNT(table) (sizeof(table) / sizeof(table)[0])

/* One field between its record form and its struct form (to_record: struct to record). */
static void journal_field_copy(uint8_t *to, const uint8_t *from, uint8_t size, bool to_record)
{
    if (size != 4u) {
        memcpy(to, from, size);
        return;
    }
    uint32_t v;
    if (to_record) {
        memcpy(&v, from, sizeof v);
        ota_le32_put(to, v);
    } else {
        v = ota_le32_get(from);
        memcpy(to, &v, sizeof v);
    }
}

static void journal_put_fields(uint8_t *out, const void *obj, const journal_field_t *f, size_t n)
{
    for (; n > 0; n--, f++) {
        journal_field_copy(out + f->at, (const uint8_t *)obj + f->field, f->size, true);
    }
}

static void journal_get_fields(const uint8_t *rec, void *obj, const journal_field_t *f, size_t n)
{
    for (; n > 0; n--, f++) {
        journal_field_copy((uint8_t *)obj + f->field, rec + f->at, f->size, false);
    }
}

static void journal_put_state(uint8_t *out, const ota_store_state_t *state, uint8_t count)
{
    const ota_store_boot_t *b = &state->boot;
    journal_put_fields(out, b, journal_boot_fields, JOURNAL_COUNT(journal_boot_fields));
    ota_le32_put(out + REC_MANIFEST_SEQUENCE, b->manifest_sequence);
    for (unsigned i = 0; i < OTA_STORE_REJECTED_MAX; i++) {
        ota_le32_put(out + REC_REJECTED + 4u * i, b->rejected[i]);
    }
    for (uint8_t i = 0; i < count; i++) {
        journal_put_fields(out + REC_SLOTS + (uint32_t)i * OTA_STORE_RECORD_SLOT, &state->slots[i],
                           journal_slot_fields, JOURNAL_COUNT(journal_slot_fields));
    }
}

/* Where the rejected list starts in a record of the given format. */
static uint32_t journal_rejected_at(uint8_t format)
{
    return format == OTA_JOURNAL_FORMAT_1 ? REC1_REJECTED : REC_REJECTED;
}

/* st was zeroed; count and format were checked. */
static void journal_get_state(const uint8_t *rec, uint8_t format, uint8_t count,
                              ota_store_state_t *st)
{
    ota_store_boot_t *b = &st->boot;
    journal_get_fields(rec, b, journal_boot_fields, JOURNAL_COUNT(journal_boot_fields));
    if (format != OTA_JOURNAL_FORMAT_1) {
        b->manifest_sequence = ota_le32_get(rec + REC_MANIFEST_SEQUENCE);
    }
    for (unsigned i = 0; i < OTA_STORE_REJECTED_MAX; i++) {
        b->rejected[i] = ota_le32_get(rec + journal_rejected_at(format) + 4u * i);
    }
    for (uint8_t k = 0; k < count; k++) {
        journal_get_fields(rec + journal_slots_at(format) + (uint32_t)k * OTA_STORE_RECORD_SLOT,
                           &st->slots[k], journal_slot_fields, JOURNAL_COUNT(journal_slot_fields));
    }
}
#endif

/* A little-endian u32 of a record, read and written as one load or store where the codec
 * copies as it lies (config.h). */
static uint32_t journal_u32(const uint8_t *p)
{
#if OTA_JOURNAL_COMPACT
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return v;
#else
    return ota_le32_get(p);
#endif
}

static void journal_put_u32(uint8_t *p, uint32_t v)
{
#if OTA_JOURNAL_COMPACT
    memcpy(p, &v, sizeof v);
#else
    ota_le32_put(p, v);
#endif
}

/* Every byte of the record but its sequence number and CRC (journal_seal); returns the
 * bytes under the CRC. */
static uint32_t journal_encode_body(const ota_store_layout_t *layout,
                                    const ota_store_state_t *state, uint8_t *out)
{
    uint8_t count = journal_slot_count_of(layout);
    uint32_t body = ota_journal_record_bytes(count) - 4u;
    OTA_ASSERT(count <= OTA_STORE_MAX_SLOTS && state->boot.rejected_count <= OTA_STORE_REJECTED_MAX);
    OTA_ASSERT(body + 4u <= layout->record_size && layout->record_size <= OTA_STORE_RECORD_BUF);

    /* Padding after the CRC is zero, not erased: a position is "free" only if all of it is. */
    memset(out, 0, layout->record_size);
    journal_put_u32(out + REC_MAGIC, OTA_JOURNAL_MAGIC);
    /* format, slot count and the u16 record size: one little-endian word */
    journal_put_u32(out + REC_FORMAT,
                    OTA_JOURNAL_FORMAT | (uint32_t)count << 8 | layout->record_size << 16);
    journal_put_u32(out + REC_SLOT_SIZE, layout->slot_size);
    journal_put_u32(out + REC_DATA_BASE, layout->data_base);
    journal_put_state(out, state, count);
    return body;
}

/* The sequence number and the CRC over the body: what differs between two positions that the
 * same snapshot is tried at. */
static void journal_seal(uint8_t *out, uint32_t body, uint32_t seq)
{
    journal_put_u32(out + REC_SEQ, seq);
    journal_put_u32(out + body, ota_journal_crc32(0, out, body));
}

void ota_journal_encode(const ota_store_layout_t *layout, const ota_store_state_t *state,
                        uint32_t seq, uint8_t *out)
{
    journal_seal(out, journal_encode_body(layout, state, out), seq);
}

/* Is every byte of p[0..n) the erased value? (A free position; the compact append's check
 * of a position before it programs one.) */
static bool journal_all_erased(const uint8_t *p, uint32_t n, uint8_t erased)
{
    while (n > 0u && *p == erased) {
        p++;
        n--;
    }
    return n == 0u;
}

static bool journal_slot_index_ok(uint8_t slot, uint8_t count)
{
    return slot == OTA_STORE_SLOT_NONE || slot < count;
}

/* A record with a good CRC was written by this code; these checks only guard against a
 * format bug or a crafted image, so that nothing downstream indexes out of range. */
static bool journal_content_ok(const ota_store_state_t *st, uint8_t count, uint32_t slot_size)
{
    const ota_store_boot_t *b = &st->boot;
    if (b->state > OTA_BOOT_CONFIRMED || b->install_reason > OTA_INSTALL_FACTORY ||
        b->rejected_count > OTA_STORE_REJECTED_MAX ||
        !journal_slot_index_ok(b->running_slot, count) ||
        !journal_slot_index_ok(b->previous_slot, count) ||
        !journal_slot_index_ok(b->install_slot, count)) {
        return false;
    }
    if ((b->state == OTA_BOOT_INSTALL_PENDING || b->state == OTA_BOOT_INSTALLING) &&
        b->install_slot == OTA_STORE_SLOT_NONE) {
        return false;
    }
    for (uint8_t i = 0; i < count; i++) {
        const ota_store_slot_t *s = &st->slots[i];
        if (s->state > OTA_SLOT_REJECTED || (s->flags & ~(OTA_SLOT_FLAG_DISCARD | OTA_SLOT_FLAG_RAW)) != 0 ||
            s->size > slot_size || s->offset > slot_size) {
            return false;
        }
        bool running = (b->running_slot == i);
        if (i == OTA_STORE_FACTORY_SLOT) {
            if (s->state == OTA_SLOT_INSTALLED || s->state == OTA_SLOT_REJECTED) {
                return false;
            }
        } else if (s->state == OTA_SLOT_INSTALLED ? !running
                                                  : (running && s->state != OTA_SLOT_REJECTED)) {
            /* The running slot is INSTALLED (or REJECTED while a rollback is pending), and
             * only it is INSTALLED. */
            return false;
        }
    }
    return true;
}

/* ota_journal_decode into st itself, which is left undefined unless VALID: the mount's
 * scratch (store->staged), so that no second snapshot lies on its stack. */
static ota_journal_record_kind_t journal_decode_into(const ota_store_layout_t *layout,
                                                     uint8_t erased, const uint8_t *rec,
                                                     ota_store_state_t *st, uint32_t *seq)
{
    uint32_t size = layout->record_size;
    if (journal_all_erased(rec, size, erased)) {
        return OTA_JOURNAL_ERASED;
    }
    uint8_t format = rec[REC_FORMAT];
    if (journal_u32(rec + REC_MAGIC) != OTA_JOURNAL_MAGIC ||
        (format != OTA_JOURNAL_FORMAT && format != OTA_JOURNAL_FORMAT_1)) {
        return OTA_JOURNAL_CORRUPT;
    }
    uint8_t count = rec[REC_SLOT_COUNT];
    if (count == 0 || count > OTA_STORE_MAX_SLOTS) {
        return OTA_JOURNAL_CORRUPT;
    }
    uint32_t body = journal_slots_at(format) + (uint32_t)count * OTA_STORE_RECORD_SLOT;
    if (body + 4u > size) {
        /* A record longer than our positions: written with another layout, and its CRC
         * cannot even be read from here. */
        return OTA_JOURNAL_CORRUPT;
    }
    if (journal_u32(rec + body) != ota_journal_crc32(0, rec, body)) {
        return OTA_JOURNAL_CORRUPT;
    }
    *seq = journal_u32(rec + REC_SEQ);
    if (count != journal_slot_count_of(layout) || ota_le16_get(rec + REC_SIZE) != size ||
        journal_u32(rec + REC_SLOT_SIZE) != layout->slot_size ||
        journal_u32(rec + REC_DATA_BASE) != layout->data_base) {
        return OTA_JOURNAL_FOREIGN;
    }
    memset(st, 0, sizeof *st);
    journal_get_state(rec, format, count, st);
    if (st->boot.report_pending > 1u || !journal_content_ok(st, count, layout->slot_size)) {
        return OTA_JOURNAL_CORRUPT;
    }
    return OTA_JOURNAL_VALID;
}

ota_journal_record_kind_t ota_journal_decode(const ota_store_layout_t *layout, uint8_t erased,
                                             const uint8_t *rec, ota_store_state_t *state,
                                             uint32_t *seq)
{
    ota_store_state_t st;
    uint32_t at = 0;
    ota_journal_record_kind_t kind = journal_decode_into(layout, erased, rec, &st, &at);
    if (kind == OTA_JOURNAL_VALID) {
        *state = st;
        *seq = at;
    }
    return kind;
}

/* Flash access ---------------------------------------------------------------------------- */

/* Bytes read at a time when checking a position: on the stack, because the work buffer may
 * hold staged download bytes while a checkpoint record is appended. */
#define JOURNAL_PIECE 32u

static uint32_t journal_position_addr(const ota_store_t *store, uint8_t sector, uint32_t pos)
{
    OTA_ASSERT(sector < 2u && pos < store->layout.records_per_sector);
    return (uint32_t)sector * store->layout.journal_sector_size + pos * store->layout.record_size;
}

static ota_store_status_t journal_flash_failed(ota_store_t *store, ota_flash_status_t st)
{
    store->flash_status = st;
    return OTA_STORE_ERR_FLASH;
}

/* The record_size bytes at addr into to (the record buffer or one of its size). */
static ota_store_status_t journal_read_at(ota_store_t *store, uint32_t addr, uint8_t *to)
{
    OTA_ASSERT(store->layout.record_size <= sizeof store->record);
    ota_flash_status_t st = ota_flash_read(store->flash, addr, to, store->layout.record_size);
    return st == OTA_FLASH_OK ? OTA_STORE_OK : journal_flash_failed(store, st);
}

static ota_store_status_t journal_read_position(ota_store_t *store, uint8_t sector, uint32_t pos)
{
    return journal_read_at(store, journal_position_addr(store, sector, pos), store->record);
}

/* An empty state: every slot EMPTY, nothing running, no slot referenced. */
static void journal_empty_state(ota_store_state_t *st)
{
    memset(st, 0, sizeof *st);
    st->boot.running_slot = OTA_STORE_SLOT_NONE;
    st->boot.previous_slot = OTA_STORE_SLOT_NONE;
    st->boot.install_slot = OTA_STORE_SLOT_NONE;
}

ota_store_status_t ota_journal_mount(ota_store_t *store)
{
    ota_store_journal_t *j = &store->journal;
    uint8_t erased = store->flash->geometry.erased_value;
    bool foreign_newest = false;
    uint32_t foreign_seq = 0;

    memset(j, 0, sizeof *j);
    journal_empty_state(&store->state);
    for (uint8_t sector = 0; sector < 2; sector++) {
        for (uint32_t pos = 0; pos < store->layout.records_per_sector; pos++) {
            ota_store_status_t rs = journal_read_position(store, sector, pos);
            if (rs != OTA_STORE_OK) {
                return rs;
            }
            uint32_t seq = 0;
            switch (journal_decode_into(&store->layout, erased, store->record, &store->staged,
                                        &seq)) {
            case OTA_JOURNAL_VALID:
                /* the newest so far is in j->seq: the first valid record, or a later one */
                if (j->valid_records++ == 0u || seq > j->seq) {
                    j->seq = seq;
                    store->state = store->staged;
                    j->sector = sector;
                    j->next_pos = pos + 1u;
                }
                break;
            case OTA_JOURNAL_FOREIGN:
                j->bad_records++;
                if (!foreign_newest || seq > foreign_seq) {
                    foreign_newest = true;
                    foreign_seq = seq;
                }
                break;
            case OTA_JOURNAL_CORRUPT:
                j->bad_records++;
                break;
            case OTA_JOURNAL_ERASED:
                break;
            }
        }
    }
    /* A newer record from another configuration means agent and bootloader disagree about
     * the layout: refuse rather than reinterpret slots. */
    bool found = j->valid_records != 0u;
    if (foreign_newest && (!found || foreign_seq > j->seq)) {
        return OTA_STORE_ERR_LAYOUT;
    }
    j->mount_kind = (uint8_t)(found              ? OTA_STORE_MOUNT_RECORD
                              : j->bad_records   ? OTA_STORE_MOUNT_GARBAGE
                                                 : OTA_STORE_MOUNT_FRESH);
    store->staged = store->state;
    return OTA_STORE_OK;
}

#if !OTA_JOURNAL_COMPACT
/* Program the encoded record at a position, page by page, and read it back.
 * OK: the record is there. ERR_STATE: this position is unusable, try the next. Else: fail. */
static ota_store_status_t journal_program_position(ota_store_t *store, uint8_t sector, uint32_t pos)
{
    const ota_flash_t *f = store->flash;
    uint32_t addr = journal_position_addr(store, sector, pos);
    uint32_t size = store->layout.record_size;
    uint32_t page = f->geometry.page_size;
    uint32_t done = 0;
    while (done < size) {
        uint32_t a = addr + done;
        uint32_t n = page - (a % page);
        if (n > size - done) {
            n = size - done;
        }
        ota_flash_status_t st = ota_flash_program(f, a, store->record + done, n);
        if (st == OTA_FLASH_ERR_OVERWRITE) {
            /* A torn write left it looking erased but programmed: unusable until erased. */
            return OTA_STORE_ERR_STATE;
        }
        if (st != OTA_FLASH_OK) {
            return journal_flash_failed(store, st);
        }
        done += n;
    }
    /* Read back in small pieces (the work buffer may hold staged download bytes) and
     * compare with the encoded record: a marginal write is caught here, not at the next
     * mount. */
    uint8_t piece[JOURNAL_PIECE];
    for (done = 0; done < size;) {
        uint32_t n = size - done;
        if (n > sizeof piece) {
            n = sizeof piece;
        }
        ota_flash_status_t st = ota_flash_read(f, addr + done, piece, n);
        if (st != OTA_FLASH_OK) {
            return journal_flash_failed(store, st);
        }
        if (memcmp(piece, store->record + done, n) != 0) {
            return OTA_STORE_ERR_STATE;
        }
        done += n;
    }
    return OTA_STORE_OK;
}

/* Is the position entirely erased? */
static ota_store_status_t journal_position_erased(ota_store_t *store, uint8_t sector, uint32_t pos,
                                                  bool *erased)
{
    uint32_t addr = journal_position_addr(store, sector, pos);
    uint32_t size = store->layout.record_size;
    uint8_t ev = store->flash->geometry.erased_value;
    uint8_t piece[JOURNAL_PIECE];
    *erased = true;
    for (uint32_t done = 0; done < size && *erased;) {
        uint32_t n = size - done;
        if (n > sizeof piece) {
            n = sizeof piece;
        }
        ota_flash_status_t st = ota_flash_read(store->flash, addr + done, piece, n);
        if (st != OTA_FLASH_OK) {
            return journal_flash_failed(store, st);
        }
        for (uint32_t i = 0; i < n; i++) {
            if (piece[i] != ev) {
                *erased = false;
                break;
            }
        }
        done += n;
    }
    return OTA_STORE_OK;
}

/* Try every remaining position of one sector. ERR_STATE: the sector has no usable position.
 * *seq goes up by one for every position passed over: a position that is not erased, or whose
 * program did not read back, may hold a record with any sequence number up to its own (a
 * weak bit can make it read valid at a later mount), so a record written after it must carry
 * a higher one, else the older record could win a tie at mount. */
static ota_store_status_t journal_append_in_sector(ota_store_t *store, uint8_t sector, uint32_t pos,
                                                   uint32_t *seq)
{
    for (; pos < store->layout.records_per_sector; pos++, (*seq)++) {
        bool erased = false;
        ota_store_status_t st = journal_position_erased(store, sector, pos, &erased);
        if (st != OTA_STORE_OK) {
            return st;
        }
        if (!erased) {
            continue; /* garbage of a torn write: skip it */
        }
        ota_journal_encode(&store->layout, &store->staged, *seq, store->record);
        st = journal_program_position(store, sector, pos);
        if (st == OTA_STORE_ERR_STATE) {
            continue;
        }
        if (st != OTA_STORE_OK) {
            return st;
        }
        store->journal.sector = sector;
        store->journal.next_pos = pos + 1u;
        return OTA_STORE_OK;
    }
    return OTA_STORE_ERR_STATE;
}

ota_store_status_t ota_journal_append(ota_store_t *store)
{
    ota_store_journal_t *j = &store->journal;
    uint32_t seq = j->seq + 1u;

    ota_store_status_t st = journal_append_in_sector(store, j->sector, j->next_pos, &seq);
    if (st == OTA_STORE_ERR_STATE) {
        /* Compaction: the other sector is erased (it only holds older records) and the new
         * snapshot becomes its first record. Until that record is complete, the newest
         * record of the full sector still wins, so the switch is atomic. */
        uint8_t other = (uint8_t)(j->sector ^ 1u);
        ota_flash_status_t fs =
            ota_flash_erase(store->flash, journal_position_addr(store, other, 0),
                            store->layout.journal_sector_size);
        if (fs != OTA_FLASH_OK) {
            return journal_flash_failed(store, fs);
        }
        j->compactions++;
        st = journal_append_in_sector(store, other, 0, &seq);
        if (st == OTA_STORE_ERR_STATE) {
            return OTA_STORE_ERR_JOURNAL_FULL;
        }
    }
    if (st != OTA_STORE_OK) {
        return st;
    }
    j->seq = seq;
    j->appends++;
    store->state = store->staged;
    return OTA_STORE_OK;
}
#else
/* The compact append (config.h): the default one above step by step (the same positions tried
 * in the same order, the same programs and erases, the same bytes written, the same sequence
 * numbers; tests/unit/test_journal_compact.c and fuzz target journal_compact compare the two)
 * in one loop over both sectors, with the snapshot encoded once and only its sequence number
 * and CRC sealed per position, and each position read whole (as the mount reads it) into one
 * buffer on the stack for both the erased check and the read-back. */

/* Program the sealed record at addr. The layout keeps a position inside one page, or whole
 * pages from a page start (src/store.c: a record of at most a page is a power of two, a
 * longer one a multiple of pages; the journal's sectors are page aligned), so the default's
 * page split is a split every page_size bytes. ERR_STATE: a torn write left the position
 * looking erased but programmed. */
static ota_store_status_t journal_program_at(ota_store_t *store, uint32_t addr)
{
    uint32_t size = store->layout.record_size;
    uint32_t n = store->flash->geometry.page_size;
    if (n > size) {
        n = size;
    }
    for (uint32_t done = 0; done < size; done += n) {
        ota_flash_status_t st = ota_flash_program(store->flash, addr + done, store->record + done, n);
        if (st == OTA_FLASH_ERR_OVERWRITE) {
            return OTA_STORE_ERR_STATE;
        }
        if (st != OTA_FLASH_OK) {
            return journal_flash_failed(store, st);
        }
    }
    return OTA_STORE_OK;
}

ota_store_status_t ota_journal_append(ota_store_t *store)
{
    ota_store_journal_t *j = &store->journal;
    uint32_t size = store->layout.record_size;
    uint8_t sector = j->sector;
    uint32_t pos = j->next_pos;
    uint32_t seq = j->seq + 1u;
    /* what a position holds, read back: the record buffer holds the record */
    uint8_t back[OTA_STORE_RECORD_BUF];
    uint32_t body = journal_encode_body(&store->layout, &store->staged, store->record);
    /* seq goes up by one for every position passed over, as in journal_append_in_sector */
    for (;; pos++, seq++) {
        if (pos >= store->layout.records_per_sector) {
            if (sector != j->sector) {
                return OTA_STORE_ERR_JOURNAL_FULL;
            }
            /* Compaction, atomic as in the default append: the full sector's newest record
             * wins until the other sector's first one is complete. */
            sector ^= 1u;
            pos = 0;
            ota_flash_status_t fs = ota_flash_erase(
                store->flash, journal_position_addr(store, sector, 0), store->layout.journal_sector_size);
            if (fs != OTA_FLASH_OK) {
                return journal_flash_failed(store, fs);
            }
            j->compactions++;
        }
        uint32_t addr = journal_position_addr(store, sector, pos);
        ota_store_status_t st = journal_read_at(store, addr, back);
        if (st == OTA_STORE_OK) {
            st = OTA_STORE_ERR_STATE; /* unless erased: garbage of a torn write, skipped */
            if (journal_all_erased(back, size, store->flash->geometry.erased_value)) {
                journal_seal(store->record, body, seq);
                st = journal_program_at(store, addr);
                if (st == OTA_STORE_OK) {
                    st = journal_read_at(store, addr, back);
                    if (st == OTA_STORE_OK && memcmp(back, store->record, size) != 0) {
                        st = OTA_STORE_ERR_STATE; /* a marginal write: caught here */
                    }
                }
                if (st == OTA_STORE_OK) {
                    break;
                }
            }
        }
        if (st != OTA_STORE_ERR_STATE) {
            return st;
        }
    }
    j->sector = sector;
    j->next_pos = pos + 1u;
    j->seq = seq;
    j->appends++;
    store->state = store->staged;
    return OTA_STORE_OK;
}
#endif
