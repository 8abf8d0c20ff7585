/* SPDX-License-Identifier: Apache-2.0 */
/*
 * make bench's modeled device time of one update (bench/run.sh): the PIC32MZ W1 board of the
 * bootloader tests (internal program flash and an external SST26VF032B, the flash model's
 * datasheet timings, docs/flash-model.md). An image filling the application region is staged
 * into the external flash (the store's download and install request) and installed by the
 * bootloader; the modeled time of both devices is compared with the physical bound of the same
 * timings: erase and program the image once in each flash and read it once from the external
 * one (no journal, no verify, no compare).
 *
 *   bench_update   prints two lines "case modeled_ms bound_ms units_written":
 *                  "full" (every byte new) and "3-byte" (three payload bytes changed: the
 *                  bootloader skips the units that are already equal), each followed by
 *                  what each device did (bench_detail)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot_fixture.h"
#include "otaflow/image.h"

/* ceil(a / b) */
static uint64_t bench_units(uint64_t a, uint64_t b)
{
    return (a + b - 1u) / b;
}

/* Program len bytes page by page on a device of this preset. */
static uint64_t bench_program_ns(const ota_sim_preset_t *p, uint64_t len)
{
    const ota_sim_timing_t *t = &p->timing;
    uint64_t pages = bench_units(len, p->geometry.page_size);
    uint64_t per_page_units = p->geometry.page_size / p->geometry.program_unit;
    uint64_t cell = t->program_op_ns;
    if (t->program_unit_ns != 0u && per_page_units * t->program_unit_ns < cell) {
        cell = per_page_units * t->program_unit_ns;
    }
    return pages * (t->program_setup_ns + cell) + len * t->program_byte_ns;
}

/* Erase len bytes with the largest erase the part has. */
static uint64_t bench_erase_ns(const ota_sim_preset_t *p, uint64_t len)
{
    const ota_sim_timing_t *t = &p->timing;
    if (p->geometry.block_size != 0u && t->erase_block_ns != 0u) {
        return bench_units(len, p->geometry.block_size) * t->erase_block_ns;
    }
    return bench_units(len, p->geometry.erase_unit) * t->erase_unit_ns;
}

/* The bound: staging (erase + program external), one read of it, and internal erase +
 * program of the units that change (all of them for a new image). */
static uint64_t bench_bound_ns(uint32_t len, uint32_t internal_units)
{
    const ota_sim_preset_t *ext = ota_sim_preset("sst26vf032b");
    const ota_sim_preset_t *in = ota_sim_preset("pic32mzw1-pfm");
    uint64_t unit = in->geometry.erase_unit;
    uint64_t staged = bench_erase_ns(ext, len) + bench_program_ns(ext, len);
    uint64_t read = ext->timing.read_setup_ns + (uint64_t)len * ext->timing.read_byte_ns;
    uint64_t installed = (uint64_t)internal_units *
                         (in->timing.erase_unit_ns + bench_program_ns(in, unit));
    return staged + read + installed;
}

/* Internal erase units in which a and b differ. */
static uint32_t bench_units_differing(const uint8_t *a, const uint8_t *b, uint32_t len,
                                      uint32_t unit)
{
    uint32_t n = 0;
    for (uint32_t at = 0; at < len; at += unit) {
        uint32_t k = len - at < unit ? len - at : unit;
        n += memcmp(a + at, b + at, k) != 0 ? 1u : 0u;
    }
    return n;
}

/* What one device did since `from`: "detail CASE DEVICE erases programs bytes_programmed
 * bytes_read modeled_ms", where the time above the bound goes. */
static void bench_detail(const char *name, const char *device, const ota_sim_flash_t *dev,
                         const ota_sim_stats_t *from)
{
    ota_sim_stats_t now = ota_sim_flash_stats(dev);
    printf("detail %s %s %llu %llu %llu %llu %.3f\n", name, device,
           (unsigned long long)(now.erases - from->erases),
           (unsigned long long)(now.programs - from->programs),
           (unsigned long long)(now.bytes_programmed - from->bytes_programmed),
           (unsigned long long)(now.bytes_read - from->bytes_read),
           (double)(now.modeled_ns - from->modeled_ns) / 1e6);
}

/* Stage next over a board running version 1 (image now), install it; print the figures. */
static int bench_case(const char *name, const uint8_t *now, const uint8_t *next, uint32_t len)
{
    boot_fixture_t *fx = boot_fixture_open();
    boot_fixture_program(fx, now, len);
    if (boot_fixture_boot(fx) != OTA_BOOT_OK) { /* first boot: the factory copy */
        return 1;
    }
    uint64_t before = boot_fixture_modeled_ns(fx);
    ota_sim_stats_t ext = ota_sim_flash_stats(&fx->external);
    ota_sim_stats_t in = ota_sim_flash_stats(&fx->internal);
    if (boot_fixture_stage_update(fx, next, len, 2) == OTA_STORE_SLOT_NONE ||
        boot_fixture_boot(fx) != OTA_BOOT_OK || fx->report.version != 2u) {
        fprintf(stderr, "bench_update: %s: version 2 was not installed\n", name);
        return 1;
    }
    uint64_t modeled = boot_fixture_modeled_ns(fx) - before;
    uint32_t unit = fx->internal.preset.geometry.erase_unit;
    uint32_t differing = bench_units_differing(now, next, len, unit);
    printf("%s %.3f %.3f %u\n", name, (double)modeled / 1e6,
           (double)bench_bound_ns(len, differing) / 1e6, (unsigned)fx->report.sectors_written);
    bench_detail(name, "external", &fx->external, &ext);
    bench_detail(name, "internal", &fx->internal, &in);
    boot_fixture_close(fx);
    return 0;
}

int main(void)
{
    const uint32_t len = OTA_BOOT_APP_SIZE_DEFAULT; /* fills the application region */
    uint8_t *v1 = malloc(len), *v2 = malloc(len), *v2small = malloc(len);
    if (v1 == NULL || v2 == NULL || v2small == NULL) {
        return 1;
    }
    boot_fixture_image_seeded(v1, len, 1, 0, 0);
    boot_fixture_image_seeded(v2, len, 2, 0, 0x55);
    /* Version 2 with three payload bytes changed in the middle of the image (and its header:
     * version, security counter, hash). */
    uint32_t mid = len / 2u;
    boot_fixture_image_seeded(v2small, len, 2, mid, 0);
    v2small[OTA_IMAGE_HEADER_SIZE + mid + 1u] ^= 0x5Au;
    v2small[OTA_IMAGE_HEADER_SIZE + mid + 2u] ^= 0x5Au;
    boot_fixture_set_security_counter(v2small, len, 2); /* the SHA-256 TLV again */
    int rc = bench_case("full", v1, v2, len);
    rc |= bench_case("3-byte", v1, v2small, len);
    free(v1);
    free(v2);
    free(v2small);
    return rc;
}
