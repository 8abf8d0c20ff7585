/* SPDX-License-Identifier: Apache-2.0 */
/*
 * otaflow-board attack: what someone holding the SPI bus of the external flash (or the
 * application, which owns that flash) can do to the image store, so that the tests can show
 * what the bootloader still refuses (docs/security.md, "Guarded floor"). Only the external
 * flash is touched: the guard lives in internal flash.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "cli.h"

static const char HELP[] =
    "usage: otaflow-board attack DIR erase-journal\n"
    "       otaflow-board attack DIR plant FILE.ota\n"
    "\n"
    "Tamper with the board's external flash as an attacker with the SPI bus would (the board\n"
    "must not be running):\n"
    "  erase-journal   erase both journal sectors of the image store: the store forgets\n"
    "                  everything (slots, boot state, counters), as on a new board\n"
    "  plant FILE.ota  write FILE.ota into a download slot and record it as a pending\n"
    "                  install, with the attacker's own store code: no signature, security\n"
    "                  counter or hardware id is checked here (the bootloader checks them)\n";

static int erase_journal(const char *cmd, board_flashes_t *f)
{
    const ota_flash_t *ext = ota_sim_flash_port(&f->external);
    uint32_t sector = ext->geometry.erase_unit;
    for (uint32_t i = 0; i < 2; i++) {
        ota_flash_status_t fs = ota_flash_erase(ext, i * sector, sector);
        if (fs != OTA_FLASH_OK) {
            return board_fail(cmd, "erasing journal sector %u failed (flash status %d)",
                              (unsigned)i, fs);
        }
    }
    printf("erased both journal sectors (0x0 and 0x%X, %u bytes each) of the external flash\n",
           (unsigned)sector, (unsigned)sector);
    return BOARD_EXIT_OK;
}

static int plant(const char *cmd, board_flashes_t *f, const board_config_t *cfg,
                 const char *file)
{
    uint8_t *data;
    size_t len;
    if (board_read_file(file, &data, &len) != 0) {
        return board_fail(cmd, "cannot read %s: %s", file, strerror(errno));
    }
    ota_image_header_t h;
    if (ota_image_header_decode(data, len, (uint32_t)len, &h) != OTA_IMAGE_OK) {
        free(data);
        return board_fail(cmd, "%s has no image header", file);
    }
    ota_sig_keyring_t ring;
    ota_store_config_t sc;
    board_store_config(cfg, &ring, &sc);
    sc.trusted_keys = NULL; /* the attacker's code checks nothing */
    sc.hw_id = 0;
    static ota_store_t store;
    uint8_t digest[OTA_SHA256_SIZE], slot = OTA_STORE_SLOT_NONE;
    ota_sha256(data, len, digest);
    ota_store_status_t st = ota_store_mount(&store, ota_sim_flash_port(&f->external), &sc);
    if (st == OTA_STORE_OK) {
        st = ota_store_download_begin(&store, h.version, (uint32_t)len, digest, &slot, NULL);
    }
    if (st == OTA_STORE_OK) {
        st = ota_store_download_write(&store, 0, data, len);
    }
    if (st == OTA_STORE_OK) {
        st = ota_store_download_finish(&store);
    }
    if (st == OTA_STORE_OK) {
        st = ota_store_request_install(&store, slot);
    }
    free(data);
    if (st != OTA_STORE_OK) {
        return board_fail(cmd, "planting %s failed: %s", file, ota_store_status_str(st));
    }
    printf("planted %s (version %u, security counter %u) in slot %u as a pending install\n",
           file, (unsigned)h.version, (unsigned)h.security_counter, (unsigned)slot);
    return BOARD_EXIT_OK;
}

int cmd_attack(int argc, char **argv)
{
    const char *pos[3] = {NULL, NULL, NULL};
    const cli_opt_t opts[] = {{NULL, NULL, NULL}};
    int npos = argc >= 3 && strcmp(argv[2], "plant") == 0 ? 3 : 2; /* DIR WHAT [FILE] */
    int p = cli_parse(argc, argv, opts, pos, npos, HELP);
    if (p != 0) {
        return p > 0 ? BOARD_EXIT_OK : BOARD_EXIT_USAGE;
    }
    const char *dir = pos[0], *what = pos[1], *file = pos[2];
    bool erase = what != NULL && strcmp(what, "erase-journal") == 0 && file == NULL;
    bool put = what != NULL && strcmp(what, "plant") == 0 && file != NULL;
    if (!erase && !put) {
        return board_usage_error(argv[0], "say erase-journal, or plant FILE.ota");
    }
    board_config_t cfg;
    board_flashes_t flashes;
    char err[BOARD_ERR_MAX];
    if (board_config_load(dir, &cfg, err, sizeof err) != 0 ||
        board_flashes_open(&flashes, dir, &cfg, NULL, false, err, sizeof err) != 0) {
        return board_fail(argv[0], "%s", err);
    }
    int rc = erase ? erase_journal(argv[0], &flashes) : plant(argv[0], &flashes, &cfg, file);
    board_flashes_close(&flashes);
    return rc;
}
