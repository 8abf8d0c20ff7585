/* SPDX-License-Identifier: Apache-2.0 */
/* otaflow-board create / set: a new board directory, or new settings for one. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "board.h"
#include "board_key.h"
#include "cli.h"
#include "qemu_power.h"

static const char CREATE_HELP[] =
    "usage: otaflow-board create DIR [options]\n"
    "\n"
    "A new virtual PIC32MZ W1 Curiosity board in DIR (created; must not be a board already):\n"
    "internal program flash (1 MB) and external SPI NOR flash, all erased, and board.conf.\n"
    "\n"
    "  --ext-flash PART         sst26vf032b (4 MB, default) or sst26vf064b (8 MB)\n"
    "  --manifest-url URL       where the application's agent fetches the manifest\n"
    "  --period SEC             seconds between manifest checks (default 60, 0..7200)\n"
    "  --slots N                download slots of the image store (default 2, 1..5)\n"
    "  --auto-reset on|off      reset as soon as an image is stored (default on)\n"
    "  --attempts N             trial boots before a new image is rolled back (default 3)\n"
    "  --watchdog SEC           reset an application silent this long (default 30)\n"
    "  --confirm-on-start on|off  the application confirms itself at start, not after its\n"
    "                           first successful manifest check (default off)\n"
    "  --pubkey PUB.pem         images must be signed by this key (bootloader and store);\n"
    "                           PEM, or DER as the original's key2header.py takes it\n"
    "  --manifest-pubkey PUB.pem  manifests must be signed by this key (the agent fetches\n"
    "                           MANIFEST_URL.sig; see otaflow-image manifest sign)\n"
    "  --decrypt-key DEVICE.pem the device key images are encrypted for (otaflow-image pack\n"
    "                           --encrypt-to its public half): the host engine's bootloader\n"
    "                           decrypts them while it installs (the key stays in board.conf)\n"
    "  --hw-id N                the board's hardware id: images and manifest entries for\n"
    "                           another one are refused (default 0: any)\n"
    "  --device-id ID           the agent's device id: its place in staged rollouts (a\n"
    "                           manifest entry's Rollout), named in its reports\n"
    "  --report-url URL         where the agent POSTs its status reports (JSON)\n"
    "  --engine host|qemu       what runs the board: host (default: the bootloader in\n"
    "                           otaflow-board, the application as a host program) or qemu\n"
    "                           (the firmware of make firmware on QEMU's mps2-an386 Cortex-M4;\n"
    "                           manifest URLs then name the host's server http://10.0.2.100:PORT)\n"
    "  --bootloader FILE.bin    qemu: the bootloader written at address 0 of internal flash\n"
    "                           (default: firmware/bootloader.bin of this build, beside bin/)\n";

static const char SET_HELP[] =
    "usage: otaflow-board set DIR KEY=VALUE...\n"
    "\n"
    "Change settings in DIR/board.conf. Keys (ext_flash and engine are fixed at create):\n"
    "manifest_url, period_s, slots, auto_reset, attempts, watchdog_s, confirm_on_start,\n"
    "hw_id, device_id, report_url, image_pubkey, manifest_pubkey (130 hex digits, or empty\n"
    "for none),\n"
    "accept_raw_images (true: the agent takes the original's raw .bin images).\n"
    "The running application reads them at its next start.\n";

/* The default bootloader: BUILD/firmware/bootloader.bin beside BUILD/bin/otaflow-board. */
static int default_bootloader(char *out, size_t len)
{
    char self[BOARD_PATH_MAX];
    if (board_self_path(self, sizeof self) != 0) {
        return -1;
    }
    char *slash = strrchr(self, '/');
    if (slash == NULL) {
        return -1;
    }
    *slash = '\0';
    int w = snprintf(out, len, "%s/../firmware/bootloader.bin", self);
    return (w < 0 || (size_t)w >= len) ? -1 : 0;
}

/* What a programmer does before shipping a board: the bootloader at address 0 of internal
 * flash, through the flash model (so its programs, wear and counters are recorded), below
 * the guard pages. The application comes with `otaflow-board flash`. */
static int write_bootloader(board_flashes_t *f, const char *dir, const char *file, char *err,
                            size_t err_len)
{
    char def[BOARD_PATH_MAX];
    if (file == NULL) {
        if (default_bootloader(def, sizeof def) != 0) {
            snprintf(err, err_len, "cannot find this build's firmware/bootloader.bin");
            return -1;
        }
        file = def;
    }
    uint8_t *data;
    size_t len;
    if (board_read_file(file, &data, &len) != 0) {
        return board_error(err, err_len,
                           "cannot read the bootloader %s: %s (make firmware builds it)", file,
                           strerror(errno));
    }
    const ota_flash_t *flash = ota_sim_flash_port(&f->internal);
    uint32_t unit = flash->geometry.erase_unit;
    uint32_t room = f->system.guard_offset; /* everything below the guard pages */
    if (len == 0 || len > room) {
        free(data);
        return board_error(err, err_len, "%s: %zu bytes: a bootloader is 1..%u bytes (below "
                           "the guard pages of %s)", file, len, (unsigned)room, dir);
    }
    ota_flash_status_t st = board_program_region(
        flash, 0, (uint32_t)((len + unit - 1) / unit * unit), data, len);
    free(data);
    if (st != OTA_FLASH_OK) {
        snprintf(err, err_len, "programming the bootloader failed (flash status %d)", st);
        return -1;
    }
    return 0;
}

int cmd_create(int argc, char **argv)
{
    const char *dir = NULL;
    const char *ext = NULL, *url = NULL, *period = NULL, *slots = NULL, *auto_reset = NULL;
    const char *attempts = NULL, *watchdog = NULL, *confirm = NULL;
    const char *pubkey = NULL, *manifest_pubkey = NULL, *hw_id = NULL;
    const char *device_id = NULL, *report_url = NULL;
    const char *engine = NULL, *bootloader = NULL, *decrypt_key = NULL;
    const cli_opt_t opts[] = {
        {"ext-flash", &ext, NULL},       {"manifest-url", &url, NULL},
        {"period", &period, NULL},       {"slots", &slots, NULL},
        {"auto-reset", &auto_reset, NULL}, {"attempts", &attempts, NULL},
        {"watchdog", &watchdog, NULL},   {"confirm-on-start", &confirm, NULL},
        {"pubkey", &pubkey, NULL},       {"manifest-pubkey", &manifest_pubkey, NULL},
        {"hw-id", &hw_id, NULL},         {"engine", &engine, NULL},
        {"device-id", &device_id, NULL}, {"report-url", &report_url, NULL},
        {"bootloader", &bootloader, NULL}, {"decrypt-key", &decrypt_key, NULL},
        {NULL, NULL, NULL},
    };
    int p = cli_parse(argc, argv, opts, &dir, 1, CREATE_HELP);
    if (p != 0) {
        return p > 0 ? BOARD_EXIT_OK : BOARD_EXIT_USAGE;
    }

    board_config_t cfg;
    board_config_default(&cfg);
    char err[BOARD_ERR_MAX];
    char image_hex[BOARD_PUBKEY_HEX], manifest_hex[BOARD_PUBKEY_HEX];
    char devkey_hex[BOARD_DEVKEY_HEX];
    if ((pubkey != NULL && board_pubkey_hex(pubkey, image_hex, err, sizeof err) != 0) ||
        (manifest_pubkey != NULL &&
         board_pubkey_hex(manifest_pubkey, manifest_hex, err, sizeof err) != 0) ||
        (decrypt_key != NULL && board_devkey_hex(decrypt_key, devkey_hex, err, sizeof err) != 0)) {
        return board_fail(argv[0], "%s", err);
    }
    const char *keys[] = {"engine", "ext_flash", "manifest_url", "period_s", "slots",
                          "auto_reset", "attempts", "watchdog_s", "confirm_on_start", "hw_id",
                          "image_pubkey", "manifest_pubkey", "device_id", "report_url",
                          "decrypt_key"};
    const char *values[] = {engine, ext, url, period, slots,
                            auto_reset, attempts, watchdog, confirm, hw_id,
                            pubkey ? image_hex : NULL, manifest_pubkey ? manifest_hex : NULL,
                            device_id, report_url, decrypt_key ? devkey_hex : NULL};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        if (values[i] != NULL && board_config_set(&cfg, keys[i], values[i], err, sizeof err)) {
            return board_usage_error(argv[0], "%s", err);
        }
    }

    if (bootloader != NULL && cfg.engine != BOARD_ENGINE_QEMU) {
        return board_usage_error(argv[0], "--bootloader is for --engine qemu");
    }
    char path[BOARD_PATH_MAX];
    if (board_path(path, dir, BOARD_CONF) != 0) {
        return board_fail(argv[0], "directory path too long");
    }
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        return board_fail(argv[0], "cannot create %s: %s", dir, strerror(errno));
    }
    struct stat st;
    if (stat(path, &st) == 0) {
        return board_fail(argv[0], "%s is a board already", dir);
    }

    ota_sim_power_t *power = NULL;
    board_flashes_t flashes;
    bool qemu = cfg.engine == BOARD_ENGINE_QEMU;
    ota_sim_power_t fresh;
    memset(&fresh, 0, sizeof fresh);
    if ((qemu ? qemu_power_write(dir, &fresh, 1, err, sizeof err)
              : board_power_map(dir, true, &power, err, sizeof err)) != 0 ||
        board_flashes_open(&flashes, dir, &cfg, NULL, true, err, sizeof err) != 0) {
        board_power_unmap(power);
        return board_fail(argv[0], "%s", err);
    }
    int rc = qemu ? write_bootloader(&flashes, dir, bootloader, err, sizeof err) : 0;
    board_flashes_close(&flashes);
    board_power_unmap(power);
    if (rc != 0) {
        return board_fail(argv[0], "%s", err);
    }
    /* board.conf last: a directory with it is a complete board */
    if (board_config_save(dir, &cfg, err, sizeof err) != 0) {
        return board_fail(argv[0], "%s", err);
    }
    printf("board %s: PIC32MZ W1 (1 MB program flash) + %s, %u download slot%s, manifest %s%s\n",
           dir, cfg.ext_flash, cfg.slots, cfg.slots == 1 ? "" : "s",
           cfg.manifest_url[0] != '\0' ? cfg.manifest_url : "(none)",
           cfg.engine == BOARD_ENGINE_QEMU ? ", on QEMU mps2-an386 (Cortex-M4)" : "");
    return BOARD_EXIT_OK;
}

int cmd_set(int argc, char **argv)
{
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        fputs(SET_HELP, stdout);
        return BOARD_EXIT_OK;
    }
    if (argc < 3) {
        return board_usage_error(argv[0], "need DIR and at least one KEY=VALUE (see --help)");
    }
    const char *dir = argv[1];
    board_config_t cfg;
    char err[BOARD_ERR_MAX];
    if (board_config_load(dir, &cfg, err, sizeof err) != 0) {
        return board_fail(argv[0], "%s", err);
    }
    char ext_before[sizeof cfg.ext_flash];
    strcpy(ext_before, cfg.ext_flash);
    board_engine_t engine_before = cfg.engine;
    for (int i = 2; i < argc; i++) {
        char kv[BOARD_URL_MAX + 64];
        const char *eq = strchr(argv[i], '=');
        if (eq == NULL || strlen(argv[i]) >= sizeof kv) {
            return board_usage_error(argv[0], "expected KEY=VALUE, not '%s'", argv[i]);
        }
        strcpy(kv, argv[i]);
        kv[eq - argv[i]] = '\0';
        if (board_config_set(&cfg, kv, kv + (eq - argv[i]) + 1, err, sizeof err) != 0) {
            return board_usage_error(argv[0], "%s", err);
        }
    }
    if (strcmp(ext_before, cfg.ext_flash) != 0) {
        return board_fail(argv[0], "ext_flash cannot change: the external flash file exists");
    }
    if (engine_before != cfg.engine) {
        return board_fail(argv[0], "engine cannot change: make a new board (create --engine)");
    }
    if (board_config_save(dir, &cfg, err, sizeof err) != 0) {
        return board_fail(argv[0], "%s", err);
    }
    return BOARD_EXIT_OK;
}
