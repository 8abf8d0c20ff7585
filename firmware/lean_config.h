/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The lean bootloader's configuration, fixed at compile time as a product's bootloader is
 * (no settings read at start): the emulated board's two flashes and where they are mapped,
 * the application region, the trial boots, the watchdog and the hardware id. Its trusted
 * keys are lean_keys.c's (CMake: -DOTA_LEAN_KEYS=FILE.c, written by `otaflow-image pubkey-c`).
 * The values are those of a board `otaflow-board create --engine qemu` makes with its defaults
 * (board.conf, docs/board.md), so that the host tools prepare its flash files.
 */
#ifndef OTAFLOW_LEAN_CONFIG_H
#define OTAFLOW_LEAN_CONFIG_H

/* Internal flash: the PIC32MZ W1's program flash (pic32mzw1-pfm), the code memory at 0x0. */
#define LEAN_INTERNAL_BASE 0x00000000u
#define LEAN_INTERNAL_FLASH(bytes) \
    {.size = (bytes), .erase_unit = 4096u, .program_unit = 16u, .page_size = 1024u, \
     .erased_value = 0xFFu}
#define LEAN_INTERNAL_GEOMETRY LEAN_INTERNAL_FLASH(0x100000u)

/* The image store: an SST26VF032B (4 MB SPI NOR) seen memory-mapped in the PSRAM. */
#define LEAN_EXTERNAL_BASE 0x21000000u
#define LEAN_EXTERNAL_GEOMETRY \
    {.size = 0x400000u, .erase_unit = 4096u, .block_size = 65536u, .program_unit = 1u, \
     .page_size = 256u, .erased_value = 0xFFu}

/* The guard pages: the two erase units just below the application region. */
#define LEAN_GUARD_SIZE (2u * 4096u)
#define LEAN_GUARD_GEOMETRY LEAN_INTERNAL_FLASH(LEAN_GUARD_SIZE) /* a window of it */

/* Internal flash offset 0 is address 0 (images' load_addr 0x20000 for the region), and an
 * installed image's header and TLVs take the 4 KB page after the region (0xFF000). */
#define LEAN_FLASH_ADDRESS 0x00000000u
#define LEAN_DESC_SIZE 0x1000u

#define LEAN_DOWNLOAD_SLOTS 2u  /* board.conf's slots */
#define LEAN_ATTEMPTS 3u        /* trial boots before a roll back */
#define LEAN_WATCHDOG_MS 30000u /* watchdog_s = 30 */
#define LEAN_HW_ID 0u           /* 0: any image's */

#endif /* OTAFLOW_LEAN_CONFIG_H */
