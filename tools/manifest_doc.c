/* SPDX-License-Identifier: Apache-2.0 */
/* Update manifest: read (jsmn + a full JSON syntax check), edit, write. */
#include "manifest_doc.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* The only file that includes jsmn: static, so the core's copy (src/manifest.c) cannot clash. */
#define JSMN_STATIC
#define JSMN_STRICT
#include <jsmn.h>

/* Deeper nesting than this is refused rather than followed (the validator recurses). */
#define MAX_DEPTH 32

typedef struct reader {
    const char *js;
    size_t len;
    const jsmntok_t *t;
    int n;
    char *why;
    size_t why_len;
} reader_t;

static manifest_doc_status_t say(reader_t *r, manifest_doc_status_t st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static manifest_doc_status_t say(reader_t *r, manifest_doc_status_t st, const char *fmt, ...)
{
    if (r->why != NULL && r->why_len > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(r->why, r->why_len, fmt, ap);
        va_end(ap);
    }
    return st;
}

static unsigned line_of(const char *js, size_t pos)
{
    unsigned line = 1;
    for (size_t i = 0; i < pos; i++) {
        line += js[i] == '\n';
    }
    return line;
}

static size_t raw_start(const jsmntok_t *t)
{
    return (size_t)(t->type == JSMN_STRING ? t->start - 1 : t->start);
}

static size_t raw_end(const jsmntok_t *t)
{
    return (size_t)(t->type == JSMN_STRING ? t->end + 1 : t->end);
}

static bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Text between two tokens: whitespace around exactly one sep (or none when sep is 0). */
static bool separated_by(const char *js, size_t from, size_t to, char sep)
{
    bool seen = sep == 0;
    for (size_t i = from; i < to; i++) {
        if (js[i] == sep && !seen) {
            seen = true;
        } else if (!is_ws(js[i])) {
            return false;
        }
    }
    return seen;
}

/* A JSON number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static bool is_number(const char *s, size_t n)
{
    size_t i = 0;
    if (i < n && s[i] == '-') {
        i++;
    }
    if (i < n && s[i] == '0') {
        i++;
    } else if (i < n && s[i] >= '1' && s[i] <= '9') {
        while (i < n && isdigit((unsigned char)s[i])) {
            i++;
        }
    } else {
        return false;
    }
    if (i < n && s[i] == '.') {
        size_t d = ++i;
        while (i < n && isdigit((unsigned char)s[i])) {
            i++;
        }
        if (i == d) {
            return false;
        }
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-')) {
            i++;
        }
        size_t d = i;
        while (i < n && isdigit((unsigned char)s[i])) {
            i++;
        }
        if (i == d) {
            return false;
        }
    }
    return i == n;
}

static bool token_is(const reader_t *r, const jsmntok_t *t, const char *text)
{
    size_t n = (size_t)(t->end - t->start);
    return strlen(text) == n && memcmp(r->js + t->start, text, n) == 0;
}

/* Check the value at token i and everything inside it; return the index after it, or -1. */
static int check_value(reader_t *r, int i, int depth, manifest_doc_status_t *st)
{
    if (i >= r->n) {
        *st = say(r, MANIFEST_DOC_ERR_JSON, "invalid JSON: value missing");
        return -1;
    }
    if (depth > MAX_DEPTH) {
        *st = say(r, MANIFEST_DOC_ERR_JSON, "JSON nested deeper than %d levels", MAX_DEPTH);
        return -1;
    }
    const jsmntok_t *t = &r->t[i];
    unsigned line = line_of(r->js, (size_t)t->start);
    switch (t->type) {
    case JSMN_PRIMITIVE: {
        size_t n = (size_t)(t->end - t->start);
        const char *s = r->js + t->start;
        if (!(token_is(r, t, "true") || token_is(r, t, "false") || token_is(r, t, "null") ||
              is_number(s, n))) {
            *st = say(r, MANIFEST_DOC_ERR_JSON, "invalid JSON value '%.*s' at line %u",
                      (int)(n > 20 ? 20 : n), s, line);
            return -1;
        }
        return i + 1;
    }
    case JSMN_STRING:
        for (int k = t->start; k < t->end; k++) {
            if ((unsigned char)r->js[k] < 0x20) {
                *st = say(r, MANIFEST_DOC_ERR_JSON, "control character in a string at line %u",
                          line_of(r->js, (size_t)k));
                return -1;
            }
        }
        if (t->size != 0) {
            *st = say(r, MANIFEST_DOC_ERR_JSON, "invalid JSON: unexpected ':' at line %u", line);
            return -1;
        }
        return i + 1;
    case JSMN_OBJECT:
    case JSMN_ARRAY: {
        bool object = t->type == JSMN_OBJECT;
        size_t pos = (size_t)t->start + 1;
        int j = i + 1;
        for (int k = 0; k < t->size; k++) {
            if (j >= r->n) {
                *st = say(r, MANIFEST_DOC_ERR_JSON, "invalid JSON at line %u", line);
                return -1;
            }
            const jsmntok_t *item = &r->t[j];
            if (!separated_by(r->js, pos, raw_start(item), k > 0 ? ',' : 0)) {
                *st = say(r, MANIFEST_DOC_ERR_JSON, "invalid JSON: expected '%s' at line %u",
                          k > 0 ? "," : "value", line_of(r->js, pos));
                return -1;
            }
            if (object) {
                if (item->type != JSMN_STRING || item->size != 1 || j + 1 >= r->n) {
                    *st = say(r, MANIFEST_DOC_ERR_JSON,
                              "invalid JSON: malformed object member (missing ',' or ':'?) at line %u",
                              line_of(r->js, raw_start(item)));
                    return -1;
                }
                const jsmntok_t *value = &r->t[j + 1];
                if (!separated_by(r->js, raw_end(item), raw_start(value), ':')) {
                    *st = say(r, MANIFEST_DOC_ERR_JSON, "invalid JSON: expected ':' at line %u",
                              line_of(r->js, raw_end(item)));
                    return -1;
                }
                for (int c = item->start; c < item->end; c++) {
                    if ((unsigned char)r->js[c] < 0x20) {
                        *st = say(r, MANIFEST_DOC_ERR_JSON, "control character in a key at line %u",
                                  line_of(r->js, (size_t)c));
                        return -1;
                    }
                }
                j++;
            }
            int last = j;
            j = check_value(r, j, depth + 1, st);
            if (j < 0) {
                return -1;
            }
            pos = raw_end(&r->t[last]);
            /* raw_end of a container is its closing bracket + 1: jsmn's end is exclusive. */
        }
        if (!separated_by(r->js, pos, (size_t)t->end - 1, 0)) {
            *st = say(r, MANIFEST_DOC_ERR_JSON, "invalid JSON: expected '%c' at line %u",
                      object ? '}' : ']', line_of(r->js, pos));
            return -1;
        }
        return j;
    }
    default:
        *st = say(r, MANIFEST_DOC_ERR_JSON, "invalid JSON at line %u", line);
        return -1;
    }
}

/* Index after the subtree rooted at token i (tokens already checked). */
static int skip(const reader_t *r, int i)
{
    int pending = 1;
    while (pending > 0 && i < r->n) {
        pending += r->t[i].size - 1;
        i++;
    }
    return i;
}

static char *dup_range(const char *s, size_t n)
{
    char *out = malloc(n + 1);
    if (out != NULL) {
        memcpy(out, s, n);
        out[n] = '\0';
    }
    return out;
}

static manifest_doc_status_t keep_extra(reader_t *r, int key, manifest_extra_t **extras,
                                        size_t *n)
{
    const jsmntok_t *k = &r->t[key];
    const jsmntok_t *v = &r->t[key + 1];
    manifest_extra_t *bigger = realloc(*extras, (*n + 1) * sizeof **extras);
    if (bigger == NULL) {
        return say(r, MANIFEST_DOC_ERR_NOMEM, "out of memory");
    }
    *extras = bigger;
    manifest_extra_t *e = &bigger[*n];
    e->key = dup_range(r->js + k->start, (size_t)(k->end - k->start));
    e->value = dup_range(r->js + raw_start(v), raw_end(v) - raw_start(v));
    (*n)++;
    if (e->key == NULL || e->value == NULL) {
        return say(r, MANIFEST_DOC_ERR_NOMEM, "out of memory");
    }
    return MANIFEST_DOC_OK;
}

static bool parse_version(const reader_t *r, const jsmntok_t *t, uint32_t *out)
{
    if (t->type != JSMN_PRIMITIVE) {
        return false;
    }
    uint64_t v = 0;
    for (int k = t->start; k < t->end; k++) {
        char c = r->js[k];
        if (!isdigit((unsigned char)c)) {
            return false;
        }
        v = v * 10 + (uint64_t)(c - '0');
        if (v > 0xFFFFFFFFULL) {
            return false;
        }
    }
    *out = (uint32_t)v;
    return true;
}

static manifest_doc_status_t read_entry(reader_t *r, int i, size_t index, manifest_entry_t *e)
{
    const jsmntok_t *obj = &r->t[i];
    unsigned line = line_of(r->js, (size_t)obj->start);
    if (obj->type != JSMN_OBJECT) {
        return say(r, MANIFEST_DOC_ERR_SHAPE, "ota[%zu] (line %u) is not an object", index, line);
    }
    bool seen_version = false;
    bool seen_url = false;
    bool seen_digest = false;
    bool seen_erase = false;
    int j = i + 1;
    for (int k = 0; k < obj->size; k++) {
        const jsmntok_t *key = &r->t[j];
        const jsmntok_t *val = &r->t[j + 1];
        unsigned vline = line_of(r->js, (size_t)val->start);
        bool *seen = NULL;
        if (token_is(r, key, "Version")) {
            seen = &seen_version;
            if (!parse_version(r, val, &e->version)) {
                return say(r, MANIFEST_DOC_ERR_SHAPE,
                           "ota[%zu].Version (line %u) is not an integer from 0 to 4294967295",
                           index, vline);
            }
        } else if (token_is(r, key, "URL")) {
            seen = &seen_url;
            if (val->type != JSMN_STRING) {
                return say(r, MANIFEST_DOC_ERR_SHAPE, "ota[%zu].URL (line %u) is not a string",
                           index, vline);
            }
            free(e->url);
            e->url = dup_range(r->js + val->start, (size_t)(val->end - val->start));
            if (e->url == NULL) {
                return say(r, MANIFEST_DOC_ERR_NOMEM, "out of memory");
            }
        } else if (token_is(r, key, "Digest")) {
            seen = &seen_digest;
            size_t n = (size_t)(val->end - val->start);
            bool ok = val->type == JSMN_STRING && n == 64;
            for (size_t c = 0; ok && c < n; c++) {
                ok = isxdigit((unsigned char)r->js[(size_t)val->start + c]) != 0;
                e->digest[c] = (char)tolower((unsigned char)r->js[(size_t)val->start + c]);
            }
            if (!ok) {
                return say(r, MANIFEST_DOC_ERR_SHAPE,
                           "ota[%zu].Digest (line %u) is not 64 hex characters", index, vline);
            }
            e->digest[64] = '\0';
        } else if (token_is(r, key, "EraseVer")) {
            seen = &seen_erase;
            if (val->type != JSMN_PRIMITIVE ||
                !(token_is(r, val, "true") || token_is(r, val, "false"))) {
                return say(r, MANIFEST_DOC_ERR_SHAPE,
                           "ota[%zu].EraseVer (line %u) is not true or false", index, vline);
            }
            e->erase = token_is(r, val, "true");
        } else {
            manifest_doc_status_t st = keep_extra(r, j, &e->extras, &e->n_extras);
            if (st != MANIFEST_DOC_OK) {
                return st;
            }
        }
        if (seen != NULL) {
            if (*seen) {
                return say(r, MANIFEST_DOC_ERR_SHAPE, "ota[%zu] (line %u) has \"%.*s\" twice",
                           index, vline, key->end - key->start, r->js + key->start);
            }
            *seen = true;
        }
        j = skip(r, j + 1);
    }
    const char *missing = !seen_version ? "Version" : !seen_url ? "URL" : !seen_digest ? "Digest" : NULL;
    if (missing != NULL) {
        return say(r, MANIFEST_DOC_ERR_SHAPE, "ota[%zu] (line %u) has no %s", index, line, missing);
    }
    return MANIFEST_DOC_OK;
}

static manifest_doc_status_t read_doc(reader_t *r, manifest_doc_t *doc)
{
    const jsmntok_t *top = &r->t[0];
    if (top->type != JSMN_OBJECT) {
        return say(r, MANIFEST_DOC_ERR_SHAPE, "the manifest is not a JSON object");
    }
    int ota = -1;
    int j = 1;
    for (int k = 0; k < top->size; k++) {
        if (token_is(r, &r->t[j], "ota")) {
            if (ota >= 0) {
                return say(r, MANIFEST_DOC_ERR_SHAPE, "\"ota\" appears twice");
            }
            ota = j + 1;
        } else {
            manifest_doc_status_t st = keep_extra(r, j, &doc->extras, &doc->n_extras);
            if (st != MANIFEST_DOC_OK) {
                return st;
            }
        }
        j = skip(r, j + 1);
    }
    if (ota < 0) {
        return say(r, MANIFEST_DOC_ERR_SHAPE, "no \"ota\" member");
    }
    const jsmntok_t *arr = &r->t[ota];
    if (arr->type != JSMN_ARRAY) {
        return say(r, MANIFEST_DOC_ERR_SHAPE, "\"ota\" is not an array");
    }
    if (arr->size > 0) {
        doc->entries = calloc((size_t)arr->size, sizeof *doc->entries);
        if (doc->entries == NULL) {
            return say(r, MANIFEST_DOC_ERR_NOMEM, "out of memory");
        }
    }
    j = ota + 1;
    for (int k = 0; k < arr->size; k++) {
        manifest_entry_t *e = &doc->entries[doc->n_entries++];
        manifest_doc_status_t st = read_entry(r, j, (size_t)k, e);
        if (st != MANIFEST_DOC_OK) {
            return st;
        }
        for (size_t p = 0; p + 1 < doc->n_entries; p++) {
            if (doc->entries[p].version == e->version) {
                return say(r, MANIFEST_DOC_ERR_SHAPE, "two entries have Version %u (ota[%zu], ota[%d])",
                           e->version, p, k);
            }
        }
        j = skip(r, j);
    }
    return MANIFEST_DOC_OK;
}

void manifest_doc_init(manifest_doc_t *doc)
{
    memset(doc, 0, sizeof *doc);
}

static void free_extras(manifest_extra_t *extras, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(extras[i].key);
        free(extras[i].value);
    }
    free(extras);
}

void manifest_doc_free(manifest_doc_t *doc)
{
    for (size_t i = 0; i < doc->n_entries; i++) {
        free(doc->entries[i].url);
        free_extras(doc->entries[i].extras, doc->entries[i].n_extras);
    }
    free(doc->entries);
    free_extras(doc->extras, doc->n_extras);
    manifest_doc_init(doc);
}

manifest_doc_status_t manifest_doc_parse(const char *json, size_t len, manifest_doc_t *doc,
                                         char *why, size_t why_len)
{
    reader_t r = {.js = json, .len = len, .why = why, .why_len = why_len};
    manifest_doc_init(doc);
    if (memchr(json, '\0', len) != NULL) {
        return say(&r, MANIFEST_DOC_ERR_JSON, "NUL byte in the manifest");
    }
    jsmn_parser p;
    jsmn_init(&p);
    int count = jsmn_parse(&p, json, len, NULL, 0);
    if (count < 0) {
        return say(&r, MANIFEST_DOC_ERR_JSON, "invalid JSON at line %u%s",
                   line_of(json, p.pos < len ? p.pos : len),
                   count == JSMN_ERROR_PART ? " (incomplete)" : "");
    }
    if (count == 0) {
        return say(&r, MANIFEST_DOC_ERR_JSON, "the manifest is empty");
    }
    jsmntok_t *tokens = calloc((size_t)count, sizeof *tokens);
    if (tokens == NULL) {
        return say(&r, MANIFEST_DOC_ERR_NOMEM, "out of memory");
    }
    jsmn_init(&p);
    count = jsmn_parse(&p, json, len, tokens, (unsigned)count);
    r.t = tokens;
    r.n = count;
    manifest_doc_status_t st = MANIFEST_DOC_OK;
    if (count < 0) {
        st = say(&r, MANIFEST_DOC_ERR_JSON, "invalid JSON at line %u%s",
                 line_of(json, p.pos < len ? p.pos : len),
                 count == JSMN_ERROR_PART ? " (incomplete)" : "");
    } else if (!separated_by(json, 0, raw_start(&tokens[0]), 0)) {
        st = say(&r, MANIFEST_DOC_ERR_JSON, "invalid JSON at line 1");
    } else {
        int end = check_value(&r, 0, 0, &st);
        if (end >= 0 && (end != count || !separated_by(json, raw_end(&tokens[0]), len, 0))) {
            st = say(&r, MANIFEST_DOC_ERR_JSON, "invalid JSON: text after the top-level value (line %u)",
                     line_of(json, raw_end(&tokens[0])));
        }
    }
    if (st == MANIFEST_DOC_OK) {
        st = read_doc(&r, doc);
    }
    free(tokens);
    if (st != MANIFEST_DOC_OK) {
        manifest_doc_free(doc);
    }
    return st;
}

/* JSON string escaping for text given on the command line. */
static char *escape(const char *s)
{
    size_t n = strlen(s);
    char *out = malloc(6 * n + 1);
    if (out == NULL) {
        return NULL;
    }
    char *o = out;
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        if (*p == '"' || *p == '\\') {
            *o++ = '\\';
            *o++ = (char)*p;
        } else if (*p < 0x20) {
            o += sprintf(o, "\\u%04x", *p);
        } else {
            *o++ = (char)*p;
        }
    }
    *o = '\0';
    return out;
}

const char *manifest_doc_top(const manifest_doc_t *doc, const char *key)
{
    for (size_t i = 0; i < doc->n_extras; i++) {
        if (strcmp(doc->extras[i].key, key) == 0) {
            return doc->extras[i].value;
        }
    }
    return NULL;
}

/* Set key to value in an extras array: replaced in place, or appended. */
static manifest_doc_status_t set_extra(manifest_extra_t **extras, size_t *n, const char *key,
                                       const char *value)
{
    char *v = dup_range(value, strlen(value));
    if (v == NULL) {
        return MANIFEST_DOC_ERR_NOMEM;
    }
    for (size_t i = 0; i < *n; i++) {
        if (strcmp((*extras)[i].key, key) == 0) {
            free((*extras)[i].value);
            (*extras)[i].value = v;
            return MANIFEST_DOC_OK;
        }
    }
    char *k = dup_range(key, strlen(key));
    manifest_extra_t *bigger = k != NULL ? realloc(*extras, (*n + 1) * sizeof *bigger) : NULL;
    if (bigger == NULL) {
        free(k);
        free(v);
        return MANIFEST_DOC_ERR_NOMEM;
    }
    *extras = bigger;
    bigger[*n].key = k;
    bigger[*n].value = v;
    (*n)++;
    return MANIFEST_DOC_OK;
}

manifest_doc_status_t manifest_doc_set_entry(manifest_doc_t *doc, uint32_t version,
                                             const char *key, const char *value)
{
    for (size_t i = 0; i < doc->n_entries; i++) {
        manifest_entry_t *e = &doc->entries[i];
        if (e->version == version) {
            return set_extra(&e->extras, &e->n_extras, key, value);
        }
    }
    return MANIFEST_DOC_ERR_SHAPE;
}

manifest_doc_status_t manifest_doc_set_top(manifest_doc_t *doc, const char *key,
                                           const char *value)
{
    return set_extra(&doc->extras, &doc->n_extras, key, value);
}

manifest_doc_status_t manifest_doc_put(manifest_doc_t *doc, uint32_t version, const char *url,
                                       const char digest[65], bool erase, uint32_t size,
                                       uint32_t hw_id)
{
    char *url_json = escape(url);
    if (url_json == NULL) {
        return MANIFEST_DOC_ERR_NOMEM;
    }
    manifest_entry_t *bigger = realloc(doc->entries, (doc->n_entries + 1) * sizeof *bigger);
    if (bigger == NULL) {
        free(url_json);
        return MANIFEST_DOC_ERR_NOMEM;
    }
    doc->entries = bigger;
    /* Drop the entry this one replaces, then insert in version order. */
    size_t kept = 0;
    for (size_t i = 0; i < doc->n_entries; i++) {
        if (doc->entries[i].version == version) {
            free(doc->entries[i].url);
            free_extras(doc->entries[i].extras, doc->entries[i].n_extras);
        } else {
            doc->entries[kept++] = doc->entries[i];
        }
    }
    doc->n_entries = kept;
    size_t at = 0;
    while (at < doc->n_entries && doc->entries[at].version < version) {
        at++;
    }
    memmove(&doc->entries[at + 1], &doc->entries[at], (doc->n_entries - at) * sizeof *doc->entries);
    manifest_entry_t *e = &doc->entries[at];
    memset(e, 0, sizeof *e);
    e->version = version;
    e->url = url_json;
    memcpy(e->digest, digest, 65);
    e->erase = erase;
    doc->n_entries++;
    char text[16];
    if (size != 0u) {
        snprintf(text, sizeof text, "%u", (unsigned)size);
        if (set_extra(&e->extras, &e->n_extras, "Size", text) != MANIFEST_DOC_OK) {
            return MANIFEST_DOC_ERR_NOMEM;
        }
    }
    if (hw_id != 0u) {
        snprintf(text, sizeof text, "%u", (unsigned)hw_id);
        return set_extra(&e->extras, &e->n_extras, "HwId", text);
    }
    return MANIFEST_DOC_OK;
}

static int by_version(const void *a, const void *b)
{
    const manifest_entry_t *x = a;
    const manifest_entry_t *y = b;
    return x->version < y->version ? -1 : x->version > y->version;
}

void manifest_doc_write(const manifest_doc_t *doc, FILE *f)
{
    /* Entries read from a file may be in any order: write them sorted (versions are unique). */
    manifest_entry_t *sorted = NULL;
    if (doc->n_entries > 0) {
        sorted = malloc(doc->n_entries * sizeof *sorted);
    }
    const manifest_entry_t *entries = doc->entries;
    if (sorted != NULL) {
        memcpy(sorted, doc->entries, doc->n_entries * sizeof *sorted);
        qsort(sorted, doc->n_entries, sizeof *sorted, by_version);
        entries = sorted;
    }
    fputs("{\n  \"ota\": [", f);
    for (size_t i = 0; i < doc->n_entries; i++) {
        const manifest_entry_t *e = &entries[i];
        fprintf(f, "%s\n    {\n", i > 0 ? "," : "");
        fprintf(f, "      \"Version\": %u,\n", e->version);
        fprintf(f, "      \"URL\": \"%s\",\n", e->url);
        fprintf(f, "      \"Digest\": \"%s\",\n", e->digest);
        fprintf(f, "      \"EraseVer\": %s", e->erase ? "true" : "false");
        for (size_t k = 0; k < e->n_extras; k++) {
            fprintf(f, ",\n      \"%s\": %s", e->extras[k].key, e->extras[k].value);
        }
        fputs("\n    }", f);
    }
    fputs(doc->n_entries > 0 ? "\n  ]" : "]", f);
    for (size_t k = 0; k < doc->n_extras; k++) {
        fprintf(f, ",\n  \"%s\": %s", doc->extras[k].key, doc->extras[k].value);
    }
    fputs("\n}\n", f);
    free(sorted);
}
