/* SPDX-License-Identifier: Apache-2.0 */
/*
 * File entries of the manifest (the original's File Download), read by the same byte-at-a-time
 * state machine as the rest (src/manifest.c calls in here, src/manifest_files.h):
 *
 *   {"ota":[{"files":[{"slot_number":0,"length":16968,"URL":"...","digest":"<64 hex>",
 *                      "Signature":"<base64 of r||s>",
 *                      "public_key":[{"slot_number":1,"length":91,"URL":"...","digest":"..."}]},
 *                     ...]},
 *           {"Version":2,...}]}
 *
 * Each file entry (and each entry of a "public_key" array) is kept in the plan with its own
 * status: a bad file entry refuses that entry, never the manifest (invalid JSON still refuses
 * everything). Keys of file entries are matched without regard to case, as the original's
 * cJSON_GetObjectItem does (its sample writes "Signature", its code asks for "signature").
 */
#include "manifest_files.h"

#include <string.h>

enum { FF_SLOT, FF_LENGTH, FF_URL, FF_DIGEST, FF_SIG, FF_KEYS, FF_COUNT };
#if OTA_FILE_SLOTS
static const char *const FILE_FIELDS[FF_COUNT] = {"slot_number", "length",    "URL",
                                                  "digest",      "Signature", "public_key"};
#endif

static unsigned char manifest_fold(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c + ('a' - 'A')) : c;
}

bool ota_manifest_key_is(const ota_manifest_parser_t *p, const char *name)
{
    size_t n = strlen(name);
    if (p->key_len_ != n) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (manifest_fold((unsigned char)p->key_[i]) != manifest_fold((unsigned char)name[i])) {
            return false;
        }
    }
    return true;
}

#if OTA_FILE_SLOTS

/* The file entry whose fields are being read, or NULL (not kept). */
static ota_manifest_file_t *manifest_file_here(const ota_manifest_parser_t *p)
{
    uint8_t idx = p->key_depth_ != 0u ? p->key_idx_ : p->file_idx_;
    return idx != OTA_MANIFEST_FILE_NONE ? &p->plan_->files[idx] : NULL;
}

/* A file entry's first refusal is the one it keeps. */
static void manifest_file_fault(const ota_manifest_parser_t *p, ota_manifest_status_t st)
{
    ota_manifest_file_t *f = manifest_file_here(p);
    if (f != NULL && f->status == OTA_MANIFEST_OK) {
        f->status = (int8_t)st;
    }
}

/* The status a bad value of field n is refused with. */
static ota_manifest_status_t manifest_file_field_error(uint32_t n)
{
    static const int8_t ERR[FF_COUNT] = {
        [FF_SLOT] = OTA_MANIFEST_ERR_FILE_SLOT,     [FF_LENGTH] = OTA_MANIFEST_ERR_FILE_LENGTH,
        [FF_URL] = OTA_MANIFEST_ERR_URL_TYPE,       [FF_DIGEST] = OTA_MANIFEST_ERR_DIGEST,
        [FF_SIG] = OTA_MANIFEST_ERR_FILE_SIGNATURE, [FF_KEYS] = OTA_MANIFEST_ERR_FILE_ENTRY,
    };
    return (ota_manifest_status_t)ERR[n];
}

/* A '{' of "files" (parent NONE) or of "public_key": keep the entry if the plan has room. */
static uint8_t manifest_file_open(ota_manifest_parser_t *p, uint8_t parent, uint32_t at)
{
    ota_manifest_plan_t *plan = p->plan_;
    if (plan->file_count >= OTA_FILE_ENTRIES_MAX) {
        plan->files_dropped++;
        return OTA_MANIFEST_FILE_NONE;
    }
    ota_manifest_file_t *f = &plan->files[plan->file_count];
    memset(f, 0, sizeof *f);
    f->key_of = parent;
    f->start = at;
    return (uint8_t)plan->file_count++;
}

/* The '}' of a kept file entry: its required fields. */
static void manifest_file_close(ota_manifest_parser_t *p, uint8_t idx)
{
    if (idx == OTA_MANIFEST_FILE_NONE) {
        return;
    }
    ota_manifest_file_t *f = &p->plan_->files[idx];
    static const int8_t MISSING[] = {OTA_MANIFEST_ERR_FILE_SLOT, OTA_MANIFEST_ERR_FILE_LENGTH,
                                     OTA_MANIFEST_ERR_MISSING_URL,
                                     OTA_MANIFEST_ERR_MISSING_DIGEST};
    for (uint32_t n = FF_SLOT; n <= FF_DIGEST && f->status == OTA_MANIFEST_OK; n++) {
        if (!(f->seen & (1u << n))) {
            f->status = MISSING[n];
        }
    }
    f->url[f->url_len] = '\0';
}

#endif /* OTA_FILE_SLOTS */

uint32_t ota_manifest_files_key(ota_manifest_parser_t *p)
{
    if (p->role_ != MANIFEST_R_FILE_KEY) {
        /* An entry's key: only "files" is ours. */
        if (!ota_manifest_key_is(p, "files")) {
            return 0u;
        }
        p->entry_.files = true; /* the entry needs no Version */
        return OTA_FILE_SLOTS ? MANIFEST_R_FILES : 0u;
    }
#if OTA_FILE_SLOTS
    ota_manifest_file_t *f = manifest_file_here(p);
    for (uint32_t n = 0; n < FF_COUNT && f != NULL; n++) {
        if (!ota_manifest_key_is(p, FILE_FIELDS[n])) {
            continue;
        }
        if (n == FF_KEYS && p->key_depth_ != 0u) {
            return 0u; /* a public_key of a public_key is nothing the original knows */
        }
        if (f->seen & (1u << n)) {
            manifest_file_fault(p, OTA_MANIFEST_ERR_DUPLICATE_KEY);
            return 0u;
        }
        f->seen = (uint8_t)(f->seen | (1u << n));
        return MANIFEST_R_FILE_FIELD + n;
    }
#endif
    return 0u;
}

uint32_t ota_manifest_files_role_here(const ota_manifest_parser_t *p, bool key)
{
#if !OTA_FILE_SLOTS
    (void)p;
    (void)key;
    return 0u; /* no "files" is opened: its depths stay 0 */
#else
    uint8_t d = p->depth_;
    if (p->key_depth_ != 0u && d == p->key_depth_) {
        return p->key_idx_ == OTA_MANIFEST_FILE_NONE ? 0u
               : key                                 ? MANIFEST_R_FILE_KEY
                                                     : p->value_role_;
    }
    if (p->keys_depth_ != 0u && d == p->keys_depth_) {
        return key ? 0u : MANIFEST_R_KEY_ELEM;
    }
    if (p->file_depth_ != 0u && d == p->file_depth_) {
        return p->file_idx_ == OTA_MANIFEST_FILE_NONE ? 0u
               : key                                  ? MANIFEST_R_FILE_KEY
                                                      : p->value_role_;
    }
    if (p->files_depth_ != 0u && d == p->files_depth_) {
        return key ? 0u : MANIFEST_R_FILE_ELEM;
    }
    return 0u;
#endif
}

void ota_manifest_files_value_begins(ota_manifest_parser_t *p, uint32_t role, unsigned char c,
                                     uint32_t at)
{
#if OTA_FILE_SLOTS
    uint8_t inner = (uint8_t)(p->depth_ + 1u); /* the depth once c opens a container */
    bool number = c == '-' || (c >= '0' && c <= '9');
    switch (role) {
    case MANIFEST_R_FILES:
        if (c == '[') {
            p->files_depth_ = inner;
        } else {
            p->plan_->files_dropped++;
        }
        return;
    case MANIFEST_R_FILE_ELEM:
    case MANIFEST_R_KEY_ELEM: {
        bool is_key = role == MANIFEST_R_KEY_ELEM;
        if (c != '{') {
            p->plan_->files_dropped++;
            return;
        }
        uint8_t idx = manifest_file_open(p, is_key ? p->file_idx_ : OTA_MANIFEST_FILE_NONE, at);
        *(is_key ? &p->key_depth_ : &p->file_depth_) = inner;
        *(is_key ? &p->key_idx_ : &p->file_idx_) = idx;
        return;
    }
    case MANIFEST_R_FILE_FIELD + FF_KEYS:
        if (c == '[') {
            p->keys_depth_ = inner;
        } else {
            manifest_file_fault(p, OTA_MANIFEST_ERR_FILE_ENTRY);
        }
        return;
    case MANIFEST_R_FILE_FIELD + FF_SLOT:
    case MANIFEST_R_FILE_FIELD + FF_LENGTH:
        if (!number) {
            manifest_file_fault(p, manifest_file_field_error(role - MANIFEST_R_FILE_FIELD));
        }
        return;
    case MANIFEST_R_FILE_FIELD + FF_URL:
    case MANIFEST_R_FILE_FIELD + FF_DIGEST:
    case MANIFEST_R_FILE_FIELD + FF_SIG:
        p->fhex_len_ = 0;
        ota_base64_begin(&p->sig_b64_);
        if (c != '"') {
            manifest_file_fault(p, manifest_file_field_error(role - MANIFEST_R_FILE_FIELD));
        }
        return;
    default: return;
    }
#else
    (void)p;
    (void)role;
    (void)c;
    (void)at;
#endif
}

void ota_manifest_files_number(ota_manifest_parser_t *p, uint32_t role)
{
#if OTA_FILE_SLOTS
    ota_manifest_file_t *f = manifest_file_here(p);
    bool plain = p->number_plain_ && !p->number_over_;
    if (f == NULL) {
        return;
    }
    if (role == MANIFEST_R_FILE_FIELD + FF_SLOT) {
        if (plain && p->number_ <= UINT8_MAX) {
            f->slot = (uint8_t)p->number_;
        } else {
            manifest_file_fault(p, OTA_MANIFEST_ERR_FILE_SLOT);
        }
    } else if (role == MANIFEST_R_FILE_FIELD + FF_LENGTH) {
        if (plain && p->number_ != 0u && p->number_ <= UINT32_MAX) {
            f->length = (uint32_t)p->number_;
        } else {
            manifest_file_fault(p, OTA_MANIFEST_ERR_FILE_LENGTH);
        }
    }
#else
    (void)p;
    (void)role;
#endif
}

void ota_manifest_files_string_raw(ota_manifest_parser_t *p, unsigned char c)
{
#if OTA_FILE_SLOTS
    ota_manifest_file_t *f = manifest_file_here(p);
    if (f == NULL) {
        return;
    }
    if (p->role_ == MANIFEST_R_FILE_FIELD + FF_DIGEST) {
        uint32_t n = p->fhex_len_;
        if (!ota_manifest_digest_digit(f->digest, n, c)) {
            manifest_file_fault(p, OTA_MANIFEST_ERR_DIGEST);
            return;
        }
        p->fhex_len_ = (uint8_t)(n + 1u);
    }
#else
    (void)p;
    (void)c;
#endif
}

void ota_manifest_files_string_unit(ota_manifest_parser_t *p, uint32_t unit)
{
#if OTA_FILE_SLOTS
    ota_manifest_file_t *f = manifest_file_here(p);
    if (f != NULL && p->role_ == MANIFEST_R_FILE_FIELD + FF_SIG) {
        /* Decoded, as the image entry's Signature is (manifest.c): "\/" is '/'. */
        if (unit > 0x7Fu ||
            !ota_base64_feed(&p->sig_b64_, (unsigned char)unit, f->sig, sizeof f->sig)) {
            manifest_file_fault(p, OTA_MANIFEST_ERR_FILE_SIGNATURE);
        }
        return;
    }
    if (f == NULL || p->role_ != MANIFEST_R_FILE_FIELD + FF_URL) {
        return;
    }
    if (unit < 0x21u || unit > 0x7Eu) {
        manifest_file_fault(p, OTA_MANIFEST_ERR_URL_CHAR);
    } else if (f->url_len >= OTA_FILE_URL_MAX) {
        manifest_file_fault(p, OTA_MANIFEST_ERR_URL_TOO_LONG);
    } else {
        f->url[f->url_len++] = (char)unit;
    }
#else
    (void)p;
    (void)unit;
#endif
}

void ota_manifest_files_string_end(ota_manifest_parser_t *p)
{
#if OTA_FILE_SLOTS
    ota_manifest_file_t *f = manifest_file_here(p);
    if (f == NULL) {
        return;
    }
    if (p->role_ == MANIFEST_R_FILE_FIELD + FF_URL && f->url_len == 0u) {
        manifest_file_fault(p, OTA_MANIFEST_ERR_URL_EMPTY);
    } else if (p->role_ == MANIFEST_R_FILE_FIELD + FF_DIGEST &&
               p->fhex_len_ != 2u * OTA_SHA256_SIZE) {
        manifest_file_fault(p, OTA_MANIFEST_ERR_DIGEST);
    } else if (p->role_ == MANIFEST_R_FILE_FIELD + FF_SIG) {
        /* 64 bytes are 86 characters and 4 zero bits, with "==" or without padding: the
         * padding left out is fed here (one '=' written stays short). */
        bool unpadded = p->sig_b64_.pad == 0u;
        while (unpadded && p->sig_b64_.chars != 0u &&
               ota_base64_feed(&p->sig_b64_, '=', f->sig, sizeof f->sig)) {
        }
        size_t len = 0;
        if (ota_base64_end(&p->sig_b64_, &len) && len == OTA_MANIFEST_FILE_SIG_SIZE) {
            f->sig_len = OTA_MANIFEST_FILE_SIG_SIZE;
        } else {
            manifest_file_fault(p, OTA_MANIFEST_ERR_FILE_SIGNATURE);
        }
    }
#else
    (void)p;
#endif
}

void ota_manifest_files_close(ota_manifest_parser_t *p)
{
#if OTA_FILE_SLOTS
    uint8_t d = p->depth_;
    if (p->key_depth_ != 0u && d == p->key_depth_) {
        manifest_file_close(p, p->key_idx_);
        p->key_depth_ = 0;
    } else if (p->keys_depth_ != 0u && d == p->keys_depth_) {
        p->keys_depth_ = 0;
    } else if (p->file_depth_ != 0u && d == p->file_depth_) {
        manifest_file_close(p, p->file_idx_);
        p->file_depth_ = 0;
    } else if (p->files_depth_ != 0u && d == p->files_depth_) {
        p->files_depth_ = 0;
    }
#else
    (void)p;
#endif
}
