/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A sparse 32-bit memory image: the data records of one or more Intel HEX files, each kept as
 * a chunk (address, bytes, where it came from) so that overlaps can be reported by line.
 */
#ifndef OTAFLOW_TOOL_MEMMAP_H
#define OTAFLOW_TOOL_MEMMAP_H

#include <stddef.h>
#include <stdint.h>

/** Contiguous bytes at an address, from one record of one source file. */
typedef struct memmap_chunk {
    uint32_t addr;
    uint32_t len;    /**< >= 1; addr + len <= 2^32 */
    size_t offset;   /**< of the bytes in memmap_t.bytes */
    unsigned line;   /**< line of the record in its source */
    unsigned source; /**< which input file (index chosen by the caller) */
} memmap_chunk_t;

typedef struct memmap {
    memmap_chunk_t *chunks;
    size_t n_chunks, cap_chunks;
    uint8_t *bytes;
    size_t n_bytes, cap_bytes;
} memmap_t;

/** Outcome of memmap operations. */
typedef enum memmap_status {
    MEMMAP_OK = 0,
    MEMMAP_ERR_NOMEM = -1,   /**< out of memory */
    MEMMAP_ERR_RANGE = -2,   /**< the bytes would run past address 0xFFFFFFFF */
    MEMMAP_ERR_OVERLAP = -3, /**< two chunks write the same address */
} memmap_status_t;

void memmap_init(memmap_t *m);
void memmap_free(memmap_t *m);

/** Append len (>= 1) bytes at addr, remembering line and source. */
memmap_status_t memmap_add(memmap_t *m, uint32_t addr, const uint8_t *data, uint32_t len,
                           unsigned line, unsigned source);

/** Append every chunk of src (bytes copied), keeping their lines and sources. */
memmap_status_t memmap_add_all(memmap_t *m, const memmap_t *src);

/** Replace every address by f(address) (e.g. KSEG to physical). */
void memmap_remap(memmap_t *m, uint32_t (*f)(uint32_t));

/**
 * Sort the chunks by address and look for a byte written twice. On MEMMAP_ERR_OVERLAP,
 * *first and *second are the two chunks (first in address order) and *at the first shared address.
 */
memmap_status_t memmap_sort_check(memmap_t *m, const memmap_chunk_t **first,
                                  const memmap_chunk_t **second, uint32_t *at);

/** Bytes at some addresses, and the lowest and highest of those addresses. */
typedef struct memmap_span {
    uint64_t bytes; /**< 0: none (lo, hi meaningless) */
    uint32_t lo, hi;
} memmap_span_t;

/** Count the bytes [lo, end) (end > lo) into s. */
void memmap_span_add(memmap_span_t *s, uint32_t lo, uint64_t end);

/**
 * Sort the chunks by address and keep every byte once: where chunks write the same address
 * with the same value (a merge of two files carrying the same configuration words, as hexmate
 * accepts), the later chunk in address order loses those bytes and a chunk left with none is
 * removed. *duplicates spans the bytes removed. On MEMMAP_ERR_OVERLAP two chunks write different
 * values: *first (the one kept so far) and *second are those chunks and *at the first address
 * where they differ; the map is then only fit for memmap_free.
 */
memmap_status_t memmap_sort_dedupe(memmap_t *m, const memmap_chunk_t **first,
                                   const memmap_chunk_t **second, uint32_t *at,
                                   memmap_span_t *duplicates);

/** Lowest address and one past the highest (as 64-bit); both 0 when empty. Needs sorting. */
void memmap_bounds(const memmap_t *m, uint64_t *lowest, uint64_t *end);

#endif /* OTAFLOW_TOOL_MEMMAP_H */
