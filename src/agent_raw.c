/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The original's raw images on the agent's side: a file served for an update is told apart
 * from an .ota by its first 4 bytes (the otaflow magic) before any byte of it is written.
 * A raw image (accept_raw_images, OTA_RAW_IMAGES) is handed to the store, which writes the
 * header before it and the TLV area after it (src/store_raw.c); otherwise it is refused with
 * a reason that says so (docs/agent.md, "The original's raw images").
 */
#include <string.h>

#include "agent_internal.h"

/* The magic's bytes as they arrive: "OTAF". */
#define HEAD_MAGIC_LEN 4u

static const uint8_t AGENT_MAGIC[HEAD_MAGIC_LEN] = {'O', 'T', 'A', 'F'};

#if OTA_RAW_IMAGES
uint32_t ota_agent_store_shift(const ota_agent_t *a)
{
    return a->raw ? OTA_STORE_RAW_HEAD : 0u;
}

/* A raw image may be stored: start it in the store (header staged, size recorded). */
static ota_agent_status_t agent_raw_begin(ota_agent_t *a)
{
    ota_store_t *store = a->ports.store;
    if (!a->config.accept_raw_images) {
        return OTA_AGENT_ERR_RAW_IMAGE;
    }
    if (ota_store_trusted_keys(store) != NULL && !a->update.has_signature) {
        return OTA_AGENT_ERR_RAW_UNSIGNED;
    }
    if (a->total == 0u) {
        return OTA_AGENT_ERR_RAW_LENGTH;
    }
    uint32_t load = a->config.raw_load_addr ? a->config.raw_load_addr
                                            : OTA_AGENT_RAW_LOAD_ADDR_DEFAULT;
    ota_store_status_t st = ota_store_raw_start(store, a->total, load);
    if (st != OTA_STORE_OK) {
        a->body_store_status = st;
        return OTA_AGENT_ERR_STORE;
    }
    a->raw = true;
    return OTA_AGENT_OK;
}

ota_store_status_t ota_agent_store_finish(ota_agent_t *a)
{
    if (a->raw) {
        return ota_store_raw_finish(a->ports.store,
                                    a->update.has_signature ? a->update.signature : NULL);
    }
    return ota_store_download_finish(a->ports.store);
}

ota_store_status_t ota_agent_store_check_begin(ota_agent_t *a)
{
    if (a->raw) {
        return ota_store_raw_check_begin(a->ports.store,
                                         a->update.has_signature ? a->update.signature : NULL,
                                         &a->check);
    }
    return ota_store_check_begin(a->ports.store, &a->check);
}

/* Decide on the bytes held, then write them. */
static ota_agent_status_t agent_head_decide(ota_agent_t *a)
{
    a->head_decided = true;
    if (a->head_held < HEAD_MAGIC_LEN || memcmp(a->image_head, AGENT_MAGIC, HEAD_MAGIC_LEN) != 0) {
        ota_agent_status_t why = agent_raw_begin(a);
        if (why != OTA_AGENT_OK) {
            return why;
        }
    }
    ota_store_status_t st = ota_store_download_write(a->ports.store, ota_agent_store_shift(a),
                                                     a->image_head, a->head_held);
    if (st != OTA_STORE_OK) {
        a->body_store_status = st;
        return OTA_AGENT_ERR_STORE;
    }
    return OTA_AGENT_OK;
}

ota_agent_status_t ota_agent_head(ota_agent_t *a, const uint8_t **data, size_t *len, bool *held)
{
    *held = false;
    if (a->head_decided || a->resume_from != 0u) {
        return OTA_AGENT_OK; /* a resumed download: the store's slot says raw or not */
    }
    size_t n = HEAD_MAGIC_LEN - a->head_held;
    if (n > *len) {
        n = *len;
    }
    memcpy(a->image_head + a->head_held, *data, n);
    a->head_held = (uint8_t)(a->head_held + n);
    a->received += (uint32_t)n;
    *data += n;
    *len -= n;
    if (a->head_held < HEAD_MAGIC_LEN) {
        *held = true;
        return OTA_AGENT_OK;
    }
    return agent_head_decide(a);
}

ota_agent_status_t ota_agent_head_end(ota_agent_t *a)
{
    if (a->head_decided || a->head_held == 0u) {
        return OTA_AGENT_OK;
    }
    return agent_head_decide(a);
}

#else
/* Built without the original's raw images, nothing but an .ota can be stored: its first bytes
 * need not be held until a decision (holding them is what makes the raw image's header go
 * first); they are compared with the magic as they pass, so that a raw image is still refused
 * at its first bytes, before any of them is written. */
uint32_t ota_agent_store_shift(const ota_agent_t *a)
{
    (void)a;
    return 0u;
}

ota_store_status_t ota_agent_store_finish(ota_agent_t *a)
{
    return ota_store_download_finish(a->ports.store);
}

ota_store_status_t ota_agent_store_check_begin(ota_agent_t *a)
{
    return ota_store_check_begin(a->ports.store, &a->check);
}

ota_agent_status_t ota_agent_head(ota_agent_t *a, const uint8_t **data, size_t *len, bool *held)
{
    *held = false;
    for (uint32_t at = a->received; a->resume_from == 0u && at < HEAD_MAGIC_LEN &&
                                    at - a->received < *len;
         at++) {
        if ((*data)[at - a->received] != AGENT_MAGIC[at]) {
            return OTA_AGENT_ERR_RAW_IMAGE;
        }
    }
    return OTA_AGENT_OK;
}

/* A fresh file shorter than the magic (but not empty: the store names that) is no .ota. */
ota_agent_status_t ota_agent_head_end(ota_agent_t *a)
{
    return a->resume_from == 0u && a->received != 0u && a->received < HEAD_MAGIC_LEN
               ? OTA_AGENT_ERR_RAW_IMAGE
               : OTA_AGENT_OK;
}
#endif /* OTA_RAW_IMAGES */
