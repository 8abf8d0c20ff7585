/* SPDX-License-Identifier: Apache-2.0 */
/*
 * otaflow-board flash: factory programming. Writes a whole .ota image into internal flash as
 * the bootloader installs one and as the programmer does with the unified hex (bootloader +
 * application, otaflow-image merge): the payload at the start of the application region, the
 * header and TLVs in the descriptor page after it; erased first, programmed row by row. The
 * external flash is not touched.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "cli.h"
#include "otaflow/image.h"

static const char HELP[] =
    "usage: otaflow-board flash DIR FILE.ota\n"
    "\n"
    "Factory programming: write the image FILE.ota (made by otaflow-image pack) into the\n"
    "board's internal flash as a programmer does: its payload at the start of the\n"
    "application region (0x10020000, 0xDF000 bytes; 0x00020000 on the emulated Cortex-M4 of\n"
    "a qemu board), its header and TLVs in the descriptor page after it (0x100FF000;\n"
    "0x000FF000). The image must be intact, and its load address the region's start. The\n"
    "image store on the external flash is left as it is.\n";

int cmd_flash(int argc, char **argv)
{
    const char *pos[2];
    const cli_opt_t opts[] = {{NULL, NULL, NULL}};
    int p = cli_parse(argc, argv, opts, pos, 2, HELP);
    if (p != 0) {
        return p > 0 ? BOARD_EXIT_OK : BOARD_EXIT_USAGE;
    }
    const char *dir = pos[0], *file = pos[1];
    board_config_t cfg;
    char err[BOARD_ERR_MAX];
    if (board_config_load(dir, &cfg, err, sizeof err) != 0) {
        return board_fail(argv[0], "%s", err);
    }
    ota_boot_config_t boot;
    board_boot_config(&cfg, &boot);

    uint8_t *data;
    size_t len;
    if (board_read_file(file, &data, &len) != 0) {
        return board_fail(argv[0], "cannot read %s: %s", file, strerror(errno));
    }
    if (len > boot.app_size + boot.desc_size) {
        free(data);
        return board_fail(argv[0], "%s is %zu bytes: larger than the application region "
                          "(%u bytes)", file, len, (unsigned)boot.app_size);
    }
    ota_image_source_t src;
    ota_image_buffer_t buf;
    ota_image_info_t info;
    uint8_t work[512];
    ota_image_source_buffer(&src, &buf, data, (uint32_t)len);
    ota_image_status_t ist = ota_image_parse(&src, &info);
    if (ist == OTA_IMAGE_OK) {
        ist = ota_image_verify(&src, &info, work, sizeof work);
    }
    if (ist != OTA_IMAGE_OK) {
        free(data);
        return board_fail(argv[0], "%s is not a valid image: %s", file,
                          ota_image_status_str(ist));
    }
    ist = ota_boot_image_fits(&boot, &info);
    if (ist != OTA_IMAGE_OK) {
        free(data);
        return board_fail(argv[0], "%s cannot be installed on this board: %s (load address "
                          "0x%08X, region 0x%08X, %u bytes)", file, ota_image_status_str(ist),
                          (unsigned)info.header.load_addr,
                          (unsigned)(boot.flash_address + boot.app_offset),
                          (unsigned)boot.app_size);
    }
    if (info.total_size != len) {
        free(data);
        return board_fail(argv[0], "%s has %zu bytes after the image's end", file,
                          len - info.total_size);
    }

    board_flashes_t flashes;
    if (board_flashes_open(&flashes, dir, &cfg, NULL, false, err, sizeof err) != 0) {
        free(data);
        return board_fail(argv[0], "%s", err);
    }
    ota_flash_status_t st =
        board_program_image(ota_sim_flash_port(&flashes.internal), &boot, data, &info);
    board_flashes_close(&flashes);
    free(data);
    if (st != OTA_FLASH_OK) {
        return board_fail(argv[0], "programming internal flash failed (flash status %d)", st);
    }
    printf("flashed %s: version %u, %u bytes into the application region at 0x%08X\n", file,
           (unsigned)info.header.version, (unsigned)info.total_size,
           (unsigned)(boot.flash_address + boot.app_offset));
    return BOARD_EXIT_OK;
}
