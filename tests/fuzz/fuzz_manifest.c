/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target 1: manifest parsing and update selection (issue 7). The input is the manifest
 * as served; the device state is fixed: running version 3, versions 5 and 7 rejected.
 *
 * Oracles beyond "no crash, no UB": the input is read only inside its length (it is not
 * NUL-terminated); any error leaves the plan all zero; an OK plan obeys the selection rules
 * (update newer than running unless downgrades are allowed, never rejected, never erased,
 * a printable URL of url_len bytes, distinct erase versions); the same manifest gives the same
 * verdict, plan and error location fed in pieces (one byte at a time, and in pieces whose
 * sizes the input's own bytes choose) as whole; a downgrade-allowing device gets an update
 * whenever the strict one does; file entries (the original's File Download) are each refused
 * with a named status or complete; patches (a device holding version 1 as a base) are chosen
 * only with an update, with a printable URL, the same in pieces, and a device that does not
 * read patches accepts every text one that reads them accepts, with the same plan.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "otaflow/manifest.h"

#define RUNNING_VERSION 3u

static bool rejected(void *ctx, uint32_t version)
{
    (void)ctx;
    return version == 5u || version == 7u;
}

/* The device holds version 1 (any digest) in slot 1. */
static uint8_t held_base(void *ctx, uint32_t version, const uint8_t digest[32])
{
    (void)ctx;
    (void)digest;
    return version == 1u ? 1u : OTA_MANIFEST_NO_BASE;
}

static void check_patch(const ota_manifest_patches_t *pt, ota_manifest_status_t st,
                        const ota_manifest_plan_t *plan)
{
    if (!pt->chosen) {
        return;
    }
    if (st != OTA_MANIFEST_OK || !plan->has_update || pt->best.base_version != 1u ||
        pt->best.base_slot != 1u || pt->best.url_len == 0u ||
        pt->best.url_len > OTA_MANIFEST_URL_MAX || strlen(pt->best.url) != pt->best.url_len) {
        abort();
    }
    for (uint32_t i = 0; i < pt->best.url_len; i++) {
        if (pt->best.url[i] < 0x21 || pt->best.url[i] > 0x7E) {
            abort();
        }
    }
}

static bool all_zero(const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++) {
        if (b[i] != 0) {
            return false;
        }
    }
    return true;
}

static void check_plan(ota_manifest_status_t st, const ota_manifest_plan_t *plan,
                       const ota_manifest_device_t *dev)
{
    if (ota_manifest_status_str(st) == NULL) {
        abort();
    }
    if (st != OTA_MANIFEST_OK) {
        if (!all_zero(plan, sizeof *plan)) {
            abort(); /* an error must leave nothing to act on */
        }
        return;
    }
    if (plan->erase_count > OTA_MANIFEST_ERASE_MAX || plan->erase_count > plan->entry_count) {
        abort();
    }
    for (uint32_t i = 0; i < plan->erase_count; i++) {
        for (uint32_t j = i + 1; j < plan->erase_count; j++) {
            if (plan->erase_versions[i] == plan->erase_versions[j]) {
                abort();
            }
        }
    }
#if OTA_FILE_SLOTS
    /* File entries: only kept ones counted, each either refused with a named status or
     * complete (a printable URL of url_len bytes, a length, a whole signature or none), a
     * public_key entry after the file it belongs to. */
    if (plan->file_count > OTA_FILE_ENTRIES_MAX) {
        abort();
    }
    for (uint32_t i = 0; i < plan->file_count; i++) {
        const ota_manifest_file_t *f = &plan->files[i];
        if ((f->key_of != OTA_MANIFEST_FILE_NONE && f->key_of >= i) ||
            f->url_len > OTA_FILE_URL_MAX || f->url[f->url_len] != '\0' ||
            strlen(f->url) != f->url_len ||
            (f->sig_len != 0u && f->sig_len != OTA_MANIFEST_FILE_SIG_SIZE) ||
            f->status > 0 ||
            strcmp(ota_manifest_status_str((ota_manifest_status_t)f->status),
                   "unknown manifest status") == 0) {
            abort();
        }
        if (f->status == OTA_MANIFEST_OK && (f->url_len == 0u || f->length == 0u)) {
            abort();
        }
        for (uint32_t k = 0; k < f->url_len; k++) {
            if (f->url[k] < 0x21 || f->url[k] > 0x7E) {
                abort();
            }
        }
    }
#endif
    if (!plan->has_update) {
        return;
    }
    const ota_manifest_update_t *u = &plan->update;
    if (u->version == 0 || u->version == dev->running_version || rejected(NULL, u->version) ||
        (!dev->allow_downgrade && u->version < dev->running_version)) {
        abort();
    }
    for (uint32_t i = 0; i < plan->erase_count; i++) {
        if (plan->erase_versions[i] == u->version) {
            abort();
        }
    }
    if (u->url_len == 0 || u->url_len > OTA_MANIFEST_URL_MAX || u->url[u->url_len] != '\0' ||
        strlen(u->url) != u->url_len || (u->has_size && u->size == 0)) {
        abort();
    }
    for (uint32_t i = 0; i < u->url_len; i++) {
        if (u->url[i] < 0x21 || u->url[i] > 0x7E) {
            abort();
        }
    }
}

/* The manifest fed in pieces: of `piece` bytes, or (piece 0) of sizes taken from the input's
 * own bytes, as a network would cut it. */
static ota_manifest_status_t select_in_pieces(ota_manifest_parser_t *parser, const uint8_t *data,
                                              size_t size, size_t piece,
                                              const ota_manifest_device_t *dev,
                                              ota_manifest_plan_t *plan)
{
    if (size > parser->max_size) {
        return ota_manifest_select(parser, (const char *)data, size, dev, plan);
    }
    ota_manifest_status_t st = ota_manifest_begin(parser, dev, plan);
    if (st != OTA_MANIFEST_OK) {
        abort();
    }
    do {
        for (size_t at = 0, k = 0; at < size; k++) {
            size_t n = piece != 0u ? piece : 1u + data[k % size] % 61u;
            n = n < size - at ? n : size - at;
            ota_manifest_feed(parser, data + at, n);
            at += n;
        }
        st = ota_manifest_end(parser);
    } while (st == OTA_MANIFEST_AGAIN);
    return st;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static ota_manifest_patches_t patches, patches2;
    memset(&patches, 0xA5, sizeof patches);
    patches.find_base = held_base;
    ota_manifest_device_t dev = {
        .running_version = RUNNING_VERSION,
        .allow_downgrade = false,
        .is_rejected = rejected,
        .rejected_ctx = NULL,
        .patches = &patches,
    };
    ota_manifest_parser_t parser;
    ota_manifest_parser_init(&parser);
    ota_manifest_plan_t plan;
    memset(&plan, 0xA5, sizeof plan); /* garbage in: the callee must set every byte */
    ota_manifest_status_t st = ota_manifest_select(&parser, (const char *)data, size, &dev, &plan);
    check_plan(st, &plan, &dev);
    check_patch(&patches, st, &plan);
    if (st == OTA_MANIFEST_AGAIN || st == OTA_MANIFEST_ERR_CHANGED) {
        abort(); /* a whole buffer is read twice when needed, and is the same both times */
    }

    /* In pieces: the same answer, to the byte where the error is. */
    for (size_t piece = 0; piece <= 1u; piece++) {
        ota_manifest_parser_t p2;
        ota_manifest_parser_init(&p2);
        ota_manifest_plan_t plan2;
        memset(&plan2, 0x5A, sizeof plan2);
        memset(&patches2, 0x5A, sizeof patches2);
        patches2.find_base = held_base;
        ota_manifest_device_t dev2 = dev;
        dev2.patches = &patches2;
        ota_manifest_status_t st2 = select_in_pieces(&p2, data, size, piece, &dev2, &plan2);
        if (st2 != st || memcmp(&plan, &plan2, sizeof plan) != 0 ||
            patches2.chosen != patches.chosen ||
            (patches.chosen && memcmp(&patches.best, &patches2.best, sizeof patches.best) != 0) ||
            p2.error_offset != parser.error_offset || p2.error_entry != parser.error_entry) {
            abort();
        }
    }
    if (st != OTA_MANIFEST_OK && parser.error_offset > size) {
        abort(); /* an error is located inside the text */
    }

    /* A device that does not read patches accepts what one that reads them accepts. */
    ota_manifest_device_t dev_plain = dev;
    dev_plain.patches = NULL;
    ota_manifest_plan_t plan_plain;
    ota_manifest_status_t st_plain =
        ota_manifest_select(&parser, (const char *)data, size, &dev_plain, &plan_plain);
    if (st == OTA_MANIFEST_OK &&
        (st_plain != OTA_MANIFEST_OK || memcmp(&plan, &plan_plain, sizeof plan) != 0)) {
        abort();
    }

    /* A device that accepts downgrades: still valid, and never loses an update. */
    dev.allow_downgrade = true;
    ota_manifest_plan_t plan_down;
    ota_manifest_status_t st_down =
        ota_manifest_select(&parser, (const char *)data, size, &dev, &plan_down);
    check_plan(st_down, &plan_down, &dev);
    if ((st_down == OTA_MANIFEST_OK) != (st == OTA_MANIFEST_OK) && st_down != OTA_MANIFEST_ERR_AMBIGUOUS &&
        st != OTA_MANIFEST_ERR_AMBIGUOUS) {
        abort(); /* validity of the text does not depend on the policy */
    }
    if (st == OTA_MANIFEST_OK && plan.has_update && st_down == OTA_MANIFEST_OK &&
        !plan_down.has_update) {
        abort();
    }
    return 0;
}
