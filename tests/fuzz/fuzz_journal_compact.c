/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: the compact journal codec (OTA_JOURNAL_COMPACT 1, the lean bootloaders')
 * against the default one on arbitrary external-flash content, the input of target journal
 * (flags byte, then both journal sectors; journal_rig.h, journal_rig_flash.h; flags bit 0
 * gives every record position that starts with the magic a correct CRC). The compact codec is
 * compiled into this file under other names (journal_compact_twin.h).
 *
 * Oracles: every record position gets the same verdict, state and sequence number from both
 * decoders, and a valid one's state encodes to the same bytes under both encoders; both
 * mounts end in the same status with the same state and journal bookkeeping; after each of
 * the appends that follow, the default append on one copy of the flash and the compact one
 * (the lean bootloaders') on the other (the next record, the security counter raised; enough
 * of them to fill the active sector and switch to the other), both journals hold the same
 * bytes and both stores the same state and bookkeeping.
 */
#include "journal_compact_twin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "journal_rig.h"
#include "journal_rig_flash.h"
#include "store_fixture.h"

static void fail(int line, const char *what)
{
    fprintf(stderr, "%s:%d: oracle failed: %s\n", __FILE__, line, what);
    abort();
}
#define die_if(cond) ((cond) ? fail(__LINE__, #cond) : (void)0)

static ota_store_layout_t g_layout;
static ota_sim_flash_t g_dev[2];
static ota_store_t g_store[2];
static uint8_t g_content[JOURNAL_RIG_JOURNAL];
static uint8_t g_journal[2][JOURNAL_RIG_JOURNAL];

static bool same_state(const ota_store_state_t *a, const ota_store_state_t *b)
{
    return store_fixture_state_equal(a, b, (uint8_t)(g_layout.download_slots + 1u)) &&
           a->boot.report_pending == b->boot.report_pending;
}

static bool same_journal(const ota_store_journal_t *x, const ota_store_journal_t *y)
{
    return x->seq == y->seq && x->next_pos == y->next_pos && x->sector == y->sector &&
           x->mount_kind == y->mount_kind && x->valid_records == y->valid_records &&
           x->bad_records == y->bad_records && x->appends == y->appends &&
           x->compactions == y->compactions;
}

/* Both decoders on every position of the content. */
static void check_positions(const uint8_t *content, uint32_t len)
{
    for (uint32_t at = 0; at + g_layout.record_size <= len; at += g_layout.record_size) {
        ota_store_state_t a, b;
        uint32_t sa = 0, sb = 0;
        ota_journal_record_kind_t ka = ota_journal_decode(&g_layout, 0xFF, content + at, &a, &sa);
        ota_journal_record_kind_t kb =
            compact_journal_decode(&g_layout, 0xFF, content + at, &b, &sb);
        die_if(ka != kb);
        if (ka != OTA_JOURNAL_VALID) {
            continue;
        }
        die_if(sa != sb || !same_state(&a, &b));
        uint8_t ra[OTA_STORE_RECORD_BUF], rb[OTA_STORE_RECORD_BUF];
        ota_journal_encode(&g_layout, &a, sa, ra);
        compact_journal_encode(&g_layout, &a, sa, rb);
        die_if(memcmp(ra, rb, g_layout.record_size) != 0);
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    die_if(ota_sim_flash_open_ram(&g_dev[0], ota_sim_preset("sst26vf032b"), &journal_rig_geometry,
                                  NULL) != OTA_FLASH_OK);
    die_if(ota_store_mount(&g_store[0], ota_sim_flash_port(&g_dev[0]), &journal_rig_config) !=
           OTA_STORE_OK);
    g_layout = *ota_store_layout(&g_store[0]);
    ota_sim_flash_close(&g_dev[0]);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint32_t len = 0;
    if (journal_rig_input(data, size, &g_layout, g_content, &len) < 0) {
        return 0;
    }
    check_positions(g_content, len);
    ota_store_status_t st[2];
    for (unsigned k = 0; k < 2u; k++) {
        die_if(ota_sim_flash_open_ram(&g_dev[k], ota_sim_preset("sst26vf032b"),
                                      &journal_rig_geometry, NULL) != OTA_FLASH_OK);
        die_if(!journal_rig_program(ota_sim_flash_port(&g_dev[k]), 0, g_content, len));
        st[k] = ota_store_mount(&g_store[k], ota_sim_flash_port(&g_dev[k]), &journal_rig_config);
    }
    /* board 1: the same mount's layout and flash, its journal read again by the compact one */
    if (st[1] == OTA_STORE_OK || st[1] == OTA_STORE_ERR_LAYOUT) {
        st[1] = compact_journal_mount(&g_store[1]);
    }
    die_if(st[0] != st[1]);
    if (st[0] == OTA_STORE_OK) {
        die_if(!same_state(&g_store[0].state, &g_store[1].state));
        die_if(!same_journal(&g_store[0].journal, &g_store[1].journal));
        /* one more than a sector's positions: at least one sector switch on the way */
        for (uint32_t n = 0; n <= g_layout.records_per_sector; n++) {
            ota_store_status_t ap[2];
            for (unsigned k = 0; k < 2u; k++) {
                ota_store_t *s = &g_store[k];
                s->staged = s->state;
                s->staged.boot.security_counter++;
                ap[k] = k == 0 ? ota_journal_append(s) : compact_journal_append(s);
                die_if(ota_flash_read(ota_sim_flash_port(&g_dev[k]), 0, g_journal[k],
                                      JOURNAL_RIG_JOURNAL) != OTA_FLASH_OK);
            }
            die_if(ap[0] != ap[1]);
            die_if(memcmp(g_journal[0], g_journal[1], JOURNAL_RIG_JOURNAL) != 0);
            die_if(!same_state(&g_store[0].state, &g_store[1].state));
            die_if(!same_journal(&g_store[0].journal, &g_store[1].journal));
            if (ap[0] != OTA_STORE_OK) {
                break;
            }
        }
    }
    ota_sim_flash_close(&g_dev[0]);
    ota_sim_flash_close(&g_dev[1]);
    return 0;
}
