/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Seams between the agent's source files. Not part of the public contract.
 *   src/agent.c           the state machine, events and backoff, EraseVer, the public API
 *   src/agent_check.c     a check: the manifest and its .sig, signature, freshness, selection
 *   src/agent_download.c  a download: GET with resume into the store, checkpoints, verify
 *   src/agent_config.c    the manifest URL's checks and use (init and set_settings), settings
 *   src/agent_patch.c     a delta update: the manifest's patch chosen, fetched and applied
 *   src/agent_fleet.c     OTA_FLEET: device id, rollout membership, jitter, deferral
 *   src/agent_report.c    OTA_FLEET: status reports to report_url
 * Every function takes the caller's ota_agent_t and acts on the state it holds.
 */
#ifndef OTAFLOW_AGENT_INTERNAL_H
#define OTAFLOW_AGENT_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "otaflow/agent.h"
#include "otaflow/agent_patch.h"

/* ---- agent.c --------------------------------------------------------------------------- */

/** Tell the application (on_event) and the console (ports.log) about e (its download
 *  fields filled in here). */
void ota_agent_deliver(const ota_agent_t *a, ota_event_t *e);

/** Tell the application (on_event) and the console (ports.log) about `type`. */
void ota_agent_emit(ota_agent_t *a, ota_event_type_t type, uint32_t version);

/** A failure event: `status` is `source`'s status code, named in the reason. A failed check,
 *  download or verify also pushes the next periodic check out by the backoff. */
void ota_agent_emit_failure(ota_agent_t *a, ota_event_type_t type, uint32_t version,
                            ota_event_source_t source, int32_t status);

/** The short English reason of a failure status from `source` (its module's *_status_str:
 *  a constant string). */
const char *ota_agent_failure_reason(ota_event_source_t source, int32_t status);

/** One more failure in a row (*failures, saturating): the wait before the next attempt, in
 *  ms: retry_first_s doubled per further failure up to retry_max_s, jittered below that with
 *  ports.random32 (ota_agent_jitter_ms). Checks and downloads, and reports, count apart. */
uint32_t ota_agent_retry_ms(const ota_agent_t *a, uint8_t *failures);

/** Why the agent may not fetch an image from `url`: ERR_URL when the HTTP client cannot
 *  (it does not parse, or does not fit OTA_URL_MAX), ERR_INSECURE_URL / ERR_TLS_DOWNGRADE for
 *  plain http:// when require_tls / an https manifest refuses it; OK if it may. */
ota_agent_status_t ota_agent_url_refusal(const ota_agent_t *a, const char *url);

/** The next check reads the manifest in full (no If-None-Match / If-Modified-Since): the
 *  last one did not end in NO_UPDATE, or the manifest URL changed. Without
 *  OTA_CONDITIONAL_GET every check does: nothing is kept to forget. */
#if OTA_CONDITIONAL_GET
void ota_agent_forget_validator(ota_agent_t *a);
#else
#define ota_agent_forget_validator(a) ((void)(a))
#endif

/** One step of the running transfer (ota_http_poll at the poll's clock), remembering
 *  whether it waited for the network (ota_agent_next_poll_ms). */
ota_http_status_t ota_agent_http_poll(ota_agent_t *a);

/** A check, a download or the manifest's files are running (CHECKING, DOWNLOADING,
 *  VERIFYING, FETCHING_FILES). */
bool ota_agent_busy(const ota_agent_t *a);

/** Ask the store to install `slot` at the next reset: RESET_PENDING, or IDLE after a
 *  DOWNLOAD_FAILED naming the store's refusal. */
void ota_agent_request_install(ota_agent_t *a, uint8_t slot, uint32_t version);

/** Carry out one EraseVer (events included); *rolling_back is set when the running version
 *  was erased, the agent then being RESET_PENDING. An absent version is OK when
 *  `quiet_if_absent`. */
ota_store_status_t ota_agent_apply_erase(ota_agent_t *a, uint32_t version, bool quiet_if_absent,
                                         bool *rolling_back);

/* ---- agent_config.c -------------------------------------------------------------------- */

/** Why `url` (NUL-terminated) may not be the manifest URL under `config`: ERR_URL (it does not
 *  parse, does not fit OTA_URL_MAX, or with manifest_keys leaves no room for ".sig"),
 *  ERR_INSECURE_URL (http:// with require_tls); OK if it may, *tls then saying https. */
ota_agent_status_t ota_agent_manifest_url_refusal(const ota_agent_config_t *config,
                                                  const char *url, bool *tls);

/** Make `url` (checked, "" = none) the manifest URL: its .sig URL, what it means for plain
 *  http image URLs, and a check at the next poll without the old server's backoff. */
void ota_agent_use_manifest_url(ota_agent_t *a, const char *url, bool tls);

/* ---- agent_check.c --------------------------------------------------------------------- */

/** Start a check (CHECK_STARTED, GET of the manifest): CHECKING, or IDLE on failure. */
void ota_agent_check_begin(ota_agent_t *a);

/** One step of CHECKING: on the manifest's (and .sig's) last byte, verify, select, apply
 *  EraseVer and, with auto update, start the download. */
void ota_agent_check_poll(ota_agent_t *a);

/** After the manifest's EraseVer entries and files: announce the update it chose (or none)
 *  and, with auto update, start its download. */
void ota_agent_offer_update(ota_agent_t *a);

/* ---- agent_files.c (OTA_FILE_SLOTS) ---------------------------------------------------- */

/** The plan's file entries: each one not already in its slot is fetched (FILE_* events).
 *  true: a download started (FETCHING_FILES; ota_agent_offer_update() follows the last);
 *  false: nothing to fetch, the caller goes on at once. */
bool ota_agent_files_begin(ota_agent_t *a);

/** One step of FETCHING_FILES. */
void ota_agent_files_poll(ota_agent_t *a);

/* ---- agent_download.c ------------------------------------------------------------------ */

/** Start (or resume) the download of a->update into the store: DOWNLOADING, or IDLE after
 *  the event saying why not (or RESET_PENDING when the image is already stored). */
void ota_agent_image_begin(ota_agent_t *a);

/** Begin (or resume) the store side of the download of a->update (a->slot, *resume: where
 *  to continue); false when it cannot start now (the event said why, or the image is stored
 *  already and its install was requested). */
bool ota_agent_store_begin(ota_agent_t *a, uint32_t *resume);

/** A progress event of `type` (DOWNLOAD_PROGRESS, VERIFY_PROGRESS) when `at` bytes (received,
 *  or read back) reached the next step. */
void ota_agent_maybe_progress(ota_agent_t *a, ota_event_type_t type, uint32_t at);

/** The body is complete: VERIFYING, the store's read-back begun (a part per poll). */
void ota_agent_verify_begin(ota_agent_t *a);

/** One step of DOWNLOADING: VERIFYING once the body is complete, IDLE on failure. */
void ota_agent_image_poll(ota_agent_t *a);

/** VERIFYING: the store reads the slot back and verifies it; install or IDLE. */
void ota_agent_image_verify(ota_agent_t *a);

/* ---- agent_raw.c ----------------------------------------------------------------------- */

/** First bytes of a fresh download: held in a->image_head until there are enough to tell a raw
 *  image from an .ota by the magic; then decided (raw: the store starts a raw image) and the
 *  held bytes written. *data, *len: the body bytes not yet written (advanced past those held);
 *  *held: all of them were held, nothing to write now. OK, or why the file is refused. */
ota_agent_status_t ota_agent_head(ota_agent_t *a, const uint8_t **data, size_t *len, bool *held);

/** The body ended: a file shorter than the magic is decided (and written) now. */
ota_agent_status_t ota_agent_head_end(ota_agent_t *a);

/** Offset in the slot of the file's byte 0 (the raw image's header is before it). */
uint32_t ota_agent_store_shift(const ota_agent_t *a);

/** The store's finish for this download in one call (raw or .ota): OTA_VERIFY_OVER_POLLS 0. */
ota_store_status_t ota_agent_store_finish(ota_agent_t *a);

/** The store's check of this download over polls, begun into a->check (raw or .ota). */
ota_store_status_t ota_agent_store_check_begin(ota_agent_t *a);

/* ---- agent_patch.c (ports.patch) ------------------------------------------------------- */

/** The manifest reader's patch side for a check (NULL: the agent has no patch RAM). */
ota_manifest_patches_t *ota_agent_patch_reader(ota_agent_t *a);

/** The check chose a->update (just copied from the plan): fetch its patch instead when the
 *  manifest offered one whose base the store holds and no patch of it failed before. */
void ota_agent_patch_choose(ota_agent_t *a);

/** No patch for a->update (an image given by URL). */
void ota_agent_patch_forget(ota_agent_t *a);

/** ota_agent_image_begin for a patch: true when it took over (DOWNLOADING the patch, or IDLE
 *  after its event); false: fetch a->update as an image (no patch, or it fell back). */
bool ota_agent_patch_begin(ota_agent_t *a);

/** DOWNLOADING a patch (not an image). */
bool ota_agent_patching(const ota_agent_t *a);

/** One step of DOWNLOADING a patch: VERIFYING once it applied, IDLE on a lost connection,
 *  the full image's download when the patch is refused. */
void ota_agent_patch_poll(ota_agent_t *a);

/** VERIFYING a patch's result: the store said st (not OK: the full image is fetched instead,
 *  and true is returned: nothing else to do); OK and anything not a patch: false. */
bool ota_agent_patch_verified(ota_agent_t *a, ota_store_status_t st);

/* ---- agent_fleet.c (OTA_FLEET) -------------------------------------------------------- */

#if OTA_FLEET
/** What ota_agent_init refuses in the fleet fields of `config`: ERR_CONFIG or OK. */
ota_agent_status_t ota_agent_fleet_check(const ota_agent_config_t *config);

/** Copy the fleet fields of `config` (checked) into the agent. */
void ota_agent_fleet_init(ota_agent_t *a, const ota_agent_config_t *config);

/** A random delay in [0, max_ms) from ports.random32; max_ms without it. */
uint32_t ota_agent_jitter_ms(const ota_agent_t *a, uint32_t max_ms);

/** Milliseconds from the first poll to the first check: random up to first_check_jitter_s
 *  (0 without ports.random32). */
uint32_t ota_agent_first_check_ms(const ota_agent_t *a);

/** The manifest reader's rollout question (ota_manifest_rollout_fn; ctx: the agent). */
bool ota_agent_in_rollout(void *ctx, uint32_t version, uint32_t percent);

/** Whether the application defers `what` now: asks config.defer unless an earlier "not now"
 *  still holds; a new "not now" raises the *_DEFERRED event and sets when to ask again. */
bool ota_agent_defers(ota_agent_t *a, ota_agent_defer_what_t what, uint32_t version);

/** A deferred download is due to be asked about again (and the update is still there). */
bool ota_agent_deferred_download_due(ota_agent_t *a);

/** Milliseconds until the application is asked about `what` again; OTA_AGENT_POLL_NONE when
 *  nothing of that kind was deferred. */
uint32_t ota_agent_defer_wait_ms(const ota_agent_t *a, ota_agent_defer_what_t what);

/* ---- agent_report.c (OTA_FLEET) ------------------------------------------------------- */

/** What ota_agent_init refuses in config.report_url: ERR_CONFIG or OK. */
ota_agent_status_t ota_agent_report_check(const ota_agent_config_t *config);

/** Copy config.report_url (checked) into the agent. */
void ota_agent_report_init(ota_agent_t *a, const ota_agent_config_t *config);

/** A failed download or verify (its event e): its report waits to be sent (the last one). */
void ota_agent_report_attempt(ota_agent_t *a, const ota_event_t *e);

/** Milliseconds until a report is due (0: now); OTA_AGENT_POLL_NONE: none waits. */
uint32_t ota_agent_report_wait_ms(const ota_agent_t *a);

/** Build the next report and start its POST: REPORTING, or IDLE after REPORT_FAILED. */
void ota_agent_report_begin(ota_agent_t *a);

/** One step of REPORTING: REPORT_SENT (the store's flag cleared for a boot's) or
 *  REPORT_FAILED and a backoff; IDLE at the end. */
void ota_agent_report_poll(ota_agent_t *a);

/** Stop a report being sent (it stays, and is sent again at the next idle poll). */
void ota_agent_report_stop(ota_agent_t *a);
#else
/* Without fleets: no id (only 100 % entries), the full backoff, the first check at once. */
#define ota_agent_fleet_check(config) ((void)(config), OTA_AGENT_OK)
#define ota_agent_fleet_init(a, config) ((void)(a), (void)(config))
#define ota_agent_jitter_ms(a, max_ms) ((void)(a), (max_ms))
#define ota_agent_first_check_ms(a) ((void)(a), 0u)
#define ota_agent_in_rollout NULL
#define ota_agent_defers(a, what, version) ((void)(a), (void)(version), false)
#define ota_agent_deferred_download_due(a) ((void)(a), false)
#define ota_agent_defer_wait_ms(a, what) ((void)(a), OTA_AGENT_POLL_NONE)
#define ota_agent_report_check(config) ((void)(config), OTA_AGENT_OK)
#define ota_agent_report_init(a, config) ((void)(a), (void)(config))
#define ota_agent_report_attempt(a, e) ((void)(a), (void)(e))
#define ota_agent_report_wait_ms(a) ((void)(a), OTA_AGENT_POLL_NONE)
#define ota_agent_report_begin(a) ((void)(a))
#define ota_agent_report_poll(a) ((void)(a))
#define ota_agent_report_stop(a) ((void)(a))
#endif

#endif /* OTAFLOW_AGENT_INTERNAL_H */
