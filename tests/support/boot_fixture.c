/* SPDX-License-Identifier: Apache-2.0 */
/* Test fixture for the bootloader: see boot_fixture.h. */
#include "boot_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "otaflow/crypto.h"
#include "flash_sim_internal.h"
#include "otaflow/image.h"
#include "store_fixture.h"

static void die(const char *what, int code)
{
    fprintf(stderr, "boot_fixture: %s failed (%d)\n", what, code);
    abort();
}

static void collect(void *ctx, const char *line)
{
    boot_fixture_t *fx = ctx;
    if (fx->echo) {
        printf("    %s\n", line);
    }
    if (fx->log_lines < BOOT_FIXTURE_LOG_LINES) {
        snprintf(fx->log[fx->log_lines++], sizeof fx->log[0], "%s", line);
    }
}

/* The internal flash of boards opened next (boot_fixture_select_internal). */
static struct {
    const char *preset;
    uint32_t app_offset, app_size;
} internal_choice;

void boot_fixture_select_internal(const char *preset, uint32_t app_offset, uint32_t app_size)
{
    internal_choice.preset = preset;
    internal_choice.app_offset = app_offset;
    internal_choice.app_size = app_size;
}

boot_fixture_t *boot_fixture_open(void)
{
    return boot_fixture_open_external(NULL);
}

boot_fixture_t *boot_fixture_open_external(const ota_flash_geometry_t *external_geometry)
{
    boot_fixture_t *fx = calloc(1, sizeof *fx);
    if (!fx) {
        die("calloc", 0);
    }
    fx->echo = getenv("OTA_TEST_ECHO") != NULL;
    ota_sim_power_init(&fx->power);
    const char *internal = internal_choice.preset ? internal_choice.preset : "pic32mzw1-pfm";
    ota_flash_status_t fs =
        ota_sim_flash_open_ram(&fx->internal, ota_sim_preset(internal), NULL, &fx->power);
    if (fs == OTA_FLASH_OK) {
        fs = ota_sim_flash_open_ram(&fx->external, ota_sim_preset("sst26vf032b"),
                                    external_geometry, &fx->power);
    }
    if (fs != OTA_FLASH_OK) {
        die("ota_sim_flash_open_ram", fs);
    }
    ota_store_status_t st = boot_fixture_mount(fx);
    if (st != OTA_STORE_OK) {
        die("ota_store_mount", st);
    }
    ota_boot_config_default(&fx->config);
    if (internal_choice.preset) {
        fx->config.app_offset = internal_choice.app_offset;
        fx->config.app_size = internal_choice.app_size;
        /* The fixture's images are linked for 0x10020000: the region's start on every board,
         * and the descriptor area is the sector after the region. */
        fx->config.flash_address = 0x10020000u - internal_choice.app_offset;
        ota_flash_sector_t s;
        if (ota_flash_sector_at(&ota_sim_flash_port(&fx->internal)->geometry,
                                internal_choice.app_offset + internal_choice.app_size, &s)) {
            fx->config.desc_size = s.size;
        }
    }
    return fx;
}

void boot_fixture_close(boot_fixture_t *fx)
{
    ota_sim_flash_close(&fx->internal);
    ota_sim_flash_close(&fx->external);
    free(fx);
}

uint32_t boot_fixture_image_seeded(uint8_t *buf, uint32_t size, uint32_t version, uint32_t patch,
                                   uint8_t seed)
{
    const uint32_t tlv = OTA_IMAGE_TLV_INFO_SIZE + OTA_IMAGE_TLV_ENTRY_HDR + OTA_SHA256_SIZE;
    if (size < 128u) {
        die("boot_fixture_image size", (int)size);
    }
    ota_image_header_t h = {
        .version = version,
        .security_counter = version,
        .load_addr = 0x10020000u, /* the region's start: ota_boot_config_default's */
        .payload_size = size - OTA_IMAGE_HEADER_SIZE - tlv,
        .hw_id = 0x57310001u,
    };
    ota_image_header_encode(&h, buf);
    uint8_t *p = buf + OTA_IMAGE_HEADER_SIZE;
    for (uint32_t i = 0; i < h.payload_size; i++) {
        p[i] = (uint8_t)(i * 131u + (i >> 9) + 1u + seed);
    }
    if (patch != 0 && patch < h.payload_size) {
        p[patch] ^= 0x5Au;
    }
    uint8_t digest[OTA_SHA256_SIZE];
    ota_sha256(buf, OTA_IMAGE_HEADER_SIZE + h.payload_size, digest);
    ota_image_tlv_writer_t w;
    uint32_t tlv_size = 0;
    ota_image_tlv_begin(&w, p + h.payload_size, tlv);
    ota_image_tlv_add(&w, OTA_IMAGE_TLV_SHA256, digest, sizeof digest);
    if (ota_image_tlv_finish(&w, &tlv_size) != OTA_IMAGE_OK || tlv_size != tlv) {
        die("boot_fixture_image tlv", (int)tlv_size);
    }
    return size;
}

void boot_fixture_set_security_counter(uint8_t *img, uint32_t size, uint32_t counter)
{
    ota_image_buffer_t buf;
    ota_image_source_t src;
    ota_image_info_t info;
    ota_image_source_buffer(&src, &buf, img, size);
    if (ota_image_parse(&src, &info) != OTA_IMAGE_OK) {
        fprintf(stderr, "boot_fixture: set_security_counter: image does not parse\n");
        abort();
    }
    info.header.security_counter = counter;
    ota_image_header_encode(&info.header, img);
    ota_sha256(img, info.tlv_offset,
               img + info.tlv_offset + OTA_IMAGE_TLV_INFO_SIZE + OTA_IMAGE_TLV_ENTRY_HDR);
}

/* The payload size of a header, read as the bootloader's layout does (not checked). */
static uint32_t header_payload_size(const uint8_t *header)
{
    const uint8_t *p = header + OTA_IMAGE_OFF_PAYLOAD_SIZE;
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Erase [base, base + size) and program data[0, len) there, row by row, as a programmer. */
static void program_area(const ota_flash_t *f, uint32_t base, uint32_t size, const uint8_t *data,
                         uint32_t len)
{
    uint32_t page = f->geometry.page_size;
    uint8_t row[4096];
    ota_flash_sector_t s;
    bool more = ota_flash_sector_at(&f->geometry, base, &s);
    for (; more && s.start < base + size; more = ota_flash_sector_next(&f->geometry, &s)) {
        if (ota_flash_erase(f, s.start, s.size) != OTA_FLASH_OK) {
            die("programmer erase", (int)s.start);
        }
    }
    for (uint32_t off = 0; off < len; off += page) {
        uint32_t n = len - off < page ? len - off : page;
        memset(row, 0xFF, page);
        memcpy(row, data + off, n);
        uint32_t padded = (n + f->geometry.program_unit - 1u) & ~(f->geometry.program_unit - 1u);
        if (ota_flash_program(f, base + off, row, padded) != OTA_FLASH_OK) {
            die("programmer program", (int)off);
        }
    }
}

void boot_fixture_program(boot_fixture_t *fx, const uint8_t *img, uint32_t len)
{
    const ota_flash_t *f = ota_sim_flash_port(&fx->internal);
    const ota_boot_config_t *c = &fx->config;
    uint32_t payload = header_payload_size(img);
    if (payload > len - OTA_IMAGE_HEADER_SIZE) {
        payload = len - OTA_IMAGE_HEADER_SIZE;
    }
    uint32_t tail = len - OTA_IMAGE_HEADER_SIZE - payload;
    uint8_t *desc = malloc(c->desc_size);
    if (desc == NULL || OTA_IMAGE_HEADER_SIZE + tail > c->desc_size) {
        die("boot_fixture_program: header and TLVs larger than the descriptor area", (int)tail);
    }
    memcpy(desc, img, OTA_IMAGE_HEADER_SIZE);
    memcpy(desc + OTA_IMAGE_HEADER_SIZE, img + OTA_IMAGE_HEADER_SIZE + payload, tail);
    program_area(f, c->app_offset, payload, img + OTA_IMAGE_HEADER_SIZE, payload);
    program_area(f, c->app_offset + c->app_size, c->desc_size, desc, OTA_IMAGE_HEADER_SIZE + tail);
    free(desc);
}

bool boot_fixture_internal_holds(const boot_fixture_t *fx, const uint8_t *img, uint32_t len)
{
    const uint8_t *raw = ota_sim_flash_raw((ota_sim_flash_t *)&fx->internal);
    uint32_t payload = header_payload_size(img);
    for (uint32_t off = 0; off < len;) {
        uint32_t run;
        uint32_t at = ota_boot_image_at(&fx->config, payload, off, &run);
        uint32_t n = len - off < run ? len - off : run;
        if (memcmp(raw + at, img + off, n) != 0) {
            return false;
        }
        off += n;
    }
    return true;
}

ota_boot_status_t boot_fixture_boot(boot_fixture_t *fx)
{
    if (fx->power.dead) {
        ota_sim_power_on(&fx->power);
    }
    fx->log_lines = 0;
    ota_store_status_t st = boot_fixture_mount(fx);
    if (st != OTA_STORE_OK) {
        fprintf(stderr, "boot_fixture: mount: %s\n", ota_store_status_str(st));
        return OTA_BOOT_ERR_STORE;
    }
    return ota_boot_run(&fx->boot, &fx->config, ota_sim_flash_port(&fx->internal), &fx->store,
                        collect, fx, &fx->report);
}

ota_store_status_t boot_fixture_mount(boot_fixture_t *fx)
{
    return ota_store_mount(&fx->store, ota_sim_flash_port(&fx->external), &fx->store_config);
}

uint8_t boot_fixture_stage_update(boot_fixture_t *fx, const uint8_t *img, uint32_t len,
                                  uint32_t version)
{
    uint8_t slot = OTA_STORE_SLOT_NONE;
    ota_store_status_t st = store_fixture_download(&fx->store, version, img, len, 1000, &slot);
    if (st == OTA_STORE_OK) {
        st = ota_store_request_install(&fx->store, slot);
    }
    if (st != OTA_STORE_OK) {
        fprintf(stderr, "boot_fixture: staging v%u: %s\n", (unsigned)version,
                ota_store_status_str(st));
        return OTA_STORE_SLOT_NONE;
    }
    return slot;
}

bool boot_fixture_said(const boot_fixture_t *fx, const char *line)
{
    for (unsigned i = 0; i < fx->log_lines; i++) {
        if (strcmp(fx->log[i], line) == 0) {
            return true;
        }
    }
    return false;
}

uint32_t boot_fixture_internal_version(boot_fixture_t *fx)
{
    const ota_boot_config_t *c = &fx->config;
    const uint8_t *raw = ota_sim_flash_raw(&fx->internal);
    uint32_t payload = header_payload_size(raw + c->app_offset + c->app_size);
    if (payload > c->app_size) {
        return 0;
    }
    /* The image as the bootloader reads it: header, payload, then the rest of the descriptor
     * area (its TLV area and whatever follows). */
    uint32_t len = payload + c->desc_size;
    uint8_t *img = malloc(len);
    if (img == NULL) {
        die("boot_fixture_internal_version: malloc", (int)len);
    }
    for (uint32_t off = 0; off < len;) {
        uint32_t run;
        uint32_t at = ota_boot_image_at(c, payload, off, &run);
        uint32_t n = len - off < run ? len - off : run;
        memcpy(img + off, raw + at, n);
        off += n;
    }
    ota_image_source_t src;
    ota_image_buffer_t b;
    ota_image_info_t info;
    uint8_t work[512];
    ota_image_source_buffer(&src, &b, img, len);
    uint32_t version = 0;
    if (ota_image_parse(&src, &info) == OTA_IMAGE_OK &&
        ota_image_verify(&src, &info, work, sizeof work) == OTA_IMAGE_OK) {
        version = info.header.version;
    }
    free(img);
    return version;
}

uint64_t boot_fixture_modeled_ns(const boot_fixture_t *fx)
{
    return ota_sim_flash_stats(&fx->internal).modeled_ns +
           ota_sim_flash_stats(&fx->external).modeled_ns;
}

uint32_t boot_fixture_image(uint8_t *buf, uint32_t size, uint32_t version, uint32_t patch)
{
    return boot_fixture_image_seeded(buf, size, version, patch, 0);
}

static void clone_flash(ota_sim_flash_t *dst, const ota_sim_flash_t *src)
{
    const ota_flash_geometry_t *g = &src->port.geometry;
    memcpy(dst->mem, src->mem, g->size);
    memcpy(dst->programmed, src->programmed, sim_bitmap_bytes(g));
    memcpy(dst->wear, src->wear, sim_erase_units(g) * sizeof(uint32_t));
    dst->stats = src->stats;
    dst->fault = src->fault;
}

void boot_fixture_clone(boot_fixture_t *dst, const boot_fixture_t *src)
{
    dst->power = src->power;
    clone_flash(&dst->internal, &src->internal);
    clone_flash(&dst->external, &src->external);
    dst->config = src->config;
    dst->store_config = src->store_config;
    memset(&dst->store, 0, sizeof dst->store); /* boot_fixture_boot mounts */
}

bool boot_fixture_files(boot_fixture_t *fx, const char *name, bool save)
{
    const char *dir = getenv("OTA_BUILD_DIR");
    if (dir == NULL) {
        return false;
    }
    ota_sim_flash_t *devs[2] = {&fx->external, &fx->internal};
    const char *kinds[2] = {"external", "internal"};
    for (int i = 0; i < 2; i++) {
        char path[512];
        int len = snprintf(path, sizeof path, "%s/tests/%s.%s", dir, name, kinds[i]);
        FILE *f = len > 0 && (size_t)len < sizeof path ? fopen(path, save ? "wb" : "rb") : NULL;
        size_t size = devs[i]->port.geometry.size;
        uint8_t *raw = ota_sim_flash_raw(devs[i]);
        bool whole = f != NULL && (save ? fwrite(raw, 1, size, f) == size
                                        : fread(raw, 1, size, f) == size && fgetc(f) == EOF);
        if (f == NULL || fclose(f) != 0 || !whole) {
            fprintf(stderr, "boot_fixture: %s %s failed\n", save ? "saving" : "loading", path);
            abort();
        }
    }
    return true;
}
