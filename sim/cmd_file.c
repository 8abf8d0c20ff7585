/* SPDX-License-Identifier: Apache-2.0 */
/*
 * otaflow-board file: the file a file slot of the image store holds (the original's File
 * Download, include/otaflow/files.h), written to a file or to stdout. Reads only: safe while
 * the board runs.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "board_view.h"
#include "cli.h"
#include "otaflow/files.h"

static const char HELP[] =
    "usage: otaflow-board file DIR SLOT [--out FILE]\n"
    "\n"
    "The file that file slot SLOT of the board's image store holds (board.conf file_slots;\n"
    "the manifest's \"files\" entries fill them), byte for byte: into FILE, or to stdout.\n"
    "Its length and SHA-256 go to stderr. Fails (status 1) when the slot holds no file or\n"
    "its bytes no longer match their SHA-256. Reads only: safe while the board runs.\n";

static int file_copy_out(board_view_t *v, uint8_t slot, uint32_t length, FILE *out)
{
    uint8_t buf[4096];
    for (uint32_t at = 0; at < length;) {
        uint32_t got = 0;
        ota_file_status_t st = ota_file_read(&v->store, slot, at, buf, sizeof buf, &got);
        if (st != OTA_FILE_OK || got == 0 || fwrite(buf, 1, got, out) != got) {
            return -1;
        }
        at += got;
    }
    return 0;
}

int cmd_file(int argc, char **argv)
{
    const char *pos[2], *out_path = NULL;
    const cli_opt_t opts[] = {{"out", &out_path, NULL}, {NULL, NULL, NULL}};
    int p = cli_parse(argc, argv, opts, pos, 2, HELP);
    if (p != 0) {
        return p > 0 ? BOARD_EXIT_OK : BOARD_EXIT_USAGE;
    }
    uint32_t slot;
    if (!cli_u32(pos[1], 0, 255, &slot)) {
        return board_usage_error(argv[0], "SLOT must be a number 0..255, not '%s'", pos[1]);
    }
    static board_view_t v;
    board_config_t cfg;
    char err[BOARD_ERR_MAX];
    if (board_config_load(pos[0], &cfg, err, sizeof err) != 0 ||
        board_view_open(&v, pos[0], &cfg, err, sizeof err) != 0) {
        return board_fail(argv[0], "%s", err);
    }
    int rc = BOARD_EXIT_FAIL;
    ota_file_info_t info;
    ota_file_status_t st = v.store_status != OTA_STORE_OK
                               ? OTA_FILE_ERR_NOT_MOUNTED
                               : ota_file_info(&v.store, (uint8_t)slot, &info);
    if (st == OTA_FILE_OK) {
        st = ota_file_verify(&v.store, (uint8_t)slot);
    }
    if (st != OTA_FILE_OK) {
        board_fail(argv[0], "file slot %u: %s (the board has %u file slot%s)", (unsigned)slot,
                   ota_file_status_str(st), (unsigned)cfg.file_slots,
                   cfg.file_slots == 1 ? "" : "s");
        board_view_close(&v);
        return BOARD_EXIT_FAIL;
    }
    FILE *out = out_path != NULL ? fopen(out_path, "wb") : stdout;
    if (out == NULL) {
        board_fail(argv[0], "cannot write %s: %s", out_path, strerror(errno));
    } else if (file_copy_out(&v, (uint8_t)slot, info.length, out) != 0 ||
               (out != stdout && fclose(out) != 0) || (out == stdout && fflush(out) != 0)) {
        board_fail(argv[0], "cannot copy file slot %u out", (unsigned)slot);
    } else {
        fprintf(stderr, "file slot %u: %u bytes, sha256 ", (unsigned)slot,
                (unsigned)info.length);
        for (unsigned i = 0; i < OTA_SHA256_SIZE; i++) {
            fprintf(stderr, "%02x", info.digest[i]);
        }
        fprintf(stderr, "\n");
        rc = BOARD_EXIT_OK;
    }
    board_view_close(&v);
    return rc;
}
