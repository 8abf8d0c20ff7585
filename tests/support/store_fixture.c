/* SPDX-License-Identifier: Apache-2.0 */
/* Test fixture for the image store: see store_fixture.h. */
#include "store_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image_builder.h"
#include "otaflow/crypto.h"

const ota_flash_geometry_t store_fixture_big_erase = {
    .size = 4u * 1024u * 1024u,
    .erase_unit = 64u * 1024u,
    .block_size = 0,
    .program_unit = 16u,
    .page_size = 256u,
    .erased_value = 0xFF,
};

static void die(const char *what, int code)
{
    fprintf(stderr, "store_fixture: %s failed (%d)\n", what, code);
    abort();
}

store_fixture_t *store_fixture_open(const ota_flash_geometry_t *geometry,
                                    const ota_store_config_t *config)
{
    store_fixture_t *fx = calloc(1, sizeof *fx);
    if (!fx) {
        die("calloc", 0);
    }
    ota_sim_power_init(&fx->power);
    if (geometry) {
        fx->geometry = *geometry;
        fx->has_geometry = 1;
    }
    if (config) {
        fx->config = *config;
    }
    ota_flash_status_t fs = ota_sim_flash_open_ram(&fx->dev, ota_sim_preset("sst26vf032b"),
                                                   geometry, &fx->power);
    if (fs != OTA_FLASH_OK) {
        die("ota_sim_flash_open_ram", fs);
    }
    ota_store_status_t st = store_fixture_remount(fx);
    if (st != OTA_STORE_OK) {
        die(ota_store_status_str(st), st);
    }
    return fx;
}

void store_fixture_close(store_fixture_t *fx)
{
    ota_sim_flash_close(&fx->dev);
    free(fx);
}

ota_store_status_t store_fixture_remount(store_fixture_t *fx)
{
    ota_sim_power_on(&fx->power);
    return ota_store_mount(&fx->store, ota_sim_flash_port(&fx->dev), &fx->config);
}

void store_fixture_image(uint8_t *buf, size_t len, uint32_t version)
{
    /* A valid otaflow image of exactly len bytes: header (this version), a payload pattern
     * that differs per version, SHA-256 TLV of header + payload. */
    uint32_t overhead = OTA_IMAGE_HEADER_SIZE + OTA_IMAGE_TLV_INFO_SIZE +
                        OTA_IMAGE_TLV_ENTRY_HDR + OTA_SHA256_SIZE;
    if (len <= overhead) {
        die("store_fixture_image: length", (int)len);
    }
    uint32_t payload_size = (uint32_t)(len - overhead);
    ota_image_header_t h = test_image_header(payload_size);
    h.version = version;
    ota_image_header_encode(&h, buf);
    uint8_t *payload = buf + OTA_IMAGE_HEADER_SIZE;
    uint32_t x = version * 2654435761u + 12345u;
    for (uint32_t i = 0; i < payload_size; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        payload[i] = (uint8_t)x;
    }
    uint8_t digest[OTA_SHA256_SIZE];
    ota_sha256(buf, OTA_IMAGE_HEADER_SIZE + payload_size, digest);
    ota_image_tlv_writer_t w;
    uint32_t tlv_size = 0;
    ota_image_tlv_begin(&w, payload + payload_size, len - OTA_IMAGE_HEADER_SIZE - payload_size);
    ota_image_tlv_add(&w, OTA_IMAGE_TLV_SHA256, digest, sizeof digest);
    if (ota_image_tlv_finish(&w, &tlv_size) != OTA_IMAGE_OK ||
        OTA_IMAGE_HEADER_SIZE + payload_size + tlv_size != len) {
        die("store_fixture_image: TLV", (int)tlv_size);
    }
}

ota_store_status_t store_fixture_download(ota_store_t *store, uint32_t version,
                                          const uint8_t *buf, size_t len, size_t chunk,
                                          uint8_t *slot)
{
    uint8_t digest[OTA_SHA256_SIZE];
    uint32_t offset = 0;
    ota_sha256(buf, len, digest);
    ota_store_status_t st =
        ota_store_download_begin(store, version, (uint32_t)len, digest, slot, &offset);
    while (st == OTA_STORE_OK && offset < len) {
        size_t n = len - offset < chunk ? len - offset : chunk;
        st = ota_store_download_write(store, offset, buf + offset, n);
        offset += (uint32_t)n;
    }
    return st == OTA_STORE_OK ? ota_store_download_finish(store) : st;
}

uint8_t store_fixture_store_version(store_fixture_t *fx, uint32_t version, size_t len)
{
    uint8_t *img = malloc(len);
    uint8_t slot = OTA_STORE_SLOT_NONE;
    if (!img) {
        die("malloc", 0);
    }
    store_fixture_image(img, len, version);
    ota_store_status_t st = store_fixture_download(&fx->store, version, img, len, 1000, &slot);
    free(img);
    if (st != OTA_STORE_OK) {
        fprintf(stderr, "store_fixture: storing version %u: %s\n", (unsigned)version,
                ota_store_status_str(st));
        return OTA_STORE_SLOT_NONE;
    }
    return slot;
}

static int fail(const char *what, unsigned slot)
{
    fprintf(stderr, "store invariant broken: %s (slot %u)\n", what, slot);
    return -1;
}

int store_fixture_check_invariants(store_fixture_t *fx)
{
    return store_check_invariants(&fx->store, ota_sim_flash_port(&fx->dev)->geometry.erase_unit);
}

int store_check_invariants(ota_store_t *s, uint32_t unit)
{
    return store_check_invariants_with(s, unit, NULL, NULL);
}

int store_check_invariants_with(ota_store_t *s, uint32_t unit, store_slot_check_fn check,
                                void *ctx)
{
    const ota_store_boot_t *b = ota_store_boot(s);
    for (uint8_t i = 0; i < ota_store_slot_count(s); i++) {
        const ota_store_slot_t *d = ota_store_slot(s, i);
        if (d->state == OTA_SLOT_STORED || d->state == OTA_SLOT_INSTALLED) {
            ota_store_status_t st = check ? check(s, i, ctx) : ota_store_slot_verify(s, i);
            if (st != OTA_STORE_OK) {
                return fail("stored slot does not match its digest", i);
            }
        }
        if (d->state == OTA_SLOT_DOWNLOADING && d->offset % unit != 0) {
            return fail("durable offset not on an erase unit", i);
        }
    }
    if (b->state == OTA_BOOT_INSTALL_PENDING || b->state == OTA_BOOT_INSTALLING) {
        const ota_store_slot_t *t = ota_store_slot(s, b->install_slot);
        if (!t || t->state != OTA_SLOT_STORED) {
            return fail("install target is not a stored image", b->install_slot);
        }
    }
    if (b->previous_slot != OTA_STORE_SLOT_NONE) {
        const ota_store_slot_t *p = ota_store_slot(s, b->previous_slot);
        if (!p || p->state != OTA_SLOT_STORED) {
            return fail("rollback slot lost its image", b->previous_slot);
        }
    }
    return 0;
}

const char *store_fixture_state_diff(const ota_store_state_t *a, const ota_store_state_t *b,
                                     uint8_t slot_count)
{
    const ota_store_boot_t *x = &a->boot, *y = &b->boot;
#define DIFF(field)                                                                           \
    if (x->field != y->field) {                                                               \
        return #field;                                                                        \
    }
    DIFF(running_version) DIFF(previous_version) DIFF(security_counter) DIFF(install_progress)
    DIFF(running_slot) DIFF(previous_slot) DIFF(install_slot) DIFF(state) DIFF(attempts)
    DIFF(install_reason) DIFF(rejected_count) DIFF(manifest_sequence)
#undef DIFF
    if (memcmp(x->rejected, y->rejected, sizeof x->rejected) != 0) {
        return "rejected";
    }
    static const char *const slot_fields[] = {"state", "flags", "version", "size", "offset",
                                              "digest"};
    static char name[48];
    for (uint8_t i = 0; i < slot_count; i++) {
        const ota_store_slot_t *p = &a->slots[i], *q = &b->slots[i];
        int f = p->state != q->state     ? 0
                : p->flags != q->flags   ? 1
                : p->version != q->version ? 2
                : p->size != q->size     ? 3
                : p->offset != q->offset ? 4
                : memcmp(p->digest, q->digest, sizeof p->digest) != 0 ? 5
                                                                     : -1;
        if (f >= 0) {
            snprintf(name, sizeof name, "slots[%u].%s", (unsigned)i, slot_fields[f]);
            return name;
        }
    }
    return NULL;
}

int store_fixture_state_equal(const ota_store_state_t *a, const ota_store_state_t *b,
                              uint8_t slot_count)
{
    return store_fixture_state_diff(a, b, slot_count) == NULL;
}

void store_fixture_sweep(const ota_flash_geometry_t *geometry, const ota_store_config_t *config,
                         store_fixture_setup_fn setup, store_fixture_op_fn op,
                         store_fixture_check_fn check, void *ctx,
                         store_fixture_sweep_result_t *out)
{
    static const ota_sim_cut_mode_t modes[3] = {OTA_SIM_CUT_BEFORE, OTA_SIM_CUT_AFTER,
                                                OTA_SIM_CUT_TORN};
    ota_store_state_t before, after;
    memset(out, 0, sizeof *out);

    store_fixture_t *fx = store_fixture_open(geometry, config);
    setup(fx, ctx);
    before = *ota_store_state(&fx->store);
    uint64_t base = fx->power.ops;
    ota_store_status_t st = op(fx, ctx);
    if (st != OTA_STORE_OK) {
        fprintf(stderr, "sweep: reference run failed: %s\n", ota_store_status_str(st));
        out->failures++;
        store_fixture_close(fx);
        return;
    }
    after = *ota_store_state(&fx->store);
    out->ops = (unsigned)(fx->power.ops - base);
    uint8_t count = ota_store_slot_count(&fx->store);
    store_fixture_close(fx);

    for (unsigned m = 0; m < 3; m++) {
        for (unsigned n = 1; n <= out->ops; n++) {
            fx = store_fixture_open(geometry, config);
            setup(fx, ctx);
            ota_sim_power_arm(&fx->power, fx->power.ops + n, modes[m], 1000u * n + m);
            (void)op(fx, ctx);
            out->cuts++;
            st = store_fixture_remount(fx);
            int which = store_fixture_state_equal(ota_store_state(&fx->store), &before, count) ? 0
                        : store_fixture_state_equal(ota_store_state(&fx->store), &after, count)
                            ? 1
                            : -1;
            out->old_state += which == 0;
            out->new_state += which == 1;
            out->other += which == -1;
            if (st != OTA_STORE_OK || store_fixture_check_invariants(fx) != 0 ||
                check(fx, ctx, which) != 0) {
                fprintf(stderr, "sweep: failure after cut at op %u of %u, mode %u (mount: %s)\n",
                        n, out->ops, m, ota_store_status_str(st));
                out->failures++;
            }
            store_fixture_close(fx);
        }
    }
}
