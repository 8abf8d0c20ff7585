/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The scenarios of the power-cut sweep: start states and the application's behaviour.
 * v1 is the factory image (programmed into internal flash, saved to the factory slot at the
 * first boot); v2 is the update; v3 the update after v2 (whose failed trial must go back to
 * v2 in its download slot, not to the factory image; with one download slot, where v3 takes
 * the slot of v2's copy, to the factory image).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "otaflow/crypto.h"
#include "powercut.h"
#include "store_fixture.h"

/* ---- geometries ----------------------------------------------------------------------- */

const pc_geometry_t pc_geometries[] = {
    {"sst26vf032b", NULL, NULL, 0, 0, 0},
    {"64k-erase-16b", &store_fixture_big_erase, NULL, 0, 0, 0},
    /* STM32F4 internal flash (16K x 4, 64K, 128K x 7), region over the 64K and six 128K
     * sectors, the last 128K one the descriptor area; the reduced sweep samples install,
     * trial-rollback and first-boot on it. */
    {"stm32f4-internal", NULL, "stm32f4-1m", 0x10000u, 0xD0000u,
     (1u << 1) | (1u << 2) | (1u << 6)},
};
const unsigned pc_geometry_count = sizeof pc_geometries / sizeof pc_geometries[0];

/* ---- setup helpers (no cuts: a failure here is a broken test, abort) ------------------- */

static void must(bool ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "powercut setup: %s failed\n", what);
        abort();
    }
}

static void programmed_v1(pc_world_t *w)
{
    boot_fixture_program(w->fx, w->img[1], w->len[1]);
}

/* v1 programmed, first boot done: v1 runs confirmed, factory slot holds v1. */
static void running_v1(pc_world_t *w)
{
    programmed_v1(w);
    must(boot_fixture_boot(w->fx) == OTA_BOOT_OK && w->fx->report.version == 1, "first boot");
}

static void v2_pending(pc_world_t *w)
{
    running_v1(w);
    must(boot_fixture_stage_update(w->fx, w->img[2], w->len[2], 2) != OTA_STORE_SLOT_NONE,
         "staging v2");
}

static void running_v2_confirmed(pc_world_t *w)
{
    v2_pending(w);
    must(boot_fixture_boot(w->fx) == OTA_BOOT_OK && w->fx->report.version == 2, "install v2");
    must(ota_confirm(&w->fx->store, ota_sim_flash_port(&w->fx->internal), &w->fx->config) ==
             OTA_BOOT_OK,
         "confirm v2");
}

/* Fill the active journal sector with harmless records (a download begun and aborted) until
 * two positions are left: the scenario's next records compact the journal. Checkpoints come
 * every erase unit, so a download writes many records. */
static void running_v1_journal_nearly_full(pc_world_t *w)
{
    w->fx->store_config.checkpoint_interval = 1; /* rounded up to one erase unit */
    running_v1(w);
    must(boot_fixture_mount(w->fx) == OTA_STORE_OK, "mount");
    ota_store_t *s = &w->fx->store;
    uint8_t digest[OTA_SHA256_SIZE];
    memset(digest, 0xA5, sizeof digest);
    uint32_t per_sector = ota_store_layout(s)->records_per_sector;
    for (unsigned guard = 0; guard < 2u * per_sector; guard++) {
        bool active = ota_store_download_active(s, NULL, NULL);
        if (!active && s->journal.next_pos + 2u >= per_sector) {
            w->setup_sector = s->journal.sector;
            w->setup_seq = s->journal.seq;
            return;
        }
        ota_store_status_t st = active ? ota_store_download_abort(s)
                                       : ota_store_download_begin(s, 99, 4096, digest, NULL, NULL);
        must(st == OTA_STORE_OK, "journal filler record");
    }
    must(false, "filling the journal");
}

/* ---- applications --------------------------------------------------------------------- */

/* Running `from`: update to `to` through the agent; confirm the new image once it runs. */
static pc_app_t update(pc_world_t *w, uint32_t from, uint32_t to)
{
    uint32_t v = pc_internal_version(w);
    if (v == from) {
        return pc_app_agent(w, to, false);
    }
    if (pc_boot_fields(w)->state == OTA_BOOT_TRIAL) {
        return pc_app_confirm(w);
    }
    return PC_APP_DONE;
}

static pc_app_t app_update(pc_world_t *w)
{
    return update(w, 1, 2);
}

/* With a guard, the boot after the confirm raises it: one more reset. */
static pc_app_t app_update_v3(pc_world_t *w)
{
    pc_app_t r = update(w, 2, 3);
    if (r == PC_APP_DONE && (w->scenario->features & PC_GUARD) && pc_guard_counter(w) < 2u) {
        return PC_APP_RESET;
    }
    return r;
}

/* v2 runs confirmed: the agent fetches v3, which never confirms, until the bootloader rolls
 * it back. */
static pc_app_t app_v3_never_confirm(pc_world_t *w)
{
    if (pc_internal_version(w) == 3) {
        return PC_APP_RESET;
    }
    if (!ota_store_is_rejected(&w->fx->store, 3)) {
        return pc_app_agent(w, 3, false);
    }
    return PC_APP_DONE;
}

/* v2 never confirms (it "hangs" and is reset), until the bootloader gives up on it. */
static pc_app_t app_never_confirm(pc_world_t *w)
{
    if (pc_internal_version(w) == 2) {
        return PC_APP_RESET;
    }
    if (!ota_store_is_rejected(&w->fx->store, 2)) {
        pc_fail(w, "v1 runs again but v2 was not rejected");
        return PC_APP_FAIL;
    }
    return PC_APP_DONE;
}

/* The manifest says EraseVer for the running v2: the agent asks for the roll back. */
static pc_app_t app_erase_running(pc_world_t *w)
{
    if (pc_internal_version(w) == 2) {
        return pc_app_agent(w, 2, true);
    }
    return PC_APP_DONE;
}

/* The user asks for a factory reset while v2 runs. */
static pc_app_t app_factory_reset(pc_world_t *w)
{
    if (pc_internal_version(w) != 2) {
        return PC_APP_DONE;
    }
    if (pc_app_mount(w) != 0) {
        return PC_APP_FAIL;
    }
    ota_store_status_t st = ota_store_factory_reset(&w->fx->store);
    if (w->fx->power.dead) {
        return PC_APP_CUT;
    }
    if (st != OTA_STORE_OK) {
        pc_fail(w, "factory reset: %s", ota_store_status_str(st));
        return PC_APP_FAIL;
    }
    return PC_APP_RESET;
}

static pc_app_t app_nothing(pc_world_t *w)
{
    (void)w;
    return PC_APP_DONE;
}

/* ---- end states ----------------------------------------------------------------------- */

static int expect_running(pc_world_t *w, uint32_t version)
{
    const ota_store_boot_t *b = pc_boot_fields(w);
    if (b->running_version != version || b->state != OTA_BOOT_CONFIRMED) {
        return pc_fail(w, "end: v%u %s, expected v%u confirmed", (unsigned)b->running_version,
                       ota_boot_state_str(b->state), (unsigned)version);
    }
    const ota_store_slot_t *f = ota_store_slot(&w->fx->store, OTA_STORE_FACTORY_SLOT);
    if (f->state != OTA_SLOT_STORED || f->version != 1) {
        return pc_fail(w, "end: factory slot %s v%u", ota_slot_state_str(f->state),
                       (unsigned)f->version);
    }
    return 0;
}

static int done_update(pc_world_t *w)
{
    return expect_running(w, 2);
}

/* The update went through and the journal did move to its other sector on the way. */
static int done_update_compacted(pc_world_t *w)
{
    if (done_update(w) != 0) {
        return -1;
    }
    const ota_store_journal_t *j = &w->fx->store.journal;
    uint32_t per_sector = ota_store_layout(&w->fx->store)->records_per_sector;
    if (j->sector == w->setup_sector && j->seq - w->setup_seq < per_sector) {
        return pc_fail(w, "end: the journal was never compacted");
    }
    return 0;
}

static int done_rollback(pc_world_t *w)
{
    if (expect_running(w, 1) != 0) {
        return -1;
    }
    return ota_store_is_rejected(&w->fx->store, 2) ? 0 : pc_fail(w, "end: v2 not rejected");
}

/* The failed trial of v3 went back to v2 from its download slot, not to the factory image. */
static int done_back_to_v2(pc_world_t *w)
{
    if (expect_running(w, 2) != 0) {
        return -1;
    }
    uint8_t slot = pc_boot_fields(w)->running_slot;
    if (slot == OTA_STORE_FACTORY_SLOT || slot == OTA_STORE_SLOT_NONE) {
        return pc_fail(w, "end: v2 runs from slot %u, not from its download slot",
                       (unsigned)slot);
    }
    return ota_store_is_rejected(&w->fx->store, 3) ? 0 : pc_fail(w, "end: v3 not rejected");
}

/* v3 confirmed: its security counter and the signed manifest's Sequence are on record. */
static int done_secure(pc_world_t *w)
{
    if (expect_running(w, 3) != 0) {
        return -1;
    }
    const ota_store_boot_t *b = pc_boot_fields(w);
    if (b->security_counter != 2) {
        return pc_fail(w, "end: security counter %u, v3 raised it to 2",
                       (unsigned)b->security_counter);
    }
    if (b->manifest_sequence != PC_MANIFEST_SEQUENCE) {
        return pc_fail(w, "end: manifest sequence %u, the manifest said %u",
                       (unsigned)b->manifest_sequence, PC_MANIFEST_SEQUENCE);
    }
    if ((w->scenario->features & PC_GUARD) && pc_guard_counter(w) != 2u) {
        return pc_fail(w, "end: guard counter %u, v3 confirmed says 2",
                       (unsigned)pc_guard_counter(w));
    }
    return 0;
}

static int done_erased(pc_world_t *w)
{
    if (expect_running(w, 1) != 0) {
        return -1;
    }
    return ota_store_find_version(&w->fx->store, 2) == OTA_STORE_SLOT_NONE
               ? 0
               : pc_fail(w, "end: v2 still stored after EraseVer");
}

static int done_factory(pc_world_t *w)
{
    if (expect_running(w, 1) != 0) {
        return -1;
    }
    return pc_boot_fields(w)->running_slot == OTA_STORE_FACTORY_SLOT
               ? 0
               : pc_fail(w, "end: v1 runs but not from the factory slot");
}

/* One download slot: v3 took the slot that held v2's copy and runs from it, confirmed. */
static int done_one_slot_update(pc_world_t *w)
{
    if (expect_running(w, 3) != 0) {
        return -1;
    }
    return pc_boot_fields(w)->running_slot == 1u
               ? 0
               : pc_fail(w, "end: v3 runs from slot %u, not from the one download slot",
                         (unsigned)pc_boot_fields(w)->running_slot);
}

/* One download slot: v3's failed trial had no v2 copy to go back to: the factory image. */
static int done_one_slot_back_to_factory(pc_world_t *w)
{
    if (done_factory(w) != 0) {
        return -1;
    }
    return ota_store_is_rejected(&w->fx->store, 3) ? 0 : pc_fail(w, "end: v3 not rejected");
}

/* ---- the table ------------------------------------------------------------------------ */

const pc_scenario_t pc_scenarios[] = {
    {"download", running_v1, false, {1, 2, 0}, {1, 0, 0}, app_update, done_update, 0},
    {"install", v2_pending, true, {1, 2, 0}, {1, 2, 0}, app_update, done_update, 0},
    {"trial-rollback", v2_pending, true, {1, 2, 0}, {1, 0, 0}, app_never_confirm, done_rollback,
     0},
    {"erasever-running", running_v2_confirmed, false, {1, 2, 0}, {1, 0, 0}, app_erase_running,
     done_erased, 0},
    {"factory-reset", running_v2_confirmed, false, {1, 2, 0}, {1, 0, 0}, app_factory_reset,
     done_factory, 0},
    {"journal-compaction", running_v1_journal_nearly_full, false, {1, 2, 0}, {1, 0, 0},
     app_update, done_update_compacted, 0},
    {"first-boot", programmed_v1, true, {1, 0, 0}, {1, 0, 0}, app_nothing, done_factory, 0},
    {"v3-trial-fails", running_v2_confirmed, false, {2, 3, 0}, {1, 2, 0}, app_v3_never_confirm,
     done_back_to_v2, 0},
    {"secure-update", running_v2_confirmed, false, {2, 3, 0}, {1, 2, 0}, app_update_v3,
     done_secure, PC_SECURE | PC_GUARD},
    {"one-slot-update", running_v2_confirmed, false, {2, 3, 0}, {1, 0, 0}, app_update_v3,
     done_one_slot_update, PC_ONE_SLOT},
    {"one-slot-trial-fails", running_v2_confirmed, false, {1, 2, 3}, {1, 0, 0},
     app_v3_never_confirm, done_one_slot_back_to_factory, PC_ONE_SLOT},
    {"patch-update", running_v1, false, {1, 2, 0}, {1, 0, 0}, app_update, done_update, PC_PATCH},
    {"patch-update-jojodiff", running_v1, false, {1, 2, 0}, {1, 0, 0}, app_update, done_update,
     PC_PATCH | PC_PATCH_JOJO},
    {"encrypted-update", running_v1, false, {1, 2, 0}, {1, 0, 0}, app_update, done_update,
     PC_ENCRYPTED},
};
const unsigned pc_scenario_count = sizeof pc_scenarios / sizeof pc_scenarios[0];
