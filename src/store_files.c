/* SPDX-License-Identifier: Apache-2.0 */
/*
 * File slots (include/otaflow/files.h): two areas per slot at the top of the store's flash,
 * each a 64-byte header and the file. A replacement goes to the area that does not hold the
 * current file, and its header, programmed last, commits it: a power cut before the header
 * is complete leaves the old file the newest valid one, after it the new one.
 *
 * Header (little-endian):  0 magic "OTAF" | 4 format 1 | 5 slot | 6 two zero bytes |
 *                          8 sequence | 12 length | 16 SHA-256 (32) | 48 twelve zero bytes |
 *                          60 CRC-32 of bytes [0, 60)
 */
#include "otaflow/files.h"

#include <string.h>

#include "journal.h"
#include "le_bytes.h"
#include "status_text.h"
#include "store_internal.h"

#if OTA_FILE_SLOTS

#define FILE_MAGIC 0x4641544Fu /* "OTAF" */
#define FILE_FORMAT 1u
#define FILE_CRC_AT 60u

/* One area's header, decoded. */
typedef struct file_head {
    bool valid;
    uint32_t sequence, length;
    uint8_t digest[OTA_SHA256_SIZE];
} file_head_t;

uint8_t ota_file_slot_count(const ota_store_t *store)
{
    return store != NULL && store->mounted ? store->layout.file_slots : 0u;
}

uint32_t ota_file_capacity(const ota_store_t *store)
{
    return ota_file_slot_count(store) != 0u
               ? store->layout.file_slot_size - OTA_FILE_HEADER_SIZE
               : 0u;
}

static uint32_t store_file_area(const ota_store_t *store, uint8_t slot, uint32_t k)
{
    return store->layout.file_base + (2u * slot + k) * store->layout.file_slot_size;
}

static ota_file_status_t store_file_flash(ota_store_t *store, ota_flash_status_t st)
{
    if (st == OTA_FLASH_OK) {
        return OTA_FILE_OK;
    }
    (void)ota_store_flash_failed(store, st);
    return OTA_FILE_ERR_FLASH;
}

static ota_file_status_t store_file_slot_check(const ota_store_t *store, uint8_t slot)
{
    if (store == NULL) {
        return OTA_FILE_ERR_ARG;
    }
    if (!store->mounted) {
        return OTA_FILE_ERR_NOT_MOUNTED;
    }
    return slot < store->layout.file_slots ? OTA_FILE_OK : OTA_FILE_ERR_NO_SLOT;
}

static void store_file_encode(uint8_t out[OTA_FILE_HEADER_SIZE], uint8_t slot, uint32_t seq,
                              uint32_t length, const uint8_t digest[OTA_SHA256_SIZE])
{
    memset(out, 0, OTA_FILE_HEADER_SIZE);
    ota_le32_put(out, FILE_MAGIC);
    out[4] = FILE_FORMAT;
    out[5] = slot;
    ota_le32_put(out + 8, seq);
    ota_le32_put(out + 12, length);
    memcpy(out + 16, digest, OTA_SHA256_SIZE);
    ota_le32_put(out + FILE_CRC_AT, ota_journal_crc32(0, out, FILE_CRC_AT));
}

/* Read area k's header. A flash error is an error; anything that does not decode is "no file
 * here" (erased, torn, or another area's bytes). */
static ota_file_status_t store_file_head(ota_store_t *store, uint8_t slot, uint32_t k,
                                         file_head_t *h)
{
    uint8_t raw[OTA_FILE_HEADER_SIZE];
    memset(h, 0, sizeof *h);
    ota_file_status_t st = store_file_flash(
        store, ota_flash_read(store->flash, store_file_area(store, slot, k), raw, sizeof raw));
    if (st != OTA_FILE_OK) {
        return st;
    }
    h->sequence = ota_le32_get(raw + 8);
    h->length = ota_le32_get(raw + 12);
    memcpy(h->digest, raw + 16, OTA_SHA256_SIZE);
    h->valid = ota_le32_get(raw) == FILE_MAGIC && raw[4] == FILE_FORMAT && raw[5] == slot &&
               ota_le32_get(raw + FILE_CRC_AT) == ota_journal_crc32(0, raw, FILE_CRC_AT) &&
               h->sequence != 0u && h->length != 0u && h->length <= ota_file_capacity(store);
    return OTA_FILE_OK;
}

/* The area holding slot's file (*k) and its header; ERR_EMPTY when neither area does. *next
 * (may be NULL) receives the sequence number a replacement takes: above both areas'. */
static ota_file_status_t store_file_current(ota_store_t *store, uint8_t slot, uint32_t *k,
                                            file_head_t *cur, uint32_t *next)
{
    file_head_t h[2];
    for (uint32_t i = 0; i < 2u; i++) {
        ota_file_status_t st = store_file_head(store, slot, i, &h[i]);
        if (st != OTA_FILE_OK) {
            return st;
        }
    }
    uint32_t pick = h[1].valid && (!h[0].valid || h[1].sequence > h[0].sequence) ? 1u : 0u;
    *k = pick;
    *cur = h[pick];
    if (next != NULL) {
        uint32_t top = h[pick].valid ? h[pick].sequence : 0u;
        if (h[1u - pick].valid && h[1u - pick].sequence > top) {
            top = h[1u - pick].sequence;
        }
        *next = top + 1u;
    }
    return cur->valid ? OTA_FILE_OK : OTA_FILE_ERR_EMPTY;
}

ota_file_status_t ota_file_info(ota_store_t *store, uint8_t slot, ota_file_info_t *info)
{
    ota_file_status_t st = store_file_slot_check(store, slot);
    if (st != OTA_FILE_OK || info == NULL) {
        return st != OTA_FILE_OK ? st : OTA_FILE_ERR_ARG;
    }
    uint32_t k;
    file_head_t h;
    memset(info, 0, sizeof *info);
    st = store_file_current(store, slot, &k, &h, NULL);
    if (st == OTA_FILE_OK) {
        info->length = h.length;
        info->sequence = h.sequence;
        memcpy(info->digest, h.digest, OTA_SHA256_SIZE);
    }
    return st;
}

ota_file_status_t ota_file_read(ota_store_t *store, uint8_t slot, uint32_t offset, void *buf,
                                uint32_t len, uint32_t *got)
{
    ota_file_status_t st = store_file_slot_check(store, slot);
    if (st != OTA_FILE_OK || buf == NULL || got == NULL) {
        return st != OTA_FILE_OK ? st : OTA_FILE_ERR_ARG;
    }
    *got = 0;
    uint32_t k;
    file_head_t h;
    st = store_file_current(store, slot, &k, &h, NULL);
    if (st != OTA_FILE_OK || offset >= h.length) {
        return st;
    }
    uint32_t n = h.length - offset < len ? h.length - offset : len;
    st = store_file_flash(store, ota_flash_read(store->flash,
                                                store_file_area(store, slot, k) +
                                                    OTA_FILE_HEADER_SIZE + offset,
                                                buf, n));
    if (st == OTA_FILE_OK) {
        *got = n;
    }
    return st;
}

/* SHA-256 of `length` bytes of the file at area (through the store's work buffer) compared
 * with digest. */
static ota_file_status_t store_file_hash_check(ota_store_t *store, uint32_t area,
                                               uint32_t length,
                                               const uint8_t digest[OTA_SHA256_SIZE])
{
    ota_sha256_t sha;
    uint8_t got[OTA_SHA256_SIZE];
    bool hash_ok = ota_sha256_start(&sha) == OTA_CRYPTO_OK;
    for (uint32_t at = 0; at < length;) {
        uint32_t n = length - at < sizeof store->work ? length - at : (uint32_t)sizeof store->work;
        ota_flash_status_t fs =
            ota_flash_read(store->flash, area + OTA_FILE_HEADER_SIZE + at, store->work, n);
        if (fs != OTA_FLASH_OK) {
            (void)ota_sha256_finish(&sha, got); /* releases the context */
            return store_file_flash(store, fs);
        }
        hash_ok = ota_sha256_update(&sha, store->work, n) == OTA_CRYPTO_OK && hash_ok;
        at += n;
    }
    hash_ok = ota_sha256_finish(&sha, got) == OTA_CRYPTO_OK && hash_ok;
    if (!hash_ok) {
        return OTA_FILE_ERR_CRYPTO;
    }
    return memcmp(got, digest, OTA_SHA256_SIZE) == 0 ? OTA_FILE_OK : OTA_FILE_ERR_DIGEST;
}

ota_file_status_t ota_file_verify(ota_store_t *store, uint8_t slot)
{
    ota_file_status_t st = store_file_slot_check(store, slot);
    if (st != OTA_FILE_OK) {
        return st;
    }
    uint32_t k;
    file_head_t h;
    st = store_file_current(store, slot, &k, &h, NULL);
    return st != OTA_FILE_OK
               ? st
               : store_file_hash_check(store, store_file_area(store, slot, k), h.length,
                                       h.digest);
}

ota_file_status_t ota_file_begin(ota_store_t *store, ota_file_writer_t *w, uint8_t slot,
                                 uint32_t length, const uint8_t digest[OTA_SHA256_SIZE])
{
    ota_file_status_t st = store_file_slot_check(store, slot);
    if (st != OTA_FILE_OK || w == NULL || digest == NULL || length == 0u) {
        return st != OTA_FILE_OK ? st : OTA_FILE_ERR_ARG;
    }
    memset(w, 0, sizeof *w);
    if (length > ota_file_capacity(store)) {
        return OTA_FILE_ERR_TOO_LARGE;
    }
    uint32_t k;
    file_head_t cur;
    uint32_t next;
    st = store_file_current(store, slot, &k, &cur, &next);
    if (st != OTA_FILE_OK && st != OTA_FILE_ERR_EMPTY) {
        return st;
    }
    /* The other area: never the one holding the file the slot has now. Only the sectors the
     * new header and file cover are erased (a 4 KB file costs one sector, not 64 KB). */
    uint32_t target = st == OTA_FILE_OK ? 1u - k : 0u;
    w->area = store_file_area(store, slot, target);
    if (ota_store_erase_area(store, w->area, 0, OTA_FILE_HEADER_SIZE + length) != OTA_STORE_OK) {
        return OTA_FILE_ERR_FLASH;
    }
    w->store = store;
    w->slot = slot;
    w->length = length;
    w->sequence = next;
    memcpy(w->digest, digest, OTA_SHA256_SIZE);
    w->open = true;
    return OTA_FILE_OK;
}

/* Program the staged bytes (padded to the program unit with erased bytes) at their place. */
static ota_file_status_t store_file_flush(ota_file_writer_t *w)
{
    const ota_flash_geometry_t *g = &w->store->flash->geometry;
    uint32_t n = (w->fill + g->program_unit - 1u) / g->program_unit * g->program_unit;
    if (n == 0u) {
        return OTA_FILE_OK;
    }
    memset(w->buf + w->fill, g->erased_value, n - w->fill);
    uint32_t at = w->area + OTA_FILE_HEADER_SIZE + (w->written - w->fill);
    w->fill = 0;
    return store_file_flash(w->store, ota_flash_program(w->store->flash, at, w->buf, n));
}

/* Bytes staged before a program: never more than a page, so a program never crosses one
 * (the data starts 64 bytes into a sector-aligned area). */
static uint32_t store_file_chunk(const ota_file_writer_t *w)
{
    uint32_t page = w->store->flash->geometry.page_size;
    return page < sizeof w->buf ? page : (uint32_t)sizeof w->buf;
}

ota_file_status_t ota_file_write(ota_file_writer_t *w, const void *data, uint32_t len)
{
    if (w == NULL || !w->open || (data == NULL && len != 0u)) {
        return OTA_FILE_ERR_ARG;
    }
    if (len > w->length - w->written) {
        return OTA_FILE_ERR_SIZE;
    }
    const uint8_t *p = data;
    uint32_t chunk = store_file_chunk(w);
    while (len > 0u) {
        uint32_t n = chunk - w->fill < len ? chunk - w->fill : len;
        memcpy(w->buf + w->fill, p, n);
        w->fill = (uint8_t)(w->fill + n);
        w->written += n;
        p += n;
        len -= n;
        if (w->fill == chunk) {
            ota_file_status_t st = store_file_flush(w);
            if (st != OTA_FILE_OK) {
                w->open = false;
                return st;
            }
        }
    }
    return OTA_FILE_OK;
}

ota_file_status_t ota_file_finish(ota_file_writer_t *w)
{
    if (w == NULL || !w->open) {
        return OTA_FILE_ERR_ARG;
    }
    w->open = false;
    if (w->written != w->length) {
        return OTA_FILE_ERR_SIZE;
    }
    ota_file_status_t st = store_file_flush(w);
    if (st == OTA_FILE_OK) {
        st = store_file_hash_check(w->store, w->area, w->length, w->digest);
    }
    if (st != OTA_FILE_OK) {
        return st;
    }
    /* The commit: one program of the header (64 bytes, inside the area's first page when the
     * page is at least that; else in page-sized pieces, the CRC-bearing last one last). */
    uint8_t head[OTA_FILE_HEADER_SIZE];
    store_file_encode(head, w->slot, w->sequence, w->length, w->digest);
    uint32_t chunk = store_file_chunk(w);
    for (uint32_t at = 0; at < OTA_FILE_HEADER_SIZE && st == OTA_FILE_OK; at += chunk) {
        st = store_file_flash(w->store,
                              ota_flash_program(w->store->flash, w->area + at, head + at, chunk));
    }
    if (st != OTA_FILE_OK) {
        return st;
    }
    /* Read back: a header that did not program as written is no commit to report. */
    uint8_t back[OTA_FILE_HEADER_SIZE];
    st = store_file_flash(w->store, ota_flash_read(w->store->flash, w->area, back, sizeof back));
    if (st == OTA_FILE_OK && memcmp(back, head, sizeof head) != 0) {
        st = OTA_FILE_ERR_FLASH;
    }
    return st;
}

#endif /* OTA_FILE_SLOTS */

const char *ota_file_status_str(ota_file_status_t status)
{
    OTA_STATUS_TEXT_OFF(status);
    switch (status) {
    case OTA_FILE_OK: return "ok";
    case OTA_FILE_ERR_ARG: return "invalid argument";
    case OTA_FILE_ERR_NO_SLOT: return "no such file slot";
    case OTA_FILE_ERR_EMPTY: return "file slot empty";
    case OTA_FILE_ERR_TOO_LARGE: return "file larger than its slot";
    case OTA_FILE_ERR_SIZE: return "file length differs from the manifest";
    case OTA_FILE_ERR_DIGEST: return "file digest mismatch";
    case OTA_FILE_ERR_FLASH: return "flash error";
    case OTA_FILE_ERR_CRYPTO: return "crypto backend failed";
    case OTA_FILE_ERR_NOT_MOUNTED: return "store not mounted";
    case OTA_FILE_ERR_UNSIGNED: return "file unsigned (keys are trusted)";
    case OTA_FILE_ERR_SIGNATURE: return "file signature by no trusted key";
    case OTA_FILE_ERR_REFUSED_BEFORE: return "file refused before (same digest)";
    }
    return "unknown file status";
}
