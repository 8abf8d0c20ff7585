/* SPDX-License-Identifier: Apache-2.0 */
/*
 * otaflow events: what the update agent tells the application.
 *
 * One callback receives them all, synchronously from inside ota_agent_poll() (or the agent
 * call that caused them). The callback may call ota_agent_* getters but must not start or
 * stop operations from inside it; it should return quickly.
 *
 * They cover the original OTA service's statuses (SYS_OTA_*): waiting for network, check
 * started / failed, update available / not available, download start / progress / success /
 * failure, verify start / success / failure, image stored, image erased / erase failed, store
 * full, reset pending, rollback and factory reset success / failure, OTA trigger failed.
 * docs/agent.md, "Events", maps each original status to its event (the patch statuses too).
 */
#ifndef OTAFLOW_EVENTS_H
#define OTAFLOW_EVENTS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Kinds of event. */
typedef enum ota_event_type {
    OTA_EVT_WAITING_NETWORK = 1,  /**< the network is down; the agent waits for it */
    OTA_EVT_CHECK_STARTED,        /**< fetching the manifest */
    OTA_EVT_CHECK_FAILED,         /**< manifest not fetched or refused: status/reason say why */
    OTA_EVT_UPDATE_AVAILABLE,     /**< version is newer and wanted; download follows if auto */
    OTA_EVT_NO_UPDATE,            /**< manifest fine, nothing newer to install */
    OTA_EVT_DOWNLOAD_STARTED,     /**< version; bytes = resume offset (0 for a fresh start) */
    OTA_EVT_DOWNLOAD_PROGRESS,    /**< bytes of total (total 0 = unknown); throttled */
    OTA_EVT_DOWNLOAD_FAILED,      /**< status/reason say why; retried at the next check */
    OTA_EVT_VERIFY_STARTED,       /**< reading the image back from flash and hashing it */
    OTA_EVT_VERIFY_OK,            /**< the bytes in flash match the digest */
    OTA_EVT_VERIFY_FAILED,        /**< they do not: the slot is emptied, nothing installed */
    OTA_EVT_IMAGE_STORED,         /**< version is stored and will be installed at reset */
    OTA_EVT_IMAGE_ERASED,         /**< EraseVer carried out for version */
    OTA_EVT_ERASE_FAILED,         /**< EraseVer of version refused or failed: status/reason */
    OTA_EVT_STORE_FULL,           /**< no slot may take the download now */
    OTA_EVT_RESET_PENDING,        /**< a reset will install something; reset now if auto */
    OTA_EVT_DOWNLOAD_OK,          /**< the whole file arrived (bytes = total); verify follows */
    OTA_EVT_ROLLBACK_OK,          /**< ota_agent_rollback() recorded: version is the image
                                       installed at the next reset (RESET_PENDING follows) */
    OTA_EVT_ROLLBACK_FAILED,      /**< ota_agent_rollback() refused: status/reason say why */
    OTA_EVT_FACTORY_RESET_OK,     /**< ota_agent_factory_reset() recorded: version is the
                                       factory image's (RESET_PENDING follows) */
    OTA_EVT_FACTORY_RESET_FAILED, /**< ota_agent_factory_reset() refused: status/reason */
    OTA_EVT_TRIGGER_FAILED,       /**< the application's ota_agent_check_now(),
                                       ota_agent_download() or ota_agent_start_update() was
                                       refused (agent status: busy, no update, URL...) */
    OTA_EVT_FILE_STARTED,         /**< downloading a manifest file entry into file_slot
                                       (the original's File Download); total = its length */
    OTA_EVT_FILE_DONE,            /**< that file is in file_slot now (the old one replaced) */
    OTA_EVT_FILE_FAILED,          /**< it is not: status/reason say why; file_slot keeps
                                       what it had */
    OTA_EVT_PATCH_STARTED,        /**< fetching and applying a patch that rebuilds version
                                       (delta update); bytes = rebuilt bytes already durable */
    OTA_EVT_PATCH_DONE,           /**< the patch applied and matched its PatchDigest; the
                                       store verifies the result (VERIFY_*) */
    OTA_EVT_PATCH_FAILED,         /**< the patch cannot be used: status/reason say why; the
                                       full image is fetched instead */
    OTA_EVT_VERIFY_PROGRESS,      /**< bytes of total read back and hashed; throttled like
                                       DOWNLOAD_PROGRESS (progress_step) */
    OTA_EVT_DOWNLOAD_DEFERRED,    /**< the application said "not now" to the download of
                                       version (config.defer); asked again in retry_s */
    OTA_EVT_RESET_DEFERRED,       /**< the application said "not now" to the reset that
                                       installs version; asked again in retry_s */
    OTA_EVT_REPORT_SENT,          /**< the status report was accepted by report_url (2xx);
                                       version: the running version it reported */
    OTA_EVT_REPORT_FAILED,        /**< the report was not delivered: status/reason say why;
                                       kept (in the store when it is a boot's) and sent
                                       again in retry_s */
} ota_event_type_t;

/** Which module a failure status comes from (how to read ota_event_t.status). */
typedef enum ota_event_source {
    OTA_SRC_NONE = 0,
    OTA_SRC_AGENT,    /**< ota_agent_status_t */
    OTA_SRC_HTTP,     /**< ota_http_status_t */
    OTA_SRC_MANIFEST, /**< ota_manifest_status_t */
    OTA_SRC_STORE,    /**< ota_store_status_t */
    OTA_SRC_MANIFEST_SIG, /**< ota_manifest_sig_status_t: manifest signature, freshness */
    OTA_SRC_FILE,     /**< ota_file_status_t (files.h): file slots */
    OTA_SRC_DELTA,    /**< ota_delta_status_t (delta.h): the patch applier */
} ota_event_source_t;

/** One event. Strings are constant or live until the callback returns. */
typedef struct ota_event {
    ota_event_type_t type;
    uint32_t version;          /**< the image version concerned, 0 if none */
    uint32_t bytes;            /**< DOWNLOAD_*: bytes of the file received so far;
                                    VERIFY_PROGRESS: bytes read back */
    uint32_t total;            /**< DOWNLOAD_*: file size if known, else 0; VERIFY_PROGRESS:
                                    bytes to read back */
    ota_event_source_t source; /**< module of status (failures) */
    int32_t status;            /**< the module's status code (failures), 0 otherwise */
    uint16_t http_status;      /**< HTTP status code of a non-2xx answer, else 0 */
    uint32_t retry_s;          /**< CHECK_FAILED / DOWNLOAD_FAILED / VERIFY_FAILED: seconds
                                    until the next periodic check (the backoff, never less
                                    than the period); 0 when none is scheduled (period 0).
                                    *_DEFERRED: seconds until the application is asked
                                    again; REPORT_FAILED: until the report is sent again */
    const char *reason;        /**< short English reason (failures), "" otherwise */
    uint8_t file_slot;         /**< FILE_*: the file slot concerned (0xFF: file entries the
                                    manifest plan could not keep, OTA_MANIFEST_ERR_FILE_ENTRY) */
} ota_event_t;

/** The application's event callback. */
typedef void (*ota_event_fn)(void *user, const ota_event_t *event);

/** A short constant English name of an event type ("download progress"); never NULL. */
const char *ota_event_type_str(ota_event_type_t type);

#ifdef __cplusplus
}
#endif

#endif /* OTAFLOW_EVENTS_H */
