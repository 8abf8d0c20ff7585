/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The small board of fuzz target journal (issue 7), shared with its seed generator so that the
 * seeds are journals of exactly this layout: 64 KB of SST26-like NOR (4 KB sectors, 256-byte
 * pages, byte programming), 8 KB slots, factory + 2 download slots. Layout: journal sectors at
 * 0 and 4 KB, slots at 8, 16 and 24 KB; 256-byte records, 16 per sector.
 */
#ifndef OTAFLOW_FUZZ_JOURNAL_RIG_H
#define OTAFLOW_FUZZ_JOURNAL_RIG_H

#include "flash_sim.h"
#include "otaflow/store.h"

#define JOURNAL_RIG_SIZE (64u * 1024u)
#define JOURNAL_RIG_JOURNAL (8u * 1024u) /* both journal sectors: what an input covers */
#define JOURNAL_RIG_SLOT(n) ((8u + 8u * (n)) * 1024u)

/* Slot contents a flags byte can choose (seeds and target build them the same way, with
 * store_fixture_image): the image of v1 (the factory image, also the one in internal flash),
 * v2 in download slot 1 and v3 in download slot 2. */
#define JOURNAL_RIG_V1_LEN 2000u
#define JOURNAL_RIG_V2_LEN 2000u
#define JOURNAL_RIG_V3_LEN 3000u

static const ota_flash_geometry_t journal_rig_geometry = {
    .size = JOURNAL_RIG_SIZE,
    .erase_unit = 4096u,
    .block_size = 0u,
    .program_unit = 1u,
    .page_size = 256u,
    .erased_value = 0xFFu,
};

static const ota_store_config_t journal_rig_config = {
    .slot_size = 8192u,
    .download_slots = 2u,
    .checkpoint_interval = 1024u,
};

#endif /* OTAFLOW_FUZZ_JOURNAL_RIG_H */
