/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Bootloader mechanics: checking an image (in a slot or in internal flash), copying a slot
 * into internal flash (payload at the region's start, header and TLV area in the descriptor
 * area after it: docs/image-format.md, "In internal flash"), and console lines. The
 * decisions are in src/boot.c.
 */
#include <stdarg.h>
#include <string.h>

#include "boot_internal.h"
#include "image_pass.h"
#include "le_bytes.h"
#include "ota_assert.h"

/* Reading ------------------------------------------------------------------------------------ */

static int boot_flash_read(ota_boot_t *boot, uint32_t at, void *buf, uint32_t len)
{
    ota_flash_status_t st = ota_flash_read(boot->internal, at, buf, len);
    if (st != OTA_FLASH_OK) {
        boot->flash_status = st;
        return -1;
    }
    return 0;
}

/* Bytes [offset, offset + len) of the installed image, piece by piece where they lie. */
static int boot_region_read(void *ctx, uint32_t offset, void *buf, uint32_t len)
{
    ota_boot_t *boot = ctx;
    uint8_t *out = buf;
    while (len > 0) {
        uint32_t run;
        uint32_t at = ota_boot_image_at(&boot->config, boot->placed_payload, offset, &run);
        uint32_t n = len < run ? len : run;
        if (boot_flash_read(boot, at, out, n) != 0) {
            return -1;
        }
        offset += n;
        out += n;
        len -= n;
    }
    return 0;
}

boot_check_t boot_check_internal_image(ota_boot_t *boot, ota_image_source_t *src,
                                       boot_depth_t depth, const uint8_t *want_digest,
                                       uint32_t want_size, const char **why)
{
    uint8_t raw[4];
    if (boot_flash_read(boot,
                        boot->config.app_offset + boot->config.app_size +
                            OTA_IMAGE_OFF_PAYLOAD_SIZE,
                        raw, sizeof raw) != 0) {
        *why = BOOT_WHY("read failed");
        return BOOT_CHECK_IO;
    }
    /* The header's payload_size, not checked yet: the parse does, and a payload that does not
     * fit the region is refused before it is hashed (ota_boot_image_fits). */
    uint32_t payload = ota_le32_get(raw);
    boot->placed_payload = payload;
    src->read = boot_region_read;
    src->ctx = boot;
    src->size = payload <= boot->config.app_size ? payload + boot->config.desc_size
                                                 : boot->config.desc_size;
    return boot_check_image(boot, src, depth, want_digest, want_size, why);
}

/* Whether a parsed image may be encrypted: the bootloader's parse (OTA_IMAGE_BOOT_PARSE) of a
 * build without decryption refuses every encrypted image (its TLV is critical and not read),
 * so has_encryption is never set there. */
#define BOOT_MAY_BE_ENCRYPTED (OTA_BOOT_DECRYPT || !OTA_IMAGE_BOOT_PARSE)

/* One pass, two hashes: the image's own (header + payload, its SHA-256 TLV) and, whole, the
 * whole image (the store's digest, into boot->digest): together exactly the bytes that are
 * programmed and run. The second is the first's state copied where the image's bytes end
 * (one SHA-256 of each byte; twice on an engine that cannot copy), and only installs ask for
 * it. Its own frame: the pass is off the stack when the signature is checked. */
static OTA_NOINLINE boot_check_t boot_check_hashes(ota_boot_t *boot, const ota_image_source_t *src,
                                                   bool whole, const uint8_t *want_digest,
                                                   const char **why)
{
    const ota_image_info_t *info = &boot->info;
    image_pass_t pass = {.image = &boot->sha_image, .image_len = info->tlv_offset,
                         .file = whole ? &boot->sha_file : NULL, .file_hash = boot->digest};
    /* An encrypted image: a slot holds the ciphertext (decrypted for the image hash), internal
     * flash the plaintext (encrypted again for the store's digest, which only a whole check
     * takes: a boot's hash of the running image needs no key). */
    bool internal = src->read == boot_region_read;
    if (BOOT_MAY_BE_ENCRYPTED && info->has_encryption && (whole || !internal)) {
        boot_check_t c = boot_decrypt_open(boot, src, why);
        if (c != BOOT_CHECK_OK) {
            return c;
        }
        pass.crypt = boot_decrypt_crypt;
        pass.crypt_ctx = BOOT_ENC(boot);
        pass.crypt_for_image = !internal;
    }
    ota_image_status_t hst = image_hash_pass(src, info, info->total_size, boot->buf,
                                             OTA_BOOT_BUF_SIZE, &pass);
    if (hst != OTA_IMAGE_OK) {
        /* A failed read or hash engine says nothing about the image: no verdict. */
        *why = BOOT_WHY(hst == OTA_IMAGE_ERR_READ ? "read failed"
                                                  : ota_crypto_status_str(OTA_CRYPTO_ERR_HASH));
        return BOOT_CHECK_IO;
    }
    if (!pass.header_same) {
        /* The bytes hashed must be the bytes parsed: a source that changed between the two
         * reads (a bus attacker timing the second read) is refused. */
        *why = BOOT_WHY("header changed while it was read");
        return BOOT_CHECK_BAD;
    }
    if (memcmp(pass.image_hash, info->sha256, OTA_SHA256_SIZE) != 0) {
        *why = BOOT_WHY("hash mismatch");
        return BOOT_CHECK_BAD;
    }
    if (whole && want_digest && memcmp(boot->digest, want_digest, OTA_SHA256_SIZE) != 0) {
        *why = BOOT_WHY("digest mismatch");
        return BOOT_CHECK_BAD;
    }
    return BOOT_CHECK_OK;
}

boot_check_t boot_check_image(ota_boot_t *boot, const ota_image_source_t *src, boot_depth_t depth,
                              const uint8_t *want_digest, uint32_t want_size, const char **why)
{
    ota_image_info_t *info = &boot->info;
    ota_image_status_t ist = ota_image_parse(src, info);
    if (ist == OTA_IMAGE_ERR_READ) {
        *why = BOOT_WHY("read failed");
        return BOOT_CHECK_IO;
    }
    if (ist != OTA_IMAGE_OK) {
        *why = BOOT_WHY(ota_image_status_str(ist));
        return BOOT_CHECK_BAD;
    }
    ist = ota_boot_image_fits(&boot->config, info);
    if (ist != OTA_IMAGE_OK) {
        boot->report->refused_because = ist;
        *why = BOOT_WHY(ota_image_status_str(ist));
        return BOOT_CHECK_BAD;
    }
    if (boot->config.hw_id != 0 && info->header.hw_id != boot->config.hw_id) {
        *why = BOOT_WHY("built for another board (hw_id)");
        return BOOT_CHECK_BAD;
    }
    if (want_size != 0 && info->total_size != want_size) {
        *why = BOOT_WHY("size differs from the record");
        return BOOT_CHECK_BAD;
    }
    if (depth == BOOT_PARSE) {
        return BOOT_CHECK_OK;
    }
    boot_check_t c = boot_check_hashes(boot, src, depth == BOOT_HASH_DIGEST, want_digest, why);
    if (c != BOOT_CHECK_OK) {
        return c;
    }
    /* Intact; may this device run it? The store's rules before STORED, checked again here on
     * the bytes that will be programmed or run: security counter, signature by a trusted key.
     * A crypto failure (e.g. its heap too small) says nothing about the image: treated as
     * "nothing known", so no slot is emptied and no image erased because of it. */
    ota_store_status_t pst = ota_store_image_policy(boot->store, src, info, boot->buf,
                                                    sizeof boot->buf);
    if (pst == OTA_STORE_ERR_CRYPTO || pst == OTA_STORE_ERR_FLASH) {
        *why = BOOT_WHY(ota_store_status_str(pst));
        return BOOT_CHECK_IO;
    }
    if (pst != OTA_STORE_OK) {
        *why = BOOT_WHY(ota_store_status_str(pst));
        return BOOT_CHECK_BAD;
    }
    return BOOT_CHECK_OK;
}

/* Copying ------------------------------------------------------------------------------------ */

static ota_boot_status_t boot_flash_failed(ota_boot_t *boot, ota_flash_status_t st)
{
    boot->flash_status = st;
    boot->report->flash_status = st;
    return OTA_BOOT_ERR_FLASH;
}

ota_boot_status_t boot_target_bytes(ota_boot_t *boot, uint8_t slot, uint32_t off, uint32_t n)
{
    OTA_ASSERT(n <= OTA_BOOT_BUF_SIZE);
    const uint32_t payload = boot->info.header.payload_size;
    const uint32_t app = boot->config.app_size;
    memset(boot->buf, boot->internal->geometry.erased_value, n);
    /* A chunk never straddles the region's end (a sector boundary), so it holds payload
     * bytes, or header then TLV bytes; past the image's, erased ones. */
    for (uint32_t done = 0; done < n;) {
        uint32_t r = off + done;
        uint32_t from, to; /* image bytes [from, to) lie from r on */
        if (r < app) {
            from = OTA_IMAGE_HEADER_SIZE + r;
            to = OTA_IMAGE_HEADER_SIZE + payload;
        } else if (r - app < OTA_IMAGE_HEADER_SIZE) {
            from = r - app;
            to = OTA_IMAGE_HEADER_SIZE;
        } else {
            from = payload + (r - app);
            to = boot->info.total_size;
        }
        if (from >= to) {
            break;
        }
        uint32_t k = to - from < n - done ? to - from : n - done;
        ota_store_status_t st = ota_store_slot_read(boot->store, slot, from, boot->buf + done, k);
        if (st != OTA_STORE_OK) {
            boot->report->store_status = st;
            return OTA_BOOT_ERR_STORE;
        }
        /* The slot's check opened the key (boot_decrypt_open): plaintext only from here on,
         * from whatever offset, so a resumed install decrypts where it stands. Built without
         * decryption (config.h), that check refused every encrypted image: none gets here. */
        if (OTA_BOOT_DECRYPT && boot->info.has_encryption && r < app &&
            boot_decrypt_crypt(BOOT_ENC(boot), from, boot->buf + done, k) != 0) {
            boot->report->store_status = OTA_STORE_ERR_CRYPTO;
            return OTA_BOOT_ERR_STORE;
        }
        done += k;
    }
    return OTA_BOOT_OK;
}

/* Chunk size for comparing and programming: one program page, at most the buffer. */
static uint32_t boot_chunk_size(const ota_boot_t *boot)
{
    uint32_t page = boot->internal->geometry.page_size;
    return page < OTA_BOOT_BUF_SIZE ? page : OTA_BOOT_BUF_SIZE;
}

/* Size of the internal sector at region offset off (the config check put the region on
 * sector boundaries, so off, a sum of sector sizes from the region's start, is one's start). */
static uint32_t boot_sector_size_at(const ota_boot_t *boot, uint32_t off)
{
    if (!OTA_FLASH_SECTOR_TABLES) { /* config.h: uniform sectors only, no table to walk */
        return boot->internal->geometry.erase_unit;
    }
    ota_flash_sector_t s;
    bool found = ota_flash_sector_at(&boot->internal->geometry, boot->config.app_offset + off, &s);
    OTA_ASSERT(found && s.start == boot->config.app_offset + off);
    (void)found;
    return s.size;
}

static bool boot_all_erased(const uint8_t *p, uint32_t n, uint8_t erased)
{
    for (uint32_t i = 0; i < n; i++) {
        if (p[i] != erased) {
            return false;
        }
    }
    return true;
}

/* Program buf[from, to) at region offset off + from, unless it is all erased already. */
static ota_boot_status_t boot_program_part(ota_boot_t *boot, uint32_t off, uint32_t from,
                                           uint32_t to)
{
    uint8_t erased = boot->internal->geometry.erased_value;
    if (to <= from || boot_all_erased(boot->buf + from, to - from, erased)) {
        return OTA_BOOT_OK;
    }
    ota_flash_status_t fs = ota_flash_program(boot->internal, boot->config.app_offset + off + from,
                                              boot->buf + from, to - from);
    return fs == OTA_FLASH_OK ? OTA_BOOT_OK : boot_flash_failed(boot, fs);
}

static ota_boot_status_t boot_erase_unit(ota_boot_t *boot, uint32_t unit_off)
{
    ota_flash_status_t fs = ota_flash_erase(boot->internal, boot->config.app_offset + unit_off,
                                            boot_sector_size_at(boot, unit_off));
    return fs == OTA_FLASH_OK ? OTA_BOOT_OK : boot_flash_failed(boot, fs);
}

/* The sector at region offset unit_off, chunk by chunk, its target bytes in boot->buf each
 * time: compared with internal flash (program false; *equal: all the same, the walk stops at
 * the first difference), or programmed (true; the descriptor's first program unit, the
 * magic, left out: boot_copy_slot programs it last). One loop for both, the install's. */
static ota_boot_status_t boot_unit_walk(ota_boot_t *boot, uint8_t slot, uint32_t unit_off,
                                        bool program, bool *equal)
{
    uint32_t chunk = boot_chunk_size(boot);
    uint32_t end = unit_off + boot_sector_size_at(boot, unit_off);
    OTA_ASSERT((end - unit_off) % chunk == 0u); /* the walk covers exactly the sector */
    *equal = false;
    for (uint32_t off = unit_off; off < end; off += chunk) {
        ota_boot_status_t st = boot_target_bytes(boot, slot, off, chunk);
        if (st == OTA_BOOT_OK && program) {
            st = boot_program_part(boot, off,
                                   off == boot->config.app_size
                                       ? boot->internal->geometry.program_unit
                                       : 0,
                                   chunk);
        } else if (st == OTA_BOOT_OK) {
            ota_flash_status_t fs =
                ota_flash_read(boot->internal, boot->config.app_offset + off, boot->cmp, chunk);
            if (fs != OTA_FLASH_OK) {
                return boot_flash_failed(boot, fs);
            }
            if (memcmp(boot->buf, boot->cmp, chunk) != 0) {
                return OTA_BOOT_OK;
            }
        }
        if (st != OTA_BOOT_OK) {
            return st;
        }
    }
    *equal = true;
    return OTA_BOOT_OK;
}

static ota_boot_status_t boot_unit_equal(ota_boot_t *boot, uint8_t slot, uint32_t unit_off,
                                         bool *equal)
{
    return boot_unit_walk(boot, slot, unit_off, false, equal);
}

/* Erase one sector and program it from the slot. In the descriptor's first sector (key) the
 * first program unit (the image's magic) is left out: the caller programs it last. */
static ota_boot_status_t boot_rewrite_unit(ota_boot_t *boot, uint8_t slot, uint32_t unit_off,
                                           bool erase)
{
    if (erase) {
        ota_boot_status_t st = boot_erase_unit(boot, unit_off);
        if (st != OTA_BOOT_OK) {
            return st;
        }
    }
    bool done = false;
    return boot_unit_walk(boot, slot, unit_off, true, &done);
}

#if OTA_BOOT_LOG
/* "boot: install progress DONE/TOTAL" at every eighth of the image: a console (otaflow-board
 * draws a bar from these lines) sees a long copy advance, a log gets a few lines. DONE is the
 * offset the copy has reached (payload, then descriptor); the descriptor's first sector,
 * copied last, completes the final TOTAL/TOTAL. */
static void boot_say_progress(ota_boot_t *boot, uint32_t done, uint32_t total, uint32_t *next)
{
    if (done >= *next) {
        boot_say(boot, "boot: install progress %u/%u", (unsigned)done, (unsigned)total);
        *next = done + total / 8u;
    }
}
#define BOOT_SAY_PROGRESS(boot, done, total, next) boot_say_progress(boot, done, total, next)
#else
#define BOOT_SAY_PROGRESS(boot, done, total, next) ((void)(next))
#endif

/* Sector by sector (sizes from the internal flash's table): the payload's sectors, then the
 * descriptor area's, its first sector (key) last. Sectors without image bytes (past the
 * payload, past the TLV area) are not touched: their stale bytes are not the image's. */
ota_boot_status_t boot_copy_slot(ota_boot_t *boot, uint8_t slot)
{
    const ota_flash_geometry_t *g = &boot->internal->geometry;
    const uint32_t key = boot->config.app_size;
    const uint32_t payload = boot->info.header.payload_size;
    const uint32_t end = key + (boot->info.total_size - payload);
    boot->internal_checked = false;
    bool first_equal = false;
    ota_boot_status_t st = boot_unit_equal(boot, slot, key, &first_equal);
    bool first_erased = false;
    uint32_t progress_next = 0;
    for (uint32_t off = 0; st == OTA_BOOT_OK && off < end; off += boot_sector_size_at(boot, off)) {
        if (off >= payload && off < key) {
            off = key;
        }
        if (off == key) {
            continue;
        }
        BOOT_SAY_PROGRESS(boot, off, end, &progress_next);
        bool equal = false;
        st = boot_unit_equal(boot, slot, off, &equal);
        if (st != OTA_BOOT_OK) {
            break;
        }
        if (equal) {
            boot->report->sectors_skipped++;
            continue;
        }
        /* The header goes first: from now until the magic is programmed again, internal
         * flash holds no image that parses. */
        if (!first_erased) {
            st = boot_erase_unit(boot, key);
            first_erased = true;
        }
        if (st == OTA_BOOT_OK) {
            st = boot_rewrite_unit(boot, slot, off, true);
            boot->report->sectors_written++;
        }
    }
    if (st != OTA_BOOT_OK) {
        return st;
    }
    if (first_equal && !first_erased) {
        boot->report->sectors_skipped++;
    } else {
        st = boot_rewrite_unit(boot, slot, key, !first_erased);
        if (st == OTA_BOOT_OK) {
            boot->report->sectors_written++;
            st = boot_target_bytes(boot, slot, key, g->program_unit);
        }
        st = st == OTA_BOOT_OK ? boot_program_part(boot, key, 0, g->program_unit) : st;
    }
    if (st == OTA_BOOT_OK) {
        progress_next = 0;
        BOOT_SAY_PROGRESS(boot, end, end, &progress_next);
    }
    return st;
}

/* Console ------------------------------------------------------------------------------------ */

#if OTA_BOOT_LOG

static size_t boot_put_str(char *out, size_t pos, size_t cap, const char *s)
{
    while (s && *s && pos + 1 < cap) {
        out[pos++] = *s++;
    }
    return pos;
}

/* 32 bits are all a console line prints: their own loop, not the 64-bit one of num_text.c
 * (which a bootloader would otherwise link only for this). */
static size_t boot_put_uint(char *out, size_t pos, size_t cap, uint32_t v)
{
    char digits[10]; /* UINT32_MAX has 10 */
    size_t n = 0;
    do {
        digits[n++] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v != 0u);
    while (n > 0 && pos + 1 < cap) {
        out[pos++] = digits[--n];
    }
    return pos;
}

void boot_say(ota_boot_t *boot, const char *fmt, ...)
{
    if (!boot->log) {
        return;
    }
    /* On the stack, only while a line is formatted: no RAM of ota_boot_t for it. */
    char out[OTA_BOOT_LINE_MAX];
    size_t cap = sizeof out;
    size_t pos = 0;
    va_list ap;
    va_start(ap, fmt);
    for (const char *p = fmt; *p && pos + 1 < cap; p++) {
        if (p[0] == '%' && p[1] == 'u') {
            pos = boot_put_uint(out, pos, cap, (uint32_t)va_arg(ap, unsigned));
            p++;
        } else if (p[0] == '%' && p[1] == 's') {
            pos = boot_put_str(out, pos, cap, va_arg(ap, const char *));
            p++;
        } else {
            out[pos++] = *p;
        }
    }
    va_end(ap);
    out[pos] = '\0';
    boot->log(boot->log_ctx, out);
}
#endif
