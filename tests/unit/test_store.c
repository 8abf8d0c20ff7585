/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The image store on the strict flash model: downloads (verify what is in flash, resume),
 * slot choice, boot-field transitions, EraseVer, and a power cut at every flash operation of
 * a download, an EraseVer and an install, on the SST26 geometry and on a 64 KB-erase,
 * 16-byte-program geometry.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "store_fixture.h"

#define SMALL 6000u /* a "few KB" image: not a multiple of a page, crosses an erase unit */

static uint8_t img[160 * 1024];

static void make_image(uint32_t version, size_t len)
{
    assert_true(len <= sizeof img);
    store_fixture_image(img, len, version);
}

static void digest_of(size_t len, uint8_t out[OTA_SHA256_SIZE])
{
    ota_sha256(img, len, out);
}

static int slot_holds_image(store_fixture_t *fx, uint8_t slot, size_t len)
{
    const uint8_t *raw = ota_sim_flash_raw(&fx->dev) + ota_store_slot_addr(&fx->store, slot);
    return memcmp(raw, img, len) == 0;
}

/* ---- downloads --------------------------------------------------------------------------- */

static void test_download_stores_verified_image(void **unused)
{
    (void)unused;
    store_fixture_t *fx = store_fixture_open(NULL, NULL);
    make_image(2, SMALL);
    uint8_t slot = 0;
    assert_int_equal(store_fixture_download(&fx->store, 2, img, SMALL, 1000, &slot), OTA_STORE_OK);
    assert_int_equal(slot, 1);
    /* The slot start is 64 KB aligned with a whole block ahead: one block erase, no more. */
    assert_int_equal(ota_sim_flash_stats(&fx->dev).erases, 1);
    assert_int_equal(store_fixture_remount(fx), OTA_STORE_OK);
    const ota_store_slot_t *s = ota_store_slot(&fx->store, 1);
    assert_int_equal(s->state, OTA_SLOT_STORED);
    assert_int_equal(s->version, 2);
    assert_int_equal(s->size, SMALL);
    assert_true(slot_holds_image(fx, 1, SMALL));
    assert_int_equal(ota_store_slot_verify(&fx->store, 1), OTA_STORE_OK);
    assert_int_equal(ota_store_find_version(&fx->store, 2), 1);
    assert_int_equal(ota_store_find_version(&fx->store, 3), OTA_STORE_SLOT_NONE);
    /* Reading through the image source gives the same bytes. */
    ota_store_slot_source_t src;
    uint8_t buf[16];
    assert_int_equal(ota_store_image_source(&fx->store, 1, &src), OTA_STORE_OK);
    assert_int_equal(src.src.size, SMALL);
    assert_int_equal(src.src.read(src.src.ctx, 100, buf, sizeof buf), 0);
    assert_memory_equal(buf, img + 100, sizeof buf);
    store_fixture_close(fx);
}

static void test_any_chunking_gives_the_same_image(void **unused)
{
    (void)unused;
    static const size_t chunks[] = {1, 7, 255, 256, 257, 4096, SMALL};
    make_image(3, SMALL);
    for (size_t i = 0; i < sizeof chunks / sizeof chunks[0]; i++) {
        store_fixture_t *fx = store_fixture_open(&store_fixture_big_erase, NULL);
        assert_int_equal(store_fixture_download(&fx->store, 3, img, SMALL, chunks[i], NULL),
                         OTA_STORE_OK);
        assert_true(slot_holds_image(fx, 1, SMALL));
        store_fixture_close(fx);
    }
}

static void test_digest_mismatch_stores_nothing(void **unused)
{
    (void)unused;
    store_fixture_t *fx = store_fixture_open(NULL, NULL);
    make_image(4, SMALL);
    uint8_t digest[OTA_SHA256_SIZE];
    digest_of(SMALL, digest);
    img[SMALL / 2] ^= 1; /* what arrives differs from what the manifest describes */
    assert_int_equal(ota_store_download_begin(&fx->store, 4, SMALL, digest, NULL, NULL),
                     OTA_STORE_OK);
    assert_int_equal(ota_store_download_write(&fx->store, 0, img, SMALL), OTA_STORE_OK);
    assert_int_equal(ota_store_download_finish(&fx->store), OTA_STORE_ERR_DIGEST);
    assert_int_equal(ota_store_slot(&fx->store, 1)->state, OTA_SLOT_EMPTY);
    assert_int_equal(store_fixture_remount(fx), OTA_STORE_OK);
    assert_int_equal(ota_store_slot(&fx->store, 1)->state, OTA_SLOT_EMPTY);
    assert_false(ota_store_download_active(&fx->store, NULL, NULL));
    store_fixture_close(fx);
}

/* The store of a board with a hardware id never records an image for another board STORED
 * (store policy), whatever the manifest said; an image for this board is stored. */
static void test_image_for_another_board_refused(void **unused)
{
    (void)unused;
    ota_store_config_t cfg = {.hw_id = 0x57310002u}; /* fixture images say 0x57310001 */
    store_fixture_t *fx = store_fixture_open(NULL, &cfg);
    make_image(4, SMALL);
    uint8_t slot = OTA_STORE_SLOT_NONE;
    assert_int_equal(store_fixture_download(&fx->store, 4, img, SMALL, 1000, &slot),
                     OTA_STORE_ERR_HW_ID);
    assert_string_equal(ota_store_status_str(OTA_STORE_ERR_HW_ID),
                        "image built for another board (hw id)");
    assert_int_equal(ota_store_find_version(&fx->store, 4), OTA_STORE_SLOT_NONE);
    assert_int_equal(store_fixture_remount(fx), OTA_STORE_OK);
    assert_int_equal(ota_store_slot(&fx->store, 1)->state, OTA_SLOT_EMPTY);
    store_fixture_close(fx);

    cfg.hw_id = 0x57310001u;
    fx = store_fixture_open(NULL, &cfg);
    assert_int_equal(store_fixture_download(&fx->store, 4, img, SMALL, 1000, &slot), OTA_STORE_OK);
    assert_int_equal(ota_store_slot(&fx->store, slot)->state, OTA_SLOT_STORED);
    store_fixture_close(fx);
}

/* v's image of SMALL bytes, downloaded (begun as version `as`) but not yet finished. */
static void download_unfinished(store_fixture_t *fx, uint32_t v, uint32_t as)
{
    make_image(v, SMALL);
    uint8_t digest[OTA_SHA256_SIZE];
    digest_of(SMALL, digest);
    assert_int_equal(ota_store_download_begin(&fx->store, as, SMALL, digest, NULL, NULL),
                     OTA_STORE_OK);
    assert_int_equal(ota_store_download_write(&fx->store, 0, img, SMALL), OTA_STORE_OK);
}

static void test_flash_corruption_after_write_is_caught(void **unused)
{
    (void)unused;
    /* The hash is of what is in flash, not of what came over the wire: a bit flipped in flash
     * between programming and finishing fails the download. */
    store_fixture_t *fx = store_fixture_open(NULL, NULL);
    download_unfinished(fx, 5, 5);
    ota_sim_flash_raw(&fx->dev)[ota_store_slot_addr(&fx->store, 1) + 10] ^= 0x40;
    assert_int_equal(ota_store_download_finish(&fx->store), OTA_STORE_ERR_DIGEST);
    store_fixture_close(fx);
}

/* Bytes that match the manifest digest but are no installable image are not STORED. */
static void expect_image_refused(uint32_t version, const uint8_t *bytes, size_t len)
{
    store_fixture_t *fx = store_fixture_open(NULL, NULL);
    uint8_t digest[OTA_SHA256_SIZE];
    ota_sha256(bytes, len, digest);
    assert_int_equal(ota_store_download_begin(&fx->store, version, (uint32_t)len, digest, NULL,
                                              NULL),
                     OTA_STORE_OK);
    assert_int_equal(ota_store_download_write(&fx->store, 0, bytes, len), OTA_STORE_OK);
    assert_int_equal(ota_store_download_finish(&fx->store), OTA_STORE_ERR_IMAGE);
    assert_int_equal(store_fixture_remount(fx), OTA_STORE_OK);
    assert_int_equal(ota_store_slot(&fx->store, 1)->state, OTA_SLOT_EMPTY);
    store_fixture_close(fx);
}

static void test_invalid_image_with_matching_digest_is_refused(void **unused)
{
    (void)unused;
    make_image(12, SMALL);
    expect_image_refused(13, img, SMALL);          /* header says 12, manifest says 13 */
    img[OTA_IMAGE_HEADER_SIZE + 5] ^= 1;           /* payload no longer matches its TLV */
    expect_image_refused(12, img, SMALL);
    make_image(12, SMALL);
    img[SMALL] = 0;                                /* a byte after the image's end */
    expect_image_refused(12, img, SMALL + 1);
    memset(img, 0x5A, SMALL);                      /* not an image at all */
    expect_image_refused(12, img, SMALL);
}

/* A flash whose first read at `header` returns another image version: what a bus attacker
 * timing the reads could do between the store's parse of the header and its hash pass. */
typedef struct two_faced_flash {
    ota_flash_t port;
    ota_flash_ops_t ops;
    const ota_flash_t *inner;
    uint32_t header;
    uint32_t version_first;
    unsigned header_reads;
} two_faced_flash_t;

static ota_flash_status_t two_faced_read(void *ctx, uint32_t addr, void *buf, uint32_t len)
{
    two_faced_flash_t *t = ctx;
    ota_flash_status_t st = ota_flash_read(t->inner, addr, buf, len);
    if (st == OTA_FLASH_OK && addr == t->header && t->header_reads++ == 0 &&
        len >= OTA_IMAGE_OFF_VERSION + 4u) {
        uint8_t *v = (uint8_t *)buf + OTA_IMAGE_OFF_VERSION;
        for (unsigned i = 0; i < 4u; i++) {
            v[i] = (uint8_t)(t->version_first >> (8u * i));
        }
    }
    return st;
}

static ota_flash_status_t two_faced_program(void *ctx, uint32_t addr, const void *buf,
                                            uint32_t len)
{
    return ota_flash_program(((two_faced_flash_t *)ctx)->inner, addr, buf, len);
}

static ota_flash_status_t two_faced_erase(void *ctx, uint32_t addr, uint32_t len)
{
    return ota_flash_erase(((two_faced_flash_t *)ctx)->inner, addr, len);
}

/* The header hashed must be the header parsed: v13's bytes (their digest and own hash right)
 * shown as v12 to the parse are not recorded STORED as the v12 the download was begun for. */
static void test_header_changed_between_parse_and_hash_is_refused(void **unused)
{
    (void)unused;
    store_fixture_t *fx = store_fixture_open(NULL, NULL);
    download_unfinished(fx, 13, 12);
    two_faced_flash_t t = {.inner = fx->store.flash,
                           .header = ota_store_slot_addr(&fx->store, 1),
                           .version_first = 12};
    t.ops = (ota_flash_ops_t){two_faced_read, two_faced_program, two_faced_erase};
    t.port = (ota_flash_t){.ops = &t.ops, .ctx = &t, .geometry = t.inner->geometry};
    fx->store.flash = &t.port;
    assert_int_equal(ota_store_download_finish(&fx->store), OTA_STORE_ERR_IMAGE);
    assert_true(t.header_reads >= 2u); /* parsed as v12, hashed as v13 */
    assert_int_equal(store_fixture_remount(fx), OTA_STORE_OK);
    assert_int_equal(ota_store_slot(&fx->store, 1)->state, OTA_SLOT_EMPTY);
    store_fixture_close(fx);
}

static void test_download_argument_errors(void **unused)
{
    (void)unused;
    store_fixture_t *fx = store_fixture_open(NULL, NULL);
    ota_store_t *s = &fx->store;
    make_image(6, SMALL);
    uint8_t digest[OTA_SHA256_SIZE];
    digest_of(SMALL, digest);
    assert_int_equal(ota_store_download_write(s, 0, img, 10), OTA_STORE_ERR_STATE);
    assert_int_equal(ota_store_download_finish(s), OTA_STORE_ERR_STATE);
    assert_int_equal(ota_store_download_begin(s, 0, SMALL, digest, NULL, NULL), OTA_STORE_ERR_ARG);
    assert_int_equal(ota_store_download_begin(s, 6, SMALL, NULL, NULL, NULL), OTA_STORE_ERR_ARG);
    assert_int_equal(ota_store_download_begin(s, 6, 0xE0001, digest, NULL, NULL),
                     OTA_STORE_ERR_TOO_LARGE);
    assert_int_equal(ota_store_download_begin(s, 6, SMALL, digest, NULL, NULL), OTA_STORE_OK);
    assert_int_equal(ota_store_download_begin(s, 7, SMALL, digest, NULL, NULL), OTA_STORE_ERR_BUSY);
    assert_int_equal(ota_store_download_write(s, 1, img, 10), OTA_STORE_ERR_OFFSET);
    assert_int_equal(ota_store_download_write(s, 0, img, SMALL + 1), OTA_STORE_ERR_TOO_LARGE);
    assert_int_equal(ota_store_download_write(s, 0, img, 1000), OTA_STORE_OK);
    assert_int_equal(ota_store_download_finish(s), OTA_STORE_ERR_SIZE); /* still active */
    assert_int_equal(ota_store_download_write(s, 1000, img + 1000, SMALL - 1000), OTA_STORE_OK);
    assert_int_equal(ota_store_download_finish(s), OTA_STORE_OK);
    assert_int_equal(ota_store_download_begin(s, 6, SMALL, digest, NULL, NULL),
                     OTA_STORE_ERR_EXISTS);
    /* Unknown size: the image is as long as what was written. */
    make_image(8, 3000);
    digest_of(3000, digest);
    assert_int_equal(ota_store_download_begin(s, 8, 0, digest, NULL, NULL), OTA_STORE_OK);
    assert_int_equal(ota_store_download_write(s, 0, img, 3000), OTA_STORE_OK);
    assert_int_equal(ota_store_download_finish(s), OTA_STORE_OK);
    assert_int_equal(ota_store_slot(s, 2)->size, 3000);
    store_fixture_close(fx);
}

static void test_abort_leaves_slot_empty(void **unused)
{
    (void)unused;
    store_fixture_t *fx = store_fixture_open(NULL, NULL);
    make_image(9, SMALL);
    uint8_t digest[OTA_SHA256_SIZE];
    digest_of(SMALL, digest);
    assert_int_equal(ota_store_download_abort(&fx->store), OTA_STORE_ERR_STATE);
    assert_int_equal(ota_store_download_begin(&fx->store, 9, SMALL, digest, NULL, NULL),
                     OTA_STORE_OK);
    assert_int_equal(ota_store_download_write(&fx->store, 0, img, 3000), OTA_STORE_OK);
    assert_int_equal(ota_store_download_abort(&fx->store), OTA_STORE_OK);
    assert_int_equal(store_fixture_remount(fx), OTA_STORE_OK);
    assert_int_equal(ota_store_slot(&fx->store, 1)->state, OTA_SLOT_EMPTY);
    store_fixture_close(fx);
}

/* Download part of an image, lose power, resume: the rest is requested from the durable
 * offset, not from zero, and the image ends up right. */
static void resume_after_cut(const ota_flash_geometry_t *g, uint32_t checkpoint, size_t len,
                             size_t cut_after, uint32_t expect_resume)
{
    ota_store_config_t cfg = {.checkpoint_interval = checkpoint};
    store_fixture_t *fx = store_fixture_open(g, &cfg);
    make_image(10, len);
    uint8_t digest[OTA_SHA256_SIZE];
    digest_of(len, digest);
    uint32_t resume = 99;
    assert_int_equal(ota_store_download_begin(&fx->store, 10, (uint32_t)len, digest, NULL, &resume),
                     OTA_STORE_OK);
    assert_int_equal(resume, 0);
    assert_int_equal(ota_store_download_write(&fx->store, 0, img, cut_after), OTA_STORE_OK);
    /* The power goes in the middle of the next program. */
    ota_sim_power_arm(&fx->power, fx->power.ops + 1, OTA_SIM_CUT_TORN, 3);
    assert_int_equal(ota_store_download_write(&fx->store, (uint32_t)cut_after, img + cut_after,
                                              len - cut_after),
                     OTA_STORE_ERR_FLASH);
    assert_false(ota_store_download_active(&fx->store, NULL, NULL));
    assert_int_equal(store_fixture_remount(fx), OTA_STORE_OK);
    const ota_store_slot_t *s = ota_store_slot(&fx->store, 1);
    assert_int_equal(s->state, OTA_SLOT_DOWNLOADING);
    assert_int_equal(s->offset, expect_resume);
    uint8_t slot = 0;
    assert_int_equal(ota_store_download_begin(&fx->store, 10, (uint32_t)len, digest, &slot, &resume),
                     OTA_STORE_OK);
    assert_int_equal(slot, 1);
    assert_int_equal(resume, expect_resume);
    assert_int_equal(ota_store_download_write(&fx->store, resume, img + resume, len - resume),
                     OTA_STORE_OK);
    assert_int_equal(ota_store_download_finish(&fx->store), OTA_STORE_OK);
    assert_int_equal(store_fixture_remount(fx), OTA_STORE_OK);
    assert_int_equal(ota_store_slot(&fx->store, 1)->state, OTA_SLOT_STORED);
    assert_true(slot_holds_image(fx, 1, len));
    store_fixture_close(fx);
}

static void test_interrupted_download_resumes_at_durable_offset(void **unused)
{
    (void)unused;
    /* 4 KB units, checkpoint every 8 KB: 20,000 bytes written -> durable 16 KB. */
    resume_after_cut(NULL, 8192, 40000, 20000, 16384);
    /* 64 KB units: checkpoints only at 64 KB boundaries. */
    resume_after_cut(&store_fixture_big_erase, 1, 150000, 140000, 131072);
    resume_after_cut(&store_fixture_big_erase, 1, 60000, 40000, 0);
}

static void test_explicit_checkpoint(void **unused)
{
    (void)unused;
    ota_store_config_t cfg = {.checkpoint_interval = UINT32_MAX}; /* never automatic */
    store_fixture_t *fx = store_fixture_open(NULL, &cfg);
    make_image(11, 20000);
    uint8_t digest[OTA_SHA256_SIZE];
    digest_of(20000, digest);
    uint32_t durable = 1;
    assert_int_equal(ota_store_download_checkpoint(&fx->store, &durable), OTA_STORE_ERR_STATE);
    assert_int_equal(ota_store_download_begin(&fx->store, 11, 20000, digest, NULL, NULL),
                     OTA_STORE_OK);
    assert_int_equal(ota_store_download_write(&fx->store, 0, img, 9000), OTA_STORE_OK);
    uint32_t appends = fx->store.journal.appends;
    assert_int_equal(ota_store_download_checkpoint(&fx->store, &durable), OTA_STORE_OK);
    assert_int_equal(durable, 8192);
    assert_int_equal(fx->store.journal.appends, appends + 1);
    /* Same boundary again: nothing to record. */
    assert_int_equal(ota_store_download_checkpoint(&fx->store, &durable), OTA_STORE_OK);
    assert_int_equal(fx->store.journal.appends, appends + 1);
    assert_int_equal(store_fixture_remount(fx), OTA_STORE_OK);
    assert_int_equal(ota_store_slot(&fx->store, 1)->offset, 8192);
    store_fixture_close(fx);
}

/* ---- slot choice ------------------------------------------------------------------------- */

static void test_slot_choice_rules(void **unused)
{
    (void)unused;
    store_fixture_t *fx = store_fixture_open(NULL, NULL);
    ota_store_t *s = &fx->store;
    /* Empty slots first, lowest index. */
    assert_int_equal(store_fixture_store_version(fx, 1, 2000), 1);
    assert_int_equal(store_fixture_store_version(fx, 2, 2000), 2);
    /* Running v2 from slot 2: v3 must take slot 1 (v1, the only one not running). */
    assert_int_equal(ota_store_set_running(s, 2, 2), OTA_STORE_OK);
    assert_int_equal(ota_store_slot(s, 2)->state, OTA_SLOT_INSTALLED);
    assert_int_equal(store_fixture_store_version(fx, 3, 2000), 1);
    /* Install v3: while v3 is on trial, slot 2 (v2) is the rollback target: no slot free. */
    assert_int_equal(ota_store_request_install(s, 1), OTA_STORE_OK);
    make_image(4, 2000);
    uint8_t digest[OTA_SHA256_SIZE];
    digest_of(2000, digest);
    /* The pending install's slot and the running slot are both protected. */
    assert_int_equal(ota_store_download_begin(s, 4, 2000, digest, NULL, NULL), OTA_STORE_ERR_NO_SLOT);
    assert_int_equal(ota_store_install_begin(s), OTA_STORE_OK);
    assert_int_equal(ota_store_install_done(s), OTA_STORE_OK);
    assert_int_equal(ota_store_boot(s)->previous_slot, 2);
    assert_int_equal(ota_store_download_begin(s, 4, 2000, digest, NULL, NULL), OTA_STORE_ERR_NO_SLOT);
    /* Confirmed: v2 is an ordinary stored version again, and the lowest: v4 takes it. */
    assert_int_equal(ota_store_confirm(s, 0), OTA_STORE_OK);
    assert_int_equal(store_fixture_store_version(fx, 4, 2000), 2);
    store_fixture_close(fx);

    /* Three slots, none running: the lowest version is replaced. */
    ota_store_config_t cfg = {.download_slots = 3};
    fx = store_fixture_open(NULL, &cfg);
    assert_int_equal(store_fixture_store_version(fx, 7, 1000), 1);
    assert_int_equal(store_fixture_store_version(fx, 5, 1000), 2);
    assert_int_equal(store_fixture_store_version(fx, 6, 1000), 3);
    assert_int_equal(store_fixture_store_version(fx, 8, 1000), 2);
    assert_int_equal(store_fixture_store_version(fx, 9, 1000), 3);
    store_fixture_close(fx);
}

/* ---- boot fields ------------------------------------------------------------------------- */

/* A board as the bootloader leaves it after its first boot: v1 running, copied to factory. */
static void first_boot(store_fixture_t *fx)
{
    ota_store_t *s = &fx->store;
    assert_int_equal(ota_store_set_running(s, 1, OTA_STORE_SLOT_NONE), OTA_STORE_OK);
    make_image(1, 3000);
    uint8_t digest[OTA_SHA256_SIZE];
    digest_of(3000, digest);
    uint32_t resume = 1;
    assert_int_equal(ota_store_factory_begin(s, 1, 3000, digest, &resume), OTA_STORE_OK);
    assert_int_equal(resume, 0);
    assert_int_equal(ota_store_download_write(s, 0, img, 3000), OTA_STORE_OK);
    assert_int_equal(ota_store_download_finish(s), OTA_STORE_OK);
    assert_int_equal(ota_store_set_running(s, 1, OTA_STORE_FACTORY_SLOT), OTA_STORE_OK);
    assert_int_equal(ota_store_factory_begin(s, 1, 3000, digest, NULL), OTA_STORE_ERR_STATE);
}

/* Install slot as the bootloader would: pending -> installing -> trial. */
static void install(store_fixture_t *fx, uint8_t slot)
{
    ota_store_t *s = &fx->store;
    if (slot != OTA_STORE_SLOT_NONE) {
        assert_int_equal(ota_store_request_install(s, slot), OTA_STORE_OK);
    }
    assert_int_equal(ota_store_boot(s)->state, OTA_BOOT_INSTALL_PENDING);
    assert_int_equal(ota_store_install_begin(s), OTA_STORE_OK);
    assert_int_equal(ota_store_install_progress(s, 4096), OTA_STORE_OK);
    assert_int_equal(store_fixture_remount(fx), OTA_STORE_OK);
    assert_int_equal(ota_store_boot(s)->install_progress, 4096);
    assert_int_equal(ota_store_install_begin(s), OTA_STORE_OK); /* resumed: no change */
    assert_int_equal(ota_store_install_done(s), OTA_STORE_OK);
    assert_int_equal(ota_store_boot(s)->state, OTA_BOOT_TRIAL);
}

static void test_update_trial_confirm(void **unused)
{
    (void)unused;
    store_fixture_t *fx = store_fixture_open(NULL, NULL);
    ota_store_t *s = &fx->store;
    first_boot(fx);
    assert_int_equal(ota_store_boot(s)->running_slot, OTA_STORE_FACTORY_SLOT);
    uint8_t slot = store_fixture_store_version(fx, 2, 3000);
    assert_int_equal(slot, 1);
    /* Transitions not allowed from CONFIRMED. */
    assert_int_equal(ota_store_install_begin(s), OTA_STORE_ERR_STATE);
    assert_int_equal(ota_store_install_done(s), OTA_STORE_ERR_STATE);
    assert_int_equal(ota_store_install_progress(s, 1), OTA_STORE_ERR_STATE);
    assert_int_equal(ota_store_trial_attempt(s, NULL), OTA_STORE_ERR_STATE);
    assert_int_equal(ota_store_request_install(s, 2), OTA_STORE_ERR_STATE); /* empty slot */
    assert_int_equal(ota_store_request_install(s, 0), OTA_STORE_ERR_PROTECTED); /* running */
    assert_int_equal(ota_store_request_install(s, 9), OTA_STORE_ERR_ARG);
    install(fx, slot);
    const ota_store_boot_t *b = ota_store_boot(s);
    assert_int_equal(b->running_version, 2);
    assert_int_equal(b->running_slot, 1);
    assert_int_equal(b->previous_slot, OTA_STORE_FACTORY_SLOT);
    assert_int_equal(b->previous_version, 1);
    assert_int_equal(ota_store_slot(s, 1)->state, OTA_SLOT_INSTALLED);
    uint8_t attempts = 0;
    assert_int_equal(ota_store_trial_attempt(s, &attempts), OTA_STORE_OK);
    assert_int_equal(ota_store_trial_attempt(s, &attempts), OTA_STORE_OK);
    assert_int_equal(attempts, 2);
    assert_int_equal(store_fixture_remount(fx), OTA_STORE_OK);
    assert_int_equal(ota_store_boot(s)->attempts, 2);
    assert_int_equal(ota_store_confirm(s, 7), OTA_STORE_OK);
    assert_int_equal(store_fixture_remount(fx), OTA_STORE_OK);
    b = ota_store_boot(s);
    assert_int_equal(b->state, OTA_BOOT_CONFIRMED);
    assert_int_equal(b->security_counter, 7);
    assert_int_equal(b->previous_slot, OTA_STORE_SLOT_NONE);
    /* The counter never goes down; confirming again without change writes nothing. */
    uint32_t appends = s->journal.appends;
    assert_int_equal(ota_store_confirm(s, 3), OTA_STORE_OK);
    assert_int_equal(s->journal.appends, appends);
    assert_int_equal(ota_store_boot(s)->security_counter, 7);
    store_fixture_close(fx);
}

static void test_failed_trial_rolls_back_and_rejects(void **unused)
{
    (void)unused;
    store_fixture_t *fx = store_fixture_open(NULL, NULL);
    ota_store_t *s = &fx->store;
    first_boot(fx);
    install(fx, store_fixture_store_version(fx, 2, 3000));
    assert_int_equal(ota_store_confirm(s, 0), OTA_STORE_OK);
    install(fx, store_fixture_store_version(fx, 3, 3000)); /* slot 2; previous = slot 1 (v2) */
    assert_int_equal(ota_store_boot(s)->previous_slot, 1);
    /* Trial fails: back to v2 (the image v3 replaced), v3 rejected. */
    assert_int_equal(ota_store_rollback(s, true), OTA_STORE_OK);
    const ota_store_boot_t *b = ota_store_boot(s);
    assert_int_equal(b->state, OTA_BOOT_INSTALL_PENDING);
    assert_int_equal(b->install_slot, 1);
    assert_int_equal(b->install_reason, OTA_INSTALL_ROLLBACK);
    assert_true(ota_store_is_rejected(s, 3));
    assert_int_equal(ota_store_slot(s, 2)->state, OTA_SLOT_REJECTED);
    assert_int_equal(store_fixture_remount(fx), OTA_STORE_OK);
    install(fx, OTA_STORE_SLOT_NONE);
    b = ota_store_boot(s);
    assert_int_equal(b->running_version, 2);
    assert_int_equal(b->previous_slot, OTA_STORE_SLOT_NONE); /* the rejected one is no target */
    assert_int_equal(ota_store_slot(s, 2)->state, OTA_SLOT_REJECTED);
    /* The agent will not fetch v3 again; the rejected slot is free space. */
    make_image(3, 3000);
    uint8_t digest[OTA_SHA256_SIZE];
    digest_of(3000, digest);
    assert_int_equal(ota_store_download_begin(s, 3, 3000, digest, NULL, NULL),
                     OTA_STORE_ERR_REJECTED);
    assert_int_equal(ota_store_confirm(s, 0), OTA_STORE_OK);
    assert_int_equal(store_fixture_store_version(fx, 4, 3000), 2);
    store_fixture_close(fx);
}

static void test_rejected_list_keeps_the_newest(void **unused)
{
    (void)unused;
    store_fixture_t *fx = store_fixture_open(NULL, NULL);
    ota_store_t *s = &fx->store;
    first_boot(fx);
    for (uint32_t v = 2; v <= 11; v++) {
        install(fx, store_fixture_store_version(fx, v, 500));
        assert_int_equal(ota_store_rollback(s, true), OTA_STORE_OK);
        install(fx, OTA_STORE_SLOT_NONE); /* back to factory v1 */
        assert_int_equal(ota_store_confirm(s, 0), OTA_STORE_OK);
    }
    assert_int_equal(store_fixture_remount(fx), OTA_STORE_OK);
    assert_int_equal(ota_store_boot(s)->rejected_count, OTA_STORE_REJECTED_MAX);
    assert_false(ota_store_is_rejected(s, 2));
    assert_false(ota_store_is_rejected(s, 3));
    for (uint32_t v = 4; v <= 11; v++) {
        assert_true(ota_store_is_rejected(s, v));
    }
    store_fixture_close(fx);
}

static void test_factory_reset_and_rollback_without_target(void **unused)
{
    (void)unused;
    store_fixture_t *fx = store_fixture_open(NULL, NULL);
    ota_store_t *s = &fx->store;
    assert_int_equal(ota_store_factory_reset(s), OTA_STORE_ERR_NO_ROLLBACK);
    assert_int_equal(ota_store_rollback(s, false), OTA_STORE_ERR_NO_ROLLBACK);
    first_boot(fx);
    assert_int_equal(ota_store_rollback(s, false), OTA_STORE_ERR_NO_ROLLBACK); /* on factory */
    install(fx, store_fixture_store_version(fx, 2, 1000));
    assert_int_equal(ota_store_confirm(s, 0), OTA_STORE_OK);
    assert_int_equal(ota_store_factory_reset(s), OTA_STORE_OK);
    assert_int_equal(ota_store_boot(s)->install_slot, OTA_STORE_FACTORY_SLOT);
    assert_int_equal(ota_store_boot(s)->install_reason, OTA_INSTALL_FACTORY);
    assert_int_equal(ota_store_confirm(s, 0), OTA_STORE_ERR_STATE); /* install pending */
    install(fx, OTA_STORE_SLOT_NONE);
    assert_int_equal(ota_store_boot(s)->running_slot, OTA_STORE_FACTORY_SLOT);
    assert_int_equal(ota_store_slot(s, 1)->state, OTA_SLOT_STORED); /* v2 kept, usable */
    store_fixture_close(fx);
}

/* ---- EraseVer ---------------------------------------------------------------------------- */

static int slot_erased(store_fixture_t *fx, uint8_t slot)
{
    const uint8_t *raw = ota_sim_flash_raw(&fx->dev) + ota_store_slot_addr(&fx->store, slot);
    for (uint32_t i = 0; i < ota_store_layout(&fx->store)->slot_size; i++) {
        if (raw[i] != 0xFF) {
            return 0;
        }
    }
    return 1;
}

static void erase_stored_version(const ota_flash_geometry_t *g)
{
    store_fixture_t *fx = store_fixture_open(g, NULL);
    ota_store_t *s = &fx->store;
    assert_int_equal(store_fixture_store_version(fx, 1, 3000), 1);
    assert_int_equal(store_fixture_store_version(fx, 2, 3000), 2);
    assert_int_equal(ota_store_erase_version(s, 7), OTA_STORE_ERR_NOT_FOUND);
    assert_int_equal(ota_store_erase_version(s, 0), OTA_STORE_ERR_ARG);
    assert_int_equal(ota_store_erase_version(s, 1), OTA_STORE_OK);
    assert_int_equal(store_fixture_remount(fx), OTA_STORE_OK);
    assert_int_equal(ota_store_slot(s, 1)->state, OTA_SLOT_EMPTY);
    assert_int_equal(ota_store_slot(s, 2)->state, OTA_SLOT_STORED);
    assert_true(slot_erased(fx, 1));
    assert_int_equal(ota_store_erase_version(s, 1), OTA_STORE_ERR_NOT_FOUND);
    store_fixture_close(fx);
}

static void test_erase_version_of_stored_image(void **unused)
{
    (void)unused;
    erase_stored_version(NULL);
    erase_stored_version(&store_fixture_big_erase);
}

static void test_erase_version_of_running_rolls_back(void **unused)
{
    (void)unused;
    store_fixture_t *fx = store_fixture_open(NULL, NULL);
    ota_store_t *s = &fx->store;
    first_boot(fx);
    install(fx, store_fixture_store_version(fx, 2, 1000));
    assert_int_equal(ota_store_confirm(s, 0), OTA_STORE_OK);
    install(fx, store_fixture_store_version(fx, 3, 1000));
    /* On trial, the image it replaced (v2) must be kept. */
    assert_int_equal(ota_store_erase_version(s, 2), OTA_STORE_ERR_PROTECTED);
    assert_int_equal(ota_store_confirm(s, 0), OTA_STORE_OK);
    /* Erase the running v3: the highest lower stored version (v2) is to be installed. */
    assert_int_equal(ota_store_erase_version(s, 3), OTA_STORE_OK);
    assert_int_equal(store_fixture_remount(fx), OTA_STORE_OK);
    const ota_store_boot_t *b = ota_store_boot(s);
    assert_int_equal(b->state, OTA_BOOT_INSTALL_PENDING);
    assert_int_equal(b->install_slot, 1);
    assert_int_equal(b->install_reason, OTA_INSTALL_ROLLBACK);
    /* The running image's bytes stay until another image runs. */
    assert_int_equal(ota_store_slot(s, 2)->state, OTA_SLOT_INSTALLED);
    assert_true(ota_store_slot(s, 2)->flags & OTA_SLOT_FLAG_DISCARD);
    assert_int_equal(ota_store_slot_verify(s, 2), OTA_STORE_OK);
    install(fx, OTA_STORE_SLOT_NONE);
    assert_int_equal(ota_store_boot(s)->running_version, 2);
    assert_int_equal(ota_store_slot(s, 2)->state, OTA_SLOT_EMPTY);
    assert_int_equal(ota_store_boot(s)->previous_slot, OTA_STORE_SLOT_NONE);
    assert_false(ota_store_is_rejected(s, 3));
    assert_int_equal(ota_store_confirm(s, 0), OTA_STORE_OK);
    /* Running v2 with nothing lower but the factory image: EraseVer(2) goes to factory. */
    assert_int_equal(ota_store_erase_version(s, 2), OTA_STORE_OK);
    assert_int_equal(ota_store_boot(s)->install_slot, OTA_STORE_FACTORY_SLOT);
    store_fixture_close(fx);
}

static void test_erase_version_of_running_refused_without_target(void **unused)
{
    (void)unused;
    store_fixture_t *fx = store_fixture_open(NULL, NULL);
    ota_store_t *s = &fx->store;
    /* v2 runs from slot 1; no factory image, nothing lower stored (v3 is higher). */
    assert_int_equal(store_fixture_store_version(fx, 2, 1000), 1);
    assert_int_equal(ota_store_set_running(s, 2, 1), OTA_STORE_OK);
    assert_int_equal(store_fixture_store_version(fx, 3, 1000), 2);
    uint32_t appends = s->journal.appends;
    assert_int_equal(ota_store_erase_version(s, 2), OTA_STORE_ERR_NO_ROLLBACK);
    assert_int_equal(s->journal.appends, appends);
    assert_int_equal(ota_store_boot(s)->state, OTA_BOOT_CONFIRMED);
    assert_int_equal(ota_store_slot(s, 1)->flags, 0);
    /* The pending install of a slot is protected too. */
    assert_int_equal(ota_store_request_install(s, 2), OTA_STORE_OK);
    assert_int_equal(ota_store_erase_version(s, 3), OTA_STORE_ERR_PROTECTED);
    store_fixture_close(fx);
}

/* An EraseVer of the running version whose only target (the factory image) is below the
 * device's security counter: refused with its own status and nothing written, so the
 * bootloader never reaches its "refused, slot recorded EMPTY" path and the factory image
 * survives. The factory version itself is never erased by EraseVer. */
static void test_erase_version_never_goes_below_the_floor(void **unused)
{
    (void)unused;
    store_fixture_t *fx = store_fixture_open(NULL, NULL);
    ota_store_t *s = &fx->store;
    first_boot(fx); /* factory v1; test images carry security counter 7 */
    install(fx, store_fixture_store_version(fx, 2, 1000));
    /* As if v2 had counter 8: the device's counter is now above the factory image's. */
    assert_int_equal(ota_store_confirm(s, 8), OTA_STORE_OK);
    assert_int_equal(ota_store_security_floor(s), 8);

    uint32_t appends = s->journal.appends;
    assert_int_equal(ota_store_erase_version(s, 2), OTA_STORE_ERR_BELOW_FLOOR);
    assert_string_equal(ota_store_status_str(OTA_STORE_ERR_BELOW_FLOOR),
                        "roll back target below the security counter");
    assert_int_equal(s->journal.appends, appends);
    assert_int_equal(store_fixture_remount(fx), OTA_STORE_OK);
    const ota_store_boot_t *b = ota_store_boot(s);
    assert_int_equal(b->state, OTA_BOOT_CONFIRMED);
    assert_int_equal(b->running_version, 2);
    assert_int_equal(ota_store_slot(s, OTA_STORE_FACTORY_SLOT)->state, OTA_SLOT_STORED);
    assert_int_equal(ota_store_slot_verify(s, OTA_STORE_FACTORY_SLOT), OTA_STORE_OK);
    assert_int_equal(ota_store_slot(s, 1)->flags, 0);

    /* EraseVer of the factory version (not running) finds nothing it may erase. */
    assert_int_equal(ota_store_erase_version(s, 1), OTA_STORE_ERR_NOT_FOUND);
    assert_int_equal(ota_store_slot(s, OTA_STORE_FACTORY_SLOT)->state, OTA_SLOT_STORED);
    assert_int_equal(ota_store_slot_verify(s, OTA_STORE_FACTORY_SLOT), OTA_STORE_OK);
    store_fixture_close(fx);
}

/* ---- power cut at every flash operation -------------------------------------------------- */

typedef struct download_sweep {
    uint32_t version;
    size_t len;
    int resumed; /* cuts after which the download resumed from a non-zero offset */
} download_sweep_t;

static void setup_nothing(store_fixture_t *fx, void *ctx)
{
    (void)fx;
    (void)ctx;
}

static ota_store_status_t op_download(store_fixture_t *fx, void *ctx)
{
    download_sweep_t *d = ctx;
    store_fixture_image(img, d->len, d->version);
    return store_fixture_download(&fx->store, d->version, img, d->len, 700, NULL);
}

/* After the cut: the slot is EMPTY (record of begin not durable), DOWNLOADING (resume from its
 * offset) or STORED (invariants checked it). Then the download must complete, resumed. */
static int check_download_completes(store_fixture_t *fx, void *ctx, int which)
{
    download_sweep_t *d = ctx;
    (void)which;
    const ota_store_slot_t *s = ota_store_slot(&fx->store, 1);
    if (s->state == OTA_SLOT_DOWNLOADING && s->offset > 0) {
        d->resumed++;
    }
    if (s->state != OTA_SLOT_STORED) {
        store_fixture_image(img, d->len, d->version);
        ota_store_status_t st = store_fixture_download(&fx->store, d->version, img, d->len,
                                                       700, NULL);
        if (st != OTA_STORE_OK) {
            fprintf(stderr, "download after cut: %s\n", ota_store_status_str(st));
            return -1;
        }
    }
    return slot_holds_image(fx, 1, d->len) && ota_store_slot_verify(&fx->store, 1) == 0 ? 0 : -1;
}

static void sweep_download(const ota_flash_geometry_t *g, size_t len)
{
    ota_store_config_t cfg = {.checkpoint_interval = 4096};
    download_sweep_t d = {5, len, 0};
    store_fixture_sweep_result_t r;
    store_fixture_sweep(g, &cfg, setup_nothing, op_download, check_download_completes, &d, &r);
    print_message("download of %zu B: %u ops, %u cuts: %u old, %u new, %u between "
                  "(%d resumed past 0), %u failures\n",
                  len, r.ops, r.cuts, r.old_state, r.new_state, r.other, d.resumed, r.failures);
    assert_int_equal(r.failures, 0);
    assert_true(r.ops >= 4);
}

static void test_power_cut_every_op_of_download(void **unused)
{
    (void)unused;
    sweep_download(NULL, 10000);
    sweep_download(&store_fixture_big_erase, SMALL);
}

typedef struct erase_sweep {
    uint32_t erase;     /* version to erase */
    int running;        /* setup makes v2 the running one */
} erase_sweep_t;

static void setup_two_stored(store_fixture_t *fx, void *ctx)
{
    erase_sweep_t *e = ctx;
    if (store_fixture_store_version(fx, 1, 3000) != 1 ||
        store_fixture_store_version(fx, 2, 3000) != 2 ||
        (e->running && ota_store_set_running(&fx->store, 2, 2) != OTA_STORE_OK)) {
        abort();
    }
}

static ota_store_status_t op_erase(store_fixture_t *fx, void *ctx)
{
    erase_sweep_t *e = ctx;
    return ota_store_erase_version(&fx->store, e->erase);
}

static int check_erase_old_or_new(store_fixture_t *fx, void *ctx, int which)
{
    erase_sweep_t *e = ctx;
    if (which < 0) {
        fprintf(stderr, "erase: neither old nor new state\n");
        return -1;
    }
    /* Finishing the operation after power-on works (or it was already done). */
    ota_store_status_t st = ota_store_erase_version(&fx->store, e->erase);
    if (which == 0 ? st != OTA_STORE_OK
                   : (st != OTA_STORE_ERR_NOT_FOUND && !(e->running && st == OTA_STORE_OK))) {
        fprintf(stderr, "erase again after the cut: %s\n", ota_store_status_str(st));
        return -1;
    }
    return store_fixture_check_invariants(fx);
}

static void sweep_erase(const ota_flash_geometry_t *g, uint32_t version, int running)
{
    erase_sweep_t e = {version, running};
    store_fixture_sweep_result_t r;
    store_fixture_sweep(g, NULL, setup_two_stored, op_erase, check_erase_old_or_new, &e, &r);
    print_message("EraseVer %u%s: %u ops, %u cuts: %u old, %u new, %u failures\n",
                  (unsigned)version, running ? " (running)" : "", r.ops, r.cuts, r.old_state,
                  r.new_state, r.failures);
    assert_int_equal(r.failures, 0);
    assert_int_equal(r.other, 0);
    assert_true(r.old_state > 0 && r.new_state > 0);
}

static void test_power_cut_every_op_of_erase_version(void **unused)
{
    (void)unused;
    sweep_erase(NULL, 1, 0);                        /* 1 record + 14 block erases */
    sweep_erase(&store_fixture_big_erase, 1, 0);    /* 1 record + 14 unit erases */
    sweep_erase(NULL, 2, 1);                        /* running: 1 record, no erase */
}

static void setup_installing(store_fixture_t *fx, void *ctx)
{
    (void)ctx;
    first_boot(fx);
    uint8_t slot = store_fixture_store_version(fx, 2, 1000);
    if (ota_store_request_install(&fx->store, slot) != OTA_STORE_OK ||
        ota_store_install_begin(&fx->store) != OTA_STORE_OK) {
        abort();
    }
}

static ota_store_status_t op_install_done(store_fixture_t *fx, void *ctx)
{
    (void)ctx;
    return ota_store_install_done(&fx->store);
}

static int check_install_old_or_new(store_fixture_t *fx, void *ctx, int which)
{
    (void)ctx;
    if (which < 0) {
        return -1;
    }
    /* The bootloader re-runs the install: done is reachable from either state. */
    if (which == 0 && ota_store_install_done(&fx->store) != OTA_STORE_OK) {
        return -1;
    }
    return ota_store_boot(&fx->store)->running_version == 2 ? 0 : -1;
}

static void test_power_cut_every_op_of_install_done(void **unused)
{
    (void)unused;
    store_fixture_sweep_result_t r;
    store_fixture_sweep(NULL, NULL, setup_installing, op_install_done, check_install_old_or_new,
                        NULL, &r);
    assert_int_equal(r.ops, 1);
    assert_int_equal(r.failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_download_stores_verified_image),
        cmocka_unit_test(test_any_chunking_gives_the_same_image),
        cmocka_unit_test(test_digest_mismatch_stores_nothing),
        cmocka_unit_test(test_image_for_another_board_refused),
        cmocka_unit_test(test_flash_corruption_after_write_is_caught),
        cmocka_unit_test(test_invalid_image_with_matching_digest_is_refused),
        cmocka_unit_test(test_header_changed_between_parse_and_hash_is_refused),
        cmocka_unit_test(test_download_argument_errors),
        cmocka_unit_test(test_abort_leaves_slot_empty),
        cmocka_unit_test(test_interrupted_download_resumes_at_durable_offset),
        cmocka_unit_test(test_explicit_checkpoint),
        cmocka_unit_test(test_slot_choice_rules),
        cmocka_unit_test(test_update_trial_confirm),
        cmocka_unit_test(test_failed_trial_rolls_back_and_rejects),
        cmocka_unit_test(test_rejected_list_keeps_the_newest),
        cmocka_unit_test(test_factory_reset_and_rollback_without_target),
        cmocka_unit_test(test_erase_version_of_stored_image),
        cmocka_unit_test(test_erase_version_of_running_rolls_back),
        cmocka_unit_test(test_erase_version_of_running_refused_without_target),
        cmocka_unit_test(test_erase_version_never_goes_below_the_floor),
        cmocka_unit_test(test_power_cut_every_op_of_download),
        cmocka_unit_test(test_power_cut_every_op_of_erase_version),
        cmocka_unit_test(test_power_cut_every_op_of_install_done),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
