/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test fixture for the bootloader: a simulated PIC32MZ W1 board (internal program flash and an
 * external SST26 on one power domain) with a mounted store, real images, and power-on helpers.
 * Shared by the bootloader's unit tests and the power-cut sweeps (issue 5).
 */
#ifndef OTAFLOW_TEST_BOOT_FIXTURE_H
#define OTAFLOW_TEST_BOOT_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>

#include "flash_sim.h"
#include "otaflow/boot.h"
#include "otaflow/store.h"

#define BOOT_FIXTURE_LOG_LINES 64u

typedef struct boot_fixture {
    ota_sim_power_t power;
    ota_sim_flash_t internal;
    ota_sim_flash_t external;
    ota_store_t store;
    ota_boot_t boot;
    ota_boot_config_t config;
    ota_store_config_t store_config;       /* what every mount uses (zero: defaults) */
    ota_boot_report_t report;
    char log[BOOT_FIXTURE_LOG_LINES][112]; /* console lines of the last boot */
    unsigned log_lines;
    bool echo;                             /* also print console lines to stdout */
} boot_fixture_t;

/** Boards opened from now on get this internal flash preset and application region, the
 *  descriptor area being the sector after it (preset NULL: back to the PIC32MZ W1 and
 *  ota_boot_config_default's region). The region starts at 0x10020000 on every board, the
 *  load address of the fixture's images. */
void boot_fixture_select_internal(const char *preset, uint32_t app_offset, uint32_t app_size);

/** A fresh board: both flashes erased, store mounted (fresh), default boot config (or the
 *  selected internal flash and region). Aborts on error. echo from env OTA_TEST_ECHO. */
boot_fixture_t *boot_fixture_open(void);

/** The same with the external flash in another geometry (NULL: the SST26VF032B preset's). */
boot_fixture_t *boot_fixture_open_external(const ota_flash_geometry_t *external_geometry);
void boot_fixture_close(boot_fixture_t *fx);

/** A valid image of total size `size` (>= 128) for version into buf: header (security counter
 *  = version, hw_id 0x57310001), a payload pattern that does not depend on the version, the
 *  byte at payload offset `patch` (if != 0) changed, SHA-256 TLV. Returns size. */
uint32_t boot_fixture_image(uint8_t *buf, uint32_t size, uint32_t version, uint32_t patch);

/** The same with another payload pattern (seed != 0: every byte differs from seed 0's). */
uint32_t boot_fixture_image_seeded(uint8_t *buf, uint32_t size, uint32_t version, uint32_t patch,
                                   uint8_t seed);

/** Give an image (built by the functions above: SHA-256 is its first TLV) another security
 *  counter: header re-encoded, SHA-256 TLV recomputed. Aborts if it does not parse. */
void boot_fixture_set_security_counter(uint8_t *img, uint32_t size, uint32_t counter);

/** Factory programming: write the image into internal flash as it is installed (payload at the
 *  region's start, header and TLVs in the descriptor area after it), as the programmer does.
 *  len bytes from img: the first 64 are taken as the header (payload_size, at offset 20, says
 *  where the TLV area starts), even if it does not parse. */
void boot_fixture_program(boot_fixture_t *fx, const uint8_t *img, uint32_t len);

/** True if internal flash holds exactly img[0, len) as installed (payload at the region's
 *  start, header and TLVs after the region), byte for byte. */
bool boot_fixture_internal_holds(const boot_fixture_t *fx, const uint8_t *img, uint32_t len);

/** Power on (if a cut killed the board; an armed cut stays armed), remount the store and run
 *  the bootloader; console lines in fx->log. */
ota_boot_status_t boot_fixture_boot(boot_fixture_t *fx);

/** Mount the store again with fx->store_config (as the application does after a reset).
 *  Returns the mount status. */
ota_store_status_t boot_fixture_mount(boot_fixture_t *fx);

/** Agent side: download the image into a slot and request its install. Returns the slot or
 *  OTA_STORE_SLOT_NONE (after printing why). */
uint8_t boot_fixture_stage_update(boot_fixture_t *fx, const uint8_t *img, uint32_t len,
                                  uint32_t version);

/** True if the console of the last boot has a line equal to line. */
bool boot_fixture_said(const boot_fixture_t *fx, const char *line);

/** The bootloader tests' console check, for a test compiled with the core's OTA_BOOT_LOG: the
 *  line was said; with OTA_BOOT_LOG 0 (the lean core, CMakeLists.txt) nothing at all was said,
 *  and what happened is checked in the report, as every test also does. */
#if OTA_BOOT_LOG
#define BOOT_SAID(fx, line) boot_fixture_said(fx, line)
#else
#define BOOT_SAID(fx, line) ((void)(line), (fx)->log_lines == 0u)
#endif

/** Independent check of the installed image (parse + verify over a copy of its bytes,
 *  gathered from the region and the descriptor area): the version of the valid image
 *  internal flash holds, or 0. */
uint32_t boot_fixture_internal_version(boot_fixture_t *fx);

/** Make dst (an open fixture) the same board as src: flash contents, programmed bitmaps,
 *  wear, counters, power state, boot and store config. The store is left unmounted (boot mounts). */
void boot_fixture_clone(boot_fixture_t *dst, const boot_fixture_t *src);

/** Save both flashes' contents as OTA_BUILD_DIR/tests/NAME.external and NAME.internal (save
 *  true), or load them from there into fx (save false; the files must be of fx's sizes), for a
 *  test of another build of the core to pick up. False when OTA_BUILD_DIR is not set (a test
 *  run by hand, not by ctest); aborts when a file cannot be written or read whole. */
bool boot_fixture_files(boot_fixture_t *fx, const char *name, bool save);

/** Sum of both devices' modeled time so far (ns). */
uint64_t boot_fixture_modeled_ns(const boot_fixture_t *fx);

#endif
