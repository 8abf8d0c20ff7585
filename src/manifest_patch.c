/* SPDX-License-Identifier: Apache-2.0 */
/*
 * An entry's "Patch" array (the original's delta updates), read by the same byte-at-a-time
 * state machine as the rest (src/manifest.c calls in here, src/manifest_patch.h):
 *
 *   {"Version":2,"URL":"...","Digest":"...",
 *    "Patch":[{"BaseVersion":1,"BaseVerDigest":"<64 hex>","PatchURL":"...",
 *              "PatchDigest":"<64 hex>","TargetDigest":"<64 hex>"}, ...]}
 *
 * Read only for a device that applies patches (ota_manifest_device_t.patches); then every
 * patch object is checked (a malformed one refuses the manifest, as a malformed field does)
 * and the entry keeps its first patch whose base the device holds. When the entry becomes the
 * best update, that patch goes with it into patches->best. Keys are matched without regard to
 * case, as the original's cJSON lookup does. The RAM is the caller's ota_manifest_patches_t.
 */
#include "manifest_patch.h"

#include "manifest_files.h"

#include <string.h>

enum { PF_BASE_VERSION, PF_BASE_DIGEST, PF_URL, PF_PATCH_DIGEST, PF_TARGET_DIGEST, PF_COUNT };
static const char *const PATCH_FIELDS[PF_COUNT] = {"BaseVersion", "BaseVerDigest", "PatchURL",
                                                   "PatchDigest", "TargetDigest"};

/* The device's patch list; none in a core built with OTA_DELTA_PATCHES 0, so that every
 * hook below returns at its first test and the compiler drops the rest. */
static ota_manifest_patches_t *manifest_patches(const ota_manifest_parser_t *p)
{
#if OTA_DELTA_PATCHES
    return p->device_.patches;
#else
    (void)p;
    return NULL;
#endif
}

static void manifest_patch_refuse(ota_manifest_parser_t *p)
{
    ota_manifest_entry_refuse(p, OTA_MANIFEST_ERR_PATCH, p->value_start_);
}

/* The digest field being read: where its bytes go (NULL once the entry has its patch: the
 * later ones are only checked). */
static uint8_t *manifest_patch_digest(ota_manifest_patches_t *pt, uint32_t field)
{
    if (pt->entry_has_) {
        return NULL;
    }
    return field == PF_BASE_DIGEST    ? pt->entry_.base_digest
           : field == PF_PATCH_DIGEST ? pt->entry_.patch_digest
                                      : pt->entry_.target_digest;
}

void ota_manifest_patch_entry_begins(ota_manifest_parser_t *p)
{
    ota_manifest_patches_t *pt = manifest_patches(p);
    if (pt != NULL) {
        pt->entry_has_ = false;
    }
}

uint32_t ota_manifest_patch_key(ota_manifest_parser_t *p)
{
    ota_manifest_patches_t *pt = manifest_patches(p);
    if (pt == NULL) {
        return 0u;
    }
    if (p->role_ != MANIFEST_R_PATCH_KEY) {
        return ota_manifest_key_is(p, "Patch") ? MANIFEST_R_PATCHES : 0u;
    }
    for (uint32_t n = 0; n < PF_COUNT; n++) {
        if (!ota_manifest_key_is(p, PATCH_FIELDS[n])) {
            continue;
        }
        if (pt->seen_ & (1u << n)) {
            manifest_patch_refuse(p);
            return 0u;
        }
        pt->seen_ = (uint8_t)(pt->seen_ | (1u << n));
        return MANIFEST_R_PATCH_FIELD + n;
    }
    return 0u;
}

uint32_t ota_manifest_patch_role_here(const ota_manifest_parser_t *p, bool key)
{
    if (manifest_patches(p) == NULL) {
        return 0u; /* no "Patch" is opened: its depths stay 0 */
    }
    uint8_t d = p->depth_;
    if (p->patch_depth_ != 0u && d == p->patch_depth_) {
        return key ? MANIFEST_R_PATCH_KEY : p->value_role_;
    }
    if (p->patches_depth_ != 0u && d == p->patches_depth_) {
        return key ? 0u : MANIFEST_R_PATCH_ELEM;
    }
    return 0u;
}

void ota_manifest_patch_value_begins(ota_manifest_parser_t *p, uint32_t role, unsigned char c,
                                     uint32_t at)
{
    ota_manifest_patches_t *pt = manifest_patches(p);
    uint8_t inner = (uint8_t)(p->depth_ + 1u); /* the depth once c opens a container */
    (void)at;
    if (pt == NULL || role < MANIFEST_R_PATCHES) {
        return;
    }
    bool ok;
    switch (role) {
    case MANIFEST_R_PATCHES:
        ok = c == '[';
        p->patches_depth_ = ok ? inner : 0u;
        break;
    case MANIFEST_R_PATCH_ELEM:
        ok = c == '{';
        if (ok) {
            p->patch_depth_ = inner;
            pt->seen_ = 0;
            pt->version_ = 0;
            pt->url_len_ = 0;
            if (!pt->entry_has_) {
                memset(&pt->entry_, 0, sizeof pt->entry_);
            }
        }
        break;
    case MANIFEST_R_PATCH_FIELD + PF_BASE_VERSION: ok = c >= '0' && c <= '9'; break;
    default: /* a string field */
        ok = c == '"';
        pt->hex_len_ = 0;
        break;
    }
    if (!ok) {
        manifest_patch_refuse(p);
    }
}

void ota_manifest_patch_number(ota_manifest_parser_t *p, uint32_t role)
{
    ota_manifest_patches_t *pt = manifest_patches(p);
    if (pt == NULL || role != MANIFEST_R_PATCH_FIELD + PF_BASE_VERSION) {
        return;
    }
    if (p->number_plain_ && !p->number_over_ && p->number_ != 0u && p->number_ <= UINT32_MAX) {
        pt->version_ = (uint32_t)p->number_;
    } else {
        manifest_patch_refuse(p);
    }
}

void ota_manifest_patch_string_raw(ota_manifest_parser_t *p, unsigned char c)
{
    ota_manifest_patches_t *pt = manifest_patches(p);
    uint32_t field = (uint32_t)p->role_ - MANIFEST_R_PATCH_FIELD;
    if (pt == NULL || p->role_ < MANIFEST_R_PATCH_FIELD || field == PF_URL) {
        return;
    }
    uint32_t n = pt->hex_len_;
    if (!ota_manifest_digest_digit(manifest_patch_digest(pt, field), n, c)) {
        manifest_patch_refuse(p);
        return;
    }
    pt->hex_len_ = (uint8_t)(n + 1u);
}

void ota_manifest_patch_string_unit(ota_manifest_parser_t *p, uint32_t unit)
{
    ota_manifest_patches_t *pt = manifest_patches(p);
    if (pt == NULL || p->role_ != MANIFEST_R_PATCH_FIELD + PF_URL) {
        return;
    }
    if (unit < 0x21u || unit > 0x7Eu || pt->url_len_ >= OTA_MANIFEST_URL_MAX) {
        manifest_patch_refuse(p);
        return;
    }
    if (!pt->entry_has_) {
        pt->entry_.url[pt->url_len_] = (char)unit;
    }
    pt->url_len_++;
}

void ota_manifest_patch_string_end(ota_manifest_parser_t *p)
{
    ota_manifest_patches_t *pt = manifest_patches(p);
    if (pt == NULL || p->role_ < MANIFEST_R_PATCH_FIELD) {
        return;
    }
    bool url = p->role_ == MANIFEST_R_PATCH_FIELD + PF_URL;
    if (url ? pt->url_len_ == 0u : pt->hex_len_ != 2u * OTA_SHA256_SIZE) {
        manifest_patch_refuse(p);
    }
}

/* A patch object's '}': complete? Then the entry's patch if the device holds its base. */
static void manifest_patch_done(ota_manifest_parser_t *p, ota_manifest_patches_t *pt)
{
    if (pt->seen_ != (1u << PF_COUNT) - 1u) {
        manifest_patch_refuse(p);
        return;
    }
    if (pt->entry_has_) {
        return; /* the entry has its patch already: later ones are only checked */
    }
    pt->entry_.base_version = pt->version_;
    pt->entry_.url_len = pt->url_len_;
    pt->entry_.url[pt->url_len_] = '\0';
    pt->entry_.base_slot = pt->find_base(pt->base_ctx, pt->version_, pt->entry_.base_digest);
    pt->entry_has_ = pt->entry_.base_slot != OTA_MANIFEST_NO_BASE;
}

void ota_manifest_patch_close(ota_manifest_parser_t *p)
{
    ota_manifest_patches_t *pt = manifest_patches(p);
    uint8_t d = p->depth_;
    if (pt == NULL) {
        return;
    }
    if (p->patch_depth_ != 0u && d == p->patch_depth_) {
        p->patch_depth_ = 0;
        manifest_patch_done(p, pt);
    } else if (p->patches_depth_ != 0u && d == p->patches_depth_) {
        p->patches_depth_ = 0;
    }
}

void ota_manifest_patch_best(ota_manifest_parser_t *p, bool best)
{
    ota_manifest_patches_t *pt = manifest_patches(p);
    if (pt == NULL) {
        return;
    }
    pt->chosen = best && pt->entry_has_;
    if (pt->chosen) {
        pt->best = pt->entry_;
    }
}
