/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test fixture for the image store: a board (power domain + one RAM flash device of the strict
 * model) with a mounted store, deterministic test images, and the checks every power-cut test
 * makes after powering on again.
 */
#ifndef OTAFLOW_TEST_STORE_FIXTURE_H
#define OTAFLOW_TEST_STORE_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "flash_sim.h"
#include "otaflow/store.h"

typedef struct store_fixture {
    ota_sim_power_t power;
    ota_sim_flash_t dev;
    ota_flash_geometry_t geometry; /* used when has_geometry */
    int has_geometry;
    ota_store_config_t config;
    ota_store_t store;
} store_fixture_t;

/** 4 MB, 64 KB erase unit, no block erase, 16-byte program unit, 256-byte page. */
extern const ota_flash_geometry_t store_fixture_big_erase;

/** Allocate and open a fixture on preset "sst26vf032b" (geometry NULL) or a geometry override,
 *  with config (NULL: defaults), and mount the store. Aborts the program on error. */
store_fixture_t *store_fixture_open(const ota_flash_geometry_t *geometry,
                                    const ota_store_config_t *config);

/** Release the fixture. */
void store_fixture_close(store_fixture_t *fx);

/** Power on (after a cut) and mount the store again, as after a reset. */
ota_store_status_t store_fixture_remount(store_fixture_t *fx);

/** A valid otaflow image of exactly len bytes (more than 108) for version: header with
 *  that version, a payload pattern that differs per version, SHA-256 TLV. */
void store_fixture_image(uint8_t *buf, size_t len, uint32_t version);

/** Download buf as version in chunks of `chunk` bytes; returns the first failure. */
ota_store_status_t store_fixture_download(ota_store_t *store, uint32_t version,
                                          const uint8_t *buf, size_t len, size_t chunk,
                                          uint8_t *slot);

/** Make an image of len bytes for version and download it; the slot, or OTA_STORE_SLOT_NONE
 *  (after printing why) if it was not stored. */
uint8_t store_fixture_store_version(store_fixture_t *fx, uint32_t version, size_t len);

/** After any power cut: every STORED/INSTALLED slot's bytes match its digest, a DOWNLOADING
 *  slot's offset is erase-unit aligned, and the boot fields name slots that can be booted.
 *  Returns 0, or prints the broken invariant and returns -1. */
int store_fixture_check_invariants(store_fixture_t *fx);

/** The same checks on any mounted store whose flash has erase unit erase_unit. */
int store_check_invariants(ota_store_t *s, uint32_t erase_unit);

/** Checks that a slot's bytes match its digest: OTA_STORE_OK or why not. */
typedef ota_store_status_t (*store_slot_check_fn)(ota_store_t *s, uint8_t slot, void *ctx);

/** The same with another way of checking a slot's bytes (NULL: ota_store_slot_verify), e.g.
 *  a comparison with the known image, much faster than hashing in long sweeps. */
int store_check_invariants_with(ota_store_t *s, uint32_t erase_unit, store_slot_check_fn check,
                                void *ctx);

/** The first field in which two snapshots differ (the first slot_count slots), e.g.
 *  "attempts" or "slots[2].offset", or NULL if they are equal. The name lives in a static
 *  buffer until the next call. */
const char *store_fixture_state_diff(const ota_store_state_t *a, const ota_store_state_t *b,
                                     uint8_t slot_count);

/** Field-by-field equality of two snapshots (the first slot_count slots). */
int store_fixture_state_equal(const ota_store_state_t *a, const ota_store_state_t *b,
                              uint8_t slot_count);

/* Power-cut sweeps ------------------------------------------------------------------------- */

/** Brings a fresh fixture to the state before the operation under test. */
typedef void (*store_fixture_setup_fn)(store_fixture_t *fx, void *ctx);
/** The operation under test. */
typedef ota_store_status_t (*store_fixture_op_fn)(store_fixture_t *fx, void *ctx);
/** Called after each cut, power-on and successful remount. which: 0 = the state equals the
 *  state before the operation, 1 = the state after it, -1 = neither (an intermediate state,
 *  legal only for operations that write several records). Returns 0 if all is well. */
typedef int (*store_fixture_check_fn)(store_fixture_t *fx, void *ctx, int which);

/** Result of a sweep. */
typedef struct store_fixture_sweep_result {
    unsigned ops;       /**< modifying flash operations of the operation under test */
    unsigned cuts;      /**< cuts made (ops x 3 modes) */
    unsigned old_state; /**< cuts after which the old state was found */
    unsigned new_state; /**< ... the new state */
    unsigned other;     /**< ... an intermediate state */
    unsigned failures;  /**< cuts after which a check failed (printed) */
} store_fixture_sweep_result_t;

/**
 * Run setup + op once without a cut (op must succeed), then for every modifying flash
 * operation N of op and each mode (before, after, torn): a fresh fixture, setup, cut at N,
 * op, power on, remount (must succeed), invariants, check. Counts everything in *out.
 */
void store_fixture_sweep(const ota_flash_geometry_t *geometry, const ota_store_config_t *config,
                         store_fixture_setup_fn setup, store_fixture_op_fn op,
                         store_fixture_check_fn check, void *ctx,
                         store_fixture_sweep_result_t *out);

#endif
