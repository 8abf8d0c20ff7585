/* SPDX-License-Identifier: Apache-2.0 */
/*
 * otaflow compile-time configuration: every size that shapes a caller-owned struct or a
 * buffer, with its default and the range it must stay in (docs/configuration.md).
 *
 * Override them in one of two ways, both before any otaflow header is read:
 *  - a configuration file: -DOTA_CONFIG_FILE='"my_ota_config.h"' (as littlefs's LFS_CONFIG);
 *    it is included first and may #define any of the OTA_* sizes below;
 *  - single definitions on the command line: -DOTA_AGENT_HTTP_BUF_SIZE=4096u.
 * The library and every file that uses its structs must be compiled with the same values:
 * the link-time layout guard at the end of this file makes a mismatch an undefined symbol
 * that names the values each side was built with.
 *
 * Values must be integer literals (4096u, not (4096u) nor 4 * 1024u): the guard pastes them
 * into a symbol name. Spell a value the same way on both sides (the defaults carry a u).
 */
#ifndef OTAFLOW_CONFIG_H
#define OTAFLOW_CONFIG_H

#ifdef OTA_CONFIG_FILE
#include OTA_CONFIG_FILE
#endif

#include "otaflow/version.h"

/* Image store (store.h) --------------------------------------------------------------------- */

/** Most download slots a store can have (the original allows up to 5 stored images). Sets the
 *  size of every snapshot in ota_store_t and of the record buffer. Range 1..32. */
#ifndef OTA_STORE_MAX_DOWNLOAD_SLOTS
#define OTA_STORE_MAX_DOWNLOAD_SLOTS 5u
#endif

/** Versions remembered as rejected. Fixed by journal format 2 (the 80-byte record header holds
 *  exactly 8): listed here because it sizes ota_store_boot_t, not because it may change. */
#ifndef OTA_STORE_REJECTED_MAX
#define OTA_STORE_REJECTED_MAX 8u
#endif

/** Work buffer inside ota_store_t: program staging and read-back hashing. A power of two of at
 *  least the flash page size (256 on SST26) programs whole pages; a device whose program unit
 *  is larger than this buffer cannot be mounted. Range 16..65536. */
#ifndef OTA_STORE_WORK_SIZE
#define OTA_STORE_WORK_SIZE 512u
#endif

/* Manifest (manifest.h) -------------------------------------------------------------------- */

/** Largest manifest a parser (and the agent: manifest_max 0) accepts by default, bytes (the
 *  original: 2000). A limit on what is read, not a buffer size. Range 64..1048576. */
#ifndef OTA_MANIFEST_MAX_SIZE_DEFAULT
#define OTA_MANIFEST_MAX_SIZE_DEFAULT 4096u
#endif

/** Deepest nesting of objects/arrays accepted by default (the format itself needs 3).
 *  Range 3..OTA_MANIFEST_MAX_DEPTH_LIMIT. */
#ifndef OTA_MANIFEST_MAX_DEPTH_DEFAULT
#define OTA_MANIFEST_MAX_DEPTH_DEFAULT 16u
#endif

/** Hard ceiling for max_depth: the validator tracks container types in 64 bits. Not
 *  configurable. */
#define OTA_MANIFEST_MAX_DEPTH_LIMIT 64u

/** Longest URL accepted in a manifest, characters after JSON unescaping (the original: 100).
 *  Sizes the URL inside ota_manifest_plan_t. Range 16..4096. */
#ifndef OTA_MANIFEST_URL_MAX
#define OTA_MANIFEST_URL_MAX 256u
#endif

/** Most distinct EraseVer versions one manifest may carry; more is an error, not a truncation.
 *  Sizes ota_manifest_plan_t. Range 1..255. */
#ifndef OTA_MANIFEST_ERASE_MAX
#define OTA_MANIFEST_ERASE_MAX 8u
#endif

/* URLs and HTTP (url.h, http.h) ------------------------------------------------------------ */

/** Size of a buffer that holds any URL the URL module accepts, terminating NUL included: a URL
 *  of OTA_URL_MAX characters or more is refused. Sizes ota_http_client_t and ota_agent_t.
 *  Range 64..4096. */
#ifndef OTA_URL_MAX
#define OTA_URL_MAX 256u
#endif

/** User-Agent header of every request (a string literal, not a size): the release number
 *  (version.h) by default. */
#ifndef OTA_HTTP_USER_AGENT
#define OTA_HTTP_USER_AGENT "otaflow/" OTA_VERSION_STRING
#endif

/** Limit on a response's status line + headers when the HTTP config says 0, bytes.
 *  Range 256..1048576. */
#ifndef OTA_HTTP_RESP_HEADERS_DEFAULT
#define OTA_HTTP_RESP_HEADERS_DEFAULT 8192u
#endif

/** Room for the header values a response keeps (http_response.h), terminating NUL included; a
 *  longer value is not kept (OTA_HTTP_FIELD_TOO_LONG). They size the response head inside
 *  ota_http_client_t. Ranges: Content-Range 16..1024, ETag 8..1024, Last-Modified 30..256 (an
 *  IMF-fixdate is 29 characters). */
#ifndef OTA_HTTP_CONTENT_RANGE_MAX
#define OTA_HTTP_CONTENT_RANGE_MAX 64u
#endif
#ifndef OTA_HTTP_ETAG_MAX
#define OTA_HTTP_ETAG_MAX 72u
#endif
#ifndef OTA_HTTP_LAST_MODIFIED_MAX
#define OTA_HTTP_LAST_MODIFIED_MAX 40u
#endif

/* Image format (image.h) ------------------------------------------------------------------- */

/** Largest TLV area an image may carry (info header included), bytes; a larger one is refused
 *  (OTA_IMAGE_ERR_TLV). Bounds the TLV walk, not a buffer: devices and the host tool must agree
 *  on it. 8 KB: room for a hash-based (LMS/HSS) signature of up to 5 KB next to the SHA-256 and
 *  key id TLVs (docs/image-format.md). Range 64..65536. */
#ifndef OTA_IMAGE_TLV_MAX
#define OTA_IMAGE_TLV_MAX 8192u
#endif

/* Update agent (agent.h) ------------------------------------------------------------------- */

/** HTTP I/O buffer inside ota_agent_t (the request, then response bytes). It must hold the
 *  request line with its URL and the response headers. Range 256 (OTA_HTTP_BUF_MIN)..65536. */
#ifndef OTA_AGENT_HTTP_BUF_SIZE
#define OTA_AGENT_HTTP_BUF_SIZE 2048u
#endif

/** Backoff after failed checks and downloads, when the agent config says 0: the first wait,
 *  doubled at each failure up to the longest (4 h: docs/store.md, flash wear). Seconds;
 *  1 <= first <= longest <= OTA_AGENT_RETRY_LIMIT_S. */
#ifndef OTA_AGENT_RETRY_FIRST_DEFAULT_S
#define OTA_AGENT_RETRY_FIRST_DEFAULT_S 60u
#endif
#ifndef OTA_AGENT_RETRY_MAX_DEFAULT_S
#define OTA_AGENT_RETRY_MAX_DEFAULT_S 14400u
#endif
/** Largest retry_max_s the agent accepts: one day. Not configurable. */
#define OTA_AGENT_RETRY_LIMIT_S 86400u

/* Bootloader (boot.h) ---------------------------------------------------------------------- */

/** Copy/verify buffer inside ota_boot_t, twice (one PIC32 row). A power of two, and a multiple
 *  of the internal flash's program unit (checked at run time). Range 64..65536. */
#ifndef OTA_BOOT_BUF_SIZE
#define OTA_BOOT_BUF_SIZE 1024u
#endif

/** 1 (default): the bootloader sends console lines ("boot: installing v2 from slot 1", and why
 *  an image was refused) to the log callback of ota_boot_run; 0: those lines, their format
 *  strings and the reasons' text are compiled out, the callback is never called, and what
 *  happened is only in ota_boot_report_t (a smaller bootloader). Changes no struct. */
#ifndef OTA_BOOT_LOG
#define OTA_BOOT_LOG 1
#endif

/* The bootloader's product features (docs/configuration.md, "A minimal bootloader"). Each is
 * on by default; a bootloader that must be smaller turns off what it can live without. None
 * changes a struct, so an agent built with the defaults shares the store with it. */

/** 1 (default): the first boot saves the running image into slot 0 as the factory image (the
 *  first update can roll back, a factory reset has a target, a lost internal image comes
 *  back); 0: the first boot only verifies it and records it as running, no copy is made, so
 *  a factory reset (an install of slot 0) finds no image there and is refused. */
#ifndef OTA_BOOT_FACTORY_IMAGE
#define OTA_BOOT_FACTORY_IMAGE 1
#endif

/** 1 (default): a new image runs as a trial of max_attempts boots until the application
 *  confirms it (ota_confirm), else it is rejected and the previous one reinstalled; 0: an
 *  installed image is confirmed by the bootloader at once (as confirm_on_start does), no
 *  trial is counted and nothing rolls back by itself; max_attempts is not used. */
#ifndef OTA_BOOT_TRIAL_BOOTS
#define OTA_BOOT_TRIAL_BOOTS 1
#endif

/** 1 (default): an internal image that does not verify is restored from its copy in the
 *  store, else the newest stored image is installed (and a board without a journal installs
 *  one); 0: the bootloader starts nothing and returns OTA_BOOT_ERR_NO_IMAGE, as it does when
 *  no copy exists (an install the journal asked for still runs and resumes after a cut). */
#ifndef OTA_BOOT_REPAIR
#define OTA_BOOT_REPAIR 1
#endif

/** 1 (default): the anti-rollback guard (guard.h) is kept in sync by the bootloader at every
 *  boot when the store config names one; 0: nothing of the guard is linked into the
 *  bootloader, the floor is the journal's security counter, and a store config with a guard
 *  is refused at mount (OTA_STORE_ERR_ARG): a device built without it never pretends to
 *  keep one. */
#ifndef OTA_BOOT_GUARD
#define OTA_BOOT_GUARD 1
#endif

/** 1 (default): the bootloader records every step of an install, trial and roll back in the
 *  store's journal; 0: an overwrite-only bootloader that never writes the journal (nor
 *  anything else of the external flash): it reads the journal, installs the image whose
 *  install is pending (checked as always, units already equal skipped, the magic programmed
 *  last, the copy verified as it will run), again from the start at every reset until the
 *  copy verifies, and starts it; a staged image it refuses is left where it is and the
 *  running image starts. The application's side, built with the same 0, records what
 *  happened (ota_store_settle_install: ota_agent_init and ota_confirm call it): the install
 *  done, or refused and cancelled. Its floor is the journal's security counter and the running
 *  image's own (docs/security.md). 0 needs OTA_BOOT_FACTORY_IMAGE, OTA_BOOT_TRIAL_BOOTS,
 *  OTA_BOOT_REPAIR and OTA_BOOT_GUARD at 0 (each writes the journal or needs it written).
 *  Changes no struct. */
#ifndef OTA_BOOT_JOURNAL
#define OTA_BOOT_JOURNAL 1
#endif

/** 1 (default): ota_boot_config_t.verify_each_boot false makes a boot check the internal
 *  image without hashing it (its header parses and equals the running image's copy in the
 *  store); 0: every boot hashes it (and checks its signature), whatever the config says: the
 *  check every lean bootloader configures anyway (firmware/bootloader_lean.c), without the
 *  code of the cheaper one. Never a weaker check. Changes no struct. */
#ifndef OTA_BOOT_CHEAP_CHECK
#define OTA_BOOT_CHEAP_CHECK 1
#endif

/** 1 (default): the bootloader installs encrypted images (an ENC_P256_AES128 TLV,
 *  image_enc.h): with ota_boot_config_t.decrypt_key set it unwraps the content key and
 *  decrypts the payload while it hashes and programs internal flash; 0: nothing of AES or
 *  ECDH is linked and an encrypted image is refused ("built without decryption"), as it is
 *  by a bootloader without a key. The agent's store keeps encrypted images either way (it
 *  never decrypts). The emulated board's firmware keeps 1; the lean bootloaders
 *  (firmware/CMakeLists.txt) set 0. Shapes ota_boot_t (its content key: in the layout
 *  guard, _decrypt). */
#ifndef OTA_BOOT_DECRYPT
#define OTA_BOOT_DECRYPT 1
#endif

/** 1 (default): a flash geometry may list erase sectors of mixed sizes (port.h: an
 *  STM32F4's bank of 16K, 64K and 128K sectors); 0: only uniform devices (sectors of
 *  erase_unit bytes, sectors NULL) are supported, the table walk is not compiled in, and a
 *  geometry with a table is refused as not valid (ota_flash_sectors_valid: the store's mount
 *  returns OTA_STORE_ERR_GEOMETRY, ota_boot_run OTA_BOOT_ERR_ARG): a smaller bootloader for
 *  a uniform board. Changes no struct. */
#ifndef OTA_FLASH_SECTOR_TABLES
#define OTA_FLASH_SECTOR_TABLES 1
#endif

/** 0 (default): the store's journal records are encoded and decoded field by field and their
 *  CRC-32 taken four bits at a time (a 64-byte table); 1: the compact journal of the lean
 *  bootloaders (firmware/lean_core.cmake): a record's boot fields and slot descriptors are
 *  copied as they lie (the record's layout is the structs' on a little-endian target, which
 *  src/journal.c checks at compile time; a big-endian build is refused), the CRC is taken a
 *  bit at a time (no table), and the append is one loop over both sectors that encodes the
 *  snapshot once, seals only its sequence number and CRC per position tried, and reads each
 *  position whole into a record-sized buffer on its stack for the erased check and the
 *  read-back (the default append: 32-byte pieces). The same record bytes, the same positions,
 *  programs, erases and sequence numbers, the same checks of every record position at mount,
 *  the same mounted state (tests/unit/test_journal_compact.c, fuzz target journal_compact):
 *  less code, a slower CRC. Changes no struct. */
#ifndef OTA_JOURNAL_COMPACT
#define OTA_JOURNAL_COMPACT 0
#endif

/* Status names --------------------------------------------------------------------------- */

/** 1 (default): every *_str() function (ota_store_status_str, ota_event_type_str, ...) returns
 *  the name of its value, and the agent's log line and events carry those names; 0: none of
 *  the names is compiled in (a smaller agent), each *_str() returns OTA_STATUS_TEXT_NONE, an
 *  event's reason is that text, and the agent's log line gives the numbers instead:
 *  "ota: event 3: source 2 status -14 http 404, retry in 60 s" (docs/configuration.md).
 *  Changes no struct. */
#ifndef OTA_STATUS_STRINGS
#define OTA_STATUS_STRINGS 1
#endif
/** What every *_str() returns when OTA_STATUS_STRINGS is 0. */
#define OTA_STATUS_TEXT_NONE "-"

/* SHA-256 (crypto.h) -------------------------------------------------------------------- */

/** 0 (default): SHA-256 is the crypto backend's (mbedTLS's or BearSSL's, unrolled and
 *  faster); 1: it is src/crypto_sha256_small.c's, written for this project from FIPS 180-4
 *  and rolled for size, and the backend does only the signatures (and decryption). The lean
 *  bootloaders take 1 (firmware/lean_core.cmake): smaller, slower per byte (measured in
 *  docs/decisions.md). A choice of implementation, not a feature: the same contract, the
 *  same digests. Changes no struct. */
#ifndef OTA_SHA256_SMALL
#define OTA_SHA256_SMALL 0
#endif

/* Signatures (image_sig.h, crypto.h) ------------------------------------------------------- */

/** 1 (default): a store given trusted keys accepts only images signed by one of them
 *  (docs/security.md); 0: no signature algorithm is compiled in (nothing of the ECDSA
 *  verifier is linked), images are checked by SHA-256, security counter and hw_id only, and a
 *  store config with trusted keys is refused at mount (OTA_STORE_ERR_NO_SIGNATURES): a device
 *  built without signatures never pretends to check them. Changes no struct. */
#ifndef OTA_SIGNATURES
#define OTA_SIGNATURES 1
#endif

/** With OTA_SIGNATURES 1, the algorithms compiled in, 1 (default) or 0 each: ECDSA P-256 (the
 *  crypto backend's verifier) and HSS/LMS (src/lms.c: SHA-256 only). A bootloader built with
 *  HSS/LMS alone links no big-number code (docs/footprint.md, "LMS-only lean bootloader"); a
 *  key of an algorithm left out is one this build cannot use (OTA_SIG_ERR_CRYPTO), except that
 *  a build without HSS/LMS passes over an image's HSS/LMS signature as a build before it did
 *  (ota_image_sig_check: its ECDSA-only path costs no LMS code). At least one must be 1.
 *  Changes no struct. */
#ifndef OTA_SIG_ECDSA_P256
#define OTA_SIG_ECDSA_P256 1
#endif
#ifndef OTA_SIG_HSS_LMS
#define OTA_SIG_HSS_LMS 1
#endif

/** 0 (default): HSS/LMS verifies every RFC 8554 parameter set with SHA-256 (LMS H5 to H25,
 *  LM-OTS W1 to W8); 1: only LM-OTS LMOTS_SHA256_N32_W8 (what otaflow-image signs with),
 *  with its chain count and digits as constants, at any LMS height: the lean HSS/LMS
 *  bootloaders (firmware/lean_core.cmake), whose keys are W8. A key or a signed lower key of
 *  another LM-OTS type is then refused as of no parameter set (OTA_LMS_ERR_KEY,
 *  OTA_LMS_ERR_PARAMS), never verified as W8. Changes no struct. */
#ifndef OTA_LMS_LEAN_PARAMS
#define OTA_LMS_LEAN_PARAMS 0
#endif

/** 0 (default): ota_image_parse checks every TLV kind the agent knows (duplicates, lengths)
 *  and records them all; 1: the bootloader's parse (src/image_boot_parse.c), the same header
 *  and TLV area checks with a walk that reads only the TLVs this build acts on: the SHA-256,
 *  the key id and signature of each algorithm of OTA_SIG_ECDSA_P256 / OTA_SIG_HSS_LMS (none
 *  with OTA_SIGNATURES 0), and the encryption TLV with OTA_BOOT_DECRYPT 1. Any other entry is
 *  skipped by its length as an unknown one is (refused when critical: with OTA_BOOT_DECRYPT 0
 *  an encrypted image is refused by the parse), so the duplicates and lengths of the skipped
 *  kinds go unchecked and their fields of ota_image_info_t stay unset. For a bootloader's
 *  core (the lean bootloaders set it: firmware/lean_core.cmake), not an agent's, whose store
 *  judges every image it keeps. Changes no struct. */
#ifndef OTA_IMAGE_BOOT_PARSE
#define OTA_IMAGE_BOOT_PARSE 0
#endif

/* File slots (files.h): the original's File Download --------------------------------------- */

/** 1 (default): the store can hold numbered file slots (certificates, web pages) and the agent
 *  downloads a manifest's `files` entries into them (docs/agent.md, "Files"); 0: nothing of it
 *  is compiled (store_files.c, agent_files.c and manifest_files.c are not linked), `files`
 *  entries are read as JSON and ignored, and a store config with file slots is refused. */
#ifndef OTA_FILE_SLOTS
#define OTA_FILE_SLOTS 1
#endif

/** Most file slots a store can have (the slot_number of a manifest file entry is below it). */
#ifndef OTA_FILE_SLOTS_MAX
#define OTA_FILE_SLOTS_MAX 8u
#endif

/** File entries (public_key entries included) one manifest plan holds; more are reported as
 *  failed, never downloaded. Each costs 116 B + OTA_FILE_URL_MAX (rounded to 4) in the plan.
 *  3: the original's sample (two files, one public_key); the original allows 3 files.
 *  Range 1..64. */
#ifndef OTA_FILE_ENTRIES_MAX
#define OTA_FILE_ENTRIES_MAX 3u
#endif

/** Longest URL of a file entry (characters, after unescaping); the original's URLs are at
 *  most 100 characters. Range 16..4096. */
#ifndef OTA_FILE_URL_MAX
#define OTA_FILE_URL_MAX 100u
#endif

/* Delta updates (agent_patch.h, delta.h; docs/delta.md) ------------------------------------ */

/** 1 (default): the agent applies the manifest's `Patch` entries when the application gives it
 *  patch RAM (ota_agent_ports_t.patch), resuming from the notes the store keeps; 0: none of it
 *  is compiled into the agent and the store (agent_patch.c and manifest_patch.c reduce to
 *  stubs, store_patch.c is empty, the applier is not linked): `Patch` members are read as
 *  JSON and ignored, ports.patch is not used, updates are full images. Changes no struct. */
#ifndef OTA_DELTA_PATCHES
#define OTA_DELTA_PATCHES 1
#endif

/* The original's raw images (agent.h, store.h) ---------------------------------------------- */

/** 1 (default): the agent can accept the original's raw `.bin` images (no header; manifest
 *  `Digest` of the file, optional `Signature`: base64 of a 64-byte ECDSA P-256 r||s) when its
 *  config says accept_raw_images, and the store turns them into images the bootloader checks
 *  (docs/agent.md, "The original's raw images"); 0: none of that code is compiled in (the
 *  manifest's `Signature` is then an unknown key, a raw image is refused by its first bytes).
 *  Shapes ota_manifest_parser_t and ota_manifest_update_t (the layout guard names it). */
#ifndef OTA_RAW_IMAGES
#define OTA_RAW_IMAGES 1
#endif

/** Bytes of the original's signature: r||s of ECDSA P-256, 32 bytes each. Not configurable. */
#define OTA_RAW_SIG_SIZE 64u

/* The agent's polls (agent.h, docs/agent.md; measured in docs/performance.md) -------------- */

/** 1 (default): after a check that found nothing new, the agent keeps the manifest's ETag or
 *  Last-Modified and sends it with the next check (If-None-Match / If-Modified-Since); a 304
 *  then costs no parse, no `.sig` and no signature check. 0: none of that code is compiled in
 *  and every check fetches the manifest (and its `.sig`) in full; the HTTP client then sends
 *  no validator (ota_http_request_t.validator is ignored) and a 304 is OTA_HTTP_ERR_STATUS.
 *  Changes no struct. */
#ifndef OTA_CONDITIONAL_GET
#define OTA_CONDITIONAL_GET 1
#endif

/** 1 (default): the agent reads a downloaded image back and verifies it OTA_AGENT_VERIFY_STEP
 *  bytes per poll (VERIFY_PROGRESS events), so that the application runs between parts; 0:
 *  the whole read-back runs in the poll that received the last byte (smaller code; that poll
 *  then lasts as long as a read of the image). Changes no struct. */
#ifndef OTA_VERIFY_OVER_POLLS
#define OTA_VERIFY_OVER_POLLS 1
#endif

/* Fleets (agent.h, rollout.h, docs/agent.md "Fleets") ------------------------------------- */

/** 1 (default): the agent's fleet features: the device id and its staged-rollout membership,
 *  jittered retries and first check, the application's deferral of a download or a reset,
 *  and status reports POSTed to report_url (kept in the store until sent); 0: none of it is
 *  compiled (agent_fleet.c, agent_report.c, agent_rollout.c are not linked): the config's
 *  fleet fields are ignored, a manifest entry with a Rollout below 100 is never taken, the
 *  backoff is the plain doubling. Shapes ota_agent_t (the layout guard names it). */
#ifndef OTA_FLEET
#define OTA_FLEET 1
#endif

/** 1 (default: as OTA_FLEET, its only user in the core, the agent's status reports): the HTTP
 *  client can POST (ota_http_post); 0: it is not compiled in and the client only GETs. */
#ifndef OTA_HTTP_POST
#define OTA_HTTP_POST OTA_FLEET
#endif

/* Internal assertions ---------------------------------------------------------------------- */

/** 1: the core checks its internal invariants with OTA_ASSERT and calls
 *  ota_port_assert_failed() (port.h) when one breaks; 0 (default, firmware builds): the checks
 *  are compiled out. The host build turns it on (CMake option OTA_ASSERT). Never changes a
 *  struct, so the library and the application may differ here. */
#ifndef OTA_ENABLE_ASSERT
#define OTA_ENABLE_ASSERT 0
#endif

/* Ranges ----------------------------------------------------------------------------------- */

#ifdef __cplusplus
#define OTA_CONFIG_STATIC_ASSERT_ static_assert
#else
#define OTA_CONFIG_STATIC_ASSERT_ _Static_assert
#endif

/* A setting out of its range stops the compilation with the setting's name and range. */
#define OTA_CONFIG_RANGE_(name, lo, hi)                                                          \
    OTA_CONFIG_STATIC_ASSERT_((name) >= (lo) && (name) <= (hi), #name " must be in " #lo ".." #hi)

OTA_CONFIG_RANGE_(OTA_STORE_MAX_DOWNLOAD_SLOTS, 1u, 32u);
OTA_CONFIG_RANGE_(OTA_STORE_REJECTED_MAX, 8u, 8u); /* fixed by the journal record format */
OTA_CONFIG_RANGE_(OTA_STORE_WORK_SIZE, 16u, 65536u);
OTA_CONFIG_RANGE_(OTA_MANIFEST_MAX_SIZE_DEFAULT, 64u, 1048576u);
OTA_CONFIG_RANGE_(OTA_MANIFEST_MAX_DEPTH_DEFAULT, 3u, OTA_MANIFEST_MAX_DEPTH_LIMIT);
OTA_CONFIG_RANGE_(OTA_MANIFEST_URL_MAX, 16u, 4096u);
OTA_CONFIG_RANGE_(OTA_MANIFEST_ERASE_MAX, 1u, 255u);
OTA_CONFIG_RANGE_(OTA_URL_MAX, 64u, 4096u);
OTA_CONFIG_RANGE_(OTA_IMAGE_TLV_MAX, 64u, 65536u);
OTA_CONFIG_RANGE_(OTA_AGENT_HTTP_BUF_SIZE, 256u, 65536u); /* OTA_HTTP_BUF_MIN.. */
OTA_CONFIG_RANGE_(OTA_BOOT_BUF_SIZE, 64u, 65536u);
OTA_CONFIG_RANGE_(OTA_HTTP_RESP_HEADERS_DEFAULT, 256u, 1048576u);
OTA_CONFIG_RANGE_(OTA_HTTP_CONTENT_RANGE_MAX, 16u, 1024u);
OTA_CONFIG_RANGE_(OTA_HTTP_ETAG_MAX, 8u, 1024u);
OTA_CONFIG_RANGE_(OTA_HTTP_LAST_MODIFIED_MAX, 30u, 256u);
OTA_CONFIG_RANGE_(OTA_FILE_SLOTS_MAX, 1u, 64u);
OTA_CONFIG_RANGE_(OTA_FILE_ENTRIES_MAX, 1u, 64u);
OTA_CONFIG_RANGE_(OTA_FILE_URL_MAX, 16u, 4096u);
OTA_CONFIG_RANGE_(OTA_CONDITIONAL_GET, 0, 1);
OTA_CONFIG_RANGE_(OTA_VERIFY_OVER_POLLS, 0, 1);
OTA_CONFIG_RANGE_(OTA_AGENT_RETRY_FIRST_DEFAULT_S, 1u, OTA_AGENT_RETRY_MAX_DEFAULT_S);
OTA_CONFIG_RANGE_(OTA_AGENT_RETRY_MAX_DEFAULT_S, OTA_AGENT_RETRY_FIRST_DEFAULT_S,
                  OTA_AGENT_RETRY_LIMIT_S);
OTA_CONFIG_STATIC_ASSERT_((OTA_BOOT_BUF_SIZE & (OTA_BOOT_BUF_SIZE - 1u)) == 0u,
                          "OTA_BOOT_BUF_SIZE must be a power of two");
#if OTA_FLEET && !OTA_HTTP_POST
#error "OTA_FLEET needs OTA_HTTP_POST (the status reports are POSTed)"
#endif
#if OTA_ENABLE_ASSERT != 0 && OTA_ENABLE_ASSERT != 1
#error "OTA_ENABLE_ASSERT must be 0 or 1"
#endif
#if OTA_BOOT_LOG != 0 && OTA_BOOT_LOG != 1
#error "OTA_BOOT_LOG must be 0 or 1"
#endif
#if OTA_FLASH_SECTOR_TABLES != 0 && OTA_FLASH_SECTOR_TABLES != 1
#error "OTA_FLASH_SECTOR_TABLES must be 0 or 1"
#endif
#if OTA_SHA256_SMALL != 0 && OTA_SHA256_SMALL != 1
#error "OTA_SHA256_SMALL must be 0 or 1"
#endif
#if OTA_JOURNAL_COMPACT != 0 && OTA_JOURNAL_COMPACT != 1
#error "OTA_JOURNAL_COMPACT must be 0 or 1"
#endif
#if OTA_SIGNATURES != 0 && OTA_SIGNATURES != 1
#error "OTA_SIGNATURES must be 0 or 1"
#endif
#if (OTA_BOOT_FACTORY_IMAGE != 0 && OTA_BOOT_FACTORY_IMAGE != 1) ||                           \
    (OTA_BOOT_TRIAL_BOOTS != 0 && OTA_BOOT_TRIAL_BOOTS != 1)
#error "OTA_BOOT_FACTORY_IMAGE and OTA_BOOT_TRIAL_BOOTS must be 0 or 1"
#endif
#if (OTA_BOOT_REPAIR != 0 && OTA_BOOT_REPAIR != 1) || (OTA_BOOT_GUARD != 0 && OTA_BOOT_GUARD != 1)
#error "OTA_BOOT_REPAIR and OTA_BOOT_GUARD must be 0 or 1"
#endif
#if OTA_BOOT_JOURNAL != 0 && OTA_BOOT_JOURNAL != 1
#error "OTA_BOOT_JOURNAL must be 0 or 1"
#endif
#if !OTA_BOOT_JOURNAL && (OTA_BOOT_FACTORY_IMAGE || OTA_BOOT_TRIAL_BOOTS || OTA_BOOT_REPAIR || \
                          OTA_BOOT_GUARD)
#error "OTA_BOOT_JOURNAL 0 needs OTA_BOOT_FACTORY_IMAGE, _TRIAL_BOOTS, _REPAIR and _GUARD at 0"
#endif
#if OTA_BOOT_CHEAP_CHECK != 0 && OTA_BOOT_CHEAP_CHECK != 1
#error "OTA_BOOT_CHEAP_CHECK must be 0 or 1"
#endif
#if OTA_BOOT_DECRYPT != 0 && OTA_BOOT_DECRYPT != 1
#error "OTA_BOOT_DECRYPT must be 0 or 1"
#endif
#if (OTA_SIG_ECDSA_P256 != 0 && OTA_SIG_ECDSA_P256 != 1) || \
    (OTA_SIG_HSS_LMS != 0 && OTA_SIG_HSS_LMS != 1)
#error "OTA_SIG_ECDSA_P256 and OTA_SIG_HSS_LMS must be 0 or 1"
#endif
#if OTA_SIGNATURES && !OTA_SIG_ECDSA_P256 && !OTA_SIG_HSS_LMS
#error "OTA_SIGNATURES 1 needs OTA_SIG_ECDSA_P256 or OTA_SIG_HSS_LMS"
#endif
#if OTA_LMS_LEAN_PARAMS != 0 && OTA_LMS_LEAN_PARAMS != 1
#error "OTA_LMS_LEAN_PARAMS must be 0 or 1"
#endif
#if OTA_IMAGE_BOOT_PARSE != 0 && OTA_IMAGE_BOOT_PARSE != 1
#error "OTA_IMAGE_BOOT_PARSE must be 0 or 1"
#endif
#if OTA_FILE_SLOTS != 0 && OTA_FILE_SLOTS != 1
#error "OTA_FILE_SLOTS must be 0 or 1"
#endif
#if OTA_STATUS_STRINGS != 0 && OTA_STATUS_STRINGS != 1
#error "OTA_STATUS_STRINGS must be 0 or 1"
#endif
#if OTA_RAW_IMAGES != 0 && OTA_RAW_IMAGES != 1
#error "OTA_RAW_IMAGES must be 0 or 1"
#endif
#if OTA_FLEET != 0 && OTA_FLEET != 1
#error "OTA_FLEET must be 0 or 1"
#endif
#if OTA_HTTP_POST != 0 && OTA_HTTP_POST != 1
#error "OTA_HTTP_POST must be 0 or 1"
#endif
#if OTA_DELTA_PATCHES != 0 && OTA_DELTA_PATCHES != 1
#error "OTA_DELTA_PATCHES must be 0 or 1"
#endif

/* Link-time layout guard ------------------------------------------------------------------- */

/*
 * The library defines one object whose name spells every size above that shapes a struct;
 * each call of ota_store_mount, ota_agent_init, ota_boot_run, ota_http_init, ota_http_resp_init and
 * ota_manifest_select (through OTA_LAYOUT_CHECKED in their headers) reads it. Built with
 * other sizes than the library, a program fails to link with, e.g.,
 *   undefined reference to `ota_layout_storework512u_slots5u_..._httpbuf1024u_...'
 * instead of running with structs of the wrong size.
 */
#define OTA_LAYOUT_NAME_(sw, ds, hb, bb, ul, mu, me, cr, et, lm, rw, fs, fm, fe, fu, fl, dc)   \
    ota_layout_storework##sw##_slots##ds##_httpbuf##hb##_bootbuf##bb                           \
        ##_url##ul##_manifesturl##mu##_erase##me##_crange##cr##_etag##et##_lastmod##lm##_raw##rw \
        ##_files##fs##_fslots##fm##_fentries##fe##_furl##fu##_fleet##fl##_decrypt##dc
/* One more level so that the arguments are expanded before they are pasted. */
#define OTA_LAYOUT_EXPAND_(...) OTA_LAYOUT_NAME_(__VA_ARGS__)

/** The layout symbol of this configuration (src/config_layout.c defines it). */
#define OTA_LAYOUT_SYMBOL                                                                        \
    OTA_LAYOUT_EXPAND_(OTA_STORE_WORK_SIZE, OTA_STORE_MAX_DOWNLOAD_SLOTS, OTA_AGENT_HTTP_BUF_SIZE, \
                       OTA_BOOT_BUF_SIZE,                                                  \
                       OTA_URL_MAX, OTA_MANIFEST_URL_MAX, OTA_MANIFEST_ERASE_MAX,            \
                       OTA_HTTP_CONTENT_RANGE_MAX, OTA_HTTP_ETAG_MAX, OTA_HTTP_LAST_MODIFIED_MAX, \
                       OTA_RAW_IMAGES, OTA_FILE_SLOTS, OTA_FILE_SLOTS_MAX, OTA_FILE_ENTRIES_MAX,  \
                       OTA_FILE_URL_MAX, OTA_FLEET, OTA_BOOT_DECRYPT)

#ifdef __cplusplus
extern "C" {
#endif
/** Defined by the library, read by every guarded call: see above. */
extern const volatile unsigned char OTA_LAYOUT_SYMBOL;
#ifdef __cplusplus
}
#endif

/**
 * Call fn(...) after a read of the layout symbol: the read is volatile, so no optimiser drops
 * the reference that the linker must resolve. The headers use it as
 *   #define ota_store_mount(...) OTA_LAYOUT_CHECKED(ota_store_mount, __VA_ARGS__)
 * and the library defines those functions with their names in parentheses, which a
 * function-like macro does not expand.
 */
#define OTA_LAYOUT_CHECKED(fn, ...) ((void)OTA_LAYOUT_SYMBOL, (fn)(__VA_ARGS__))

#endif /* OTAFLOW_CONFIG_H */
