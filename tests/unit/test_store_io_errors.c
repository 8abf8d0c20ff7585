/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The image store when a flash operation fails (an SPI transfer error, a program or erase the
 * device reports as failed), one operation at a time, at every operation of a download and of
 * a state change. The failing call must say so (ERR_FLASH, the flash's status kept), and the
 * store must go on as if the call had not been made: the caller's retry, with or without a
 * reset in between, completes; what it acknowledges afterwards is what the next mount reads.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "faulty_flash.h"
#include "store_fixture.h"

#define IMG (3u * 4096u + 500u)

static uint8_t img[IMG];

typedef struct rig {
    store_fixture_t *fx;
    faulty_domain_t domain;
    faulty_flash_t dev;
    ota_store_t store; /* mounted on dev */
} rig_t;

static const ota_store_config_t small_checkpoints = {.checkpoint_interval = 4096};

static ota_store_status_t rig_mount(rig_t *r)
{
    return ota_store_mount(&r->store, &r->dev.port, &small_checkpoints);
}

static rig_t *rig_open(void)
{
    rig_t *r = calloc(1, sizeof *r);
    assert_non_null(r);
    r->fx = store_fixture_open(NULL, &small_checkpoints);
    faulty_flash_wrap(&r->dev, &r->domain, ota_sim_flash_port(&r->fx->dev));
    assert_int_equal(rig_mount(r), OTA_STORE_OK);
    return r;
}

static void rig_close(rig_t *r)
{
    store_fixture_close(r->fx);
    free(r);
}

/* Operation n from now fails. */
static void fail_in(rig_t *r, uint64_t n)
{
    r->domain.fail_at = n ? r->domain.ops + n : 0;
}

static ota_store_status_t download(rig_t *r, uint8_t *slot)
{
    return store_fixture_download(&r->store, 2, img, IMG, 1000, slot);
}

/* The slot holds the image, verified, in RAM and after a mount from flash. */
static int stored(rig_t *r, uint8_t slot)
{
    if (ota_store_slot_verify(&r->store, slot) != OTA_STORE_OK ||
        store_check_invariants(&r->store, 4096) != 0 || rig_mount(r) != OTA_STORE_OK) {
        return -1;
    }
    const ota_store_slot_t *s = ota_store_slot(&r->store, slot);
    return s->state == OTA_SLOT_STORED && s->version == 2 &&
                   ota_store_slot_verify(&r->store, slot) == OTA_STORE_OK
               ? 0
               : -1;
}

static void test_io_error_at_every_operation_of_a_download(void **unused)
{
    (void)unused;
    store_fixture_image(img, IMG, 2);
    rig_t *r = rig_open();
    uint64_t before = r->domain.ops;
    uint8_t slot = OTA_STORE_SLOT_NONE;
    assert_int_equal(download(r, &slot), OTA_STORE_OK);
    uint64_t ops = r->domain.ops - before;
    assert_int_equal(stored(r, slot), 0);
    rig_close(r);

    unsigned failures = 0;
    for (uint64_t n = 1; n <= ops; n++) {
        r = rig_open();
        fail_in(r, n);
        ota_store_status_t st = download(r, &slot);
        const char *bad = NULL;
        if (st != OTA_STORE_ERR_FLASH || ota_store_flash_status(&r->store) != OTA_FLASH_ERR_IO) {
            bad = "the failure was not reported as a flash error";
        }
        fail_in(r, 0);
        /* The agent tries again at its next period; every other case after a reset. */
        if (!bad && (n % 2) == 0 && rig_mount(r) != OTA_STORE_OK) {
            bad = "does not mount after the failure";
        }
        if (!bad) {
            ota_store_status_t again = download(r, &slot);
            /* A record that reached the flash although its read-back failed may show up
             * at the mount: then the store already holds the version, and says so. */
            if (again == OTA_STORE_ERR_EXISTS) {
                slot = ota_store_find_version(&r->store, 2);
                again = slot == OTA_STORE_SLOT_NONE ? OTA_STORE_ERR_NOT_FOUND : OTA_STORE_OK;
            }
            if (again != OTA_STORE_OK || stored(r, slot) != 0) {
                bad = "the retry did not store the image";
            }
        }
        if (bad) {
            failures++;
            printf("download: operation %llu/%llu failed (%s): %s\n", (unsigned long long)n,
                   (unsigned long long)ops, ota_store_status_str(st), bad);
        }
        rig_close(r);
    }
    print_message("download: %llu flash operations, each failed once, %u failures\n",
                  (unsigned long long)ops, failures);
    assert_int_equal(failures, 0);
}

/* State changes: each is one record (EraseVer also erases). */
typedef ota_store_status_t (*change_fn)(ota_store_t *s);

static ota_store_status_t raise_counter(ota_store_t *s)
{
    return ota_store_confirm(s, 7);
}

static ota_store_status_t request_install(ota_store_t *s)
{
    return ota_store_request_install(s, 1);
}

static ota_store_status_t erase_stored(ota_store_t *s)
{
    return ota_store_erase_version(s, 2);
}

/* A store with version 1 running (no copy) and version 2 in slot 1. */
static rig_t *rig_with_v2(void)
{
    rig_t *r = rig_open();
    assert_int_equal(ota_store_set_running(&r->store, 1, OTA_STORE_SLOT_NONE), OTA_STORE_OK);
    uint8_t slot = OTA_STORE_SLOT_NONE;
    assert_int_equal(download(r, &slot), OTA_STORE_OK);
    assert_int_equal(slot, 1);
    return r;
}

static void sweep_change(const char *name, change_fn change)
{
    rig_t *r = rig_with_v2();
    ota_store_state_t old = *ota_store_state(&r->store);
    uint64_t before = r->domain.ops;
    assert_int_equal(change(&r->store), OTA_STORE_OK);
    uint64_t ops = r->domain.ops - before;
    assert_true(ops > 0); /* else the sweep below would check nothing */
    ota_store_state_t done = *ota_store_state(&r->store);
    rig_close(r);

    unsigned failures = 0;
    for (uint64_t n = 1; n <= ops; n++) {
        r = rig_with_v2();
        uint8_t count = ota_store_slot_count(&r->store);
        fail_in(r, n);
        ota_store_status_t st = change(&r->store);
        fail_in(r, 0);
        const char *bad = NULL;
        bool made = store_fixture_state_equal(ota_store_state(&r->store), &done, count);
        if (st != OTA_STORE_ERR_FLASH || ota_store_flash_status(&r->store) != OTA_FLASH_ERR_IO) {
            bad = "the failure was not reported as a flash error";
        } else if (!made && !store_fixture_state_equal(ota_store_state(&r->store), &old, count)) {
            /* Before or after, nothing in between: EraseVer records first and then erases,
             * so a failed erase leaves the version forgotten (its bytes erased before reuse). */
            bad = "a failed change left a state that is neither before nor after";
        }
        /* The caller goes on with something else, which is acknowledged: a reset must not
         * lose it, whatever the failed call left in flash. */
        if (!bad && ota_store_raise_manifest_sequence(&r->store, 99) != OTA_STORE_OK) {
            bad = "the next change failed";
        }
        ota_store_state_t acked = *ota_store_state(&r->store);
        if (!bad && (rig_mount(r) != OTA_STORE_OK || ota_store_boot(&r->store)->manifest_sequence != 99 ||
                     !store_fixture_state_equal(ota_store_state(&r->store), &acked, count))) {
            bad = "an acknowledged change was lost at the next mount";
        }
        /* And the change itself goes through when tried again (unless it was made). */
        if (!bad && ((!made && change(&r->store) != OTA_STORE_OK) || rig_mount(r) != OTA_STORE_OK ||
                     ota_store_boot(&r->store)->state != done.boot.state ||
                     ota_store_slot(&r->store, 1)->state != done.slots[1].state ||
                     store_check_invariants(&r->store, 4096) != 0)) {
            bad = "the retry did not make the change";
        }
        if (bad) {
            failures++;
            printf("%s: operation %llu/%llu failed (%s): %s\n", name, (unsigned long long)n,
                   (unsigned long long)ops, ota_store_status_str(st), bad);
        }
        rig_close(r);
    }
    print_message("%s: %llu flash operations, each failed once, %u failures\n", name,
                  (unsigned long long)ops, failures);
    assert_int_equal(failures, 0);
}

static void test_io_error_at_every_operation_of_a_state_change(void **unused)
{
    (void)unused;
    store_fixture_image(img, IMG, 2);
    sweep_change("confirm (security counter)", raise_counter);
    sweep_change("request install", request_install);
    sweep_change("EraseVer of a stored version", erase_stored);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_io_error_at_every_operation_of_a_download),
        cmocka_unit_test(test_io_error_at_every_operation_of_a_state_change),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
