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

#include "store_fixture.h"

/* A flash device in front of the strict model whose next `weak` programs leave one bit that
 * should become 0 at 1 (erased), and report success. */
typedef struct weak_flash {
    ota_flash_t port;
    const ota_flash_t *inner;
    unsigned weak;      /* programs still to damage */
    unsigned damaged;   /* programs damaged so far */
} weak_flash_t;

static ota_flash_status_t weak_read(void *ctx, uint32_t addr, void *buf, uint32_t len)
{
    weak_flash_t *w = ctx;
    return ota_flash_read(w->inner, addr, buf, len);
}

static ota_flash_status_t weak_program(void *ctx, uint32_t addr, const void *buf, uint32_t len)
{
    weak_flash_t *w = ctx;
    uint8_t copy[4096];
    if (w->weak == 0 || len > sizeof copy) {
        return ota_flash_program(w->inner, addr, buf, len);
    }
    memcpy(copy, buf, len);
    for (uint32_t i = 0; i < len; i++) {
        if (copy[i] != 0xFF) {
            uint8_t bit = 1;
            while (copy[i] & bit) {
                bit = (uint8_t)(bit << 1);
            }
            copy[i] |= bit; /* its lowest 0 bit stays 1 */
            w->weak--;
            w->damaged++;
            break;
        }
    }
    return ota_flash_program(w->inner, addr, copy, len);
}

static ota_flash_status_t weak_erase(void *ctx, uint32_t addr, uint32_t len)
{
    weak_flash_t *w = ctx;
    return ota_flash_erase(w->inner, addr, len);
}

static const ota_flash_ops_t weak_ops = {weak_read, weak_program, weak_erase};

static void weak_init(weak_flash_t *w, const ota_flash_t *inner)
{
    memset(w, 0, sizeof *w);
    w->inner = inner;
    w->port.ops = &weak_ops;
    w->port.ctx = w;
    w->port.geometry = inner->geometry;
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
    store_fixture_t *fx = store_fixture_open(NULL, NULL);
    weak_flash_t w;
    weak_init(&w, ota_sim_flash_port(&fx->dev));
    ota_store_t store;
    assert_int_equal(ota_store_mount(&store, &w.port, NULL), OTA_STORE_OK);
    assert_int_equal(ota_store_confirm(&store, 1), OTA_STORE_OK);

    w.weak = 1;
    assert_int_equal(ota_store_confirm(&store, 2), OTA_STORE_OK);
    assert_int_equal(w.damaged, 1);
    /* Acknowledged, so it is there after a reset. */
    assert_int_equal(counter_after_remount(fx), 2);
    /* The damaged position is skipped, not reused: later records survive too. */
    assert_int_equal(ota_store_confirm(&store, 3), OTA_STORE_OK);
    assert_int_equal(counter_after_remount(fx), 3);
    store_fixture_close(fx);
}

static void test_weak_cells_across_a_compaction(void **unused)
{
    (void)unused;
    store_fixture_t *fx = store_fixture_open(NULL, NULL);
    weak_flash_t w;
    weak_init(&w, ota_sim_flash_port(&fx->dev));
    ota_store_t store;
    assert_int_equal(ota_store_mount(&store, &w.port, NULL), OTA_STORE_OK);
    uint32_t per_sector = ota_store_layout(&store)->records_per_sector;
    /* Every position left in the first sector fails, so the record moves to the other. */
    assert_int_equal(ota_store_confirm(&store, 1), OTA_STORE_OK);
    w.weak = per_sector - 1u;
    assert_int_equal(ota_store_confirm(&store, 2), OTA_STORE_OK);
    assert_int_equal(w.damaged, per_sector - 1u);
    assert_int_equal(store.journal.compactions, 1);
    assert_int_equal(counter_after_remount(fx), 2);
    store_fixture_close(fx);
}

static void test_no_position_that_takes_is_reported(void **unused)
{
    (void)unused;
    store_fixture_t *fx = store_fixture_open(NULL, NULL);
    weak_flash_t w;
    weak_init(&w, ota_sim_flash_port(&fx->dev));
    ota_store_t store;
    assert_int_equal(ota_store_mount(&store, &w.port, NULL), OTA_STORE_OK);
    assert_int_equal(ota_store_confirm(&store, 1), OTA_STORE_OK);
    w.weak = 1000000u; /* every program fails from now on */
    assert_int_equal(ota_store_confirm(&store, 2), OTA_STORE_ERR_JOURNAL_FULL);
    /* Not acknowledged, and nothing else lost: the last acknowledged state is still there
     * (the sector it is in was not erased). */
    assert_int_equal(ota_store_boot(&store)->security_counter, 1);
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
