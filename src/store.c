/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Image store: layout, mount, reading slots, and downloads into slots. Boot fields, EraseVer
 * and rollback are in src/store_boot.c; the journal itself in src/journal.c.
 *
 * Ordering rule behind every function here: the record that makes a state durable is written
 * only after the flash data it describes is durable, and bytes are erased or overwritten only
 * after a record says that no one needs them (DOWNLOADING is recorded before the first erase).
 */
#include "otaflow/store.h"

#include <string.h>

#include "image_pass.h"
#include "journal.h"
#include "ota_assert.h"
#include "ota_noinline.h"
#include "store_internal.h"
#include "status_text.h"

/* Names ----------------------------------------------------------------------------------- */

const char *ota_store_status_str(ota_store_status_t status)
{
    OTA_STATUS_TEXT_OFF(status);
    switch (status) {
    case OTA_STORE_OK: return "ok";
    case OTA_STORE_ERR_ARG: return "invalid argument";
    case OTA_STORE_ERR_GEOMETRY: return "unusable flash geometry or config";
    case OTA_STORE_ERR_NO_SPACE: return "slots do not fit the flash";
    case OTA_STORE_ERR_FLASH: return "flash error";
    case OTA_STORE_ERR_JOURNAL_FULL: return "journal cannot be written";
    case OTA_STORE_ERR_LAYOUT: return "journal written with another layout";
    case OTA_STORE_ERR_STATE: return "not allowed in this state";
    case OTA_STORE_ERR_NO_SLOT: return "no slot available";
    case OTA_STORE_ERR_TOO_LARGE: return "image too large";
    case OTA_STORE_ERR_OFFSET: return "write at unexpected offset";
    case OTA_STORE_ERR_SIZE: return "image shorter than announced";
    case OTA_STORE_ERR_DIGEST: return "digest mismatch";
    case OTA_STORE_ERR_IMAGE: return "invalid image";
    case OTA_STORE_ERR_NOT_FOUND: return "version not stored";
    case OTA_STORE_ERR_PROTECTED: return "image protected";
    case OTA_STORE_ERR_NO_ROLLBACK: return "nothing valid to roll back to";
    case OTA_STORE_ERR_REJECTED: return "version rejected";
    case OTA_STORE_ERR_EXISTS: return "version already stored";
    case OTA_STORE_ERR_BUSY: return "download in progress";
    case OTA_STORE_ERR_NOT_MOUNTED: return "store not mounted";
    case OTA_STORE_ERR_UNSIGNED: return "image not signed";
    case OTA_STORE_ERR_UNKNOWN_KEY: return "image signed by an unknown key";
    case OTA_STORE_ERR_SIGNATURE: return "bad signature";
    case OTA_STORE_ERR_SECURITY_COUNTER: return "security counter below the device's";
    case OTA_STORE_ERR_CRYPTO: return "crypto backend failed";
    case OTA_STORE_ERR_HW_ID: return "image built for another board (hw id)";
    case OTA_STORE_ERR_BELOW_FLOOR: return "roll back target below the security counter";
    case OTA_STORE_ERR_KEY_REVOKED: return "image signed by a revoked key";
    case OTA_STORE_ERR_REVOCATION: return "image revokes its own key or every key";
    case OTA_STORE_ERR_SECTORS: return "journal or slots not on erase sector boundaries";
    case OTA_STORE_ERR_NO_SIGNATURES: return "trusted keys, but built without signatures";
    }
    return "unknown store status";
}

const char *ota_slot_state_str(uint8_t state)
{
    OTA_STATUS_TEXT_OFF(state);
    switch (state) {
    case OTA_SLOT_EMPTY: return "empty";
    case OTA_SLOT_DOWNLOADING: return "downloading";
    case OTA_SLOT_STORED: return "stored";
    case OTA_SLOT_INSTALLED: return "installed";
    case OTA_SLOT_REJECTED: return "rejected";
    default: return "unknown";
    }
}

const char *ota_boot_state_str(uint8_t state)
{
    OTA_STATUS_TEXT_OFF(state);
    switch (state) {
    case OTA_BOOT_NONE: return "none";
    case OTA_BOOT_INSTALL_PENDING: return "install-pending";
    case OTA_BOOT_INSTALLING: return "installing";
    case OTA_BOOT_TRIAL: return "trial";
    case OTA_BOOT_CONFIRMED: return "confirmed";
    default: return "unknown";
    }
}

/* Shared helpers -------------------------------------------------------------------------- */

void ota_store_stage(ota_store_t *store)
{
    store->staged = store->state;
}

ota_store_status_t ota_store_commit(ota_store_t *store)
{
    return ota_journal_append(store);
}

ota_store_status_t ota_store_flash_failed(ota_store_t *store, ota_flash_status_t st)
{
    store->flash_status = st;
    return OTA_STORE_ERR_FLASH;
}

bool ota_store_slot_valid(const ota_store_t *store, uint8_t slot)
{
    return slot <= store->layout.download_slots;
}

void ota_store_slot_clear(ota_store_slot_t *slot)
{
    memset(slot, 0, sizeof *slot);
    slot->state = OTA_SLOT_EMPTY;
}

uint32_t ota_store_slot_addr(const ota_store_t *store, uint8_t slot)
{
    return store->layout.data_base + (uint32_t)slot * store->layout.slot_size;
}

/* Erase the sector (or block) of the area at base starting at offset; returns its length in
 * *len. Slots and file areas start and end on sector boundaries (mount checks it), so
 * offset, a sum of sector sizes from the area's start, is a sector's start. */
static ota_store_status_t store_erase_at(ota_store_t *store, uint32_t base, uint32_t offset,
                                         uint32_t limit, uint32_t *len)
{
    const ota_flash_geometry_t *g = &store->flash->geometry;
    uint32_t addr = base + offset;
    ota_flash_sector_t sector;
    bool found = ota_flash_sector_at(g, addr, &sector);
    OTA_ASSERT(found && sector.start == addr);
    (void)found;
    uint32_t n = sector.size;
    /* One block erase replaces block/sector erases (18 ms instead of 16 x 18 ms on SST26)
     * when a whole block of this slot lies ahead. */
    if (g->block_size > n && addr % g->block_size == 0 && limit - offset >= g->block_size &&
        ota_flash_on_sectors(g, addr, g->block_size)) {
        n = g->block_size;
    }
    ota_flash_status_t st = ota_flash_erase(store->flash, addr, n);
    if (st != OTA_FLASH_OK) {
        return ota_store_flash_failed(store, st);
    }
    *len = n;
    return OTA_STORE_OK;
}

ota_store_status_t ota_store_erase_slot_range(ota_store_t *store, uint8_t slot, uint32_t from,
                                              uint32_t to)
{
    return ota_store_erase_area(store, ota_store_slot_addr(store, slot), from, to);
}

ota_store_status_t ota_store_erase_area(ota_store_t *store, uint32_t base, uint32_t from,
                                        uint32_t to)
{
    while (from < to) {
        uint32_t n = 0;
        ota_store_status_t st = store_erase_at(store, base, from, to, &n);
        if (st != OTA_STORE_OK) {
            return st;
        }
        from += n;
    }
    return OTA_STORE_OK;
}

/* Layout and mount ------------------------------------------------------------------------ */

static bool store_pow2(uint32_t v)
{
    return v != 0 && (v & (v - 1u)) == 0;
}

static uint32_t store_align_up(uint32_t v, uint32_t a)
{
    return (v + a - 1u) / a * a;
}

static uint32_t store_floor_pow2(uint32_t v)
{
    uint32_t p = 1;
    while (p <= v / 2u) {
        p *= 2u;
    }
    return p;
}

#if OTA_FLASH_SECTOR_TABLES
/* The factory slot's address: the first sector start from `from` on, aligned to align, where
 * a slot covers whole sectors. On a uniform device that is `from` itself; on a mixed one the
 * slots move past sectors they would straddle (STM32F4-like, 128K slots: 32K -> 128K). */
static uint32_t store_first_slot_base(const ota_flash_geometry_t *g, uint32_t from, uint32_t align,
                                      uint32_t slot_size)
{
    ota_flash_sector_t s;
    bool more = ota_flash_sector_at(g, from, &s);
    for (; more; more = ota_flash_sector_next(g, &s)) {
        if (s.start >= from && s.start % align == 0 && ota_flash_on_sectors(g, s.start, slot_size)) {
            return s.start;
        }
    }
    return g->size; /* no room: the caller finds no slot fits */
}
#endif

static ota_store_status_t store_compute_layout(const ota_flash_geometry_t *g,
                                               const ota_store_config_t *cfg,
                                               ota_store_layout_t *out)
{
    if (!store_pow2(g->erase_unit) || !store_pow2(g->program_unit) || !store_pow2(g->page_size) ||
        g->program_unit > g->page_size || g->page_size > g->erase_unit ||
        g->program_unit > OTA_STORE_WORK_SIZE || g->program_unit > 64u ||
        (g->block_size != 0 && !store_pow2(g->block_size)) || g->size / 2u < g->erase_unit) {
        return OTA_STORE_ERR_GEOMETRY;
    }
    uint32_t slot_size = cfg->slot_size ? cfg->slot_size : OTA_STORE_DEFAULT_SLOT_SIZE;
    if (slot_size % g->erase_unit != 0 || !ota_flash_sectors_valid(g)) {
        return OTA_STORE_ERR_GEOMETRY;
    }
    /* The journal is the device's first two sectors, which must be of one size. */
    uint32_t journal_sector = g->erase_unit;
    uint32_t align = g->block_size > g->erase_unit ? g->block_size : g->erase_unit;
    /* All in 32 bits: every address is below g->size (a 64-bit division would pull in the
     * compiler's library routine, 784 B on a Cortex-M4, for nothing). */
    uint32_t from = store_align_up(2u * g->erase_unit, align);
#if OTA_FLASH_SECTOR_TABLES
    if (!ota_flash_on_sectors(g, 0, journal_sector) ||
        !ota_flash_on_sectors(g, journal_sector, journal_sector)) {
        return OTA_STORE_ERR_SECTORS;
    }
    uint32_t data_base = store_first_slot_base(g, from, align, slot_size);
#else
    /* A uniform device (config.h; ota_flash_sectors_valid refused a table): every multiple of
     * erase_unit starts a sector, so the journal's two sectors lie on sectors (g->size is at
     * least two of them, checked above), and so do the slots from `from` on, a multiple of
     * align; where the first does not fit, none fits anywhere later and the count below finds
     * no room, as the sector walk would. The same layout and refusals, without the walk. */
    uint32_t data_base = from;
#endif
    /* File slots (files.h) take the top of the device; image slots fit below them. */
    uint32_t top = g->size, file_area = 0u;
#if OTA_FILE_SLOTS
    if (cfg->file_slots != 0u) {
        file_area = cfg->file_slot_size != 0u ? cfg->file_slot_size : OTA_FILE_SLOT_SIZE_DEFAULT;
        uint64_t file_bytes = 2u * (uint64_t)cfg->file_slots * file_area;
        if (cfg->file_slots > OTA_FILE_SLOTS_MAX || file_bytes >= g->size) {
            return OTA_STORE_ERR_ARG;
        }
        if (file_area % g->erase_unit != 0u || file_area <= 64u) {
            return OTA_STORE_ERR_GEOMETRY;
        }
        top = g->size - (uint32_t)file_bytes;
        for (uint32_t a = top; a < g->size; a += file_area) {
            if (!ota_flash_on_sectors(g, a, file_area)) {
                return OTA_STORE_ERR_SECTORS;
            }
        }
    }
#else
    if (cfg->file_slots != 0u) {
        return OTA_STORE_ERR_ARG; /* built without file slots */
    }
#endif
    uint32_t room = top > data_base ? top - data_base : 0u;
    uint32_t fit = room / slot_size; /* factory slot included */
    uint32_t n = cfg->download_slots ? cfg->download_slots : OTA_STORE_DEFAULT_DOWNLOAD_SLOTS;
    if (n == OTA_STORE_SLOTS_AS_MANY_AS_FIT) {
        n = fit > OTA_STORE_MAX_DOWNLOAD_SLOTS ? OTA_STORE_MAX_DOWNLOAD_SLOTS
            : fit > 1                          ? fit - 1u
                                               : 0u;
        if (n == 0) {
            return OTA_STORE_ERR_NO_SPACE;
        }
    } else if (n > OTA_STORE_MAX_DOWNLOAD_SLOTS) {
        return OTA_STORE_ERR_ARG;
    }
    if (n >= fit) { /* n download slots and the factory slot */
        return OTA_STORE_ERR_NO_SPACE;
    }
    /* Every slot is erased whole sectors at a time: one straddling a boundary could not be
     * (on a uniform device none can: data_base and slot_size are multiples of erase_unit). */
#if OTA_FLASH_SECTOR_TABLES
    for (uint32_t i = 0; i <= n; i++) {
        if (!ota_flash_on_sectors(g, data_base + i * slot_size, slot_size)) {
            return OTA_STORE_ERR_SECTORS;
        }
    }
#endif
    /* A record stride that divides the page (or is whole pages) keeps every record program
     * inside pages: one program op per record when it fits a page. */
    uint32_t bytes = ota_journal_record_bytes((uint8_t)(n + 1u));
    uint32_t record = bytes <= g->page_size ? store_floor_pow2(bytes - 1u) * 2u
                                            : store_align_up(bytes, g->page_size);
    if (record < g->program_unit) {
        record = g->program_unit;
    }
    uint32_t chunk = store_floor_pow2(OTA_STORE_WORK_SIZE);
    if (chunk > g->page_size) {
        chunk = g->page_size;
    }
    uint32_t interval = cfg->checkpoint_interval ? cfg->checkpoint_interval
                                                 : OTA_STORE_DEFAULT_CHECKPOINT;
    if (interval != UINT32_MAX) {
        interval = interval > UINT32_MAX - g->erase_unit ? UINT32_MAX
                                                         : store_align_up(interval, g->erase_unit);
    }
    /* The record and work buffers of ota_store_t are sized for every geometry accepted. */
    OTA_ASSERT(record <= OTA_STORE_RECORD_BUF && chunk <= OTA_STORE_WORK_SIZE);
    out->journal_sector_size = journal_sector;
    out->record_size = record;
    out->records_per_sector = journal_sector / record;
    out->write_chunk = chunk;
    out->data_base = data_base;
    out->slot_size = slot_size;
    out->download_slots = (uint8_t)n;
    out->checkpoint_interval = interval;
    out->file_base = top;
    out->file_slot_size = file_area;
    out->file_slots = cfg->file_slots;
    return OTA_STORE_OK;
}

/* Name in parentheses: the header's macro of that name adds the link-time layout check. */
ota_store_status_t (ota_store_mount)(ota_store_t *store, const ota_flash_t *flash,
                                   const ota_store_config_t *config)
{
    if (!store || !flash || !flash->ops) {
        return OTA_STORE_ERR_ARG;
    }
    static const ota_store_config_t defaults = {0};
    memset(store, 0, sizeof *store);
    if (!OTA_SIGNATURES && config && config->trusted_keys) {
        return OTA_STORE_ERR_NO_SIGNATURES; /* never pretend to check a signature */
    }
    if (!OTA_BOOT_GUARD && config && config->guard) {
        return OTA_STORE_ERR_ARG; /* built without the guard (config.h): none pretended */
    }
    store->flash = flash;
    ota_store_status_t st =
        store_compute_layout(&flash->geometry, config ? config : &defaults, &store->layout);
    if (st != OTA_STORE_OK) {
        return st;
    }
    st = ota_journal_mount(store);
    if (st != OTA_STORE_OK) {
        return st;
    }
    store->trusted_keys = config ? config->trusted_keys : NULL;
    store->hw_id = config ? config->hw_id : 0u;
    store->guard = config ? config->guard : NULL;
    store->mounted = true;
    return OTA_STORE_OK;
}

/* Inspection ------------------------------------------------------------------------------ */

const ota_store_layout_t *ota_store_layout(const ota_store_t *store)
{
    return &store->layout;
}

const ota_store_state_t *ota_store_state(const ota_store_t *store)
{
    return &store->state;
}

const ota_store_boot_t *ota_store_boot(const ota_store_t *store)
{
    return &store->state.boot;
}

const ota_store_slot_t *ota_store_slot(const ota_store_t *store, uint8_t slot)
{
    return ota_store_slot_valid(store, slot) ? &store->state.slots[slot] : NULL;
}

uint8_t ota_store_slot_count(const ota_store_t *store)
{
    return (uint8_t)(store->layout.download_slots + 1u);
}

ota_store_mount_kind_t ota_store_mount_kind(const ota_store_t *store)
{
    return (ota_store_mount_kind_t)store->journal.mount_kind;
}

ota_flash_status_t ota_store_flash_status(const ota_store_t *store)
{
    return store->flash_status;
}

bool ota_store_is_rejected(const ota_store_t *store, uint32_t version)
{
    const ota_store_boot_t *b = &store->state.boot;
    for (uint8_t i = 0; i < b->rejected_count; i++) {
        if (b->rejected[i] == version) {
            return true;
        }
    }
    return false;
}

uint8_t ota_store_find_version(const ota_store_t *store, uint32_t version)
{
    uint8_t count = ota_store_slot_count(store);
    for (uint8_t k = 1; k <= count; k++) {
        uint8_t i = (uint8_t)(k % count); /* download slots first, factory last */
        const ota_store_slot_t *s = &store->state.slots[i];
        if (s->version == version &&
            (s->state == OTA_SLOT_STORED || s->state == OTA_SLOT_INSTALLED)) {
            return i;
        }
    }
    return OTA_STORE_SLOT_NONE;
}

ota_store_status_t ota_store_slot_read(ota_store_t *store, uint8_t slot, uint32_t offset,
                                       void *buf, uint32_t len)
{
    if (!store || !buf || !ota_store_slot_valid(store, slot) ||
        offset > store->layout.slot_size || len > store->layout.slot_size - offset) {
        return OTA_STORE_ERR_ARG;
    }
    ota_flash_status_t st =
        ota_flash_read(store->flash, ota_store_slot_addr(store, slot) + offset, buf, len);
    return st == OTA_FLASH_OK ? OTA_STORE_OK : ota_store_flash_failed(store, st);
}

static int store_slot_source_read(void *ctx, uint32_t offset, void *buf, uint32_t len)
{
    ota_store_slot_source_t *s = ctx;
    return ota_store_slot_read(s->store, s->slot, offset, buf, len) == OTA_STORE_OK ? 0 : -1;
}

ota_store_status_t ota_store_image_source(ota_store_t *store, uint8_t slot,
                                          ota_store_slot_source_t *out)
{
    if (!store || !out || !ota_store_slot_valid(store, slot)) {
        return OTA_STORE_ERR_ARG;
    }
    uint32_t size = store->state.slots[slot].size;
    out->store = store;
    out->slot = slot;
    out->src.read = store_slot_source_read;
    out->src.ctx = out;
    out->src.size = size ? size : store->layout.slot_size;
    return OTA_STORE_OK;
}

/* One read of size bytes of slot (through the work buffer): the whole file's SHA-256 (the
 * manifest's digest) into digest and, when info is the image parsed from those bytes, the
 * image's own SHA-256 in the same pass: *image_intact says whether it matches info's hash TLV
 * with the header unchanged. The hash contexts live in this frame only, not under the image
 * policy's. ERR_FLASH (read) and ERR_CRYPTO (hash engine): no verdict on the bytes. */
static ota_store_status_t store_hash_slot(ota_store_t *store, uint8_t slot, uint32_t size,
                                          const ota_image_info_t *info,
                                          uint8_t digest[OTA_SHA256_SIZE], bool *image_intact)
{
    ota_store_slot_source_t src;
    (void)ota_store_image_source(store, slot, &src);
    src.src.size = size;
    ota_sha256_t sha_file, sha_image;
    image_pass_t pass = {.image = &sha_image, .image_len = info ? info->tlv_offset : 0u,
                         .file = &sha_file, .file_hash = digest};
    switch (image_hash_pass(&src.src, info, size, store->work, sizeof store->work, &pass)) {
    case OTA_IMAGE_OK: break;
    case OTA_IMAGE_ERR_CRYPTO: return OTA_STORE_ERR_CRYPTO;
    default: return OTA_STORE_ERR_FLASH; /* flash_status was set by the failed read */
    }
    *image_intact = image_pass_intact(&pass, info);
    return OTA_STORE_OK;
}

ota_store_status_t ota_store_slot_verify(ota_store_t *store, uint8_t slot)
{
    if (!store || !ota_store_slot_valid(store, slot)) {
        return OTA_STORE_ERR_ARG;
    }
    if (!store->mounted) {
        return OTA_STORE_ERR_NOT_MOUNTED;
    }
    if (store->dl.active) {
        return OTA_STORE_ERR_BUSY; /* the work buffer holds staged download bytes */
    }
    const ota_store_slot_t *s = &store->state.slots[slot];
    if (s->state != OTA_SLOT_STORED && s->state != OTA_SLOT_INSTALLED) {
        return OTA_STORE_ERR_STATE;
    }
    uint8_t digest[OTA_SHA256_SIZE];
    bool unused = false;
    ota_store_status_t st = store_hash_slot(store, slot, s->size, NULL, digest, &unused);
    if (st != OTA_STORE_OK) {
        return st;
    }
    return memcmp(digest, s->digest, OTA_SHA256_SIZE) == 0 ? OTA_STORE_OK : OTA_STORE_ERR_DIGEST;
}

/* Downloads ------------------------------------------------------------------------------- */

static void store_start_session(ota_store_t *store, uint8_t slot, uint32_t offset)
{
    memset(&store->dl, 0, sizeof store->dl);
    store->dl.active = true;
    store->dl.slot = slot;
    store->dl.next = offset;
    store->dl.base = offset;
    /* Nothing is known erased in this session: units from the durable offset on may hold
     * bytes programmed after the last checkpoint, so each is erased again before use. */
    store->dl.erased_to = offset;
}

static ota_store_status_t store_begin_checks(ota_store_t *store, uint32_t version, uint32_t total,
                                             const uint8_t *digest)
{
    if (!store || !digest || version == 0) {
        return OTA_STORE_ERR_ARG;
    }
    if (!store->mounted) {
        return OTA_STORE_ERR_NOT_MOUNTED;
    }
    if (store->dl.active || store->dl.checking) {
        return OTA_STORE_ERR_BUSY;
    }
    if (total > store->layout.slot_size) {
        return OTA_STORE_ERR_TOO_LARGE;
    }
    return OTA_STORE_OK;
}

/* Resume slot if it is DOWNLOADING this very file. */
static bool store_try_resume(ota_store_t *store, uint8_t slot, uint32_t version,
                             const uint8_t *digest, uint32_t *resume_offset)
{
    const ota_store_slot_t *s = &store->state.slots[slot];
    if (s->state != OTA_SLOT_DOWNLOADING || s->version != version ||
        memcmp(s->digest, digest, OTA_SHA256_SIZE) != 0) {
        return false;
    }
    store_start_session(store, slot, s->offset);
    if (resume_offset) {
        *resume_offset = s->offset;
    }
    return true;
}

static ota_store_status_t store_begin_in_slot(ota_store_t *store, uint8_t slot, uint32_t version,
                                              uint32_t total, const uint8_t *digest,
                                              uint32_t *resume_offset)
{
    ota_store_stage(store);
    ota_store_slot_t *s = &store->staged.slots[slot];
    ota_store_slot_clear(s);
    if (store->staged.boot.running_slot == slot) {
        /* The running image's copy is given up (ota_store_choose_slot says when). */
        store->staged.boot.running_slot = OTA_STORE_SLOT_NONE;
    }
    s->state = OTA_SLOT_DOWNLOADING;
    s->version = version;
    s->size = total;
    memcpy(s->digest, digest, OTA_SHA256_SIZE);
    ota_store_status_t st = ota_store_commit(store);
    if (st != OTA_STORE_OK) {
        return st;
    }
    store_start_session(store, slot, 0);
    if (resume_offset) {
        *resume_offset = 0;
    }
    return OTA_STORE_OK;
}

ota_store_status_t ota_store_download_begin(ota_store_t *store, uint32_t version,
                                            uint32_t total_size,
                                            const uint8_t digest[OTA_SHA256_SIZE],
                                            uint8_t *slot_out, uint32_t *resume_offset)
{
    ota_store_status_t st = store_begin_checks(store, version, total_size, digest);
    if (st != OTA_STORE_OK) {
        return st;
    }
    if (ota_store_is_rejected(store, version)) {
        return OTA_STORE_ERR_REJECTED;
    }
    for (uint8_t i = 1; i <= store->layout.download_slots; i++) {
        if (store_try_resume(store, i, version, digest, resume_offset)) {
            if (slot_out) {
                *slot_out = i;
            }
            return OTA_STORE_OK;
        }
        uint8_t s = store->state.slots[i].state;
        if (store->state.slots[i].version == version &&
            (s == OTA_SLOT_STORED || s == OTA_SLOT_INSTALLED)) {
            return OTA_STORE_ERR_EXISTS;
        }
    }
    uint8_t slot = ota_store_choose_slot(&store->state, store->layout.download_slots);
    if (slot == OTA_STORE_SLOT_NONE) {
        return OTA_STORE_ERR_NO_SLOT;
    }
    st = store_begin_in_slot(store, slot, version, total_size, digest, resume_offset);
    if (st == OTA_STORE_OK && slot_out) {
        *slot_out = slot;
    }
    return st;
}

ota_store_status_t ota_store_factory_begin(ota_store_t *store, uint32_t version,
                                           uint32_t total_size,
                                           const uint8_t digest[OTA_SHA256_SIZE],
                                           uint32_t *resume_offset)
{
    ota_store_status_t st = store_begin_checks(store, version, total_size, digest);
    if (st != OTA_STORE_OK) {
        return st;
    }
    if (store_try_resume(store, OTA_STORE_FACTORY_SLOT, version, digest, resume_offset)) {
        return OTA_STORE_OK;
    }
    uint8_t s = store->state.slots[OTA_STORE_FACTORY_SLOT].state;
    if (s != OTA_SLOT_EMPTY && s != OTA_SLOT_DOWNLOADING) {
        return OTA_STORE_ERR_STATE;
    }
    return store_begin_in_slot(store, OTA_STORE_FACTORY_SLOT, version, total_size, digest,
                               resume_offset);
}

/* Program n staged bytes (a multiple of the program unit) at dl.base, erasing first. */
static ota_store_status_t store_program_staged(ota_store_t *store, uint32_t n)
{
    ota_store_download_t *dl = &store->dl;
    while (dl->erased_to < dl->base + n) {
        uint32_t len = 0;
        ota_store_status_t st = store_erase_at(store, ota_store_slot_addr(store, dl->slot),
                                               dl->erased_to, store->layout.slot_size, &len);
        if (st != OTA_STORE_OK) {
            return st;
        }
        dl->erased_to += len;
    }
    ota_flash_status_t fs = ota_flash_program(
        store->flash, ota_store_slot_addr(store, dl->slot) + dl->base, store->work, n);
    if (fs != OTA_FLASH_OK) {
        return ota_store_flash_failed(store, fs);
    }
    dl->base += n;
    dl->fill = 0;
    return OTA_STORE_OK;
}

ota_store_status_t ota_store_download_checkpoint(ota_store_t *store, uint32_t *durable)
{
    if (!store) {
        return OTA_STORE_ERR_ARG;
    }
    if (!store->dl.active) {
        return OTA_STORE_ERR_STATE;
    }
    /* A resumed download erases from the durable offset on: it must be a sector's start. */
    uint32_t slot_addr = ota_store_slot_addr(store, store->dl.slot);
    ota_flash_sector_t sector;
    bool found = ota_flash_sector_at(&store->flash->geometry, slot_addr + store->dl.base, &sector);
    uint32_t offset = found ? sector.start - slot_addr : 0u;
    if (durable) {
        *durable = store->state.slots[store->dl.slot].offset;
    }
    if (offset <= store->state.slots[store->dl.slot].offset) {
        return OTA_STORE_OK;
    }
    ota_store_stage(store);
    store->staged.slots[store->dl.slot].offset = offset;
    ota_store_status_t st = ota_store_commit(store);
    if (st == OTA_STORE_OK && durable) {
        *durable = offset;
    }
    return st;
}

ota_store_status_t ota_store_download_write(ota_store_t *store, uint32_t offset,
                                            const void *data, size_t len)
{
    if (!store || (!data && len)) {
        return OTA_STORE_ERR_ARG;
    }
    ota_store_download_t *dl = &store->dl;
    if (!dl->active) {
        return OTA_STORE_ERR_STATE;
    }
    if (offset != dl->next) {
        return OTA_STORE_ERR_OFFSET;
    }
    const ota_store_slot_t *slot = &store->state.slots[dl->slot];
    uint64_t end = (uint64_t)offset + len;
    if (end > store->layout.slot_size || (slot->size != 0 && end > slot->size)) {
        return OTA_STORE_ERR_TOO_LARGE;
    }
    return ota_store_stage_write(store, data, len);
}

ota_store_status_t ota_store_stage_write(ota_store_t *store, const void *data, size_t len)
{
    ota_store_download_t *dl = &store->dl;
    const ota_store_slot_t *slot = &store->state.slots[dl->slot];
    const uint8_t *p = data;
    uint32_t chunk = store->layout.write_chunk;
    while (len > 0) {
        uint32_t n = chunk - dl->fill;
        if (n > len) {
            n = (uint32_t)len;
        }
        OTA_ASSERT(dl->fill + n <= sizeof store->work);
        memcpy(store->work + dl->fill, p, n);
        dl->fill += n;
        dl->next += n;
        p += n;
        len -= n;
        if (dl->fill == chunk) {
            ota_store_status_t st = store_program_staged(store, chunk);
            if (st != OTA_STORE_OK) {
                dl->active = false; /* resume through download_begin */
                return st;
            }
        }
    }
    uint32_t interval = store->layout.checkpoint_interval;
    if (interval != UINT32_MAX && dl->base - slot->offset >= interval) {
        ota_store_status_t st = ota_store_download_checkpoint(store, NULL);
        if (st != OTA_STORE_OK) {
            dl->active = false;
        }
        return st;
    }
    return OTA_STORE_OK;
}

ota_store_status_t ota_store_download_finish(ota_store_t *store)
{
    return ota_store_finish_download(store, false);
}

ota_store_status_t ota_store_finish_prepare(ota_store_t *store, uint8_t *slot, uint32_t *total)
{
    if (!store) {
        return OTA_STORE_ERR_ARG;
    }
    ota_store_download_t *dl = &store->dl;
    if (!dl->active) {
        return OTA_STORE_ERR_STATE;
    }
    *slot = dl->slot;
    *total = dl->next;
    uint32_t announced = store->state.slots[dl->slot].size;
    if (*total == 0 || (announced != 0 && *total < announced)) {
        return OTA_STORE_ERR_SIZE;
    }
    ota_store_status_t st = OTA_STORE_OK;
    if (dl->fill > 0) {
        uint32_t n = store_align_up(dl->fill, store->flash->geometry.program_unit);
        memset(store->work + dl->fill, store->flash->geometry.erased_value, n - dl->fill);
        st = store_program_staged(store, n);
    }
    /* From here the session is over whatever happens; after a failure, download_begin with
     * the same version and digest resumes from the durable offset. */
    dl->active = false;
    return st;
}

ota_store_status_t ota_store_finish_parse(ota_store_t *store, uint8_t slot, uint32_t total,
                                          ota_image_info_t *info, bool *parsed)
{
    ota_store_slot_source_t src;
    (void)ota_store_image_source(store, slot, &src);
    src.src.size = total;
    ota_image_status_t ist = ota_image_parse(&src.src, info);
    *parsed = ist == OTA_IMAGE_OK;
    /* A read error gives no verdict on the bytes: the slot stays DOWNLOADING. */
    return ist == OTA_IMAGE_ERR_READ ? OTA_STORE_ERR_FLASH : OTA_STORE_OK;
}

ota_store_status_t ota_store_finish_judge(ota_store_t *store, uint8_t slot, uint32_t total,
                                          const ota_image_info_t *info, bool intact,
                                          const uint8_t digest[OTA_SHA256_SIZE],
                                          bool digest_from_bytes)
{
    /* The bytes must match the manifest (digest), and be an image the bootloader can install:
     * a well-formed header and TLV area, its own SHA-256 TLV matching, the version the
     * download was recorded under, nothing after its end, and the image policy. Only then
     * may a record say STORED. */
    ota_store_status_t verdict = OTA_STORE_OK;
    if (!digest_from_bytes && memcmp(digest, store->state.slots[slot].digest, OTA_SHA256_SIZE) != 0) {
        verdict = OTA_STORE_ERR_DIGEST;
    } else if (!intact || info->total_size != total ||
               info->header.version != store->state.slots[slot].version) {
        verdict = OTA_STORE_ERR_IMAGE;
    } else {
        ota_store_slot_source_t src;
        (void)ota_store_image_source(store, slot, &src);
        src.src.size = total;
        verdict = ota_store_image_policy(store, &src.src, info, store->work, sizeof store->work);
        if (verdict == OTA_STORE_ERR_FLASH || verdict == OTA_STORE_ERR_CRYPTO) {
            return verdict; /* no verdict on the bytes: the slot stays DOWNLOADING */
        }
    }
    ota_store_stage(store);
    ota_store_slot_t *s = &store->staged.slots[slot];
    if (verdict == OTA_STORE_OK) {
        s->state = OTA_SLOT_STORED;
        s->size = total;
        s->offset = total;
        if (digest_from_bytes) {
            /* A raw image became an image here: its digest is the one of the bytes stored. */
            memcpy(s->digest, digest, OTA_SHA256_SIZE);
            s->flags = 0;
        }
    } else {
        ota_store_slot_clear(s);
    }
    ota_store_status_t st = ota_store_commit(store);
    return st != OTA_STORE_OK ? st : verdict;
}

/* The read back and the verdict, once the bytes are parsed (info NULL: they did not parse). */
static ota_store_status_t store_finish_parsed(ota_store_t *store, uint8_t slot, uint32_t total,
                                              const ota_image_info_t *info, bool digest_from_bytes)
{
    uint8_t digest[OTA_SHA256_SIZE];
    bool intact = false;
    ota_store_status_t st = store_hash_slot(store, slot, total, info, digest, &intact);
    if (st != OTA_STORE_OK) {
        return st;
    }
    return ota_store_finish_judge(store, slot, total, info, intact, digest, digest_from_bytes);
}

ota_store_status_t ota_store_finish_download(ota_store_t *store, bool digest_from_bytes)
{
    uint8_t slot = 0;
    uint32_t total = 0;
    ota_store_status_t st = ota_store_finish_prepare(store, &slot, &total);
    if (st != OTA_STORE_OK) {
        return st;
    }
    /* Parsed first, so that one read of the slot hashes both the file and the image. */
    ota_image_info_t info;
    bool parsed = false;
    st = ota_store_finish_parse(store, slot, total, &info, &parsed);
    if (st != OTA_STORE_OK) {
        return st;
    }
    return store_finish_parsed(store, slot, total, parsed ? &info : NULL, digest_from_bytes);
}

/* The read back of ota_store_finish_parsed_as: *same, the bytes hash to the digest the
 * download began with and match info. Its own frame: the digest is off the stack while the
 * judge checks the signature (the bootloader's deepest path, docs/footprint.md). */
static OTA_NOINLINE ota_store_status_t store_read_back_as(ota_store_t *store, uint8_t slot,
                                                          uint32_t total,
                                                          const ota_image_info_t *info, bool *same)
{
    uint8_t digest[OTA_SHA256_SIZE];
    ota_store_status_t st = store_hash_slot(store, slot, total, info, digest, same);
    *same = *same && memcmp(digest, store->state.slots[slot].digest, OTA_SHA256_SIZE) == 0;
    return st;
}

ota_store_status_t ota_store_finish_parsed_as(ota_store_t *store, const ota_image_info_t *info)
{
    uint8_t slot = 0;
    uint32_t total = 0;
    bool same = false;
    ota_store_status_t st = ota_store_finish_prepare(store, &slot, &total);
    if (st == OTA_STORE_OK) {
        st = store_read_back_as(store, slot, total, info, &same);
    }
    /* Other bytes than those are not the image info describes: ERR_IMAGE. */
    return st != OTA_STORE_OK ? st
                              : ota_store_finish_judge(store, slot, total, info, same,
                                                       store->state.slots[slot].digest, false);
}

ota_store_status_t ota_store_download_abort(ota_store_t *store)
{
    if (!store) {
        return OTA_STORE_ERR_ARG;
    }
    uint8_t slot = OTA_STORE_SLOT_NONE;
    if (store->dl.active) {
        slot = store->dl.slot;
    } else {
        for (uint8_t i = 0; i <= store->layout.download_slots; i++) {
            if (store->state.slots[i].state == OTA_SLOT_DOWNLOADING) {
                slot = i;
                break;
            }
        }
    }
    if (slot == OTA_STORE_SLOT_NONE) {
        return OTA_STORE_ERR_STATE;
    }
    ota_store_stage(store);
    ota_store_slot_clear(&store->staged.slots[slot]);
    ota_store_status_t st = ota_store_commit(store);
    if (st == OTA_STORE_OK) {
        store->dl.active = false;
        store->dl.checking = false; /* a check of it would judge an empty slot */
    }
    return st;
}

bool ota_store_download_active(const ota_store_t *store, uint8_t *slot, uint32_t *next)
{
    if (!store || !store->dl.active) {
        return false;
    }
    if (slot) {
        *slot = store->dl.slot;
    }
    if (next) {
        *next = store->dl.next;
    }
    return true;
}
