/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The journal on a flash whose programs do not always take: a worn or marginal cell leaves a
 * bit erased although the program reported success. Whatever the store acknowledged must be
 * what the next mount reads; when no position of either sector can hold a record, the store
 * must say so instead of acknowledging a state it did not keep.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "faulty_flash.h"
#include "store_fixture.h"

/* The store on a faulty device in front of the fixture's flash. */
typedef struct weak_store {
    faulty_domain_t domain;
    faulty_flash_t dev;
    ota_store_t store;
} weak_store_t;

static weak_store_t weak;

/* A fresh fixture with a store mounted through the faulty device (in `weak`, no fault armed);
 * the fixture's own store mounts the same flash directly, as after a reset. */
static store_fixture_t *weak_open(void)
{
    store_fixture_t *fx = store_fixture_open(NULL, NULL);
    memset(&weak, 0, sizeof weak);
    faulty_flash_wrap(&weak.dev, &weak.domain, ota_sim_flash_port(&fx->dev));
    assert_int_equal(ota_store_mount(&weak.store, &weak.dev.port, NULL), OTA_STORE_OK);
    return fx;
}

/* The security counter: each confirm with a higher value is one record. */
static uint32_t counter_after_remount(store_fixture_t *fx)
{
    assert_int_equal(store_fixture_remount(fx), OTA_STORE_OK);
    return ota_store_boot(&fx->store)->security_counter;
}

static void test_record_that_did_not_take_is_written_again(void **unused)
{
    (void)unused;
    store_fixture_t *fx = weak_open();
    ota_store_t *store = &weak.store;
    assert_int_equal(ota_store_confirm(store, 1), OTA_STORE_OK);

    weak.domain.weak_programs = 1;
    assert_int_equal(ota_store_confirm(store, 2), OTA_STORE_OK);
    assert_int_equal(weak.domain.weakened, 1);
    /* Acknowledged, so it is there after a reset. */
    assert_int_equal(counter_after_remount(fx), 2);
    /* The damaged position is skipped, not reused: later records survive too. */
    assert_int_equal(ota_store_confirm(store, 3), OTA_STORE_OK);
    assert_int_equal(counter_after_remount(fx), 3);
    store_fixture_close(fx);
}

static void test_weak_cells_across_a_compaction(void **unused)
{
    (void)unused;
    store_fixture_t *fx = weak_open();
    ota_store_t *store = &weak.store;
    uint32_t per_sector = ota_store_layout(store)->records_per_sector;
    /* Every position left in the first sector fails, so the record moves to the other. */
    assert_int_equal(ota_store_confirm(store, 1), OTA_STORE_OK);
    weak.domain.weak_programs = per_sector - 1u;
    assert_int_equal(ota_store_confirm(store, 2), OTA_STORE_OK);
    assert_int_equal(weak.domain.weakened, per_sector - 1u);
    assert_int_equal(store->journal.compactions, 1);
    assert_int_equal(counter_after_remount(fx), 2);
    store_fixture_close(fx);
}

static void test_no_position_that_takes_is_reported(void **unused)
{
    (void)unused;
    store_fixture_t *fx = weak_open();
    ota_store_t *store = &weak.store;
    assert_int_equal(ota_store_confirm(store, 1), OTA_STORE_OK);
    weak.domain.weak_programs = 1000000u; /* every program fails from now on */
    assert_int_equal(ota_store_confirm(store, 2), OTA_STORE_ERR_JOURNAL_FULL);
    /* Not acknowledged, and nothing else lost: the last acknowledged state is still there
     * (the sector it is in was not erased). */
    assert_int_equal(ota_store_boot(store)->security_counter, 1);
    assert_int_equal(counter_after_remount(fx), 1);
    store_fixture_close(fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_record_that_did_not_take_is_written_again),
        cmocka_unit_test(test_weak_cells_across_a_compaction),
        cmocka_unit_test(test_no_position_that_takes_is_reported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
