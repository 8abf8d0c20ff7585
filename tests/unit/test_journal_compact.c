/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The compact journal codec (OTA_JOURNAL_COMPACT 1: the lean bootloaders', config.h) against
 * the default one, in one program (journal_compact_twin.h): the same CRC, the same record
 * bytes from the same state, the same verdict, state and sequence number from the same record
 * bytes (valid, torn, garbage, hostile with a good CRC, format 1), and the same mount (status,
 * state, journal position and counters) over the journal's power-cut sweeps and over every
 * input of the journal fuzz corpus (tests/fuzz/corpus/journal). A mount that agrees on the
 * state gives the bootloader the same decision: ota_boot_run reads nothing else of the store
 * (checked below on the corpus too: the same status, report and internal flash after the boot).
 */
#include "../fuzz/journal_compact_twin.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../fuzz/journal_rig.h"
#include "../fuzz/journal_rig_flash.h"
#include "corpus_files.h"
#include "faulty_flash.h"
#include "otaflow/boot.h"
#include "store_fixture.h"

/* A small deterministic generator (xorshift32): the same cases on every run. */
static uint32_t g_rand = 0x2545F491u;

static uint32_t rnd(void)
{
    g_rand ^= g_rand << 13;
    g_rand ^= g_rand >> 17;
    g_rand ^= g_rand << 5;
    return g_rand;
}

static void rnd_fill(void *p, size_t n)
{
    uint8_t *b = p;
    for (size_t i = 0; i < n; i++) {
        b[i] = (uint8_t)rnd();
    }
}

/* Boot fields and slots of a and b equal, report_pending too (store_fixture_state_diff
 * leaves it out); on a difference, which field. */
static const char *state_diff(const ota_store_state_t *a, const ota_store_state_t *b,
                              uint8_t count)
{
    const char *d = store_fixture_state_diff(a, b, count);
    if (d == NULL && a->boot.report_pending != b->boot.report_pending) {
        d = "report_pending";
    }
    return d;
}

/* A layout of download_slots slots as the store computes it (sst26 preset). */
static ota_store_layout_t layout_of(uint8_t download_slots)
{
    ota_store_config_t cfg = {.slot_size = 0x20000, .download_slots = download_slots};
    store_fixture_t *fx = store_fixture_open(NULL, &cfg);
    ota_store_layout_t l = *ota_store_layout(&fx->store);
    store_fixture_close(fx);
    return l;
}

/* A state of random bytes, a few fields kept in range so that some decode as valid. */
static void random_state(ota_store_state_t *st, bool plausible)
{
    rnd_fill(st, sizeof *st);
    if (plausible) {
        ota_store_boot_t *b = &st->boot;
        b->rejected_count = (uint8_t)(rnd() % (OTA_STORE_REJECTED_MAX + 1u));
        b->state = (uint8_t)(rnd() % 5u);
        b->install_reason = (uint8_t)(rnd() % 3u);
        b->report_pending = (uint8_t)(rnd() % 2u);
        b->running_slot = b->previous_slot = OTA_STORE_SLOT_NONE;
        b->install_slot = (uint8_t)(rnd() % 2u);
        for (unsigned i = 0; i < OTA_STORE_MAX_SLOTS; i++) {
            st->slots[i].state = (uint8_t)(rnd() % 3u); /* EMPTY, DOWNLOADING or STORED */
            st->slots[i].flags = (uint8_t)(rnd() % 4u);
            st->slots[i].size = rnd() % 0x20000u;
            st->slots[i].offset = rnd() % 0x20000u;
        }
    } else {
        st->boot.rejected_count %= OTA_STORE_REJECTED_MAX + 1u; /* encode asserts it */
    }
}

/* Both decoders on rec: the same verdict, and when valid the same state and sequence. */
static void assert_same_decode(const ota_store_layout_t *l, uint8_t erased, const uint8_t *rec,
                               unsigned *valid)
{
    ota_store_state_t a, b;
    uint32_t seq_a = 1, seq_b = 2;
    ota_journal_record_kind_t ka = ota_journal_decode(l, erased, rec, &a, &seq_a);
    ota_journal_record_kind_t kb = compact_journal_decode(l, erased, rec, &b, &seq_b);
    assert_int_equal(ka, kb);
    if (ka == OTA_JOURNAL_VALID) {
        const char *d = state_diff(&a, &b, (uint8_t)(l->download_slots + 1u));
        if (d != NULL) {
            fail_msg("decoded states differ in %s", d);
        }
        assert_int_equal(seq_a, seq_b);
        (*valid)++;
    }
}

static void test_crc_same(void **unused)
{
    (void)unused;
    uint8_t buf[300];
    assert_int_equal(compact_journal_crc32(0, "123456789", 9), 0xCBF43926u);
    for (unsigned n = 0; n < 200; n++) {
        rnd_fill(buf, sizeof buf);
        size_t len = rnd() % sizeof buf;
        uint32_t seed = n % 3u ? rnd() : 0u;
        assert_int_equal(ota_journal_crc32(seed, buf, len), compact_journal_crc32(seed, buf, len));
    }
}

/* The same state encodes to the same bytes, for every slot count (struct padding is no byte
 * of the format: random here, zero in both records). */
static void test_encode_same_bytes(void **unused)
{
    (void)unused;
    for (uint8_t n = 1; n <= OTA_STORE_MAX_DOWNLOAD_SLOTS; n++) {
        ota_store_layout_t l = layout_of(n);
        for (unsigned k = 0; k < 50; k++) {
            ota_store_state_t st;
            random_state(&st, k % 2u == 0);
            uint8_t a[OTA_STORE_RECORD_BUF], b[OTA_STORE_RECORD_BUF];
            uint32_t seq = rnd();
            ota_journal_encode(&l, &st, seq, a);
            compact_journal_encode(&l, &st, seq, b);
            assert_memory_equal(a, b, l.record_size);
        }
    }
}

/* A current-format record rewritten as format 1 (no manifest sequence, the rejected list at
 * 44, the slots at 76), CRC recomputed: the records the previous release wrote. */
static void to_format_1(const ota_store_layout_t *l, uint8_t *rec)
{
    uint8_t count = (uint8_t)(l->download_slots + 1u);
    uint32_t body2 = ota_journal_record_bytes(count) - 4u;
    uint32_t body1 = body2 - 4u;
    memmove(rec + 44, rec + 48, body2 - 48u);
    rec[8] = 1;
    uint32_t crc = ota_journal_crc32(0, rec, body1);
    for (unsigned i = 0; i < 4u; i++) {
        rec[body1 + i] = (uint8_t)(crc >> (8u * i));
    }
    memset(rec + body1 + 4u, 0, l->record_size - body1 - 4u);
}

static void fix_crc(const ota_store_layout_t *l, uint8_t *rec)
{
    uint32_t body = ota_journal_record_bytes((uint8_t)(l->download_slots + 1u)) - 4u;
    uint32_t crc = ota_journal_crc32(0, rec, body);
    for (unsigned i = 0; i < 4u; i++) {
        rec[body + i] = (uint8_t)(crc >> (8u * i));
    }
}

/* Valid records, torn ones (a prefix programmed, the rest erased), garbage, single bytes
 * changed with and without a recomputed CRC (hostile content a CRC cannot excuse), format 1
 * records, another layout's: both decoders agree on each. */
static void test_decode_same(void **unused)
{
    (void)unused;
    unsigned valid = 0, cases = 0;
    for (uint8_t n = 1; n <= OTA_STORE_MAX_DOWNLOAD_SLOTS; n++) {
        ota_store_layout_t l = layout_of(n);
        for (unsigned k = 0; k < 300; k++) {
            ota_store_state_t st;
            random_state(&st, k % 4u != 3u);
            uint8_t rec[OTA_STORE_RECORD_BUF];
            ota_journal_encode(&l, &st, rnd(), rec);
            switch (k % 6u) {
            case 0: break; /* as written */
            case 1: { /* torn: a prefix programmed */
                uint32_t keep = rnd() % l.record_size;
                memset(rec + keep, 0xFF, l.record_size - keep);
                break;
            }
            case 2: rnd_fill(rec, l.record_size); break; /* garbage */
            case 3: /* one byte changed, CRC made good again */
                rec[rnd() % (ota_journal_record_bytes((uint8_t)(n + 1u)) - 4u)] ^=
                    (uint8_t)(1u + rnd() % 255u);
                if (rnd() % 4u != 0u) {
                    fix_crc(&l, rec);
                }
                break;
            case 4: to_format_1(&l, rec); break;
            case 5: { /* another layout's header, CRC good */
                static const uint32_t at[] = {9, 10, 12, 16};
                rec[at[rnd() % 4u]] ^= (uint8_t)(1u + rnd() % 3u);
                fix_crc(&l, rec);
                break;
            }
            }
            assert_same_decode(&l, 0xFF, rec, &valid);
            cases++;
        }
        uint8_t erased[OTA_STORE_RECORD_BUF];
        memset(erased, 0x00, sizeof erased);
        assert_same_decode(&l, 0x00, erased, &valid);
    }
    print_message("%u records, %u valid for both\n", cases, valid);
    assert_true(valid > cases / 10u); /* the valid path was compared, not only refusals */
}

/* The compact mount over the flash a mounted store has just read: the same status, state and
 * journal bookkeeping. Returns 0 or prints the difference. */
static int compare_mounts(const ota_store_t *full, ota_store_status_t full_status)
{
    static ota_store_t twin;
    memcpy(&twin, full, sizeof twin);
    ota_store_status_t cs = compact_journal_mount(&twin);
    if (cs != full_status) {
        fprintf(stderr, "compact mount: %s, full mount: %s\n", ota_store_status_str(cs),
                ota_store_status_str(full_status));
        return -1;
    }
    if (cs != OTA_STORE_OK) {
        return 0;
    }
    const char *d = state_diff(&full->state, &twin.state, ota_store_slot_count(full));
    if (d == NULL) {
        d = state_diff(&full->staged, &twin.staged, ota_store_slot_count(full));
    }
    const ota_store_journal_t *x = &full->journal, *y = &twin.journal;
    if (d == NULL && (x->seq != y->seq || x->next_pos != y->next_pos || x->sector != y->sector ||
                      x->mount_kind != y->mount_kind || x->valid_records != y->valid_records ||
                      x->bad_records != y->bad_records)) {
        d = "journal bookkeeping";
    }
    if (d != NULL) {
        fprintf(stderr, "compact mount differs in %s\n", d);
        return -1;
    }
    return 0;
}

static ota_store_status_t bump(store_fixture_t *fx, void *ctx)
{
    uint32_t *value = ctx;
    return ota_store_confirm(&fx->store, ++*value);
}

static void setup_records(store_fixture_t *fx, void *ctx)
{
    uint32_t *value = ctx;
    uint32_t before = *value;
    *value = 0;
    for (uint32_t i = 0; i < before; i++) {
        if (bump(fx, value) != OTA_STORE_OK) {
            abort();
        }
    }
}

static int check_mounts_agree(store_fixture_t *fx, void *ctx, int which)
{
    (void)ctx;
    (void)which; /* old or new: the sweep judges that; here only the two mounts */
    return compare_mounts(&fx->store, OTA_STORE_OK);
}

/* Every state a power cut leaves in an append and in a compaction (each operation cut before,
 * after, and torn): both mounts find the same. */
static void test_mount_same_over_power_cuts(void **unused)
{
    (void)unused;
    static const uint32_t before[] = {3, 15, 16, 31, 32};
    for (unsigned i = 0; i < sizeof before / sizeof before[0]; i++) {
        uint32_t value = before[i];
        store_fixture_sweep_result_t r;
        store_fixture_sweep(NULL, NULL, setup_records, bump, check_mounts_agree, &value, &r);
        print_message("after %u records: %u cuts, %u failures\n", (unsigned)before[i], r.cuts,
                      r.failures);
        assert_true(r.cuts > 0);
        assert_int_equal(r.failures, 0);
    }
}

/* Torn and garbage positions among valid records, and a newer record of another layout: the
 * same newest record, the same counts, the same refusal. */
static void test_mount_same_torn_and_garbage(void **unused)
{
    (void)unused;
    store_fixture_t *fx = store_fixture_open(NULL, NULL);
    uint32_t value = 0;
    for (unsigned i = 0; i < 20; i++) {
        assert_int_equal(bump(fx, &value), OTA_STORE_OK);
    }
    const ota_store_layout_t *l = ota_store_layout(&fx->store);
    const ota_flash_t *f = ota_sim_flash_port(&fx->dev);
    uint32_t pos = fx->store.journal.next_pos;
    uint32_t at = (uint32_t)fx->store.journal.sector * l->journal_sector_size + pos * l->record_size;
    /* a torn record: its first half programmed */
    ota_store_state_t st = fx->store.state;
    st.boot.security_counter = 999;
    uint8_t rec[OTA_STORE_RECORD_BUF];
    ota_journal_encode(l, &st, fx->store.journal.seq + 1u, rec);
    assert_true(journal_rig_program(f, at, rec, l->record_size / 2u));
    assert_int_equal(store_fixture_remount(fx), OTA_STORE_OK);
    assert_int_equal(compare_mounts(&fx->store, OTA_STORE_OK), 0);
    assert_int_equal(ota_store_boot(&fx->store)->security_counter, value);
    /* garbage in the next position */
    uint8_t junk[OTA_STORE_RECORD_BUF];
    rnd_fill(junk, sizeof junk);
    assert_true(journal_rig_program(f, at + l->record_size, junk, l->record_size));
    assert_int_equal(store_fixture_remount(fx), OTA_STORE_OK);
    assert_int_equal(compare_mounts(&fx->store, OTA_STORE_OK), 0);
    assert_true(fx->store.journal.bad_records >= 2u);
    /* a newer record written with another slot size: both refuse the layout */
    ota_store_layout_t other = *l;
    other.slot_size *= 2u;
    ota_journal_encode(&other, &st, fx->store.journal.seq + 5u, rec);
    assert_true(journal_rig_program(f, at + 2u * l->record_size, rec, l->record_size));
    ota_store_status_t full = store_fixture_remount(fx);
    assert_int_equal(full, OTA_STORE_ERR_LAYOUT);
    /* the mount failed before it was marked mounted: give the twin the same start */
    assert_int_equal(compare_mounts(&fx->store, full), 0);
    store_fixture_close(fx);
}

/* The journal fuzz corpus, as fuzz_journal reads an input: both mounts agree on each, and the
 * bootloader decides the same on each of the two states: one run on a store the default mount
 * filled, one on a second copy of the same flash whose state the compact mount filled (each
 * boot may write its own external flash). */
typedef struct corpus_board {
    ota_sim_flash_t dev, internal;
    ota_store_t store;
    ota_boot_t boot;
    ota_boot_report_t report;
    ota_boot_status_t status;
} corpus_board_t;

static corpus_board_t g_board[2];
static uint8_t g_v1[JOURNAL_RIG_V1_LEN], g_v2[JOURNAL_RIG_V2_LEN], g_v3[JOURNAL_RIG_V3_LEN];
static uint8_t g_app[2][0x8000];

static const ota_flash_geometry_t corpus_internal = {
    .size = 64u * 1024u, .erase_unit = 4096u, .program_unit = 16u, .page_size = 1024u,
    .erased_value = 0xFFu,
};

/* The board of fuzz_journal with the input's flash content; the store mounted by the default
 * mount, then (compact) again by the compact one. */
static ota_store_status_t board_open(corpus_board_t *bd, const uint8_t *content, uint32_t len,
                                     uint8_t flags, bool compact)
{
    assert_int_equal(ota_sim_flash_open_ram(&bd->dev, ota_sim_preset("sst26vf032b"),
                                            &journal_rig_geometry, NULL),
                     OTA_FLASH_OK);
    const ota_flash_t *f = ota_sim_flash_port(&bd->dev);
    assert_true(journal_rig_program(f, 0, content, len));
    if (flags & 0x20u) {
        assert_true(journal_rig_program(f, JOURNAL_RIG_SLOT(0), g_v1, sizeof g_v1));
    }
    if (flags & 0x40u) {
        static uint8_t v2[JOURNAL_RIG_V2_LEN];
        memcpy(v2, g_v2, sizeof v2);
        if (flags & 0x80u) { /* a stored image whose bytes no longer verify */
            v2[OTA_IMAGE_HEADER_SIZE + 100u] ^= 0x5Au;
        }
        assert_true(journal_rig_program(f, JOURNAL_RIG_SLOT(1), v2, sizeof v2));
        assert_true(journal_rig_program(f, JOURNAL_RIG_SLOT(2), g_v3, sizeof g_v3));
    }
    ota_store_status_t st = ota_store_mount(&bd->store, f, &journal_rig_config);
    if (compact && st == OTA_STORE_OK) {
        st = compact_journal_mount(&bd->store);
    }
    return st;
}

static void board_boot(corpus_board_t *bd, uint8_t flags, uint8_t *app)
{
    assert_int_equal(ota_sim_flash_open_ram(&bd->internal, ota_sim_preset("pic32mzw1-pfm"),
                                            &corpus_internal, NULL),
                     OTA_FLASH_OK);
    const ota_flash_t *in = ota_sim_flash_port(&bd->internal);
    if (flags & 0x10u) { /* the internal region holds v1, programmed in padded rows */
        for (uint32_t at = 0; at < sizeof g_v1; at += 1024u) {
            uint8_t row[1024];
            uint32_t n = sizeof g_v1 - at < sizeof row ? sizeof g_v1 - at : sizeof row;
            memset(row, 0xFF, sizeof row);
            memcpy(row, g_v1 + at, n);
            assert_int_equal(ota_flash_program(in, 0x4000u + at, row, (n + 15u) & ~15u),
                             OTA_FLASH_OK);
        }
    }
    ota_boot_config_t cfg;
    ota_boot_config_default(&cfg);
    cfg.app_offset = 0x4000u;
    cfg.app_size = 0x8000u;
    cfg.hw_id = 0;
    bd->status = ota_boot_run(&bd->boot, &cfg, in, &bd->store, NULL, NULL, &bd->report);
    assert_int_equal(ota_flash_read(in, 0x4000u, app, 0x8000u), OTA_FLASH_OK);
    ota_sim_flash_close(&bd->internal);
}

static unsigned replay_input(const uint8_t *data, size_t size, const ota_store_layout_t *rig)
{
    static uint8_t content[JOURNAL_RIG_JOURNAL];
    uint32_t len = 0;
    int input = journal_rig_input(data, size, rig, content, &len);
    if (input < 0) {
        return 0;
    }
    uint8_t flags = (uint8_t)input;
    ota_store_status_t st = board_open(&g_board[0], content, len, flags, false);
    if (st == OTA_STORE_OK || st == OTA_STORE_ERR_LAYOUT) {
        assert_int_equal(compare_mounts(&g_board[0].store, st), 0);
    }
    ota_store_status_t st2 = board_open(&g_board[1], content, len, flags, true);
    assert_int_equal(st, st2);
    if (st == OTA_STORE_OK) {
        board_boot(&g_board[0], flags, g_app[0]);
        board_boot(&g_board[1], flags, g_app[1]);
        assert_int_equal(g_board[0].status, g_board[1].status);
        assert_memory_equal(&g_board[0].report, &g_board[1].report, sizeof g_board[0].report);
        assert_memory_equal(g_app[0], g_app[1], sizeof g_app[0]);
    }
    ota_sim_flash_close(&g_board[0].dev);
    ota_sim_flash_close(&g_board[1].dev);
    return st == OTA_STORE_OK;
}

/* What the replay of the journal corpus counts. */
typedef struct corpus_tally {
    const ota_store_layout_t *rig;
    unsigned mounted;
} corpus_tally_t;

static void replay_file(const char *file, const uint8_t *data, size_t n, void *ctx)
{
    (void)file;
    corpus_tally_t *t = ctx;
    t->mounted += replay_input(data, n, t->rig);
}

static void test_mount_same_over_fuzz_corpus(void **unused)
{
    (void)unused;
    store_fixture_image(g_v1, sizeof g_v1, 1u);
    store_fixture_image(g_v2, sizeof g_v2, 2u);
    store_fixture_image(g_v3, sizeof g_v3, 3u);
    corpus_board_t *bd = &g_board[0];
    assert_int_equal(ota_sim_flash_open_ram(&bd->dev, ota_sim_preset("sst26vf032b"),
                                            &journal_rig_geometry, NULL),
                     OTA_FLASH_OK);
    assert_int_equal(ota_store_mount(&bd->store, ota_sim_flash_port(&bd->dev), &journal_rig_config),
                     OTA_STORE_OK);
    ota_store_layout_t rig = *ota_store_layout(&bd->store);
    ota_sim_flash_close(&bd->dev);
    static uint8_t data[16384];
    corpus_tally_t t = {&rig, 0u};
    unsigned inputs = corpus_files_each("journal", data, sizeof data, replay_file, &t);
    unsigned mounted = t.mounted;
    print_message("%u corpus inputs, %u mounted\n", inputs, mounted);
    assert_true(inputs >= 100u && mounted > 0u);
}

/* ---- the compact append against the default one ---------------------------------------- */

/* A NOR flash as the Cortex-M port's driver programs it (port/cortex-m/nor_mmio.c): a program
 * ANDs its bytes into whatever the cells hold and never refuses a cell already programmed,
 * where the strict model refuses it (OTA_FLASH_ERR_OVERWRITE) and so would hide a program of a
 * position that is not erased. In front of a device of the strict model, through its raw
 * view. */
typedef struct and_flash {
    ota_flash_t port;
    ota_sim_flash_t *dev;
} and_flash_t;

static ota_flash_status_t and_read(void *ctx, uint32_t addr, void *buf, uint32_t len)
{
    and_flash_t *a = ctx;
    return ota_flash_read(ota_sim_flash_port(a->dev), addr, buf, len);
}

static ota_flash_status_t and_program(void *ctx, uint32_t addr, const void *buf, uint32_t len)
{
    and_flash_t *a = ctx;
    ota_flash_status_t st = ota_flash_check_program(&a->port.geometry, addr, len);
    if (st != OTA_FLASH_OK) {
        return st;
    }
    uint8_t *mem = ota_sim_flash_raw(a->dev) + addr;
    const uint8_t *src = buf;
    for (uint32_t i = 0; i < len; i++) {
        mem[i] &= src[i];
    }
    return OTA_FLASH_OK;
}

static ota_flash_status_t and_erase(void *ctx, uint32_t addr, uint32_t len)
{
    and_flash_t *a = ctx;
    return ota_flash_erase(ota_sim_flash_port(a->dev), addr, len);
}

static const ota_flash_ops_t and_flash_ops = {and_read, and_program, and_erase};

/* Two boards whose flash starts the same: board 0 written by the default append, board 1 by
 * the compact one (the lean bootloaders'), each given the same snapshots. */
typedef struct append_pair {
    store_fixture_t *fx[2];
    and_flash_t nor[2];
    ota_store_t store[2]; /* mounted on the fixture's device, or through nor[] */
    const ota_flash_t *port[2];
    const ota_store_config_t *cfg;
    unsigned skipped; /* positions passed over (sequence numbers spent without a record) */
} append_pair_t;

/* and_nor: the boards' flash programs as the Cortex-M port's NOR driver (and_flash_t). */
static void pair_open(append_pair_t *p, const ota_store_config_t *cfg, bool and_nor)
{
    memset(p, 0, sizeof *p);
    p->cfg = cfg;
    for (unsigned k = 0; k < 2u; k++) {
        p->fx[k] = store_fixture_open(NULL, cfg);
        p->port[k] = ota_sim_flash_port(&p->fx[k]->dev);
        if (and_nor) {
            p->nor[k].port = (ota_flash_t){&and_flash_ops, &p->nor[k], p->port[k]->geometry};
            p->nor[k].dev = &p->fx[k]->dev;
            p->port[k] = &p->nor[k].port;
        }
        assert_int_equal(ota_store_mount(&p->store[k], p->port[k], cfg), OTA_STORE_OK);
    }
}

static void pair_close(append_pair_t *p)
{
    for (unsigned k = 0; k < 2u; k++) {
        store_fixture_close(p->fx[k]);
    }
}

static const ota_store_layout_t *pair_layout(append_pair_t *p)
{
    return ota_store_layout(&p->store[0]);
}

/* Both journals byte for byte, both stores' snapshots and bookkeeping. */
static void pair_assert_same(append_pair_t *p)
{
    const ota_store_layout_t *l = pair_layout(p);
    assert_memory_equal(ota_sim_flash_raw(&p->fx[0]->dev), ota_sim_flash_raw(&p->fx[1]->dev),
                        2u * l->journal_sector_size);
    const ota_store_t *a = &p->store[0], *b = &p->store[1];
    uint8_t count = ota_store_slot_count(a);
    const char *d = state_diff(&a->state, &b->state, count);
    if (d == NULL) {
        d = state_diff(&a->staged, &b->staged, count);
    }
    if (d != NULL) {
        fail_msg("stores differ in %s", d);
    }
    const ota_store_journal_t *x = &a->journal, *y = &b->journal;
    assert_int_equal(x->seq, y->seq);
    assert_int_equal(x->next_pos, y->next_pos);
    assert_int_equal(x->sector, y->sector);
    assert_int_equal(x->mount_kind, y->mount_kind);
    assert_int_equal(x->valid_records, y->valid_records);
    assert_int_equal(x->bad_records, y->bad_records);
    assert_int_equal(x->appends, y->appends);
    assert_int_equal(x->compactions, y->compactions);
}

/* A snapshot a store could hold (random_state, fitted to the fixture's layout). */
static void next_snapshot(append_pair_t *p, ota_store_state_t *st)
{
    random_state(st, true);
    uint32_t slot_size = pair_layout(p)->slot_size;
    for (unsigned i = 0; i < OTA_STORE_MAX_SLOTS; i++) {
        st->slots[i].size %= slot_size;
        st->slots[i].offset %= slot_size;
    }
}

/* The same snapshot appended on both boards, each by its append: the same status, the same
 * journal bytes, the same stores. */
static ota_store_status_t pair_append(append_pair_t *p, const ota_store_state_t *next)
{
    ota_store_status_t st[2];
    uint32_t seq_before = p->store[0].journal.seq;
    for (unsigned k = 0; k < 2u; k++) {
        ota_store_t *s = &p->store[k];
        s->staged = *next;
        st[k] = k == 0 ? ota_journal_append(s) : compact_journal_append(s);
    }
    if (st[0] != st[1]) {
        fail_msg("default append: %s, compact append: %s", ota_store_status_str(st[0]),
                 ota_store_status_str(st[1]));
    }
    pair_assert_same(p);
    if (st[0] == OTA_STORE_OK) {
        p->skipped += p->store[0].journal.seq - seq_before - 1u;
    }
    return st[0];
}

/* A reset: each board mounted again by the store (the default mount), and its journal by the
 * compact mount too: the same everywhere. */
static void pair_remount(append_pair_t *p)
{
    for (unsigned k = 0; k < 2u; k++) {
        ota_sim_power_on(&p->fx[k]->power);
        assert_int_equal(ota_store_mount(&p->store[k], p->port[k], p->cfg), OTA_STORE_OK);
        assert_int_equal(compare_mounts(&p->store[k], OTA_STORE_OK), 0);
    }
    pair_assert_same(p);
}

/* The same bytes programmed into both journals at addr (garbage, a torn record). */
static void pair_program(append_pair_t *p, uint32_t addr, const uint8_t *bytes, uint32_t len)
{
    bool ok[2];
    for (unsigned k = 0; k < 2u; k++) {
        ok[k] = journal_rig_program(p->port[k], addr, bytes, len);
    }
    assert_int_equal(ok[0], ok[1]);
}

/* Address of the position `ahead` positions after the next one to try, or UINT32_MAX when
 * that is past the active sector. */
static uint32_t pair_position_ahead(append_pair_t *p, uint32_t ahead)
{
    const ota_store_layout_t *l = pair_layout(p);
    const ota_store_journal_t *j = &p->store[0].journal;
    uint32_t pos = j->next_pos + ahead;
    return pos < l->records_per_sector ? j->sector * l->journal_sector_size + pos * l->record_size
                                       : UINT32_MAX;
}

/* Four sectors' worth of appends, with what a board meets on the way: garbage ahead of the
 * next position, torn records there (both passed over), a program that did not take (the
 * read-back fails, the next position is tried; on the strict model), resets. After every
 * append both journals are byte for byte the same. */
static void append_sequence(const ota_store_config_t *cfg, bool and_nor)
{
    static append_pair_t p;
    pair_open(&p, cfg, and_nor);
    const ota_store_layout_t *l = pair_layout(&p);
    unsigned appends = 4u * l->records_per_sector + 3u, bad_writes = 0;
    uint8_t junk[OTA_STORE_RECORD_BUF];
    ota_store_state_t st;
    for (unsigned i = 1; i <= appends; i++) {
        uint32_t at = pair_position_ahead(&p, i % 3u);
        if (i % 7u == 0 && at != UINT32_MAX) { /* garbage: a few bytes or a whole position */
            rnd_fill(junk, sizeof junk);
            pair_program(&p, at, junk, i % 2u ? 5u : l->record_size);
        } else if (i % 11u == 0 && at != UINT32_MAX) { /* a torn record */
            next_snapshot(&p, &st);
            ota_journal_encode(l, &st, p.store[0].journal.seq + 1u, junk);
            pair_program(&p, at, junk, 1u + rnd() % l->record_size);
        }
        if (i % 13u == 0 && !and_nor) { /* the next program of the journal does not take */
            uint64_t seed = rnd();
            for (unsigned k = 0; k < 2u; k++) {
                ota_sim_flash_arm_bad_write(&p.fx[k]->dev, OTA_SIM_BAD_FLIP, 0,
                                            2u * l->journal_sector_size, 1, seed);
            }
            bad_writes++;
        }
        next_snapshot(&p, &st);
        assert_int_equal(pair_append(&p, &st), OTA_STORE_OK);
        if (i % 5u == 0) {
            pair_remount(&p);
        }
    }
    pair_remount(&p);
    print_message("%s: %u appends (%u positions per sector), %u passed over, %u bad writes\n",
                  and_nor ? "NOR programs" : "strict model", appends,
                  (unsigned)l->records_per_sector, p.skipped, bad_writes);
    assert_true(p.skipped > bad_writes && (bad_writes > 0u || and_nor));
    pair_close(&p);
}

static void test_append_same_bytes_over_a_sequence(void **unused)
{
    (void)unused;
    /* five download slots: 368-byte records, 512-byte positions, two page programs each */
    static const ota_store_config_t two_pages = {.slot_size = 0x80000, .download_slots = 5};
    for (unsigned and_nor = 0; and_nor < 2u; and_nor++) {
        append_sequence(NULL, and_nor);
        append_sequence(&two_pages, and_nor);
    }
}

/* No position takes a record (every program leaves a bit set: test_journal_faults's weak
 * device, in front of each board): both appends try every position of both sectors, report
 * the journal full, and leave the same bytes. */
static void test_append_same_when_nothing_takes(void **unused)
{
    (void)unused;
    static faulty_domain_t domain[2];
    static faulty_flash_t weak[2];
    static ota_store_t store[2];
    static append_pair_t p;
    pair_open(&p, NULL, false);
    ota_store_state_t st;
    for (unsigned k = 0; k < 2u; k++) {
        memset(&domain[k], 0, sizeof domain[k]);
        faulty_flash_wrap(&weak[k], &domain[k], ota_sim_flash_port(&p.fx[k]->dev));
        assert_int_equal(ota_store_mount(&store[k], &weak[k].port, NULL), OTA_STORE_OK);
    }
    ota_store_status_t result[2];
    for (unsigned n = 0; n < 3u; n++) {
        next_snapshot(&p, &st);
        if (n == 2u) {
            domain[0].weak_programs = domain[1].weak_programs = 1000000u;
        }
        for (unsigned k = 0; k < 2u; k++) {
            store[k].staged = st;
            result[k] = k == 0 ? ota_journal_append(&store[k]) : compact_journal_append(&store[k]);
        }
        assert_int_equal(result[0], result[1]);
        assert_memory_equal(ota_sim_flash_raw(&p.fx[0]->dev), ota_sim_flash_raw(&p.fx[1]->dev),
                            2u * pair_layout(&p)->journal_sector_size);
        assert_int_equal(store[0].journal.seq, store[1].journal.seq);
        assert_int_equal(store[0].journal.compactions, store[1].journal.compactions);
    }
    assert_int_equal(result[0], OTA_STORE_ERR_JOURNAL_FULL);
    assert_int_equal(domain[1].weakened, domain[0].weakened);
    assert_true(domain[1].weakened > pair_layout(&p)->records_per_sector);
    pair_remount(&p); /* the last acknowledged record, on both */
    pair_close(&p);
}

/* A power cut at every program and erase of an append (before it, after it, torn), with the
 * append and a compaction among them: both boards cut at the same operation are left byte for
 * byte the same, mount the same, and take the next record the same way. */
static void append_power_cuts(const ota_store_config_t *cfg, unsigned records_before,
                              unsigned expect_ops)
{
    static const ota_sim_cut_mode_t modes[3] = {OTA_SIM_CUT_BEFORE, OTA_SIM_CUT_AFTER,
                                                OTA_SIM_CUT_TORN};
    ota_store_state_t history[40], next, after;
    assert_true(records_before + 2u <= sizeof history / sizeof history[0]);
    static append_pair_t p;
    pair_open(&p, cfg, false);
    for (unsigned i = 0; i < records_before + 2u; i++) {
        next_snapshot(&p, &history[i]);
    }
    for (unsigned i = 0; i < records_before; i++) {
        assert_int_equal(pair_append(&p, &history[i]), OTA_STORE_OK);
    }
    uint64_t base = p.fx[0]->power.ops;
    assert_int_equal(pair_append(&p, &history[records_before]), OTA_STORE_OK);
    unsigned ops = (unsigned)(p.fx[0]->power.ops - base);
    pair_close(&p);
    assert_int_equal(ops, expect_ops);
    unsigned cuts = 0, new_state = 0;
    for (unsigned m = 0; m < 3u; m++) {
        for (unsigned n = 1; n <= ops; n++) {
            pair_open(&p, cfg, false);
            for (unsigned i = 0; i < records_before; i++) {
                assert_int_equal(pair_append(&p, &history[i]), OTA_STORE_OK);
            }
            for (unsigned k = 0; k < 2u; k++) {
                ota_sim_power_arm(&p.fx[k]->power, p.fx[k]->power.ops + n, modes[m],
                                  1000u * n + m);
            }
            (void)pair_append(&p, &history[records_before]);
            pair_remount(&p);
            after = *ota_store_state(&p.store[0]);
            new_state += store_fixture_state_equal(&after, &history[records_before],
                                                   ota_store_slot_count(&p.store[0]));
            next = history[records_before + 1u];
            assert_int_equal(pair_append(&p, &next), OTA_STORE_OK);
            pair_remount(&p);
            cuts++;
            pair_close(&p);
        }
    }
    print_message("append after %u records: %u ops, %u cuts, %u found the new record\n",
                  records_before, ops, cuts, new_state);
    assert_true(new_state > 0u && new_state < cuts);
}

static void test_append_same_over_power_cuts(void **unused)
{
    (void)unused;
    append_power_cuts(NULL, 3, 1);
    append_power_cuts(NULL, 16, 2); /* the sector switch: erase the other, program its first */
    append_power_cuts(NULL, 32, 2); /* and back */
    ota_store_config_t two_pages = {.slot_size = 0x80000, .download_slots = 5};
    append_power_cuts(&two_pages, 2, 2);
    append_power_cuts(&two_pages, 8, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crc_same),
        cmocka_unit_test(test_encode_same_bytes),
        cmocka_unit_test(test_decode_same),
        cmocka_unit_test(test_mount_same_over_power_cuts),
        cmocka_unit_test(test_mount_same_torn_and_garbage),
        cmocka_unit_test(test_mount_same_over_fuzz_corpus),
        cmocka_unit_test(test_append_same_bytes_over_a_sequence),
        cmocka_unit_test(test_append_same_when_nothing_takes),
        cmocka_unit_test(test_append_same_over_power_cuts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
