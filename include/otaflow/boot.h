/* SPDX-License-Identifier: Apache-2.0 */
/*
 * otaflow bootloader: what runs at every power-on, before the application.
 *
 * It reads the image store's journal (external flash) and decides, in this order:
 *  1. an install is pending or was interrupted: verify the slot (header, SHA-256 of exactly the
 *     bytes it will program), record INSTALLING, erase and program the application region of
 *     internal flash (erase units already equal are skipped), verify the internal copy, record
 *     TRIAL;
 *  2. the running image is on trial: count the attempt; past the limit, roll back to the image
 *     it replaced (or the factory image), mark the new one rejected, and install that;
 *  3. first boot of a factory-programmed board (journal empty): copy the running image into
 *     the factory slot, so a factory reset always has something valid to install;
 *  4. verify the image in internal flash and start it; if nothing valid exists anywhere, say
 *     so and stop: never jump into garbage.
 * Every step is one journal record, so a power cut anywhere resumes or redoes the step at the
 * next power-on (docs/bootloader.md has the state machine and the records).
 *
 * With a guard in the store's config (include/otaflow/guard.h), the anti-rollback floor and
 * the revoked keys come from it, not from the journal, and the bootloader is the only writer:
 * before deciding, and whenever the running image is confirmed, it raises the guard to the
 * security counter and revocations of the running image once it has verified that image
 * itself (an erased or torn guard is initialised the same way). It never copies a number from
 * the journal into the guard; a journal counter below the guard's is rewritten up.
 *
 * An installed image is split in two places of internal flash (docs/image-format.md, "In
 * internal flash"): its payload at the start of the application region, which is the
 * address the image's load_addr names and the application is linked for, and its header and
 * TLV area in the descriptor area right after the region. Read together they are the image
 * exactly as in the slot: the application finds its own version in its header, and the
 * bootloader can verify "exactly what will run".
 */
#ifndef OTAFLOW_BOOT_H
#define OTAFLOW_BOOT_H

#include <stdbool.h>
#include <stdint.h>

#include "otaflow/config.h"
#include "otaflow/crypto.h"
#include "otaflow/image.h"
#include "otaflow/image_enc.h"
#include "otaflow/port.h"
#include "otaflow/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/** PIC32MZ W1 application region: 0x10020000 .. +0xDF000 in a 1 MB program flash that starts
 *  at physical 0x10000000 (the bootloader owns the first 128 KB). */
#define OTA_BOOT_APP_OFFSET_DEFAULT 0x20000u
#define OTA_BOOT_APP_SIZE_DEFAULT 0xDF000u
/** Where internal flash offset 0 is in the address space of an image's load_addr: the PIC32MZ
 *  W1's program flash at physical 0x10000000, so its region starts at 0x10020000. */
#define OTA_BOOT_FLASH_ADDRESS_DEFAULT 0x10000000u
/** The descriptor area (an installed image's header and TLV area): the last 4 KB page of the
 *  PIC32MZ W1's program flash, 0x100FF000, right after the default region. */
#define OTA_BOOT_DESC_SIZE_DEFAULT 0x1000u
/** Trial boots before a new image is rolled back. */
#define OTA_BOOT_MAX_ATTEMPTS_DEFAULT 3u

/* OTA_BOOT_BUF_SIZE (copy/verify buffer inside ota_boot_t), OTA_BOOT_LOG (console lines or
 * none): config.h. */

/** Room for one console line of the bootloader, NUL included: a line never has more than
 *  OTA_BOOT_LINE_MAX - 1 characters (a longer one is cut there). */
#define OTA_BOOT_LINE_MAX 112u

/** Bootloader configuration. Start from ota_boot_config_default(). */
typedef struct ota_boot_config {
    uint32_t app_offset;   /**< application region start in the internal flash device */
    uint32_t app_size;     /**< application region size: room for a payload */
    /** Address of internal flash offset 0 as an image's load_addr counts it (the CPU's view):
     *  an image is installed only if its load_addr is flash_address + app_offset, the region's
     *  start, where its payload goes and the application is started. */
    uint32_t flash_address;
    /** Bytes of the descriptor area at app_offset + app_size, right after the region (whole
     *  sectors): an installed image's 64-byte header, then its TLV area, must fit it. */
    uint32_t desc_size;
    uint8_t max_attempts;  /**< trial boots before roll back (>= 1) */
    uint32_t hw_id;        /**< this board's hardware id; 0 = accept any image's */
    /** Hash the whole internal image (header + payload) at every boot (default true). When
     *  false, a boot that wrote nothing parses the header and TLVs and compares the first 64
     *  bytes with the running image's copy in the store; installs, repairs and the first boot
     *  always hash. Sound because every copy programs the image's first program unit (the
     *  magic) last: an interrupted copy never parses (docs/bootloader.md). */
    bool verify_each_boot;
    /** The original's behaviour: a newly installed image is confirmed at once, no trial
     *  (default false: the application calls ota_confirm() once healthy). */
    bool confirm_on_start;
    /** This device's decryption key (`otaflow-image privkey-c`), or NULL: an encrypted
     *  image is then refused, as it is by a core built with OTA_BOOT_DECRYPT 0. Only the
     *  bootloader needs it; keep it out of the application's reach (docs/security.md). */
    const ota_enc_key_t *decrypt_key;
} ota_boot_config_t;

/** Result of ota_boot_run(). */
typedef enum ota_boot_status {
    OTA_BOOT_OK = 0,              /**< start the application in the region */
    OTA_BOOT_ERR_ARG = -1,        /**< NULL or unusable configuration */
    OTA_BOOT_ERR_NO_IMAGE = -2,   /**< nothing valid to boot anywhere: halt */
    OTA_BOOT_ERR_FLASH = -3,      /**< internal flash failed (e.g. power lost): no jump */
    OTA_BOOT_ERR_STORE = -4,      /**< the store failed (e.g. power lost): no jump */
    OTA_BOOT_ERR_REGION = -5,     /**< the region or the descriptor area after it not on
                                       internal sector boundaries (or outside the device):
                                       nothing touched, no jump */
} ota_boot_status_t;

/** What happened during one boot (for the console and tests). */
typedef struct ota_boot_report {
    uint32_t version;        /**< version started (OK only) */
    uint8_t attempts;        /**< trial attempts counted, this boot included (0 = confirmed) */
    bool trial;              /**< the image started is on trial */
    bool installed;          /**< an image was installed into internal flash in this boot */
    bool rolled_back;        /**< the install was a roll back (trial failed or requested) */
    bool factory_reset;      /**< the install was a factory reset */
    bool factory_saved;      /**< the running image was copied to the factory slot */
    bool repaired;           /**< the internal image was invalid and restored from its slot */
    bool slot_refused;       /**< a slot to install failed verification: not installed */
    bool guard_raised;       /**< the guard (store config) was raised to the running image's
                                  security counter / revocations in this boot */
    bool journal_restored;   /**< the journal's security counter was below the guard's and
                                  was rewritten up (the hint restored) */
    uint32_t guard_counter;  /**< the guard's security counter after this boot (0: no guard) */
    uint32_t guard_revoked;  /**< the guard's revoked keyring entries after this boot */
    uint32_t rejected_version;    /**< version rejected in this boot (trial limit), or 0 */
    uint32_t sectors_written; /**< internal erase sectors erased and programmed */
    uint32_t sectors_skipped; /**< internal erase sectors already equal, not rewritten */
    /** An image checked in this boot did not fit the region (ota_boot_image_fits: ERR_LOAD_ADDR
     *  or ERR_REGION; a slot so refused is not installed), else OK. */
    ota_image_status_t refused_because;
    ota_store_status_t store_status; /**< detail of ERR_STORE */
    ota_flash_status_t flash_status; /**< detail of ERR_FLASH */
} ota_boot_report_t;

/** Work memory of the bootloader (caller-owned, e.g. static in the bootloader image). */
typedef struct ota_boot {
    ota_boot_config_t config;
    const ota_flash_t *internal;
    ota_store_t *store;
    ota_log_fn log;
    void *log_ctx;
    ota_boot_report_t *report;
    bool internal_checked;            /**< internal image fully verified in this boot */
    ota_flash_status_t flash_status;  /**< last internal flash error */
    uint32_t placed_payload;          /**< payload size in the header of the image in internal
                                           flash: where its TLV area is (ota_boot_image_at) */
    ota_image_info_t info;            /**< last image parsed */
    ota_sha256_t sha_file;            /**< SHA-256 of the whole image (the store's digest) */
    ota_sha256_t sha_image;           /**< SHA-256 of header + payload (the image's TLV) */
    uint8_t digest[OTA_SHA256_SIZE];  /**< whole-image digest of the last check */
#if OTA_BOOT_DECRYPT
    ota_image_enc_t enc;              /**< content key of the encrypted image last checked
                                           (wiped before ota_boot_run returns) */
#endif
    _Alignas(8) uint8_t buf[OTA_BOOT_BUF_SIZE];
    uint8_t cmp[OTA_BOOT_BUF_SIZE];
} ota_boot_t;

/** Defaults: PIC32MZ W1 region (0x10020000, 0xDF000 B) and descriptor page (0x100FF000,
 *  4 KB), 3 attempts, any hardware id, verify every boot, no confirm on start. */
void ota_boot_config_default(ota_boot_config_t *config);

/**
 * One power-on: decide, install if needed, verify what will run.
 * @param boot     work memory (about 2.6 KB), no need to initialise
 * @param config   NULL for ota_boot_config_default(); the region [app_offset, app_offset +
 *                 app_size) and the descriptor area after it (desc_size bytes) must start and
 *                 end on sector boundaries of the internal flash (its sector table, or
 *                 multiples of erase_unit) and lie inside it
 * @param store    mounted on the external flash (ota_store_mount) by the caller
 * @param internal the internal program flash device
 * @param log      console lines ("boot: installing v2 from slot 1"), may be NULL; never
 *                 called when the core is built with OTA_BOOT_LOG 0 (config.h)
 * @param report   may be NULL; zeroed, then filled
 * @return OTA_BOOT_OK: jump to the application (report says which version); otherwise do not
 *         jump: ERR_NO_IMAGE (halt, nothing valid: "boot: no valid image" was logged);
 *         ERR_FLASH / ERR_STORE (e.g. power lost during the boot: the next power-on
 *         continues; report->flash_status / store_status say which); ERR_STORE with
 *         store_status NOT_MOUNTED for a store not mounted; ERR_FLASH for a guard in the
 *         store config that is not mounted (the floor is unknown: nothing is decided);
 *         ERR_ARG (NULL, unusable config); ERR_REGION (region not on sector boundaries:
 *         nothing was touched).
 */
ota_boot_status_t ota_boot_run(ota_boot_t *boot, const ota_boot_config_t *config,
                               const ota_flash_t *internal, ota_store_t *store, ota_log_fn log,
                               void *log_ctx, ota_boot_report_t *report);
/* Every call checks at link time that the caller's ota_boot_t matches the library's. */
#define ota_boot_run(...) OTA_LAYOUT_CHECKED(ota_boot_run, __VA_ARGS__)

/**
 * A bootloader's main on its system port (include/otaflow/port.h), in the only safe order: arm
 * the watchdog (so that a hang from here on resets the chip), ota_boot_run(), write-protect
 * the guard storage, jump. Nothing is protected or started when ota_boot_run fails, and the
 * application is not started when the protection cannot be set (ERR_FLASH, report->flash_status
 * says why): it must never run with the guard writable.
 * @param system       the chip's system port (its ops must all be set)
 * @param watchdog_ms  watchdog timeout; 0 leaves the watchdog alone
 * @return as ota_boot_run; on a target a successful call does not return (the jump), on the
 *         host it returns OTA_BOOT_OK after the port recorded the jump.
 */
ota_boot_status_t ota_boot_start(ota_boot_t *boot, const ota_boot_config_t *config,
                                 const ota_system_t *system, uint32_t watchdog_ms,
                                 const ota_flash_t *internal, ota_store_t *store, ota_log_fn log,
                                 void *log_ctx, ota_boot_report_t *report);

/**
 * Application side: the running image is healthy. Confirms a trial (the bootloader stops
 * counting attempts and keeps this image) and raises the stored security counter to the
 * running image's. No-op when already confirmed.
 * @param internal, config  to read the running image's header
 * @return OTA_BOOT_OK; ERR_STORE (store refused, e.g. an install is pending); ERR_FLASH;
 *         ERR_NO_IMAGE (the region holds no valid header).
 */
ota_boot_status_t ota_confirm(ota_store_t *store, const ota_flash_t *internal,
                              const ota_boot_config_t *config);

/** Read the header of the installed image (in the descriptor area after the region), e.g.
 *  for the application's own version.
 *  @return OTA_IMAGE_OK and *out filled, or why not. */
ota_image_status_t ota_boot_running_header(const ota_flash_t *internal,
                                           const ota_boot_config_t *config,
                                           ota_image_header_t *out);

/**
 * May an image be installed in this region? Its payload goes at the region's start, its
 * header and TLV area into the descriptor area (docs/image-format.md, "In internal flash").
 * @param info  a parsed image (ota_image_parse)
 * @return OTA_IMAGE_OK; OTA_IMAGE_ERR_LOAD_ADDR (load_addr is not flash_address +
 *         app_offset); OTA_IMAGE_ERR_REGION (payload larger than app_size, or header + TLV
 *         area larger than desc_size). The bootloader refuses such a slot before touching
 *         internal flash (report->refused_because).
 */
ota_image_status_t ota_boot_image_fits(const ota_boot_config_t *config,
                                       const ota_image_info_t *info);

/**
 * Where byte `offset` of an installed image is in internal flash: the header at app_offset +
 * app_size, the payload from app_offset, the TLV area after the header.
 * @param payload_size  the image's (its header's)
 * @param run           receives how many bytes from there on are the image's next bytes
 * @return the internal flash offset
 */
uint32_t ota_boot_image_at(const ota_boot_config_t *config, uint32_t payload_size,
                           uint32_t offset, uint32_t *run);

/** Short constant English name, never NULL. */
const char *ota_boot_status_str(ota_boot_status_t status);

#ifdef __cplusplus
}
#endif

#endif /* OTAFLOW_BOOT_H */
