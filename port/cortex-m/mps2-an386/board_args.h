/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The emulated board's settings, as the QEMU engine passes them: the semihosting command line
 * (-semihosting-config ...,arg=otaflow,arg=KEY=VALUE,...), one word per setting, with the
 * names and value rules of board.conf (sim/board.h, docs/board.md) plus `dir` (the board
 * directory, absolute) and `utc` (the host's UTC seconds at launch). A firmware reads them
 * once at start; unknown keys are errors, so a typo never silently means a default.
 */
#ifndef OTAFLOW_BOARD_ARGS_H
#define OTAFLOW_BOARD_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "otaflow/boot.h"
#include "otaflow/crypto.h"
#include "otaflow/guard.h"
#include "otaflow/image_enc.h"
#include "otaflow/image_sig.h"
#include "otaflow/store.h"

#define BOARD_ARGS_DIR_MAX 256u
#define BOARD_ARGS_URL_MAX 256u

/** The settings; zero-initialised fields not on the command line take board.conf's defaults. */
typedef struct board_args {
    char dir[BOARD_ARGS_DIR_MAX];  /**< board directory (required) */
    char ext_flash[16];            /**< sst26vf032b (default) or sst26vf064b */
    char manifest_url[BOARD_ARGS_URL_MAX]; /**< "" = no periodic checks */
    uint32_t period_s;             /**< seconds between manifest checks (60) */
    uint32_t slots;                /**< download slots (2) */
    bool auto_reset;               /**< the agent resets once an image is stored (on) */
    uint32_t attempts;             /**< trial boots before a roll back (3) */
    uint32_t watchdog_s;           /**< watchdog timeout (30) */
    bool confirm_on_start;         /**< confirm at start instead of after a check (off) */
    uint32_t hw_id;                /**< hardware id (0 = any) */
    bool accept_raw_images;        /**< the agent takes the original's raw .bin (off) */
    uint32_t file_slots;           /**< file slots of the image store (0) */
    uint32_t utc;                  /**< host UTC seconds at launch (0 = unknown) */
    bool has_image_key;
    uint8_t image_pubkey[OTA_ECDSA_P256_PUBKEY_SIZE];
    ota_sig_key_t image_key;       /**< points into image_pubkey: do not copy the struct */
    bool has_manifest_key;
    uint8_t manifest_pubkey[OTA_ECDSA_P256_PUBKEY_SIZE];
    ota_sig_key_t manifest_key;
    bool has_decrypt_key;
    /** The device key images are encrypted for (board.conf's decrypt_key, `otaflow-board
     *  create --decrypt-key`): the bootloader's alone; whoever reads the settings and is not
     *  the bootloader forgets it (board_args_forget_decrypt_key). */
    ota_enc_key_t decrypt_key;
} board_args_t;

/**
 * Read the settings from the semihosting command line into *out.
 * @return 0, or -1 with a one-line reason in err (no command line, unknown key, bad value,
 *         no dir).
 */
int board_args_read(board_args_t *out, char *err, size_t err_len);

/** Parse a command line (words separated by spaces; the first, the program name, is
 *  skipped) into *out, modifying line. Same results as board_args_read. */
int board_args_parse(board_args_t *out, char *line, char *err, size_t err_len);

/** The image store's configuration of this board (same for bootloader and application, as
 *  sim/board_dir.c's board_store_config): slots, file slots, hw_id, the trusted image keys
 *  (ring is the caller's storage for them and must live as long as the store, as must a) and
 *  the guard. */
void board_args_store_config(const board_args_t *a, ota_sig_keyring_t *ring, ota_guard_t *guard,
                             ota_store_config_t *out);

/** The bootloader configuration of this board (attempts, hw_id, internal flash at address 0:
 *  images' load_addr 0x20000; the rest default). */
void board_args_boot_config(const board_args_t *a, ota_boot_config_t *out);

/** The device key for ota_boot_config_t.decrypt_key, or NULL if the board has none. Points
 *  into a. */
const ota_enc_key_t *board_args_decrypt_key(const board_args_t *a);

/** Wipe the device key from a: the application's copy of the settings, and the bootloader's
 *  before it jumps. The emulator cannot hide the key from code that reads the semihosting
 *  command line itself; a product keeps it where only its bootloader reads it
 *  (docs/security.md). */
void board_args_forget_decrypt_key(board_args_t *a);

#endif /* OTAFLOW_BOARD_ARGS_H */
