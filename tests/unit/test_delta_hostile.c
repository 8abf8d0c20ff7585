/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Malformed and hostile patches end in a named error of the applier, never a crash, a hang or
 * a write out of place: bad magic and header fields, truncation at every byte, trailing bytes,
 * a base smaller than the patch needs (reads and seeks past it), a target larger than the
 * output limit, jojodiff lengths past the base or beyond 32 bits, failing callbacks, calls
 * after an error, bad checkpoints, and every single-byte corruption of a real patch.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include <cmocka.h>

#include "test_delta_rig.h"

#define N 6000u

typedef struct fixture {
    uint8_t old_data[N], new_data[N + 100];
    size_t new_size;
} fixture_t;

static fixture_t fx;

static void make_fixture(void)
{
    rig_fill_code(fx.old_data, N, 21);
    memcpy(fx.new_data, fx.old_data, 2000);
    memcpy(fx.new_data + 2000, "inserted bytes", 14);
    memcpy(fx.new_data + 2014, fx.old_data + 2000, N - 2000);
    fx.new_size = N + 14;
    fx.new_data[4000] ^= 0x55;
}

/* Apply patch (len bytes) to base (base_size) whole, with output_max; the status. */
static ota_delta_status_t apply(const uint8_t *patch, size_t len, const uint8_t *base,
                                size_t base_size, uint32_t output_max, rig_t *r_out)
{
    rig_t r;
    ota_delta_t d;
    rig_setup(&r, base, base_size, 1u << 20);
    ota_delta_io_t io = rig_io(&r, output_max);
    assert_int_equal(ota_delta_init(&d, &io), OTA_DELTA_OK);
    ota_delta_status_t st = rig_feed(&d, patch, 0, len, len ? len : 1);
    assert_int_equal(r.bad_offsets, 0);
    if (r_out != NULL) {
        *r_out = r;
    } else {
        free(r.out);
    }
    return st;
}

static delta_buf_t fixture_patch(ota_delta_format_t format)
{
    return rig_make_patch(fx.old_data, N, fx.new_data, fx.new_size, format,
                          DELTA_OFD_BLOCK_LOG2_MIN);
}

static void test_header(void **state)
{
    (void)state;
    delta_buf_t p = fixture_patch(OTA_DELTA_FORMAT_OTAFLOW);
    assert_int_equal(apply(p.data, p.len, fx.old_data, N, 0, NULL), OTA_DELTA_OK);
    uint8_t *h = malloc(p.len);
    struct {
        size_t at;
        uint8_t value;
        ota_delta_status_t want;
    } cases[] = {
        {0, 'X', OTA_DELTA_ERR_FORMAT},  {3, 'Q', OTA_DELTA_ERR_FORMAT},
        {4, 2, OTA_DELTA_ERR_VERSION},   {5, 9, OTA_DELTA_ERR_HEADER},
        {5, 17, OTA_DELTA_ERR_HEADER},   {6, 1, OTA_DELTA_ERR_HEADER},
        {12, 0x71, OTA_DELTA_ERR_BASE_SIZE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memcpy(h, p.data, p.len);
        h[cases[i].at] = cases[i].value;
        assert_int_equal(apply(h, p.len, fx.old_data, N, 0, NULL), cases[i].want);
    }
    /* the target is larger than the output limit (a slot) */
    assert_int_equal(apply(p.data, p.len, fx.old_data, N, (uint32_t)fx.new_size - 1, NULL),
                     OTA_DELTA_ERR_OVERSIZE);
    /* a file in neither format */
    assert_int_equal(apply((const uint8_t *)"\x7f" "ELF", 4, fx.old_data, N, 0, NULL),
                     OTA_DELTA_ERR_FORMAT);
    /* an empty patch is none */
    assert_int_equal(apply(p.data, 0, fx.old_data, N, 0, NULL), OTA_DELTA_ERR_TRUNCATED);
    free(h);
    free(p.data);
}

/* Cut at every length: otaflow says TRUNCATED (its header gives the target size); jojodiff
 * has no length, so a cut between operations is a shorter target: the result is then a
 * prefix of the target (the agent's TargetDigest refuses it), else TRUNCATED. */
static void test_truncated(void **state)
{
    (void)state;
    for (int f = 0; f < 2; f++) {
        ota_delta_format_t format = f ? OTA_DELTA_FORMAT_JOJODIFF : OTA_DELTA_FORMAT_OTAFLOW;
        delta_buf_t p = fixture_patch(format);
        for (size_t len = 1; len < p.len; len++) {
            rig_t r;
            ota_delta_status_t st = apply(p.data, len, fx.old_data, N, 0, &r);
            if (format == OTA_DELTA_FORMAT_OTAFLOW || st != OTA_DELTA_OK) {
                assert_int_equal(st, OTA_DELTA_ERR_TRUNCATED);
            } else {
                assert_true(r.out_len < fx.new_size);
                assert_memory_equal(r.out, fx.new_data, r.out_len);
            }
            free(r.out);
        }
        free(p.data);
    }
}

static void test_trailing_bytes(void **state)
{
    (void)state;
    delta_buf_t p = fixture_patch(OTA_DELTA_FORMAT_OTAFLOW);
    delta_buf_put(&p, "", 1);
    assert_int_equal(apply(p.data, p.len, fx.old_data, N, 0, NULL), OTA_DELTA_ERR_CORRUPT);
    free(p.data);
}

/* The same patch against a shorter base (header edited to match): it reads or seeks past it. */
static void test_base_too_small(void **state)
{
    (void)state;
    delta_buf_t p = fixture_patch(OTA_DELTA_FORMAT_OTAFLOW);
    uint32_t small = 3000;
    memcpy(p.data + 12, &small, 4); /* little-endian host, as the format */
    ota_delta_status_t st = apply(p.data, p.len, fx.old_data, small, 0, NULL);
    assert_true(st == OTA_DELTA_ERR_BASE_RANGE || st == OTA_DELTA_ERR_SEEK);
    free(p.data);
    p = fixture_patch(OTA_DELTA_FORMAT_JOJODIFF);
    st = apply(p.data, p.len, fx.old_data, small, 0, NULL);
    assert_true(st == OTA_DELTA_ERR_BASE_RANGE || st == OTA_DELTA_ERR_SEEK);
    /* and a target larger than the output limit */
    assert_int_equal(apply(p.data, p.len, fx.old_data, N, 100, NULL), OTA_DELTA_ERR_OUTPUT_RANGE);
    free(p.data);
}

/* The header says a smaller target than the blocks code: an operation crosses its end. */
static void test_target_smaller_than_coded(void **state)
{
    (void)state;
    delta_buf_t p = fixture_patch(OTA_DELTA_FORMAT_OTAFLOW);
    uint32_t size = (uint32_t)fx.new_size - 1;
    memcpy(p.data + 8, &size, 4);
    ota_delta_status_t st = apply(p.data, p.len, fx.old_data, N, 0, NULL);
    assert_true(st == OTA_DELTA_ERR_OUTPUT_RANGE || st == OTA_DELTA_ERR_CORRUPT);
    free(p.data);
}

static void test_jojodiff_hostile(void **state)
{
    (void)state;
    static const struct {
        const char *bytes;
        size_t len;
        uint32_t output_max;
        ota_delta_status_t want;
    } cases[] = {
        {"\xA7\xA3\xFD\x20\x00", 5, 0, OTA_DELTA_ERR_BASE_RANGE},  /* EQL 8192 > base */
        {"\xA7\xA4\xFD\x20\x00", 5, 0, OTA_DELTA_ERR_SEEK},        /* DEL past the end */
        {"\xA7\xA2\x00", 3, 0, OTA_DELTA_ERR_SEEK},                /* BKT before 0 */
        {"\xA7\xA3\xFF\x00\x00\x00\x01\x00\x00\x00\x01", 11, 0, OTA_DELTA_ERR_OVERSIZE},
        {"\xA7\xA3\x03x", 4, 0, OTA_DELTA_ERR_CORRUPT},            /* data after EQL */
        {"\xA7\xA5xyz", 5, 2, OTA_DELTA_ERR_OUTPUT_RANGE},
        {"\xA7\xA5xyz\xA7", 6, 0, OTA_DELTA_ERR_TRUNCATED},        /* ends in an escape */
        {"\xA7\xA3\xFE\x00\x00", 5, 0, OTA_DELTA_ERR_TRUNCATED},   /* ends in a length */
        {"\xA7\xA3\xFC", 3, 0, OTA_DELTA_ERR_TRUNCATED},
        {"\xA7x", 2, 0, OTA_DELTA_ERR_CORRUPT},                    /* data before any op */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ota_delta_status_t st = apply((const uint8_t *)cases[i].bytes, cases[i].len, fx.old_data,
                                      N, cases[i].output_max, NULL);
        if (st != cases[i].want) {
            fail_msg("case %zu: %s, want %s", i, ota_delta_status_str(st),
                     ota_delta_status_str(cases[i].want));
        }
    }
}

static void test_callbacks_fail(void **state)
{
    (void)state;
    for (int f = 0; f < 2; f++) {
        delta_buf_t p = fixture_patch(f ? OTA_DELTA_FORMAT_JOJODIFF : OTA_DELTA_FORMAT_OTAFLOW);
        for (int which = 0; which < 2; which++) {
            for (long after = 0; after < 5; after++) {
                rig_t r;
                ota_delta_t d;
                rig_setup(&r, fx.old_data, N, 1u << 16);
                if (which) {
                    r.writes_left = after;
                } else {
                    r.reads_left = after;
                }
                ota_delta_io_t io = rig_io(&r, 0);
                assert_int_equal(ota_delta_init(&d, &io), OTA_DELTA_OK);
                ota_delta_status_t st = rig_feed(&d, p.data, 0, p.len, 100);
                assert_int_equal(st, which ? OTA_DELTA_ERR_WRITE : OTA_DELTA_ERR_READ);
                /* after an error, nothing more happens */
                assert_int_equal(ota_delta_feed(&d, p.data, 1), OTA_DELTA_ERR_STATE);
                assert_int_equal(ota_delta_finish(&d), OTA_DELTA_ERR_STATE);
                free(r.out);
            }
        }
        free(p.data);
    }
}

static void test_bad_checkpoints(void **state)
{
    (void)state;
    delta_buf_t p = fixture_patch(OTA_DELTA_FORMAT_OTAFLOW);
    rig_t r;
    ota_delta_t d;
    rig_setup(&r, fx.old_data, N, 1u << 16);
    ota_delta_io_t io = rig_io(&r, 0);
    assert_int_equal(ota_delta_init(&d, &io), OTA_DELTA_OK);
    assert_int_equal(ota_delta_feed(&d, p.data, p.len / 2), OTA_DELTA_OK);
    ota_delta_checkpoint_t good, cp;
    ota_delta_checkpoint(&d, &good);
    assert_true(good.output_offset > 0);
    assert_int_equal(ota_delta_resume(&d, &io, &good), OTA_DELTA_OK);
    enum { N_BAD = 8 };
    ota_delta_checkpoint_t bad[N_BAD];
    for (int i = 0; i < N_BAD; i++) {
        bad[i] = good;
    }
    bad[0].format = 7;
    bad[1].output_offset += 1;   /* not a block start */
    bad[2].block_log2 = 20;
    bad[3].reserved = 1;
    bad[4].base_size = N - 1;    /* another base */
    /* a block start past the last block, its base position consistent */
    uint32_t block = 1u << good.block_log2;
    bad[5].output_offset = (good.target_size + block - 1u) & ~(block - 1u);
    bad[5].base_pos = bad[5].output_offset < N ? bad[5].output_offset : N;
    bad[6].base_pos += 1;        /* not the block start's base position */
    bad[7].format = OTA_DELTA_FORMAT_JOJODIFF; /* a jojodiff one with otaflow's fields */
    for (int i = 0; i < N_BAD; i++) {
        cp = bad[i];
        if (ota_delta_resume(&d, &io, &cp) != OTA_DELTA_ERR_CHECKPOINT) {
            fail_msg("bad checkpoint %d taken", i);
        }
    }
    /* otaflow's state within a block is not a checkpoint's: no operation may be in it */
    cp = good;
    cp.op = DELTA_JOJO_MOD;
    assert_int_equal(ota_delta_resume(&d, &io, &cp), OTA_DELTA_ERR_CHECKPOINT);
    /* jojodiff checkpoints within an operation (io.checkpoint_every): only MOD, INS, EQL, and
     * bytes left to copy only in an EQL that stays within the base */
    ota_delta_checkpoint_t jj = {.patch_offset = 9, .output_offset = 64, .base_pos = 10,
                                 .base_size = N, .format = OTA_DELTA_FORMAT_JOJODIFF,
                                 .op = DELTA_JOJO_EQL, .copy_left = N - 10};
    assert_int_equal(ota_delta_resume(&d, &io, &jj), OTA_DELTA_OK);
    const struct { uint8_t op; uint32_t copy_left, base_pos; } jbad[] = {
        {DELTA_JOJO_DEL, 0, 10},     {DELTA_JOJO_BKT, 0, 10}, {0x42, 0, 10},
        {DELTA_JOJO_MOD, 1, 10},     {0, 1, 10},              {DELTA_JOJO_EQL, N - 9, 10},
        {DELTA_JOJO_EQL, 1, N + 1},  {DELTA_JOJO_EQL, UINT32_MAX, 10},
    };
    for (size_t i = 0; i < sizeof jbad / sizeof jbad[0]; i++) {
        cp = jj;
        cp.op = jbad[i].op;
        cp.copy_left = jbad[i].copy_left;
        cp.base_pos = jbad[i].base_pos;
        if (ota_delta_resume(&d, &io, &cp) != OTA_DELTA_ERR_CHECKPOINT) {
            fail_msg("bad jojodiff checkpoint %zu taken", i);
        }
    }
    /* a checkpoint interval that is not a power of two */
    ota_delta_io_t odd = io;
    odd.checkpoint_every = 3000;
    assert_int_equal(ota_delta_init(&d, &odd), OTA_DELTA_ERR_ARG);
    /* a checkpoint of a target larger than the caller's output limit (another slot) */
    ota_delta_io_t small = io;
    small.output_max = good.target_size - 1u;
    assert_int_equal(ota_delta_resume(&d, &small, &good), OTA_DELTA_ERR_CHECKPOINT);
    assert_int_equal(ota_delta_resume(&d, NULL, &good), OTA_DELTA_ERR_ARG);
    assert_int_equal(ota_delta_init(NULL, &io), OTA_DELTA_ERR_ARG);
    assert_string_equal(ota_delta_status_str(OTA_DELTA_ERR_CHECKPOINT), "OTA_DELTA_ERR_CHECKPOINT");
    assert_string_equal(ota_delta_status_str((ota_delta_status_t)42), "?");
    free(r.out);
    free(p.data);
}

/* Every byte of a real patch replaced by three other values: a named status each time, the
 * writes in place and within the output limit. */
static void test_every_byte_corrupted(void **state)
{
    (void)state;
    static const uint8_t flips[] = {0x01, 0x80, 0xFF};
    size_t errors = 0, runs = 0;
    for (int f = 0; f < 2; f++) {
        delta_buf_t p = fixture_patch(f ? OTA_DELTA_FORMAT_JOJODIFF : OTA_DELTA_FORMAT_OTAFLOW);
        uint8_t *h = malloc(p.len);
        for (size_t at = 0; at < p.len; at++) {
            for (size_t k = 0; k < sizeof flips; k++) {
                memcpy(h, p.data, p.len);
                h[at] ^= flips[k];
                rig_t r;
                ota_delta_status_t st = apply(h, p.len, fx.old_data, N, 8192, &r);
                assert_string_not_equal(ota_delta_status_str(st), "?");
                assert_true(r.out_len <= 8192);
                errors += st != OTA_DELTA_OK;
                runs++;
                free(r.out);
            }
        }
        free(h);
        free(p.data);
    }
    printf("%zu corrupted patches: %zu refused by the applier\n", runs, errors);
}

int main(void)
{
    make_fixture();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_trailing_bytes),
        cmocka_unit_test(test_base_too_small),
        cmocka_unit_test(test_target_smaller_than_coded),
        cmocka_unit_test(test_jojodiff_hostile),
        cmocka_unit_test(test_callbacks_fail),
        cmocka_unit_test(test_bad_checkpoints),
        cmocka_unit_test(test_every_byte_corrupted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
