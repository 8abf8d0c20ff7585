/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Manifest parsing and update selection, one byte at a time.
 *
 * A state machine reads the text as it arrives (the agent feeds it from the HTTP buffer), so
 * neither the manifest nor a token array is ever held: the JSON grammar (RFC 8259) is checked
 * on the way, the known keys are matched as they are read, each entry is validated when its
 * '}' arrives and then either adds to the erase list or competes for the update.
 *
 * Errors are ranked as they were when the whole text was checked first: invalid JSON anywhere
 * (which ends the reading) wins over a bad top-level field, which wins over "ota" missing,
 * which wins over the first bad entry, which wins over entries that disagree. So each kind
 * keeps its first fault and ota_manifest_end() reports the highest ranked.
 *
 * One pass is exact unless an EraseVer entry removes the version that was the best update
 * so far while other candidates had been passed over for it: then ota_manifest_end() asks for
 * the text once more (OTA_MANIFEST_AGAIN) and the second pass, knowing the whole erase list
 * from the start, chooses among all entries. Keeping every candidate's URL instead would cost
 * up to OTA_MANIFEST_ERASE_MAX + 1 URLs of RAM for a manifest no tool writes.
 */
#include <stddef.h>
#include <string.h>

#include "otaflow/manifest.h"
#include "manifest_files.h"
#include "manifest_patch.h"
#include "ota_assert.h"
#include "status_text.h"

enum want {
    W_START,       /* before the top-level value (a BOM or whitespace may come) */
    W_BOM1,        /* after 0xEF */
    W_BOM2,        /* after 0xEF 0xBB */
    W_VALUE,
    W_KEY,
    W_COLON,
    W_FIRST_KEY,   /* after '{': a key or '}' */
    W_FIRST_VALUE, /* after '[': a value or ']' */
    W_AFTER,       /* after a value: ',' or the closing bracket */
    W_END,         /* after the top-level value: only whitespace */
};

enum lex { L_NONE, L_STRING, L_ESCAPE, L_HEX, L_LITERAL, L_NUMBER };

/* Number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
enum num { N_MINUS = 1, N_ZERO, N_INT, N_DOT, N_FRAC, N_E, N_ESIGN, N_EXP };

/* What the value or key being read is to the manifest. */
enum role {
    R_NONE,
    R_TOP_KEY,   /* a key of the root object */
    R_ENTRY_KEY, /* a key of an entry */
    R_OTA,       /* the value of "ota" */
    R_SEQUENCE,
    R_EXPIRES,
    R_ENTRY,     /* an element of the "ota" array */
    R_FIELD,     /* R_FIELD + n: the value of FIELDS[n] */
};

#if OTA_RAW_IMAGES
/* The original's Signature (base64 r||s) is read only where raw images are built in. */
enum { F_VERSION, F_URL, F_DIGEST, F_ERASE, F_SIZE, F_HW_ID, F_ROLLOUT, F_SIGNATURE, F_COUNT };
#else
enum { F_VERSION, F_URL, F_DIGEST, F_ERASE, F_SIZE, F_HW_ID, F_ROLLOUT, F_COUNT };
#endif
_Static_assert(F_COUNT <= 8, "ota_manifest_parser_t.entry_.seen has a bit per field");
/* The keys an entry understands, in the order of the F_ constants. */
static const char *const FIELDS[F_COUNT] = {"Version", "URL",  "Digest",   "EraseVer",
                                            "Size",    "HwId", "Rollout",
#if OTA_RAW_IMAGES
                                            "Signature",
#endif
};

enum ota_state { OTA_ABSENT, OTA_NOT_ARRAY, OTA_OPEN, OTA_CLOSED };
enum fault_kind { K_SYNTAX, K_TOP, K_ENTRY };

#define ENTRY_DEPTH 3u /* root object, "ota" array, entry object */

typedef ota_manifest_parser_t parser_t;

static bool manifest_is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static int manifest_hex_value(unsigned char c)
{
    if (manifest_is_digit(c)) {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

bool ota_manifest_digest_digit(uint8_t *digest, uint32_t n, unsigned char c)
{
    int h = manifest_hex_value(c);
    if (h < 0 || n >= 2u * OTA_SHA256_SIZE) {
        return false;
    }
    if (digest != NULL) {
        digest[n / 2u] = (uint8_t)(digest[n / 2u] | (uint32_t)h << (n % 2u != 0u ? 0u : 4u));
    }
    return true;
}

/* ---- faults ----------------------------------------------------------------------------- */

/** Keep the first fault of its kind; a syntax fault also ends the reading. */
static void manifest_fault(parser_t *p, enum fault_kind kind, ota_manifest_status_t st,
                           uint32_t offset)
{
    if (p->fault_[kind] != OTA_MANIFEST_OK) {
        return;
    }
    p->fault_[kind] = (int8_t)st;
    p->fault_offset_[kind] = offset;
    if (kind == K_ENTRY) {
        p->fault_entry_ = (int32_t)p->entry_index_;
    }
}

static void manifest_syntax(parser_t *p, ota_manifest_status_t st, uint32_t offset)
{
    manifest_fault(p, K_SYNTAX, st, offset);
}

/** A bad value in the entry being read (only its first fault counts, and only the first bad
 *  entry). */
static void manifest_entry_fault(parser_t *p, ota_manifest_status_t st, uint32_t offset)
{
    if (p->entry_open_) {
        manifest_fault(p, K_ENTRY, st, offset);
    }
}

void ota_manifest_entry_refuse(parser_t *p, ota_manifest_status_t st, uint32_t offset)
{
    manifest_entry_fault(p, st, offset);
}

/* ---- selection -------------------------------------------------------------------------- */

static bool manifest_erase_listed(const ota_manifest_plan_t *plan, uint32_t version)
{
    for (uint32_t n = 0; n < plan->erase_count; n++) {
        if (plan->erase_versions[n] == version) {
            return true;
        }
    }
    return false;
}

/* An entry without HwId is for every board; with one, only for that board (device hw_id 0:
 * this device takes any). */
static bool manifest_for_this_board(const parser_t *p)
{
    return p->device_.hw_id == 0u || p->entry_.hw_id == 0u || p->entry_.hw_id == p->device_.hw_id;
}

/* A staged rollout: an entry without Rollout is for every device; with one, the device asks
 * whether it is in that share for that version (no question: only 100 % takes it). */
static bool manifest_in_rollout(const parser_t *p)
{
    const ota_manifest_device_t *dev = &p->device_;
    uint32_t percent = p->entry_.rollout;
    if (percent >= 100u) {
        return true;
    }
    return percent != 0u && dev->in_rollout != NULL &&
           dev->in_rollout(dev->rollout_ctx, p->entry_.version, percent);
}

static bool manifest_eligible(const parser_t *p, uint32_t version)
{
    const ota_manifest_device_t *dev = &p->device_;
    if (version == dev->running_version || manifest_erase_listed(p->plan_, version)) {
        return false;
    }
    if (version < dev->running_version && !dev->allow_downgrade) {
        return false;
    }
    return dev->is_rejected == NULL || !dev->is_rejected(dev->rejected_ctx, version);
}

static bool manifest_same_update(const parser_t *p, const ota_manifest_update_t *u)
{
    bool has_size = (p->entry_.seen & (1u << F_SIZE)) != 0;
#if OTA_RAW_IMAGES
    bool has_sig = (p->entry_.seen & (1u << F_SIGNATURE)) != 0;
    if (has_sig != u->has_signature ||
        (has_sig && memcmp(p->entry_.signature, u->signature, sizeof(u->signature)) != 0)) {
        return false;
    }
#endif
    return memcmp(p->entry_.digest, u->digest, sizeof(u->digest)) == 0 &&
           has_size == u->has_size && (!has_size || p->entry_.size == u->size) &&
           p->entry_.url_len == u->url_len && memcmp(p->entry_.url, u->url, u->url_len) == 0;
}

/** An EraseVer entry for this board: list its version; it removes the best update so far if
 *  that is the same version. */
static void manifest_add_erase(parser_t *p)
{
    ota_manifest_plan_t *plan = p->plan_;
    uint32_t v = p->entry_.version;
    if (manifest_erase_listed(plan, v)) {
        return;
    }
    if (p->pass_ != 0u) {
        /* The second pass starts with the first pass's whole list: a new version means the
         * text is not the one read the first time. */
        manifest_fault(p, K_ENTRY, OTA_MANIFEST_ERR_CHANGED, p->entry_.start);
        return;
    }
    if (plan->erase_count >= OTA_MANIFEST_ERASE_MAX) {
        manifest_fault(p, K_ENTRY, OTA_MANIFEST_ERR_TOO_MANY_ERASE, p->entry_.start);
        return;
    }
    plan->erase_versions[plan->erase_count++] = v;
    if (plan->has_update && plan->update.version == v) {
        /* Candidates passed over for this one are gone: only a second pass finds them. */
        if (p->passed_over_) {
            p->again_ = true;
        }
        memset(&plan->update, 0, sizeof(plan->update));
        plan->has_update = false;
        ota_manifest_patch_best(p, false);
        p->disagree_entry_ = -1;
    }
}

/** An update entry for this board: the highest eligible version wins; entries for the
 *  winning version must agree. A disagreement is remembered, not returned, until a higher
 *  version replaces it. */
static void manifest_offer_update(parser_t *p)
{
    ota_manifest_plan_t *plan = p->plan_;
    ota_manifest_update_t *u = &plan->update;
    uint32_t v = p->entry_.version;
    if (!manifest_eligible(p, v)) {
        return;
    }
    if (plan->has_update && v == u->version) {
        if (p->disagree_entry_ < 0 && !manifest_same_update(p, u)) {
            p->disagree_entry_ = (int32_t)p->entry_index_;
            p->disagree_offset_ = p->entry_.start;
        }
        return;
    }
    /* A lower version is passed over for the best, or the best for a higher one. */
    if (plan->has_update) {
        p->passed_over_ = true;
    }
    if (!plan->has_update || v > u->version) {
        plan->has_update = true;
        u->version = v;
        memcpy(u->digest, p->entry_.digest, sizeof(u->digest));
        u->has_size = (p->entry_.seen & (1u << F_SIZE)) != 0;
        u->size = p->entry_.size;
        u->url_len = p->entry_.url_len;
        memcpy(u->url, p->entry_.url, p->entry_.url_len);
        u->url[u->url_len] = '\0';
#if OTA_RAW_IMAGES
        u->has_signature = (p->entry_.seen & (1u << F_SIGNATURE)) != 0;
        memcpy(u->signature, p->entry_.signature, sizeof(u->signature));
#endif
        ota_manifest_patch_best(p, true);
        p->disagree_entry_ = -1;
    }
}

/** The '}' of an entry: required fields, then the erase list or the update. */
static void manifest_entry_end(parser_t *p)
{
    uint32_t seen = p->entry_.seen;
    bool erase = p->entry_.erase;
    uint32_t at = p->entry_.start;
    bool files_only = !(seen & (1u << F_VERSION)) && p->entry_.files;
    if (files_only) {
        /* The original's File Download entry: its files are in the plan already. */
    } else if (!(seen & (1u << F_VERSION))) {
        manifest_entry_fault(p, OTA_MANIFEST_ERR_MISSING_VERSION, at);
    } else if (!erase && !(seen & (1u << F_URL))) {
        manifest_entry_fault(p, OTA_MANIFEST_ERR_MISSING_URL, at);
    } else if (!erase && !(seen & (1u << F_DIGEST))) {
        manifest_entry_fault(p, OTA_MANIFEST_ERR_MISSING_DIGEST, at);
    }
    if (p->fault_[K_ENTRY] == OTA_MANIFEST_OK) {
        p->plan_->entry_count++;
        if (files_only) {
            /* nothing to erase or download */
        } else if (!manifest_for_this_board(p)) {
            p->plan_->other_hw_entries += erase ? 0u : 1u;
        } else if (erase) {
            manifest_add_erase(p); /* an erase is for every device: Rollout stages updates */
        } else if (!manifest_in_rollout(p)) {
            p->plan_->other_rollout_entries++;
        } else {
            manifest_offer_update(p);
        }
    }
    p->entry_open_ = false;
    p->entry_index_++;
}

/* ---- values ----------------------------------------------------------------------------- */

/** What a field's value is refused with when it is not what the field takes. */
static ota_manifest_status_t manifest_field_error(uint32_t field)
{
    static const int8_t ERR[F_COUNT] = {
        [F_VERSION] = OTA_MANIFEST_ERR_VERSION, [F_URL] = OTA_MANIFEST_ERR_URL_TYPE,
        [F_DIGEST] = OTA_MANIFEST_ERR_DIGEST,   [F_ERASE] = OTA_MANIFEST_ERR_ERASE_VER,
        [F_SIZE] = OTA_MANIFEST_ERR_SIZE,       [F_HW_ID] = OTA_MANIFEST_ERR_HW_ID,
        [F_ROLLOUT] = OTA_MANIFEST_ERR_ROLLOUT,
#if OTA_RAW_IMAGES
        [F_SIGNATURE] = OTA_MANIFEST_ERR_SIGNATURE,
#endif
    };
    return (ota_manifest_status_t)ERR[field];
}

/** A number just ended: an integer field or a top-level freshness field takes it. */
static void manifest_number_value(parser_t *p, uint32_t role)
{
    /* A positive integer written as plain digits: not '-', '.', 'e'. */
    bool ok = p->number_plain_ && !p->number_over_ && p->number_ != 0u;
    bool fits32 = ok && p->number_ <= UINT32_MAX;
    uint32_t v32 = fits32 ? (uint32_t)p->number_ : 0u;
    switch (role) {
    case R_SEQUENCE:
        p->plan_->sequence = v32;
        if (!fits32) {
            manifest_fault(p, K_TOP, OTA_MANIFEST_ERR_SEQUENCE, p->key_start_);
        }
        return;
    case R_EXPIRES:
        p->plan_->expires = ok ? p->number_ : 0u;
        if (!ok) {
            manifest_fault(p, K_TOP, OTA_MANIFEST_ERR_EXPIRES, p->key_start_);
        }
        return;
    case R_FIELD + F_VERSION: p->entry_.version = v32; break;
    case R_FIELD + F_SIZE: p->entry_.size = v32; break;
    case R_FIELD + F_HW_ID: p->entry_.hw_id = v32; break;
    case R_FIELD + F_ROLLOUT: /* a percentage: 0 is one too */
        if (p->number_plain_ && !p->number_over_ && p->number_ <= 100u) {
            p->entry_.rollout = (uint8_t)p->number_;
        } else {
            manifest_entry_fault(p, OTA_MANIFEST_ERR_ROLLOUT, p->value_start_);
        }
        return;
    default:
        ota_manifest_files_number(p, role);
        ota_manifest_patch_number(p, role);
        return;
    }
    if (!fits32) {
        manifest_entry_fault(p, manifest_field_error(role - R_FIELD), p->value_start_);
    }
}

/**
 * A value begins with byte c at `at` (for a string, `at` is its first character, after the
 * quote, as the errors report it). Decides what can be decided from its type.
 */
static void manifest_value_begins(parser_t *p, unsigned char c, uint32_t at)
{
    uint32_t role = p->value_role_;
    p->role_ = (uint8_t)role;
    p->value_start_ = at;
    bool number = c == '-' || manifest_is_digit(c);
    switch (role) {
    case R_OTA:
        if (c == '[') {
            p->ota_state_ = OTA_OPEN;
        } else {
            p->ota_state_ = OTA_NOT_ARRAY;
            p->ota_offset_ = at;
        }
        break;
    case R_SEQUENCE:
    case R_EXPIRES:
        if (!number) {
            manifest_fault(p, K_TOP,
                           role == R_SEQUENCE ? OTA_MANIFEST_ERR_SEQUENCE
                                              : OTA_MANIFEST_ERR_EXPIRES,
                           p->key_start_);
        }
        break;
    case R_ENTRY:
        if (p->fault_[K_ENTRY] != OTA_MANIFEST_OK) {
            break; /* after the first bad entry, entries are only checked as JSON */
        }
        if (c == '{') {
            memset(&p->entry_, 0, sizeof(p->entry_));
            p->entry_.start = at;
            p->entry_.rollout = 100u;
            p->entry_open_ = true;
            ota_manifest_patch_entry_begins(p);
        } else {
            manifest_fault(p, K_ENTRY, OTA_MANIFEST_ERR_ENTRY_NOT_OBJECT, at);
            p->entry_index_++;
        }
        break;
    case R_FIELD + F_ERASE:
        if (c == 't' || c == 'f') {
            p->entry_.erase = c == 't';
        } else {
            manifest_entry_fault(p, OTA_MANIFEST_ERR_ERASE_VER, at);
        }
        break;
#if OTA_RAW_IMAGES
    case R_FIELD + F_SIGNATURE:
        ota_base64_begin(&p->sig_b64_);
        if (c != '"') {
            manifest_entry_fault(p, OTA_MANIFEST_ERR_SIGNATURE, at);
        }
        break;
#endif
    case R_FIELD + F_URL:
    case R_FIELD + F_DIGEST:
        if (c != '"') {
            manifest_entry_fault(p, manifest_field_error(role - R_FIELD), at);
        }
        break;
    case R_FIELD + F_VERSION:
    case R_FIELD + F_SIZE:
    case R_FIELD + F_HW_ID:
    case R_FIELD + F_ROLLOUT:
        if (!number) {
            manifest_entry_fault(p, manifest_field_error(role - R_FIELD), at);
        }
        break;
    default:
        ota_manifest_files_value_begins(p, role, c, at);
        ota_manifest_patch_value_begins(p, role, c, at);
        break;
    }
}

/** A key just ended: which field's value comes next (and is it there twice?). */
static void manifest_key_end(parser_t *p)
{
    uint32_t role = R_NONE;
    uint32_t len = p->key_len_;
    if (p->role_ == R_TOP_KEY) {
        if (len == 3u && memcmp(p->key_, "ota", 3) == 0) {
            role = R_OTA;
            if (p->ota_state_ != OTA_ABSENT) {
                manifest_fault(p, K_TOP, OTA_MANIFEST_ERR_DUPLICATE_KEY, p->value_start_);
                role = R_NONE;
            }
        } else if (len == 8u && memcmp(p->key_, "Sequence", 8) == 0) {
            role = R_SEQUENCE;
        } else if (len == 7u && memcmp(p->key_, "Expires", 7) == 0) {
            role = R_EXPIRES;
        }
        if (role == R_SEQUENCE || role == R_EXPIRES) {
            bool *seen = role == R_SEQUENCE ? &p->plan_->has_sequence : &p->plan_->has_expires;
            p->key_start_ = p->value_start_;
            if (*seen) {
                manifest_fault(p, K_TOP, OTA_MANIFEST_ERR_DUPLICATE_KEY, p->value_start_);
                role = R_NONE;
            }
            *seen = true;
        }
    } else if (p->role_ == R_ENTRY_KEY) {
        for (uint32_t n = 0; n < F_COUNT; n++) {
            if (strlen(FIELDS[n]) != len || memcmp(p->key_, FIELDS[n], len) != 0) {
                continue;
            }
            if (p->entry_.seen & (1u << n)) {
                manifest_entry_fault(p, OTA_MANIFEST_ERR_DUPLICATE_KEY, p->value_start_);
            } else {
                p->entry_.seen = (uint8_t)(p->entry_.seen | (1u << n));
                role = R_FIELD + n;
            }
        }
        if (role == R_NONE) {
            role = ota_manifest_files_key(p);
        }
        if (role == R_NONE) {
            role = ota_manifest_patch_key(p);
        }
    } else if (OTA_FILE_SLOTS && p->role_ == MANIFEST_R_FILE_KEY) {
        role = ota_manifest_files_key(p);
    } else if (OTA_DELTA_PATCHES && p->role_ == MANIFEST_R_PATCH_KEY) {
        role = ota_manifest_patch_key(p);
    }
    p->value_role_ = (uint8_t)role;
}

/* ---- strings ---------------------------------------------------------------------------- */

/** A character of a string as written (escapes undecoded): keys and Digest are compared and
 *  read as written. */
static void manifest_string_raw(parser_t *p, unsigned char c)
{
    /* (The files' and patches' keys come only with their options.) */
    if (p->role_ == R_TOP_KEY || p->role_ == R_ENTRY_KEY ||
        (OTA_FILE_SLOTS && p->role_ == MANIFEST_R_FILE_KEY) ||
        (OTA_DELTA_PATCHES && p->role_ == MANIFEST_R_PATCH_KEY)) {
        if (p->key_len_ < sizeof(p->key_)) {
            p->key_[p->key_len_] = (char)c;
        }
        p->key_len_ = (uint8_t)(p->key_len_ + (p->key_len_ <= sizeof(p->key_) ? 1u : 0u));
    } else if (p->role_ == R_FIELD + F_DIGEST) {
        uint32_t n = p->entry_.digest_len;
        if (!ota_manifest_digest_digit(p->entry_.digest, n, c)) {
            manifest_entry_fault(p, OTA_MANIFEST_ERR_DIGEST, p->value_start_);
            return;
        }
        p->entry_.digest_len = (uint16_t)(n + 1u);
    } else {
        ota_manifest_files_string_raw(p, c);
        ota_manifest_patch_string_raw(p, c);
    }
}

/** A UTF-16 code unit of a string, escapes decoded: the URL is read unescaped. */
static void manifest_string_unit(parser_t *p, uint32_t unit)
{
#if OTA_RAW_IMAGES
    /* Decoded, so that a writer that escapes '/' as "\/" is read as written. */
    if (p->role_ == R_FIELD + F_SIGNATURE) {
        if (unit > 0x7Fu || !ota_base64_feed(&p->sig_b64_, (unsigned char)unit,
                                             p->entry_.signature, sizeof(p->entry_.signature))) {
            manifest_entry_fault(p, OTA_MANIFEST_ERR_SIGNATURE, p->value_start_);
        }
        return;
    }
#endif
    if (p->role_ != R_FIELD + F_URL) {
        ota_manifest_files_string_unit(p, unit);
        ota_manifest_patch_string_unit(p, unit);
        return;
    }
    if (unit < 0x21u || unit > 0x7Eu) {
        manifest_entry_fault(p, OTA_MANIFEST_ERR_URL_CHAR, p->value_start_);
    } else if (p->entry_.url_len >= OTA_MANIFEST_URL_MAX) {
        manifest_entry_fault(p, OTA_MANIFEST_ERR_URL_TOO_LONG, p->value_start_);
    } else {
        p->entry_.url[p->entry_.url_len++] = (char)unit;
    }
}

static void manifest_value_end(parser_t *p);

static void manifest_string_end(parser_t *p)
{
    p->lex_ = L_NONE;
    if (p->want_ == W_KEY) {
        if (p->role_ != R_NONE) {
            manifest_key_end(p);
        }
        p->want_ = W_COLON;
        return;
    }
    if (p->role_ == R_FIELD + F_URL && p->entry_.url_len == 0u) {
        manifest_entry_fault(p, OTA_MANIFEST_ERR_URL_EMPTY, p->value_start_);
    }
    if (p->role_ == R_FIELD + F_DIGEST && p->entry_.digest_len != 2u * OTA_SHA256_SIZE) {
        manifest_entry_fault(p, OTA_MANIFEST_ERR_DIGEST, p->value_start_);
    }
    ota_manifest_files_string_end(p);
    ota_manifest_patch_string_end(p);
#if OTA_RAW_IMAGES
    size_t sig_len = 0;
    if (p->role_ == R_FIELD + F_SIGNATURE &&
        (!ota_base64_end(&p->sig_b64_, &sig_len) || sig_len != OTA_RAW_SIG_SIZE)) {
        manifest_entry_fault(p, OTA_MANIFEST_ERR_SIGNATURE, p->value_start_);
    }
#endif
    manifest_value_end(p);
}

/** A byte inside a string: no raw control character, only the escapes RFC 8259 defines. */
static void manifest_string_byte(parser_t *p, unsigned char c, uint32_t at)
{
    static const char ESCAPES[] = "\"\\/bfnrt";
    static const uint8_t UNITS[] = {'"', '\\', '/', 0x08u, 0x0Cu, 0x0Au, 0x0Du, 0x09u};
    if (p->lex_ == L_STRING) {
        if (c == '"') {
            manifest_string_end(p);
            return;
        }
        if (c < 0x20u) {
            manifest_syntax(p, OTA_MANIFEST_ERR_JSON, at);
            return;
        }
        manifest_string_raw(p, c);
        if (c == '\\') {
            p->lex_ = L_ESCAPE;
        } else {
            manifest_string_unit(p, c);
        }
        return;
    }
    manifest_string_raw(p, c);
    if (p->lex_ == L_ESCAPE) {
        const char *e = c != 0u ? strchr(ESCAPES, c) : NULL;
        if (c == 'u') {
            p->lex_ = L_HEX;
            p->hex_left_ = 4;
            p->hex_ = 0;
        } else if (e != NULL) {
            p->lex_ = L_STRING;
            manifest_string_unit(p, UNITS[e - ESCAPES]);
        } else {
            manifest_syntax(p, OTA_MANIFEST_ERR_JSON, at);
        }
        return;
    }
    int h = manifest_hex_value(c); /* L_HEX */
    if (h < 0) {
        manifest_syntax(p, OTA_MANIFEST_ERR_JSON, at);
        return;
    }
    p->hex_ = (uint16_t)(((uint32_t)p->hex_ << 4) | (uint32_t)h);
    if (--p->hex_left_ == 0u) {
        p->lex_ = L_STRING;
        manifest_string_unit(p, p->hex_);
    }
}

/* ---- numbers and literals --------------------------------------------------------------- */

/** A byte that continues the number; false: the number ended before it. */
static bool manifest_number_byte(parser_t *p, unsigned char c)
{
    bool digit = manifest_is_digit(c);
    bool e = c == 'e' || c == 'E';
    uint8_t next = 0;
    switch (p->lit_) {
    case N_MINUS: next = c == '0' ? N_ZERO : digit ? N_INT : 0; break;
    case N_ZERO: next = c == '.' ? N_DOT : e ? N_E : 0; break;
    case N_INT: next = digit ? N_INT : c == '.' ? N_DOT : e ? N_E : 0; break;
    case N_DOT: next = digit ? N_FRAC : 0; break;
    case N_FRAC: next = digit ? N_FRAC : e ? N_E : 0; break;
    case N_E: next = (c == '+' || c == '-') ? N_ESIGN : digit ? N_EXP : 0; break;
    case N_ESIGN:
    case N_EXP: next = digit ? N_EXP : 0; break;
    default: break;
    }
    if (next == 0u) {
        return false;
    }
    if (next == N_INT && p->lit_ != N_MINUS) {
        /* number * 10 + d fits 64 bits, checked without a 64-bit division (no libgcc call). */
        uint64_t d = (uint64_t)(c - '0');
        uint64_t top = UINT64_MAX / 10u; /* a constant: folded by the compiler */
        p->number_over_ = p->number_over_ || p->number_ > top ||
                          (p->number_ == top && d > UINT64_MAX % 10u);
        p->number_ = p->number_ * 10u + d;
    } else {
        p->number_plain_ = false;
    }
    p->lit_ = next;
    return true;
}

static void manifest_number_end(parser_t *p)
{
    p->lex_ = L_NONE;
    if (p->lit_ != N_ZERO && p->lit_ != N_INT && p->lit_ != N_FRAC && p->lit_ != N_EXP) {
        manifest_syntax(p, OTA_MANIFEST_ERR_JSON, p->value_start_);
        return;
    }
    manifest_number_value(p, p->role_);
    manifest_value_end(p);
}

static const char *const LITERALS[] = {"true", "false", "null"};

static void manifest_literal_byte(parser_t *p, unsigned char c)
{
    const char *lit = LITERALS[p->lit_];
    if ((unsigned char)lit[p->lit_pos_] != c) {
        manifest_syntax(p, OTA_MANIFEST_ERR_JSON, p->value_start_);
        return;
    }
    if (lit[++p->lit_pos_] == '\0') {
        p->lex_ = L_NONE;
        manifest_value_end(p);
    }
}

/* ---- structure -------------------------------------------------------------------------- */

static bool manifest_in_object(const parser_t *p)
{
    return p->depth_ > 0u && ((p->object_bits_ >> (p->depth_ - 1u)) & 1u) != 0;
}

static void manifest_value_end(parser_t *p)
{
    p->want_ = p->depth_ == 0u ? W_END : W_AFTER;
}

static void manifest_open(parser_t *p, bool object, uint32_t at)
{
    uint32_t max_depth = p->max_depth;
    if (max_depth == 0u || max_depth > OTA_MANIFEST_MAX_DEPTH_LIMIT) {
        max_depth = OTA_MANIFEST_MAX_DEPTH_LIMIT;
    }
    if (p->depth_ >= max_depth) {
        manifest_syntax(p, OTA_MANIFEST_ERR_TOO_DEEP, at);
        return;
    }
    uint64_t bit = (uint64_t)1u << p->depth_;
    p->object_bits_ = object ? (p->object_bits_ | bit) : (p->object_bits_ & ~bit);
    p->depth_++;
    p->want_ = object ? W_FIRST_KEY : W_FIRST_VALUE;
}

static void manifest_close(parser_t *p)
{
    OTA_ASSERT(p->depth_ > 0u); /* a closer is taken only inside a container */
    if (p->depth_ == ENTRY_DEPTH && p->entry_open_) {
        manifest_entry_end(p);
    } else if (p->depth_ == ENTRY_DEPTH - 1u && p->ota_state_ == OTA_OPEN) {
        p->ota_state_ = OTA_CLOSED;
    } else {
        ota_manifest_files_close(p);
        ota_manifest_patch_close(p);
    }
    p->depth_--;
    manifest_value_end(p);
}

/** What the next value (or key) is, from where the reader stands. */
static uint32_t manifest_role_here(const parser_t *p, bool key)
{
    if (p->depth_ == 1u) {
        return key ? R_TOP_KEY : p->value_role_;
    }
    if (p->depth_ == ENTRY_DEPTH - 1u && p->ota_state_ == OTA_OPEN) {
        return R_ENTRY;
    }
    if (p->depth_ == ENTRY_DEPTH && p->entry_open_) {
        return key ? R_ENTRY_KEY : p->value_role_;
    }
    if (!p->entry_open_) {
        return R_NONE;
    }
    uint32_t role = ota_manifest_files_role_here(p, key);
    return role != R_NONE ? role : ota_manifest_patch_role_here(p, key);
}

static void manifest_value_byte(parser_t *p, unsigned char c, uint32_t at)
{
    p->value_role_ = (uint8_t)manifest_role_here(p, false);
    if (c == '"') {
        manifest_value_begins(p, c, at + 1u);
        p->lex_ = L_STRING;
    } else if (c == '{' || c == '[') {
        manifest_value_begins(p, c, at);
        manifest_open(p, c == '{', at);
    } else if (c == '-' || manifest_is_digit(c)) {
        manifest_value_begins(p, c, at);
        p->lex_ = L_NUMBER;
        p->lit_ = (uint8_t)(c == '-' ? N_MINUS : c == '0' ? N_ZERO : N_INT);
        p->number_ = c == '-' ? 0u : (uint64_t)(c - '0');
        p->number_plain_ = c != '-';
        p->number_over_ = false;
    } else if (c == 't' || c == 'f' || c == 'n') {
        manifest_value_begins(p, c, at);
        p->lex_ = L_LITERAL;
        p->lit_ = (uint8_t)(c == 't' ? 0u : c == 'f' ? 1u : 2u);
        p->lit_pos_ = 1;
    } else {
        manifest_syntax(p, OTA_MANIFEST_ERR_JSON, at);
    }
}

/** A byte between tokens: whitespace, a separator, a bracket, or the start of a token. */
static void manifest_struct_byte(parser_t *p, unsigned char c, uint32_t at)
{
    if (p->want_ == W_BOM1 || p->want_ == W_BOM2) {
        if (c != (p->want_ == W_BOM1 ? 0xBBu : 0xBFu)) {
            manifest_syntax(p, OTA_MANIFEST_ERR_NOT_OBJECT, 0);
        }
        p->bom_ = p->want_ == W_BOM2 ? 3u : 0u;
        p->want_ = p->want_ == W_BOM1 ? W_BOM2 : W_START;
        return;
    }
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        return;
    }
    char closer = manifest_in_object(p) ? '}' : ']';
    if (p->want_ == W_FIRST_KEY || p->want_ == W_FIRST_VALUE) {
        if (c == closer) {
            manifest_close(p);
            return;
        }
        p->want_ = p->want_ == W_FIRST_KEY ? W_KEY : W_VALUE;
    }
    switch (p->want_) {
    case W_START:
        if (c == 0xEFu && at == 0u) {
            p->want_ = W_BOM1;
        } else if (c == '{') {
            manifest_open(p, true, at);
        } else {
            /* A document that is not an object is named so even when it is not JSON. */
            manifest_syntax(p, OTA_MANIFEST_ERR_NOT_OBJECT, at);
        }
        return;
    case W_KEY:
        if (c != '"') {
            break;
        }
        p->role_ = (uint8_t)manifest_role_here(p, true);
        p->value_start_ = at + 1u;
        p->key_len_ = 0;
        p->lex_ = L_STRING;
        return;
    case W_COLON:
        if (c != ':') {
            break;
        }
        p->want_ = W_VALUE;
        return;
    case W_AFTER:
        if (c == ',') {
            p->want_ = closer == '}' ? W_KEY : W_VALUE;
        } else if (c == closer) {
            manifest_close(p);
        } else {
            break;
        }
        return;
    case W_VALUE: manifest_value_byte(p, c, at); return;
    default: break; /* W_END: only whitespace may follow (a NUL byte is not whitespace) */
    }
    manifest_syntax(p, OTA_MANIFEST_ERR_JSON, at);
}

static void manifest_byte(parser_t *p, unsigned char c, uint32_t at)
{
    switch (p->lex_) {
    case L_STRING:
    case L_ESCAPE:
    case L_HEX: manifest_string_byte(p, c, at); return;
    case L_LITERAL: manifest_literal_byte(p, c); return;
    case L_NUMBER:
        if (manifest_number_byte(p, c)) {
            return;
        }
        manifest_number_end(p);
        if (p->fault_[K_SYNTAX] != OTA_MANIFEST_OK) {
            return;
        }
        break; /* the byte after the number is a separator or a bracket */
    default: break;
    }
    manifest_struct_byte(p, c, at);
}

/* ---- public ----------------------------------------------------------------------------- */

/** Ready for a pass over the text: the plan cleared but for the erase list when `keep`. */
static void manifest_rewind(parser_t *p, bool keep_erase_list)
{
    ota_manifest_plan_t *plan = p->plan_;
    uint32_t erase_count = plan->erase_count;
    uint32_t erase[OTA_MANIFEST_ERASE_MAX];
    memcpy(erase, plan->erase_versions, sizeof(erase));
    memset(plan, 0, sizeof(*plan));
    if (keep_erase_list) {
        plan->erase_count = erase_count;
        memcpy(plan->erase_versions, erase, sizeof(erase));
    }
    /* Everything from the state machine on, and nothing before it (limits, device, plan). */
    memset(&p->object_bits_, 0, sizeof(*p) - offsetof(parser_t, object_bits_));
    p->error_offset = 0;
    p->error_entry = -1;
    p->fault_entry_ = -1;
    p->disagree_entry_ = -1;
    ota_manifest_patch_best(p, false);
}

ota_manifest_status_t (ota_manifest_begin)(ota_manifest_parser_t *parser,
                                         const ota_manifest_device_t *device,
                                         ota_manifest_plan_t *plan)
{
    if (plan != NULL) {
        memset(plan, 0, sizeof(*plan));
    }
    if (parser == NULL || device == NULL || plan == NULL) {
        return OTA_MANIFEST_ERR_ARG;
    }
    parser->device_ = *device;
    parser->plan_ = plan;
    manifest_rewind(parser, false);
    return OTA_MANIFEST_OK;
}

void ota_manifest_feed(ota_manifest_parser_t *parser, const void *data, size_t len)
{
    if (parser == NULL || data == NULL || parser->plan_ == NULL) {
        return;
    }
    const unsigned char *b = data;
    for (size_t i = 0; i < len && parser->fault_[K_SYNTAX] == OTA_MANIFEST_OK; i++) {
        if (parser->pos_ >= parser->max_size) {
            manifest_syntax(parser, OTA_MANIFEST_ERR_TOO_LARGE, parser->pos_);
            break;
        }
        manifest_byte(parser, b[i], parser->pos_);
        parser->pos_++;
    }
}

ota_manifest_status_t ota_manifest_end(ota_manifest_parser_t *parser)
{
    if (parser == NULL || parser->plan_ == NULL) {
        return OTA_MANIFEST_ERR_ARG;
    }
    parser_t *p = parser;
    if (p->want_ == W_BOM1 || p->want_ == W_BOM2) {
        manifest_syntax(p, OTA_MANIFEST_ERR_NOT_OBJECT, 0);
    } else if (p->want_ != W_END || p->lex_ != L_NONE) {
        manifest_syntax(p, OTA_MANIFEST_ERR_JSON, p->pos_); /* the text ended early */
    }
    if (p->pass_ != 0u && p->pos_ != p->first_len_) {
        manifest_fault(p, K_SYNTAX, OTA_MANIFEST_ERR_CHANGED, 0);
    }
    if (p->fault_[K_SYNTAX] == OTA_MANIFEST_OK && p->fault_[K_TOP] == OTA_MANIFEST_OK &&
        p->ota_state_ != OTA_CLOSED) {
        /* Where "ota" is not an array; 0 (after any BOM) when it is absent. */
        manifest_fault(p, K_TOP, OTA_MANIFEST_ERR_NO_OTA,
                       p->ota_state_ == OTA_ABSENT ? p->bom_ : p->ota_offset_);
    }
    ota_manifest_status_t st = OTA_MANIFEST_OK;
    for (uint32_t k = K_SYNTAX; k <= K_ENTRY && st == OTA_MANIFEST_OK; k++) {
        st = (ota_manifest_status_t)p->fault_[k];
        p->error_offset = p->fault_offset_[k];
        p->error_entry = k == K_ENTRY ? p->fault_entry_ : -1;
    }
    if (st == OTA_MANIFEST_OK && p->again_ && p->pass_ == 0u) {
        uint32_t len = p->pos_;
        manifest_rewind(p, true);
        p->pass_ = 1;
        p->first_len_ = len;
        return OTA_MANIFEST_AGAIN;
    }
    if (st == OTA_MANIFEST_OK && p->disagree_entry_ >= 0) {
        st = OTA_MANIFEST_ERR_AMBIGUOUS;
        p->error_entry = p->disagree_entry_;
        p->error_offset = p->disagree_offset_;
    }
    if (st == OTA_MANIFEST_OK) {
        p->error_offset = 0;
        p->error_entry = -1;
    } else {
        memset(p->plan_, 0, sizeof(*p->plan_));
        ota_manifest_patch_best(p, false);
    }
    p->plan_ = NULL; /* the next manifest starts with ota_manifest_begin() */
    return st;
}

/* Name in parentheses: the header's macro of that name adds the link-time layout check. */
ota_manifest_status_t (ota_manifest_select)(ota_manifest_parser_t *parser, const char *json,
                                          size_t len, const ota_manifest_device_t *device,
                                          ota_manifest_plan_t *plan)
{
    ota_manifest_status_t st = ota_manifest_begin(parser, device, plan);
    if (st != OTA_MANIFEST_OK || json == NULL) {
        if (parser != NULL) {
            parser->plan_ = NULL;
        }
        return OTA_MANIFEST_ERR_ARG;
    }
    if (len > parser->max_size) {
        /* Refused unread, so a caller's buffer length alone decides. */
        parser->error_offset = 0;
        parser->plan_ = NULL;
        return OTA_MANIFEST_ERR_TOO_LARGE;
    }
    do {
        ota_manifest_feed(parser, json, len);
        st = ota_manifest_end(parser);
    } while (st == OTA_MANIFEST_AGAIN);
    return st;
}

void ota_manifest_parser_init(ota_manifest_parser_t *parser)
{
    if (parser == NULL) {
        return;
    }
    memset(parser, 0, sizeof(*parser));
    parser->max_size = OTA_MANIFEST_MAX_SIZE_DEFAULT;
    parser->max_depth = OTA_MANIFEST_MAX_DEPTH_DEFAULT;
    parser->error_entry = -1;
}

const char *ota_manifest_status_str(ota_manifest_status_t status)
{
    OTA_STATUS_TEXT_OFF(status);
    switch (status) {
    case OTA_MANIFEST_AGAIN: return "feed the manifest once more";
    case OTA_MANIFEST_OK: return "ok";
    case OTA_MANIFEST_ERR_ARG: return "invalid argument";
    case OTA_MANIFEST_ERR_TOO_LARGE: return "manifest too large";
    case OTA_MANIFEST_ERR_JSON: return "invalid JSON";
    case OTA_MANIFEST_ERR_CHANGED: return "manifest changed between two reads";
    case OTA_MANIFEST_ERR_TOO_DEEP: return "JSON nested too deep";
    case OTA_MANIFEST_ERR_NOT_OBJECT: return "top level is not an object";
    case OTA_MANIFEST_ERR_NO_OTA: return "no \"ota\" array";
    case OTA_MANIFEST_ERR_DUPLICATE_KEY: return "duplicate key";
    case OTA_MANIFEST_ERR_ENTRY_NOT_OBJECT: return "entry is not an object";
    case OTA_MANIFEST_ERR_MISSING_VERSION: return "entry without Version";
    case OTA_MANIFEST_ERR_MISSING_URL: return "entry without URL";
    case OTA_MANIFEST_ERR_MISSING_DIGEST: return "entry without Digest";
    case OTA_MANIFEST_ERR_VERSION: return "Version not an integer 1..4294967295";
    case OTA_MANIFEST_ERR_URL_TYPE: return "URL is not a string";
    case OTA_MANIFEST_ERR_URL_EMPTY: return "URL is empty";
    case OTA_MANIFEST_ERR_URL_TOO_LONG: return "URL too long";
    case OTA_MANIFEST_ERR_URL_CHAR: return "URL has a forbidden character";
    case OTA_MANIFEST_ERR_DIGEST: return "Digest not 64 hex digits";
    case OTA_MANIFEST_ERR_ERASE_VER: return "EraseVer not a boolean";
    case OTA_MANIFEST_ERR_SIZE: return "Size not an integer 1..4294967295";
    case OTA_MANIFEST_ERR_TOO_MANY_ERASE: return "too many EraseVer versions";
    case OTA_MANIFEST_ERR_AMBIGUOUS: return "entries for the chosen version disagree";
    case OTA_MANIFEST_ERR_HW_ID: return "HwId not an integer 1..4294967295";
    case OTA_MANIFEST_ERR_SEQUENCE: return "Sequence not an integer 1..4294967295";
    case OTA_MANIFEST_ERR_EXPIRES: return "Expires not a positive integer (UTC seconds)";
    case OTA_MANIFEST_ERR_FILE_SLOT: return "slot_number not an integer 0..255";
    case OTA_MANIFEST_ERR_FILE_LENGTH: return "length not an integer 1..4294967295";
    case OTA_MANIFEST_ERR_FILE_SIGNATURE: return "Signature not base64 of 64 bytes";
    case OTA_MANIFEST_ERR_FILE_ENTRY: return "file entry not kept (not an object, or too many)";
    case OTA_MANIFEST_ERR_SIGNATURE: return "Signature not base64 of a 64-byte r||s";
    case OTA_MANIFEST_ERR_ROLLOUT: return "Rollout not an integer 0..100";
    case OTA_MANIFEST_ERR_PATCH: return "Patch not an array of well-formed patch objects";
    }
    return "unknown manifest status";
}
