/* SPDX-License-Identifier: Apache-2.0 */
/*
 * File slots of the store (include/otaflow/files.h) on the strict flash model: the layout
 * with and without them, write and read back, replace, a corrupt header, a full slot, a wrong
 * digest that keeps the old file, and a power cut at every flash operation of a replacement
 * (before, after and in the middle of each), on the SST26 preset and on a 64 KB-erase,
 * 16-byte-program part: after every cut the slot holds the old file or the new one, byte for
 * byte, never neither.
 *
 * OTA_FILE_SWEEP_BYTES (environment) sets the size of the file the sweep replaces (default
 * 2000 B; `make powercut` runs it with a 60 KB file).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "otaflow/files.h"
#include "store_fixture.h"

static uint8_t file_a[64 * 1024], file_b[64 * 1024], back[64 * 1024];

static void fill(uint8_t *buf, size_t len, uint32_t seed)
{
    uint32_t x = seed * 2654435761u + 1u;
    for (size_t i = 0; i < len; i++) {
        x = x * 1103515245u + 12345u;
        buf[i] = (uint8_t)(x >> 16);
    }
}

static const ota_store_config_t FILES3 = {.file_slots = 3};

/* Write len bytes of buf into slot in chunks of `chunk`, with the digest of `digest_of`. */
static ota_file_status_t put_file(ota_store_t *s, uint8_t slot, const uint8_t *buf, size_t len,
                                  size_t chunk, const uint8_t *digest_of)
{
    uint8_t d[OTA_SHA256_SIZE];
    ota_sha256(digest_of, len, d);
    ota_file_writer_t w;
    ota_file_status_t st = ota_file_begin(s, &w, slot, (uint32_t)len, d);
    for (size_t at = 0; st == OTA_FILE_OK && at < len; at += chunk) {
        size_t n = len - at < chunk ? len - at : chunk;
        st = ota_file_write(&w, buf + at, (uint32_t)n);
    }
    return st == OTA_FILE_OK ? ota_file_finish(&w) : st;
}

/* The slot holds exactly buf[0, len): info, read in pieces, and the hash check agree. */
static int slot_holds(ota_store_t *s, uint8_t slot, const uint8_t *buf, size_t len)
{
    ota_file_info_t info;
    uint8_t d[OTA_SHA256_SIZE];
    ota_sha256(buf, len, d);
    if (ota_file_info(s, slot, &info) != OTA_FILE_OK || info.length != len ||
        memcmp(info.digest, d, sizeof d) != 0 || ota_file_verify(s, slot) != OTA_FILE_OK) {
        return 0;
    }
    uint32_t at = 0, got = 0;
    do {
        if (ota_file_read(s, slot, at, back + at, 1000, &got) != OTA_FILE_OK) {
            return 0;
        }
        at += got;
    } while (got != 0);
    return at == len && memcmp(back, buf, len) == 0;
}

static void test_layout_without_and_with_file_slots(void **unused)
{
    (void)unused;
    store_fixture_t *plain = store_fixture_open(NULL, NULL);
    const ota_store_layout_t base = *ota_store_layout(&plain->store);
    assert_int_equal(base.file_slots, 0);
    assert_int_equal(base.file_base, 4u * 1024u * 1024u);
    assert_int_equal(ota_file_slot_count(&plain->store), 0);
    assert_int_equal(ota_file_capacity(&plain->store), 0);
    ota_file_info_t info;
    assert_int_equal(ota_file_info(&plain->store, 0, &info), OTA_FILE_ERR_NO_SLOT);
    store_fixture_close(plain);

    store_fixture_t *fx = store_fixture_open(NULL, &FILES3);
    const ota_store_layout_t *l = ota_store_layout(&fx->store);
    /* The image slots do not move: the file slots take the top 6 x 64 KB. */
    assert_int_equal(l->data_base, base.data_base);
    assert_int_equal(l->slot_size, base.slot_size);
    assert_int_equal(l->download_slots, base.download_slots);
    assert_int_equal(l->file_slots, 3);
    assert_int_equal(l->file_slot_size, 0x10000);
    assert_int_equal(l->file_base, 0x400000 - 6 * 0x10000);
    assert_int_equal(ota_file_capacity(&fx->store), 0x10000 - 64);
    store_fixture_close(fx);

    /* As many image slots as fit: 3 download slots with 3 file slots, 2 with 4. */
    ota_store_config_t fit = {.download_slots = OTA_STORE_SLOTS_AS_MANY_AS_FIT, .file_slots = 3};
    fx = store_fixture_open(NULL, &fit);
    assert_int_equal(ota_store_layout(&fx->store)->download_slots, 3);
    store_fixture_close(fx);
    fit.file_slots = 4;
    fx = store_fixture_open(NULL, &fit);
    assert_int_equal(ota_store_layout(&fx->store)->download_slots, 2);
    /* Three download slots no longer fit below four file slots. */
    fx->config.download_slots = 3;
    assert_int_equal(store_fixture_remount(fx), OTA_STORE_ERR_NO_SPACE);
    /* A file area that is not whole erase units is refused. */
    fx->config = (ota_store_config_t){.file_slots = 1, .file_slot_size = 6000};
    assert_int_equal(store_fixture_remount(fx), OTA_STORE_ERR_GEOMETRY);
    fx->config = (ota_store_config_t){.file_slots = OTA_FILE_SLOTS_MAX + 1u};
    assert_int_equal(store_fixture_remount(fx), OTA_STORE_ERR_ARG);
    store_fixture_close(fx);
}

static void test_write_and_read_back(void **unused)
{
    (void)unused;
    store_fixture_t *fx = store_fixture_open(NULL, &FILES3);
    fill(file_a, 5000, 1);
    ota_file_info_t info;
    assert_int_equal(ota_file_info(&fx->store, 1, &info), OTA_FILE_ERR_EMPTY);
    assert_int_equal(put_file(&fx->store, 1, file_a, 5000, 333, file_a), OTA_FILE_OK);
    assert_true(slot_holds(&fx->store, 1, file_a, 5000));
    assert_int_equal(ota_file_info(&fx->store, 1, &info), OTA_FILE_OK);
    assert_int_equal(info.sequence, 1);
    /* Reads at and past the end give nothing; a read at an offset gives those bytes. */
    uint32_t got = 99;
    uint8_t buf[16];
    assert_int_equal(ota_file_read(&fx->store, 1, 5000, buf, sizeof buf, &got), OTA_FILE_OK);
    assert_int_equal(got, 0);
    assert_int_equal(ota_file_read(&fx->store, 1, 4990, buf, sizeof buf, &got), OTA_FILE_OK);
    assert_int_equal(got, 10);
    assert_memory_equal(buf, file_a + 4990, 10);
    /* The other slots are untouched, and a remount (reset) finds the file. */
    assert_int_equal(ota_file_info(&fx->store, 0, &info), OTA_FILE_ERR_EMPTY);
    assert_int_equal(ota_file_info(&fx->store, 2, &info), OTA_FILE_ERR_EMPTY);
    assert_int_equal(ota_file_info(&fx->store, 3, &info), OTA_FILE_ERR_NO_SLOT);
    assert_int_equal(store_fixture_remount(fx), OTA_STORE_OK);
    assert_true(slot_holds(&fx->store, 1, file_a, 5000));
    /* The image store's journal never saw it. */
    assert_int_equal(ota_store_mount_kind(&fx->store), OTA_STORE_MOUNT_FRESH);
    store_fixture_close(fx);
}

static void test_replace_alternates_areas(void **unused)
{
    (void)unused;
    store_fixture_t *fx = store_fixture_open(&store_fixture_big_erase, &FILES3);
    for (uint32_t i = 1; i <= 5; i++) {
        size_t len = 1000u * i + 7u;
        fill(file_a, len, i);
        assert_int_equal(put_file(&fx->store, 0, file_a, len, 256, file_a), OTA_FILE_OK);
        assert_true(slot_holds(&fx->store, 0, file_a, len));
        ota_file_info_t info;
        assert_int_equal(ota_file_info(&fx->store, 0, &info), OTA_FILE_OK);
        assert_int_equal(info.sequence, i);
    }
    store_fixture_close(fx);
}

static void test_wrong_digest_or_length_keeps_old(void **unused)
{
    (void)unused;
    store_fixture_t *fx = store_fixture_open(NULL, &FILES3);
    fill(file_a, 4000, 1);
    fill(file_b, 4000, 2);
    assert_int_equal(put_file(&fx->store, 2, file_a, 4000, 4000, file_a), OTA_FILE_OK);
    /* New bytes with another file's digest: refused, the old file stays. */
    assert_int_equal(put_file(&fx->store, 2, file_b, 4000, 512, file_a), OTA_FILE_ERR_DIGEST);
    assert_true(slot_holds(&fx->store, 2, file_a, 4000));
    /* Fewer bytes than announced, more than announced: refused, the old file stays. */
    uint8_t d[OTA_SHA256_SIZE];
    ota_sha256(file_b, 4000, d);
    ota_file_writer_t w;
    assert_int_equal(ota_file_begin(&fx->store, &w, 2, 4000, d), OTA_FILE_OK);
    assert_int_equal(ota_file_write(&w, file_b, 3999), OTA_FILE_OK);
    assert_int_equal(ota_file_finish(&w), OTA_FILE_ERR_SIZE);
    assert_int_equal(ota_file_begin(&fx->store, &w, 2, 4000, d), OTA_FILE_OK);
    assert_int_equal(ota_file_write(&w, file_b, 4001), OTA_FILE_ERR_SIZE);
    assert_true(slot_holds(&fx->store, 2, file_a, 4000));
    assert_int_equal(store_fixture_remount(fx), OTA_STORE_OK);
    assert_true(slot_holds(&fx->store, 2, file_a, 4000));
    /* Then the right one replaces it. */
    assert_int_equal(put_file(&fx->store, 2, file_b, 4000, 100, file_b), OTA_FILE_OK);
    assert_true(slot_holds(&fx->store, 2, file_b, 4000));
    store_fixture_close(fx);
}

static void test_corrupt_header(void **unused)
{
    (void)unused;
    store_fixture_t *fx = store_fixture_open(NULL, &FILES3);
    fill(file_a, 3000, 1);
    fill(file_b, 2000, 2);
    assert_int_equal(put_file(&fx->store, 0, file_a, 3000, 3000, file_a), OTA_FILE_OK);
    assert_int_equal(put_file(&fx->store, 0, file_b, 2000, 3000, file_b), OTA_FILE_OK);
    const ota_store_layout_t *l = ota_store_layout(&fx->store);
    uint8_t *raw = ota_sim_flash_raw(&fx->dev);
    /* The newest header (second area) loses a bit of its sequence number (2): its CRC
     * fails, and the older file is the slot's again. */
    assert_int_equal(raw[l->file_base + l->file_slot_size + 8], 2);
    raw[l->file_base + l->file_slot_size + 8] &= 0xFD;
    assert_int_equal(store_fixture_remount(fx), OTA_STORE_OK);
    assert_true(slot_holds(&fx->store, 0, file_a, 3000));
    /* A flipped file byte under a good header: the hash check says so. */
    raw[l->file_base + 64 + 100] ^= 0x01;
    assert_int_equal(ota_file_verify(&fx->store, 0), OTA_FILE_ERR_DIGEST);
    /* Both headers broken: no file, and a new one can still be written. */
    raw[l->file_base + 60] ^= 0x80;
    assert_int_equal(ota_file_verify(&fx->store, 0), OTA_FILE_ERR_EMPTY);
    ota_file_info_t info;
    assert_int_equal(ota_file_info(&fx->store, 0, &info), OTA_FILE_ERR_EMPTY);
    assert_int_equal(put_file(&fx->store, 0, file_b, 2000, 700, file_b), OTA_FILE_OK);
    assert_true(slot_holds(&fx->store, 0, file_b, 2000));
    store_fixture_close(fx);
}

static void test_full_slot(void **unused)
{
    (void)unused;
    store_fixture_t *fx = store_fixture_open(NULL, &FILES3);
    uint32_t cap = ota_file_capacity(&fx->store);
    assert_int_equal(cap, 65472);
    fill(file_a, cap + 1u, 3);
    assert_int_equal(put_file(&fx->store, 1, file_a, cap + 1u, 4096, file_a),
                     OTA_FILE_ERR_TOO_LARGE);
    assert_int_equal(put_file(&fx->store, 1, file_a, cap, 4096, file_a), OTA_FILE_OK);
    assert_true(slot_holds(&fx->store, 1, file_a, cap));
    /* A full slot is replaced like any other, and its neighbour is untouched. */
    fill(file_b, cap, 4);
    assert_int_equal(put_file(&fx->store, 2, file_b, 100, 100, file_b), OTA_FILE_OK);
    assert_int_equal(put_file(&fx->store, 1, file_b, cap, 1024, file_b), OTA_FILE_OK);
    assert_true(slot_holds(&fx->store, 1, file_b, cap));
    assert_true(slot_holds(&fx->store, 2, file_b, 100));
    ota_file_writer_t w;
    uint8_t d[OTA_SHA256_SIZE] = {0};
    assert_int_equal(ota_file_begin(&fx->store, &w, 1, 0, d), OTA_FILE_ERR_ARG);
    assert_int_equal(ota_file_begin(&fx->store, &w, 3, 10, d), OTA_FILE_ERR_NO_SLOT);
    store_fixture_close(fx);
}

/* ---- power cut at every flash operation of a replacement ------------------------------- */

typedef struct file_sweep {
    size_t old_len, new_len; /* old_len 0: the slot starts empty */
    unsigned saw_old, saw_new;
} file_sweep_t;

static void setup_old_file(store_fixture_t *fx, void *ctx)
{
    file_sweep_t *s = ctx;
    fill(file_a, s->old_len, 11);
    /* Two writes, so that both areas hold a valid header before the replacement. */
    if (s->old_len != 0 &&
        (put_file(&fx->store, 0, file_a, s->old_len, 500, file_a) != OTA_FILE_OK ||
         put_file(&fx->store, 0, file_a, s->old_len, 777, file_a) != OTA_FILE_OK)) {
        abort();
    }
}

static ota_store_status_t op_replace(store_fixture_t *fx, void *ctx)
{
    file_sweep_t *s = ctx;
    fill(file_b, s->new_len, 22);
    return put_file(&fx->store, 0, file_b, s->new_len, 1000, file_b) == OTA_FILE_OK
               ? OTA_STORE_OK
               : OTA_STORE_ERR_FLASH;
}

/* The slot holds the old file or the new one (empty only when there was no old one), and a
 * replacement after power-on completes. */
static int check_old_or_new(store_fixture_t *fx, void *ctx, int which)
{
    file_sweep_t *s = ctx;
    ota_file_info_t info;
    fill(file_a, s->old_len, 11);
    fill(file_b, s->new_len, 22);
    if (which != 0) {
        fprintf(stderr, "file replace: the journal changed\n");
        return -1;
    }
    if (s->old_len != 0 && slot_holds(&fx->store, 0, file_a, s->old_len)) {
        s->saw_old++;
    } else if (slot_holds(&fx->store, 0, file_b, s->new_len)) {
        s->saw_new++;
    } else if (s->old_len != 0 || ota_file_info(&fx->store, 0, &info) != OTA_FILE_ERR_EMPTY) {
        fprintf(stderr, "file replace: neither the old file nor the new one\n");
        return -1;
    }
    return put_file(&fx->store, 0, file_b, s->new_len, 999, file_b) == OTA_FILE_OK &&
                   slot_holds(&fx->store, 0, file_b, s->new_len)
               ? 0
               : -1;
}

static void sweep_replace(const ota_flash_geometry_t *g, size_t old_len, size_t new_len)
{
    file_sweep_t s = {old_len, new_len, 0, 0};
    store_fixture_sweep_result_t r;
    store_fixture_sweep(g, &FILES3, setup_old_file, op_replace, check_old_or_new, &s, &r);
    print_message("file replace %zu B -> %zu B: %u ops, %u cuts: %u old file, %u new file, "
                  "%u failures\n",
                  old_len, new_len, r.ops, r.cuts, s.saw_old, s.saw_new, r.failures);
    assert_int_equal(r.failures, 0);
    /* Every cut before the header is complete leaves the old file; some after, the new. */
    assert_true(r.ops >= 4);
    assert_true(s.saw_new > 0);
    assert_true(old_len == 0 || s.saw_old > 0);
}

static void test_power_cut_every_op_of_replace(void **unused)
{
    (void)unused;
    const char *env = getenv("OTA_FILE_SWEEP_BYTES");
    size_t len = env != NULL ? (size_t)strtoul(env, NULL, 10) : 2000u;
    if (len == 0 || len > 65472u) {
        len = 3000u;
    }
    sweep_replace(NULL, len, len - len / 3u);
    sweep_replace(NULL, 0, len);
    sweep_replace(&store_fixture_big_erase, len / 2u, len);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout_without_and_with_file_slots),
        cmocka_unit_test(test_write_and_read_back),
        cmocka_unit_test(test_replace_alternates_areas),
        cmocka_unit_test(test_wrong_digest_or_length_keeps_old),
        cmocka_unit_test(test_corrupt_header),
        cmocka_unit_test(test_full_slot),
        cmocka_unit_test(test_power_cut_every_op_of_replace),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
