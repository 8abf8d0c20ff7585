/* SPDX-License-Identifier: Apache-2.0 */
/* Intel HEX reader and writer (see ihex.h for what is accepted). */
#include "ihex.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

enum {
    REC_DATA = 0x00,
    REC_EOF = 0x01,
    REC_EXT_SEGMENT = 0x02,
    REC_START_SEGMENT = 0x03,
    REC_EXT_LINEAR = 0x04,
    REC_START_LINEAR = 0x05,
};

/* Count + address + type + checksum. */
#define RECORD_OVERHEAD 5u

static ihex_status_t fail(ihex_error_t *err, unsigned line, ihex_status_t st, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static ihex_status_t fail(ihex_error_t *err, unsigned line, ihex_status_t st, const char *fmt, ...)
{
    if (err != NULL) {
        err->line = line;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return st;
}

static int hex_digit(char c)
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

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/* The data bytes of one record, at its address: segment addressing wraps the offset inside
 * its 64 KB segment (Intel HEX spec), which makes two pieces; linear addressing does not. */
static ihex_status_t add_data(ihex_reader_t *r, uint16_t offset, const uint8_t *data,
                              uint32_t count)
{
    uint32_t first = count;
    if (!r->linear && (uint32_t)offset + count > 0x10000u) {
        first = 0x10000u - offset;
    }
    uint64_t addr = (uint64_t)r->base + offset;
    if (addr + first > 0x100000000ULL) {
        return fail(r->err, r->line, IHEX_ERR_RANGE, "data runs past address 0xFFFFFFFF");
    }
    ihex_status_t st = r->on_data(r->ctx, (uint32_t)addr, data, first, r->line);
    if (st == IHEX_OK && first < count) {
        st = r->on_data(r->ctx, r->base, data + first, count - first, r->line);
    }
    if (st == IHEX_ERR_NOMEM) {
        return fail(r->err, r->line, IHEX_ERR_NOMEM, "out of memory");
    }
    if (st != IHEX_OK) {
        return fail(r->err, r->line, st, "data runs past address 0xFFFFFFFF");
    }
    return IHEX_OK;
}

/* One record: line points after the ':' with n characters (trailing blanks removed). */
static ihex_status_t parse_record(ihex_reader_t *r, const char *s, size_t n)
{
    const unsigned line = r->line;
    ihex_error_t *err = r->err;
    ihex_start_t *start = r->start;
    uint8_t rec[RECORD_OVERHEAD + 255];
    for (size_t i = 0; i < n; i++) {
        if (hex_digit(s[i]) < 0) {
            return fail(err, line, IHEX_ERR_SYNTAX, "character '%c' is not a hex digit",
                        (s[i] >= 0x20 && s[i] < 0x7F) ? s[i] : '?');
        }
    }
    if (n < 2) {
        return fail(err, line, IHEX_ERR_TRUNCATED, "truncated record (no byte count)");
    }
    uint32_t count = (uint32_t)(hex_digit(s[0]) << 4 | hex_digit(s[1]));
    size_t want = 2u * (RECORD_OVERHEAD + count);
    if (n < want) {
        return fail(err, line, IHEX_ERR_TRUNCATED,
                    "truncated record (%zu hex digits, byte count %u needs %zu)", n, count, want);
    }
    if (n > want) {
        return fail(err, line, IHEX_ERR_LENGTH,
                    "record longer than its byte count (%zu hex digits, byte count %u needs %zu)",
                    n, count, want);
    }
    uint8_t sum = 0;
    for (size_t i = 0; i < want / 2; i++) {
        rec[i] = (uint8_t)(hex_digit(s[2 * i]) << 4 | hex_digit(s[2 * i + 1]));
        sum = (uint8_t)(sum + rec[i]);
    }
    if (sum != 0) {
        uint8_t stated = rec[RECORD_OVERHEAD - 1 + count];
        uint8_t expected = (uint8_t)(stated - sum);
        return fail(err, line, IHEX_ERR_CHECKSUM, "checksum error (record says 0x%02X, computed 0x%02X)",
                    stated, expected);
    }
    uint16_t offset = (uint16_t)(rec[1] << 8 | rec[2]);
    uint8_t type = rec[3];
    const uint8_t *data = rec + 4;
    static const int required_count[] = {-1, 0, 2, 4, 2, 4};
    if (type > REC_START_LINEAR) {
        return fail(err, line, IHEX_ERR_TYPE, "unknown record type 0x%02X", type);
    }
    if (required_count[type] >= 0 && count != (uint32_t)required_count[type]) {
        return fail(err, line, IHEX_ERR_LENGTH, "record type %02X needs %d data bytes, has %u",
                    type, required_count[type], count);
    }
    switch (type) {
    case REC_DATA:
        return count == 0 ? IHEX_OK : add_data(r, offset, data, count);
    case REC_EOF:
        r->eof = true;
        return IHEX_OK;
    case REC_EXT_SEGMENT:
        r->linear = false;
        r->base = (uint32_t)(data[0] << 8 | data[1]) << 4;
        return IHEX_OK;
    case REC_EXT_LINEAR:
        r->linear = true;
        r->base = (uint32_t)(data[0] << 8 | data[1]) << 16;
        return IHEX_OK;
    default: /* 03, 05: start address */
        if (start != NULL) {
            start->present = true;
            start->type = type;
            start->value = (uint32_t)data[0] << 24 | (uint32_t)data[1] << 16 |
                           (uint32_t)data[2] << 8 | data[3];
        }
        return IHEX_OK;
    }
}

void ihex_reader_init(ihex_reader_t *r, ihex_data_fn on_data, void *ctx, ihex_start_t *start,
                      ihex_error_t *err)
{
    *r = (ihex_reader_t){
        .linear = true, .on_data = on_data, .ctx = ctx, .start = start, .err = err};
    if (start != NULL) {
        memset(start, 0, sizeof *start);
    }
    if (err != NULL) {
        memset(err, 0, sizeof *err);
    }
}

ihex_status_t ihex_reader_line(ihex_reader_t *r, const char *s, size_t n)
{
    r->line++;
    while (n > 0 && is_blank(s[n - 1])) {
        n--;
    }
    if (n == 0) {
        return IHEX_OK; /* blank lines carry nothing */
    }
    if (r->eof) {
        return fail(r->err, r->line, IHEX_ERR_AFTER_EOF, "content after the EOF record");
    }
    if (s[0] != ':') {
        return fail(r->err, r->line, IHEX_ERR_SYNTAX, "line does not start with ':'");
    }
    return parse_record(r, s + 1, n - 1);
}

ihex_status_t ihex_reader_end(ihex_reader_t *r)
{
    if (!r->eof) {
        return fail(r->err, 0, IHEX_ERR_NO_EOF, "no EOF record (file truncated?)");
    }
    return IHEX_OK;
}

/* ihex_parse's reader target: the bytes into a memmap_t. */
typedef struct map_target {
    memmap_t *map;
    unsigned source;
} map_target_t;

static ihex_status_t add_to_map(void *ctx, uint32_t addr, const uint8_t *data, uint32_t len,
                                unsigned line)
{
    const map_target_t *t = ctx;
    memmap_status_t st = memmap_add(t->map, addr, data, len, line, t->source);
    return st == MEMMAP_OK ? IHEX_OK : st == MEMMAP_ERR_NOMEM ? IHEX_ERR_NOMEM : IHEX_ERR_RANGE;
}

ihex_status_t ihex_parse(const char *text, size_t len, unsigned source, memmap_t *map,
                         ihex_start_t *start, ihex_error_t *err)
{
    map_target_t target = {.map = map, .source = source};
    ihex_reader_t r;
    ihex_reader_init(&r, add_to_map, &target, start, err);
    size_t pos = 0;
    while (pos < len) {
        const char *s = text + pos;
        const char *nl = memchr(s, '\n', len - pos);
        size_t n = nl != NULL ? (size_t)(nl - s) : len - pos;
        pos += n + (nl != NULL ? 1 : 0);
        ihex_status_t st = ihex_reader_line(&r, s, n);
        if (st != IHEX_OK) {
            return st;
        }
    }
    return ihex_reader_end(&r);
}

ihex_status_t ihex_read_file(const char *path, unsigned source, memmap_t *map,
                             ihex_start_t *start, ihex_error_t *err)
{
    uint8_t *text = NULL;
    size_t len = 0;
    if (tool_read_file(path, &text, &len) != 0) {
        return fail(err, 0, IHEX_ERR_IO, "cannot read: %s", strerror(errno));
    }
    ihex_status_t st = ihex_parse((const char *)text, len, source, map, start, err);
    free(text);
    return st;
}

static void put_record(FILE *f, uint8_t type, uint16_t offset, const uint8_t *data, unsigned n)
{
    uint8_t sum = (uint8_t)(n + (offset >> 8) + (offset & 0xFF) + type);
    fprintf(f, ":%02X%04X%02X", n, offset, type);
    for (unsigned i = 0; i < n; i++) {
        fprintf(f, "%02X", data[i]);
        sum = (uint8_t)(sum + data[i]);
    }
    fprintf(f, "%02X\n", (uint8_t)(0x100 - sum));
}

/* A data line being filled: flushed when full, at a gap or at a 64 KB boundary. */
typedef struct line_writer {
    FILE *f;
    unsigned width;
    uint32_t upper;       /* upper 16 address bits the reader currently assumes */
    uint32_t addr;        /* address of buf[0] */
    unsigned n;
    uint8_t buf[255];
} line_writer_t;

static void flush_line(line_writer_t *w)
{
    if (w->n == 0) {
        return;
    }
    uint32_t upper = w->addr >> 16;
    if (upper != w->upper) {
        uint8_t ulba[2] = {(uint8_t)(upper >> 8), (uint8_t)upper};
        put_record(w->f, REC_EXT_LINEAR, 0, ulba, 2);
        w->upper = upper;
    }
    put_record(w->f, REC_DATA, (uint16_t)(w->addr & 0xFFFF), w->buf, w->n);
    w->n = 0;
}

static void put_byte(line_writer_t *w, uint32_t addr, uint8_t byte)
{
    bool contiguous = w->n > 0 && (uint64_t)w->addr + w->n == addr;
    if (w->n > 0 && (!contiguous || w->n == w->width || (addr & 0xFFFF) == 0)) {
        flush_line(w);
    }
    if (w->n == 0) {
        w->addr = addr;
    }
    w->buf[w->n++] = byte;
}

ihex_status_t ihex_write(FILE *f, const memmap_t *map, const ihex_start_t *start,
                         unsigned bytes_per_line)
{
    if (bytes_per_line == 0 || bytes_per_line > 255) {
        return IHEX_ERR_LENGTH;
    }
    line_writer_t w = {.f = f, .width = bytes_per_line, .upper = 0, .n = 0};
    for (size_t i = 0; i < map->n_chunks; i++) {
        const memmap_chunk_t *c = &map->chunks[i];
        for (uint32_t k = 0; k < c->len; k++) {
            put_byte(&w, c->addr + k, map->bytes[c->offset + k]);
        }
    }
    flush_line(&w);
    if (start != NULL && start->present) {
        uint8_t v[4] = {(uint8_t)(start->value >> 24), (uint8_t)(start->value >> 16),
                        (uint8_t)(start->value >> 8), (uint8_t)start->value};
        put_record(f, start->type, 0, v, 4);
    }
    put_record(f, REC_EOF, 0, NULL, 0);
    return ferror(f) ? IHEX_ERR_IO : IHEX_OK;
}

const char *ihex_status_str(ihex_status_t status)
{
    switch (status) {
    case IHEX_OK: return "ok";
    case IHEX_ERR_SYNTAX: return "syntax error";
    case IHEX_ERR_TRUNCATED: return "truncated record";
    case IHEX_ERR_LENGTH: return "bad record length";
    case IHEX_ERR_CHECKSUM: return "checksum error";
    case IHEX_ERR_TYPE: return "unknown record type";
    case IHEX_ERR_NO_EOF: return "missing EOF record";
    case IHEX_ERR_AFTER_EOF: return "content after EOF record";
    case IHEX_ERR_RANGE: return "address out of range";
    case IHEX_ERR_NOMEM: return "out of memory";
    case IHEX_ERR_IO: return "I/O error";
    }
    return "unknown status";
}
