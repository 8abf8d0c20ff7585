/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The virtual PIC32MZ W1 Curiosity board: what a board directory holds and how the board
 * program (otaflow-board) and the application running on it (examples/app) open it.
 *
 * A board directory:
 *   board.conf          the board's configuration (key = value lines, see board_config_t)
 *   internal.flash      1 MB PIC32MZ W1 program flash (+ .meta: programmed bits, wear, counters)
 *   external.flash      SST26VF032B/064B image store (+ .meta)
 *   power               the power domain (ota_sim_power_t) shared by both flashes and by both
 *                       processes (bootloader in the board process, application in its child)
 *   request             a request to the running application (otaflow-board request), if any
 *   guard.lock          present while the guard pages of internal flash are write-protected
 *                       (set by the bootloader before it starts the application, cleared by
 *                       a reset): the host system port's latch, shared with the application
 *
 * Host code. Functions return 0 on success and -1 after writing a one-line reason into the
 * caller's err buffer (without a newline), so the caller decides how to print it.
 */
#ifndef OTAFLOW_SIM_BOARD_H
#define OTAFLOW_SIM_BOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flash_sim.h"
#include "otaflow/boot.h"
#include "otaflow/guard.h"
#include "system_posix.h"
#include "otaflow/store.h"

#define BOARD_CONF "board.conf"
#define BOARD_INTERNAL "internal.flash"
#define BOARD_EXTERNAL "external.flash"
#define BOARD_POWER "power"
#define BOARD_REQUEST "request"
#define BOARD_GUARD_LOCK "guard.lock"
#define BOARD_POWER_QEMU "power.qemu" /* the QEMU engine's power domain (docs/board.md) */

#define BOARD_INTERNAL_PRESET "pic32mzw1-pfm"
#define BOARD_URL_MAX 256u
#define BOARD_PERIOD_MAX_S 7200u /* the agent's OTA_AGENT_PERIOD_MAX_S (the original's maximum) */
#define BOARD_PATH_MAX 512u
#define BOARD_ERR_MAX 256u

/** Format a one-line reason into err (cut to err_len - 1 characters: a long path may not fit
 *  whole). Returns -1, what the board functions return on failure. */
int board_error(char *err, size_t err_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The application reads these from its environment (the board sets them before fexecve). */
#define BOARD_ENV_DIR "OTAFLOW_BOARD_DIR"
#define BOARD_ENV_HEARTBEAT_FD "OTAFLOW_BOARD_HEARTBEAT_FD"

/** What runs the board's code (board.conf `engine`, fixed at create). */
typedef enum board_engine {
    BOARD_ENGINE_HOST = 0, /**< bootloader in otaflow-board, application as a host process */
    BOARD_ENGINE_QEMU = 1, /**< the firmware (build/firmware) on QEMU's mps2-an386 */
} board_engine_t;

/** "host" or "qemu". */
const char *board_engine_str(board_engine_t engine);

/** What board.conf holds. Defaults are the original's (docs/design.md §10) unless noted. */
typedef struct board_config {
    board_engine_t engine;         /**< host (default) or qemu */
    char ext_flash[32];            /**< external flash preset: sst26vf032b (default) or 064b */
    char manifest_url[BOARD_URL_MAX]; /**< "" = no periodic checks */
    uint32_t period_s;             /**< seconds between manifest checks (60) */
    uint32_t slots;                /**< download slots of the store (2, at most 5) */
    bool auto_reset;               /**< the agent resets once an image is stored (on) */
    uint32_t attempts;             /**< trial boots before a roll back (3) */
    uint32_t watchdog_s;           /**< seconds without a heartbeat before a reset (30) */
    bool confirm_on_start;         /**< app confirms at start instead of after a check (off) */
    uint32_t hw_id;                /**< the board's hardware id (0 = any image's) */
    char device_id[64];            /**< the agent's device id: its place in staged rollouts,
                                        named in its reports ("" = none) */
    char report_url[BOARD_URL_MAX]; /**< where the agent POSTs status reports ("" = none) */
    uint32_t file_slots;           /**< file slots of the store (the original's File
                                        Download, 64 KB areas at the top; 0 = none) */
    bool accept_raw_images;        /**< the agent takes the original's raw .bin images
                                        (accept_raw_images = true; default false) */
    bool has_image_key;            /**< image_pubkey set: images must be signed by it */
    uint8_t image_pubkey[OTA_ECDSA_P256_PUBKEY_SIZE]; /**< 130 hex digits in board.conf */
    ota_sig_key_t image_key;       /**< its entry (key points into this struct: copy a
                                        board_config_t with board_config_copy) */
    bool has_manifest_key;         /**< manifest_pubkey set: manifests must be signed by it */
    uint8_t manifest_pubkey[OTA_ECDSA_P256_PUBKEY_SIZE];
    ota_sig_key_t manifest_key;    /**< manifest_pubkey's entry */
    bool has_decrypt_key;          /**< decrypt_key set: the bootloader (either engine's)
                                        decrypts images encrypted for it */
    ota_enc_key_t decrypt_key;     /**< 128 hex digits in board.conf: scalar, then key id */
} board_config_t;

/** Defaults of a new board. */
void board_config_default(board_config_t *cfg);

/** Set one key from its text value (as in board.conf and on the create command line).
 *  Returns 0, or -1 with the reason in err (unknown key, bad value). */
int board_config_set(board_config_t *cfg, const char *key, const char *value, char *err,
                     size_t err_len);

/** Read DIR/board.conf (keys not in the file keep their defaults). */
int board_config_load(const char *dir, board_config_t *cfg, char *err, size_t err_len);

/** Write DIR/board.conf (through a temporary file and a rename). */
int board_config_save(const char *dir, const board_config_t *cfg, char *err, size_t err_len);

/** DIR/name into out (BOARD_PATH_MAX bytes). Returns 0, -1 if too long. */
/** Hex digits of an uncompressed P-256 key plus the NUL. */
#define BOARD_PUBKEY_HEX (2u * OTA_ECDSA_P256_PUBKEY_SIZE + 1u)
/** Room for decrypt_key's hex (private scalar and key id) and its NUL. */
#define BOARD_DEVKEY_HEX (2u * sizeof(ota_enc_key_t) + 1u)

/** key (04 || X || Y) as lower-case hex digits, as board.conf and the firmware read it. */
void board_pubkey_to_hex(const uint8_t key[OTA_ECDSA_P256_PUBKEY_SIZE],
                         char hex[BOARD_PUBKEY_HEX]);

/** A device key (scalar, then key id) as board.conf's decrypt_key and the QEMU engine's
 *  firmware read it. */
void board_devkey_to_hex(const ota_enc_key_t *key, char hex[BOARD_DEVKEY_HEX]);

int board_path(char *out, const char *dir, const char *name);

/** The store configuration of this board (same for bootloader, app and status). ring is the
 *  caller's storage for the trusted image keys (it must live as long as the store); it
 *  points into cfg, which must live as long too. */
void board_store_config(const board_config_t *cfg, ota_sig_keyring_t *ring,
                        ota_store_config_t *out);

/** The manifest keyring of this board into ring (count 0 without manifest_pubkey). */
void board_manifest_keys(const board_config_t *cfg, ota_sig_keyring_t *ring);

/** *dst = *src, with dst's key entries pointing at dst's own key bytes (a plain struct copy
 *  would leave them pointing into src). */
void board_config_copy(board_config_t *dst, const board_config_t *src);

/** The bootloader configuration of this board. */
void board_boot_config(const board_config_t *cfg, ota_boot_config_t *out);

/** Map DIR/power shared (create = make a fresh powered domain). *out stays valid until
 *  board_power_unmap. */
int board_power_map(const char *dir, bool create, ota_sim_power_t **out, char *err,
                    size_t err_len);
void board_power_unmap(ota_sim_power_t *power);

/** The two flashes of a board, file-backed, on one power domain, with the system port over
 *  internal flash (guard pages 0x1E000..0x1FFFF below the application region). */
typedef struct board_flashes {
    ota_sim_flash_t internal;
    ota_sim_flash_t external;
    ota_posix_system_t system; /**< latch set from DIR/guard.lock at open */
    ota_guard_t guard;         /**< mounted at open (store config: sc.guard = &guard) */
} board_flashes_t;

/** Open both flashes of DIR (they must exist unless create), set up the system port (locked
 *  if DIR/guard.lock exists) and mount the guard. power may be NULL. */
int board_flashes_open(board_flashes_t *f, const char *dir, const board_config_t *cfg,
                       ota_sim_power_t *power, bool create, char *err, size_t err_len);
void board_flashes_close(board_flashes_t *f);

/** Set (create DIR/guard.lock) or clear (a reset: remove it) the guard write-protect latch. */
int board_guard_latch(const char *dir, bool locked, char *err, size_t err_len);

/** Programming as a programmer does: erase [base, base + size) (whole erase units), then
 *  program data[0, len) from base, page by page, the last program unit padded erased. */
ota_flash_status_t board_program_region(const ota_flash_t *f, uint32_t base, uint32_t size,
                                        const uint8_t *data, size_t len);

/** Programming an intact image (img, as parsed into info) as it is installed: its payload at
 *  the region's start, its header and TLV area in the descriptor area after the region
 *  (ota_boot_image_at), which is programmed last. The image must fit (ota_boot_image_fits). */
ota_flash_status_t board_program_image(const ota_flash_t *f, const ota_boot_config_t *bc,
                                       const uint8_t *img, const ota_image_info_t *info);

#endif /* OTAFLOW_SIM_BOARD_H */
