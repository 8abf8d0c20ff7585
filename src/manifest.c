/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Manifest parsing and update selection.
 *
 * Three steps over the caller's buffer, none recursive:
 *  1. jsmn splits the text into tokens (in the caller's token storage);
 *  2. manifest_check_grammar() walks text and tokens together and accepts only RFC 8259 JSON: jsmn,
 *     even in strict mode, accepts missing or trailing commas, "tru", "01", raw control
 *     characters in strings and several top-level values;
 *  3. the entries are read twice: once to validate all of them and collect the erase list,
 *     once to choose the update (which must skip every version that is to be erased).
 *
 * jsmn is built with JSMN_PARENT_LINKS: without them jsmn finds the container a closing
 * bracket or a comma belongs to by scanning back over all tokens, which makes inputs such as
 * [[],[],...] cost O(tokens^2); with them it is O(depth). The price is 4 bytes per token.
 */
#define JSMN_STATIC
#define JSMN_STRICT
#define JSMN_PARENT_LINKS
#include <jsmn.h>

#include <string.h>

#include "num_text.h"
#include "otaflow/manifest.h"
#include "ota_assert.h"

_Static_assert(sizeof(jsmntok_t) == sizeof(ota_manifest_token_t),
               "ota_manifest_token_t must have the size of jsmntok_t");
_Static_assert(_Alignof(jsmntok_t) <= _Alignof(ota_manifest_token_t),
               "ota_manifest_token_t must be aligned for jsmntok_t");

#define NO_TOKEN UINT32_MAX
#define POS_MAX 0x7FFFFFFFu /* jsmn keeps positions in int */

/** The manifest being read: text (after any BOM) and its tokens. */
typedef struct doc {
    const char *js;
    uint32_t len;
    const jsmntok_t *tok;
    uint32_t count;
} doc_t;

/** Where an error was found, written back to the parser at the end. */
typedef struct fault {
    uint32_t offset;
    int32_t entry;
} fault_t;

static uint32_t manifest_tok_start(const doc_t *d, uint32_t i)
{
    OTA_ASSERT(i < d->count); /* only tokens the tokenizer filled */
    return (uint32_t)d->tok[i].start;
}
static uint32_t manifest_tok_end(const doc_t *d, uint32_t i)
{
    OTA_ASSERT(i < d->count);
    return (uint32_t)d->tok[i].end;
}
static uint32_t manifest_tok_len(const doc_t *d, uint32_t i)
{
    return manifest_tok_end(d, i) - manifest_tok_start(d, i);
}

static bool manifest_tok_is(const doc_t *d, uint32_t i, const char *text)
{
    size_t n = strlen(text);
    return manifest_tok_len(d, i) == n && memcmp(d->js + manifest_tok_start(d, i), text, n) == 0;
}

static bool manifest_is_digit(char c)
{
    return c >= '0' && c <= '9';
}
static bool manifest_is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int manifest_hex_value(char c)
{
    if (c >= '0' && c <= '9') {
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

static uint32_t manifest_skip_ws(const doc_t *d, uint32_t pos)
{
    while (pos < d->len && manifest_is_ws(d->js[pos])) {
        pos++;
    }
    return pos;
}

/* ---- step 2: grammar ------------------------------------------------------------------ */

/** A JSON number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? over [k, end). */
static bool manifest_is_number(const char *js, uint32_t k, uint32_t end)
{
    if (k < end && js[k] == '-') {
        k++;
    }
    if (k >= end || !manifest_is_digit(js[k])) {
        return false;
    }
    if (js[k++] != '0') {
        while (k < end && manifest_is_digit(js[k])) {
            k++;
        }
    }
    if (k < end && js[k] == '.') {
        if (++k >= end || !manifest_is_digit(js[k])) {
            return false;
        }
        while (k < end && manifest_is_digit(js[k])) {
            k++;
        }
    }
    if (k < end && (js[k] == 'e' || js[k] == 'E')) {
        k++;
        if (k < end && (js[k] == '+' || js[k] == '-')) {
            k++;
        }
        if (k >= end || !manifest_is_digit(js[k])) {
            return false;
        }
        while (k < end && manifest_is_digit(js[k])) {
            k++;
        }
    }
    return k == end;
}

static bool manifest_primitive_ok(const doc_t *d, uint32_t i)
{
    return manifest_tok_is(d, i, "true") || manifest_tok_is(d, i, "false") ||
           manifest_tok_is(d, i, "null") ||
           manifest_is_number(d->js, manifest_tok_start(d, i), manifest_tok_end(d, i));
}

/** String body: no raw control character, only the escapes RFC 8259 defines. */
static bool manifest_string_ok(const doc_t *d, uint32_t i)
{
    uint32_t end = manifest_tok_end(d, i);
    if (end >= d->len || d->js[end] != '"') {
        return false;
    }
    for (uint32_t k = manifest_tok_start(d, i); k < end; k++) {
        unsigned char c = (unsigned char)d->js[k];
        if (c < 0x20u) {
            return false;
        }
        if (c != '\\') {
            continue;
        }
        if (++k >= end) {
            return false;
        }
        if (d->js[k] == 'u') {
            for (uint32_t h = 0; h < 4u; h++) {
                if (++k >= end || manifest_hex_value(d->js[k]) < 0) {
                    return false;
                }
            }
        } else if (strchr("\"\\/bfnrt", d->js[k]) == NULL || d->js[k] == '\0') {
            return false;
        }
    }
    return true;
}

enum want { WANT_VALUE, WANT_KEY, WANT_COLON, WANT_FIRST_KEY, WANT_FIRST_VALUE, AFTER_VALUE };

/**
 * Walk the text and the tokens together; every value must start exactly where its token says,
 * every separator must be where the grammar puts it, and nothing but whitespace may follow
 * the top-level value. The container types of the open levels are kept one bit each.
 */
static ota_manifest_status_t manifest_check_grammar(const doc_t *d, uint32_t max_depth, fault_t *f)
{
    enum want want = WANT_VALUE;
    uint64_t object_bits = 0; /* bit n set: level n+1 is an object */
    uint32_t depth = 0;
    uint32_t pos = 0;
    uint32_t i = 0;

    for (;;) {
        pos = manifest_skip_ws(d, pos);
        f->offset = pos;
        if (want == AFTER_VALUE && depth == 0) {
            break;
        }
        if (pos >= d->len) {
            return OTA_MANIFEST_ERR_JSON;
        }
        char c = d->js[pos];
        bool in_object = depth > 0 && ((object_bits >> (depth - 1u)) & 1u) != 0;
        char closer = in_object ? '}' : ']';

        if (want == WANT_FIRST_KEY || want == WANT_FIRST_VALUE) {
            if (c == closer) {
                depth--;
                pos++;
                want = AFTER_VALUE;
            } else {
                want = want == WANT_FIRST_KEY ? WANT_KEY : WANT_VALUE;
            }
            continue;
        }
        if (want == WANT_COLON) {
            if (c != ':') {
                return OTA_MANIFEST_ERR_JSON;
            }
            pos++;
            want = WANT_VALUE;
            continue;
        }
        if (want == AFTER_VALUE) {
            if (c == ',') {
                pos++;
                want = in_object ? WANT_KEY : WANT_VALUE;
            } else if (c == closer) {
                depth--;
                pos++;
            } else {
                return OTA_MANIFEST_ERR_JSON;
            }
            continue;
        }

        /* WANT_KEY or WANT_VALUE: the next token must begin here. */
        if (i >= d->count || (want == WANT_KEY && c != '"')) {
            return OTA_MANIFEST_ERR_JSON;
        }
        jsmntype_t type = d->tok[i].type;
        uint32_t span_start = manifest_tok_start(d, i) - (type == JSMN_STRING ? 1u : 0u);
        if (span_start != pos) {
            return OTA_MANIFEST_ERR_JSON;
        }
        if (type == JSMN_OBJECT || type == JSMN_ARRAY) {
            if (c != (type == JSMN_OBJECT ? '{' : '[')) {
                return OTA_MANIFEST_ERR_JSON;
            }
            if (depth >= max_depth) {
                return OTA_MANIFEST_ERR_TOO_DEEP;
            }
            uint64_t bit = (uint64_t)1u << depth;
            object_bits = type == JSMN_OBJECT ? (object_bits | bit) : (object_bits & ~bit);
            depth++;
            pos++;
            want = type == JSMN_OBJECT ? WANT_FIRST_KEY : WANT_FIRST_VALUE;
        } else if (type == JSMN_STRING) {
            if (!manifest_string_ok(d, i)) {
                return OTA_MANIFEST_ERR_JSON;
            }
            pos = manifest_tok_end(d, i) + 1u;
            want = want == WANT_KEY ? WANT_COLON : AFTER_VALUE;
        } else if (type == JSMN_PRIMITIVE && manifest_primitive_ok(d, i)) {
            pos = manifest_tok_end(d, i);
            want = AFTER_VALUE;
        } else {
            return OTA_MANIFEST_ERR_JSON;
        }
        i++;
    }
    /* Only whitespace after the top-level value (a NUL byte is not whitespace). */
    if (pos != d->len || i != d->count) {
        return OTA_MANIFEST_ERR_JSON;
    }
    return OTA_MANIFEST_OK;
}

/* ---- navigation over a valid document ------------------------------------------------- */

/** Index of the token after the whole value that starts at token i. */
static uint32_t manifest_skip_value(const doc_t *d, uint32_t i)
{
    uint32_t end = manifest_tok_end(d, i);
    uint32_t k = i + 1u;
    while (k < d->count && manifest_tok_start(d, k) < end) {
        k++;
    }
    return k;
}

/** First child of container c (an object's children are its keys), or NO_TOKEN. */
static uint32_t manifest_first_child(const doc_t *d, uint32_t c)
{
    uint32_t k = c + 1u;
    return (k < d->count && manifest_tok_start(d, k) < manifest_tok_end(d, c)) ? k : NO_TOKEN;
}

/** Next sibling of child k inside container c, or NO_TOKEN. In an object, k is a key. */
static uint32_t manifest_next_child(const doc_t *d, uint32_t c, uint32_t k)
{
    uint32_t n =
        d->tok[c].type == JSMN_OBJECT ? manifest_skip_value(d, k + 1u) : manifest_skip_value(d, k);
    return (n < d->count && manifest_tok_start(d, n) < manifest_tok_end(d, c)) ? n : NO_TOKEN;
}

/* ---- string values ---------------------------------------------------------------------- */

/** Next UTF-16 code unit of a validated string body at *k; advances *k past it. */
static uint32_t manifest_string_next(const char *js, uint32_t *k)
{
    char c = js[*k];
    if (c != '\\') {
        *k += 1u;
        return (unsigned char)c;
    }
    char e = js[*k + 1u];
    *k += 2u;
    switch (e) {
    case 'b': return 0x08u;
    case 'f': return 0x0Cu;
    case 'n': return 0x0Au;
    case 'r': return 0x0Du;
    case 't': return 0x09u;
    case 'u': {
        uint32_t v = 0;
        for (uint32_t h = 0; h < 4u; h++) {
            v = (v << 4) | (uint32_t)manifest_hex_value(js[*k + h]);
        }
        *k += 4u;
        return v;
    }
    default: return (unsigned char)e; /* \" \\ \/ */
    }
}

/* Copy the unescaped URL of token i (already checked by field_url) into out. */
static uint32_t manifest_url_copy(const doc_t *d, uint32_t i, char *out)
{
    uint32_t n = 0;
    for (uint32_t k = manifest_tok_start(d, i); k < manifest_tok_end(d, i);) {
        out[n++] = (char)manifest_string_next(d->js, &k);
    }
    out[n] = '\0';
    return n;
}

static bool manifest_url_equal(const doc_t *d, uint32_t i, const char *url, uint32_t url_len)
{
    uint32_t n = 0;
    for (uint32_t k = manifest_tok_start(d, i); k < manifest_tok_end(d, i); n++) {
        if (n >= url_len || manifest_string_next(d->js, &k) != (unsigned char)url[n]) {
            return false;
        }
    }
    return n == url_len;
}

/* ---- entries ---------------------------------------------------------------------------- */

/** One entry of "ota", as read. */
typedef struct entry {
    uint32_t version;
    uint32_t size;
    uint32_t hw_id;   /* HwId, 0 if absent (any board) */
    uint32_t url_tok; /* the URL string token, or NO_TOKEN */
    uint8_t digest[OTA_SHA256_SIZE];
    uint8_t seen;     /* bit per FIELDS[] index */
    bool erase;
} entry_t;

/** A positive integer of at most `max`, written as plain digits: not '-', '.', 'e',
 *  true/false/null. */
static bool manifest_read_uint(const doc_t *d, uint32_t i, uint64_t max, uint64_t *out)
{
    uint32_t len = manifest_tok_len(d, i);
    uint64_t v = 0;
    if (d->tok[i].type != JSMN_PRIMITIVE ||
        ota_dec_to_u64(d->js + manifest_tok_start(d, i), len, &v) != len || v == 0u ||
        v > max) {
        return false;
    }
    *out = v;
    return true;
}

static bool manifest_read_u32(const doc_t *d, uint32_t i, uint32_t *out)
{
    uint64_t v;
    if (!manifest_read_uint(d, i, UINT32_MAX, &v)) {
        return false;
    }
    *out = (uint32_t)v;
    return true;
}

static ota_manifest_status_t manifest_field_version(const doc_t *d, uint32_t i, entry_t *e)
{
    return manifest_read_u32(d, i, &e->version) ? OTA_MANIFEST_OK : OTA_MANIFEST_ERR_VERSION;
}

static ota_manifest_status_t manifest_field_size(const doc_t *d, uint32_t i, entry_t *e)
{
    return manifest_read_u32(d, i, &e->size) ? OTA_MANIFEST_OK : OTA_MANIFEST_ERR_SIZE;
}

static ota_manifest_status_t manifest_field_hw_id(const doc_t *d, uint32_t i, entry_t *e)
{
    return manifest_read_u32(d, i, &e->hw_id) ? OTA_MANIFEST_OK : OTA_MANIFEST_ERR_HW_ID;
}

static ota_manifest_status_t manifest_field_erase(const doc_t *d, uint32_t i, entry_t *e)
{
    if (d->tok[i].type == JSMN_PRIMITIVE &&
        (manifest_tok_is(d, i, "true") || manifest_tok_is(d, i, "false"))) {
        e->erase = d->js[manifest_tok_start(d, i)] == 't';
        return OTA_MANIFEST_OK;
    }
    return OTA_MANIFEST_ERR_ERASE_VER;
}

/* URLs are ASCII without spaces or controls: non-ASCII must arrive percent-encoded. */
static ota_manifest_status_t manifest_field_url(const doc_t *d, uint32_t i, entry_t *e)
{
    if (d->tok[i].type != JSMN_STRING) {
        return OTA_MANIFEST_ERR_URL_TYPE;
    }
    uint32_t n = 0;
    for (uint32_t k = manifest_tok_start(d, i); k < manifest_tok_end(d, i); n++) {
        uint32_t unit = manifest_string_next(d->js, &k);
        if (unit < 0x21u || unit > 0x7Eu) {
            return OTA_MANIFEST_ERR_URL_CHAR;
        }
        if (n >= OTA_MANIFEST_URL_MAX) {
            return OTA_MANIFEST_ERR_URL_TOO_LONG;
        }
    }
    if (n == 0u) {
        return OTA_MANIFEST_ERR_URL_EMPTY;
    }
    e->url_tok = i;
    return OTA_MANIFEST_OK;
}

/* Exactly 64 hex digits as written: an escape is not a hex digit. */
static ota_manifest_status_t manifest_field_digest(const doc_t *d, uint32_t i, entry_t *e)
{
    if (d->tok[i].type != JSMN_STRING || manifest_tok_len(d, i) != 2u * OTA_SHA256_SIZE) {
        return OTA_MANIFEST_ERR_DIGEST;
    }
    const char *hex = d->js + manifest_tok_start(d, i);
    for (uint32_t b = 0; b < OTA_SHA256_SIZE; b++) {
        int hi = manifest_hex_value(hex[2u * b]);
        int lo = manifest_hex_value(hex[2u * b + 1u]);
        if (hi < 0 || lo < 0) {
            return OTA_MANIFEST_ERR_DIGEST;
        }
        e->digest[b] = (uint8_t)((hi << 4) | lo);
    }
    return OTA_MANIFEST_OK;
}

/* The keys an entry understands. A new optional field is one row and one reader. */
typedef ota_manifest_status_t (*field_fn)(const doc_t *d, uint32_t value, entry_t *e);
static const struct field {
    const char *key;
    field_fn read;
} FIELDS[] = {
    {"Version", manifest_field_version}, {"URL", manifest_field_url},
    {"Digest", manifest_field_digest},   {"EraseVer", manifest_field_erase},
    {"Size", manifest_field_size},       {"HwId", manifest_field_hw_id},
};
enum { F_VERSION = 1u << 0, F_URL = 1u << 1, F_DIGEST = 1u << 2, F_SIZE = 1u << 4 };
_Static_assert(sizeof(FIELDS) / sizeof(FIELDS[0]) <= 8u, "entry_t.seen holds 8 fields");

static ota_manifest_status_t manifest_read_entry(const doc_t *d, uint32_t obj, entry_t *e,
                                                 fault_t *f)
{
    memset(e, 0, sizeof(*e));
    e->url_tok = NO_TOKEN;
    f->offset = manifest_tok_start(d, obj);
    if (d->tok[obj].type != JSMN_OBJECT) {
        return OTA_MANIFEST_ERR_ENTRY_NOT_OBJECT;
    }
    for (uint32_t key = manifest_first_child(d, obj); key != NO_TOKEN;
         key = manifest_next_child(d, obj, key)) {
        for (uint32_t n = 0; n < sizeof(FIELDS) / sizeof(FIELDS[0]); n++) {
            if (!manifest_tok_is(d, key, FIELDS[n].key)) {
                continue;
            }
            f->offset = manifest_tok_start(d, key);
            if (e->seen & (1u << n)) {
                return OTA_MANIFEST_ERR_DUPLICATE_KEY;
            }
            e->seen = (uint8_t)(e->seen | (1u << n));
            ota_manifest_status_t st = FIELDS[n].read(d, key + 1u, e);
            if (st != OTA_MANIFEST_OK) {
                f->offset = manifest_tok_start(d, key + 1u);
                return st;
            }
        }
    }
    f->offset = manifest_tok_start(d, obj);
    if (!(e->seen & F_VERSION)) {
        return OTA_MANIFEST_ERR_MISSING_VERSION;
    }
    if (!e->erase && !(e->seen & F_URL)) {
        return OTA_MANIFEST_ERR_MISSING_URL;
    }
    if (!e->erase && !(e->seen & F_DIGEST)) {
        return OTA_MANIFEST_ERR_MISSING_DIGEST;
    }
    return OTA_MANIFEST_OK;
}

/* ---- selection -------------------------------------------------------------------------- */

/* The freshness fields of the root object: "Sequence" and "Expires" (docs/manifest.md). */
static ota_manifest_status_t manifest_read_freshness(const doc_t *d, uint32_t key,
                                                     ota_manifest_plan_t *plan)
{
    if (manifest_tok_is(d, key, "Sequence")) {
        if (plan->has_sequence) {
            return OTA_MANIFEST_ERR_DUPLICATE_KEY;
        }
        plan->has_sequence = true;
        return manifest_read_u32(d, key + 1u, &plan->sequence) ? OTA_MANIFEST_OK
                                                               : OTA_MANIFEST_ERR_SEQUENCE;
    }
    if (manifest_tok_is(d, key, "Expires")) {
        if (plan->has_expires) {
            return OTA_MANIFEST_ERR_DUPLICATE_KEY;
        }
        plan->has_expires = true;
        return manifest_read_uint(d, key + 1u, UINT64_MAX, &plan->expires)
                   ? OTA_MANIFEST_OK
                   : OTA_MANIFEST_ERR_EXPIRES;
    }
    return OTA_MANIFEST_OK;
}

/** The "ota" array of the root object and its freshness fields, or an error. */
static ota_manifest_status_t manifest_find_ota(const doc_t *d, uint32_t *ota,
                                               ota_manifest_plan_t *plan, fault_t *f)
{
    *ota = NO_TOKEN;
    for (uint32_t key = manifest_first_child(d, 0); key != NO_TOKEN;
         key = manifest_next_child(d, 0, key)) {
        f->offset = manifest_tok_start(d, key);
        if (manifest_tok_is(d, key, "ota")) {
            if (*ota != NO_TOKEN) {
                return OTA_MANIFEST_ERR_DUPLICATE_KEY;
            }
            *ota = key + 1u;
        }
        ota_manifest_status_t st = manifest_read_freshness(d, key, plan);
        if (st != OTA_MANIFEST_OK) {
            return st;
        }
    }
    if (*ota == NO_TOKEN || d->tok[*ota].type != JSMN_ARRAY) {
        f->offset = *ota == NO_TOKEN ? 0u : manifest_tok_start(d, *ota);
        return OTA_MANIFEST_ERR_NO_OTA;
    }
    return OTA_MANIFEST_OK;
}

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
static bool manifest_for_this_board(const ota_manifest_device_t *dev, const entry_t *e)
{
    return dev->hw_id == 0u || e->hw_id == 0u || e->hw_id == dev->hw_id;
}

/** Pass 1: validate every entry, count them and collect the erase list. */
static ota_manifest_status_t manifest_collect(const doc_t *d, uint32_t ota,
                                              const ota_manifest_device_t *dev,
                                              ota_manifest_plan_t *plan, fault_t *f)
{
    entry_t e;
    for (uint32_t k = manifest_first_child(d, ota); k != NO_TOKEN;
         k = manifest_next_child(d, ota, k)) {
        f->entry = (int32_t)plan->entry_count;
        ota_manifest_status_t st = manifest_read_entry(d, k, &e, f);
        if (st != OTA_MANIFEST_OK) {
            return st;
        }
        if (e.erase && manifest_for_this_board(dev, &e) &&
            !manifest_erase_listed(plan, e.version)) {
            if (plan->erase_count >= OTA_MANIFEST_ERASE_MAX) {
                return OTA_MANIFEST_ERR_TOO_MANY_ERASE;
            }
            plan->erase_versions[plan->erase_count++] = e.version;
        }
        plan->entry_count++;
    }
    f->entry = -1;
    return OTA_MANIFEST_OK;
}

static bool manifest_eligible(const ota_manifest_device_t *dev, const ota_manifest_plan_t *plan,
                              uint32_t version)
{
    if (version == dev->running_version || manifest_erase_listed(plan, version)) {
        return false;
    }
    if (version < dev->running_version && !dev->allow_downgrade) {
        return false;
    }
    return dev->is_rejected == NULL || !dev->is_rejected(dev->rejected_ctx, version);
}

static bool manifest_same_update(const doc_t *d, const entry_t *e, const ota_manifest_update_t *u)
{
    bool has_size = (e->seen & F_SIZE) != 0;
    return memcmp(e->digest, u->digest, sizeof(u->digest)) == 0 && has_size == u->has_size &&
           (!has_size || e->size == u->size) &&
           manifest_url_equal(d, e->url_tok, u->url, u->url_len);
}

/**
 * Pass 2 (entries known valid): the highest eligible update entry. Entries that disagree
 * matter only for the version finally chosen, so a disagreement is remembered, not returned,
 * until a higher version replaces it.
 */
static ota_manifest_status_t manifest_choose(const doc_t *d, uint32_t ota,
                                             const ota_manifest_device_t *dev,
                                             ota_manifest_plan_t *plan, fault_t *f)
{
    ota_manifest_update_t *u = &plan->update;
    entry_t e;
    int32_t index = 0;
    int32_t disagreeing = -1;
    uint32_t disagreeing_offset = 0;
    for (uint32_t k = manifest_first_child(d, ota); k != NO_TOKEN;
         k = manifest_next_child(d, ota, k), index++) {
        (void)manifest_read_entry(d, k, &e, f);
        if (!e.erase && !manifest_for_this_board(dev, &e)) {
            plan->other_hw_entries++;
            continue;
        }
        if (e.erase || !manifest_eligible(dev, plan, e.version)) {
            continue;
        }
        if (plan->has_update && e.version == u->version) {
            if (disagreeing < 0 && !manifest_same_update(d, &e, u)) {
                disagreeing = index;
                disagreeing_offset = manifest_tok_start(d, k);
            }
        } else if (!plan->has_update || e.version > u->version) {
            plan->has_update = true;
            u->version = e.version;
            memcpy(u->digest, e.digest, sizeof(u->digest));
            u->has_size = (e.seen & F_SIZE) != 0;
            u->size = e.size;
            u->url_len = manifest_url_copy(d, e.url_tok, u->url);
            disagreeing = -1;
        }
    }
    if (disagreeing >= 0) {
        f->entry = disagreeing;
        f->offset = disagreeing_offset;
        return OTA_MANIFEST_ERR_AMBIGUOUS;
    }
    return OTA_MANIFEST_OK;
}

static ota_manifest_status_t manifest_tokenize(ota_manifest_parser_t *p, doc_t *d, fault_t *f)
{
    jsmn_parser jp;
    jsmn_init(&jp);
    jsmntok_t *tok = (jsmntok_t *)(void *)p->tokens;
    int r = jsmn_parse(&jp, d->js, d->len, tok, p->token_capacity);
    if (r < 0) {
        f->offset = jp.pos;
        return r == JSMN_ERROR_NOMEM ? OTA_MANIFEST_ERR_TOO_MANY_TOKENS : OTA_MANIFEST_ERR_JSON;
    }
    d->tok = tok;
    d->count = (uint32_t)r;
    p->tokens_used = d->count;
    return OTA_MANIFEST_OK;
}

static ota_manifest_status_t manifest_select_all(ota_manifest_parser_t *p, doc_t *d,
                                                 const ota_manifest_device_t *dev,
                                                 ota_manifest_plan_t *plan, fault_t *f)
{
    /* A document that is not an object is named so even when it is also not valid JSON. */
    uint32_t first = manifest_skip_ws(d, 0);
    f->offset = first;
    if (first >= d->len) {
        return OTA_MANIFEST_ERR_JSON;
    }
    if (d->js[first] != '{') {
        return OTA_MANIFEST_ERR_NOT_OBJECT;
    }
    uint32_t max_depth = p->max_depth;
    if (max_depth == 0u || max_depth > OTA_MANIFEST_MAX_DEPTH_LIMIT) {
        max_depth = OTA_MANIFEST_MAX_DEPTH_LIMIT;
    }
    uint32_t ota;
    ota_manifest_status_t st = manifest_tokenize(p, d, f);
    if (st == OTA_MANIFEST_OK) {
        st = manifest_check_grammar(d, max_depth, f);
    }
    if (st == OTA_MANIFEST_OK) {
        st = manifest_find_ota(d, &ota, plan, f);
    }
    if (st == OTA_MANIFEST_OK) {
        st = manifest_collect(d, ota, dev, plan, f);
    }
    if (st == OTA_MANIFEST_OK) {
        st = manifest_choose(d, ota, dev, plan, f);
    }
    return st;
}

/* Name in parentheses: the header's macro of that name adds the link-time layout check. */
ota_manifest_status_t (ota_manifest_select)(ota_manifest_parser_t *parser, const char *json,
                                          size_t len, const ota_manifest_device_t *device,
                                          ota_manifest_plan_t *plan)
{
    if (plan != NULL) {
        memset(plan, 0, sizeof(*plan));
    }
    if (parser == NULL || json == NULL || device == NULL || plan == NULL ||
        parser->tokens == NULL || parser->token_capacity == 0u) {
        return OTA_MANIFEST_ERR_ARG;
    }
    parser->tokens_used = 0;
    parser->error_offset = 0;
    parser->error_entry = -1;
    if (len > parser->max_size || len > POS_MAX) {
        return OTA_MANIFEST_ERR_TOO_LARGE;
    }
    /* Windows editors still write a UTF-8 BOM; RFC 8259 lets a parser ignore it. */
    uint32_t bom = (len >= 3u && memcmp(json, "\xEF\xBB\xBF", 3) == 0) ? 3u : 0u;
    doc_t d = {.js = json + bom, .len = (uint32_t)len - bom, .tok = NULL, .count = 0};
    fault_t f = {.offset = 0, .entry = -1};

    ota_manifest_status_t st = manifest_select_all(parser, &d, device, plan, &f);
    if (st != OTA_MANIFEST_OK) {
        memset(plan, 0, sizeof(*plan));
        parser->error_offset = f.offset + bom;
        parser->error_entry = f.entry;
    }
    return st;
}

void ota_manifest_parser_init(ota_manifest_parser_t *parser, ota_manifest_token_t *tokens,
                              uint32_t token_capacity)
{
    if (parser == NULL) {
        return;
    }
    memset(parser, 0, sizeof(*parser));
    parser->tokens = tokens;
    parser->token_capacity = token_capacity;
    parser->max_size = OTA_MANIFEST_MAX_SIZE_DEFAULT;
    parser->max_depth = OTA_MANIFEST_MAX_DEPTH_DEFAULT;
    parser->error_entry = -1;
}

const char *ota_manifest_status_str(ota_manifest_status_t status)
{
    switch (status) {
    case OTA_MANIFEST_OK: return "ok";
    case OTA_MANIFEST_ERR_ARG: return "invalid argument";
    case OTA_MANIFEST_ERR_TOO_LARGE: return "manifest too large";
    case OTA_MANIFEST_ERR_JSON: return "invalid JSON";
    case OTA_MANIFEST_ERR_TOO_MANY_TOKENS: return "too many JSON tokens";
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
    }
    return "unknown manifest status";
}
