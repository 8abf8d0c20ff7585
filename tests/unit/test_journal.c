/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The store's journal on the strict flash model: record format, mounting from whatever the
 * flash holds (erased, garbage, zeros, torn records), compaction, and a power cut at every
 * flash operation of an append and of a compaction.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "journal.h"
#include "store_fixture.h"

/* One record per call: the security counter is a convenient value that each change raises. */
static ota_store_status_t bump(store_fixture_t *fx, uint32_t value)
{
    return ota_store_confirm(&fx->store, value);
}

static uint32_t value_of(store_fixture_t *fx)
{
    return ota_store_boot(&fx->store)->security_counter;
}

static void test_crc32_check_value(void **unused)
{
    (void)unused;
    assert_int_equal(ota_journal_crc32(0, "123456789", 9), 0xCBF43926u);
    assert_int_equal(ota_journal_crc32(0, "", 0), 0);
    /* Streaming gives the same result as one call. */
    uint32_t c = ota_journal_crc32(0, "1234", 4);
    assert_int_equal(ota_journal_crc32(c, "56789", 5), 0xCBF43926u);
}

static void test_layout_numbers(void **unused)
{
    (void)unused;
    store_fixture_t *fx = store_fixture_open(NULL, NULL);
    const ota_store_layout_t *l = ota_store_layout(&fx->store);
    assert_int_equal(l->journal_sector_size, 4096);
    assert_int_equal(ota_journal_record_bytes(3), 80 + 3 * 48 + 4);
    assert_int_equal(l->record_size, 256); /* 228 B rounded up to divide the page */
    assert_int_equal(l->records_per_sector, 16);
    assert_int_equal(l->data_base, 0x10000); /* 64 KB block aligned */
    assert_int_equal(l->slot_size, OTA_STORE_DEFAULT_SLOT_SIZE);
    assert_int_equal(l->download_slots, 2);
    assert_int_equal(ota_store_slot_addr(&fx->store, 2), 0x10000 + 2 * 0xE0000);
    print_message("record %u B, %u records per 4 KB sector, sizeof(ota_store_t) %zu B\n",
                  (unsigned)l->record_size, (unsigned)l->records_per_sector, sizeof(ota_store_t));
    store_fixture_close(fx);

    fx = store_fixture_open(&store_fixture_big_erase, NULL);
    l = ota_store_layout(&fx->store);
    assert_int_equal(l->record_size, 256);
    assert_int_equal(l->records_per_sector, 256);
    assert_int_equal(l->data_base, 0x20000);
    store_fixture_close(fx);
}

static void test_config_errors(void **unused)
{
    (void)unused;
    store_fixture_t *fx = store_fixture_open(NULL, NULL);
    const ota_flash_t *f = ota_sim_flash_port(&fx->dev);
    ota_store_t *s = &fx->store;
    ota_store_config_t c = {.download_slots = 4}; /* 5 x 0xE0000 + 64 KB > 4 MB */
    assert_int_equal(ota_store_mount(s, f, &c), OTA_STORE_ERR_NO_SPACE);
    c.download_slots = OTA_STORE_SLOTS_AS_MANY_AS_FIT;
    assert_int_equal(ota_store_mount(s, f, &c), OTA_STORE_OK);
    assert_int_equal(ota_store_layout(s)->download_slots, 3);
    c.download_slots = 6;
    assert_int_equal(ota_store_mount(s, f, &c), OTA_STORE_ERR_ARG);
    c = (ota_store_config_t){.slot_size = 0xE0100}; /* not a multiple of the erase unit */
    assert_int_equal(ota_store_mount(s, f, &c), OTA_STORE_ERR_GEOMETRY);
    assert_int_equal(ota_store_mount(NULL, f, NULL), OTA_STORE_ERR_ARG);
    assert_int_equal(ota_store_mount(s, NULL, NULL), OTA_STORE_ERR_ARG);
    store_fixture_close(fx);
}

static void test_fresh_device_mounts_empty(void **unused)
{
    (void)unused;
    store_fixture_t *fx = store_fixture_open(NULL, NULL);
    ota_store_t *s = &fx->store;
    assert_int_equal(ota_store_mount_kind(s), OTA_STORE_MOUNT_FRESH);
    assert_int_equal(ota_store_boot(s)->state, OTA_BOOT_NONE);
    assert_int_equal(ota_store_boot(s)->running_slot, OTA_STORE_SLOT_NONE);
    for (uint8_t i = 0; i < ota_store_slot_count(s); i++) {
        assert_int_equal(ota_store_slot(s, i)->state, OTA_SLOT_EMPTY);
    }
    assert_null(ota_store_slot(s, 3));
    /* Mounting writes nothing. */
    assert_int_equal(ota_sim_flash_stats(&fx->dev).programs, 0);
    assert_int_equal(ota_sim_flash_stats(&fx->dev).erases, 0);
    store_fixture_close(fx);
}

static void test_records_survive_remount(void **unused)
{
    (void)unused;
    store_fixture_t *fx = store_fixture_open(NULL, NULL);
    for (uint32_t v = 1; v <= 5; v++) {
        assert_int_equal(bump(fx, v), OTA_STORE_OK);
        assert_int_equal(store_fixture_remount(fx), OTA_STORE_OK);
        assert_int_equal(ota_store_mount_kind(&fx->store), OTA_STORE_MOUNT_RECORD);
        assert_int_equal(value_of(fx), v);
        assert_int_equal(ota_store_boot(&fx->store)->state, OTA_BOOT_CONFIRMED);
    }
    store_fixture_close(fx);
}

/* Fill both journal sectors with a pattern, mount: an empty store that works afterwards. */
static void mount_from_pattern(int pattern)
{
    store_fixture_t *fx = store_fixture_open(NULL, NULL);
    uint8_t *raw = ota_sim_flash_raw(&fx->dev);
    srand(7);
    for (uint32_t i = 0; i < 2 * 4096; i++) {
        raw[i] = (uint8_t)(pattern >= 0 ? pattern : rand());
    }
    assert_int_equal(store_fixture_remount(fx), OTA_STORE_OK);
    assert_int_equal(ota_store_mount_kind(&fx->store), OTA_STORE_MOUNT_GARBAGE);
    assert_int_equal(ota_store_boot(&fx->store)->state, OTA_BOOT_NONE);
    assert_int_equal(ota_store_slot(&fx->store, 1)->state, OTA_SLOT_EMPTY);
    /* The store checks that a position's bytes are erased before programming it, so it
     * compacts into the other sector (erasing it) instead of programming over garbage. */
    assert_int_equal(bump(fx, 42), OTA_STORE_OK);
    assert_int_equal(store_fixture_remount(fx), OTA_STORE_OK);
    assert_int_equal(value_of(fx), 42);
    assert_int_equal(ota_store_mount_kind(&fx->store), OTA_STORE_MOUNT_RECORD);
    store_fixture_close(fx);
}

static void test_mount_from_random_garbage(void **unused)
{
    (void)unused;
    mount_from_pattern(-1);
}

static void test_mount_from_all_zeros(void **unused)
{
    (void)unused;
    mount_from_pattern(0x00);
}

static void test_corrupted_newest_record_falls_back(void **unused)
{
    (void)unused;
    store_fixture_t *fx = store_fixture_open(NULL, NULL);
    assert_int_equal(bump(fx, 1), OTA_STORE_OK);
    assert_int_equal(bump(fx, 2), OTA_STORE_OK);
    uint32_t rs = ota_store_layout(&fx->store)->record_size;
    /* Flip one bit in record 2's body (position 1 of sector 0). */
    ota_sim_flash_raw(&fx->dev)[rs + 30] ^= 0x10;
    assert_int_equal(store_fixture_remount(fx), OTA_STORE_OK);
    assert_int_equal(value_of(fx), 1);
    assert_int_equal(fx->store.journal.bad_records, 1);
    /* The next record skips the damaged position. */
    assert_int_equal(bump(fx, 3), OTA_STORE_OK);
    assert_int_equal(store_fixture_remount(fx), OTA_STORE_OK);
    assert_int_equal(value_of(fx), 3);
    store_fixture_close(fx);
}

static void test_torn_record_keeps_previous_state(void **unused)
{
    (void)unused;
    unsigned previous = 0;
    for (uint64_t seed = 1; seed <= 40; seed++) {
        store_fixture_t *fx = store_fixture_open(NULL, NULL);
        assert_int_equal(bump(fx, 10), OTA_STORE_OK);
        ota_sim_power_arm(&fx->power, fx->power.ops + 1, OTA_SIM_CUT_TORN, seed);
        assert_int_equal(bump(fx, 11), OTA_STORE_ERR_FLASH);
        assert_int_equal(ota_store_flash_status(&fx->store), OTA_FLASH_ERR_POWER);
        assert_int_equal(store_fixture_remount(fx), OTA_STORE_OK);
        /* A tear inside the 224 bytes the CRC covers leaves the previous state; a tear in
         * the zero padding after the CRC leaves a complete record: the new state. */
        assert_true(value_of(fx) == 10 || value_of(fx) == 11);
        previous += value_of(fx) == 10;
        /* The torn position is skipped (garbage or programmed-but-erased-looking). */
        assert_int_equal(bump(fx, 12), OTA_STORE_OK);
        assert_int_equal(store_fixture_remount(fx), OTA_STORE_OK);
        assert_int_equal(value_of(fx), 12);
        store_fixture_close(fx);
    }
    assert_true(previous >= 30);
}

static void full_sector_compaction(const ota_flash_geometry_t *g)
{
    store_fixture_t *fx = store_fixture_open(g, NULL);
    uint32_t per = ota_store_layout(&fx->store)->records_per_sector;
    uint32_t unit = ota_sim_flash_port(&fx->dev)->geometry.erase_unit;
    /* Three sector fills: A full -> B, B full -> A again (A erased lazily then). */
    for (uint32_t v = 1; v <= 3 * per + 1; v++) {
        assert_int_equal(bump(fx, v), OTA_STORE_OK);
        if (v % 7 == 0 || v % per == 0 || v % per == 1) {
            assert_int_equal(store_fixture_remount(fx), OTA_STORE_OK);
            assert_int_equal(value_of(fx), v);
        }
    }
    assert_int_equal(store_fixture_remount(fx), OTA_STORE_OK);
    assert_int_equal(value_of(fx), 3 * per + 1);
    assert_int_equal(fx->store.journal.sector, 1);
    assert_int_equal(fx->store.journal.next_pos, 1);
    /* Each journal sector was erased only when it became the compaction target. */
    assert_int_equal(ota_sim_flash_wear(&fx->dev, 0), 1);
    assert_int_equal(ota_sim_flash_wear(&fx->dev, unit), 2);
    store_fixture_close(fx);
}

static void test_full_sector_compaction_sst26(void **unused)
{
    (void)unused;
    full_sector_compaction(NULL);
}

static void test_full_sector_compaction_big_erase(void **unused)
{
    (void)unused;
    full_sector_compaction(&store_fixture_big_erase);
}

static void test_layout_mismatch_is_refused(void **unused)
{
    (void)unused;
    store_fixture_t *fx = store_fixture_open(NULL, NULL);
    assert_int_equal(bump(fx, 5), OTA_STORE_OK);
    ota_store_config_t other = {.download_slots = 1};
    assert_int_equal(ota_store_mount(&fx->store, ota_sim_flash_port(&fx->dev), &other),
                     OTA_STORE_ERR_LAYOUT);
    other = (ota_store_config_t){.slot_size = 0xF0000};
    assert_int_equal(ota_store_mount(&fx->store, ota_sim_flash_port(&fx->dev), &other),
                     OTA_STORE_ERR_LAYOUT);
    assert_int_equal(store_fixture_remount(fx), OTA_STORE_OK);
    assert_int_equal(value_of(fx), 5);
    store_fixture_close(fx);
}

static void test_record_decode_rejects_bad_content(void **unused)
{
    (void)unused;
    store_fixture_t *fx = store_fixture_open(NULL, NULL);
    const ota_store_layout_t *l = ota_store_layout(&fx->store);
    ota_store_state_t st, out;
    uint32_t seq = 0;
    uint8_t rec[OTA_STORE_RECORD_BUF];
    memset(&st, 0, sizeof st);
    st.boot.running_slot = st.boot.previous_slot = st.boot.install_slot = OTA_STORE_SLOT_NONE;
    ota_journal_encode(l, &st, 9, rec);
    assert_int_equal(ota_journal_decode(l, 0xFF, rec, &out, &seq), OTA_JOURNAL_VALID);
    assert_int_equal(seq, 9);
    assert_true(store_fixture_state_equal(&st, &out, 3));
    /* Content a correct CRC cannot excuse: an INSTALLED slot that is not the running one. */
    st.slots[1].state = OTA_SLOT_INSTALLED;
    ota_journal_encode(l, &st, 10, rec);
    assert_int_equal(ota_journal_decode(l, 0xFF, rec, &out, &seq), OTA_JOURNAL_CORRUPT);
    st.slots[1].state = 9;
    ota_journal_encode(l, &st, 10, rec);
    assert_int_equal(ota_journal_decode(l, 0xFF, rec, &out, &seq), OTA_JOURNAL_CORRUPT);
    memset(rec, 0xFF, sizeof rec);
    assert_int_equal(ota_journal_decode(l, 0xFF, rec, &out, &seq), OTA_JOURNAL_ERASED);
    store_fixture_close(fx);
}

/* ---- power cut at every operation of an append and of a compaction --------------------- */

typedef struct journal_sweep {
    uint32_t records_before; /* records written by setup */
} journal_sweep_t;

static void setup_records(store_fixture_t *fx, void *ctx)
{
    journal_sweep_t *js = ctx;
    for (uint32_t v = 1; v <= js->records_before; v++) {
        if (bump(fx, v) != OTA_STORE_OK) {
            abort();
        }
    }
}

static ota_store_status_t op_append(store_fixture_t *fx, void *ctx)
{
    journal_sweep_t *js = ctx;
    return bump(fx, js->records_before + 1);
}

static int check_old_or_new_then_writable(store_fixture_t *fx, void *ctx, int which)
{
    journal_sweep_t *js = ctx;
    if (which < 0) {
        fprintf(stderr, "journal: neither old nor new state after the cut\n");
        return -1;
    }
    /* The journal stays writable and the next record wins. */
    uint32_t next = js->records_before + 100;
    if (bump(fx, next) != OTA_STORE_OK || store_fixture_remount(fx) != OTA_STORE_OK ||
        value_of(fx) != next) {
        fprintf(stderr, "journal: not writable after the cut\n");
        return -1;
    }
    return 0;
}

static void sweep_append(const ota_flash_geometry_t *g, const ota_store_config_t *cfg,
                         uint32_t records_before, unsigned expect_ops)
{
    journal_sweep_t js = {records_before};
    store_fixture_sweep_result_t r;
    store_fixture_sweep(g, cfg, setup_records, op_append, check_old_or_new_then_writable, &js,
                        &r);
    print_message("append after %u records: %u ops, %u cuts: %u old, %u new, %u failures\n",
                  (unsigned)records_before, r.ops, r.cuts, r.old_state, r.new_state,
                  r.failures);
    assert_int_equal(r.failures, 0);
    assert_int_equal(r.ops, expect_ops);
    assert_int_equal(r.other, 0);
    assert_true(r.old_state > 0 && r.new_state > 0);
}

static void test_power_cut_every_op_of_append(void **unused)
{
    (void)unused;
    sweep_append(NULL, NULL, 3, 1); /* one page program */
    sweep_append(&store_fixture_big_erase, NULL, 3, 1);
}

static void test_power_cut_every_op_of_compaction(void **unused)
{
    (void)unused;
    /* The append after a full sector: erase the other sector + program the first record. */
    sweep_append(NULL, NULL, 16, 2);
    /* Second compaction, back into sector A (full of old records, erased lazily now). */
    sweep_append(NULL, NULL, 32, 2);
    sweep_append(&store_fixture_big_erase, NULL, 256, 2);
}

static void test_power_cut_record_of_two_pages(void **unused)
{
    (void)unused;
    /* Five download slots: 368-byte records, 512-byte stride, two page programs each. */
    ota_store_config_t cfg = {.slot_size = 0x80000, .download_slots = 5};
    store_fixture_t *fx = store_fixture_open(NULL, &cfg);
    assert_int_equal(ota_store_layout(&fx->store)->record_size, 512);
    store_fixture_close(fx);
    sweep_append(NULL, &cfg, 2, 2);
    sweep_append(NULL, &cfg, 8, 3);
}

/* The manifest sequence is a boot field like the counter: kept across remounts, only raised,
 * and a same-or-lower value writes nothing. */
static void test_manifest_sequence_survives_and_only_rises(void **unused)
{
    (void)unused;
    store_fixture_t *fx = store_fixture_open(NULL, NULL);
    assert_int_equal(ota_store_boot(&fx->store)->manifest_sequence, 0);
    assert_int_equal(ota_store_raise_manifest_sequence(&fx->store, 0), OTA_STORE_ERR_ARG);
    assert_int_equal(ota_store_raise_manifest_sequence(&fx->store, 7), OTA_STORE_OK);
    uint32_t appends = fx->store.journal.appends;
    assert_int_equal(ota_store_raise_manifest_sequence(&fx->store, 7), OTA_STORE_OK);
    assert_int_equal(ota_store_raise_manifest_sequence(&fx->store, 5), OTA_STORE_OK);
    assert_int_equal(fx->store.journal.appends, appends);
    assert_int_equal(bump(fx, 3), OTA_STORE_OK); /* another change keeps it */
    assert_int_equal(store_fixture_remount(fx), OTA_STORE_OK);
    assert_int_equal(ota_store_boot(&fx->store)->manifest_sequence, 7);
    assert_int_equal(value_of(fx), 3);
    store_fixture_close(fx);
}

/* A record of format 1 (no manifest sequence, the rejected list at 44, slots at 76), as a
 * device updated from the previous release holds: read with its state, and the next record
 * is written in the current format. */
static void test_format_1_record_still_read(void **unused)
{
    (void)unused;
    store_fixture_t *fx = store_fixture_open(NULL, NULL);
    const ota_store_layout_t *l = ota_store_layout(&fx->store);
    ota_store_state_t st;
    memset(&st, 0, sizeof st);
    st.boot.running_slot = st.boot.previous_slot = st.boot.install_slot = OTA_STORE_SLOT_NONE;
    st.boot.state = OTA_BOOT_CONFIRMED;
    st.boot.running_version = 4;
    st.boot.security_counter = 2;
    st.boot.rejected_count = 1;
    st.boot.rejected[0] = 3;
    st.slots[1].state = OTA_SLOT_STORED;
    st.slots[1].version = 5;
    st.slots[1].size = 1000;
    memset(st.slots[1].digest, 0xAB, sizeof st.slots[1].digest);
    uint8_t v2[OTA_STORE_RECORD_BUF], v1[OTA_STORE_RECORD_BUF];
    ota_journal_encode(l, &st, 1, v2);
    uint32_t body2 = ota_journal_record_bytes(3) - 4u, body1 = body2 - 4u;
    memset(v1, 0, sizeof v1);
    memcpy(v1, v2, 44);
    memcpy(v1 + 44, v2 + 48, body1 - 44);
    v1[8] = 1;
    uint32_t crc = ota_journal_crc32(0, v1, body1);
    for (unsigned i = 0; i < 4; i++) {
        v1[body1 + i] = (uint8_t)(crc >> (8 * i));
    }
    memcpy(ota_sim_flash_raw(&fx->dev), v1, l->record_size);
    assert_int_equal(store_fixture_remount(fx), OTA_STORE_OK);
    assert_int_equal(ota_store_mount_kind(&fx->store), OTA_STORE_MOUNT_RECORD);
    assert_true(store_fixture_state_equal(ota_store_state(&fx->store), &st, 3));
    assert_int_equal(ota_store_raise_manifest_sequence(&fx->store, 9), OTA_STORE_OK);
    assert_int_equal(store_fixture_remount(fx), OTA_STORE_OK);
    assert_int_equal(ota_store_boot(&fx->store)->manifest_sequence, 9);
    assert_int_equal(ota_store_boot(&fx->store)->rejected[0], 3);
    assert_int_equal(ota_store_slot(&fx->store, 1)->version, 5);
    store_fixture_close(fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crc32_check_value),
        cmocka_unit_test(test_layout_numbers),
        cmocka_unit_test(test_config_errors),
        cmocka_unit_test(test_fresh_device_mounts_empty),
        cmocka_unit_test(test_records_survive_remount),
        cmocka_unit_test(test_mount_from_random_garbage),
        cmocka_unit_test(test_mount_from_all_zeros),
        cmocka_unit_test(test_corrupted_newest_record_falls_back),
        cmocka_unit_test(test_torn_record_keeps_previous_state),
        cmocka_unit_test(test_full_sector_compaction_sst26),
        cmocka_unit_test(test_full_sector_compaction_big_erase),
        cmocka_unit_test(test_layout_mismatch_is_refused),
        cmocka_unit_test(test_record_decode_rejects_bad_content),
        cmocka_unit_test(test_power_cut_every_op_of_append),
        cmocka_unit_test(test_power_cut_every_op_of_compaction),
        cmocka_unit_test(test_power_cut_record_of_two_pages),
        cmocka_unit_test(test_manifest_sequence_survives_and_only_rises),
        cmocka_unit_test(test_format_1_record_still_read),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
