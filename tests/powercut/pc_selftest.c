/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The sweep's checks must be able to fail: plant each kind of damage they look for on a
 * prepared board and make sure it is reported. Runs before every sweep.
 */
#include <stdio.h>
#include <string.h>

#include "powercut.h"

#define CANARY_IMAGE (12u * 1024u)

static int scenario_index(const char *name)
{
    for (unsigned i = 0; i < pc_scenario_count; i++) {
        if (strcmp(pc_scenarios[i].name, name) == 0) {
            return (int)i;
        }
    }
    return 0;
}

static pc_world_t *prepared(const char *scenario)
{
    pc_world_t *w = pc_world_new(&pc_scenarios[scenario_index(scenario)], &pc_geometries[0],
                                 CANARY_IMAGE);
    w->scenario->setup(w);
    if (boot_fixture_mount(w->fx) != OTA_STORE_OK) {
        pc_fail(w, "canary mount");
    }
    return w;
}

/* One canary: 1 if the damage was caught (its reason contains `expect`), else 0. */
static int caught(pc_world_t *w, int rc, const char *what, const char *expect)
{
    int ok = rc != 0 && strstr(w->why, expect) != NULL;
    if (!ok) {
        printf("self-test FAILED: %s not caught (rc %d, why: '%s')\n", what, rc, w->why);
    }
    pc_world_free(w);
    return ok;
}

unsigned pc_self_test(unsigned *planted)
{
    unsigned ok = 0;
    pc_acked_t acked;

    /* A stored image whose bytes no longer match its digest (invariant 2). */
    pc_world_t *w = prepared("install");
    pc_capture_acked(w, &acked);
    uint8_t slot = ota_store_find_version(&w->fx->store, 2);
    if (slot == OTA_STORE_SLOT_NONE) {
        /* The prepared board is not what its setup made: the store under test is broken. */
        ok += caught(w, 0, "a corrupt stored slot (v2 not found after setup)", "-");
    } else {
        ota_sim_flash_raw(&w->fx->external)[ota_store_slot_addr(&w->fx->store, slot) + 700u] ^=
            1u;
        ok += caught(w, pc_check_after_cut(w, &acked), "a corrupt stored slot",
                     "store invariant");
    }

    /* The newest acknowledged journal record gone (invariant 5). */
    w = prepared("download");
    pc_capture_acked(w, &acked);
    const ota_store_layout_t *l = ota_store_layout(&w->fx->store);
    const ota_store_journal_t *j = &w->fx->store.journal;
    uint32_t at = j->sector * l->journal_sector_size +
                  (j->next_pos > 0 ? j->next_pos - 1u : 0u) * l->record_size;
    memset(ota_sim_flash_raw(&w->fx->external) + at, 0xFF, l->record_size);
    ok += caught(w, pc_check_after_cut(w, &acked), "a lost acknowledged record",
                 "journal reads back");

    /* Garbage in the application region, judged from its raw bytes (invariant 1). */
    w = prepared("download");
    ota_sim_flash_raw(&w->fx->internal)[w->fx->config.app_offset + 5000u] ^= 0x10u;
    ok += caught(w, pc_internal_version(w) == 0 ? pc_fail(w, "no valid image") : 0,
                 "a corrupt internal image", "no valid image");

    /* Nothing to boot anywhere (invariant 1): a board never programmed. */
    w = pc_world_new(&pc_scenarios[scenario_index("first-boot")], &pc_geometries[0],
                     CANARY_IMAGE);
    ok += caught(w, pc_life(w, true) == PC_LIFE_FAIL ? -1 : 0, "nothing to boot",
                 "no valid image");

    *planted = 4;
    return ok;
}
