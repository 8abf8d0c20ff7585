/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers shared by the store's source files (src/store.c: mount, reading, downloads;
 * src/store_boot.c: boot fields, EraseVer, rollback). Not part of the public contract.
 */
#ifndef OTAFLOW_STORE_INTERNAL_H
#define OTAFLOW_STORE_INTERNAL_H

#include "otaflow/store.h"

/** Copy the durable state into store->staged: the start of every change. */
void ota_store_stage(ota_store_t *store);

/** Append store->staged as one record (the change becomes durable, or nothing changes). */
ota_store_status_t ota_store_commit(ota_store_t *store);

/** Record a flash failure and return OTA_STORE_ERR_FLASH. */
ota_store_status_t ota_store_flash_failed(ota_store_t *store, ota_flash_status_t st);

/** Erase bytes [from, to) of slot (erase-unit aligned), by blocks where a block fits. */
ota_store_status_t ota_store_erase_slot_range(ota_store_t *store, uint8_t slot, uint32_t from,
                                              uint32_t to);

/** Erase bytes [from, to) of the area at flash address base (a slot or a file area, which
 *  start and end on sector boundaries), by blocks where a block fits. */
ota_store_status_t ota_store_erase_area(ota_store_t *store, uint32_t base, uint32_t from,
                                        uint32_t to);

/** True for a slot index a download or an install may refer to (0..download_slots). */
bool ota_store_slot_valid(const ota_store_t *store, uint8_t slot);

/** Reset a slot descriptor to EMPTY. */
void ota_store_slot_clear(ota_store_slot_t *slot);

/** The bytes of ota_store_download_write() once its checks passed: staged at dl.next and
 *  programmed a chunk at a time, with the automatic checkpoints. Also for bytes the store
 *  adds itself (a raw image's header and TLV area, store_raw.c). */
ota_store_status_t ota_store_stage_write(ota_store_t *store, const void *data, size_t len);

/** ota_store_download_finish(); with digest_from_bytes, the slot's recorded digest is not
 *  compared but replaced by the SHA-256 of the bytes read back (a raw image the store wrapped
 *  in a header and TLV area, whose manifest Digest store_raw.c checked). */
ota_store_status_t ota_store_finish_download(ota_store_t *store, bool digest_from_bytes);

/** ota_store_download_finish() of bytes the caller has parsed already, into info: the
 *  bootloader's factory save, of the image it has just checked in internal flash, whose info
 *  it holds (ota_boot_t), so that no second one lies on the stack under the signature check.
 *  Judged as any finish: the slot's bytes must hash to the digest the download began with
 *  and to info's image hash, with info's header, so bytes other than those parsed are
 *  refused (ERR_IMAGE, the slot emptied). */
ota_store_status_t ota_store_finish_parsed_as(ota_store_t *store, const ota_image_info_t *info);

/** The steps of every finish (one call, ota_store_finish_download; or over polls,
 *  src/store_check.c). prepare: the staged tail programmed and the session over (not on
 *  ERR_SIZE / ERR_STATE), *slot and *total say what to read back. */
ota_store_status_t ota_store_finish_prepare(ota_store_t *store, uint8_t *slot, uint32_t *total);

/** parse: the image's header and TLV area over the slot's first total bytes (*parsed: they
 *  are an image); ERR_FLASH when a read failed (no verdict). */
ota_store_status_t ota_store_finish_parse(ota_store_t *store, uint8_t slot, uint32_t total,
                                          ota_image_info_t *info, bool *parsed);

/** judge: the verdict on the bytes read back (digest: of all of them; intact: the image hash
 *  and header matched info), the image policy, and the record (STORED or EMPTY); FLASH /
 *  CRYPTO from the policy leave the slot DOWNLOADING. */
ota_store_status_t ota_store_finish_judge(ota_store_t *store, uint8_t slot, uint32_t total,
                                          const ota_image_info_t *info, bool intact,
                                          const uint8_t digest[OTA_SHA256_SIZE],
                                          bool digest_from_bytes);

/** One step of a raw image's first pass (ota_store_raw_check_begin), for
 *  ota_store_check_step: hash at most max_bytes more; after the last, check and seal the raw
 *  file and begin the whole image's check in *check (*done false: steps follow). */
ota_store_status_t ota_store_raw_check_step(ota_store_t *store, ota_store_check_t *check,
                                            uint32_t max_bytes, bool *done);

/** The one record of a bootloader that takes one pass (src/boot.c: no factory image, trial
 *  boots, repairs or guard) before it starts the image it checked, of `version` and
 *  `security_counter`: the pending install's outcome (installed: that image runs, its slot
 *  INSTALLED, as ota_store_install_done and ota_store_confirm would leave it; else cancelled
 *  as ota_store_install_cancel), `version` recorded as running if the journal knew none
 *  (with no copy in the store), and that image CONFIRMED with the floor raised to
 *  security_counter. Nothing is written when the journal says all that already. The store
 *  is mounted (the boot checked it). */
ota_store_status_t ota_store_record_start(ota_store_t *store, bool installed, uint32_t version,
                                          uint32_t security_counter);

/** The slot a new download of another image takes in the store state `st` with
 *  `download_slots` download slots (src/store_policy.c; docs/store.md, "Choosing a slot for a
 *  download"): the first free one (EMPTY, REJECTED, stale DOWNLOADING), else the STORED one
 *  with the lowest version, never the running copy, the pending install or the rollback
 *  target; as a last resort the running image's own copy once that image is confirmed (the
 *  download's record then says the running image has no copy). OTA_STORE_SLOT_NONE: none. */
uint8_t ota_store_choose_slot(const ota_store_state_t *st, uint8_t download_slots);

#endif /* OTAFLOW_STORE_INTERNAL_H */
