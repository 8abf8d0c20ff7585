/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The store's side of the original's raw images (src/store_raw.c): what ota_store_raw_start
 * and ota_store_raw_finish refuse, and a power cut before, during and after every flash
 * operation of a raw download and its finish: after each, the store mounts with its
 * invariants kept (no STORED slot that does not match its digest), and the download, resumed,
 * ends with the image the store makes of the file, signature included.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "otaflow/store.h"
#include "sign_key.h"
#include "store_fixture.h"
#include "test_keys.h"

#define RAW_LEN 9000u
#define VERSION 7u

static tool_key_t trusted_key, other_key;
static ota_sig_key_t trusted[1];
static const ota_sig_keyring_t ring = {.keys = trusted, .count = 1};
static uint8_t raw[RAW_LEN];
static uint8_t digest[32];
static uint8_t rs[64];

static int setup(void **state)
{
    (void)state;
    if (test_keys_make(&trusted_key, &other_key, &trusted[0]) != 0) {
        return -1;
    }
    for (uint32_t i = 0; i < RAW_LEN; i++) {
        raw[i] = (uint8_t)(i * 7u + 3u);
    }
    ota_sha256(raw, RAW_LEN, digest);
    if (test_keys_sign_rs(&trusted_key, digest, rs) != 0) {
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    test_keys_free(&trusted_key, &other_key);
    return 0;
}

static store_fixture_t *open_store(void)
{
    ota_store_config_t cfg = {.checkpoint_interval = 4096, .trusted_keys = &ring};
    return store_fixture_open(NULL, &cfg);
}

/* One attempt to store the raw file, resuming whatever the store holds (as the agent does):
 * OK once STORED, else the first failure. */
static ota_store_status_t raw_attempt(store_fixture_t *fx)
{
    ota_store_t *st = &fx->store;
    uint8_t slot = 0;
    uint32_t resume = 0;
    ota_store_status_t s = ota_store_download_begin(st, VERSION, 0, digest, &slot, &resume);
    if (s != OTA_STORE_OK) {
        return s;
    }
    uint32_t from = 0;
    if ((ota_store_slot(st, slot)->flags & OTA_SLOT_FLAG_RAW) != 0u && resume > 64u) {
        from = resume - 64u;
    } else if ((s = ota_store_raw_start(st, RAW_LEN, 0x10020000u)) != OTA_STORE_OK) {
        return s;
    }
    for (uint32_t off = from; off < RAW_LEN; off += 1000u) {
        uint32_t n = RAW_LEN - off < 1000u ? RAW_LEN - off : 1000u;
        if ((s = ota_store_download_write(st, 64u + off, raw + off, n)) != OTA_STORE_OK) {
            return s;
        }
    }
    return ota_store_raw_finish(st, rs);
}

/* The slot holding VERSION is the image made of raw: header, payload, TLVs that verify. */
static void assert_image(store_fixture_t *fx)
{
    ota_store_t *st = &fx->store;
    uint8_t slot = ota_store_find_version(st, VERSION);
    assert_int_not_equal(slot, OTA_STORE_SLOT_NONE);
    ota_store_slot_source_t src;
    ota_store_image_source(st, slot, &src);
    ota_image_info_t info;
    assert_int_equal(ota_image_parse(&src.src, &info), OTA_IMAGE_OK);
    assert_int_equal(info.header.payload_size, RAW_LEN);
    assert_int_equal(info.header.version, VERSION);
    uint8_t work[512];
    assert_int_equal(ota_image_verify(&src.src, &info, work, sizeof work), OTA_IMAGE_OK);
    assert_int_equal(ota_store_image_policy(st, &src.src, &info, work, sizeof work), OTA_STORE_OK);
    static uint8_t payload[RAW_LEN];
    assert_int_equal(ota_store_slot_read(st, slot, 64, payload, RAW_LEN), OTA_STORE_OK);
    assert_memory_equal(payload, raw, RAW_LEN);
    assert_int_equal(ota_store_slot_verify(st, slot), OTA_STORE_OK);
}

static void test_raw_start_refusals(void **state)
{
    (void)state;
    store_fixture_t *fx = open_store();
    ota_store_t *st = &fx->store;
    assert_int_equal(ota_store_raw_start(st, RAW_LEN, 0), OTA_STORE_ERR_STATE); /* no download */
    assert_int_equal(ota_store_raw_finish(st, rs), OTA_STORE_ERR_STATE);
    uint8_t slot = 0;
    uint32_t resume = 0;
    /* Announced (manifest Size) as another length than the file. */
    assert_int_equal(ota_store_download_begin(st, VERSION, RAW_LEN - 1u, digest, &slot, &resume),
                     OTA_STORE_OK);
    assert_int_equal(ota_store_raw_start(st, 0, 0), OTA_STORE_ERR_ARG);
    assert_int_equal(ota_store_raw_start(st, RAW_LEN, 0), OTA_STORE_ERR_SIZE);
    /* Header, file and TLV area must fit the slot: the largest that does, and one more. */
    uint32_t room = ota_store_layout(st)->slot_size - 64u - 148u;
    assert_int_equal(ota_store_download_abort(st), OTA_STORE_OK);
    assert_int_equal(ota_store_download_begin(st, VERSION, 0, digest, &slot, &resume), OTA_STORE_OK);
    assert_int_equal(ota_store_raw_start(st, room + 1u, 0), OTA_STORE_ERR_TOO_LARGE);
    assert_false(ota_store_download_is_raw(st));
    /* Bytes already written as an .ota: too late to say raw. */
    assert_int_equal(ota_store_download_write(st, 0, raw, 10), OTA_STORE_OK);
    assert_int_equal(ota_store_raw_start(st, RAW_LEN, 0), OTA_STORE_ERR_STATE);
    assert_int_equal(ota_store_raw_finish(st, rs), OTA_STORE_ERR_STATE); /* not raw */
    assert_int_equal(ota_store_download_abort(st), OTA_STORE_OK);
    store_fixture_close(fx);
}

static void test_raw_finish_short_then_whole(void **state)
{
    (void)state;
    store_fixture_t *fx = open_store();
    ota_store_t *st = &fx->store;
    uint8_t slot = 0;
    uint32_t resume = 0;
    assert_int_equal(ota_store_download_begin(st, VERSION, 0, digest, &slot, &resume), OTA_STORE_OK);
    assert_int_equal(ota_store_raw_start(st, RAW_LEN, 0x10020000u), OTA_STORE_OK);
    assert_true(ota_store_download_is_raw(st));
    assert_int_equal(ota_store_slot(st, slot)->size, 64u + RAW_LEN);
    assert_int_equal(ota_store_download_write(st, 64, raw, RAW_LEN - 1u), OTA_STORE_OK);
    /* A byte short: the download stays open for it. */
    assert_int_equal(ota_store_raw_finish(st, rs), OTA_STORE_ERR_SIZE);
    assert_int_equal(ota_store_download_write(st, 64u + RAW_LEN - 1u, raw + RAW_LEN - 1u, 1),
                     OTA_STORE_OK);
    /* Past the file: the header's payload_size is a promise. */
    assert_int_equal(ota_store_download_write(st, 64u + RAW_LEN, raw, 1), OTA_STORE_ERR_TOO_LARGE);
    assert_int_equal(ota_store_raw_finish(st, rs), OTA_STORE_OK);
    assert_int_equal(ota_store_slot(st, slot)->flags, 0);
    assert_int_equal(store_fixture_remount(fx), OTA_STORE_OK);
    assert_image(fx);
    store_fixture_close(fx);
}

/* Power cut at every modifying flash operation of a raw download and its finish, in each
 * mode: the store mounts consistent, and the next attempts (resuming) store the image. */
static void test_power_cut_at_every_operation(void **state)
{
    (void)state;
    store_fixture_t *fx = open_store();
    uint64_t base = fx->power.ops;
    assert_int_equal(raw_attempt(fx), OTA_STORE_OK);
    uint64_t total = fx->power.ops - base;
    store_fixture_close(fx);
    assert_true(total > 10u);

    static const ota_sim_cut_mode_t modes[] = {OTA_SIM_CUT_BEFORE, OTA_SIM_CUT_TORN,
                                               OTA_SIM_CUT_AFTER};
    unsigned cases = 0;
    for (uint64_t k = 1; k <= total; k++) {
        for (size_t m = 0; m < 3; m++) {
            fx = open_store();
            ota_sim_power_arm(&fx->power, fx->power.ops + k, modes[m], k);
            ota_store_status_t s = raw_attempt(fx);
            assert_int_equal(store_fixture_remount(fx), OTA_STORE_OK);
            if (store_fixture_check_invariants(fx) != 0) {
                fail_msg("cut at operation %llu (mode %d): invariants broken",
                         (unsigned long long)k, (int)modes[m]);
            }
            for (int tries = 0; s != OTA_STORE_OK && tries < 3; tries++) {
                s = raw_attempt(fx);
            }
            if (s != OTA_STORE_OK && ota_store_find_version(&fx->store, VERSION) ==
                                         OTA_STORE_SLOT_NONE) {
                fail_msg("cut at operation %llu (mode %d): not stored after resuming: %s",
                         (unsigned long long)k, (int)modes[m], ota_store_status_str(s));
            }
            assert_int_equal(store_fixture_remount(fx), OTA_STORE_OK);
            assert_image(fx);
            store_fixture_close(fx);
            cases++;
        }
    }
    printf("raw download + finish: %llu flash operations, %u power cuts, all consistent\n",
           (unsigned long long)total, cases);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_raw_start_refusals),
        cmocka_unit_test(test_raw_finish_short_then_whole),
        cmocka_unit_test(test_power_cut_at_every_operation),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
