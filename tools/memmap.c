/* SPDX-License-Identifier: Apache-2.0 */
/* Sparse memory image built from Intel HEX records. */
#include "memmap.h"

#include <stdlib.h>
#include <string.h>

void memmap_init(memmap_t *m)
{
    memset(m, 0, sizeof *m);
}

void memmap_free(memmap_t *m)
{
    free(m->chunks);
    free(m->bytes);
    memmap_init(m);
}

static int grow(void **buf, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) {
        return 0;
    }
    size_t new_cap = *cap == 0 ? 64 : *cap;
    while (new_cap < need) {
        new_cap *= 2;
    }
    void *bigger = realloc(*buf, new_cap * elem);
    if (bigger == NULL) {
        return -1;
    }
    *buf = bigger;
    *cap = new_cap;
    return 0;
}

memmap_status_t memmap_add(memmap_t *m, uint32_t addr, const uint8_t *data, uint32_t len,
                           unsigned line, unsigned source)
{
    if ((uint64_t)addr + len > 0x100000000ULL) {
        return MEMMAP_ERR_RANGE;
    }
    if (grow((void **)&m->chunks, &m->cap_chunks, m->n_chunks + 1, sizeof *m->chunks) != 0 ||
        grow((void **)&m->bytes, &m->cap_bytes, m->n_bytes + len, 1) != 0) {
        return MEMMAP_ERR_NOMEM;
    }
    memcpy(m->bytes + m->n_bytes, data, len);
    m->chunks[m->n_chunks++] = (memmap_chunk_t){
        .addr = addr, .len = len, .offset = m->n_bytes, .line = line, .source = source};
    m->n_bytes += len;
    return MEMMAP_OK;
}

memmap_status_t memmap_add_all(memmap_t *m, const memmap_t *src)
{
    for (size_t i = 0; i < src->n_chunks; i++) {
        const memmap_chunk_t *c = &src->chunks[i];
        memmap_status_t st =
            memmap_add(m, c->addr, src->bytes + c->offset, c->len, c->line, c->source);
        if (st != MEMMAP_OK) {
            return st;
        }
    }
    return MEMMAP_OK;
}

void memmap_remap(memmap_t *m, uint32_t (*f)(uint32_t))
{
    for (size_t i = 0; i < m->n_chunks; i++) {
        m->chunks[i].addr = f(m->chunks[i].addr);
    }
}

static int by_address(const void *a, const void *b)
{
    const memmap_chunk_t *x = a;
    const memmap_chunk_t *y = b;
    if (x->addr != y->addr) {
        return x->addr < y->addr ? -1 : 1;
    }
    /* Same address: keep the file order so messages name the earlier record first. */
    if (x->source != y->source) {
        return x->source < y->source ? -1 : 1;
    }
    if (x->line != y->line) {
        return x->line < y->line ? -1 : 1;
    }
    return 0;
}

static void sort_chunks(memmap_t *m)
{
    if (m->n_chunks > 1) {
        qsort(m->chunks, m->n_chunks, sizeof *m->chunks, by_address);
    }
}

memmap_status_t memmap_sort_check(memmap_t *m, const memmap_chunk_t **first,
                                  const memmap_chunk_t **second, uint32_t *at)
{
    if (m->n_chunks == 0) {
        return MEMMAP_OK;
    }
    sort_chunks(m);
    /* The chunk reaching furthest so far is the only one a later chunk can collide with first. */
    size_t reach = 0;
    for (size_t i = 1; i < m->n_chunks; i++) {
        const memmap_chunk_t *r = &m->chunks[reach];
        const memmap_chunk_t *c = &m->chunks[i];
        if ((uint64_t)c->addr < (uint64_t)r->addr + r->len) {
            *first = r;
            *second = c;
            *at = c->addr;
            return MEMMAP_ERR_OVERLAP;
        }
        if ((uint64_t)c->addr + c->len > (uint64_t)r->addr + r->len) {
            reach = i;
        }
    }
    return MEMMAP_OK;
}

static uint64_t chunk_end(const memmap_chunk_t *c)
{
    return (uint64_t)c->addr + c->len;
}

void memmap_span_add(memmap_span_t *s, uint32_t lo, uint64_t end)
{
    uint32_t hi = (uint32_t)(end - 1);
    if (s->bytes == 0 || lo < s->lo) {
        s->lo = lo;
    }
    if (s->bytes == 0 || hi > s->hi) {
        s->hi = hi;
    }
    s->bytes += end - lo;
}

memmap_status_t memmap_sort_dedupe(memmap_t *m, const memmap_chunk_t **first,
                                   const memmap_chunk_t **second, uint32_t *at,
                                   memmap_span_t *duplicates)
{
    sort_chunks(m);
    *duplicates = (memmap_span_t){.bytes = 0};
    /* Kept chunks are compacted to the front (kept <= i): sorted, disjoint, and covering every
     * address the chunks before i covered, so each byte of chunk i below `reach` has exactly
     * one kept byte to be compared with. */
    size_t kept = 0;
    uint64_t reach = 0;
    for (size_t i = 0; i < m->n_chunks; i++) {
        memmap_chunk_t c = m->chunks[i];
        uint64_t shared_end = chunk_end(&c) < reach ? chunk_end(&c) : reach;
        if (kept > 0 && c.addr < shared_end) {
            size_t k = kept - 1;
            while (m->chunks[k].addr > c.addr) {
                k--; /* stops: the kept chunks cover [their first address, reach) */
            }
            for (uint64_t x = c.addr; x < shared_end; x++) {
                while (chunk_end(&m->chunks[k]) <= x) {
                    k++;
                }
                const memmap_chunk_t *o = &m->chunks[k];
                if (m->bytes[o->offset + (x - o->addr)] != m->bytes[c.offset + (x - c.addr)]) {
                    *first = o;
                    *second = &m->chunks[i];
                    *at = (uint32_t)x;
                    return MEMMAP_ERR_OVERLAP;
                }
            }
            uint32_t shared = (uint32_t)(shared_end - c.addr);
            memmap_span_add(duplicates, c.addr, shared_end);
            c.addr += shared;
            c.len -= shared;
            c.offset += shared;
        }
        if (c.len > 0) {
            if (chunk_end(&c) > reach) {
                reach = chunk_end(&c);
            }
            m->chunks[kept++] = c;
        }
    }
    m->n_chunks = kept;
    return MEMMAP_OK;
}

void memmap_bounds(const memmap_t *m, uint64_t *lowest, uint64_t *end)
{
    *lowest = 0;
    *end = 0;
    if (m->n_chunks == 0) {
        return;
    }
    *lowest = m->chunks[0].addr;
    for (size_t i = 0; i < m->n_chunks; i++) {
        uint64_t e = (uint64_t)m->chunks[i].addr + m->chunks[i].len;
        if (e > *end) {
            *end = e;
        }
    }
}
