/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Writes the generated part of the seed corpora (issue 7) into <corpus root>/<target>/,
 * reproducibly: the same program always writes the same bytes. Seeds that come from real
 * captures (HTTP answers, objcopy HEX files) are made by scripts/fuzz-captures.sh instead.
 *
 * usage: fuzz_make_seeds <corpus root>      (normally tests/fuzz/corpus)
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "image_builder.h"
#include "journal_rig.h"
#include "otaflow/image.h"
#include "otaflow/image_enc.h"
#include "store_fixture.h"

static const char *g_root;

static void write_seed(const char *target, const char *name, const void *a, size_t alen,
                       const void *b, size_t blen)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", g_root, target);
    if (mkdir(path, 0777) != 0 && errno != EEXIST) {
        perror(path);
        exit(1);
    }
    snprintf(path, sizeof path, "%s/%s/%s", g_root, target, name);
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(a, 1, alen, f) != alen || (blen > 0 && fwrite(b, 1, blen, f) != blen) ||
        fclose(f) != 0) {
        perror(path);
        exit(1);
    }
}

/* Target image: one shape byte (see fuzz_image.c), then the slot content. */
static void image_seed(const char *name, uint8_t shape, const test_image_t *img)
{
    write_seed("image", name, &shape, 1, img->bytes, img->len);
}

static test_image_t g_img;

static void image_seeds(void)
{
    static const uint32_t sizes[] = {0u, 1u, 100u, 1000u};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        char name[64];
        test_image_valid(&g_img, sizes[i]);
        snprintf(name, sizeof name, "valid-%u", (unsigned)sizes[i]);
        /* exact slot, work buffer 505 bytes; the 100-byte one also in a larger slot, 1-byte work */
        image_seed(name, 0x3F, &g_img);
        if (sizes[i] == 100u) {
            image_seed("valid-100-big-slot", 0x80, &g_img);
            image_seed("valid-100-short-slot", 0xC4, &g_img);
        }
    }

    /* Every known TLV, plus an unknown non-critical one, in a non-canonical order. */
    ota_image_header_t h = test_image_header(64u);
    test_image_start(&g_img, &h, NULL);
    uint8_t key_hash[32], sig[72];
    for (size_t i = 0; i < sizeof sig; i++) {
        sig[i] = (uint8_t)(0x30u + i);
        if (i < sizeof key_hash) {
            key_hash[i] = (uint8_t)(0xA0u ^ i);
        }
    }
    test_image_tlv(&g_img, 0x0042u, "note", 4);
    test_image_tlv(&g_img, OTA_IMAGE_TLV_ECDSA_P256, sig, 70);
    test_image_tlv_sha256(&g_img);
    test_image_tlv(&g_img, OTA_IMAGE_TLV_KEY_HASH, key_hash, sizeof key_hash);
    test_image_end(&g_img);
    image_seed("all-tlvs", 0x09, &g_img);

    /* A valid layout whose hash does not match (one payload byte flipped after hashing). */
    test_image_valid(&g_img, 32u);
    g_img.bytes[OTA_IMAGE_HEADER_SIZE + 5u] ^= 0x01u;
    image_seed("hash-mismatch", 0x40, &g_img);

    /* An encrypted payload's TLV (ENC_P256_AES128): key id 0xA5.. (fuzz_image.c's device
     * key), the P-256 generator as the ephemeral key (a point on the curve: the ECDH runs, the
     * tag then fails), then one a byte too long (refused by length). */
    static const uint8_t p256_g[65] = {
        0x04, 0x6B, 0x17, 0xD1, 0xF2, 0xE1, 0x2C, 0x42, 0x47, 0xF8, 0xBC, 0xE6, 0xE5, 0x63,
        0xA4, 0x40, 0xF2, 0x77, 0x03, 0x7D, 0x81, 0x2D, 0xEB, 0x33, 0xA0, 0xF4, 0xA1, 0x39,
        0x45, 0xD8, 0x98, 0xC2, 0x96, 0x4F, 0xE3, 0x42, 0xE2, 0xFE, 0x1A, 0x7F, 0x9B, 0x8E,
        0xE7, 0xEB, 0x4A, 0x7C, 0x0F, 0x9E, 0x16, 0x2B, 0xCE, 0x33, 0x57, 0x6B, 0x31, 0x5E,
        0xCE, 0xCB, 0xB6, 0x40, 0x68, 0x37, 0xBF, 0x51, 0xF5};
    uint8_t enc[OTA_IMAGE_ENC_TLV_SIZE + 1u];
    memset(enc, 0xA5, OTA_IMAGE_ENC_OFF_EPHEMERAL);
    memcpy(enc + OTA_IMAGE_ENC_OFF_EPHEMERAL, p256_g, sizeof p256_g);
    for (size_t i = OTA_IMAGE_ENC_OFF_NONCE; i < sizeof enc; i++) {
        enc[i] = (uint8_t)(i * 7u);
    }
    h = test_image_header(48u);
    test_image_start(&g_img, &h, NULL);
    test_image_tlv_sha256(&g_img);
    test_image_tlv(&g_img, OTA_IMAGE_TLV_ENC_P256_AES128, enc, OTA_IMAGE_ENC_TLV_SIZE);
    test_image_end(&g_img);
    image_seed("encrypted", 0x05, &g_img);
    test_image_start(&g_img, &h, NULL);
    test_image_tlv_sha256(&g_img);
    test_image_tlv(&g_img, OTA_IMAGE_TLV_ENC_P256_AES128, enc, sizeof enc);
    test_image_end(&g_img);
    image_seed("encrypted-tlv-too-long", 0x05, &g_img);

    /* An unknown critical TLV (refused), and a header alone. */
    h = test_image_header(16u);
    test_image_start(&g_img, &h, NULL);
    test_image_tlv_sha256(&g_img);
    test_image_tlv(&g_img, 0x8077u, "x", 1);
    test_image_end(&g_img);
    image_seed("critical-unknown", 0x01, &g_img);
    g_img.len = OTA_IMAGE_HEADER_SIZE;
    image_seed("header-only", 0x00, &g_img);
}

/* Target journal: one flags byte (see fuzz_journal.c), then both journal sectors of the rig,
 * trailing erased bytes left out (they read back erased anyway). The flags say what the slots
 * hold, as this fixture has them: v1 in internal flash once the store says it runs, v2 and v3
 * in the download slots once downloaded. */
static bool g_downloaded;

static void journal_seed(const char *name, uint8_t flags, store_fixture_t *fx)
{
    if (ota_store_boot(&fx->store)->running_version != 0u) {
        flags |= 0x10u;
    }
    if (g_downloaded) {
        flags |= 0x40u;
    }
    const uint8_t *raw = ota_sim_flash_raw(&fx->dev);
    uint32_t len = JOURNAL_RIG_JOURNAL;
    while (len > 0 && raw[len - 1u] == journal_rig_geometry.erased_value) {
        len--;
    }
    write_seed("journal", name, &flags, 1, raw, len);
}

static void must(ota_store_status_t st, const char *what)
{
    if (st != OTA_STORE_OK) {
        fprintf(stderr, "make_seeds: %s: %s\n", what, ota_store_status_str(st));
        exit(1);
    }
}

static uint8_t g_file[JOURNAL_RIG_V3_LEN];

/* The journal through an update's life on the rig, a snapshot after each step. */
static void journal_seeds(void)
{
    store_fixture_t *fx = store_fixture_open(&journal_rig_geometry, &journal_rig_config);
    ota_store_t *s = &fx->store;
    uint8_t slot, attempts;
    journal_seed("fresh", 0x02, fx); /* op 1: confirm on an erased journal */
    journal_seed("fresh-first-boot", 0x10, fx); /* a programmed board's first boot */
    journal_seed("fresh-factory-saved", 0x30, fx);
    must(ota_store_set_running(s, 1u, OTA_STORE_SLOT_NONE), "set running");
    journal_seed("running-v1", 0x0A, fx); /* op 5: download begin */

    store_fixture_image(g_file, JOURNAL_RIG_V2_LEN, 2u);
    must(store_fixture_download(s, 2u, g_file, JOURNAL_RIG_V2_LEN, 300u, &slot), "download v2");
    if (slot != 1u) {
        fprintf(stderr, "make_seeds: v2 went to slot %u, the target expects 1\n", slot);
        exit(1);
    }
    g_downloaded = true;
    journal_seed("stored-v2-corrupted", 0x80, fx); /* slot 1 no longer verifies */
    journal_seed("stored-v2", 0x0C, fx); /* op 6: request install */
    must(ota_store_request_install(s, slot), "request install");
    journal_seed("install-pending", 0x00, fx);
    must(ota_store_install_begin(s), "install begin");
    must(ota_store_install_progress(s, 1024u), "install progress");
    journal_seed("installing", 0x01, fx);
    must(ota_store_install_done(s), "install done");
    must(ota_store_trial_attempt(s, &attempts), "trial attempt");
    journal_seed("trial", 0x06, fx); /* op 3: rollback */
    must(ota_store_confirm(s, 1u), "confirm");
    journal_seed("confirmed-v2", 0x08, fx); /* op 4: erase version */

    /* A download interrupted after a checkpoint: the resume state. */
    uint8_t digest[OTA_SHA256_SIZE];
    uint32_t resume, durable;
    store_fixture_image(g_file, JOURNAL_RIG_V3_LEN, 3u);
    ota_sha256(g_file, JOURNAL_RIG_V3_LEN, digest);
    must(ota_store_download_begin(s, 3u, JOURNAL_RIG_V3_LEN, digest, &slot, &resume), "begin v3");
    if (slot != 2u) {
        fprintf(stderr, "make_seeds: v3 went to slot %u, the target expects 2\n", slot);
        exit(1);
    }
    must(ota_store_download_write(s, 0, g_file, 1500u), "write v3");
    must(ota_store_download_checkpoint(s, &durable), "checkpoint v3");
    journal_seed("downloading-v3", 0x0A, fx);

    /* Enough records to fill the first sector: compaction into the second. */
    for (uint32_t i = 2u; i < 24u; i++) {
        must(ota_store_confirm(s, i), "confirm");
    }
    journal_seed("compacted", 0x02, fx);
    journal_seed("compacted-fixcrc", 0x03, fx);

    /* A record torn by a power cut in the middle of its page program. */
    ota_sim_power_arm(&fx->power, fx->power.ops + 1u, OTA_SIM_CUT_TORN, 7u);
    (void)ota_store_confirm(s, 99u);
    journal_seed("torn-record", 0x02, fx);
    journal_seed("torn-record-fixcrc", 0x0F, fx); /* op 7: factory reset */
    store_fixture_close(fx);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s <corpus root>\n", argv[0]);
        return 2;
    }
    g_root = argv[1];
    if (mkdir(g_root, 0777) != 0 && errno != EEXIST) {
        perror(g_root);
        return 1;
    }
    image_seeds();
    journal_seeds();
    return 0;
}
