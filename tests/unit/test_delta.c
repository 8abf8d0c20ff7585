/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The patch appliers (src/delta*.c) on patches made by the host encoder (tools/delta_*.c),
 * both formats: the target comes out byte for byte for generated pairs (random, small edits,
 * inserted and deleted blocks, empty base, empty target, identical files, code-like content),
 * whatever the chunking of the patch (one byte at a time included), and resuming from every
 * checkpoint the applier records gives the same target.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include <cmocka.h>

#include "test_delta_rig.h"

typedef struct pair {
    const char *name;
    uint8_t *old_data, *new_data;
    size_t old_size, new_size;
} pair_t;

enum { N_PAIRS = 8 };

static void make_pairs(pair_t p[N_PAIRS])
{
    uint32_t seed = 0x1234567u;
    const size_t n = 20000;
    for (int i = 0; i < N_PAIRS; i++) {
        p[i].old_data = malloc(n + 4096);
        p[i].new_data = malloc(n + 4096);
    }
    /* 0: unrelated random files */
    p[0].name = "random";
    p[0].old_size = n;
    p[0].new_size = n - 333;
    for (size_t i = 0; i < n; i++) {
        p[0].old_data[i] = (uint8_t)rig_rand(&seed);
        p[0].new_data[i] = (uint8_t)rig_rand(&seed);
    }
    /* 1: small edits of code-like content */
    p[1].name = "small edits";
    p[1].old_size = p[1].new_size = n;
    rig_fill_code(p[1].old_data, n, 7);
    memcpy(p[1].new_data, p[1].old_data, n);
    for (int k = 0; k < 60; k++) {
        p[1].new_data[rig_rand(&seed) % n] ^= (uint8_t)(1u + rig_rand(&seed) % 255u);
    }
    /* 2: a block inserted, another deleted */
    p[2].name = "insert+delete";
    rig_fill_code(p[2].old_data, n, 9);
    memcpy(p[2].new_data, p[2].old_data, 5000);
    for (size_t i = 0; i < 1500; i++) {
        p[2].new_data[5000 + i] = (uint8_t)rig_rand(&seed);
    }
    memcpy(p[2].new_data + 6500, p[2].old_data + 5000, 7000);           /* old 5000..12000 */
    memcpy(p[2].new_data + 13500, p[2].old_data + 12800, n - 12800);    /* 800 deleted */
    p[2].old_size = n;
    p[2].new_size = 13500 + n - 12800;
    /* 3: empty base */
    p[3].name = "empty base";
    p[3].old_size = 0;
    p[3].new_size = 5000;
    rig_fill_code(p[3].new_data, 5000, 11);
    /* 4: identical files */
    p[4].name = "identical";
    p[4].old_size = p[4].new_size = n;
    rig_fill_code(p[4].old_data, n, 13);
    memcpy(p[4].new_data, p[4].old_data, n);
    /* 5: empty target */
    p[5].name = "empty target";
    p[5].old_size = 3000;
    p[5].new_size = 0;
    rig_fill_code(p[5].old_data, 3000, 15);
    /* 6: code moved by 4 bytes with its pointers shifted (a function grew), many 0xA7 bytes */
    p[6].name = "shifted code";
    p[6].old_size = n;
    rig_fill_code(p[6].old_data, n, 17);
    for (size_t i = 0; i < n; i += 97) {
        p[6].old_data[i] = DELTA_JOJO_ESC;
    }
    memcpy(p[6].new_data, p[6].old_data, 8000);
    memset(p[6].new_data + 8000, DELTA_JOJO_ESC, 4);
    memcpy(p[6].new_data + 8004, p[6].old_data + 8000, n - 8000);
    p[6].new_size = n + 4;
    for (size_t i = 0; i + 4 <= p[6].new_size; i += 4) {
        if (p[6].new_data[i + 3] == 0x20) {
            p[6].new_data[i] = (uint8_t)(p[6].new_data[i] + 4);
        }
    }
    /* 7: the target larger than several blocks, the base tiny */
    p[7].name = "tiny base";
    p[7].old_size = 3;
    memcpy(p[7].old_data, "abc", 3);
    p[7].new_size = n + 4000;
    for (size_t i = 0; i < p[7].new_size; i++) {
        p[7].new_data[i] = (uint8_t)("abcx"[i % 4]);
    }
}

static void free_pairs(pair_t p[N_PAIRS])
{
    for (int i = 0; i < N_PAIRS; i++) {
        free(p[i].old_data);
        free(p[i].new_data);
    }
}

/* Apply patch to the pair's old file with a chunking; the target must come out exactly. */
static void check_apply(const pair_t *p, const delta_buf_t *patch, size_t chunk,
                        ota_delta_format_t format)
{
    rig_t r;
    ota_delta_t d;
    rig_setup(&r, p->old_data, p->old_size, (uint32_t)p->new_size + 16);
    ota_delta_io_t io = rig_io(&r, 0);
    assert_int_equal(ota_delta_init(&d, &io), OTA_DELTA_OK);
    ota_delta_status_t st = rig_feed(&d, patch->data, 0, patch->len, chunk);
    if (st != OTA_DELTA_OK) {
        fail_msg("%s, chunk %zu: %s", p->name, chunk, ota_delta_status_str(st));
    }
    assert_int_equal(ota_delta_format(&d), format);
    assert_int_equal(ota_delta_output_size(&d), p->new_size);
    assert_int_equal(r.out_len, p->new_size);
    assert_int_equal(r.bad_offsets, 0);
    if (p->new_size > 0) {
        assert_memory_equal(r.out, p->new_data, p->new_size);
    }
    free(r.out);
}

static void round_trips(ota_delta_format_t format, unsigned block_log2)
{
    pair_t p[N_PAIRS];
    make_pairs(p);
    for (int i = 0; i < N_PAIRS; i++) {
        delta_buf_t patch = rig_make_patch(p[i].old_data, p[i].old_size, p[i].new_data,
                                           p[i].new_size, format, block_log2);
        static const size_t chunks[] = {1, 2, 3, 7, 40, 41, 64, 65, 1000, 1u << 30};
        for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
            if (p[i].new_size == 0 && p[i].old_size == 0) {
                continue;
            }
            check_apply(&p[i], &patch, chunks[c], format);
        }
        printf("%-14s %5zu -> %5zu bytes: %s patch %zu bytes\n", p[i].name, p[i].old_size,
               p[i].new_size, format == OTA_DELTA_FORMAT_OTAFLOW ? "otaflow" : "jojodiff",
               patch.len);
        free(patch.data);
    }
    free_pairs(p);
}

static void test_otaflow_round_trips(void **state)
{
    (void)state;
    round_trips(OTA_DELTA_FORMAT_OTAFLOW, DELTA_OFD_BLOCK_LOG2_MIN); /* many blocks */
    round_trips(OTA_DELTA_FORMAT_OTAFLOW, DELTA_OFD_BLOCK_LOG2_DEFAULT);
}

static void test_jojodiff_round_trips(void **state)
{
    (void)state;
    round_trips(OTA_DELTA_FORMAT_JOJODIFF, 0);
}

/* Every checkpoint the applier tells of (io.on_checkpoint), several within one feed too. */
static ota_delta_checkpoint_t *told;
static size_t n_told;

static int record_checkpoint(void *ctx, const ota_delta_checkpoint_t *cp)
{
    const rig_t *r = ctx;
    assert_int_equal(cp->output_offset, r->out_len); /* all output before it is written */
    told[n_told++] = *cp;
    return 0;
}

/* Resume from every checkpoint recorded while feeding one byte at a time: the output from
 * there on, written over a target whose earlier bytes came from the first run, is the
 * target. Before resuming, the output past the checkpoint is garbage, as after a power cut. */
static void resume_everywhere(ota_delta_format_t format, uint32_t every, int pair)
{
    pair_t p[N_PAIRS];
    make_pairs(p);
    const pair_t *pp = &p[pair];
    delta_buf_t patch = rig_make_patch(pp->old_data, pp->old_size, pp->new_data, pp->new_size,
                                       format, DELTA_OFD_BLOCK_LOG2_MIN);
    rig_t r;
    ota_delta_t d;
    rig_setup(&r, pp->old_data, pp->old_size, (uint32_t)pp->new_size);
    ota_delta_io_t io = rig_io(&r, (uint32_t)pp->new_size);
    io.checkpoint_every = every;
    io.on_checkpoint = record_checkpoint;
    assert_int_equal(ota_delta_init(&d, &io), OTA_DELTA_OK);
    size_t inside_ops = 0; /* jojodiff checkpoints within an operation */
    size_t copying = 0;    /* of them, within an EQL's copy */
    ota_delta_checkpoint_t *cps = calloc(patch.len + 1, sizeof *cps);
    size_t n_cps = 0;
    told = calloc(pp->new_size + 2, sizeof *told);
    n_told = 0;
    for (size_t i = 0; i < patch.len; i++) {
        assert_int_equal(ota_delta_feed(&d, patch.data + i, 1), OTA_DELTA_OK);
        ota_delta_checkpoint_t cp;
        ota_delta_checkpoint(&d, &cp);
        /* a checkpoint's output is all written when it is recorded */
        assert_true(cp.output_offset <= r.out_len);
        /* with checkpoint_every, only at its multiples (or the start) */
        assert_int_equal(every ? cp.output_offset % every : 0, 0);
        if (n_cps == 0 || memcmp(&cp, &cps[n_cps - 1], sizeof cp) != 0) {
            cps[n_cps++] = cp;
        }
    }
    assert_int_equal(ota_delta_finish(&d), OTA_DELTA_OK);
    /* the caller was told of each checkpoint, the last one seen after a feed included */
    assert_true(n_told >= n_cps - 1);
    for (size_t k = 1; k < n_cps; k++) {
        bool seen = false;
        for (size_t t = 0; t < n_told && !seen; t++) {
            seen = memcmp(&told[t], &cps[k], sizeof cps[k]) == 0;
        }
        assert_true(seen);
    }
    if (every != 0 && format == OTA_DELTA_FORMAT_JOJODIFF) {
        /* one at every multiple of `every` in the output */
        assert_int_equal(n_told, pp->new_size / every);
        for (size_t t = 0; t < n_told; t++) {
            assert_int_equal(told[t].output_offset, (t + 1) * every);
        }
        /* and each of them is a place to resume from (below) */
        free(cps);
        cps = told;
        n_cps = n_told;
        told = NULL;
    }
    /* otaflow: one per 1 KB block plus the start; jojodiff: one per operation, or one per
     * `every` output bytes, most of them inside an operation (EQL, MOD or INS) */
    size_t per = every > 1024 ? every : 1024;
    if (format == OTA_DELTA_FORMAT_OTAFLOW) {
        assert_true(n_cps >= pp->new_size / per);
    } else if (every == 0) {
        assert_true(n_cps >= 4);
    }
    for (size_t k = 0; k < n_cps; k++) {
        rig_t r2;
        rig_setup(&r2, pp->old_data, pp->old_size, (uint32_t)pp->new_size);
        memcpy(r2.out, pp->new_data, cps[k].output_offset);
        memset(r2.out + cps[k].output_offset, 0x5A, pp->new_size - cps[k].output_offset);
        r2.out_len = cps[k].output_offset;
        ota_delta_io_t io2 = rig_io(&r2, (uint32_t)pp->new_size);
        io2.checkpoint_every = every;
        ota_delta_t d2;
        assert_int_equal(ota_delta_resume(&d2, &io2, &cps[k]), OTA_DELTA_OK);
        size_t chunk = 1 + k % 70;
        ota_delta_status_t st = rig_feed(&d2, patch.data, cps[k].patch_offset, patch.len, chunk);
        if (st != OTA_DELTA_OK) {
            fail_msg("resume %zu at patch %u: %s", k, (unsigned)cps[k].patch_offset,
                     ota_delta_status_str(st));
        }
        assert_int_equal(r2.out_len, pp->new_size);
        assert_memory_equal(r2.out, pp->new_data, pp->new_size);
        free(r2.out);
    }
    inside_ops = copying = 0;
    for (size_t k = 0; k < n_cps; k++) {
        inside_ops += cps[k].op != 0;
        copying += cps[k].copy_left != 0;
    }
    if (every != 0 && format == OTA_DELTA_FORMAT_JOJODIFF) {
        assert_int_equal(inside_ops, n_cps); /* all of them within an operation */
        assert_true(copying > 0 || pair != 2);
    }
    printf("%s, %s, checkpoint every %u B: resumed from each of %zu checkpoints (%zu inside "
           "an operation, %zu inside an EQL's copy)\n",
           pp->name, format == OTA_DELTA_FORMAT_OTAFLOW ? "otaflow" : "jojodiff",
           (unsigned)every, n_cps, inside_ops, copying);
    free(cps);
    free(told);
    free(r.out);
    free(patch.data);
    free_pairs(p);
}

static void test_otaflow_resume(void **state)
{
    (void)state;
    resume_everywhere(OTA_DELTA_FORMAT_OTAFLOW, 0, 2);
    resume_everywhere(OTA_DELTA_FORMAT_OTAFLOW, 4096, 2); /* every 4th 1 KB block start */
}

static void test_jojodiff_resume(void **state)
{
    (void)state;
    resume_everywhere(OTA_DELTA_FORMAT_JOJODIFF, 0, 2);
    /* within operations: small boundaries fall inside EQLs, MOD and INS data (the random
     * pair is MOD data through, the small edits mostly EQLs) */
    resume_everywhere(OTA_DELTA_FORMAT_JOJODIFF, 64, 2);
    resume_everywhere(OTA_DELTA_FORMAT_JOJODIFF, 64, 0);
    resume_everywhere(OTA_DELTA_FORMAT_JOJODIFF, 64, 1);
    resume_everywhere(OTA_DELTA_FORMAT_JOJODIFF, 4096, 2);
}

/* A patch made elsewhere: bytes written by hand from the jojodiff description, with every
 * length form (1-byte, 252+x, 16-bit, 32-bit and a 64-bit one), ESC ESC and ESC + ordinary
 * byte in data, MOD, INS, DEL, BKT and EQL. */
static void test_jojodiff_hand_made(void **state)
{
    (void)state;
    uint8_t base[70000];
    for (size_t i = 0; i < sizeof base; i++) {
        base[i] = (uint8_t)(i * 7u);
    }
    static const uint8_t patch[] = {
        0xA7, 0xA3, 0x03,                  /* EQL 4 */
        0xA7, 0xA6, 'x', 0xA7, 0xA7, 'y',  /* MOD x, 0xA7, y */
        0xA7, 0xA5, 0xA7, 0x10, 'z',       /* INS 0xA7 0x10 z (ESC + ordinary byte) */
        0xA7, 0xA4, 0xFC, 0x02,            /* DEL 255 */
        0xA7, 0xA3, 0xFD, 0x01, 0x00,      /* EQL 256 */
        0xA7, 0xA2, 0x09,                  /* BKT 10 */
        0xA7, 0xA3, 0xFE, 0x00, 0x01, 0x00, 0x00, /* EQL 65536 */
        0xA7, 0xA2, 0xFF, 0, 0, 0, 0, 0, 0, 0, 2, /* BKT 2 (64-bit form) */
        0xA7, 0xA3, 0x00,                  /* EQL 1 */
    };
    uint8_t expect[4 + 3 + 3 + 256 + 65536 + 1];
    size_t n = 0;
    memcpy(expect, base, 4);
    n = 4;
    expect[n++] = 'x';
    expect[n++] = 0xA7;
    expect[n++] = 'y'; /* base position 7 */
    expect[n++] = 0xA7;
    expect[n++] = 0x10;
    expect[n++] = 'z';
    memcpy(expect + n, base + 7 + 255, 256); /* 262..518 */
    n += 256;
    memcpy(expect + n, base + 518 - 10, 65536);
    n += 65536;
    expect[n++] = base[508 + 65536 - 2];
    for (size_t chunk = 1; chunk <= sizeof patch; chunk++) {
        rig_t r;
        ota_delta_t d;
        rig_setup(&r, base, sizeof base, sizeof expect);
        ota_delta_io_t io = rig_io(&r, 0);
        assert_int_equal(ota_delta_init(&d, &io), OTA_DELTA_OK);
        assert_int_equal(rig_feed(&d, patch, 0, sizeof patch, chunk), OTA_DELTA_OK);
        assert_int_equal(r.out_len, n);
        assert_memory_equal(r.out, expect, n);
        free(r.out);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_otaflow_round_trips),
        cmocka_unit_test(test_jojodiff_round_trips),
        cmocka_unit_test(test_otaflow_resume),
        cmocka_unit_test(test_jojodiff_resume),
        cmocka_unit_test(test_jojodiff_hand_made),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
