/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The bootloader's decisions at every power-on (docs/bootloader.md has them as one table).
 *
 * ota_boot_run() looks at the journal's boot state and takes one step per round: install,
 * count a trial, roll back, save the factory image, repair the internal copy. Each step ends
 * in one journal record (or in no write at all), so a power cut anywhere leaves a state from
 * which the next power-on takes the same step again or the next one. Built without the
 * factory image, trials, repairs and the guard (config.h) it takes one pass instead
 * (boot_overwrite) that writes only internal flash, and then one record of what it did
 * (none without journal writes, OTA_BOOT_JOURNAL 0). The mechanics (checking an image,
 * programming internal flash) are in src/boot_copy.c.
 */
#include <string.h>

#include "boot_internal.h"
#include "ota_assert.h"
#include "status_text.h"
#include "store_internal.h"

/* Each round takes one step; a step either finishes the boot or changes the journal in a way
 * that cannot repeat (a slot refused becomes EMPTY, a roll back moves to an older image), so
 * a small bound is enough. */
#define BOOT_MAX_ROUNDS (4u * OTA_STORE_MAX_SLOTS + 4u)

/* A round's outcome besides the public statuses: go round again. */
#define BOOT_AGAIN 1

/* Built without a factory image, trial boots, repairs and the guard (config.h), a boot has
 * nothing to do but the pending install: one pass (boot_overwrite) instead of the rounds, and
 * with OTA_BOOT_JOURNAL one record of its outcome before the start (boot_record_start). */
#define BOOT_ONE_PASS                                                                          \
    (!OTA_BOOT_FACTORY_IMAGE && !OTA_BOOT_TRIAL_BOOTS && !OTA_BOOT_REPAIR && !OTA_BOOT_GUARD)

const char *ota_boot_status_str(ota_boot_status_t status)
{
    OTA_STATUS_TEXT_OFF(status);
    switch (status) {
    case OTA_BOOT_OK: return "ok";
    case OTA_BOOT_ERR_ARG: return "bad argument";
    case OTA_BOOT_ERR_NO_IMAGE: return "no valid image";
    case OTA_BOOT_ERR_FLASH: return "internal flash failed";
    case OTA_BOOT_ERR_STORE: return "image store failed";
    case OTA_BOOT_ERR_REGION: return "application region or descriptor area not on sector boundaries";
    }
    return "unknown boot status";
}

void ota_boot_config_default(ota_boot_config_t *config)
{
    if (!config) {
        return;
    }
    memset(config, 0, sizeof *config);
    config->app_offset = OTA_BOOT_APP_OFFSET_DEFAULT;
    config->app_size = OTA_BOOT_APP_SIZE_DEFAULT;
    config->flash_address = OTA_BOOT_FLASH_ADDRESS_DEFAULT;
    config->desc_size = OTA_BOOT_DESC_SIZE_DEFAULT;
    config->max_attempts = OTA_BOOT_MAX_ATTEMPTS_DEFAULT;
    config->hw_id = 0;
    config->verify_each_boot = true;
    config->confirm_on_start = false;
}

static bool boot_config_usable(const ota_boot_config_t *c, const ota_flash_t *internal)
{
    const ota_flash_geometry_t *g = &internal->geometry;
    return c->max_attempts >= 1 && g->erase_unit != 0 && g->program_unit != 0 &&
           g->program_unit <= OTA_BOOT_BUF_SIZE && OTA_BOOT_BUF_SIZE % g->program_unit == 0 &&
           ota_flash_sectors_valid(g);
}

/* Installs erase whole sectors: one reaching outside the region or the descriptor area after
 * it would destroy the bootloader or whatever lies after them. */
static bool boot_region_on_sectors(const ota_boot_config_t *c, const ota_flash_t *internal)
{
    return c->desc_size != 0 &&
           ota_flash_on_sectors(&internal->geometry, c->app_offset, c->app_size) &&
           c->app_size <= UINT32_MAX - c->app_offset &&
           ota_flash_on_sectors(&internal->geometry, c->app_offset + c->app_size, c->desc_size);
}

ota_image_status_t ota_boot_image_fits(const ota_boot_config_t *config,
                                       const ota_image_info_t *info)
{
    if (info->header.load_addr != config->flash_address + config->app_offset) {
        return OTA_IMAGE_ERR_LOAD_ADDR;
    }
    /* parse guaranteed tlv_offset = 64 + payload_size <= total_size: no wrap */
    if (info->header.payload_size > config->app_size ||
        info->total_size - info->header.payload_size > config->desc_size) {
        return OTA_IMAGE_ERR_REGION;
    }
    return OTA_IMAGE_OK;
}

uint32_t ota_boot_image_at(const ota_boot_config_t *config, uint32_t payload_size,
                           uint32_t offset, uint32_t *run)
{
    uint32_t desc = config->app_offset + config->app_size;
    if (offset < OTA_IMAGE_HEADER_SIZE) {
        *run = OTA_IMAGE_HEADER_SIZE - offset;
        return desc + offset;
    }
    uint32_t in_payload = offset - OTA_IMAGE_HEADER_SIZE;
    if (in_payload < payload_size) {
        *run = payload_size - in_payload;
        return config->app_offset + in_payload;
    }
    *run = UINT32_MAX - offset;
    return desc + OTA_IMAGE_HEADER_SIZE + (in_payload - payload_size);
}

ota_image_status_t ota_boot_running_header(const ota_flash_t *internal,
                                           const ota_boot_config_t *config,
                                           ota_image_header_t *out)
{
    if (!internal || !out) {
        return OTA_IMAGE_ERR_ARG;
    }
    ota_boot_config_t def;
    if (!config) {
        ota_boot_config_default(&def);
        config = &def;
    }
    uint8_t raw[OTA_IMAGE_HEADER_SIZE];
    if (ota_flash_read(internal, config->app_offset + config->app_size, raw, sizeof raw) !=
        OTA_FLASH_OK) {
        return OTA_IMAGE_ERR_READ;
    }
    /* slot_size: a payload up to the region's size */
    return ota_image_header_decode(raw, sizeof raw, config->app_size + OTA_IMAGE_HEADER_SIZE, out);
}

ota_boot_status_t ota_confirm(ota_store_t *store, const ota_flash_t *internal,
                              const ota_boot_config_t *config)
{
    if (!store || !internal) {
        return OTA_BOOT_ERR_ARG;
    }
    ota_image_header_t h;
    ota_image_status_t ist = ota_boot_running_header(internal, config, &h);
    if (ist == OTA_IMAGE_ERR_READ) {
        return OTA_BOOT_ERR_FLASH;
    }
    if (ist != OTA_IMAGE_OK) {
        return OTA_BOOT_ERR_NO_IMAGE;
    }
    /* An overwrite-only bootloader (OTA_BOOT_JOURNAL 0) left its install pending: record it
     * first, else the confirm below is refused while an install is underway. */
    ota_store_status_t sst =
        OTA_BOOT_JOURNAL ? OTA_STORE_OK : ota_store_settle_install(store, h.version);
    if (sst == OTA_STORE_OK) {
        sst = ota_store_confirm(store, h.security_counter);
    }
    return sst == OTA_STORE_OK ? OTA_BOOT_OK : OTA_BOOT_ERR_STORE;
}

/* Steps ---------------------------------------------------------------------------------- */

static int boot_store_failed(ota_boot_t *boot, ota_store_status_t st)
{
    boot->report->store_status = st;
    if (st == OTA_STORE_ERR_FLASH) {
        boot->report->flash_status = ota_store_flash_status(boot->store);
    }
    return OTA_BOOT_ERR_STORE;
}

static int boot_store_step(ota_boot_t *boot, ota_store_status_t st)
{
    return st == OTA_STORE_OK ? BOOT_AGAIN : boot_store_failed(boot, st);
}

static const ota_store_boot_t *boot_fields(const ota_boot_t *boot)
{
    return ota_store_boot(boot->store);
}

static bool boot_slot_holds_image(const ota_boot_t *boot, uint8_t slot)
{
    const ota_store_slot_t *s = ota_store_slot(boot->store, slot);
    return s && (s->state == OTA_SLOT_STORED || s->state == OTA_SLOT_INSTALLED);
}

/* Check the image in a slot against its record (digest, size, version). */
static boot_check_t boot_check_slot(ota_boot_t *boot, uint8_t slot, const char **why)
{
    if (!boot_slot_holds_image(boot, slot)) {
        *why = BOOT_WHY("slot holds no image");
        return BOOT_CHECK_BAD;
    }
    const ota_store_slot_t *s = ota_store_slot(boot->store, slot);
    ota_store_slot_source_t src;
    (void)ota_store_image_source(boot->store, slot, &src);
    boot_check_t c = boot_check_image(boot, &src.src, BOOT_HASH_DIGEST, s->digest, s->size, why);
    if (c == BOOT_CHECK_OK && boot->info.header.version != s->version) {
        *why = BOOT_WHY("version differs from the record");
        c = BOOT_CHECK_BAD;
    }
    return c;
}

/* The cheap check's second half: the descriptor's first program unit (the header, with the
 * magic that every copy programs last) equals what the running image's copy puts there, so
 * the last copy into internal flash completed; a torn final program that still parses (e.g.
 * only the security counter left erased) is caught here. boot->info is the internal image's,
 * whose size the caller matched with the copy's. */
static boot_check_t boot_same_first_unit(ota_boot_t *boot, uint8_t slot, const char **why)
{
    uint32_t n = boot->internal->geometry.program_unit;
    n = n < OTA_IMAGE_HEADER_SIZE ? OTA_IMAGE_HEADER_SIZE : n;
    ota_flash_status_t fs = ota_flash_read(
        boot->internal, boot->config.app_offset + boot->config.app_size, boot->cmp, n);
    if (fs != OTA_FLASH_OK) {
        boot->flash_status = fs;
        *why = BOOT_WHY("read failed");
        return BOOT_CHECK_IO;
    }
    if (boot_target_bytes(boot, slot, boot->config.app_size, n) != OTA_BOOT_OK) {
        *why = BOOT_WHY("read failed");
        return BOOT_CHECK_IO;
    }
    if (memcmp(boot->buf, boot->cmp, n) != 0) {
        *why = BOOT_WHY("header differs from the running image's copy");
        return BOOT_CHECK_BAD;
    }
    return BOOT_CHECK_OK;
}

/* Check the internal image; full unless it was verified earlier in this boot or the config
 * trusts a sure journal (built with OTA_BOOT_CHEAP_CHECK 0, it never does). With a slot
 * holding a copy of the running image, the whole region must equal that copy in size, and a
 * check that hashes nothing compares the first program unit with it (an image hashed in full
 * in this boot has nothing left to catch there). */
static boot_check_t boot_check_internal(ota_boot_t *boot, bool full, const char **why)
{
    const ota_store_boot_t *b = boot_fields(boot);
    const ota_store_slot_t *copy = NULL;
    if (b->running_slot != OTA_STORE_SLOT_NONE && boot_slot_holds_image(boot, b->running_slot) &&
        ota_store_slot(boot->store, b->running_slot)->version == b->running_version) {
        copy = ota_store_slot(boot->store, b->running_slot);
    }
    ota_image_source_t src;
    bool hashed = boot->internal_checked;
    full = (full || !OTA_BOOT_CHEAP_CHECK) && !hashed;
    boot_check_t c = boot_check_internal_image(boot, &src, full ? BOOT_HASH : BOOT_PARSE, NULL,
                                               copy ? copy->size : 0, why);
    if (c == BOOT_CHECK_OK && b->running_version != 0 &&
        boot->info.header.version != b->running_version) {
        *why = BOOT_WHY("not the version the journal says is running");
        return BOOT_CHECK_BAD;
    }
    if (c == BOOT_CHECK_OK && full) {
        boot->internal_checked = true;
    }
    if (OTA_BOOT_CHEAP_CHECK && c == BOOT_CHECK_OK && !full && !hashed && copy) {
        c = boot_same_first_unit(boot, b->running_slot, why);
    }
    return c;
}

/* Copy a checked slot into internal flash and check the copy, as the bytes will run. */
static int boot_program_and_verify(ota_boot_t *boot, uint8_t slot)
{
    int st = boot_copy_slot(boot, slot);
    if (st != OTA_BOOT_OK) {
        return st;
    }
    const ota_store_slot_t *s = ota_store_slot(boot->store, slot);
    ota_image_source_t src;
    const char *why = "";
    boot_check_t c =
        boot_check_internal_image(boot, &src, BOOT_HASH_DIGEST, s->digest, s->size, &why);
    if (c == BOOT_CHECK_IO) {
        boot->report->flash_status = boot->flash_status;
        return OTA_BOOT_ERR_FLASH;
    }
    if (c != BOOT_CHECK_OK) {
        boot_say(boot, "boot: internal copy does not verify (%s)", why);
        boot->report->flash_status = OTA_FLASH_ERR_IO;
        return OTA_BOOT_ERR_FLASH;
    }
    boot->internal_checked = true;
    return OTA_BOOT_OK;
}

static void boot_say_install(ota_boot_t *boot, uint8_t slot, uint32_t version, uint8_t reason)
{
    if (reason == OTA_INSTALL_FACTORY) {
        boot_say(boot, "boot: factory reset: installing v%u from slot %u", (unsigned)version,
                 (unsigned)slot);
    } else if (reason == OTA_INSTALL_ROLLBACK) {
        boot_say(boot, "boot: rolling back: installing v%u from slot %u", (unsigned)version,
                 (unsigned)slot);
    } else {
        boot_say(boot, "boot: installing v%u from slot %u", (unsigned)version, (unsigned)slot);
    }
}

/* INSTALL_PENDING / INSTALLING: verify the slot, record INSTALLING, program, verify the copy,
 * record TRIAL. A resumed install runs the same code: units already equal are skipped. */
static int boot_step_install(ota_boot_t *boot)
{
    const ota_store_boot_t *b = boot_fields(boot);
    uint8_t slot = b->install_slot;
    uint8_t reason = b->install_reason;
    const ota_store_slot_t *s = ota_store_slot(boot->store, slot);
    uint32_t version = s ? s->version : 0;
    boot_say_install(boot, slot, version, reason);
    const char *why = "";
    boot_check_t c = boot_check_slot(boot, slot, &why);
    if (c == BOOT_CHECK_IO) {
        return boot_store_failed(boot, OTA_STORE_ERR_FLASH);
    }
    if (c != BOOT_CHECK_OK) {
        boot_say(boot, "boot: slot %u (v%u) refused: %s; not installed", (unsigned)slot,
                 (unsigned)version, why);
        boot->report->slot_refused = true;
        return boot_store_step(boot, ota_store_install_cancel(boot->store));
    }
    ota_store_status_t sst = ota_store_install_begin(boot->store);
    if (sst != OTA_STORE_OK) {
        return boot_store_failed(boot, sst);
    }
    int st = boot_program_and_verify(boot, slot);
    if (st != OTA_BOOT_OK) {
        return st;
    }
    sst = ota_store_install_done(boot->store);
    if (sst != OTA_STORE_OK) {
        return boot_store_failed(boot, sst);
    }
    boot->report->installed = true;
    boot->report->rolled_back |= reason == OTA_INSTALL_ROLLBACK;
    boot->report->factory_reset |= reason == OTA_INSTALL_FACTORY;
    boot_say(boot, "boot: installed v%u (%u sectors written, %u already equal)",
             (unsigned)version, (unsigned)boot->report->sectors_written,
             (unsigned)boot->report->sectors_skipped);
    if (boot->report->rejected_version != 0) {
        boot_say(boot, "boot: rolled back to v%u (v%u rejected after %u attempts)",
                 (unsigned)version, (unsigned)boot->report->rejected_version,
                 (unsigned)boot->config.max_attempts);
    }
    return BOOT_AGAIN;
}

/* Nothing valid in internal flash (or not what the journal says runs): restore the running
 * image from its slot, else roll back to whatever the store still has. */
static int boot_step_repair(ota_boot_t *boot, const char *why)
{
    const ota_store_boot_t *b = boot_fields(boot);
    boot_say(boot, "boot: internal image invalid (%s)", why);
    if (!OTA_BOOT_REPAIR) { /* config.h: built without repairs, nothing else may start */
        boot_say(boot, "boot: no valid image");
        return OTA_BOOT_ERR_NO_IMAGE;
    }
    uint8_t slot = b->running_slot;
    boot_check_t c = BOOT_CHECK_BAD;
    if (slot != OTA_STORE_SLOT_NONE && b->running_version != 0) {
        c = boot_check_slot(boot, slot, &why);
    }
    if (c == BOOT_CHECK_IO) {
        return boot_store_failed(boot, OTA_STORE_ERR_FLASH);
    }
    if (c == BOOT_CHECK_OK) {
        /* The journal already says this image runs: no record, a cut redoes the repair. */
        boot_say(boot, "boot: restoring v%u from slot %u", (unsigned)b->running_version,
                 (unsigned)slot);
        int st = boot_program_and_verify(boot, slot);
        if (st == OTA_BOOT_OK) {
            boot->report->repaired = true;
            return BOOT_AGAIN;
        }
        return st;
    }
    /* The running image is lost: EraseVer of it is exactly "roll back and forget its copy". */
    ota_store_status_t sst = OTA_STORE_ERR_NO_ROLLBACK;
    if (b->running_version != 0) {
        sst = ota_store_erase_version(boot->store, b->running_version);
    } else {
        uint8_t best = OTA_STORE_SLOT_NONE;
        uint32_t best_version = 0;
        for (uint8_t i = 0; i < ota_store_slot_count(boot->store); i++) {
            const ota_store_slot_t *s = ota_store_slot(boot->store, i);
            if (s->state == OTA_SLOT_STORED && s->version > best_version &&
                !ota_store_is_rejected(boot->store, s->version)) {
                best = i;
                best_version = s->version;
            }
        }
        if (best != OTA_STORE_SLOT_NONE) {
            sst = ota_store_request_install(boot->store, best);
        }
    }
    if (sst == OTA_STORE_ERR_NO_ROLLBACK || sst == OTA_STORE_ERR_NOT_FOUND) {
        boot_say(boot, "boot: no valid image");
        return OTA_BOOT_ERR_NO_IMAGE;
    }
    return boot_store_step(boot, sst);
}

/* May the internal image run (boot_check_internal)? OTA_BOOT_OK, or what the step returns
 * instead: the repair's outcome, or the error of the device that could not be read (the cheap
 * check also reads the running image's copy in the store, which records its failure in
 * report->store_status). */
static int boot_internal_runnable(ota_boot_t *boot, bool full)
{
    const char *why = "";
    boot_check_t c = boot_check_internal(boot, full, &why);
    if (c == BOOT_CHECK_IO && boot->report->store_status != OTA_STORE_OK) {
        return boot_store_failed(boot, boot->report->store_status);
    }
    if (c == BOOT_CHECK_IO) {
        boot->report->flash_status = boot->flash_status;
        return OTA_BOOT_ERR_FLASH;
    }
    return c == BOOT_CHECK_OK ? OTA_BOOT_OK : boot_step_repair(boot, why);
}

/* Check the image in internal flash as it is (no record to compare with), src set up to read
 * it; a read failure is reported as the internal flash's. */
static boot_check_t boot_check_region(ota_boot_t *boot, ota_image_source_t *src,
                                      boot_depth_t depth, const char **why)
{
    boot_check_t c = boot_check_internal_image(boot, src, depth, NULL, 0, why);
    if (c == BOOT_CHECK_IO) {
        boot->report->flash_status = boot->flash_status;
    }
    return c;
}

static int boot_step_confirmed(ota_boot_t *boot, bool *start);

/* First boot of a programmed board (journal empty), or a running image without any copy in
 * the store: save the internal image as the factory image, then record it as running. */
static OTA_NOINLINE int boot_step_first_boot(ota_boot_t *boot, bool *start)
{
    ota_image_source_t src;
    const char *why = "";
    boot_check_t c = boot_check_region(boot, &src, BOOT_HASH_DIGEST, &why);
    if (c == BOOT_CHECK_IO) {
        return OTA_BOOT_ERR_FLASH;
    }
    if (c != BOOT_CHECK_OK) {
        return boot_step_repair(boot, why);
    }
    boot->internal_checked = true;
    uint32_t version = boot->info.header.version;
    uint32_t total = boot->info.total_size;
    /* boot->digest (the whole image's, from the check above) stays as it is until the
     * compare below: the save's read back and judgement hash into the store's contexts. */
    const uint8_t *digest = boot->digest;
    bool not_saved = false;
    const ota_store_slot_t *f = ota_store_slot(boot->store, OTA_STORE_FACTORY_SLOT);
    if (OTA_BOOT_FACTORY_IMAGE &&
        (f->state == OTA_SLOT_EMPTY || f->state == OTA_SLOT_DOWNLOADING)) {
        boot_say(boot, "boot: first boot: saving v%u as the factory image", (unsigned)version);
        uint32_t off = 0;
        ota_store_status_t sst = ota_store_factory_begin(boot->store, version, total, digest, &off);
        while (sst == OTA_STORE_OK && off < total) {
            uint32_t n = total - off < OTA_BOOT_BUF_SIZE ? total - off : OTA_BOOT_BUF_SIZE;
            if (src.read(src.ctx, off, boot->buf, n) != 0) {
                boot->report->flash_status = boot->flash_status;
                return OTA_BOOT_ERR_FLASH;
            }
            /* An encrypted image goes back out as the ciphertext it came as (the check
             * opened its key): never plaintext on the external flash. */
            if (boot->info.has_encryption &&
                boot_decrypt_crypt(BOOT_ENC(boot), off, boot->buf, n) != 0) {
                return boot_store_failed(boot, OTA_STORE_ERR_CRYPTO);
            }
            sst = ota_store_download_write(boot->store, off, boot->buf, n);
            off += n;
        }
        if (sst == OTA_STORE_OK) {
            /* Judged against boot->info, the internal image's: the copy must be its bytes
             * (digest, hash, header), and no second info lies under the signature check. */
            sst = ota_store_finish_parsed_as(boot->store, &boot->info);
        }
        if (sst == OTA_STORE_OK) {
            boot->report->factory_saved = true;
            boot_say(boot, "boot: factory image v%u saved", (unsigned)version);
        } else if (sst == OTA_STORE_ERR_FLASH || sst == OTA_STORE_ERR_JOURNAL_FULL) {
            return boot_store_failed(boot, sst);
        } else {
            boot_say(boot, "boot: factory image not saved: %s", ota_store_status_str(sst));
            not_saved = true;
        }
    }
    uint8_t slot = OTA_STORE_SLOT_NONE;
    if (f->state == OTA_SLOT_STORED && f->version == version && f->size == total &&
        memcmp(f->digest, digest, OTA_SHA256_SIZE) == 0) {
        slot = OTA_STORE_FACTORY_SLOT;
    }
    int st = boot_store_step(boot, ota_store_set_running(boot->store, version, slot));
    /* A copy that cannot be made (e.g. the image is larger than a slot) is not retried in
     * this boot: the next round would take this step again, up to the round limit. */
    return st == BOOT_AGAIN && not_saved ? boot_step_confirmed(boot, start) : st;
}

/* The running image's version and security counter, from its header (false, nothing set:
 * none parses). Its own frame: the header it reads is not on the stack of the step that
 * calls it, which may check an image next (the deepest path, docs/footprint.md). */
static OTA_NOINLINE bool boot_running_fields(const ota_boot_t *boot, uint32_t *version,
                                             uint32_t *counter)
{
    ota_image_header_t h;
    if (ota_boot_running_header(boot->internal, &boot->config, &h) != OTA_IMAGE_OK) {
        return false;
    }
    *version = h.version;
    *counter = h.security_counter;
    return true;
}

/* TRIAL: a roll back or factory image was confirmed before, and the config may confirm at
 * once; otherwise count this boot, and past the limit reject the image and roll back. */
static int boot_step_trial(ota_boot_t *boot, bool *start)
{
    const ota_store_boot_t *b = boot_fields(boot);
    if (!OTA_BOOT_TRIAL_BOOTS || b->install_reason != OTA_INSTALL_UPDATE ||
        boot->config.confirm_on_start) { /* config.h: without trials, confirmed at once */
        uint32_t version = 0, counter = 0;
        (void)boot_running_fields(boot, &version, &counter);
        return boot_store_step(boot, ota_store_confirm(boot->store, counter));
    }
    if (b->attempts >= boot->config.max_attempts) {
        uint32_t version = b->running_version;
        ota_store_status_t sst = ota_store_rollback(boot->store, true);
        if (sst == OTA_STORE_OK) {
            boot_say(boot, "boot: v%u not confirmed after %u trial boots: rejected",
                     (unsigned)version, (unsigned)b->attempts);
            boot->report->rejected_version = version;
            return BOOT_AGAIN;
        }
        if (sst != OTA_STORE_ERR_NO_ROLLBACK) {
            return boot_store_failed(boot, sst);
        }
        /* Nothing to go back to: keeping the image is better than stopping. */
        boot_say(boot, "boot: v%u failed its trial but nothing else can boot: keeping it",
                 (unsigned)version);
        return boot_store_step(boot, ota_store_confirm(boot->store, 0));
    }
    int st = boot_internal_runnable(boot, true);
    if (st != OTA_BOOT_OK) {
        return st;
    }
    uint8_t attempts = 0;
    ota_store_status_t sst = ota_store_trial_attempt(boot->store, &attempts);
    if (sst != OTA_STORE_OK) {
        return boot_store_failed(boot, sst);
    }
    boot_say(boot, "boot: trial %u/%u v%u", (unsigned)attempts,
             (unsigned)boot->config.max_attempts, (unsigned)b->running_version);
    boot->report->trial = true;
    boot->report->attempts = attempts;
    *start = true;
    return OTA_BOOT_OK;
}

/* The running image counts as confirmed for the guard when the journal says so, or when an
 * install was requested while it was (no previous image kept to roll back to). The journal is
 * not trusted for any number: a forged "confirmed" can only make the guard follow an image the
 * bootloader verified itself, which still boots. */
static bool boot_running_confirmed(const ota_store_boot_t *b)
{
    return b->state == OTA_BOOT_CONFIRMED ||
           (b->state == OTA_BOOT_INSTALL_PENDING && b->previous_slot == OTA_STORE_SLOT_NONE &&
            b->running_version != 0);
}

/* Raise the guard to the running image's security counter and revocations when it is
 * confirmed (or the guard holds no record yet: first boot, torn first write), after verifying
 * that image in full against the current guard. */
/* Whether the guard must follow the running image: the guard holds no record yet, or the
 * image is confirmed and its header asks for more than the guard holds. Its own frame: the
 * header is off the stack while the image is then checked (the deepest path). */
static OTA_NOINLINE bool boot_guard_behind(const ota_boot_t *boot, const ota_guard_t *g)
{
    bool fresh = ota_guard_kind(g) != OTA_GUARD_RECORD;
    ota_image_header_t h;
    if ((!fresh && !boot_running_confirmed(boot_fields(boot))) ||
        ota_boot_running_header(boot->internal, &boot->config, &h) != OTA_IMAGE_OK) {
        return false;
    }
    const ota_guard_values_t *v = ota_guard_values(g);
    return fresh || h.security_counter > v->security_counter ||
           (h.revoke_keys & ~v->revoked_keys) != 0u;
}

static int boot_guard_sync(ota_boot_t *boot)
{
    ota_guard_t *g = ota_store_guard(boot->store);
    if (!OTA_BOOT_GUARD || !g) { /* config.h: without the guard, the store has none */
        return OTA_BOOT_OK;
    }
    if (!boot_guard_behind(boot, g)) {
        return OTA_BOOT_OK;
    }
    const ota_store_boot_t *b = boot_fields(boot);
    const char *why = "";
    ota_image_source_t src;
    boot_check_t c = boot_check_region(boot, &src, BOOT_HASH, &why);
    if (c == BOOT_CHECK_IO) {
        return OTA_BOOT_ERR_FLASH;
    }
    if (c != BOOT_CHECK_OK ||
        (b->running_version != 0 && boot->info.header.version != b->running_version)) {
        return OTA_BOOT_OK; /* nothing verified, nothing raised: the state machine decides */
    }
    boot->internal_checked = true;
    ota_guard_values_t to = {boot->info.header.security_counter, boot->info.header.revoke_keys};
    ota_guard_status_t gs = ota_guard_raise(g, &to);
    if (gs != OTA_GUARD_OK) {
        boot_say(boot, "boot: guard not raised: %s", ota_guard_status_str(gs));
        boot->report->flash_status = g->flash_status;
        return OTA_BOOT_ERR_FLASH;
    }
    boot->report->guard_raised = true;
    boot_say(boot, "boot: guard: security counter %u, revoked keys mask %u (from v%u)",
             (unsigned)ota_guard_values(g)->security_counter,
             (unsigned)ota_guard_values(g)->revoked_keys, (unsigned)boot->info.header.version);
    return OTA_BOOT_OK;
}

/* The journal's counter is a hint for tools and old agents: put it back up to the guard's
 * after someone erased or rewrote the journal. Never lowered (a forged high one stays; the
 * policy ignores it when there is a guard). */
static int boot_restore_hint(ota_boot_t *boot)
{
    if (!OTA_BOOT_GUARD) {
        return OTA_BOOT_OK; /* no guard: the journal's counter is the floor itself */
    }
    const ota_guard_t *g = ota_store_guard(boot->store);
    uint32_t floor = ota_guard_values(g)->security_counter; /* 0 without a guard */
    if (boot_fields(boot)->security_counter >= floor) {
        return OTA_BOOT_OK;
    }
    boot_say(boot, "boot: journal security counter %u below the guard's %u: restored",
             (unsigned)boot_fields(boot)->security_counter, (unsigned)floor);
    boot->report->journal_restored = true;
    return boot_store_step(boot, ota_store_confirm(boot->store, floor));
}

/* CONFIRMED: check what will run (fully unless the config trusts a sure journal). */
static int boot_step_confirmed(ota_boot_t *boot, bool *start)
{
    const ota_store_boot_t *b = boot_fields(boot);
    int gst = boot_guard_sync(boot);
    if (gst == OTA_BOOT_OK) {
        gst = boot_restore_hint(boot);
    }
    if (gst != OTA_BOOT_OK) {
        return gst;
    }
    if (OTA_BOOT_TRIAL_BOOTS && ota_store_is_rejected(boot->store, b->running_version)) {
        /* A roll back whose target was refused: try the next one, else keep what runs.
         * Without trials (config.h) nothing is rejected, and nothing rolls back by itself. */
        ota_store_status_t sst = ota_store_rollback(boot->store, false);
        if (sst != OTA_STORE_ERR_NO_ROLLBACK) {
            return boot_store_step(boot, sst);
        }
    }
    int st = boot_internal_runnable(boot, boot->config.verify_each_boot);
    if (st != OTA_BOOT_OK) {
        return st;
    }
    *start = true;
    return OTA_BOOT_OK;
}

static bool boot_needs_factory_copy(const ota_boot_t *boot)
{
    const ota_store_boot_t *b = boot_fields(boot);
    if (b->state == OTA_BOOT_NONE) {
        return true;
    }
    if (!OTA_BOOT_FACTORY_IMAGE) {
        return false; /* config.h: the running image is recorded once, never copied */
    }
    uint8_t f = ota_store_slot(boot->store, OTA_STORE_FACTORY_SLOT)->state;
    return b->state == OTA_BOOT_CONFIRMED && b->running_slot == OTA_STORE_SLOT_NONE &&
           (f == OTA_SLOT_EMPTY || f == OTA_SLOT_DOWNLOADING);
}

static int boot_step(ota_boot_t *boot, bool *start)
{
    OTA_ASSERT(boot_fields(boot)->state <= OTA_BOOT_CONFIRMED); /* the journal decoder checked it */
    switch (boot_fields(boot)->state) {
    case OTA_BOOT_INSTALL_PENDING:
    case OTA_BOOT_INSTALLING:
        return boot_step_install(boot);
    case OTA_BOOT_TRIAL:
        return boot_step_trial(boot, start);
    default:
        break;
    }
    if (boot_needs_factory_copy(boot)) {
        return boot_step_first_boot(boot, start);
    }
    return boot_step_confirmed(boot, start);
}

/* The running image's security counter (0: none parses), from its parse into boot->info
 * (which the slot's check then takes over) rather than a header read of its own: the same
 * floor without a second header decoder in the image (148 B of -flto text). Its own frame:
 * the source is not on the stack under the slot's check (the deepest path). */
static OTA_NOINLINE uint32_t boot_running_floor(ota_boot_t *boot)
{
    ota_image_source_t src;
    const char *why = "";
    boot_check_t c = boot_check_internal_image(boot, &src, BOOT_PARSE, NULL, 0, &why);
    return c == BOOT_CHECK_OK ? boot->info.header.security_counter : 0u;
}

/* BOOT_ONE_PASS: the pending install, if the journal has one, done again from the start
 * (units already equal skipped, the magic last, the copy verified as it will run) without a
 * record; a staged image refused leaves the running one to start. Either outcome is recorded
 * after this pass: by boot_record_start, or with OTA_BOOT_JOURNAL 0 (config.h) by the
 * application's side (ota_store_settle_install). Besides the journal's counter, the running
 * image's own is a floor: internal flash holds it, where rewriting the external flash cannot
 * lower it (docs/security.md). OTA_BOOT_OK: start what internal flash holds (checked). */
static int boot_overwrite(ota_boot_t *boot)
{
    const ota_store_boot_t *b = boot_fields(boot);
    if (b->state == OTA_BOOT_INSTALL_PENDING || b->state == OTA_BOOT_INSTALLING) {
        uint8_t slot = b->install_slot;
        uint32_t floor = boot_running_floor(boot);
        const char *why = "";
        boot_check_t c = boot_check_slot(boot, slot, &why);
        if (c == BOOT_CHECK_OK && boot->info.header.security_counter < floor) {
            why = BOOT_WHY("below the running image's security counter");
            c = BOOT_CHECK_BAD;
        }
        if (c == BOOT_CHECK_IO) {
            return boot_store_failed(boot, OTA_STORE_ERR_FLASH);
        }
        if (c == BOOT_CHECK_OK) {
            boot_say_install(boot, slot, boot->info.header.version, b->install_reason);
            int st = boot_program_and_verify(boot, slot);
            boot->report->installed = st == OTA_BOOT_OK;
            return st;
        }
        boot_say(boot, "boot: slot %u refused: %s; not installed", (unsigned)slot, why);
        boot->report->slot_refused = true;
    }
    return boot_internal_runnable(boot, boot->config.verify_each_boot);
}

/* BOOT_ONE_PASS with OTA_BOOT_JOURNAL: what boot_overwrite decided, in one record before
 * the start (ota_store_record_start): the install's outcome (done and confirmed at once: no
 * trial; or refused and cancelled), the image that starts recorded as running and confirmed,
 * the floor raised to its counter; nothing when the journal says all that already. A cut
 * before the record is made leaves the install pending: the next boot checks the slot and
 * copies again (units already equal skipped), and records it then. boot->info is the checked
 * image that starts. */
static int boot_record_start(ota_boot_t *boot)
{
    ota_boot_report_t *report = boot->report;
    uint8_t reason = boot_fields(boot)->install_reason;
    if (report->installed) {
        report->rolled_back = reason == OTA_INSTALL_ROLLBACK;
        report->factory_reset = reason == OTA_INSTALL_FACTORY;
    }
    const ota_image_header_t *h = &boot->info.header;
    ota_store_status_t sst =
        ota_store_record_start(boot->store, report->installed, h->version, h->security_counter);
    return sst == OTA_STORE_OK ? OTA_BOOT_OK : boot_store_failed(boot, sst);
}

/* What starts, in the report and on the console. Its version is its own header's, which
 * boot->info holds: every step that starts it checked it last (boot_internal_runnable), and
 * the journal's running_version may be 0 ("unknown"; fuzz_journal found a record saying 0
 * over a valid image). Without the guard (config.h) the report's guard fields stay 0. */
static ota_boot_status_t boot_started(ota_boot_t *boot)
{
    ota_boot_report_t *report = boot->report;
    report->version = boot->info.header.version;
    boot_say(boot, "boot: starting v%u", (unsigned)report->version);
    if (OTA_BOOT_GUARD) {
        const ota_guard_values_t *g = ota_guard_values(ota_store_guard(boot->store));
        report->guard_counter = g->security_counter;
        report->guard_revoked = g->revoked_keys;
    }
    return OTA_BOOT_OK;
}

/* ota_boot_run with a report to fill (never NULL). */
static ota_boot_status_t boot_run(ota_boot_t *boot, const ota_boot_config_t *config,
                                  const ota_flash_t *internal, ota_store_t *store,
                                  ota_log_fn log, void *log_ctx, ota_boot_report_t *report)
{
    memset(report, 0, sizeof *report);
    if (!boot || !internal || !store) {
        return OTA_BOOT_ERR_ARG;
    }
    if (!store->mounted) {
        report->store_status = OTA_STORE_ERR_NOT_MOUNTED;
        return OTA_BOOT_ERR_STORE;
    }
    memset(boot, 0, sizeof *boot);
    if (config) {
        boot->config = *config;
    } else {
        ota_boot_config_default(&boot->config);
    }
    if (!boot_config_usable(&boot->config, internal)) {
        return OTA_BOOT_ERR_ARG;
    }
    if (!boot_region_on_sectors(&boot->config, internal)) {
        return OTA_BOOT_ERR_REGION;
    }
    boot->internal = internal;
    boot->store = store;
    boot->log = log;
    boot->log_ctx = log_ctx;
    boot->report = report;
    const ota_guard_t *guard = ota_store_guard(store);
    if (guard && !guard->mounted) {
        boot_say(boot, "boot: guard not mounted: no floor, nothing decided");
        report->flash_status = guard->flash_status != OTA_FLASH_OK ? guard->flash_status
                                                                    : OTA_FLASH_ERR_IO;
        return OTA_BOOT_ERR_FLASH;
    }
    int gst = boot_guard_sync(boot);
    if (gst != OTA_BOOT_OK) {
        return (ota_boot_status_t)gst;
    }
    if (BOOT_ONE_PASS) { /* config.h: one pass, recorded in one record or not at all */
        int st = boot_overwrite(boot);
        if (OTA_BOOT_JOURNAL && st == OTA_BOOT_OK) {
            st = boot_record_start(boot);
        }
        return st == OTA_BOOT_OK ? boot_started(boot) : (ota_boot_status_t)st;
    }
    for (unsigned round = 0; round < BOOT_MAX_ROUNDS; round++) {
        bool start = false;
        int st = boot_step(boot, &start);
        if (st == BOOT_AGAIN) {
            continue;
        }
        if (st != OTA_BOOT_OK) {
            return (ota_boot_status_t)st;
        }
        if (start) {
            return boot_started(boot);
        }
    }
    boot_say(boot, "boot: no valid image (gave up)");
    return OTA_BOOT_ERR_NO_IMAGE;
}

/* A caller that wants no report: one on this frame, which a caller that passes its own (every
 * bootloader) never has on its stack. */
static OTA_NOINLINE ota_boot_status_t boot_run_unreported(ota_boot_t *boot,
                                                          const ota_boot_config_t *config,
                                                          const ota_flash_t *internal,
                                                          ota_store_t *store, ota_log_fn log,
                                                          void *log_ctx)
{
    ota_boot_report_t local;
    return boot_run(boot, config, internal, store, log, log_ctx, &local);
}

/* Name in parentheses: the header's macro of that name adds the link-time layout check. */
ota_boot_status_t (ota_boot_run)(ota_boot_t *boot, const ota_boot_config_t *config,
                               const ota_flash_t *internal, ota_store_t *store, ota_log_fn log,
                               void *log_ctx, ota_boot_report_t *report)
{
    ota_boot_status_t st = report ? boot_run(boot, config, internal, store, log, log_ctx, report)
                                  : boot_run_unreported(boot, config, internal, store, log,
                                                        log_ctx);
#if OTA_BOOT_DECRYPT
    if (boot) {
        ota_image_enc_close(&boot->enc); /* no content key left for the application to read */
    }
#endif
    return st;
}

ota_boot_status_t ota_boot_start(ota_boot_t *boot, const ota_boot_config_t *config,
                                 const ota_system_t *system, uint32_t watchdog_ms,
                                 const ota_flash_t *internal, ota_store_t *store, ota_log_fn log,
                                 void *log_ctx, ota_boot_report_t *report)
{
    if (!system || !system->ops) {
        if (report) {
            memset(report, 0, sizeof *report);
        }
        return OTA_BOOT_ERR_ARG;
    }
    if (watchdog_ms != 0) {
        system->ops->watchdog_arm(system->ctx, watchdog_ms);
    }
    ota_boot_status_t st =
        ota_boot_run(boot, config, internal, store, log, log_ctx, report);
    if (st != OTA_BOOT_OK) {
        return st;
    }
    ota_flash_status_t fs = system->ops->guard_protect(system->ctx);
    if (fs != OTA_FLASH_OK) {
        boot_say(boot, "boot: guard write-protect failed: not starting the application");
        if (report) {
            report->flash_status = fs;
        }
        return OTA_BOOT_ERR_FLASH;
    }
    system->ops->jump(system->ctx, boot->config.app_offset);
    return OTA_BOOT_OK;
}
