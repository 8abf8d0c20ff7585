/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The store's contract at its edges: an integrator's mistake (a NULL, a slot that does not
 * exist, a call out of order, a flash part the store cannot use) is refused with the status
 * include/otaflow/store.h names for it, and changes nothing the next mount would read.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "journal.h"
#include "store_fixture.h"

#define IMG 6000u

static uint8_t img[IMG];

/* What the next mount reads equals what the store held before the refused calls. */
static void assert_unchanged(store_fixture_t *fx, const ota_store_state_t *before)
{
    assert_int_equal(store_fixture_remount(fx), OTA_STORE_OK);
    assert_true(store_fixture_state_equal(ota_store_state(&fx->store), before,
                                          ota_store_slot_count(&fx->store)));
}

static void test_reading_and_verifying_slots(void **unused)
{
    (void)unused;
    store_fixture_t *fx = store_fixture_open(NULL, NULL);
    ota_store_t *s = &fx->store;
    uint8_t slot = store_fixture_store_version(fx, 2, IMG);
    ota_store_state_t before = *ota_store_state(s);
    uint8_t buf[16];
    uint32_t slot_size = ota_store_layout(s)->slot_size;
    assert_int_equal(ota_store_slot_read(NULL, slot, 0, buf, 16), OTA_STORE_ERR_ARG);
    assert_int_equal(ota_store_slot_read(s, slot, 0, NULL, 16), OTA_STORE_ERR_ARG);
    assert_int_equal(ota_store_slot_read(s, 7, 0, buf, 16), OTA_STORE_ERR_ARG);
    assert_int_equal(ota_store_slot_read(s, slot, slot_size - 8, buf, 16), OTA_STORE_ERR_ARG);
    assert_int_equal(ota_store_slot_read(s, slot, slot_size + 1, buf, 0), OTA_STORE_ERR_ARG);
    assert_int_equal(ota_store_slot_read(s, slot, slot_size - 16, buf, 16), OTA_STORE_OK);

    ota_store_slot_source_t src;
    assert_int_equal(ota_store_image_source(NULL, slot, &src), OTA_STORE_ERR_ARG);
    assert_int_equal(ota_store_image_source(s, slot, NULL), OTA_STORE_ERR_ARG);
    assert_int_equal(ota_store_image_source(s, 7, &src), OTA_STORE_ERR_ARG);
    /* An empty slot's source covers the whole slot (there is no recorded size). */
    assert_int_equal(ota_store_image_source(s, 2, &src), OTA_STORE_OK);
    assert_int_equal(src.src.size, slot_size);

    assert_int_equal(ota_store_slot_verify(NULL, slot), OTA_STORE_ERR_ARG);
    assert_int_equal(ota_store_slot_verify(s, 7), OTA_STORE_ERR_ARG);
    assert_int_equal(ota_store_slot_verify(s, 2), OTA_STORE_ERR_STATE); /* empty */
    assert_int_equal(ota_store_slot_verify(s, slot), OTA_STORE_OK);
    /* During a download the store's work buffer holds its bytes: verify waits. */
    uint8_t digest[OTA_SHA256_SIZE];
    store_fixture_image(img, IMG, 3);
    ota_sha256(img, IMG, digest);
    uint8_t dslot;
    uint32_t off;
    assert_int_equal(ota_store_download_begin(s, 3, IMG, digest, &dslot, &off), OTA_STORE_OK);
    assert_int_equal(ota_store_slot_verify(s, slot), OTA_STORE_ERR_BUSY);
    assert_int_equal(ota_store_download_abort(s), OTA_STORE_OK);
    assert_int_equal(ota_store_slot_verify(s, slot), OTA_STORE_OK);
    assert_unchanged(fx, &before);

    ota_store_t unmounted;
    memset(&unmounted, 0, sizeof unmounted);
    assert_int_equal(ota_store_slot_verify(&unmounted, 0), OTA_STORE_ERR_NOT_MOUNTED);
    store_fixture_close(fx);
}

static void test_download_calls_out_of_order(void **unused)
{
    (void)unused;
    store_fixture_t *fx = store_fixture_open(NULL, NULL);
    ota_store_t *s = &fx->store;
    ota_store_state_t before = *ota_store_state(s);
    uint8_t digest[OTA_SHA256_SIZE];
    store_fixture_image(img, IMG, 2);
    ota_sha256(img, IMG, digest);
    uint32_t durable = 1;
    /* No download in progress. */
    assert_int_equal(ota_store_download_checkpoint(NULL, &durable), OTA_STORE_ERR_ARG);
    assert_int_equal(ota_store_download_checkpoint(s, &durable), OTA_STORE_ERR_STATE);
    assert_int_equal(ota_store_download_write(NULL, 0, img, 10), OTA_STORE_ERR_ARG);
    assert_int_equal(ota_store_download_write(s, 0, NULL, 10), OTA_STORE_ERR_ARG);
    assert_int_equal(ota_store_download_write(s, 0, img, 10), OTA_STORE_ERR_STATE);
    assert_int_equal(ota_store_download_finish(NULL), OTA_STORE_ERR_ARG);
    assert_int_equal(ota_store_download_finish(s), OTA_STORE_ERR_STATE);
    assert_int_equal(ota_store_download_abort(NULL), OTA_STORE_ERR_ARG);
    assert_int_equal(ota_store_download_begin(NULL, 2, IMG, digest, NULL, NULL), OTA_STORE_ERR_ARG);
    assert_int_equal(ota_store_download_begin(s, 0, IMG, digest, NULL, NULL), OTA_STORE_ERR_ARG);
    assert_int_equal(ota_store_download_begin(s, 2, IMG, NULL, NULL, NULL), OTA_STORE_ERR_ARG);
    assert_int_equal(ota_store_factory_begin(s, 2, IMG, NULL, NULL), OTA_STORE_ERR_ARG);
    assert_unchanged(fx, &before);

    /* One download at a time; finishing short of the announced size is refused. */
    uint8_t slot;
    uint32_t off;
    assert_int_equal(ota_store_download_begin(s, 2, IMG, digest, &slot, &off), OTA_STORE_OK);
    assert_int_equal(ota_store_download_begin(s, 2, IMG, digest, &slot, &off), OTA_STORE_ERR_BUSY);
    assert_int_equal(ota_store_factory_begin(s, 2, IMG, digest, &off), OTA_STORE_ERR_BUSY);
    assert_int_equal(ota_store_download_write(s, 0, img, 1000), OTA_STORE_OK);
    assert_int_equal(ota_store_download_finish(s), OTA_STORE_ERR_SIZE);
    /* The session goes on: the rest of the bytes, then the finish. */
    assert_int_equal(ota_store_download_write(s, 1000, img + 1000, IMG - 1000), OTA_STORE_OK);
    assert_int_equal(ota_store_download_finish(s), OTA_STORE_OK);
    /* Size not announced (0): nothing written is not an image; past the slot is refused. */
    uint8_t d2[OTA_SHA256_SIZE] = {0};
    uint8_t s2;
    assert_int_equal(ota_store_download_begin(s, 5, 0, d2, &s2, &off), OTA_STORE_OK);
    assert_int_equal(ota_store_download_write(s, 0, NULL, 0), OTA_STORE_OK); /* nothing */
    assert_int_equal(ota_store_download_finish(s), OTA_STORE_ERR_SIZE);
    uint32_t slot_size = ota_store_layout(s)->slot_size;
    assert_int_equal(ota_store_download_write(s, 0, img, 16), OTA_STORE_OK);
    assert_int_equal(ota_store_download_write(s, 16, img, slot_size), OTA_STORE_ERR_TOO_LARGE);
    assert_int_equal(ota_store_download_abort(s), OTA_STORE_OK);
    assert_int_equal(ota_store_slot(s, s2)->state, OTA_SLOT_EMPTY);
    /* The factory slot takes only a first copy. */
    assert_int_equal(ota_store_factory_begin(s, 2, IMG, digest, &off), OTA_STORE_OK);
    assert_int_equal(ota_store_download_write(s, off, img + off, IMG - off), OTA_STORE_OK);
    assert_int_equal(ota_store_download_finish(s), OTA_STORE_OK);
    assert_int_equal(ota_store_factory_begin(s, 2, IMG, digest, &off), OTA_STORE_ERR_STATE);
    store_fixture_close(fx);
}

static void test_flash_parts_the_store_cannot_use(void **unused)
{
    (void)unused;
    store_fixture_t *fx = store_fixture_open(NULL, NULL);
    ota_flash_t f = *ota_sim_flash_port(&fx->dev);
    ota_store_t s;
    assert_int_equal(ota_store_mount(&s, NULL, NULL), OTA_STORE_ERR_ARG);
    ota_flash_t no_ops = f;
    no_ops.ops = NULL;
    assert_int_equal(ota_store_mount(&s, &no_ops, NULL), OTA_STORE_ERR_ARG);
    ota_flash_t g = f;
    g.geometry.erase_unit = 3000; /* not a power of two */
    assert_int_equal(ota_store_mount(&s, &g, NULL), OTA_STORE_ERR_GEOMETRY);
    g = f;
    g.geometry.block_size = 3 * 4096; /* not a power of two */
    assert_int_equal(ota_store_mount(&s, &g, NULL), OTA_STORE_ERR_GEOMETRY);
    g = f;
    g.geometry.size = 4096; /* not even the two journal sectors */
    assert_int_equal(ota_store_mount(&s, &g, NULL), OTA_STORE_ERR_GEOMETRY);
    /* As many slots as fit, on a part too small for one download slot. */
    g = f;
    g.geometry.size = 0x100000; /* 1 MB: journal + factory slot only */
    ota_store_config_t many = {.download_slots = OTA_STORE_SLOTS_AS_MANY_AS_FIT};
    assert_int_equal(ota_store_mount(&s, &g, &many), OTA_STORE_ERR_NO_SPACE);
    /* Each rule of the geometry on its own (powers of two, program unit <= page <= erase
     * unit, a program unit the store's buffers can hold: 128 is more than the record
     * alignment allows). */
    const struct {
        uint32_t program_unit, page_size, erase_unit;
    } bad[] = {{3, 256, 4096}, {1, 300, 4096}, {512, 256, 4096}, {1, 8192, 4096}, {128, 256, 4096}};
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        g = f;
        g.geometry.program_unit = bad[i].program_unit;
        g.geometry.page_size = bad[i].page_size;
        g.geometry.erase_unit = bad[i].erase_unit;
        assert_int_equal(ota_store_mount(&s, &g, NULL), OTA_STORE_ERR_GEOMETRY);
    }
    assert_int_equal(ota_store_mount(&s, &f, NULL), OTA_STORE_OK); /* the part itself is fine */
    /* Before a mount nothing can be downloaded. */
    ota_store_t unmounted;
    memset(&unmounted, 0, sizeof unmounted);
    uint8_t digest[OTA_SHA256_SIZE] = {0};
    assert_int_equal(ota_store_download_begin(&unmounted, 2, 100, digest, NULL, NULL),
                     OTA_STORE_ERR_NOT_MOUNTED);
    assert_int_equal(ota_store_factory_begin(&unmounted, 2, 100, digest, NULL),
                     OTA_STORE_ERR_NOT_MOUNTED);
    store_fixture_close(fx);
}

static void test_boot_side_calls_before_mount(void **unused)
{
    (void)unused;
    ota_store_t s;
    memset(&s, 0, sizeof s);
    uint8_t attempts;
    const ota_store_status_t nm = OTA_STORE_ERR_NOT_MOUNTED;
    assert_int_equal(ota_store_set_running(&s, 1, OTA_STORE_SLOT_NONE), nm);
    assert_int_equal(ota_store_request_install(&s, 1), nm);
    assert_int_equal(ota_store_install_cancel(&s), nm);
    assert_int_equal(ota_store_install_begin(&s), nm);
    assert_int_equal(ota_store_install_progress(&s, 10), nm);
    assert_int_equal(ota_store_install_done(&s), nm);
    assert_int_equal(ota_store_trial_attempt(&s, &attempts), nm);
    assert_int_equal(ota_store_confirm(&s, 1), nm);
    assert_int_equal(ota_store_raise_manifest_sequence(&s, 1), nm);
    assert_int_equal(ota_store_rollback(&s, false), nm);
    assert_int_equal(ota_store_factory_reset(&s), nm);
    assert_int_equal(ota_store_erase_version(&s, 1), nm);
    assert_int_equal(ota_store_set_running(NULL, 1, OTA_STORE_SLOT_NONE), OTA_STORE_ERR_ARG);
    assert_int_equal(ota_store_confirm(NULL, 1), OTA_STORE_ERR_ARG);
}

static void test_boot_side_calls_out_of_order(void **unused)
{
    (void)unused;
    store_fixture_t *fx = store_fixture_open(NULL, NULL);
    ota_store_t *s = &fx->store;
    uint8_t v2 = store_fixture_store_version(fx, 2, IMG);
    uint8_t v3 = store_fixture_store_version(fx, 3, IMG);
    assert_int_equal(ota_store_set_running(s, 1, OTA_STORE_SLOT_NONE), OTA_STORE_OK);
    ota_store_state_t before = *ota_store_state(s);
    /* Nothing to cancel, begin, report progress on or finish. */
    assert_int_equal(ota_store_install_cancel(s), OTA_STORE_ERR_STATE);
    assert_int_equal(ota_store_install_begin(s), OTA_STORE_ERR_STATE);
    assert_int_equal(ota_store_install_progress(s, 10), OTA_STORE_ERR_STATE);
    assert_int_equal(ota_store_install_done(s), OTA_STORE_ERR_STATE);
    uint8_t attempts;
    assert_int_equal(ota_store_trial_attempt(s, &attempts), OTA_STORE_ERR_STATE);
    /* Running a version: 0 is not one; a slot must hold the version said to run. */
    assert_int_equal(ota_store_set_running(s, 0, OTA_STORE_SLOT_NONE), OTA_STORE_ERR_ARG);
    assert_int_equal(ota_store_set_running(s, 2, 9), OTA_STORE_ERR_ARG);
    assert_int_equal(ota_store_set_running(s, 3, v2), OTA_STORE_ERR_STATE);
    assert_int_equal(ota_store_raise_manifest_sequence(s, 0), OTA_STORE_ERR_ARG);
    assert_unchanged(fx, &before);

    /* While an install runs, nothing else may change what runs. */
    assert_int_equal(ota_store_request_install(s, v2), OTA_STORE_OK);
    assert_int_equal(ota_store_install_begin(s), OTA_STORE_OK);
    assert_int_equal(ota_store_install_begin(s), OTA_STORE_OK); /* a resumed install */
    assert_int_equal(ota_store_install_progress(s, 4096), OTA_STORE_OK);
    assert_int_equal(ota_store_request_install(s, v3), OTA_STORE_ERR_STATE);
    assert_int_equal(ota_store_set_running(s, 3, v3), OTA_STORE_ERR_STATE);
    assert_int_equal(ota_store_confirm(s, 5), OTA_STORE_ERR_STATE);
    assert_int_equal(ota_store_rollback(s, false), OTA_STORE_ERR_STATE);
    assert_int_equal(ota_store_factory_reset(s), OTA_STORE_ERR_STATE);
    assert_int_equal(ota_store_erase_version(s, 1), OTA_STORE_ERR_STATE);
    assert_int_equal(ota_store_install_done(s), OTA_STORE_OK);
    /* On trial: running another version is not for the application to say. */
    assert_int_equal(ota_store_set_running(s, 3, v3), OTA_STORE_ERR_STATE);
    assert_int_equal(ota_store_trial_attempt(s, NULL), OTA_STORE_OK);
    assert_int_equal(ota_store_confirm(s, 0), OTA_STORE_OK);
    assert_int_equal(ota_store_set_running(s, 3, v3), OTA_STORE_OK);
    assert_int_equal(ota_store_slot(s, v2)->state, OTA_SLOT_STORED); /* no longer running */
    assert_int_equal(ota_store_slot(s, v3)->state, OTA_SLOT_INSTALLED);
    /* A version on the rejected list (a trial failed on this device) is not installed again. */
    s->staged = *ota_store_state(s);
    s->staged.boot.rejected[s->staged.boot.rejected_count++] = 2;
    s->staged.boot.rejected[s->staged.boot.rejected_count++] = 4;
    assert_int_equal(ota_journal_append(s), OTA_STORE_OK);
    assert_int_equal(ota_store_request_install(s, v2), OTA_STORE_ERR_REJECTED);
    uint8_t digest[OTA_SHA256_SIZE], slot;
    uint32_t off;
    store_fixture_image(img, IMG, 4);
    ota_sha256(img, IMG, digest);
    assert_int_equal(ota_store_download_begin(s, 4, IMG, digest, &slot, &off),
                     OTA_STORE_ERR_REJECTED); /* nor downloaded */
    store_fixture_close(fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reading_and_verifying_slots),
        cmocka_unit_test(test_download_calls_out_of_order),
        cmocka_unit_test(test_flash_parts_the_store_cannot_use),
        cmocka_unit_test(test_boot_side_calls_before_mount),
        cmocka_unit_test(test_boot_side_calls_out_of_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
