/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A download's resume notes (include/otaflow/store.h, src/store_patch.c: the patch applier's
 * checkpoint and hash state, docs/delta.md): the last note appended is the one read back,
 * after a remount too; a note torn by a power cut is never read as another one, the one
 * before it is; a full sector starts again; the image below the note sector is untouched;
 * a download that starts from its first byte finds no note of an earlier one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "store_fixture.h"

#define NOTE_LEN 76u /* the agent's note (src/agent_patch.c) */

static const uint8_t digest[OTA_SHA256_SIZE] = {0x15, 0x15};

static void note_fill(uint8_t note[NOTE_LEN], unsigned n)
{
    for (unsigned i = 0; i < NOTE_LEN; i++) {
        note[i] = (uint8_t)(n * 31u + i);
    }
}

static uint8_t begin(store_fixture_t *fx, uint32_t *resume)
{
    uint8_t slot = OTA_STORE_SLOT_NONE;
    assert_int_equal(ota_store_download_begin(&fx->store, 2, 0, digest, &slot, resume),
                     OTA_STORE_OK);
    return slot;
}

static void expect_last(store_fixture_t *fx, unsigned n)
{
    uint8_t want[NOTE_LEN], got[NOTE_LEN];
    note_fill(want, n);
    assert_int_equal(ota_store_note_last(&fx->store, got, NOTE_LEN), OTA_STORE_OK);
    assert_memory_equal(got, want, NOTE_LEN);
}

static void append(store_fixture_t *fx, unsigned n)
{
    uint8_t note[NOTE_LEN];
    note_fill(note, n);
    assert_int_equal(ota_store_note_append(&fx->store, note, NOTE_LEN), OTA_STORE_OK);
}

static void test_last_note_survives_a_reset(void **unused)
{
    (void)unused;
    store_fixture_t *fx = store_fixture_open(NULL, NULL);
    uint8_t note[NOTE_LEN];
    note_fill(note, 0);
    assert_int_equal(ota_store_note_append(&fx->store, note, NOTE_LEN), OTA_STORE_ERR_STATE);
    assert_int_equal(ota_store_note_limit(&fx->store), 0u);
    uint32_t resume = 1;
    uint8_t slot = begin(fx, &resume);
    assert_int_equal(resume, 0u);
    /* SST26: the slot's last 4 KB sector holds the notes */
    uint32_t limit = ota_store_note_limit(&fx->store);
    assert_int_equal(limit, ota_store_layout(&fx->store)->slot_size - 4096u);
    assert_int_equal(ota_store_note_clear(&fx->store), OTA_STORE_OK);
    assert_int_equal(ota_store_note_last(&fx->store, note, NOTE_LEN), OTA_STORE_ERR_NOT_FOUND);
    /* image bytes below the limit, then notes: neither disturbs the other */
    static uint8_t data[8192];
    for (size_t i = 0; i < sizeof data; i++) {
        data[i] = (uint8_t)(i * 13u);
    }
    assert_int_equal(ota_store_download_write(&fx->store, 0, data, sizeof data), OTA_STORE_OK);
    append(fx, 1);
    expect_last(fx, 1);
    append(fx, 2);
    expect_last(fx, 2);
    uint32_t durable = 0;
    assert_int_equal(ota_store_download_checkpoint(&fx->store, &durable), OTA_STORE_OK);
    assert_int_equal(durable, sizeof data);
    assert_int_equal(store_fixture_remount(fx), OTA_STORE_OK);
    assert_int_equal(ota_store_note_last(&fx->store, note, NOTE_LEN), OTA_STORE_ERR_STATE);
    assert_int_equal(begin(fx, &resume), slot);
    assert_int_equal(resume, sizeof data);
    expect_last(fx, 2);
    const uint8_t *raw = ota_sim_flash_raw(&fx->dev) + ota_store_slot_addr(&fx->store, slot);
    assert_memory_equal(raw, data, sizeof data);
    /* a sector's worth of notes (32 of 128 B): the next one starts the sector again */
    for (unsigned n = 3; n < 3 + 4096 / 128; n++) {
        append(fx, n);
    }
    append(fx, 99);
    expect_last(fx, 99);
    /* a note of another length is not read as one */
    assert_int_equal(ota_store_note_last(&fx->store, note, NOTE_LEN - 4), OTA_STORE_ERR_NOT_FOUND);
    assert_int_equal(ota_store_note_append(&fx->store, note, OTA_STORE_NOTE_MAX + 1),
                     OTA_STORE_ERR_ARG);
    store_fixture_close(fx);
}

/* A cut in every mode at each flash operation of an append: the note read back is the one
 * before it or, when the program completed, the new one; never anything else. */
static void test_cut_append(void **unused)
{
    (void)unused;
    for (int mode = OTA_SIM_CUT_BEFORE; mode <= OTA_SIM_CUT_TORN; mode++) {
        for (uint64_t seed = 1; seed <= 8; seed++) {
            store_fixture_t *fx = store_fixture_open(NULL, NULL);
            uint32_t resume = 0;
            (void)begin(fx, &resume);
            assert_int_equal(ota_store_note_clear(&fx->store), OTA_STORE_OK);
            append(fx, 1);
            uint8_t note[NOTE_LEN];
            note_fill(note, 2);
            ota_sim_power_arm(&fx->power, fx->power.ops + 1, (ota_sim_cut_mode_t)mode, seed);
            ota_store_status_t st = ota_store_note_append(&fx->store, note, NOTE_LEN);
            assert_int_equal(store_fixture_remount(fx), OTA_STORE_OK);
            (void)begin(fx, &resume);
            uint8_t got[NOTE_LEN], before[NOTE_LEN];
            note_fill(before, 1);
            assert_int_equal(ota_store_note_last(&fx->store, got, NOTE_LEN), OTA_STORE_OK);
            if (memcmp(got, before, NOTE_LEN) != 0) {
                assert_int_not_equal(mode, OTA_SIM_CUT_BEFORE);
                assert_memory_equal(got, note, NOTE_LEN);
            }
            assert_int_equal(st == OTA_STORE_OK, 0);
            /* appending goes on after a torn position */
            append(fx, 3);
            expect_last(fx, 3);
            store_fixture_close(fx);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_last_note_survives_a_reset),
        cmocka_unit_test(test_cut_append),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
