/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: the HTTP response parser alone (src/http_response.c). The input is what a
 * server sends; it is parsed twice, in one piece and in pieces of a size taken from the input,
 * and both runs must agree on everything: the outcome, the head, the body bytes.
 *
 * Input: flags byte, then the stream.
 *   flags bits 0-2  piece size of the second run: 1, 2, 3, 5, 7, 16, 64, 255
 *   flags bits 3-4  max_header_bytes: 0 (default), 64, 200, 1024
 *   flags bits 5-6  1: on_head stops; 2: on_body stops after 10 bytes; else no stop
 *   flags bit  7    the stream ends (finish) after the last byte
 *
 * Oracles beyond "no crash, no UB": the same result whatever the segmentation; on_head at most
 * once, for a final (non-1xx) status, before any body; body pieces non-empty and never more
 * bytes than the stream holds; a complete response with a Content-Length delivered exactly
 * that many bytes; an error sticks; kept values are NUL-terminated within their room and their
 * state says whether they are usable.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "otaflow/http_response.h"

typedef struct fuzz_run {
    ota_http_resp_parser_t rx;
    ota_http_resp_status_t st;
    unsigned heads;
    ota_http_resp_head_t head;
    uint8_t body[8192];
    size_t body_len;
    size_t body_total; /* may exceed sizeof body: only the first bytes are kept */
    int stop_mode;
} fuzz_run_t;

static fuzz_run_t g_runs[2];

static int fuzz_on_head(void *user, const ota_http_resp_head_t *head)
{
    fuzz_run_t *r = user;
    if (r->heads != 0 || r->body_total != 0 || head->status_code / 100u == 1u ||
        head->status_code < 100u || head->status_code > 999u) {
        abort(); /* once, for the final response, before its body */
    }
    r->heads++;
    r->head = *head;
    return r->stop_mode == 1;
}

static int fuzz_on_body(void *user, const uint8_t *data, size_t len)
{
    fuzz_run_t *r = user;
    if (r->heads != 1 || data == NULL || len == 0) {
        abort();
    }
    size_t keep = sizeof r->body - r->body_len;
    keep = len < keep ? len : keep;
    memcpy(r->body + r->body_len, data, keep);
    r->body_len += keep;
    r->body_total += len;
    return r->stop_mode == 2 && r->body_total >= 10u;
}

static void fuzz_parse(fuzz_run_t *r, const uint8_t *data, size_t size, size_t piece,
                       size_t limit, int stop_mode, bool eof)
{
    memset(r, 0, sizeof *r);
    r->stop_mode = stop_mode;
    ota_http_resp_config_t cfg = {
        .max_header_bytes = limit, .on_head = fuzz_on_head, .on_body = fuzz_on_body, .user = r};
    ota_http_resp_init(&r->rx, &cfg);
    r->st = OTA_HTTP_RESP_OK;
    for (size_t off = 0; off < size && r->st == OTA_HTTP_RESP_OK;) {
        size_t n = size - off < piece ? size - off : piece;
        r->st = ota_http_resp_feed(&r->rx, data + off, n);
        off += n;
    }
    if (eof && r->st == OTA_HTTP_RESP_OK) {
        r->st = ota_http_resp_finish(&r->rx);
    }
    if (r->st != OTA_HTTP_RESP_OK) {
        /* An error sticks. */
        if (ota_http_resp_feed(&r->rx, (const uint8_t *)"\r\n", 2) != r->st ||
            ota_http_resp_finish(&r->rx) != r->st) {
            abort();
        }
    }
    if (r->body_total > size ||
        (ota_http_resp_done(&r->rx) && !ota_http_resp_headers_done(&r->rx))) {
        abort();
    }
    if (ota_http_resp_status_str(r->st) == NULL || ota_http_resp_parser_error_str(&r->rx) == NULL ||
        strcmp(ota_http_resp_status_str(r->st), "unknown response parser status") == 0) {
        abort();
    }
    const ota_http_resp_head_t *h = ota_http_resp_head(&r->rx);
    if (r->st == OTA_HTTP_RESP_OK && ota_http_resp_done(&r->rx) &&
        h->content_length != OTA_HTTP_LENGTH_UNKNOWN && h->content_length != r->body_total) {
        abort(); /* a complete response is its announced length */
    }
}

/* Every kept value is a string within its room, and usable exactly when PRESENT. */
static void fuzz_check_fields(const ota_http_resp_head_t *h)
{
    static const size_t rooms[OTA_HTTP_FIELD_COUNT] = {
        sizeof h->location, sizeof h->content_range, sizeof h->etag, sizeof h->last_modified};
    for (unsigned f = 0; f < OTA_HTTP_FIELD_COUNT; f++) {
        ota_http_field_state_t st;
        const char *text = ota_http_resp_field(h, (ota_http_field_t)f, &st);
        if ((text != NULL) != (st == OTA_HTTP_FIELD_PRESENT)) {
            abort();
        }
        if (text != NULL &&
            (strnlen(text, rooms[f]) != h->field_len[f] || h->field_len[f] >= rooms[f])) {
            abort();
        }
    }
    if (h->range_valid && (h->range_last < h->range_first ||
                           (h->range_complete != OTA_HTTP_LENGTH_UNKNOWN &&
                            h->range_complete <= h->range_last))) {
        abort();
    }
}

static bool fuzz_same_head(const ota_http_resp_head_t *a, const ota_http_resp_head_t *b)
{
    if (a->status_code != b->status_code || a->version_minor != b->version_minor ||
        a->chunked != b->chunked || a->keep_alive != b->keep_alive ||
        a->content_length != b->content_length || a->range_valid != b->range_valid ||
        (a->range_valid && (a->range_first != b->range_first || a->range_last != b->range_last ||
                            a->range_complete != b->range_complete)) ||
        memcmp(a->field_state, b->field_state, sizeof a->field_state) != 0) {
        return false;
    }
    for (unsigned f = 0; f < OTA_HTTP_FIELD_COUNT; f++) {
        const char *ta = ota_http_resp_field(a, (ota_http_field_t)f, NULL);
        const char *tb = ota_http_resp_field(b, (ota_http_field_t)f, NULL);
        if ((ta == NULL) != (tb == NULL) || (ta != NULL && strcmp(ta, tb) != 0)) {
            return false;
        }
    }
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t piece_sizes[8] = {1, 2, 3, 5, 7, 16, 64, 255};
    static const size_t limits[4] = {0, 64, 200, 1024};
    if (size < 1) {
        return 0;
    }
    uint8_t flags = data[0];
    size_t limit = limits[(flags >> 3) & 3u];
    int stop_mode = (flags >> 5) & 3;
    bool eof = (flags & 0x80u) != 0;
    data++;
    size--;

    fuzz_run_t *whole = &g_runs[0];
    fuzz_run_t *split = &g_runs[1];
    fuzz_parse(whole, data, size, size == 0 ? 1 : size, limit, stop_mode, eof);
    fuzz_parse(split, data, size, piece_sizes[flags & 7u], limit, stop_mode, eof);

    if (whole->st != split->st || whole->heads != split->heads ||
        ota_http_resp_done(&whole->rx) != ota_http_resp_done(&split->rx) ||
        ota_http_resp_head(&whole->rx)->status_code !=
            ota_http_resp_head(&split->rx)->status_code) {
        abort(); /* the segmentation changed the outcome */
    }
    /* After an error in the headers, the values are what came before it: how much of a value
     * came depends on where the pieces ended. A complete head must not depend on it. */
    if (ota_http_resp_headers_done(&whole->rx) &&
        !fuzz_same_head(ota_http_resp_head(&whole->rx), ota_http_resp_head(&split->rx))) {
        abort();
    }
    /* A callback that stops sees a segmentation-dependent amount of body: compare the rest. */
    if (stop_mode != 2 && (whole->body_total != split->body_total ||
                           memcmp(whole->body, split->body, whole->body_len) != 0)) {
        abort();
    }
    if (whole->heads == 1 && !fuzz_same_head(&whole->head, &split->head)) {
        abort();
    }
    fuzz_check_fields(ota_http_resp_head(&whole->rx));
    return 0;
}
