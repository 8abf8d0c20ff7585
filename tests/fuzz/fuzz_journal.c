/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target 4: the store journal read back from arbitrary external-flash content (issue 7):
 * whatever a power cut, a bad chip or a hostile writer leaves. The content is programmed into
 * the strict RAM flash model (port/posix/flash_sim.h) through its port, so the model knows
 * which bytes are programmed, exactly as after real writes; then the store mounts it, one
 * state change is attempted, and the bootloader decides (src/boot.c) on a board whose internal
 * application region is erased or holds a valid image of version 1.
 *
 * Input: flags byte, then the content of both journal sectors (8 KB from address 0; missing
 * bytes stay erased). The slots hold what the flags say (journal_rig.h), so that the fuzzer
 * spends its effort on the journal while the bootloader still finds real images to check:
 *   flags bit  0    give every record position that starts with the magic a correct CRC, so
 *                   that mutations inside records reach the content checks (a record with a
 *                   good CRC but hostile fields, as a writer bug would leave)
 *   flags bits 1-3  the state change after mount (see op()); 0 = none
 *   flags bit  4    the internal application region holds the image of v1
 *   flags bit  5    the factory slot holds the image of v1
 *   flags bit  6    download slot 1 holds v2, download slot 2 holds v3
 *   flags bit  7    one payload byte of slot 1 is flipped (a slot the journal may call STORED
 *                   whose bytes no longer verify: it must never be installed)
 *
 * Oracles beyond "no crash, no UB": mount ends in a named status; a mounted state is sane
 * (states and slot indices in range, sizes inside a slot, at most the running slot
 * INSTALLED); mounting twice gives the same state; a state change that returns OK is what a
 * remount finds, one that fails leaves the state a remount finds unchanged; the bootloader
 * ends in a named status, and when it says "start" the application region holds an image
 * that parses and verifies (checked independently on a copy of the raw bytes) of the version
 * it reports, and the store still mounts to a sane state.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "journal.h"
#include "journal_rig.h"
#include "journal_rig_flash.h"
#include "otaflow/boot.h"
#include "otaflow/image.h"
#include "store_fixture.h"

/* Internal program flash of the board: PIC32MZ W1 geometry, shrunk; a 32 KB application
 * region at 16 KB (room for any slot of the rig). */
static const ota_flash_geometry_t internal_geometry = {
    .size = 64u * 1024u,
    .erase_unit = 4096u,
    .block_size = 0u,
    .program_unit = 16u,
    .page_size = 1024u,
    .erased_value = 0xFFu,
};
#define APP_OFFSET 0x4000u
#define APP_SIZE 0x8000u

static ota_store_layout_t g_layout;

/* An oracle failed: say which, then crash so that libFuzzer keeps the input. */
static void fail(int line, const char *what)
{
    fprintf(stderr, "%s:%d: oracle failed: %s\n", __FILE__, line, what);
    abort();
}
#define die_if(cond) ((cond) ? fail(__LINE__, #cond) : (void)0)

static void program_content(const ota_flash_t *f, uint32_t base, const uint8_t *content,
                            uint32_t len)
{
    die_if(!journal_rig_program(f, base, content, len));
}

static void check_sane(const ota_store_t *s)
{
    const ota_store_state_t *st = ota_store_state(s);
    uint8_t n = ota_store_slot_count(s);
    const ota_store_boot_t *b = &st->boot;
    die_if(n != g_layout.download_slots + 1u);
    die_if(b->state > OTA_BOOT_CONFIRMED || b->install_reason > OTA_INSTALL_FACTORY);
    die_if(b->rejected_count > OTA_STORE_REJECTED_MAX);
    die_if(b->running_slot != OTA_STORE_SLOT_NONE && b->running_slot >= n);
    die_if(b->previous_slot != OTA_STORE_SLOT_NONE && b->previous_slot >= n);
    die_if(b->install_slot != OTA_STORE_SLOT_NONE && b->install_slot >= n);
    for (uint8_t i = 0; i < n; i++) {
        const ota_store_slot_t *sl = &st->slots[i];
        die_if(sl->state > OTA_SLOT_REJECTED);
        die_if(sl->size > g_layout.slot_size || sl->offset > g_layout.slot_size);
        die_if(sl->state == OTA_SLOT_INSTALLED && i != b->running_slot);
        die_if(ota_slot_state_str(sl->state) == NULL);
    }
    die_if(ota_boot_state_str(b->state) == NULL);
}

/* Mount a second store on the same flash: the state it finds. */
static ota_store_status_t remount(const ota_flash_t *f, ota_store_t *again)
{
    return ota_store_mount(again, f, &journal_rig_config);
}

static ota_store_status_t op(ota_store_t *s, unsigned which)
{
    const ota_store_state_t *st = ota_store_state(s);
    uint8_t digest[OTA_SHA256_SIZE] = {0};
    uint8_t slot;
    uint32_t resume;
    uint8_t attempts;
    switch (which) {
    case 1: return ota_store_confirm(s, st->boot.security_counter + 1u);
    case 2: return ota_store_trial_attempt(s, &attempts);
    case 3: return ota_store_rollback(s, true);
    case 4: return ota_store_erase_version(s, st->slots[1].version);
    case 5: {
        ota_store_status_t r = ota_store_download_begin(s, st->boot.running_version + 1u, 4096u,
                                                        digest, &slot, &resume);
        return r == OTA_STORE_OK ? ota_store_download_abort(s) : r;
    }
    case 6: return ota_store_request_install(s, 1u);
    case 7: return ota_store_factory_reset(s);
    default: return OTA_STORE_OK;
    }
}

static ota_sim_flash_t g_dev, g_internal;
static ota_store_t g_store, g_again;
static uint8_t g_content[JOURNAL_RIG_JOURNAL];
static uint8_t g_v1[JOURNAL_RIG_V1_LEN], g_v2[JOURNAL_RIG_V2_LEN], g_v3[JOURNAL_RIG_V3_LEN];
static uint8_t g_app_copy[APP_SIZE];
static ota_boot_t g_boot;

static void boot_log(void *ctx, const char *line)
{
    (void)ctx;
    die_if(line == NULL || memchr(line, '\0', OTA_BOOT_LINE_MAX) == NULL);
    if (getenv("FUZZ_VERBOSE") != NULL) { /* replaying a crash: show the bootloader's console */
        fprintf(stderr, "%s\n", line);
    }
}

/* The bootloader on the mounted store; when it starts an image, that image must verify. */
static void boot_and_check(const ota_flash_t *internal, ota_store_t *store)
{
    ota_boot_config_t cfg;
    ota_boot_config_default(&cfg);
    cfg.app_offset = APP_OFFSET;
    cfg.app_size = APP_SIZE;
    cfg.hw_id = 0;
    ota_boot_report_t report;
    ota_boot_status_t st = ota_boot_run(&g_boot, &cfg, internal, store, boot_log, NULL, &report);
    die_if(ota_boot_status_str(st) == NULL);
    die_if(st == OTA_BOOT_ERR_ARG);
    if (st != OTA_BOOT_OK) {
        return;
    }
    die_if(ota_flash_read(internal, APP_OFFSET, g_app_copy, APP_SIZE) != OTA_FLASH_OK);
    ota_image_source_t src;
    ota_image_buffer_t buf;
    ota_image_source_buffer(&src, &buf, g_app_copy, APP_SIZE);
    ota_image_info_t info;
    die_if(ota_image_parse(&src, &info) != OTA_IMAGE_OK);
    uint8_t work[256];
    die_if(ota_image_verify(&src, &info, work, sizeof work) != OTA_IMAGE_OK);
    if (getenv("FUZZ_VERBOSE") != NULL) {
        const ota_store_boot_t *b = ota_store_boot(store);
        fprintf(stderr, "boot: OK, report v%u; internal image v%u; store: running v%u slot %u, "
                "previous v%u slot %u, state %s\n", (unsigned)report.version,
                (unsigned)info.header.version, (unsigned)b->running_version,
                (unsigned)b->running_slot, (unsigned)b->previous_version,
                (unsigned)b->previous_slot, ota_boot_state_str(b->state));
        for (uint8_t i = 0; i < ota_store_slot_count(store); i++) {
            const ota_store_slot_t *sl = ota_store_slot(store, i);
            fprintf(stderr, "  slot %u: %s v%u size %u\n", (unsigned)i,
                    ota_slot_state_str(sl->state), (unsigned)sl->version, (unsigned)sl->size);
        }
    }
    die_if(info.header.version != report.version);
    die_if(ota_store_mount(&g_again, ota_sim_flash_port(&g_dev), &journal_rig_config) !=
           OTA_STORE_OK);
    check_sane(&g_again);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    /* The layout depends on geometry and config only: take it from an empty store. */
    die_if(ota_sim_flash_open_ram(&g_dev, ota_sim_preset("sst26vf032b"), &journal_rig_geometry,
                                  NULL) != OTA_FLASH_OK);
    die_if(ota_store_mount(&g_store, ota_sim_flash_port(&g_dev), &journal_rig_config) !=
           OTA_STORE_OK);
    g_layout = *ota_store_layout(&g_store);
    ota_sim_flash_close(&g_dev);
    store_fixture_image(g_v1, sizeof g_v1, 1u);
    store_fixture_image(g_v2, sizeof g_v2, 2u);
    store_fixture_image(g_v3, sizeof g_v3, 3u);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint32_t len = 0;
    int input = journal_rig_input(data, size, &g_layout, g_content, &len);
    if (input < 0) {
        return 0;
    }
    uint8_t flags = (uint8_t)input;
    die_if(ota_sim_flash_open_ram(&g_dev, ota_sim_preset("sst26vf032b"), &journal_rig_geometry,
                                  NULL) != OTA_FLASH_OK);
    const ota_flash_t *f = ota_sim_flash_port(&g_dev);
    program_content(f, 0, g_content, len);
    if (flags & 0x20u) {
        program_content(f, JOURNAL_RIG_SLOT(0), g_v1, sizeof g_v1);
    }
    if (flags & 0x40u) {
        static uint8_t v2[JOURNAL_RIG_V2_LEN];
        memcpy(v2, g_v2, sizeof v2);
        if (flags & 0x80u) {
            v2[OTA_IMAGE_HEADER_SIZE + 100u] ^= 0x5Au;
        }
        program_content(f, JOURNAL_RIG_SLOT(1), v2, sizeof v2);
        program_content(f, JOURNAL_RIG_SLOT(2), g_v3, sizeof g_v3);
    }

    ota_store_status_t st = ota_store_mount(&g_store, f, &journal_rig_config);
    die_if(ota_store_status_str(st) == NULL);
    if (st == OTA_STORE_OK) {
        check_sane(&g_store);
        uint8_t n = ota_store_slot_count(&g_store);
        die_if(remount(f, &g_again) != OTA_STORE_OK);
        die_if(!store_fixture_state_equal(ota_store_state(&g_store), ota_store_state(&g_again), n));

        ota_store_state_t before = *ota_store_state(&g_store);
        ota_store_status_t r = op(&g_store, (flags >> 1) & 7u);
        die_if(ota_store_status_str(r) == NULL);
        die_if(remount(f, &g_again) != OTA_STORE_OK);
        check_sane(&g_again);
        const ota_store_state_t *want = r == OTA_STORE_OK ? ota_store_state(&g_store) : &before;
        die_if(!store_fixture_state_equal(want, ota_store_state(&g_again), n));

        die_if(ota_sim_flash_open_ram(&g_internal, ota_sim_preset("pic32mzw1-pfm"),
                                      &internal_geometry, NULL) != OTA_FLASH_OK);
        if (flags & 0x10u) {
            /* Factory programming: the image in rows, as a programmer writes it. */
            for (uint32_t at = 0; at < sizeof g_v1; at += 1024u) {
                uint32_t n = sizeof g_v1 - at < 1024u ? sizeof g_v1 - at : 1024u;
                uint8_t row[1024];
                memset(row, 0xFF, sizeof row);
                memcpy(row, g_v1 + at, n);
                die_if(ota_flash_program(ota_sim_flash_port(&g_internal), APP_OFFSET + at, row,
                                         (n + 15u) & ~15u) != OTA_FLASH_OK);
            }
        }
        boot_and_check(ota_sim_flash_port(&g_internal), &g_again);
        ota_sim_flash_close(&g_internal);
    }
    ota_sim_flash_close(&g_dev);
    return 0;
}
