/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared between the files of the host flash model (not part of its interface).
 */
#ifndef OTAFLOW_FLASH_SIM_INTERNAL_H
#define OTAFLOW_FLASH_SIM_INTERNAL_H

#include "flash_sim.h"

/** What the power domain does to the modifying operation about to run. */
typedef enum sim_fate {
    SIM_FATE_RUN = 0,    /**< powered, not cut: run normally */
    SIM_FATE_BEFORE,     /**< cut before it: do nothing */
    SIM_FATE_AFTER,      /**< run it fully, then power is gone */
    SIM_FATE_TORN,       /**< run part of it, then power is gone */
} sim_fate_t;

/** True if the board of dev has no power. */
bool sim_power_dead(const ota_sim_power_t *p);

/** Count one modifying operation on the board and say what happens to it. p may be NULL. */
sim_fate_t sim_power_begin_op(ota_sim_power_t *p);

/** Next value of a seeded splitmix64 generator whose state is *state. */
uint64_t sim_splitmix(uint64_t *state);

/** Next value of the board's seeded generator (splitmix64). */
uint64_t sim_random(ota_sim_power_t *p);

/** Uniform-enough value in [0, n) for n > 0 (modulo bias is irrelevant here). */
uint32_t sim_random_below(ota_sim_power_t *p, uint32_t n);

/** Size in bytes of the programmed bitmap of a geometry (one bit per program unit). */
size_t sim_bitmap_bytes(const ota_flash_geometry_t *g);

/** Number of erase units of a geometry. */
uint32_t sim_erase_units(const ota_flash_geometry_t *g);

/** Common part of opening: check the geometry, fill dev (no storage yet). */
ota_flash_status_t sim_open_common(ota_sim_flash_t *dev, const ota_sim_preset_t *preset,
                                   const ota_flash_geometry_t *geometry,
                                   ota_sim_power_t *power);

/** Make the device usable through its port (last step of a successful open). */
void sim_attach_port(ota_sim_flash_t *dev);

/** Mark every program unit of [addr, addr+len) programmed. */
void sim_mark_programmed(ota_sim_flash_t *dev, uint32_t addr, uint32_t len);

/** Silent faults: a program of [addr, addr+len) with data just completed (board op `op`). */
void sim_fault_programmed(ota_sim_flash_t *dev, uint32_t addr, const uint8_t *data,
                          uint32_t len, uint64_t op);

/** Silent faults: [addr, addr+len) was just read into buf; weak bits read as they do. */
void sim_fault_read(ota_sim_flash_t *dev, uint32_t addr, uint8_t *buf, uint32_t len);

/** Silent faults: [addr, addr+len) was erased (or torn by an erase): its weak bits are gone. */
void sim_fault_erased(ota_sim_flash_t *dev, uint32_t addr, uint32_t len);

/** The .meta image (flash_sim_meta.c): point dev's programmed bitmap and wear into meta
 *  (ota_sim_meta_size bytes; dev->mem and the geometry set). fresh: write a new header and
 *  mark every program unit of the contents that is not all erased; else the header must be of
 *  this geometry (ERR_IO if not) and its counters become dev's. */
ota_flash_status_t sim_meta_attach(ota_sim_flash_t *dev, void *meta, bool fresh);

/** Copy dev's counters into its .meta image's header. */
void sim_meta_store_stats(ota_sim_flash_t *dev);

/** What a backing store adds to a device (flash_sim_file.c sets it when it opens a file):
 *  the core model calls through it, so it depends on no backing's code and the file code
 *  depends on the core only (no cycle between the two files). */
typedef struct sim_backing_ops {
    /** Copy the counters into the backing's metadata (after every operation). */
    void (*store_stats)(ota_sim_flash_t *dev);
    /** Write back and release everything the backing holds (close). */
    void (*release)(ota_sim_flash_t *dev);
} sim_backing_ops_t;

#endif /* OTAFLOW_FLASH_SIM_INTERNAL_H */
