/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bsdiff-style matching (Percival, "Naive differences of executable code"): the suffix array
 * of the old file (Debian's libdivsufsort) finds, at each position of the new file, the
 * longest exact match in the old; runs where the old file at the current offset still agrees
 * on most bytes are kept as one approximate match (its differences are mostly zeros, which the
 * coder makes cheap), and each match is extended forward and backward as long as more than
 * half of the bytes agree.
 */
#include <divsufsort.h>
#include <stdlib.h>
#include <string.h>

#include "delta_tool.h"

typedef struct matcher {
    const uint8_t *old, *new_data;
    size_t old_size, new_size;
    saidx_t *sa;
} matcher_t;

static size_t common_len(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
    size_t n = an < bn ? an : bn, i = 0;
    while (i < n && a[i] == b[i]) {
        i++;
    }
    return i;
}

/* Longest match of new[at..] in old: its length, and where it starts in *pos. */
static size_t longest_match(const matcher_t *m, size_t at, size_t *pos)
{
    const uint8_t *p = m->new_data + at;
    size_t pn = m->new_size - at, lo = 0, hi = m->old_size - 1;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2, s = (size_t)m->sa[mid];
        size_t n = m->old_size - s < pn ? m->old_size - s : pn;
        if (memcmp(m->old + s, p, n) < 0) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    size_t a = (size_t)m->sa[lo], b = (size_t)m->sa[hi];
    size_t la = common_len(m->old + a, m->old_size - a, p, pn);
    size_t lb = common_len(m->old + b, m->old_size - b, p, pn);
    *pos = la >= lb ? a : b;
    return la >= lb ? la : lb;
}

typedef struct op_list {
    delta_op_t *ops;
    size_t n, cap;
} op_list_t;

static int push_op(op_list_t *l, size_t base_pos, size_t add, size_t extra)
{
    if (add == 0 && extra == 0) {
        return 0;
    }
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        delta_op_t *grown = realloc(l->ops, cap * sizeof *grown);
        if (grown == NULL) {
            return -1;
        }
        l->ops = grown;
        l->cap = cap;
    }
    l->ops[l->n++] = (delta_op_t){(uint32_t)base_pos, (uint32_t)add, (uint32_t)extra};
    return 0;
}

static int same(const matcher_t *m, size_t new_at, size_t old_at)
{
    return old_at < m->old_size && m->old[old_at] == m->new_data[new_at];
}

/* The bsdiff scan: between the last match (last_scan in new, last_pos in old) and the next
 * one found at scan/pos, emit one operation. */
static int scan_all(const matcher_t *m, op_list_t *l)
{
    size_t scan = 0, len = 0, pos = 0, last_scan = 0, last_pos = 0;
    long last_offset = 0;
    while (scan < m->new_size) {
        long old_score = 0;
        size_t scsc = scan += len;
        for (; scan < m->new_size; scan++) {
            len = longest_match(m, scan, &pos);
            for (; scsc < scan + len; scsc++) {
                long o = (long)scsc + last_offset;
                if (o >= 0 && same(m, scsc, (size_t)o)) {
                    old_score++;
                }
            }
            if (((long)len == old_score && len != 0) || (long)len > old_score + 8) {
                break;
            }
            long o = (long)scan + last_offset;
            if (o >= 0 && same(m, scan, (size_t)o)) {
                old_score--;
            }
        }
        if ((long)len == old_score && scan != m->new_size) {
            continue;
        }
        /* Forward from the last match: as long as over half of the bytes agree. */
        size_t len_f = 0;
        long s = 0, best = 0;
        for (size_t i = 0; last_scan + i < scan && last_pos + i < m->old_size;) {
            if (m->old[last_pos + i] == m->new_data[last_scan + i]) {
                s++;
            }
            i++;
            if (s * 2 - (long)i > best * 2 - (long)len_f) {
                best = s;
                len_f = i;
            }
        }
        /* Backward from the new match. */
        size_t len_b = 0;
        if (scan < m->new_size) {
            s = 0;
            best = 0;
            for (size_t i = 1; scan >= last_scan + i && pos >= i; i++) {
                if (m->old[pos - i] == m->new_data[scan - i]) {
                    s++;
                }
                if (s * 2 - (long)i > best * 2 - (long)len_b) {
                    best = s;
                    len_b = i;
                }
            }
        }
        /* Where both extensions overlap, cut where the forward one stops paying. */
        if (last_scan + len_f > scan - len_b) {
            size_t overlap = (last_scan + len_f) - (scan - len_b), len_s = 0;
            s = 0;
            best = 0;
            for (size_t i = 0; i < overlap; i++) {
                if (m->new_data[last_scan + len_f - overlap + i] ==
                    m->old[last_pos + len_f - overlap + i]) {
                    s++;
                }
                if (m->new_data[scan - len_b + i] == m->old[pos - len_b + i]) {
                    s--;
                }
                if (s > best) {
                    best = s;
                    len_s = i + 1;
                }
            }
            len_f += len_s - overlap;
            len_b -= len_s;
        }
        if (push_op(l, last_pos, len_f, (scan - len_b) - (last_scan + len_f)) != 0) {
            return -1;
        }
        last_scan = scan - len_b;
        last_pos = pos - len_b;
        last_offset = (long)pos - (long)scan;
    }
    return 0;
}

int delta_match(const uint8_t *old, size_t old_size, const uint8_t *new_data, size_t new_size,
                delta_op_t **ops, size_t *n_ops)
{
    op_list_t l = {0};
    int rc = 0;
    *ops = NULL;
    *n_ops = 0;
    if (old_size >= 0x7FFFFFFF || new_size >= 0x7FFFFFFF) {
        return -1;
    }
    if (old_size == 0) {
        rc = push_op(&l, 0, 0, new_size);
    } else {
        matcher_t m = {old, new_data, old_size, new_size, malloc(old_size * sizeof(saidx_t))};
        if (m.sa == NULL || divsufsort(old, m.sa, (saidx_t)old_size) != 0) {
            rc = -1;
        } else {
            rc = scan_all(&m, &l);
        }
        free(m.sa);
    }
    if (rc != 0) {
        free(l.ops);
        return -1;
    }
    *ops = l.ops;
    *n_ops = l.n;
    return 0;
}
