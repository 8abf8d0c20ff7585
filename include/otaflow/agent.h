/* SPDX-License-Identifier: Apache-2.0 */
/*
 * otaflow update agent: the device side of an update (the original's "OTA service" and
 * "OTA core"). It waits for the network, fetches the manifest periodically or on demand,
 * applies EraseVer entries, picks the update, streams it into the image store, has the store
 * verify what is in flash, tells the application through events, and asks for a reset.
 *
 * It never blocks: ota_agent_poll(agent, now_ms) does a bounded step and returns, so the agent
 * runs in a super-loop, an RTOS task or an event loop. Every byte of state lives in the
 * caller's ota_agent_t (its buffers included); nothing is allocated.
 *
 * Failures never need a reset: after a failed check or download the agent tries again after
 * a backoff (retry_first_s doubling up to retry_max_s, never sooner than the period; with
 * OTA_FLEET and ports.random32, a random delay up to that: "full jitter"), and the
 * store stays consistent (an interrupted download resumes from its last durable offset with a
 * Range request). An image whose bytes were refused is not fetched again while the manifest
 * offers the same version and digest (docs/agent.md).
 */
#ifndef OTAFLOW_AGENT_H
#define OTAFLOW_AGENT_H

#include <stdbool.h>
#include <stdint.h>

#include "otaflow/config.h"
#include "otaflow/crypto.h"
#include "otaflow/events.h"
#include "otaflow/files.h"
#include "otaflow/http.h"
#include "otaflow/manifest.h"
#include "otaflow/manifest_sig.h"
#include "otaflow/port.h"
#include "otaflow/rollout.h"
#include "otaflow/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Limits and defaults --------------------------------------------------------------------- */
#define OTA_AGENT_PERIOD_DEFAULT_S 60u  /**< the original's default check period */
#define OTA_AGENT_PERIOD_MAX_S 7200u    /**< the original's maximum */
#define OTA_AGENT_PROGRESS_STEP_DEFAULT 0x10000u /**< bytes between progress events */
/** Room for the manifest's validator (its ETag, else its Last-Modified date, terminating NUL
 *  included): a longer one is not kept, and every check fetches the manifest in full. An
 *  IMF-fixdate is 29 characters, nginx's ETags up to 21 (docs/agent.md). */
#define OTA_AGENT_VALIDATOR_MAX 36u
/** ota_agent_next_poll_ms(): nothing is scheduled; only an application call (check_now,
 *  download, start_update, set_settings) gives the agent work. */
#define OTA_AGENT_POLL_NONE UINT32_MAX
/** ota_agent_next_poll_ms() while a transfer waits for the network (the transport had
 *  nothing): poll again after this, or sooner when the transport has bytes. */
#define OTA_AGENT_POLL_IO_MS 10u
/** ota_agent_next_poll_ms() while a check is due and the network is down. */
#define OTA_AGENT_POLL_NETWORK_MS 1000u
/** Bytes of the image the store reads back and hashes per poll while VERIFYING. */
#define OTA_AGENT_VERIFY_STEP 16384u
/* Backoff: OTA_AGENT_RETRY_FIRST_DEFAULT_S, OTA_AGENT_RETRY_MAX_DEFAULT_S,
 * OTA_AGENT_RETRY_LIMIT_S: config.h. */

/* OTA_AGENT_HTTP_BUF_SIZE: config.h. */

/** Result of an agent call, and the agent's own failure reasons in events. */
typedef enum ota_agent_status {
    OTA_AGENT_OK = 0,
    OTA_AGENT_ERR_ARG = -1,           /**< NULL pointer or invalid argument */
    OTA_AGENT_ERR_CONFIG = -2,        /**< period over the maximum, manifest URL unusable,
                                           store not mounted */
    OTA_AGENT_ERR_BUSY = -3,          /**< a check or download is running */
    OTA_AGENT_ERR_URL = -4,           /**< the URL given is not an http(s) URL we can fetch */
    OTA_AGENT_ERR_NO_UPDATE = -5,     /**< ota_agent_download(): no update was announced */
    OTA_AGENT_ERR_MANIFEST_TOO_LARGE = -6, /**< manifest longer than manifest_max */
    OTA_AGENT_ERR_SIZE = -7,          /**< the server's size disagrees with the manifest's */
    OTA_AGENT_ERR_STORE = -8,         /**< the image store refused (event carries its status) */
    OTA_AGENT_ERR_ABORTED = -9,       /**< ota_agent_abort() */
    OTA_AGENT_ERR_INSECURE_URL = -10, /**< require_tls: an http:// image URL was refused */
    OTA_AGENT_ERR_HW_ID = -11,        /**< the image header's hw_id is not config.hw_id:
                                           refused at its first 64 bytes */
    OTA_AGENT_ERR_ERASE_UNSIGNED = -12, /**< a manifest's EraseVer of the running version
                                           refused: keys are configured and the manifest
                                           was not signed */
    OTA_AGENT_ERR_TLS_DOWNGRADE = -13, /**< an http:// image URL in a manifest fetched over
                                           https (allow_http_images is off) */
    OTA_AGENT_ERR_REFUSED_BEFORE = -14, /**< the manifest offers the same version and
                                           digest that was refused before: not fetched */
    OTA_AGENT_ERR_RAW_IMAGE = -15,    /**< the file does not start with an otaflow header (one
                                           of the original's raw images) and accept_raw_images
                                           is off (or the core is built without
                                           OTA_RAW_IMAGES): refused at its first bytes */
    OTA_AGENT_ERR_RAW_UNSIGNED = -16, /**< a raw image whose manifest entry has no Signature,
                                           on a device with trusted image keys */
    OTA_AGENT_ERR_RAW_LENGTH = -17,   /**< a raw image of unknown length (no Content-Length,
                                           no manifest Size): its header cannot be written */
    OTA_AGENT_ERR_PATCH_DIGEST = -18, /**< the patch's bytes do not match its PatchDigest (the
                                           full image is fetched instead) */
    OTA_AGENT_ERR_PATCH_BASE = -19,   /**< the patch's base is no longer in the store, or the
                                           rebuilt image would have to overwrite it (the full
                                           image is fetched instead) */
} ota_agent_status_t;

/** What the agent is doing. */
typedef enum ota_agent_state {
    OTA_AGENT_IDLE = 0,        /**< waiting for the next check */
    OTA_AGENT_WAIT_NETWORK,    /**< network down */
    OTA_AGENT_CHECKING,        /**< fetching the manifest */
    OTA_AGENT_DOWNLOADING,     /**< fetching an image into the store */
    OTA_AGENT_VERIFYING,       /**< the store reads the image back and hashes it */
    OTA_AGENT_RESET_PENDING,   /**< something will be installed at the next reset */
    OTA_AGENT_FETCHING_FILES,  /**< downloading the manifest's files into file slots (before
                                    the image it announces, if any) */
    OTA_AGENT_REPORTING,       /**< POSTing a status report to report_url (OTA_FLEET); not
                                    busy: a request of the application waits for its end */
} ota_agent_state_t;

/** What the agent asks the application's config.defer about (OTA_FLEET). */
typedef enum ota_agent_defer_what {
    OTA_AGENT_DEFER_DOWNLOAD = 1, /**< a download is about to start */
    OTA_AGENT_DEFER_RESET = 2,    /**< the agent is about to call ports.reset (auto_reset) */
} ota_agent_defer_what_t;

/** The application's say over disruptive steps (a device busy with its real job): return true
 *  for "not now"; the agent asks again defer_retry_s later. version: the image concerned. */
typedef bool (*ota_agent_defer_fn)(void *user, ota_agent_defer_what_t what, uint32_t version);

/** config.defer_retry_s 0: ask again after a minute. */
#define OTA_AGENT_DEFER_RETRY_DEFAULT_S 60u

/** Room for one status report's JSON (NUL included). */
#define OTA_AGENT_REPORT_MAX 256u

/** Configuration. Start from ota_agent_config_default(). Strings are copied by init. */
typedef struct ota_agent_config {
    const char *manifest_url;  /**< http(s) URL of the manifest; NULL: no checks, only
                                    ota_agent_start_update() */
    uint32_t period_s;         /**< seconds between checks (default 60, 0 = only on demand,
                                    at most OTA_AGENT_PERIOD_MAX_S) */
    bool auto_update;          /**< download an available update at once (default true) */
    bool auto_reset;           /**< call ports.reset once something is ready (default true) */
    bool allow_downgrade;      /**< accept manifest versions below the running one (false) */
    uint32_t running_version;  /**< version of the running application (its image header) */
    uint32_t manifest_max;     /**< largest manifest accepted, bytes (0 =
                                    OTA_MANIFEST_MAX_SIZE_DEFAULT); costs no RAM: the
                                    manifest is read as it arrives, never held */
    uint32_t progress_step;    /**< bytes between DOWNLOAD_PROGRESS events (0 = default) */
    uint32_t connect_timeout_ms; /**< 0 = the HTTP client's default */
    uint32_t idle_timeout_ms;    /**< 0 = the HTTP client's default */
    bool require_tls;          /**< refuse plain http:// (the original's "Enforce TLS"): the
                                    manifest URL at init (ERR_CONFIG), an image URL (manifest:
                                    DOWNLOAD_FAILED with ERR_INSECURE_URL; start_update:
                                    ERR_INSECURE_URL) and any redirect to http:// (HTTP
                                    ERR_INSECURE). Default false */
    uint32_t total_timeout_ms;   /**< longest check or download attempt, redirects included;
                                      bounds a server that trickles bytes just fast enough to
                                      beat the idle timeout (0 = the HTTP client's default) */
    bool allow_http_images;    /**< with an https manifest URL, also fetch http:// image URLs
                                    and follow redirects to http:// (default false: refused,
                                    DOWNLOAD_FAILED with ERR_TLS_DOWNGRADE / HTTP
                                    ERR_INSECURE). No effect on an http manifest URL */
    uint32_t retry_first_s;    /**< backoff after the first failed check or download
                                    (0 = OTA_AGENT_RETRY_FIRST_DEFAULT_S); it doubles with
                                    each further failure */
    uint32_t retry_max_s;      /**< longest backoff (0 = OTA_AGENT_RETRY_MAX_DEFAULT_S, at
                                    most OTA_AGENT_RETRY_LIMIT_S) */
    ota_event_fn on_event;     /**< the application's callback (may be NULL) */
    void *event_user;          /**< passed to on_event */

    /* Signed manifests (docs/security.md). */
    /** Keys whose manifest signatures the device accepts (NULL: the .sig is never fetched).
     *  With keys, the agent fetches manifest_url + ".sig" after the manifest; a signed
     *  manifest must verify and be fresh (Sequence not below the highest accepted, which the
     *  store keeps; not expired) or the check fails with an OTA_SRC_MANIFEST_SIG reason. */
    const ota_sig_keyring_t *manifest_keys;
    /** Refuse a manifest without a signature (needs manifest_keys; default false: with keys
     *  but without this, a manifest whose .sig is absent (404) is used unsigned). */
    bool require_signed_manifest;
    /** Freshness without a clock: the same Sequence is accepted for at most this many
     *  seconds of monotonic time after it was first accepted in this power cycle, after which
     *  the check fails (STALE) until a newer manifest appears. 0 = no limit; at most
     *  OTA_AGENT_MAX_AGE_LIMIT_S. Applied whether or not ports.utc_now knows the time. */
    uint32_t manifest_max_age_s;
    /** This board's hardware id (0 = any): manifest entries with another HwId are ignored and
     *  an image whose header says another hw_id is refused at its first 64 bytes
     *  (ERR_HW_ID); mount the store with the same hw_id so it refuses it too. */
    uint32_t hw_id;
    /** Accept the original's raw `.bin` images (hex2bin output, no header; default false).
     *  A file whose first bytes are not an otaflow header is then stored as the image the
     *  `.ota` would have been: its manifest Digest checked over the file, with trusted image
     *  keys its manifest Signature too (required), the version taken from the manifest
     *  (docs/agent.md, "The original's raw images"). Off, or without OTA_RAW_IMAGES, such a
     *  file is refused at its first bytes (DOWNLOAD_FAILED, ERR_RAW_IMAGE) and, as any
     *  refused file, not fetched again while the manifest offers it unchanged. */
    bool accept_raw_images;
    /** load_addr written into a raw image's header: where the original linked its
     *  application, the start of the bootloader's application region, where the bootloader
     *  installs the payload (it refuses an image whose load_addr is anything else:
     *  ota_boot_image_fits). 0 = OTA_AGENT_RAW_LOAD_ADDR_DEFAULT, the PIC32MZ W1's. */
    uint32_t raw_load_addr;

    /* Fleets (OTA_FLEET; ignored without it). docs/agent.md, "Fleets". */
    /** This device's id (NUL-terminated, at most OTA_ROLLOUT_ID_MAX characters; copied), e.g.
     *  its MAC address or serial number: decides its place in a staged rollout
     *  (include/otaflow/rollout.h). NULL or "": no place; the device takes a manifest entry
     *  only when its Rollout is absent or 100. */
    const char *device_id;
    /** The first check after power on comes at a random time up to this many seconds after
     *  the first poll (0, default: at once), so that a fleet powered on together (after a
     *  power outage) does not fetch the manifest in the same second. Needs ports.random32
     *  (without it: at once). At most OTA_AGENT_PERIOD_MAX_S. */
    uint32_t first_check_jitter_s;
    /** Asked before every download starts and before the agent resets (auto_reset); "not
     *  now" raises DOWNLOAD_DEFERRED / RESET_DEFERRED and the agent asks again after
     *  defer_retry_s (a check in between asks again too). NULL: never deferred. */
    ota_agent_defer_fn defer;
    void *defer_user;          /**< passed to defer */
    uint32_t defer_retry_s;    /**< 0 = OTA_AGENT_DEFER_RETRY_DEFAULT_S; at most
                                    OTA_AGENT_PERIOD_MAX_S */
    /** http(s) URL the agent POSTs its status reports to (copied; NULL or "": none): after
     *  a boot that changed the version (kept in the store until delivered) and after a
     *  failed download or verify; retried with the backoff (docs/agent.md, "Reports"). */
    const char *report_url;
} ota_agent_config_t;

/** The PIC32MZ W1 application start the original's applications are linked for. */
#define OTA_AGENT_RAW_LOAD_ADDR_DEFAULT 0x10020000u

/** Largest manifest_max_age_s: ages are measured in 32-bit milliseconds. */
#define OTA_AGENT_MAX_AGE_LIMIT_S 2000000u

struct ota_agent_patch; /* include/otaflow/agent_patch.h */

/** The platform under the agent. */
typedef struct ota_agent_ports {
    ota_transport_t transport; /**< network (copied) */
    ota_store_t *store;        /**< image store, mounted by the caller, shared with the app */
    ota_log_fn log;            /**< console lines (may be NULL) */
    void *log_ctx;
    void (*reset)(void *ctx);  /**< system reset (may be NULL: the app resets on
                                    RESET_PENDING itself) */
    void *reset_ctx;
    /** UTC seconds since 1970 from a trusted source (RTC set by SNTP over an authenticated
     *  channel, GNSS...), 0 when unknown; may be NULL (never known). Only used to refuse an
     *  expired signed manifest. The HTTP Date header is never used: the server is what a
     *  manifest signature does not trust. */
    uint64_t (*utc_now)(void *ctx);
    void *utc_ctx;
    /** Delta updates: the RAM to read the manifest's patches and apply one
     *  (include/otaflow/agent_patch.h); NULL: full images only, "Patch" members unread. */
    struct ota_agent_patch *patch;
    /** Randomness for the jittered backoff and first check (OTA_FLEET): 32 random bits per
     *  call, e.g. the chip's TRNG. Need not be cryptographic, only different from device to
     *  device. NULL: no jitter (every retry waits the full backoff). Without a TRNG, give
     *  ota_agent_xorshift32 with random_ctx pointing to a uint32_t seed unique to the device
     *  (e.g. from its serial number): deterministic, as tests want. */
    uint32_t (*random32)(void *ctx);
    void *random_ctx;
} ota_agent_ports_t;

/** The agent. Caller-owned; its fields are private: use the functions. */
typedef struct ota_agent {
    ota_agent_config_t config;
    ota_agent_ports_t ports;
    ota_agent_state_t state;
    bool started;               /**< first poll seen (clock known) */
    bool check_requested;       /**< ota_agent_check_now() */
    bool download_requested;    /**< ota_agent_download() */
    bool reset_requested;       /**< reset port already called */
    uint32_t next_check_ms;     /**< now_ms of the next periodic check */
    bool tls_only;              /**< refuse http:// image URLs and redirects (require_tls,
                                     or an https manifest without allow_http_images) */
    uint8_t check_failures;     /**< failed checks in a row (reset by an accepted manifest) */
    uint8_t download_failures;  /**< failed downloads in a row (reset by a stored image) */
    bool io_wait;               /**< the last transfer step waited for the network */
    uint32_t refused_version;   /**< version (0: none), digest of the last image whose bytes were */
    uint8_t refused_digest[OTA_SHA256_SIZE]; /**< refused: not fetched again until changed */
    uint32_t now_ms;            /**< clock of the current poll */
    char manifest_url[OTA_URL_MAX];

    /* The update being fetched (from the manifest or ota_agent_start_update). */
    bool have_update;           /**< announced and not yet stored */
    ota_manifest_update_t update;
    uint8_t slot;
    uint32_t resume_from;       /**< offset the current GET asked for */
    uint32_t received;          /**< bytes of the file in the store so far */
    uint32_t total;             /**< file size if known, else 0 */
    uint32_t next_progress;     /**< received value of the next progress event */
    ota_agent_status_t body_error; /**< reason a body callback stopped the transfer */
    ota_store_status_t body_store_status;

    /* Manifest fetch: the body is parsed and hashed as it arrives (docs/agent.md). */
    bool fetching_sig;          /**< CHECKING: the manifest is in, its .sig is being fetched */
    bool manifest_again;        /**< CHECKING: the manifest's second read (OTA_MANIFEST_AGAIN) */
    bool manifest_hash_failed;  /**< the hash engine failed on the manifest: no verdict */
    bool validator_armed;       /**< the validator is sent: two full reads at least a second
                                     apart gave it with the same manifest */
    ota_manifest_status_t manifest_status; /**< the parser's verdict on the manifest */
    uint8_t manifest_hash[OTA_SHA256_SIZE]; /**< SHA-256 of the manifest's first read */
    ota_sha256_t manifest_sha;  /**< hashing the manifest as it arrives; while a patch is
                                     fetched, the patch (PatchDigest): one body at a time */
    uint32_t manifest_sig_len;  /**< bytes of the .sig received (0 = unsigned) */
    uint32_t fresh_sequence;    /**< Sequence accepted last in this power cycle (0: none) */
    uint32_t fresh_since_ms;    /**< now_ms when fresh_sequence was first accepted */
    uint8_t manifest_sig[OTA_MANIFEST_SIG_MAX];
    /** The last manifest's ETag or Last-Modified ("" = none), sent with the next check: kept
     *  only after a check that ended in NO_UPDATE, so that a 304 means "nothing to do". */
    char validator[OTA_AGENT_VALIDATOR_MAX];
    uint32_t validator_ms;      /**< now_ms of the first full read that gave it */
    uint8_t image_head[OTA_IMAGE_HEADER_SIZE]; /**< first bytes of the image (hw_id check) */
    uint8_t head_held;          /**< first bytes held in image_head until the magic tells a
                                     raw image from an .ota (nothing written before) */
    bool head_decided;          /**< this download is known to be raw or not */
    bool raw;                   /**< the download is a raw image: the store writes a header
                                     before its bytes (store offset = file offset + 64) */
    uint32_t manifest_len;      /**< bytes of the manifest received in this read */
    union { /* never both: the reader is started again at each check */
        ota_manifest_parser_t parser; /**< CHECKING: the manifest reader */
        ota_store_check_t check;      /**< VERIFYING: the store's read-back, over polls */
    };
    ota_manifest_plan_t plan;

    ota_http_client_t http;
    uint8_t http_buf[OTA_AGENT_HTTP_BUF_SIZE];
#if OTA_FILE_SLOTS
    /* The manifest's files (src/agent_files.c, docs/agent.md "Files"). */
    ota_file_writer_t file_writer;
    uint8_t file_next;          /**< index in plan.files of the next file to look at */
    uint8_t file_cur;           /**< index of the file being fetched */
    uint8_t file_slot;          /**< its slot (FILE_* events) */
    bool file_begun;            /**< its slot area is being written */
    uint32_t file_received;     /**< bytes of it received */
    uint32_t file_length;       /**< its length (manifest) */
    ota_file_status_t file_body_status; /**< why a body callback stopped the transfer */
    /** Per file slot, the first bytes of the digest of a file refused for what it is (digest,
     *  length, signature): not fetched again while the manifest offers it, in this power
     *  cycle (bit n of file_refused_set: slot n has one). */
    uint8_t file_refused[OTA_FILE_SLOTS_MAX][8];
    uint64_t file_refused_set;
#endif
#if OTA_FLEET
    /* Fleets (src/agent_fleet.c). */
    char device_id[OTA_ROLLOUT_ID_MAX + 1]; /**< config.device_id ("" = none) */
    bool download_deferred;     /**< the application said "not now" to have_update's download */
    bool reset_deferred;        /**< ... to the reset (RESET_PENDING) */
    uint32_t download_ask_ms;   /**< now_ms when to ask about the download again */
    uint32_t reset_ask_ms;      /**< now_ms when to ask about the reset again */
    /* Reports (src/agent_report.c). The boot's is the store's boot.report_pending. */
    char report_url[OTA_URL_MAX]; /**< config.report_url ("" = no reports) */
    bool report_is_boot;        /**< the report being sent is the boot's (the store's flag
                                     may rise under it: ota_store_settle_install) */
    bool attempt_report;        /**< a failed attempt's report waits (RAM only) */
    bool attempt_rejected;      /**< ... its file was refused for what it is */
    uint8_t attempt_source;     /**< ... its event's source and status (its reason is
                                     rebuilt from them) */
    int32_t attempt_status;
    uint32_t attempt_version;
    uint8_t report_failures;    /**< reports not delivered in a row (the backoff) */
    uint32_t report_due_ms;     /**< now_ms of the next report attempt */
    char report_body[OTA_AGENT_REPORT_MAX];
#endif
} ota_agent_t;

/** Defaults: no manifest URL, 60 s, auto update and auto reset on, no downgrade. */
void ota_agent_config_default(ota_agent_config_t *config);

/**
 * Prepare an agent. Copies config and ports. Nothing happens until the first poll, which
 * checks at once when the network is up (as the original does once it has an address).
 * Built with OTA_BOOT_JOURNAL 0 (the bootloader's), call it once per boot: with
 * config.running_version it first records what the overwrite-only bootloader did with the
 * install it left pending (ota_store_settle_install; a store write failure there is left
 * for the next boot).
 * @return OK; ERR_ARG (NULL); ERR_CONFIG (period > OTA_AGENT_PERIOD_MAX_S, manifest URL not a
 *         usable http(s) URL or too long (with manifest_keys: too long for ".sig"), or
 *         http:// with require_tls, store NULL or not mounted,
 *         require_signed_manifest without manifest_keys or an empty keyring,
 *         manifest_max_age_s over OTA_AGENT_MAX_AGE_LIMIT_S, retry_max_s over
 *         OTA_AGENT_RETRY_LIMIT_S or retry_first_s over the maximum, device_id longer than
 *         OTA_ROLLOUT_ID_MAX, first_check_jitter_s or defer_retry_s over
 *         OTA_AGENT_PERIOD_MAX_S, report_url not an http(s) URL we can fetch or http://
 *         with require_tls).
 */
ota_agent_status_t ota_agent_init(ota_agent_t *agent, const ota_agent_config_t *config,
                                  const ota_agent_ports_t *ports);
/* Every call checks at link time that the caller's ota_agent_t matches the library's. */
#define ota_agent_init(...) OTA_LAYOUT_CHECKED(ota_agent_init, __VA_ARGS__)

/**
 * Do a bounded step of work: start a check when due, advance the HTTP transfer, write
 * received bytes to the store, verify OTA_AGENT_VERIFY_STEP bytes, report. A request started
 * in this poll is also sent in it, and a response completed in it is acted on in it.
 * now_ms: the caller's monotonic milliseconds (wrapping is fine).
 * @return the state after the step; ota_agent_next_poll_ms() says when to poll again.
 */
ota_agent_state_t ota_agent_poll(ota_agent_t *agent, uint32_t now_ms);

/**
 * When the agent needs its next poll, in milliseconds after the last poll's now_ms: 0 (work
 * is waiting: poll again at once), the time until the next periodic check (or the backoff),
 * OTA_AGENT_POLL_IO_MS while a transfer waits for the network (poll sooner when the transport
 * has bytes), OTA_AGENT_POLL_NETWORK_MS while a due check waits for the network to come up,
 * or OTA_AGENT_POLL_NONE (nothing scheduled). Any application call on the agent may give it
 * work: poll after it.
 */
uint32_t ota_agent_next_poll_ms(const ota_agent_t *agent);

/** Check the manifest at the next poll, whatever the period and the backoff (the
 *  application asked; an update it finds is downloaded at once with auto_update). A refusal
 *  also raises TRIGGER_FAILED with its status.
 *  @return OK; ERR_CONFIG (no manifest URL); ERR_BUSY (a check or download is running:
 *  nothing to do). */
ota_agent_status_t ota_agent_check_now(ota_agent_t *agent);

/**
 * Download the update announced by the last check (with auto_update off). A refusal also
 * raises TRIGGER_FAILED with its status.
 * @return OK; ERR_NO_UPDATE; ERR_BUSY.
 */
ota_agent_status_t ota_agent_download(ota_agent_t *agent);

/**
 * Download an image without a manifest (the original's manual OTA): url, its version and the
 * SHA-256 of the file as served. Starts at the next poll. A refusal (agent not NULL) also
 * raises TRIGGER_FAILED with its status.
 * @return OK; ERR_ARG (NULL, version 0); ERR_URL; ERR_INSECURE_URL (http:// with
 *         require_tls); ERR_TLS_DOWNGRADE (http:// while the manifest URL is https and
 *         allow_http_images is off); ERR_BUSY.
 */
ota_agent_status_t ota_agent_start_update(ota_agent_t *agent, const char *url,
                                          uint32_t version,
                                          const uint8_t digest[OTA_SHA256_SIZE]);

/**
 * EraseVer on demand: remove the stored image of version (the running version means: roll
 * back at the next reset). Reports IMAGE_ERASED or ERASE_FAILED (refused while busy too:
 * source agent, ERR_BUSY), and RESET_PENDING for a roll back.
 * @return OK; ERR_BUSY (a download is running); ERR_STORE (the store refused; see the event).
 */
ota_agent_status_t ota_agent_erase_version(ota_agent_t *agent, uint32_t version);

/** Roll back at the next reset to the previous image (or the best remaining, else factory).
 *  Raises ROLLBACK_OK (version: the image to be installed) then RESET_PENDING, or
 *  ROLLBACK_FAILED naming why.
 *  @return OK; ERR_BUSY; ERR_STORE (nothing to roll back to). */
ota_agent_status_t ota_agent_rollback(ota_agent_t *agent);

/** Install the factory image at the next reset. Raises FACTORY_RESET_OK then RESET_PENDING,
 *  or FACTORY_RESET_FAILED naming why. @return OK; ERR_BUSY; ERR_STORE (no factory image). */
ota_agent_status_t ota_agent_factory_reset(ota_agent_t *agent);

/** Download progress: bytes received (of the whole file) and total (0 = unknown). Returns
 *  true while a download is running. */
bool ota_agent_progress(const ota_agent_t *agent, uint32_t *bytes, uint32_t *total);

/** Stop a running check or download. A download keeps its durable part in the store and
 *  resumes at the next check; @return OK; ERR_ARG. */
ota_agent_status_t ota_agent_abort(ota_agent_t *agent);

/** Current state. */
ota_agent_state_t ota_agent_state(const ota_agent_t *agent);

/** The settings an application (or its console, the original's `sysota set`) may change
 *  while the agent runs. */
typedef struct ota_agent_settings {
    const char *manifest_url;  /**< http(s) URL of the manifest; NULL or "": no checks */
    uint32_t period_s;         /**< seconds between checks, 0 = only on demand, at most
                                    OTA_AGENT_PERIOD_MAX_S */
    bool auto_update;          /**< download an available update at once */
    bool auto_reset;           /**< call ports.reset once something is ready */
} ota_agent_settings_t;

/** The agent's settings now. manifest_url points into the agent (NULL when it has none):
 *  valid until the next ota_agent_set_settings(). @return OK; ERR_ARG (NULL). */
ota_agent_status_t ota_agent_get_settings(const ota_agent_t *agent,
                                          ota_agent_settings_t *settings);

/**
 * Change the agent's settings at run time (read them with ota_agent_get_settings(), change
 * what you want, set them). Checked as ota_agent_init() checks its config; nothing changes
 * when a check fails. The URL string is copied (it may be the one get returned).
 *  - a new manifest URL is checked at the next poll when period_s is not 0 (as after init),
 *    and forgets the backoff of the old server's failures;
 *  - a new period_s schedules the next periodic check period_s after this call (before the
 *    agent's first poll: the first check comes at once, as after init);
 *  - auto_update applies from the next check; auto_reset at the next poll (turned on while
 *    RESET_PENDING, the reset follows at once).
 * @return OK; ERR_ARG (NULL); ERR_CONFIG (period_s over OTA_AGENT_PERIOD_MAX_S); ERR_URL
 *         (manifest_url not an http(s) URL we can fetch, or too long, with manifest_keys too
 *         long for ".sig"); ERR_INSECURE_URL (http:// with require_tls); ERR_BUSY (a new URL
 *         while a check or download runs: ota_agent_abort() first, or try again when idle).
 */
ota_agent_status_t ota_agent_set_settings(ota_agent_t *agent,
                                          const ota_agent_settings_t *settings);

/** A deterministic generator for ports.random32 (xorshift32): ctx points to a uint32_t state,
 *  any value but 0 (0 is taken as 1), updated by each call. Give each device its own seed. */
uint32_t ota_agent_xorshift32(void *ctx);

/** Short constant English names, never NULL. */
const char *ota_agent_status_str(ota_agent_status_t status);
const char *ota_agent_state_str(ota_agent_state_t state);

#ifdef __cplusplus
}
#endif

#endif /* OTAFLOW_AGENT_H */
