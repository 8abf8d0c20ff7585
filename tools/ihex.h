/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Intel HEX (I8HEX/I16HEX/I32HEX) reader and writer.
 *
 * Reading accepts record types 00 (data), 01 (end of file), 02 (extended segment address),
 * 03 (start segment address: kept, ignored by hex2bin), 04 (extended linear address) and 05
 * (start linear address). Every line is checked: leading ':', hex digits only, the byte count
 * against the line length, the checksum, the count each type requires; the file must end with
 * an EOF record and nothing but blank lines may follow it. Overlaps are not checked here (see
 * memmap_sort_check): a file may legally be read in pieces.
 */
#ifndef OTAFLOW_TOOL_IHEX_H
#define OTAFLOW_TOOL_IHEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "memmap.h"

/** Outcome of reading or writing Intel HEX. */
typedef enum ihex_status {
    IHEX_OK = 0,
    IHEX_ERR_SYNTAX = -1,    /**< a line without ':' or with a character that is not a hex digit */
    IHEX_ERR_TRUNCATED = -2, /**< a line shorter than its byte count announces */
    IHEX_ERR_LENGTH = -3,    /**< a line longer than announced, or a count its type forbids */
    IHEX_ERR_CHECKSUM = -4,  /**< record checksum does not match */
    IHEX_ERR_TYPE = -5,      /**< record type other than 00..05 */
    IHEX_ERR_NO_EOF = -6,    /**< input ends without an EOF (01) record */
    IHEX_ERR_AFTER_EOF = -7, /**< records after the EOF record */
    IHEX_ERR_RANGE = -8,     /**< data runs past address 0xFFFFFFFF */
    IHEX_ERR_NOMEM = -9,     /**< out of memory */
    IHEX_ERR_IO = -10,       /**< the file could not be read or written */
} ihex_status_t;

/** The start address record (03 or 05) of a file, if it had one. */
typedef struct ihex_start {
    bool present;
    uint8_t type;   /**< 3 (CS:IP, value = CS << 16 | IP) or 5 (EIP) */
    uint32_t value;
} ihex_start_t;

/** Where reading failed, in words: line number and a one-line reason. */
typedef struct ihex_error {
    unsigned line; /**< 1-based; 0 when not tied to a line */
    char msg[160];
} ihex_error_t;

/** Where a reader puts the data bytes of a record: IHEX_OK, or the status that stops it
 *  (IHEX_ERR_NOMEM; any other is reported as data running past 0xFFFFFFFF). */
typedef ihex_status_t (*ihex_data_fn)(void *ctx, uint32_t addr, const uint8_t *data,
                                      uint32_t len, unsigned line);

/** An Intel HEX reader fed one line at a time (a file read in pieces). Fields are private. */
typedef struct ihex_reader {
    bool linear;   /* last extended record was 04 (else 02, or none) */
    uint32_t base; /* ULBA << 16, or USBA << 4 */
    bool eof;
    unsigned line;
    ihex_data_fn on_data;
    void *ctx;
    ihex_start_t *start;
    ihex_error_t *err;
} ihex_reader_t;

/** Start reading: data records go to on_data(ctx, ...); start and err may be NULL. */
void ihex_reader_init(ihex_reader_t *r, ihex_data_fn on_data, void *ctx, ihex_start_t *start,
                      ihex_error_t *err);

/** The next line, without its '\n' (n characters). The first failure is final. */
ihex_status_t ihex_reader_line(ihex_reader_t *r, const char *s, size_t n);

/** After the last line: IHEX_ERR_NO_EOF if there was no EOF record. */
ihex_status_t ihex_reader_end(ihex_reader_t *r);

/**
 * Parse len bytes of Intel HEX text, adding every data byte to map with the given source index.
 * start may be NULL. On error, err says where and why; map keeps what was read before.
 */
ihex_status_t ihex_parse(const char *text, size_t len, unsigned source, memmap_t *map,
                         ihex_start_t *start, ihex_error_t *err);

/** ihex_parse on the contents of a file (IHEX_ERR_IO when it cannot be read). */
ihex_status_t ihex_read_file(const char *path, unsigned source, memmap_t *map,
                             ihex_start_t *start, ihex_error_t *err);

/**
 * Write map (sorted and free of overlaps: see memmap_sort_check) as Intel HEX to f:
 * bytes_per_line (1..255) data bytes per record, never across a 64 KB boundary, a type 04 record
 * whenever the upper 16 address bits change, the start record if start->present, then EOF.
 */
ihex_status_t ihex_write(FILE *f, const memmap_t *map, const ihex_start_t *start,
                         unsigned bytes_per_line);

/** A short English name for a status, never NULL. */
const char *ihex_status_str(ihex_status_t status);

#endif /* OTAFLOW_TOOL_IHEX_H */
