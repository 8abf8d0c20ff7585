/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The set-up shared by the tests of the minimal lean bootloaders with signatures
 * (test_boot_minimal.c, test_boot_overwrite.c): a trusted and an untrusted signing key, images
 * signed by either, a board factory-programmed with a signed v1 and booted once, and a signed
 * v2 staged for install. Compiled into each test with the test's core options (the fixture's
 * structs depend on them).
 */
#ifndef OTAFLOW_TEST_SIGNED_BOARD_H
#define OTAFLOW_TEST_SIGNED_BOARD_H

#include <stdint.h>

#include "boot_fixture.h"
#include "test_keys.h"

#define SIGNED_BOARD_IMG 20000u                       /* an image's size before signing */
#define SIGNED_BOARD_IMG_CAP (SIGNED_BOARD_IMG + 256u) /* ... and its room for the TLVs */

typedef struct signed_board_keys {
    tool_key_t key;            /* trusted by ring */
    tool_key_t other;          /* trusted by nothing */
    ota_sig_key_t trusted[1];
    ota_sig_keyring_t ring;    /* what the boards' store config trusts */
    uint8_t v1[SIGNED_BOARD_IMG_CAP];
    uint8_t v2[SIGNED_BOARD_IMG_CAP];
    uint32_t v2_size;          /* of the v2 signed_board_stage_v2 staged last */
    uint8_t v3[SIGNED_BOARD_IMG_CAP]; /* a third version, for an update after v2's */
    uint32_t v3_size;
} signed_board_keys_t;

/** The keys and the last images signed (one set per test program). */
extern signed_board_keys_t signed_board;

/** cmocka group set-up and tear-down: make signed_board's keys, free them. */
int signed_board_keys_make(void **unused);
int signed_board_keys_free(void **unused);

/** A signed image of version into buf (SIGNED_BOARD_IMG_CAP bytes) by `by`; its security
 *  counter is the version unless counter != 0. Returns its size (asserts it was signed). */
uint32_t signed_board_image(uint8_t *buf, uint32_t version, uint32_t counter, tool_key_t *by);

/** A board whose store trusts signed_board.key, factory-programmed with a signed v1 (in
 *  signed_board.v1) and booted once (asserts v1 started). */
boot_fixture_t *signed_board_open(void);

/** version (security counter `counter`, 0: the version) signed by `by` into buf
 *  (SIGNED_BOARD_IMG_CAP bytes, *size its size) and a download slot, its install requested,
 *  as an agent without keys would stage it: what is tested is the bootloader's check.
 *  Returns the slot (asserts there is one). */
uint8_t signed_board_stage(boot_fixture_t *fx, uint8_t *buf, uint32_t *size, uint32_t version,
                           uint32_t counter, tool_key_t *by);

/** signed_board_stage of v2 into signed_board.v2. */
uint8_t signed_board_stage_v2(boot_fixture_t *fx, uint32_t counter, tool_key_t *by);

/** signed_board_open with v2 (signed_board.key, counter 2) staged and installed by one boot
 *  (asserts v2 started). */
boot_fixture_t *signed_board_open_v2(void);

/** One payload bit of the image in internal flash flipped, its header intact: what only a
 *  check that hashes finds. */
void signed_board_break_payload(boot_fixture_t *fx);

#endif
