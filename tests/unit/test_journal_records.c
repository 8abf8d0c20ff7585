/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Records with a good CRC that the store could not have written (a format bug, a crafted or
 * foreign journal): decoding refuses every impossible field, so nothing downstream trusts a
 * slot index out of range or a state that does not exist; records of another layout are
 * told apart from damage (docs/store.md, record format), and a mount refuses a journal whose
 * newest record belongs to another layout but not one whose foreign records are older; and
 * every field is at the byte docs/store.md gives it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "journal.h"
#include "store_fixture.h"

/* Byte offsets of docs/store.md's record format. */
enum { AT_SLOT_COUNT = 9, AT_SIZE = 10, AT_SLOT_SIZE = 12, AT_DATA_BASE = 16,
       AT_REJECTED_COUNT = 42, AT_RESERVED = 43 };

static store_fixture_t *fx;
static const ota_store_layout_t *layout;

static int open_store(void **unused)
{
    (void)unused;
    fx = store_fixture_open(NULL, NULL);
    layout = ota_store_layout(&fx->store);
    return 0;
}

static int close_store(void **unused)
{
    (void)unused;
    store_fixture_close(fx);
    return 0;
}

/* A consistent state: v2 running from slot 1, v1 in the factory slot. */
static ota_store_state_t sane(void)
{
    ota_store_state_t st;
    memset(&st, 0, sizeof st);
    st.boot.state = OTA_BOOT_CONFIRMED;
    st.boot.running_version = 2;
    st.boot.running_slot = 1;
    st.boot.previous_slot = OTA_STORE_SLOT_NONE;
    st.boot.install_slot = OTA_STORE_SLOT_NONE;
    st.slots[0] = (ota_store_slot_t){.state = OTA_SLOT_STORED, .version = 1, .size = 5000,
                                     .offset = 5000};
    st.slots[1] = (ota_store_slot_t){.state = OTA_SLOT_INSTALLED, .version = 2, .size = 6000,
                                     .offset = 6000};
    return st;
}

static ota_journal_record_kind_t decode_state(const ota_store_state_t *st)
{
    uint8_t rec[OTA_STORE_RECORD_BUF];
    ota_store_state_t out;
    uint32_t seq;
    ota_journal_encode(layout, st, 5, rec);
    return ota_journal_decode(layout, 0xFF, rec, &out, &seq);
}

/* Re-seal a record edited byte by byte: the CRC after `count` slot descriptors. */
static void reseal(uint8_t *rec, uint8_t count)
{
    uint32_t body = OTA_STORE_RECORD_HEADER + (uint32_t)count * OTA_STORE_RECORD_SLOT;
    uint32_t crc = ota_journal_crc32(0, rec, body);
    for (unsigned i = 0; i < 4; i++) {
        rec[body + i] = (uint8_t)(crc >> (8 * i));
    }
}

static uint32_t le32_at(const uint8_t *rec, uint32_t at)
{
    return (uint32_t)rec[at] | (uint32_t)rec[at + 1] << 8 | (uint32_t)rec[at + 2] << 16 |
           (uint32_t)rec[at + 3] << 24;
}

/* Each field is written where docs/store.md's record format puts it (encode and decode share
 * one table of places: a wrong place in it would pass any round trip), and read back from
 * there. Every value differs from every other, so two fields swapped show. */
static void test_fields_at_the_documented_offsets(void **unused)
{
    (void)unused;
    ota_store_state_t st = sane();
    st.boot = (ota_store_boot_t){.running_version = 0x02020202u, .previous_version = 0x01010101u,
                                 .security_counter = 0x0C0B0A09u, .install_progress = 0x2000u,
                                 .running_slot = 1, .previous_slot = 0,
                                 .install_slot = OTA_STORE_SLOT_NONE, .state = OTA_BOOT_TRIAL,
                                 .attempts = 2,
                                 .install_reason = OTA_INSTALL_ROLLBACK, .rejected_count = 1,
                                 .manifest_sequence = 0x44332211u, .rejected = {0x07070707u}};
    st.slots[1].version = 0x02020202u;
    st.slots[0].version = 0x01010101u;
    st.slots[2] = (ota_store_slot_t){.state = OTA_SLOT_DOWNLOADING, .version = 0x03030303u,
                                     .size = 0x3000u, .offset = 0x1000u};
    memset(st.slots[2].digest, 0xD5, sizeof st.slots[2].digest);
    uint8_t rec[OTA_STORE_RECORD_BUF];
    ota_journal_encode(layout, &st, 5, rec);
    assert_int_equal(le32_at(rec, 20), 0x02020202u);
    assert_int_equal(le32_at(rec, 24), 0x01010101u);
    assert_int_equal(le32_at(rec, 28), 0x0C0B0A09u);
    assert_int_equal(le32_at(rec, 32), 0x2000u);
    const uint8_t bytes_36[] = {1, 0, OTA_STORE_SLOT_NONE, OTA_BOOT_TRIAL, 2,
                                OTA_INSTALL_ROLLBACK, 1, 0};
    assert_memory_equal(rec + 36, bytes_36, sizeof bytes_36);
    assert_int_equal(le32_at(rec, 44), 0x44332211u);
    assert_int_equal(le32_at(rec, 48), 0x07070707u);
    const uint8_t *d = rec + 80 + 2u * 48u; /* slot 2's descriptor */
    assert_int_equal(d[0], OTA_SLOT_DOWNLOADING);
    assert_int_equal(d[1], 0);
    assert_int_equal(le32_at(d, 4), 0x03030303u);
    assert_int_equal(le32_at(d, 8), 0x3000u);
    assert_int_equal(le32_at(d, 12), 0x1000u);
    assert_int_equal(d[16], 0xD5);
    assert_int_equal(d[47], 0xD5);
    assert_int_equal(le32_at(rec + 80, 4), 0x01010101u); /* slot 0 first */

    ota_store_state_t back;
    uint32_t seq = 0;
    assert_int_equal(ota_journal_decode(layout, 0xFF, rec, &back, &seq), OTA_JOURNAL_VALID);
    assert_int_equal(seq, 5);
    assert_memory_equal(&back.boot, &st.boot, sizeof st.boot);
    assert_memory_equal(&back.slots[2], &st.slots[2], sizeof st.slots[2]);
}

static void test_impossible_fields_are_refused(void **unused)
{
    (void)unused;
    ota_store_state_t st = sane();
    assert_int_equal(decode_state(&st), OTA_JOURNAL_VALID);
    /* A roll back pending from a rejected running slot is a state the store writes. */
    st.slots[1].state = OTA_SLOT_REJECTED;
    assert_int_equal(decode_state(&st), OTA_JOURNAL_VALID);

#define REFUSED(field, value)                                                                 \
    do {                                                                                      \
        st = sane();                                                                          \
        st.field = value;                                                                     \
        if (decode_state(&st) != OTA_JOURNAL_CORRUPT) {                                       \
            fail_msg("a record with %s = %d was trusted", #field, (int)(value));             \
        }                                                                                     \
    } while (0)
    REFUSED(boot.state, OTA_BOOT_CONFIRMED + 1);
    REFUSED(boot.install_reason, OTA_INSTALL_FACTORY + 1);
    REFUSED(boot.running_slot, 3);
    REFUSED(boot.previous_slot, 3);
    REFUSED(boot.install_slot, 3);
    REFUSED(boot.state, OTA_BOOT_INSTALL_PENDING); /* an install of no slot */
    REFUSED(boot.state, OTA_BOOT_INSTALLING);
    REFUSED(slots[2].state, OTA_SLOT_REJECTED + 1);
    REFUSED(slots[2].flags, 0x80);
    REFUSED(slots[2].size, layout->slot_size + 1);
    REFUSED(slots[2].offset, layout->slot_size + 1);
    REFUSED(slots[0].state, OTA_SLOT_INSTALLED); /* the factory slot never runs as a copy */
    REFUSED(slots[0].state, OTA_SLOT_REJECTED);
    REFUSED(slots[1].state, OTA_SLOT_STORED);    /* running, yet not INSTALLED */
    REFUSED(slots[2].state, OTA_SLOT_INSTALLED); /* INSTALLED, yet not running */
#undef REFUSED
}

static void test_damage_and_other_layouts_are_told_apart(void **unused)
{
    (void)unused;
    ota_store_state_t st = sane(), out;
    uint8_t good[OTA_STORE_RECORD_BUF], rec[OTA_STORE_RECORD_BUF];
    uint32_t seq;
    uint8_t count = (uint8_t)(layout->download_slots + 1u);
    ota_journal_encode(layout, &st, 5, good);

    /* Another layout (slot size, data base, record size): FOREIGN, not damage. */
    const unsigned foreign_at[] = {AT_SLOT_SIZE, AT_DATA_BASE, AT_SIZE};
    for (unsigned i = 0; i < 3; i++) {
        memcpy(rec, good, sizeof rec);
        rec[foreign_at[i] + 1] ^= 0x01;
        reseal(rec, count);
        assert_int_equal(ota_journal_decode(layout, 0xFF, rec, &out, &seq), OTA_JOURNAL_FOREIGN);
    }
    /* Fewer slots than this layout (one download slot): FOREIGN as well. */
    memcpy(rec, good, sizeof rec);
    rec[AT_SLOT_COUNT] = (uint8_t)(count - 1u);
    reseal(rec, (uint8_t)(count - 1u));
    assert_int_equal(ota_journal_decode(layout, 0xFF, rec, &out, &seq), OTA_JOURNAL_FOREIGN);
    /* No slot at all, more than any layout has, more than fits a position (on SST26 a
     * position holds at most 3 slot descriptors): damage. Each sealed with the CRC its count
     * puts after its slots (inside the buffer, past the position where it does not fit), so
     * that only the count can make it damage: a valid CRC with a count not ours is FOREIGN. */
    const uint8_t bad_counts[] = {0, OTA_STORE_MAX_SLOTS + 1u, OTA_STORE_MAX_SLOTS};
    assert_true(OTA_STORE_RECORD_HEADER + OTA_STORE_MAX_SLOTS * OTA_STORE_RECORD_SLOT + 4u >
                layout->record_size);
    assert_true(OTA_STORE_RECORD_HEADER + (OTA_STORE_MAX_SLOTS + 1u) * OTA_STORE_RECORD_SLOT +
                    4u <= sizeof rec);
    for (unsigned i = 0; i < 3; i++) {
        memcpy(rec, good, sizeof rec);
        rec[AT_SLOT_COUNT] = bad_counts[i];
        reseal(rec, bad_counts[i]);
        assert_int_equal(ota_journal_decode(layout, 0xFF, rec, &out, &seq), OTA_JOURNAL_CORRUPT);
    }
    /* The report flag is 0 or 1; the rejected list has 8 entries. */
    memcpy(rec, good, sizeof rec);
    rec[AT_RESERVED] = 1;
    reseal(rec, count);
    assert_int_equal(ota_journal_decode(layout, 0xFF, rec, &out, &seq), OTA_JOURNAL_VALID);
    assert_int_equal(out.boot.report_pending, 1);
    rec[AT_RESERVED] = 2;
    reseal(rec, count);
    assert_int_equal(ota_journal_decode(layout, 0xFF, rec, &out, &seq), OTA_JOURNAL_CORRUPT);
    memcpy(rec, good, sizeof rec);
    rec[AT_REJECTED_COUNT] = OTA_STORE_REJECTED_MAX + 1u;
    reseal(rec, count);
    assert_int_equal(ota_journal_decode(layout, 0xFF, rec, &out, &seq), OTA_JOURNAL_CORRUPT);
}

/* Write rec at record position pos of journal sector 0, raw. */
static void put_record(const uint8_t *rec, uint32_t pos)
{
    memcpy(ota_sim_flash_raw(&fx->dev) + pos * layout->record_size, rec, layout->record_size);
}

static void test_mount_with_foreign_records(void **unused)
{
    (void)unused;
    ota_store_state_t st = sane();
    uint8_t count = (uint8_t)(layout->download_slots + 1u);
    uint8_t rec[OTA_STORE_RECORD_BUF];
    /* Two foreign records (another slot size), then a newer record of ours: ours wins. */
    for (uint32_t i = 0; i < 2; i++) {
        ota_journal_encode(layout, &st, 10 + i, rec);
        rec[AT_SLOT_SIZE + 1] ^= 0x01;
        reseal(rec, count);
        put_record(rec, i);
    }
    ota_journal_encode(layout, &st, 20, rec);
    put_record(rec, 2);
    assert_int_equal(store_fixture_remount(fx), OTA_STORE_OK);
    assert_int_equal(ota_store_boot(&fx->store)->running_version, 2);
    /* A foreign record newer than ours: this layout is not the one the journal is kept in. */
    ota_journal_encode(layout, &st, 30, rec);
    rec[AT_SLOT_SIZE + 1] ^= 0x01;
    reseal(rec, count);
    put_record(rec, 3);
    assert_int_equal(store_fixture_remount(fx), OTA_STORE_ERR_LAYOUT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fields_at_the_documented_offsets),
        cmocka_unit_test(test_impossible_fields_are_refused),
        cmocka_unit_test(test_damage_and_other_layouts_are_told_apart),
        cmocka_unit_test(test_mount_with_foreign_records),
    };
    return cmocka_run_group_tests(tests, open_store, close_store);
}
